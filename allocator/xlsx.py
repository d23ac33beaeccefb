"""Plain ``.xlsx`` workbooks of tables, one sheet per table, written by XlsxWriter.

``result.xlsx`` of a national round holds tens of thousands of cells:
openpyxl builds a Python object per cell and takes about 1.3 s for the 10k
round; XlsxWriter, writing a column at a time with typed calls, about 0.3 s
(benchmarks/bench_call.py). The cells are those ``DataFrame.to_excel``
gives: a header row of column names, then text as text, numbers as numbers,
booleans as booleans, a missing value (None, NaN) as an empty cell. Two
deliberate differences: a text that starts with ``=`` stays text (never a
formula, so an id cannot run in Excel), and infinity is the text ``inf``
(Excel has no infinite number). Excel, LibreOffice, openpyxl and
``pandas.read_excel`` read it back with the same sheets, columns and values
(tests/test_output_xlsx.py).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["write_xlsx"]

_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
            "nan_inf_to_errors": False}


def write_xlsx(path: str | Path, sheets: dict[str, pd.DataFrame]) -> None:
    """Write ``sheets`` (name -> table, in order) as one workbook at ``path``."""
    import xlsxwriter  # the command line imports it only when it writes a workbook

    book = xlsxwriter.Workbook(str(path), _OPTIONS)
    try:
        for name, frame in sheets.items():
            sheet = book.add_worksheet(name)
            sheet.write_row(0, 0, [str(c) for c in frame.columns])
            for j, column in enumerate(frame.columns):
                _write_column(sheet, j, frame[column])
    finally:
        book.close()


def _write_column(sheet, j: int, series: pd.Series) -> None:
    """One column below the header, with one typed call per filled cell."""
    kind = series.dtype.kind
    if kind in "biu" and series.isna().any():  # nullable integers or booleans with gaps
        kind = "O"
    if kind == "b":
        for i, v in enumerate(series.tolist(), 1):
            sheet.write_boolean(i, j, v)
    elif kind in "iu":
        for i, v in enumerate(series.tolist(), 1):
            sheet.write_number(i, j, v)
    elif kind == "f":
        values = series.to_numpy(dtype=float)
        for i in np.flatnonzero(~np.isnan(values)):
            _number(sheet, int(i) + 1, j, float(values[i]))
    else:
        for i, v in enumerate(series.tolist(), 1):
            _any(sheet, i, j, v)


def _number(sheet, i: int, j: int, v: float) -> None:
    if math.isinf(v):
        sheet.write_string(i, j, "inf" if v > 0 else "-inf")
    else:
        sheet.write_number(i, j, v)


def _any(sheet, i: int, j: int, v) -> None:
    """A cell of an object column: text, number, boolean, or empty for a missing value."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return
    if isinstance(v, (bool, np.bool_)):
        sheet.write_boolean(i, j, bool(v))
    elif isinstance(v, (int, np.integer)):
        sheet.write_number(i, j, int(v))
    elif isinstance(v, (float, np.floating)):
        _number(sheet, i, j, float(v))
    else:
        sheet.write_string(i, j, str(v))

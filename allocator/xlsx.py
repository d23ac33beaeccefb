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

``formats`` gives columns a number format (:func:`money_format`: a money column shows its
currency, "1 500 000,40 ₸" in a Russian Excel); the cells stay numbers, so Excel sums them.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["money_format", "write_xlsx"]

_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
            "nan_inf_to_errors": False}


def money_format(currency: str | None, decimals: int = 0) -> str:
    """Excel number format of a money column: grouped digits, ``decimals`` decimals, then the
    currency sign after a space (``#,##0.00 "₸"``); without a sign, the digits only. Excel shows
    the grouping and the decimal mark of the reader's locale."""
    digits = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    if not currency:
        return digits
    sign = str(currency).replace('"', "")  # a quoted text of the format holds no quote
    return f'{digits} "{sign}"'


def write_xlsx(path: str | Path, sheets: dict[str, pd.DataFrame],
               formats: dict[str, dict[str, str]] | None = None) -> None:
    """Write ``sheets`` (name -> table, in order) as one workbook at ``path``.

    ``formats``: sheet name -> column -> Excel number format of that column's cells (the header
    row keeps none)."""
    import xlsxwriter  # the command line imports it only when it writes a workbook

    book = xlsxwriter.Workbook(str(path), _OPTIONS)
    try:
        for name, frame in sheets.items():
            sheet = book.add_worksheet(name)
            sheet.write_row(0, 0, [str(c) for c in frame.columns])
            shown = (formats or {}).get(name, {})
            for j, column in enumerate(frame.columns):
                fmt = book.add_format({"num_format": shown[column]}) if column in shown else None
                if fmt is not None:  # wide enough that Excel shows the grouped figure, not "####"
                    sheet.set_column(j, j, max(14, len(str(column)) + 2))
                _write_column(sheet, j, frame[column], fmt)
    finally:
        book.close()


def _write_column(sheet, j: int, series: pd.Series, fmt=None) -> None:
    """One column below the header, with one typed call per filled cell (numbers in ``fmt``)."""
    kind = series.dtype.kind
    if kind in "biu" and series.isna().any():  # nullable integers or booleans with gaps
        kind = "O"
    if kind == "b":
        for i, v in enumerate(series.tolist(), 1):
            sheet.write_boolean(i, j, v)
    elif kind in "iu":
        for i, v in enumerate(series.tolist(), 1):
            sheet.write_number(i, j, v, fmt)
    elif kind == "f":
        values = series.to_numpy(dtype=float)
        for i in np.flatnonzero(~np.isnan(values)):
            _number(sheet, int(i) + 1, j, float(values[i]), fmt)
    else:
        for i, v in enumerate(series.tolist(), 1):
            _any(sheet, i, j, v, fmt)


def _number(sheet, i: int, j: int, v: float, fmt=None) -> None:
    if math.isinf(v):
        sheet.write_string(i, j, "inf" if v > 0 else "-inf")
    else:
        sheet.write_number(i, j, v, fmt)


def _any(sheet, i: int, j: int, v, fmt=None) -> None:
    """A cell of an object column: text, number, boolean, or empty for a missing value."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return
    if isinstance(v, (bool, np.bool_)):
        sheet.write_boolean(i, j, bool(v))
    elif isinstance(v, (int, np.integer)):
        sheet.write_number(i, j, int(v), fmt)
    elif isinstance(v, (float, np.floating)):
        _number(sheet, i, j, float(v), fmt)
    else:
        sheet.write_string(i, j, str(v))

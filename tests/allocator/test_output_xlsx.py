"""allocator.xlsx writes the cells DataFrame.to_excel writes, read back alike by openpyxl and pandas."""

from __future__ import annotations

import math

import numpy as np
import openpyxl
import pandas as pd

from allocator.xlsx import write_xlsx


def _tables() -> dict[str, pd.DataFrame]:
    text = pd.Series(["G1", "  lead", "trail  ", "a & b < c > d", "Земский доктор", "", None, "   "],
                     dtype="str")
    return {
        "mixed": pd.DataFrame({
            "text": text,
            "int": np.arange(8, dtype=np.int64) * 1_000_003,
            "float": [0.0, 1.5, np.nan, 1e-7, 123456789.125, -2.0, 0.1 + 0.2, 1e21],
            "object": ["x", 1, 2.5, None, np.nan, True, "=1+1", np.int64(7)],
            "flag": [True, False] * 4,
            "nullable": pd.array([1, None, 3, 4, 5, 6, 7, 8], dtype="Int64"),
        }),
        "header only": pd.DataFrame({"graduate_id": pd.Series(dtype="str"), "km": pd.Series(dtype=float)}),
        "programmes": pd.DataFrame([{"programme_id": "p", "quota": None, "budget": 1.5e6},
                                    {"programme_id": "q", "quota": 3, "budget": None}]),
    }


def _cells(path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path)
    return {name: [tuple(row) for row in book[name].iter_rows(values_only=True)] for name in book.sheetnames}


def test_cells_are_those_to_excel_writes(tmp_path):
    tables = _tables()
    tables["mixed"] = tables["mixed"].drop(columns="object")  # openpyxl makes "=1+1" a formula
    ours, theirs = tmp_path / "ours.xlsx", tmp_path / "theirs.xlsx"
    write_xlsx(ours, tables)
    with pd.ExcelWriter(theirs, engine="openpyxl") as xl:
        for name, frame in tables.items():
            frame.to_excel(xl, sheet_name=name, index=False)
    mine, pandas_own = _cells(ours), _cells(theirs)
    assert list(mine) == list(pandas_own)
    for name in mine:  # to_excel writes an empty text cell where we write none: both read as None
        assert [tuple(None if v == "" else v for v in r) for r in mine[name]] == \
               [tuple(None if v == "" else v for v in r) for r in pandas_own[name]], name


def test_read_back_with_the_same_sheets_columns_and_values(tmp_path):
    tables = _tables()
    path = tmp_path / "result.xlsx"
    write_xlsx(path, tables)
    back = pd.read_excel(path, sheet_name=None)
    assert list(back) == list(tables)
    for name, frame in tables.items():
        assert list(back[name].columns) == list(frame.columns)
        assert len(back[name]) == len(frame)
    mixed = back["mixed"]
    assert mixed["int"].tolist() == tables["mixed"]["int"].tolist()
    floats = mixed["float"].tolist()
    assert math.isnan(floats[2]) and floats[:2] == [0.0, 1.5] and floats[4] == 123456789.125
    assert mixed["text"].tolist()[:5] == ["G1", "  lead", "trail  ", "a & b < c > d", "Земский доктор"]
    assert mixed["object"].tolist()[6] == "=1+1"  # text, never a formula
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == list(tables)
    assert book["mixed"]["E2"].value is True
    assert book["mixed"]["F3"].value is None and book["mixed"]["F4"].value == 3

"""A fast writer of plain ``.xlsx`` workbooks: one sheet per table, text and numbers, no styles.

``result.xlsx`` of a national round holds tens of thousands of cells; openpyxl
builds a Python object per cell and takes over a second for them. This module
writes the same Office Open XML package directly, a column at a time:

* the parts openpyxl writes (content types, relationships, workbook, styles,
  document properties; no theme, which is optional) and one worksheet per
  table, header row first;
* cells as openpyxl writes them for ``DataFrame.to_excel``: text as inline
  strings (``t="inlineStr"``, ``xml:space="preserve"`` around leading or
  trailing blanks), numbers as ``%.16g`` (``t="n"``), booleans as 1/0
  (``t="b"``), a missing value (None, NaN) as an empty text cell as pandas'
  ``na_rep=""`` gives, infinity as the text ``inf``;
* unlike openpyxl, a text that starts with ``=`` stays text (never a formula),
  and control characters that XML cannot hold are left out instead of raising.

Excel, LibreOffice, openpyxl and ``pandas.read_excel`` read it back with the
same sheets, columns and values (tests/test_output_xlsx.py).
"""

from __future__ import annotations

import math
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument"
_STYLES = (
    f'<styleSheet xmlns="{_MAIN}"><numFmts count="0" /><fonts count="1"><font><name val="Calibri" />'
    '<family val="2" /><sz val="11" /></font></fonts>'
    '<fills count="2"><fill><patternFill /></fill><fill><patternFill patternType="gray125" /></fill></fills>'
    '<borders count="1"><border><left /><right /><top /><bottom /><diagonal /></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" /></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" /></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0" /></cellStyles></styleSheet>'
)
_SHEET_HEAD = (
    f'<worksheet xmlns="{_MAIN}"><sheetPr><outlinePr summaryBelow="1" summaryRight="1" /><pageSetUpPr />'
    '</sheetPr><dimension ref="{ref}" /><sheetViews><sheetView workbookViewId="0"><selection activeCell="A1" '
    'sqref="A1" /></sheetView></sheetViews><sheetFormatPr baseColWidth="8" defaultRowHeight="15" />'
)
_SHEET_TAIL = '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5" /></worksheet>'


def write_xlsx(path: str | Path, sheets: dict[str, pd.DataFrame]) -> None:
    """Write ``sheets`` (name -> table, in order) as one workbook at ``path``."""
    names = list(sheets)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", _content_types(len(names)))
        z.writestr("_rels/.rels", _package_rels())
        z.writestr("docProps/app.xml", '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/'
                   '2006/extended-properties"><Application>Microsoft Excel Compatible / allocator</Application>'
                   '</Properties>')
        z.writestr("docProps/core.xml", _core())
        z.writestr("xl/workbook.xml", _workbook(names))
        z.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(names)))
        z.writestr("xl/styles.xml", _STYLES)
        for k, name in enumerate(names, 1):
            z.writestr(f"xl/worksheets/sheet{k}.xml", sheet_xml(sheets[name]))


def sheet_xml(frame: pd.DataFrame) -> str:
    """One worksheet: the header row, then a row per record."""
    n_rows, n_cols = len(frame) + 1, len(frame.columns)
    if n_cols == 0:
        return _SHEET_HEAD.replace("{ref}", "A1:A1") + "<sheetData />" + _SHEET_TAIL
    letters = [column_letter(i) for i in range(n_cols)]
    header = "".join(_text_cell(f"{col}1", str(name)) for col, name in zip(letters, frame.columns))
    columns = [_column_cells(frame.iloc[:, i], col) for i, col in enumerate(letters)]
    rows = [f'<row r="1">{header}</row>']
    rows += [f'<row r="{r}">{"".join(cells)}</row>' for r, cells in enumerate(zip(*columns), 2)]
    ref = f"A1:{letters[-1]}{n_rows}"
    return _SHEET_HEAD.replace("{ref}", ref) + "<sheetData>" + "".join(rows) + "</sheetData>" + _SHEET_TAIL


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def _column_cells(series: pd.Series, col: str) -> list[str]:
    """The cells of one column, rows 2..n+1."""
    refs = [f"{col}{r}" for r in range(2, len(series) + 2)]
    values = series.to_numpy()
    kind = values.dtype.kind
    if kind in "iu":
        return [f'<c r="{ref}" t="n"><v>{v:.16g}</v></c>' for ref, v in zip(refs, values.tolist())]
    if kind == "f":
        return [_number_cell(ref, v) for ref, v in zip(refs, values.tolist())]
    if kind == "b":
        return [f'<c r="{ref}" t="b"><v>{int(v)}</v></c>' for ref, v in zip(refs, values.tolist())]
    return [_any_cell(ref, v) for ref, v in zip(refs, values.tolist())]


def _number_cell(ref: str, value: float) -> str:
    if math.isnan(value):
        return f'<c r="{ref}" t="inlineStr" />'
    if math.isinf(value):
        return _text_cell(ref, "inf" if value > 0 else "-inf")
    return f'<c r="{ref}" t="n"><v>{value:.16g}</v></c>'


def _any_cell(ref: str, value) -> str:
    """A cell of a column of mixed or text values."""
    if isinstance(value, str):
        return _text_cell(ref, value)
    if value is None or value is pd.NA or value is pd.NaT:
        return f'<c r="{ref}" t="inlineStr" />'
    if isinstance(value, (bool, np.bool_)):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, np.integer)):
        return f'<c r="{ref}" t="n"><v>{value:.16g}</v></c>'
    if isinstance(value, (float, np.floating)):
        return _number_cell(ref, float(value))
    return _text_cell(ref, str(value))


def _text_cell(ref: str, text: str) -> str:
    if text == "":
        return f'<c r="{ref}" t="inlineStr" />'
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    stripped = text.strip()
    space = ' xml:space="preserve"' if stripped and stripped != text else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{escaped}</t></is></c>'


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _content_types(n_sheets: int) -> str:
    sheets = "".join(f'<Override PartName="/xl/worksheets/sheet{k}.xml" ContentType="{_CT}.spreadsheetml.'
                     'worksheet+xml" />' for k in range(1, n_sheets + 1))
    return (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />'
        '<Default Extension="xml" ContentType="application/xml" />'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.spreadsheetml.styles+xml" />'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml" />'
        f'<Override PartName="/docProps/app.xml" ContentType="{_CT}.extended-properties+xml" />'
        f'{sheets}<Override PartName="/xl/workbook.xml" ContentType="{_CT}.spreadsheetml.sheet.main+xml" />'
        '</Types>'
    )


def _package_rels() -> str:
    return (
        f'<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Type="{_REL}/officeDocument" Target="xl/workbook.xml" Id="rId1" />'
        f'<Relationship Type="{_PKG_REL}/metadata/core-properties" Target="docProps/core.xml" Id="rId2" />'
        f'<Relationship Type="{_REL}/extended-properties" Target="docProps/app.xml" Id="rId3" />'
        '</Relationships>'
    )


def _core() -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>allocator</dc:creator>'
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>'
    )


def _workbook(names: list[str]) -> str:
    sheets = "".join(f'<sheet name="{_attr(name)}" sheetId="{k}" state="visible" r:id="rId{k}" />'
                     for k, name in enumerate(names, 1))
    return (
        f'<workbook xmlns:r="{_REL}" xmlns="{_MAIN}"><workbookPr /><bookViews><workbookView activeTab="0" />'
        f'</bookViews><sheets>{sheets}</sheets><calcPr calcId="124519" fullCalcOnLoad="1" /></workbook>'
    )


def _workbook_rels(n_sheets: int) -> str:
    rels = "".join(f'<Relationship Type="{_REL}/worksheet" Target="/xl/worksheets/sheet{k}.xml" Id="rId{k}" />'
                   for k in range(1, n_sheets + 1))
    return (f'<Relationships xmlns="{_PKG_REL}">{rels}<Relationship Type="{_REL}/styles" Target="styles.xml" '
            f'Id="rId{n_sheets + 1}" /></Relationships>')

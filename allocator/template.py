"""The input template: an Excel workbook with a sheet per table of the schema.

Made from ``allocator/schema.csv`` (:mod:`allocator.schema`). One sheet per
input table with its header row (the column names, or with ``headers="ru"``
the Russian names of :mod:`allocator.headers`; each header carries its RU
and EN description as a cell comment), drop-down lists for the columns with
allowed values or yes/no, and a sheet ``описание`` describing every column.
The reader (:mod:`allocator.io`) ignores sheets that are not table names,
so a filled-in template is a valid round as it is.
``allocator template FILE.xlsx`` writes it; the UI offers it for download.
"""

from __future__ import annotations

import io
import itertools

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .headers import ru_header
from .schema import OPTIONAL_TABLES, TABLES, columns

HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
HEADER_FONT = Font(bold=True)
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
DESCRIPTION_SHEET = "описание"


HEADERS = ("codes", "ru")  # the header rows offered: the schema's column names, or Russian names
LIST_ROWS = 5000  # rows below the header that carry a column's drop-down list


def template_workbook(headers: str = "codes") -> bytes:
    """The template workbook as bytes (see the module docstring).

    ``headers="ru"`` writes the Russian header names of :mod:`allocator.headers` (which the reader
    accepts as the schema's names) instead of the column codes. Columns with allowed values
    (funding, type) and true/false columns (rural) get a drop-down list (data validation) for
    their first ``LIST_ROWS`` rows; a value outside the list is refused by Excel.
    """
    if headers not in HEADERS:
        raise ValueError(f"headers must be one of {HEADERS}, not {headers!r}")
    wb = Workbook()
    wb.remove(wb.active)
    for table in TABLES:
        ws = wb.create_sheet(table)
        for j, col in enumerate(columns(table), start=1):
            name = ru_header(table, col.name) if headers == "ru" else col.name
            cell = ws.cell(row=1, column=j, value=name)
            cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
            need = "обязательный / required" if col.required else "необязательный / optional"
            cell.comment = Comment(f"{col.name}: {col.description_ru}\n\n{col.description_en}\n\n{need}; "
                                   f"{col.dtype}", "medstaff-planner", width=320, height=160)
            ws.column_dimensions[get_column_letter(j)].width = max(14, len(name) + 4)
            if choices := _choices(col, headers):
                _drop_down(ws, j, choices, name)
        ws.freeze_panes = "A2"
    ws = wb.create_sheet(DESCRIPTION_SHEET)
    header = ["таблица / table", "столбец / column", "тип / type", "обязательный / required",
              "допустимые значения / allowed", "мин. / min", "макс. / max", "описание", "description",
              "единица / unit", "по умолчанию / default", "заголовок по-русски / Russian header"]
    ws.append(header)
    for table in TABLES:
        for col in columns(table):
            ws.append([
                table + (" (необязательная / optional)" if table in OPTIONAL_TABLES and col is columns(table)[0]
                         else ""),
                col.name, col.dtype, "да / yes" if col.required else "нет / no",
                "; ".join(col.allowed), col.minimum, col.maximum, col.description_ru, col.description_en,
                col.unit, col.default, ru_header(table, col.name),
            ])
    style_table(ws, 1, len(header), ws.max_row)
    for j, width in enumerate([22, 26, 26, 16, 24, 8, 8, 60, 60, 12, 14, 26], start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row[7:9]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _choices(col, headers: str) -> tuple[str, ...]:
    """The values a column's drop-down list offers: its allowed values (for a list column every
    ';'-joined combination of them, ``grant;paid``), or yes/no for a bool."""
    if col.allowed and col.dtype == "list":
        return tuple(";".join(c) for n in range(1, len(col.allowed) + 1)
                     for c in itertools.combinations(col.allowed, n))
    if col.allowed:
        return tuple(col.allowed)
    if col.dtype == "bool":
        return ("да", "нет") if headers == "ru" else ("true", "false")
    return ()


def _drop_down(ws, j: int, choices: tuple[str, ...], name: str) -> None:
    """A list validation on column ``j`` below the header: Excel shows the choices and refuses others."""
    letter = get_column_letter(j)
    dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                        showDropDown=False, showErrorMessage=True, errorStyle="stop",
                        errorTitle=name[:32], error="; ".join(choices)[:255])
    dv.add(f"{letter}2:{letter}{LIST_ROWS + 1}")
    ws.add_data_validation(dv)


def style_table(ws, head_row: int, ncol: int, last: int) -> None:
    """Header row styled, table body bordered (rows head_row..last, columns 1..ncol)."""
    for j in range(1, ncol + 1):
        cell = ws.cell(row=head_row, column=j)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        for r in range(head_row + 1, last + 1):
            ws.cell(row=r, column=j).border = BORDER

"""The input template: an Excel workbook with a sheet per table of the schema.

Made from ``allocator/schema.csv`` (:mod:`allocator.schema`). One sheet per
input table with its header row (each header carries its RU
and EN description as a cell comment) and a sheet ``описание`` describing
every column. The reader (:mod:`allocator.io`) ignores sheets that are not
table names, so a filled-in template is a valid round as it is.
``allocator template FILE.xlsx`` writes it; the UI offers it for download.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .schema import OPTIONAL_TABLES, TABLES, columns

HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
HEADER_FONT = Font(bold=True)
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
DESCRIPTION_SHEET = "описание"


def template_workbook() -> bytes:
    """The template workbook as bytes (see the module docstring)."""
    wb = Workbook()
    wb.remove(wb.active)
    for table in TABLES:
        ws = wb.create_sheet(table)
        for j, col in enumerate(columns(table), start=1):
            cell = ws.cell(row=1, column=j, value=col.name)
            cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
            need = "обязательный / required" if col.required else "необязательный / optional"
            cell.comment = Comment(f"{col.description_ru}\n\n{col.description_en}\n\n{need}; {col.dtype}",
                                   "medstaff-planner", width=320, height=160)
            ws.column_dimensions[get_column_letter(j)].width = max(14, len(col.name) + 4)
        ws.freeze_panes = "A2"
    ws = wb.create_sheet(DESCRIPTION_SHEET)
    header = ["таблица / table", "столбец / column", "тип / type", "обязательный / required",
              "допустимые значения / allowed", "мин. / min", "макс. / max", "описание", "description",
              "единица / unit", "по умолчанию / default"]
    ws.append(header)
    for table in TABLES:
        for col in columns(table):
            ws.append([
                table + (" (необязательная / optional)" if table in OPTIONAL_TABLES and col is columns(table)[0]
                         else ""),
                col.name, col.dtype, "да / yes" if col.required else "нет / no",
                "; ".join(col.allowed), col.minimum, col.maximum, col.description_ru, col.description_en,
                col.unit, col.default,
            ])
    style_table(ws, 1, len(header), ws.max_row)
    for j, width in enumerate([22, 26, 26, 16, 24, 8, 8, 60, 60, 12, 14], start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row[7:9]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()



def style_table(ws, head_row: int, ncol: int, last: int) -> None:
    """Header row styled, table body bordered (rows head_row..last, columns 1..ncol)."""
    for j in range(1, ncol + 1):
        cell = ws.cell(row=head_row, column=j)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        for r in range(head_row + 1, last + 1):
            ws.cell(row=r, column=j).border = BORDER

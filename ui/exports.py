"""Files offered for download: the template workbook, the printable result
workbook, CSV tables and the command line's own result files as a ZIP.

All return ``bytes`` so the pages hand them straight to ``st.download_button``.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from allocator import write_solution
from allocator.template import style_table

from . import views
from .i18n import t

# -------------------------------------------------------------------- result workbook


def result_workbook(record, lang: str, today: datetime | None = None) -> bytes:
    """A workbook to print and sign: title, date, styled headers, fitted column
    widths, landscape pages fitted to width with repeated header rows, and
    signature lines under the summary and the assignment list."""
    round_, solution = record.round, record.solution
    when = (today or record.created or datetime.now(timezone.utc)).strftime("%d.%m.%Y %H:%M UTC")
    title = t("xlsx_title", lang, name=record.name)
    subtitle = [t("xlsx_date", lang, date=when),
                t("xlsx_round", lang, name=round_.name, hash=solution.input_hash[:12])]
    wb = Workbook()
    wb.remove(wb.active)

    summary = pd.DataFrame(views.headline(solution, lang), columns=["figure", "value"])
    _sheet(wb, t("sheet_summary", lang), views.localise(summary, lang), title, subtitle, lang, sign=True)

    assign = views.display_assignments(views.assignments_table(round_, solution, lang), lang)
    assign[t("col_sign", lang)] = ""
    _sheet(wb, t("sheet_assignments", lang), assign, title, subtitle, lang, sign=True)
    _sheet(wb, t("sheet_unplaced", lang), views.unplaced_table(round_, solution, lang), title, subtitle, lang)
    _sheet(wb, t("sheet_deficits", lang), views.deficits_table(round_, solution, lang), title, subtitle, lang)
    progs = views.localise(views.programmes_table(solution, lang), lang)
    _sheet(wb, t("sheet_programmes", lang), progs, title, subtitle, lang)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet(wb, name, frame: pd.DataFrame, title, subtitle, lang, sign=False):
    ws = wb.create_sheet(name[:31])
    ncol = max(1, frame.shape[1])
    ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    for i, line in enumerate(subtitle, start=2):
        ws.cell(row=i, column=1, value=line).font = Font(italic=True, size=9)
    head_row = len(subtitle) + 3
    for j, col in enumerate(frame.columns, start=1):
        ws.cell(row=head_row, column=j, value=str(col))
    for i, row in enumerate(frame.itertuples(index=False), start=head_row + 1):
        for j, value in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=_cell(value))
    last = head_row + len(frame)
    style_table(ws, head_row, ncol, last)
    for j, col in enumerate(frame.columns, start=1):
        values = [str(col)] + [str(_cell(v) or "") for v in frame.iloc[:, j - 1].tolist()]
        width = min(60, max(8, max(len(v) for v in values) + 2))
        ws.column_dimensions[get_column_letter(j)].width = width
        if frame.shape[0] and pd.api.types.is_float_dtype(frame.iloc[:, j - 1]):
            for r in range(head_row + 1, last + 1):
                ws.cell(row=r, column=j).number_format = "#,##0.0#"
    if sign:
        ws.cell(row=last + 3, column=1, value=t("xlsx_signature", lang))
        ws.cell(row=last + 5, column=1, value=t("xlsx_approved", lang))
    ws.freeze_panes = ws.cell(row=head_row + 1, column=1)
    ws.print_title_rows = f"{head_row}:{head_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "&P / &N"
    ws.oddHeader.left.text = title[:200]
    return ws


def _cell(value):
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        return value.item()
    return value


# ------------------------------------------------------------------------------ CSV


def tables_xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    """Tables as one .xlsx workbook, a sheet each (name cut to Excel's 31 characters): styled
    header, column widths fitted to the first 500 rows."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for sheet, table in sheets.items():
            table.to_excel(writer, sheet_name=sheet[:31], index=False)
            ws = writer.sheets[sheet[:31]]
            style_table(ws, 1, max(1, table.shape[1]), len(table) + 1)
            for j, col in enumerate(table.columns, start=1):
                width = max([len(str(col))] + [len(str(v)) for v in table[col].head(500)])
                ws.column_dimensions[get_column_letter(j)].width = min(60, width + 2)
    return buf.getvalue()


#: CSV dialects offered for download: "plain" (comma, decimal point) and "excel_ru", what Excel in a
#: Russian locale reads and writes (";" between cells, decimal comma). Both UTF-8 with a BOM.
CSV_DIALECTS = {"plain": {"sep": ",", "decimal": "."}, "excel_ru": {"sep": ";", "decimal": ","}}


def csv_bytes(frame: pd.DataFrame, dialect: str = "plain") -> bytes:
    """``frame`` as CSV in ``dialect`` (:data:`CSV_DIALECTS`), UTF-8 with a BOM so Excel opens
    Cyrillic correctly. In "excel_ru" every float column has a decimal comma; text stays as is."""
    return frame.to_csv(index=False, lineterminator="\n", **CSV_DIALECTS[dialect]).encode("utf-8-sig")


def file_slug(name: str) -> str:
    """A scenario name fit for a file name: letters (Cyrillic kept) and digits, «№» as "N", every
    other run of characters one "_" (Streamlit sends a non-ASCII name encoded, RFC 5987)."""
    text = name.replace("№", "N")
    slug = "".join(ch if ch.isalnum() else "_" for ch in text)
    return "_".join(part for part in slug.split("_") if part) or "scenario"


def solution_zip(solution, round_=None) -> bytes:
    """The files ``allocator solve`` writes (assignments.csv ... result.xlsx), zipped; with the
    round, the round's facts too (benefits, post sources, caveats)."""
    with tempfile.TemporaryDirectory(prefix="medstaff-out-") as tmp:
        written = write_solution(solution, Path(tmp), round_)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in written:
                zf.write(path, arcname=path.name)
    return buf.getvalue()

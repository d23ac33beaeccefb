"""Streamlit download buttons shared by the pages: a CSV in both dialects, files built on click.

Every button passes a callable as ``data``: Streamlit builds the file only when the
button is clicked (on its own thread), not on every rerun of the page, and
``on_click="ignore"`` keeps the page from rerunning on a download.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from . import exports
from .i18n import t

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def button(label: str, build: Callable[[], bytes], file_name: str, key: str, mime: str, where=st) -> None:
    """A download button whose file ``build()`` makes when it is clicked."""
    where.download_button(label, build, file_name=file_name, mime=mime, key=key, on_click="ignore")


def csv_buttons(label: str, table: Callable[[], pd.DataFrame], file_name: str, key: str, lang: str,
                where=st) -> None:
    """Two buttons for one table: the plain CSV (``key``, ``file_name``) and the Russian Excel
    dialect (``key + "_ru"``, ``…_excel_ru.csv``: ";" between cells, decimal comma)."""
    stem = file_name.removesuffix(".csv")
    button(label, lambda: exports.csv_bytes(table()), file_name, key, "text/csv", where)
    button(t("download_csv_excel_ru", lang, label=label), lambda: exports.csv_bytes(table(), "excel_ru"),
           f"{stem}_excel_ru.csv", f"{key}_ru", "text/csv", where)

"""Streamlit user interface over the allocator API (see docs/ui.md).

The app is ``ui_streamlit.py`` at the repository root; it only sets up the
page and navigation. Page scripts live in ``ui/pages/``; everything they share
lives here and is importable (and tested) without a running Streamlit server:

* :mod:`ui.i18n` -- every label, message and export header in Russian and English;
* :mod:`ui.state` -- loading a round (bundled, upload), the editable views and
  turning edits back into a validated :class:`allocator.Round`;
* :mod:`ui.exports` -- the template workbook, printable result workbook, CSVs;
* :mod:`ui.views` -- result tables, map layers and charts built from a solution.
"""

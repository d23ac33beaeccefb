"""In chromium: the language switch, an edit and re-run, uploads, the compare and stored-run pages."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import load_workbook
from playwright.sync_api import expect
from support.paths import PENZA

from allocator.schema import TABLES
from allocator.store import open_store
from allocator.store.query import list_runs
from allocator.template import template_workbook
from ui.i18n import t

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def penza_workbook(bad_vacancy: str | None = None) -> bytes:
    """The product's template workbook filled with data/penza's CSV files; ``bad_vacancy`` replaces
    the vacancy count of the vacancies sheet's row 3 (as the spreadsheet numbers it)."""
    wb = load_workbook(io.BytesIO(template_workbook()))
    for table in TABLES:
        path = PENZA / f"{table}.csv"
        if not path.exists():
            continue
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        ws = wb[table]
        names = [c.value for c in ws[1]]
        for row in frame.reindex(columns=names).fillna("").itertuples(index=False):
            ws.append(list(row))
    if bad_vacancy is not None:
        ws = wb["vacancies"]
        ws.cell(row=3, column=[c.value for c in ws[1]].index("vacancies") + 1, value=bad_vacancy)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_language_switch_turns_the_labels_english_and_back(app):
    page = app.page
    app.switch_language("en")
    expect(page.get_by_role("heading", name=t("app_title", "en"))).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    for key in ("page_inputs", "page_run", "page_compare", "page_stored", "page_network"):
        expect(nav.get_by_role("link", name=t(key, "en"))).to_be_visible()
    for key in ("tab_regions", "tab_vacancies", "tab_programmes", "tab_graduates"):
        expect(page.get_by_role("tab", name=t(key, "en"))).to_be_visible()
    expect(page.get_by_role("tab", name=t("tab_regions", "ru"))).to_have_count(0)
    app.shot("1_inputs_en")
    app.nav("page_run")
    app.run()
    expect(page.get_by_test_id("stMetricLabel").filter(has_text=t("m_obligated_placed", "en"))).to_have_count(1)
    expect(page.get_by_role("heading", name=t("downloads_header", "en"), exact=True)).to_be_visible()
    app.shot("2_results_en")
    app.switch_language("ru")
    expect(page.get_by_test_id("stMetricLabel").filter(has_text=t("m_obligated_placed", "ru"))).to_have_count(1)


def test_edited_quota_is_run_and_the_weight_basis_is_kept(app):
    """Edit a programme quota in the inputs page's grid, run: the quota reaches the solver and every
    region's weight basis still reads «группа КОМК …» (issue 16, major 1)."""
    page = app.page
    page.get_by_role("tab", name=t("tab_programmes", "ru")).click()
    grid = app.grid("col_quota")
    expect(grid).to_be_visible()
    headers = [h.strip() for h in grid.locator("th").all_inner_texts()]
    column = headers.index(t("col_quota", "ru"))
    row = app.grid_rows(grid)[0]
    programme, quota = row[t("col_name", "ru")], int(app.number(row[t("col_quota", "ru")]))
    new_quota = quota // 2
    app.edit_cell(grid, 0, column, str(new_quota))
    expect(grid.get_by_test_id(f"glide-cell-{column}-0")).to_have_text(str(new_quota))
    expect(page.get_by_text(t("edits_pending", "ru", tables=t("tab_programmes", "ru")))).to_be_visible()
    app.shot("1_edited")

    app.nav("page_run")
    app.run()
    places = page.get_by_test_id("stMetric").filter(has_text=t("m_programme_places", "ru", name=programme))
    expect(places).to_contain_text(t("m_of_quota", "ru", n=new_quota))
    assert app.number(places.get_by_test_id("stMetricValue").inner_text()) <= new_quota
    page.get_by_role("tab", name=t("deficits_header", "ru")).click()
    deficits = app.grid("col_weight_basis")
    expect(deficits).to_be_visible()
    bases = [r[t("col_weight_basis", "ru")] for r in app.grid_rows(deficits)]
    komk = t("basis_komk_group", "ru", group="")
    assert bases and all(b.startswith(komk) for b in bases), sorted(set(bases))
    app.shot("2_results_after_edit")


def test_upload_a_valid_and_a_broken_workbook(app):
    page = app.page
    # broken: a negative vacancy count on the vacancies sheet's row 3
    app.choose_file("broken_round.xlsx", penza_workbook(bad_vacancy="-3"), XLSX_MIME)
    app.button("upload_button").click()
    expect(page.get_by_test_id("stAlert").filter(has_text="broken_round.xlsx")).to_be_visible()
    problems = app.grid("col_message")
    expect(problems).to_be_visible()
    rows = app.grid_rows(problems)
    assert len(rows) == 1, rows
    problem = rows[0]
    assert "broken_round.xlsx" in problem[t("col_file", "ru")] and "vacancies" in problem[t("col_file", "ru")]
    assert (problem[t("col_row", "ru")], problem[t("col_column", "ru")]) == ("3", "vacancies")
    assert "-3" in problem[t("col_message", "ru")]
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(t("bundled_name", "ru"))).to_be_visible()  # the previous round stays
    app.shot("1_broken")

    # valid: the same workbook without the error
    app.choose_file("good_round.xlsx", penza_workbook(), XLSX_MIME)
    app.button("upload_button").click()
    expect(sidebar).to_contain_text("good_round")  # the success line shows once and a later rerun may drop it
    expect(sidebar.get_by_text(t("bundled_name", "ru"))).to_have_count(0)  # the sidebar names the new round
    expect(app.grid("col_message")).to_have_count(0)  # the old problems are gone
    app.shot("2_valid")


def test_two_runs_compared_and_listed_in_the_store(app, store_env):
    page = app.page
    app.nav("page_run")
    first = app.run()
    page.get_by_label(t("max_km_unlimited", "ru")).uncheck()
    km = page.get_by_label(t("max_km", "ru"))
    km.fill("40")
    km.press("Enter")
    expect(km).to_have_value("40.00")
    second = app.run()

    app.nav("page_compare")
    for key in ("compare_figures", "compare_regions", "compare_changed"):
        expect(page.get_by_role("heading", name=t(key, "ru"), exact=True)).to_be_visible()
    figures = page.get_by_test_id("stDataFrame").filter(has=page.locator("th", has_text=second)).first
    expect(figures).to_be_visible()
    headers = [h.strip() for h in figures.locator("th").all_inner_texts()]
    assert first in headers and second in headers, headers
    changed = app.grid("col_funding")  # the graduates whose post changed
    assert app.grid_row_count(changed) > 0
    app.shot("1_compare")

    app.nav("page_stored")
    stored = app.grid("st_when")
    expect(stored).to_be_visible()
    store = open_store(store_env["ALLOCATOR_DB"])
    try:
        runs = list_runs(store)
    finally:
        store.dispose()
    assert len(runs) >= 2 and app.grid_row_count(stored) == len(runs)
    expect(page.get_by_role("heading", name=t("st_compare_header", "ru"), exact=True)).to_be_visible()
    expect(page.get_by_text(t("compare_figures", "ru"), exact=True)).to_be_visible()
    app.shot("2_stored")

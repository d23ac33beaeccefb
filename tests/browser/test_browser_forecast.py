"""In chromium: the forecast page on the bundled Kyrgyz plan (data/kyrgyzstan-plan): the three plans'
figures as the library computes them, the Plotly deficit chart, the admissions table and the Excel
download; the what-if cap and exit rate moving the deficit the way they must; the language switch."""

from __future__ import annotations

import dataclasses
import io
import time

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from support.paths import ROOT

from allocator.forecast import PLANS, load_plan, make_plan
from allocator.scaling import money_text
from ui import forecast_view
from ui.i18n import t

PLAN = "kyrgyzstan-plan"  # one region, one specialty: HiGHS proves the optimum in well under a second
PLAN_DIR = ROOT / "data" / PLAN
SPECIALTY = "family_doctor"
WORD = forecast_view.specialty_name(SPECIALTY, "ru")  # as the Russian page names it: «семейный врач»
LOWER_CAP = 150  # the plan's own cap is 300 a year
OWN_EXIT = 0.1006  # the plan's own exit rate a year; the page's field steps by 0.0005
NBSP = "\u00a0"
WAIT_S = 60  # as conftest's TIMEOUT_MS


def settled_rows(app, header_key: str, check) -> list[dict[str, str]]:
    """The drawn rows of the table with a column headed ``header_key`` once ``check(rows)`` passes
    (it raises AssertionError until then): a grid redraws a moment after the page's metrics, so it
    is read again until it shows the new plans or ``WAIT_S`` has passed (then the last error is raised)."""
    grid = app.grid(header_key)
    expect(grid).to_be_visible()
    end = time.monotonic() + WAIT_S
    while True:
        rows = app.grid_rows(grid)
        try:
            check(rows)
            return rows
        except AssertionError:
            if time.monotonic() > end:
                raise
        app.page.wait_for_timeout(200)


def library(caps: dict | None = None, exits: dict | None = None) -> dict:
    """``make_plan`` of the bundled plan for each rule, the plan changed first as the page's what-if
    says (written here on the plan's tables, not with the page's own ``what_if``): ``caps`` sets a
    specialty's ``max_admissions``, ``exits`` its exit rate (the plan has one exit row a specialty)."""
    plan = load_plan(PLAN_DIR)
    training, leaving = plan.training.copy(), plan.exits.copy()
    for spec, cap in (caps or {}).items():
        training["max_admissions"] = training["max_admissions"].astype(float)
        training.loc[training["specialty"] == spec, "max_admissions"] = float(cap)
    for spec, rate in (exits or {}).items():
        assert (leaving["specialty"] == spec).sum() == 1, "one exit row per specialty in this plan"
        leaving["exit_rate"] = leaving["exit_rate"].astype(float)
        leaving.loc[leaving["specialty"] == spec, "exit_rate"] = float(rate)
    plan = dataclasses.replace(plan, training=training, exits=leaving)
    return {rule: make_plan(plan, rule) for rule in PLANS}


@pytest.fixture(scope="module")
def own_plans() -> dict:
    """The three plans of the bundled Kyrgyz plan as it is."""
    return library()


def metric_value(app, rule: str):
    """The value element of the metric «<plan>: взвешенный дефицит» of plan ``rule``."""
    label = app.t("forecast_metric_deficit", plan=forecast_view.plan_name(rule, app.lang))
    box = app.page.get_by_test_id("stMetric").filter(
        has=app.page.get_by_test_id("stMetricLabel").filter(has_text=label))
    expect(box).to_have_count(1)
    return box.get_by_test_id("stMetricValue")


def expect_headline(app, results: dict) -> None:
    """The three metrics show each plan's weighted deficit as the page writes figures (one decimal,
    digits grouped in the page's language), and the headline table has the three plans in order,
    their deficit, cost and admissions."""
    for rule, r in results.items():
        expect(metric_value(app, rule)).to_have_text(forecast_view.number(r.weighted_deficit, app.lang))

    def check(rows):
        assert [row.get(app.t("forecast_col_plan")) for row in rows] \
            == [forecast_view.plan_name(r, app.lang) for r in PLANS], rows
        for row, r in zip(rows, results.values()):
            # figures as the page writes them in its language: one decimal, digits grouped; money with
            # the plan's currency sign (forecast.toml's currency)
            deficit = forecast_view.number(r.weighted_deficit, app.lang)
            assert row[app.t("forecast_col_weighted_deficit")] == deficit, row
            assert row[app.t("forecast_col_cost")] == money_text(r.cost, app.lang, r.plan.options.currency), row
            assert row[app.t("forecast_col_admitted")] == forecast_view.number(r.admitted.sum(), app.lang, 0), row
            assert row[app.t("forecast_col_status")] == t(f"status_{r.status}", app.lang), row

    settled_rows(app, "forecast_col_weighted_deficit", check)


def _equal(got, want) -> None:
    assert got == want, (got, want)


def expect_admissions(app, result) -> dict[str, str]:
    """The admissions table of the optimal plan: one row per region and specialty, its total that
    plan's admissions; returns the (first) row."""
    total = int(result.admitted.sum())

    def check(rows):
        assert len(rows) == len(forecast_view.admissions_wide(result)), rows
        assert app.number(rows[0][app.t("forecast_col_total")]) == total, rows

    return settled_rows(app, "forecast_col_total", check)[0]


def open_forecast(app) -> None:
    """Follow the sidebar link to the forecast page and choose the bundled Kyrgyz plan in the list of
    the folders under data/ that hold a forecast.toml."""
    app.nav("forecast_page")
    page = app.page
    choice = page.get_by_role("combobox", name=app.t("forecast_source"), exact=True)
    expect(choice).to_be_visible()
    choice.click()
    options = page.get_by_role("option")
    expect(options).to_have_count(len(forecast_view.plan_folders()))
    assert options.all_inner_texts() == list(forecast_view.plan_folders())
    options.filter(has_text=PLAN).click()
    expect(choice).to_have_value(PLAN)
    expect(options).to_have_count(0)  # the list is closed
    expect(page.get_by_text(app.t("forecast_none_yet"))).to_be_visible()
    app.check()


def make_plans(app) -> None:
    """Press «Рассчитать три плана» and wait until the results of the present settings are shown."""
    app.button("forecast_run").click()
    expect(app.page.get_by_role("heading", name=app.t("forecast_headline_header"), exact=True)).to_be_visible()
    expect(app.page.get_by_text(app.t("forecast_stale"))).to_have_count(0)
    expect(app.page.get_by_text(app.t("forecast_none_yet"))).to_have_count(0)
    app.check()


def set_number(app, label: str, value: str | None = None) -> float:
    """Type ``value`` into the number field ``label`` and Enter (None: click its «+» once), wait for
    the page to show the change (the field's value changed, the results marked as made for other
    settings) and return the field's new value."""
    page = app.page
    field = page.get_by_label(label, exact=True)
    before = field.input_value()
    if value is None:
        page.get_by_test_id("stNumberInput").filter(has=field).get_by_test_id("stNumberInputStepUp").click()
    else:
        field.fill(value)
        field.press("Enter")
    expect(field).not_to_have_value(before)
    expect(page.get_by_text(app.t("forecast_stale"))).to_be_visible()
    return float(field.input_value())


def test_kyrgyz_plan_shows_the_library_figures_the_chart_and_the_admissions(app, own_plans):
    page = app.page
    open_forecast(app)
    expect(page.get_by_role("heading", name=t("forecast_page", "ru"), exact=True)).to_be_visible()
    app.shot("1_plan_chosen")
    make_plans(app)
    expect_headline(app, own_plans)
    # the sanity reference of the brief, in the Russian format: no-break space between thousands, decimal comma
    assert forecast_view.number(own_plans["none"].weighted_deficit, "ru") == f"38{NBSP}461,7"
    assert forecast_view.number(own_plans["optimal"].weighted_deficit, "ru") == f"32{NBSP}433,8"
    optimal = own_plans["optimal"]
    plan = optimal.plan
    expect(page.get_by_text(t("forecast_loaded", "ru", name=plan.name, regions=len(plan.regions),
                              specialties=len(plan.training), base=plan.options.base_year,
                              horizon=plan.options.horizon, last=plan.options.base_year + plan.options.horizon)))\
        .to_be_visible()
    settled_rows(app, "forecast_col_bound", lambda rows: _equal(
        [r.get(t("forecast_col_status", "ru")) for r in rows], [t("status_optimal", "ru")] * len(optimal.proof)))

    # the Plotly chart: one line per plan, one point a year, the plans' names, axis titles in Russian
    chart = page.locator(".js-plotly-plot").first
    expect(chart).to_be_visible()
    expect(chart.locator(".scatterlayer .trace")).to_have_count(len(PLANS))
    expect(chart.locator(".legendtext")).to_have_text([forecast_view.plan_name(r, "ru") for r in PLANS])
    traces = chart.evaluate("el => el.data.map(d => ({name: d.name, n: d.y.length}))")
    years = plan.options.horizon + 1
    assert traces == [{"name": forecast_view.plan_name(r, "ru"), "n": years} for r in PLANS]
    names = forecast_view.region_names(plan)
    region = plan.regions["region_id"].iloc[0]
    drawn = [chart.locator(f".{part}").first.text_content() for part in ("xtitle", "ytitle", "gtitle")]
    assert drawn == [t("forecast_col_year", "ru"), t("forecast_axis_deficit", "ru"),
                     t("forecast_chart_title", "ru", region=names[region], specialty=WORD)]

    # the admissions of the optimal plan: one row per region and specialty, its total the plan's admissions
    row = expect_admissions(app, optimal)
    assert app.grid_row_count(app.grid("forecast_col_total")) == len(forecast_view.admissions_wide(optimal))
    assert row[t("forecast_col_name", "ru")] == names[region] and row[t("forecast_col_specialty", "ru")] == WORD
    assert [app.number(row[str(y)]) for y in sorted(optimal.admissions()["year"].unique())] \
        == list(optimal.admissions().groupby("year")["admitted"].sum().sort_index())
    app.shot("2_three_plans")

    # the projection workbook: Russian sheet names, the summary's deficits those of the library
    with page.expect_download() as download:
        app.button("forecast_download_xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    wb = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)
    assert wb.sheetnames == [t(s, "ru") for s in forecast_view.SHEETS]
    summary = list(wb[t("forecast_sheet_summary", "ru")].iter_rows(values_only=True))
    column = next(i for i, c in enumerate(summary[0]) if c == t("forecast_col_weighted_deficit", "ru"))
    deficits = [row[column] for row in summary[1:] if row[column] is not None]
    assert deficits == pytest.approx([r.weighted_deficit for r in own_plans.values()], abs=1e-6)


def test_what_if_cap_and_exit_rate_move_the_deficit_as_they_must(app, own_plans):
    page = app.page
    open_forecast(app)
    make_plans(app)
    expect_headline(app, own_plans)
    own = forecast_view.knobs(load_plan(PLAN_DIR)).set_index("specialty")
    assert own.at[SPECIALTY, "max_admissions"] > LOWER_CAP and own.at[SPECIALTY, "exit_rate"] == OWN_EXIT
    expect(page.get_by_label(t("forecast_cap", "ru", specialty=WORD), exact=True)) \
        .to_have_value(str(int(own.at[SPECIALTY, "max_admissions"])))
    expect(page.get_by_label(t("forecast_exit_rate", "ru", specialty=WORD), exact=True)) \
        .to_have_value(f"{OWN_EXIT:.4f}")

    # a lower cap of the specialty: the optimal plan can only be worse (never a lower deficit)
    assert set_number(app, t("forecast_cap", "ru", specialty=WORD), str(LOWER_CAP)) == LOWER_CAP
    expect(page.get_by_text(t("forecast_changed", "ru", what=t("forecast_cap", "ru", specialty=WORD)),
                            exact=True)).to_be_visible()
    app.shot("1_cap_lowered_stale")
    make_plans(app)
    capped = library(caps={SPECIALTY: LOWER_CAP})
    expect_headline(app, capped)
    assert capped["optimal"].weighted_deficit >= own_plans["optimal"].weighted_deficit - 1e-9
    assert capped["optimal"].weighted_deficit > own_plans["optimal"].weighted_deficit  # the cap of 300 binds
    shown = app.number(metric_value(app, "optimal").inner_text())
    assert shown >= app.number(forecast_view.number(own_plans["optimal"].weighted_deficit, "ru"))
    row = expect_admissions(app, capped["optimal"])
    yearly = [app.number(v) for k, v in row.items() if k.isdigit()]
    assert yearly and max(yearly) <= LOWER_CAP, row
    app.shot("2_cap_lowered")

    # a higher exit rate as well (the field's «+»): the baseline (no new admissions) can only be worse
    higher = set_number(app, t("forecast_exit_rate", "ru", specialty=WORD))
    # one step of 0.0005 up, the rate's fourth decimal kept (a step of 0.005 made 0.1006 into 0.1060)
    assert higher == pytest.approx(OWN_EXIT + 0.0005, abs=1e-9), higher
    make_plans(app)
    both = library(caps={SPECIALTY: LOWER_CAP}, exits={SPECIALTY: higher})
    expect_headline(app, both)
    expect_admissions(app, both["optimal"])
    assert both["none"].weighted_deficit > capped["none"].weighted_deficit
    assert app.number(metric_value(app, "none").inner_text()) \
        >= app.number(forecast_view.number(capped["none"].weighted_deficit, "ru"))
    assert both["optimal"].weighted_deficit >= capped["optimal"].weighted_deficit - 1e-9
    app.shot("3_exit_rate_raised")


def test_language_switch_turns_the_forecast_page_english_with_english_numbers(app, own_plans):
    page = app.page
    # Russian is the app's default language
    open_forecast(app)
    expect(page.get_by_role("heading", name=t("forecast_page", "ru"), exact=True)).to_be_visible()
    make_plans(app)
    expect_headline(app, own_plans)
    ru = metric_value(app, "none").inner_text()
    assert ru == forecast_view.number(own_plans["none"].weighted_deficit, "ru")
    assert NBSP in ru and "," in ru and "." not in ru  # «38 461,7»

    app.switch_language("en")
    expect(page.get_by_role("heading", name=t("forecast_page", "en"), exact=True)).to_be_visible()
    for key in ("forecast_headline_header", "forecast_proof_header", "forecast_chart_header",
                "forecast_closes_header", "forecast_admissions_header"):
        expect(page.get_by_role("heading", name=t(key, "en"), exact=True)).to_be_visible()
        expect(page.get_by_role("heading", name=t(key, "ru"), exact=True)).to_have_count(0)
    expect_headline(app, own_plans)  # the results stay, now in English
    en = metric_value(app, "none").inner_text()
    assert en == forecast_view.number(own_plans["none"].weighted_deficit, "en")
    assert "," in en and "." in en and NBSP not in en  # «38,461.7»
    chart = page.locator(".js-plotly-plot").first
    expect(chart.locator(".scatterlayer .trace")).to_have_count(len(PLANS))
    expect(chart.locator(".legendtext")).to_have_text([forecast_view.plan_name(r, "en") for r in PLANS])
    expect(chart.locator(".xtitle")).to_have_text(t("forecast_col_year", "en"))
    expect(chart.locator(".ytitle")).to_have_text(t("forecast_axis_deficit", "en"))
    expect(app.button("forecast_download_xlsx")).to_be_visible()
    expect(app.button("forecast_run")).to_be_visible()
    app.shot("1_english")

    app.switch_language("ru")
    expect(page.get_by_role("heading", name=t("forecast_page", "ru"), exact=True)).to_be_visible()
    expect_headline(app, own_plans)

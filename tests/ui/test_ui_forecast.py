"""The forecast page (ui/pages/forecast.py, ui/forecast_view.py) on a small plan written here: the three
plans compare as they must (optimal never worse than a rule), what-if caps and exit rates move the
deficit the right way, uploads follow the app's rules, the xlsx opens, and the page itself runs in
both languages."""

import io
import json
import zipfile

import pandas as pd
import pytest

pytest.importorskip("streamlit")
from openpyxl import load_workbook  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402
from support.paths import ROOT  # noqa: E402

from allocator.archive import Limits  # noqa: E402
from allocator.messages import InputError  # noqa: E402
from allocator.xlsx import write_xlsx  # noqa: E402
from ui import forecast_view, state  # noqa: E402
from ui.i18n import t  # noqa: E402

APP = str(ROOT / "ui_streamlit.py")
PAGE = "ui/pages/forecast.py"

SMALL = {
    "regions.csv": "region_id,name,weight\na,Alpha,2\nb,Beta,\n",
    "workforce.csv": "region_id,specialty,year,persons\na,doc,2020,10\nb,doc,2020,20\na,nurse,2020,30\n",
    "need.csv": "region_id,specialty,year,need\na,doc,2020,15\nb,doc,2020,22\nb,doc,2030,30\na,nurse,2020,40\n",
    "training.csv": "specialty,years,max_admissions,completion_rate,cost\ndoc,3,4,0.9,1000000\nnurse,2,,0.8,300000\n",
    "exits.csv": "specialty,exit_rate\ndoc,0.05\nnurse,0.08\n",
    "forecast.toml": "base_year = 2020\nhorizon = 8\nbudget = 3000000\n",
}


def _write(folder, files=SMALL):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _zip(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    folder = _write(tmp_path_factory.mktemp("forecast") / "small")
    return forecast_view.load_source(forecast_view.Source("small", path=folder))


@pytest.fixture(scope="module")
def results(small):
    return forecast_view.run_all(small)


def test_the_optimal_plan_is_never_worse_than_either_rule(results):
    table = forecast_view.headline(results).set_index("plan")
    assert list(table.index) == ["none", "seed004", "optimal"]
    deficit = table["weighted_deficit"]
    assert deficit["optimal"] <= deficit["seed004"] + 1e-9 <= deficit["none"] + 2e-9
    assert deficit["optimal"] < deficit["none"]
    assert table.at["none", "cost"] == 0 and table.at["none", "admitted"] == 0
    assert set(table["status"]) == {"optimal"}
    proof = results["optimal"].proof
    assert set(proof) == {"deficit", "cost"}
    assert proof["deficit"]["bound"] <= proof["deficit"]["value"] + 1e-6
    assert abs(proof["deficit"]["value"] - deficit["optimal"]) < 1e-6
    shown = forecast_view.proof_table(results["optimal"], "ru")
    assert list(shown["Уровень"]) == ["взвешенный дефицит", "стоимость"]
    head = forecast_view.headline_table(results, "ru")
    assert list(head["План"]) == ["Без нового приёма", "Правило seed 004", "Оптимальный план"]
    assert head["Стоимость"].iloc[0] == "0"


def test_a_cap_of_zero_gives_the_baselines_deficit_and_caps_move_it_one_way(small, results):
    none = results["none"].weighted_deficit
    shut = forecast_view.run_all(forecast_view.what_if(small, caps={"doc": 0, "nurse": 0}))
    for rule, r in shut.items():
        assert abs(r.weighted_deficit - none) < 1e-9, rule
        assert int(r.admitted.sum()) == 0 and r.cost == 0
    # a tighter doctor cap never lowers the optimal deficit; lifting it never raises it
    figures = []
    for cap in (0, 1, 4, None):
        plan = forecast_view.what_if(small, caps={"doc": cap})
        assert plan.training.set_index("specialty")["max_admissions"].isna()["doc"] == (cap is None)
        figures.append(forecast_view.run_all(plan)["optimal"].weighted_deficit)
    assert all(b <= a + 1e-9 for a, b in zip(figures, figures[1:])), figures
    assert figures[2] == pytest.approx(results["optimal"].weighted_deficit)  # 4 is the plan's own cap
    # the copy is changed, the plan is not
    assert small.training.set_index("specialty").at["doc", "max_admissions"] == 4


def test_a_higher_exit_rate_raises_the_baselines_deficit(small, results):
    knobs = forecast_view.knobs(small).set_index("specialty")
    assert knobs.at["doc", "exit_rate"] == 0.05 and pd.isna(knobs.at["nurse", "max_admissions"])
    more = forecast_view.what_if(small, exit_rates={"doc": 0.10, "nurse": 0.16})
    assert list(more.exits["exit_rate"]) == pytest.approx([0.10, 0.16])
    assert forecast_view.run_all(more)["none"].weighted_deficit > results["none"].weighted_deficit
    assert forecast_view.changes(small, 9, {"doc": 0, "nurse": None}, {"doc": 0.05, "nurse": 0.1}, "en") == [
        "Horizon (years after the base year)", "doc: max admissions a year", "nurse: exit rate a year"]
    assert forecast_view.changes(small, 8, {"doc": 4, "nurse": None}, {"doc": 0.05, "nurse": 0.08}, "ru") == []


def test_tables_and_figure_follow_the_projection(small, results):
    opt = results["optimal"]
    wide = forecast_view.admissions_wide(opt)
    assert list(wide.columns[:2]) == ["region_id", "specialty"]
    assert int(wide.iloc[:, 2:].to_numpy().sum()) == int(opt.admitted.sum())
    csv = forecast_view.admissions_csv(opt).decode("utf-8-sig")
    assert csv.splitlines()[0] == ",".join(wide.columns)
    shown = forecast_view.admissions_table(opt, "ru", forecast_view.region_names(small))
    assert list(shown["Район"]) == ["Alpha", "Alpha", "Beta"] and "Всего" in shown.columns
    fig = forecast_view.deficit_figure(results, "a", "nurse", "en", forecast_view.region_names(small))
    spec = json.loads(fig.to_json())
    assert [tr["name"] for tr in spec["data"]] == ["No new admissions", "Seed 004's rule", "Optimal plan"]
    proj = opt.projection()
    nurse = proj[(proj["region_id"] == "a") & (proj["specialty"] == "nurse")]
    assert len(fig.data[2].x) == len(nurse) == 9
    assert list(fig.data[2].y) == pytest.approx(nurse["deficit"].round(3).tolist())
    closes = forecast_view.closes_table(results, "en")
    assert list(closes.columns) == ["Region code", "Region", "Specialty", "No new admissions", "Seed 004's rule",
                                    "Optimal plan"]


def test_the_xlsx_download_opens_and_holds_its_sheets(results):
    for lang in ("ru", "en"):
        book = load_workbook(io.BytesIO(forecast_view.projection_xlsx(results, lang)))
        assert book.sheetnames == [t(code, lang) for code in forecast_view.SHEETS]
    book = load_workbook(io.BytesIO(forecast_view.projection_xlsx(results, "en")))
    projection = book["Projection"]
    assert [c.value for c in projection[1]] == ["Plan", "Region code", "Specialty", "Year", "Stock", "Need",
                                               "Deficit", "Arrivals", "Exits"]
    assert projection.max_row == 1 + 3 * 3 * 9  # three plans x three cells x 2020..2028
    summary = book["Summary"]
    assert [summary.cell(r, 1).value for r in range(2, 5)] == ["No new admissions", "Seed 004's rule", "Optimal plan"]
    assert book["Admissions"].cell(1, 3).value == "2020"


def test_uploads_follow_the_apps_rules(tmp_path, small):
    plan = forecast_view.load_upload("small.zip", _zip({f"small/{k}": v for k, v in SMALL.items()}))
    assert plan.name == "small" and plan.options.horizon == 8
    assert forecast_view.load_upload("small.zip", _zip(SMALL), horizon=10).options.horizon == 10
    two = _zip({**{f"x/{k}": v for k, v in SMALL.items()}, **{f"y/{k}": v for k, v in SMALL.items()}})
    cases = [("two.zip", two, "forecast_zip_several_plans"), ("none.zip", _zip({"a.txt": "x"}),
             "forecast_zip_without_plan"), ("plan.txt", b"x", "forecast_upload_expected"),
             ("big.zip", b"x" * 20_000, "upload_too_large")]
    for name, data, code in cases:
        with pytest.raises(InputError) as exc:
            forecast_view.load_upload(name, data, limits=Limits(upload_mb=0.01))
        assert [p.code for p in exc.value.problems] == [code], name
        assert exc.value.problems[0].text("ru") != exc.value.problems[0].text("en")
    # a workbook: one sheet per table and a forecast sheet of key, value rows
    sheets = {name[:-4]: pd.read_csv(io.StringIO(text)) for name, text in SMALL.items() if name.endswith(".csv")}
    sheets["forecast"] = pd.DataFrame({"key": ["base_year", "horizon", "budget"], "value": [2020, 8, 3000000]})
    write_xlsx(tmp_path / "small.xlsx", sheets)
    book = forecast_view.load_upload("small.xlsx", (tmp_path / "small.xlsx").read_bytes())
    assert forecast_view.run_all(book)["optimal"].weighted_deficit == pytest.approx(
        forecast_view.run_all(small)["optimal"].weighted_deficit)


def test_a_bad_plan_lists_every_problem_in_either_language(tmp_path):
    bad = {**SMALL, "exits.csv": "specialty,exit_rate\ndoc,lots\n", "need.csv": SMALL["need.csv"] + "z,doc,2020,1\n"}
    folder = _write(tmp_path / "bad", bad)
    with pytest.raises(InputError) as exc:
        forecast_view.load_source(forecast_view.Source("bad", path=folder))
    problems = exc.value.problems
    assert len(problems) >= 1
    ru = state.problems_frame(problems, "ru")
    assert len(ru) == len(problems) and "Сообщение" in ru.columns
    assert list(ru["Сообщение"]) == [p.text("ru") for p in problems]


def test_plan_folders_are_those_with_a_forecast_toml(tmp_path):
    _write(tmp_path / "one")
    (tmp_path / "round").mkdir()
    (tmp_path / "round" / "regions.csv").write_text("region_id\n", encoding="utf-8")
    assert list(forecast_view.plan_folders(tmp_path)) == ["one"]
    assert forecast_view.plan_folders(tmp_path / "missing") == {}


def _app(source, lang="ru") -> AppTest:
    """The app on the forecast page with ``source`` as if uploaded and chosen (AppTest cannot upload)."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = lang
    at.run()
    at.session_state["forecast_upload"] = source
    at.session_state["forecast_source"] = "/upload"
    at.switch_page(PAGE).run()
    return at


def test_the_page_makes_the_three_plans_and_shows_them_in_both_languages(small, results):
    source = forecast_view.Source("small.zip", name="small.zip", data=_zip(SMALL))
    at = _app(source)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Прогноз и план приёма"
    choice = at.selectbox(key="forecast_source")
    assert choice.value == "/upload" and "загружен: small.zip" in choice.options
    assert any(i.value.startswith("Планы для этих настроек ещё не рассчитаны") for i in at.info)
    at.button(key="forecast_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    want = {f"{forecast_view.plan_name(r, 'ru')}: взвешенный дефицит": forecast_view.number(x.weighted_deficit, "ru")
            for r, x in results.items()}
    assert metrics == want
    frames = [d.value for d in at.dataframe]
    (proof,) = [f for f in frames if "Граница" in f.columns]  # the proof
    assert list(proof["Статус"]) == ["оптимально", "оптимально"]
    (closes,) = [f for f in frames if "Оптимальный план" in f.columns]
    assert closes["Оптимальный план"].notna().sum() == results["optimal"].closes()["closes"].notna().sum()
    (admissions,) = [f for f in frames if "Всего" in f.columns]
    assert admissions["Всего"].sum() == int(results["optimal"].admitted.sum())
    (chart,) = at.get("plotly_chart")
    names = [tr["name"] for tr in json.loads(chart.proto.spec)["data"]]
    assert names == ["Без нового приёма", "Правило seed 004", "Оптимальный план"]
    assert [b.key for b in at.get("download_button")] == ["forecast_csv", "forecast_csv_ru", "forecast_xlsx"]

    at.sidebar.radio(key="lang").set_value("en").run()  # the results stay, in English
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Forecast and admissions plan"
    labels = [m.label for m in at.metric]
    assert labels == ["No new admissions: weighted deficit", "Seed 004's rule: weighted deficit",
                      "Optimal plan: weighted deficit"]
    (head,) = [d.value for d in at.dataframe if "Weighted deficit" in d.value.columns]
    shown = [forecast_view.number(r.weighted_deficit, "en") for r in results.values()]
    assert head["Weighted deficit"].tolist() == shown

    (cap,) = [w for w in at.number_input if w.label == "doc: max admissions a year"]
    assert cap.value == 4
    cap.set_value(0).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(w.value.startswith("The settings changed") for w in at.warning)
    assert any(c.value == "Changed from the plan: doc: max admissions a year" for c in at.caption)
    at.button(key="forecast_run").click().run()
    assert not at.exception and not at.warning
    again = forecast_view.run_all(forecast_view.what_if(small, caps={"doc": 0}))
    assert [m.value for m in at.metric] == [forecast_view.number(r.weighted_deficit, "en") for r in again.values()]


def test_a_longer_horizon_keeps_a_yearly_budget_for_every_year(tmp_path, small):
    longer = forecast_view.load_source(forecast_view.Source("small", path=_write(tmp_path / "small")), horizon=10)
    assert longer.options.horizon == 10
    assert [longer.options.budget_of(y) for y in longer.options.years] == [3_000_000.0] * 11
    assert longer.with_options(horizon=12).options.budget_of(2032) == 3_000_000.0  # one figure: every year
    assert forecast_view.projection_xlsx(forecast_view.run_all(longer), "en")  # 2020..2030 written
    assert forecast_view.run_all(longer)["optimal"].projection()["year"].max() == 2030


def test_the_page_on_the_bundled_penza_plan_shows_a_time_limited_proof():
    if "penza-plan" not in forecast_view.plan_folders():
        pytest.skip("no data/penza-plan")
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["lang"] = "en"
    at.run()
    at.session_state["forecast_source"] = "penza-plan"
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    at.number_input(key="forecast_time_limit").set_value(2).run()
    at.button(key="forecast_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    (head,) = [d.value for d in at.dataframe if "Weighted deficit" in d.value.columns]
    none, seed, best = (float(v.replace(",", "")) for v in head["Weighted deficit"])  # shown as 1,234.5
    assert best <= seed <= none
    (proof,) = [d.value for d in at.dataframe if "Bound" in d.value.columns]
    bound, value = (proof[c].str.replace(",", "").astype(float) for c in ("Bound", "Value"))
    assert (bound <= value + 1e-4).all()  # shown to 4 decimals
    assert any(c.value.startswith("penza-plan: regions 29") for c in at.caption)
    region = at.selectbox(key="forecast_chart_region")
    region.select_index(len(region.options) - 1).run()
    assert not at.exception, [e.value for e in at.exception]
    (chart,) = at.get("plotly_chart")
    title = json.loads(chart.proto.spec)["layout"]["title"]["text"]
    assert title.startswith(f"Deficit: {region.options[-1]}, ")


def test_the_page_lists_the_problems_of_a_plan_that_does_not_load():
    bad = {**SMALL, "exits.csv": "specialty,exit_rate\ndoc,lots\n"}
    source = forecast_view.Source("bad.zip", name="bad.zip", data=_zip(bad))
    for lang, word in (("ru", "Сообщение"), ("en", "Message")):
        at = _app(source, lang)
        assert not at.exception, [e.value for e in at.exception]
        assert at.error and at.error[0].value.startswith(t("forecast_load_failed", lang, name="bad.zip", n=0)[:10])
        (problems,) = [d.value for d in at.dataframe]
        assert word in problems.columns and len(problems) >= 1


def test_the_page_shows_what_loading_the_plan_warned_of():
    # a staff row of another year than the base year is not used: said on the page, in its language
    odd = {**SMALL, "workforce.csv": SMALL["workforce.csv"] + "b,nurse,2019,5\n"}
    source = forecast_view.Source("odd.zip", name="odd.zip", data=_zip(odd))
    for lang, word in (("ru", "не используются"), ("en", "not used")):
        at = _app(source, lang)
        assert not at.exception, [e.value for e in at.exception]
        (warning,) = [w.value for w in at.warning]
        assert "workforce.csv" in warning and word in warning

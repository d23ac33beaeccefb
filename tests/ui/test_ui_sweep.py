"""The scenario-sweep page (ui/pages/sweep.py, ui/sweep_view.py) on the bundled Penza round: the page's
grid is the command line's grid file, refused the same way; the Pareto set against brute force; a
budget sweep keeps every budget and never raises the deficit as the budget grows; the page itself."""

import base64
import itertools
import json

import numpy as np
import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402
from support.paths import ROOT  # noqa: E402

from allocator.messages import InputError  # noqa: E402
from allocator.sweep.grid import expand, read_grid  # noqa: E402
from ui import state, sweep_view  # noqa: E402
from ui.i18n import t  # noqa: E402

APP = str(ROOT / "ui_streamlit.py")
DOCTOR, FELDSHER = "zemsky_doctor_2020", "zemsky_feldsher_2020"


@pytest.fixture(scope="module")
def penza():
    return state.load_folder(state.BUNDLED_DIR, "penza").round


def _pairs(specs):
    return [(s.name, s.values) for s in specs]


def test_the_pages_grid_is_the_grid_file_the_command_line_reads(tmp_path, penza):
    choices = sweep_view.Choices(
        solver="flow", max_km=sweep_view.parse_values("100, 200"),
        budgets={DOCTOR: sweep_view.budget_range(10_000_000, 61_000_000, 3)},
        quotas={FELDSHER: sweep_view.parse_values("20; 26"), DOCTOR: []},
        weight_groups={"I": sweep_view.parse_values("2, 3.5"), "II": []})
    mapping = sweep_view.grid_mapping(choices)
    assert sweep_view.scenario_count(mapping) == 2 * 3 * 2 * 2
    specs, problems = sweep_view.check_grid(mapping, penza)
    assert problems == [] and len(specs) == 24
    hand = tmp_path / "hand.toml"  # what a planner would write for `allocator sweep --grid`
    hand.write_text('[grid]\nsolver = ["flow"]\nmax_km = [100, 200]\n'
                    f"programme.{DOCTOR}.budget = [10000000, 35500000, 61000000]\n"
                    f"programme.{FELDSHER}.quota = [20, 26]\n"
                    "weight_group.I = [2, 3.5]\n", encoding="utf-8")
    assert _pairs(specs) == _pairs(expand(read_grid(hand), penza))
    written = tmp_path / "sweep.toml"  # the page's "download the grid file"
    written.write_text(sweep_view.grid_toml(mapping), encoding="utf-8")
    assert _pairs(expand(read_grid(written), penza)) == _pairs(specs)
    assert specs[0].values == {"solver": "flow", "max_km": 100, f"programme.{DOCTOR}.budget": 10_000_000,
                               f"programme.{FELDSHER}.quota": 20, "weight_group.I": 2}
    assert specs[-1].name == "s024" and specs[-1].values["weight_group.I"] == 3.5


def test_the_page_refuses_what_the_command_line_refuses_in_the_ui_language(tmp_path, penza):
    choices = sweep_view.Choices(max_km=sweep_view.parse_values("-1, abc"), quotas={DOCTOR: [1.5]},
                                 weight_groups={"I": [-2]})
    mapping = sweep_view.grid_mapping(choices)
    specs, problems = sweep_view.check_grid(mapping, penza)
    assert specs == []
    path = tmp_path / "bad.toml"
    path.write_text(sweep_view.grid_toml(mapping), encoding="utf-8")
    with pytest.raises(InputError) as cli:
        expand(read_grid(path), penza)
    shown = [(p.column, p.code) for p in problems]
    assert shown == [(p.column, p.code) for p in cli.value.problems]
    assert [c for c, _ in shown] == ["grid.max_km[1]", "grid.max_km[2]", f"grid.programme.{DOCTOR}.quota[1]",
                                     "grid.weight_group.I[1]"]
    assert problems[1].text("ru") == "должно быть числом от 0 до 40075, получено 'abc'"
    assert problems[2].text("en").startswith("must be a whole number")
    # the page's cap: more than 200 scenarios are refused with the count, in Russian or English
    big = sweep_view.grid_mapping(sweep_view.Choices(max_km=list(range(1, 202))))
    assert sweep_view.scenario_count(big) == 201
    specs, problems = sweep_view.check_grid(big, penza)
    assert specs == [] and problems[0].text("ru") == "сценариев: 201; в одном прогоне не больше 200"
    assert problems[0].text("en") == "201 scenarios; at most 200 in one sweep"


def _dominated_brute(points):
    pts = [tuple(p) for p in points]
    out = []
    for i, p in enumerate(pts):
        if any(np.isnan(p)):
            out.append(False)
            continue
        dominated = any(all(q[k] <= p[k] for k in range(len(p))) and any(q[k] < p[k] for k in range(len(p)))
                        for j, q in enumerate(pts) if j != i and not any(np.isnan(q)))
        out.append(not dominated)
    return out


def test_the_pareto_set_equals_brute_force():
    rng = np.random.default_rng(18)
    for trial in range(300):
        n = int(rng.integers(0, 25))
        points = rng.integers(0, 4 if trial % 2 else 50, size=(n, 3)).astype(float)  # small ranges: many ties
        if n and trial % 5 == 0:
            points[rng.integers(0, n)] = [np.nan, 1.0, 1.0]
        assert sweep_view.pareto_mask(points).tolist() == _dominated_brute(points), points
    # every permutation of a small set gives the same front
    base = np.array([[1, 5, 5], [5, 1, 5], [2, 2, 9], [3, 3, 3], [3, 3, 3], [4, 4, 4], [1, 5, 6]], dtype=float)
    expected = [True, True, True, True, True, False, False]
    for order in itertools.islice(itertools.permutations(range(len(base))), 200):
        assert sweep_view.pareto_mask(base[list(order)]).tolist() == [expected[i] for i in order]


def test_a_budget_sweep_keeps_every_budget_and_never_raises_the_deficit(penza):
    budgets = [0, 5_000_000, 12_000_000, 61_000_000]
    specs, problems = sweep_view.check_grid({"grid": {"solver": ["flow"], "programme": {DOCTOR: {"budget": budgets}}}},
                                            penza)
    assert problems == [] and len(specs) == 4
    seen = []
    pool = sweep_view.run(penza, specs, workers=2, on_done=lambda d, n, s: seen.append((d, n)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    here = sweep_view.run(penza, specs, workers=1)  # in this process: the same rows
    strip = [{k: v for k, v in r.items() if k != "wall_s"} for r in pool.rows]
    assert strip == [{k: v for k, v in r.items() if k != "wall_s"} for r in here.rows]
    frame = sweep_view.scenarios_frame(pool)
    assert list(frame["status"]) == ["optimal"] * 4
    spend = frame[f"spend.{DOCTOR}"].tolist()
    assert all(s <= b for s, b in zip(spend, budgets)) and spend[0] == 0 and spend[1] == 5_000_000
    deficit = frame["weighted_deficit"].tolist()
    assert all(b <= a + 1e-9 for a, b in zip(deficit, deficit[1:])) and deficit[-1] < deficit[0]
    assert deficit == [216.4, 210.4, 203.4, 189.4]
    # the heat map's per-region deficits add up to each scenario's weighted deficit
    assert pool.regions.shape == (29, 4)
    assert np.allclose(pool.regions.sum().to_numpy(), deficit)
    assert sweep_view.eta_seconds(0, 4, 1.0) is None and sweep_view.eta_seconds(1, 4, 2.0) == 6.0


def _figure(chart) -> dict:
    return json.loads(chart.proto.spec)


def _array(value) -> list:
    """A Plotly figure's array as a list (Plotly may ship numbers as base64 typed arrays)."""
    if isinstance(value, dict) and "bdata" in value:
        out = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        if "shape" in value:
            out = out.reshape([int(n) for n in str(value["shape"]).split(",")])
        return out.tolist()
    return value


def test_the_page_runs_a_six_scenario_sweep_and_shows_curve_heat_map_and_pareto_set():
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("ui/pages/sweep.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Сценарии"
    assert any(i.value.startswith("Сценарии для этих данных ещё не рассчитаны") for i in at.info)
    at.checkbox(key=f"sweep_budget_on_{DOCTOR}").check().run()
    at.number_input(key=f"sweep_budget_steps_{DOCTOR}").set_value(3).run()
    at.text_input(key="sweep_group_I").input("2, 3").run()
    at.number_input(key="sweep_workers").set_value(1).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [m.value for m in at.metric] == ["6"]
    assert any(c.value == "Бюджеты: 0, 30 500 000, 61 000 000" for c in at.caption)
    at.button(key="sweep_run").click().run()
    assert not at.exception, [e.value for e in at.exception]

    curve, heat = (_figure(c) for c in at.get("plotly_chart"))
    lines = {tr["name"]: (_array(tr["x"]), _array(tr["y"])) for tr in curve["data"]}
    assert lines == {"weight_group.I=2": ([0.0, 30_500_000.0, 61_000_000.0], [216.4, 189.4, 189.4]),
                     "weight_group.I=3": ([0.0, 30_500_000.0, 61_000_000.0], [252.4, 199.4, 199.4])}
    (grid,) = heat["data"]
    assert grid["type"] == "heatmap" and grid["x"] == [f"s00{i}" for i in range(1, 7)]
    assert len(grid["y"]) == 29 and "Пензенский район" in grid["y"]
    z = np.array(_array(grid["z"]), dtype=float)
    assert np.allclose(z.sum(axis=0), [216.4, 252.4, 189.4, 199.4, 189.4, 199.4])

    (pareto,) = [d.value for d in at.dataframe if t("sweep_col_pareto", "ru") in d.value.columns]
    front = set(pareto.loc[pareto["Парето"], "Сценарий"])
    assert front == {"s001", "s003", "s005"}  # group I weight 3 only counts the same deficit dearer
    assert any(c.value.startswith("Недоминируемых сценариев: 3 из 6") for c in at.caption)
    assert at.get("download_button")  # the grid file and the xlsx table

    at.sidebar.radio(key="lang").set_value("en").run()  # the results stay, in English
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Scenario sweep"
    (pareto,) = [d.value for d in at.dataframe if "Pareto" in d.value.columns]
    assert pareto["Weighted deficit"].tolist()[:3] == [189.4, 189.4, 216.4]


def test_the_xlsx_download_holds_every_scenario_and_region(penza):
    import io

    from openpyxl import load_workbook

    specs, _ = sweep_view.check_grid({"grid": {"solver": ["flow"], "max_km": [100, 300]}}, penza)
    result = sweep_view.run(penza, specs)
    frame = sweep_view.scenarios_frame(result)
    book = load_workbook(io.BytesIO(sweep_view.xlsx_bytes(frame, result.regions, "ru",
                                                          {"penzensky": "Пензенский район"})))
    assert book.sheetnames == ["Сценарии", "Дефицит по районам"]
    rows = list(book["Сценарии"].values)
    assert rows[0][:3] == ("Сценарий", "solver", "max_km") and [r[0] for r in rows[1:]] == ["s001", "s002"]
    regions = list(book["Дефицит по районам"].values)
    assert regions[0] == ("Район", "s001", "s002") and len(regions) == 30
    assert "Пензенский район" in [r[0] for r in regions]

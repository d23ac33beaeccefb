"""allocator forecast (issue 14): the projection by hand, known answers from the literature, the optimal plan
against brute force, properties on random plans, and the checks of bad input. Real HiGHS; nothing mocked."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import highspy
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.plans import write_plan

from allocator.backends import highs_mip_level
from allocator.forecast import load_plan, make_plan, project
from allocator.forecast.limits import broken_limits, limits
from allocator.forecast.links import deficits_for_round, obligations_ending, stock_after_round
from allocator.forecast.optimise import AdmissionsModel
from allocator.forecast.project import dynamics
from allocator.forecast.rules import apportion, weighted_deficit
from allocator.forecast.wisn import category_allowance_factor, wisn_required
from allocator.messages import InputError


def small(tmp_path: Path, **override) -> Path:
    tables = {
        "regions": ["region_id,name,weight", "a,Alpha,2", "b,Beta,"],
        "workforce": ["region_id,specialty,year,persons", "a,doc,2020,10", "b,doc,2020,20", "a,nurse,2020,30"],
        "need": ["region_id,specialty,year,need", "a,doc,2020,15", "b,doc,2020,22", "b,doc,2030,30",
                 "a,nurse,2020,40"],
        "training": ["specialty,years,max_admissions,completion_rate,cost", "doc,3,4,0.9,1000000",
                     "nurse,2,,0.8,300000"],
        "exits": ["specialty,exit_rate", "doc,0.05", "nurse,0.08"],
    }
    tables.update(override)
    return write_plan(tmp_path / "plan", tables, "base_year = 2020\nhorizon = 8\nbudget = 3000000\n")


# ----------------------------------------------------------------------------- the projection by hand


def test_the_projection_by_hand(tmp_path):
    folder = write_plan(tmp_path / "p", {
        "regions": ["region_id,name,weight", "r,R,1"],
        "workforce": ["region_id,specialty,year,persons", "r,doc,2020,100"],
        "need": ["region_id,specialty,year,need", "r,doc,2020,100", "r,doc,2024,120"],
        "pipeline": ["region_id,specialty,year,graduates", "r,doc,2022,5"],
        "training": ["specialty,years,completion_rate,cost", "doc,2,0.8,1"],
        "exits": ["specialty,exit_rate", "doc,0.1"],
    }, "base_year = 2020\nhorizon = 4\n")
    plan = load_plan(folder)
    base = project(plan)
    # 100 -> 90 -> 81 + 5 = 86 -> 77.4 -> 69.66; need 100, 105, 110, 115, 120 (linear between 2020 and 2024)
    assert base["stock"].tolist() == pytest.approx([100, 90, 86, 77.4, 69.66])
    assert base["need"].tolist() == pytest.approx([100, 105, 110, 115, 120])
    assert base["deficit"].tolist() == pytest.approx([0, 15, 24, 37.6, 50.34])
    assert base["arrivals"].tolist() == pytest.approx([0, 0, 5, 0, 0])
    assert base["exits"].tolist() == pytest.approx([0, 10, 9, 8.6, 7.74])
    ten = pd_admitted([("r", "doc", 2020, 10), ("r", "doc", 2021, 0), ("r", "doc", 2022, 0)])
    with_ten = project(plan, ten)
    # 10 admitted in 2020 arrive in 2022 (two years), 80 % of them: 86 + 8 = 94 -> 84.6 -> 76.14
    assert with_ten["stock"].tolist() == pytest.approx([100, 90, 94, 84.6, 76.14])


def pd_admitted(rows):
    import pandas as pd

    return pd.DataFrame(rows, columns=["region_id", "specialty", "year", "admitted"])


def test_age_bands_age_a_year_a_year_and_retire(tmp_path):
    folder = write_plan(tmp_path / "p", {
        "regions": ["region_id,name,weight", "r,R,1"],
        "workforce": ["region_id,specialty,year,persons,age_band", "r,doc,2020,10,58-59", "r,doc,2020,30,30-39"],
        "need": ["region_id,specialty,year,need", "r,doc,2020,40"],
        "training": ["specialty,years,completion_rate,cost,entry_age", "doc,1,1,1,59"],
        "exits": ["specialty,exit_rate,age_band,retirement_age", "doc,0,,60"],
    }, "base_year = 2020\nhorizon = 3\n")
    plan = load_plan(folder)
    table = project(plan)
    # 5 aged 58 and 5 aged 59: the 59s retire at 60 in 2021, the 58s in 2022; the 30-39s stay
    assert table["stock"].tolist() == pytest.approx([40, 35, 30, 30])
    dyn = dynamics(plan)
    # one arrival at 59 works its arrival year only
    assert dyn.response[0].tolist() == [1, 0, 0, 0]


def test_kyrgyzstan_2012_stock_inflow_outflow(tmp_path):
    # HRH literature: Kyrgyzstan's doctors in 2012: stock 12,701, inflow 1,365, outflow 1,278
    folder = write_plan(tmp_path / "kg", {
        "regions": ["region_id,name,weight", "kg,Kyrgyzstan,1"],
        "workforce": ["region_id,specialty,year,persons", "kg,doctor,2012,12701"],
        "need": ["region_id,specialty,year,need", "kg,doctor,2012,13000"],
        "pipeline": ["region_id,specialty,year,graduates", "kg,doctor,2013,1365"],
        "training": ["specialty,years,completion_rate,cost", "doctor,6,1,0"],
        "exits": ["specialty,exit_rate", f"doctor,{1278 / 12701!r}"],
    }, "base_year = 2012\nhorizon = 1\n")
    table = project(load_plan(folder))
    assert table["stock"].iloc[1] == pytest.approx(12_701 + 1_365 - 1_278)
    assert table["exits"].iloc[1] == pytest.approx(1_278)
    assert table["arrivals"].iloc[1] == pytest.approx(1_365)


def test_wisn_kenya_example():
    # WISN's Kenya example (HRH 2017 15:68, table 3): 3,125 days of workload / 179 available days
    assert round(wisn_required(3125, 179), 2) == 17.46
    assert wisn_required(3125, 179, category_allowance_factor(0.2), 1.5) == pytest.approx(3125 / 179 / 0.8 + 1.5)
    with pytest.raises(ValueError):
        wisn_required(3125, 0)


def test_dutch_gps_counted_in_fte(tmp_path):
    # The Dutch GP baseline (HRH 2012 10:21): 10,215 GPs were 7,290 FTE in 2009
    folder = write_plan(tmp_path / "nl", {
        "regions": ["region_id,name,weight", "nl,Netherlands,1"],
        "workforce": ["region_id,specialty,year,persons", "nl,gp,2009,10215"],
        "need": ["region_id,specialty,year,need", "nl,gp,2009,7500"],
        "training": ["specialty,years,completion_rate,cost,fte_per_person", f"gp,9,1,0,{7290 / 10215!r}"],
        "exits": ["specialty,exit_rate", "gp,0"],
    }, "base_year = 2009\nhorizon = 1\n")
    table = project(load_plan(folder))
    assert table["stock"].iloc[0] == 10_215  # persons
    assert table["deficit"].iloc[0] == pytest.approx(7_500 - 7_290)  # FTE


# ----------------------------------------------------------------------------- plans


def test_the_three_plans_on_a_small_plan(tmp_path):
    plan = load_plan(small(tmp_path))
    none, rule, best = (make_plan(plan, r) for r in ("none", "seed004", "optimal"))
    assert none.admitted.sum() == 0 and none.cost == 0
    assert best.weighted_deficit <= rule.weighted_deficit <= none.weighted_deficit
    assert best.weighted_deficit < rule.weighted_deficit  # the rule is not optimal here
    for result in (none, rule, best):
        assert result.broken == ()
        assert result.weighted_deficit == pytest.approx(weighted_deficit(result.dyn, result.admitted, 0.0))
    proof = best.proof["deficit"]
    assert proof["status"] == "optimal" and proof["value"] == pytest.approx(best.weighted_deficit)
    assert proof["bound"] <= proof["value"] + 1e-6
    assert best.proof["cost"]["value"] == best.cost


def _brute_force(plan):
    """The lexicographic optimum (weighted deficit, then cost) over every admissions plan within the caps."""
    dyn = dynamics(plan)
    lim = limits(plan, dyn)
    slots = [(c, t) for c in range(dyn.shape[0]) for t in range(dyn.shape[1]) if lim.open[c, t]]
    top = [int(min(lim.cell_cap[c, t], lim.spec_max[lim.cell_specialty[c], t])) for c, t in slots]
    best = None
    for values in itertools.product(*(range(m + 1) for m in top)):
        admitted = np.zeros(dyn.shape)
        for (c, t), v in zip(slots, values):
            admitted[c, t] = v
        if broken_limits(lim, admitted, dyn.years):
            continue
        key = (round(weighted_deficit(dyn, admitted, plan.options.discount), 9), float(lim.cost @ admitted.sum(1)))
        best = key if best is None or key < best else best
    return best


tiny = st.fixed_dictionaries({
    "persons": st.integers(0, 6), "need": st.integers(0, 9), "need_later": st.integers(0, 9),
    "exit": st.sampled_from([0.0, 0.1, 0.25]), "years": st.integers(1, 2), "completion": st.sampled_from([1.0, 0.5]),
    "max": st.integers(0, 3), "cost": st.integers(0, 3), "budget": st.one_of(st.none(), st.integers(0, 6)),
    "weight_b": st.sampled_from([1, 2]), "discount": st.sampled_from([0.0, 0.1]),
})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=tiny)
def test_the_optimal_plan_equals_brute_force_on_tiny_plans(tmp_path_factory, case):
    folder = write_plan(tmp_path_factory.mktemp("tiny"), {
        "regions": ["region_id,name,weight", "a,A,1", f"b,B,{case['weight_b']}"],
        "workforce": ["region_id,specialty,year,persons", f"a,doc,2020,{case['persons']}", "b,doc,2020,1"],
        "need": ["region_id,specialty,year,need", f"a,doc,2020,{case['need']}", f"a,doc,2023,{case['need_later']}",
                 "b,doc,2020,3"],
        "training": ["specialty,years,max_admissions,completion_rate,cost",
                     f"doc,{case['years']},{case['max']},{case['completion']},{case['cost']}"],
        "caps": ["region_id,specialty,max_admissions", "b,doc,1"],
        "exits": ["specialty,exit_rate", f"doc,{case['exit']}"],
    }, "base_year = 2020\nhorizon = 3\n" + ("" if case["budget"] is None else f"budget = {case['budget']}\n")
       + f"discount = {case['discount']}\n")
    plan = load_plan(folder)
    best = make_plan(plan, "optimal")
    deficit, cost = _brute_force(plan)
    assert best.broken == ()
    assert best.weighted_deficit == pytest.approx(deficit, abs=1e-6)
    assert best.cost == pytest.approx(cost)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra=st.integers(0, 6), budget=st.integers(0, 4), seed=st.integers(0, 10_000))
def test_more_capacity_never_raises_the_optimal_deficit_and_no_rule_beats_it(tmp_path_factory, extra, budget, seed):
    rng = np.random.default_rng(seed)
    regions = ["region_id,name,weight"] + [f"r{i},R{i},{rng.integers(1, 4)}" for i in range(3)]
    work = ["region_id,specialty,year,persons"] + [f"r{i},{s},2020,{rng.integers(0, 20)}" for i in range(3)
                                                   for s in ("doc", "nurse")]
    need = ["region_id,specialty,year,need"] + [f"r{i},{s},{y},{rng.integers(5, 30)}" for i in range(3)
                                                for s in ("doc", "nurse") for y in (2020, 2026)]
    results = []
    for cap in (2, 2 + extra):
        for money in (budget, budget + extra):
            folder = write_plan(tmp_path_factory.mktemp("cap"), {
                "regions": regions, "workforce": work, "need": need,
                "training": ["specialty,years,max_admissions,completion_rate,cost", f"doc,3,{cap},0.9,1",
                             f"nurse,2,{cap + 1},0.8,1"],
                "exits": ["specialty,exit_rate", "doc,0.05", "nurse,0.1"],
            }, f"base_year = 2020\nhorizon = 6\nbudget = {money}\n")
            plan = load_plan(folder)
            best = make_plan(plan, "optimal")
            for rule in ("none", "seed004"):
                assert best.weighted_deficit <= make_plan(plan, rule).weighted_deficit + 1e-6
            results.append(best.weighted_deficit)
    tight, more_money, more_cap, both = results
    assert more_money <= tight + 1e-6 and more_cap <= tight + 1e-6 and both <= min(more_money, more_cap) + 1e-6


def test_the_dive_finds_a_plan_within_the_limits_and_leaves_the_model_as_it_was(tmp_path):
    plan = load_plan(small(tmp_path, training=["specialty,years,max_admissions,completion_rate,cost",
                                               "doc,3,7,0.87,1000000", "nurse,2,5,0.83,300000"]))
    dyn = dynamics(plan)
    lim = limits(plan, dyn)
    model = AdmissionsModel(dyn, lim, 0.0)
    lp = model.h.getLp()
    before = (list(lp.col_lower_), list(lp.col_upper_), list(lp.integrality_))
    coef = model.objectives["deficit"]
    assert model.dive(coef, 0.0) is None  # no time left after the relaxation: nothing found, nothing kept fixed
    lp = model.h.getLp()
    assert (list(lp.col_lower_), list(lp.col_upper_), list(lp.integrality_)) == before
    x = model.dive(coef, 10.0)
    lp = model.h.getLp()
    assert (list(lp.col_lower_), list(lp.col_upper_), list(lp.integrality_)) == before
    assert x is not None
    admitted = model.admitted(x)
    assert np.abs(x[: model.n_a] - np.rint(x[: model.n_a])).max() < 1e-6
    assert broken_limits(lim, admitted, dyn.years) == []
    best = make_plan(plan, "optimal")
    assert best.proof["deficit"]["status"] == "optimal"
    assert weighted_deficit(dyn, admitted, 0.0) >= best.weighted_deficit - 1e-6


def test_highs_keeps_the_start_it_is_given():
    """A start given before the objective is set is dropped by HiGHS; highs_mip_level gives it after."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for name, value in (("presolve", "off"), ("mip_heuristic_effort", 0.0), ("mip_max_nodes", 0),
                        ("mip_heuristic_run_feasibility_jump", False), ("mip_heuristic_run_root_reduced_cost", False)):
        h.setOptionValue(name, value)
    weights = [5.1, 4.3, 3.7, 2.9, 2.2, 1.3]
    h.addVars(len(weights), np.zeros(len(weights)), np.ones(len(weights)))
    h.changeColsIntegrality(len(weights), np.arange(len(weights), dtype=np.int32),
                            np.full(len(weights), highspy.HighsVarType.kInteger))
    h.addRow(7.05, highspy.kHighsInf, len(weights), np.arange(len(weights), dtype=np.int32), np.array(weights))
    coef = np.array(weights) + np.array([0.3, 0.1, 0.2, 0.05, 0.15, 0.4])
    start = np.array([1.0, 0, 0, 0, 1.0, 0])  # 7.3 >= 7.05, cost 7.75
    status, x, _ = highs_mip_level(h, coef, None, np.arange(len(weights)), start)
    assert x is not None and coef @ x <= coef @ start + 1e-9


def test_apportion_keeps_the_total_and_the_requests():
    assert apportion(np.array([3.0, 3.0, 3.0]), 4).tolist() == [2, 1, 1]
    assert apportion(np.array([5.0, 1.0]), 3).tolist() == [3, 0]  # remainders tie: the first wins
    assert apportion(np.array([1.0, 2.0]), 10).tolist() == [1, 2]


# ----------------------------------------------------------------------------- input and the command line


def test_bad_input_names_file_row_and_column(tmp_path):
    folder = small(tmp_path, workforce=["region_id,specialty,year,persons", "a,doc,2020,-1", "zz,doc,2020,3",
                                        "a,surgeon,2020,2"],
                   training=["specialty,years,max_admissions,completion_rate,cost", "doc,3,4,1.5,1000000",
                             "nurse,two,,0.8,300000"])
    with pytest.raises(InputError) as caught:
        load_plan(folder)
    lines = caught.value.report("en")
    assert "workforce.csv, row 2, column 'persons': must be >= 0" in lines
    assert "training.csv, row 2, column 'completion_rate'" in lines
    assert "training.csv, row 3, column 'years'" in lines
    report_ru = caught.value.report("ru")
    assert "строка 2" in report_ru


def test_cross_table_checks(tmp_path):
    folder = small(tmp_path, workforce=["region_id,specialty,year,persons", "zz,doc,2020,3", "a,surgeon,2020,2"])
    with pytest.raises(InputError) as caught:
        load_plan(folder)
    report = caught.value.report("en")
    assert "workforce.csv, row 2, column 'region_id'" in report
    assert "workforce.csv, row 3, column 'specialty': specialty 'surgeon' has no row in training.csv" in report
    (folder / "forecast.toml").write_text("horizon = 0\nplan = 'best'\nspeed = 1\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_plan(folder)
    report = caught.value.report("en")
    assert "column 'base_year': required option is missing" in report
    assert "'best' is not none | seed004 | optimal" in report
    assert "column 'speed': unknown option" in report


def test_the_command_line_writes_everything_or_nothing(tmp_path, capsys):
    from allocator.cli import main

    folder = small(tmp_path)
    out = tmp_path / "out"
    assert main(["forecast", str(folder), "--out", str(out), "--lang", "ru", "--time-limit", "60"]) == 0
    printed = capsys.readouterr().out
    assert "план optimal: взвешенный дефицит" in printed and "доказанная граница" in printed
    assert sorted(p.name for p in out.iterdir()) == ["admissions.csv", "closes.csv", "next_round.csv", "plan.xlsx",
                                                     "projection.csv", "summary.json"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["plan"] == "optimal" and summary["status"] == "optimal"
    assert summary["levels"]["weighted_deficit"] < summary["baseline_weighted_deficit"]
    assert summary["proof"]["deficit"]["status"] == "optimal"
    import openpyxl

    book = openpyxl.load_workbook(out / "plan.xlsx", read_only=True)
    assert book.sheetnames == ["summary", "admissions", "projection", "closes"]
    before = (out / "summary.json").read_bytes()
    (folder / "training.csv").write_text("specialty,years\ndoc,x\n", encoding="utf-8")
    assert main(["forecast", str(folder), "--out", str(out)]) == 2
    assert "training.csv, row 2, column 'years'" in capsys.readouterr().err
    assert (out / "summary.json").read_bytes() == before  # nothing already written is lost
    (out / "mine.txt").write_text("x")
    assert main(["forecast", str(small(tmp_path / "again")), "--out", str(out)]) == 2


# ----------------------------------------------------------------------------- the forecast and the allocation


PENZA = Path(__file__).resolve().parents[3] / "data" / "penza"
PENZA_PLAN = Path(__file__).resolve().parents[3] / "data" / "penza-plan"
TO_PLAN = {"therapist": "doctor", "gp": "doctor", "paediatrician": "doctor", "oncologist": "doctor",
           "coloproctologist": "doctor", "obstetrician_gynaecologist": "doctor", "rehabilitation_physician": "doctor",
           "feldsher": "midlevel", "nurse": "midlevel", "midwife": "midlevel"}


def test_next_years_deficits_become_posts_and_weights(tmp_path):
    result = make_plan(load_plan(small(tmp_path)), "none")
    posts = deficits_for_round(result)
    table = result.projection()
    year1 = table[table["year"] == 2021].set_index(["region_id", "specialty"])["deficit"]
    for row in posts.itertuples():
        assert row.vacancies == math.ceil(year1[(row.region_id, row.specialty)])  # whole posts, rounded up
    assert posts.set_index("region_id")["weight"].to_dict() == {"a": 2.0, "b": 1.0}
    with pytest.raises(ValueError):
        deficits_for_round(result, 1999)


def test_a_solved_rounds_placements_join_the_next_forecast_and_obligations_end_on_time():
    from allocator import solve
    from allocator.validate import load_round

    round_ = load_round(PENZA, solver="flow")
    solution = solve(round_)
    plan = load_plan(PENZA_PLAN, time_limit=5)
    after = stock_after_round(plan, solution.assignments, TO_PLAN)
    before_total = plan.workforce.groupby("specialty")["persons"].sum()
    after_total = after.workforce.groupby("specialty")["persons"].sum()
    placed = solution.assignments["specialty"].map(TO_PLAN).value_counts()
    for spec in ("doctor", "midlevel"):
        assert after_total[spec] == pytest.approx(before_total[spec] + placed.get(spec, 0))
    assert project(after)["stock"].iloc[0] >= project(plan)["stock"].iloc[0]
    with pytest.raises(InputError, match="map them"):
        stock_after_round(plan, solution.assignments)
    ending = obligations_ending(solution.assignments, round_.graduates, {"grant": 3, "targeted": 5}, 2020, TO_PLAN)
    funding = solution.assignments["graduate_id"].map(round_.graduates.set_index("graduate_id")["funding"])
    assert ending["persons"].sum() == funding.isin(["grant", "targeted"]).sum()
    assert set(ending["year"]) <= {2023, 2025}


def test_the_command_line_takes_a_rounds_placements_and_writes_next_rounds_posts(tmp_path, capsys):
    import pandas as pd

    from allocator.cli import main

    folder = small(tmp_path)
    placed = tmp_path / "assignments.csv"
    placed.write_text("graduate_id,region_id,specialty\ng1,a,therapist\ng2,a,therapist\ng3,b,therapist\n")
    plain, fed = tmp_path / "plain", tmp_path / "fed"
    assert main(["forecast", str(folder), "--out", str(plain), "--plan", "none"]) == 0
    assert main(["forecast", str(folder), "--out", str(fed), "--plan", "none", "--placed", str(placed)]) == 2
    assert "specialties the plan does not train: therapist; map them" in capsys.readouterr().err
    assert main(["forecast", str(folder), "--out", str(fed), "--plan", "none", "--placed", str(placed),
                 "--map", "oops"]) == 2
    assert main(["forecast", str(folder), "--out", str(fed), "--plan", "none", "--placed", str(placed),
                 "--map", "therapist=doc"]) == 0
    a, b = (pd.read_csv(p / "projection.csv") for p in (plain, fed))
    pick = (a["year"] == 2020) & (a["specialty"] == "doc")
    assert (b.loc[pick, "stock"].to_numpy() - a.loc[pick, "stock"].to_numpy()).tolist() == [2.0, 1.0]
    posts = pd.read_csv(plain / "next_round.csv")
    assert list(posts.columns) == ["region_id", "specialty", "vacancies", "weight"] and (posts["vacancies"] > 0).all()


# ----------------------------------------------------------------------------- obligations ending


def test_obligations_ending_take_the_share_who_leave_from_the_stock_by_hand(tmp_path):
    tables = {
        "regions": ["region_id,name,weight", "r,R,1"],
        "workforce": ["region_id,specialty,year,persons", "r,doc,2020,100"],
        "need": ["region_id,specialty,year,need", "r,doc,2020,100"],
        "training": ["specialty,years,completion_rate,cost", "doc,2,0.8,1"],
        "exits": ["specialty,exit_rate", "doc,0.1"],
        "obligations": ["region_id,specialty,year,persons,leave_share", "r,doc,2022,10,0.5", "r,doc,2023,4,"],
    }
    plan = load_plan(write_plan(tmp_path / "p", tables, "base_year = 2020\nhorizon = 4\nleave_after_service = 0.25\n"))
    table = project(plan)
    # 100 -> 90 -> 81 - 5 = 76 -> 68.4 - 1 (a quarter of 4) = 67.4 -> 60.66
    assert table["stock"].tolist() == pytest.approx([100, 90, 76, 67.4, 60.66])
    assert table["left_after_service"].tolist() == pytest.approx([0, 0, 5, 1, 0])
    assert table["exits"].tolist() == pytest.approx([0, 10, 9 + 5, 7.6 + 1, 6.74])
    kept = project(plan.with_options(leave_after_service=0.0))
    assert kept["stock"].iloc[3] == pytest.approx(68.4)  # only the row with its own share leaves
    tables["obligations"] = ["region_id,specialty,year,persons", "r,doc,2020,3", "x,doc,2022,1"]
    with pytest.raises(InputError) as info:
        load_plan(write_plan(tmp_path / "bad", tables, "base_year = 2020\nhorizon = 4\n"))
    text = info.value.report("en")
    assert "obligations.csv, row 2, column 'year'" in text and "not after the base year 2020" in text
    assert "obligations.csv, row 3, column 'region_id'" in text


def test_the_command_line_projects_the_placed_graduates_leaving_when_their_service_ends(tmp_path):
    import pandas as pd

    from allocator.cli import main

    folder = small(tmp_path)
    placed = tmp_path / "assignments.csv"
    placed.write_text("graduate_id,region_id,specialty\ng1,a,therapist\ng2,a,therapist\ng3,b,therapist\n")
    graduates = tmp_path / "graduates.csv"
    graduates.write_text("graduate_id,funding\ng1,grant\ng2,paid\ng3,targeted\n")
    plain, fed = tmp_path / "plain", tmp_path / "fed"
    common = ["--plan", "none", "--placed", str(placed), "--map", "therapist=doc"]
    assert main(["forecast", str(folder), "--out", str(plain), *common]) == 0
    assert main(["forecast", str(folder), "--out", str(fed), *common, "--graduates", str(graduates),
                 "--service", "grant=3,targeted=5", "--leave-share", "1"]) == 0
    assert main(["forecast", str(folder), "--out", str(tmp_path / "x"), *common, "--service", "grant=3"]) == 2
    a, b = (pd.read_csv(p / "projection.csv").set_index(["region_id", "specialty", "year"]) for p in (plain, fed))
    diff = (a["stock"] - b["stock"]).round(9)
    # g1 (grant, region a) leaves in 2023, g3 (targeted, region b) in 2025; doc exits 5 % a year after that
    assert diff[("a", "doc", 2022)] == 0 and diff[("a", "doc", 2023)] == pytest.approx(1)
    assert diff[("a", "doc", 2024)] == pytest.approx(0.95)
    assert diff[("b", "doc", 2024)] == 0 and diff[("b", "doc", 2025)] == pytest.approx(1)
    assert b.loc[("a", "doc", 2023), "left_after_service"] == pytest.approx(1)

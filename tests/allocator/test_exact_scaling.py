"""Money exact in any unit, weights scaled from the data: on every engine, checked from the input text.

Each round here is written to a folder and solved through the command line;
the assignments it writes are checked by :class:`oracle.World` read from the
same CSV text, with payments and budgets as exact decimals (no tolerance).
"""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.oracle import World, chosen_from
from support.rounds import tiny_rounds, write_round

from allocator import round_from_frames, solve
from allocator.cli import main
from allocator.scaling import (
    WEIGHT_STEPS,
    budget_row,
    headcount_cap,
    weight_units,
    weight_warnings,
)

SOLVERS = ("flow", "cbc", "highs", "cpsat")


def _rural_round(n_graduates: int, payment, budget, quota=None, weights=(1.0, 1.0)) -> dict:
    """Two rural districts with room for everyone; every graduate is paid, so needs a programme place."""
    regions = pd.DataFrame({"region_id": ["a", "b"], "name": ["А", "Б"], "lat": [53.0, 53.2],
                            "lon": [44.0, 44.4], "population": [5000, 5000], "weight": list(weights)})
    facilities = pd.DataFrame({"facility_id": ["fa", "fb"], "name": ["ФАП А", "ФАП Б"], "region_id": ["a", "b"],
                               "lat": [53.0, 53.2], "lon": [44.0, 44.4], "rural": [True, True],
                               "settlement_population": [900, 1200]})
    vacancies = pd.DataFrame({"facility_id": ["fa", "fb"], "specialty": ["gp", "gp"],
                              "vacancies": [n_graduates, n_graduates]})
    graduates = pd.DataFrame({"graduate_id": [f"g{i:02d}" for i in range(n_graduates)],
                              "specialty": ["gp"] * n_graduates, "funding": ["paid"] * n_graduates,
                              "home_region_id": ["a"] * n_graduates})
    programmes = pd.DataFrame({"programme_id": ["zd"], "name": ["Земский доктор"], "payment": [payment],
                               "quota": [quota], "budget": [budget], "specialties": ["gp"],
                               "region_id": [None], "max_settlement_population": [50_000]})
    return {"regions": regions, "facilities": facilities, "vacancies": vacancies, "graduates": graduates,
            "programmes": programmes}


def _solve_folder(tmp_path, frames, solver, name="round"):
    folder = write_round(frames, tmp_path / name)
    out = tmp_path / f"out-{name}-{solver}"
    code = main(["solve", str(folder), "--out", str(out), "--solver", solver, "--no-store", "-q"])
    assert code == 0, solver
    assignments = pd.read_csv(out / "assignments.csv", dtype=str, keep_default_na=False)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    world = World.from_folder(folder)
    assert world.violations(chosen_from(assignments)) == [], solver
    return assignments, summary


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("payment, budget, funded, spend", [
    ("0.5", "1.5", 3, "1.5"),                # millions with decimals: was rounded to 0 and funded all 10
    ("500000.40", "1500000", 2, "1000000.8"),  # kopecks: was rounded to 500000 and overspent by 1.20
    ("0.1", "0.3", 3, "0.3"),                # 0.1 + 0.1 + 0.1 is 0.30000000000000004 in floats
    ("333333.33", "1000000", 3, "999999.99"),
    ("1000000", "999999.99", 0, "0"),        # a kopeck short of one payment funds nobody
])
def test_money_is_exact_in_any_unit(tmp_path, solver, payment, budget, funded, spend):
    frames = _rural_round(10, payment, budget)
    assignments, summary = _solve_folder(tmp_path, frames, solver)
    assert (assignments["programme_id"] == "zd").sum() == funded
    prog = summary["programmes"][0]
    assert prog["placed"] == funded
    assert Decimal(repr(prog["spend"])) == Decimal(spend)
    assert Decimal(repr(prog["spend"])) <= Decimal(budget)
    assert summary["status"] == "optimal"


def test_quota_and_budget_together_take_the_smaller(tmp_path):
    frames = _rural_round(10, "0.25", "1.0", quota=3)  # the budget pays 4, the quota allows 3
    _, summary = _solve_folder(tmp_path, frames, "flow")
    assert summary["programmes"][0]["placed"] == 3


def test_budget_row_is_exact_and_small():
    coef, bound = budget_row([0.5, 0.5, 0.5], 1.5)
    assert coef.tolist() == [1, 1, 1] and bound == 3
    coef, bound = budget_row([500000.40, 1000000.80], 1500000)  # common divisor 50000040 kopecks
    assert coef.tolist() == [1, 2] and bound == 2
    coef, bound = budget_row([0.3, 0.2], 0.7)
    assert coef.tolist() == [3, 2] and bound == 7
    assert headcount_cap(0.5, 1.5) == 3
    assert headcount_cap(500000.40, 1500000) == 2
    assert headcount_cap(0.0, 1.0, 4) == 4  # a zero payment is limited by its quota only
    assert headcount_cap(1.0, None, None) is None


def test_weights_scale_from_the_data_positive_never_zero():
    units = weight_units([2.0, 1.0, 1e-9, 0.0], 2.0)
    assert units.tolist() == [WEIGHT_STEPS, WEIGHT_STEPS // 2, 1, 0]
    for factor in (1e-5, 1e-12, 1e9, 1e18):
        w = np.array([2.0, 1.75, 1.5, 1.25, 1.0]) * factor
        assert weight_units(w, w.max()).tolist() == weight_units(w / factor, 2.0).tolist()
    assert weight_warnings([1.0, 2.0]) == []
    assert weight_warnings([1.0, 1.0 + 1e-9])[0]["kind"] == "merged"
    assert weight_warnings([1.0, 1e-8])[0]["kind"] == "lifted"


def _weighted_round(seed: int) -> dict:
    """A round where weights decide: more graduates than the best regions' posts."""
    rng = np.random.default_rng(seed)
    n_reg = 5
    regions = pd.DataFrame({"region_id": [f"r{i}" for i in range(n_reg)], "name": [f"Р{i}" for i in range(n_reg)],
                            "lat": 53.0 + 0.2 * np.arange(n_reg), "lon": 44.0 + 0.3 * np.arange(n_reg),
                            "population": [5000] * n_reg, "weight": [2.0, 1.75, 1.5, 1.25, 1.0]})
    facilities = pd.DataFrame({"facility_id": [f"f{i}" for i in range(n_reg)],
                               "name": [f"ФАП {i}" for i in range(n_reg)],
                               "region_id": regions["region_id"], "lat": regions["lat"] + 0.01,
                               "lon": regions["lon"] + 0.01, "rural": [True, False, True, False, True],
                               "settlement_population": [900] * n_reg})
    vacancies = pd.DataFrame({"facility_id": facilities["facility_id"], "specialty": ["gp"] * n_reg,
                              "vacancies": rng.integers(2, 6, n_reg)})
    n = 29
    funding = rng.choice(["grant", "paid"], n)
    graduates = pd.DataFrame({"graduate_id": [f"g{i:02d}" for i in range(n)], "specialty": ["gp"] * n,
                              "funding": funding, "home_region_id": rng.choice(regions["region_id"], n)})
    programmes = pd.DataFrame({"programme_id": ["zd"], "name": ["ЗД"], "payment": [1.0], "quota": [4],
                               "budget": [None], "specialties": [""], "region_id": [None],
                               "max_settlement_population": [None]})
    return {"regions": regions, "facilities": facilities, "vacancies": vacancies, "graduates": graduates,
            "programmes": programmes}


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("factor", [1e-5, 1e-12, 1e9, 1e18])
def test_same_priorities_in_any_unit_give_the_same_placements(solver, factor):
    base = _weighted_round(7)
    scaled = {k: v.copy() for k, v in base.items()}
    scaled["regions"]["weight"] = base["regions"]["weight"] * factor
    a = solve(round_from_frames(**base, solver=solver))
    b = solve(round_from_frames(**scaled, solver=solver))
    assert a.summary["status"] == b.summary["status"] == "optimal"
    assert b.assignments.equals(a.assignments)
    assert b.summary["objective"]["2_weighted_deficit"] == pytest.approx(
        a.summary["objective"]["2_weighted_deficit"] * factor, rel=1e-9)
    assert b.summary["warnings"] == []


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_tiny_positive_weight_still_pulls_a_graduate(solver):
    # paid graduates at city posts cost km and gain deficit: with b's weight rounded to 0 the
    # km level would leave the second graduate unplaced instead of sending them to b
    frames = _rural_round(2, "1", None, weights=(1.0, 1e-9))
    frames["facilities"]["rural"] = [False, False]
    frames["vacancies"]["vacancies"] = [1, 1]
    solution = solve(round_from_frames(**frames, solver=solver))
    assert sorted(solution.assignments["facility_id"]) == ["fa", "fb"]
    assert [w["code"] for w in solution.summary["warnings"]] == ["weights_lifted"]


def test_weights_that_merge_are_warned_about_in_summary_and_cli(tmp_path, capsys):
    frames = _rural_round(2, "1", None, weights=(1.0, 1.0 + 1e-9))
    folder = write_round(frames, tmp_path / "r")
    assert main(["solve", str(folder), "--out", str(tmp_path / "o"), "--no-store"]) == 0
    assert "warning: regions, weight: region weights 1, 1 differ" in capsys.readouterr().out
    summary = json.loads((tmp_path / "o" / "summary.json").read_text(encoding="utf-8"))
    assert [w["code"] for w in summary["warnings"]] == ["weights_merged"]


MONEY = st.sampled_from(["0.5", "0.25", "1.5", "0.1", "0.3", "500000.40", "333333.33", "1000000", "150000",
                         "0.07", "2.5"])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames=tiny_rounds(max_graduates=6, max_facilities=3), payment=MONEY, budget=MONEY,
       solver=st.sampled_from(SOLVERS))
def test_every_engine_keeps_every_rule_with_decimal_money(tmp_path_factory, frames, payment, budget, solver):
    # the independent check reads payments and budgets as exact decimals from the CSV text
    frames = {k: (v.copy() if v is not None else v) for k, v in frames.items()}
    frames["programmes"] = pd.DataFrame({
        "programme_id": ["zd"], "name": ["ЗД"], "payment": [payment], "quota": [None],
        "budget": [budget], "specialties": [""], "region_id": [None], "max_settlement_population": [None]})
    frames["graduates"]["funding"] = frames["graduates"]["funding"].replace({"targeted": "paid"})
    frames["graduates"]["sponsor_region_id"] = None
    tmp = tmp_path_factory.mktemp("money")
    assignments, summary = _solve_folder(tmp, frames, solver)
    funded = int((assignments["programme_id"] == "zd").sum())
    assert funded <= headcount_cap(payment, budget)
    assert Decimal(repr(summary["programmes"][0]["spend"])) == funded * Decimal(payment)


def test_money_with_more_digits_than_can_be_kept_is_refused(tmp_path, capsys):
    frames = _rural_round(2, "500000.4000000000001", "1500000")
    folder = write_round(frames, tmp_path / "r")
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "programmes.csv, row 2, column 'payment'" in err and "15 significant digits" in err


@pytest.mark.parametrize("solver", ["flow", "cbc"])
def test_russian_excel_money_with_kopecks_is_exact(tmp_path, solver):
    frames = _rural_round(5, "500 000,40", "1 500 000")  # as a Russian-locale sheet shows it
    folder = write_round(frames, tmp_path / "r", sep=";")
    out = tmp_path / "o"
    assert main(["solve", str(folder), "--out", str(out), "--solver", solver, "--no-store", "-q"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["programmes"][0]["placed"] == 2
    assert Decimal(repr(summary["programmes"][0]["spend"])) == Decimal("1000000.80")

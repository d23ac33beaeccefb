"""The allocation core against an independent brute force and across solvers."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from support.oracle import World, brute_force, chosen_from
from support.rounds import tiny_rounds

from allocator import round_from_frames, solve

SOLVERS = ("cbc", "highs", "cpsat", "flow")
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _solve(frames, solver="cbc", **options):
    return solve(round_from_frames(**frames, solver=solver, **options))


def _world(frames, max_km=None):
    return World(frames["regions"], frames["facilities"], frames["vacancies"], frames["graduates"],
                 frames["programmes"], max_km=max_km)


@pytest.mark.parametrize("solver", ["cbc", "flow"])
@FAST
@given(frames=tiny_rounds())
def test_matches_brute_force_and_every_rule_holds(solver, frames):
    solution = _solve(frames, solver=solver)
    world = _world(frames)
    chosen = chosen_from(solution.assignments)
    assert world.violations(chosen) == []
    placed, deficit, km = world.objective(chosen)
    best = brute_force(world)
    assert solution.summary["status"] == "optimal"
    assert placed == best[0]
    assert deficit == pytest.approx(best[1], abs=1e-6)
    assert km == pytest.approx(best[2], abs=0.05 * max(1, len(chosen)))
    assert solution.summary["objective"]["1_obligated_placed"] == placed
    assert solution.summary["objective"]["2_weighted_deficit"] == pytest.approx(deficit, abs=1e-6)


@pytest.mark.parametrize("solver", ["cbc", "flow"])
@FAST
@given(frames=tiny_rounds())
def test_diminishing_returns_matches_brute_force(solver, frames):
    solution = _solve(frames, solver=solver, diminishing_returns=True)
    world = _world(frames)
    chosen = chosen_from(solution.assignments)
    assert world.violations(chosen) == []
    placed, deficit, _ = world.objective(chosen, diminishing=True)
    best = brute_force(world, diminishing=True)
    assert placed == best[0]
    assert deficit == pytest.approx(best[1], abs=1e-3)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_rounds(max_graduates=7, max_facilities=4))
def test_all_solvers_reach_the_same_optimum(frames):
    values = {}
    for solver in SOLVERS:
        solution = _solve(frames, solver=solver, max_km=120.0)
        assert solution.summary["status"] == "optimal", solver
        assert _world(frames, max_km=120.0).violations(chosen_from(solution.assignments)) == []
        values[solver] = tuple(solution.summary["objective"].values())
    assert values["cbc"] == values["highs"] == values["cpsat"] == values["flow"]


def _two_districts():
    regions = pd.DataFrame({"region_id": ["a", "b"], "name": ["A", "B"], "lat": [53.0, 53.0],
                            "lon": [44.0, 45.0], "population": [1000, 1000]})
    facilities = pd.DataFrame({"facility_id": ["fa", "fb"], "name": ["A", "B"], "region_id": ["a", "b"],
                               "lat": [53.0, 53.0], "lon": [44.0, 45.0], "rural": [True, True]})
    vacancies = pd.DataFrame({"facility_id": ["fa", "fb"], "specialty": ["gp", "gp"], "vacancies": [2, 2]})
    graduates = pd.DataFrame({"graduate_id": ["g1", "g2"], "specialty": ["gp", "gp"],
                              "funding": ["grant", "grant"], "home_region_id": ["a", "a"]})
    return dict(regions=regions, facilities=facilities, vacancies=vacancies, graduates=graduates)


def test_diminishing_returns_spreads_graduates_over_districts():
    frames = _two_districts()
    plain = _solve(frames)
    # Equal weights: km decides, both go to the nearer district.
    assert sorted(plain.assignments["facility_id"]) == ["fa", "fa"]
    spread = _solve(frames, diminishing_returns=True)
    assert sorted(spread.assignments["facility_id"]) == ["fa", "fb"]
    # remaining 1 + 1 of 2 each: 2 * 1*2/(2*2) = 1.0; unspread would be 2*3/4 = 1.5
    assert spread.summary["objective"]["2_weighted_deficit"] == pytest.approx(1.0)


def test_region_weight_decides_where_the_deficit_falls():
    frames = _two_districts()
    frames["regions"]["weight"] = [1.0, 3.0]
    solution = _solve(frames)
    assert sorted(solution.assignments["facility_id"]) == ["fb", "fb"]
    assert solution.summary["objective"]["2_weighted_deficit"] == pytest.approx(2.0)
    assert solution.summary["weighted_deficit_before"] == pytest.approx(8.0)


def test_scenario_weights_override_regions_file():
    frames = _two_districts()
    frames["regions"]["weight"] = [1.0, 3.0]
    solution = _solve(frames, weights={"a": 5.0})
    assert sorted(solution.assignments["facility_id"]) == ["fa", "fa"]


def test_unplaced_reasons_come_from_the_data():
    frames = _two_districts()
    frames["vacancies"] = pd.DataFrame({"facility_id": ["fa", "fb"], "specialty": ["gp", "nurse"],
                                        "vacancies": [1, 1]})
    frames["graduates"] = pd.DataFrame({
        "graduate_id": ["first", "nospec", "sponsor", "far", "taken", "paid"],
        "specialty": ["gp", "surgeon", "nurse", "nurse", "gp", "nurse"],
        "funding": ["grant", "grant", "targeted", "grant", "grant", "paid"],
        "home_region_id": ["a"] * 6,
        "sponsor_region_id": [None, None, "a", None, None, None],
        "max_km": [None, None, None, 10, None, None],
    })
    solution = _solve(frames)
    reasons = dict(zip(solution.unplaced["graduate_id"], solution.unplaced["reason"]))
    assert solution.assignments["graduate_id"].tolist() == ["first"] or "taken" in reasons
    assert reasons["nospec"] == "no_vacancy_of_specialty"
    assert reasons["sponsor"] == "none_in_sponsor_region"
    assert reasons["far"] == "none_within_max_km"
    assert reasons["paid"] == "no_programme_place"
    assert reasons[({"first", "taken"} - set(solution.assignments["graduate_id"])).pop()] == "all_taken"
    assert solution.summary["status"] == "optimal"


def test_paid_graduate_takes_a_programme_place_within_quota_and_budget():
    frames = _two_districts()
    frames["graduates"]["funding"] = ["paid", "paid"]
    frames["programmes"] = pd.DataFrame({
        "programme_id": ["zd"], "name": ["Земский доктор"], "payment": [1_000_000], "quota": [5],
        "budget": [1_500_000], "specialties": ["gp"], "region_id": [""], "max_settlement_population": [""],
    })
    solution = _solve(frames)
    assert len(solution.assignments) == 1  # the budget pays for one
    assert solution.assignments["programme_id"].tolist() == ["zd"]
    assert solution.summary["programmes"][0]["spend"] == 1_000_000

"""Couples in the assign engines: one region or neither placed, against brute force and across engines."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from support.oracle import World, brute_force, chosen_from
from support.rounds import tiny_rounds_with_couples

from allocator import round_from_frames, solve
from allocator.check import broken_rules
from allocator.couples import bound_couples

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _world(frames, max_km=None):
    return World(frames["regions"], frames["facilities"], frames["vacancies"], frames["graduates"],
                 frames["programmes"], max_km=max_km)


@pytest.mark.parametrize("solver", ["highs", "flow"])
@FAST
@given(frames=tiny_rounds_with_couples())
def test_couples_match_brute_force(solver, frames):
    solution = solve(round_from_frames(**frames, solver=solver))
    world = _world(frames)
    assert world.couples  # the strategy always binds one couple
    chosen = chosen_from(solution.assignments)
    assert world.violations(chosen) == []
    best = brute_force(world)
    placed, deficit, km = world.objective(chosen)
    assert solution.summary["status"] == "optimal"
    assert (placed, pytest.approx(deficit, abs=1e-6)) == (best[0], best[1])
    assert km == pytest.approx(best[2], abs=0.05 * max(1, len(chosen)))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_rounds_with_couples(max_graduates=7, max_facilities=4))
def test_engines_agree_with_couples(frames):
    values = {}
    for solver in ("cbc", "highs", "cpsat", "flow"):
        solution = solve(round_from_frames(**frames, solver=solver, max_km=120.0))
        assert solution.summary["status"] == "optimal", solver
        assert _world(frames, max_km=120.0).violations(chosen_from(solution.assignments)) == []
        values[solver] = tuple(solution.summary["objective"].values())
    assert len(set(values.values())) == 1, values


def _apart_round():
    regions = pd.DataFrame({"region_id": ["r0", "r1"], "name": ["Запад", "Восток"], "lat": [53.0, 53.4],
                            "lon": [44.0, 44.3], "population": [1000, 1000], "weight": [1.0, 2.0]})
    facilities = pd.DataFrame({"facility_id": ["f0", "f1"], "name": ["ЦРБ", "ФАП"], "region_id": ["r0", "r1"],
                               "lat": [53.0, 53.4], "lon": [44.0, 44.3], "rural": [False, False],
                               "settlement_population": [20_000, 20_000]})
    vacancies = pd.DataFrame({"facility_id": ["f0", "f1", "f1"], "specialty": ["therapist", "feldsher", "therapist"],
                              "vacancies": [1, 1, 0]})
    graduates = pd.DataFrame({"graduate_id": ["g0", "g1", "g2"], "specialty": ["therapist", "feldsher", "feldsher"],
                              "funding": ["grant", "grant", "grant"], "home_region_id": ["r0", "r0", "r0"],
                              "sponsor_region_id": [None] * 3, "max_km": [None] * 3,
                              "partner_id": ["g1", "g0", None]})
    return dict(regions=regions, facilities=facilities, vacancies=vacancies, graduates=graduates)


def test_a_couple_with_no_common_region_stays_unplaced_and_says_why():
    # g0 can only go to r0, its partner g1 only to r1: alone each would be placed
    for solver in ("flow", "highs", "cbc", "cpsat"):
        solution = solve(round_from_frames(**_apart_round(), solver=solver))
        assert sorted(solution.assignments["graduate_id"]) == ["g2"], solver
        reasons = dict(zip(solution.unplaced["graduate_id"], solution.unplaced["reason"]))
        assert reasons == {"g0": "couple_no_common_region", "g1": "couple_no_common_region"}
    by_flow = solve(round_from_frames(**_apart_round(), solver="flow"))
    assert by_flow.solver == "highs"
    assert [w.code for w in by_flow.warnings] == ["couples_by_highs"]
    assert "HiGHS" in by_flow.warnings[0].ru


def test_without_the_couple_both_are_placed_and_the_flow_engine_solves():
    frames = _apart_round()
    frames["graduates"] = frames["graduates"].assign(partner_id=None)
    solution = solve(round_from_frames(**frames, solver="flow"))
    assert sorted(solution.assignments["graduate_id"]) == ["g0", "g1"]  # r1's weight 2 wins the feldsher post
    assert solution.solver == "flow" and not solution.warnings


def test_a_couple_with_an_exempt_member_is_not_bound():
    frames = _apart_round()
    frames["graduates"] = frames["graduates"].assign(status=["available", "exempt", "available"])
    r = round_from_frames(**frames, solver="highs")
    assert bound_couples(r.graduates).empty
    solution = solve(r)
    assert sorted(solution.assignments["graduate_id"]) == ["g0", "g2"]


def test_the_check_refuses_a_couple_split_over_two_regions():
    r = round_from_frames(**_apart_round(), solver="highs")
    split = pd.DataFrame({"graduate_id": ["g0", "g1"], "facility_id": ["f0", "f1"], "region_id": ["r0", "r1"],
                          "specialty": ["therapist", "feldsher"], "km": [0.0, 0.0], "programme_id": [None, None],
                          "payment": [0.0, 0.0]})
    assert "1 couple(s) placed in two regions" in broken_rules(r, split, couples=True)

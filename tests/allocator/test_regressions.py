"""Bugs found once, kept fixed: each test is named after the bug."""

from __future__ import annotations

import pandas as pd
import pytest
from support.paths import DATA
from support.rounds import generated_frames

from allocator import load_round, round_from_frames, solve


def _round(funding, with_home_coordinates=False, **options):
    regions = pd.DataFrame({"region_id": ["r0"], "name": ["Район"], "lat": [53.0], "lon": [44.0],
                            "population": [1000]})
    facilities = pd.DataFrame({"facility_id": ["f0"], "name": ["ЦРБ"], "region_id": ["r0"], "lat": [53.1],
                               "lon": [44.1], "rural": [False]})
    vacancies = pd.DataFrame({"facility_id": ["f0"], "specialty": ["gp"], "vacancies": [1]})
    graduates = pd.DataFrame({"graduate_id": ["g0"], "specialty": ["gp"], "funding": [funding],
                              "home_region_id": ["r0"]})
    if with_home_coordinates:
        graduates["lat"], graduates["lon"] = [53.0], [44.0]
    return round_from_frames(regions, facilities, vacancies, graduates, **options)


def test_round_without_obligated_graduates_does_not_crash_cbc():
    # CBC failed on the all-zero level-1 objective ("Error while executing ... cbc").
    solution = solve(_round("paid"))
    assert solution.summary["status"] == "optimal"
    assert solution.assignments["graduate_id"].tolist() == ["g0"]


def test_every_graduate_with_home_coordinates_validates():
    # Filling missing homes assigned an empty array into a float column and raised TypeError.
    round_ = _round("grant", with_home_coordinates=True)
    assert round_.graduates[["lat", "lon"]].to_numpy().tolist() == [[53.0, 44.0]]


def test_highs_after_another_highs_solve_in_the_same_process():
    # Passing threads=1 to HiGHS after any earlier HiGHS run (e.g. a network plan in the
    # UI's process) made every level end "not solved" and the round report time_limit.
    import pulp

    warm_up = pulp.LpProblem("warm_up", pulp.LpMaximize)
    x = pulp.LpVariable("x", cat="Binary")
    warm_up += x
    warm_up.solve(pulp.HiGHS(msg=False))
    solution = solve(_round("grant", solver="highs"))
    assert solution.summary["status"] == "optimal"


def test_flow_lp_after_another_highs_solve_in_the_same_process():
    # The flow engine's LP asked HiGHS for one thread; after any earlier HiGHS run in the
    # process (PuLP's highs solver, e.g. a test or the app) every LP ended "Not Set" and raised.
    import pulp

    warm_up = pulp.LpProblem("warm_up", pulp.LpMaximize)
    x = pulp.LpVariable("x", cat="Binary")
    warm_up += x
    warm_up.solve(pulp.HiGHS(msg=False))
    frames = generated_frames(400, 60, 6, 3)
    frames["programmes"].loc[:, "quota"] = 2  # the quotas bind: level 2 needs the LP
    solution = solve(round_from_frames(**frames, solver="flow", max_km=100.0))
    assert solution.status == "optimal"
    assert solution.level("deficit").method == "lp"


@pytest.mark.parametrize("solver", ["flow", "cbc", "highs", "cpsat"])
def test_flow_level_held_by_a_relative_tolerance(solver):
    # tests/data/flow_level_held_by_a_relative_tolerance/README.md: a one-step reduced cost was
    # taken for zero, so the km level undid the deficit level's placement
    round_ = load_round(DATA / "flow_level_held_by_a_relative_tolerance", solver=solver)
    solution = solve(round_)
    assert sorted(solution.assignments["facility_id"]) == ["fa", "fb"]

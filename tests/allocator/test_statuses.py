"""Exempt and deferred graduates are never placed, by any engine, and the checker refuses a solution
that places one; couples are checked only when an engine says it enforced them."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.rounds import tiny_rounds

from allocator import round_from_frames, solve
from allocator.check import broken_rules

SOLVERS = ("cbc", "highs", "cpsat", "flow")
FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def rounds_with_statuses(draw):
    frames = draw(tiny_rounds(max_graduates=6))
    n = len(frames["graduates"])
    status = draw(st.lists(st.sampled_from(["available", "available", "exempt", "deferred"]), min_size=n,
                           max_size=n))
    reasons = [draw(st.sampled_from([None, "ординатура", "ребёнок до 3 лет"])) if s != "available" else None
               for s in status]
    frames["graduates"] = frames["graduates"].assign(status=status, status_reason=reasons)
    return frames


def _without_unavailable(frames: dict) -> dict:
    out = dict(frames)
    g = frames["graduates"]
    out["graduates"] = g[g["status"] == "available"].drop(columns=["status", "status_reason"]).reset_index(drop=True)
    return out


@pytest.mark.parametrize("solver", SOLVERS)
@FAST
@given(frames=rounds_with_statuses())
def test_every_engine_leaves_exempt_and_deferred_unplaced_as_if_they_were_not_there(solver, frames):
    graduates = frames["graduates"]
    away = graduates.loc[graduates["status"] != "available"]
    solution = solve(round_from_frames(**frames, solver=solver))
    assert not solution.assignments["graduate_id"].isin(away["graduate_id"]).any()
    unplaced = solution.unplaced.set_index("graduate_id")
    for g in away.itertuples(index=False):
        assert unplaced.at[g.graduate_id, "reason"] == g.status
        if isinstance(g.status_reason, str):
            assert unplaced.at[g.graduate_id, "detail"].endswith(": " + g.status_reason)
    rest = _without_unavailable(frames)
    if rest["graduates"].empty:
        assert solution.assignments.empty
        return
    alone = solve(round_from_frames(**rest, solver=solver))
    pd.testing.assert_frame_equal(solution.assignments, alone.assignments, check_dtype=False)
    assert solution.summary["objective"] == alone.summary["objective"]
    assert solution.obligated_total == alone.obligated_total
    others = solution.unplaced[~solution.unplaced["graduate_id"].isin(away["graduate_id"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(others, alone.unplaced, check_dtype=False)


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_tie_is_broken_as_in_the_round_without_them(solver):
    """Two obligated feldshers for one post, exempt graduates between them in id order: the engines
    must see the round without the exempt ones (they are in no group), so the tie goes the same way."""
    regions = pd.DataFrame({"region_id": ["r0"], "name": ["Район 0"], "lat": [53.0], "lon": [44.0],
                            "population": [10000]})
    facilities = pd.DataFrame({"facility_id": ["f0", "f2"], "name": ["ФАП 0", "ФАП 2"], "region_id": ["r0", "r0"],
                               "lat": [53.0, 53.0], "lon": [44.0, 44.135947], "rural": [False, False]})
    vacancies = pd.DataFrame({"facility_id": ["f2", "f2"], "specialty": ["therapist", "feldsher"],
                              "vacancies": [2, 1]})
    graduates = pd.DataFrame({"graduate_id": [f"g{i}" for i in range(6)],
                              "specialty": ["therapist"] * 3 + ["feldsher", "therapist", "feldsher"],
                              "funding": ["grant"] * 5 + ["targeted"], "home_region_id": ["r0"] * 6,
                              "sponsor_region_id": [None] * 5 + ["r0"],
                              "status": ["available", "exempt", "exempt", "available", "exempt", "available"],
                              "status_reason": [None] * 6})
    frames = {"regions": regions, "facilities": facilities, "vacancies": vacancies, "graduates": graduates}
    full = solve(round_from_frames(**frames, solver=solver))
    alone = solve(round_from_frames(**_without_unavailable(frames), solver=solver))
    pd.testing.assert_frame_equal(full.assignments, alone.assignments, check_dtype=False)


def _tiny() -> dict:
    regions = pd.DataFrame({"region_id": ["a", "b"], "name": ["A", "B"], "lat": [53.0, 53.5], "lon": [44.0, 44.5],
                            "population": [1000, 1000]})
    facilities = pd.DataFrame({"facility_id": ["fa", "fb"], "name": ["ФАП", "ЦРБ"], "region_id": ["a", "b"],
                               "lat": [53.0, 53.5], "lon": [44.0, 44.5], "rural": [False, False]})
    vacancies = pd.DataFrame({"facility_id": ["fa", "fb"], "specialty": ["therapist", "therapist"],
                              "vacancies": [2, 2]})
    graduates = pd.DataFrame({"graduate_id": ["g1", "g2", "g3"], "specialty": ["therapist"] * 3,
                              "funding": ["grant"] * 3, "home_region_id": ["a", "a", "b"],
                              "status": ["available", "exempt", "available"],
                              "partner_id": ["g3", None, "g1"]})
    return {"regions": regions, "facilities": facilities, "vacancies": vacancies, "graduates": graduates}


def _assign(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["graduate_id", "facility_id", "region_id", "specialty", "km", "programme_id",
                                       "payment"])


def test_the_checker_refuses_an_exempt_graduate_placed():
    round_ = round_from_frames(**_tiny())
    ok = _assign([("g1", "fa", "a", "therapist", 0.0, None, 0.0), ("g3", "fa", "a", "therapist", 60.0, None, 0.0)])
    assert broken_rules(round_, ok) == [] and broken_rules(round_, ok, couples=True) == []
    bad = _assign([("g2", "fa", "a", "therapist", 0.0, None, 0.0)])
    assert broken_rules(round_, bad) == ["assignment rows 1: an exempt or deferred graduate placed"]


def test_couples_are_checked_only_when_enforced():
    round_ = round_from_frames(**_tiny())
    apart = _assign([("g1", "fa", "a", "therapist", 0.0, None, 0.0), ("g3", "fb", "b", "therapist", 0.0, None, 0.0)])
    alone = _assign([("g1", "fa", "a", "therapist", 0.0, None, 0.0)])
    assert broken_rules(round_, apart) == [] and broken_rules(round_, alone) == []
    assert broken_rules(round_, apart, couples=True) == ["1 couple(s) placed in two regions"]
    assert broken_rules(round_, alone, couples=True) == ["1 couple(s) with only one member placed"]
    assert broken_rules(round_, alone.iloc[:0], couples=True) == []  # neither placed


def test_a_couple_with_an_exempt_member_is_not_bound():
    frames = _tiny()
    frames["graduates"]["partner_id"] = [None, "g3", "g2"]
    round_ = round_from_frames(**frames)
    alone = _assign([("g3", "fb", "b", "therapist", 0.0, None, 0.0)])
    assert broken_rules(round_, alone, couples=True) == []


def test_unplaced_reason_texts_in_both_languages():
    from allocator.diagnose import reason_text

    assert reason_text("exempt", "en").startswith("exempt") and reason_text("deferred", "ru").startswith("отсрочка")

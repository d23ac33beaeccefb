"""Support programmes as the laws write them (issue 15), proven on every engine.

Remote tiers (``payment_remote``), instalments with yearly budgets, the funding types a programme
pays (obligated graduates take its places too), closed towns, age limits, the grant holders'
ownership rule and the rural quota: each engine's optimum equals a brute force over every
assignment of tiny rounds (the oracle of tests/support/oracle.py applies the rules on its own,
from the tables), every engine reaches the same optimum on random tiered rounds, and a few
rounds whose answer is known by hand pin each rule.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.oracle import World, brute_force, chosen_from

from allocator import round_from_frames, solve
from allocator.check import broken_rules

SOLVERS = ("flow", "highs", "cbc", "cpsat")
YEAR = 2024


@st.composite
def rule_rounds(draw, max_graduates: int = 4, max_facilities: int = 3):
    """Tiny rounds that use every programme rule of issue 15 (synthetic)."""
    regions = pd.DataFrame({"region_id": ["r0", "r1"], "name": ["Район 0", "Район 1"], "lat": [53.0, 53.4],
                            "lon": [44.0, 44.3], "population": [10_000, 10_000],
                            "weight": [draw(st.sampled_from([1.0, 2.0])), draw(st.sampled_from([1.0, 1.5]))]})
    n_fac = draw(st.integers(1, max_facilities))
    facilities = pd.DataFrame({
        "facility_id": [f"f{i}" for i in range(n_fac)],
        "name": [f"ФАП {i}" for i in range(n_fac)],
        "region_id": [draw(st.sampled_from(["r0", "r1"])) for _ in range(n_fac)],
        "lat": [53.0 + draw(st.floats(0, 0.5)) for _ in range(n_fac)],
        "lon": [44.0 + draw(st.floats(0, 0.5)) for _ in range(n_fac)],
        "rural": [draw(st.booleans()) for _ in range(n_fac)],
        "remote": [draw(st.booleans()) for _ in range(n_fac)],
        "closed_town": [draw(st.sampled_from([False, False, True])) for _ in range(n_fac)],
        "ownership": [draw(st.sampled_from(["state", "state", "private"])) for _ in range(n_fac)],
        "settlement_population": [draw(st.sampled_from([800, 20_000, 60_000])) for _ in range(n_fac)],
    })
    vac = [(f, s, n) for f in facilities["facility_id"] for s in ("therapist", "feldsher")
           if (n := draw(st.integers(0, 2)))]
    vacancies = pd.DataFrame(vac or [("f0", "therapist", 1)], columns=["facility_id", "specialty", "vacancies"])
    rows = []
    for i in range(draw(st.integers(1, max_graduates))):
        funding = draw(st.sampled_from(["grant", "targeted", "paid", "paid"]))
        rows.append({"graduate_id": f"g{i}", "specialty": draw(st.sampled_from(["therapist", "feldsher"])),
                     "funding": funding, "home_region_id": draw(st.sampled_from(["r0", "r1"])),
                     "sponsor_region_id": draw(st.sampled_from(["r0", "r1"])) if funding == "targeted" else None,
                     "rural_quota": funding == "grant" and draw(st.booleans()),
                     "birth_year": draw(st.sampled_from([None, 1994, 1984]))})
    graduates = pd.DataFrame(rows)
    programmes = pd.DataFrame([
        {"programme_id": "zd", "name": "Земский доктор", "payment": 1_000_000.0,
         "payment_remote": draw(st.sampled_from([None, 1_500_000.0])),
         "quota": draw(st.sampled_from([None, 1, 2])),
         "budget": draw(st.sampled_from([None, 2_000_000.0, 2_500_000.0])), "specialties": "therapist",
         "funding": draw(st.sampled_from(["paid", "grant;paid", "grant;paid;targeted"])),
         "closed_towns": draw(st.booleans()), "max_age": draw(st.sampled_from([None, 35])),
         "max_settlement_population": 50_000, "region_id": None,
         "ownership": draw(st.sampled_from([None, None, "state"]))},
        {"programme_id": "zf", "name": "Земский фельдшер", "payment": 500_000.40,
         "payment_remote": draw(st.sampled_from([None, 750_000.60])), "quota": None,
         "budget": draw(st.sampled_from([None, 1_000_000.80, 1_250_001.0])), "specialties": "feldsher",
         "funding": draw(st.sampled_from(["paid", "grant;paid"])), "closed_towns": False, "max_age": None,
         "max_settlement_population": None, "region_id": None},
    ])
    instalments = None
    if draw(st.booleans()):  # the regional lump sum's later years, with a budget of its own
        instalments = pd.DataFrame([{"programme_id": "zd", "year": 1, "payment": 50_000.0,
                                     "payment_remote": draw(st.sampled_from([None, 75_000.0])),
                                     "budget": draw(st.sampled_from([None, 100_000.0, 125_000.0])),
                                     "description": "после первого года работы"}])
    return {"regions": regions, "facilities": facilities, "vacancies": vacancies, "graduates": graduates,
            "programmes": programmes, "instalments": instalments}


def _world(frames) -> World:
    return World(frames["regions"], frames["facilities"], frames["vacancies"], frames["graduates"],
                 frames["programmes"], instalments=frames.get("instalments"), year=YEAR)


def _solve(frames, solver):
    return solve(round_from_frames(**frames, solver=solver, year=YEAR))


@pytest.mark.parametrize("solver", SOLVERS)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames=rule_rounds())
def test_every_engine_matches_the_brute_force(solver, frames):
    solution = _solve(frames, solver)
    world = _world(frames)
    chosen = chosen_from(solution.assignments)
    assert world.violations(chosen) == []
    placed, deficit, km = world.objective(chosen)
    best = brute_force(world)
    assert solution.summary["status"] == "optimal"
    assert (placed, round(deficit, 6)) == best[:2]
    assert km == pytest.approx(best[2], abs=0.05 * max(1, len(chosen)))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames=rule_rounds(max_graduates=8, max_facilities=4))
def test_every_engine_reaches_the_same_optimum_on_tiered_rounds(frames):
    values = {}
    for solver in SOLVERS:
        solution = _solve(frames, solver)
        assert solution.summary["status"] == "optimal", solver
        assert _world(frames).violations(chosen_from(solution.assignments)) == [], solver
        values[solver] = tuple(solution.summary["objective"].values())
    assert len(set(values.values())) == 1, values


# --------------------------------------------------------------------------- rounds known by hand
def _village(facilities: list[dict], graduates: list[dict], programmes: list[dict], vacancies=None,
             instalments=None) -> dict:
    """One district; every facility rural in a village of 800 unless it says otherwise (synthetic)."""
    fac = pd.DataFrame([{"name": f["facility_id"], "region_id": "r0", "lat": 53.0, "lon": 44.0, "rural": True,
                         "settlement_population": 800, **f} for f in facilities])
    vac = vacancies or [(f, "therapist", 1) for f in fac["facility_id"]]
    grads = pd.DataFrame([{"specialty": "therapist", "funding": "paid", "home_region_id": "r0", **g}
                          for g in graduates])
    progs = pd.DataFrame([{"name": p["programme_id"], "specialties": "therapist", **p} for p in programmes]) \
        if programmes else None
    return {"regions": pd.DataFrame({"region_id": ["r0"], "name": ["Район"], "lat": [53.0], "lon": [44.0],
                                     "population": [5000]}),
            "facilities": fac, "vacancies": pd.DataFrame(vac, columns=["facility_id", "specialty", "vacancies"]),
            "graduates": grads, "programmes": progs,
            "instalments": None if instalments is None else pd.DataFrame(instalments)}


def _placed(frames, solver="flow"):
    solution = _solve(frames, solver)
    assert broken_rules(round_from_frames(**frames, year=YEAR), solution.assignments) == []
    return solution, dict(zip(solution.assignments["graduate_id"], solution.assignments["facility_id"]))


@pytest.mark.parametrize("solver", SOLVERS)
def test_one_budget_covers_both_tiers_exactly(solver):
    # 2.5 M: a remote place (1.5 M) and a standard one (1 M) fit, two remote ones (3 M) do not
    frames = _village([{"facility_id": "far1", "remote": True}, {"facility_id": "far2", "remote": True},
                       {"facility_id": "near"}],
                      [{"graduate_id": f"g{i}"} for i in range(3)],
                      [{"programme_id": "zd", "payment": 1_000_000, "payment_remote": 1_500_000,
                        "budget": 2_500_000}])
    solution, placed = _placed(frames, solver)
    assert len(placed) == 2 and "near" in placed.values()
    a = solution.assignments.set_index("facility_id")
    assert a.loc["near", "payment"] == 1_000_000 and a.loc["near", "tier"] == "standard"
    assert set(a["tier"]) == {"remote", "standard"}
    zd = next(p for p in solution.summary["programmes"] if p["programme_id"] == "zd")
    assert zd["spend"] == 2_500_000


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_later_year_budget_binds_where_the_first_does_not(solver):
    # on hiring 150 000 each (no limit); after year 1 50 000 each with 100 000: two people, not three
    frames = _village([{"facility_id": f"f{i}"} for i in range(3)], [{"graduate_id": f"g{i}"} for i in range(3)],
                      [{"programme_id": "lump", "payment": 150_000}],
                      instalments=[{"programme_id": "lump", "year": 1, "payment": 50_000, "budget": 100_000},
                                   {"programme_id": "lump", "year": 2, "payment": 75_000}])
    solution, placed = _placed(frames, solver)
    assert len(placed) == 2
    assert set(solution.assignments["payment_total"]) == {275_000}


def test_an_age_limit_pays_only_the_young_and_an_unknown_age_not_at_all():
    frames = _village([{"facility_id": f"f{i}"} for i in range(3)],
                      [{"graduate_id": "young", "birth_year": 1992}, {"graduate_id": "old", "birth_year": 1980},
                       {"graduate_id": "unknown"}],
                      [{"programme_id": "deposit", "payment": 264_000, "max_age": 34}])
    solution, placed = _placed(frames)
    assert set(placed) == {"young"}
    reasons = dict(zip(solution.unplaced["graduate_id"], solution.unplaced["reason"]))
    assert reasons == {"old": "no_programme_place", "unknown": "no_programme_place"}


def test_obligated_graduates_a_programme_pays_take_its_places():
    # the programme pays grant holders too: with one place, one grant holder takes the village post
    # through it and the other goes to the town, where nobody is paid
    frames = _village([{"facility_id": "v1"}, {"facility_id": "v2"},
                       {"facility_id": "town", "rural": False, "settlement_population": 90_000}],
                      [{"graduate_id": "a", "funding": "grant"}, {"graduate_id": "b", "funding": "grant"}],
                      [{"programme_id": "zd", "payment": 1_000_000, "quota": 1, "funding": "grant;paid"}])
    solution, placed = _placed(frames)
    assert sorted(placed.values()) == ["town", "v1"] or sorted(placed.values()) == ["town", "v2"]
    paid = solution.assignments.set_index("facility_id")["programme_id"]
    assert paid["town"] is None and paid[[f for f in placed.values() if f != "town"][0]] == "zd"
    # the same round where the programme pays only paid graduates: both grant holders in villages, unpaid
    frames["programmes"]["funding"] = "paid"
    solution, placed = _placed(frames)
    assert sorted(placed.values()) in (["town", "v1"], ["town", "v2"], ["v1", "v2"])
    assert solution.assignments["programme_id"].isna().all()


def test_a_closed_town_is_funded_only_by_a_programme_that_funds_closed_towns():
    frames = _village([{"facility_id": "zato", "rural": False, "closed_town": True, "settlement_population": 58_597}],
                      [{"graduate_id": "g"}],
                      [{"programme_id": "zd", "payment": 1_000_000, "max_settlement_population": 50_000}])
    _, placed = _placed(frames)
    assert placed == {}  # a paid graduate needs a place there and no programme funds it
    frames["programmes"]["closed_towns"] = True  # from 2020 Zemsky funds closed towns, whatever their size
    solution, placed = _placed(frames)
    assert placed == {"g": "zato"} and solution.assignments["programme_id"].tolist() == ["zd"]


def test_grant_holders_serve_in_state_organisations_and_the_rural_quota_in_villages():
    frames = _village([{"facility_id": "private_village", "ownership": "private"},
                       {"facility_id": "state_town", "rural": False, "settlement_population": 90_000}],
                      [{"graduate_id": "grant", "funding": "grant"},
                       {"graduate_id": "rural", "funding": "grant", "rural_quota": True}],
                      [])
    for solver in SOLVERS:
        _, placed = _placed(frames, solver)
        assert placed == {"grant": "state_town", "rural": "private_village"}, solver


def test_a_programme_for_state_organisations_pays_nobody_in_a_private_one():
    frames = _village([{"facility_id": "private", "ownership": "private"}], [{"graduate_id": "g"}],
                      [{"programme_id": "selo", "payment": 393_200, "ownership": "state"}])
    _, placed = _placed(frames)
    assert placed == {}  # the paid graduate needs a place there, and the programme does not fund it
    frames["programmes"]["ownership"] = None
    _, placed = _placed(frames)
    assert placed == {"g": "private"}


def test_money_in_kopecks_and_in_millions_is_kept_exactly():
    # 0.1 + 0.2 million fit a budget of 0.3 million exactly (a float sum would exceed it)
    frames = _village([{"facility_id": "f0"}, {"facility_id": "f1", "remote": True}],
                      [{"graduate_id": "a"}, {"graduate_id": "b"}],
                      [{"programme_id": "zd", "payment": 0.1, "payment_remote": 0.2, "budget": 0.3}])
    for solver in SOLVERS:
        solution, placed = _placed(frames, solver)
        assert len(placed) == 2, solver
        assert solution.summary["programmes"][0]["spend"] == 0.3  # the decimal sum, not 0.1 + 0.2 in floats


@pytest.mark.parametrize("solver", SOLVERS)
def test_a_programme_without_money_counts_people_by_its_quota(solver):
    # «С дипломом в село»'s loan and salary supplement: no payment counted, two places
    frames = _village([{"facility_id": f"f{i}"} for i in range(3)], [{"graduate_id": f"g{i}"} for i in range(3)],
                      [{"programme_id": "selo", "payment": 0, "quota": 2, "benefits": "кредит на жильё;+25 %"}])
    solution, placed = _placed(frames, solver)
    assert len(placed) == 2
    use = solution.summary["programmes"][0]
    assert (use["placed"], use["spend"]) == (2, 0)

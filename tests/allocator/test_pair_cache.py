"""Allowed pairs kept across the scenarios of a sweep (allocator.pair_cache): repriced pairs equal
freshly built ones bit for bit, the key changes exactly when the pairs may, and a solve given the
cache returns the same solution as one without. Real rounds and real solvers; nothing mocked.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator.pair_cache import PAIR_OPTIONS, PairCache, structure_key
from allocator.pairs import allowed_pairs
from allocator.solve import solve
from allocator.sweep.apply import apply_spec
from allocator.sweep.grid import expand, grid_from_mapping
from allocator.sweep.runner import _WORKER, init_worker, prepare, run_scenario
from allocator.validate import load_round

PENZA = Path(__file__).resolve().parents[2] / "data" / "penza"

DOCTOR, FELDSHER = "zemsky_doctor_2020", "zemsky_feldsher_2020"
FRAMES = ("arcs", "groups", "members", "stages")


@pytest.fixture(scope="module")
def penza():
    return load_round(PENZA)


@pytest.fixture(scope="module")
def penza_road():
    return load_round(PENZA, distances="road")


def _assert_same_pairs(got, want) -> None:
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(got, name), getattr(want, name), check_exact=True)


scenario_values = st.fixed_dictionaries({}, optional={
    "max_km": st.sampled_from([60, 120, 250]),
    "solver": st.sampled_from(["flow", "highs"]),
    "diminishing_returns": st.booleans(),
    f"programme.{DOCTOR}.budget": st.sampled_from([0.0, 1e6, 2.5e6, 6.1e7]),
    f"programme.{DOCTOR}.payment": st.sampled_from([500000.0, 1000000.0, 1234567.89]),
    f"programme.{FELDSHER}.quota": st.integers(0, 40),
    "weight_group.I": st.sampled_from([1.0, 2.5, 4.0]),
    "weight_group.III": st.sampled_from([0.5, 1.75]),
    "weight.kamensky": st.sampled_from([0.25, 3.0]),
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(scenario_values, min_size=1, max_size=4))
def test_repriced_pairs_equal_the_pairs_built_for_each_scenario(penza, sequence):
    cache = PairCache()
    for values in sequence:
        scenario = apply_spec(penza, values)
        _assert_same_pairs(cache.pairs(scenario), allowed_pairs(scenario))
    assert cache.builds == len({values.get("max_km") for values in sequence})


def test_the_key_ignores_what_only_prices_an_arc_and_sees_what_changes_the_pairs(penza, penza_road):
    key = structure_key(penza)
    pricing = {"solver": "cbc", "time_limit": 30.0, "diminishing_returns": True, "threads": 2,
               f"programme.{DOCTOR}.budget": 1.0, f"programme.{DOCTOR}.quota": 0,
               f"programme.{DOCTOR}.payment": 7.5, "weight.kamensky": 9.0, "weight_group.II": 3.0}
    for option, value in pricing.items():
        assert structure_key(apply_spec(penza, {option: value})) == key, option
    assert structure_key(apply_spec(penza, {"max_km": 77})) != key
    assert structure_key(penza_road) != key
    moved = penza.facilities.copy()
    moved.loc[0, "lat"] += 1e-9
    assert structure_key(dataclasses.replace(penza, facilities=moved)) != key
    fewer = penza.vacancies.copy()
    fewer.loc[0, "vacancies"] += 1
    assert structure_key(dataclasses.replace(penza, vacancies=fewer)) != key
    narrower = penza.programmes.copy()
    narrower.loc[0, "max_settlement_population"] = 100
    assert structure_key(dataclasses.replace(penza, programmes=narrower)) != key
    roads = penza_road.roads.copy()
    roads.loc[0, roads.columns[-1]] = roads.iloc[0, -1]  # unchanged: same key
    assert structure_key(dataclasses.replace(penza_road, roads=roads)) == structure_key(penza_road)
    roads.loc[0, "km"] += 1
    assert structure_key(dataclasses.replace(penza_road, roads=roads)) != structure_key(penza_road)


def test_road_pairs_are_repriced_as_well(penza_road):
    cache = PairCache()
    cache.pairs(penza_road)
    scenario = apply_spec(penza_road, {f"programme.{FELDSHER}.payment": 250000.0, "weight.kamensky": 2.0})
    _assert_same_pairs(cache.pairs(scenario), allowed_pairs(scenario))
    assert (cache.hits, cache.builds) == (1, 1)


@pytest.mark.parametrize("solver", ["flow", "highs"])
def test_a_solve_given_the_cache_returns_the_same_solution(penza, solver):
    cache = PairCache()
    for values in ({"max_km": 150}, {"max_km": 150, f"programme.{DOCTOR}.budget": 3e6, "weight_group.I": 3.0},
                   {"max_km": 150, f"programme.{FELDSHER}.quota": 4, f"programme.{FELDSHER}.payment": 400000.0}):
        scenario = apply_spec(penza, {"solver": solver, **values})
        cached, direct = solve(scenario, pair_cache=cache), solve(scenario)
        pd.testing.assert_frame_equal(cached.assignments, direct.assignments, check_exact=True)
        pd.testing.assert_frame_equal(cached.unplaced, direct.unplaced, check_exact=True)
        pd.testing.assert_frame_equal(cached.deficits, direct.deficits, check_exact=True)
        assert (cached.weighted_deficit, cached.total_km) == (direct.weighted_deficit, direct.total_km)
        assert cached.programmes == direct.programmes
    assert (cache.builds, cache.hits) == (1, 2)


def test_the_cache_keeps_the_most_recent_entries(penza):
    cache = PairCache(limit=2)
    for km in (60, 80, 100, 60):
        cache.pairs(apply_spec(penza, {"max_km": km}))
    assert len(cache) == 2 and (cache.builds, cache.hits) == (4, 0)  # 60 was evicted by 100
    cache.pairs(apply_spec(penza, {"max_km": 100}))
    assert cache.hits == 1


def test_a_sweep_builds_the_pairs_once_per_combination_and_no_worker_builds_them(penza):
    grid = grid_from_mapping({"grid": {"max_km": [100, 200], "distances": ["geodesic"],
                                       f"programme.{DOCTOR}.budget": [1e6, 5e6, 6.1e7],
                                       "weight_group.I": [1.5, 3.0]}}, "g.toml")
    specs = expand(grid, penza)
    payload = prepare(penza, specs)
    assert set(PAIR_OPTIONS) <= set(grid.grid)
    assert len(payload["pairs"]) == 2
    init_worker(payload)
    rows = [run_scenario(spec).row for spec in specs]
    assert {r["status"] for r in rows} == {"optimal"}
    assert (_WORKER["cache"].builds, _WORKER["cache"].hits) == (0, len(specs))

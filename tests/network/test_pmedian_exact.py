"""The exact radius-formulation p-median (network.pmedian_exact) against brute force, the plain
assignment model of network.models (the reference) and OR-Library's published optima."""

import itertools

import numpy as np
import pandas as pd
import pytest
from support.paths import SHARED

from network import solve_p_median, solve_p_median_exact
from network.pmedian_exact import greedy_interchange, read_orlib_optima, read_orlib_pmed

PMED = SHARED / "benchmarks" / "orlib-pmed"


def brute(d, w, p):
    return min(float(w @ d[:, list(c)].min(axis=1)) for c in itertools.combinations(range(d.shape[1]), p))


@pytest.mark.parametrize("seed", range(12))
def test_brute_force_on_tiny_random_instances(seed):
    rng = np.random.default_rng(seed)
    n, m = rng.integers(3, 9), rng.integers(2, 7)
    d = rng.integers(0, 15, size=(n, m)).astype(float)  # many ties
    w = rng.integers(0, 6, n).astype(float)
    p = int(rng.integers(1, m + 1))
    value, medians, proven, bound = solve_p_median_exact(d, p, w)
    assert proven and bound == value
    assert value == brute(d, w, p)
    assert len(medians) == p and float(w @ d[:, medians].min(axis=1)) == value


def test_fractional_costs_and_forbidden_pairs():
    rng = np.random.default_rng(7)
    d = rng.random((8, 6)) * 10
    d[rng.random(d.shape) < 0.3] = np.inf
    d[np.arange(8), rng.integers(0, 6, 8)] = 1.0  # every client has an allowed site
    w = rng.random(8)
    value, medians, proven, _ = solve_p_median_exact(d, 3, w)
    assert proven and value == pytest.approx(brute(np.where(np.isfinite(d), d, 1e9), w, 3))


@pytest.mark.parametrize("seed", range(4))
def test_agrees_with_the_plain_model(seed):
    rng = np.random.default_rng(100 + seed)
    n, m, p = 30, 15, int(rng.integers(2, 6))
    xy, sxy = rng.random((n, 2)) * 50, rng.random((m, 2)) * 50
    d = np.rint(np.hypot(*(xy[:, None, :] - sxy[None, :, :]).transpose(2, 0, 1)))
    w = rng.integers(1, 100, n).astype(float)
    demand = pd.DataFrame({"demand_id": range(n), "population": w})
    pairs = pd.DataFrame({"demand_id": np.repeat(np.arange(n), m), "site_id": np.tile(np.arange(m), n),
                          "cost": d.ravel()})
    sites = pd.DataFrame({"site_id": range(m), "existing": False})
    plain = solve_p_median(demand, pairs, sites, p, method="plain")
    value, medians, proven, _ = solve_p_median_exact(d, p, w)
    assert plain.status == "optimal" and proven
    assert value == pytest.approx(plain.objective_value, rel=1e-9)


def test_interchange_never_worse_than_greedy_and_rejects_bad_p():
    rng = np.random.default_rng(3)
    d = rng.integers(1, 50, size=(40, 40)).astype(float)
    value, med = greedy_interchange(d, 4)
    assert len(set(med)) == 4 and value == float(d[:, med].min(axis=1).sum())
    with pytest.raises(ValueError):
        solve_p_median_exact(d, 0)


def _optimum(name):
    return read_orlib_optima(PMED / "pmedopt.txt")[name]


@pytest.mark.skipif(not (PMED / "pmed1.txt").exists(), reason=f"OR-Library pmed instances not present in {PMED}")
@pytest.mark.parametrize("name", ["pmed1", "pmed2", "pmed6"])
def test_or_library_published_optimum_proven(name):
    d, p = read_orlib_pmed(PMED / f"{name}.txt")
    value, medians, proven, bound = solve_p_median_exact(d, p, time_limit=60)
    assert proven and value == bound == _optimum(name)
    assert len(medians) == p and d[:, medians].min(axis=1).sum() == value

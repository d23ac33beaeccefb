"""Single-source capacitated p-median on Osman & Christofides' instances (OR-Library pmedcap1).

The published optima hold for distances floor(Euclidean) between customers, medians among the
customers, capacity Q per median and the sum of distances as the objective (not weighted by
demand). The data are read from shared/benchmarks beside the checkout; the tests skip when it is
absent. ``benchmarks/bench_orlib_capacitated.py`` runs all 20. A brute-force check on tiny random
instances (existing sites, sites without a capacity) needs no data.
"""

import itertools

import numpy as np
import pandas as pd
import pytest
from support.paths import SHARED

from network import solve_p_median
from network.models import p_median_model

PMEDCAP = SHARED / "benchmarks" / "orlib-pmedcap"
needs_data = pytest.mark.skipif(not (PMEDCAP / "pmedcap01.txt").exists(),
                                reason=f"OR-Library pmedcap instances not present in {PMEDCAP}")


def pmedcap(name):
    rows = [line.split() for line in (PMEDCAP / f"{name}.txt").read_text().splitlines() if line.strip()]
    optimum = int(rows[0][1])
    n, p, q = (int(float(v)) for v in rows[1])
    data = np.array(rows[2:2 + n], dtype=float)
    xy, a = data[:, 1:3], data[:, 3]
    dist = np.floor(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)))
    ids = np.arange(n)
    demand = pd.DataFrame({"demand_id": ids, "population": a})
    # the model minimises a_i * cost: cost = d_ij / a_i gives the unweighted sum of distances
    pairs = pd.DataFrame({"demand_id": np.repeat(ids, n), "site_id": np.tile(ids, n),
                          "cost": (dist / a[:, None]).ravel()})
    sites = pd.DataFrame({"site_id": ids, "existing": False, "capacity": float(q)})
    return demand, pairs, sites, p, q, optimum, dist


@needs_data
@pytest.mark.parametrize("name", ["pmedcap01", "pmedcap02", "pmedcap13"])
def test_single_source_reaches_the_published_optimum(name):
    demand, pairs, sites, p, q, optimum, dist = pmedcap(name)
    sol = solve_p_median(demand, pairs, sites, p, single_source=True, time_limit=120)
    assert sol.status == "optimal"
    a = sol.assignment
    # each customer wholly served by one open median, no median over its capacity
    assert (a["share"] == 1).all() and sorted(a["demand_id"]) == list(demand["demand_id"])
    assert set(a["site_id"]) <= set(sol.open_sites) and len(sol.open_sites) <= p
    assert (a.groupby("site_id")["population"].sum() <= q).all()
    value = dist[a["demand_id"].to_numpy(int), a["site_id"].to_numpy(int)].sum()
    assert value == optimum
    assert sol.objective_value == pytest.approx(optimum, abs=1e-6)


@needs_data
def test_split_demand_is_a_lower_bound_and_single_source_is_binary():
    demand, pairs, sites, p, q, optimum, _ = pmedcap("pmedcap01")
    split = solve_p_median(demand, pairs, sites, p)
    assert split.status == "optimal"
    assert split.objective_value <= optimum + 1e-6
    model = p_median_model(demand, pairs, sites, p, single_source=True)
    assert model.integer.all()
    assert "capacity_total" in model.row_names()
    assert not p_median_model(demand, pairs, sites, p).integer[len(sites):].any()


def brute_single_source(pop, cost, cap, existing, k):
    """Cheapest assignment of every demand point to one open site within capacities, by enumeration."""
    nd, ns = cost.shape
    free = [j for j in range(ns) if j not in existing]
    best = np.inf
    for r in range(min(k, len(free)) + 1):
        for comb in itertools.combinations(free, r):
            open_ = list(existing) + list(comb)
            for choice in itertools.product(open_, repeat=nd):
                load = np.bincount(choice, weights=pop, minlength=ns)
                if (load <= cap + 1e-9).all():
                    best = min(best, float((pop * cost[np.arange(nd), list(choice)]).sum()))
    return best


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_single_source_equals_brute_force(seed, solver):
    rng = np.random.default_rng(seed)
    nd, ns, k = 6, 4, 2
    n_existing = seed % 2
    pop = rng.integers(1, 60, nd).astype(float)
    cost = rng.integers(0, 12, (nd, ns)).astype(float)
    cap = rng.integers(60, 200, ns).astype(float)
    if seed % 3 == 0:
        cap[-1] = np.inf  # a site without a capacity
    demand = pd.DataFrame({"demand_id": [f"d{i}" for i in range(nd)], "population": pop})
    pairs = pd.DataFrame({"demand_id": np.repeat(demand["demand_id"], ns), "site_id": [f"s{j}" for j in range(ns)] * nd,
                          "cost": cost.ravel()})
    sites = pd.DataFrame({"site_id": [f"s{j}" for j in range(ns)], "existing": np.arange(ns) < n_existing,
                          "capacity": np.where(np.isfinite(cap), cap, np.nan)})
    expected = brute_single_source(pop, cost, cap, list(range(n_existing)), k)
    if not np.isfinite(expected):
        sol = solve_p_median(demand, pairs, sites, k, single_source=True, solver=solver)
        assert sol.status == "infeasible"
        return
    sol = solve_p_median(demand, pairs, sites, k, single_source=True, solver=solver)
    assert sol.status == "optimal"
    assert sol.objective_value == pytest.approx(expected)
    assert (sol.assignment["share"] == 1).all() and sol.assignment["demand_id"].is_unique
    load = sol.assignment.groupby("site_id")["population"].sum()
    assert (load <= sites.set_index("site_id")["capacity"].fillna(np.inf).reindex(load.index)).all()
    # the split-demand optimum never costs more
    split = solve_p_median(demand, pairs, sites, k)
    assert split.objective_value <= expected + 1e-6

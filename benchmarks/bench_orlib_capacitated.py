"""Capacitated p-median and coverage on OR-Library instances with published answers.

    python benchmarks/bench_orlib_capacitated.py                 # the 20 pmedcap instances, then coverage
    python benchmarks/bench_orlib_capacitated.py --only pmedcap11 pmedcap15
    python benchmarks/bench_orlib_capacitated.py --no-capacitated   # coverage checks only
    python benchmarks/bench_orlib_capacitated.py --no-coverage      # capacitated only

Capacitated (Osman & Christofides 1994, OR-Library pmedcap1): ``solve_p_median(...,
single_source=True)`` on all 20 instances: medians among the customers, distances
floor(Euclidean), capacity Q per median, objective the sum of distances (not weighted by
demand; the pairs' cost is d_ij / a_i so that the model's a_i * cost is d_ij while the
capacity rows still count a_i). Prints value, published optimum, proven (HiGHS status
optimal), time and peak memory.

Coverage (pmed1-pmed10, Beasley's graphs with Floyd shortest paths): with the optimal
p-centre radius r* and p sites ``solve_max_covering`` covers all n vertices; with r* - 1
it cannot.

Data are read from ``../shared/benchmarks/`` beside the checkout (never copied into the
repository). Peak memory is the process's high-water mark (ru_maxrss), so it only grows.
"""

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from network import solve_max_covering, solve_p_median  # noqa: E402

BENCH = ROOT.parent / "shared" / "benchmarks"
PMEDCAP = BENCH / "orlib-pmedcap"
PMED = BENCH / "orlib-pmed"
# Optimal p-centre radii of pmed1-pmed10 (Pullan; shared/benchmarks/README.md)
P_CENTRE_RADIUS = {"pmed1": 127, "pmed2": 98, "pmed3": 93, "pmed4": 74, "pmed5": 48,
                   "pmed6": 84, "pmed7": 64, "pmed8": 55, "pmed9": 37, "pmed10": 20}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def read_pmedcap(path):
    """(demand, pairs, sites, p, optimum, distance matrix) of one Osman & Christofides instance."""
    rows = [line.split() for line in Path(path).read_text().splitlines() if line.strip()]
    optimum = int(rows[0][1])
    n, p, q = (int(float(v)) for v in rows[1])
    data = np.array(rows[2:2 + n], dtype=float)
    xy, a = data[:, 1:3], data[:, 3]
    dist = np.floor(np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1]))
    ids = np.arange(n)
    demand = pd.DataFrame({"demand_id": ids, "population": a})
    # the model minimises a_i * cost; cost = d_ij / a_i makes that the unweighted distance
    pairs = pd.DataFrame({"demand_id": np.repeat(ids, n), "site_id": np.tile(ids, n),
                          "cost": (dist / a[:, None]).ravel()})
    sites = pd.DataFrame({"site_id": ids, "existing": False, "capacity": float(q)})
    return demand, pairs, sites, p, optimum, dist


def read_pmed(path):
    """(n, p, shortest-path matrix) of one Beasley pmed graph (network.pmedian_exact.read_orlib_pmed)."""
    from network.pmedian_exact import read_orlib_pmed

    dist, p = read_orlib_pmed(path)
    return len(dist), p, dist


def covering_inputs(dist, radius):
    """Every vertex a demand point of weight 1 and a candidate; pairs with d_ij <= radius."""
    n = len(dist)
    i, j = np.nonzero(dist <= radius)
    demand = pd.DataFrame({"demand_id": np.arange(n), "population": 1.0})
    pairs = pd.DataFrame({"demand_id": i, "site_id": j, "cost": dist[i, j]})
    return demand, pairs, pd.DataFrame({"site_id": np.arange(n), "existing": False})


def solve_pmedcap(path, time_limit=None):
    demand, pairs, sites, p, optimum, dist = read_pmedcap(path)
    sol = solve_p_median(demand, pairs, sites, p, single_source=True, time_limit=time_limit)
    # recheck from the data: single source, capacity, sum of floor distances
    a = sol.assignment
    assert (a["share"] == 1).all() and a["demand_id"].is_unique and len(a) == len(demand)
    load = a.groupby("site_id")["population"].sum()
    q = float(sites["capacity"].iloc[0])
    assert (load <= q).all() and len(sol.open_sites) <= p
    value = int(dist[a["demand_id"].to_numpy(int), a["site_id"].to_numpy(int)].sum())
    return sol, value, optimum


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", help="instance names, e.g. pmedcap01 pmed5")
    ap.add_argument("--time-limit", type=float, default=None, help="seconds per solve (default none)")
    ap.add_argument("--no-capacitated", action="store_true", help="skip the 20 pmedcap instances")
    ap.add_argument("--no-coverage", action="store_true", help="skip the pmed1-10 coverage checks")
    args = ap.parse_args(argv)
    if not BENCH.is_dir():
        print(f"benchmark data not found: {BENCH}", file=sys.stderr)
        return 2
    want = set(args.only or [])
    failures = 0
    if not args.no_capacitated:
        print("Capacitated p-median, single source (Osman & Christofides), HiGHS")
        print(f"{'instance':<10} {'n':>4} {'p':>3} {'value':>6} {'optimum':>7} {'match':>5} {'proven':>6} "
              f"{'solve s':>8} {'total s':>8} {'peak MB':>8}")
        for path in sorted(PMEDCAP.glob("pmedcap*.txt")):
            if want and path.stem not in want:
                continue
            start = time.perf_counter()
            sol, value, optimum = solve_pmedcap(path, args.time_limit)
            total = time.perf_counter() - start
            n = len(sol.assignment)
            ok = value == optimum and sol.status == "optimal"
            failures += not ok
            print(f"{path.stem:<10} {n:>4} {len(sol.open_sites):>3} {value:>6} {optimum:>7} "
                  f"{'yes' if value == optimum else 'NO':>5} {'yes' if sol.status == 'optimal' else 'no':>6} "
                  f"{sol.runtime_s:>8.2f} {total:>8.2f} {peak_mb():>8.0f}", flush=True)
    if not args.no_coverage:
        print()
        print("Maximal covering at the optimal p-centre radius r* (all covered) and r* - 1 (not), HiGHS")
        print(f"{'instance':<9} {'n':>4} {'p':>3} {'r*':>4} {'covered@r*':>10} {'covered@r*-1':>12} "
              f"{'as known':>8} {'s@r*':>6} {'s@r*-1':>7} {'peak MB':>8}")
        for name, r in P_CENTRE_RADIUS.items():
            if want and name not in want:
                continue
            n, p, dist = read_pmed(PMED / f"{name}.txt")
            got, secs = [], []
            for radius in (r, r - 1):
                sol = solve_max_covering(*covering_inputs(dist, radius), p, time_limit=args.time_limit)
                assert sol.status == "optimal", sol.status
                got.append(int(round(sol.objective_value)))
                secs.append(sol.runtime_s)
            ok = got[0] == n and got[1] < n
            failures += not ok
            print(f"{name:<9} {n:>4} {p:>3} {r:>4} {got[0]:>10} {got[1]:>12} {'yes' if ok else 'NO':>8} "
                  f"{secs[0]:>6.2f} {secs[1]:>7.2f} {peak_mb():>8.0f}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of the network package on a generated 5,000-settlement, 50,000-road graph.

    python benchmarks/bench_network.py            # full size
    python benchmarks/bench_network.py --quick    # 1,000 settlements, 10,000 roads, 100 facilities
    python benchmarks/bench_network.py --plan-only --engines scipy   # the two planning models only

Prints wall time per step and the process's peak resident memory after it
(ru_maxrss, so it only ever grows). Synthetic data (network.generator), seed 1.
"""

import argparse
import resource
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from network import (  # noqa: E402
    accessibility,
    build_road_graph,
    distance_matrix,
    generate_facilities,
    generate_village_network,
    plan_network,
    rule_gaps,
    solve_p_median,
)
from network.access import road_pairs_to_settlements, serving_facilities  # noqa: E402
from network.graph import settlements_frame  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def step(name, fn):
    start = time.perf_counter()
    out = fn()
    print(f"{name:<58} {time.perf_counter() - start:8.2f} s   peak RSS {peak_mb():7.0f} MB", flush=True)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="a 5x smaller instance")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--engines", nargs="+", default=["networkx", "scipy"], choices=["networkx", "scipy"],
                   help="shortest-path engines to time (default both)")
    p.add_argument("--plan-only", action="store_true",
                   help="time only the planning steps (maximal covering and p-median)")
    p.add_argument("--median-km", type=float, default=15.0,
                   help="road-km limit on the pairs allowed in the p-median step (default 15)")
    args = p.parse_args(argv)
    n, m, nf, nc, k = (1000, 10_000, 100, 100, 10) if args.quick else (5000, 50_000, 500, 200, 20)
    warnings.simplefilter("ignore")
    print(f"settlements={n} roads={m} facilities={nf} candidates={nc} k={k} seed={args.seed}")

    s, r = step("generate network", lambda: generate_village_network(n, m, seed=args.seed))
    g = step("build_road_graph", lambda: build_road_graph(s, r))
    fac = generate_facilities(s, nf, seed=args.seed)
    origins = fac.rename(columns={"facility_id": "id"})[["id", "lat", "lon"]]
    dest = pd.DataFrame({"id": s["settlement_id"], "lat": s["lat"], "lon": s["lon"]})
    rng = np.random.default_rng(args.seed)
    pick = rng.choice(len(s), nc, replace=False)
    cand = pd.DataFrame({"site_id": [f"c{i}" for i in range(nc)], "facility_type": "FAP",
                         "settlement_id": s["settlement_id"].to_numpy()[pick]})
    for engine in args.engines:
        print(f"--- engine={engine}")
        if args.plan_only:
            plan_steps(g, cand, fac, k, nc, engine, args.median_km)
            continue
        mat = step(f"distance_matrix {nf} facilities x {n} settlements (full)",
                   lambda: distance_matrix(g, origins, dest, engine=engine))
        print(f"  -> {len(mat):,} rows, {mat['km'].isna().sum()} unreachable")
        step(f"distance_matrix {nf} x {n}, max_km=30",
             lambda: distance_matrix(g, origins, dest, max_km=30, engine=engine))
        acc = step("accessibility, staffed, within 30 minutes",
                   lambda: accessibility(g, fac, max_minutes=30, engine=engine))
        print(f"  -> covered {acc['covered_population'].sum() / acc['population'].sum():.1%} of the population")
        gaps = step("rule_gaps (100-2,000 / 6 km; >2,000 VA)", lambda: rule_gaps(g, fac, engine=engine))
        print(f"  -> {len(gaps)} settlements break a rule")
        plan_steps(g, cand, fac, k, nc, engine, args.median_km)
    return 0


def plan_steps(g, cand, fac, k, nc, engine, median_km):
    res = step(f"plan_network maximal covering, {nc} candidates, k={k}, 6 km",
               lambda: plan_network(g, cand, k, existing=fac, max_km=6, engine=engine))
    sm = res.summary
    print(f"  -> {sm['status']}, {sm['n_pairs']:,} pairs, solver {sm['runtime_s']} s, "
          f"newly covered {sm['newly_covered']:,.0f}, new sites {sorted(res.solution.new_sites)}")
    # p-median on the model layer: the settlements within median_km of a staffed facility (so that the
    # model is feasible for any k), staffed facilities always open, k new sites among the candidates.
    ex = serving_facilities(fac)
    points = pd.concat([cand.assign(id=cand["site_id"], lat=np.nan, lon=np.nan)[["id", "lat", "lon", "settlement_id"]],
                        ex[["id", "lat", "lon", "settlement_id"]]], ignore_index=True)
    sett = settlements_frame(g)
    pr = road_pairs_to_settlements(g, points, sett["settlement_id"], max_km=median_km, engine=engine)
    pairs = pd.DataFrame({"demand_id": pr["destination_id"], "site_id": pr["origin_id"], "cost": pr["km"]})
    demand = pd.DataFrame({"demand_id": sett["settlement_id"], "population": sett["population"].astype(float)})
    reach = set(pairs.loc[pairs["site_id"].isin(set(ex["id"])), "demand_id"])
    demand = demand.loc[demand["demand_id"].isin(reach)]
    pairs = pairs.loc[pairs["demand_id"].isin(reach)]
    sites = pd.DataFrame({"site_id": points["id"], "existing": np.arange(len(points)) >= len(cand)})
    sol = step(f"solve_p_median, {len(demand):,} settlements, k={k}, pairs within {median_km:g} km",
               lambda: solve_p_median(demand, pairs, sites, k))
    print(f"  -> {sol.status}, {len(pairs):,} pairs, solver {sol.runtime_s:.2f} s, "
          f"objective {sol.objective_value:,.1f}, new sites {sorted(sol.new_sites)}")


if __name__ == "__main__":
    raise SystemExit(main())

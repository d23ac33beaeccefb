"""Benchmark of the network package on a generated 5,000-settlement, 50,000-road graph.

    python benchmarks/bench_network.py            # full size
    python benchmarks/bench_network.py --quick    # 1,000 settlements, 10,000 roads, 100 facilities
    python benchmarks/bench_network.py --plan-only --engines scipy   # the two planning models only
    python benchmarks/bench_network.py --regional --engines scipy    # regional-scale plan (issue 17)

Prints wall time per step and the process's peak resident memory after it
(ru_maxrss, so it only ever grows). Synthetic data (network.generator), seed 1.

``--regional`` (issue 17) times the two planning models at the scale of one
Russian region's rural primary care, each of which should be proven optimal
within 30 s. Parameters (``REGIONAL``):

* 2,000 settlements in the generator's default 120 km radius (about the area
  of Penza oblast, 43,000 km2, with 13 districts) and 20,000 roads, the same
  10 roads per settlement as the 5,000-settlement run;
* 200 existing facilities (about 80 % staffed, so some 160 open sites), one
  per 10 settlements, a typical FAP density of a rural district;
* 300 candidate sites at random settlements (new posts or conversions) and
  k = 20 new sites, a multi-year regional programme;
* coverage: 6 km, the walking-distance norm of the network rules for
  settlements of 100-2,000 residents;
* p-median (minimise population-weighted road km to the nearest open site),
  twice: on the model layer with the pairs within 30 km (about half an hour
  by car on a local road; settlements with no staffed facility within 30 km
  are left out, as in ``plan_steps``), and through ``plan_network`` with
  every pair allowed, so all 2,000 settlements are in the model.
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

DEFAULT_MEDIAN_KM = 15.0

#: The regional instance (``--regional``); see the module docstring for the reasons.
REGIONAL = {"n": 2000, "m": 20_000, "facilities": 200, "candidates": 300, "k": 20, "cover_km": 6.0,
            "median_km": 30.0}


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
    p.add_argument("--median-km", type=float, default=DEFAULT_MEDIAN_KM,
                   help="road-km limit on the pairs allowed in the p-median step (default 15; "
                        "with --regional the REGIONAL value)")
    p.add_argument("--regional", action="store_true",
                   help="regional-scale planning only: 2,000 settlements, 20,000 roads, 200 facilities, "
                        "300 candidate sites, k=20 (see REGIONAL)")
    args = p.parse_args(argv)
    if args.regional:
        return regional(args)
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


def regional(args) -> int:
    """The regional-scale planning target of issue 17 (see ``REGIONAL``): both models proven optimal in 30 s."""
    r = REGIONAL
    median_km = args.median_km if args.median_km != DEFAULT_MEDIAN_KM else r["median_km"]
    warnings.simplefilter("ignore")
    print(f"regional: settlements={r['n']} roads={r['m']} facilities={r['facilities']} candidates={r['candidates']} "
          f"k={r['k']} coverage {r['cover_km']:g} km, p-median pairs within {median_km:g} km, seed={args.seed}")
    s, roads = step("generate network", lambda: generate_village_network(r["n"], r["m"], seed=args.seed))
    g = step("build_road_graph", lambda: build_road_graph(s, roads))
    fac = generate_facilities(s, r["facilities"], seed=args.seed)
    print(f"  -> {int(fac['staffed'].sum())} of {len(fac)} facilities staffed")
    rng = np.random.default_rng(args.seed)
    pick = rng.choice(len(s), r["candidates"], replace=False)
    cand = pd.DataFrame({"site_id": [f"c{i}" for i in range(r["candidates"])], "facility_type": "FAP",
                         "settlement_id": s["settlement_id"].to_numpy()[pick]})
    for engine in args.engines:
        print(f"--- engine={engine}")
        plan_steps(g, cand, fac, r["k"], r["candidates"], engine, median_km, cover_km=r["cover_km"])
        res = step(f"plan_network p-median, {r['n']:,} settlements, k={r['k']}, all pairs",
                   lambda: plan_network(g, cand, r["k"], objective="median", existing=fac, engine=engine))
        sm = res.summary
        print(f"  -> {sm['status']}, {sm['n_pairs']:,} pairs, solver {sm['runtime_s']} s, "
              f"objective {sm['objective_value']:,.1f}, new sites {sorted(res.solution.new_sites)}")
    return 0


def plan_steps(g, cand, fac, k, nc, engine, median_km, cover_km=6.0):
    res = step(f"plan_network maximal covering, {nc} candidates, k={k}, {cover_km:g} km",
               lambda: plan_network(g, cand, k, existing=fac, max_km=cover_km, engine=engine))
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

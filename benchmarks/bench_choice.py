"""The choice mechanism's speed on a national round: 10,000 graduates x 3,000 facilities, 10 choices each.

    python benchmarks/bench_choice.py                  # 10000x3000, 10 choices, seed 1
    python benchmarks/bench_choice.py --graduates 2000 --facilities 500 --choices 5

The round is SYNTHETIC: ``allocator generate``'s generator (seed 1; programme quotas that bind),
plus synthetic ratings (normal, one decimal, so some tie) and synthetic preference lists: each
graduate lists ``--choices`` distinct facilities with a vacancy of their specialty, the nearer
ones likelier (weight 1 / (1 + km / 50)), in random order. Printed: the validation of the round
with its preferences, the market's preparation (turn order, lists, programme filters:
:func:`allocator.mechanisms.choice.build_market`), the choice loop
(:func:`~allocator.mechanisms.choice.run_choice`, the issue's target: at most 2 s), and the whole
mechanism (choices, the commission's lexicographic solve with the flow engine, the solution and
its check), with what the choices and the commission placed.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd


def synthetic_round(graduates: int, facilities: int, regions: int, choices: int, seed: int):
    """The generated round with synthetic ratings and preferences (labelled synthetic), validated."""
    from allocator import round_from_frames
    from allocator.generate import generate_round
    from medstaff_core.geo import geodesic_km

    frames = generate_round(graduates, facilities, regions, seed)
    rng = np.random.default_rng(seed + 1000)
    grads = frames["graduates"].replace({"sponsor_region_id": {"": None}})
    grads["rating"] = np.round(rng.normal(70, 10, len(grads)), 1)  # synthetic
    fac = frames["facilities"].set_index("facility_id")
    reg = frames["regions"].set_index("region_id")
    lat = pd.to_numeric(grads.get("lat"), errors="coerce")
    lon = pd.to_numeric(grads.get("lon"), errors="coerce")
    home_lat = lat.fillna(grads["home_region_id"].map(reg["lat"]).astype(float)).to_numpy()
    home_lon = lon.fillna(grads["home_region_id"].map(reg["lon"]).astype(float)).to_numpy()
    vac = frames["vacancies"]
    vac = vac[pd.to_numeric(vac["vacancies"]) > 0]
    offering = vac.groupby("specialty")["facility_id"].apply(lambda s: s.unique())
    rows = []
    for i, g in enumerate(grads.itertuples(index=False)):
        if g.specialty not in offering.index:
            continue
        cand = offering[g.specialty]
        km = geodesic_km(np.full(len(cand), home_lat[i]), np.full(len(cand), home_lon[i]),
                         fac.loc[cand, "lat"].to_numpy(dtype=float), fac.loc[cand, "lon"].to_numpy(dtype=float))
        p = 1.0 / (1.0 + km / 50.0)
        k = min(choices, len(cand))
        listed = rng.choice(cand, size=k, replace=False, p=p / p.sum())
        rows += [(g.graduate_id, r + 1, f) for r, f in enumerate(listed)]
    prefs = pd.DataFrame(rows, columns=["graduate_id", "rank", "facility_id"])
    frames["graduates"] = grads
    t0 = time.perf_counter()
    round_ = round_from_frames(**frames, preferences=prefs, mechanism="choice", max_km=100.0, solver="flow")
    return round_, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    """Build the synthetic round, time the market, the choice loop and the whole mechanism, print the figures."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--graduates", type=int, default=10_000)
    p.add_argument("--facilities", type=int, default=3_000)
    p.add_argument("--regions", type=int, default=150)
    p.add_argument("--choices", type=int, default=10)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--repeat", type=int, default=5, help="choice loop runs (the best is printed)")
    args = p.parse_args(argv)

    from allocator import solve
    from allocator.mechanisms.choice import build_market, run_choice

    round_, t_validate = synthetic_round(args.graduates, args.facilities, args.regions, args.choices, args.seed)
    n_rows = len(round_.preferences)
    print(f"SYNTHETIC round: {len(round_.graduates):,} graduates x {len(round_.facilities):,} facilities, "
          f"{int(round_.vacancies['vacancies'].sum()):,} vacancies, {n_rows:,} listed posts "
          f"({args.choices} choices each), {len(round_.programmes)} programmes, seed {args.seed}")
    print(f"validation with preferences: {t_validate:.2f} s")
    t0 = time.perf_counter()
    market, *_ = build_market(round_)
    t_market = time.perf_counter() - t0
    loop = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        picks = run_choice(market)
        loop.append(time.perf_counter() - t0)
    chose = int((picks.row >= 0).sum())
    print(f"market (turn order, lists, programme filters): {t_market:.3f} s")
    print(f"choice loop: {min(loop):.3f} s best of {args.repeat} (median {np.median(loop):.3f} s; target <= 2 s); "
          f"{chose:,} of {len(market.order):,} graduates took a listed post")
    t0 = time.perf_counter()
    solution = solve(round_)
    t_all = time.perf_counter() - t0
    rank = solution.assignments["choice_rank"]
    print(f"whole mechanism (choices + commission by flow + solution + check): {t_all:.2f} s; "
          f"placed {solution.placed_total:,} ({int(rank.notna().sum()):,} by choice, first choice "
          f"{100 * (rank == 1).sum() / max(1, rank.notna().sum()):.1f} %, {int(rank.isna().sum()):,} by the "
          f"commission); obligated {solution.obligated_placed:,} of {solution.obligated_total:,}; weighted "
          f"deficit {solution.weighted_deficit_before:,.1f} -> {solution.weighted_deficit:,.1f}; "
          f"status {solution.status}; broken rules {len(solution.checks)}")
    print("timings (s):", {k: round(v, 3) for k, v in solution.timings.items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The justified-envy audit of a 50,000-graduate distribution (issue 13's target: at most 5 s).

    python benchmarks/bench_audit.py [--graduates 50000] [--facilities 3000] [--choices 10] [--runs 3]

A synthetic round of ``allocator generate`` (seed 1) gets random lists of up to ``--choices``
facilities with a vacancy of each graduate's specialty (seed 2, SYNTHETIC) and ratings; the
distribution audited is a random one that respects the places (each graduate placed with
probability 0.7 at a random post with a free place). Prints the median seconds of
:func:`allocator.mechanisms.audit.blocking_pairs` over ``--runs`` runs and the pairs found.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd


def build(graduates: int, facilities: int, choices: int):
    from allocator.generate import generate_round
    from allocator.validate import round_from_frames

    frames = generate_round(graduates, facilities, None, seed=1)
    frames["graduates"] = frames["graduates"].replace({"sponsor_region_id": {"": None}})
    rng = np.random.default_rng(2)
    g = frames["graduates"]
    vac = frames["vacancies"][frames["vacancies"]["vacancies"] > 0]
    g["rating"] = np.round(rng.normal(4.2, 0.4, len(g)), 2)
    by_spec = {s: grp["facility_id"].to_numpy() for s, grp in vac.groupby("specialty")}
    rows_g, rows_r, rows_f = [], [], []
    for gid, spec in zip(g["graduate_id"], g["specialty"]):
        posts = by_spec.get(spec)
        if posts is None:
            continue
        k = int(rng.integers(1, min(choices, len(posts)) + 1))
        picked = rng.choice(posts, size=k, replace=False)
        rows_g += [gid] * k
        rows_r += list(range(1, k + 1))
        rows_f += list(picked)
    prefs = pd.DataFrame({"graduate_id": rows_g, "rank": rows_r, "facility_id": rows_f})
    round_ = round_from_frames(**frames, preferences=prefs)
    left = {(f, s): int(n) for f, s, n in vac[["facility_id", "specialty", "vacancies"]].itertuples(index=False)}
    out = []
    for gid, spec in zip(g["graduate_id"], g["specialty"]):
        posts = by_spec.get(spec)
        if posts is None or rng.random() > 0.7:
            continue
        f = posts[int(rng.integers(len(posts)))]
        if left[(f, spec)] > 0:
            left[(f, spec)] -= 1
            out.append((gid, f, spec, None))
    assignments = pd.DataFrame(out, columns=["graduate_id", "facility_id", "specialty", "programme_id"])
    return round_, assignments


def main() -> None:
    from allocator.mechanisms.audit import blocking_pairs

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--graduates", type=int, default=50_000)
    ap.add_argument("--facilities", type=int, default=3_000)
    ap.add_argument("--choices", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    t0 = time.perf_counter()
    round_, assignments = build(args.graduates, args.facilities, args.choices)
    print(f"round: {len(round_.graduates):,} graduates, {len(round_.facilities):,} facilities, "
          f"{len(round_.preferences):,} preferences, {len(assignments):,} placed (built in "
          f"{time.perf_counter() - t0:.1f} s)")
    times = []
    for _ in range(args.runs):
        t = time.perf_counter()
        pairs = blocking_pairs(round_, assignments)
        times.append(time.perf_counter() - t)
    print(f"audit: {statistics.median(times):.2f} s median of {args.runs} "
          f"(min {min(times):.2f} s); {len(pairs):,} blocking pairs; target <= 5 s")


if __name__ == "__main__":
    main()

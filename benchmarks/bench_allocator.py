"""Time the allocation core on a generated round of a given size and print the figures.

    python benchmarks/bench_allocator.py [--graduates 3000] [--facilities 600] [--solvers flow,cbc,highs,cpsat]

The round: ``allocator generate``'s (allocator/generate.py, seed 1, facilities / 20
regions), max 100 km. Prints pairs, variables, constraints and seconds per phase
for each solver, in one process (benchmarks/bench_scale.py runs each in its own).
"""

from __future__ import annotations

import argparse
import resource
import time

from allocator import round_from_frames, solve
from allocator.generate import generate_round


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--graduates", type=int, default=3000)
    p.add_argument("--facilities", type=int, default=600)
    p.add_argument("--solvers", default="flow,cbc,highs,cpsat")
    p.add_argument("--time-limit", type=float, default=600)
    args = p.parse_args(argv)
    frames = generate_round(args.graduates, args.facilities, seed=1)
    frames["graduates"] = frames["graduates"].replace({"sponsor_region_id": {"": None}})
    print(f"round: {args.graduates} graduates, {args.facilities} facilities, "
          f"{int(frames['vacancies']['vacancies'].sum())} vacancies")
    for solver in args.solvers.split(","):
        t0 = time.perf_counter()
        round_ = round_from_frames(**frames, solver=solver, max_km=100.0, time_limit=args.time_limit)
        t_valid = time.perf_counter() - t0
        s = solve(round_)
        w, size = s.timings, s.model_size
        print(f"{solver:6s} status={s.status:9s} pairs={size.pairs} vars={size.variables} "
              f"rows={size.constraints} validate={t_valid:.2f}s build={w['build']:.2f}s "
              f"levels={w.get('obligated', 0):.2f}/{w.get('deficit', 0):.2f}/{w.get('km', 0):.2f}s "
              f"total={w['total']:.2f}s objective={tuple(lv.value for lv in s.levels)}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()

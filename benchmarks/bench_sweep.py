"""Time a sweep of N scenarios on the bundled Penza round with 1, 2, ... workers and print the figures.

    python benchmarks/bench_sweep.py [--scenarios 40,200] [--workers 1,2] [--dask]

The scenarios (flow solver): max_km x the doctors' budget x the KOMK group I weight x the
feldshers' quota, the first N of that product. Wall time is the whole run_sweep call
(pool or cluster start included, the round loaded once before); "solve" is the sum of the
rows' wall_s (applying and solving, in the workers). Issue 18's targets: 200 Penza scenarios
in <= 60 s; 2 workers >= 1.7x faster than 1 on 40 scenarios.
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

from allocator.sweep.grid import expand, grid_from_mapping
from allocator.sweep.runner import prestart, run_sweep
from allocator.validate import load_round

PENZA = Path(__file__).resolve().parents[1] / "data" / "penza"


def scenarios(round_, n: int):
    """The first ``n`` scenarios of a Penza grid large enough for any n up to 2,400."""
    grid = {"solver": ["flow"], "max_km": [80, 100, 120, 150, 200, 250, 300, 400],
            "programme.zemsky_doctor_2020.budget": [5e6, 1e7, 1.5e7, 2e7, 6.1e7],
            "weight_group.I": [1.5, 2.0, 2.5, 3.0, 4.0, 5.0],
            "programme.zemsky_feldsher_2020.quota": [5, 10, 15, 20, 26, 40, 60, 80, 100, 120]}
    specs = expand(grid_from_mapping({"grid": grid}, "bench"), round_)
    if n > len(specs):
        raise SystemExit(f"at most {len(specs)} scenarios")
    return list(itertools.islice(specs, n))


def main(argv=None) -> None:
    """Run the sweeps and print one line per (scenarios, workers)."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--scenarios", default="40,200", help="comma-separated scenario counts")
    p.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    p.add_argument("--dask", action="store_true", help="also on a Dask LocalCluster")
    args = p.parse_args(argv)
    started = time.perf_counter()
    prestart(wait=True)  # once per command, as `allocator sweep` does while it loads the round
    print(f"fork server ready in {time.perf_counter() - started:.2f} s (once per command; not in the walls below)")
    round_ = load_round(PENZA)
    executors = [None] + (["local"] if args.dask else [])
    for n in (int(x) for x in args.scenarios.split(",")):
        specs = scenarios(round_, n)
        for executor in executors:
            base = None
            for workers in (int(x) for x in args.workers.split(",")):
                started = time.perf_counter()
                rows = run_sweep(round_, specs, workers=workers, dask=executor)
                wall = time.perf_counter() - started
                base = base or wall
                solve = sum(r["wall_s"] for r in rows)
                bad = sum(r["status"] != "optimal" for r in rows)
                print(f"{n:5d} scenarios  {executor or 'pool':5s}  {workers} workers  wall {wall:6.2f} s  "
                      f"solve {solve:6.2f} s  {n / wall:5.1f} scenarios/s  speed-up {base / wall:4.2f}x"
                      f"  not optimal {bad}", flush=True)


if __name__ == "__main__":
    main()

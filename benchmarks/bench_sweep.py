"""Time sweeps with 1, 2, ... workers and print the figures: the bundled Penza round, or a generated one.

    python benchmarks/bench_sweep.py [--scenarios 40,200] [--workers 1,2] [--dask]
    python benchmarks/bench_sweep.py --round 50000x10000 --scenarios 20 --workers 2

Penza's scenarios (flow solver): max_km x the doctors' budget x the KOMK group I weight x the
feldshers' quota, the first N of that product. A generated round (a size of
benchmarks/bench_scale.py: seed 1, max_km 100) sweeps the Zemsky doctors' budget x the Zemsky
feldshers' budget, both binding (5 x 4 = 20 scenarios at most).

Wall time is the whole run_sweep call: the pairs built once (by the driver), the pool or
cluster started, every scenario solved. The fork server the pool forks its workers from is
started once per command before the walls (``allocator sweep`` starts it while it loads the
round); its start is printed. "solve" is the sum of the rows' wall_s (applying and solving, in
the workers). Issue 18's targets: 200 Penza scenarios in <= 60 s; 20 scenarios of the
50,000 x 10,000 round in <= 5 min; 2 workers >= 1.7x faster than 1 on 40 scenarios.
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

from bench_scale import SIZES, generated_round

from allocator.sweep.grid import expand, grid_from_mapping
from allocator.sweep.runner import prestart, run_sweep
from allocator.validate import load_round

PENZA = Path(__file__).resolve().parents[1] / "data" / "penza"
PENZA_GRID = {"solver": ["flow"], "max_km": [80, 100, 120, 150, 200, 250, 300, 400],
              "programme.zemsky_doctor_2020.budget": [5e6, 1e7, 1.5e7, 2e7, 6.1e7],
              "weight_group.I": [1.5, 2.0, 2.5, 3.0, 4.0, 5.0],
              "programme.zemsky_feldsher_2020.quota": [5, 10, 15, 20, 26, 40, 60, 80, 100, 120]}
# the generated round's Zemsky programmes fund 3,309 doctors and 2,492 feldshers: every value binds
GENERATED_GRID = {"solver": ["flow"], "programme.zemsky_doctor.budget": [1.5e9, 2e9, 2.5e9, 3e9, 3.309e9],
                  "programme.zemsky_feldsher.budget": [6e8, 9e8, 1.1e9, 1.246e9]}


def scenarios(round_, n: int, grid: dict = PENZA_GRID):
    """The first ``n`` scenarios of ``grid`` on ``round_``."""
    specs = expand(grid_from_mapping({"grid": grid}, "bench"), round_)
    if n > len(specs):
        raise SystemExit(f"at most {len(specs)} scenarios")
    return list(itertools.islice(specs, n))


def main(argv=None) -> None:
    """Run the sweeps and print one line per (scenarios, workers)."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--round", default="penza", choices=["penza", *SIZES], help="the bundled round or a size")
    p.add_argument("--scenarios", default="40,200", help="comma-separated scenario counts")
    p.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    p.add_argument("--dask", action="store_true", help="also on a Dask LocalCluster")
    args = p.parse_args(argv)
    started = time.perf_counter()
    prestart(wait=True)  # once per command, as `allocator sweep` does while it loads the round
    print(f"fork server ready in {time.perf_counter() - started:.2f} s (once per command; not in the walls below)")
    started = time.perf_counter()
    if args.round == "penza":
        round_, grid = load_round(PENZA), PENZA_GRID
    else:
        round_, grid = generated_round(*SIZES[args.round]), GENERATED_GRID
    print(f"{args.round}: {len(round_.graduates):,} graduates, {len(round_.facilities):,} facilities, "
          f"loaded in {time.perf_counter() - started:.2f} s", flush=True)
    executors = [None] + (["local"] if args.dask else [])
    for n in (int(x) for x in args.scenarios.split(",")):
        specs = scenarios(round_, n, grid)
        for executor in executors:
            base = None
            for workers in (int(x) for x in args.workers.split(",")):
                started = time.perf_counter()
                rows = run_sweep(round_, specs, workers=workers, dask=executor)
                wall = time.perf_counter() - started
                base = base or wall
                solve = sum(r["wall_s"] for r in rows)
                bad = sum(r["status"] != "optimal" for r in rows)
                print(f"{n:5d} scenarios  {executor or 'pool':5s}  {workers} workers  wall {wall:7.2f} s  "
                      f"solve {solve:7.2f} s  {n / wall:5.1f} scenarios/s  speed-up {base / wall:4.2f}x"
                      f"  not optimal {bad}", flush=True)


if __name__ == "__main__":
    main()

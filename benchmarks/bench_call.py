"""The whole ``allocator solve`` call, stage by stage: where the seconds outside the engine go.

    python benchmarks/bench_call.py                      # generates 10,000 x 3,000 (seed 1) once
    python benchmarks/bench_call.py --round data/penza --runs 5
    python benchmarks/bench_call.py --regions 50         # a denser country: about 1.1 M pairs

Two figures per stage, each the median of ``--runs`` runs:

1. **in process**: one fresh Python process per run does what ``allocator solve
   ROUND --out DIR --db sqlite:///...`` does, with a ``time.perf_counter`` clock
   around each stage: imports (allocator's CLI path, as the command imports
   it), reading the files, validation, allowed pairs, the engine, the solution
   checker, the solution frames (with the unplaced reasons), the csv/json
   files, the xlsx workbook and recording the run in an SQLite store (one that
   exists already, as a planner's does after the first run).
   A stage is timed by wrapping the library function that does it (by module
   and name); a function that is not found is shown as ``-``.
2. **whole command**: the wall time of ``allocator solve`` itself as a
   subprocess (``--no-store`` and with that SQLite store), which also counts
   the interpreter's start.

"other" is the in-process total less the stages (the hooks, temporary folders).

"outside the engine, in process" is each run's total less its engine (median over runs);
"command - engine" is the median command (with the store) less the median engine, which
adds the interpreter's start but mixes figures of different processes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("imports", "reading", "validation", "pairs", "engine", "checker", "solution frames",
          "  of which unplaced reasons", "csv/json", "xlsx", "store", "other", "total in process")
# stage -> (module, function) wrapped with a clock; the first found is used
HOOKS = {
    "pairs": [("allocator.solve", "allowed_pairs")],
    "checker": [("allocator.solve", "broken_rules"), ("allocator.solve", "check_solution")],
    "solution frames": [("allocator.solve", "make_solution")],
    "  of which unplaced reasons": [("allocator.solution", "unplaced_reasons")],
    "xlsx": [("allocator.output", "_workbook")],
}


def _child(round_dir: str, max_km: float | None, db: str) -> dict:
    """One run of the call in this process; returns seconds per stage."""
    import importlib

    t = {}
    t0 = time.perf_counter()
    from allocator.io import read_round
    from allocator.output import write_solution
    from allocator.solve import solve
    from allocator.store import open_store
    from allocator.store.spool import keep_run
    from allocator.validate import validate
    t["imports"] = time.perf_counter() - t0

    for stage, candidates in HOOKS.items():
        for module_name, name in candidates:
            module = importlib.import_module(module_name)
            if hasattr(module, name):
                setattr(module, name, _clocked(getattr(module, name), stage, t))
                break

    t1 = time.perf_counter()
    raw = read_round(round_dir)
    t["reading"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    overrides = {} if max_km is None else {"max_km": max_km}
    round_ = validate(raw, **overrides)
    t["validation"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    solution = solve(round_)
    inside = time.perf_counter() - t1
    t["engine"] = inside - sum(t.get(s, 0.0) for s in ("pairs", "checker", "solution frames"))
    t["engine reported"] = _engine_reported(solution)
    t["pairs count"] = _summary(solution)["model"]["pairs"]
    with tempfile.TemporaryDirectory() as tmp:
        t1 = time.perf_counter()
        write_solution(solution, Path(tmp) / "out")
        t["csv/json"] = time.perf_counter() - t1 - t.get("xlsx", 0.0)
        t1 = time.perf_counter()
        store = open_store(db)
        kept = keep_run(store, round_, solution, source=round_dir)
        store.dispose()
        t["store"] = time.perf_counter() - t1
        assert kept.stored, kept
    t["total in process"] = time.perf_counter() - t0
    t["other"] = t["total in process"] - sum(t[s] for s in STAGES if s in t and not s.startswith((" ", "total")))
    return t


def _clocked(func, stage: str, t: dict):
    def wrapper(*args, **kwargs):
        t1 = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            t[stage] = t.get(stage, 0.0) + time.perf_counter() - t1
    return wrapper


def _summary(solution) -> dict:
    s = solution.summary
    return s if isinstance(s, dict) else s()  # a typed Solution may make it on demand


def _engine_reported(solution) -> float:
    wall = _summary(solution)["wall_time_s"]
    return float(wall.get("levels", wall.get("total", 0.0)))


def _command(round_dir: str, max_km: float | None, db: str | None) -> float:
    exe = Path(sys.executable).with_name("allocator")
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [str(exe), "solve", round_dir, "--out", f"{tmp}/out", "-q"]
        cmd += ["--db", db] if db else ["--no-store"]
        if max_km is not None:
            cmd += ["--max-km", str(max_km)]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr}")
    return wall


def _generated(graduates: int, facilities: int, regions: int | None) -> str:
    folder = Path(tempfile.gettempdir()) / f"bench_call_{graduates}x{facilities}r{regions or 'default'}"
    if not (folder / "graduates.csv").exists():
        cmd = [str(Path(sys.executable).with_name("allocator")), "generate", "--graduates", str(graduates),
               "--facilities", str(facilities), "--seed", "1", str(folder)]
        subprocess.run(cmd + (["--regions", str(regions)] if regions else []), check=True, capture_output=True)
    return str(folder)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--round", help="a round folder (default: a generated 10,000 x 3,000 round)")
    p.add_argument("--regions", type=int, help="regions of the generated round (default: facilities / 20)")
    p.add_argument("--max-km", type=float, help="override the scenario's max_km (a wider reach, more pairs)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--db", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    round_dir = args.round or _generated(10_000, 3_000, args.regions)
    if args.child:
        print(json.dumps(_child(round_dir, args.max_km, args.db)))
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/runs.sqlite"
        _command(round_dir, args.max_km, db)  # makes the store, and warms the file cache
        runs = []
        for _ in range(args.runs):
            cmd = [sys.executable, __file__, "--child", "--round", round_dir, "--db", db]
            if args.max_km is not None:
                cmd += ["--max-km", str(args.max_km)]
            done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        walls = {"command, --no-store": [_command(round_dir, args.max_km, None) for _ in range(args.runs)],
                 "command, SQLite store": [_command(round_dir, args.max_km, db) for _ in range(args.runs)]}

    def med(values):
        return statistics.median(values) if values else float("nan")

    print(f"round {round_dir}: {int(runs[0]['pairs count']):,} pairs; median of {args.runs} runs; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"{'stage':30} {'seconds':>8}")
    for stage in STAGES:
        values = [r[stage] for r in runs if stage in r]
        print(f"{stage:30} {med(values):8.3f}" if values else f"{stage:30} {'-':>8}")
    print(f"{'engine as it reports':30} {med([r['engine reported'] for r in runs]):8.3f}")
    for name, values in walls.items():
        print(f"{name:30} {med(values):8.3f}")
    inside = med([r["total in process"] - r["engine"] for r in runs])
    print(f"{'outside the engine, in process':30} {inside:8.3f}")
    outside = med(walls["command, SQLite store"]) - med([r["engine"] for r in runs])
    print(f"{'command - engine':30} {outside:8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

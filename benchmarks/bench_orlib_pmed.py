"""OR-Library uncapacitated p-median (Beasley 1985): pmed1–pmed40 solved and proven by
``network.pmedian_exact.solve_p_median_exact`` against the published optima.

    python benchmarks/bench_orlib_pmed.py                       # all 40, in order
    python benchmarks/bench_orlib_pmed.py --instances pmed35 pmed40
    python benchmarks/bench_orlib_pmed.py --time-limit 60 --plain   # also the plain model (slow)
    python benchmarks/bench_orlib_pmed.py --api       # also network.solve_p_median from tables

The instance files are read from ``../shared/benchmarks/orlib-pmed`` beside the checkout (see its
README); nothing is copied into the repository. Each instance runs in a fresh child process, one at a
time, so the peak memory printed (ru_maxrss of that child) and the time are the instance's own. Time
is the solve only (reading the file and the shortest paths are printed apart).
"""

import argparse
import json
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PMED = ROOT.parent / "shared" / "benchmarks" / "orlib-pmed"


def optima():
    """Published optimum per instance (network.pmedian_exact.read_orlib_optima)."""
    from network.pmedian_exact import read_orlib_optima

    return read_orlib_optima(PMED / "pmedopt.txt")


def _tables(d):
    """The dense matrix as solve_p_median's tables: every vertex a client of weight 1 and a site."""
    import numpy as np
    import pandas as pd

    n = d.shape[0]
    demand = pd.DataFrame({"demand_id": range(n), "population": 1.0})
    pairs = pd.DataFrame({"demand_id": np.repeat(np.arange(n), n), "site_id": np.tile(np.arange(n), n),
                          "cost": d.ravel()})
    return demand, pairs, pd.DataFrame({"site_id": range(n), "existing": False})


def _run(name, time_limit, plain, api, out):
    from network.pmedian_exact import read_orlib_pmed, solve_p_median_exact

    t0 = time.perf_counter()
    d, p = read_orlib_pmed(PMED / f"{name}.txt")
    t1 = time.perf_counter()
    r = solve_p_median_exact(d, p, time_limit=time_limit)
    t2 = time.perf_counter()
    row = dict(name=name, n=d.shape[0], p=p, value=r.value, proven=bool(r.proven), bound=r.bound,
               read_s=t1 - t0, solve_s=t2 - t1, lp_bound=r.info.get("lp_bound"))
    if api:  # the public call, from tables: network.solve_p_median (method "auto" = the radius method)
        from network import solve_p_median

        t3 = time.perf_counter()
        sol = solve_p_median(*_tables(d), p, time_limit=time_limit)
        row.update(api_value=sol.objective_value, api_status=str(sol.status), api_s=time.perf_counter() - t3)
    if plain:
        from network import solve_p_median

        sol = solve_p_median(*_tables(d), p, time_limit=time_limit, method="plain")
        row.update(plain_value=sol.objective_value, plain_status=str(sol.status), plain_s=sol.runtime_s)
    row["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.put(row)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--instances", nargs="+", default=[f"pmed{k}" for k in range(1, 41)])
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance (default 60)")
    ap.add_argument("--plain", action="store_true", help="also run the plain dense model of network.models")
    ap.add_argument("--api", action="store_true",
                    help="also solve through network.solve_p_median (tables in, the radius method by default)")
    ap.add_argument("--json", help="write the rows to this file too")
    args = ap.parse_args(argv)
    if not (PMED / "pmedopt.txt").exists():
        sys.exit(f"OR-Library pmed instances not found in {PMED}")
    opt = optima()
    ctx = mp.get_context("spawn")
    print(f"{'instance':9} {'n':>4} {'p':>4} {'value':>8} {'optimum':>8} {'ok':>3} {'proven':>6} "
          f"{'time s':>7} {'read s':>6} {'peak MB':>8}" + ("  api (value, status, s)" if args.api else "")
          + ("  plain (value, status, s)" if args.plain else ""),
          flush=True)
    rows = []
    for name in args.instances:
        q = ctx.Queue()
        proc = ctx.Process(target=_run, args=(name, args.time_limit, args.plain, args.api, q))
        proc.start()
        row = q.get()
        proc.join()
        row["optimum"] = opt.get(name)
        rows.append(row)
        ok = "yes" if row["value"] == row["optimum"] else "NO"
        line = (f"{name:9} {row['n']:4d} {row['p']:4d} {row['value']:8.0f} {row['optimum']:8.0f} {ok:>3} "
                f"{'yes' if row['proven'] else 'no':>6} {row['solve_s']:7.1f} {row['read_s']:6.2f} "
                f"{row['peak_mb']:8.0f}")
        if args.api:
            line += f"  {row['api_value']:.0f} {row['api_status']} {row['api_s']:.1f}"
        if args.plain:
            line += f"  {row['plain_value']:.0f} {row['plain_status']} {row['plain_s']:.1f}"
        print(line, flush=True)
    n_ok = sum(r["value"] == r["optimum"] and r["proven"] for r in rows)
    slow = [r["name"] for r in rows if r["solve_s"] > args.time_limit]
    print(f"{n_ok}/{len(rows)} proven at the published optimum; max time {max(r['solve_s'] for r in rows):.1f} s"
          + (f"; over {args.time_limit:.0f} s: {', '.join(slow)}" if slow else ""))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()

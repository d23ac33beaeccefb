"""Time the forecast on a generated plan (synthetic: random figures, seed 1) and print the figures.

    python benchmarks/bench_forecast.py [--regions 20] [--specialties 40] [--horizon 15] [--budget-share 0.5]

Issue 14's targets: 20 regions x 40 specialties x 15 years: the projection in at most 1 s, the
optimal admissions proven in at most 30 s. The plan: staff 5..200 per cell, need 10 %..60 % above
it and growing, exits 3..12 % a year, training 2..6 years, a cap per specialty of about a fifth
of its total base deficit, and (with --budget-share) a yearly budget of that share of what the
caps would cost, so the budget binds too.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from allocator.forecast import load_plan, make_plan
from allocator.forecast.project import dynamics, projection_table


def write_plan(folder: Path, regions: int, specialties: int, horizon: int, budget_share: float, seed: int = 1):
    """A synthetic plan folder of the given size (module docstring)."""
    rng = np.random.default_rng(seed)
    reg = [f"r{i:02d}" for i in range(regions)]
    spec = [f"s{j:02d}" for j in range(specialties)]
    lines = {"regions": ["region_id,name,weight"] + [f"{r},Region {r},{rng.integers(1, 4)}" for r in reg],
             "workforce": ["region_id,specialty,year,persons"], "need": ["region_id,specialty,year,need"],
             "training": ["specialty,years,max_admissions,completion_rate,cost"], "exits": ["specialty,exit_rate"]}
    cap_cost = 0.0
    for s in spec:
        gap = 0.0
        for r in reg:
            persons = int(rng.integers(5, 200))
            need = persons * rng.uniform(1.1, 1.6)
            lines["workforce"].append(f"{r},{s},2025,{persons}")
            lines["need"].append(f"{r},{s},2025,{need:.1f}")
            lines["need"].append(f"{r},{s},{2025 + horizon},{need * rng.uniform(1.0, 1.3):.1f}")
            gap += need - persons
        cap = max(1, int(gap / 5))
        cost = int(rng.integers(2, 20)) * 100_000
        cap_cost += cap * cost
        lines["training"].append(f"{s},{int(rng.integers(2, 7))},{cap},{rng.uniform(0.7, 0.95):.2f},{cost}")
        lines["exits"].append(f"{s},{rng.uniform(0.03, 0.12):.3f}")
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in lines.items():
        (folder / f"{name}.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    budget = f"budget = {int(cap_cost * budget_share)}\n" if budget_share > 0 else ""
    (folder / "forecast.toml").write_text(f"base_year = 2025\nhorizon = {horizon}\n{budget}", encoding="utf-8")


def main(argv=None) -> None:
    """Generate, load, project, apply the rule and optimise; print one line per stage."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--regions", type=int, default=20)
    p.add_argument("--specialties", type=int, default=40)
    p.add_argument("--horizon", type=int, default=15)
    p.add_argument("--budget-share", type=float, default=0.5)
    p.add_argument("--time-limit", type=float, default=30.0, help="seconds for the optimiser (default 30)")
    p.add_argument("--gap", type=float, default=0.0, help="relative MIP gap accepted (default 0)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "plan"
        write_plan(folder, args.regions, args.specialties, args.horizon, args.budget_share)
        started = time.perf_counter()
        plan = load_plan(folder, time_limit=args.time_limit, gap=args.gap)
        print(f"load: {time.perf_counter() - started:.2f} s ({args.regions} regions x {args.specialties} "
              f"specialties x {args.horizon} years, synthetic)")
    started = time.perf_counter()
    dyn = dynamics(plan)
    table = projection_table(dyn, np.zeros(dyn.shape))
    print(f"projection: {time.perf_counter() - started:.3f} s ({len(table):,} rows)")
    for rule in ("none", "seed004", "optimal"):
        started = time.perf_counter()
        result = make_plan(plan, rule)
        proof = "; ".join(f"{k}: {v['status']} {v['value']:.8g} (bound {v['bound']:.8g}, gap {v['gap']:.1e}, "
                          f"{v['seconds']:.2f} s)" for k, v in result.proof.items())
        print(f"{rule:8s}: {time.perf_counter() - started:6.2f} s  weighted deficit {result.weighted_deficit:12.2f}  "
              f"cost {result.cost:14,.0f}  admitted {int(result.admitted.sum()):6d}  {proof}", flush=True)


if __name__ == "__main__":
    main()

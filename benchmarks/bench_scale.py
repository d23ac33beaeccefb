"""National-scale rounds: our flow engine against the naive PuLP/CBC model, same run, same data.

    python benchmarks/bench_scale.py                       # 2k x 500, 10k x 3k, 50k x 10k
    python benchmarks/bench_scale.py --sizes 2000x500 --naive-limit 600

Per size it generates a round (``allocator generate``'s generator, seed 1,
programme quotas that bind), then solves it in a fresh process per engine so
that each peak memory is its own:

- ``flow``: ``allocator.solve`` with solver=flow (grouped graduates, min-cost
  flow, HiGHS column generation; see allocator/flow.py);
- ``naive``: what a planner writes first: one PuLP binary variable per
  allowed pair created in a Python loop, constraints summed in loops, the
  three levels solved one after another by CBC, each fixed before the next.
  It gets the same allowed pairs and the same integer-scaled coefficients
  (weights x 1e4, metres) so the optimal values must be equal.

Printed per engine: candidate pairs, model build s, solve s, total s, peak
memory (MB), status, each objective level and the gap; then the ratio of
total times and whether the values are identical. The naive model gets
--naive-limit seconds in all (default 1800); it is skipped above
--naive-max-pairs pairs (default 1,000,000), where its model alone would
take tens of GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

SIZES = {"2000x500": (2000, 500, 40), "10000x3000": (10000, 3000, 150), "50000x10000": (50000, 10000, 500)}


def generated_round(graduates: int, facilities: int, regions: int):
    """The generated round of one size: seed 1, max_km 100 (the flow and naive runs solve the same)."""
    from allocator import round_from_frames
    from allocator.generate import generate_round

    frames = generate_round(graduates, facilities, regions, seed=1)
    frames["graduates"] = frames["graduates"].replace({"sponsor_region_id": {"": None}})
    return round_from_frames(**frames, max_km=100.0)


def run_flow(size: str) -> dict:
    from allocator import solve

    round_ = generated_round(*SIZES[size])
    round_ = round_.with_scenario(round_.scenario.replace(solver="flow"))
    started = time.perf_counter()
    solution = solve(round_)
    total = time.perf_counter() - started
    s = solution
    wall = s.timings
    return {
        "pairs": s.model_size.pairs, "build_s": wall["build"], "solve_s": wall["levels"], "total_s": total,
        "status": str(s.status), "gap": s.gap,
        "levels": [s.obligated_placed, round(s.weighted_deficit, 4), round(s.km_objective, 3)],
    }


def run_naive(size: str, limit: float) -> dict:
    import pulp

    from allocator.pairs import allowed_pairs, deficit_cells
    from allocator.scaling import KM_SCALE, budget_row, weight_max, weight_units

    round_ = generated_round(*SIZES[size])
    started = time.perf_counter()
    table = allowed_pairs(round_).table
    cells = deficit_cells(round_)
    w_max = weight_max(cells["weight"], cells["vacancies"])
    prob = pulp.LpProblem("naive", pulp.LpMaximize)
    x, per_grad, per_slot, per_prog = [], {}, {}, {}
    obligated, deficit, km = [], [], []
    for i, row in enumerate(table.itertuples(index=False)):
        v = pulp.LpVariable(f"x{i}", cat="Binary")
        x.append(v)
        per_grad.setdefault(row.graduate_id, []).append(v)
        per_slot.setdefault((row.facility_id, row.specialty), []).append(v)
        if isinstance(row.programme_id, str):
            per_prog.setdefault(row.programme_id, []).append((v, row.payment))
        obligated.append(int(row.obligated) * v)
        deficit.append(int(weight_units([row.weight], w_max)[0]) * v)
        km.append(round(row.km * KM_SCALE) * v)
    for vs in per_grad.values():
        prob += pulp.lpSum(vs) <= 1
    vac = round_.vacancies.set_index(["facility_id", "specialty"])["vacancies"]
    for key, vs in per_slot.items():
        prob += pulp.lpSum(vs) <= int(vac[key])
    programmes = round_.programmes.set_index("programme_id")
    for pid, items in per_prog.items():
        prog = programmes.loc[pid]
        if prog["quota"] == prog["quota"]:  # not NaN
            prob += pulp.lpSum(v for v, _ in items) <= int(prog["quota"])
        if prog["budget"] == prog["budget"]:
            coef, bound = budget_row([pay for _, pay in items], prog["budget"])
            prob += pulp.lpSum(int(c) * v for c, (v, _) in zip(coef, items)) <= bound
    build = time.perf_counter() - started
    values, status = [], "optimal"
    for objective, sense in ((obligated, pulp.LpMaximize), (deficit, pulp.LpMaximize), (km, pulp.LpMinimize)):
        left = limit - (time.perf_counter() - started)
        if left <= 0:
            status = "time_limit"
            break
        expr = pulp.lpSum(objective)
        prob.sense = sense
        prob.setObjective(expr)
        code = prob.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=left))
        if pulp.LpStatus[code] != "Optimal" or prob.sol_status != pulp.LpSolutionOptimal:
            status = "time_limit"
            break
        value = round(pulp.value(expr))
        values.append(value)
        prob += (expr >= value) if sense == pulp.LpMaximize else (expr <= value)
    total = time.perf_counter() - started
    chosen = table[[v.value() is not None and v.value() > 0.5 for v in x]] if status == "optimal" else None
    levels = None
    if chosen is not None:
        from allocator.solution import deficit_penalty

        placed = chosen.groupby(["region_id", "specialty"]).size()
        placed = placed.reindex(list(zip(cells["region_id"], cells["specialty"]))).fillna(0).to_numpy()
        after = deficit_penalty(cells["vacancies"].to_numpy() - placed, cells["vacancies"], cells["weight"], False)
        levels = [int(values[0]), round(float(after.sum()), 4), round(values[2] / KM_SCALE, 3)]
    return {"pairs": len(table), "build_s": build, "solve_s": total - build, "total_s": total,
            "status": status, "gap": None, "levels": levels}


def _child(engine: str, size: str, limit: float) -> dict:
    cmd = [sys.executable, __file__, "--child", engine, "--sizes", size, "--naive-limit", str(limit)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        return {"status": "error", "error": out.stderr.strip().splitlines()[-1:] or ["?"]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default=",".join(SIZES), help=f"comma-separated, of {', '.join(SIZES)}")
    p.add_argument("--naive-limit", type=float, default=1800.0, help="seconds for the naive model in all")
    p.add_argument("--naive-max-pairs", type=int, default=1_000_000)
    p.add_argument("--child", choices=("flow", "naive"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    sizes = args.sizes.split(",")
    if args.child:
        result = run_flow(sizes[0]) if args.child == "flow" else run_naive(sizes[0], args.naive_limit)
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    print(f"{'size':>12} {'engine':>6} {'pairs':>9} {'build s':>8} {'solve s':>8} {'total s':>8} "
          f"{'peak MB':>8} {'status':>10}  levels (obligated placed, weighted deficit, km); gap")
    for size in sizes:
        flow = _child("flow", size, args.naive_limit)
        _print(size, "flow", flow)
        if flow.get("pairs", 0) > args.naive_max_pairs:
            print(f"{size:>12} {'naive':>6} skipped: {flow['pairs']:,} pairs > --naive-max-pairs")
            continue
        naive = _child("naive", size, args.naive_limit)
        _print(size, "naive", naive)
        if naive.get("status") == "optimal" and flow.get("status") == "optimal":
            same = "identical" if naive["levels"] == flow["levels"] else "DIFFERENT"
            print(f"{size:>12} ratio naive/flow total time: {naive['total_s'] / flow['total_s']:.1f}x; "
                  f"optimal values {same}")
        else:
            print(f"{size:>12} naive model did not finish within {args.naive_limit:.0f} s: "
                  f"ratio at least {args.naive_limit / flow.get('total_s', float('nan')):.1f}x")
        sys.stdout.flush()


def _print(size: str, engine: str, r: dict) -> None:
    if r.get("status") == "error":
        print(f"{size:>12} {engine:>6} failed: {r['error']}")
        return
    print(f"{size:>12} {engine:>6} {r['pairs']:>9,} {r['build_s']:>8.2f} {r['solve_s']:>8.2f} "
          f"{r['total_s']:>8.2f} {r['peak_mb']:>8.0f} {r['status']:>10}  {r['levels']}; gap {r['gap']}",
          flush=True)


if __name__ == "__main__":
    main()

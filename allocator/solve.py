"""The lexicographic solve: pairs -> model -> backend, three levels, one result."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .backends import make_backend
from .model import build
from .pairs import allowed_pairs, deficit_cells
from .problem import Round
from .scaling import KM_SCALE
from .solution import Solution, make_solution
from .verify import SolutionError, broken_rules

log = logging.getLogger(__name__)

LEVELS = ("obligated", "deficit", "km")
# Measured (benchmarks/bench_allocator.py): CP-SAT proves Penza's 2,438 pairs in ~1.2 s
# but not 29,975 pairs in 150 s, where CBC needs ~4 s and the flow engine ~0.4 s.
CPSAT_COMFORT_PAIRS = 20_000


def solve(round_: Round, log_path: str | Path | None = None, progress=None) -> Solution:
    """Solve a validated round with the solver, time limit and options of its scenario.

    ``progress``: optional callable(fraction 0..1, message) for UIs.
    ``log_path``: where the solver writes its log (appended).
    Every solution is checked against the round's rules (:mod:`allocator.verify`) before
    it is returned; one that breaks a rule raises :class:`allocator.verify.SolutionError`.
    """
    solution = _solve(round_, log_path, progress)
    broken = broken_rules(round_, solution.assignments)
    if broken:
        raise SolutionError(round_.scenario.solver, broken)
    return solution


def _solve(round_: Round, log_path, progress) -> Solution:
    say = progress or (lambda fraction, message: None)
    scenario = round_.scenario
    started = time.perf_counter()
    deadline = None if scenario.time_limit is None else started + scenario.time_limit

    say(0.05, "building allowed pairs")
    pairs = allowed_pairs(round_)
    cells = deficit_cells(round_)
    n_pairs = pairs.n_pairs
    log.info("%d allowed pairs for %d graduates (%d groups)", n_pairs, len(round_.graduates), len(pairs.groups))
    if scenario.solver == "cpsat" and n_pairs > CPSAT_COMFORT_PAIRS:
        log.warning("CP-SAT is slow on rounds of more than %d pairs (this one has %d); "
                    "flow, cbc or highs prove such rounds much faster", CPSAT_COMFORT_PAIRS, n_pairs)
    if scenario.solver == "flow":
        return _solve_flow(round_, pairs, cells, started, deadline, say, log_path)
    say(0.15, f"building the model: {len(pairs.table)} pairs")
    model = build(pairs.table, round_.vacancies, round_.programmes, cells, scenario.diminishing_returns)
    backend = make_backend(scenario.solver, model, scenario.threads, log_path)
    timings = {"build": time.perf_counter() - started}

    # status/gap: "optimal" with gap 0 until a level is not proven; then the gap of
    # the first unproven level (None where the solver reports no bound).
    status, gap, solved = "optimal", 0.0, False
    x, values = np.zeros(model.n_vars, dtype=bool), {}
    for k, name in enumerate(LEVELS):
        coef, maximise = model.objectives[name]
        if not coef.any():  # nothing to optimise at this level (e.g. no obligated graduates)
            values[name] = 0.0
            continue
        remaining = None if deadline is None else deadline - time.perf_counter()
        result = None
        if remaining is None or remaining > 0:
            say(0.2 + 0.25 * k, f"level {k + 1}/3: {name}")
            t0 = time.perf_counter()
            result = backend.solve(coef, maximise, remaining)
            timings[name] = time.perf_counter() - t0
            log.info("level %s: %s value=%s (%.2fs)", name, result.status, result.value, timings[name])
        if result is None or result.status in ("infeasible", "time_limit"):
            log.warning("level %s not solved: %s", name, "no time left" if result is None else result.status)
            if not solved:
                status, gap = ("time_limit" if result is None else result.status), None
            elif status == "optimal":
                status, gap = "feasible", None  # an earlier level's solution, this level unproven
            break
        solved, x, values[name] = True, result.x, result.value
        if result.status == "feasible" and status == "optimal":
            status, gap = "feasible", result.gap
        if k + 1 < len(LEVELS):
            backend.fix(coef, result.value, maximise)
    timings["total"] = time.perf_counter() - started
    say(0.95, "writing the solution")
    return make_solution(round_, pairs, model, pairs.table.loc[x[: len(pairs.table)]], status=status, gap=gap,
                         timings=timings,
                         km_objective=values["km"] / KM_SCALE if "km" in values else None)


@dataclass(frozen=True)
class _Size:
    n_vars: int
    n_rows: int


def _solve_flow(round_: Round, pairs, cells, started: float, deadline, say, log_path) -> Solution:
    from .flow import solve_round

    say(0.2, f"network flow over {len(pairs.arcs)} grouped pairs")
    timings = {"build": time.perf_counter() - started}
    t0 = time.perf_counter()
    handler = None
    if log_path is not None:  # the engine's own account of each level is its solver log
        handler = logging.FileHandler(log_path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        handler.setLevel(logging.DEBUG)
        flow_log = logging.getLogger("allocator.flow")
        flow_log.addHandler(handler)
        old_level = flow_log.level
        flow_log.setLevel(logging.DEBUG)
    try:
        run = solve_round(pairs, round_.vacancies, cells, round_.programmes,
                          round_.scenario.diminishing_returns, deadline)
    finally:
        if handler is not None:
            flow_log.removeHandler(handler)
            flow_log.setLevel(old_level)
            handler.close()
    timings["levels"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - started
    log.info("flow engine: %s (%s)", run.status, ", ".join(f"{k} by {v}" for k, v in run.methods.items()))
    say(0.95, "writing the solution")
    gap = run.gap
    return make_solution(round_, pairs, _Size(run.n_arcs, run.n_nodes), run.chosen, status=run.status, gap=gap,
                         timings=timings,
                         km_objective=run.values["km"] / KM_SCALE if "km" in run.values else None)

"""The lexicographic solve: pairs -> model or network -> engine -> levels -> checked solution.

One level loop serves every engine (:func:`allocator.driver.run_levels`, whose
docstring states what a time limit or an unproven level means); this module
builds the engine the scenario asks for, reports typed progress events
(:class:`allocator.status.Progress`) and checks the solution against the
round's rules (:mod:`allocator.check`), recording the result in it.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from pathlib import Path

from .backends import MatrixEngine, make_backend
from .check import SolutionError, broken_rules
from .couples import bound_couples
from .driver import LEVELS, DriverRun, run_levels
from .messages import Problem
from .model import build
from .pair_cache import PairCache
from .pairs import allowed_pairs, deficit_cells
from .problem import Round
from .scaling import KM_SCALE, weight_max, weight_value
from .solution import ModelSize, Solution, make_solution
from .status import Progress, Status

__all__ = ["LEVELS", "level_states", "solve"]

log = logging.getLogger(__name__)

# Measured (benchmarks/bench_allocator.py): CP-SAT proves Penza's 2,438 pairs in ~1.2 s
# but not 29,975 pairs in 150 s, where CBC needs ~4 s and the flow engine ~0.4 s.
CPSAT_COMFORT_PAIRS = 20_000


def solve(round_: Round, log_path: str | Path | None = None, progress=None,
          pair_cache: PairCache | None = None) -> Solution:
    """Solve a validated round with the solver, time limit and options of its scenario.

    ``progress``: optional callable receiving :class:`allocator.status.Progress` events
    (stage code, fraction 0..1, parameters; :func:`allocator.status.describe` renders them).
    ``log_path``: where the solver writes its log (appended).
    ``pair_cache``: allowed pairs kept from earlier rounds (:class:`allocator.pair_cache.PairCache`,
    a sweep's); the same solution as without, built faster when the pairs are kept.
    Couples (``graduates.partner_id``, :mod:`allocator.couples`) are placed in one region or not
    at all: the matrix engines carry the rows of :func:`allocator.model.build`; a round with
    couples asked of the flow engine is solved by HiGHS instead (a warning, ``couples_by_highs``,
    says so, and ``solver`` reads ``highs``). Every solution is checked against the round's rules
    (:mod:`allocator.check`, couples included) before it is returned, and the (empty) list of
    broken rules is kept in ``solution.checks``; one that breaks a rule raises
    :class:`allocator.check.SolutionError`.

    The scenario's ``mechanism`` chooses how posts are distributed: ``assign`` (default) by the
    lexicographic model; ``choice`` by graduates choosing in rating order, the commission
    placing the obligated graduates left by this same model
    (:func:`allocator.mechanisms.choice.solve_choice`, checked there); ``menu`` by choice on the
    posts offered that do best (:func:`allocator.mechanisms.menu.solve_menu`).
    """
    if round_.scenario.mechanism == "choice":
        from .mechanisms.choice import solve_choice

        return solve_choice(round_, assign=solve, progress=progress, log_path=log_path)
    if round_.scenario.mechanism == "menu":
        from .mechanisms.menu import solve_menu

        return solve_menu(round_, assign=solve, progress=progress, log_path=log_path,
                          time_limit=round_.scenario.time_limit)
    couples = bound_couples(round_.graduates)
    if len(couples) and round_.scenario.solver == "flow":
        round_ = _couples_by_highs(round_, len(couples))
    solution = _solve(round_, log_path, progress or (lambda event: None), pair_cache, couples)
    broken = broken_rules(round_, solution.assignments, couples=True)
    if broken:
        raise SolutionError(round_.scenario.solver, broken)
    return dataclasses.replace(solution, checks=tuple(broken))


def _couples_by_highs(round_: Round, n: int) -> Round:
    """The round to solve by HiGHS instead of the flow engine: a couple's one-region rows are no
    network (a graduate is no longer one of a group of equals), so the matrix model of
    :mod:`allocator.model` carries them; the run says so in its warnings."""
    log.info("%d couple(s): solved by HiGHS with the couple rows instead of the flow engine", n)
    note = Problem.of("graduates", None, "partner_id", "couples_by_highs", count=n)
    return dataclasses.replace(round_, scenario=dataclasses.replace(round_.scenario, solver="highs"),
                               warnings=tuple(round_.warnings) + (note,))


def level_states(run: DriverRun) -> dict:
    """Level name -> (status, method) of a driver run, for :func:`allocator.solution.make_solution`."""
    out = {}
    for lv in run.levels:
        if lv.skipped:
            out[lv.name] = (Status.OPTIMAL, "empty")
        elif lv.result is not None:
            out[lv.name] = (lv.result.status, lv.result.method or None)
    return out


def _solve(round_: Round, log_path, say, pair_cache, couples) -> Solution:
    scenario = round_.scenario
    started = time.perf_counter()
    deadline = None if scenario.time_limit is None else started + scenario.time_limit

    say(Progress("pairs", 0.05))
    pairs = allowed_pairs(round_) if pair_cache is None else pair_cache.pairs(round_)
    cells = deficit_cells(round_)
    n_pairs = pairs.n_pairs
    log.info("%d allowed pairs for %d graduates (%d groups)", n_pairs, len(round_.graduates), len(pairs.groups))
    if scenario.solver == "cpsat" and n_pairs > CPSAT_COMFORT_PAIRS:
        log.warning("CP-SAT is slow on rounds of more than %d pairs (this one has %d); "
                    "flow, cbc or highs prove such rounds much faster", CPSAT_COMFORT_PAIRS, n_pairs)
    if scenario.solver == "flow":
        return _solve_flow(round_, pairs, cells, started, deadline, say, log_path)
    say(Progress("model", 0.15, {"pairs": len(pairs.table)}))
    model = build(pairs.table, round_.vacancies, round_.programmes, cells, scenario.diminishing_returns,
                  round_.instalments, couples)
    engine = MatrixEngine(model, make_backend(scenario.solver, model, scenario.threads, log_path))
    timings = {"build": time.perf_counter() - started}
    run = run_levels(engine, deadline, say)
    return _finish(round_, pairs, ModelSize(n_pairs, model.n_vars, model.n_rows),
                   pairs.table.loc[run.x[: len(pairs.table)]], run, timings, started, say)


def _finish(round_, pairs, size: ModelSize, chosen, run: DriverRun, timings: dict, started: float,
            say, lp_duals: dict | None = None) -> Solution:
    solved = [lv for lv in run.levels if lv.result is not None]
    for lv in solved:
        timings[lv.name] = lv.seconds
    timings["levels"] = sum(lv.seconds for lv in solved)  # the engine's time over every level
    timings["total"] = time.perf_counter() - started
    say(Progress("solution", 0.95))
    values = run.values
    return make_solution(round_, pairs, size, chosen, status=run.status, gap=run.gap, timings=timings,
                         km_objective=values["km"] / KM_SCALE if "km" in values else None,
                         level_states=level_states(run), lp_duals=lp_duals)


def _solve_flow(round_: Round, pairs, cells, started: float, deadline, say, log_path) -> Solution:
    from .flow import FlowEngine

    say(Progress("network", 0.2, {"arcs": len(pairs.arcs)}))
    timings = {"build": time.perf_counter() - started}
    handlers = []
    if log_path is not None:  # the engine's own account of each level is its solver log
        handler = logging.FileHandler(log_path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        handler.setLevel(logging.DEBUG)
        for name in ("allocator.flow", "allocator.driver"):
            logger = logging.getLogger(name)
            handlers.append((logger, logger.level))
            logger.addHandler(handler)
            logger.setLevel(logging.DEBUG)
    try:
        engine = FlowEngine(pairs, round_.vacancies, cells, round_.programmes, round_.scenario.diminishing_returns,
                            round_.instalments)
        run = run_levels(engine, deadline, say)
    finally:
        for logger, level in handlers:
            logger.removeHandler(handler)
            logger.setLevel(level)
        if handlers:
            handler.close()
    log.info("flow engine: %s (%s)", run.status, ", ".join(f"{k} by {v}" for k, v in run.methods.items()))
    net = engine.net
    return _finish(round_, pairs, ModelSize(pairs.n_pairs, net.n_arcs, net.n_nodes), engine.chosen(run.x),
                   run, timings, started, say, lp_duals=_deficit_per_place(engine, cells))


def _deficit_per_place(engine, cells) -> dict[str, float] | None:
    """programme_id -> weighted deficit one more funded place removes by the LP duals that proved
    the deficit level (the dual of the programme's headcount row, in deficit units); None when
    that level was not proven by duals."""
    duals = engine.headcount_duals("deficit")
    if duals is None:
        return None
    w_max = weight_max(cells["weight"], cells["vacancies"])
    return {p: round(-weight_value(mu, w_max), 9) + 0.0 for p, mu in duals.items()}

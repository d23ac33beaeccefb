"""Solver backends over a :class:`~allocator.model.MatrixModel`.

Each backend holds one model, optimises a given objective vector, and can add
a row that fixes an objective at a value (the lexicographic step); each
returns a :class:`allocator.driver.LevelResult` in the shared vocabulary of
:class:`allocator.status.Status`:

- ``optimal``: proven optimal;
- ``feasible``: a solution, not proven optimal (time limit); ``gap`` says how far;
- ``infeasible``: proven to have no solution;
- ``time_limit``: the time ran out before any solution was found.

:class:`MatrixEngine` is a backend seen as an :class:`allocator.driver.Engine`,
so the level loop is :func:`allocator.driver.run_levels`, as for every engine.

Gaps are requested as zero (an absolute gap below 1 on an integer objective
proves optimality), so all backends reach the same optimal values.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time

import numpy as np

from .driver import LevelResult
from .model import MatrixModel
from .status import Status

log = logging.getLogger(__name__)


@contextlib.contextmanager
def quiet_stdout():
    """Silence what a C library prints to fd 1 (HiGHS prints a banner whatever its options)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def give_highs_start(h, x: np.ndarray) -> None:
    """Give the ``highspy.Highs`` ``h`` the point ``x`` (every column) as its first incumbent. Give it
    after the last change of the model: HiGHS drops a solution on any change (costs included)."""
    import highspy

    start = highspy.HighsSolution()
    start.col_value = np.asarray(x, dtype=float).tolist()
    start.value_valid = True
    h.setSolution(start)


def highs_mip_level(h, coef: np.ndarray, deadline: float | None, integer: np.ndarray,
                    start: np.ndarray | None = None):
    """One level of a model held in a ``highspy.Highs`` ``h``: minimise ``coef`` within the time
    left before ``deadline``, from the incumbent ``start`` (every column) if given; (status,
    solution with the ``integer`` columns rounded or None, HiGHS's dual bound). The status is
    :class:`Status`'s: optimal, feasible (a solution without proof), infeasible, or time_limit (no
    solution). The start is given after the objective: HiGHS drops a solution given before any
    change of the model."""
    import highspy

    n = len(coef)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), coef)
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    if start is not None:
        give_highs_start(h, start)
    if deadline is not None:
        left = deadline - time.perf_counter()
        if left <= 0:
            return Status.TIME_LIMIT, None, None
        h.setOptionValue("time_limit", left)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    if status == highspy.HighsModelStatus.kInfeasible:
        return Status.INFEASIBLE, None, None
    if info.primal_solution_status != 2:
        return Status.TIME_LIMIT, None, None
    x = np.asarray(h.getSolution().col_value)
    x[integer] = np.rint(x[integer])
    proven = status == highspy.HighsModelStatus.kOptimal
    # with no integer column HiGHS solves a linear programme, whose optimum is its own bound (its
    # mip_dual_bound is then 0, no bound at all)
    bound = info.mip_dual_bound if len(integer) else info.objective_function_value
    return (Status.OPTIMAL if proven else Status.FEASIBLE), x, float(bound)


def make_backend(name: str, model: MatrixModel, threads: int = 1, log_path=None):
    """The backend ``name`` (cbc, highs or cpsat) holding ``model``."""
    if name in ("cbc", "highs"):
        return PulpBackend(model, name, threads, log_path)
    if name == "cpsat":
        return CpSatBackend(model, threads, log_path)
    raise ValueError(f"unknown solver {name!r}")


def _row_slices(model: MatrixModel):
    """(cols, vals, lower, upper) per row, rows in order."""
    order = np.argsort(model.rows, kind="stable")
    rows, cols, vals = model.rows[order], model.cols[order], model.vals[order]
    bounds = np.searchsorted(rows, np.arange(model.n_rows + 1))
    for i in range(model.n_rows):
        a, b = bounds[i], bounds[i + 1]
        yield cols[a:b], vals[a:b], model.lower[i], model.upper[i]


class PulpBackend:
    """CBC or HiGHS through PuLP; rows named by family (``one_post_0``, ``level_1``...)."""

    def __init__(self, model: MatrixModel, solver: str, threads: int, log_path=None):
        import pulp

        self.pulp = pulp
        self.solver_name = solver
        self.threads = threads
        self.log_path = log_path
        self.prob = pulp.LpProblem("allocation", pulp.LpMaximize)
        self.x = pulp.LpVariable.matrix("x", list(range(model.n_vars)), cat=pulp.LpBinary)
        self._xs = np.array(self.x, dtype=object)  # to take a row's variables in one step
        for (cols, vals, lo, up), name in zip(_row_slices(model), model.row_names()):
            self._add_row(cols, vals, lo, up, name)
        self.fixed = 0

    def _expr(self, cols, vals):
        return self.pulp.LpAffineExpression(zip(self._xs[cols].tolist(), np.asarray(vals, dtype=float).tolist()))

    def _add_row(self, cols, vals, lo, up, name):
        pulp, expr = self.pulp, self._expr(cols, vals)
        if lo == up:
            self.prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintEQ, name, float(lo)))
            return
        if np.isfinite(up):
            self.prob.addConstraint(pulp.LpConstraint(expr, pulp.LpConstraintLE, name, float(up)))
        if np.isfinite(lo):
            ranged = np.isfinite(up)  # both sides: a second row, named <name>_lo
            self.prob.addConstraint(pulp.LpConstraint(expr.copy() if ranged else expr, pulp.LpConstraintGE,
                                                      name + "_lo" if ranged else name, float(lo)))

    def fix(self, objective: np.ndarray, value: float, maximise: bool) -> None:
        """Hold ``objective`` at ``value`` or better: row ``level_k``."""
        nz = np.flatnonzero(objective)
        self.fixed += 1
        lo, up = (value, np.inf) if maximise else (-np.inf, value)
        self._add_row(nz, objective[nz], lo, up, f"level_{self.fixed}")

    def solve(self, objective: np.ndarray, maximise: bool, time_limit: float | None) -> LevelResult:
        """Optimise ``objective`` over the rows so far with CBC or HiGHS, within ``time_limit`` seconds.

        Returns the level's result: chosen pairs, value, bound (the dual bound when only
        feasible) and status; the solver's log, if asked for, is appended per level.
        """
        pulp = self.pulp
        nz = np.flatnonzero(objective)
        self.prob.setObjective(self._expr(nz, objective[nz]))
        self.prob.sense = pulp.LpMaximize if maximise else pulp.LpMinimize
        kwargs = dict(msg=bool(self.log_path), timeLimit=time_limit, gapRel=0.0, gapAbs=0.999)
        level_log = f"{self.log_path}.level" if self.log_path else None
        if self.solver_name == "cbc":
            kwargs["msg"] = False  # logPath alone sends CBC's output to the file
            solver = pulp.PULP_CBC_CMD(logPath=level_log, threads=self.threads, **kwargs)
        else:
            # No `threads` for HiGHS: its thread pool is global to the process, and asking
            # for another size after any earlier HiGHS solve makes the run fail (status 0).
            # HiGHS's branch and bound is deterministic whatever the pool size.
            if self.log_path:
                kwargs.update(log_file=str(self.log_path), log_to_console=False)
            else:
                kwargs.update(output_flag=False)
            solver = pulp.HiGHS(**kwargs)
        with quiet_stdout():  # the log, when asked for, goes to its file
            self.prob.solve(solver)
        if level_log and os.path.exists(level_log):  # CBC rewrites its log file: append per level
            with open(level_log, encoding="utf-8", errors="replace") as src, \
                    open(self.log_path, "a", encoding="utf-8") as dst:
                dst.write(src.read())
            os.remove(level_log)
        sol = self.prob.sol_status
        if sol in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible) and self.prob.status != -1:
            x = np.array([v.varValue or 0.0 for v in self.x]) > 0.5
            value = float(objective @ x)
            status = Status.OPTIMAL if sol == pulp.LpSolutionOptimal else Status.FEASIBLE
            bound = value if status == Status.OPTIMAL else self._bound()
            return LevelResult(status, x, value, bound, self.solver_name)
        if sol == pulp.LpSolutionInfeasible or self.prob.status == pulp.LpStatusInfeasible:
            return LevelResult(Status.INFEASIBLE, method=self.solver_name)
        return LevelResult(Status.TIME_LIMIT, method=self.solver_name)

    def _bound(self) -> float | None:
        model = getattr(self.prob, "solverModel", None)
        if model is None:  # CBC via command line reports no bound to PuLP
            return None
        try:
            return float(model.getInfo().mip_dual_bound)
        except Exception:  # pragma: no cover - depends on highspy version
            return None


class CpSatBackend:
    """OR-Tools CP-SAT. One worker by default, so that runs are repeatable. Rows named as PuLP's."""

    def __init__(self, model: MatrixModel, threads: int, log_path=None):
        from ortools.sat.python import cp_model

        self.cp = cp_model
        self.model = cp_model.CpModel()
        self.threads = threads
        self.log_path = log_path
        self.x = [self.model.new_bool_var(f"x{i}") for i in range(model.n_vars)]
        self._xs = np.array(self.x, dtype=object)
        for (cols, vals, lo, up), name in zip(_row_slices(model), model.row_names()):
            self._add_row(cols, vals, lo, up, name)
        self.fixed = 0

    def _expr(self, cols, vals):
        return self.cp.LinearExpr.weighted_sum(self._xs[cols].tolist(), np.asarray(vals).astype(np.int64).tolist())

    def _add_row(self, cols, vals, lo, up, name):
        expr = self._expr(cols, vals)
        if lo == up:
            self.model.add(expr == int(lo)).with_name(name)
            return
        if np.isfinite(up):
            self.model.add(expr <= int(np.floor(up))).with_name(name)
        if np.isfinite(lo):
            self.model.add(expr >= int(np.ceil(lo))).with_name(name + "_lo" if np.isfinite(up) else name)

    def fix(self, objective: np.ndarray, value: float, maximise: bool) -> None:
        """Hold ``objective`` at ``value`` or better: row ``level_k``."""
        nz = np.flatnonzero(objective)
        self.fixed += 1
        lo, up = (value, np.inf) if maximise else (-np.inf, value)
        self._add_row(nz, objective[nz], lo, up, f"level_{self.fixed}")

    def solve(self, objective: np.ndarray, maximise: bool, time_limit: float | None) -> LevelResult:
        """Optimise ``objective`` with CP-SAT within ``time_limit`` seconds (seed 0, the set threads).

        Returns the level's result with CP-SAT's best bound; the solution is kept as a hint
        for the next level.
        """
        cp = self.cp
        nz = np.flatnonzero(objective)
        expr = self._expr(nz, objective[nz])
        if maximise:
            self.model.maximize(expr)
        else:
            self.model.minimize(expr)
        solver = cp.CpSolver()
        solver.parameters.num_workers = self.threads
        solver.parameters.random_seed = 0
        # The full LP relaxation closes assignment-type levels (km) quickly with one worker.
        solver.parameters.linearization_level = 2
        if time_limit is not None:
            solver.parameters.max_time_in_seconds = max(0.01, float(time_limit))
        if self.log_path:
            solver.parameters.log_search_progress = True
            fh = open(self.log_path, "a", encoding="utf-8")
            solver.log_callback = lambda line: fh.write(line + "\n")
        status = solver.solve(self.model)
        if self.log_path:
            fh.close()
        if status in (cp.OPTIMAL, cp.FEASIBLE):
            x = solver.boolean_values(self.x).to_numpy(dtype=bool)
            value = float(objective @ x)
            self.model.clear_hints()
            for var, val in zip(self.x, x):
                self.model.add_hint(var, bool(val))
            kind = Status.OPTIMAL if status == cp.OPTIMAL else Status.FEASIBLE
            return LevelResult(kind, x, value, float(solver.best_objective_bound), "cpsat")
        if status == cp.INFEASIBLE:
            return LevelResult(Status.INFEASIBLE, method="cpsat")
        if status == cp.MODEL_INVALID:  # pragma: no cover - a bug, not an input problem
            raise RuntimeError("CP-SAT rejected the model: " + self.model.validate())
        return LevelResult(Status.TIME_LIMIT, method="cpsat")


class MatrixEngine:
    """A backend over a :class:`MatrixModel` as an :class:`allocator.driver.Engine`."""

    def __init__(self, model: MatrixModel, backend):
        self.model, self.backend = model, backend

    def initial(self) -> np.ndarray:
        """Nothing chosen."""
        return np.zeros(self.model.n_vars, dtype=bool)

    def has_objective(self, level: str) -> bool:
        """False when the level's coefficients are all zero."""
        return bool(self.model.objectives[level][0].any())

    def solve_level(self, level: str, deadline: float | None, incumbent) -> LevelResult:
        """The backend's optimum of the level within the time left before ``deadline``."""
        coef, maximise = self.model.objectives[level]
        remaining = None if deadline is None else deadline - time.perf_counter()
        return self.backend.solve(coef, maximise, remaining)

    def hold(self, level: str, result: LevelResult) -> None:
        """A row that keeps the level at its optimum."""
        coef, maximise = self.model.objectives[level]
        self.backend.fix(coef, result.value, maximise)

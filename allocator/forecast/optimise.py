r"""Optimal admissions: an integer programme solved level by level by HiGHS, through the allocator's driver.

Variables, for every cell :math:`c` (region, specialty :math:`s`) of a
:class:`~allocator.forecast.project.Dynamics`:

* :math:`a_{cy} \in \mathbb{Z}_{\ge 0}` admitted in year :math:`y` (a cell's admission years only,
  :math:`a_{cy} \le` the region's cap);
* :math:`d_{ct} \ge 0` its deficit in year :math:`t > t_0` (year :math:`t_0` cannot change).

Rows:

.. math::

    d_{ct} + f_s \sum_{y + L_s \le t} c_s\, g_s(t - y - L_s)\, a_{cy} \ \ge\ \text{need}_{ct} - f_s\,\text{base}_{ct}
    \qquad \text{(the projection of :mod:`allocator.forecast.project`)}

    \text{min}_{s} \le \sum_{c \in s} a_{cy} \le \text{max}_{s} \quad \forall s, y
    \qquad\qquad
    \sum_c \text{cost}_s\, a_{cy} \le B_y \quad \forall y

Levels (:func:`allocator.driver.run_levels`, the loop every allocator engine uses): first
``deficit``, :math:`\min \sum_{c,t} w_r (1 + \rho)^{-(t - t_0)} d_{ct}`; then ``cost``,
:math:`\min \sum \text{cost}_s a_{cy}` among the plans that keep the first level's optimum (held by
a row :math:`\le z^*` plus :data:`HOLD_TOL` relative). At the optimum :math:`d_{ct}` is exactly the
projected deficit :math:`\max(0, \text{need} - \text{stock})`, because the objective presses it down
to its row. HiGHS proves each level with a MIP gap of 0 (absolute :data:`ABS_GAP`), or the
relative ``gap`` the plan allows: the proof reported is its dual bound beside the value.

**The dive** (before the first level's full search, :meth:`AdmissionsModel.dive`): HiGHS solves the
linear relaxation; every admission it leaves whole is fixed at that value, and the MIP over the
rest (a restricted problem, so its plans keep every row) is searched for at most
:data:`DIVE_SHARE` of the time left (:data:`DIVE_SECONDS` without a time limit). Its best plan, or
seed 004's if that is better, is the full search's first incumbent. The dive only finds plans;
the proof is the full search's alone. Why: the relaxation leaves most admissions whole (7,725 of
9,560 on the benchmark) and the rest are the roundings of deficits closed exactly, where the full
search spends its first 45 s in root cuts before any heuristic runs. On small plans all of it is
quick (the tests compare it with brute force); on a national plan of hundreds of
region-specialties with one cap per specialty and year, many plans are nearly tied and HiGHS
closes the last 0.01 % slowly: within the time limit the best plan is returned with its proven
gap (status ``feasible``).
Coefficients are floats (people times rates); every plan is checked afterwards against the
limits in exact decimals (:mod:`allocator.forecast.limits`) and its deficit recomputed by the
projection itself.
"""

from __future__ import annotations

import dataclasses
import time

import highspy
import numpy as np

from ..backends import highs_mip_level, quiet_stdout
from ..driver import LevelResult, run_levels
from ..status import Status
from .limits import Limits
from .project import Dynamics

LEVELS = ("deficit", "cost")
ABS_GAP = 1e-6
HOLD_TOL = 1e-9
DIVE_SHARE = 1 / 6  # of the time left, for the dive (module docstring)
DIVE_SECONDS = 10.0  # the dive's limit when the search has none
WHOLE_TOL = 1e-7  # a relaxed admission this near an integer is whole


class AdmissionsModel:
    """The integer programme of the module docstring in HiGHS, as an :class:`allocator.driver.Engine`."""

    def __init__(self, dyn: Dynamics, lim: Limits, discount: float, gap: float = 0.0):
        n_cells, n_years = dyn.shape
        self.dyn, self.lim = dyn, lim
        self.a_index = {}  # (cell, year position) -> column
        for c in range(n_cells):
            for y in np.flatnonzero(lim.open[c]):
                if lim.cell_cap[c, y] > 0:
                    self.a_index[(c, int(y))] = len(self.a_index)
        na = len(self.a_index)
        self.n_a = na
        self.d_index = {(c, t): na + k for k, (c, t) in enumerate((c, t) for c in range(n_cells)
                                                                    for t in range(1, n_years))}
        n = na + len(self.d_index)
        with quiet_stdout():  # HiGHS prints a banner when the first instance is made
            self.h = highspy.Highs()
        h = self.h
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", float(gap))
        h.setOptionValue("mip_abs_gap", ABS_GAP)
        lower = np.zeros(n)
        upper = np.full(n, highspy.kHighsInf)
        for (c, y), j in self.a_index.items():
            if np.isfinite(lim.cell_cap[c, y]):
                upper[j] = lim.cell_cap[c, y]
        h.addVars(n, lower, upper)
        h.changeColsIntegrality(na, np.arange(na, dtype=np.int32), np.full(na, highspy.HighsVarType.kInteger))
        weight = dyn.cells["weight"].to_numpy(dtype=float)
        disc = dyn.discount(discount)
        self.objectives = {"deficit": np.zeros(n), "cost": np.zeros(n)}
        self.constant = float((weight * np.maximum(0.0, dyn.need[:, 0] - dyn.fte * dyn.base[:, 0])).sum())
        for (c, t), j in self.d_index.items():
            self.objectives["deficit"][j] = weight[c] * disc[t]
        for (c, y), j in self.a_index.items():
            self.objectives["cost"][j] = lim.cost[c]
        self._deficit_rows(dyn)
        self._limit_rows(lim, n_years)
        self.fixed = 0
        self.start: np.ndarray | None = None  # the first incumbent given to HiGHS

    def _deficit_rows(self, dyn: Dynamics) -> None:
        n_cells, n_years = dyn.shape
        for c in range(n_cells):
            lag = int(dyn.length[c])
            years = [y for y in range(n_years) if (c, y) in self.a_index]
            for t in range(1, n_years):
                cols = [self.d_index[(c, t)]]
                vals = [1.0]
                for y in years:
                    k = t - y - lag
                    if k >= 0 and dyn.response[c, k] > 0:
                        cols.append(self.a_index[(c, y)])
                        vals.append(dyn.fte[c] * dyn.completion[c] * dyn.response[c, k])
                rhs = dyn.need[c, t] - dyn.fte[c] * dyn.base[c, t]
                self.h.addRow(rhs, highspy.kHighsInf, len(cols), np.array(cols, np.int32), np.array(vals))

    def _limit_rows(self, lim: Limits, n_years: int) -> None:
        by_spec_year: dict[tuple[int, int], list[int]] = {}  # (specialty, year) -> admission columns
        by_year: dict[int, list[int]] = {}
        for (c, y), j in self.a_index.items():
            by_spec_year.setdefault((int(lim.cell_specialty[c]), y), []).append(j)
            by_year.setdefault(y, []).append(j)
        cost = self.objectives["cost"]  # each admission column's course cost
        for s in range(len(lim.specialties)):
            for y in range(n_years):
                cols = by_spec_year.get((s, y), [])
                planned = lim.open[lim.cell_specialty == s, y].any()
                lo = lim.spec_min[s, y] if planned else 0.0
                hi = lim.spec_max[s, y]
                if not cols:
                    if lo > 0:  # nobody can be admitted where some must be: infeasible, said by HiGHS
                        self.h.addRow(lo, highspy.kHighsInf, 0, np.zeros(0, np.int32), np.zeros(0))
                    continue
                if lo > 0 or np.isfinite(hi):
                    self.h.addRow(lo, hi if np.isfinite(hi) else highspy.kHighsInf, len(cols),
                                  np.array(cols, np.int32), np.ones(len(cols)))
        for y in range(n_years):
            if not np.isfinite(lim.budget[y]):
                continue
            cols = np.array([j for j in by_year.get(y, []) if cost[j] > 0], np.int32)
            if len(cols):
                self.h.addRow(-highspy.kHighsInf, lim.budget[y], len(cols), cols, cost[cols])

    # ---- the driver's Engine
    def initial(self) -> np.ndarray:
        """No admissions."""
        return np.zeros(self.h.getNumCol())

    def has_objective(self, level: str) -> bool:
        """False when the level's coefficients are all zero."""
        return bool(self.objectives[level].any())

    def start_from(self, admitted: np.ndarray) -> None:
        """A plan that keeps the limits (a rule's): HiGHS's first incumbent, unless the dive finds better."""
        x = np.zeros(self.h.getNumCol())
        for (c, y), j in self.a_index.items():
            x[j] = admitted[c, y]
        deficit = self.dyn.deficit(admitted)
        for (c, t), j in self.d_index.items():
            x[j] = deficit[c, t]
        self.start = x

    def dive(self, coef: np.ndarray, seconds: float) -> np.ndarray | None:
        """The dive of the module docstring: a plan of the restricted problem (every column), or None.

        The model is left as it was: integrality and bounds restored, no time limit."""
        h, na = self.h, self.n_a
        cols = np.arange(na, dtype=np.int32)
        n = h.getNumCol()
        h.changeColsCost(n, np.arange(n, dtype=np.int32), coef)
        h.changeObjectiveSense(highspy.ObjSense.kMinimize)
        lp = h.getLp()
        lower, upper = np.array(lp.col_lower_[:na]), np.array(lp.col_upper_[:na])
        started = time.perf_counter()
        h.setOptionValue("time_limit", max(seconds, 1e-3))
        h.changeColsIntegrality(na, cols, np.full(na, highspy.HighsVarType.kContinuous))
        whole = np.zeros(0, np.int32)  # the columns fixed, freed again whatever happens
        try:
            h.run()
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return None
            relaxed = np.asarray(h.getSolution().col_value)[:na]
            whole = np.flatnonzero(np.abs(relaxed - np.rint(relaxed)) <= WHOLE_TOL).astype(np.int32)
            h.changeColsIntegrality(na, cols, np.full(na, highspy.HighsVarType.kInteger))
            value = np.rint(relaxed[whole])
            h.changeColsBounds(len(whole), whole, value, value)
            left = seconds - (time.perf_counter() - started)
            if left <= 0:
                return None
            h.setOptionValue("time_limit", left)
            h.run()
            return np.asarray(h.getSolution().col_value) if h.getInfo().primal_solution_status == 2 else None
        finally:
            h.changeColsBounds(len(whole), whole, lower[whole], upper[whole])
            h.changeColsIntegrality(na, cols, np.full(na, highspy.HighsVarType.kInteger))
            h.setOptionValue("time_limit", highspy.kHighsInf)

    def solve_level(self, level: str, deadline: float | None, incumbent) -> LevelResult:
        """The MIP optimum of ``level`` over the rows so far, within the time left (the first level after
        the dive of the module docstring)."""
        coef = self.objectives[level]
        if level == LEVELS[0] and not self.fixed:
            left = DIVE_SECONDS if deadline is None else DIVE_SHARE * (deadline - time.perf_counter())
            x = self.dive(coef, left)
            if x is not None and (self.start is None or coef @ x < coef @ self.start):
                self.start_from(self.admitted(x))  # deficits recomputed by the projection
            start = self.start
        else:  # the previous level's plan keeps its hold row
            start = incumbent if incumbent is not None and incumbent.any() else None
        status, x, bound = highs_mip_level(self.h, coef, deadline, np.arange(self.n_a), start)
        if x is None and start is not None and status == Status.TIME_LIMIT:
            # the time ran out before HiGHS reported a plan: the start keeps every row (a rule's plan,
            # or the previous level's), so it is the best plan known, without a proof
            return LevelResult(Status.FEASIBLE, start, float(coef @ start), None, "highs")
        if x is None:
            return LevelResult(status, method="highs")
        return LevelResult(status, x, float(coef @ x), bound, "highs")

    def hold(self, level: str, result: LevelResult) -> None:
        """A row that keeps ``level`` at its optimum (``<= z* + HOLD_TOL * max(1, |z*|)``)."""
        coef = self.objectives[level]
        nz = np.flatnonzero(coef)
        self.h.addRow(-highspy.kHighsInf, result.value + HOLD_TOL * max(1.0, abs(result.value)), len(nz),
                      nz.astype(np.int32), coef[nz])
        self.fixed += 1

    def admitted(self, x: np.ndarray) -> np.ndarray:
        """The admissions of a solution, cells x years."""
        out = np.zeros(self.dyn.shape)
        for (c, y), j in self.a_index.items():
            out[c, y] = round(x[j])
        return out


def optimal_admissions(dyn: Dynamics, lim: Limits, discount: float = 0.0, time_limit: float | None = None,
                       gap: float = 0.0, start: np.ndarray | None = None):
    """(admitted cells x years, the driver's run, the model) of the optimal plan (module docstring).

    ``gap``: the relative MIP gap HiGHS may stop at (0: proven optimal); ``start``: a plan that keeps
    the limits, HiGHS's first incumbent (the page and the command line give seed 004's rule), and the
    plan returned (status feasible, no bound) when the time runs out before HiGHS reports one."""
    model = AdmissionsModel(dyn, lim, discount, gap)
    if start is not None:
        model.start_from(start)
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    run = run_levels(model, deadline, levels=LEVELS)
    if run.status == Status.TIME_LIMIT and model.start is not None:  # no level reached: the start is the plan
        run = dataclasses.replace(run, status=Status.FEASIBLE, x=model.start)
    admitted = model.admitted(run.x) if run.x is not None else np.zeros(dyn.shape)
    return admitted, run, model


__all__ = ["ABS_GAP", "DIVE_SECONDS", "DIVE_SHARE", "HOLD_TOL", "LEVELS", "AdmissionsModel", "optimal_admissions"]

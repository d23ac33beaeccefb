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
relative ``gap`` the plan allows: the proof reported is its dual bound beside the value. It starts
from seed 004's plan (a feasible incumbent). On small plans that is quick (the tests compare it
with brute force); on a national plan of hundreds of region-specialties with one cap per
specialty and year, many plans are nearly tied and HiGHS closes the last 0.01 % slowly: within
the time limit the best plan is returned with its proven gap (status ``feasible``).
Coefficients are floats (people times rates); every plan is checked afterwards against the
limits in exact decimals (:mod:`allocator.forecast.limits`) and its deficit recomputed by the
projection itself.
"""

from __future__ import annotations

import time

import highspy
import numpy as np

from ..backends import highs_mip_level, quiet_stdout
from ..driver import LevelResult, run_levels
from .limits import Limits
from .project import Dynamics

LEVELS = ("deficit", "cost")
ABS_GAP = 1e-6
HOLD_TOL = 1e-9


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
        """Give HiGHS a plan that keeps the limits (a rule's) as its first incumbent."""
        x = np.zeros(self.h.getNumCol())
        for (c, y), j in self.a_index.items():
            x[j] = admitted[c, y]
        deficit = self.dyn.deficit(admitted)
        for (c, t), j in self.d_index.items():
            x[j] = deficit[c, t]
        start = highspy.HighsSolution()
        start.col_value = x.tolist()
        start.value_valid = True
        self.h.setSolution(start)

    def solve_level(self, level: str, deadline: float | None, incumbent) -> LevelResult:
        """The MIP optimum of ``level`` over the rows so far, within the time left."""
        coef = self.objectives[level]
        status, x, bound = highs_mip_level(self.h, coef, deadline, np.arange(self.n_a))
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
    the limits, HiGHS's first incumbent (the page and the command line give seed 004's rule)."""
    model = AdmissionsModel(dyn, lim, discount, gap)
    if start is not None:
        model.start_from(start)
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    run = run_levels(model, deadline, levels=LEVELS)
    admitted = model.admitted(run.x) if run.x is not None else np.zeros(dyn.shape)
    return admitted, run, model


__all__ = ["ABS_GAP", "HOLD_TOL", "LEVELS", "AdmissionsModel", "optimal_admissions"]

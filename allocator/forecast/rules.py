"""The three plans, one result: ``none`` (no new admissions), ``seed004`` (seed 004's rule) and ``optimal``.

* ``none``: the baseline: no one is admitted beyond ``min_admissions`` (shared in proportion to
  that year's deficits); the stock is what is there, the pipeline and exits.
* ``seed004``: each year, admit ``seed004_share`` (0.3: seed 004's "+30 % of the deficit a year")
  of each cell's current deficit (that year's projected deficit, given the admissions already
  made), rounded half up to whole people, then fitted to the limits
  (:mod:`allocator.forecast.limits`): each region's cap; each specialty's ``max_admissions``
  shared by largest remainder in proportion to the requests, and ``min_admissions`` made up in
  proportion to the deficits; the year's budget: first each specialty's ``min_admissions`` (shared
  in proportion to the requests), then the rest in order of request size while the next whole
  course fits. A plan whose minimums the caps or the budget cannot hold is refused when it is
  read (:func:`allocator.forecast.plan.load_plan`), so both rules keep every limit.
* ``optimal``: :func:`allocator.forecast.optimise.optimal_admissions`.

Every plan's admissions are checked against the limits in exact decimals and its figures come
from the one projection (:mod:`allocator.forecast.project`), so the three are comparable.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from ..status import Status
from .limits import Limits, broken_limits, courses_cost, limits, spend
from .optimise import ABS_GAP, optimal_admissions
from .plan import PLANS, Plan
from .project import Dynamics, closing_years, dynamics, projection_table


@dataclass(frozen=True)
class ForecastResult:
    """A plan made: its admissions (cells x years of ``dyn``), figures and, for ``optimal``, the proof.

    ``weighted_deficit``: sum over cells and years of weight x discount x deficit; ``cost``: the
    courses admitted (exact sum, money); ``proof``: level -> {status, value, bound, gap} as HiGHS
    proved it (empty for the rules); ``broken``: limits broken ([] for every plan returned).
    """

    rule: str
    plan: Plan
    dyn: Dynamics
    admitted: np.ndarray
    status: Status
    weighted_deficit: float
    cost: float
    proof: dict = field(default_factory=dict)
    broken: tuple = ()
    seconds: float = 0.0

    def projection(self) -> pd.DataFrame:
        """projection.csv: stock, need, deficit, arrivals, exits per region, specialty and year."""
        return projection_table(self.dyn, self.admitted)

    def admissions(self) -> pd.DataFrame:
        """admissions.csv: region_id, specialty, year, admitted (every admission year of every cell)."""
        rows = []
        for c in range(self.dyn.shape[0]):
            region, spec = self.dyn.cells.at[c, "region_id"], self.dyn.cells.at[c, "specialty"]
            for t in self.dyn.admission_years(c):
                rows.append((region, spec, self.dyn.years[t], int(self.admitted[c, t])))
        return pd.DataFrame(rows, columns=["region_id", "specialty", "year", "admitted"])

    def closes(self) -> pd.DataFrame:
        """Per region and specialty, the year its deficit closes for good (empty: not within the horizon)."""
        frame = self.dyn.cells[["region_id", "specialty"]].copy()
        frame["closes"] = pd.array(closing_years(self.dyn, self.admitted), dtype="Int64")
        return frame


def weighted_deficit(dyn: Dynamics, admitted: np.ndarray, discount: float) -> float:
    """sum of weight x (1 + discount)^-(t - t0) x deficit over cells and years."""
    w = dyn.cells["weight"].to_numpy(dtype=float)[:, None]
    return float((w * dyn.discount(discount)[None, :] * dyn.deficit(admitted)).sum())


def make_plan(plan: Plan, rule: str | None = None) -> ForecastResult:
    """Make the plan ``rule`` (default: the plan's option) and check it (module docstring)."""
    rule = rule or plan.options.plan
    if rule not in PLANS:
        raise ValueError(f"unknown plan {rule!r}; one of {', '.join(PLANS)}")
    started = time.perf_counter()
    dyn = dynamics(plan)
    lim = limits(plan, dyn)
    discount = plan.options.discount
    proof: dict = {}
    status = Status.OPTIMAL
    if rule == "none":
        admitted = np.zeros(dyn.shape)
        admitted = _fit_minimum(dyn, lim, admitted)
    elif rule == "seed004":
        admitted = seed004(dyn, lim, plan.options.seed004_share)
    else:
        start = seed004(dyn, lim, plan.options.seed004_share)
        start = start if not broken_limits(lim, start, dyn.years) else None
        admitted, run, model = optimal_admissions(dyn, lim, discount, plan.options.time_limit, plan.options.gap,
                                                  start)
        status = run.status
        for lv in run.levels:
            if lv.result is None:
                continue
            r = lv.result
            offset = model.constant if lv.name == "deficit" else 0.0
            proof[lv.name] = {"status": str(r.status), "value": None if r.value is None else r.value + offset,
                              "bound": None if r.bound is None else r.bound + offset, "gap": r.gap,
                              "abs_gap_asked": ABS_GAP, "seconds": round(lv.seconds, 3)}
    broken = tuple(broken_limits(lim, admitted, dyn.years))
    total = sum((spend(lim, admitted, t) for t in range(dyn.shape[1])), start=Decimal(0))
    return ForecastResult(rule=rule, plan=plan, dyn=dyn, admitted=admitted, status=status,
                          weighted_deficit=weighted_deficit(dyn, admitted, discount), cost=float(total),
                          proof=proof, broken=broken, seconds=time.perf_counter() - started)


def seed004(dyn: Dynamics, lim: Limits, share: float) -> np.ndarray:
    """Seed 004's rule (module docstring): year by year, ``share`` of the current deficit."""
    n_cells, n_years = dyn.shape
    admitted = np.zeros((n_cells, n_years))
    for t in range(n_years):
        if not lim.open[:, t].any():
            continue
        deficit = dyn.deficit(admitted)[:, t]
        request = np.floor(share * deficit + 0.5) * lim.open[:, t]
        request = np.minimum(request, np.where(np.isfinite(lim.cell_cap[:, t]), lim.cell_cap[:, t], request))
        for s in range(len(lim.specialties)):
            cells = np.flatnonzero((lim.cell_specialty == s) & lim.open[:, t])
            if not len(cells):
                continue
            top = lim.spec_max[s, t]
            if np.isfinite(top) and request[cells].sum() > top:
                request[cells] = apportion(request[cells], int(top))
            low = lim.spec_min[s, t]
            if request[cells].sum() < low:
                room = np.where(np.isfinite(lim.cell_cap[cells, t]), lim.cell_cap[cells, t], np.inf) - request[cells]
                request[cells] += fill(int(low - request[cells].sum()), deficit[cells], room)
        admitted[:, t] = _within_budget(lim, request, t)
    return admitted


def _within_budget(lim: Limits, request: np.ndarray, t: int) -> np.ndarray:
    """``request`` cut to the year's budget: each specialty's ``min_admissions`` first (shared in
    proportion to its requests), then whole courses in order of request size while the next fits."""
    if ("budget", t) not in lim.money:
        return request
    budget = lim.money[("budget", t)]
    if courses_cost(lim, request) <= budget:
        return request
    out = np.zeros_like(request)
    for s in range(len(lim.specialties)):
        cells = np.flatnonzero((lim.cell_specialty == s) & lim.open[:, t])
        if len(cells) and lim.spec_min[s, t] > 0:
            out[cells] = apportion(request[cells], int(lim.spec_min[s, t]))
    left = budget - courses_cost(lim, out)
    for c in sorted(np.flatnonzero(request - out), key=lambda c: (-request[c], c)):
        price = lim.money[("cost", lim.specialties[lim.cell_specialty[c]])]
        more = int(request[c] - out[c])
        n = more if price == 0 else min(more, max(0, int(left // price)))
        out[c] += n
        left -= price * n
    return out


def apportion(request: np.ndarray, total: int) -> np.ndarray:
    """Whole numbers summing to ``total`` in proportion to ``request`` (largest remainder; ties to the
    first), never above a request."""
    request = np.asarray(request, dtype=float)
    if request.sum() <= total:
        return request.copy()
    quota = request * total / request.sum()
    out = np.floor(quota)
    rest = int(total - out.sum())
    order = np.lexsort((np.arange(len(quota)), -(quota - out)))
    out[order[:rest]] += 1
    return np.minimum(out, request)


def fill(extra: int, deficit: np.ndarray, room: np.ndarray) -> np.ndarray:
    """``extra`` whole admissions shared in proportion to ``deficit`` (equally when all are 0),
    at most ``room`` each (what cannot be placed is left out)."""
    out = np.zeros(len(deficit))
    weights = np.where(deficit > 0, deficit, 0.0)
    if weights.sum() == 0:
        weights = np.ones(len(deficit))
    for _ in range(extra):
        open_ = out < room
        if not open_.any():
            break
        score = np.where(open_, weights / (out + 1), -math.inf)
        out[int(np.argmax(score))] += 1
    return out


def _fit_minimum(dyn: Dynamics, lim: Limits, admitted: np.ndarray) -> np.ndarray:
    """The baseline admits no one, except what ``min_admissions`` requires (shared by that year's
    deficit, given the admissions before)."""
    for t in range(dyn.shape[1]):
        deficit = dyn.deficit(admitted)
        for s in range(len(lim.specialties)):
            cells = np.flatnonzero((lim.cell_specialty == s) & lim.open[:, t])
            if len(cells) and lim.spec_min[s, t] > 0:
                room = np.where(np.isfinite(lim.cell_cap[cells, t]), lim.cell_cap[cells, t], np.inf)
                admitted[cells, t] = fill(int(lim.spec_min[s, t]), deficit[cells, t], room)
    return admitted


__all__ = ["ForecastResult", "apportion", "fill", "make_plan", "seed004", "weighted_deficit"]

"""What admissions may be, as arrays over the cells and years of a :class:`~allocator.forecast.project.Dynamics`.

Shared by every plan rule and by the optimiser, and checked again, exactly, on every plan made
(:func:`broken_limits`):

* admissions are whole numbers >= 0, only in a cell's admission years (those that arrive by the
  last year of the horizon);
* per region and specialty and year at most ``caps.csv``'s ``max_admissions``;
* per specialty and year (all regions together) between ``training.csv``'s ``min_admissions``
  and ``max_admissions``;
* per year, the courses admitted (each at its whole ``cost``, in the year of admission) within the
  year's ``budget``, summed in exact decimals (:func:`allocator.scaling.exact_money`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from ..scaling import exact_money
from .plan import Plan
from .project import Dynamics


@dataclass(frozen=True)
class Limits:
    """The limits of the module docstring as arrays: ``cell_cap`` cells x years (inf = none);
    per specialty (``specialties``, ``cell_specialty`` the code of each cell) ``spec_max`` and
    ``spec_min`` per year; ``cost`` per cell; ``budget`` per year (inf = none); ``open`` cells x years:
    True where a cell may admit."""

    cell_cap: np.ndarray
    specialties: list
    cell_specialty: np.ndarray
    spec_max: np.ndarray
    spec_min: np.ndarray
    cost: np.ndarray
    budget: np.ndarray
    open: np.ndarray
    money: dict  # specialty -> exact cost (Decimal); year position -> exact budget (Decimal)


def limits(plan: Plan, dyn: Dynamics) -> Limits:
    """The :class:`Limits` of ``plan`` over ``dyn``'s cells and years."""
    n_cells, n_years = dyn.shape
    cells = dyn.cells
    specialties = sorted(cells["specialty"].unique())
    code = {s: i for i, s in enumerate(specialties)}
    cell_specialty = cells["specialty"].map(code).to_numpy(dtype=int)
    open_ = np.zeros((n_cells, n_years), bool)
    for c in range(n_cells):
        open_[c, list(dyn.admission_years(c))] = True
    cap = np.full((n_cells, n_years), np.inf)
    index = {k: c for c, k in enumerate(zip(cells["region_id"], cells["specialty"]))}
    for region, spec, m in zip(plan.caps["region_id"], plan.caps["specialty"], plan.caps["max_admissions"]):
        c = index.get((region, spec))
        if c is not None:
            cap[c, :] = float(m)
    training = plan.training.set_index("specialty")
    spec_max = np.full((len(specialties), n_years), np.inf)
    spec_min = np.zeros((len(specialties), n_years))
    for s, name in enumerate(specialties):
        top, low = training.at[name, "max_admissions"], training.at[name, "min_admissions"]
        if not pd.isna(top):
            spec_max[s, :] = float(top)
        if not pd.isna(low):
            spec_min[s, :] = float(low)
    cost = training.loc[cells["specialty"], "cost"].to_numpy(dtype=float)
    budget = np.full(n_years, np.inf)
    money: dict = {("cost", name): exact_money(training.at[name, "cost"]) for name in specialties}
    for t, year in enumerate(dyn.years):
        amount = plan.options.budget_of(year)
        if amount is not None:
            budget[t] = amount
            money[("budget", t)] = exact_money(amount)
    return Limits(cell_cap=cap, specialties=specialties, cell_specialty=cell_specialty, spec_max=spec_max,
                  spec_min=spec_min, cost=cost, budget=budget, open=open_, money=money)


def spend(lim: Limits, admitted: np.ndarray, t: int) -> Decimal:
    """Exact cost of the courses admitted in year position ``t``."""
    return courses_cost(lim, admitted[:, t])


def courses_cost(lim: Limits, counts: np.ndarray) -> Decimal:
    """Exact cost of ``counts`` courses per cell (one year's admissions)."""
    total = Decimal(0)
    for c in np.flatnonzero(counts):
        total += lim.money[("cost", lim.specialties[lim.cell_specialty[c]])] * int(counts[c])
    return total


def broken_limits(lim: Limits, admitted: np.ndarray, years: list) -> list[str]:
    """Every limit ``admitted`` (cells x years) breaks, as text; [] for a plan that keeps them all."""
    out = []
    if (admitted < 0).any() or (admitted != np.round(admitted)).any():
        out.append("admissions must be whole numbers >= 0")
    if (admitted[~lim.open] != 0).any():
        out.append("admissions in a year that cannot arrive within the horizon")
    if (admitted > lim.cell_cap).any():
        out.append("a region's cap (caps.csv) is exceeded")
    for s, name in enumerate(lim.specialties):
        per_year = admitted[lim.cell_specialty == s].sum(axis=0)
        planned = lim.open[lim.cell_specialty == s].any(axis=0)
        if (per_year > lim.spec_max[s]).any():
            out.append(f"{name}: max_admissions exceeded")
        if (per_year[planned] < lim.spec_min[s][planned]).any():
            out.append(f"{name}: fewer than min_admissions")
    for t, year in enumerate(years):
        if ("budget", t) in lim.money and spend(lim, admitted, t) > lim.money[("budget", t)]:
            out.append(f"{year}: budget exceeded")
    return out


__all__ = ["Limits", "broken_limits", "courses_cost", "limits", "spend"]

r"""The projection: stock, need and deficit of every region, specialty and year. This is the contract.

Let :math:`t_0` be ``base_year`` and :math:`T = t_0 + \text{horizon}`. For a region :math:`r` and a
specialty :math:`s` (a *cell*):

* :math:`\text{stock}(t_0)` is the staff given for the base year (physical persons);
* for :math:`t_0 < t \le T`:

  .. math::

      \text{stock}(t) = \text{stock}(t-1)\,(1 - e_s) + \text{pipeline}(t)
                        + c_s\,\text{admitted}(t - L_s)

  with :math:`e_s` the yearly exit rate, :math:`c_s` the completion rate and :math:`L_s` the
  training length of the specialty: people admitted in year :math:`y` arrive in :math:`y + L_s`
  (arrivals of year :math:`t` do not leave in :math:`t`);
* :math:`\text{deficit}(t) = \max(0, \text{need}(t) - f_s\,\text{stock}(t))` for :math:`t_0 \le t \le T`,
  with :math:`f_s` the full-time equivalents one person works (``fte_per_person``, 1 unless need
  is counted in FTE while staff are counted in persons).

Admissions are whole numbers in years :math:`t_0 \dots T - L_s` (later ones would arrive after
the horizon). Need between two given years is interpolated linearly, and held before the first
and after the last.

**With age bands** the staff of a cell is a vector over single ages: a band is spread evenly over
its ages (``"30-39"`` over 30..39, ``"<30"`` over 25..29, ``"60+"`` over 60..64: an assumption,
:data:`allocator.forecast.plan.OPEN_BAND_YEARS`). Each year everyone leaves with the exit rate of
their age (the band's row of ``exits.csv``, else the specialty's row for all ages, else 0), the
rest grow a year older, and those who reach ``retirement_age`` leave; arrivals join at
``entry_age``. Without bands, the first formula holds as written (and ``retirement_age`` is not
used).

**Obligations ending** (``obligations.csv``, the retention risk): of the :math:`p` people of a cell
whose service obligation ends in year :math:`\tau` (a grant's 3 years in Kazakhstan, Zemsky's 5), a
share :math:`q` leaves in :math:`\tau` (the row's ``leave_share``, else ``leave_after_service``):
the stock of every year :math:`t \ge \tau` loses :math:`q\,p\,g_s(t - \tau)`, what they would have
added had they stayed. Without bands that is exactly ``stock(t) = stock(t-1)(1 - e) + pipeline(t) -
q p`` in :math:`\tau`; with bands their later survival is taken as an arrival's (from the entry age,
an approximation: it ignores that they are some years older). No more leave in :math:`\tau` than
the stock holds then, net of those who left before (:math:`q p` is cut to it, year by year, so
later arrivals are not cancelled by leavers who were never there), and a stock is never below 0.
Those who left are counted in ``exits`` and, apart, in ``left_after_service``.

Both are linear in the admissions: :math:`\text{stock}(t) = \text{base}(t) + \sum_y
c_s\, g_s(t - y - L_s)\,\text{admitted}(y)`, where :math:`\text{base}` is the stock with no new
admissions and :math:`g_s(k)` the share of one arrival still working :math:`k` years after
arriving (:math:`(1 - e_s)^k` without bands). :class:`Dynamics` computes ``base`` and :math:`g`
once; :meth:`Dynamics.stock` applies them, and the optimiser writes the same sums as rows.
Figures are floats (people times rates); nothing is rounded before the outputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .plan import MAX_AGE, Plan, aged_specialties, band_ages

DEFAULT_ENTRY_AGE = 25
TOL = 1e-9  # a deficit at most this is closed (float sums of people times rates)


@dataclass(frozen=True)
class Dynamics:
    """A plan's linear projection: per cell (rows of ``cells``) and year (``years``).

    need, base (stock with no new admissions), base_arrivals (the pipeline): arrays cells x years;
    response: cells x years, ``response[c, k]`` the share of one arrival still working k years on;
    length, completion, fte: per cell, the specialty's training length, completion rate and FTE per person.
    """

    cells: pd.DataFrame  # region_id, specialty, weight
    years: list
    need: np.ndarray
    base: np.ndarray
    base_arrivals: np.ndarray
    response: np.ndarray
    length: np.ndarray
    completion: np.ndarray
    fte: np.ndarray
    left_after_service: np.ndarray  # cells x years: those leaving as their obligation ends

    @property
    def shape(self) -> tuple[int, int]:
        """(cells, years)."""
        return self.need.shape

    def admission_years(self, cell: int) -> range:
        """Positions (0 = base year) of the years a cell may admit in: those that arrive by the last year."""
        return range(0, max(0, len(self.years) - int(self.length[cell])))

    def gain(self, admitted: np.ndarray) -> np.ndarray:
        """Stock added by ``admitted`` (cells x years, by year of admission): cells x years."""
        n_cells, n_years = self.shape
        out = np.zeros((n_cells, n_years))
        for c in range(n_cells):
            lag = int(self.length[c])
            if lag >= n_years or not admitted[c].any():
                continue
            arrived = np.zeros(n_years)
            arrived[lag:] = admitted[c, : n_years - lag] * self.completion[c]
            out[c] = np.convolve(arrived, self.response[c])[:n_years]
        return out

    def stock(self, admitted: np.ndarray | None = None) -> np.ndarray:
        """Stock of every cell and year under ``admitted`` (None: no new admissions)."""
        return self.base if admitted is None else self.base + self.gain(admitted)

    def arrivals(self, admitted: np.ndarray | None = None) -> np.ndarray:
        """People arriving in each cell and year: the pipeline and those admitted L years before who finish."""
        out = self.base_arrivals.copy()
        if admitted is not None:
            for c in range(self.shape[0]):
                lag = int(self.length[c])
                if lag < self.shape[1]:
                    out[c, lag:] += admitted[c, : self.shape[1] - lag] * self.completion[c]
        return out

    def deficit(self, admitted: np.ndarray | None = None) -> np.ndarray:
        """max(0, need - fte x stock) of every cell and year."""
        return np.maximum(0.0, self.need - self.fte[:, None] * self.stock(admitted))

    def discount(self, rate: float) -> np.ndarray:
        """The discount factor of each year: (1 + rate) ** -(t - t0)."""
        return (1.0 + rate) ** -np.arange(len(self.years), dtype=float)


def dynamics(plan: Plan) -> Dynamics:
    """The :class:`Dynamics` of ``plan`` (module docstring)."""
    years = plan.options.years
    n_years = len(years)
    cells = plan.cells.merge(plan.regions[["region_id", "weight"]], on="region_id", how="left")
    training = plan.training.set_index("specialty")
    base_year = plan.options.base_year
    work = plan.workforce[plan.workforce["year"] == base_year]
    need = _yearly(plan.need, ["region_id", "specialty"], "need", cells, years)
    pipeline = _pipeline(plan.pipeline, cells, years)
    base = np.zeros((len(cells), n_years))
    response = np.zeros((len(cells), n_years))
    by_cell = {k: g for k, g in work.groupby(["region_id", "specialty"])}
    exits = {s: g for s, g in plan.exits.groupby("specialty")}
    keeps: dict = {}
    responses: dict = {}
    by_age = aged_specialties(plan.workforce, plan.exits, base_year)
    for c, (region, spec) in enumerate(zip(cells["region_id"], cells["specialty"])):
        rows = by_cell.get((region, spec), work.iloc[:0])
        entry = training.at[spec, "entry_age"]
        entry = DEFAULT_ENTRY_AGE if pd.isna(entry) else int(entry)
        aged = bool(rows["age_band"].notna().any()) if len(rows) else spec in by_age
        if (spec, aged) not in keeps:
            keeps[(spec, aged)] = _survival(exits.get(spec, plan.exits.iloc[:0]), aged)
        keep = keeps[(spec, aged)]
        if aged:
            v = np.zeros(MAX_AGE + 1)
            for band, persons in zip(rows["age_band"], rows["persons"]):
                ages = np.array(list(band_ages(band)))
                ages = ages[ages <= MAX_AGE]
                v[ages] += float(persons) / len(ages)
            for t in range(n_years):
                if t > 0:
                    v = _step(v, keep)
                    v[_entry(v, entry)] += pipeline[c, t]
                base[c, t] = v.sum()
        else:  # one number: stock(t) = stock(t-1) (1 - e) + pipeline(t)
            stock = float(rows["persons"].sum())
            stay = float(keep[0][0])
            for t in range(n_years):
                if t > 0:
                    stock = stock * stay + pipeline[c, t]
                base[c, t] = stock
        if (spec, aged, entry) not in responses:
            u = np.zeros(MAX_AGE + 1 if aged else 1)
            u[_entry(u, entry)] = 1.0
            g = np.zeros(n_years)
            for k in range(n_years):
                g[k] = u.sum()
                u = _step(u, keep)
            responses[(spec, aged, entry)] = g
        response[c] = responses[(spec, aged, entry)]
    leaving = _leaving(plan, cells, years)
    for c in np.flatnonzero(leaving.any(axis=1)):
        base[c], leaving[c] = _after_leaving(base[c], leaving[c], response[c])
    length = training.loc[cells["specialty"], "years"].to_numpy(dtype=int)
    completion = training.loc[cells["specialty"], "completion_rate"].to_numpy(dtype=float)
    fte = training.loc[cells["specialty"], "fte_per_person"].astype(float).fillna(1.0).to_numpy()
    return Dynamics(cells=cells, years=years, need=need, base=base, base_arrivals=pipeline, response=response,
                    length=length, completion=completion, fte=fte, left_after_service=leaving)


def _after_leaving(base: np.ndarray, leaving: np.ndarray, response: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(stock, those who left) of one cell when ``leaving[t]`` people would leave in year t as their
    obligation ends, year by year: no more leave than are there (the stock net of earlier leavers),
    and each one who left takes away ``response[k]`` of the stock k years on (module docstring)."""
    n = len(base)
    lost = np.zeros(n)  # stock the leavers so far would still have been
    left = np.zeros(n)
    for t in np.flatnonzero(leaving):
        left[t] = min(leaving[t], max(0.0, base[t] - lost[t]))
        lost[t:] += left[t] * response[: n - t]
    return np.maximum(0.0, base - lost), left


def _entry(v: np.ndarray, age: int) -> int:
    """Where an arrival joins: its age (aged) or the one cell."""
    return min(age, MAX_AGE) if len(v) > 1 else 0


def _survival(exits: pd.DataFrame, aged: bool):
    """(share staying by age or overall, retirement age or None) of one specialty's exit rows."""
    overall = exits.loc[exits["age_band"].isna(), "exit_rate"]
    rate = float(overall.iloc[0]) if len(overall) else 0.0
    retire = exits["retirement_age"].dropna()
    retire = int(retire.max()) if len(retire) else None
    if not aged:
        return np.array([1.0 - rate]), None
    by_age = np.full(MAX_AGE + 1, rate)
    for band, r in zip(exits["age_band"], exits["exit_rate"]):
        if isinstance(band, str):
            ages = [a for a in band_ages(band) if a <= MAX_AGE]
            by_age[ages] = float(r)
    return 1.0 - by_age, retire


def _step(v: np.ndarray, keep) -> np.ndarray:
    """One year: exits at each age, then a year older, then retirement."""
    stay, retire = keep
    if len(v) == 1:
        return v * stay
    out = np.zeros_like(v)
    out[1:] = (v * stay)[:-1]
    if retire is not None:
        out[retire:] = 0.0
    return out


def _yearly(frame: pd.DataFrame, keys: list, value: str, cells: pd.DataFrame, years: list) -> np.ndarray:
    """``value`` of each cell and year: linear between given years, held before and after (0 if none)."""
    out = np.zeros((len(cells), len(years)))
    grouped = {k: g.sort_values("year") for k, g in frame.groupby(keys)} if len(frame) else {}
    for c, key in enumerate(zip(*(cells[k] for k in keys))):
        rows = grouped.get(key)
        if rows is None:
            continue
        out[c] = np.interp(years, rows["year"].to_numpy(dtype=float), rows[value].to_numpy(dtype=float))
    return out


def _after_base(frame: pd.DataFrame, values, cells: pd.DataFrame, years: list) -> np.ndarray:
    """``values`` (one per row of ``frame``: region_id, specialty, year) summed per cell and year after
    the base year; rows of other cells and years are not counted."""
    out = np.zeros((len(cells), len(years)))
    if not len(frame):
        return out
    at = {y: i for i, y in enumerate(years)}
    index = {k: c for c, k in enumerate(zip(cells["region_id"], cells["specialty"]))}
    for region, spec, year, n in zip(frame["region_id"], frame["specialty"], frame["year"], values):
        c, t = index.get((region, spec)), at.get(int(year))
        if c is not None and t is not None and t > 0:
            out[c, t] += float(n)
    return out


def _pipeline(frame: pd.DataFrame, cells: pd.DataFrame, years: list) -> np.ndarray:
    """People already in training arriving in each cell and year (0 where none is given)."""
    return _after_base(frame, frame["graduates"], cells, years)


def _leaving(plan: Plan, cells: pd.DataFrame, years: list) -> np.ndarray:
    """People leaving each cell and year as their service obligation ends: leave_share x persons."""
    rows = plan.obligations
    share = rows["leave_share"].astype(float).fillna(plan.options.leave_after_service)
    return _after_base(rows, rows["persons"].astype(float) * share, cells, years)


def project(plan: Plan, admitted: pd.DataFrame | None = None) -> pd.DataFrame:
    """The projection table of ``plan`` under ``admitted`` (region_id, specialty, year, admitted; None:
    none): one row per region, specialty and year with stock, need, deficit, arrivals, exits."""
    dyn = dynamics(plan)
    return projection_table(dyn, admissions_array(dyn, admitted))


def admissions_array(dyn: Dynamics, admitted: pd.DataFrame | None) -> np.ndarray:
    """An admissions table as an array cells x years (by year of admission)."""
    out = np.zeros(dyn.shape)
    if admitted is None or not len(admitted):
        return out
    index = {k: c for c, k in enumerate(zip(dyn.cells["region_id"], dyn.cells["specialty"]))}
    at = {y: i for i, y in enumerate(dyn.years)}
    for region, spec, year, n in zip(admitted["region_id"], admitted["specialty"], admitted["year"],
                                     admitted["admitted"]):
        c, t = index.get((region, spec)), at.get(int(year))
        if c is None or t is None:
            raise ValueError(f"no cell {region}/{spec} in year {year}")
        if n and t not in dyn.admission_years(c):
            raise ValueError(f"{region}/{spec}: admitted in {year} would arrive after the horizon "
                             f"({dyn.years[-1]})")
        out[c, t] += float(n)
    return out


def projection_table(dyn: Dynamics, admitted: np.ndarray) -> pd.DataFrame:
    """projection.csv's rows for admissions ``admitted`` (cells x years)."""
    stock = dyn.stock(admitted)
    arrivals = dyn.arrivals(admitted)
    exits = np.zeros_like(stock)
    exits[:, 1:] = stock[:, :-1] + arrivals[:, 1:] - stock[:, 1:]
    n_cells, n_years = dyn.shape
    return pd.DataFrame({
        "region_id": np.repeat(dyn.cells["region_id"].to_numpy(), n_years),
        "specialty": np.repeat(dyn.cells["specialty"].to_numpy(), n_years),
        "year": np.tile(np.array(dyn.years), n_cells),
        "stock": stock.ravel(),
        "need": dyn.need.ravel(),
        "deficit": np.maximum(0.0, dyn.need - dyn.fte[:, None] * stock).ravel(),
        "arrivals": np.where(np.arange(n_years) == 0, 0.0, arrivals).ravel(),
        "exits": exits.ravel(),
        "left_after_service": dyn.left_after_service.ravel(),
    })


def closing_years(dyn: Dynamics, admitted: np.ndarray) -> list[int | None]:
    """Per cell, the first year from which its deficit stays closed to the horizon (None: not within it)."""
    open_ = dyn.deficit(admitted) > TOL
    out = []
    for row in open_:
        last_open = np.flatnonzero(row)
        if not len(last_open):
            out.append(dyn.years[0])
        elif last_open[-1] == len(row) - 1:
            out.append(None)
        else:
            out.append(dyn.years[last_open[-1] + 1])
    return out


__all__ = ["DEFAULT_ENTRY_AGE", "Dynamics", "admissions_array", "closing_years", "dynamics", "project",
           "projection_table"]

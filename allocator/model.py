r"""The allocation model, in matrix form, built in bulk from the pairs table.

Sets
----
- :math:`G` graduates; :math:`O \subseteq G` obligated ones (grant, targeted).
- :math:`P` allowed pairs (rows of :func:`allocator.pairs.allowed_pairs`):
  graduate :math:`g(p)`, facility-specialty slot :math:`v(p)`, region
  :math:`r(p)`, km :math:`d_p`, programme :math:`k(p)` (or none), payment
  :math:`a_p`.
- :math:`V` facility-specialty slots with vacancies :math:`n_v`;
  :math:`RS` region-specialty cells with vacancies
  :math:`N_{rs} = \sum_{v \in rs} n_v`; :math:`K` programmes with quota
  :math:`Q_k` and budget :math:`B_k` (either may be absent).

Variables
---------
- :math:`x_p \in \{0, 1\}`: pair :math:`p` is chosen.
- With diminishing returns only: :math:`y_{rs,j} \in \{0,1\}`,
  :math:`j = 1..N_{rs}`: the :math:`j`-th vacancy of cell :math:`rs` is filled.

Constraints
-----------
- one post per graduate: :math:`\sum_{p: g(p)=g} x_p \le 1` for all :math:`g`;
- vacancies: :math:`\sum_{p: v(p)=v} x_p \le n_v` for all :math:`v`;
- quota: :math:`\sum_{p: k(p)=k} x_p \le Q_k`; budget of each year :math:`t` a programme
  budgets (year 0 on hiring, later instalments): :math:`\sum_{p: k(p)=k} a_{p,t} x_p \le B_{k,t}`,
  :math:`a_{p,t}` the pair's payment of that year at its tier (remote or standard); the rows
  are :func:`allocator.programmes.limit_rows`, the same for every engine;
- diminishing returns: :math:`\sum_j y_{rs,j} = \sum_{p \in rs} x_p`;
- couples (:func:`allocator.couples.bound_couples`): for each bound couple :math:`(a, b)` and each
  region :math:`r` where either has a pair,
  :math:`\sum_{p: g(p)=a, r(p)=r} x_p = \sum_{p: g(p)=b, r(p)=r} x_p`. Each member takes at most
  one post, so summed over the regions both are placed or neither, and in one region: the
  same region's two sums are 1 together. A member with no pair in a region keeps the other out of it.

Each block of rows has a family name, so that an exported model reads:
``one_post``, ``vacancies``, ``quota``, ``budget``, ``cell_filled`` (the
diminishing-returns link), ``couple`` and, added by the backends, ``level_1``,
``level_2`` (the held levels).

(Specialty, sponsor region, max km and programme filters are not
constraints: forbidden pairs are simply absent from :math:`P`.)

Objective, lexicographic, each level solved to optimality and then fixed
-------------------------------------------------------------------------
1. maximise obligated graduates placed :math:`z_1 = \sum_{p: g(p) \in O} x_p`;
2. minimise the weighted remaining deficit
   :math:`z_2 = \sum_{rs} w_r (N_{rs} - \sum_{p \in rs} x_p)`, or with
   diminishing returns the convex piecewise-linear
   :math:`z_2 = \sum_{rs} w_r \sum_{j} m_{rs,j} (1 - y_{rs,j})` with marginal
   values :math:`m_{rs,j} = (N_{rs} - j + 1) / N_{rs}`: the first placement
   into an empty cell is worth :math:`w_r`, the last :math:`w_r / N_{rs}`, and
   a remaining deficit :math:`d` costs :math:`w_r d (d + 1) / (2 N_{rs})`,
   so two cells half filled come before one nearly full. The :math:`m` fall
   with :math:`j`, so an optimum fills each cell's :math:`y` in order;
3. minimise total km :math:`z_3 = \sum_p d_p x_p`.

Level :math:`k` is solved with :math:`z_1 .. z_{k-1}` held at their optima.

Integer scaling
---------------
All objective and budget coefficients are integers, made in one place
(:mod:`allocator.scaling`), so that every backend (CBC, HiGHS, CP-SAT, flow)
optimises exactly the same numbers and equality of the fixed levels is
exact: money rows are exact (scaled by the figures' own decimals and divided
by the payments' common divisor), weights are scaled from the round's largest
weight (a positive weight never becomes 0), km are whole metres. The
reported :math:`z_2` is recomputed from the unrounded data; :math:`z_3` is
reported as optimised (whole metres, so equal across solvers), beside the
exact ``total_km``. :mod:`allocator.scaling` states what the rounding of
weights and km can cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .programmes import limit_rows
from .scaling import KM_SCALE, weight_max, weight_units

__all__ = ["KM_SCALE", "MatrixModel", "build"]


@dataclass(frozen=True)
class MatrixModel:
    """max/min c.x s.t. lower <= A x <= upper, x binary. A in COO form."""

    n_vars: int
    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    objectives: dict  # name -> (coefficient vector, maximise?); pairs come first in x
    families: tuple = ()  # (family name, first row, number of rows) per block of rows, in row order

    @property
    def n_rows(self) -> int:
        """Number of constraint rows."""
        return len(self.lower)

    def row_names(self) -> list[str]:
        """A readable name per row: its family and its number in it (``one_post_0``, ``budget_1``...)."""
        names = [f"r{i}" for i in range(self.n_rows)]
        for family, first, count in self.families:
            names[first:first + count] = [f"{family}_{k}" for k in range(count)]
        return names


class _Rows:
    """Accumulates constraint blocks in COO form."""

    def __init__(self):
        self.rows, self.cols, self.vals, self.lower, self.upper = [], [], [], [], []
        self.count = 0
        self.families: list[tuple[str, int, int]] = []

    def add_grouped(self, groups: np.ndarray, cols: np.ndarray, vals: np.ndarray, lower, upper,
                    family: str = "row") -> None:
        """One row per distinct value of ``groups`` (codes 0..m-1) over the given columns,
        named after ``family`` (rows of one family added in several blocks are numbered on)."""
        if len(cols) == 0:
            return
        m = int(groups.max()) + 1
        if self.families and self.families[-1][0] == family and sum(self.families[-1][1:]) == self.count:
            name, first, count = self.families[-1]
            self.families[-1] = (name, first, count + m)
        else:
            self.families.append((family, self.count, m))
        self.rows.append(groups + self.count)
        self.cols.append(cols)
        self.vals.append(vals.astype(float))
        self.lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (m,)).copy())
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (m,)).copy())
        self.count += m

    def arrays(self):
        """All blocks concatenated: (rows, cols, vals) of the COO matrix as int64, int64, float,
        then the rows' lower and upper bounds as float; empty arrays when no block was added.
        """
        def cat(parts, dtype):
            """``parts`` joined into one array of ``dtype`` (an empty one when there are none)."""
            return np.concatenate(parts).astype(dtype) if parts else np.array([], dtype=dtype)
        return (cat(self.rows, np.int64), cat(self.cols, np.int64), cat(self.vals, float),
                cat(self.lower, float), cat(self.upper, float))


def build(pairs: pd.DataFrame, vacancies: pd.DataFrame, programmes: pd.DataFrame,
          cells: pd.DataFrame, diminishing_returns: bool = False,
          instalments: pd.DataFrame | None = None, couples: pd.DataFrame | None = None) -> MatrixModel:
    """Build the model from the pairs table, vectorised (no loop per variable); ``instalments``:
    the round's later payments and yearly budgets (none: one payment on hiring); ``couples``:
    the bound couples (:func:`allocator.couples.bound_couples`; none: no couple rows)."""
    n = len(pairs)
    idx = np.arange(n)
    rows = _Rows()

    # one post per graduate
    rows.add_grouped(pd.factorize(pairs["graduate_id"])[0], idx, np.ones(n), -np.inf, 1, "one_post")
    # vacancies per facility-specialty slot
    slot_codes, slot_keys = pd.factorize(pd.MultiIndex.from_frame(pairs[["facility_id", "specialty"]]))
    capacity = (
        vacancies.set_index(["facility_id", "specialty"])["vacancies"]
        .reindex(slot_keys).to_numpy(dtype=float)
    )
    if n:
        rows.add_grouped(slot_codes, idx, np.ones(n), -np.inf, capacity, "vacancies")
    # programme quota and each year's budget, in exact integers (allocator.programmes)
    remote = pairs["remote"].to_numpy(bool) if "remote" in pairs else np.zeros(n, bool)
    limits = limit_rows(pairs["programme_id"].to_numpy(object), remote, programmes, instalments)
    for row in sorted(limits, key=lambda r: r.year is not None):  # quota rows, then budget rows (stable)
        rows.add_grouped(np.zeros(len(row.members), np.int64), row.members, row.coef, -np.inf, row.bound,
                         "quota" if row.year is None else "budget")

    if couples is not None and len(couples) and n:
        _couple_rows(rows, pairs, couples)

    obligated = pairs["obligated"].to_numpy(dtype=bool).astype(float)
    km = np.rint(pairs["km"].to_numpy(dtype=float) * KM_SCALE)
    weight = pairs["weight"].to_numpy(dtype=float)
    w_max = weight_max(cells["weight"], cells["vacancies"])  # the same scale as the flow engine's (allocator.scaling)

    if not diminishing_returns:
        n_vars = n
        z2 = weight_units(weight, w_max).astype(float)
    else:
        segments = _segments(pairs, cells)
        n_vars = n + len(segments)
        z2 = np.concatenate([np.zeros(n), weight_units(segments["value"].to_numpy(), w_max).astype(float)])
        # link: sum_j y_rs,j - sum_{p in rs} x_p = 0
        cell_keys = pd.MultiIndex.from_frame(segments[["region_id", "specialty"]].drop_duplicates())
        pair_cells = pd.MultiIndex.from_frame(pairs[["region_id", "specialty"]])
        seg_cells = pd.MultiIndex.from_frame(segments[["region_id", "specialty"]])
        pc = cell_keys.get_indexer(pair_cells)
        sc = cell_keys.get_indexer(seg_cells)
        groups = np.concatenate([pc, sc])
        cols = np.concatenate([idx, n + np.arange(len(segments))])
        vals = np.concatenate([-np.ones(n), np.ones(len(segments))])
        rows.add_grouped(groups, cols, vals, 0, 0, "cell_filled")
        km = np.concatenate([km, np.zeros(len(segments))])
        obligated = np.concatenate([obligated, np.zeros(len(segments))])

    r, c, v, lo, up = rows.arrays()
    return MatrixModel(
        n_vars=n_vars, rows=r, cols=c, vals=v, lower=lo, upper=up,
        objectives={"obligated": (obligated, True), "deficit": (z2, True), "km": (km, False)},
        families=tuple(rows.families),
    )


def _couple_rows(rows: _Rows, pairs: pd.DataFrame, couples: pd.DataFrame) -> None:
    """One row per couple and region either member reaches: the first's pairs there less the second's, = 0."""
    member = pd.concat([
        pd.DataFrame({"graduate_id": couples["first"], "couple": np.arange(len(couples)), "sign": 1.0}),
        pd.DataFrame({"graduate_id": couples["second"], "couple": np.arange(len(couples)), "sign": -1.0}),
    ], ignore_index=True)
    at = pairs[["graduate_id", "region_id"]].reset_index(drop=True).assign(col=np.arange(len(pairs)))
    at = at.merge(member, on="graduate_id", how="inner")
    if at.empty:
        return
    groups = pd.factorize(pd.MultiIndex.from_frame(at[["couple", "region_id"]]))[0]
    rows.add_grouped(groups, at["col"].to_numpy(np.int64), at["sign"].to_numpy(float), 0, 0, "couple")


def _segments(pairs: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """Diminishing-returns segments j = 1..N_rs for every cell some pair can reach."""
    reachable = pairs[["region_id", "specialty"]].drop_duplicates()
    cells = cells.merge(reachable, on=["region_id", "specialty"]).sort_values(["region_id", "specialty"])
    cells = cells[cells["vacancies"] > 0].reset_index(drop=True)
    seg = cells.loc[cells.index.repeat(cells["vacancies"].astype(int))].reset_index(drop=True)
    seg["j"] = seg.groupby(["region_id", "specialty"]).cumcount() + 1
    seg["value"] = seg["weight"] * (seg["vacancies"] - seg["j"] + 1) / seg["vacancies"]
    return seg[["region_id", "specialty", "j", "value"]]

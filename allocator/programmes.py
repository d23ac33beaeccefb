r"""Support programmes as rows over the allowed pairs: one definition for every engine and the checker.

Who a programme pays (the arcs of :mod:`allocator.pairs`)
---------------------------------------------------------
A programme covers a placement when the post is on programme territory (a rural facility, or a
closed town, ЗАТО, for a programme with ``closed_towns``), its specialty, region and settlement
size match the programme's filters (a closed town's size is no limit), the graduate's funding is
in the programme's ``funding`` (default paid) and, with ``max_age``, the graduate's known age is
at most that. A covered graduate is paid by the programme and takes one of its places: a paid
graduate at a rural post needs such a place to take the post at all, and an obligated graduate
whose funding a programme lists takes the post through it (pairs).

Money: tiers and years
----------------------
Programme :math:`k` pays, in year :math:`t` after hiring, :math:`a_{k,t}(p)`: ``payment_remote``
when the pair's facility is remote (and that figure is given), else ``payment``; year 0 is
``programmes.csv``, years :math:`t \ge 1` are ``instalments.csv``. Its rows are

- places: :math:`\sum_{p \in k} x_p \le Q_k` (``quota``);
- money of year :math:`t`: :math:`\sum_{p \in k} a_{k,t}(p) x_p \le B_{k,t}` for year 0
  (``programmes.budget``) and every instalment year with a ``budget``: the money counted
  against a year's budget is what falls in that year.

Money rows are exact integers (:func:`allocator.scaling.budget_row`: scaled by the figures'
decimals, divided by the payments' common divisor; nothing rounded that could change an integer
solution). When every pair of a money row pays the same :math:`a > 0` the row is exactly the
headcount :math:`\lfloor B/a \rfloor`; :func:`headcount_and_weighted` folds such rows and the quota
into one headcount per programme (the flow engine's network side row), and keeps rows whose
payments differ (tiers) as weighted rows, which every engine then holds exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .scaling import budget_row

__all__ = ["Ledger", "LimitRow", "headcount_and_weighted", "ledgers", "limit_rows", "money_by_year", "pair_payments"]


@dataclass(frozen=True)
class LimitRow:
    """``sum(coef * x[members]) <= bound`` for one programme: its places (year None) or one year's money."""

    programme_id: str
    year: int | None  # None: the quota row; else the year of the money row
    members: np.ndarray  # positions in the arcs (or pairs) the row is over
    coef: np.ndarray  # integers
    bound: int

    @property
    def uniform(self) -> bool:
        """Every member counts 1: a headcount row."""
        return bool((self.coef == 1).all())


def money_by_year(programmes: pd.DataFrame, instalments: pd.DataFrame | None) -> pd.DataFrame:
    """One row per programme and year it pays or budgets: programme_id, year, payment,
    payment_remote (filled with payment), budget (NaN = none); year 0 from programmes, later
    years from instalments; sorted by programme and year."""
    base = pd.DataFrame({
        "programme_id": programmes["programme_id"].astype(object).to_numpy(),
        "year": 0,
        "payment": programmes["payment"].to_numpy(dtype=float),
        "payment_remote": _column(programmes, "payment_remote"),
        "budget": programmes["budget"].to_numpy(dtype=float),
    })
    frames = [base]
    if instalments is not None and len(instalments):
        frames.append(pd.DataFrame({
            "programme_id": instalments["programme_id"].astype(object).to_numpy(),
            "year": instalments["year"].astype(int).to_numpy(),
            "payment": instalments["payment"].to_numpy(dtype=float),
            "payment_remote": _column(instalments, "payment_remote"),
            "budget": _column(instalments, "budget"),
        }))
    out = pd.concat(frames, ignore_index=True)
    out["payment_remote"] = out["payment_remote"].fillna(out["payment"])
    return out.sort_values(["programme_id", "year"], kind="mergesort").reset_index(drop=True)


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    return frame[name].to_numpy(dtype=float) if name in frame else np.full(len(frame), np.nan)


def pair_payments(programme: np.ndarray, remote: np.ndarray, money: pd.DataFrame, year: int = 0) -> np.ndarray:
    """The payment of ``year`` of each pair (0 for a pair without programme or without that
    year's payment): its programme's figure at the pair's tier."""
    out = np.zeros(len(programme))
    rows = money[money["year"] == year].set_index("programme_id")
    if rows.empty:
        return out
    codes = pd.Index(rows.index).get_indexer(pd.Series(programme, dtype=object).fillna("\0"))
    hit = codes >= 0
    standard = rows["payment"].to_numpy(dtype=float)
    far = rows["payment_remote"].to_numpy(dtype=float)
    out[hit] = np.where(np.asarray(remote, dtype=bool)[hit], far[codes[hit]], standard[codes[hit]])
    return out


def limit_rows(programme: np.ndarray, remote: np.ndarray, programmes: pd.DataFrame,
               instalments: pd.DataFrame | None) -> list[LimitRow]:
    """The places and money rows of every programme over pairs whose programme is ``programme``
    (None for a pair without one) at facilities ``remote``; in programme_id order, quota first,
    then the money rows by year. A programme no pair uses has no rows."""
    programme = np.asarray(programme, dtype=object)
    remote = np.asarray(remote, dtype=bool)
    money = money_by_year(programmes, instalments)
    quota = programmes.set_index("programme_id")["quota"]
    out: list[LimitRow] = []
    for pid in sorted(programmes["programme_id"]):
        members = np.flatnonzero(programme == pid)
        if len(members) == 0:
            continue
        q = quota.get(pid)
        if q is not None and not pd.isna(q):
            out.append(LimitRow(pid, None, members, np.ones(len(members), np.int64), int(q)))
        mine = money[money["programme_id"] == pid]
        for row in mine.itertuples(index=False):
            if pd.isna(row.budget):
                continue
            pays = np.where(remote[members], row.payment_remote, row.payment)
            coef, bound = budget_row(pays, row.budget)
            if not coef.any():
                continue  # pays nothing this year: no limit
            out.append(LimitRow(pid, int(row.year), members, coef, int(bound)))
    return out


def headcount_and_weighted(rows: list[LimitRow]) -> tuple[dict[str, int], list[LimitRow]]:
    """The rows as one headcount per programme (the least bound of its rows in which every member
    counts 1: its quota and its money rows of one payment) and the rows left (payments that differ
    between members)."""
    caps: dict[str, int] = {}
    weighted = []
    for row in rows:
        if row.uniform:
            caps[row.programme_id] = min(caps.get(row.programme_id, row.bound), row.bound)
        else:
            weighted.append(row)
    return caps, weighted


@dataclass
class Ledger:
    """One programme's places and money left, taken one placement at a time, exactly: the
    mechanisms' turn-by-turn account (choice, its audit). ``cost[t]`` is (standard, remote) in the
    integers of year ``t``'s money row (:func:`allocator.scaling.budget_row` over both tiers'
    payments), ``left[t]`` that row's bound less what was taken; ``places`` the quota left (None:
    no quota)."""

    places: int | None
    cost: list[tuple[int, int]]
    left: list[int]

    def fits(self, remote: bool) -> bool:
        """One more placement at this tier keeps every row."""
        if self.places is not None and self.places < 1:
            return False
        return all(c[remote] <= b for c, b in zip(self.cost, self.left))

    def take(self, remote: bool, sign: int = 1) -> None:
        """Count one placement at this tier (``sign`` -1: give it back)."""
        if self.places is not None:
            self.places -= sign
        self.left = [b - sign * c[remote] for c, b in zip(self.cost, self.left)]

    def headcount(self, tiers: set[bool]) -> int | None:
        """The exact number of placements it can fund when every placement is of one of ``tiers``
        and they all cost the same in every year; None when unlimited; raises ValueError when
        they cost differently (the places are then no headcount)."""
        cap = self.places
        for c, b in zip(self.cost, self.left):
            costs = {c[t] for t in tiers}
            if len(costs) > 1:
                raise ValueError("payments differ between the tiers")
            unit = costs.pop() if costs else 0
            if unit > 0:
                cap = b // unit if cap is None else min(cap, b // unit)
        return cap


def ledgers(programmes: pd.DataFrame, instalments: pd.DataFrame | None) -> list[Ledger]:
    """One :class:`Ledger` per programme row, in ``programmes`` order, before anyone is placed."""
    money = money_by_year(programmes, instalments)
    out = []
    for prog in programmes.itertuples(index=False):
        q = prog.quota
        cost, left = [], []
        for row in money[money["programme_id"] == prog.programme_id].itertuples(index=False):
            if pd.isna(row.budget):
                continue
            coef, bound = budget_row([row.payment, row.payment_remote], row.budget)
            cost.append((int(coef[0]), int(coef[1])))
            left.append(int(bound))
        out.append(Ledger(None if pd.isna(q) else int(q), cost, left))
    return out

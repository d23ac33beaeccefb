r"""The marginal value of a programme's budget, exactly: the weighted deficit as a step function.

A support programme pays ``payment`` :math:`a` per graduate placed with it, funds at most
``quota`` :math:`q` people and may spend at most ``budget`` :math:`B`. The model sees the budget
only through the headcount it funds,

.. math::

    h(B) = \min\big(q, \lfloor B / a \rfloor\big)

(:func:`allocator.scaling.headcount_cap`, in exact rationals), so the lexicographic optimum
(obligated graduates placed, then weighted deficit, then km) is a **step function of B** whose
breakpoints are :math:`B = h a`: between two breakpoints the next rouble buys nothing, and at
each one the next person is funded. Let :math:`H` be the programme's placements with its budget
removed (quota kept). Any budget funding :math:`h \ge H` people admits that unlimited optimum, so
:math:`D(h) = D(H)` from there on: :func:`marginal_curve` solves the round at every
:math:`h = 0, \dots, H` (each an ordinary exact solve of the round, as ``allocator solve``) and
reports, for step :math:`h`,

* ``budget_from`` :math:`= h a` (the least budget that funds :math:`h`), ``budget_to``
  :math:`= (h + 1) a` (exclusive; empty on the last step, where more money buys nothing);
* ``obligated_placed``, ``weighted_deficit`` :math:`D(h)`, ``placed`` (with this programme);
* ``deficit_removed`` :math:`= D(h - 1) - D(h)`: what the :math:`h`-th payment buys, and
  ``per_million`` the same per 1,000,000 money units;
* ``regions``: how each region's weighted deficit (open vacancies × weight) changed from step
  :math:`h - 1` to :math:`h`, signed, largest fall first (``kamensky: -2; belinsky: +1.1``): a
  funded graduate may move another one, so a step can lower one region and raise another.

These values are **exact** (solved at every breakpoint). Beside them each step has ``lp_dual``,
what the LP duals say instead: the dual of the programme's headcount row in the deficit
level's linear programme, in deficit per place (:attr:`allocator.solution.ProgrammeUse.lp_dual`;
the flow engine proves that level by LP duals, so it has them; CBC, HiGHS and CP-SAT solve a MIP
and give none, the column is then empty). A dual is a slope of the LP's optimal value at this
headcount: equal to the next step where that value is linear, but at a breakpoint it may give the
step on either side. On Penza's doctors it says 1.0 at 0 places and 0.9 at 1..7, exactly the next
steps, and 0.9 again at 7 places, where the exact curve shows the 8th place buys nothing. It
says nothing of which regions gain. The weighted deficit is as the run reports it (with
``diminishing_returns`` the penalty is convex, so steps may shrink faster).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from ..pair_cache import PairCache
from ..problem import Round
from ..scaling import exact_money
from ..solve import solve
from .apply import apply_spec
from .runner import money_cell

MILLION = Decimal(1_000_000)
DIGITS = 9  # differences of weighted deficits are rounded here (float sums of weight x count)


@dataclass(frozen=True)
class MarginalCurve:
    """The steps of :func:`marginal_curve` (one row per funded headcount) and what they are of."""

    programme_id: str
    payment: Decimal
    steps: pd.DataFrame
    method: str = "exact: the round solved at every breakpoint of the budget"

    def at(self, budget, extra=MILLION) -> dict:
        """What ``extra`` money on top of ``budget`` buys: the deficit removed and where.

        ``{"funded_from", "funded_to", "deficit_removed", "regions", "lp_dual"}``; ``regions`` maps
        region_id to the change of its weighted deficit (negative: it falls), regions that change
        only; ``lp_dual`` is the LP duals' deficit per place at ``budget`` (None without duals).
        """
        h0, h1 = self.funded(budget), self.funded(exact_money(budget) + exact_money(extra))
        rows = self.steps.set_index("funded")
        d0, d1 = float(rows.loc[h0, "weighted_deficit"]), float(rows.loc[h1, "weighted_deficit"])
        dual = rows.loc[h0, "lp_dual"]
        return {"funded_from": h0, "funded_to": h1, "deficit_removed": round(d0 - d1, DIGITS),
                "regions": self.change(h0, h1).to_dict(), "lp_dual": None if pd.isna(dual) else float(dual)}

    def change(self, before: int, after: int) -> pd.Series:
        """region_id -> change of its weighted deficit from ``before`` to ``after`` funded places
        (negative: it falls), the regions that change only, largest fall first."""
        rows = self.steps.set_index("funded")["_region_deficit"]
        return _change(rows.loc[before], rows.loc[after]).round(DIGITS)

    def funded(self, budget) -> int:
        """The headcount ``budget`` funds here (the last step's once the budget is past it)."""
        top = int(self.steps["funded"].max())
        return min(max(math.floor(exact_money(budget) / self.payment), 0), top)

    def table(self) -> pd.DataFrame:
        """The steps as written to ``marginal.csv`` (without the per-region series)."""
        return self.steps.drop(columns="_region_deficit")


def _budget_value(amount: Decimal) -> float:
    """A budget as the float whose shortest text is ``amount`` (what :func:`apply_spec` takes)."""
    value = float(amount)
    if Decimal(repr(value)) != amount:
        raise ValueError(f"budget {amount} is not exact as a float; give the payment with fewer digits")
    return value


def _change(before: pd.Series, after: pd.Series) -> pd.Series:
    """Per-region change of the weighted deficit, regions that change only, largest fall first."""
    change = after.sub(before, fill_value=0.0)
    return change[change.abs() > 1e-9].sort_values(kind="stable")


def region_deficits(solution) -> pd.Series:
    """region_id -> weighted deficit left (open vacancies x the region's weight) of one solution."""
    d = solution.deficits
    return (d["remaining"] * d["weight"]).groupby(d["region_id"]).sum()


def marginal_curve(round_: Round, programme_id: str, base: dict | None = None) -> MarginalCurve:
    """The weighted deficit of ``round_`` at every breakpoint of ``programme_id``'s budget.

    ``base``: other scenario values held fixed (grid keys, as :func:`apply_spec` takes them); the
    solves share their allowed pairs (:class:`allocator.pair_cache.PairCache`).
    Raises ``KeyError`` for an unknown programme and ``ValueError`` for a programme without a
    positive payment (its budget then funds nobody or everybody: there is no curve).
    """
    base = dict(base or {})
    row = round_.programmes.loc[round_.programmes["programme_id"] == programme_id]
    if row.empty:
        raise KeyError(programme_id)
    payment = exact_money(row["payment"].iloc[0])
    if not payment > 0:
        raise ValueError(f"programme {programme_id} has no positive payment")
    key = f"programme.{programme_id}.budget"
    cache = PairCache()
    unlimited = solve(apply_spec(round_, {**base, key: float("nan")}), pair_cache=cache)
    top = next(p.placed for p in unlimited.programmes if p.programme_id == programme_id)
    rows = []
    previous = None
    for h in range(top + 1):
        solution = unlimited if h == top else solve(apply_spec(round_, {**base, key: _budget_value(payment * h)}),
                                                    pair_cache=cache)
        use = next(p for p in solution.programmes if p.programme_id == programme_id)
        per_region = region_deficits(solution)
        deficit = float(solution.weighted_deficit)
        removed = None if previous is None else round(float(previous[0]) - deficit, DIGITS)
        change = None if previous is None else _change(previous[1], per_region)
        rows.append({
            "funded": h,
            "budget_from": money_cell(payment * h),
            "budget_to": "" if h == top else money_cell(payment * (h + 1)),
            "placed": use.placed,
            "obligated_placed": solution.obligated_placed,
            "weighted_deficit": deficit,
            "deficit_removed": removed,
            "per_million": None if removed is None else round(removed * float(MILLION / payment), DIGITS),
            "lp_dual": use.lp_dual,
            "regions": "" if change is None else "; ".join(f"{r}: {v:+g}" for r, v in change.items()),
            "_region_deficit": per_region,
        })
        previous = (deficit, per_region)
    return MarginalCurve(programme_id, payment, pd.DataFrame(rows))

r"""Integer coefficients for the solvers, made from the data so that no rule bends.

Every backend (CBC, HiGHS, CP-SAT, the flow engine) optimises the same
integers, so their fixed levels agree exactly. This module is the one place
where real numbers become those integers; what each step costs is stated.

Money: exact, in any unit
-------------------------
Payments and budgets are decimals as the planner typed them: kopecks
(``500000.40``), tiyn, or millions with decimals (``1.5``). A float read from
the input is turned back into that decimal by its shortest round-trip text
(``repr``), which is the typed figure whenever it has at most
:data:`MONEY_DIGITS` significant digits; the validator refuses longer ones.
A programme's budget row :math:`\sum_p a_p x_p \le B` is scaled by the
common power of ten of its figures and divided by the greatest common divisor
of its payments, all in exact integers. The budget is rounded *down* only by
that divisor, which changes no integer solution: with the payments all
multiples of :math:`g`, :math:`\sum a_p x_p \le B \iff \sum (a_p/g) x_p \le
\lfloor B/g \rfloor`. One payment per programme (today's rules) so becomes a
headcount :math:`\sum x_p \le \lfloor B/a \rfloor`, exact, on every engine.
Nothing is approximated.

Weights: scaled from the data
-----------------------------
The deficit level's coefficients are the region weights :math:`w_r` (with
diminishing returns :math:`w_r m_{rs,j}`). They are divided by the largest
weight of the round, :math:`w_{max}`, and rounded to :data:`WEIGHT_STEPS`
steps: :math:`c = \mathrm{round}(v \cdot S / w_{max})`. Multiplying every
weight by one factor (1e-5 or 1e18) therefore gives the same integers and the
same placements. A positive value never becomes 0 (it is lifted to 1 step),
and when two different region weights fall on the same step, or a weight is
lifted, :func:`weight_units` says so (a warning in the run's summary). The
rounding can only decide between solutions whose weighted deficits differ by
less than :math:`w_{max} / (2S)` per placement (5e-7 of the largest weight).

Distances are whole metres (:data:`KM_SCALE`): two solutions whose km differ
by less than 0.5 m per placement may be ranked either way.

Sizes: with at most :data:`WEIGHT_STEPS` per placement, every level's value
stays below :math:`2^{53}` for any round of fewer than 9e9 vacancies, so the
double-precision LP solvers represent it exactly.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from fractions import Fraction

import numpy as np
import pandas as pd

WEIGHT_STEPS = 1_000_000  # steps of the largest weight
KM_SCALE = 1000  # km -> whole metres
MONEY_DIGITS = 15  # significant digits a float keeps exactly through its shortest repr
EXACT_LIMIT = 2**53  # integers a double holds exactly


class ScalingError(ValueError):
    """A figure cannot be represented exactly by the solvers."""


# --------------------------------------------------------------------------- money
def exact_money(value) -> Decimal:
    """The decimal a money figure was typed as: ``0.5`` -> Decimal('0.5'), never 0.5000000000000001."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, np.integer)):
        return Decimal(int(value))
    number = float(value)
    if not math.isfinite(number):
        raise ScalingError(f"money must be a finite number, got {value!r}")
    return Decimal(repr(number))


def significant_digits(text: str) -> int | None:
    """Significant digits of a decimal written in ``text`` (None if it is not a decimal)."""
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None
    if not d.is_finite():
        return None
    digits = d.normalize().as_tuple().digits
    return 0 if digits == (0,) else len(digits)


def budget_row(payments, budget) -> tuple[np.ndarray, int]:
    """Exact integer form of ``sum payments[i] x_i <= budget``: (coefficients, bound).

    Raises :class:`ScalingError` when the integers would leave the range a double holds
    exactly (only possible with many distinct payments of many digits).
    """
    pays = [exact_money(p) for p in payments]
    limit = exact_money(budget)
    exponent = min([0] + [d.as_tuple().exponent for d in pays + [limit]])
    scale = Decimal(10) ** -exponent
    ints = [int(p * scale) for p in pays]
    bound = int((limit * scale).to_integral_value(rounding="ROUND_FLOOR"))
    positive = [i for i in ints if i > 0]
    g = math.gcd(*positive) if positive else 1
    coef = np.array([i // g for i in ints], dtype=np.int64) if ints else np.zeros(0, np.int64)
    bound //= g
    if bound >= EXACT_LIMIT or (len(coef) and int(coef.max()) >= EXACT_LIMIT):
        raise ScalingError(f"budget {limit} with payments {sorted(set(pays))} needs integers beyond 2^53")
    return coef, bound


def headcount_cap(payment, budget, quota=None) -> int | None:
    """Most people a programme can fund: min(quota, floor(budget / payment)), exactly.

    None when neither limits it (no quota, and no budget or a zero payment).
    """
    caps = []
    if quota is not None and not _missing(quota):
        caps.append(int(quota))
    if budget is not None and not _missing(budget):
        pay = Fraction(exact_money(payment))
        if pay > 0:
            caps.append(math.floor(Fraction(exact_money(budget)) / pay))
    return min(caps) if caps else None


def exact_spend(payments) -> Decimal:
    """The exact sum of the given payments (each as typed)."""
    return sum((exact_money(p) for p in payments), Decimal(0))


def money_text(value, lang: str = "en", currency: str | None = None) -> str:
    """Money exactly as typed, digits grouped: 1500000.8 -> "1,500,000.8" (en), "1 500 000,8" (ru).

    With a ``currency`` sign (the round's ``Scenario.currency``: "₽", "₸", "сом") the sign follows the
    figure after a no-break space, and a figure with a fraction shows at least two decimals (kopecks,
    tiyn, tyiyn are hundredths): 1500000.40, "₽" -> "1 500 000,40 ₽" (ru), "1,500,000.40 ₽" (en);
    more digits, when typed, are all kept (0.125 -> "0,125 ₽"). No sign (None, ""): as without it.
    """
    money = exact_money(value)
    if money == money.to_integral_value():  # 18000000.0 -> 18,000,000 (a float's ".0" is no kopeck)
        money = money.quantize(Decimal(1))
    elif currency and money.as_tuple().exponent > -2:  # 0.4 of a currency is 40 of its hundredths
        money = money.quantize(Decimal("0.01"))
    text = f"{money:,f}"
    if lang == "ru":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return f"{text}\u00a0{currency}" if currency else text


def money_decimals(values) -> int:
    """Decimals a money column needs to show every figure of ``values`` exactly as
    :func:`money_text` with a currency does: 0 when all are whole, else at least 2 (missing
    values are skipped)."""
    places = 0
    for v in values:
        if _missing(v):
            continue
        money = exact_money(v)
        if money != money.to_integral_value():
            places = max(places, 2, -money.normalize().as_tuple().exponent)
    return places


def _missing(value) -> bool:
    return value is None or bool(pd.isna(value))


# --------------------------------------------------------------------------- weights
def weight_max(weights, vacancies) -> float:
    """The largest weight of a cell with vacancies (the scale of the deficit level); 1 when none."""
    w = np.asarray(weights, dtype=float)[np.asarray(vacancies) > 0]
    w = w[np.isfinite(w) & (w > 0)]
    return float(w.max()) if len(w) else 1.0


def weight_units(values, w_max: float) -> np.ndarray:
    """Integer steps of ``values`` (weights, or weights times marginal values) for the solvers."""
    v = np.asarray(values, dtype=float)
    units = np.rint(v / w_max * WEIGHT_STEPS)
    units = np.where(v > 0, np.maximum(units, 1), units)
    return units.astype(np.int64)


def weight_value(units, w_max: float) -> float:
    """Weighted deficit of ``units`` integer steps (the inverse of :func:`weight_units`, as a float:
    a step is ``w_max / WEIGHT_STEPS``)."""
    return float(units) * w_max / WEIGHT_STEPS


def weight_warnings(weights) -> list[dict]:
    """What the scaling of region weights loses: weights lifted to one step, or merged.

    Each item: {"kind": "lifted"|"merged", "weights": [...]} (the original values).
    """
    w = np.unique(np.asarray(weights, dtype=float))
    w = w[np.isfinite(w) & (w > 0)]
    if len(w) == 0:
        return []
    units = weight_units(w, float(w.max()))
    out = []
    lifted = w[np.rint(w / w.max() * WEIGHT_STEPS) < 1]
    if len(lifted):
        out.append({"kind": "lifted", "weights": [float(x) for x in lifted]})
    values, counts = np.unique(units, return_counts=True)
    for u in values[counts > 1]:
        out.append({"kind": "merged", "weights": [float(x) for x in w[units == u]]})
    return out

"""Cutting an integral coefficient into groups I (lowest) .. V (highest).

Seed 004 never states how its groups are cut. What the published numbers
show (docs/indicators.md, "Group cuts"):

* the final KOMK groups are monotone in KOMK, so some four thresholds
  reproduce them; the windows are (58.8, 61.7], (63.3, 64.5], (66.9, 68.2]
  and (72.1, 72.4];
* a simple rule that falls in all four windows is "KOMK as a share of the
  oblast's KOMK (30.82 + 42.93 = 73.75), cut at 80 / 86 / 92 / 98 %" --
  four equal steps of 6 points: :data:`SEED004_KOMK_CUT`;
* the KOV groups of Table 12 follow the same construction with 73 / 82 /
  91 / 100 % of the oblast KOV (steps of 9 points): :data:`SEED004_KOV_CUT`;
* the KOSMP groups (unnumbered Table 15) follow no threshold at all:
  Zarechny (40.9) is in group IV while Башмаковский and Нижнеломовский
  (also 40.9) are in group III.

A cut is a :class:`GroupCut`: a method and four increasing cut points. A
value equal to a cut point goes to the higher group.

methods
    ``reference_share``  cut points are shares of a reference value (the
                         total of the region set, e.g. the oblast)
    ``absolute``         cut points are values of the coefficient
    ``quantile``         cut points are cumulative shares of the regions
                         ranked by the coefficient (count-based groups)
    ``sigma``            cut points are z-scores: mean + z * standard deviation
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

GROUP_LABELS = ("I", "II", "III", "IV", "V")
METHODS = ("reference_share", "absolute", "quantile", "sigma")


@dataclass(frozen=True)
class GroupCut:
    """How to cut a coefficient into len(cuts) + 1 ordered groups."""

    method: str = "reference_share"
    cuts: tuple[float, ...] = (0.80, 0.86, 0.92, 0.98)
    labels: tuple[str, ...] = GROUP_LABELS

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"unknown group cut method {self.method!r}; use one of {METHODS}")
        if len(self.labels) != len(self.cuts) + 1:
            raise ValueError("a cut needs exactly one more label than cut points")
        if any(b <= a for a, b in zip(self.cuts, self.cuts[1:])):
            raise ValueError(f"cut points must increase: {self.cuts}")


SEED004_KOMK_CUT = GroupCut("reference_share", (0.80, 0.86, 0.92, 0.98))
SEED004_KOV_CUT = GroupCut("reference_share", (0.73, 0.82, 0.91, 1.00))
EQUAL_COUNT_CUT = GroupCut("quantile", (0.2, 0.4, 0.6, 0.8))
SIGMA_CUT = GroupCut("sigma", (-1.5, -0.5, 0.5, 1.5))


def cut_points(values: pd.Series, cut: GroupCut, reference: float | None = None) -> np.ndarray:
    """The cut points in units of the coefficient."""
    cuts = np.asarray(cut.cuts, dtype=float)
    v = values.dropna().astype(float)
    if cut.method == "absolute":
        return cuts
    if cut.method == "reference_share":
        if reference is None or not np.isfinite(reference):
            raise ValueError("the reference_share cut needs a finite reference value "
                             "(e.g. the coefficient of the whole region set)")
        return cuts * float(reference)
    if v.empty:
        raise ValueError("no values to cut")
    if cut.method == "sigma":
        return v.mean() + cuts * v.std(ddof=1)
    # quantile: the k-th cut sits just above the floor(share * n)-th smallest value
    ranked = np.sort(v.to_numpy())
    n = len(ranked)
    points = []
    for share in cuts:
        k = int(np.floor(share * n + 1e-9))
        points.append(ranked[k] if k < n else np.inf)
    return np.asarray(points)


def assign_groups(values: pd.Series, cut: GroupCut = SEED004_KOMK_CUT,
                  reference: float | None = None) -> pd.Series:
    """Group label per value (NaN value -> missing label)."""
    points = cut_points(values, cut, reference)
    idx = np.searchsorted(points, values.to_numpy(dtype=float), side="right")
    labels = np.asarray(cut.labels, dtype=object)[np.minimum(idx, len(cut.labels) - 1)]
    out = pd.Series(labels, index=values.index, name="group", dtype=object)
    out[values.isna()] = None
    return out


def threshold_windows(values: pd.Series, groups: pd.Series,
                      labels: tuple[str, ...] = GROUP_LABELS) -> pd.DataFrame:
    """For published groups, the window (max below, min above] of each cut.

    Raises ValueError if the groups are not monotone in the values (no
    threshold rule can reproduce them) and names the offending regions.
    """
    rank = {g: i for i, g in enumerate(labels)}
    order = groups.map(rank)
    rows = []
    for i in range(len(labels) - 1):
        below = values[order <= i]
        above = values[order > i]
        if below.empty or above.empty:
            continue
        if below.max() >= above.min():
            hi = below.idxmax()
            lo = above.idxmin()
            raise ValueError(
                f"groups are not monotone: {hi!r} ({below.max()}, group {groups[hi]}) is not "
                f"below {lo!r} ({above.min()}, group {groups[lo]})")
        rows.append({"cut": f"{labels[i]}|{labels[i + 1]}", "max_below": below.max(),
                     "min_above": above.min()})
    return pd.DataFrame(rows)

"""Default priority weights of regions for the allocator, from the indicators.

Two documented bases (docs/indicators.md, "Weights"):

``group`` (default)
    The KOMK group of the region mapped through :data:`DEFAULT_GROUP_WEIGHTS`:
    I (extremely low staffing) 2.0, II 1.6, III 1.3, IV 1.1, V 1.0.
    A deficit in a group-I region counts twice as much as one in group V.
    ``mapping`` may replace any of these values.

``staffing``
    From a staffing rate column (percent): weight = target / rate, clipped to
    [1, max_weight]; target 95 % is the seed's goal for 2024 ("показатель
    укомплектованности не менее 95"). A region at or above target gets 1.

A region whose group (or rate) is missing gets the neutral weight 1.0 and says
so in ``basis``. A scenario may override any region's weight; the allocator
does that, not this module.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

DEFAULT_GROUP_WEIGHTS: dict[str, float] = {"I": 2.0, "II": 1.6, "III": 1.3, "IV": 1.1, "V": 1.0}
NEUTRAL_WEIGHT = 1.0


def default_weights(
    indicator_table: pd.DataFrame,
    mapping: Mapping[str, float] | None = None,
    *,
    basis: str = "group",
    group_column: str = "group",
    staffing_column: str = "doctors_all_staffing_pct",
    target_pct: float = 95.0,
    max_weight: float = 2.0,
) -> pd.DataFrame:
    """DataFrame(region_id, weight, basis): one row per region of ``indicator_table``.

    ``indicator_table`` needs ``region_id`` and the ``group_column`` (basis
    "group") or the ``staffing_column`` (basis "staffing"). ``mapping``
    overrides :data:`DEFAULT_GROUP_WEIGHTS` entries (basis "group" only).
    Weights are >= 0; a negative mapping value raises ValueError.
    """
    if "region_id" not in indicator_table.columns:
        raise ValueError("indicator table: missing column 'region_id'")
    regions = indicator_table["region_id"]
    if basis == "group":
        table = dict(DEFAULT_GROUP_WEIGHTS)
        table.update(mapping or {})
        bad = {k: v for k, v in table.items() if not (np.isfinite(v) and v >= 0)}
        if bad:
            raise ValueError(f"weights must be finite and >= 0: {bad}")
        if group_column not in indicator_table.columns:
            raise ValueError(f"indicator table: missing column {group_column!r}")
        groups = indicator_table[group_column]
        unknown = sorted({g for g in groups.dropna() if g not in table})
        if unknown:
            raise ValueError(f"no weight for group(s) {unknown}; give them in mapping")
        weight = groups.map(table)
        text = [f"KOMK group {g} -> {table[g]:g}" if pd.notna(g)
                else f"no group -> neutral {NEUTRAL_WEIGHT:g}" for g in groups]
    elif basis == "staffing":
        if mapping:
            raise ValueError("mapping applies to basis='group' only")
        if staffing_column not in indicator_table.columns:
            raise ValueError(f"indicator table: missing column {staffing_column!r}")
        if not (target_pct > 0 and max_weight >= 1):
            raise ValueError("target_pct must be > 0 and max_weight >= 1")
        rate = pd.to_numeric(indicator_table[staffing_column], errors="coerce")
        with np.errstate(divide="ignore"):
            raw = target_pct / rate.where(rate > 0)
        weight = raw.clip(lower=1.0, upper=max_weight)
        weight[rate == 0] = max_weight
        text = [f"{staffing_column} {r:g}% vs target {target_pct:g}% -> {w:.3g}" if pd.notna(w)
                else f"no {staffing_column} -> neutral {NEUTRAL_WEIGHT:g}"
                for r, w in zip(rate, weight)]
    else:
        raise ValueError(f"unknown basis {basis!r}; use 'group' or 'staffing'")
    return pd.DataFrame({
        "region_id": regions.to_numpy(),
        "weight": weight.fillna(NEUTRAL_WEIGHT).astype(float).to_numpy(),
        "basis": text,
    })

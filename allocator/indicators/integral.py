"""The integral staffing coefficients of seed 004: KOV, KOSMP and KOMK.

Seed 004 (Penza, 2019) publishes the inputs (Table 10 doctors, Table 13
mid-level staff) and the outputs (Table 11 KOV, Table 14 KOSMP, Table 16
KOMK) but not the formula. Recovered from the numbers (docs/indicators.md):

    KOV   = mean of 9 numbers = ( P_all + S_all + K_all
                                + P_amb + S_amb + K_amb
                                + P_dis + S_dis + K_dis ) / 9      (doctors)
    KOSMP = the same 9-number mean for mid-level staff
    KOMK  = KOV + KOSMP

where, for each staff group g (all staff; staff giving outpatient care;
district staff: участковые терапевты, педиатры, ВОП and their nurses),
P_g is provision per 10,000 population, S_g the staffing rate in percent
(the seed's "Укомплектованность, %", persons / positions) and K_g the
part-time coefficient (the first of the seed's two columns). Every one of the
29 published KOV and KOSMP values is reproduced within the rounding of the
printed inputs.

The mean adds quantities of different units, so the staffing rate (50-100)
dominates; the part-time coefficient (about 1) enters with a *positive* sign
and has almost no weight. We reproduce the method; we do not endorse it.
"""
from __future__ import annotations

from typing import Sequence

import pandas as pd

COMPONENT_GROUPS = ("all", "amb", "district")
COMPONENT_MEASURES = ("provision", "staffing_pct", "parttime")


def component_columns(groups: Sequence[str] = COMPONENT_GROUPS,
                      parttime_column: str = "parttime") -> list[str]:
    """Column names of the 9 (or 3 x len(groups)) inputs, e.g. ``all_provision``."""
    return [f"{g}_{m if m != 'parttime' else parttime_column}"
            for g in groups for m in COMPONENT_MEASURES]


def integral_coefficient(
    components: pd.DataFrame,
    *,
    groups: Sequence[str] = COMPONENT_GROUPS,
    parttime_column: str = "parttime",
) -> pd.Series:
    """KOV/KOSMP-style coefficient: the mean of provision, staffing % and part-time.

    ``components`` is indexed by region_id (or has a ``region_id`` column) and
    has the columns ``{g}_provision``, ``{g}_staffing_pct`` and
    ``{g}_{parttime_column}`` for each g in ``groups``. A missing input raises
    ValueError naming the region and column: the seed's method has no rule
    for gaps, and silently averaging fewer numbers would change the scale.
    """
    table = components.set_index("region_id") if "region_id" in components.columns else components
    cols = component_columns(groups, parttime_column)
    missing = [c for c in cols if c not in table.columns]
    if missing:
        raise ValueError(f"components: missing column(s) {', '.join(missing)}")
    values = table[cols].apply(pd.to_numeric, errors="coerce")
    if values.isna().any().any():
        region, col = values.isna().stack().loc[lambda s: s].index[0]
        raise ValueError(f"components: region_id={region!r}: column {col!r} is missing or not a number")
    return values.mean(axis=1).rename("coefficient")


def komk_table(doctors: pd.DataFrame, midlevel: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """region_id, kov, kosmp, komk from the doctors' and mid-level component tables.

    Regions present in only one of the two tables raise ValueError.
    """
    kov = integral_coefficient(doctors, **kwargs).rename("kov")
    kosmp = integral_coefficient(midlevel, **kwargs).rename("kosmp")
    only = kov.index.symmetric_difference(kosmp.index)
    if len(only):
        raise ValueError(f"region_id={only[0]!r} is in only one of the doctors / mid-level tables")
    out = pd.concat([kov, kosmp.reindex(kov.index)], axis=1)
    out["komk"] = out.kov + out.kosmp
    out.index.name = "region_id"
    return out.reset_index()


def components_from_indicators(
    indicators: pd.DataFrame,
    staff_groups: dict[str, str],
    *,
    staffing_basis: str = "persons",
) -> pd.DataFrame:
    """Wide component table from :func:`staffing_indicators` output.

    ``staff_groups`` maps component group -> staff_group label in the
    indicator table, e.g. ``{"all": "doctors", "amb": "doctors_amb",
    "district": "doctors_district"}``. ``staffing_basis`` is ``"persons"``
    (the seed's usage, persons / positions) or ``"occupied"``.
    """
    if staffing_basis not in ("persons", "occupied"):
        raise ValueError("staffing_basis must be 'persons' or 'occupied'")
    staffing_col = f"staffing_{staffing_basis}_pct"
    parts = []
    for group, label in staff_groups.items():
        rows = indicators[indicators.staff_group == label].set_index("region_id")
        if rows.empty:
            raise ValueError(f"indicators: no rows for staff_group {label!r} (component {group!r})")
        parts.append(rows[["provision_per_10k", staffing_col, "parttime"]].set_axis(
            [f"{group}_provision", f"{group}_staffing_pct", f"{group}_parttime"], axis=1))
    wide = pd.concat(parts, axis=1)
    wide.index.name = "region_id"
    return wide.reset_index()

"""Staff a new or converted post will need (a documented rule, as data).

FAP: 2.0 posts, a head of the post (feldsher, or a nurse) and a midwife.
Source: seed 004 (Penza regional programme), table 26 and the staffing lists
after it: each ambulatory converted into a FAP keeps 2.00 staff posts, filled
by "Заведующий ФАП - фельдшер" (or "- медицинская сестра") and "акушерка".
FP and VA figures are ASSUMPTIONS for planning (not from a cited norm): an FP
as one feldsher, a VA as one doctor (general practitioner or district
therapist) with two nurses. Pass your own table to ``staff_needed``.
"""

from __future__ import annotations

import warnings

import pandas as pd

from .errors import DataQualityWarning

SEED_004 = "seed 004, table 26 and staffing lists (converted FAPs: 2.00 posts, head + midwife)"

DEFAULT_STAFFING = pd.DataFrame(
    [
        ("FAP", "feldsher_head", 1.0, SEED_004),
        ("FAP", "midwife_or_nurse", 1.0, SEED_004),
        ("FP", "feldsher", 1.0, "assumption"),
        ("VA", "doctor_gp", 1.0, "assumption"),
        ("VA", "nurse", 2.0, "assumption"),
    ],
    columns=["facility_type", "role", "positions", "basis"],
)


def staff_needed(facility_types: pd.Series, staffing: pd.DataFrame | None = None) -> pd.DataFrame:
    """Posts needed per site, aligned to ``facility_types`` (its index is kept).

    Columns: staff_positions (total), staff_roles ("role:count; ..."),
    staff_basis. Unknown types get NaN and a ``DataQualityWarning``.
    """
    staffing = DEFAULT_STAFFING if staffing is None else staffing
    table = staffing.assign(facility_type=staffing["facility_type"].str.upper())
    summary = table.groupby("facility_type").apply(
        lambda g: pd.Series({
            "staff_positions": float(g["positions"].sum()),
            "staff_roles": "; ".join(f"{r}:{p:g}" for r, p in zip(g["role"], g["positions"])),
            "staff_basis": "; ".join(sorted(set(g["basis"]))),
        }), include_groups=False)
    types = facility_types.astype(str).str.upper()
    unknown = sorted(set(types) - set(summary.index))
    if unknown:
        warnings.warn(DataQualityWarning("net_no_staffing_rule", types=unknown), stacklevel=2)
    out = summary.reindex(types.to_numpy())
    out.index = facility_types.index
    return out

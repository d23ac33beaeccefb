"""One row per region: every indicator, KOV, KOSMP, KOMK, group and default weight.

Two ways in:

* :func:`indicator_table_from_staffing` -- from a staffing table (region_id,
  staff_group, positions, occupied, persons) and population; the reference
  for the group cut is the KOMK of the whole region set, computed from the
  summed counts;
* :func:`penza_indicator_table` -- from the extracted seed 004 tables; the
  reference is the published oblast KOV + KOSMP (73.75).

Both end in :func:`region_indicator_table`, which takes the two wide
component tables (doctors and mid-level) and does the rest.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import pandas as pd

from .groups import SEED004_KOMK_CUT, GroupCut, assign_groups
from .integral import COMPONENT_GROUPS, components_from_indicators, komk_table
from .seed004 import SEED004_DIR, TOTAL_ID, apply_corrections, load_seed004
from .series import series_trend, trend_wide
from .staffing import INDICATOR_COLUMNS, staffing_indicators
from .weights import default_weights

# staff_group labels a staffing.csv uses for the six KOMK components
DEFAULT_CADRES: dict[str, dict[str, str]] = {
    "doctors": {"all": "doctors", "amb": "doctors_amb", "district": "doctors_district"},
    "midlevel": {"all": "midlevel", "amb": "midlevel_amb", "district": "midlevel_district"},
}
# formations that a round may list as separate regions
FORMATION_PARTS: dict[str, tuple[str, ...]] = {
    "kuznetsk_kuznetsky": ("kuznetsk_city", "kuznetsky"),
}


def _prefixed(components: pd.DataFrame, prefix: str) -> pd.DataFrame:
    cols = [c for c in components.columns if c != "region_id"]
    return components.rename(columns={c: f"{prefix}_{c}" for c in cols})


def region_indicator_table(
    doctors: pd.DataFrame,
    midlevel: pd.DataFrame,
    *,
    reference: float | None = None,
    total_id: str | None = TOTAL_ID,
    cut: GroupCut = SEED004_KOMK_CUT,
    weight_mapping: Mapping[str, float] | None = None,
    names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Rank regions by KOMK and attach group and default weight.

    ``doctors`` / ``midlevel``: wide component tables (region_id,
    ``{g}_provision``, ``{g}_staffing_pct``, ``{g}_parttime`` for g in all,
    amb, district; further columns are carried along with a ``doctors_`` /
    ``midlevel_`` prefix). A row ``total_id`` is the whole region set: it
    gives the reference KOMK for the cut (unless ``reference`` is given) and
    is left out of the result.

    Columns: region_id, name_ru (if ``names``), the components, kov, kosmp,
    komk, komk_reference, komk_share (komk / reference), group, weight,
    weight_basis; sorted by komk ascending (worst first).
    """
    k = komk_table(doctors, midlevel)
    is_total = k.region_id == total_id
    if reference is None:
        if not is_total.any():
            if cut.method == "reference_share":
                raise ValueError(f"no {total_id!r} row and no reference given for the group cut")
        else:
            reference = float(k.loc[is_total, "komk"].iloc[0])
    k = k[~is_total]
    out = k.merge(_prefixed(doctors, "doctors"), on="region_id", how="left")
    out = out.merge(_prefixed(midlevel, "midlevel"), on="region_id", how="left")
    out["komk_reference"] = reference
    out["komk_share"] = out.komk / reference if reference else float("nan")
    out["group"] = assign_groups(out.komk, cut, reference=reference).to_numpy()
    w = default_weights(out, weight_mapping)
    out["weight"] = w.weight.to_numpy()
    out["weight_basis"] = w.basis.to_numpy()
    if names is not None:
        out.insert(1, "name_ru", out.region_id.map(names))
    return out.sort_values(["komk", "region_id"], kind="stable").reset_index(drop=True)


def indicator_table_from_staffing(
    staffing: pd.DataFrame,
    population: pd.DataFrame | Mapping[str, float],
    *,
    cadres: Mapping[str, Mapping[str, str]] = DEFAULT_CADRES,
    staffing_basis: str = "persons",
    cut: GroupCut = SEED004_KOMK_CUT,
    weight_mapping: Mapping[str, float] | None = None,
    target_parttime: float = 1.0,
) -> pd.DataFrame:
    """Indicator table from raw counts; the reference is the summed region set.

    Every staff group's basic indicators are added as
    ``{staff_group}_{indicator}`` columns (and its counts).
    """
    ind = staffing_indicators(staffing, population, target_parttime=target_parttime)
    regions = ind.region_id.unique()
    total = staffing_indicators(staffing, population, target_parttime=target_parttime,
                                region_groups={r: TOTAL_ID for r in regions})
    both = pd.concat([ind, total], ignore_index=True)
    doctors = components_from_indicators(both, dict(cadres["doctors"]), staffing_basis=staffing_basis)
    midlevel = components_from_indicators(both, dict(cadres["midlevel"]), staffing_basis=staffing_basis)
    table = region_indicator_table(doctors, midlevel, cut=cut, weight_mapping=weight_mapping)
    values = ["positions", "occupied", "persons", *INDICATOR_COLUMNS]
    wide = ind.pivot(index="region_id", columns="staff_group", values=values)
    wide.columns = [f"{sg}_{col}" for col, sg in wide.columns]
    return table.merge(wide.reset_index(), on="region_id", how="left")


def penza_indicator_table(folder: str | Path = SEED004_DIR, *, corrected: bool = False,
                          cut: GroupCut = SEED004_KOMK_CUT,
                          weight_mapping: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Indicator table of the 29 Penza formations from the seed 004 tables.

    Adds the published KOV, KOSMP, KOMK and group (``*_published``), the
    2013-2019 trend of the four series (change and slope per year), and uses
    the published oblast KOV + KOSMP as the reference of the cut.
    ``corrected=True`` applies :data:`~.seed004.SEED004_CORRECTIONS`.
    """
    seed = load_seed004(folder)
    if corrected:
        seed = apply_corrections(seed)
    keep = ["region_id"] + [f"{g}_{m}" for g in COMPONENT_GROUPS
                            for m in ("provision", "staffing_pct", "parttime")]
    totals = (seed.doctors.set_index("region_id").loc[TOTAL_ID, "kov_published"]
              + seed.midlevel.set_index("region_id").loc[TOTAL_ID, "kosmp_published"])
    names = dict(zip(seed.doctors.region_id, seed.doctors.name_ru))
    table = region_indicator_table(seed.doctors[keep], seed.midlevel[keep], reference=float(totals),
                                   cut=cut, weight_mapping=weight_mapping, names=names)
    published = seed.komk.rename(columns={"kov": "kov_published", "kosmp": "kosmp_published",
                                          "komk": "komk_published", "group": "group_published"})
    table = table.merge(published, on="region_id", how="left")
    trend = trend_wide(series_trend(seed.series))
    return table.merge(trend, on="region_id", how="left")


def expand_formations(table: pd.DataFrame, region_ids, parts: Mapping[str, tuple[str, ...]] = FORMATION_PARTS,
                      ) -> pd.DataFrame:
    """Copy a combined formation's row to each of its parts that ``region_ids`` lists.

    E.g. seed 004 ranks "г. Кузнецк и Кузнецкий район" as one formation; a round
    whose regions are ``kuznetsk_city`` and ``kuznetsky`` gets the same row
    (and weight) for both. Rows of other regions are unchanged.
    """
    wanted = set(region_ids)
    rows = [table]
    drop = []
    for combined, members in parts.items():
        present = [m for m in members if m in wanted]
        if combined in set(table.region_id) and combined not in wanted and present:
            src = table[table.region_id == combined]
            for m in present:
                rows.append(src.assign(region_id=m))
            drop.append(combined)
    out = pd.concat(rows, ignore_index=True)
    return out[~out.region_id.isin(drop)].reset_index(drop=True)

"""The Penza 2019 tables of seed 004 (data/penza/seed004) and their reproduction.

:func:`load_seed004` reads the extracted CSV files; :func:`reproduce_published`
recomputes KOV, KOSMP, KOMK and the groups from the seed's own inputs and sets
them beside the published figures, with the tolerance the seed's rounding
allows (:func:`rounding_bound`).

Known errors in the seed are listed in :data:`SEED004_CORRECTIONS`. They are
*not* applied by default, because the published KOV/KOSMP were computed from
the erroneous values; ``corrected=True`` applies them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .groups import SEED004_KOMK_CUT, GroupCut, assign_groups
from .integral import COMPONENT_GROUPS, component_columns, integral_coefficient

SEED004_DIR = Path(__file__).resolve().parents[2] / "data" / "penza" / "seed004"
TOTAL_ID = "oblast_total"

# (cadre, region_id, column, printed, corrected, reason)
SEED004_CORRECTIONS = (
    ("doctors", "kuznetsk_kuznetsky", "district_staffing_pct", 0.8, 80.0,
     "Table 10/11 print '0,8' where every other row has a percentage; 80 % meant"),
    ("midlevel", "kuznetsk_kuznetsky", "district_staffing_pct", 1.0, 100.0,
     "Table 13/14 print '1,0' where every other row has a percentage; 100 % meant"),
    ("doctors", TOTAL_ID, "all_staffing_pct", 66.8, 65.8,
     "Table 10 prints 66,8; Table 11, the 2019 series and the published KOV use 65,8"),
)


@dataclass(frozen=True)
class Seed004:
    """The extracted tables; ``*_text`` keep the printed digits for rounding bounds."""

    doctors: pd.DataFrame
    midlevel: pd.DataFrame
    doctors_text: pd.DataFrame
    midlevel_text: pd.DataFrame
    komk: pd.DataFrame
    groups: pd.DataFrame
    series: pd.DataFrame
    positions: pd.DataFrame


def load_seed004(folder: str | Path = SEED004_DIR) -> Seed004:
    """Read data/penza/seed004 (or a folder with the same files)."""
    folder = Path(folder)

    def read(name: str, text: bool = False) -> pd.DataFrame:
        """Table ``name`` of the seed folder (``text``: every column as strings, empty cells kept as "");
        FileNotFoundError when it is missing.
        """
        path = folder / name
        if not path.exists():
            raise FileNotFoundError(f"{path} not found (expected a seed004 table)")
        return pd.read_csv(path, dtype=str if text else None, keep_default_na=not text)

    return Seed004(
        doctors=read("doctors_2019.csv"),
        midlevel=read("midlevel_2019.csv"),
        doctors_text=read("doctors_2019.csv", text=True),
        midlevel_text=read("midlevel_2019.csv", text=True),
        komk=read("komk_2019.csv", text=False),
        groups=read("groups_2019.csv"),
        series=read("series_2013_2019.csv"),
        positions=read("primary_care_positions_2014_2019.csv"),
    )


def apply_corrections(seed: Seed004, corrections=SEED004_CORRECTIONS) -> Seed004:
    """A copy of the seed tables with the listed corrections applied."""
    tables = {"doctors": seed.doctors.copy(), "midlevel": seed.midlevel.copy()}
    texts = {"doctors": seed.doctors_text.copy(), "midlevel": seed.midlevel_text.copy()}
    for cadre, region, column, printed, corrected, _ in corrections:
        t = tables[cadre]
        mask = t.region_id == region
        if not np.isclose(t.loc[mask, column], printed).all():
            raise ValueError(f"correction {cadre}/{region}/{column}: printed value is not {printed}")
        t.loc[mask, column] = corrected
        texts[cadre].loc[texts[cadre].region_id == region, column] = f"{corrected:.1f}"
    return Seed004(tables["doctors"], tables["midlevel"], texts["doctors"], texts["midlevel"],
                   seed.komk, seed.groups, seed.series, seed.positions)


def half_unit(text: pd.Series) -> pd.Series:
    """Half a unit in the last printed digit: '52.04' -> 0.005, '78' -> 0.5."""
    decimals = text.str.partition(".")[2].str.len()
    return 0.5 * 10.0 ** (-decimals.astype(float))


def rounding_bound(text_table: pd.DataFrame, published_column: str,
                   groups=COMPONENT_GROUPS, parttime_column: str = "parttime") -> pd.Series:
    """Largest |computed - published| the printed rounding allows, per region.

    = (sum of the half-units of the 9 printed inputs) / 9 + half-unit of the
    published value: each input may be off by half a unit of its last digit,
    the mean moves by at most the mean of those, and the published figure is
    itself rounded.
    """
    t = text_table.set_index("region_id")
    cols = component_columns(groups, parttime_column)
    inputs = sum(half_unit(t[c]) for c in cols) / len(cols)
    return (inputs + half_unit(t[published_column])).rename("bound")


def reproduce_published(seed: Seed004 | None = None, *, corrected: bool = False,
                        cut: GroupCut = SEED004_KOMK_CUT,
                        parttime_column: str = "parttime") -> pd.DataFrame:
    """Computed vs published KOV, KOSMP, KOMK and group for the 29 formations.

    Columns: region_id; kov, kov_published, kov_bound, kov_ok; the same for
    kosmp; komk (= kov + kosmp computed), komk_published, komk_bound, komk_ok;
    group (the cut applied to the computed KOMK, reference = the published
    oblast KOV + KOSMP), group_published, group_ok. The oblast row is last,
    with no group.
    """
    seed = load_seed004() if seed is None else seed
    if corrected:
        seed = apply_corrections(seed)
    out = pd.DataFrame({"region_id": seed.doctors.region_id})
    for name, table, text, pub in (("kov", seed.doctors, seed.doctors_text, "kov_published"),
                                   ("kosmp", seed.midlevel, seed.midlevel_text, "kosmp_published")):
        value = integral_coefficient(table, parttime_column=parttime_column)
        published = table.set_index("region_id")[pub]
        bound = rounding_bound(text, pub, parttime_column=parttime_column)
        out[name] = out.region_id.map(value)
        out[f"{name}_published"] = out.region_id.map(published)
        out[f"{name}_bound"] = out.region_id.map(bound)
        out[f"{name}_ok"] = (out[name] - out[f"{name}_published"]).abs() <= out[f"{name}_bound"] + 1e-9
    out["komk"] = out.kov + out.kosmp
    komk = seed.komk.set_index("region_id")
    out["komk_published"] = out.region_id.map(komk.komk)
    # KOMK printed with one decimal: its own half unit plus both input bounds
    # (computed) -- the published KOMK is the sum of the published KOV and KOSMP.
    out["komk_bound"] = out.kov_bound + out.kosmp_bound + 0.05
    out["komk_ok"] = ((out.komk - out.komk_published).abs() <= out.komk_bound + 1e-9) | out.komk_published.isna()
    total = out.region_id == TOTAL_ID
    reference = float(out.loc[total, "kov_published"].iloc[0] + out.loc[total, "kosmp_published"].iloc[0])
    groups = assign_groups(out.loc[~total, "komk"], cut, reference=reference)
    out["group"] = groups.reindex(out.index)
    out["group_published"] = out.region_id.map(komk.group)
    out["group_ok"] = (out.group == out.group_published) | total
    out["komk_reference"] = reference
    return out

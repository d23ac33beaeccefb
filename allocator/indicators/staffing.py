"""Basic staffing indicators from counts of positions, occupied positions and persons.

Input tables
------------
staffing : one row per (region_id, staff_group) with
    ``positions`` (штатные должности), ``occupied`` (занятые должности) and
    ``persons`` (физические лица), all numbers >= 0.
population : one row per region_id with ``population`` (people, >= 0).

Indicators (docs/indicators.md has worked examples)
---------------------------------------------------
provision_per_10k       persons / population * 10,000     (обеспеченность)
staffing_persons_pct    persons / positions * 100         (укомплектованность
                        физическими лицами: the seed's "Укомплектованность, %")
staffing_occupied_pct   occupied / positions * 100        (укомплектованность
                        занятыми должностями)
parttime                occupied / persons                (коэффициент совместительства)
vacant_positions        max(positions - occupied, 0)
deficit_persons         max(positions / target_parttime - persons, 0): persons
                        still to hire so that every position is filled with at
                        most ``target_parttime`` positions per person

Rules for bad input (checked before anything is computed)
---------------------------------------------------------
* a missing or non-numeric value, or a negative one, raises ValueError naming
  the region, the staff group and the column;
* a ratio whose denominator is 0 (no population, no positions, no persons) is
  NaN -- never inf, never ZeroDivisionError -- unless ``on_zero="raise"``,
  which raises ValueError naming the region and the column instead.

Grouping: ``region_groups`` / ``staff_groups`` map ids to group labels;
positions, occupied and persons (and the population of distinct regions) are
summed first and the ratios are taken of the sums.
"""
from __future__ import annotations

from typing import Literal, Mapping

import numpy as np
import pandas as pd

STAFFING_COLUMNS = ("region_id", "staff_group", "positions", "occupied", "persons")
COUNT_COLUMNS = ("positions", "occupied", "persons")
INDICATOR_COLUMNS = (
    "provision_per_10k",
    "staffing_persons_pct",
    "staffing_occupied_pct",
    "parttime",
    "vacant_positions",
    "deficit_persons",
)
OnZero = Literal["nan", "raise"]


def _require_columns(table: pd.DataFrame, columns, name: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {', '.join(missing)}")


def _numeric(table: pd.DataFrame, column: str, name: str, key_cols) -> pd.Series:
    """Column as float; raise ValueError naming the first bad row."""
    values = pd.to_numeric(table[column], errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        row = table.loc[bad].iloc[0]
        where = ", ".join(f"{k}={row[k]!r}" for k in key_cols)
        raw = row[column]
        what = "missing" if pd.isna(raw) else f"invalid ({raw!r}; must be a number >= 0)"
        raise ValueError(f"{name}: {where}: column {column!r} is {what}")
    return values.astype(float)


def validate_staffing(staffing: pd.DataFrame) -> pd.DataFrame:
    """Checked copy of a staffing table with float counts."""
    _require_columns(staffing, STAFFING_COLUMNS, "staffing")
    out = staffing.loc[:, list(STAFFING_COLUMNS)].copy()
    for col in ("region_id", "staff_group"):
        if out[col].isna().any():
            row = out.index[out[col].isna()][0]
            raise ValueError(f"staffing: row {row}: column {col!r} is missing")
    for col in COUNT_COLUMNS:
        out[col] = _numeric(out, col, "staffing", ("region_id", "staff_group"))
    dup = out.duplicated(["region_id", "staff_group"])
    if dup.any():
        row = out.loc[dup].iloc[0]
        raise ValueError(
            f"staffing: region_id={row.region_id!r}, staff_group={row.staff_group!r} appears twice"
        )
    return out


def validate_population(population: pd.DataFrame | Mapping[str, float]) -> pd.Series:
    """Population as a float Series indexed by region_id."""
    if not isinstance(population, pd.DataFrame):
        population = pd.DataFrame(
            {"region_id": list(population.keys()), "population": list(population.values())}
        )
    _require_columns(population, ("region_id", "population"), "population")
    values = _numeric(population, "population", "population", ("region_id",))
    series = pd.Series(values.to_numpy(), index=population["region_id"].to_numpy(), name="population")
    if series.index.duplicated().any():
        raise ValueError(f"population: region_id={series.index[series.index.duplicated()][0]!r} appears twice")
    return series


def safe_ratio(numerator: pd.Series, denominator: pd.Series, *, on_zero: OnZero = "nan",
               label: str = "", keys: pd.DataFrame | None = None) -> pd.Series:
    """numerator / denominator with NaN (or ValueError) where denominator == 0."""
    num = numerator.astype(float)
    den = denominator.astype(float)
    zero = den == 0
    if zero.any() and on_zero == "raise":
        where = ""
        if keys is not None:
            row = keys.loc[zero].iloc[0]
            where = ", ".join(f"{k}={row[k]!r}" for k in keys.columns) + ": "
        raise ValueError(f"{where}{label} has a zero denominator")
    out = num / den.where(~zero)
    return out.astype(float)


def aggregate_staffing(
    staffing: pd.DataFrame,
    population: pd.DataFrame | Mapping[str, float] | None = None,
    *,
    region_groups: Mapping[str, str] | None = None,
    staff_groups: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Sum counts over groups of regions and/or staff groups.

    ``region_groups`` maps region_id -> label (regions not in the mapping are
    dropped); ``staff_groups`` maps staff_group -> label (same rule). The
    result has the columns of a staffing table plus ``population`` when a
    population table is given (the population of each distinct region counted
    once per region group).
    """
    table = validate_staffing(staffing)
    if region_groups is not None:
        table = table[table.region_id.isin(region_groups.keys())].copy()
        table["region_id"] = table.region_id.map(region_groups)
    if staff_groups is not None:
        table = table[table.staff_group.isin(staff_groups.keys())].copy()
        table["staff_group"] = table.staff_group.map(staff_groups)
    out = table.groupby(["region_id", "staff_group"], as_index=False, sort=False)[
        list(COUNT_COLUMNS)
    ].sum()
    if population is not None:
        pop = validate_population(population)
        regions = validate_staffing(staffing).region_id.unique()
        missing = [r for r in regions if r not in pop.index]
        if missing:
            raise ValueError(f"population: region_id={missing[0]!r} has staffing rows but no population")
        if region_groups is not None:
            pop = pop[pop.index.isin(region_groups.keys())]
            pop = pop.groupby(pop.index.map(region_groups)).sum()
        out["population"] = out.region_id.map(pop).astype(float)
    return out


def staffing_indicators(
    staffing: pd.DataFrame,
    population: pd.DataFrame | Mapping[str, float],
    *,
    region_groups: Mapping[str, str] | None = None,
    staff_groups: Mapping[str, str] | None = None,
    target_parttime: float = 1.0,
    on_zero: OnZero = "nan",
) -> pd.DataFrame:
    """All basic indicators per (region_id, staff_group) -- or per group of them.

    Returns the summed counts, ``population`` and the columns in
    :data:`INDICATOR_COLUMNS`. See the module docstring for formulas and the
    zero/missing rules.
    """
    if not target_parttime > 0:
        raise ValueError(f"target_parttime must be > 0, got {target_parttime!r}")
    t = aggregate_staffing(staffing, population, region_groups=region_groups,
                           staff_groups=staff_groups)
    keys = t[["region_id", "staff_group"]]
    t["provision_per_10k"] = safe_ratio(t.persons, t.population, on_zero=on_zero,
                                        label="population", keys=keys) * 10_000
    t["staffing_persons_pct"] = safe_ratio(t.persons, t.positions, on_zero=on_zero,
                                           label="positions", keys=keys) * 100
    t["staffing_occupied_pct"] = safe_ratio(t.occupied, t.positions, on_zero=on_zero,
                                            label="positions", keys=keys) * 100
    t["parttime"] = safe_ratio(t.occupied, t.persons, on_zero=on_zero,
                               label="persons", keys=keys)
    t["vacant_positions"] = np.maximum(t.positions - t.occupied, 0.0)
    t["deficit_persons"] = np.maximum(t.positions / target_parttime - t.persons, 0.0)
    return t

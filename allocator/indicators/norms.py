"""Staff needed per region: population norms and a WISN-style workload method.

Population norms (data/penza/norms/population_norms.csv)
    posts_needed = basis population / persons_per_post
    basis population: adults (population - children), children, or all.
    A staff group with an ``urban`` and a ``rural`` norm applies each to the
    matching part of the population (rural part = population * rural_share);
    a region without a rural share is counted as wholly urban, and its
    ``note`` says so.

WISN-style workload (WHO "Workload Indicators of Staffing Need")
    staff_needed = annual_workload / standard_workload * allowance_factor
    annual_workload: e.g. visits a year in the region (rate per 1,000 people
    times population / 1,000, see :func:`workload_from_rates`);
    standard_workload: what one full-time worker does in a year;
    allowance_factor (>= 1): uplift for work outside the main activity.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .staffing import validate_population

NORM_COLUMNS = ("staff_group", "population_basis", "setting", "persons_per_post")
BASES = ("adults", "children", "all")
SETTINGS = ("urban", "rural", "any")
DEFAULT_NORMS = Path(__file__).resolve().parents[2] / "data" / "penza" / "norms" / "population_norms.csv"


def load_norms(path: str | Path = DEFAULT_NORMS) -> pd.DataFrame:
    """Read and check a norms table."""
    norms = pd.read_csv(path)
    check_norms(norms, str(path))
    return norms


def check_norms(norms: pd.DataFrame, name: str = "norms") -> None:
    """Raise ValueError naming table ``name`` and the row when the norms are not usable: missing
    columns, an unknown population basis or setting, persons_per_post not above 0, or a staff
    group without exactly one 'any' row or one 'urban' and/or one 'rural' row.
    """
    missing = [c for c in NORM_COLUMNS if c not in norms.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {', '.join(missing)}")
    for i, row in norms.iterrows():
        if row.population_basis not in BASES:
            raise ValueError(f"{name}: row {i} ({row.staff_group}): population_basis must be one of {BASES}")
        if row.setting not in SETTINGS:
            raise ValueError(f"{name}: row {i} ({row.staff_group}): setting must be one of {SETTINGS}")
        if not (pd.notna(row.persons_per_post) and float(row.persons_per_post) > 0):
            raise ValueError(f"{name}: row {i} ({row.staff_group}): persons_per_post must be > 0")
    for group, rows in norms.groupby("staff_group"):
        settings = set(rows.setting)
        if "any" in settings and len(rows) > 1 or len(rows) != len(settings):
            raise ValueError(f"{name}: staff_group {group!r}: give one 'any' row or one 'urban' and/or one 'rural' row")


def _share(population: pd.DataFrame, column: str, count_column: str) -> pd.Series:
    """Share per region from a share column or a count column; NaN if neither."""
    pop = population["population"].astype(float)
    if count_column in population.columns:
        counts = pd.to_numeric(population[count_column], errors="coerce")
        share = counts / pop.where(pop > 0)
    else:
        share = pd.Series(np.nan, index=population.index)
    if column in population.columns:
        share = share.fillna(pd.to_numeric(population[column], errors="coerce"))
    bad = share.notna() & ((share < 0) | (share > 1))
    if bad.any():
        rid = population.loc[bad, "region_id"].iloc[0]
        raise ValueError(f"population: region_id={rid!r}: {column} must lie in [0, 1]")
    return share


def norm_need(population: pd.DataFrame, norms: pd.DataFrame | None = None,
              *, default_child_share: float | None = None) -> pd.DataFrame:
    """Posts needed per (region_id, staff_group) from population norms.

    ``population``: region_id, population and optionally child_share or
    child_population (needed for norms on adults or children), rural_share or
    rural_population. A region without a child share uses
    ``default_child_share``; if that is None too, ValueError names the region.
    Returns region_id, staff_group, basis_population, posts_needed (float),
    posts_needed_ceil (whole posts), note.
    """
    norms = load_norms() if norms is None else norms
    check_norms(norms)
    pops = validate_population(population)
    table = population.copy()
    table["population"] = table.region_id.map(pops)
    child = _share(table, "child_share", "child_population")
    rural = _share(table, "rural_share", "rural_population")
    needs_age = norms.population_basis.isin(["adults", "children"]).any()
    if needs_age and child.isna().any():
        if default_child_share is None:
            rid = table.loc[child.isna(), "region_id"].iloc[0]
            raise ValueError(f"population: region_id={rid!r}: child_share (or child_population) is "
                             "missing and no default_child_share was given")
        child = child.fillna(default_child_share)
    pop = table.population
    basis_pop = {"all": pop, "children": pop * child, "adults": pop * (1 - child)}
    rows = []
    for group, g in norms.groupby("staff_group", sort=False):
        posts = pd.Series(0.0, index=table.index)
        basis = None
        note = pd.Series("", index=table.index, dtype=object)
        for _, norm in g.iterrows():
            base = basis_pop[norm.population_basis]
            basis = base if basis is None else basis
            if norm.setting == "any":
                part = base
            elif norm.setting == "rural":
                part = base * rural.fillna(0.0)
            else:
                part = base * (1 - rural.fillna(0.0))
            posts = posts + part / float(norm.persons_per_post)
        if set(g.setting) != {"any"}:
            note = note.where(rural.notna(), "rural share unknown: counted as urban")
        rows.append(pd.DataFrame({
            "region_id": table.region_id.to_numpy(), "staff_group": group,
            "basis_population": basis.to_numpy(), "posts_needed": posts.to_numpy(),
            "posts_needed_ceil": np.ceil(posts.to_numpy() - 1e-9), "note": note.to_numpy()}))
    return pd.concat(rows, ignore_index=True)


def workload_from_rates(population: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """annual_workload = rate_per_1000 * population / 1000 per (region_id, staff_group).

    ``rates``: staff_group, rate_per_1000 (e.g. visits a year per 1,000 people).
    """
    pops = validate_population(population)
    if not {"staff_group", "rate_per_1000"} <= set(rates.columns):
        raise ValueError("rates: need columns staff_group, rate_per_1000")
    out = pd.DataFrame([(r, s.staff_group, float(s.rate_per_1000) * p / 1000)
                        for r, p in pops.items() for s in rates.itertuples()],
                       columns=["region_id", "staff_group", "annual_workload"])
    return out


def wisn_need(workload: pd.DataFrame, standards: pd.DataFrame) -> pd.DataFrame:
    """Staff needed = annual_workload / standard_workload * allowance_factor.

    ``workload``: region_id, staff_group, annual_workload (>= 0).
    ``standards``: staff_group, standard_workload (> 0), optional
    allowance_factor (>= 1, default 1). A staff group without a standard, or a
    standard <= 0, raises ValueError naming it.
    """
    if not {"region_id", "staff_group", "annual_workload"} <= set(workload.columns):
        raise ValueError("workload: need columns region_id, staff_group, annual_workload")
    if not {"staff_group", "standard_workload"} <= set(standards.columns):
        raise ValueError("standards: need columns staff_group, standard_workload")
    std = standards.set_index("staff_group")
    allowance = std["allowance_factor"] if "allowance_factor" in std.columns else pd.Series(1.0, index=std.index)
    for group in workload.staff_group.unique():
        if group not in std.index:
            raise ValueError(f"standards: no standard_workload for staff_group {group!r}")
        if not float(std.loc[group, "standard_workload"]) > 0:
            raise ValueError(f"standards: staff_group {group!r}: standard_workload must be > 0")
        if not float(allowance.loc[group]) >= 1:
            raise ValueError(f"standards: staff_group {group!r}: allowance_factor must be >= 1")
    load = pd.to_numeric(workload.annual_workload, errors="coerce")
    if load.isna().any() or (load < 0).any():
        row = workload[load.isna() | (load < 0)].iloc[0]
        raise ValueError(f"workload: region_id={row.region_id!r}, staff_group={row.staff_group!r}: "
                         "annual_workload must be a number >= 0")
    out = workload[["region_id", "staff_group"]].copy()
    out["annual_workload"] = load.astype(float)
    out["staff_needed"] = (out.annual_workload / out.staff_group.map(std.standard_workload).astype(float)
                           * out.staff_group.map(allowance).astype(float))
    return out


def need_gap(need: pd.DataFrame, staffing: pd.DataFrame,
             need_column: str = "posts_needed") -> pd.DataFrame:
    """Need against what is there: gap in persons and in staff positions.

    Joins on (region_id, staff_group); a need without a staffing row counts
    0 positions and 0 persons. gap_persons = need - persons (>0: shortage).
    """
    cols = ["region_id", "staff_group", "positions", "persons"]
    have = staffing[cols] if set(cols) <= set(staffing.columns) else None
    if have is None:
        raise ValueError("staffing: need columns region_id, staff_group, positions, persons")
    out = need.merge(have, on=["region_id", "staff_group"], how="left")
    out[["positions", "persons"]] = out[["positions", "persons"]].fillna(0.0)
    out["gap_persons"] = out[need_column] - out.persons
    out["gap_positions"] = out[need_column] - out.positions
    return out

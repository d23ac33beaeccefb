"""Input table schemas, kept as data, and the validator that reads them.

Every table the package accepts is described by a list of ``Column`` specs.
``validate_table`` checks presence, type, range and uniqueness and collects
every problem before raising one ``NetworkInputError``; nothing downstream
re-checks raw input. ``docs/network.md`` lists the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import Issue, NetworkInputError


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "id", "number", "text", "bool"
    required: bool = True
    nullable: bool = False
    min_value: float | None = None
    max_value: float | None = None
    positive: bool = False
    unique: bool = False
    description: str = ""


SETTLEMENTS = [
    Column("settlement_id", "id", unique=True, description="unique settlement id"),
    Column("name", "text", required=False, nullable=True, description="settlement name"),
    Column("region_id", "id", description="region (district, oblast) the settlement belongs to"),
    Column("lat", "number", min_value=-90, max_value=90, description="latitude, WGS-84 degrees"),
    Column("lon", "number", min_value=-180, max_value=180, description="longitude, WGS-84 degrees"),
    Column("population", "number", min_value=0, description="residents (demand weight)"),
]

ROADS = [
    Column("from_id", "id", description="settlement_id of one end"),
    Column("to_id", "id", description="settlement_id of the other end"),
    Column("km", "number", positive=True, description="road length in km"),
    Column("minutes", "number", required=False, nullable=True, positive=True,
           description="travel time; derived from road_class speed when missing"),
    Column("road_class", "text", required=False, nullable=True,
           description="federal, regional, local, unpaved; sets the default speed"),
]

POINTS = [
    Column("id", "id", unique=True, description="origin or destination id"),
    Column("lat", "number", min_value=-90, max_value=90, description="latitude"),
    Column("lon", "number", min_value=-180, max_value=180, description="longitude"),
    Column("settlement_id", "id", required=False, nullable=True,
           description="if set, the point is this graph node and is not snapped"),
]

FACILITIES = [
    Column("facility_id", "id", unique=True, description="unique facility id"),
    Column("facility_type", "text", description="FAP, FP, VA, UB, CRB, ..."),
    Column("lat", "number", required=False, nullable=True, min_value=-90, max_value=90),
    Column("lon", "number", required=False, nullable=True, min_value=-180, max_value=180),
    Column("settlement_id", "id", required=False, nullable=True,
           description="graph node of the facility; else lat/lon are snapped"),
    Column("staffed", "bool", required=False, description="True if at least one post is filled"),
    Column("staff", "number", required=False, min_value=0, description="filled posts (persons)"),
]

CANDIDATES = [
    Column("site_id", "id", unique=True, description="candidate site id"),
    Column("facility_type", "text", description="type the site would open as (FAP, FP, VA)"),
    Column("lat", "number", required=False, nullable=True, min_value=-90, max_value=90),
    Column("lon", "number", required=False, nullable=True, min_value=-180, max_value=180),
    Column("settlement_id", "id", required=False, nullable=True),
    Column("capacity", "number", required=False, nullable=True, min_value=0,
           description="population the site can serve"),
]

RULES = [
    Column("rule_id", "id", unique=True),
    Column("min_population", "number", min_value=0),
    Column("max_population", "number", nullable=True, min_value=0,
           description="inclusive upper bound; empty = no upper bound"),
    Column("within_km", "number", min_value=0,
           description="a satisfying facility must be within this road distance"),
    Column("satisfied_by", "text", description="'|'-separated facility types that satisfy the rule"),
    Column("needs", "text", description="what the settlement needs if unsatisfied, e.g. 'FAP|FP'"),
]


def _bad_rows(mask: pd.Series) -> list[int]:
    return [int(i) + 1 for i in np.flatnonzero(mask.to_numpy())]


def validate_table(df: pd.DataFrame, columns: list[Column], table: str,
                   *, raise_errors: bool = True) -> list[Issue]:
    """Check ``df`` against ``columns``; raise (or return) every problem found.

    Rows are reported 1-based by position, whatever the index.
    """
    issues: list[Issue] = []
    if not isinstance(df, pd.DataFrame):
        issues.append(Issue(table, None, None, f"expected a pandas DataFrame, got {type(df).__name__}"))
    else:
        for col in columns:
            if col.name not in df.columns:
                if col.required:
                    issues.append(Issue(table, None, col.name, "required column is missing"))
                continue
            issues.extend(_check_column(df[col.name], col, table))
    if issues and raise_errors:
        raise NetworkInputError(issues)
    return issues


def _check_column(s: pd.Series, col: Column, table: str) -> list[Issue]:
    issues: list[Issue] = []
    missing = s.isna()
    if col.kind in ("id", "text"):
        missing = missing | (s.astype(str).str.strip() == "")
    if not col.nullable:
        for r in _bad_rows(missing):
            issues.append(Issue(table, r, col.name, "value is missing"))
    if col.kind == "number":
        num = pd.to_numeric(s, errors="coerce")
        for r in _bad_rows(num.isna() & ~s.isna()):
            issues.append(Issue(table, r, col.name, f"not a number: {s.iloc[r - 1]!r}"))
        finite = num.notna()
        for r in _bad_rows(finite & ~np.isfinite(num.fillna(0))):
            issues.append(Issue(table, r, col.name, f"not finite: {s.iloc[r - 1]!r}"))
        if col.positive:
            for r in _bad_rows(finite & (num <= 0)):
                issues.append(Issue(table, r, col.name, f"must be positive, got {num.iloc[r - 1]}"))
        if col.min_value is not None:
            for r in _bad_rows(finite & (num < col.min_value)):
                issues.append(Issue(table, r, col.name,
                                    f"{num.iloc[r - 1]} is below the minimum {col.min_value}"))
        if col.max_value is not None:
            for r in _bad_rows(finite & (num > col.max_value)):
                issues.append(Issue(table, r, col.name,
                                    f"{num.iloc[r - 1]} is above the maximum {col.max_value}"))
    if col.kind == "bool":
        ok = s.isna() | s.isin([True, False, 0, 1, "true", "false", "True", "False", "1", "0"])
        for r in _bad_rows(~ok):
            issues.append(Issue(table, r, col.name, f"not a boolean: {s.iloc[r - 1]!r}"))
    if col.unique:
        dup = s.duplicated(keep="first") & ~missing
        for r in _bad_rows(dup):
            issues.append(Issue(table, r, col.name, f"duplicate id {s.iloc[r - 1]!r}"))
    return issues


def as_bool(s: pd.Series) -> pd.Series:
    """Parse a validated boolean column (True/False/1/0/'true'/'false')."""
    mapping = {"true": True, "false": False, "1": True, "0": False}
    return s.map(lambda v: mapping[str(v).strip().lower()] if not isinstance(v, bool) else v).astype(bool)


def _id_string(v):
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, (bool, np.bool_)):
        return str(v)
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def id_strings(s: pd.Series) -> pd.Series:
    """Ids as plain strings, so that 7 in one table matches '7' or 7.0 in another."""
    return pd.Series([_id_string(v) for v in s], index=s.index, dtype=object)

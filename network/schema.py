"""Input table schemas, kept as data in ``network/schema.csv``, and the validator that reads them.

The tables are in the project's one schema format (:mod:`medstaff_core.schema`:
dtype, unit, default, required = yes / no / column / cells, bounds); the same
file drives ``validate_table`` and the tables in docs/network.md (generated
by :func:`markdown`, kept in sync by a test). ``validate_table`` checks
presence, type, range and uniqueness (a table's first ``id`` column) and
collects every problem before raising one ``NetworkInputError``; nothing
downstream re-checks raw input. Rows are spreadsheet rows (header = row 1).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from medstaff_core.schema import Column, bound, load_schema
from medstaff_core.schema import markdown as schema_markdown

from .errors import NetworkInputError, Problem

#: The network package's tables, in the order the docs list them.
NETWORK_TABLES = ("settlements", "roads", "points", "facilities", "candidates", "rules")


@cache
def schema() -> dict[str, tuple[Column, ...]]:
    """Every table of ``network/schema.csv``: table -> its columns."""
    return load_schema("network")


def markdown() -> str:
    """The network tables as Markdown (for docs/network.md)."""
    return schema_markdown(schema(), NETWORK_TABLES)


SETTLEMENTS = list(schema()["settlements"])
ROADS = list(schema()["roads"])
POINTS = list(schema()["points"])
FACILITIES = list(schema()["facilities"])
CANDIDATES = list(schema()["candidates"])
RULES = list(schema()["rules"])


def _bad_rows(mask: pd.Series) -> np.ndarray:
    """Positions where ``mask`` holds."""
    return np.flatnonzero(mask.to_numpy())


def _problem(table: str, pos: int | None, column: str | None, code: str, **params) -> Problem:
    """A problem at data position ``pos`` (0-based), reported at its spreadsheet row ``pos + 2``."""
    return Problem.of(table, None if pos is None else int(pos) + 2, column, code, **params)


def validate_table(df: pd.DataFrame, columns: list[Column], table: str,
                   *, raise_errors: bool = True) -> list[Problem]:
    """Check ``df`` against ``columns``; raise (or return) every problem found.

    Rows are reported by position as spreadsheet rows (the first data row is
    row 2), whatever the index.
    """
    issues: list[Problem] = []
    if not isinstance(df, pd.DataFrame):
        issues.append(_problem(table, None, None, "net_not_a_frame", kind=type(df).__name__))
    else:
        key = next((c for c in columns if c.dtype == "id"), None)
        for col in columns:
            if col.name not in df.columns:
                if col.required:
                    issues.append(_problem(table, None, col.name, "net_column_missing"))
                continue
            issues.extend(_check_column(df[col.name], col, table, unique=col is key and col is columns[0]))
    if issues and raise_errors:
        raise NetworkInputError(issues)
    return issues


def _check_column(s: pd.Series, col: Column, table: str, unique: bool) -> list[Problem]:
    issues: list[Problem] = []
    kind = col.kind
    missing = s.isna()
    if kind in ("id", "str"):
        missing = missing | (s.astype(str).str.strip() == "")
    if not col.nullable:
        for r in _bad_rows(missing):
            issues.append(_problem(table, r, col.name, "net_value_missing"))
    if kind in ("float", "int", "money"):
        num = pd.to_numeric(s, errors="coerce")
        for r in _bad_rows(num.isna() & ~s.isna()):
            issues.append(_problem(table, r, col.name, "net_not_a_number", value=repr(s.iloc[r])))
        finite = num.notna()
        for r in _bad_rows(finite & ~np.isfinite(num.fillna(0))):
            issues.append(_problem(table, r, col.name, "net_not_finite", value=repr(s.iloc[r])))
        if col.minimum is not None and col.minimum_exclusive:
            code = "net_not_positive" if col.minimum == 0 else "net_not_above"
            for r in _bad_rows(finite & (num <= col.minimum)):
                issues.append(_problem(table, r, col.name, code, value=num.iloc[r], minimum=bound(col.minimum)))
        elif col.minimum is not None:
            for r in _bad_rows(finite & (num < col.minimum)):
                issues.append(_problem(table, r, col.name, "net_below_minimum", value=num.iloc[r],
                                       minimum=bound(col.minimum)))
        if col.maximum is not None:
            for r in _bad_rows(finite & (num > col.maximum)):
                issues.append(_problem(table, r, col.name, "net_above_maximum", value=num.iloc[r],
                                       maximum=bound(col.maximum)))
    if kind == "bool":
        ok = s.isna() | s.isin([True, False, 0, 1, "true", "false", "True", "False", "1", "0"])
        for r in _bad_rows(~ok):
            issues.append(_problem(table, r, col.name, "net_not_boolean", value=repr(s.iloc[r])))
    if unique:
        dup = s.duplicated(keep="first") & ~missing
        for r in _bad_rows(dup):
            issues.append(_problem(table, r, col.name, "net_duplicate_id", value=repr(s.iloc[r])))
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

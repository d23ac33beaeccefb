"""Input tables described as data: one CSV format for every package's tables.

A package keeps its tables in one ``schema.csv`` (UTF-8, comma) with a row
per column of every table, as PyPSA's ``component_attrs`` do:

==================  ==========================================================
``table``           the table (file ``<table>.csv``, or a workbook sheet)
``column``          the column's header name (lower case)
``dtype``           ``id`` (text; the table's first ``id`` column is its unique
                    key), ``str``, ``int``, ``float``, ``money`` (kept exactly
                    to 15 significant digits), ``bool``, ``list`` (';'-separated),
                    or ``ref:<table>.<column>`` (an id of another table)
``unit``            km, minutes, degrees, people, posts, money, ... (empty: none)
``default``         the value an empty cell or a missing optional column means,
                    when it is one value (derived defaults are in the description)
``required``        ``yes``: the column must be there and every cell filled;
                    ``no``: the column may be left out and a cell left empty;
                    ``column``: the column must be there, a cell may be empty;
                    ``cells``: the column may be left out, but when it is there
                    every cell is filled
``minimum``         smallest value (inclusive); ``>0`` etc. for an exclusive bound
``maximum``         largest value (inclusive)
``allowed``         ';'-separated values a cell may take (empty: any)
``description_en``  what the column means, in English
``description_ru``  the same in Russian
==================  ==========================================================

``allocator/schema.csv`` holds the allocation round's tables and the staffing
indicator tables; ``network/schema.csv`` the network package's. Each package's
validator, its docs tables (:func:`markdown`, kept in sync by a test) and the
allocator's Excel template are made from these files. New tables (e.g.
preferences, workforce, need, training) are new rows of the same format.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

#: The header of every schema file, in this order.
FIELDS = ("table", "column", "dtype", "unit", "default", "required", "minimum", "maximum", "allowed",
          "description_en", "description_ru")
DTYPES = ("id", "str", "int", "float", "money", "bool", "list")
REQUIRED = {"yes": (True, False), "no": (False, True), "column": (True, True), "cells": (False, False)}


@dataclass(frozen=True)
class Column:
    """One column of an input table, as a row of a ``schema.csv`` describes it."""

    table: str
    name: str
    dtype: str  # id | str | int | float | money | bool | list | ref:<table>.<column>
    required: bool  # the column must be present
    minimum: float | None
    maximum: float | None
    allowed: tuple[str, ...]
    description_en: str
    description_ru: str
    unit: str = ""
    default: str = ""
    nullable: bool = True  # a cell may be empty
    minimum_exclusive: bool = False  # the minimum itself is not allowed (``>0``)

    @property
    def reference(self) -> tuple[str, str] | None:
        """(table, column) this column refers to, if it is a foreign key."""
        if not self.dtype.startswith("ref:"):
            return None
        table, column = self.dtype[4:].split(".")
        return table, column

    @property
    def kind(self) -> str:
        """The dtype with references read as ids: id, str, int, float, money, bool or list."""
        return "id" if self.dtype.startswith("ref:") else self.dtype

    @property
    def required_word(self) -> str:
        """How ``schema.csv`` spells this column's ``required`` (yes, no, column, cells)."""
        return next(w for w, v in REQUIRED.items() if v == (self.required, self.nullable))


def _number(text: str) -> float | None:
    return float(text) if text else None


def parse_schema(rows) -> dict[str, tuple[Column, ...]]:
    """Columns by table, in file order, from the rows of a schema file (dicts keyed by :data:`FIELDS`).

    Raises ValueError on a malformed row (unknown dtype or required word).
    """
    out: dict[str, list[Column]] = {}
    for r in rows:
        if None in r or None in r.values():  # a row with more or fewer cells than the header
            raise ValueError(f"schema: {r.get('table')}.{r.get('column')}: the row does not have {len(FIELDS)} cells")
        kind = r["dtype"][4:] if r["dtype"].startswith("ref:") else r["dtype"]
        if r["dtype"].startswith("ref:"):
            if "." not in kind:
                raise ValueError(f"schema: {r['table']}.{r['column']}: bad reference {r['dtype']!r}")
        elif kind not in DTYPES:
            raise ValueError(f"schema: {r['table']}.{r['column']}: unknown dtype {r['dtype']!r}")
        if r["required"] not in REQUIRED:
            raise ValueError(f"schema: {r['table']}.{r['column']}: required must be one of {sorted(REQUIRED)}")
        required, nullable = REQUIRED[r["required"]]
        minimum = r["minimum"]
        exclusive = minimum.startswith(">")
        out.setdefault(r["table"], []).append(Column(
            table=r["table"], name=r["column"], dtype=r["dtype"], required=required,
            minimum=_number(minimum.lstrip(">")), maximum=_number(r["maximum"]),
            allowed=tuple(r["allowed"].split(";")) if r["allowed"] else (),
            description_en=r["description_en"], description_ru=r["description_ru"],
            unit=r["unit"], default=r["default"], nullable=nullable, minimum_exclusive=exclusive,
        ))
    return {table: tuple(cols) for table, cols in out.items()}


def load_schema(package: str, resource: str = "schema.csv") -> dict[str, tuple[Column, ...]]:
    """The schema file ``resource`` of ``package`` (read with importlib.resources)."""
    with resources.files(package).joinpath(resource).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != FIELDS:
            raise ValueError(f"{package}/{resource}: header must be {','.join(FIELDS)}")
        return parse_schema(list(reader))


def bound(value: float | None) -> str:
    """A bound as the docs show it: "" when open, 100000, 2e+09."""
    if value is None:
        return ""
    return str(int(value)) if value.is_integer() and abs(value) <= 1e7 else f"{value:g}"


def type_text(c: Column) -> str:
    """The type cell of the docs table: dtype, range, allowed values."""
    kind = c.dtype.replace("ref:", "→ ")
    if c.minimum is not None or c.maximum is not None:
        low = (">" if c.minimum_exclusive else "") + bound(c.minimum)
        kind += f" {low}..{bound(c.maximum)}"
    if c.allowed:
        kind += " (" + " \\| ".join(c.allowed) + ")"
    return kind


def markdown(schema: dict[str, tuple[Column, ...]], tables, optional=frozenset()) -> str:
    """The schema as Markdown tables, one per table of ``tables`` (for the docs)."""
    out = []
    for table in tables:
        opt = " (optional)" if table in optional else ""
        out.append(f"### `{table}.csv`{opt}\n")
        out.append("| column | type | unit | default | required | description | описание |")
        out.append("|---|---|---|---|---|---|---|")
        for c in schema[table]:
            out.append(f"| `{c.name}` | {type_text(c)} | {c.unit} | {c.default} | {c.required_word} | "
                       f"{c.description_en} | {c.description_ru} |")
        out.append("")
    return "\n".join(out)

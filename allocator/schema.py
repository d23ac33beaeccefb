"""Input schema of an allocation round, kept as data in ``schema.csv``.

The file is in the one schema format of the project (:mod:`medstaff_core.schema`
describes its columns, including ``unit`` and ``default``). The same table
drives the validator (:mod:`allocator.validate`), the column reference in the
docs (``python -m allocator.schema`` prints it as Markdown; a test keeps
docs/allocator.md in sync) and the template workbook (:mod:`allocator.template`).
Besides the round's tables it describes the staffing indicator tables
(``staffing``, ``population``) that :mod:`allocator.indicators` reads beside a round.

The Russian words a planner may type instead of a code (``грант`` for
``grant``, ``ФАП`` for ``FAP``, ``да`` for true) are data too,
in ``schema_aliases.csv`` beside it (table, column, value, aliases_ru:
';'-separated); the validator turns them into the codes (:func:`aliases`).
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from medstaff_core.schema import Column, load_schema
from medstaff_core.schema import markdown as schema_markdown

__all__ = ["INDICATOR_TABLES", "OPTIONAL_TABLES", "TABLES", "Column", "aliases", "columns", "markdown", "schema"]

#: Tables of a round in reading order; programmes, instalments and preferences are optional.
TABLES = ("regions", "facilities", "vacancies", "graduates", "programmes", "instalments", "preferences")
OPTIONAL_TABLES = frozenset({"programmes", "instalments", "preferences"})
#: Tables the staffing indicators read beside a round (allocator.indicators.for_round), when present.
INDICATOR_TABLES = ("staffing", "population")


@cache
def schema() -> dict[str, tuple[Column, ...]]:
    """Every table of ``allocator/schema.csv``: table -> its columns in file order."""
    return load_schema("allocator")


def columns(table: str) -> tuple[Column, ...]:
    """The columns of one table; KeyError for an unknown table."""
    try:
        return schema()[table]
    except KeyError:
        raise KeyError(f"unknown table {table!r}") from None


def word_key(word: str) -> str:
    """How a typed word is compared with codes and aliases: case and repeated spaces ignored."""
    return " ".join(str(word).split()).casefold()


@cache
def alias_rows() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """(table, column, value, Russian aliases) of ``schema_aliases.csv``, in file order.

    Raises ValueError when a row names an unknown column, a value outside the
    column's allowed values, or a word that would stand for two values.
    """
    with resources.files("allocator").joinpath("schema_aliases.csv").open(encoding="utf-8", newline="") as fh:
        rows = [(r["table"], r["column"], r["value"], tuple(a.strip() for a in r["aliases_ru"].split(";") if a.strip()))
                for r in csv.DictReader(fh)]
    seen: dict[tuple[str, str, str], str] = {}
    for table, column, value, words in rows:
        col = next((c for c in schema().get(table, ()) if c.name == column), None)
        if col is None:
            raise ValueError(f"schema_aliases.csv: unknown column {table}.{column}")
        if col.allowed and value not in col.allowed:
            raise ValueError(f"schema_aliases.csv: {table}.{column}: {value!r} is not an allowed value")
        for word in (value, *words):
            other = seen.setdefault((table, column, word_key(word)), value)
            if other != value:
                raise ValueError(f"schema_aliases.csv: {table}.{column}: {word!r} stands for {other} and {value}")
    return tuple(rows)


@cache
def aliases(table: str, column: str) -> dict[str, str]:
    """The words that stand for a value of ``table.column`` (:func:`word_key` of the word -> the
    value): its codes and their Russian aliases; empty when the column has none."""
    out: dict[str, str] = {}
    for t, c, value, words in alias_rows():
        if (t, c) == (table, column):
            out.update({word_key(w): value for w in (value, *words)})
    return out


def aliases_markdown() -> str:
    """The Russian aliases as a Markdown table (for docs/allocator.md)."""
    out = ["| column | value | also accepted |", "|---|---|---|"]
    for table, column, value, words in alias_rows():
        out.append(f"| `{table}.{column}` | `{value}` | {', '.join(words)} |")
    return "\n".join(out) + "\n"


def markdown() -> str:
    """The round's tables as Markdown (for docs/allocator.md)."""
    return schema_markdown(schema(), TABLES, OPTIONAL_TABLES)


def indicator_markdown() -> str:
    """The staffing indicator tables as Markdown (for docs/allocator.md)."""
    return schema_markdown(schema(), INDICATOR_TABLES, frozenset(INDICATOR_TABLES))


if __name__ == "__main__":  # pragma: no cover - documentation helper
    print(markdown())
    print(indicator_markdown())
    print(aliases_markdown())

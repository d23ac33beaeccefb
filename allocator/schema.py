"""Input schema of an allocation round, kept as data in ``schema.csv``.

The file is in the one schema format of the project (:mod:`medstaff_core.schema`
describes its columns, including ``unit`` and ``default``). The same table
drives the validator (:mod:`allocator.validate`), the column reference in the
docs (``python -m allocator.schema`` prints it as Markdown; a test keeps
docs/allocator.md in sync) and the template workbook (:mod:`allocator.template`).
Besides the round's tables it describes the staffing indicator tables
(``staffing``, ``population``) that :mod:`allocator.indicators` reads beside a round.
"""

from __future__ import annotations

from functools import cache

from medstaff_core.schema import Column, load_schema
from medstaff_core.schema import markdown as schema_markdown

__all__ = ["INDICATOR_TABLES", "OPTIONAL_TABLES", "TABLES", "Column", "columns", "markdown", "schema"]

#: Tables of a round in reading order; programmes is optional.
TABLES = ("regions", "facilities", "vacancies", "graduates", "programmes")
OPTIONAL_TABLES = frozenset({"programmes"})
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


def markdown() -> str:
    """The round's tables as Markdown (for docs/allocator.md)."""
    return schema_markdown(schema(), TABLES, OPTIONAL_TABLES)


def indicator_markdown() -> str:
    """The staffing indicator tables as Markdown (for docs/allocator.md)."""
    return schema_markdown(schema(), INDICATOR_TABLES, frozenset(INDICATOR_TABLES))


if __name__ == "__main__":  # pragma: no cover - documentation helper
    print(markdown())
    print(indicator_markdown())

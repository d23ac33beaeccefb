"""Input schema of an allocation round, kept as data in ``schema.csv``.

The same table drives the validator (:mod:`allocator.validate`), the column
reference in the docs (``python -m allocator.schema`` prints it as Markdown)
and the template workbook the UI offers for download.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import pandas as pd

#: Tables of a round in reading order; programmes is optional.
TABLES = ("regions", "facilities", "vacancies", "graduates", "programmes")
OPTIONAL_TABLES = frozenset({"programmes"})


@dataclass(frozen=True)
class Column:
    table: str
    name: str
    dtype: str  # id | str | int | float | money | bool | list | ref:<table>.<column>
    required: bool
    minimum: float | None
    maximum: float | None
    allowed: tuple[str, ...]
    description_en: str
    description_ru: str

    @property
    def reference(self) -> tuple[str, str] | None:
        """(table, column) this column refers to, if it is a foreign key."""
        if not self.dtype.startswith("ref:"):
            return None
        table, column = self.dtype[4:].split(".")
        return table, column


@lru_cache(maxsize=1)
def schema_frame() -> pd.DataFrame:
    with resources.files("allocator").joinpath("schema.csv").open(encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


@cache
def columns(table: str) -> tuple[Column, ...]:
    frame = schema_frame()
    rows = frame[frame["table"] == table]
    if rows.empty:
        raise KeyError(f"unknown table {table!r}")
    return tuple(
        Column(
            table=table,
            name=r.column,
            dtype=r.dtype,
            required=r.required == "yes",
            minimum=float(r.minimum) if r.minimum else None,
            maximum=float(r.maximum) if r.maximum else None,
            allowed=tuple(r.allowed.split(";")) if r.allowed else (),
            description_en=r.description_en,
            description_ru=r.description_ru,
        )
        for r in rows.itertuples(index=False)
    )


def _bound(value: float | None) -> str:
    """A bound as the docs show it: "" when open, 100000, 2e+09."""
    if value is None:
        return ""
    return str(int(value)) if value.is_integer() and abs(value) <= 1e7 else f"{value:g}"


def markdown() -> str:
    """The schema as Markdown tables, one per input table (for the docs)."""
    out = []
    for table in TABLES:
        opt = " (optional)" if table in OPTIONAL_TABLES else ""
        out.append(f"### `{table}.csv`{opt}\n")
        out.append("| column | type | required | description | описание |")
        out.append("|---|---|---|---|---|")
        for c in columns(table):
            kind = c.dtype.replace("ref:", "→ ")
            if c.minimum is not None or c.maximum is not None:
                kind += f" {_bound(c.minimum)}..{_bound(c.maximum)}"
            if c.allowed:
                kind += " (" + " \\| ".join(c.allowed) + ")"
            out.append(
                f"| `{c.name}` | {kind} | {'yes' if c.required else 'no'} | "
                f"{c.description_en} | {c.description_ru} |"
            )
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover - documentation helper
    print(markdown())

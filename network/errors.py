"""Errors and warnings raised by the network package.

Input problems are the project's one error type,
:class:`medstaff_core.problems.Problem` collected in an :class:`InputError`
(here :class:`NetworkInputError`, a subclass), with rows counted as a
spreadsheet shows them: the header is row 1, so the first data row is row 2
and, in a CSV file, the row is the line number. Validation collects every
problem it finds and raises them together, so a user can fix a file in one
pass. The schema validator's texts are in ``network/texts.csv`` (English and
Russian); other messages are English.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from medstaff_core.problems import InputError, Problem, register_texts

__all__ = ["DataQualityWarning", "DisconnectedNetworkWarning", "NetworkInputError", "PlanningError",
           "Problem", "UnreachableWarning", "issue"]


@cache
def network_texts() -> dict[str, tuple[str, str]]:
    """The network package's codes (``network/texts.csv``): code -> (English, Russian)."""
    with resources.files("network").joinpath("texts.csv").open(encoding="utf-8", newline="") as fh:
        return {row["code"]: (row["en"], row["ru"]) for row in csv.DictReader(fh)}


def _templates(code: str) -> tuple[str, str] | None:
    return network_texts().get(code)


register_texts(_templates)


def _text(code: str, lang: str, **params) -> str:
    en, ru = network_texts()[code]
    return (ru if lang == "ru" else en).format(**params)


def issue(table: str, row: int | None, column: str | None, message: str) -> Problem:
    """A problem with an English message only; ``row`` is the spreadsheet row (data position + 2)."""
    return Problem(table, row, column, message, "", "network")


def network_line(p: Problem, lang: str = "en") -> str:
    """How the network package shows a problem: ``table 'roads.csv', row 2 (line 3), column 'km': ...``.

    ``row N (line N+1)`` counts data rows and file lines: the Problem's row is the line.
    """
    where = [_text("net_where_table", lang, table=p.file)]
    if p.row is not None:
        where.append(_text("net_where_row", lang, data_row=p.row - 1, row=p.row))
    if p.column is not None:
        where.append(_text("net_where_column", lang, column=p.column))
    return ", ".join(where) + f": {p.text(lang)}"


class NetworkInputError(InputError):
    """Input tables do not satisfy the schema; ``problems`` (also ``issues``) lists every problem."""

    @property
    def issues(self) -> list[Problem]:
        """The problems (the older name)."""
        return self.problems

    def report(self, lang: str = "en", limit: int = 20) -> str:
        """Every problem (at most ``limit``), one per line."""
        shown = "\n  ".join(network_line(p, lang) for p in self.problems[:limit])
        more = len(self.problems) - limit
        suffix = "\n  " + _text("net_problems_more", lang, n=more) if more > 0 else ""
        return f"{_text('net_problems_head', lang, n=len(self.problems))}\n  {shown}{suffix}"


class PlanningError(ValueError):
    """A planning problem cannot be solved as posed (e.g. provably infeasible)."""


class DisconnectedNetworkWarning(UserWarning):
    """The road graph has more than one connected component."""


class UnreachableWarning(UserWarning):
    """Some origin-destination pairs have no road path."""


class DataQualityWarning(UserWarning):
    """Input accepted, but a value looks doubtful (e.g. unknown road class)."""

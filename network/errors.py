"""Errors and warnings raised by the network package.

Input problems are the project's one error type,
:class:`medstaff_core.problems.Problem` collected in an :class:`InputError`
(here :class:`NetworkInputError`, a subclass), with rows counted as a
spreadsheet shows them: the header is row 1, so the first data row is row 2
and, in a CSV file, the row is the line number. Validation collects every
problem it finds and raises them together, so a user can fix a file in one
pass.

Every message the package shows is in ``network/texts.csv`` (code, English,
Russian): a problem is made by :func:`issue` from a code and its parameters,
a :class:`PlanningError` and the warnings below carry a code and parameters
too and render either language with ``text(lang)``; ``str()`` is English.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from medstaff_core.problems import InputError, Problem, register_texts

__all__ = ["DataQualityWarning", "DisconnectedNetworkWarning", "NetworkInputError", "NetworkWarning",
           "PlanningError", "Problem", "UnreachableWarning", "issue", "network_text"]


@cache
def network_texts() -> dict[str, tuple[str, str]]:
    """The network package's codes (``network/texts.csv``): code -> (English, Russian)."""
    with resources.files("network").joinpath("texts.csv").open(encoding="utf-8", newline="") as fh:
        return {row["code"]: (row["en"], row["ru"]) for row in csv.DictReader(fh)}


def _templates(code: str) -> tuple[str, str] | None:
    return network_texts().get(code)


register_texts(_templates)


def network_text(code: str, lang: str = "en", **params) -> str:
    """The text of a network code (``network/texts.csv``) in ``lang`` ("ru" or English)."""
    en, ru = network_texts()[code]
    return (ru if lang == "ru" else en).format(**params)


def issue(table: str, row: int | None, column: str | None, code: str, /, **params) -> Problem:
    """The problem ``code`` of ``network/texts.csv`` with its parameters, in English and Russian.

    ``row`` is the spreadsheet row (data position + 2), ``None`` for the whole table or column.
    """
    return Problem.of(table, row, column, code, **params)


def network_line(p: Problem, lang: str = "en") -> str:
    """How the network package shows a problem: ``table 'roads.csv', row 2 (line 3), column 'km': ...``.

    ``row N (line N+1)`` counts data rows and file lines: the Problem's row is the line.
    """
    where = [network_text("net_where_table", lang, table=p.file)]
    if p.row is not None:
        where.append(network_text("net_where_row", lang, data_row=p.row - 1, row=p.row))
    if p.column is not None:
        where.append(network_text("net_where_column", lang, column=p.column))
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
        suffix = "\n  " + network_text("net_problems_more", lang, n=more) if more > 0 else ""
        return f"{network_text('net_problems_head', lang, n=len(self.problems))}\n  {shown}{suffix}"


class _Coded:
    """A message kept as a code of ``network/texts.csv`` and its parameters; ``str()`` is English."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(network_text(code, "en", **params))

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` ("ru" or English)."""
        return network_text(self.code, lang, **self.params)

    def __reduce__(self):
        return _rebuild, (type(self), self.code, self.params)


def _rebuild(cls, code, params):
    return cls(code, **params)


class PlanningError(_Coded, ValueError):
    """A planning problem cannot be solved as posed (e.g. provably infeasible).

    ``PlanningError(code, **params)``; ``text(lang)`` renders it in English or Russian.
    """


class NetworkWarning(_Coded, UserWarning):
    """A warning of the network package: ``Warning(code, **params)``, ``text(lang)`` in either language."""


class DisconnectedNetworkWarning(NetworkWarning):
    """The road graph has more than one connected component."""


class UnreachableWarning(NetworkWarning):
    """Some origin-destination pairs have no road path."""


class DataQualityWarning(NetworkWarning):
    """Input accepted, but a value looks doubtful (e.g. unknown road class)."""

"""One input-error type for every package: :class:`Problem` and :class:`InputError`.

A :class:`Problem` says where (file or table, row, column) and what, in
English and Russian. **Rows are spreadsheet rows**: the header is row 1, the
first data row is row 2 (in a CSV file the row is the file's line number),
``None`` means the whole table or column. Every package reports its input
problems this way; :class:`InputError` carries all problems found, so a user
fixes a file in one pass.

Texts come from catalogues keyed by code. This layer's own codes (the CSV
reader's and the frame of a report) are in ``medstaff_core/texts.csv``
(columns ``code, en, ru``); a package above adds its catalogue with
:func:`register_texts` (the allocator registers ``allocator/texts/``, the
network package ``network/texts.csv``). A registered catalogue is asked
first, so one code has one text wherever it is shown.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

#: A catalogue as this module asks it: code -> (English, Russian) templates, or None if unknown.
Resolver = Callable[[str], "tuple[str, str] | None"]
_RESOLVERS: list[Resolver] = []


@cache
def core_texts() -> dict[str, tuple[str, str]]:
    """This layer's own codes (``medstaff_core/texts.csv``): code -> (English, Russian)."""
    with resources.files("medstaff_core").joinpath("texts.csv").open(encoding="utf-8", newline="") as fh:
        return {row["code"]: (row["en"], row["ru"]) for row in csv.DictReader(fh)}


def register_texts(resolver: Resolver) -> None:
    """Add a package's catalogue; it is asked before this layer's own (once per resolver)."""
    if resolver not in _RESOLVERS:
        _RESOLVERS.insert(0, resolver)


def templates(code: str) -> tuple[str, str]:
    """(English, Russian) templates of ``code``; KeyError when no catalogue knows it."""
    for resolver in _RESOLVERS:
        found = resolver(code)
        if found is not None:
            return found
    return core_texts()[code]


def language_from_locale(environ: Mapping[str, str] | None = None) -> str:
    """"ru" when the locale is Russian (the first set of LC_ALL, LC_MESSAGES, LANG starts with "ru"),
    else "en": the default of every ``--lang``."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return "ru" if value.lower().startswith("ru") else "en"
    return "en"


def render(code: str, **params) -> tuple[str, str]:
    """(English, Russian) text of ``code`` with its parameters."""
    en, ru = templates(code)
    return en.format(**params), ru.format(**params)


def text(code: str, lang: str = "en", **params) -> str:
    """The text of ``code`` in ``lang`` ("ru" or English)."""
    return render(code, **params)[1 if lang == "ru" else 0]


@dataclass(frozen=True)
class Problem:
    """One input problem: where (file, spreadsheet row, column) and what, in EN and RU."""

    file: str
    row: int | None
    column: str | None
    message: str
    message_ru: str = ""
    code: str = ""

    @classmethod
    def of(cls, file: str, row: int | None, column: str | None, code: str, **params) -> "Problem":
        """A problem from a catalogue code and its parameters (``row``: spreadsheet row)."""
        en, ru = render(code, **params)
        return cls(file, row, column, en, ru, code)

    def text(self, lang: str = "en") -> str:
        """The problem's message in ``lang`` (English when it has no Russian)."""
        return self.message_ru if lang == "ru" and self.message_ru else self.message

    def line(self, lang: str = "en") -> str:
        """Where and what, one line: ``file, row 2, column 'x': message``."""
        where = self.file
        if self.row is not None:
            where += ", " + text("where_row", lang, row=self.row)
        if self.column:
            where += ", " + text("where_column", lang, column=self.column)
        return f"{where}: {self.text(lang)}"

    def __str__(self) -> str:
        return self.line("en")


class InputError(ValueError):
    """Bad input; ``problems`` lists every one found."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__(self.report("en"))

    def report(self, lang: str = "en", limit: int = 50) -> str:
        """Every problem, one per line, in English or Russian."""
        head = text("problems_head", lang, n=len(self.problems))
        lines = [f"  - {p.line(lang)}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append("  ... " + text("problems_more", lang, n=len(self.problems) - limit))
        return "\n".join([head, *lines])

"""The one catalogue of every text the project shows, in English and Russian.

Texts are data: one CSV per domain with the columns ``code, en, ru`` (UTF-8,
as ``schema.csv``), under ``allocator/texts/`` but for the lower layer's own:

====================  ========================================================
``core``              ``medstaff_core/texts.csv``: the CSV reader's problems and
                      the frame of a problem report (row, column, "N problem(s)")
``network``           ``network/texts.csv``: the network package's input problems
``input.csv``         input problems (:class:`allocator.messages.Problem`);
                      codes as ``Problem.code``
``reasons.csv``       why a graduate was not placed (``reason_<code>``,
                      :mod:`allocator.diagnose`)
``store.csv``         the run store's refusals (``store_<key>``) and the
                      ``allocator runs`` messages (``runs_<key>``)
``cli.csv``           the command line's summary and notes (``cli_<key>``)
``progress.csv``      the stages a solve reports (``stage_<stage>``,
                      :func:`allocator.status.describe`)
``ui.csv``            the Streamlit app's labels, messages and export headers
``mechanisms.csv``    the distribution mechanisms' messages (``mech_<key>``:
                      choice in rating order, the commission step, the menu)
``audit.csv``         the justified-envy audit's report (``audit_<key>``)
``nouns.csv``         counted nouns (``noun_<key>``) as CLDR plural forms,
                      ``one=...|few=...|many=...|other=...`` (:func:`count`)
====================  ========================================================

A code is unique across all files (checked when loading). Both languages use
the same ``{placeholders}`` (tests/test_catalogue.py checks every entry).
Code keeps codes and parameters (:class:`Message`); text is made only at the
edge, in the reader's language, by :func:`text`. Numbers are shown in the
reader's locale by :func:`number` (Babel: "1 234,5" in Russian, "1,234.5" in
English) and counted nouns by :func:`count` with the CLDR plural rule
("442 вакансии", "1 выпускник", "5 выпускников").
"""

from __future__ import annotations

import csv
import importlib.util
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from babel import Locale
from babel.numbers import format_decimal

from medstaff_core.problems import language_from_locale as language_from_locale  # the default of every --lang

LANGUAGES = ("en", "ru")
DOMAINS = ("core", "network", "input", "reasons", "store", "cli", "progress", "ui", "nouns", "mechanisms", "audit")


@dataclass(frozen=True)
class Entry:
    """One catalogue row: a code, its English and Russian text, and the file it is in."""

    code: str
    en: str
    ru: str
    domain: str

    def in_language(self, lang: str) -> str:
        """The raw text (placeholders unfilled) in ``lang``; English unless ``lang`` is "ru"."""
        return self.ru if lang == "ru" else self.en


@cache
def catalogue() -> dict[str, Entry]:
    """Every entry of every domain, by code (loaded once)."""
    out: dict[str, Entry] = {}
    for domain in DOMAINS:
        for code, en, ru in _rows(domain):
            if code in out:
                raise ValueError(f"catalogue code {code!r} is in both {out[code].domain} and {domain}")
            out[code] = Entry(code, en, ru, domain)
    return out


def _rows(domain: str):
    """(code, en, ru) of one domain's file."""
    if domain in ("core", "network"):  # the lower layers' own files, read without importing them
        spec = importlib.util.find_spec("medstaff_core" if domain == "core" else "network")
        path = Path(next(iter(spec.submodule_search_locations))) / "texts.csv"
    else:
        path = resources.files("allocator").joinpath("texts", f"{domain}.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        return [(row["code"], row["en"], row["ru"]) for row in csv.DictReader(fh)]


def domain(name: str) -> dict[str, Entry]:
    """The entries of one file of the catalogue, in file order."""
    if name not in DOMAINS:
        raise KeyError(f"unknown catalogue domain {name!r}")
    return {code: e for code, e in catalogue().items() if e.domain == name}


def text(code: str, lang: str = "en", **params) -> str:
    """The text of ``code`` in ``lang`` ("en" or "ru"), its placeholders filled from ``params``."""
    raw = catalogue()[code].in_language(lang)
    return raw.format(**params) if params else raw


def texts(code: str, **params) -> tuple[str, str]:
    """(English, Russian) text of ``code`` with its parameters."""
    return text(code, "en", **params), text(code, "ru", **params)


def has(code: str) -> bool:
    """Whether ``code`` is in the catalogue."""
    return code in catalogue()


@dataclass(frozen=True)
class Message:
    """A text not yet rendered: a catalogue code and its parameters."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        """The message in ``lang``."""
        return text(self.code, lang, **self.params)

    def __str__(self) -> str:
        return self.text("en")


# ------------------------------------------------------------------ numbers and plurals


def number(value, lang: str = "en", digits: int | None = None) -> str:
    """``value`` in the locale of ``lang`` (Babel, CLDR): "1 234,5" (ru: decimal comma, no-break space
    between thousands), "1,234.5" (en). ``digits``: exactly that many decimals (rounded half to even,
    as Babel rounds); None: as many as needed, at most 3. None, NaN and pandas' NA give ""."""
    try:
        as_float = float(value)
    except (TypeError, ValueError):  # None, pandas.NA
        return ""
    if not math.isfinite(as_float):
        return ""
    if not isinstance(value, int) or isinstance(value, bool):
        value = as_float  # numpy and Decimal numbers too; Python ints stay exact
    pattern = "#,##0" + ("." + "0" * digits if digits else "") if digits is not None else "#,##0.###"
    return format_decimal(value, format=pattern, locale=_locale(lang))


def plural_form(n, lang: str = "en") -> str:
    """The CLDR plural category of ``n`` in ``lang``: one, few, many or other (Babel's rule)."""
    return _locale(lang).plural_form(n)


def count(n, noun: str, lang: str = "en") -> str:
    """``n`` and the noun ``noun_<noun>`` of ``nouns.csv`` in the form the CLDR plural rule of
    ``lang`` gives: count(442, "vacancy", "ru") == "442 вакансии", count(5, "graduate", "ru") ==
    "5 выпускников". The number is shown by :func:`number`."""
    return f"{number(n, lang)}\u00a0{noun_form(n, noun, lang)}"


def noun_form(n, noun: str, lang: str = "en") -> str:
    """The form of the noun ``noun_<noun>`` that goes with ``n`` in ``lang`` (the noun alone)."""
    forms = _forms(f"noun_{noun}", "ru" if lang == "ru" else "en")
    return forms.get(plural_form(n, lang), forms["other"])


@cache
def _forms(code: str, lang: str) -> dict[str, str]:
    """The plural forms of a ``nouns.csv`` entry: category -> form."""
    raw = catalogue()[code].in_language(lang)
    return dict(part.split("=", 1) for part in raw.split("|"))


@cache
def _locale(lang: str) -> Locale:
    return Locale("ru" if lang == "ru" else "en")

"""Russian and English text of the UI: labels, messages and export headers.

The texts live in the one catalogue (:mod:`allocator.catalogue`): the UI's in
``allocator/texts/ui.csv``, the unplaced reasons in ``reasons.csv``.
``t(key, lang, **fmt)`` renders a code; Russian is the default language.
Numbers are shown by :func:`number` (Babel: "1 234,5" in Russian) and counted
nouns by :func:`count` (442 + noun_vacancy gives the Russian "few" form) with
the CLDR plural rule; codes (funding, specialty, facility type, status, solver, weight basis)
become words by the functions below, which show an unknown code as it is.
Every key must have both languages (tests/test_ui_i18n.py and
tests/test_catalogue.py check it).
"""

from __future__ import annotations

from allocator import catalogue
from allocator.catalogue import domain, text
from allocator.scaling import money_text
from allocator.status import describe

LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"

#: Every UI text, {"ru": ..., "en": ...} by key: the catalogue's ``ui`` and ``reasons`` domains.
TEXT: dict[str, dict[str, str]] = {
    code: {"ru": entry.ru, "en": entry.en} for name in ("ui", "reasons") for code, entry in domain(name).items()
}


def t(key: str, lang: str = DEFAULT_LANGUAGE, **fmt) -> str:
    """Text of catalogue code ``key`` in ``lang`` (falls back to Russian), formatted with ``fmt``."""
    return text(key, lang if lang in LANGUAGES else DEFAULT_LANGUAGE, **fmt)


def number(value, lang: str = DEFAULT_LANGUAGE, digits: int | None = None) -> str:
    """``value`` as ``lang`` writes numbers: "1 234,5" (ru: decimal comma, no-break space between
    thousands), "1,234.5" (en); ``digits`` fixed decimals (None: as needed, at most 3); "" when
    missing (None, NaN, NA), so an empty cell stays empty."""
    return catalogue.number(value, lang, digits)


def currency_of(source) -> str | None:
    """The money unit's sign ("₽", "₸", "som") of a Round (its ``scenario.currency``), a Solution
    (its ``scenario`` dict) or a run record (its round); None when the round names none."""
    scenario = getattr(getattr(source, "round", source), "scenario", None)
    if isinstance(scenario, dict):
        value = scenario.get("currency")
    else:
        value = getattr(scenario, "currency", None)
    return value or None


def money(value, lang: str = DEFAULT_LANGUAGE, currency: str | None = None) -> str:
    """Money exactly as typed in ``lang`` with the round's ``currency`` sign after it
    (:func:`allocator.scaling.money_text`: "1 500 000,40 ₸"; no sign: as before); "" when missing."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return money_text(value, lang if lang in LANGUAGES else DEFAULT_LANGUAGE, currency)


def count(n, noun: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """``n`` with the noun ``noun`` (``noun_<noun>`` of allocator/texts/nouns.csv) in the plural
    form of the CLDR rule of ``lang`` (442 vacancies take the Russian "few" form)."""
    return catalogue.count(n, noun, lang)


def seconds(value, lang: str = DEFAULT_LANGUAGE) -> str:
    """A duration in seconds, two decimals and the unit of ``lang`` (noun_second): "1.26 s" in English."""
    return f"{number(value, lang, 2)}\u00a0{catalogue.noun_form(2, 'second', lang)}"


def _word(prefix: str, code, lang: str) -> str:
    """The catalogue word ``<prefix><code>`` in ``lang``; an unknown code is shown as it is,
    a missing one (None, NaN) as an empty string."""
    if code is None or (isinstance(code, float) and code != code):
        return ""
    key = f"{prefix}{code}"
    return t(key, lang) if key in TEXT else str(code)


def facility_type(code, lang: str) -> str:
    """A facility type code (FAP, RB, polyclinic, ...) as the word of its ``type_*`` entry."""
    return _word("type_", str(code).lower() if isinstance(code, str) else code, lang)


def solver(code, lang: str) -> str:
    """A solver code (flow, cbc, highs, cpsat) as its name in ``lang``."""
    return _word("solvername_", code, lang)


def reason(code: str, lang: str) -> str:
    """Why a graduate was not placed (a reason code of allocator.diagnose) in words."""
    key = f"reason_{code}"
    return t(key, lang) if key in TEXT else code


def funding(code: str, lang: str) -> str:
    """A funding code (grant, targeted, paid) as a word; unknown codes are shown as they are."""
    return _word("funding_", code, lang)


def tier(code, lang: str) -> str:
    """A placement's payment tier (standard, remote) as a word; missing (no programme) as ""."""
    return _word("tier_", code, lang)


def specialty(code: str, lang: str) -> str:
    """A specialty code as a word; unknown codes are shown as they are."""
    return _word("spec_", code, lang)


_BASIS = {"regions.csv": "basis_regions_csv", "default 1": "basis_default_1", "scenario": "basis_scenario",
          "indicators": "basis_indicators"}


def weight_basis(code: str, lang: str) -> str:
    """Where a region's weight came from (allocator.scenario): 'KOMK group IV', 'scenario', ..."""
    code = str(code)
    if code.startswith("KOMK group "):
        group = code.removeprefix("KOMK group ")
        return t("basis_komk_group", lang, group=group)
    return t(_BASIS[code], lang) if code in _BASIS else code


def status(code: str, lang: str) -> str:
    """A solution status (optimal, feasible, ...) in words; unknown codes are shown as they are."""
    return _word("status_", code, lang)


def progress_text(event, lang: str) -> str:
    """A progress event of :func:`allocator.solve` (:class:`allocator.status.Progress`) as the
    UI's line, keyed by its stage (:func:`allocator.status.describe`); unknown stages show their code."""
    line = describe(event, lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
    return line if line == event.stage else line[:1].upper() + line[1:]

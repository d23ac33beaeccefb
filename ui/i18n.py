"""Russian and English text of the UI: labels, messages and export headers.

The texts live in the one catalogue (:mod:`allocator.catalogue`): the UI's in
``allocator/texts/ui.csv``, the unplaced reasons in ``reasons.csv``.
``t(key, lang, **fmt)`` renders a code; Russian is the default language.
Every key must have both languages (tests/test_ui_i18n.py and
tests/test_catalogue.py check it).
"""

from __future__ import annotations

from allocator.catalogue import domain, text
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


def reason(code: str, lang: str) -> str:
    """Why a graduate was not placed (a reason code of allocator.diagnose) in words."""
    key = f"reason_{code}"
    return t(key, lang) if key in TEXT else code


def funding(code: str, lang: str) -> str:
    """A funding code (grant, targeted, paid) as a word; unknown codes are shown as they are."""
    key = f"funding_{code}"
    return t(key, lang) if key in TEXT else str(code)


def specialty(code: str, lang: str) -> str:
    """A specialty code as a word; unknown codes are shown as they are."""
    key = f"spec_{code}"
    return t(key, lang) if key in TEXT else str(code)


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
    key = f"status_{code}"
    return t(key, lang) if key in TEXT else str(code)


def progress_text(event, lang: str) -> str:
    """A progress event of :func:`allocator.solve` (:class:`allocator.status.Progress`) as the
    UI's line, keyed by its stage (:func:`allocator.status.describe`); unknown stages show their code."""
    line = describe(event, lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
    return line if line == event.stage else line[:1].upper() + line[1:]

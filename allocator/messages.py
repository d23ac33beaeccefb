"""Input problems: :class:`Problem` and :class:`InputError` (defined in :mod:`medstaff_core.problems`).

A :class:`Problem` is made from a code of the catalogue's ``input`` domain
(``allocator/texts/input.csv``, :mod:`allocator.catalogue`) and its
parameters (``Problem.of``); :class:`InputError` carries all of a round's
problems. The command line prints English or Russian (``--lang``, by default
from the locale), the UI the user's language. A test checks that both texts
exist and use the same placeholders.
"""

from __future__ import annotations

from medstaff_core.problems import InputError, Problem, register_texts

from .catalogue import catalogue, texts

__all__ = ["InputError", "Problem", "render"]


def render(code: str, **params) -> tuple[str, str]:
    """(English, Russian) text of a problem code with its parameters."""
    return texts(code, **params)


def _templates(code: str) -> tuple[str, str] | None:
    """The allocator catalogue as :mod:`medstaff_core.problems` asks it."""
    entry = catalogue().get(code)
    return None if entry is None else (entry.en, entry.ru)


# Problem and InputError are the lower layer's (medstaff_core.problems), shared with the network
# package; their texts come from this package's catalogue first.
register_texts(_templates)

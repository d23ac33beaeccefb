"""English and Russian texts of the store's refusals (StoreError.text(lang)).

The texts are the catalogue's ``store_<key>`` entries (allocator/texts/store.csv,
:mod:`allocator.catalogue`). Each is one line; ``{url}`` is always the URL without
its password, and every parameter is masked (masking.py) before it is put in.
"""

from __future__ import annotations

from ..catalogue import text


def render(key: str, lang: str = "en", **params) -> str:
    """The store refusal ``key`` (a StoreError key such as "damaged") in ``lang``."""
    return text(f"store_{key}", lang, **params)

"""Input tables as canonical CSV text and back, so a stored run can be solved again.

A typed round table is written with ``to_csv`` (list columns joined by ``;``)
and its column types are kept beside it; :func:`decode` rebuilds the same
frame, so the rebuilt round has the same :meth:`Round.input_hash`.
"""

from __future__ import annotations

import hashlib
import io
import zlib

import numpy as np
import pandas as pd

from ..problem import RULE_COLUMNS, without_neutral_columns

ROUND_TABLES = ("regions", "facilities", "vacancies", "graduates", "programmes", "settlements", "roads",
                "preferences", "instalments")
LIST = "list"


def encode(frame: pd.DataFrame) -> tuple[str, dict[str, str]]:
    """Canonical CSV text of a frame and its column types (``list`` for tuples of strings)."""
    out = frame.copy()
    dtypes: dict[str, str] = {}
    for col in frame.columns:
        values = frame[col]
        if values.dtype == object and values.map(lambda v: isinstance(v, tuple)).any():
            dtypes[str(col)] = LIST
            out[col] = values.map(lambda v: ";".join(v) if isinstance(v, tuple) else "")
        else:
            dtypes[str(col)] = str(values.dtype)
    return out.to_csv(index=False, lineterminator="\n"), dtypes


def decode(text: str, dtypes: dict[str, str]) -> pd.DataFrame:
    """The frame :func:`encode` wrote: ``text`` parsed with ``dtypes`` (column -> type) restored,
    list columns as tuples, other empty cells as missing; a column absent from ``text`` comes back empty."""
    raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    data = {}
    for col, kind in dtypes.items():
        s = raw[col] if col in raw else pd.Series([""] * len(raw), dtype=object)
        empty = s == ""
        if kind == LIST:
            data[col] = s.map(lambda v: tuple(p for p in v.split(";") if p)).astype(object)
        elif kind == "bool":
            data[col] = s.str.lower().isin(("true", "1")).astype(bool)
        elif kind.startswith(("float", "Float")):
            data[col] = pd.to_numeric(s.where(~empty, None)).astype(kind)
        elif kind.startswith(("int", "Int", "uint", "UInt")):
            number = pd.to_numeric(s.where(~empty, None))
            data[col] = number.astype(kind if kind[0].isupper() or not empty.any() else "Int64")
        elif kind in ("str", "string"):
            data[col] = s.where(~empty, np.nan).astype(kind)
        else:  # object: strings, empty = missing
            data[col] = s.astype(object).where(~empty, None)
    return pd.DataFrame(data, index=pd.RangeIndex(len(raw)))


# Columns a round's options fill in (allocator.scenario.apply_scenario); the given values stay
# beside them (weight_given, max_km_given), so the round is the same under other options.
OPTION_COLUMNS = {"regions": ("weight", "weight_basis"), "graduates": ("max_km",)}


def round_table(round_, name: str) -> pd.DataFrame | None:
    """A round's table as kept: None when it has none (no preferences counts as none, so a round
    without them is stored and hashed as before they existed)."""
    frame = getattr(round_, name, None)
    return None if frame is None or (name in ("preferences", "instalments") and frame.empty) else frame


def round_hash(round_, encoded: dict[str, str] | None = None) -> str:
    """SHA-256 of a round's tables as given, without what its options fill in: the round a run
    was made from. Every run of one round loaded from the same files has the same round hash,
    whatever its options; the app records its loaded round's hash for an edited run too.
    ``encoded``: table name -> :func:`encode` text already made (reused for the tables that
    have no option columns)."""
    encoded = encoded or {}
    digest = hashlib.sha256()
    for name in ROUND_TABLES:
        frame = round_table(round_, name)
        if frame is None:
            continue
        drop = [c for c in OPTION_COLUMNS.get(name, ()) if c in frame.columns]
        drop += [c for c in frame.columns if c not in without_neutral_columns(name, frame, RULE_COLUMNS).columns]
        text = encoded.get(name) if not drop else None
        digest.update(name.encode())
        digest.update((text if text is not None else encode(frame.drop(columns=drop))[0]).encode("utf-8"))
    return digest.hexdigest()


def sha256(text: str) -> str:
    """Hex SHA-256 of the UTF-8 text: the key of a table in ``blobs``."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def compress(text: str) -> bytes:
    """The UTF-8 text zlib-compressed (level 6), as stored in ``blobs``."""
    return zlib.compress(text.encode("utf-8"), 6)


def decompress(data: bytes) -> str:
    """The text that :func:`compress` compressed."""
    return zlib.decompress(data).decode("utf-8")

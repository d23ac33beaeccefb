"""The app's sessions in the run store, so that reloading the page (the session id is in its URL)
finds the round and the scenarios again.

A session keeps the round it had loaded (only a marker for the bundled round; the typed tables,
as blobs, for any other, e.g. an upload) and its scenarios by name, each a stored run. Writing
replaces what the session held, in one transaction. Nothing here logs a table's content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import delete, insert, select

from . import tables
from .db import Store
from .models import AppSession, AppSessionInput, AppSessionRun, Blob
from .record import put_blobs


@dataclass
class StoredSession:
    """What a session kept: its round's label, name, options and whether it is the bundled one,
    the round's tables (empty for the bundled round) and its scenarios (name, run id) in order."""

    label: str
    round_name: str
    bundled: bool
    options: dict
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    runs: list[tuple[str, int]] = field(default_factory=list)


def save_round(store: Store, session: str, *, label: str, round_name: str, options: dict, bundled: bool,
               frames: dict[str, pd.DataFrame] | None = None) -> None:
    """Keep the round ``session`` has loaded (its tables ``frames`` unless ``bundled``); the
    session's scenarios are dropped, as loading another round drops them."""
    encoded = [(name, *tables.encode(frame), len(frame)) for name, frame in (frames or {}).items()
               if frame is not None and not bundled]
    digests = [tables.sha256(text) for _name, text, _dtypes, _rows in encoded]
    with store.write() as conn:
        conn.execute(delete(AppSession.__table__).where(AppSession.session == session))
        conn.execute(delete(AppSessionInput.__table__).where(AppSessionInput.session == session))
        conn.execute(delete(AppSessionRun.__table__).where(AppSessionRun.session == session))
        conn.execute(insert(AppSession.__table__), {
            "session": session, "updated_at": datetime.now(UTC), "label": label, "round_name": round_name,
            "bundled": bundled, "options": options})
        put_blobs(store, conn, {digest: text for digest, (_name, text, _d, _r) in zip(digests, encoded)})
        for digest, (name, _text, dtypes, rows) in zip(digests, encoded):
            conn.execute(insert(AppSessionInput.__table__), {
                "session": session, "name": name, "sha256": digest, "rows": rows, "dtypes": dtypes})


def save_runs(store: Store, session: str, runs: list[tuple[str, int]]) -> None:
    """Keep ``session``'s scenarios, (name, stored run id) in order, instead of those it held
    (the session's round must be kept first, :func:`save_round`)."""
    with store.write() as conn:
        conn.execute(delete(AppSessionRun.__table__).where(AppSessionRun.session == session))
        if runs:
            conn.execute(insert(AppSessionRun.__table__), [
                {"session": session, "name": name, "position": k, "run_id": run_id}
                for k, (name, run_id) in enumerate(runs)])


def load_session(store: Store, session: str) -> StoredSession | None:
    """What ``session`` kept, or None when the store has no such session."""
    with store.engine.connect() as conn:
        head = conn.execute(select(AppSession.__table__).where(AppSession.session == session)).mappings().first()
        if head is None:
            return None
        inputs = conn.execute(select(AppSessionInput.name, AppSessionInput.dtypes, Blob.data)
                              .join(Blob, Blob.sha256 == AppSessionInput.sha256)
                              .where(AppSessionInput.session == session)).all()
        runs = conn.execute(select(AppSessionRun.name, AppSessionRun.run_id)
                            .where(AppSessionRun.session == session).order_by(AppSessionRun.position)).all()
    frames = {name: tables.decode(tables.decompress(data), dtypes) for name, dtypes, data in inputs}
    return StoredSession(label=head["label"], round_name=head["round_name"], bundled=bool(head["bundled"]),
                         options=dict(head["options"] or {}), frames=frames,
                         runs=[(str(n), int(i)) for n, i in runs])

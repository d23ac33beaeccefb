"""Sweeps in the run store: a group of runs, one per scenario, written in batches by one writer.

``allocator sweep`` (allocator/sweep/cli.py) opens the store once, starts a group
(:func:`start_sweep`: a ``sweeps`` row; with ``resume`` the newest sweep of the
same name is continued and its recorded scenarios are returned) and hands every
finished scenario to a :class:`SweepRecorder`. The recorder - in the driver
process only; workers never touch the database - writes its pending scenarios
every ``every`` scenarios or ``seconds`` seconds (checked as each scenario
arrives) and at the end, each batch in one transaction: per scenario its run
(the same rows ``allocator solve`` records, :mod:`allocator.store.record`) and
its ``sweep_runs`` row (scenario name, position, input hash and the
``scenarios.csv`` row). ``sweep_runs`` is keyed by (sweep, scenario), so a
scenario is never in a sweep twice.

When a batch cannot be written (the server stopped, a full disk) each of its
scenarios is queued as ``allocator solve`` queues a run (:mod:`allocator.store.spool`),
with its group link, and is stored - linked to its sweep - the next time the
store opens. Only counts and masked URLs are logged, never a graduate's field.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select

from ..problem import Round
from ..solution import Solution
from .db import Store, describe_error
from .masking import mask_secrets, secrets_of
from .models import Sweep, SweepRun
from .record import _write_in, default_user, failed_row, frames_of, solved_row

log = logging.getLogger(__name__)

#: Default batch: at most this many scenarios, or this many seconds, between two writes.
EVERY, SECONDS = 20, 5.0


@dataclass
class SweepGroup:
    """A sweep's row in the store (``id``, ``uid``, ``name``) and, when resumed, the scenarios it
    holds already: ``done`` scenario name -> (input hash, ``scenarios.csv`` row)."""

    id: int
    uid: str
    name: str
    done: dict[str, tuple[str, dict]] = field(default_factory=dict)


@dataclass
class SweepItem:
    """One finished scenario to record: its round, its solution (None when it raised: ``error``
    is the exception's type), name, position, input hash and ``scenarios.csv`` row."""

    round_: Round
    solution: Solution | None
    error: str | None
    scenario: str
    position: int
    input_hash: str
    row: dict
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def start_sweep(store: Store, name: str, *, round_name: str, source: str | None, grid: str | None,
                scenarios: int, user: str | None = None, resume: bool = False) -> SweepGroup:
    """A new sweep group named ``name``; with ``resume`` the newest sweep of that name (a new one
    when there is none), with the scenarios it has recorded."""
    with store.write() as conn:
        if resume:
            found = conn.execute(select(Sweep.id, Sweep.uid).where(Sweep.name == name)
                                 .order_by(Sweep.id.desc()).limit(1)).first()
            if found is not None:
                done = {r.scenario: (r.input_hash, dict(r.row)) for r in conn.execute(
                    select(SweepRun.scenario, SweepRun.input_hash, SweepRun.row)
                    .where(SweepRun.sweep_id == found.id))}
                return SweepGroup(int(found.id), found.uid, name, done)
        uid = uuid.uuid4().hex
        sweep_id = conn.execute(insert(Sweep.__table__), {
            "uid": uid, "name": name, "created_at": datetime.now(UTC), "user": default_user(user),
            "round_name": round_name, "source": source, "grid": grid, "scenarios": scenarios,
        }).inserted_primary_key[0]
    return SweepGroup(int(sweep_id), uid, name)


def sweep_header(store: Store, sweep_id: int) -> dict:
    """A sweep's own row as a dict (for a queued scenario's file)."""
    with store.engine.connect() as conn:
        return dict(conn.execute(select(Sweep.__table__).where(Sweep.id == sweep_id)).mappings().one())


def write_items(store: Store, sweep_id: int, items: list[SweepItem], *, user: str | None = None,
                source: str | None = None) -> list[int]:
    """Record ``items`` (runs and their ``sweep_runs`` rows) in one transaction; returns the run ids."""
    ids = []
    with store.write() as conn:
        for item in items:
            ids.append(_write_item(store, conn, sweep_id, item, user=default_user(user), source=source))
    return ids


def _write_item(store: Store, conn, sweep_id: int, item: SweepItem, *, user, source,
                kept_versions: dict | None = None) -> int:
    row = solved_row(item.solution) if item.solution is not None else failed_row(item.round_, item.error or "")
    run_id = _write_in(store, conn, item.round_, row, frames_of(item.solution), user=user, source=source,
                       created_at=item.created_at, kept_versions=kept_versions, input_hash=item.input_hash)
    conn.execute(insert(SweepRun.__table__), {"sweep_id": sweep_id, "scenario": item.scenario, "run_id": run_id,
                                              "position": item.position, "input_hash": item.input_hash,
                                              "row": item.row})
    return run_id


class SweepRecorder:
    """The driver's one writer: collects finished scenarios and records them in batches (every
    ``every`` scenarios or ``seconds`` seconds, and at :meth:`close`); a batch the store refuses is
    queued scenario by scenario (spool.py). ``stored`` holds the run ids, ``queued`` the queued
    files, ``lost`` the scenarios neither stored nor queued, ``reason``/``queue_error`` why."""

    def __init__(self, store: Store, group: SweepGroup, *, every: int = EVERY, seconds: float = SECONDS,
                 user: str | None = None, source: str | None = None):
        self.store, self.group, self.every, self.seconds = store, group, every, seconds
        self.user, self.source = default_user(user), source
        self.pending: list[SweepItem] = []
        self.stored: list[int] = []
        self.queued: list[Path] = []
        self.lost: list[str] = []
        self.reason: str | None = None
        self.queue_error: str | None = None
        self.batches = 0
        self._last = time.monotonic()

    def add(self, item: SweepItem) -> None:
        """Keep one finished scenario; write the batch when it is full or old enough."""
        self.pending.append(item)
        if len(self.pending) >= self.every or time.monotonic() - self._last >= self.seconds:
            self.flush()

    def flush(self) -> None:
        """Write the pending scenarios now (queue them when the store fails)."""
        items, self.pending = self.pending, []
        self._last = time.monotonic()
        if not items:
            return
        try:
            self.stored += write_items(self.store, self.group.id, items, user=self.user, source=self.source)
            self.batches += 1
            log.info("sweep %d: %d scenario(s) recorded", self.group.id, len(items))
            return
        except Exception as exc:  # noqa: BLE001 - the store failed after it was opened
            self.reason = mask_secrets(describe_error(exc), secrets_of(self.store.url))
        log.info("sweep %d: %d scenario(s) not stored in %s: %s", self.group.id, len(items),
                 self.store.public_url, self.reason)
        self._queue(items)

    def _queue(self, items: list[SweepItem]) -> None:
        from .spool import queue_run

        try:
            header = sweep_header(self.store, self.group.id)
        except Exception:  # noqa: BLE001 - the store is gone: the group as this process knows it
            header = {"uid": self.group.uid, "name": self.group.name}
        for item in items:
            link = {"sweep": header, "scenario": item.scenario, "position": item.position,
                    "input_hash": item.input_hash, "row": item.row}
            try:
                self.queued.append(queue_run(self.store.url, item.round_, item.solution,
                                             error=item.error if item.solution is None else None,
                                             user=self.user, source=self.source, created_at=item.created_at,
                                             sweep=link))
            except Exception as exc:  # noqa: BLE001 - full disk, unwritable home...
                self.queue_error = describe_error(exc)
                self.lost.append(item.scenario)

    def close(self) -> None:
        """Write what is pending."""
        self.flush()


def list_sweep_runs(store: Store, name: str, limit: int | None = None):
    """The runs of the newest sweep named ``name``, in scenario order: the list columns of
    :func:`allocator.store.query.list_runs` plus ``scenario``; an empty frame when there is none."""
    import pandas as pd

    from .models import Run
    from .query import LIST_COLUMNS, _utc

    with store.engine.connect() as conn:
        sweep_id = conn.scalar(select(Sweep.id).where(Sweep.name == name).order_by(Sweep.id.desc()).limit(1))
        rows = [] if sweep_id is None else conn.execute(
            select(SweepRun.scenario, *(getattr(Run, c) for c in LIST_COLUMNS))
            .join(Run, Run.id == SweepRun.run_id).where(SweepRun.sweep_id == sweep_id)
            .order_by(SweepRun.position)).all()
    frame = pd.DataFrame(rows, columns=["scenario", *LIST_COLUMNS])
    if limit:
        frame = frame.head(limit)
    frame["created_at"] = [_utc(t) for t in frame["created_at"]]
    return frame

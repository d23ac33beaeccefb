"""Runs their store could not take, queued on this machine until it can.

When recording fails after a solve (a PostgreSQL server that stopped, a file
made read-only, a full disk) :func:`keep_run` writes the run to a pending file
instead and says where. Each pending file is a one-run SQLite store (the same
schema, input tables zlib-compressed) in ``pending/<key>/`` of the per-user data
folder (``$ALLOCATOR_SPOOL`` overrides it; never a shared temporary folder: it
holds graduates' data). The folders are created 0700, the files 0600, and a
file is written under a hidden temporary name and renamed when complete, so a
reader never sees half a run. ``<key>`` is a hash of the store's URL without
its password.

:func:`flush_pending` (called by ``open_store`` once the store is known to be
writable) copies each pending run into its store - with its own time, user,
options, versions and results - and then deletes the file. Guarantees:

- a run is never lost: its file is deleted only after the store committed it;
- a run is never stored twice: a run already present (same creation time and
  input hash; a flusher killed between the commit and the delete) is not
  written again, and concurrent flushers lock each file (``flock``) in turn;
- a damaged pending file is skipped and kept, and does not block the others;
- what a process killed while queueing left (a hidden ``.partial`` file) is
  deleted by the next flush once it is an hour old.

Only counts and masked store URLs are logged, never a graduate's field.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from .db import Store, StoreError, describe_error, open_store, public_url
from .masking import mask_secrets, secrets_of

log = logging.getLogger(__name__)

ENV_SPOOL = "ALLOCATOR_SPOOL"
# Test hook: when set, keep_run creates this file after the solve, before recording, and waits
# (up to 120 s) until the test removes it - so a test can stop the store's server right there
# (tests/test_store_hostile.py).
HOLD_ENV = "ALLOCATOR_STORE_TEST_HOLD_FILE"
STALE_S = 3600.0
RUN_COLUMNS = ("status", "solver", "gap", "obligated_placed", "obligated_total", "weighted_deficit_before",
               "weighted_deficit", "total_km", "placed_total", "graduates_total", "timings", "summary", "error",
               "round_hash")


@dataclass
class Kept:
    """What became of a run: stored (``run_id``), queued (``queued``), or neither."""

    run_id: int | None = None
    queued: Path | None = None
    reason: str | None = None  # why the store refused it (no password)
    queue_error: str | None = None  # why it could not be queued either

    @property
    def stored(self) -> bool:
        """True when the store took the run."""
        return self.run_id is not None


def spool_root() -> Path:
    """The folder that holds pending runs: ``$ALLOCATOR_SPOOL``, else ``pending`` in the per-user
    data folder of ``allocator``."""
    value = os.environ.get(ENV_SPOOL)
    if value:
        return Path(value).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("allocator", appauthor=False)) / "pending"


def pending_dir(url: str) -> Path:
    """The folder of runs queued for the store at ``url`` (a hash of the URL without password)."""
    key = hashlib.sha256(public_url(url).encode("utf-8")).hexdigest()[:24]
    return spool_root() / key


def pending(url: str) -> list[Path]:
    """Queued runs for ``url``, oldest first."""
    folder = pending_dir(url)
    return sorted(folder.glob("*.sqlite")) if folder.is_dir() else []


def keep_run(store: Store, round_, solution=None, *, error: BaseException | None = None,
             user: str | None = None, source: str | None = None, round_hash: str | None = None) -> Kept:
    """Record a solved run (or, with ``error``, a failed solve); when the store fails, queue it.
    ``round_hash``: the round it was made from (record.record_run).

    Never raises for a store or queue failure: the returned :class:`Kept` says what happened.
    """
    from .record import record_failure, record_run

    created_at = datetime.now(UTC)
    _test_hold()
    try:
        if error is None:
            return Kept(run_id=record_run(store, round_, solution, user=user, source=source,
                                          created_at=created_at, round_hash=round_hash))
        return Kept(run_id=record_failure(store, round_, error, user=user, source=source,
                                          created_at=created_at, round_hash=round_hash))
    except Exception as exc:  # noqa: BLE001 - the store failed after it was opened
        reason = mask_secrets(describe_error(exc), secrets_of(store.url))
    log.info("run not stored in %s: %s", store.public_url, reason)
    try:
        path = queue_run(store.url, round_, solution, error=error, user=user, source=source,
                         created_at=created_at, round_hash=round_hash)
    except Exception as exc:  # noqa: BLE001 - full disk, unwritable home...
        return Kept(reason=reason, queue_error=describe_error(exc))
    log.info("run queued for %s; it is stored the next time that store opens", store.public_url)
    return Kept(queued=path, reason=reason)


def queue_run(url: str, round_, solution=None, *, error: BaseException | str | None = None,
              user: str | None = None, source: str | None = None,
              created_at: datetime | None = None, sweep: dict | None = None,
              round_hash: str | None = None) -> Path:
    """Write one run to a new pending file for the store at ``url``; returns its path.

    ``sweep``: the run is a scenario of a sweep (allocator/store/sweeps.py): ``{"sweep": the
    sweeps row, "scenario", "position", "input_hash", "row"}``, kept in the file and linked to
    its sweep (found by ``uid``) when the run is stored."""
    from .record import record_failure, record_run

    folder = pending_dir(url)
    folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # a new spool root is private too
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    created_at = created_at or datetime.now(UTC)
    name = f"{created_at:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:12]}"
    partial = folder / f".{name}.partial"
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        spool = open_store(str(partial), flush=False)
        try:
            if error is None:
                run_id = record_run(spool, round_, solution, user=user, source=source, created_at=created_at,
                                    round_hash=round_hash)
            else:
                run_id = record_failure(spool, round_, error, user=user, source=source, created_at=created_at,
                                        round_hash=round_hash)
            if sweep is not None:
                _keep_link(spool, run_id, sweep)
        finally:
            spool.dispose()
        _one_file(partial)
        final = folder / f"{name}.sqlite"
        os.replace(partial, final)
    except BaseException:
        _remove(partial)
        raise
    return final


def flush_pending(store: Store) -> list[int]:
    """Store every run queued for ``store``; returns their ids there. Stops at the first
    failure of the store itself (the rest stay queued); never raises."""
    _remove_stale_partials(pending_dir(store.url))
    stored: list[int] = []
    for path in pending(store.url):
        with _locked(path) as mine:
            if not mine:
                continue  # another process is storing it, or has stored it
            try:
                run, round_, frames = _read(path)
            except Exception as exc:  # noqa: BLE001 - a damaged pending file: keep it, go on
                log.warning("a queued run could not be read and stays queued (%s): %s", path.name,
                            describe_error(exc))
                continue
            try:
                stored.append(_copy(store, run, round_, frames))
            except Exception as exc:  # noqa: BLE001 - the store fails again: keep the rest
                log.warning("queued runs not stored in %s yet: %s", store.public_url,
                            mask_secrets(describe_error(exc), secrets_of(store.url)))
                break
            _remove(path)
    if stored:
        log.info("%d queued run(s) stored in %s", len(stored), store.public_url)
    return stored


def _remove_stale_partials(folder: Path) -> None:
    """Delete what a process killed while queueing left (graduates' data): hidden ``.partial``
    files older than STALE_S (a live writer finishes its file within seconds)."""
    if not folder.is_dir():
        return
    now = time.time()
    for partial in folder.glob(".*.partial"):
        try:
            if now - partial.stat().st_mtime > STALE_S:
                _remove(partial)
        except OSError:
            pass


def _test_hold() -> None:
    path = os.environ.get(HOLD_ENV)
    if not path:
        return
    Path(path).write_text(str(os.getpid()), encoding="utf-8")
    deadline = time.monotonic() + 120
    while os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.02)


def _keep_link(spool: Store, run_id: int, sweep: dict) -> None:
    """Write a queued scenario's sweep (its ``sweeps`` row) and its ``sweep_runs`` row."""
    from sqlalchemy import insert

    from .models import Sweep, SweepRun

    header = {c: sweep["sweep"].get(c) for c in ("uid", "name", "created_at", "user", "round_name", "source",
                                                  "grid", "scenarios")}
    header["created_at"] = header["created_at"] or datetime.now(UTC)
    header["round_name"] = header["round_name"] or ""
    header["scenarios"] = header["scenarios"] or 0
    with spool.write() as conn:
        sweep_id = conn.execute(insert(Sweep.__table__), header).inserted_primary_key[0]
        conn.execute(insert(SweepRun.__table__), {"sweep_id": sweep_id, "scenario": sweep["scenario"],
                                                  "run_id": run_id, "position": sweep["position"],
                                                  "input_hash": sweep["input_hash"], "row": sweep["row"]})


def _read_link(spool: Store) -> dict | None:
    """The sweep link a queued scenario's file holds (see :func:`_keep_link`), or None."""
    from .models import Sweep, SweepRun

    with spool.engine.connect() as conn:
        link = conn.execute(select(SweepRun.__table__)).mappings().first()
        if link is None:
            return None
        header = conn.execute(select(Sweep.__table__).where(Sweep.id == link["sweep_id"])).mappings().one()
    return {"sweep": {k: v for k, v in header.items() if k != "id"}, **{k: link[k] for k in
            ("scenario", "position", "input_hash", "row")}}


def _read(path: Path):
    from .query import get_run, load_frames, load_round

    spool = open_store(str(path), flush=False, writable=False)
    try:
        (run_id,) = _run_ids(spool)
        run = get_run(spool, run_id)
        run["sweep_link"] = _read_link(spool)
        frames = load_frames(spool, run_id) if run["summary"] is not None else {}
        return run, load_round(spool, run_id), frames
    finally:
        spool.dispose()


def _run_ids(store: Store) -> list[int]:
    from .models import Run

    with store.engine.connect() as conn:
        return list(conn.scalars(select(Run.id)))


def _copy(store: Store, run: dict, round_, frames: dict) -> int:
    from .models import Run
    from .query import _utc
    from .record import _write_in

    with store.write() as conn:  # the run and its sweep link (if any) in one transaction
        same = conn.execute(select(Run.id, Run.created_at).where(Run.input_hash == run["input_hash"])).all()
        run_id = next((int(i) for i, t in same if _utc(t) == run["created_at"]), None)  # stored already
        if run_id is None:
            run_id = _write_in(store, conn, round_, {k: run.get(k) for k in RUN_COLUMNS}, frames, user=run["user"],
                               source=run["source"], created_at=run["created_at"], kept_versions=run["versions"])
        if run.get("sweep_link"):
            _link(conn, run_id, run["sweep_link"])
    return run_id


def _link(conn, run_id: int, link: dict) -> None:
    """Put a queued scenario's run into its sweep (the sweep found by ``uid``, made when missing);
    nothing when the sweep holds that scenario already."""
    from sqlalchemy import insert

    from .models import Sweep, SweepRun

    sweep_id = conn.scalar(select(Sweep.id).where(Sweep.uid == link["sweep"]["uid"]))
    if sweep_id is None:
        sweep_id = conn.execute(insert(Sweep.__table__), link["sweep"]).inserted_primary_key[0]
    held = conn.scalar(select(SweepRun.run_id).where(SweepRun.sweep_id == sweep_id,
                                                     SweepRun.scenario == link["scenario"]))
    if held is None:
        conn.execute(insert(SweepRun.__table__), {"sweep_id": sweep_id, "run_id": run_id,
                                                  **{k: link[k] for k in ("scenario", "position", "input_hash",
                                                                          "row")}})


@contextmanager
def _locked(path: Path):
    """Yields True while this process holds the pending file's lock and the file still exists."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        yield False
        return
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: the duplicate check alone
            yield True
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield os.fstat(fd).st_nlink > 0  # removed by the process that held the lock before
    finally:
        os.close(fd)


def _one_file(path: Path) -> None:
    """Fold the WAL into the file so that renaming the file moves the whole run."""
    con = sqlite3.connect(path)
    try:
        if str(con.execute("PRAGMA journal_mode = DELETE").fetchone()[0]).lower() != "delete":
            raise StoreError("could not finish the pending file")
    finally:
        con.close()


def _remove(path: Path) -> None:
    for p in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
        try:
            p.unlink()
        except FileNotFoundError:
            pass
    try:
        path.parent.rmdir()  # only when empty
    except OSError:
        pass

"""Writing one run: inputs, options, versions, status and results in one transaction.

Either the whole run is in the store or none of it: the run row, its input
references and every assignment, unplaced and deficit row are inserted in a
single transaction (rows in bulk). A process killed while writing leaves
nothing. Input tables are kept once per content (``blobs``, by SHA-256).

Only counts are logged - never a graduate's id or any personal field.
"""

from __future__ import annotations

import logging
import os
import platform
import time
from datetime import UTC, datetime
from importlib import metadata

import numpy as np
import pandas as pd
from sqlalchemy import insert, select

from ..problem import Round
from ..solution import Solution
from ..status import Status
from . import tables
from .db import ENV_USER, Store
from .models import CHILD_TABLES, Blob, Run, RunInput

log = logging.getLogger(__name__)

PACKAGES = {"allocator": "medstaff-planner", "pandas": "pandas", "numpy": "numpy", "pulp": "pulp",
            "highspy": "highspy", "ortools": "ortools", "sqlalchemy": "sqlalchemy", "alembic": "alembic"}
CHUNK = 5_000
# Test hook: when set, a writer creates this file half-way through its transaction and
# then sleeps, so a test can kill it there (tests/test_store_reliability.py).
PAUSE_ENV = "ALLOCATOR_STORE_TEST_PAUSE_FILE"


def versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for key, dist in PACKAGES.items():
        try:
            out[key] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[key] = None
    return out


def default_user(user: str | None) -> str | None:
    return user or os.environ.get(ENV_USER) or None


def record_run(store: Store, round_: Round, solution: Solution, *, user: str | None = None,
               source: str | None = None, created_at: datetime | None = None,
               round_hash: str | None = None) -> int:
    """Write a solved run; returns its id. ``round_hash``: the round it was made from (the app
    gives its loaded round's for an edited run); default :func:`tables.round_hash` of ``round_``."""
    s = solution
    row = {
        "status": str(s.status), "solver": s.solver, "gap": s.gap,
        "obligated_placed": s.obligated_placed, "obligated_total": s.obligated_total,
        "weighted_deficit_before": s.weighted_deficit_before, "weighted_deficit": s.weighted_deficit,
        "total_km": s.km_objective, "placed_total": s.placed_total, "graduates_total": s.graduates_total,
        "timings": dict(s.timings), "summary": s.summary, "error": None,
    }
    frames = {"assignments": solution.assignments, "unplaced": solution.unplaced, "deficits": solution.deficits}
    return _write(store, round_, row, frames, user=default_user(user), source=source, created_at=created_at,
                  input_hash=s.input_hash, round_hash=round_hash)  # the solve hashed these inputs already


def record_failure(store: Store, round_: Round, error: BaseException | str, *, user: str | None = None,
                   source: str | None = None, timings: dict | None = None,
                   created_at: datetime | None = None, round_hash: str | None = None) -> int:
    """Write a solve that raised: status ``failed`` and the error text, inputs kept for a rerun."""
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    row = {"status": str(Status.FAILED), "solver": round_.scenario.solver, "graduates_total": len(round_.graduates),
           "timings": timings, "summary": None, "error": text}
    return _write(store, round_, row, {}, user=default_user(user), source=source, created_at=created_at,
                  round_hash=round_hash)


def _write(store: Store, round_: Round, row: dict, frames: dict[str, pd.DataFrame], *,
           user: str | None, source: str | None, created_at: datetime | None = None,
           kept_versions: dict | None = None, input_hash: str | None = None,
           round_hash: str | None = None) -> int:
    """Insert one run in one transaction. ``created_at`` and ``kept_versions`` keep a queued
    run's own time and library versions when it is copied into its store later (spool.py);
    ``input_hash``, when given, is ``round_.input_hash()`` computed before."""
    started = time.perf_counter()
    row = {**row, "round_hash": round_hash or row.get("round_hash")}
    with store.write() as conn:
        run_id = _write_in(store, conn, round_, row, frames, user=user, source=source, created_at=created_at,
                           kept_versions=kept_versions, input_hash=input_hash, pause=True)
    log.info("run %d recorded: status %s, %d assignments, %d unplaced, %d deficit rows (%.2f s)",
             run_id, row["status"], *(len(frames.get(n, ())) for n in ("assignments", "unplaced", "deficits")),
             time.perf_counter() - started)
    return int(run_id)


def solved_row(solution: Solution) -> dict:
    """The ``runs`` columns of a solved run (status, objective levels, timings, summary)."""
    s = solution
    return {
        "status": str(s.status), "solver": s.solver, "gap": s.gap,
        "obligated_placed": s.obligated_placed, "obligated_total": s.obligated_total,
        "weighted_deficit_before": s.weighted_deficit_before, "weighted_deficit": s.weighted_deficit,
        "total_km": s.km_objective, "placed_total": s.placed_total, "graduates_total": s.graduates_total,
        "timings": dict(s.timings), "summary": s.summary, "error": None,
    }


def failed_row(round_: Round, error: BaseException | str, timings: dict | None = None) -> dict:
    """The ``runs`` columns of a solve that raised: status ``failed`` and the error text."""
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return {"status": str(Status.FAILED), "solver": round_.scenario.solver, "graduates_total": len(round_.graduates),
            "timings": timings, "summary": None, "error": text}


def frames_of(solution: Solution | None) -> dict[str, pd.DataFrame]:
    """The result frames a run keeps (none for a failed solve)."""
    if solution is None:
        return {}
    return {"assignments": solution.assignments, "unplaced": solution.unplaced, "deficits": solution.deficits}


def _write_in(store: Store, conn, round_: Round, row: dict, frames: dict[str, pd.DataFrame], *,
              user: str | None, source: str | None, created_at: datetime | None = None,
              kept_versions: dict | None = None, input_hash: str | None = None, pause: bool = False) -> int:
    """Insert one run through ``conn`` (inside the caller's write transaction); returns its id.
    Several runs may share one transaction (a sweep's batch, allocator/store/sweeps.py)."""
    inputs = []
    for name in tables.ROUND_TABLES:
        frame = tables.round_table(round_, name)
        if frame is None:
            continue
        text, dtypes = tables.encode(frame)
        inputs.append((name, tables.sha256(text), text, dtypes, len(frame)))
    row = {**row, "round_hash": row.get("round_hash")
           or tables.round_hash(round_, {name: text for name, _d, text, _t, _n in inputs})}
    run_row = dict(
        created_at=created_at or datetime.now(UTC), user=user, round_name=round_.name,
        source=source, options=round_.scenario.as_dict(), versions=kept_versions or versions(),
        input_hash=input_hash or round_.input_hash(), **row,
    )
    put_blobs(store, conn, {digest: text for _name, digest, text, _dtypes, _n in inputs})
    run_id = conn.execute(insert(Run.__table__), run_row).inserted_primary_key[0]
    conn.execute(insert(RunInput.__table__), [
        {"run_id": run_id, "name": name, "sha256": digest, "rows": n, "dtypes": dtypes}
        for name, digest, _text, dtypes, n in inputs
    ])
    for k, (name, frame) in enumerate(frames.items()):
        table, columns = CHILD_TABLES[name]
        _insert_rows(store, conn, table, columns, frame, run_id)
        if k == 0 and pause:
            _test_pause()
    return int(run_id)


def put_blobs(store: Store, conn, texts: dict[str, str]) -> None:
    """Keep each table text (sha256 -> text) as a compressed blob, once: texts already stored are skipped."""
    known = set(conn.scalars(select(Blob.sha256).where(Blob.sha256.in_(list(texts)))))
    for digest, text in texts.items():
        if digest not in known:
            conn.execute(_insert_ignore(store, Blob.__table__),
                         [{"sha256": digest, "size": len(text.encode("utf-8")), "data": tables.compress(text)}])


def _insert_ignore(store: Store, table):
    """INSERT that skips a row whose key exists (two runs storing the same input at once)."""
    if store.dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing()
    if store.dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).on_conflict_do_nothing()
    return insert(table)  # pragma: no cover


def _insert_rows(store: Store, conn, table, columns: list[str], frame: pd.DataFrame, run_id: int) -> None:
    """Insert a result frame's rows. On SQLite the driver's executemany takes plain tuples (the
    columns are text and numbers, which SQLAlchemy would pass unchanged, at a few times the cost);
    elsewhere SQLAlchemy Core inserts them in chunks."""
    if store.dialect == "sqlite":
        rows = list(zip([run_id] * len(frame), *_columns(frame, columns)))
        if rows:
            quote = conn.dialect.identifier_preparer.quote
            names = ", ".join(quote(c) for c in ("run_id", *columns))
            conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) "
                                 f"VALUES ({', '.join('?' * (len(columns) + 1))})", rows)
        return
    rows = _records(frame, columns, run_id)
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(table), rows[start:start + CHUNK])


def _records(frame: pd.DataFrame, columns: list[str], run_id: int) -> list[dict]:
    """Rows as dicts of Python values (missing -> None), converted a column at a time."""
    keys = ("run_id", *columns)
    return [dict(zip(keys, values)) for values in zip([run_id] * len(frame), *_columns(frame, columns))]


def _columns(frame: pd.DataFrame, columns: list[str]) -> list[list]:
    return [_column_values(frame[c]) if c in frame else [None] * len(frame) for c in columns]


def _column_values(values: pd.Series) -> list:
    out = values.tolist()  # Python scalars: int, float, str, bool (numpy and arrow ones converted)
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iub":
        return out  # nothing missing
    for i in np.flatnonzero(values.isna().to_numpy()):
        out[i] = None
    if values.dtype == object:  # numpy scalars kept in an object column
        out = [v.item() if hasattr(v, "item") else v for v in out]
    return out


def _test_pause() -> None:
    path = os.environ.get(PAUSE_ENV)
    if not path:
        return
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(str(os.getpid()))
    time.sleep(60)

"""Run store reliability on a real SQLite file and a real PostgreSQL server:
a writer killed mid-transaction leaves no partial run; eight writers at once
(threads, then processes) lose nothing."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import func, select
from support.paths import ROOT, SUPPORT
from support.store_helpers import BACKENDS, PENZA, store_url

from allocator import load_round, solve
from allocator.store import open_store, record_run
from allocator.store.models import Assignment, Blob, Deficit, Run, RunInput, Unplaced
from allocator.store.record import PAUSE_ENV

HERE = SUPPORT
WRITERS = 8


@pytest.fixture(scope="module")
def penza():
    round_ = load_round(PENZA)
    return round_, solve(round_)


def counts(store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {t.__tablename__: conn.scalar(select(func.count()).select_from(t))
                for t in (Run, RunInput, Blob, Assignment, Unplaced, Deficit)}


def child_rows(store, run_id: int) -> tuple[int, int, int]:
    with store.engine.connect() as conn:
        return tuple(conn.scalar(select(func.count()).select_from(t).where(t.run_id == run_id))
                     for t in (Assignment, Unplaced, Deficit))


def _child_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


@pytest.mark.parametrize("backend", BACKENDS)
def test_killed_writer_leaves_no_partial_run(backend, tmp_path, penza):
    url = store_url(backend, tmp_path)
    pause = tmp_path / "paused"
    env = _child_env()
    env[PAUSE_ENV] = str(pause)
    child = subprocess.Popen([sys.executable, str(HERE / "store_child.py"), url, "killed"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while not pause.exists():
        assert child.poll() is None, child.stderr.read().decode()
        assert time.monotonic() < deadline, "the writer never reached its pause"
        time.sleep(0.02)
    # the writer is inside its transaction: run row, inputs, blobs and assignments inserted
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    store = open_store(url)
    try:
        assert counts(store) == {"runs": 0, "run_inputs": 0, "blobs": 0, "assignments": 0,
                                 "unplaced": 0, "deficits": 0}
        round_, solution = penza  # the store is usable afterwards
        run_id = record_run(store, round_, solution, user="after")
        assert child_rows(store, run_id) == (len(solution.assignments), len(solution.unplaced),
                                             len(solution.deficits))
    finally:
        store.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_eight_threads_write_at_once(backend, tmp_path, penza):
    url = store_url(backend, tmp_path)
    round_, solution = penza
    barrier = threading.Barrier(WRITERS)
    ids, errors = [], []

    def write(k: int) -> None:
        try:
            store = open_store(url)  # each thread its own engine; the first ones race to migrate
            barrier.wait(timeout=60)
            ids.append(record_run(store, round_, solution, user=f"thread{k}"))
            store.dispose()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(k,)) for k in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    _assert_all_written(url, ids, solution, {f"thread{k}" for k in range(WRITERS)})


def _process_writer(url, round_, solution, user, barrier, results) -> None:
    """In a forked process: its own engine and connections, then write when all eight are ready."""
    try:
        store = open_store(url)  # the first ones race to create the file and migrate it
        barrier.wait(timeout=60)
        results.put((user, record_run(store, round_, solution, user=user)))
        store.dispose()
    except Exception as exc:  # noqa: BLE001 - reported by the parent
        results.put((user, repr(exc)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_eight_processes_write_at_once(backend, tmp_path, penza):
    url = store_url(backend, tmp_path)  # SQLite: the file does not exist yet; all eight create it
    round_, solution = penza
    ctx = multiprocessing.get_context("fork")  # separate processes, without re-importing the solver
    barrier, results = ctx.Barrier(WRITERS), ctx.Queue()
    procs = [ctx.Process(target=_process_writer, args=(url, round_, solution, f"process{k}", barrier, results))
             for k in range(WRITERS)]
    for p in procs:
        p.start()
    got = dict(results.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    ids = list(got.values())
    assert all(isinstance(i, int) for i in ids), got
    _assert_all_written(url, ids, solution, set(got))


def _assert_all_written(url, ids, solution, users) -> None:
    assert len(set(ids)) == WRITERS
    store = open_store(url)
    try:
        with store.engine.connect() as conn:
            stored = dict(conn.execute(select(Run.id, Run.user)).all())
        assert set(stored) == set(ids) and set(stored.values()) == users
        for run_id in ids:
            assert child_rows(store, run_id) == (len(solution.assignments), len(solution.unplaced),
                                                 len(solution.deficits))
        c = counts(store)
        assert c["blobs"] == 6  # the same inputs (five tables and preferences), stored once
        assert c["run_inputs"] == 6 * WRITERS
    finally:
        store.dispose()


def test_a_new_sqlite_file_opened_by_eight_threads_at_once(tmp_path):
    # regression: switching a new file to WAL does not wait on SQLite's busy handler, so
    # the losers of the race got "database is locked" (seen in CI about once in 10 rounds)
    from allocator.store import db

    errors = []
    for attempt in range(20):
        url = f"sqlite:///{tmp_path}/runs{attempt}.sqlite"
        db._upgraded.discard(url)
        barrier = threading.Barrier(8)

        def open_once() -> None:
            try:
                barrier.wait(timeout=30)
                db.open_store(url).dispose()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=open_once) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert errors == []

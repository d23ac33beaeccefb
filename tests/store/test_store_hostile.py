"""The run store under hostile conditions, through the real command line:
damaged SQLite pages, another application's database, a newer schema, a
read-only file, a PostgreSQL server stopped between solving and recording (a
private server, really stopped), malformed URLs holding a password, and
``runs export --out FILE``. Each is a clear message and a documented exit
code, never a traceback; the password never appears; a run the store could not
take is queued and stored the next time the store opens."""

from __future__ import annotations

import glob
import hashlib
import logging
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from support.paths import ROOT
from support.store_helpers import BACKENDS, PENZA, store_url

from allocator import load_round, solve
from allocator.cli import main as cli_main
from allocator.store import open_store, record_run
from allocator.store.masking import mask_secrets, secrets_of
from allocator.store.spool import ENV_SPOOL, HOLD_ENV, flush_pending, pending, queue_run

PASSWORD = "s3cr3t"
EXIT_OUT, EXIT_STORE = 2, 5


@pytest.fixture(autouse=True)
def _private_spool(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_SPOOL, str(tmp_path / "spool"))


@pytest.fixture(scope="module")
def penza():
    round_ = load_round(PENZA)
    return round_, solve(round_)


def run_cli(argv, capsys) -> tuple[int, str]:
    """The command line in this process; returns (exit code, stdout + stderr)."""
    code = cli_main(argv)
    out = capsys.readouterr()
    return code, out.out + out.err


def sqlite_store_with_runs(path: Path, penza, n: int = 3) -> Path:
    store = open_store(str(path))
    try:
        round_, solution = penza
        for k in range(n):
            record_run(store, round_, solution, user=f"u{k}")
    finally:
        store.dispose()
    con = sqlite3.connect(path)  # fold the WAL in: the file alone is the store
    con.execute("PRAGMA journal_mode = DELETE")
    con.close()
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- passwords --------------------------------------------------------------------------------

MALFORMED = [
    f"postgresql://user:{PASSWORD}@host:notaport/db",
    f"postgresql+psycopg://user:{PASSWORD}@host:notaport/db",
    f"postgresql://user:{PASSWORD}/host/db",  # the @ forgotten
    f"post gres://user:{PASSWORD}@host/db",
    f"://user:{PASSWORD}@host/db",
    f"postgresql://user:{PASSWORD}@[::1/db",
    f"postgresql://us@er:{PASSWORD}@@127.0.0.1:1/db",
    f"postgresql://user:{PASSWORD}@@/db",
    f"postgresql://user:{PASSWORD} x@host:5x/db",  # a space in it
    f"postgresql://user:'{PASSWORD}'\"@host:1:2/db",
    f"postgresql+nodriver://user:{PASSWORD}@host/db",
    f"postgresql+psycopg://user:{PASSWORD}@127.0.0.1:1/db",  # parses; nothing listens
    f"postgresql+psycopg://user:{PASSWORD}@127.0.0.1:1/db?sslmode=bogus",
    f"postgresql+psycopg:///db?host=/nonexistent&password={PASSWORD}",
    f"postgresql+psycopg://user:{PASSWORD.replace('3', '%33')}@127.0.0.1:1/db",  # percent-encoded
    f"mysql://user:{PASSWORD}@127.0.0.1:1/db",
]


@pytest.mark.parametrize("url", MALFORMED)
def test_password_never_printed(url, tmp_path, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    out = tmp_path / "out"
    for argv in (["solve", str(PENZA), "--out", str(out), "--db", url, "-q"],
                 ["runs", "list", "--db", url], ["runs", "show", "1", "--db", url, "--lang", "ru"]):
        code, printed = run_cli(argv, capsys)
        assert code == EXIT_STORE, (argv[:2], printed)
        assert PASSWORD not in printed and "s%33cr%33t" not in printed, printed
        assert "Traceback" not in printed
        assert printed.strip().count("\n") == 0, printed  # one line
    assert PASSWORD not in caplog.text
    assert not out.exists()  # refused before solving


def test_mask_secrets_in_driver_text():
    dsn = f"invalid dsn: host=h port=5 password={PASSWORD} dbname=x; kw {{'password': '{PASSWORD}'}}"
    assert PASSWORD not in mask_secrets(dsn)
    assert PASSWORD not in mask_secrets(f"password='{PASSWORD} with space' user=u")
    quoted = f"postgresql://u:{PASSWORD} q@h/db"  # a space: only the literal from the value finds it
    assert PASSWORD not in mask_secrets(f"failed: {quoted}", secrets_of(quoted))
    assert mask_secrets("postgresql://u@h:5432/db") == "postgresql://u@h:5432/db"  # nothing to hide


# --- SQLite: damaged, foreign, newer, read-only -------------------------------------------------

def damage(path: Path) -> None:
    """Overwrite pages in the middle of the file with garbage (the file stays the same size)."""
    page = 4096
    pages = path.stat().st_size // page
    assert pages >= 8, "a store with a few runs spans many pages"
    rng = bytes((i * 131 + 7) % 256 for i in range(page))
    with open(path, "r+b") as fh:
        for k in range(pages // 3, pages // 3 + 4):
            fh.seek(k * page)
            fh.write(rng)


def test_damaged_sqlite_refused_before_solving(tmp_path, capsys, penza):
    path = sqlite_store_with_runs(tmp_path / "runs.sqlite", penza)
    damage(path)
    before = digest(path)
    out = tmp_path / "out"
    code, printed = run_cli(["solve", str(PENZA), "--out", str(out), "--db", str(path)], capsys)
    assert code == EXIT_STORE
    assert "damaged" in printed and "--no-store" in printed and "Traceback" not in printed
    assert not out.exists()  # nothing solved, nothing written
    code, printed = run_cli(["runs", "list", "--db", str(path)], capsys)
    assert code == EXIT_STORE and "damaged" in printed and "Traceback" not in printed
    code, printed = run_cli(["runs", "list", "--db", str(path), "--lang", "ru"], capsys)
    assert code == EXIT_STORE and "повреждено" in printed
    assert digest(path) == before  # left as it was
    assert not Path(f"{path}-wal").exists()


def test_not_sqlite_and_folder_refused(tmp_path, capsys):
    text_file = tmp_path / "runs.sqlite"
    text_file.write_text("id,name\n1,a\n", encoding="utf-8")
    code, printed = run_cli(["runs", "list", "--db", str(text_file)], capsys)
    assert code == EXIT_STORE and "not an SQLite database" in printed
    assert text_file.read_text(encoding="utf-8") == "id,name\n1,a\n"
    code, printed = run_cli(["runs", "list", "--db", str(tmp_path)], capsys)
    assert code == EXIT_STORE and "is a folder" in printed


@pytest.mark.parametrize("backend", BACKENDS)
def test_another_applications_database_refused(backend, tmp_path, capsys):
    url = store_url(backend, tmp_path)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)"))
        conn.execute(text("INSERT INTO customers VALUES (1, 'a')"))
    out = tmp_path / "out"
    code, printed = run_cli(["solve", str(PENZA), "--out", str(out), "--db", url, "-q"], capsys)
    assert code == EXIT_STORE and "not a run store" in printed and "customers" in printed
    assert not out.exists()
    code, printed = run_cli(["runs", "list", "--db", url], capsys)
    assert code == EXIT_STORE and "not a run store" in printed
    with engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) == {"customers"}  # not extended with ours
        if backend == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"  # untouched
    engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_newer_schema_revision_refused(backend, tmp_path, capsys):
    url = store_url(backend, tmp_path)
    open_store(url).dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0999'"))
    engine.dispose()
    from allocator.store import db

    db._upgraded.discard(url)
    code, printed = run_cli(["solve", str(PENZA), "--out", str(tmp_path / "out"), "--db", url, "-q"], capsys)
    assert code == EXIT_STORE and "'0999'" in printed and "unknown" in printed
    assert not (tmp_path / "out").exists()


def test_empty_database_becomes_a_store(tmp_path, capsys):
    path = tmp_path / "empty.sqlite"
    sqlite3.connect(path).close()  # an SQLite file with no tables at all
    code, printed = run_cli(["solve", str(PENZA), "--out", str(tmp_path / "out"), "--db", str(path), "-q"],
                            capsys)
    assert code == 0, printed
    code, printed = run_cli(["runs", "list", "--db", str(path)], capsys)
    assert code == 0 and "penza" in printed


@contextmanager
def immutable(*paths: Path):
    """Make files really read-only for root too (chattr +i); skip where the filesystem cannot."""
    done = []
    try:
        for p in paths:
            r = subprocess.run(["chattr", "+i", str(p)], check=False, capture_output=True, text=True)
            if r.returncode != 0:
                pytest.skip(f"chattr +i does not work here: {r.stderr.strip()}")
            done.append(p)
        yield
    finally:
        for p in done:
            subprocess.run(["chattr", "-i", str(p)], check=True)


@pytest.mark.skipif(shutil.which("chattr") is None, reason="no chattr")
def test_read_only_sqlite_refused_before_solving_and_still_listed(tmp_path, capsys, penza):
    path = sqlite_store_with_runs(tmp_path / "runs.sqlite", penza, n=1)
    out = tmp_path / "out"
    with immutable(path):
        code, printed = run_cli(["solve", str(PENZA), "--out", str(out), "--db", str(path), "-q"], capsys)
        assert code == EXIT_STORE and "cannot be written" in printed and "read-only" in printed
        assert not out.exists()
        code, printed = run_cli(["runs", "list", "--db", str(path)], capsys)  # reading still works
        assert code == 0 and "penza" in printed


def _cli_held(args: list[str], env: dict, hold: Path) -> subprocess.Popen:
    """Start ``allocator ARGS`` that stops after solving, before recording, until ``hold`` is removed."""
    child = subprocess.Popen([sys.executable, "-m", "allocator", *args], env={**env, HOLD_ENV: str(hold)},
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not hold.exists():
        if child.poll() is not None:
            pytest.fail(f"the solve ended before recording: {child.communicate()}")
        assert time.monotonic() < deadline, "the solve never reached recording"
        time.sleep(0.02)
    return child


@pytest.mark.skipif(shutil.which("chattr") is None, reason="no chattr")
def test_sqlite_read_only_after_solving_queues_the_run(tmp_path, capsys):
    path = tmp_path / "runs.sqlite"
    out = tmp_path / "out"
    hold = tmp_path / "hold"
    env = dict(os.environ)
    child = _cli_held(["solve", str(PENZA), "--out", str(out), "--db", str(path), "-q"], env, hold)
    with immutable(path, Path(f"{path}-wal")):  # the store was opened and checked writable
        hold.unlink()
        _stdout, stderr = child.communicate(timeout=120)
    assert child.returncode == EXIT_STORE, stderr
    assert "Traceback" not in stderr and stderr.strip().count("\n") == 0, stderr
    assert f"outputs written to {out}" in stderr and "NOT stored" in stderr and "queued" in stderr
    assert (out / "summary.json").exists() and (out / "result.xlsx").exists()
    (queued,) = pending(f"sqlite:///{path}")
    assert stat.S_IMODE(queued.stat().st_mode) == 0o600
    assert stat.S_IMODE(queued.parent.stat().st_mode) == 0o700
    code, printed = run_cli(["runs", "list", "--db", str(path)], capsys)  # writable again: stored now
    assert code == 0 and "1 queued run(s) stored" in printed and "penza" in printed
    assert pending(f"sqlite:///{path}") == []


def test_queued_run_is_stored_once_with_its_own_time(tmp_path, penza):
    round_, solution = penza
    url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    queue_run(url, round_, solution, user="planner", source="penza")
    (path,) = pending(url)
    store = open_store(url, flush=False)
    try:
        from allocator.store.spool import _copy, _read

        run, round_back, frames = _read(path)
        first = _copy(store, run, round_back, frames)  # as a flusher killed before deleting the file
        assert flush_pending(store) == [first]  # found already stored: not written twice
        assert pending(url) == []
        from allocator.store.query import get_run, list_runs, load_solution

        assert list(list_runs(store)["id"]) == [first]
        stored = get_run(store, first)
        assert stored["created_at"] == run["created_at"] and stored["user"] == "planner"
        assert stored["input_hash"] == round_.input_hash()
        back = load_solution(store, first)
        assert len(back.assignments) == len(solution.assignments)
        assert back.summary == solution.summary
    finally:
        store.dispose()


def test_export_out_is_a_file(tmp_path, capsys, penza):
    path = sqlite_store_with_runs(tmp_path / "runs.sqlite", penza, n=1)
    target = tmp_path / "result.csv"
    target.write_text("keep me\n", encoding="utf-8")
    for lang in ("en", "ru"):
        code, printed = run_cli(["runs", "export", "1", "--out", str(target), "--db", str(path),
                                 "--lang", lang], capsys)
        assert code == EXIT_OUT and str(target) in printed and "Traceback" not in printed
    assert target.read_text(encoding="utf-8") == "keep me\n"


# --- PostgreSQL stopped between solving and recording (a private server) -----------------------

def _pg_binaries() -> bool:
    return bool(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))


@pytest.fixture
def private_pg():
    """A second PostgreSQL server of this test's own (.ci/postgres), so stopping it harms no one."""
    if not _pg_binaries() and not os.environ.get("CI"):
        pytest.skip("no PostgreSQL binaries (CI installs them)")
    folder = tempfile.mkdtemp(prefix="allocator-pg-")  # the postgres user must reach it (not pytest's tmp)
    script = str(ROOT / ".ci" / "postgres")
    env = {**os.environ, "ALLOCATOR_PG_PORT": "54400"}

    def start(port: str | None = None) -> str:
        r = subprocess.run([script, "start", folder], check=False, capture_output=True, text=True, timeout=180,
                           env={**env, "ALLOCATOR_PG_PORT": port} if port else env)
        assert r.returncode == 0, r.stderr
        return r.stdout.strip()

    def stop() -> None:
        subprocess.run([script, "stop", folder], check=False, capture_output=True, text=True, timeout=120)

    try:
        yield start, stop
    finally:
        stop()
        shutil.rmtree(folder, ignore_errors=True)


def test_postgresql_stopped_mid_solve_queues_the_run(private_pg, tmp_path, capsys):
    start, stop = private_pg
    plain = start()
    port = plain.rsplit(":", 1)[1].split("/")[0]
    url = plain.replace("postgres@", f"postgres:{PASSWORD}@")  # trust authentication: any password
    out = tmp_path / "out"
    hold = tmp_path / "hold"
    child = _cli_held(["solve", str(PENZA), "--out", str(out), "--db", url, "-q", "--user", "lead"],
                      dict(os.environ), hold)
    stop()  # the real failure: the server is gone between solving and recording
    hold.unlink()
    stdout, stderr = child.communicate(timeout=120)
    assert child.returncode == EXIT_STORE, stderr
    assert PASSWORD not in stdout + stderr and "Traceback" not in stderr
    assert stderr.strip().count("\n") == 0, stderr
    assert f"outputs written to {out}" in stderr and "NOT stored" in stderr and "queued" in stderr
    assert (out / "assignments.csv").exists() and (out / "summary.json").exists()
    assert len(pending(url)) == 1

    assert start(port) == plain  # the server is back, on the same port
    code, printed = run_cli(["runs", "list", "--db", url], capsys)
    assert code == 0, printed
    assert "1 queued run(s) stored" in printed and "lead" in printed and "penza" in printed
    assert PASSWORD not in printed
    assert pending(url) == []
    code, printed = run_cli(["runs", "list", "--db", url], capsys)  # stored once
    assert code == 0 and printed.count("penza") == 1 and "queued" not in printed


def test_damaged_queue_file_kept_stale_partial_removed(tmp_path, penza):
    round_, solution = penza
    url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    queue_run(url, round_, solution, user="first")
    queue_run(url, round_, solution, user="second")
    first, _second = pending(url)
    first.write_bytes(b"not a database at all" * 100)  # a damaged pending file
    stale = first.parent / ".20200101T000000000000Z-dead.partial"  # left by a killed queueing process
    stale.write_bytes(b"half a run")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    store = open_store(url)  # flushes
    try:
        assert len(store.flushed) == 1
        from allocator.store.query import get_run

        assert get_run(store, store.flushed[0])["user"] == "second"
    finally:
        store.dispose()
    assert pending(url) == [first]  # kept for a person to look at, not deleted
    assert not stale.exists()


def test_postgresql_read_only_refused_before_solving(tmp_path, capsys, penza):
    url = store_url("postgresql", tmp_path)
    store = open_store(url)
    record_run(store, *penza)
    store.dispose()
    read_only = url + "?options=-c%20default_transaction_read_only%3Don"  # every transaction read-only
    out = tmp_path / "out"
    code, printed = run_cli(["solve", str(PENZA), "--out", str(out), "--db", read_only, "-q"], capsys)
    assert code == EXIT_STORE and "cannot be written" in printed and "read-only transaction" in printed
    assert not out.exists()
    code, printed = run_cli(["runs", "list", "--db", read_only], capsys)
    assert code == 0 and "penza" in printed


@pytest.mark.skipif(shutil.which("chattr") is None, reason="no chattr")
def test_failed_solve_queued_when_the_store_fails(tmp_path, penza):
    from allocator.store.query import get_run
    from allocator.store.spool import keep_run

    round_, _ = penza
    path = tmp_path / "runs.sqlite"
    url = f"sqlite:///{path}"
    store = open_store(url)
    with immutable(path, Path(f"{path}-wal")):
        kept = keep_run(store, round_, error=RuntimeError("solver crashed"), user="lead")
    store.dispose()
    assert not kept.stored and kept.queued is not None and kept.reason
    store = open_store(url)
    try:
        (run_id,) = store.flushed
        run = get_run(store, run_id)
        assert run["status"] == "failed" and run["error"] == "RuntimeError: solver crashed"
        assert run["user"] == "lead" and run["input_hash"] == round_.input_hash()
    finally:
        store.dispose()

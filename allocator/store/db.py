"""Where the store is and how it is opened.

URL resolution: an explicit ``--db`` value, else ``$ALLOCATOR_DB``, else an
SQLite file ``runs.sqlite`` in the per-user data folder (platformdirs). A
value without ``://`` is a path to an SQLite file.

Engines hide statement parameters in errors and logs (they hold graduates' data).
SQLite connections use WAL, ``busy_timeout`` and foreign keys; writers take
the write lock at BEGIN (``BEGIN IMMEDIATE``) so concurrent writers wait for
each other instead of failing. Opening a store upgrades its schema to the
newest Alembic revision (serialised between processes by the write lock on
SQLite and an advisory lock on PostgreSQL).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url

ENV_DB = "ALLOCATOR_DB"
ENV_USER = "ALLOCATOR_USER"
BUSY_TIMEOUT_S = 60.0
MIGRATION_LOCK = 7_202_611  # PostgreSQL advisory lock key for schema upgrades

_upgraded: set[str] = set()
_upgrade_lock = threading.Lock()


class StoreError(RuntimeError):
    """The store cannot be opened or read (bad URL, server unreachable, unknown run)."""


@dataclass
class Store:
    engine: Engine
    url: str

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self):
        """A connection whose transaction holds the write lock from BEGIN (SQLite) - use as
        ``with store.write() as conn:``; commits on success, rolls back on any error."""
        with self.engine.connect() as conn:
            conn.execution_options(store_write=True)
            with conn.begin():
                yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def default_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("allocator", appauthor=False)) / "runs.sqlite"


def resolve_url(value: str | None = None) -> str:
    """SQLAlchemy URL of the store: ``value`` > $ALLOCATOR_DB > per-user SQLite file."""
    value = value or os.environ.get(ENV_DB) or str(default_path())
    if "://" in value:
        return value
    path = Path(value).expanduser().resolve()
    return f"sqlite:///{path}"


def public_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a message must never fail
        return url


def open_store(value: str | None = None, *, upgrade: bool = True) -> Store:
    url = resolve_url(value)
    try:
        parsed = make_url(url)
    except Exception as exc:  # noqa: BLE001
        raise StoreError(f"not a database URL: {value!r} ({exc})") from exc
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = _sqlite_engine(parsed)
        else:
            engine = create_engine(parsed, pool_pre_ping=True, hide_parameters=True,
                                   connect_args=_pg_args(parsed))
    except Exception as exc:  # noqa: BLE001 - unknown driver etc.
        raise StoreError(f"cannot use database {public_url(url)}: {exc}") from exc
    store = Store(engine=engine, url=url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        if upgrade:
            upgrade_schema(store)
    except StoreError:
        engine.dispose()
        raise
    except Exception as exc:  # noqa: BLE001 - unreachable server, unwritable file...
        engine.dispose()
        raise StoreError(f"cannot open the run store {public_url(url)}: {_first_line(exc)}") from exc
    return store


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _pg_args(parsed) -> dict:
    return {"connect_timeout": 10} if parsed.get_backend_name() == "postgresql" else {}


def _sqlite_engine(parsed) -> Engine:
    database = parsed.database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, hide_parameters=True, connect_args={"timeout": BUSY_TIMEOUT_S})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        _enable_wal(cur)
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        immediate = conn.get_execution_options().get("store_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _enable_wal(cursor) -> None:
    """Switch the file to WAL (a lasting property of the file), waiting while it is locked.

    Changing the journal mode does not go through SQLite's busy handler: on a new file
    that several connections open at once, the losers get "database is locked" at once,
    so they retry here until BUSY_TIMEOUT_S.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    delay = 0.005
    while True:
        try:
            if str(cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower() == "wal":
                return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise sqlite3.OperationalError("could not switch the store to WAL journal mode")
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def upgrade_schema(store: Store) -> None:
    """Bring the schema to the newest migration (once per process and URL)."""
    with _upgrade_lock:
        if store.url in _upgraded:
            return
        from alembic import command

        from .migrate import alembic_config, head_revision

        if current_revision(store) != head_revision():
            cfg = alembic_config(store.url)
            with store.engine.connect().execution_options(store_write=True) as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                conn.commit()
        _upgraded.add(store.url)


def current_revision(store: Store) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()

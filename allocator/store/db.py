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
import re
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url

from .masking import mask_secrets, secrets_of
from .texts import render

ENV_DB = "ALLOCATOR_DB"
ENV_USER = "ALLOCATOR_USER"
BUSY_TIMEOUT_S = 60.0
MIGRATION_LOCK = 7_202_611  # PostgreSQL advisory lock key for schema upgrades

_upgraded: set[str] = set()
_upgrade_lock = threading.Lock()


class StoreError(RuntimeError):
    """The store cannot be opened, read or written (bad URL, server unreachable, read-only,
    damaged, another application's database, unknown run). Its message never holds a password.

    ``str(exc)`` is English; ``exc.text("ru")`` is Russian where a text exists (texts.py)."""

    def __init__(self, message: str, *, key: str | None = None, params: dict | None = None):
        super().__init__(message)
        self.key = key
        self.params = params or {}

    def text(self, lang: str = "en") -> str:
        if self.key is None or lang == "en":
            return str(self)
        params = dict(self.params)
        if "reason_ru" in params:
            params["reason"] = params["reason_ru"]
        return render(self.key, lang, **params)

    def masked(self, known) -> StoreError:
        """The same error with every password in ``known`` (and any URL's) hidden."""
        params = {k: mask_secrets(v, known) for k, v in self.params.items()}
        return StoreError(mask_secrets(self, known), key=self.key, params=params)


def _error(key: str, **params) -> StoreError:
    return StoreError(render(key, "en", **params), key=key, params=params)


@dataclass
class Store:
    engine: Engine
    url: str = field(repr=False)  # may hold a password: print public_url(url)
    writable: bool = True  # a write transaction succeeded when the store was opened
    flushed: list[int] = field(default_factory=list)  # queued runs stored when it was opened

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def public_url(self) -> str:
        return public_url(self.url)

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
    """The URL with any password hidden, for messages (also for a URL SQLAlchemy cannot parse)."""
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a message must never fail
        shown = url
    return mask_secrets(shown, secrets_of(url))


def open_store(value: str | None = None, *, upgrade: bool = True, writable: bool = True,
               flush: bool = True) -> Store:
    """Open the store at ``value`` (see :func:`resolve_url`) after checking it; raises StoreError.

    Refused, before anything is written: a value that is not a database URL; a server
    that cannot be reached; an SQLite file that fails ``PRAGMA quick_check`` or is not
    SQLite; a database holding other tables but not our schema (another application's);
    a schema revision this version does not know (a newer allocator's). Then the schema
    is upgraded (``upgrade``), a write transaction is tried and rolled back
    (``store.writable``; when ``writable`` is required, a read-only store is refused),
    and runs queued while this store failed are stored (``flush``; see ``spool.py``).
    """
    url = resolve_url(value)
    known = secrets_of(value) + secrets_of(url)
    try:
        parsed = make_url(url)
    except Exception as exc:  # noqa: BLE001 - never chained: its text may hold the password
        reason = _parse_reason(exc)
        raise _error("not_url", value=repr(mask_secrets(url, known)), reason=render(reason),
                     reason_ru=render(reason, "ru")).masked(known) from None
    shown = public_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        try:  # before the engine, which switches the file to WAL: another application's file stays as it is
            _check_sqlite_file(Path(parsed.database), shown)
        except StoreError as exc:
            raise exc.masked(known) from None
        except Exception as exc:  # noqa: BLE001 - not SQLite, unreadable
            raise _error("cannot_open", url=shown, reason=describe_error(exc)).masked(known) from None
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = _sqlite_engine(parsed)
        else:
            engine = create_engine(parsed, pool_pre_ping=True, hide_parameters=True,
                                   connect_args=_pg_args(parsed))
    except Exception as exc:  # noqa: BLE001 - unknown driver etc.
        raise _error("cannot_use", url=shown, reason=_first_line(exc)).masked(known) from None
    store = Store(engine=engine, url=url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            if store.dialect != "sqlite":
                _check_schema(conn, shown)
        if upgrade:
            upgrade_schema(store)
        reason = _write_refused(store)
        store.writable = reason is None
        if writable and reason:
            raise _error("read_only", url=shown, reason=reason)
        if flush and store.writable:
            from .spool import flush_pending

            store.flushed = flush_pending(store)
    except StoreError as exc:
        engine.dispose()
        raise exc.masked(known) from None
    except Exception as exc:  # noqa: BLE001 - unreachable server, unwritable file...
        engine.dispose()
        raise _error("cannot_open", url=shown, reason=describe_error(exc)).masked(known) from None
    return store


def describe_error(exc: BaseException) -> str:
    """One line about a database error, without statements or values (never a password:
    pass the result through mask_secrets before printing)."""
    line = _first_line(exc)
    line = re.sub(r"^\([\w.]+\) ", "", line)
    if "malformed" in line or "not a database" in line:
        return f"the file is damaged or is not an SQLite database ({line})"
    if "readonly" in line or "read-only" in line:
        return f"it is read-only ({line})"
    return line


def _parse_reason(exc: BaseException) -> str:
    """The texts.py key of why a URL does not parse."""
    port = isinstance(exc, ValueError) and "invalid literal for int" in str(exc)
    return "port" if port else "unparsable"


def _check_sqlite_file(path: Path, shown: str) -> None:
    """An existing SQLite file, read-only: undamaged (PRAGMA quick_check), and a run store or empty."""
    if path.is_dir():
        raise _error("folder", url=shown)
    if not path.exists() or path.stat().st_size == 0:
        return  # a new store
    con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        try:
            rows = [str(r[0]) for r in con.execute("PRAGMA quick_check(3)").fetchall()]
        except sqlite3.DatabaseError as exc:  # damage SQLite meets before it can check (a damaged schema page)
            if getattr(exc, "sqlite_errorname", None) != "SQLITE_CORRUPT":
                raise  # not an SQLite database at all: said as such by describe_error
            rows = [str(exc)]
        if rows != ["ok"]:
            detail = "; ".join(" ".join(r.split()) for r in rows)[:300]
            raise _error("damaged", url=shown, detail=detail)
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                           "AND name NOT LIKE 'sqlite_%'")}
        revision = None
        if "alembic_version" in names:
            revision = (con.execute("SELECT version_num FROM alembic_version").fetchone() or (None,))[0]
    finally:
        con.close()
    _judge_schema(names, revision, shown)


def _check_schema(conn, shown: str) -> None:
    """Refuse another application's database, and a schema revision this version does not know."""
    names = set(inspect(conn).get_table_names())
    revision = None
    if "alembic_version" in names:
        rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        if len(rows) == 1:
            revision = rows[0][0]
        else:  # none or several heads: as Alembic reads them
            from alembic.runtime.migration import MigrationContext

            revision = MigrationContext.configure(conn).get_current_revision()
    _judge_schema(names, revision, shown)


def _judge_schema(names: set[str], revision: str | None, shown: str) -> None:
    others = sorted(names - {"alembic_version"})
    if revision is None:
        if others:
            listed = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
            raise _error("foreign", url=shown, n=len(others), tables=listed)
        return
    if revision == _head_in_files():
        return  # this version's newest; Alembic (slow to import) judges any other
    from alembic.script import ScriptDirectory

    from .migrate import alembic_config, head_revision

    known = {r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if revision not in known:
        raise _error("revision", url=shown, revision=repr(revision), head=repr(head_revision()))


def _write_refused(store: Store) -> str | None:
    """None when a write transaction works (tried, then rolled back); else why not."""
    from .models import Base

    try:
        with store.engine.connect() as conn:
            conn.execution_options(store_write=True)
            trans = conn.begin()
            try:
                conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
                if store.dialect == "postgresql":
                    for table in Base.metadata.tables:
                        if not conn.scalar(text("SELECT has_table_privilege(:t, 'INSERT')"), {"t": table}):
                            return f"no INSERT privilege on table {table}"
            finally:
                trans.rollback()
    except Exception as exc:  # noqa: BLE001 - read-only file, folder or transaction, no privilege
        return describe_error(exc)
    return None


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
            if "readonly" in str(exc):
                return  # a read-only file keeps its journal mode: it can be read, the write check refuses it
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
        if _stored_revision(store) == _head_in_files():  # the usual case, without importing Alembic
            _upgraded.add(store.url)
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


def _stored_revision(store: Store) -> str | None:
    """The one revision in ``alembic_version``; None when there is none, several or no table."""
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    except Exception:  # noqa: BLE001 - a new database: Alembic creates the table
        return None
    return rows[0][0] if len(rows) == 1 else None


_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]\s*$", re.M)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(?:None|['\"]([^'\"]+)['\"])\s*$", re.M)


def _head_in_files() -> str | None:
    """The newest migration, read from the migration files as text (Alembic is slow to import).

    None unless every file names one revision and at most one parent and the chain has one
    head; then :func:`upgrade_schema` asks Alembic itself.
    """
    revisions, parents = set(), set()
    for path in (Path(__file__).with_name("migrations") / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.findall(source), _DOWN.findall(source)
        if len(revision) != 1 or len(down) != 1:
            return None
        revisions.add(revision[0])
        parents.add(down[0])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current_revision(store: Store) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with store.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()

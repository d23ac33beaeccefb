"""The run store: every solve kept in a database (SQLite by default, PostgreSQL by URL).

``open_store(url)`` gives a :class:`~allocator.store.db.Store` (engine, schema
upgraded by Alembic); :func:`record_run` writes one run in one transaction;
:mod:`allocator.store.query` reads runs back, :mod:`allocator.store.diff`
compares two, :mod:`allocator.store.rerun` solves a stored run again.
See docs/store.md.
"""

from .db import Store, StoreError, open_store, resolve_url
from .record import record_failure, record_run

__all__ = ["Store", "StoreError", "open_store", "record_failure", "record_run", "resolve_url"]

"""Helpers for the run-store tests: a fresh store per test on SQLite or PostgreSQL.

PostgreSQL tests use $ALLOCATOR_TEST_PG_URL (``.ci/run`` starts a private server
and sets it). Without it they skip - except under CI ($CI set), where they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, text

PG_ENV = "ALLOCATOR_TEST_PG_URL"
BACKENDS = ("sqlite", "postgresql")
PENZA = Path(__file__).resolve().parents[2] / "data" / "penza"


def store_url(backend: str, tmp_path: Path) -> str:
    """URL of an empty store on ``backend`` (PostgreSQL: the test database, emptied)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'runs.sqlite'}"
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set under CI: .ci/run must start PostgreSQL")
        pytest.skip(f"{PG_ENV} not set (.ci/postgres start DIR prints one)")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    from allocator.store import db

    db._upgraded.discard(url)
    return url


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Values only: text columns as objects with None for missing (string dtypes vary by pandas)."""
    out = frame.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_run_store(tmp_path_factory):
    """Every run recorded during the tests goes to a temporary SQLite file, never to the
    user's real store (allocator solve records by default; docs/store.md)."""
    old = os.environ.get("ALLOCATOR_DB")
    os.environ["ALLOCATOR_DB"] = str(tmp_path_factory.mktemp("run-store") / "runs.sqlite")
    yield
    if old is None:
        os.environ.pop("ALLOCATOR_DB", None)
    else:
        os.environ["ALLOCATOR_DB"] = old

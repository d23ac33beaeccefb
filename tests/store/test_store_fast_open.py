"""Opening an up-to-date store reads the newest migration from the files, without Alembic."""

from __future__ import annotations

import subprocess
import sys

from allocator.store import open_store
from allocator.store.db import _head_in_files, current_revision
from allocator.store.migrate import head_revision


def test_the_files_name_alembics_head():
    assert _head_in_files() == head_revision()


def test_an_up_to_date_store_opens_without_importing_alembic(tmp_path):
    url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    open_store(url).dispose()  # a new store: Alembic makes the schema
    code = ("import sys; from allocator.store import open_store; s = open_store(sys.argv[1]); "
            "print(s.writable, 'alembic' in sys.modules); s.dispose()")
    done = subprocess.run([sys.executable, "-c", code, url], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False"]
    again = open_store(url)
    assert current_revision(again) == head_revision()
    again.dispose()

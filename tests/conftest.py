"""Session-wide test settings: a private run store and queue, an English locale.

The shared helpers live in ``tests/support`` (importable as ``support.*``:
pyproject.toml's pytest ``pythonpath``); tests mirror the packages
(``tests/allocator``, ``tests/network``, ``tests/store``, ``tests/ui``), and
regression rounds live in ``tests/data``, one folder per bug, named after it.
"""


import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_run_store(tmp_path_factory):
    """Every run recorded (or queued) during the tests goes to a temporary SQLite file and queue
    folder, never to the user's real store (allocator solve records by default; docs/store.md)."""
    with pytest.MonkeyPatch.context() as env:  # restores both variables afterwards
        env.setenv("ALLOCATOR_DB", str(tmp_path_factory.mktemp("run-store") / "runs.sqlite"))
        env.setenv("ALLOCATOR_SPOOL", str(tmp_path_factory.mktemp("run-queue")))  # runs queued when a store fails
        yield


@pytest.fixture(autouse=True, scope="session")
def _english_locale():
    """The CLI's --lang defaults from the locale (allocator.catalogue.language_from_locale);
    tests that read English output must not depend on the machine's locale."""
    with pytest.MonkeyPatch.context() as env:
        env.delenv("LC_ALL", raising=False)
        env.delenv("LC_MESSAGES", raising=False)
        env.setenv("LANG", "C.UTF-8")
        yield

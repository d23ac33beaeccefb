"""The run page's bookkeeping, without Streamlit: which edits are not calculated yet, and what
a first run would otherwise wait for.

A snapshot of the editable columns is taken when a run starts (:func:`snapshot`); the
page compares the views with it (:func:`ui.state.differing_tables`). Before the first run of the
round loaded now, the views are compared with a snapshot of the round as loaded.
"""

from __future__ import annotations

import importlib

import pandas as pd

from .state import editable_part


def snapshot(views: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The editable columns of every view, as a run starts with them (compared by
    :func:`ui.state.differing_tables`)."""
    return {name: editable_part(name, frame) for name, frame in views.items()}


#: What a process's first run imports lazily (the solve's distances and solvers, the run store's
#: migration check, the map): over a second on a 2-core machine, paid by :func:`warm_up` instead.
WARM_MODULES = ("scipy.spatial", "scipy.sparse.csgraph", "pulp", "highspy", "allocator.flow", "alembic.command",
                "alembic.runtime.migration", "alembic.script", "allocator.store.migrate", "pydeck")


def warm_up() -> None:
    """Import what the first solve and storing it import, so the first click on Run does not wait
    for them. Run once per process on a background thread (the page joins it before it solves);
    a module that is missing is left for the run to report. The store itself is not opened here:
    its migrations must not run on two threads at once."""
    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass

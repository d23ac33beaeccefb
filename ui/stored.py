"""The UI's side of the run store (allocator.store): runs made in the app are recorded,
stored runs are reopened as session scenarios so the result and comparison views show them.

The store is the one the command line uses: ``$ALLOCATOR_DB``, else the per-user
SQLite file (docs/store.md). A store that cannot be opened never stops a run:
the run page shows a warning and keeps the result in the session only.
"""

from __future__ import annotations

import logging

import pandas as pd

from allocator.store import open_store
from allocator.store.db import Store, resolve_url
from allocator.store.masking import mask_secrets, secrets_of
from allocator.store.query import get_run, list_runs, load_round, load_solution
from allocator.store.spool import keep_run

from .i18n import t
from .state import RunRecord

log = logging.getLogger(__name__)
_stores: dict[str, Store] = {}


def store() -> Store:
    """The run store (one engine per URL for the app's lifetime); raises StoreError."""
    url = resolve_url()
    if url not in _stores:
        _stores[url] = open_store(url)
    return _stores[url]


def record(round_, solution, *, user: str | None = None) -> int | None:
    """Keep a run made in the app, as the command line does (queued when the store fails after
    it opened, allocator.store.spool); None (and a logged warning) when it is not stored now."""
    return _keep(round_, solution, None, user)


def record_failed(round_, error: BaseException, *, user: str | None = None) -> int | None:
    """Keep a failed solve of ``round_`` with its ``error``; the run id, or None when not stored now."""
    return _keep(round_, None, error, user)


def _keep(round_, solution, error, user) -> int | None:
    try:
        kept = keep_run(store(), round_, solution, error=error, user=user, source="ui")
    except Exception as exc:  # noqa: BLE001 - the store cannot be opened: the result is still shown
        log.warning("run not stored: %s", _first_line(exc))
        return None
    if kept.run_id is None:
        log.warning("run not stored (%s); %s", kept.reason,
                    "queued for the next time the store opens" if kept.queued else "not queued either")
    return kept.run_id


def _first_line(exc: BaseException) -> str:
    """The error's first line (SQLAlchemy puts the statement and its values on later lines),
    with any password hidden (a driver's error may quote the connection string)."""
    line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return mask_secrets(line, secrets_of(resolve_url()))


def runs_table(lang: str) -> pd.DataFrame:
    """Stored runs, newest first, with localised headers; column ``id`` kept as is."""
    runs = list_runs(store())
    return pd.DataFrame({
        "id": runs["id"].astype(int),
        t("st_when", lang): [w.strftime("%Y-%m-%d %H:%M") for w in runs["created_at"]],
        t("st_user", lang): runs["user"].fillna("—"),
        t("st_round", lang): runs["round_name"],
        t("solver", lang): runs["solver"].fillna("—"),
        t("status", lang): runs["status"],
        t("st_placed", lang): [f"{p:.0f} / {g:.0f}" if pd.notna(p) else "—"
                               for p, g in zip(runs["placed_total"], runs["graduates_total"])],
        t("st_deficit", lang): [round(float(w), 2) if pd.notna(w) else None for w in runs["weighted_deficit"]],
    })


def scenario_name(run_id: int, lang: str) -> str:
    """The session scenario name of stored run ``run_id`` in ``lang``."""
    return t("st_scenario_name", lang, id=run_id)


def reopen(run_id: int, lang: str) -> RunRecord:
    """A stored run as a session scenario: its round rebuilt from the stored inputs."""
    s = store()
    run = get_run(s, run_id)
    solution = load_solution(s, run_id)  # StoreError for a failed run
    round_ = load_round(s, run_id)
    options = {k: run["options"].get(k) for k in ("solver", "time_limit", "max_km", "diminishing_returns")}
    rec = RunRecord(name=scenario_name(run_id, lang), round=round_, solution=solution, log_text="",
                    options=options, edited_weights=dict(round_.scenario.weights), created=run["created_at"],
                    store_id=run_id)
    return rec

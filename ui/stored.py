"""The UI's side of the run store (allocator.store): runs made in the app are recorded,
stored runs are reopened as session scenarios so the result and comparison views show them.

The store is the one the command line uses: ``$ALLOCATOR_DB``, else the per-user
SQLite file (docs/store.md). A store that cannot be opened never stops a run:
the run page shows a warning and keeps the result in the session only.
"""

from __future__ import annotations

import dataclasses
import logging

import pandas as pd

from allocator.store import StoreError, open_store, sessions, tables
from allocator.store.db import Store, resolve_url
from allocator.store.masking import mask_secrets, secrets_of
from allocator.store.query import get_run, list_runs, load_round, load_solution, round_of
from allocator.store.spool import keep_run

from .i18n import t
from .state import LoadedRound, RunRecord

log = logging.getLogger(__name__)
_stores: dict[str, Store] = {}


def store() -> Store:
    """The run store (one engine per URL for the app's lifetime); raises StoreError."""
    url = resolve_url()
    if url not in _stores:
        _stores[url] = open_store(url)
    return _stores[url]


def record(round_, solution, *, user: str | None = None, round_hash: str | None = None) -> int | None:
    """Keep a run made in the app, as the command line does (queued when the store fails after
    it opened, allocator.store.spool); None (and a logged warning) when it is not stored now.
    ``round_hash``: the loaded round it was made from (``LoadedRound.round_hash``)."""
    return _keep(round_, solution, None, user, round_hash)


def record_failed(round_, error: BaseException, *, user: str | None = None,
                  round_hash: str | None = None) -> int | None:
    """Keep a failed solve of ``round_`` with its ``error``; the run id, or None when not stored now."""
    return _keep(round_, None, error, user, round_hash)


def _keep(round_, solution, error, user, round_hash) -> int | None:
    try:
        kept = keep_run(store(), round_, solution, error=error, user=user, source="ui", round_hash=round_hash)
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


def reopen(run_id: int, lang: str, name: str | None = None) -> RunRecord:
    """A stored run as a session scenario (named ``name``, default "Run #id"): its round rebuilt
    from the stored inputs, its round hash as stored (a run stored before the store kept it:
    its own round's)."""
    s = store()
    run = get_run(s, run_id)
    solution = load_solution(s, run_id)  # StoreError for a failed run
    round_ = load_round(s, run_id)
    options = {k: run["options"].get(k) for k in ("solver", "time_limit", "max_km", "diminishing_returns")}
    return RunRecord(name=name or scenario_name(run_id, lang), round=round_, solution=solution, log_text="",
                     options=options, edited_weights=dict(round_.scenario.weights), created=run["created_at"],
                     store_id=run_id, round_hash=run.get("round_hash"))


# ------------------------------------------------------------------ sessions (survive a reload)


def _round_frames(loaded: LoadedRound) -> dict[str, pd.DataFrame]:
    """The tables that rebuild ``loaded``: the round's, its indicator tables and network files."""
    r = loaded.round
    frames = {name: getattr(r, name) for name in tables.ROUND_TABLES}
    frames["indicators"] = r.indicators
    frames["ui_indicators"] = loaded.indicators
    if loaded.network_tables is not None:
        frames["network_settlements"], frames["network_roads"] = loaded.network_tables
    return {k: v for k, v in frames.items() if v is not None}


def save_session_round(session: str, loaded: LoadedRound, bundled: bool) -> None:
    """Keep the round session ``session`` has loaded (a marker for the bundled round); raises
    StoreError. The session's scenarios are kept again by :func:`save_session_runs`."""
    sessions.save_round(store(), session, label=loaded.label, round_name=loaded.round.name,
                        options=loaded.round.scenario.as_dict(), bundled=bundled,
                        frames=None if bundled else _round_frames(loaded))


def save_session_runs(session: str, runs: list[tuple[str, int]]) -> None:
    """Keep session ``session``'s scenarios as (name, stored run id), in order; raises StoreError."""
    sessions.save_runs(store(), session, runs)


def restore_session(session: str, lang: str, bundled) -> tuple[LoadedRound, dict[str, RunRecord]] | None:
    """The round and scenarios session ``session`` kept, or None when the store has none of it.
    ``bundled``: returns the bundled round (kept as a marker only). A scenario whose run the store
    no longer holds is left out."""
    kept = sessions.load_session(store(), session)
    if kept is None:
        return None
    if kept.bundled:
        loaded = bundled()
    else:
        f = kept.frames
        round_ = dataclasses.replace(round_of(f, kept.options, kept.round_name), indicators=f.get("indicators"))
        network = (f["network_settlements"], f["network_roads"]) if "network_settlements" in f else None
        loaded = LoadedRound(round_, kept.label, None, f.get("ui_indicators"), network)
    runs = {}
    for name, run_id in kept.runs:
        try:
            runs[name] = reopen(run_id, lang, name=name)
        except StoreError:  # deleted since, or failed
            log.warning("session scenario not reopened: run %d", run_id)
    return loaded, runs

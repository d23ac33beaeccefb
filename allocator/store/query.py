"""Reading runs back: the list, one run's row, its result frames and its input round."""

from __future__ import annotations

from datetime import UTC

import pandas as pd
from sqlalchemy import select

from ..problem import Round, Scenario, empty_instalments, empty_preferences
from ..solution import Solution
from . import tables
from .db import Store, StoreError
from .models import CHILD_TABLES, Blob, Run, RunInput
from .texts import render

LIST_COLUMNS = ["id", "created_at", "user", "round_name", "solver", "status", "placed_total",
                "graduates_total", "weighted_deficit", "input_hash"]


def list_runs(store: Store, limit: int | None = None) -> pd.DataFrame:
    """Newest first: id, when (UTC), user, round, solver, status, placed, graduates, weighted deficit."""
    cols = [getattr(Run, c) for c in LIST_COLUMNS]
    stmt = select(*cols).order_by(Run.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    with store.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    frame = pd.DataFrame(rows, columns=LIST_COLUMNS)
    frame["created_at"] = [_utc(t) for t in frame["created_at"]]
    return frame


def get_run(store: Store, run_id: int) -> dict:
    """Run ``run_id``'s row as a dict, ``created_at`` in UTC, plus ``inputs``: table name ->
    {sha256, rows}. Raises StoreError (``no_run``) when there is no such run."""
    with store.engine.connect() as conn:
        row = conn.execute(select(Run.__table__).where(Run.id == run_id)).mappings().first()
        if row is None:
            raise StoreError(render("no_run", id=run_id), key="no_run", params={"id": run_id})
        out = dict(row)
        inputs = conn.execute(select(RunInput.__table__).where(RunInput.run_id == run_id)
                              .order_by(RunInput.name)).mappings().all()
    out["created_at"] = _utc(out["created_at"])
    out["inputs"] = {r["name"]: {"sha256": r["sha256"], "rows": r["rows"]} for r in inputs}
    return out


def _utc(t):
    if t is None:
        return None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def load_frames(store: Store, run_id: int) -> dict[str, pd.DataFrame]:
    """assignments, unplaced, deficits of a run, with the columns and order ``allocator solve`` writes."""
    out = {}
    with store.engine.connect() as conn:
        for name, (table, columns) in CHILD_TABLES.items():
            key = columns[:2] if name == "deficits" else columns[:1]
            rows = conn.execute(select(*(table.c[c] for c in columns)).where(table.c.run_id == run_id)
                                .order_by(*(table.c[k] for k in key))).all()
            out[name] = pd.DataFrame(rows, columns=columns)
    d = out["deficits"]
    for col in ("vacancies", "placed", "remaining"):
        d[col] = d[col].astype("int64")
    d["weight"] = d["weight"].astype(float)
    a = out["assignments"]
    a["km"] = a["km"].astype(float)
    a["payment"] = a["payment"].astype(float)
    a["programme_id"] = a["programme_id"].astype(object).where(a["programme_id"].notna(), None)
    a["tier"] = a["tier"].astype(object).where(a["tier"].notna(), None)
    a["payment_total"] = a["payment_total"].astype(float)  # NaN in runs stored before migration 0004
    a["service_until"] = pd.array(a["service_until"], dtype="Int64")
    a["choice_rank"] = pd.array(a["choice_rank"], dtype="Int64")
    return out


def load_solution(store: Store, run_id: int) -> Solution:
    """A stored run as a :class:`Solution` (for the output writer and the UI's result views)."""
    run = get_run(store, run_id)
    if run["summary"] is None:
        raise StoreError(f"run {run_id} has no results (status {run['status']}: {run['error']})")
    frames = load_frames(store, run_id)
    if "choice_ranks" not in run["summary"]:  # a round without preferences: the columns allocator solve wrote
        frames["assignments"] = frames["assignments"].drop(columns=["choice_rank"])
    return Solution.from_summary(run["summary"], assignments=frames["assignments"], unplaced=frames["unplaced"],
                                 deficits=frames["deficits"])


def load_round(store: Store, run_id: int) -> Round:
    """The typed round a run read, rebuilt from the stored tables and options."""
    run = get_run(store, run_id)
    with store.engine.connect() as conn:
        rows = conn.execute(select(RunInput.name, RunInput.dtypes, Blob.data)
                            .join(Blob, Blob.sha256 == RunInput.sha256)
                            .where(RunInput.run_id == run_id)).all()
    frames = {name: tables.decode(tables.decompress(data), dtypes) for name, dtypes, data in rows}
    missing = {"regions", "facilities", "vacancies", "graduates", "programmes"} - set(frames)
    if missing:
        raise StoreError(f"run {run_id} lacks stored input tables: {', '.join(sorted(missing))}")
    return round_of(frames, run["options"], run["round_name"])


def round_of(frames: dict[str, pd.DataFrame], options: dict, name: str) -> Round:
    """A Round of stored typed tables (regions ... programmes, settlements and roads if kept)
    under the stored ``options`` (Scenario.as_dict)."""
    from types import MappingProxyType

    options = dict(options)
    options["weights"] = MappingProxyType(dict(options.get("weights") or {}))
    scenario = Scenario(**{k: v for k, v in options.items() if k in Scenario.keys()})  # noqa: SIM118 - a classmethod
    return Round(regions=frames["regions"], facilities=frames["facilities"], vacancies=frames["vacancies"],
                 graduates=frames["graduates"], programmes=frames["programmes"], scenario=scenario,
                 name=name, settlements=frames.get("settlements"), roads=frames.get("roads"),
                 preferences=frames["preferences"] if "preferences" in frames else empty_preferences(),
                 instalments=frames["instalments"] if "instalments" in frames else empty_instalments())

"""Tables of the run store (SQLAlchemy 2 declarative). Changes need an Alembic migration.

runs         one row per solve: when, who, options, versions, status, objective levels, timings
run_inputs   which input tables a run read: table name -> blob, with rows and column types
blobs        input tables as canonical CSV, zlib-compressed, keyed by SHA-256 (shared by runs)
assignments  one row per placed graduate
unplaced     one row per graduate left unplaced, with the reason
deficits     one row per region and specialty: vacancies, placed, remaining, weight
sweeps       one row per sweep (``allocator sweep``): a group of runs, its name, when, who, round
sweep_runs   one row per scenario of a sweep: its run, name, position, input hash and scenarios.csv row
app_sessions one row per session of the app (its id is in the page's URL): the round it had loaded
app_session_inputs  that round's tables (blobs), for a round that is not the bundled one
app_session_runs    the session's scenarios: name, position and stored run
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of the run store's tables."""
    pass


class Blob(Base):
    """An input table as canonical CSV, zlib-compressed, keyed by the SHA-256 of the text."""
    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)  # uncompressed bytes
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Run(Base):
    """One solve: when, who, round, options, versions, status, objective levels, timings and
    summary; a failed solve has ``error`` set and no ``summary``."""
    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    user: Mapped[str | None] = mapped_column(String(200))
    round_name: Mapped[str] = mapped_column(String(500))
    source: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    solver: Mapped[str | None] = mapped_column(String(20))
    gap: Mapped[float | None] = mapped_column(Float)
    obligated_placed: Mapped[int | None] = mapped_column(Integer)
    obligated_total: Mapped[int | None] = mapped_column(Integer)
    weighted_deficit_before: Mapped[float | None] = mapped_column(Float)
    weighted_deficit: Mapped[float | None] = mapped_column(Float)
    total_km: Mapped[float | None] = mapped_column(Float)
    placed_total: Mapped[int | None] = mapped_column(Integer)
    graduates_total: Mapped[int | None] = mapped_column(Integer)
    input_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # The round the run was made from, before the planner's edits and without the options
    # (allocator.store.tables.round_hash): runs are compared only within one round.
    round_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    options: Mapped[dict] = mapped_column(JSON)
    versions: Mapped[dict] = mapped_column(JSON)
    timings: Mapped[dict | None] = mapped_column(JSON)
    summary: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)


class RunInput(Base):
    """Which input table a run read: its blob, row count and column types."""
    __tablename__ = "run_inputs"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    rows: Mapped[int] = mapped_column(Integer)
    dtypes: Mapped[dict] = mapped_column(JSON)  # column -> type, in column order


class Assignment(Base):
    """One placed graduate of a run: facility, region, specialty, km and programme payment."""
    __tablename__ = "assignments"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    graduate_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    facility_id: Mapped[str] = mapped_column(String(200))
    region_id: Mapped[str] = mapped_column(String(200))
    specialty: Mapped[str] = mapped_column(String(200))
    km: Mapped[float] = mapped_column(Float)
    programme_id: Mapped[str | None] = mapped_column(String(200))
    payment: Mapped[float] = mapped_column(Float)
    # the programme terms (migration 0004; empty in runs stored before it)
    tier: Mapped[str | None] = mapped_column(String(20), nullable=True)
    payment_total: Mapped[float | None] = mapped_column(Float, nullable=True)
    service_until: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # the rank of the post on the graduate's list (migration 0005; empty: not listed, no preferences,
    # the commission's placement, or a run stored before it)
    choice_rank: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Unplaced(Base):
    """One graduate a run left unplaced, with the reason code and detail."""
    __tablename__ = "unplaced"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    graduate_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    funding: Mapped[str | None] = mapped_column(String(40))
    specialty: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text)


class Deficit(Base):
    """One region and specialty of a run: vacancies, placed, remaining, and the weight and its basis."""
    __tablename__ = "deficits"
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    region_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    specialty: Mapped[str] = mapped_column(String(200), primary_key=True)
    vacancies: Mapped[int] = mapped_column(Integer)
    placed: Mapped[int] = mapped_column(Integer)
    remaining: Mapped[int] = mapped_column(Integer)
    weight: Mapped[float] = mapped_column(Float)
    weight_basis: Mapped[str | None] = mapped_column(String(200))


class Sweep(Base):
    """One sweep (``allocator sweep``): a named group of runs, one per scenario. ``--resume``
    continues the newest sweep of the same name."""
    __tablename__ = "sweeps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)  # names it in a queued run (spool.py)
    name: Mapped[str] = mapped_column(String(200), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user: Mapped[str | None] = mapped_column(String(200))
    round_name: Mapped[str] = mapped_column(String(500))
    source: Mapped[str | None] = mapped_column(Text)
    grid: Mapped[str | None] = mapped_column(Text)  # the grid file's path
    scenarios: Mapped[int] = mapped_column(Integer)  # how many the grid has


class SweepRun(Base):
    """One scenario of a sweep: its run, name, position, input hash and its ``scenarios.csv`` row.
    A scenario is in a sweep at most once (the key), so a resumed sweep cannot record it twice."""
    __tablename__ = "sweep_runs"
    __table_args__ = (UniqueConstraint("run_id", name="uq_sweep_runs_run_id"),)
    sweep_id: Mapped[int] = mapped_column(ForeignKey("sweeps.id", ondelete="CASCADE"), primary_key=True)
    scenario: Mapped[str] = mapped_column(String(64), primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    input_hash: Mapped[str] = mapped_column(String(64), index=True)
    row: Mapped[dict] = mapped_column(JSON)


class AppSession(Base):
    """A session of the app, kept so that a reload (its id in the URL) finds it again: the
    round it had loaded (``bundled`` when it was the bundled one, else its tables are in
    :class:`AppSessionInput`), its label, name and options."""
    __tablename__ = "app_sessions"
    session: Mapped[str] = mapped_column(String(64), primary_key=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    label: Mapped[str] = mapped_column(String(500))
    round_name: Mapped[str] = mapped_column(String(500))
    bundled: Mapped[bool] = mapped_column(Boolean)
    options: Mapped[dict] = mapped_column(JSON)


class AppSessionInput(Base):
    """One table of a session's loaded round: its blob, row count and column types."""
    __tablename__ = "app_session_inputs"
    session: Mapped[str] = mapped_column(ForeignKey("app_sessions.session", ondelete="CASCADE"),
                                         primary_key=True)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    rows: Mapped[int] = mapped_column(Integer)
    dtypes: Mapped[dict] = mapped_column(JSON)


class AppSessionRun(Base):
    """One scenario of a session: its name there, its position and its stored run."""
    __tablename__ = "app_session_runs"
    session: Mapped[str] = mapped_column(ForeignKey("app_sessions.session", ondelete="CASCADE"),
                                         primary_key=True)
    name: Mapped[str] = mapped_column(String(500), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))


# The solution frames' columns, in the order allocator.output writes them.
CHILD_TABLES = {
    "assignments": (Assignment.__table__, ["graduate_id", "facility_id", "region_id", "specialty", "km",
                                           "programme_id", "payment", "tier", "payment_total", "service_until",
                                           "choice_rank"]),
    "unplaced": (Unplaced.__table__, ["graduate_id", "funding", "specialty", "reason", "detail"]),
    "deficits": (Deficit.__table__, ["region_id", "specialty", "vacancies", "placed", "remaining",
                                     "weight", "weight_basis"]),
}

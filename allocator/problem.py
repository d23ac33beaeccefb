"""The validated, typed inputs of one allocation round.

A :class:`Round` holds tables that passed :func:`allocator.validate.validate`:
it is built by ``validate`` (from files, :func:`~allocator.validate.load_round`,
or from frames, :func:`~allocator.validate.round_from_frames`), then changed
only by :func:`allocator.scenario.apply_scenario` (``Round.with_scenario``,
other options, the same tables) and rebuilt by the run store
(:mod:`allocator.store.query`) from the typed tables a validated round was
stored with. Nothing downstream re-checks raw input. It is frozen: models
read it, never write it. ``Scenario`` lives in :mod:`allocator.scenario`
(re-exported here).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd

from .scenario import DISTANCE_SOURCES, SOLVERS, Scenario, apply_scenario

__all__ = ["CHOICE_COLUMNS", "DISTANCE_SOURCES", "HASH_NEUTRAL", "INSTALMENT_COLUMNS", "PREFERENCE_COLUMNS",
           "RULE_COLUMNS", "SOLVERS", "Round", "Scenario", "empty_instalments", "empty_preferences",
           "without_neutral_columns"]

#: The columns of a round's preferences table (schema.csv ``preferences``).
PREFERENCE_COLUMNS = ("graduate_id", "rank", "facility_id")
#: The columns of a round's instalments table (schema.csv ``instalments``).
INSTALMENT_COLUMNS = ("programme_id", "year", "payment", "payment_remote", "budget", "description")
#: The graduates' columns of issue 13 (choice in rating order, statuses, couples) and the value each
#: has when not given: a column wholly at that value is left out of :meth:`Round.input_hash`, so a
#: round without them hashes as it did before they existed.
CHOICE_COLUMNS = {"rating": None, "status": "available", "status_reason": None, "partner_id": None}
#: Every column added to a table after the first stored rounds (issues 13 and 15) and the value it has
#: when not given: a column wholly at that value (or missing) is left out of :meth:`Round.input_hash`.
#: (The run store's round hash, :func:`allocator.store.tables.round_hash`, leaves out only
#: :data:`RULE_COLUMNS`: it kept issue 13's columns from the start.)
RULE_COLUMNS = {
    "graduates": {"birth_year": None, "age": None, "rural_quota": False},
    "facilities": {"remote": False, "closed_town": False, "ownership": "state"},
    "vacancies": {"source": None, "planned_date": None},
    "programmes": {"payment_remote": None, "funding": ("paid",), "closed_towns": False, "max_age": None,
                   "service_years": None, "benefits": (), "ownership": None},
}
HASH_NEUTRAL = {**RULE_COLUMNS, "graduates": {**CHOICE_COLUMNS, **RULE_COLUMNS["graduates"]}}


def empty_instalments() -> pd.DataFrame:
    """The instalments of a round without an instalments table: no rows, the schema's columns."""
    return pd.DataFrame({"programme_id": pd.Series(dtype=object), "year": pd.Series(dtype="Int64"),
                         "payment": pd.Series(dtype=float), "payment_remote": pd.Series(dtype=float),
                         "budget": pd.Series(dtype=float), "description": pd.Series(dtype=object)})


def empty_preferences() -> pd.DataFrame:
    """The preferences of a round without a preferences table: no rows, the schema's columns."""
    return pd.DataFrame({"graduate_id": pd.Series(dtype=object), "rank": pd.Series(dtype="Int64"),
                         "facility_id": pd.Series(dtype=object)})


@dataclass(frozen=True)
class Round:
    """Typed tables of a round.

    regions:     region_id, name, lat, lon, population, weight (filled), weight_basis
    facilities:  facility_id, name, region_id, lat, lon, rural, type, settlement_population
    vacancies:   facility_id, specialty, vacancies (as given; rows with 0 are harmless)
    graduates:   graduate_id, specialty, funding, home_region_id, lat, lon (filled from the
                 home region), sponsor_region_id, max_km (filled from the scenario, NaN = none),
                 rating (NaN = none), status (available | exempt | deferred, filled),
                 status_reason, partner_id (mutual, checked)
    programmes:  programme_id, name, payment, quota, budget, specialties (tuple),
                 region_id, max_settlement_population
    preferences: graduate_id, rank (integer, 1 = first choice), facility_id: each graduate's list of
                 facilities in the graduate's own specialty (checked: no rank or facility twice, a
                 vacancy of the specialty at each); no rows when the round has none
    """

    regions: pd.DataFrame
    facilities: pd.DataFrame
    vacancies: pd.DataFrame
    graduates: pd.DataFrame
    programmes: pd.DataFrame
    scenario: Scenario = Scenario()
    name: str = "round"
    settlements: pd.DataFrame | None = None
    roads: pd.DataFrame | None = None
    # Problems that do not stop a run but a planner should see (allocator.messages.Problem):
    # printed by the command line, shown by the UI and kept in summary.json["warnings"].
    warnings: tuple = ()
    # The staffing indicator table (allocator.indicators), one row per region id, when validation
    # computed it for default weights; the UI shows it instead of computing it again. Not an input:
    # it is derived from the folder's staffing data and is not part of input_hash.
    indicators: pd.DataFrame | None = None
    # Graduates' lists of facilities (schema.csv ``preferences``); no rows when the round has none.
    preferences: pd.DataFrame = field(default_factory=empty_preferences)
    # Later payments and yearly budgets of programmes (schema.csv ``instalments``); no rows when none.
    instalments: pd.DataFrame = field(default_factory=empty_instalments)

    def with_scenario(self, scenario: Scenario) -> "Round":
        """This round under other options (defaults that depend on them filled again)."""
        return apply_scenario(self, scenario)

    def input_hash(self) -> str:
        """SHA-256 of the typed tables and the options: same hash, same inputs."""
        digest = hashlib.sha256()
        for name in ("regions", "facilities", "vacancies", "graduates", "programmes"):
            frame = without_neutral_columns(name, getattr(self, name))
            digest.update(name.encode())
            digest.update(frame.to_csv(index=False, lineterminator="\n").encode())
        if self.preferences is not None and len(self.preferences):  # none: the hash of before issue 13
            digest.update(b"preferences")
            digest.update(self.preferences.to_csv(index=False, lineterminator="\n").encode())
        if self.instalments is not None and len(self.instalments):  # none: the hash of before issue 15
            digest.update(b"instalments")
            digest.update(self.instalments.to_csv(index=False, lineterminator="\n").encode())
        for extra in (self.settlements, self.roads):
            if extra is not None:
                digest.update(extra.to_csv(index=False, lineterminator="\n").encode())
        digest.update(repr(sorted(self.scenario.as_dict().items())).encode())
        return digest.hexdigest()


def without_neutral_columns(table: str, frame: pd.DataFrame, neutral: dict | None = None) -> pd.DataFrame:
    """The table without its ``neutral`` columns (default :data:`HASH_NEUTRAL`) that hold only
    their default value."""
    drop = []
    for col, default in (HASH_NEUTRAL if neutral is None else neutral).get(table, {}).items():
        if col in frame:
            values = frame[col]
            if default is None:
                at_default = values.isna().all()
            elif isinstance(default, tuple):
                items = values.map(lambda v: tuple(v) if isinstance(v, tuple) else ())
                at_default = items.map(lambda v, d=default: v in (d, ())).all()
            else:
                at_default = (values.fillna(default) == default).all()
            if at_default:
                drop.append(col)
    return frame.drop(columns=drop)

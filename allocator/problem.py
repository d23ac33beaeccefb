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

__all__ = ["CHOICE_COLUMNS", "DISTANCE_SOURCES", "PREFERENCE_COLUMNS", "SOLVERS", "Round", "Scenario",
           "empty_preferences"]

#: The columns of a round's preferences table (schema.csv ``preferences``).
PREFERENCE_COLUMNS = ("graduate_id", "rank", "facility_id")
#: The graduates' columns of issue 13 (choice in rating order, statuses, couples) and the value each
#: has when not given: a column wholly at that value is left out of :meth:`Round.input_hash`, so a
#: round without them hashes as it did before they existed.
CHOICE_COLUMNS = {"rating": None, "status": "available", "status_reason": None, "partner_id": None}


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

    def with_scenario(self, scenario: Scenario) -> "Round":
        """This round under other options (defaults that depend on them filled again)."""
        return apply_scenario(self, scenario)

    def input_hash(self) -> str:
        """SHA-256 of the typed tables and the options: same hash, same inputs."""
        digest = hashlib.sha256()
        for name in ("regions", "facilities", "vacancies", "graduates", "programmes"):
            frame = getattr(self, name)
            if name == "graduates":
                frame = _without_default_choice_columns(frame)
            digest.update(name.encode())
            digest.update(frame.to_csv(index=False, lineterminator="\n").encode())
        if self.preferences is not None and len(self.preferences):  # none: the hash of before issue 13
            digest.update(b"preferences")
            digest.update(self.preferences.to_csv(index=False, lineterminator="\n").encode())
        for extra in (self.settlements, self.roads):
            if extra is not None:
                digest.update(extra.to_csv(index=False, lineterminator="\n").encode())
        digest.update(repr(sorted(self.scenario.as_dict().items())).encode())
        return digest.hexdigest()


def _without_default_choice_columns(graduates: pd.DataFrame) -> pd.DataFrame:
    """The graduates without the :data:`CHOICE_COLUMNS` that hold only their default value."""
    drop = []
    for col, default in CHOICE_COLUMNS.items():
        if col in graduates:
            values = graduates[col]
            if (values.isna().all() if default is None else (values == default).all()):
                drop.append(col)
    return graduates.drop(columns=drop)

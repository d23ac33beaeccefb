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
from dataclasses import dataclass

import pandas as pd

from .scenario import DISTANCE_SOURCES, SOLVERS, Scenario, apply_scenario

__all__ = ["DISTANCE_SOURCES", "SOLVERS", "Round", "Scenario"]

@dataclass(frozen=True)
class Round:
    """Typed tables of a round.

    regions:     region_id, name, lat, lon, population, weight (filled), weight_basis
    facilities:  facility_id, name, region_id, lat, lon, rural, type, settlement_population
    vacancies:   facility_id, specialty, vacancies (as given; rows with 0 are harmless)
    graduates:   graduate_id, specialty, funding, home_region_id, lat, lon (filled from the
                 home region), sponsor_region_id, max_km (filled from the scenario, NaN = none)
    programmes:  programme_id, name, payment, quota, budget, specialties (tuple),
                 region_id, max_settlement_population
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

    def with_scenario(self, scenario: Scenario) -> "Round":
        """This round under other options (defaults that depend on them filled again)."""
        return apply_scenario(self, scenario)

    def input_hash(self) -> str:
        """SHA-256 of the typed tables and the options: same hash, same inputs."""
        digest = hashlib.sha256()
        for name in ("regions", "facilities", "vacancies", "graduates", "programmes"):
            frame = getattr(self, name)
            digest.update(name.encode())
            digest.update(frame.to_csv(index=False, lineterminator="\n").encode())
        for extra in (self.settlements, self.roads):
            if extra is not None:
                digest.update(extra.to_csv(index=False, lineterminator="\n").encode())
        digest.update(repr(sorted(self.scenario.as_dict().items())).encode())
        return digest.hexdigest()

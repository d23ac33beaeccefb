"""The validated, typed inputs of one allocation round.

A :class:`Round` is built only by :func:`allocator.validate.validate`; nothing
downstream re-checks raw input. It is frozen: models read it, never write it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Mapping

import pandas as pd

SOLVERS = ("cbc", "highs", "cpsat", "flow")
DISTANCE_SOURCES = ("geodesic", "road")


@dataclass(frozen=True)
class Scenario:
    """Options of a run: from ``scenario.toml``, overridden by the command line.

    ``max_km``: default largest home-to-post distance (None = unlimited).
    ``solver``: flow (default; exact, fast, see :mod:`allocator.flow`) | cbc | highs | cpsat.
    ``time_limit``: seconds for the whole
    lexicographic solve (None = no limit).  ``diminishing_returns``: use the
    convex piecewise-linear deficit penalty (see :mod:`allocator.model`).
    ``distances``: geodesic | road.  ``weights``: region_id -> weight
    overrides.  ``threads``: CBC and CP-SAT threads (1 keeps CP-SAT deterministic;
    HiGHS keeps its own process-wide pool).
    """

    max_km: float | None = None
    solver: str = "flow"
    time_limit: float | None = None
    diminishing_returns: bool = False
    distances: str = "geodesic"
    weights: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    threads: int = 1

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def replace(self, **changes) -> "Scenario":
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update({k: v for k, v in changes.items() if v is not None})
        return Scenario(**values)

    def as_dict(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["weights"] = dict(sorted(self.weights.items()))
        return out


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

    def with_scenario(self, scenario: Scenario) -> "Round":
        from .scenario import apply_scenario

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

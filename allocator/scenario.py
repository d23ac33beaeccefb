"""Options of a run and the defaults that depend on them.

``scenario.toml`` (or a workbook's ``scenario`` sheet, or the command line)
becomes a :class:`~allocator.problem.Scenario`; :func:`apply_scenario` then
fills what depends on it: each region's weight (given, else the staffing
indicators' default, else 1, then the scenario's overrides) and each
graduate's max_km (own, else the scenario's default).
"""

from __future__ import annotations

import math
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from .messages import InputError, Problem
from .problem import DISTANCE_SOURCES, SOLVERS, Round, Scenario


def apply_scenario(round_: Round, scenario: Scenario) -> Round:
    """Fill defaults that depend on options: region weights, graduates' max_km."""
    problems = check_scenario(scenario, "options")
    if problems:
        raise InputError(problems)
    regions = round_.regions.copy()
    given = regions["weight_given"] if "weight_given" in regions else regions["weight"]
    regions["weight_given"] = given
    weights, basis = _default_weights(regions)
    regions["weight"] = weights
    regions["weight_basis"] = basis
    unknown = sorted(set(scenario.weights) - set(regions["region_id"]))
    if unknown:
        raise InputError([Problem.of("scenario", None, "weights", "unknown_region", value=u) for u in unknown])
    override = regions["region_id"].map(dict(scenario.weights))
    regions.loc[override.notna(), "weight_basis"] = "scenario"
    regions["weight"] = override.fillna(regions["weight"]).astype(float)

    graduates = round_.graduates.copy()
    given_km = graduates["max_km_given"] if "max_km_given" in graduates else graduates["max_km"]
    graduates["max_km_given"] = given_km
    default = np.nan if scenario.max_km is None else float(scenario.max_km)
    graduates["max_km"] = given_km.fillna(default).astype(float)
    return Round(
        regions=regions,
        facilities=round_.facilities,
        vacancies=round_.vacancies,
        graduates=graduates,
        programmes=round_.programmes,
        scenario=scenario,
        name=round_.name,
        settlements=round_.settlements,
        roads=round_.roads,
        warnings=round_.warnings,
    )


def attach_indicator_weights(regions: pd.DataFrame, source: Path) -> None:
    """Default weights from the staffing indicators when the round folder has staffing data.

    The indicators package (``allocator.indicators``) reads ``staffing.csv`` or
    ``seed004/*.csv`` beside the round; without either, weights default to 1.
    """
    from .indicators.cli import indicator_table_for_round
    from .indicators.table import expand_formations

    if not Path(source).is_dir() or regions["weight"].notna().all():
        return
    try:
        table = indicator_table_for_round(Path(source))
    except FileNotFoundError:
        return
    table = expand_formations(table, regions["region_id"]).set_index("region_id")
    regions["indicator_weight"] = regions["region_id"].map(table["weight"]).astype(float)
    regions["indicator_basis"] = regions["region_id"].map(
        "KOMK group " + table["group"].astype(str)
    )


def _default_weights(regions: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Given weight, else the indicators package's default, else 1."""
    weight = regions["weight_given"].astype(float)
    basis = pd.Series(np.where(weight.notna(), "regions.csv", "default 1"), index=regions.index)
    if "indicator_weight" in regions:
        fill = weight.isna() & regions["indicator_weight"].notna()
        weight = weight.where(~fill, regions["indicator_weight"])
        basis = basis.where(~fill, regions.get("indicator_basis", "indicators"))
    return weight.fillna(1.0), basis


def scenario_from_mapping(data: dict, file: str) -> tuple[Scenario, list[Problem]]:
    problems: list[Problem] = []
    known = set(Scenario.keys())
    values = {}
    for key, value in data.items():
        if key not in known:
            problems.append(Problem.of(file, None, key, "unknown_option", known=", ".join(sorted(known))))
            continue
        values[key] = value
    if "weights" in values:
        w = values["weights"]
        if not isinstance(w, dict):
            problems.append(Problem.of(file, None, "weights", "weights_not_table"))
            values.pop("weights")
        else:
            values["weights"] = MappingProxyType({str(k): v for k, v in w.items()})
    try:
        return Scenario(**values), problems
    except TypeError as exc:  # pragma: no cover - keys checked above
        return Scenario(), problems + [Problem.of(file, None, None, "bad_option", error=str(exc))]


def check_scenario(s: Scenario, file: str) -> list[Problem]:
    problems = []

    def num(name, value, allow_none=True, minimum=0.0):
        if value is None and allow_none:
            return
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) or value < minimum:
            problems.append(Problem.of(file, None, name, "not_a_number_option", minimum=f"{minimum:g}", value=value))

    num("max_km", s.max_km)
    num("time_limit", s.time_limit)
    num("threads", s.threads, allow_none=False, minimum=1)
    if s.solver not in SOLVERS:
        problems.append(Problem.of(file, None, "solver", "not_one_of", allowed=", ".join(SOLVERS), value=s.solver))
    if s.distances not in DISTANCE_SOURCES:
        problems.append(Problem.of(file, None, "distances", "not_one_of",
                                   allowed=", ".join(DISTANCE_SOURCES), value=s.distances))
    if not isinstance(s.diminishing_returns, bool):
        problems.append(Problem.of(file, None, "diminishing_returns", "not_true_false"))
    for region, w in s.weights.items():
        if isinstance(w, bool) or not isinstance(w, (int, float)) or w < 0:
            problems.append(Problem.of(file, None, f"weights.{region}", "not_a_number_option", minimum="0", value=w))
    return problems

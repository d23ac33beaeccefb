"""Options of a run and the defaults that depend on them.

``scenario.toml`` (or a workbook's ``scenario`` sheet, or the command line)
becomes a :class:`~allocator.problem.Scenario`; :func:`apply_scenario` then
fills what depends on it (on any :class:`~allocator.problem.Round`: this
module does not import the Round, so there is no cycle): each region's weight (given, else the staffing
indicators' default, else 1, then the scenario's overrides) and each
graduate's max_km (own, else the scenario's default).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd

from .messages import InputError, Problem

SOLVERS = ("cbc", "highs", "cpsat", "flow")
DISTANCE_SOURCES = ("geodesic", "road")
#: How posts are distributed (issue 13): ``assign`` the planner's lexicographic model,
#: ``choice`` graduates choose in rating order and a commission places the rest (allocator.mechanisms.choice),
#: ``menu`` the same on the list of posts offered that does best (allocator.mechanisms.menu).
MECHANISMS = ("assign", "choice", "menu")
DEFAULT_MECHANISM = "assign"
#: Options of issue 15 left out of Scenario.as_dict while unset, so older rounds keep their hash.
UNSET_LEFT_OUT = ("year", "currency", "service_years", "vacancy_basis")
#: Funding types a scenario's service_years may name.
FUNDING = ("grant", "targeted", "paid")


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
    HiGHS keeps its own process-wide pool).  ``mechanism``: assign (default, the lexicographic
    model) | choice (graduates choose in rating order, :mod:`allocator.mechanisms.choice`) | menu
    (the posts offered chosen so that choice does best, :mod:`allocator.mechanisms.menu`); the
    default is left out of :meth:`as_dict`, so rounds run before the option existed keep their
    input hash and stored options.  ``year``: the round's calendar year (graduates' ages from
    ``birth_year``, ``service_until``).  ``currency``: the money unit of the round's payments and
    budgets as shown (₽, ₸, сом; None = no sign).  ``service_years``: funding type -> years of
    service an obligated graduate owes (grant = 3 in Kazakhstan); a programme's ``service_years``
    applies to those it pays.  ``vacancy_basis``: None = the folder's ``vacancies.csv``; a name X
    reads ``vacancies_X.csv`` instead (Penza: ``agreed_need``, the seed's ЦНИИОИЗ-agreed need). The
    four are left out of :meth:`as_dict` while unset.
    """

    max_km: float | None = None
    solver: str = "flow"
    time_limit: float | None = None
    diminishing_returns: bool = False
    distances: str = "geodesic"
    weights: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    threads: int = 1
    mechanism: str = DEFAULT_MECHANISM
    year: int | None = None
    currency: str | None = None
    service_years: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    vacancy_basis: str | None = None

    def __post_init__(self) -> None:
        # One number, one form: a whole-number option given as an int (scenario.toml's
        # max_km = 200) is the same option as the float the app or --max-km gives (200.0),
        # so the options, the summary and Round.input_hash are the same for both.
        for name in ("max_km", "time_limit"):
            object.__setattr__(self, name, _as_float(getattr(self, name)))
        weights = self.weights
        if isinstance(weights, Mapping):
            weights = {k: _as_float(v) for k, v in weights.items()}
            object.__setattr__(self, "weights", MappingProxyType(weights))
        if isinstance(self.service_years, Mapping):
            object.__setattr__(self, "service_years", MappingProxyType(dict(self.service_years)))

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        """The option names, in field order (the keys ``scenario.toml`` may hold)."""
        return tuple(f.name for f in fields(cls))

    def replace(self, **changes) -> "Scenario":
        """A copy with ``changes`` applied; a change of None keeps the current value."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update({k: v for k, v in changes.items() if v is not None})
        return Scenario(**values)

    def as_dict(self) -> dict:
        """Every option by name, ``weights`` as a plain dict sorted by region_id (for JSON and the store).

        ``mechanism`` only when it is not the default ``assign``: the options (and so
        ``Round.input_hash``) of an assign run are what they were before the option existed.
        """
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["weights"] = dict(sorted(self.weights.items()))
        if out["mechanism"] == DEFAULT_MECHANISM:
            del out["mechanism"]
        out["service_years"] = dict(sorted(self.service_years.items()))
        for name in UNSET_LEFT_OUT:
            if not out[name]:
                del out[name]
        return out


def _as_float(value):
    """An int option as the float it stands for; anything else (None, a float, a bool, a bad
    value for check_scenario to report) unchanged."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return float(value)
    return value


def apply_scenario(round_, scenario: Scenario):
    """Fill defaults that depend on options: region weights, graduates' max_km."""
    problems = check_scenario(scenario, "options") + check_scale(round_.vacancies, scenario, "options")
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
    return dataclasses.replace(round_, regions=regions, graduates=graduates, scenario=scenario)


def attach_indicator_weights(regions: pd.DataFrame, source: Path) -> pd.DataFrame | None:
    """Default weights from the staffing indicators when the round folder has staffing data.

    The indicators package (``allocator.indicators``) reads ``staffing.csv`` or
    ``seed004/*.csv`` beside the round; without either, weights default to 1.
    Computed only when some region has no weight. Returns the indicator table
    aligned to the round's region ids (kept as ``Round.indicators``, so the UI
    does not compute it again), or None when it was not computed.

    Adds ``weight_caveat_ru`` and ``weight_caveat_en`` when some region's default
    weight comes from the indicators and its KOMK group rests on the seed's
    misprints (:func:`allocator.indicators.caveats.group_caveats`); other
    regions hold empty strings there. Without such a region the columns are
    absent, so the input hash of every other round stays as it was.
    """
    from .indicators.caveats import CAVEAT_COLUMNS, group_caveats
    from .indicators.for_round import indicator_table_for_round
    from .indicators.table import expand_formations

    if not Path(source).is_dir() or regions["weight"].notna().all():
        return None
    try:
        table = indicator_table_for_round(Path(source))
    except FileNotFoundError:
        return None
    table = expand_formations(table, regions["region_id"])
    by_region = table.set_index("region_id")
    regions["indicator_weight"] = regions["region_id"].map(by_region["weight"]).astype(float)
    regions["indicator_basis"] = regions["region_id"].map(
        "KOMK group " + by_region["group"].astype(str)
    )
    caveats = expand_formations(group_caveats(Path(source)), regions["region_id"]).set_index("region_id")
    from_indicators = regions["weight"].isna()
    texts = {c: regions["region_id"].map(caveats[c]).fillna("").where(from_indicators, "") for c in CAVEAT_COLUMNS}
    if any((t != "").any() for t in texts.values()):
        for column, text in texts.items():
            regions[column] = text
    return table


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
    """A :class:`Scenario` from a parsed ``scenario.toml`` (``file`` names it in problems).

    Returns the scenario and the problems found: unknown keys are reported and
    dropped, ``weights`` must be a table. Values are range-checked later by
    :func:`check_scenario`.
    """
    problems: list[Problem] = []
    known = set(Scenario.keys())
    values = {}
    for key, value in data.items():
        if key not in known:
            problems.append(Problem.of(file, None, shown_name(key), "unknown_option", known=", ".join(sorted(known))))
            continue
        values[key] = value
    if "service_years" in values and not isinstance(values["service_years"], dict):
        problems.append(Problem.of(file, None, "service_years", "service_years_not_table"))
        values.pop("service_years")
    elif "service_years" in values:
        values["service_years"] = MappingProxyType({str(k): v for k, v in values["service_years"].items()})
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


#: Largest ``max_km`` option: the Earth's circumference (km), as in ``schema.csv``.
MAX_KM = 40075.0
#: Largest region weight given in ``[weights]``, as in ``schema.csv``.
MAX_WEIGHT = 1e30  # any unit a planner may use; the solvers scale weights from the data (allocator.scaling)
#: Solver threads: a whole number in this range.
THREADS = (1, 256)
#: Largest ``time_limit``, seconds (a year).
MAX_TIME_LIMIT = 365 * 24 * 3600.0
#: With diminishing returns every vacancy is one segment of the penalty (one
#: variable or arc each); above this many vacancies the model does not fit in
#: memory, so the round is refused before any allocation.
MAX_SEGMENTS = 2_000_000


def shown_name(name) -> str:
    """A key as a problem may name it: control characters escaped as repr does, other text as is."""
    name = str(name)
    return repr(name)[1:-1] if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in name) else name


def _is_number(value) -> bool:
    """A real, finite number (bool, NaN and infinities are not)."""
    return (not isinstance(value, bool) and isinstance(value, (int, float))
            and math.isfinite(value))


def check_scenario(s: Scenario, file: str) -> list[Problem]:
    """Every problem of the options: each number finite and in range, each choice known.

    Guaranteed after an empty result: ``max_km`` (if set) in 0..40075,
    ``time_limit`` (if set) in 0..one year, ``threads`` an int in 1..256,
    every weight a finite number in 0..1e30, ``diminishing_returns`` a bool.
    """
    problems = []

    def num(name, value, maximum, allow_none=True, minimum=0.0):
        """Add a problem when ``value`` is not a finite number in ``minimum..maximum``
        (None passes when ``allow_none``).
        """
        if value is None and allow_none:
            return
        if not _is_number(value) or not minimum <= value <= maximum:
            problems.append(Problem.of(file, None, name, "option_out_of_range", minimum=f"{minimum:g}",
                                       maximum=f"{maximum:g}", value=value))

    num("max_km", s.max_km, MAX_KM)
    num("time_limit", s.time_limit, MAX_TIME_LIMIT)
    low, high = THREADS
    if isinstance(s.threads, bool) or not isinstance(s.threads, int) or not low <= s.threads <= high:
        problems.append(Problem.of(file, None, "threads", "not_whole_in_range", minimum=low, maximum=high,
                                   value=s.threads))
    if s.solver not in SOLVERS:
        problems.append(Problem.of(file, None, "solver", "not_one_of", allowed=", ".join(SOLVERS), value=s.solver))
    if s.distances not in DISTANCE_SOURCES:
        problems.append(Problem.of(file, None, "distances", "not_one_of",
                                   allowed=", ".join(DISTANCE_SOURCES), value=s.distances))
    if s.mechanism not in MECHANISMS:
        problems.append(Problem.of(file, None, "mechanism", "not_one_of", allowed=", ".join(MECHANISMS),
                                   value=s.mechanism))
    if not isinstance(s.diminishing_returns, bool):
        problems.append(Problem.of(file, None, "diminishing_returns", "not_true_false"))
    for region, w in s.weights.items():
        num(f"weights.{shown_name(region)}", w, MAX_WEIGHT)
    if s.year is not None and (isinstance(s.year, bool) or not isinstance(s.year, int) or not 1900 <= s.year <= 2100):
        problems.append(Problem.of(file, None, "year", "not_whole_in_range", minimum=1900, maximum=2100,
                                   value=s.year))
    if s.currency is not None and (not isinstance(s.currency, str) or not 0 < len(s.currency.strip()) <= 12):
        problems.append(Problem.of(file, None, "currency", "bad_currency", value=s.currency))
    for funding, years in s.service_years.items():
        if funding not in FUNDING:
            problems.append(Problem.of(file, None, f"service_years.{shown_name(funding)}", "not_one_of",
                                       allowed=", ".join(FUNDING), value=funding))
        elif isinstance(years, bool) or not isinstance(years, int) or not 0 <= years <= 50:
            problems.append(Problem.of(file, None, f"service_years.{funding}", "not_whole_in_range",
                                       minimum=0, maximum=50, value=years))
    return problems


def check_scale(vacancies: pd.DataFrame, s: Scenario, file: str) -> list[Problem]:
    """With diminishing returns, at most :data:`MAX_SEGMENTS` vacancies in all (one segment each)."""
    if s.diminishing_returns is not True:
        return []
    total = int(pd.to_numeric(vacancies["vacancies"], errors="coerce").fillna(0).sum())
    if total <= MAX_SEGMENTS:
        return []
    return [Problem.of(file, None, "diminishing_returns", "too_many_segments", segments=total,
                       limit=MAX_SEGMENTS)]

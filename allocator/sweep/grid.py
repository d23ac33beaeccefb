"""The grid file of a sweep: what to vary, checked against the round before anything runs.

``GRID.toml`` holds a ``[grid]`` table, an array ``[[scenario]]`` of named
scenarios, or both. A key is one of

* a scenario option (a field of :class:`allocator.scenario.Scenario` but
  ``weights``): ``max_km``, ``solver``, ``time_limit``, ``diminishing_returns``,
  ``distances``, ``threads``;
* ``programme.<programme_id>.<quota|budget|payment>``: one figure of one
  support programme (quota in people, budget and payment in the round's money);
* ``weight.<region_id>``: one region's weight (as a scenario's ``[weights]``);
* ``weight_group.<I..V>``: the weight of a KOMK group, given to every region
  whose weight is the staffing indicators' default for that group (a weight
  given in ``regions.csv`` or in the round's ``scenario.toml`` stays; a
  ``weight.<region_id>`` of the same scenario wins over its group).

In ``[grid]`` every value is a list; the sweep is the Cartesian product of the
lists, in file order with the first key varying slowest, and the scenarios are
named ``s001``, ``s002``, ... in that order (more digits past 999). A
``[[scenario]]`` entry gives one value per key and an optional ``name``
(default ``n001``, ... in file order); named scenarios follow the grid's.
Dotted keys may be written as nested tables or quoted (``"weight.kamensky"``).

Every key and value is checked (:func:`expand`) against the loaded round; a
problem names the file and the key with its position: ``grid.max_km[2]`` is the
second value of ``max_km`` in ``[grid]``, ``scenario[3].solver`` the solver of
the third ``[[scenario]]``. Option values go through the same check as a
``scenario.toml`` (:func:`allocator.scenario.check_scenario`); programme figures
through the bounds of ``schema.csv`` (money at most
:data:`allocator.scaling.MONEY_DIGITS` significant digits, kept exactly).
"""

from __future__ import annotations

import itertools
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from ..indicators.groups import GROUP_LABELS
from ..io import decode
from ..messages import InputError, Problem
from ..scaling import MONEY_DIGITS, significant_digits
from ..scenario import Scenario, check_scenario, shown_name
from ..schema import columns

#: Scenario options a grid may vary (``weights`` is varied per region: ``weight.<region_id>``).
OPTION_KEYS = tuple(k for k in Scenario.keys() if k != "weights")
#: Programme figures a grid may vary.
PROGRAMME_FIELDS = ("quota", "budget", "payment")
#: Most scenarios in one sweep.
MAX_SCENARIOS = 100_000
#: A scenario's name is a folder name (``DIR/<scenario>/``): these characters, not starting with a dot.
NAME_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")
#: Names a scenario may not take (they are files of the sweep's folder).
RESERVED_NAMES = frozenset({"scenarios.csv"})


@dataclass(frozen=True)
class GridFile:
    """A parsed grid file: ``grid`` key -> list of values (file order), ``scenarios`` the named entries.

    Values are not yet checked against a round (:func:`expand` does that).
    """

    file: str
    grid: dict
    scenarios: tuple[dict, ...]


@dataclass(frozen=True)
class ScenarioSpec:
    """One scenario of a sweep: its name, its position and the values it sets (key -> value)."""

    index: int
    name: str
    values: dict  # a plain dict: a spec is pickled to the workers

    def value(self, key: str, default=None):
        """The value this scenario sets for ``key`` (``default`` when it does not set it)."""
        return self.values.get(key, default)


def read_grid(path: str | Path) -> GridFile:
    """Parse ``path`` into a :class:`GridFile`; raise :class:`InputError` for what is not a grid file.

    Checks the structure only (tables, lists, scalars, names); values are
    checked against the round by :func:`expand`.
    """
    path = Path(path)
    file = str(path)
    try:
        data = tomllib.loads(decode(path.read_bytes()))
    except FileNotFoundError:
        raise InputError(Problem.of(file, None, None, "no_such_path")) from None
    except (tomllib.TOMLDecodeError, OSError, UnicodeError) as exc:
        raise InputError(Problem.of(file, None, None, "toml_unreadable", error=exc)) from None
    return grid_from_mapping(data, file)


def grid_from_mapping(data: dict, file: str) -> GridFile:
    """A :class:`GridFile` from a parsed TOML document (``file`` names it in problems)."""
    problems: list[Problem] = []
    for key in data:
        if key not in ("grid", "scenario"):
            problems.append(Problem.of(file, None, shown_name(key), "cli_sweep_unknown_table"))
    grid: dict = {}
    raw_grid = data.get("grid", {})
    if not isinstance(raw_grid, dict):
        problems.append(Problem.of(file, None, "grid", "cli_sweep_not_table"))
        raw_grid = {}
    for key, values in _flatten(raw_grid):
        where = f"grid.{shown_name(key)}"
        if not isinstance(values, list):
            problems.append(Problem.of(file, None, where, "cli_sweep_not_list"))
        elif not values:
            problems.append(Problem.of(file, None, where, "cli_sweep_empty_list"))
        else:
            grid[key] = values
    scenarios: list[dict] = []
    raw_scenarios = data.get("scenario", [])
    if not isinstance(raw_scenarios, list) or not all(isinstance(s, dict) for s in raw_scenarios):
        problems.append(Problem.of(file, None, "scenario", "cli_sweep_scenario_not_array"))
        raw_scenarios = []
    for pos, entry in enumerate(raw_scenarios, start=1):
        values = {}
        for key, value in _flatten(entry):
            where = f"scenario[{pos}].{shown_name(key)}"
            if isinstance(value, (list, dict)):
                problems.append(Problem.of(file, None, where, "cli_sweep_not_scalar"))
            else:
                values[key] = value
        scenarios.append(values)
    if not grid and not scenarios and not problems:
        problems.append(Problem.of(file, None, None, "cli_sweep_empty"))
    if problems:
        raise InputError(problems)
    return GridFile(file=file, grid=grid, scenarios=tuple(scenarios))


def _flatten(table: dict, prefix: str = ""):
    """(dotted key, value) of a TOML table, nested tables joined with dots, in file order."""
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, name + ".")
        else:
            yield name, value


def keys_of(grid: GridFile) -> list[str]:
    """Every key the sweep varies, in order: the grid's, then the named scenarios' new ones (not ``name``)."""
    keys = list(grid.grid)
    for entry in grid.scenarios:
        keys += [k for k in entry if k != "name" and k not in keys]
    return keys


def expand(grid: GridFile, round_) -> list[ScenarioSpec]:
    """Every scenario of ``grid`` (the product of ``[grid]``, then ``[[scenario]]``), checked against
    ``round_`` (an :class:`allocator.problem.Round`); raise :class:`InputError` listing every problem."""
    problems: list[Problem] = []
    for key, values in grid.grid.items():
        for pos, value in enumerate(values, start=1):
            problems += check_value(round_, key, value, grid.file, f"grid.{shown_name(key)}[{pos}]")
    names: list[str] = []
    for pos, entry in enumerate(grid.scenarios, start=1):
        for key, value in entry.items():
            if key == "name":
                if not isinstance(value, str) or not NAME_PATTERN.fullmatch(value) or value in RESERVED_NAMES:
                    problems.append(Problem.of(grid.file, None, f"scenario[{pos}].name", "cli_sweep_bad_name",
                                               value=shown_name(value)))
                continue
            problems += check_value(round_, key, value, grid.file, f"scenario[{pos}].{shown_name(key)}")
    size = math.prod(len(v) for v in grid.grid.values()) if grid.grid else 0
    total = size + len(grid.scenarios)
    if total > MAX_SCENARIOS:
        problems.append(Problem.of(grid.file, None, None, "cli_sweep_too_many", n=total, limit=MAX_SCENARIOS))
    if problems:
        raise InputError(problems)

    specs: list[ScenarioSpec] = []
    width = max(3, len(str(size)))
    for index, combo in enumerate(itertools.product(*grid.grid.values()) if grid.grid else ()):
        specs.append(ScenarioSpec(index, f"s{index + 1:0{width}d}", dict(zip(grid.grid, combo))))
    width = max(3, len(str(len(grid.scenarios))))
    for pos, entry in enumerate(grid.scenarios, start=1):
        name = entry.get("name") or f"n{pos:0{width}d}"
        values = {k: v for k, v in entry.items() if k != "name"}
        specs.append(ScenarioSpec(len(specs), name, values))
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            names.append(spec.name)
        seen.add(spec.name)
    if names:
        raise InputError([Problem.of(grid.file, None, "name", "cli_sweep_duplicate_name", value=n)
                          for n in dict.fromkeys(names)])
    return specs


def check_value(round_, key: str, value, file: str, where: str) -> list[Problem]:
    """Problems of one value of one key against ``round_`` (``where`` names the key and position)."""
    kind, target, field = split_key(key)
    if kind == "option":
        if target not in OPTION_KEYS:
            return [_unknown_key(file, where)]
        found = check_scenario(Scenario().replace(**{target: value}), file)
        return [_at(p, where) for p in found if p.column == target]
    if kind == "programme":
        known = list(round_.programmes["programme_id"])
        if target not in known:
            return [Problem.of(file, None, where, "cli_sweep_unknown_programme", value=shown_name(target),
                               known=", ".join(known) or "-")]
        if field not in PROGRAMME_FIELDS:
            return [Problem.of(file, None, where, "cli_sweep_unknown_field", value=shown_name(field),
                               allowed=", ".join(PROGRAMME_FIELDS))]
        return _check_programme_figure(field, value, file, where)
    if kind == "weight":
        if target not in set(round_.regions["region_id"]):
            return [Problem.of(file, None, where, "cli_sweep_unknown_region", value=shown_name(target))]
        return _check_weight(value, file, where)
    if kind == "weight_group":
        if target not in GROUP_LABELS:
            return [Problem.of(file, None, where, "cli_sweep_unknown_group", value=shown_name(target),
                               allowed=", ".join(GROUP_LABELS))]
        if "indicator_weight" not in round_.regions or round_.regions["indicator_weight"].isna().all():
            return [Problem.of(file, None, where, "cli_sweep_no_groups")]
        return _check_weight(value, file, where)
    return [_unknown_key(file, where)]


def split_key(key: str) -> tuple[str, str | None, str | None]:
    """(kind, target, field) of a grid key: ("option", "max_km", None), ("programme", id, "budget"),
    ("weight", region_id, None), ("weight_group", "II", None); kind "unknown" when it is none of them."""
    head, dot, rest = key.partition(".")
    if not dot:
        return "option", key, None
    if head == "programme":
        programme, dot, field = rest.rpartition(".")
        return ("programme", programme, field) if dot and programme else ("unknown", None, None)
    if head in ("weight", "weight_group") and rest:
        return head, rest, None
    return "unknown", None, None


def _unknown_key(file: str, where: str) -> Problem:
    return Problem.of(file, None, where, "cli_sweep_unknown_key", options=", ".join(OPTION_KEYS))


def _at(problem: Problem, where: str) -> Problem:
    """``problem`` (its texts in both languages) moved to the grid key ``where``."""
    return Problem(problem.file, None, where, problem.message, problem.message_ru, problem.code)


def _check_weight(value, file: str, where: str) -> list[Problem]:
    found = check_scenario(Scenario().replace(weights=MappingProxyType({"w": value})), file)
    return [_at(p, where) for p in found if p.column == "weights.w"]


def _is_number(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def _check_programme_figure(field: str, value, file: str, where: str) -> list[Problem]:
    """A programme figure within the bounds of ``schema.csv``: quota whole, money exact."""
    col = next(c for c in columns("programmes") if c.name == field)
    low = 0.0 if col.minimum is None else col.minimum
    high = math.inf if col.maximum is None else col.maximum
    if col.dtype == "int":
        if not _is_number(value) or value != int(value) or not low <= value <= high:
            return [Problem.of(file, None, where, "not_whole_in_range", minimum=f"{low:g}", maximum=f"{high:g}",
                               value=value)]
        return []
    if not _is_number(value) or not low <= value <= high:
        return [Problem.of(file, None, where, "option_out_of_range", minimum=f"{low:g}", maximum=f"{high:g}",
                           value=value)]
    digits = significant_digits(str(value) if isinstance(value, int) else repr(float(value)))
    if (digits or 0) > MONEY_DIGITS:
        return [Problem.of(file, None, where, "money_inexact", digits=MONEY_DIGITS, value=value)]
    return []

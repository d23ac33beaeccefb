"""Validation at the boundary: raw text tables in, a typed :class:`Round` out.

Every problem is collected with its file, row and column before refusing, so
a planner fixes the whole file in one pass. Row numbers are as a spreadsheet
shows them: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from .io import RawRound, parse_numbers, read_round, read_typed_csv
from .messages import render
from .problem import DISTANCE_SOURCES, SOLVERS, Round, Scenario
from .schema import OPTIONAL_TABLES, TABLES, Column, columns

TRUE = {"true", "1", "yes", "y", "да", "д", "истина", "t"}
FALSE = {"false", "0", "no", "n", "нет", "н", "ложь", "f"}


@dataclass(frozen=True)
class Problem:
    """One input problem: where (file, spreadsheet row, column) and what, in EN and RU."""

    file: str
    row: int | None
    column: str | None
    message: str
    message_ru: str = ""
    code: str = ""

    @classmethod
    def of(cls, file: str, row: int | None, column: str | None, code: str, **params) -> "Problem":
        """A problem from a code of :data:`allocator.messages.MESSAGES`."""
        en, ru = render(code, **params)
        return cls(file, row, column, en, ru, code)

    def text(self, lang: str = "en") -> str:
        return self.message_ru if lang == "ru" and self.message_ru else self.message

    def line(self, lang: str = "en") -> str:
        ru = lang == "ru"
        where = self.file
        if self.row is not None:
            where += f", {'строка' if ru else 'row'} {self.row}"
        if self.column:
            where += f", {'столбец' if ru else 'column'} '{self.column}'"
        return f"{where}: {self.text(lang)}"

    def __str__(self) -> str:
        return self.line("en")


class InputError(ValueError):
    """Bad input; ``problems`` lists every one found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.report("en"))

    def report(self, lang: str = "en", limit: int = 50) -> str:
        """Every problem, one per line, in English or Russian."""
        ru = lang == "ru"
        head = (f"Ошибок во входных данных: {len(self.problems)}" if ru
                else f"{len(self.problems)} problem(s) in the input:")
        lines = [f"  - {p.line(lang)}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            rest = len(self.problems) - limit
            lines.append(f"  ... {'и ещё' if ru else 'and'} {rest} {'' if ru else 'more'}".rstrip())
        return "\n".join([head, *lines])


def load_round(path: str | Path, scenario: Scenario | None = None, **overrides) -> Round:
    """Read and validate a round folder or workbook; raise :class:`InputError`."""
    raw = read_round(path)
    return validate(raw, scenario=scenario, **overrides)


def validate(raw: RawRound, scenario: Scenario | None = None, **overrides) -> Round:
    problems = list(raw.problems)
    typed: dict[str, pd.DataFrame] = {}
    for table in TABLES:
        file = raw.files.get(table, f"{table}.csv")
        if table not in raw.tables:
            if table not in OPTIONAL_TABLES and not raw.problems:
                problems.append(Problem.of(file, None, None, "table_missing"))
            typed[table] = _empty(table)
            continue
        frame, found = _type_table(table, raw.tables[table], file)
        problems += found
        if frame.empty and table not in OPTIONAL_TABLES:
            problems.append(Problem.of(file, None, None, "table_empty"))
        typed[table] = frame
    if not any(p.code in ("table_missing", "column_missing", "table_empty") for p in problems):
        problems += _check_keys(typed, raw.files)  # cross-table checks need every table whole
    base, found = _scenario_from(raw.scenario, raw.scenario_file or "scenario.toml")
    problems += found
    if scenario is not None:
        base = scenario
    base = base.replace(**overrides)
    problems += _check_scenario(base, raw.scenario_file or "options")
    settlements, roads = None, None
    if base.distances == "road":
        if not {"settlements.csv", "roads.csv"} <= set(raw.extra_files):
            problems.append(
                Problem.of(str(raw.source), None, None, "road_files_missing")
            )
        else:
            settlements = read_typed_csv(raw.extra_files["settlements.csv"])
            roads = read_typed_csv(raw.extra_files["roads.csv"])
    if problems:
        raise InputError(problems)
    typed = {name: frame.reset_index(drop=True) for name, frame in typed.items()}
    _attach_indicator_weights(typed["regions"], raw.source)
    round_ = Round(
        regions=typed["regions"],
        facilities=typed["facilities"],
        vacancies=typed["vacancies"],
        graduates=typed["graduates"],
        programmes=typed["programmes"],
        name=Path(raw.source).stem,
        settlements=settlements,
        roads=roads,
    )
    return apply_scenario(round_, base)


def apply_scenario(round_: Round, scenario: Scenario) -> Round:
    """Fill defaults that depend on options: region weights, graduates' max_km."""
    problems = _check_scenario(scenario, "options")
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
    )


def _attach_indicator_weights(regions: pd.DataFrame, source: Path) -> None:
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


# --------------------------------------------------------------------------- typing


def _empty(table: str) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=_pandas_dtype(c)) for c in columns(table)})


def _pandas_dtype(col: Column) -> str:
    return {"int": "Int64", "float": "float64", "bool": "bool", "list": "object"}.get(col.dtype, "object")


def _type_table(table: str, frame: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Typed copy of one table; the index stays the file's (row = index + 2)."""
    problems: list[Problem] = []
    twice = frame.columns.duplicated()
    for name in dict.fromkeys(frame.columns[twice]):
        problems.append(Problem.of(file, 1, name, "column_twice"))
    frame = frame.loc[:, ~twice]
    frame = frame.loc[~(frame == "").all(axis=1)]  # separator-only lines Excel leaves at the end
    rows = frame.index.to_numpy() + 2
    data: dict[str, pd.Series] = {}
    for col in columns(table):
        if col.name in frame.columns:
            data[col.name], found = _convert(col, frame[col.name], rows, file)
            problems += found
        else:
            if col.required:
                problems.append(Problem.of(file, None, col.name, "column_missing"))
            data[col.name] = _convert(col, pd.Series("", index=frame.index), rows, file)[0]
    known = set(data)
    for c in frame.columns:  # extra columns (e.g. notes) are kept for the user, never read
        if c and c not in known:
            data[c] = frame[c]
    out = pd.DataFrame(data, index=frame.index)
    key = columns(table)[0]
    if key.dtype == "id":
        dup = out[key.name].duplicated(keep="first") & out[key.name].notna()
        for idx in out.index[dup]:
            problems.append(Problem.of(file, int(idx) + 2, key.name, "duplicate_id", value=out.at[idx, key.name]))
    return out, problems


def _convert(col: Column, text: pd.Series, rows: np.ndarray, file: str):
    text = text.fillna("").astype(str).str.strip()
    empty = text == ""
    problems: list[Problem] = []

    def bad(mask, code, **params):
        for r, v in zip(rows[mask.to_numpy()], text[mask]):
            problems.append(Problem.of(file, int(r), col.name, code, value=v, **params))

    if col.required:
        bad(empty, "required")
    kind = "id" if col.dtype.startswith("ref:") else col.dtype
    if kind in ("id", "str"):
        values = text.where(~empty, None).astype(object)
    elif kind in ("int", "float"):
        values = parse_numbers(text)
        bad(values.isna() & ~empty, "not_a_number")
        ok = values.notna()
        if kind == "int":
            frac = ok & (values != values.round())
            bad(frac, "not_whole")
            values = values.where(~frac)
        if col.minimum is not None:
            below = ok & (values < col.minimum)
            bad(below, "below_minimum", minimum=f"{col.minimum:g}")
        if col.maximum is not None:
            above = ok & (values > col.maximum)
            bad(above, "above_maximum", maximum=f"{col.maximum:g}")
        values = values.round().astype("Int64") if kind == "int" else values.astype(float)
    elif kind == "bool":
        low = text.str.lower()
        bad(~empty & ~low.isin(TRUE | FALSE), "not_boolean")
        values = low.isin(TRUE)
    elif kind == "list":
        values = text.map(lambda v: tuple(sorted({p.strip() for p in v.split(";") if p.strip()})))
    else:  # pragma: no cover - schema error
        raise ValueError(f"unknown dtype {col.dtype}")
    if col.allowed:
        outside = ~empty & ~text.isin(col.allowed)
        bad(outside, "not_allowed", allowed=", ".join(col.allowed))
    return pd.Series(values.to_numpy(), index=text.index), problems


def _check_keys(typed: dict[str, pd.DataFrame], files: dict[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    for table, frame in typed.items():
        file = files.get(table, f"{table}.csv")
        for col in columns(table):
            ref = col.reference
            if ref is None or col.name not in frame:
                continue
            known = set(typed[ref[0]][ref[1]].dropna())
            values = frame[col.name]
            missing = values.notna() & ~values.isin(known)
            for idx in frame.index[missing]:
                problems.append(
                    Problem.of(file, int(idx) + 2, col.name, "unknown_reference",
                               value=values[idx], key=ref[1], table=ref[0])
                )
    grads = typed["graduates"]
    need = (grads["funding"] == "targeted") & grads["sponsor_region_id"].isna()
    for idx in grads.index[need]:
        problems.append(Problem.of(files.get("graduates", "graduates.csv"), int(idx) + 2,
                                   "sponsor_region_id", "sponsor_required"))
    half = grads["lat"].isna() != grads["lon"].isna()
    for idx in grads.index[half]:
        problems.append(Problem.of(files.get("graduates", "graduates.csv"), int(idx) + 2,
                                   "lat" if pd.isna(grads.at[idx, "lat"]) else "lon", "half_coordinates"))
    vac = typed["vacancies"]
    dup = vac.duplicated(["facility_id", "specialty"], keep="first") & vac["facility_id"].notna()
    for idx in vac.index[dup]:
        problems.append(Problem.of(files.get("vacancies", "vacancies.csv"), int(idx) + 2, "specialty",
                                   "specialty_twice", facility=vac.at[idx, "facility_id"],
                                   specialty=vac.at[idx, "specialty"]))
    if not problems:
        _fill_home(typed)
    return problems


def _fill_home(typed: dict[str, pd.DataFrame]) -> None:
    """A graduate without home coordinates lives at the home region's centre."""
    grads, regions = typed["graduates"], typed["regions"]
    centre = regions.set_index("region_id")[["lat", "lon"]]
    for axis in ("lat", "lon"):
        grads[axis] = grads[axis].astype(float).fillna(grads["home_region_id"].map(centre[axis]))


# ------------------------------------------------------------------------ scenario


def _scenario_from(data: dict, file: str) -> tuple[Scenario, list[Problem]]:
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


def _check_scenario(s: Scenario, file: str) -> list[Problem]:
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


def round_from_frames(regions: pd.DataFrame, facilities: pd.DataFrame, vacancies: pd.DataFrame,
                      graduates: pd.DataFrame, programmes: pd.DataFrame | None = None,
                      scenario: Scenario | None = None, **overrides) -> Round:
    """Validate in-memory tables exactly as files are validated (the Python API)."""
    raw = RawRound(source=Path("frames"))
    given = {"regions": regions, "facilities": facilities, "vacancies": vacancies,
             "graduates": graduates, "programmes": programmes}
    for name, frame in given.items():
        if frame is None:
            continue
        text = frame.astype(object).where(frame.notna(), "").astype(str)
        text.columns = [str(c).strip().lower() for c in text.columns]
        raw.tables[name] = text.reset_index(drop=True)
        raw.files[name] = name
    return validate(raw, scenario=scenario, **overrides)

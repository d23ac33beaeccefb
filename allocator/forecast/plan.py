"""A plan folder (CSV files) or workbook (one sheet per table), read and checked before anything runs.

Tables and columns are those of ``allocator/forecast/schema.csv`` (the project's one schema
format; docs/forecast.md lists them): ``regions``, ``workforce``, ``training``, ``exits`` and
either ``need`` or ``population`` with ``norms``; ``pipeline``, ``caps`` and ``obligations`` are optional. The
options are ``forecast.toml`` (or a ``forecast`` sheet of key, value rows):

* ``base_year`` (required) and ``horizon`` (years after it, required, 1..100);
* ``plan``: none | seed004 | optimal (default optimal); ``seed004_share`` (default 0.3);
* ``budget``: money a year for new admissions (each charged its whole course cost in the year of
  admission), one number for every year or a table ``year = amount``; empty = no limit;
* ``discount``: yearly discount rate of later deficits (default 0);
* ``leave_after_service``: the share of the staff in ``obligations.csv`` who leave when their service
  obligation ends, where a row gives no ``leave_share`` (default 0: a what-if input; no public
  figure is known);
* ``currency``: the sign money is shown with ("₽", "₸", "сом"; default none), as a round's;
* ``gap``: the relative MIP gap the optimiser may stop at (default 0: proven optimal); ``time_limit``:
  seconds for the optimiser (default :data:`DEFAULT_TIME_LIMIT`; then the best plan found is
  reported with its proven gap).

Every problem names the file (or sheet), the row and the column, in English and Russian; all are
reported at once (:class:`allocator.messages.InputError`).
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

import pandas as pd

from medstaff_core.schema import Column, load_schema
from medstaff_core.schema import markdown as schema_markdown

from ..io import Layout, read_tables
from ..messages import InputError, Problem, render
from ..scaling import exact_money, money_text
from ..validate import type_table

TABLES = ("regions", "workforce", "need", "population", "norms", "pipeline", "training", "caps", "exits",
          "obligations")
REQUIRED_TABLES = ("regions", "workforce", "training", "exits")
PLANS = ("none", "seed004", "optimal")
OPTION_TYPES = {"base_year": "int", "horizon": "int", "plan": "str", "seed004_share": "float",
                "budget": "float", "discount": "float", "time_limit": "float", "gap": "float",
                "leave_after_service": "float", "currency": "str"}
LAYOUT = Layout(TABLES, "forecast", (), OPTION_TYPES)
#: Seconds the optimiser gets unless the plan or the command line says otherwise.
DEFAULT_TIME_LIMIT = 120.0
#: The ages an age band stands for: "<30" is 25..29, "N+" is N..N+4 (single ages as given).
OPEN_BAND_YEARS = 5
#: The oldest age followed; an age band must lie within 0..MAX_AGE.
MAX_AGE = 120
BAND = re.compile(r"^(?:<(\d+)|(\d+)\s*-\s*(\d+)|(\d+)\+|(\d+))$")


@cache
def schema() -> dict[str, tuple[Column, ...]]:
    """The plan's tables: table -> its columns (``allocator/forecast/schema.csv``)."""
    return load_schema("allocator.forecast")


def markdown() -> str:
    """The plan's tables as Markdown (for docs/forecast.md; a test keeps them in sync)."""
    return schema_markdown(schema(), TABLES, frozenset(TABLES) - frozenset(REQUIRED_TABLES))


@dataclass(frozen=True)
class Options:
    """``forecast.toml``: see the module docstring."""

    base_year: int
    horizon: int
    plan: str = "optimal"
    seed004_share: float = 0.3
    budget: dict = field(default_factory=dict)  # year -> money that year (a table in forecast.toml)
    budget_every_year: float | None = None  # one figure for every year without its own; None = no limit
    discount: float = 0.0
    time_limit: float | None = DEFAULT_TIME_LIMIT
    gap: float = 0.0
    leave_after_service: float = 0.0
    currency: str | None = None

    def budget_of(self, year: int) -> float | None:
        """The admissions budget of ``year`` (its own, else the yearly one); None = no limit."""
        return self.budget.get(year, self.budget_every_year)

    @property
    def years(self) -> list[int]:
        """base_year .. base_year + horizon."""
        return list(range(self.base_year, self.base_year + self.horizon + 1))


@dataclass(frozen=True)
class Plan:
    """The typed tables of a plan (see the module docstring) and its options; ``need`` is filled
    from population and norms when need.csv is not given."""

    regions: pd.DataFrame
    workforce: pd.DataFrame
    need: pd.DataFrame
    pipeline: pd.DataFrame
    training: pd.DataFrame
    caps: pd.DataFrame
    exits: pd.DataFrame
    options: Options
    name: str = "plan"
    obligations: pd.DataFrame = field(default_factory=lambda: _empty(schema()["obligations"]))
    warnings: tuple = ()  # what reading the plan noticed (a hidden sheet used, ...): allocator.messages.Problem

    def with_options(self, **changes) -> "Plan":
        """This plan with other options (``horizon``, ``plan``, ...)."""
        return dataclasses.replace(self, options=dataclasses.replace(self.options, **changes))

    @property
    def cells(self) -> pd.DataFrame:
        """Every (region_id, specialty) the plan follows: those with staff or need, sorted."""
        pairs = pd.concat([self.workforce[["region_id", "specialty"]], self.need[["region_id", "specialty"]]])
        return pairs.drop_duplicates().sort_values(["region_id", "specialty"]).reset_index(drop=True)

    @property
    def aged(self) -> bool:
        """True when the workforce is given by age band."""
        return bool(self.workforce["age_band"].notna().any())


def band_ages(band: str) -> range | None:
    """The single ages an age band stands for (``"30-39"`` -> 30..39; ``"<30"`` -> 25..29; ``"60+"``
    -> 60..64; ``"34"`` -> 34); None when it is no band, or not within ages 0..:data:`MAX_AGE`."""
    m = BAND.match(str(band).strip())
    if not m:
        return None
    below, lo, hi, plus, one = m.groups()
    if below:
        ages = range(int(below) - OPEN_BAND_YEARS, int(below))
    elif lo:
        ages = range(int(lo), int(hi) + 1)
    elif plus:
        ages = range(int(plus), int(plus) + OPEN_BAND_YEARS)
    else:
        ages = range(int(one), int(one) + 1)
    return ages if len(ages) and ages[0] >= 0 and ages[-1] <= MAX_AGE else None


def load_plan(path: str | Path, **options) -> Plan:
    """The typed plan of a folder or workbook; ``options`` override ``forecast.toml``'s.

    Raises :class:`InputError` listing every problem found.
    """
    raw = read_tables(path, LAYOUT)
    problems = list(raw.problems)
    typed: dict[str, pd.DataFrame] = {}
    for table in TABLES:
        cols = schema()[table]
        file = raw.where(table)
        if table not in raw.tables:
            if table in REQUIRED_TABLES and not raw.problems:
                problems.append(Problem.of(raw.workbook, None, None, "sheet_missing", sheet=table)
                                if raw.workbook else Problem.of(file, None, None, "table_missing"))
            typed[table] = _empty(cols)
            continue
        frame, found = type_table(table, raw.tables[table], file, cols)
        problems += found
        if frame.empty and table in REQUIRED_TABLES:
            problems.append(Problem.of(file, None, None, "table_empty"))
        typed[table] = frame
    given = {k: v for k, v in options.items() if v is not None}
    opts, found = _options({**raw.scenario, **given}, raw.scenario_file or "forecast.toml")
    if raw.workbook and raw.scenario_file is None:  # no options sheet: say so, not each option missing
        found = [p for p in found if p.code != "forecast_option_missing"]
        if not raw.problems:
            found.append(Problem.of(raw.workbook, None, None, "sheet_missing", sheet=LAYOUT.options))
    # an option given here (the command line's --horizon, ...) is blamed on its flag, not the file
    problems += [dataclasses.replace(p, file="--" + p.column.replace("_", "-"), column=None)
                 if p.column in given else p for p in found]
    if not problems:
        problems += _check(typed, raw, opts)
    if problems:
        raise InputError(problems)
    typed = {name: frame.reset_index(drop=True) for name, frame in typed.items()}
    regions = typed["regions"].copy()
    regions["weight"] = regions["weight"].fillna(1.0).astype(float)
    need = typed["need"] if len(typed["need"]) else _need_from_norms(typed["population"], typed["norms"])
    plan = Plan(regions=regions, workforce=typed["workforce"], need=need, pipeline=typed["pipeline"],
                training=typed["training"], caps=typed["caps"], exits=typed["exits"], options=opts,
                name=Path(path).stem, obligations=typed["obligations"],
                warnings=tuple(raw.warnings) + tuple(_unused(typed, raw, opts)))
    problems = _check_minimum(plan, raw)
    if problems:
        raise InputError(problems)
    return plan


def _empty(cols: tuple[Column, ...]) -> pd.DataFrame:
    kinds = {"int": "Int64", "float": "float64", "money": "float64", "bool": "bool"}
    return pd.DataFrame({c.name: pd.Series(dtype=kinds.get(c.kind, "object")) for c in cols})


def _options(values: dict, file: str) -> tuple[Options | None, list[Problem]]:
    problems: list[Problem] = []
    out: dict = {}

    def bad(key, **params):
        problems.append(Problem.of(file, None, key, "forecast_option_bad", value=values.get(key), **params))

    for key in values:
        if key not in OPTION_TYPES:
            problems.append(Problem.of(file, None, key, "forecast_option_unknown", known=", ".join(OPTION_TYPES)))
    for key in ("base_year", "horizon"):
        if key not in values:
            problems.append(Problem.of(file, None, key, "forecast_option_missing"))
    limits = {"base_year": (1900, 2200), "horizon": (1, 100), "seed004_share": (0, 10), "discount": (0, 0.99),
              "time_limit": (0.001, 1e7), "gap": (0, 0.5), "leave_after_service": (0, 1)}
    for key, (lo, hi) in limits.items():
        if key not in values:
            continue
        v = values[key]
        whole = OPTION_TYPES[key] == "int"
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (whole and float(v) != int(v)) \
                or not math.isfinite(v) or not lo <= v <= hi:
            bad(key, expected=f"{'a whole number' if whole else 'a number'} from {lo:g} to {hi:g}")
            continue
        out[key] = int(v) if whole else float(v)
    if "currency" in values:
        sign = values["currency"]
        if not isinstance(sign, str) or not sign.strip() or len(sign.strip()) > 8:
            bad("currency", expected="a currency sign such as ₽, ₸ or сом")
        else:
            out["currency"] = sign.strip()
    if "plan" in values:
        if values["plan"] not in PLANS:
            bad("plan", expected=" | ".join(PLANS))
        else:
            out["plan"] = values["plan"]
    if "budget" in values:
        budget = values["budget"]
        if isinstance(budget, dict):
            parsed = {}
            for year, amount in budget.items():
                try:
                    y = int(str(year))
                except ValueError:
                    y = None
                if y is None or isinstance(amount, bool) or not isinstance(amount, (int, float)) \
                        or not math.isfinite(amount) or amount < 0:
                    problems.append(Problem.of(file, None, f"budget.{year}", "forecast_option_bad", value=amount,
                                               expected="year = money >= 0"))
                else:
                    parsed[y] = float(amount)
            out["budget"] = parsed
        elif isinstance(budget, (int, float)) and not isinstance(budget, bool) and math.isfinite(budget) \
                and budget >= 0:
            out["budget_every_year"] = float(budget)
        else:
            bad("budget", expected="money >= 0, or a table year = money")
    if problems:
        return None, problems
    return Options(**out), []


def _check(typed: dict[str, pd.DataFrame], raw, opts: Options) -> list[Problem]:
    """Cross-table checks: references, the specialties' training and exit rows, the base year, bands."""
    problems: list[Problem] = []
    regions = set(typed["regions"]["region_id"])
    for table, frame in typed.items():
        file = raw.where(table)
        for col in schema()[table]:
            if col.reference and len(frame):
                missing = frame[col.name].notna() & ~frame[col.name].isin(regions)
                for idx in frame.index[missing]:
                    problems.append(Problem.of(file, int(idx) + 2, col.name, "unknown_reference",
                                               value=frame.at[idx, col.name], key="region_id",
                                               table="regions"))
    has_need = len(typed["need"]) > 0
    if not has_need and not (len(typed["population"]) and len(typed["norms"])):
        problems.append(Problem.of(raw.where("need"), None, None, "forecast_no_need"))
    training = typed["training"]
    trained = set(training["specialty"])
    exit_specs = set(typed["exits"]["specialty"])
    for table in ("workforce", "need", "norms", "pipeline", "caps", "obligations"):
        frame = typed[table]
        for idx, spec in frame["specialty"].items() if len(frame) else ():
            if spec not in trained:
                problems.append(Problem.of(raw.where(table), int(idx) + 2, "specialty", "forecast_no_training",
                                           value=spec))
            elif table in ("workforce", "need", "norms") and spec not in exit_specs:
                problems.append(Problem.of(raw.where(table), int(idx) + 2, "specialty", "forecast_no_exits",
                                           value=spec))
    work = typed["workforce"]
    base = work[work["year"] == opts.base_year]
    if len(work) and base.empty:
        problems.append(Problem.of(raw.where("workforce"), None, "year", "forecast_no_base_year",
                                   year=opts.base_year))
    obligations = typed["obligations"]
    for idx in obligations.index[obligations["year"] <= opts.base_year] if len(obligations) else ():
        problems.append(Problem.of(raw.where("obligations"), int(idx) + 2, "year", "forecast_obligation_year",
                                   year=int(obligations.at[idx, "year"]), base_year=opts.base_year))
    for table in ("workforce", "exits"):
        frame = typed[table]
        for idx, band in frame["age_band"].items() if len(frame) else ():
            if isinstance(band, str) and band_ages(band) is None:
                problems.append(Problem.of(raw.where(table), int(idx) + 2, "age_band", "forecast_bad_band",
                                           value=band))
    key = ["region_id", "specialty", "year", "age_band"]
    dup = base.assign(age_band=base["age_band"].fillna("")).duplicated(key, keep="first")
    for idx in base.index[dup]:
        problems.append(Problem.of(raw.where("workforce"), int(idx) + 2, "persons", "forecast_duplicate_row"))
    mixed = base.groupby(["region_id", "specialty"])["age_band"].agg(lambda s: s.notna().any() and s.isna().any())
    for (region, spec) in mixed[mixed].index:
        problems.append(Problem.of(raw.where("workforce"), None, "age_band", "forecast_bands_mixed",
                                   region=region, specialty=spec))
    problems += _check_exits(typed["exits"], base, raw.where("exits"))
    for table, keys in (("need", ["region_id", "specialty", "year"]), ("training", ["specialty"]),
                        ("caps", ["region_id", "specialty"]), ("population", ["region_id", "year"]),
                        ("norms", ["specialty"]), ("pipeline", ["region_id", "specialty", "year"]),
                        ("obligations", ["region_id", "specialty", "year"])):
        frame = typed[table]
        if table == "training" or not len(frame):
            continue
        for idx in frame.index[frame.duplicated(keys, keep="first")]:
            problems.append(Problem.of(raw.where(table), int(idx) + 2, None, "forecast_duplicate_row"))
    low = training["min_admissions"].fillna(0) > training["max_admissions"].fillna(float("inf"))
    for idx in training.index[low]:
        problems.append(Problem.of(raw.where("training"), int(idx) + 2, "min_admissions", "forecast_min_above_max"))
    return problems


def aged_specialties(workforce: pd.DataFrame, exits: pd.DataFrame, base_year: int) -> set:
    """The specialties followed by age: those with base-year staff given by age band, or, with no
    base-year staff at all, whose exit rates are all given by band. A region without staff of such
    a specialty follows its arrivals by age too (entry age, ageing, retirement)."""
    base = workforce[workforce["year"] == base_year]
    banded = set(base.loc[base["age_band"].notna(), "specialty"])
    by_band = {s for s, rows in exits.groupby("specialty") if rows["age_band"].notna().all()} if len(exits) else set()
    return banded | (by_band - set(base["specialty"]))


def _check_exits(exits: pd.DataFrame, base: pd.DataFrame, file: str) -> list[Problem]:
    """Per specialty: one all-ages exit rate where some of its staff are not given by age; no age in
    two bands; one retirement age."""
    problems: list[Problem] = []
    for spec, rows in exits.groupby("specialty") if len(exits) else ():
        overall = rows["age_band"].isna().sum()
        unbanded = base.loc[base["specialty"] == spec, "age_band"].isna().any()
        if overall > 1 or (overall == 0 and unbanded):
            problems.append(Problem.of(file, int(rows.index[0]) + 2, "age_band", "forecast_exit_rows",
                                       specialty=spec))
        seen: dict[int, str] = {}
        for idx, band in rows["age_band"].dropna().items():
            ages = band_ages(band) or ()
            twice = next((a for a in ages if a in seen), None)
            if twice is not None:
                problems.append(Problem.of(file, int(idx) + 2, "age_band", "forecast_band_overlap", value=band,
                                           other=seen[twice], age=twice, specialty=spec))
            seen.update({a: band for a in ages})
        retire = rows["retirement_age"].dropna()
        if retire.nunique() > 1:
            other = retire.index[retire != retire.iloc[0]][0]  # the first row that differs from the first
            problems.append(Problem.of(file, int(other) + 2, "retirement_age", "forecast_retirement_ages",
                                       specialty=spec, values=", ".join(str(int(v)) for v in sorted(retire.unique()))))
    return problems


def _unused(typed: dict[str, pd.DataFrame], raw, opts: Options) -> list[Problem]:
    """Warnings for rows a valid plan does not use: staff of other years than the base year, exit
    rates of specialties no region follows, budgets of years outside the plan's."""
    out: list[Problem] = []
    work = typed["workforce"]
    other = work.index[work["year"] != opts.base_year] if len(work) else []
    if len(other):
        out.append(Problem.of(raw.where("workforce"), int(other[0]) + 2, "year", "forecast_rows_other_years",
                              count=len(other), base_year=opts.base_year))
    followed = set(work["specialty"]) | set(typed["need"]["specialty"]) | set(typed["norms"]["specialty"])
    exits = typed["exits"]
    for idx in exits.index[~exits["specialty"].isin(followed)] if len(exits) else []:
        out.append(Problem.of(raw.where("exits"), int(idx) + 2, "specialty", "forecast_row_not_followed",
                              value=exits.at[idx, "specialty"]))
    for year in sorted(y for y in opts.budget if y not in opts.years):
        out.append(Problem.of(raw.scenario_file or "forecast.toml", None, f"budget.{year}",
                              "forecast_budget_outside", year=year, first=opts.years[0], last=opts.years[-1]))
    return out


def _check_minimum(plan: Plan, raw) -> list[Problem]:
    """``min_admissions`` no plan can keep: above what the regions' caps allow together (when every
    region the specialty is followed in is capped), or, every specialty's minimum at its course
    cost, above a year's budget (a specialty's minimum binds in the years it may admit in)."""
    training, caps, cells = plan.training, plan.caps, plan.cells
    file = raw.where("training")
    problems: list[Problem] = []
    last = plan.options.years[-1]
    for idx in training.index[training["min_admissions"].fillna(0) > 0]:
        spec, low = training.at[idx, "specialty"], int(training.at[idx, "min_admissions"])
        followed = set(cells.loc[cells["specialty"] == spec, "region_id"])
        if not followed or plan.options.base_year + int(training.at[idx, "years"]) > last:
            continue  # no region follows it, or no course of it ends within the horizon: the minimum binds nowhere
        capped = caps[(caps["specialty"] == spec) & caps["region_id"].isin(followed)]
        room = int(capped["max_admissions"].sum())
        if set(capped["region_id"]) >= followed and room < low:
            problems.append(Problem.of(file, int(idx) + 2, "min_admissions", "forecast_min_above_caps",
                                       specialty=spec, value=low, caps=room))
    sign = plan.options.currency
    for year in plan.options.years:
        amount = plan.options.budget_of(year)
        due = training[(training["min_admissions"].fillna(0) > 0) & (year + training["years"] <= last)
                       & training["specialty"].isin(set(cells["specialty"]))]
        minimum = sum((exact_money(c) * int(m) for c, m in zip(due["cost"], due["min_admissions"])), Decimal(0))
        if amount is not None and minimum > exact_money(amount):
            # each language with its own figures (1 500,5 in Russian), so rendered apart
            en, ru = ({"cost": money_text(minimum, lang, sign), "budget": money_text(amount, lang, sign)}
                      for lang in ("en", "ru"))
            column = f"budget.{year}" if year in plan.options.budget else "budget"
            problems.append(Problem(raw.scenario_file or "forecast.toml", None, column,
                                    render("forecast_min_above_budget", year=year, **en)[0],
                                    render("forecast_min_above_budget", year=year, **ru)[1],
                                    "forecast_min_above_budget"))
    return problems


def _need_from_norms(population: pd.DataFrame, norms: pd.DataFrame) -> pd.DataFrame:
    """need = population / population_per_post, for every region, year and specialty of the norms."""
    rows = population.merge(norms, how="cross")
    rows["need"] = rows["population"] / rows["population_per_post"]
    return rows[["region_id", "specialty", "year", "need"]].reset_index(drop=True)


__all__ = ["DEFAULT_TIME_LIMIT", "OPEN_BAND_YEARS", "PLANS", "TABLES", "Options", "Plan", "band_ages", "load_plan",
           "markdown", "schema"]

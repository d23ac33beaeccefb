"""The forecast and the allocation talk to each other.

* :func:`deficits_for_round`: a forecast year's deficits per region and *plan* specialty, rounded up
  to whole posts (a deficit of 2.3 people is 3 posts, as a planner opens whole posts), with the
  region's weight. It is not a round's ``vacancies.csv`` (that needs facilities and the round's
  specialty codes): it is what a planner sets a round's vacancies and weights from.
* :func:`stock_after_round`: a solved round's placements join the plan. A round of the plan's base
  year joins the base-year staff; a later round's placements (up to the plan's last year) arrive as
  the plan's ``pipeline`` in the round's year, so they do not lose the years before it to exits. A
  round before the base year (its placements are in the base-year count already) or after the
  plan's last year is refused. With age bands they join at the specialty's entry age
  (``training.csv`` ``entry_age``, default :data:`allocator.forecast.project.DEFAULT_ENTRY_AGE`),
  also where the region had no staff of the specialty.
* When each placed graduate's obligation to serve ends, per region and specialty, as the rows of a
  plan's ``obligations.csv`` (the retention risk of that year), which :func:`with_obligations` adds
  to a plan; its projection then takes the share who leave as they become free
  (:mod:`allocator.forecast.project`):

  - :func:`obligations_recorded`: from a solved round's own ``service_until`` (the round's year plus
    the longest service owed: its scenario's ``service_years`` for the funding, the paying
    programme's ``service_years``, e.g. Zemsky 5 years, which paid graduates owe too). Whoever has
    a year there owes until then, whatever the funding; an empty cell owes nothing.
  - :func:`obligations_ending`: where a round records no ``service_until``, from each graduate's
    funding and the years the caller gives per funding, counted from the round's year. The figures
    (shared/DOMAIN.md, the bundled rounds' scenarios): a grant 3 years in Kazakhstan and 2 in
    Kyrgyzstan (its doctor's deposit 3); targeted training in Russia 3 years (Federal Law 273-FZ
    art. 56, as the Penza round's scenario.toml quotes it); Zemsky doctor and feldsher 5 years
    (a programme, recorded in ``service_until``, not a funding).

The round's year is the caller's: ``allocator forecast --round-year``, else the scenario ``year`` of
the ``summary.json`` written beside ``assignments.csv``; ``assignments.csv`` itself does not record
it. Without either the round is taken to be of the plan's base year.

The round's specialties (``therapist``, ``feldsher``) need not be the plan's (``doctor``,
``midlevel``): ``specialties`` maps one to the other; a specialty it does not name keeps its code.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import pandas as pd

from ..messages import InputError, Problem
from ..schema import aliases, word_key
from ..validate import type_table
from .plan import aged_specialties
from .project import DEFAULT_ENTRY_AGE
from .rules import ForecastResult

#: The columns of a plan's ``obligations`` table that links fill.
OBLIGATION_COLUMNS = ["region_id", "specialty", "year", "persons"]


def deficits_for_round(result: ForecastResult, year: int | None = None) -> pd.DataFrame:
    """region_id, specialty (the plan's), vacancies (the deficit of ``year`` rounded up to whole posts;
    default the year after the base year), weight (the region's): one row per region and plan
    specialty with a deficit. A planner sets a round's vacancies (per facility, in the round's
    specialty codes) and weights from it; it is not a round's ``vacancies.csv``."""
    table = result.projection()
    year = result.dyn.years[min(1, len(result.dyn.years) - 1)] if year is None else year
    if year not in result.dyn.years:
        raise ValueError(f"year {year} is not in the forecast ({result.dyn.years[0]}..{result.dyn.years[-1]})")
    rows = table[(table["year"] == year) & (table["deficit"] > 1e-9)]
    weight = result.plan.regions.set_index("region_id")["weight"]
    return pd.DataFrame({
        "region_id": rows["region_id"].to_numpy(),
        "specialty": rows["specialty"].to_numpy(),
        "vacancies": [math.ceil(d - 1e-9) for d in rows["deficit"]],
        "weight": rows["region_id"].map(weight).to_numpy(dtype=float),
    })


def _as_plans(specialty: pd.Series, specialties: Mapping[str, str] | None) -> pd.Series:
    """The round's specialty codes as the plan's (a code ``specialties`` does not name stays)."""
    return specialty.map(lambda s: (specialties or {}).get(s, s))


def _placed(assignments: pd.DataFrame, specialties: Mapping[str, str] | None) -> pd.DataFrame:
    mapped = assignments.assign(specialty=_as_plans(assignments["specialty"], specialties))
    return mapped.groupby(["region_id", "specialty"], as_index=False).size().rename(columns={"size": "placed"})


def _outside(plan, rows: pd.DataFrame, file: str) -> list[Problem]:
    """Problems for the specialties of ``rows`` the plan does not train and the regions it does not have."""
    problems = []
    unknown = sorted(set(rows["specialty"]) - set(plan.training["specialty"]))
    if unknown:
        problems.append(Problem.of(file, None, "specialty", "forecast_placed_specialty", values=", ".join(unknown)))
    strange = sorted(set(rows["region_id"]) - set(plan.regions["region_id"]))
    if strange:
        problems.append(Problem.of(file, None, "region_id", "forecast_placed_region", values=", ".join(strange)))
    for spec in sorted(set(rows["specialty"]) - set(unknown) - set(plan.exits["specialty"])):
        problems.append(Problem.of(file, None, "specialty", "forecast_no_exits", value=spec))  # would never leave
    return problems


def _entry_band(plan, specialty: str) -> str:
    """The one-age band of a specialty's entry age (``training.csv`` entry_age, else the default)."""
    entry = plan.training.set_index("specialty").at[specialty, "entry_age"]
    return str(DEFAULT_ENTRY_AGE if pd.isna(entry) else int(entry))


def stock_after_round(plan, assignments: pd.DataFrame, specialties: Mapping[str, str] | None = None,
                      year: int | None = None, file: str = "assignments.csv"):
    """``plan`` with each placed graduate (rows of a solution's ``assignments``: region_id, specialty)
    added: ``year`` is the round's (None: the plan's base year). A round of the base year adds them to
    the base-year workforce; a later one, up to the plan's last year, to the ``pipeline`` of its year.
    With age bands (the cell's, or the plan's where the cell has no base-year staff) they join the
    band of the specialty's entry age. Raises InputError (naming ``file``) for a specialty the plan
    does not train (map it), a region it does not have, or a year before the base year or after the
    last one."""
    placed = _placed(assignments, specialties)
    base, last = plan.options.base_year, plan.options.years[-1]
    year = base if year is None else int(year)
    problems = _outside(plan, placed, file)
    if year < base:
        problems.append(Problem.of(file, None, None, "forecast_round_year_early", year=year, base_year=base))
    elif year > last:
        problems.append(Problem.of(file, None, None, "forecast_round_year_late", year=year, last=last))
    if problems:
        raise InputError(problems)
    work = plan.workforce
    at_base = work[work["year"] == base]
    banded = {k: bool(g["age_band"].notna().any()) for k, g in at_base.groupby(["region_id", "specialty"])}
    by_age = aged_specialties(work, plan.exits, base)  # a cell without staff follows its specialty
    staff, arriving = [], []
    for region, spec, n in zip(placed["region_id"], placed["specialty"], placed["placed"]):
        known = (region, spec) in banded
        band = _entry_band(plan, spec) if banded.get((region, spec), spec in by_age) else None
        if year == base:
            staff.append({"region_id": region, "specialty": spec, "year": base, "persons": float(n), "age_band": band})
            continue
        arriving.append({"region_id": region, "specialty": spec, "year": year, "graduates": float(n)})
        if not known:  # the cell must exist in the base year (with its band) for its arrivals to count
            staff.append({"region_id": region, "specialty": spec, "year": base, "persons": 0.0, "age_band": band})
    changes = {}
    if staff:
        key = ["region_id", "specialty", "year", "age_band"]
        both = pd.concat([work[key + ["persons"]], pd.DataFrame(staff)], ignore_index=True)
        summed = both.assign(age_band=both["age_band"].fillna("")).groupby(key, as_index=False, sort=False)[
            "persons"].sum()
        summed["age_band"] = summed["age_band"].replace("", None)
        changes["workforce"] = summed
    if arriving:
        key = ["region_id", "specialty", "year"]
        both = pd.concat([plan.pipeline[key + ["graduates"]], pd.DataFrame(arriving)], ignore_index=True)
        changes["pipeline"] = both.groupby(key, as_index=False, sort=False)["graduates"].sum()
    # an exit row "not used" (plan.warnings) is used once placements of its specialty join
    placed_specs = set(placed["specialty"])
    warnings = tuple(w for w in plan.warnings if not (
        w.code == "forecast_row_not_followed" and w.row is not None
        and plan.exits["specialty"].iloc[w.row - 2] in placed_specs))
    return dataclasses.replace(plan, warnings=warnings, **changes)


def obligations_recorded(assignments: pd.DataFrame, specialties: Mapping[str, str] | None = None,
                         start_year: int | None = None, file: str = "assignments.csv") -> pd.DataFrame:
    """region_id, specialty, year, persons (the columns of ``obligations.csv``): the placed graduates
    whose obligation ends in that year, as the round recorded it in ``service_until`` (any funding;
    an empty cell owes nothing). Raises InputError naming ``file``, the row (index + 2, as a file's
    rows) and the column for a cell that is not a whole year, or one not after ``start_year`` (the
    year the placement starts work; None: not checked)."""
    raw = assignments["service_until"].astype(object)
    cells = raw.where(raw.notna(), "").map(lambda v: str(v).strip())
    blank = cells == ""
    years = pd.to_numeric(cells.where(~blank), errors="coerce")
    problems = []
    for idx in assignments.index[~blank]:
        value, parsed = raw.at[idx], years.at[idx]
        code = "not_a_number" if pd.isna(parsed) else "not_whole" if parsed != round(parsed) else None
        if code is None and start_year is not None and parsed <= start_year:
            problems.append(Problem.of(file, int(idx) + 2, "service_until", "forecast_service_until_early",
                                       value=int(parsed), year=int(start_year)))
        elif code:
            problems.append(Problem.of(file, int(idx) + 2, "service_until", code, value=value))
    if problems:
        raise InputError(problems)
    owing = assignments.loc[~blank]
    rows = owing.assign(year=years[~blank].astype(int), specialty=_as_plans(owing["specialty"], specialties))
    return _count(rows)


def graduates_funding(graduates: pd.DataFrame, file: str = "graduates.csv") -> pd.DataFrame:
    """graduate_id, funding of a round's graduates table of text cells, typed as the round loader
    types it (:func:`allocator.validate.type_table`: Russian words such as «грант», «целевое»,
    «платное» become grant, targeted, paid). Raises InputError for problems in those two columns
    (a missing or duplicate graduate_id, an unknown funding); the other columns are not read."""
    typed, problems = type_table("graduates", graduates, file)
    problems = [p for p in problems if p.column in ("graduate_id", "funding")]
    if problems:
        raise InputError(problems)
    return typed[["graduate_id", "funding"]]


def funding_code(word: str) -> str | None:
    """The funding code (grant, targeted, paid) ``word`` stands for, as in a round's graduates.csv
    (Russian words too: ``allocator/schema_aliases.csv``); None when it stands for none."""
    return aliases("graduates", "funding").get(word_key(word))


def obligations_ending(assignments: pd.DataFrame, graduates: pd.DataFrame, years_of_service: Mapping[str, int],
                       start_year: int, specialties: Mapping[str, str] | None = None,
                       file: str = "assignments.csv", graduates_file: str = "graduates.csv") -> pd.DataFrame:
    """region_id, specialty, year, persons: placed graduates whose obligation (``years_of_service``
    by funding code, e.g. {"targeted": 3} in Russia, {"grant": 3} in Kazakhstan; a funding it does
    not name owes none) ends in that year, starting work in ``start_year`` (the round's year); the
    columns of ``obligations.csv``. For a round that records ``service_until`` use
    :func:`obligations_recorded`. Raises InputError naming ``file``, the row and graduate_id for a
    placed graduate ``graduates`` (graduate_id, funding; read from ``graduates_file``) does not have."""
    funding = graduates.set_index("graduate_id")["funding"]
    found = assignments["graduate_id"].map(funding)
    missing = assignments.index[found.isna()]
    if len(missing):
        raise InputError([Problem.of(file, int(idx) + 2, "graduate_id", "forecast_placed_graduate_unknown",
                                     value=assignments.at[idx, "graduate_id"], graduates=graduates_file)
                          for idx in missing])
    rows = assignments.assign(funding=found)
    rows = rows[rows["funding"].isin(list(years_of_service))]
    rows = rows.assign(year=start_year + rows["funding"].map(years_of_service).astype(int),
                       specialty=_as_plans(rows["specialty"], specialties))
    return _count(rows)


def _count(rows: pd.DataFrame) -> pd.DataFrame:
    """Persons per region_id, specialty and year, sorted."""
    out = rows.groupby(["region_id", "specialty", "year"], as_index=False).size()
    out = out.rename(columns={"size": "persons"}).sort_values(["region_id", "specialty", "year"], ignore_index=True)
    return out[OBLIGATION_COLUMNS]


def with_obligations(plan, ending: pd.DataFrame, leave_share: float | None = None):
    """``plan`` with the rows of ``ending`` (region_id, specialty, year, persons) added to its
    obligations; ``leave_share`` for them (None: the plan's ``leave_after_service``). Rows for the base
    year or before, or outside the plan's regions and specialties, raise InputError, as in a file."""
    rows = ending[OBLIGATION_COLUMNS].assign(
        leave_share=float("nan") if leave_share is None else float(leave_share))
    problems = []
    late = rows[rows["year"] <= plan.options.base_year]
    for year in sorted(set(late["year"])):
        problems.append(Problem.of("obligations", None, "year", "forecast_obligation_year", year=int(year),
                                   base_year=plan.options.base_year))
    problems += _outside(plan, rows, "obligations")
    if problems:
        raise InputError(problems)
    both = pd.concat([plan.obligations, rows], ignore_index=True) if len(plan.obligations) else rows
    return dataclasses.replace(plan, obligations=both.reset_index(drop=True))


__all__ = ["OBLIGATION_COLUMNS", "deficits_for_round", "funding_code", "graduates_funding", "obligations_ending",
           "obligations_recorded", "stock_after_round", "with_obligations"]

"""The forecast and the allocation talk to each other.

* :func:`deficits_for_round`: a forecast year's deficits as posts to fill, per region and specialty,
  with the region's weight: the vacancies and weights of next year's round. A deficit of 2.3 people
  is 3 posts: rounded up, as a planner opens whole posts.
* :func:`stock_after_round`: a solved round's placements added to a plan's base-year staff: the
  next forecast starts from the staff after the distribution.
* :func:`obligations_ending`: when each placed grant holder's or targeted graduate's obligation to
  serve ends (grant 3 years in Kazakhstan, 2–3 in Kyrgyzstan, Zemsky 5 in Russia; the years are the
  caller's): the retention risk of that year, per region and specialty, as the rows of a plan's
  ``obligations.csv``; :func:`with_obligations` adds them to a plan, whose projection then takes the
  share who leave as they become free (:mod:`allocator.forecast.project`).

The round's specialties (``therapist``, ``feldsher``) need not be the plan's (``doctor``,
``midlevel``): ``specialties`` maps one to the other; a specialty it does not name keeps its code.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import pandas as pd

from ..messages import InputError, Problem
from .rules import ForecastResult


def deficits_for_round(result: ForecastResult, year: int | None = None) -> pd.DataFrame:
    """region_id, specialty, vacancies (the deficit of ``year`` rounded up to whole posts; default the
    year after the base year), weight: one row per region and specialty with a deficit."""
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
    return problems


def stock_after_round(plan, assignments: pd.DataFrame, specialties: Mapping[str, str] | None = None):
    """``plan`` with each placed graduate (rows of a solution's ``assignments``: region_id, specialty)
    added to its base-year workforce; with age bands they join the band of the specialty's entry age.
    Raises InputError for a specialty the plan does not train (map it) or a region it does not have."""
    placed = _placed(assignments, specialties)
    work = plan.workforce.copy()
    year = plan.options.base_year
    problems = _outside(plan, placed, "assignments.csv")
    if problems:
        raise InputError(problems)
    training = plan.training.set_index("specialty")
    rows = []
    for region, spec, n in zip(placed["region_id"], placed["specialty"], placed["placed"]):
        here = (work["region_id"] == region) & (work["specialty"] == spec) & (work["year"] == year)
        band = None
        if work.loc[here, "age_band"].notna().any():
            entry = training.at[spec, "entry_age"]
            band = str(25 if pd.isna(entry) else int(entry))
        rows.append({"region_id": region, "specialty": spec, "year": year, "persons": float(n), "age_band": band})
    added = pd.DataFrame(rows, columns=["region_id", "specialty", "year", "persons", "age_band"])
    key = ["region_id", "specialty", "year", "age_band"]
    both = pd.concat([work[key + ["persons"]], added], ignore_index=True)
    summed = both.assign(age_band=both["age_band"].fillna("")).groupby(key, as_index=False, sort=False)["persons"].sum()
    summed["age_band"] = summed["age_band"].replace("", None)
    return dataclasses.replace(plan, workforce=summed)


def obligations_ending(assignments: pd.DataFrame, graduates: pd.DataFrame, years_of_service: Mapping[str, int],
                       start_year: int, specialties: Mapping[str, str] | None = None) -> pd.DataFrame:
    """region_id, specialty, year, persons: placed graduates whose obligation (``years_of_service``
    by funding: grant, targeted; paid ones owe none) ends in that year, starting work in ``start_year``
    (the columns of ``obligations.csv``)."""
    funding = graduates.set_index("graduate_id")["funding"]
    rows = assignments.assign(funding=assignments["graduate_id"].map(funding))
    rows = rows[rows["funding"].isin(list(years_of_service))]
    rows = rows.assign(year=start_year + rows["funding"].map(years_of_service).astype(int))
    rows = rows.assign(specialty=_as_plans(rows["specialty"], specialties))
    out = rows.groupby(["region_id", "specialty", "year"], as_index=False).size()
    return out.rename(columns={"size": "persons"}).sort_values(["region_id", "specialty", "year"],
                                                                 ignore_index=True)


def with_obligations(plan, ending: pd.DataFrame, leave_share: float | None = None):
    """``plan`` with the rows of ``ending`` (region_id, specialty, year, persons) added to its
    obligations; ``leave_share`` for them (None: the plan's ``leave_after_service``). Rows for the base
    year or before, or outside the plan's regions and specialties, raise InputError, as in a file."""
    rows = ending[["region_id", "specialty", "year", "persons"]].assign(
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


__all__ = ["deficits_for_round", "obligations_ending", "stock_after_round", "with_obligations"]

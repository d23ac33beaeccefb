"""A plan's outputs, written to a folder all or nothing (:func:`allocator.atomic.replace_dir`).

* ``projection.csv``: region_id, specialty, year, stock, need, deficit, arrivals, exits;
* ``admissions.csv``: region_id, specialty, year, admitted (every year a cell may admit in);
* ``closes.csv``: region_id, specialty, closes (the year the deficit closes for good; empty: not
  within the horizon);
* ``next_round.csv``: region_id, specialty, vacancies, weight: the deficits of the year after the
  base year per region and plan specialty, rounded up to whole posts, with the region's weight:
  what a planner sets the next round's vacancies and weights from, not a round's vacancies.csv
  (no facilities; the plan's specialty codes) (:func:`allocator.forecast.links.deficits_for_round`);
* ``summary.json``: the plan, its status, levels (weighted deficit, cost), the optimality proof,
  the baseline's weighted deficit, the closing years, the options;
* ``plan.xlsx``: the same for the ministry: a summary sheet, admissions by year (one column a
  year), the projection and the closing years.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .. import atomic
from ..outpaths import check_out_dir
from ..xlsx import write_xlsx
from .links import deficits_for_round
from .rules import ForecastResult

FILES = ("projection.csv", "admissions.csv", "closes.csv", "next_round.csv", "summary.json", "plan.xlsx")
ROUND_TO = 6  # decimals of people in the CSV files (figures are people times rates)


def summary(result: ForecastResult, baseline: ForecastResult | None = None) -> dict:
    """summary.json's content."""
    closes = result.closes()
    opts = result.plan.options
    return {
        "plan": result.rule,
        "status": str(result.status),
        "levels": {"weighted_deficit": result.weighted_deficit, "cost": result.cost},
        "proof": result.proof,
        "baseline_weighted_deficit": None if baseline is None else baseline.weighted_deficit,
        "admitted_total": int(result.admitted.sum()),
        "closes": [{"region_id": r, "specialty": s, "year": None if pd.isna(y) else int(y)}
                   for r, s, y in zip(closes["region_id"], closes["specialty"], closes["closes"])],
        "not_closed_within_horizon": int(closes["closes"].isna().sum()),
        "options": {"base_year": opts.base_year, "horizon": opts.horizon, "discount": opts.discount,
                    "seed004_share": opts.seed004_share,
                    "budget": {str(y): opts.budget_of(y) for y in opts.years}, "gap_allowed": opts.gap,
                    "time_limit": opts.time_limit, "currency": opts.currency},
        "broken_limits": list(result.broken),
        "seconds": round(result.seconds, 3),
    }


def write_outputs(result: ForecastResult, out_dir: str | Path, baseline: ForecastResult | None = None) -> Path:
    """Replace ``out_dir`` by the plan's files (module docstring); raises OSError with nothing changed."""
    projection = result.projection().round(ROUND_TO)
    admissions = result.admissions()
    closes = result.closes()
    data = summary(result, baseline)

    def fill(folder: Path) -> None:
        projection.to_csv(folder / "projection.csv", index=False, lineterminator="\n")
        admissions.to_csv(folder / "admissions.csv", index=False, lineterminator="\n")
        closes.to_csv(folder / "closes.csv", index=False, lineterminator="\n")
        deficits_for_round(result).to_csv(folder / "next_round.csv", index=False, lineterminator="\n")
        (folder / "summary.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        wide = admissions.pivot_table(index=["region_id", "specialty"], columns="year", values="admitted",
                                      aggfunc="sum").reset_index()
        wide.columns = [str(c) for c in wide.columns]
        head = [("plan", data["plan"]), ("status", data["status"]),
                ("weighted deficit", data["levels"]["weighted_deficit"]), ("cost", data["levels"]["cost"]),
                ("baseline weighted deficit", data["baseline_weighted_deficit"]),
                ("admitted", data["admitted_total"]),
                ("cells not closed within the horizon", data["not_closed_within_horizon"])]
        write_xlsx(folder / "plan.xlsx", {"summary": pd.DataFrame(head, columns=["figure", "value"]),
                                          "admissions": wide, "projection": projection, "closes": closes})

    return atomic.replace_dir(out_dir, fill)


def check_out(out_dir: str | Path, source: str | Path) -> list:
    """Why ``out_dir`` cannot take a plan's files ([] if it can)."""
    return check_out_dir(out_dir, source, ours=FILES)


__all__ = ["FILES", "check_out", "summary", "write_outputs"]

"""The forecast page's computations, without Streamlit (``ui/pages/forecast.py``).

A plan comes from a folder under ``data/`` that holds a ``forecast.toml`` (:func:`plan_folders`)
or from an upload (an .xlsx workbook or a ZIP of the plan's CSV files, within the app's upload
:class:`allocator.archive.Limits`): :func:`load_source` reads it with
:func:`allocator.forecast.load_plan`, so the page refuses what ``allocator forecast`` refuses,
with every problem's file, row and column. The horizon is given to ``load_plan`` itself (not
changed afterwards) so that a budget given as one number covers every year of the new horizon.

What-if changes (:func:`what_if`) go to a copy of the plan: per specialty the training cap
(``training.csv``'s ``max_admissions``; empty = no cap) and the exit rate (every exit row of the
specialty scaled so that its overall rate becomes the one asked). The three plans (none, seed004,
optimal) are made on that copy by :func:`run_all`; the tables, the Plotly figure and the
downloads are read from their results.
"""

from __future__ import annotations

import dataclasses
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from allocator.archive import Limits
from allocator.forecast import PLANS, ForecastResult, load_plan, make_plan
from allocator.forecast.plan import Plan
from allocator.io import table_key
from allocator.messages import InputError, Problem
from allocator.scaling import money_text
from allocator.xlsx import write_xlsx

from . import state
from .i18n import t

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
OPTIONS_FILE = "forecast.toml"
#: Seconds the optimiser has by default on the page (a whole region's plan may take minutes to prove).
DEFAULT_TIME_LIMIT = 20.0
#: The colour of each plan's line.
COLOURS = {"none": "#7f7f7f", "seed004": "#ff7f0e", "optimal": "#1f77b4"}
#: Line styles, so that a plan drawn under another (the rule's line under the optimum's) still shows.
DASHES = {"none": "dot", "seed004": "dash", "optimal": "solid"}


@dataclass(frozen=True)
class Source:
    """Where a plan comes from: a folder on disk (``path``) or an upload (``name`` and ``data``)."""

    label: str
    path: Path | None = None
    name: str | None = None
    data: bytes | None = None

    @property
    def key(self) -> str:
        """A short identity of the source for widget keys and caches."""
        if self.path is not None:
            return f"dir:{self.path}"
        return f"upload:{self.name}:{len(self.data or b'')}:{hash(self.data)}"


def plan_folders(root: Path = DATA_DIR) -> dict[str, Path]:
    """Folder name -> folder, for every folder directly under ``root`` that holds a ``forecast.toml``."""
    if not root.is_dir():
        return {}
    return {p.name: p for p in sorted(root.iterdir())
            if p.is_dir() and any(table_key(f.name) == OPTIONS_FILE for f in p.iterdir())}


def load_source(source: Source, horizon: int | None = None, limits: Limits | None = None) -> Plan:
    """The plan of ``source`` (``horizon`` overriding forecast.toml's); raises InputError."""
    if source.path is not None:
        return load_plan(source.path, horizon=horizon)
    return load_upload(source.name or "upload", source.data or b"", horizon=horizon, limits=limits)


def load_upload(name: str, data: bytes, horizon: int | None = None, limits: Limits | None = None) -> Plan:
    """The plan of an uploaded .xlsx or ZIP of CSV files; raises InputError.

    The app's upload rules (:func:`ui.state.load_upload`): refused above ``limits`` before it is
    unpacked, unpacked by :func:`allocator.archive.extract_zip` into a fresh temporary folder that
    is deleted before this returns; a ZIP must hold exactly one plan (one folder with a
    ``forecast.toml``, or one workbook).
    """
    with state.unpacked_upload(name, data, None, limits, "forecast_upload_expected") as (kind, path):
        return load_plan(path if kind == "workbook" else _plan_in(path, name), horizon=horizon)


def _plan_in(root: Path, label: str) -> Path:
    """The one plan folder (holding forecast.toml) or workbook under ``root``; raises InputError."""
    folders = sorted({p.parent for p in root.rglob("*") if p.is_file() and table_key(p.name) == OPTIONS_FILE})
    books = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in (".xlsx", ".xlsm")
                   and not p.name.startswith("~$"))
    found = folders + books
    if not found:
        raise InputError([Problem.of(label, None, None, "forecast_zip_without_plan")])
    if len(found) > 1:
        shown = ", ".join((p.relative_to(root).as_posix() or ".") + ("/" if p.is_dir() else "") for p in found)
        raise InputError([Problem.of(label, None, None, "forecast_zip_several_plans", found=shown)])
    return found[0]


# ----------------------------------------------------------------------------- what-if


def knobs(plan: Plan) -> pd.DataFrame:
    """Per specialty the plan's own training cap (``max_admissions``, NaN = none) and overall exit rate.

    The overall exit rate is the specialty's row without an age band, else the mean of its banded rows.
    """
    rows = []
    exits = plan.exits
    for spec, cap in zip(plan.training["specialty"], plan.training["max_admissions"]):
        own = exits[exits["specialty"] == spec]
        overall = own[own["age_band"].isna()]["exit_rate"]
        rate = float(overall.iloc[0]) if len(overall) else (float(own["exit_rate"].mean()) if len(own) else 0.0)
        rows.append({"specialty": spec, "max_admissions": float(cap) if pd.notna(cap) else math.nan,
                     "exit_rate": rate})
    return pd.DataFrame(rows, columns=["specialty", "max_admissions", "exit_rate"])


def what_if(plan: Plan, caps: dict | None = None, exit_rates: dict | None = None) -> Plan:
    """A copy of ``plan`` with other training caps and exit rates per specialty.

    ``caps``: specialty -> max admissions a year (None or NaN: no cap); a cap below the
    specialty's ``min_admissions`` lowers the minimum to it. ``exit_rates``: specialty -> the
    overall exit rate; every exit row of the specialty is scaled by new / old (set to the new
    rate when the old one is 0), kept within 0..1. Specialties not named keep their values.
    """
    training = plan.training.copy()
    for spec, cap in (caps or {}).items():
        rows = training["specialty"] == spec
        value = math.nan if cap is None or pd.isna(cap) else float(cap)
        training["max_admissions"] = training["max_admissions"].astype(float)
        training.loc[rows, "max_admissions"] = value
        if not math.isnan(value):
            low = training["min_admissions"].astype(float)
            training["min_admissions"] = low.where(~rows | low.isna() | (low <= value), value)
    exits = plan.exits.copy()
    own = knobs(plan).set_index("specialty")["exit_rate"]
    exits["exit_rate"] = exits["exit_rate"].astype(float)
    for spec, rate in (exit_rates or {}).items():
        rows = exits["specialty"] == spec
        old = float(own.get(spec, 0.0))
        new = float(rate)
        if old > 0:
            exits.loc[rows, "exit_rate"] = (exits.loc[rows, "exit_rate"] * (new / old)).clip(0.0, 1.0)
        else:
            exits.loc[rows, "exit_rate"] = min(max(new, 0.0), 1.0)
    return dataclasses.replace(plan, training=training, exits=exits)


def changes(plan: Plan, horizon: int, caps: dict, exit_rates: dict, lang: str) -> list[str]:
    """What the page's settings change from ``plan``'s own: the horizon, and each specialty's cap or exit rate."""
    own = knobs(plan).set_index("specialty")
    out = [t("forecast_horizon", lang)] if int(horizon) != int(plan.options.horizon) else []
    for spec, cap in caps.items():
        base = own.at[spec, "max_admissions"]
        same = (cap is None or pd.isna(cap)) if math.isnan(base) else (cap is not None and float(cap) == base)
        if not same:
            out.append(t("forecast_cap", lang, specialty=specialty_name(spec, lang)))
    for spec, rate in exit_rates.items():
        if abs(float(rate) - float(own.at[spec, "exit_rate"])) > 1e-12:
            out.append(t("forecast_exit_rate", lang, specialty=specialty_name(spec, lang)))
    return out


def run_all(plan: Plan, time_limit: float | None = DEFAULT_TIME_LIMIT) -> dict[str, ForecastResult]:
    """The three plans of ``plan`` (none, seed004, optimal), the optimiser within ``time_limit`` seconds."""
    if time_limit is not None:
        plan = plan.with_options(time_limit=float(time_limit))
    return {rule: make_plan(plan, rule) for rule in PLANS}


# ----------------------------------------------------------------------------- tables


def plan_name(rule: str, lang: str) -> str:
    """A plan's name in ``lang``."""
    return t(f"forecast_plan_{rule}", lang)


def region_names(plan: Plan) -> dict[str, str]:
    """region_id -> the region's name (its id when the name is empty)."""
    names = plan.regions.get("name", pd.Series(index=plan.regions.index, dtype=object))
    return {r: (n if isinstance(n, str) and n.strip() else r) for r, n in zip(plan.regions["region_id"], names)}


def _status(code: str, lang: str) -> str:
    from .i18n import status

    return status(code, lang)


def specialty_name(code: str, lang: str) -> str:
    """A plan's specialty code as a word in ``lang`` (``family_doctor`` -> «семейный врач»); unknown codes
    as they are."""
    from .i18n import specialty

    return specialty(code, lang)


def _money(value, lang: str, plan: Plan) -> str:
    """Money grouped as typed, with the plan's currency sign when forecast.toml gives one."""
    return money_text(value, lang, plan.options.currency)


def headline(results: dict[str, ForecastResult]) -> pd.DataFrame:
    """Per plan: weighted deficit, cost, admitted, cells closed within the horizon, status."""
    rows = []
    for rule, r in results.items():
        closes = r.closes()
        rows.append({"plan": rule, "weighted_deficit": r.weighted_deficit, "cost": r.cost,
                     "admitted": int(r.admitted.sum()), "closed": int(closes["closes"].notna().sum()),
                     "cells": len(closes), "status": str(r.status)})
    return pd.DataFrame(rows, columns=["plan", "weighted_deficit", "cost", "admitted", "closed", "cells", "status"])


def headline_table(results: dict[str, ForecastResult], lang: str) -> pd.DataFrame:
    """:func:`headline` to show: plan names, figures rounded, money grouped, headers in ``lang``."""
    frame = headline(results)
    plan = next(iter(results.values())).plan
    return pd.DataFrame({
        t("forecast_col_plan", lang): [plan_name(p, lang) for p in frame["plan"]],
        t("forecast_col_weighted_deficit", lang): [number(v, lang, 1) for v in frame["weighted_deficit"]],
        t("forecast_col_cost", lang): [_money(c, lang, plan) for c in frame["cost"]],
        t("forecast_col_admitted", lang): [number(v, lang, 0) for v in frame["admitted"]],
        t("forecast_col_closed", lang): [f"{c} / {n}" for c, n in zip(frame["closed"], frame["cells"])],
        t("forecast_col_status", lang): [_status(s, lang) for s in frame["status"]],
    })


def proof_table(result: ForecastResult, lang: str) -> pd.DataFrame:
    """The optimiser's proof, a row per level: value, bound, gap, status, seconds (empty for a rule)."""
    rows = [{t("forecast_col_level", lang): t(f"forecast_level_{level}", lang),
             t("forecast_col_value", lang): number(p.get("value"), lang, 4),
             t("forecast_col_bound", lang): number(p.get("bound"), lang, 4),
             t("forecast_col_gap", lang): _gap(p.get("gap"), lang),
             t("forecast_col_status", lang): _status(p["status"], lang),
             t("forecast_col_seconds", lang): number(p.get("seconds"), lang, 2)}
            for level, p in result.proof.items()]
    return pd.DataFrame(rows)


def _gap(gap, lang: str) -> str:
    """A relative gap as 1.2e-04 (1,2e-04 in Russian); "-" when there is none."""
    if gap is None or not np.isfinite(gap):
        return "-"
    out = f"{float(gap):.1e}"
    return out.replace(".", ",") if lang == "ru" else out


def deficit_frame(results: dict[str, ForecastResult]) -> pd.DataFrame:
    """region_id, specialty, year, plan, deficit: every plan's projected deficit, long."""
    parts = []
    for rule, r in results.items():
        p = r.projection()[["region_id", "specialty", "year", "deficit"]].copy()
        p.insert(3, "plan", rule)
        parts.append(p)
    return pd.concat(parts, ignore_index=True)


def deficit_figure(results: dict[str, ForecastResult], region: str, specialty: str, lang: str,
                   names: dict | None = None):
    """Plotly lines: the deficit of ``region`` and ``specialty`` by year, one line per plan."""
    import plotly.graph_objects as go

    data = deficit_frame(results)
    data = data[(data["region_id"] == region) & (data["specialty"] == specialty)]
    fig = go.Figure()
    for rule, part in data.groupby("plan", sort=False):
        fig.add_trace(go.Scatter(x=part["year"].astype(int).tolist(), y=part["deficit"].round(3).tolist(),
                                 mode="lines+markers", name=plan_name(rule, lang),
                                 line=dict(color=COLOURS.get(rule), dash=DASHES.get(rule, "solid")),
                                 hovertemplate="%{x}: %{y:.1f}<extra>" + plan_name(rule, lang) + "</extra>"))
    fig.update_layout(title=t("forecast_chart_title", lang, region=(names or {}).get(region, region),
                              specialty=specialty_name(specialty, lang)),
                      xaxis_title=t("forecast_col_year", lang), yaxis_title=t("forecast_axis_deficit", lang),
                      separators=", " if lang == "ru" else ".,",
                      legend_title=t("forecast_col_plan", lang), height=420, margin=dict(l=10, r=10, t=50, b=10))
    return fig


def admissions_wide(result: ForecastResult) -> pd.DataFrame:
    """The admissions of ``result``: region_id, specialty, then one column a year (0 where none)."""
    long = result.admissions()
    if long.empty:
        return pd.DataFrame(columns=["region_id", "specialty"])
    wide = long.pivot_table(index=["region_id", "specialty"], columns="year", values="admitted", aggfunc="sum",
                            fill_value=0).reset_index()
    wide.columns = [str(c) for c in wide.columns]
    years = [c for c in wide.columns if c not in ("region_id", "specialty")]
    wide[years] = wide[years].astype(int)
    return wide


def admissions_table(result: ForecastResult, lang: str, names: dict | None = None) -> pd.DataFrame:
    """:func:`admissions_wide` with the region's name and a total column, headers in ``lang``."""
    wide = admissions_wide(result)
    years = [c for c in wide.columns if c not in ("region_id", "specialty")]
    wide.insert(1, "name", [(names or {}).get(r, r) for r in wide["region_id"]])
    wide["specialty"] = [specialty_name(s, lang) for s in wide["specialty"]]
    wide["total"] = wide[years].sum(axis=1) if years else 0
    return wide.rename(columns=_headers(lang))


def closes_table(results: dict[str, ForecastResult], lang: str, names: dict | None = None) -> pd.DataFrame:
    """Per region and specialty the year its deficit closes for good under each plan (empty: not within
    the horizon)."""
    base = None
    for rule, r in results.items():
        c = r.closes().rename(columns={"closes": rule})
        base = c if base is None else base.merge(c, on=["region_id", "specialty"], how="outer")
    if base is None:
        return pd.DataFrame()
    base.insert(1, "name", [(names or {}).get(r, r) for r in base["region_id"]])
    base["specialty"] = [specialty_name(s, lang) for s in base["specialty"]]
    return base.rename(columns={**_headers(lang), **{rule: plan_name(rule, lang) for rule in results}})


def _headers(lang: str) -> dict[str, str]:
    return {c: t(f"forecast_col_{c}", lang) for c in ("region_id", "name", "specialty", "year", "total", "stock",
                                                      "need", "deficit", "arrivals", "exits", "admitted", "plan")}


# ----------------------------------------------------------------------------- downloads


def admissions_csv(result: ForecastResult) -> bytes:
    """admissions by year, one column a year (the optimal plan's table), as CSV with a BOM for Excel."""
    from .exports import csv_bytes

    return csv_bytes(admissions_wide(result))


#: The sheets of :func:`projection_xlsx`, by text code.
SHEETS = ("forecast_sheet_summary", "forecast_sheet_admissions", "forecast_sheet_projection",
          "forecast_sheet_closes")


def projection_xlsx(results: dict[str, ForecastResult], lang: str) -> bytes:
    """The three plans as one .xlsx (:func:`allocator.xlsx.write_xlsx`): summary, the optimal plan's
    admissions by year, every plan's projection (a ``plan`` column) and the closing years."""
    summary = headline(results)
    summary["plan"] = [plan_name(p, lang) for p in summary["plan"]]
    summary["status"] = [_status(s, lang) for s in summary["status"]]
    summary = summary.rename(columns={c: t(f"forecast_col_{c}", lang) for c in summary.columns})
    projection = pd.concat([r.projection().assign(plan=plan_name(rule, lang)) for rule, r in results.items()],
                           ignore_index=True)
    projection = projection[["plan", "region_id", "specialty", "year", "stock", "need", "deficit", "arrivals",
                             "exits"]].round(6)
    projection["specialty"] = [specialty_name(v, lang) for v in projection["specialty"]]
    best = results.get("optimal") or next(iter(results.values()))
    admissions = admissions_wide(best)
    admissions["specialty"] = [specialty_name(v, lang) for v in admissions["specialty"]]
    closes = closes_table(results, lang, None).drop(columns=[t("forecast_col_name", lang)])
    for col in closes.columns[2:]:
        closes[col] = closes[col].astype(object).where(closes[col].notna(), None)
    sheets = {t(SHEETS[0], lang): summary, t(SHEETS[1], lang): admissions.rename(columns=_headers(lang)),
              t(SHEETS[2], lang): projection.rename(columns=_headers(lang)), t(SHEETS[3], lang): closes}
    with tempfile.TemporaryDirectory(prefix="medstaff-forecast-") as tmp:
        path = Path(tmp) / "plan.xlsx"
        write_xlsx(path, {name[:31]: frame for name, frame in sheets.items()})
        return path.read_bytes()


def number(value, lang: str, digits: int = 1) -> str:
    """A figure with ``digits`` decimals, digits grouped (a space and a decimal comma in Russian)."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "-"
    out = f"{float(value):,.{digits}f}"
    return out.replace(",", "\u00a0").replace(".", ",") if lang == "ru" else out


__all__ = ["DEFAULT_TIME_LIMIT", "SHEETS", "Source", "admissions_csv", "admissions_table", "admissions_wide",
           "changes", "closes_table", "deficit_figure", "deficit_frame", "headline", "headline_table", "knobs",
           "load_source", "load_upload", "number", "plan_folders", "plan_name", "projection_xlsx", "proof_table",
           "region_names", "run_all", "what_if"]

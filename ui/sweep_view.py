"""The scenario-sweep page's computations, without Streamlit (``ui/pages/sweep.py``).

The page's choices become the dict a grid file parses to (:func:`grid_mapping`;
:func:`grid_toml` writes it as that file) and go through the command line's own
checks (:func:`allocator.sweep.grid.grid_from_mapping` and
:func:`~allocator.sweep.grid.expand`), so the app and ``allocator sweep`` refuse
the same grids with the same problems. Scenarios are solved by
:func:`allocator.sweep.runner.run_scenario` in this process (1 worker) or by
:func:`~allocator.sweep.runner.run_sweep` on a local process pool; each
scenario's solution is read for its per-region deficit and then dropped.

Figures: the trade-off curve (a grid key against the weighted deficit), a heat
map of the weighted deficit by region and scenario, and the Pareto set on
(weighted deficit, spend, total km), :func:`pareto_mask`.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from allocator.indicators.groups import GROUP_LABELS
from allocator.messages import InputError, Problem
from allocator.scenario import SOLVERS
from allocator.sweep.grid import ScenarioSpec, expand, grid_from_mapping
from allocator.sweep.marginal import region_deficits
from allocator.sweep.runner import prepare, run_scenario, run_sweep

from .i18n import t

#: Most scenarios the page runs at once (the command line allows more).
MAX_UI_SCENARIOS = 200
#: The name the page's grid goes by in problems (as a grid file's path would).
GRID_NAME = "grid"
#: The three figures the Pareto set minimises.
PARETO_COLUMNS = ("weighted_deficit", "spend", "total_km")


@dataclass
class Choices:
    """What the page's widgets chose: lists of values per key (an empty list: the round's own)."""

    solver: str = "flow"
    max_km: list = field(default_factory=list)
    budgets: dict = field(default_factory=dict)  # programme_id -> values
    quotas: dict = field(default_factory=dict)  # programme_id -> values
    weight_groups: dict = field(default_factory=dict)  # "I".."V" -> values


def parse_values(text: str) -> list:
    """Comma- or semicolon-separated values: whole numbers as int, other numbers as float, anything
    else kept as text (the grid check then refuses it with its key and position)."""
    out = []
    for token in str(text).replace(";", ",").split(","):
        token = token.strip().replace("\u00a0", "").replace(" ", "")
        if not token:
            continue
        try:
            number = float(token)
        except ValueError:
            out.append(token)
            continue
        out.append(int(number) if math.isfinite(number) and number == int(number) and "." not in token
                   else number)
    return out


def budget_range(low: float, high: float, steps: int) -> list[int]:
    """``steps`` budgets evenly from ``low`` to ``high``, in whole money units, without repeats."""
    steps = max(1, int(steps))
    if steps == 1 or high == low:
        return [int(round(low))]
    values = [int(round(low + (high - low) * i / (steps - 1))) for i in range(steps)]
    return list(dict.fromkeys(values))


def grid_mapping(choices: Choices) -> dict:
    """The parsed-TOML dict of the grid file these choices stand for (``{"grid": {...}}``, nested tables)."""
    grid: dict = {"solver": [choices.solver]}
    if choices.max_km:
        grid["max_km"] = list(choices.max_km)
    programmes: dict = {}
    for field_name, table in (("budget", choices.budgets), ("quota", choices.quotas)):
        for pid, values in table.items():
            if values:
                programmes.setdefault(pid, {})[field_name] = list(values)
    if programmes:
        grid["programme"] = programmes
    groups = {g: list(v) for g, v in choices.weight_groups.items() if v}
    if groups:
        grid["weight_group"] = groups
    return {"grid": grid}


def grid_toml(mapping: dict) -> str:
    """The grid file (``GRID.toml`` of ``allocator sweep --grid``) holding ``mapping``."""
    lines = ["[grid]"]
    for key, values in _flat(mapping.get("grid", {})):
        lines.append(f"{_toml_key(key)} = [{', '.join(_toml_value(v) for v in values)}]")
    return "\n".join(lines) + "\n"


def _flat(table: dict, prefix: str = ""):
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _flat(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _toml_key(key: str) -> str:
    bare = all(part and all(c.isalnum() or c in "_-" for c in part) for part in key.split("."))
    return key if bare else json.dumps(key)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def scenario_count(mapping: dict) -> int:
    """How many scenarios the grid of ``mapping`` has (the product of its lists' lengths)."""
    return math.prod(len(v) for _, v in _flat(mapping.get("grid", {})) if isinstance(v, list))


def check_grid(mapping: dict, round_, cap: int = MAX_UI_SCENARIOS) -> tuple[list[ScenarioSpec], list[Problem]]:
    """(scenarios, problems) of ``mapping`` on ``round_``: the command line's checks, then the page's cap."""
    try:
        specs = expand(grid_from_mapping(mapping, GRID_NAME), round_)
    except InputError as exc:
        return [], list(exc.problems)
    if len(specs) > cap:
        return [], [Problem.of(GRID_NAME, None, None, "cli_sweep_too_many", n=len(specs), limit=cap)]
    return specs, []


def varied_keys(specs: list[ScenarioSpec]) -> list[str]:
    """The grid keys whose value differs between scenarios, in grid order."""
    keys = list(dict.fromkeys(k for s in specs for k in s.values))
    return [k for k in keys if len({repr(s.values.get(k)) for s in specs}) > 1]


# ----------------------------------------------------------------------------- running


@dataclass
class SweepResult:
    """Rows of the scenarios (``scenarios.csv``'s columns) and each one's weighted deficit per region."""

    specs: list[ScenarioSpec]
    rows: list[dict]
    regions: pd.DataFrame  # region_id x scenario name, weighted deficit left
    wall_s: float


def eta_seconds(done: int, total: int, elapsed: float) -> float | None:
    """Seconds still to go at the pace so far (None before the first scenario is done)."""
    if done <= 0:
        return None
    return elapsed / done * max(0, total - done)


def run(round_, specs: list[ScenarioSpec], workers: int = 1,
        on_done: Callable[[int, int, float], None] | None = None) -> SweepResult:
    """Solve ``specs`` on ``round_``: in this process with 1 worker, else a local pool of ``workers``.

    ``on_done(done, total, elapsed_s)`` after each scenario. Solutions are kept only until their
    per-region deficits are read.
    """
    started = time.perf_counter()
    per_region: dict[str, pd.Series] = {}
    done = 0

    def take(result) -> None:
        nonlocal done
        done += 1
        if result.solution is not None:
            per_region[result.name] = region_deficits(result.solution)
        if on_done is not None:
            on_done(done, len(specs), time.perf_counter() - started)

    if workers <= 1:
        payload = prepare(round_, specs)
        rows = []
        for spec in specs:
            result = run_scenario(spec, payload, keep=True)
            take(result)
            rows.append(result.row)
    else:
        rows = run_sweep(round_, specs, workers=workers, keep=True, on_result=take)
    ids = list(round_.regions["region_id"])
    regions = pd.DataFrame({name: per_region.get(name, pd.Series(dtype=float)).reindex(ids)
                            for name in (s.name for s in specs)}, index=ids)
    regions.index.name = "region_id"
    return SweepResult(list(specs), rows, regions, time.perf_counter() - started)


# ----------------------------------------------------------------------------- tables


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


_TEXT_COLUMNS = frozenset({"scenario", "status", "error", "solver", "distances", "diminishing_returns"})


def scenarios_frame(result: SweepResult) -> pd.DataFrame:
    """The rows as a table with numbers: every grid key and figure, ``spend`` (all programmes)."""
    frame = pd.DataFrame(result.rows)
    for col in frame.columns:
        if col not in _TEXT_COLUMNS:
            frame[col] = frame[col].map(_number)
    spend = [c for c in frame.columns if c.startswith("spend.")]
    frame["spend"] = frame[spend].sum(axis=1, min_count=1) if spend else 0.0
    return frame


def pareto_mask(points) -> np.ndarray:
    """True for each point (row) no other point dominates, every column minimised.

    ``q`` dominates ``p`` when ``q <= p`` in every column and ``q < p`` in one; equal points
    do not dominate each other. Rows with a NaN are never in the set. Sorting lexicographically
    means only an earlier row can dominate a later one, so each row is checked against the
    front found so far.
    """
    pts = np.asarray(points, dtype=float)
    n = len(pts)
    mask = np.zeros(n, dtype=bool)
    if n == 0:
        return mask
    ok = ~np.isnan(pts).any(axis=1)
    order = [i for i in np.lexsort(pts.T[::-1]) if ok[i]]
    front: list[int] = []
    for i in order:
        p = pts[i]
        if front:
            f = pts[front]
            if (np.all(f <= p, axis=1) & np.any(f < p, axis=1)).any():
                continue
        front.append(i)
    mask[front] = True
    return mask


def pareto_table(frame: pd.DataFrame, keys: list[str], lang: str) -> pd.DataFrame:
    """Scenario, its grid values, the three figures and whether it is on the Pareto set (best first)."""
    table = frame[["scenario", *keys, *PARETO_COLUMNS]].copy()
    table.insert(1, "pareto", pareto_mask(table[list(PARETO_COLUMNS)].to_numpy()))
    table = table.sort_values(["pareto", "weighted_deficit", "spend", "total_km"],
                              ascending=[False, True, True, True], kind="stable")
    return table.rename(columns=headers(lang)).reset_index(drop=True)


def headers(lang: str) -> dict[str, str]:
    """Column -> header in ``lang`` for the figures the page shows (grid keys keep their names)."""
    return {c: t(f"sweep_col_{c}", lang) for c in ("scenario", "pareto", "status", "obligated_placed",
                                                     "weighted_deficit", "total_km", "spend", "wall_s", "error")}


def download_table(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The scenarios table to download: ``scenarios.csv``'s columns, the figures' headers in ``lang``."""
    return frame.rename(columns=headers(lang))


def xlsx_bytes(frame: pd.DataFrame, regions: pd.DataFrame, lang: str, names: dict | None = None) -> bytes:
    """The scenarios table and the per-region deficits as an .xlsx workbook (styled headers)."""
    from ui.exports import tables_xlsx

    by_region = regions.copy()
    by_region.insert(0, t("sweep_col_region", lang), [(names or {}).get(r, r) for r in by_region.index])
    sheets = {t("sweep_sheet_scenarios", lang): download_table(frame, lang),
              t("sweep_sheet_regions", lang): by_region.reset_index(drop=True)}
    return tables_xlsx(sheets)


# ----------------------------------------------------------------------------- figures


def _series_label(row, keys: list[str]) -> str:
    return ", ".join(f"{k}={_short(row[k])}" for k in keys) or "-"


def _short(value) -> str:
    if isinstance(value, float) and value == int(value):
        return f"{int(value):,}".replace(",", " ")
    return str(value)


def trade_off_frame(frame: pd.DataFrame, x_key: str, keys: list[str]) -> pd.DataFrame:
    """x (``x_key``), weighted deficit and the series (the other varied keys' values), sorted by x."""
    others = [k for k in keys if k != x_key]
    out = pd.DataFrame({"scenario": frame["scenario"], "x": frame[x_key].map(_number),
                        "weighted_deficit": frame["weighted_deficit"],
                        "series": [_series_label(r, others) for _, r in frame.iterrows()]})
    return out.sort_values(["series", "x"], kind="stable").reset_index(drop=True)


def trade_off_figure(frame: pd.DataFrame, x_key: str, keys: list[str], lang: str):
    """Plotly lines with markers: ``x_key`` against the weighted deficit, one line per other key value."""
    import plotly.graph_objects as go

    data = trade_off_frame(frame, x_key, keys)
    fig = go.Figure()
    for series, part in data.groupby("series", sort=False):
        fig.add_trace(go.Scatter(x=part["x"], y=part["weighted_deficit"], mode="lines+markers", name=series,
                                 text=part["scenario"],
                                 hovertemplate="%{text}: %{x:,.0f} → %{y:.2f}<extra></extra>"))
    fig.update_layout(title=t("sweep_curve_title", lang, axis=x_key), xaxis_title=x_key,
                      yaxis_title=t("sweep_col_weighted_deficit", lang), legend_title=t("sweep_series", lang),
                      height=420, margin=dict(l=10, r=10, t=50, b=10))
    return fig


def heatmap_figure(regions: pd.DataFrame, names: dict, lang: str):
    """Plotly heat map: weighted deficit left by region (rows) and scenario (columns)."""
    import plotly.graph_objects as go

    fig = go.Figure(go.Heatmap(z=regions.to_numpy(), x=list(regions.columns),
                               y=[names.get(r, r) for r in regions.index], colorscale="Reds",
                               colorbar=dict(title=t("sweep_col_weighted_deficit", lang)),
                               hovertemplate="%{y} / %{x}: %{z:.2f}<extra></extra>"))
    fig.update_layout(title=t("sweep_heatmap_title", lang), xaxis_title=t("sweep_col_scenario", lang),
                      height=max(360, 18 * len(regions) + 120), margin=dict(l=10, r=10, t=50, b=10))
    return fig


__all__ = ["GROUP_LABELS", "MAX_UI_SCENARIOS", "SOLVERS", "Choices", "SweepResult", "budget_range", "check_grid",
           "eta_seconds", "grid_mapping", "grid_toml", "heatmap_figure", "pareto_mask", "pareto_table",
           "parse_values", "region_deficits", "run", "scenario_count", "scenarios_frame", "trade_off_figure",
           "trade_off_frame", "varied_keys", "xlsx_bytes"]

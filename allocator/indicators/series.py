"""Year-by-year indicator series and their trend per region.

Series table (long format): ``region_id, year, indicator, value`` -- e.g.
data/penza/seed004/series_2013_2019.csv.

Trend per (region_id, indicator) over the years in [start, end]:
    change          value(last year) - value(first year)
    change_pct      change / value(first year) * 100 (NaN if the first value is 0)
    slope_per_year  ordinary least-squares slope of value on year over all
                    years present (NaN with fewer than two years)
Years with a missing value are skipped.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

SERIES_COLUMNS = ("region_id", "year", "indicator", "value")


def load_series(path: str | Path) -> pd.DataFrame:
    """Read and check a long series CSV."""
    table = pd.read_csv(path, dtype={"region_id": str, "indicator": str})
    missing = [c for c in SERIES_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    table["year"] = pd.to_numeric(table["year"], errors="raise").astype(int)
    table["value"] = pd.to_numeric(table["value"], errors="coerce")
    if table.duplicated(["region_id", "year", "indicator"]).any():
        row = table[table.duplicated(["region_id", "year", "indicator"])].iloc[0]
        raise ValueError(f"{path}: {row.region_id} {row.indicator} {row.year} appears twice")
    return table


def series_trend(series: pd.DataFrame, start: int | None = None,
                 end: int | None = None) -> pd.DataFrame:
    """One row per (region_id, indicator) with first/last year and value, change, slope."""
    s = series.dropna(subset=["value"])
    if start is not None:
        s = s[s.year >= start]
    if end is not None:
        s = s[s.year <= end]
    s = s.sort_values(["region_id", "indicator", "year"])
    g = s.groupby(["region_id", "indicator"], sort=False)
    out = g.agg(first_year=("year", "first"), last_year=("year", "last"),
                first_value=("value", "first"), last_value=("value", "last"),
                n_years=("year", "size"))
    # OLS slope = sum((x - mean x)(y - mean y)) / sum((x - mean x)^2), vectorised.
    x_mean = g.year.transform("mean")
    y_mean = g.value.transform("mean")
    dx = s.year - x_mean
    sxy = (dx * (s.value - y_mean)).groupby([s.region_id, s.indicator], sort=False).sum()
    sxx = (dx * dx).groupby([s.region_id, s.indicator], sort=False).sum()
    out["change"] = out.last_value - out.first_value
    first = out.first_value.where(out.first_value != 0)
    out["change_pct"] = out.change / first * 100
    out["slope_per_year"] = (sxy / sxx.where(sxx > 0)).reindex(out.index)
    return out.reset_index()


def trend_wide(trend: pd.DataFrame, columns=("change", "slope_per_year")) -> pd.DataFrame:
    """One row per region: ``{indicator}_{column}`` for each indicator and column."""
    wide = trend.pivot(index="region_id", columns="indicator", values=list(columns))
    wide.columns = [f"{ind}_{col}" for col, ind in wide.columns]
    return wide.reset_index()


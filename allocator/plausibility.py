"""Plausibility warnings: input that is valid but probably not what the planner meant.

They never stop a run; :func:`allocator.validate.validate` puts them into
``Round.warnings`` (printed by the command line, kept in ``summary.json``).

Coordinates: the regions' centres span a box; it is widened on each side by
half its size, and by at least :data:`MARGIN_DEG` degrees (of latitude; the
longitude margin is widened by 1/cos(latitude)). When most facilities lie
outside that box, a warning names the facilities' file: ``coordinates_swapped``
when swapping lat and lon puts most of them inside the box, otherwise
``coordinates_far``. A round whose regions and facilities are all swapped the
same way is consistent and cannot be told from a real place; it gets no
warning.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .messages import Problem

#: Least widening of the regions' box, degrees of latitude (about 330 km).
MARGIN_DEG = 3.0


def _box(regions: pd.DataFrame) -> tuple[float, float, float, float] | None:
    lat = pd.to_numeric(regions["lat"], errors="coerce").dropna()
    lon = pd.to_numeric(regions["lon"], errors="coerce").dropna()
    if lat.empty or lon.empty:
        return None
    lat_lo, lat_hi, lon_lo, lon_hi = lat.min(), lat.max(), lon.min(), lon.max()
    lat_margin = max(MARGIN_DEG, (lat_hi - lat_lo) / 2)
    widest = max(abs(lat_lo), abs(lat_hi))
    lon_margin = max(MARGIN_DEG / max(math.cos(math.radians(min(widest, 80.0))), 0.1), (lon_hi - lon_lo) / 2)
    return lat_lo - lat_margin, lat_hi + lat_margin, lon_lo - lon_margin, lon_hi + lon_margin


def coordinate_warnings(regions: pd.DataFrame, facilities: pd.DataFrame, file: str) -> list[Problem]:
    """At most one warning about the facilities' coordinates (see the module docstring)."""
    box = _box(regions)
    lat = pd.to_numeric(facilities["lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(facilities["lon"], errors="coerce").to_numpy(dtype=float)
    given = ~(np.isnan(lat) | np.isnan(lon))
    if box is None or not given.any():
        return []
    lat, lon = lat[given], lon[given]
    lat_lo, lat_hi, lon_lo, lon_hi = box

    def inside(y, x):
        """Boolean mask: which (lat ``y``, lon ``x``) points lie in the regions' widened box."""
        return (y >= lat_lo) & (y <= lat_hi) & (x >= lon_lo) & (x <= lon_hi)

    outside = ~inside(lat, lon)
    if 2 * outside.sum() <= len(lat):
        return []
    swapped = inside(lon[outside], lat[outside])
    code = "coordinates_swapped" if 2 * swapped.sum() > outside.sum() else "coordinates_far"
    return [Problem.of(file, None, "lat, lon", code, count=int(outside.sum()), total=len(lat),
                       lat=f"{lat_lo:.1f}..{lat_hi:.1f}", lon=f"{lon_lo:.1f}..{lon_hi:.1f}")]

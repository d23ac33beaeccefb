"""Vectorised geodesy on the WGS-84 ellipsoid (no Python loop per point).

``geodesic_km`` uses Lambert's formula for long lines (Lambert 1942; see
Wikipedia "Geographical distance", section "Lambert's formula for long
lines"): a spherical central angle on reduced latitudes plus a first-order
flattening correction. Its error is of the order of 10 m over 1,000 km; the
test suite checks it against ``geopy.distance.geodesic`` (Karney's exact
algorithm). It is used wherever many distances are needed at once.
"""

from __future__ import annotations

import numpy as np

WGS84_A_KM = 6378.137
WGS84_F = 1 / 298.257223563
MEAN_EARTH_RADIUS_KM = 6371.0088


def _as_radians(*values):
    return [np.radians(np.asarray(v, dtype=float)) for v in values]


def central_angle(lat1, lon1, lat2, lon2):
    """Great-circle central angle (radians) by the haversine formula; broadcasts."""
    p1, l1, p2, l2 = _as_radians(lat1, lon1, lat2, lon2)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return 2 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def geodesic_km(lat1, lon1, lat2, lon2):
    """WGS-84 geodesic distance in km (Lambert's formula); broadcasts like numpy."""
    p1, l1, p2, l2 = _as_radians(lat1, lon1, lat2, lon2)
    b1 = np.arctan((1 - WGS84_F) * np.tan(p1))
    b2 = np.arctan((1 - WGS84_F) * np.tan(p2))
    sigma = central_angle(np.degrees(b1), np.degrees(l1), np.degrees(b2), np.degrees(l2))
    p = (b1 + b2) / 2
    q = (b2 - b1) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (sigma - np.sin(sigma)) * np.sin(p) ** 2 * np.cos(q) ** 2 / np.cos(sigma / 2) ** 2
        y = (sigma + np.sin(sigma)) * np.cos(p) ** 2 * np.sin(q) ** 2 / np.sin(sigma / 2) ** 2
        d = WGS84_A_KM * (sigma - WGS84_F / 2 * (x + y))
    return np.where(sigma > 0, d, 0.0)


def unit_vectors(lat, lon) -> np.ndarray:
    """Points as 3-D unit vectors (n, 3): nearest by chord = nearest on the sphere."""
    p, l = _as_radians(lat, lon)
    return np.column_stack([np.cos(p) * np.cos(l), np.cos(p) * np.sin(l), np.sin(p)])


def nearest_index(point_lat, point_lon, target_lat, target_lon, max_cells: int = 4_000_000):
    """Index of the nearest target for every point.

    Compares 3-D unit vectors by dot product (largest dot = smallest central
    angle), in chunks of points so that at most ``max_cells`` products are
    held in memory at once. Ties go to the lowest target index.
    """
    points = unit_vectors(point_lat, point_lon)
    targets = unit_vectors(target_lat, target_lon)
    if len(targets) == 0:
        raise ValueError("no targets to snap to")
    chunk = max(1, max_cells // len(targets))
    out = np.empty(len(points), dtype=np.int64)
    for start in range(0, len(points), chunk):
        block = points[start : start + chunk] @ targets.T
        out[start : start + chunk] = np.argmax(block, axis=1)
    return out

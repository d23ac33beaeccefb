"""Vectorised geodesy on the WGS-84 ellipsoid (no Python loop per point).

``geodesic_km`` is the project's one geodesic distance: pyproj's ``Geod``
(PROJ's implementation of Karney's algorithm, the same algorithm geopy uses
through geographiclib, accurate to nanometres) applied to whole arrays. The
tests check it against ``geopy.distance.geodesic`` point by point.
"""

from __future__ import annotations

import numpy as np
from pyproj import Geod

WGS84 = Geod(ellps="WGS84")


def geodesic_km(lat1, lon1, lat2, lon2):
    """WGS-84 geodesic distance in km; arguments broadcast like numpy."""
    lat1, lon1, lat2, lon2 = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (lat1, lon1, lat2, lon2)))
    if lat1.size == 0:
        return np.zeros(lat1.shape)
    _, _, metres = WGS84.inv(lon1.ravel(), lat1.ravel(), lon2.ravel(), lat2.ravel())
    return (np.asarray(metres) / 1000.0).reshape(lat1.shape)


def _as_radians(*values):
    return [np.radians(np.asarray(v, dtype=float)) for v in values]


def central_angle(lat1, lon1, lat2, lon2):
    """Great-circle central angle (radians) by the haversine formula; broadcasts."""
    p1, l1, p2, l2 = _as_radians(lat1, lon1, lat2, lon2)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return 2 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def unit_vectors(lat, lon) -> np.ndarray:
    """Points as 3-D unit vectors (n, 3): nearest by chord = nearest on the sphere."""
    p, lam = _as_radians(lat, lon)
    return np.column_stack([np.cos(p) * np.cos(lam), np.cos(p) * np.sin(lam), np.sin(p)])


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

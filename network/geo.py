"""Geodesy for the network package: re-exported from :mod:`medstaff_core.geo` (the lower layer)."""

from medstaff_core.geo import WGS84, central_angle, geodesic_km, nearest_index, unit_vectors

__all__ = ["WGS84", "central_angle", "geodesic_km", "nearest_index", "unit_vectors"]

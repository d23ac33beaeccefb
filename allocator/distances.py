"""Home-to-post distances for the allowed pairs.

``geodesic``: WGS-84 geodesic km (geopy, Karney's algorithm), computed once
per distinct (home point, facility point) and broadcast to the pairs.
``road``: road km from the network package's distance matrix over the round's
``settlements.csv`` and ``roads.csv`` (homes and facilities snapped to the
nearest settlement; the straight connector is counted).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from geopy.distance import geodesic


def geodesic_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Geodesic km for aligned coordinate arrays; each distinct pair computed once."""
    points = pd.DataFrame({"a": lat1, "b": lon1, "c": lat2, "d": lon2}).astype(float)
    unique = points.drop_duplicates(ignore_index=True)
    km = np.fromiter(
        (geodesic((a, b), (c, d)).km for a, b, c, d in unique.itertuples(index=False, name=None)),
        dtype=float,
        count=len(unique),
    )
    unique["km"] = km
    return points.merge(unique, on=["a", "b", "c", "d"], how="left")["km"].to_numpy()


# Pairs whose fast (Lambert) geodesic exceeds max_km by more than this are dropped
# before the exact one is computed; Lambert's error is ~10 m per 1,000 km.
PREFILTER_MARGIN_KM = 1.0


def pair_distances(pairs: pd.DataFrame, round_) -> np.ndarray:
    """km for each row of ``pairs`` (home_lat/lon, fac_lat/lon, max_km); NaN = beyond max_km.

    Geodesic: a vectorised approximation first discards pairs clearly beyond
    their max_km, then geopy's exact geodesic is computed for the rest.
    """
    if round_.scenario.distances == "road":
        return _road_km(pairs, round_)
    from network.geo import geodesic_km as fast_km

    approx = fast_km(pairs["home_lat"], pairs["home_lon"], pairs["fac_lat"], pairs["fac_lon"])
    near = ~(approx > pairs["max_km"].to_numpy(dtype=float) + PREFILTER_MARGIN_KM)
    km = np.full(len(pairs), np.nan)
    sub = pairs.loc[near]
    km[near] = geodesic_km(sub["home_lat"], sub["home_lon"], sub["fac_lat"], sub["fac_lon"])
    return km


def _road_km(pairs: pd.DataFrame, round_) -> np.ndarray:
    import network

    graph = network.build_road_graph(round_.settlements, round_.roads)
    homes = pairs[["home_lat", "home_lon"]].drop_duplicates().reset_index(drop=True)
    homes["id"] = "h" + homes.index.astype(str)
    facilities = round_.facilities[["facility_id", "lat", "lon"]].rename(columns={"facility_id": "id"})
    matrix = network.distance_matrix(
        graph,
        homes.rename(columns={"home_lat": "lat", "home_lon": "lon"})[["id", "lat", "lon"]],
        facilities,
        weight="km",
    )
    keyed = pairs.merge(homes, on=["home_lat", "home_lon"], how="left")
    km = keyed.merge(
        matrix[["origin_id", "destination_id", "km"]],
        left_on=["id", "facility_id"],
        right_on=["origin_id", "destination_id"],
        how="left",
    )["km"]
    return km.to_numpy(dtype=float)

"""Home-to-post distances for the allowed pairs.

``geodesic``: WGS-84 geodesic km (Karney's algorithm, vectorised:
:func:`network.geo.geodesic_km`). ``road``: road km from the network
package's distance matrix over the round's ``settlements.csv`` and
``roads.csv`` (homes and facilities snapped to the nearest settlement; the
straight connector is counted).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from network import build_road_graph, distance_matrix, geodesic_km


def pair_distances(pairs: pd.DataFrame, round_) -> np.ndarray:
    """km for each row of ``pairs`` (home_lat/lon, fac_lat/lon); NaN = no road connects them."""
    if round_.scenario.distances == "road":
        return _road_km(pairs, round_)
    return geodesic_km(pairs["home_lat"].to_numpy(), pairs["home_lon"].to_numpy(),
                       pairs["fac_lat"].to_numpy(), pairs["fac_lon"].to_numpy())


def _road_km(pairs: pd.DataFrame, round_) -> np.ndarray:
    graph = build_road_graph(round_.settlements, round_.roads)
    homes = pairs[["home_lat", "home_lon"]].drop_duplicates().reset_index(drop=True)
    homes["id"] = "h" + homes.index.astype(str)
    facilities = round_.facilities[["facility_id", "lat", "lon"]].rename(columns={"facility_id": "id"})
    matrix = distance_matrix(
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

"""Home-to-facility distances for the allowed pairs, computed once per distinct home.

``geodesic``: WGS-84 geodesic km (Karney's algorithm, vectorised:
:func:`medstaff_core.geo.geodesic_km`), only for the facilities a k-d tree over
3-D unit vectors finds within the home's reach (the largest max_km of the
graduates who live there), so a national round never computes all
homes x facilities. ``road``: road km from the network package's distance
matrix over the round's ``settlements.csv`` and ``roads.csv`` (homes and
facilities snapped to the nearest settlement; the straight connector is
counted).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from medstaff_core.geo import geodesic_km, unit_vectors

EARTH_RADIUS_KM = 6371.0088
# The geodesic on the ellipsoid is at most 0.6% longer than the great circle on the mean
# sphere; the tree searches this much further and the exact distance decides.
TREE_MARGIN = 1.01


def home_facility_km(homes: pd.DataFrame, facilities: pd.DataFrame, round_, wanted=None) -> pd.DataFrame:
    """km from each home (home_lat, home_lon, reach_km; NaN reach = any) to facilities in reach.

    ``wanted(home, facility) -> bool array``, if given, drops candidate pairs before
    their distance is computed (e.g. no vacancy of a specialty anyone at that home has).
    Returns columns home (row of ``homes``), facility (row of ``facilities``), km;
    pairs beyond the reach or with no road are left out.
    """
    if round_.scenario.distances == "road":
        out = _road_km(homes, facilities, round_)
    else:
        out = _geodesic_km(homes, facilities, wanted)
    reach = homes["reach_km"].to_numpy(dtype=float)[out["home"].to_numpy()]
    keep = out["km"].notna().to_numpy() & (np.isnan(reach) | (out["km"].to_numpy() <= reach))
    return out.loc[keep].reset_index(drop=True)


def _geodesic_km(homes: pd.DataFrame, facilities: pd.DataFrame, wanted=None) -> pd.DataFrame:
    fac_xyz = unit_vectors(facilities["lat"].to_numpy(), facilities["lon"].to_numpy())
    home_xyz = unit_vectors(homes["home_lat"].to_numpy(), homes["home_lon"].to_numpy())
    reach = homes["reach_km"].to_numpy(dtype=float)
    h_parts, f_parts = [], []
    unlimited = np.flatnonzero(np.isnan(reach))
    if len(unlimited):
        h_parts.append(np.repeat(unlimited, len(facilities)))
        f_parts.append(np.tile(np.arange(len(facilities)), len(unlimited)))
    limited = np.flatnonzero(~np.isnan(reach))
    if len(limited) and len(facilities):
        from scipy.spatial import cKDTree  # here, not at import: it costs 0.25 s of every start-up

        tree = cKDTree(fac_xyz)
        angle = np.minimum(reach[limited] * TREE_MARGIN / EARTH_RADIUS_KM, np.pi)
        chord = 2 * np.sin(angle / 2)
        found = tree.query_ball_point(home_xyz[limited], chord)
        counts = np.fromiter((len(f) for f in found), dtype=np.int64, count=len(found))
        h_parts.append(np.repeat(limited, counts))
        f_parts.append(np.concatenate([np.asarray(f, dtype=np.int64) for f in found])
                       if counts.sum() else np.array([], dtype=np.int64))
    h = np.concatenate(h_parts) if h_parts else np.array([], dtype=np.int64)
    f = np.concatenate(f_parts) if f_parts else np.array([], dtype=np.int64)
    if wanted is not None and len(h):
        keep = wanted(h, f)
        h, f = h[keep], f[keep]
    km = geodesic_km(homes["home_lat"].to_numpy()[h], homes["home_lon"].to_numpy()[h],
                     facilities["lat"].to_numpy()[f], facilities["lon"].to_numpy()[f])
    return pd.DataFrame({"home": h, "facility": f, "km": km})


def _road_km(homes: pd.DataFrame, facilities: pd.DataFrame, round_) -> pd.DataFrame:
    from network import build_road_graph, distance_matrix  # only road rounds pay for networkx

    graph = build_road_graph(round_.settlements, round_.roads)
    origins = pd.DataFrame({"id": "h" + pd.Series(range(len(homes))).astype(str),
                            "lat": homes["home_lat"].to_numpy(), "lon": homes["home_lon"].to_numpy()})
    dest = pd.DataFrame({"id": "f" + pd.Series(range(len(facilities))).astype(str),
                         "lat": facilities["lat"].to_numpy(), "lon": facilities["lon"].to_numpy()})
    matrix = distance_matrix(graph, origins, dest, weight="km")
    return pd.DataFrame({
        "home": matrix["origin_id"].str[1:].astype(np.int64).to_numpy(),
        "facility": matrix["destination_id"].str[1:].astype(np.int64).to_numpy(),
        "km": matrix["km"].to_numpy(dtype=float),
    })

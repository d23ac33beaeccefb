"""Placing points (facilities, graduates' homes) on the road graph.

A point with a ``settlement_id`` that is a graph node sits on that node.
Any other point is snapped to the nearest node by great-circle distance
(vectorised, see ``geo.nearest_index``) and joined to it by a straight-line
connector whose WGS-84 geodesic length is added to every distance from or to
the point. Connector travel time uses ``CONNECTOR_SPEED_KMH``.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from .errors import NetworkInputError, issue
from .geo import geodesic_km, nearest_index
from .schema import id_strings

#: ASSUMED speed on the straight-line connector from an off-graph point to
#: its nearest node (a village street or field track), km/h.
CONNECTOR_SPEED_KMH = 30.0


def node_coordinates(graph: nx.Graph) -> tuple[list, np.ndarray, np.ndarray]:
    """Nodes in graph order with their latitude and longitude arrays."""
    nodes = list(graph.nodes)
    lat = np.fromiter((graph.nodes[n]["lat"] for n in nodes), dtype=float, count=len(nodes))
    lon = np.fromiter((graph.nodes[n]["lon"] for n in nodes), dtype=float, count=len(nodes))
    return nodes, lat, lon


def snap_points(graph: nx.Graph, points: pd.DataFrame, table: str = "points") -> pd.DataFrame:
    """Graph node and connector for every row of ``points`` (same order, fresh index).

    ``points`` has lat, lon and optionally settlement_id. Returns columns
    lat, lon (the point's, or its node's when given by settlement_id), node,
    connector_km, connector_minutes, snapped (False when the point is a node
    given by settlement_id). Raises ``NetworkInputError`` for an unknown
    settlement_id or a point with neither a settlement_id nor coordinates.
    """
    n = len(points)
    node = pd.Series([None] * n, dtype=object)
    if "settlement_id" in points:
        sid = id_strings(points["settlement_id"].reset_index(drop=True))
        issues = [issue(table, i + 2, "settlement_id", "net_unknown_node", value=repr(v))
                  for i, v in enumerate(sid) if v is not None and v not in graph]
        if issues:
            raise NetworkInputError(issues)
        node = sid
    todo = node.isna().to_numpy()
    lat, lon = (pd.to_numeric(points[c], errors="coerce").to_numpy(dtype=float, copy=True) if c in points
                else np.full(n, np.nan) for c in ("lat", "lon"))
    no_coords = todo & (np.isnan(lat) | np.isnan(lon))
    if no_coords.any():
        raise NetworkInputError([issue(table, int(i) + 2, "lat/lon", "net_no_coordinates")
                                 for i in np.flatnonzero(no_coords)])
    connector = np.zeros(n)
    if todo.any():
        nodes, nlat, nlon = node_coordinates(graph)
        if not nodes:
            raise NetworkInputError(issue(table, None, None, "net_graph_empty"))
        idx = nearest_index(lat[todo], lon[todo], nlat, nlon)
        node.iloc[np.flatnonzero(todo)] = [nodes[i] for i in idx]
        connector[todo] = geodesic_km(lat[todo], lon[todo], nlat[idx], nlon[idx])
    on_node = np.flatnonzero(~todo)
    lat[on_node] = [graph.nodes[node.iloc[i]]["lat"] for i in on_node]
    lon[on_node] = [graph.nodes[node.iloc[i]]["lon"] for i in on_node]
    return pd.DataFrame({
        "lat": lat,
        "lon": lon,
        "node": node.to_numpy(dtype=object),
        "connector_km": connector,
        "connector_minutes": connector / CONNECTOR_SPEED_KMH * 60.0,
        "snapped": todo,
    })

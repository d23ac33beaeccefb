"""Road distance and travel-time matrices, with a documented geodesic fallback.

Shortest paths come from ``networkx`` Dijkstra run once per distinct source
node (never all-pairs); on an undirected graph the smaller side (origins or
destinations) is used as the source set. The path is shortest in the chosen
``weight`` ("km" or "minutes"); the other quantity is summed along that same
path, through the Dijkstra predecessor tree.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import networkx as nx
import numpy as np
import pandas as pd

from .errors import NetworkInputError, UnreachableWarning, issue
from .geo import geodesic_km
from .graph import DEFAULT_SPEED_KMH, component_labels
from .schema import POINTS, validate_table
from .snap import snap_points
from .sparse_paths import node_distances_scipy

#: ASSUMED ratio of road km to straight-line (geodesic) km used when there is
#: no road data. Not a cited constant. The sourced Penza distances give a
#: median road km / geodesic km of 1.12 (12 explicit road distances) and 1.18
#: (17 "N km from Penza" figures); 1.3 is kept as a deliberately long value
#: for village-level trips, where roads wind more than between district
#: centres (docs/network.md, data/penza/network_README.md).
DEFAULT_DETOUR_FACTOR = 1.3

OUTPUT_COLUMNS = ["origin_id", "destination_id", "km", "minutes", "source"]
WEIGHTS = ("km", "minutes")
#: Values of the ``source`` column, by the int8 code used while building the matrix.
SOURCES = ("road", "unreachable", "geodesic_fallback")
ROAD, UNREACHABLE, GEODESIC = range(len(SOURCES))


def geodesic_matrix(origins: pd.DataFrame, destinations: pd.DataFrame,
                    detour_factor: float = DEFAULT_DETOUR_FACTOR, *,
                    speed_kmh: float = DEFAULT_SPEED_KMH,
                    max_km: float | None = None) -> pd.DataFrame:
    """Fallback matrix when there is no road data: geodesic km x detour factor.

    origins, destinations: DataFrames with id, lat, lon. Distance is the
    WGS-84 geodesic (``geo.geodesic_km``, checked against geopy in the tests)
    times ``detour_factor``; minutes = km / ``speed_kmh`` * 60. Returns a long
    DataFrame [origin_id, destination_id, km, minutes, source] with
    source = "geodesic_fallback", origins major, in input order; pairs with
    km > ``max_km`` are left out.
    """
    if not detour_factor >= 1.0:
        raise NetworkInputError(issue("arguments", None, "detour_factor", "net_detour_factor", value=detour_factor))
    for df, name in ((origins, "origins"), (destinations, "destinations")):
        _validate_points(df, name, need_coordinates=True)
    olat, olon = (pd.to_numeric(origins[c]).to_numpy(float) for c in ("lat", "lon"))
    dlat, dlon = (pd.to_numeric(destinations[c]).to_numpy(float) for c in ("lat", "lon"))
    km = geodesic_km(olat[:, None], olon[:, None], dlat[None, :], dlon[None, :]) * detour_factor
    km = km.ravel()
    keep = km <= max_km if max_km is not None else np.ones(km.size, dtype=bool)
    return _long_frame(origins, destinations, km, km / speed_kmh * 60.0,
                       np.full(km.size, GEODESIC, dtype=np.int8), keep)


def distance_matrix(graph: nx.Graph | None, origins: pd.DataFrame, destinations: pd.DataFrame,
                    weight: str = "km", max_km: float | None = None, *,
                    max_minutes: float | None = None,
                    unreachable: str = "nan",
                    detour_factor: float = DEFAULT_DETOUR_FACTOR,
                    engine: str = "networkx") -> pd.DataFrame:
    """Road km and minutes between every origin and every destination.

    graph: a road graph from ``build_road_graph`` (or ``None`` to use
    ``geodesic_matrix`` for every pair).
    origins, destinations: DataFrames with id, lat, lon and optionally
    settlement_id (a graph node: the point is not snapped). Other points are
    snapped to their nearest node with a straight connector (``snap``).
    weight: "km" or "minutes", the quantity the path minimises.
    max_km / max_minutes: leave out pairs beyond these limits (also used as
    Dijkstra cut-offs, so small limits are fast).
    unreachable: what to do with pairs in different connected components:
    "nan" keeps them with km = minutes = NaN and source = "unreachable";
    "geodesic" fills them from ``geodesic_matrix`` (source =
    "geodesic_fallback"); both warn with ``UnreachableWarning``.
    engine: "networkx" (default; one Dijkstra per distinct source node) or
    "scipy" (``scipy.sparse.csgraph``, same distances, much faster on big
    graphs; needs scipy).

    Returns a long DataFrame [origin_id, destination_id, km, minutes, source],
    origins major, in input order; source is "road" for graph paths. km and
    minutes include the connectors of snapped points.
    """
    if graph is None:
        return geodesic_matrix(origins, destinations, detour_factor, max_km=max_km)
    if weight not in WEIGHTS:
        raise NetworkInputError(issue("arguments", None, "weight", "net_one_of", choices=WEIGHTS, value=repr(weight)))
    if unreachable not in ("nan", "geodesic"):
        raise NetworkInputError(issue("arguments", None, "unreachable", "net_unreachable_choice",
                                      value=repr(unreachable)))
    _validate_points(origins, "origins")
    _validate_points(destinations, "destinations")
    limit = max_km if weight == "km" else max_minutes
    snapped_o = snap_points(graph, origins, "origins")
    snapped_d = snap_points(graph, destinations, "destinations")
    km, minutes, apart = road_pair_matrices(graph, snapped_o, snapped_d, weight=weight, limit=limit,
                                            engine=engine)
    km, minutes, apart = km.ravel(), minutes.ravel(), apart.ravel()
    source = apart.astype(np.int8) * np.int8(UNREACHABLE)
    if apart.any():
        warnings.warn(UnreachableWarning("net_unreachable_nan" if unreachable == "nan" else "net_unreachable_geodesic",
                                         n=int(apart.sum()), total=apart.size), stacklevel=2)
        if unreachable == "geodesic":
            oi, di = np.divmod(np.flatnonzero(apart), len(destinations))
            o, d = snapped_o.iloc[oi], snapped_d.iloc[di]
            fb_km = geodesic_km(o["lat"].to_numpy(), o["lon"].to_numpy(),
                                d["lat"].to_numpy(), d["lon"].to_numpy()) * detour_factor
            km[apart] = fb_km
            minutes[apart] = fb_km / DEFAULT_SPEED_KMH * 60.0
            source[apart] = GEODESIC
    unreached = source == UNREACHABLE
    keep = np.isfinite(km) | unreached
    if max_km is not None:
        keep &= (km <= max_km) | unreached
    if max_minutes is not None:
        keep &= (minutes <= max_minutes) | unreached
    return _long_frame(origins, destinations, km, minutes, source, keep)


def road_pair_matrices(graph: nx.Graph, snapped_o: pd.DataFrame, snapped_d: pd.DataFrame, *,
                       weight: str = "km", limit: float | None = None, engine: str = "networkx"):
    """Dense (n_origins, n_destinations) arrays: km, minutes, different-component flag.

    ``snapped_*`` come from ``snap.snap_points``. Entries beyond ``limit``
    (in ``weight`` units, connectors included) may be NaN; unreachable
    entries are NaN and flagged.
    """
    _check_edge_weights(graph)
    if engine not in ENGINES:
        raise NetworkInputError(issue("arguments", None, "engine", "net_one_of", choices=tuple(ENGINES),
                                      value=repr(engine)))
    paths = ENGINES[engine]
    o_nodes, o_inv = _unique(snapped_o["node"])
    d_nodes, d_inv = _unique(snapped_d["node"])
    conn = f"connector_{weight}"
    o_conn = pd.Series(snapped_o[conn].to_numpy()).groupby(o_inv).min().to_numpy()
    d_conn = pd.Series(snapped_d[conn].to_numpy()).groupby(d_inv).min().to_numpy()
    swap = not graph.is_directed() and len(d_nodes) < len(o_nodes)
    if swap:
        d_km, d_min = paths(graph, d_nodes, o_nodes, weight, _cutoffs(limit, d_conn, o_conn))
        node_km, node_min = d_km.T, d_min.T
    else:
        node_km, node_min = paths(graph, o_nodes, d_nodes, weight, _cutoffs(limit, o_conn, d_conn))
    km = node_km[o_inv][:, d_inv] + snapped_o["connector_km"].to_numpy()[:, None] \
        + snapped_d["connector_km"].to_numpy()[None, :]
    minutes = node_min[o_inv][:, d_inv] + snapped_o["connector_minutes"].to_numpy()[:, None] \
        + snapped_d["connector_minutes"].to_numpy()[None, :]
    labels = component_labels(graph)
    o_comp = np.array([labels[n] for n in o_nodes])[o_inv]
    d_comp = np.array([labels[n] for n in d_nodes])[d_inv]
    apart = o_comp[:, None] != d_comp[None, :]
    return km, minutes, apart


def node_distances(graph: nx.Graph, sources: list, targets: list, weight: str = "km",
                   cutoffs: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Shortest-path km and minutes from each source node to each target node.

    One ``nx.dijkstra_predecessor_and_distance`` per source, minimising
    ``weight``; the other quantity is accumulated along the predecessor tree
    (networkx fills ``dist`` in settle order, so a node's predecessor is always
    seen before the node). NaN where unreachable or beyond the cut-off.
    """
    other = "minutes" if weight == "km" else "km"
    primary = np.full((len(sources), len(targets)), np.nan)
    secondary = np.full((len(sources), len(targets)), np.nan)
    adj = graph.adj
    for row, s in enumerate(sources):
        cutoff = None if cutoffs is None else cutoffs[row]
        if cutoff is not None and cutoff < 0:
            continue
        pred, dist = nx.dijkstra_predecessor_and_distance(graph, s, cutoff=cutoff, weight=weight)
        acc = {}
        for v in dist:
            ps = pred[v]
            acc[v] = adj[ps[0]][v][other] + acc[ps[0]] if ps else 0.0
        primary[row] = np.fromiter((dist.get(t, np.nan) for t in targets), float, len(targets))
        secondary[row] = np.fromiter((acc.get(t, np.nan) for t in targets), float, len(targets))
    return (primary, secondary) if weight == "km" else (secondary, primary)


ENGINES = {"networkx": node_distances, "scipy": node_distances_scipy}


def _cutoffs(limit, source_conn, target_conn):
    if limit is None:
        return None
    return limit - source_conn - (target_conn.min() if len(target_conn) else 0.0)


def _unique(nodes: pd.Series):
    codes, uniques = pd.factorize(pd.Series(nodes.to_numpy(dtype=object)), sort=False)
    return list(uniques), codes


def _check_edge_weights(graph: nx.Graph) -> None:
    """Every edge needs a finite, non-negative km and minutes (as build_road_graph sets)."""
    try:  # fast path, one pass: every km and minutes a plain number (as build_road_graph makes them)
        values = np.array([(d["km"], d["minutes"]) for _, _, d in graph.edges(data=True)])
        ok = values.size == 0 or (values.dtype.kind in "fiu" and bool(np.all(np.isfinite(values) & (values >= 0))))
    except (KeyError, TypeError, ValueError):
        ok = False
    if not ok:
        _check_edge_weights_slow(graph)


def _check_edge_weights_slow(graph: nx.Graph) -> None:
    """Per-edge check that lists the offending edges (``NetworkInputError``)."""
    edges = list(graph.edges(data=True))
    ok = np.ones(len(edges), dtype=bool)
    for key in WEIGHTS:
        values = pd.to_numeric(pd.Series([d.get(key) for _, _, d in edges], dtype=object), errors="coerce")
        ok &= (np.isfinite(values.to_numpy(dtype=float)) & (values.to_numpy(dtype=float) >= 0))
    if not ok.all():
        bad = [(u, v) for (u, v, _), good in zip(edges, ok) if not good]
        raise NetworkInputError(issue("graph", None, "km/minutes", "net_edge_weights", n=len(bad),
                                      examples=bad[:3]))


def _validate_points(df: pd.DataFrame, table: str, need_coordinates: bool = False) -> None:
    cols = POINTS
    if not need_coordinates:
        # With a graph, a point may be given by settlement_id alone.
        cols = [replace(c, required=False, nullable=True) if c.name in ("lat", "lon") else c
                for c in POINTS]
    validate_table(df, cols, table)


def _long_frame(origins, destinations, km, minutes, source, keep) -> pd.DataFrame:
    """Long table of the kept entries of flat (origin-major) pair arrays; ``source`` holds ``SOURCES`` codes."""
    idx = np.flatnonzero(keep)
    oi, di = np.divmod(idx, len(destinations))
    return pd.DataFrame({
        "origin_id": _take_column(origins["id"].to_numpy(dtype=object), oi),
        "destination_id": _take_column(destinations["id"].to_numpy(dtype=object), di),
        "km": np.asarray(km, dtype=float)[idx],
        "minutes": np.asarray(minutes, dtype=float)[idx],
        "source": _take_column(np.array(SOURCES, dtype=object), np.asarray(source)[idx]),
    }, columns=OUTPUT_COLUMNS, copy=False)  # every column is a fresh array already


def _take_column(values: np.ndarray, idx: np.ndarray):
    """``values[idx]`` as the DataFrame column pandas would infer from it, without a per-row conversion.

    pandas infers its string dtype from an object array of strings and then
    converts every row; the values that occur are inferred once here and the
    column is a ``take`` from them. Other values (numbers, mixed) keep the
    object array, as before.
    """
    if len(idx) == 0:
        return values[idx]
    present = np.zeros(len(values), dtype=bool)
    present[idx] = True
    small = pd.Series(values[present])
    if not isinstance(small.dtype, pd.StringDtype):
        return values[idx]
    position = np.cumsum(present) - 1
    return small.array.take(position[idx])

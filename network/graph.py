"""Road graph construction and connectivity report.

The graph is an undirected ``networkx.Graph``: one node per settlement
(node key = ``settlement_id`` as a string) and one edge per road. Node
attributes: ``name``, ``region_id``, ``lat``, ``lon``, ``population``. Edge
attributes: ``km``, ``minutes``, ``road_class``, ``minutes_basis``
("given" or "speed_default").

Travel time when a road has no ``minutes``: ``km / speed * 60`` with the
speed of its road class from ``SPEED_KMH``. These speeds are ASSUMED average
running speeds for rural Russia, not measured: they sit below the legal
limits of the Russian traffic rules (90 km/h outside settlements, 60 km/h
inside, ПДД РФ п. 10.2-10.3) to allow for villages on the way, surface and
season. Pass ``speeds=`` to use your own.
"""

from __future__ import annotations

import warnings

import networkx as nx
import numpy as np
import pandas as pd

from .errors import DataQualityWarning, DisconnectedNetworkWarning, NetworkInputError, issue
from .schema import ROADS, SETTLEMENTS, id_strings, validate_table

#: Assumed average speeds in km/h by road class (see module docstring).
SPEED_KMH = {
    "federal": 70.0,   # federal highway (e.g. M-5, R-208), through villages
    "regional": 60.0,  # paved regional road
    "local": 45.0,     # paved local / inter-village road
    "unpaved": 20.0,   # gravel or dirt track
}
#: Speed for roads with no or an unknown road class (assumed).
DEFAULT_SPEED_KMH = 45.0


def build_road_graph(settlements: pd.DataFrame, roads: pd.DataFrame, *,
                     speeds: dict[str, float] | None = None,
                     settlements_name: str = "settlements",
                     roads_name: str = "roads",
                     warn_disconnected: bool = True) -> nx.Graph:
    """Build the road graph from a settlements table and a roads table.

    settlements: settlement_id, region_id, lat, lon, population (name optional).
    roads: from_id, to_id, km, optional minutes and road_class; extra columns
    (basis, source, ...) are kept as edge attributes.

    Raises ``NetworkInputError`` listing every problem (table, row, column),
    e.g. a road to an unknown settlement or a negative km. When a pair of
    settlements has several roads the shortest (by km) is kept. Warns with
    ``DisconnectedNetworkWarning`` when the graph has several components (see
    ``connected_components_report``); nothing is dropped. Inputs are not
    modified.
    """
    speeds = {**SPEED_KMH, **(speeds or {})}
    issues = validate_table(settlements, SETTLEMENTS, settlements_name, raise_errors=False)
    road_issues = validate_table(roads, ROADS, roads_name, raise_errors=False)
    if any(i.row is None for i in issues + road_issues):  # a missing column: stop here
        raise NetworkInputError(issues + road_issues)
    issues += road_issues

    sett = settlements.reset_index(drop=True).copy()
    sett["settlement_id"] = id_strings(sett["settlement_id"])
    sett["region_id"] = id_strings(sett["region_id"])
    rd = roads.reset_index(drop=True).copy()
    rd["from_id"] = id_strings(rd["from_id"])
    rd["to_id"] = id_strings(rd["to_id"])

    known = set(sett["settlement_id"])
    for col in ("from_id", "to_id"):
        for pos in np.flatnonzero((~rd[col].isin(known) & rd[col].notna()).to_numpy()):
            issues.append(issue(roads_name, int(pos) + 2, col, "net_unknown_settlement_in",
                                value=repr(rd[col].iloc[pos]), settlements=settlements_name))
    for pos in np.flatnonzero((rd["from_id"] == rd["to_id"]).to_numpy()):
        issues.append(issue(roads_name, int(pos) + 2, "to_id", "net_road_to_itself",
                            value=repr(rd["from_id"].iloc[pos])))
    if issues:
        raise NetworkInputError(issues)

    rd["km"] = pd.to_numeric(rd["km"])
    given = pd.to_numeric(rd["minutes"], errors="coerce") if "minutes" in rd else pd.Series(np.nan, index=rd.index)
    road_class = (rd["road_class"].astype(object).where(rd["road_class"].notna(), None)
                  if "road_class" in rd else pd.Series([None] * len(rd), dtype=object))
    unknown = sorted({c for c in road_class.dropna() if c not in speeds})
    if unknown:
        warnings.warn(DataQualityWarning("net_unknown_road_class", table=roads_name, classes=unknown,
                                         speed=DEFAULT_SPEED_KMH), stacklevel=2)
    speed = road_class.map(lambda c: speeds.get(c, DEFAULT_SPEED_KMH) if c is not None else DEFAULT_SPEED_KMH)
    rd["minutes"] = given.where(given.notna(), rd["km"] / speed.astype(float) * 60.0)
    rd["minutes_basis"] = np.where(given.notna(), "given", "speed_default")
    rd["road_class"] = road_class

    graph = nx.Graph(crs="EPSG:4326")
    node_cols = ["name", "region_id", "lat", "lon", "population"]
    sett["lat"] = pd.to_numeric(sett["lat"])
    sett["lon"] = pd.to_numeric(sett["lon"])
    sett["population"] = pd.to_numeric(sett["population"])
    if "name" not in sett:
        sett["name"] = sett["settlement_id"]
    graph.add_nodes_from(
        (sid, dict(zip(node_cols, vals)))
        for sid, *vals in sett[["settlement_id", *node_cols]].itertuples(index=False, name=None)
    )
    # Shortest road per unordered pair: sort by km so the first edge added wins.
    rd = rd.sort_values("km", kind="stable")
    pair = pd.DataFrame({"a": rd[["from_id", "to_id"]].min(axis=1), "b": rd[["from_id", "to_id"]].max(axis=1)})
    rd = rd.loc[~pair.duplicated(keep="first")]
    attr_cols = [c for c in rd.columns if c not in ("from_id", "to_id")]
    records = rd[attr_cols].to_dict("records")
    graph.add_edges_from(zip(rd["from_id"], rd["to_id"], records))

    if warn_disconnected and graph.number_of_nodes() and not nx.is_connected(graph):
        report = connected_components_report(graph)
        warnings.warn(DisconnectedNetworkWarning("net_disconnected", n=len(report),
                                                 largest=report["population"].iloc[0],
                                                 total=report["population"].sum()), stacklevel=2)
    return graph


def connected_components_report(graph: nx.Graph) -> pd.DataFrame:
    """One row per connected component, largest population first.

    Columns: component (0 = most populous), n_settlements, population,
    regions (sorted region ids), settlement_ids (sorted list).
    """
    rows = []
    for nodes in nx.connected_components(graph):
        data = [graph.nodes[n] for n in nodes]
        rows.append({
            "n_settlements": len(nodes),
            "population": float(sum(d.get("population", 0) or 0 for d in data)),
            "regions": sorted({str(d.get("region_id")) for d in data}),
            "settlement_ids": sorted(map(str, nodes)),
        })
    report = pd.DataFrame(rows, columns=["n_settlements", "population", "regions", "settlement_ids"])
    report = report.sort_values(["population", "n_settlements"], ascending=False, kind="stable")
    report.insert(0, "component", range(len(report)))
    return report.reset_index(drop=True)


def component_labels(graph: nx.Graph) -> dict:
    """Map node -> component number (arbitrary but stable for one graph)."""
    labels = {}
    for i, nodes in enumerate(nx.connected_components(graph)):
        labels.update(dict.fromkeys(nodes, i))
    return labels


def settlements_frame(graph: nx.Graph) -> pd.DataFrame:
    """Graph nodes as a settlements table (settlement_id, name, region_id, lat, lon, population)."""
    rows = [(n, d.get("name"), d.get("region_id"), d.get("lat"), d.get("lon"), d.get("population", 0.0))
            for n, d in graph.nodes(data=True)]
    return pd.DataFrame(rows, columns=["settlement_id", "name", "region_id", "lat", "lon", "population"])

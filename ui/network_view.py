"""The network page's computations over the ``network`` package (no Streamlit).

Access before a plan: the round's facilities (all counted as staffed, since
a round lists vacancies, not filled posts). After: the same plus the sites
``network.plan_network`` chooses among settlements that have no facility.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

try:  # the network package is developed alongside; the page degrades without it
    import network as _network

    AVAILABLE = all(hasattr(_network, name) for name in
                    ("build_road_graph", "accessibility", "compare_accessibility", "settlement_access",
                     "plan_network", "generate_village_network", "generate_facilities"))
except ImportError:  # pragma: no cover - depends on the checkout
    _network = None
    AVAILABLE = False

SYNTHETIC_SIZE = 400  # settlements of the generated example


@dataclass
class NetworkInputs:
    """What the network page works on: settlements, roads, facilities (network schema) and the
    road graph built from them; ``synthetic`` for a generated example rather than the round's data."""
    label: str
    synthetic: bool
    settlements: pd.DataFrame
    roads: pd.DataFrame
    facilities: pd.DataFrame  # network schema: facility_id, facility_type, lat, lon, staffed
    graph: object


def round_network(folder: Path | None, facilities: pd.DataFrame) -> NetworkInputs | None:
    """The loaded round's settlements.csv / roads.csv and facilities, if the folder has them."""
    if folder is None or not (Path(folder) / "settlements.csv").exists() or not (Path(folder) / "roads.csv").exists():
        return None
    tables = pd.read_csv(Path(folder) / "settlements.csv"), pd.read_csv(Path(folder) / "roads.csv")
    return round_network_from_tables(str(folder), tables, facilities)


def round_network_from_tables(label: str, tables: tuple[pd.DataFrame, pd.DataFrame],
                              facilities: pd.DataFrame) -> NetworkInputs:
    """The round's network from its settlements and roads tables already read (an upload keeps no folder)."""
    sett, roads = tables
    fac = pd.DataFrame({
        "facility_id": facilities["facility_id"].astype(str),
        "facility_type": facilities["type"].fillna("RB").astype(str).str.upper(),
        "lat": facilities["lat"].astype(float),
        "lon": facilities["lon"].astype(float),
        "staffed": True,
    })
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = _network.build_road_graph(sett, roads)
    return NetworkInputs(label, False, sett, roads, fac, graph)


def synthetic_network(seed: int = 1, n: int = SYNTHETIC_SIZE) -> NetworkInputs:
    """A generated village network (``network.generate_village_network``): an example, not data."""
    sett, roads = _network.generate_village_network(n, seed=seed)
    fac = _network.generate_facilities(sett, max(5, n // 10), seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = _network.build_road_graph(sett, roads)
    return NetworkInputs(f"synthetic seed {seed}", True, sett, roads, fac, graph)


def candidate_sites(inputs: NetworkInputs) -> pd.DataFrame:
    """A new post may open in any settlement of 100+ people with no facility on it:
    a FAP up to 2,000 residents, a doctor's ambulatory (VA) above (the Russian rule in DOMAIN.md)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        served = _network.settlement_access(inputs.graph, inputs.facilities, max_km=0.5, staffed_only=False)
    occupied = set(served.loc[served["covered"], "settlement_id"])
    s = inputs.settlements[(inputs.settlements["population"] >= 100)
                           & ~inputs.settlements["settlement_id"].isin(occupied)]
    return pd.DataFrame({
        "site_id": "new_" + s["settlement_id"].astype(str),
        "facility_type": np.where(s["population"] > 2000, "VA", "FAP"),
        "settlement_id": s["settlement_id"].astype(str),
    }).reset_index(drop=True)


@dataclass
class NetworkPlan:
    """What :func:`plan` returns: access before and after, the chosen sites, the facilities with
    them and the planner's summary."""
    before: pd.DataFrame        # per region, network.accessibility
    comparison: pd.DataFrame    # per region, network.compare_accessibility
    sites: pd.DataFrame         # chosen sites (empty when none)
    access_after: pd.DataFrame  # per settlement, network.settlement_access with the plan
    after_facilities: pd.DataFrame
    summary: dict


def plan(inputs: NetworkInputs, max_km: float, k: int, objective: str = "coverage") -> NetworkPlan:
    """Access now, the best ``k`` new sites and access with them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        before = _network.accessibility(inputs.graph, inputs.facilities, max_km=max_km)
        cands = candidate_sites(inputs)
        if k > 0 and len(cands):
            result = _network.plan_network(inputs.graph, cands, min(k, len(cands)), objective=objective,
                                           existing=inputs.facilities, max_km=max_km)
            sites, summary = result.sites, dict(result.summary)
        else:
            sites, summary = cands.iloc[0:0].assign(node=pd.Series(dtype=str)), {"n_new_sites": 0}
        new = pd.DataFrame({
            "facility_id": sites["site_id"].astype(str),
            "facility_type": sites["facility_type"].astype(str),
            "settlement_id": sites["node"].astype(str) if "node" in sites else sites["settlement_id"].astype(str),
            "staffed": True,
        })
        after = pd.concat([inputs.facilities, new], ignore_index=True)
        comparison = _network.compare_accessibility(inputs.graph, inputs.facilities, after, max_km=max_km)
        access_after = _network.settlement_access(inputs.graph, after, max_km=max_km)
    return NetworkPlan(before, comparison, sites, access_after, after, summary)


def sites_table(inputs: NetworkInputs, sites: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Chosen sites with the settlement's name and translated headers."""
    from .i18n import t

    names = inputs.settlements.set_index("settlement_id")["name"]
    node = sites["node"] if "node" in sites else sites["settlement_id"]
    out = pd.DataFrame({
        t("col_site", lang): sites["site_id"],
        t("col_facility_type", lang): sites["facility_type"],
        t("col_settlement", lang): node.map(names),
        t("col_region_id", lang): sites.get("region_id"),
    })
    for col, key in (("newly_covered_population", "col_newly_covered"),
                     ("assigned_population", "col_assigned_population"),
                     ("staff_positions", "col_staff_positions"), ("staff_roles", "col_staff_roles")):
        if col in sites:
            out[t(key, lang)] = sites[col].to_numpy()
    return out


def totals(comparison: pd.DataFrame) -> dict:
    """Population and covered population summed over the regions of ``comparison``, before and after,
    and the covered shares (NaN when the population is 0)."""
    pop = float(comparison["population"].sum())
    b, a = float(comparison["covered_before"].sum()), float(comparison["covered_after"].sum())
    return {"population": pop, "covered_before": b, "covered_after": a,
            "share_before": b / pop if pop else float("nan"), "share_after": a / pop if pop else float("nan")}


def deck(inputs: NetworkInputs, result: NetworkPlan, lang: str):
    """Settlements coloured by access with the plan, roads, existing and new facilities."""
    import pydeck as pdk

    nodes = inputs.settlements.set_index("settlement_id")
    acc = result.access_after.set_index("settlement_id")
    pts = nodes[["name", "lat", "lon", "population"]].copy()
    pts["covered"] = acc["covered"].reindex(pts.index).fillna(False).astype(bool)
    pts["colour"] = pts["covered"].map(lambda c: [44, 160, 44, 170] if c else [214, 39, 40, 190])
    pts["radius"] = 300 + 25 * np.sqrt(pts["population"].astype(float))
    pts["label"] = pts["name"].astype(str) + ": " + pts["population"].astype(int).astype(str)
    edges = []
    for u, v in inputs.graph.edges():
        if u in nodes.index and v in nodes.index:
            edges.append((nodes.at[u, "lon"], nodes.at[u, "lat"], nodes.at[v, "lon"], nodes.at[v, "lat"]))
    roads = pd.DataFrame(edges, columns=["x0", "y0", "x1", "y1"])
    fac = inputs.facilities.copy()
    fac["label"] = fac["facility_id"].astype(str) + " (" + fac["facility_type"].astype(str) + ")"
    new = result.sites.copy()
    node_col = "node" if "node" in new else "settlement_id"
    new["lat"] = new[node_col].map(nodes["lat"]) if len(new) else []
    new["lon"] = new[node_col].map(nodes["lon"]) if len(new) else []
    new["label"] = new["site_id"].astype(str) + " (" + new["facility_type"].astype(str) + ")" if len(new) else []
    layers = [
        pdk.Layer("LineLayer", data=roads, get_source_position="[x0, y0]", get_target_position="[x1, y1]",
                  get_color=[150, 150, 150, 120], get_width=1),
        pdk.Layer("ScatterplotLayer", data=pts.reset_index(), get_position="[lon, lat]", get_radius="radius",
                  get_fill_color="colour", pickable=True),
        pdk.Layer("ScatterplotLayer", data=fac[["lon", "lat", "label"]].dropna(), get_position="[lon, lat]",
                  get_radius=1200, get_fill_color=[31, 119, 180, 230], pickable=True),
    ]
    if len(new):
        layers.append(pdk.Layer("ScatterplotLayer", data=new[["lon", "lat", "label"]].dropna(),
                                get_position="[lon, lat]", get_radius=2500, get_fill_color=[255, 200, 0, 240],
                                get_line_color=[0, 0, 0], stroked=True, line_width_min_pixels=2, pickable=True))
    from .views import _zoom

    view = pdk.ViewState(latitude=float(pts["lat"].mean()), longitude=float(pts["lon"].mean()),
                         zoom=_zoom(pts))
    return pdk.Deck(layers=layers, initial_view_state=view, map_style=None, tooltip={"text": "{label}"})

"""The network page's computations over the ``network`` package (no Streamlit).

Three sources: the round's district centres (``settlements.csv``/``roads.csv``),
the round's village network (a ``villages/`` subfolder: settlements, roads,
``staffed_facilities.csv``, ``candidates.csv``, data/penza/README.md "Village
network") and a generated example. On any of them the page shows the units
breaking the network rules (``network.rule_gaps``), access to *staffed*
facilities before and after the session's last allocation, and a siting plan:
access with the facilities now and with the sites ``network.plan_network``
chooses among the candidates.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
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
VILLAGE_DIR = "villages"  # the subfolder of a round holding its settlement-level network
VILLAGE_GRAPH_FILES = ("settlements.csv", "roads.csv")
VILLAGE_FACILITIES = "staffed_facilities.csv"
VILLAGE_CANDIDATES = "candidates.csv"


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
    kind: str = "round"  # round, villages or synthetic
    candidates: pd.DataFrame | None = None  # given candidate sites (network schema); None = derived
    files: dict = field(default_factory=dict)  # table -> file it was read from (villages)


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
    return NetworkInputs(f"synthetic seed {seed}", True, sett, roads, fac, graph, kind="synthetic")


def village_folder(folder: Path | None) -> Path | None:
    """The round's ``villages/`` subfolder if it holds at least settlements.csv and roads.csv."""
    if folder is None:
        return None
    sub = Path(folder) / VILLAGE_DIR
    return sub if all((sub / name).is_file() for name in VILLAGE_GRAPH_FILES) else None


def village_network(folder: Path, round_facilities: pd.DataFrame | None = None) -> NetworkInputs:
    """The village network of ``folder`` (a ``villages/`` subfolder), read and validated as the
    network CLI does: ``read_typed_csv`` (Excel's CSV dialects), ``build_road_graph`` for the
    settlements and roads, the network schema for facilities and candidates.

    Without ``staffed_facilities.csv`` the round's facilities are used (all staffed, snapped to
    the nearest node); without ``candidates.csv`` candidates are derived (:func:`candidate_sites`).
    Raises the package's ``NetworkInputError`` (an ``InputError``) on bad input.
    """
    from medstaff_core.csvread import read_typed_csv
    from network.schema import CANDIDATES, FACILITIES, validate_table

    folder = Path(folder)
    files = {"settlements": folder / "settlements.csv", "roads": folder / "roads.csv"}
    sett, roads = read_typed_csv(files["settlements"]), read_typed_csv(files["roads"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        graph = _network.build_road_graph(sett, roads, settlements_name=str(files["settlements"]),
                                          roads_name=str(files["roads"]))
    if (folder / VILLAGE_FACILITIES).is_file():
        files["facilities"] = folder / VILLAGE_FACILITIES
        fac = read_typed_csv(files["facilities"])
        validate_table(fac, FACILITIES, str(files["facilities"]))
    elif round_facilities is not None:
        fac = round_network_from_tables("", (sett, roads), round_facilities).facilities
    else:
        fac = pd.DataFrame(columns=["facility_id", "facility_type", "lat", "lon", "staffed"])
    cands = None
    if (folder / VILLAGE_CANDIDATES).is_file():
        files["candidates"] = folder / VILLAGE_CANDIDATES
        cands = read_typed_csv(files["candidates"])
        validate_table(cands, CANDIDATES, str(files["candidates"]))
    return NetworkInputs(str(folder), False, sett, roads, fac, graph, kind="villages", candidates=cands,
                         files=files)


def candidate_sites(inputs: NetworkInputs) -> pd.DataFrame:
    """The given candidates (``candidates.csv`` of a village network) or, without them: a new post
    may open in any settlement of 100+ people with no facility on it, a FAP up to 2,000 residents,
    a doctor's ambulatory (VA) above (the Russian rule in DOMAIN.md)."""
    if inputs.candidates is not None:
        return inputs.candidates
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


def facility_type_label(code, lang: str) -> str:
    """A facility type code (FAP, VA, RB, ...) as a word; unknown codes are shown as they are."""
    from .i18n import TEXT, t

    key = f"network_ftype_{str(code).strip().lower()}"
    return t(key, lang) if key in TEXT else str(code)


def coord_basis_label(code, lang: str) -> str:
    """Where a unit's point comes from (``coord_basis``: sourced, named_village, estimated) in words."""
    from .i18n import TEXT, t

    if code is None or (not isinstance(code, str) and pd.isna(code)):
        return ""
    key = f"network_basis_{code}"
    return t(key, lang) if key in TEXT else str(code)


def rule_label(rule_id, lang: str) -> str:
    """A rule of ``network.DEFAULT_RULES`` in words; other rules are shown by their id."""
    from .i18n import TEXT, t

    key = f"network_rule_{rule_id}"
    return t(key, lang) if key in TEXT else str(rule_id)


def roles_label(roles, lang: str) -> str:
    """``network.staff_needed``'s roles ("feldsher_head:1; midwife_or_nurse:1") in words."""
    from .i18n import TEXT, t

    if not isinstance(roles, str):
        return ""
    parts = []
    for part in roles.split(";"):
        role, _, count = part.strip().partition(":")
        key = f"network_role_{role}"
        parts.append(f"{t(key, lang) if key in TEXT else role}: {count}" if count else role)
    return "; ".join(parts)


def _district(inputs: NetworkInputs, region_names: dict | None = None) -> pd.Series:
    """Each settlement's district by settlement_id: the settlements' ``district_ru`` if they have it,
    else the region's name (``region_names``), else the region id."""
    sett = inputs.settlements.set_index(inputs.settlements["settlement_id"].astype(str))
    region = sett["region_id"].astype(str)
    names = region_names or {}
    named = region.map(lambda r: names.get(r, r))
    return sett["district_ru"].fillna(named) if "district_ru" in sett else named


def sites_table(inputs: NetworkInputs, sites: pd.DataFrame, lang: str,
                region_names: dict | None = None) -> pd.DataFrame:
    """Chosen sites: the unit's name, district, population and point basis, the type in words and
    the planner's figures, under translated headers."""
    from .i18n import t

    sett = inputs.settlements.set_index(inputs.settlements["settlement_id"].astype(str))
    node = (sites["node"] if "node" in sites else sites["settlement_id"]).astype(str)
    out = pd.DataFrame({
        t("col_settlement", lang): node.map(sett["name"]).to_numpy(),
        t("network_col_district", lang): node.map(_district(inputs, region_names)).to_numpy(),
        t("col_population", lang): node.map(sett["population"]).astype(float).round().astype("Int64").to_numpy(),
        t("col_facility_type", lang): [facility_type_label(v, lang) for v in sites["facility_type"]],
    })
    if "coord_basis" in sett:
        out[t("network_col_coord_basis", lang)] = [coord_basis_label(v, lang) for v in node.map(sett["coord_basis"])]
    for col, key in (("newly_covered_population", "col_newly_covered"),
                     ("assigned_population", "col_assigned_population"),
                     ("staff_positions", "col_staff_positions")):
        if col in sites:
            out[t(key, lang)] = sites[col].to_numpy()
    if "staff_roles" in sites:
        out[t("col_staff_roles", lang)] = [roles_label(v, lang) for v in sites["staff_roles"]]
    out[t("col_site", lang)] = sites["site_id"].to_numpy()
    return out


# ------------------------------------------------------------------------------ rule gaps


def rule_gaps(inputs: NetworkInputs, rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """Units breaking a network rule (``network.rule_gaps``, default ``network.DEFAULT_RULES``)
    against the staffed facilities, one row per broken rule, with the road distance to the nearest
    facility that would satisfy the rule (``nearest_km``, NaN when none is reachable) and the
    unit's ``coord_basis`` (empty when the settlements have none)."""
    rules = _network.DEFAULT_RULES if rules is None else rules
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gaps = _network.rule_gaps(inputs.graph, inputs.facilities, rules)
        gaps["nearest_km"] = np.nan
        for rule in rules.itertuples(index=False):
            rows = gaps["rule_id"] == rule.rule_id
            if not rows.any():
                continue
            near = _network.settlement_access(inputs.graph, inputs.facilities, facility_types=rule.satisfied_by,
                                              max_km=np.inf).set_index("settlement_id")
            gaps.loc[rows, "nearest_km"] = gaps.loc[rows, "settlement_id"].map(near["km"]).astype(float)
    sett = inputs.settlements.set_index(inputs.settlements["settlement_id"].astype(str))
    gaps["coord_basis"] = gaps["settlement_id"].astype(str).map(sett["coord_basis"]) if "coord_basis" in sett \
        else None
    return gaps


def gap_counts(gaps: pd.DataFrame, rules: pd.DataFrame | None = None) -> dict[str, int]:
    """Breaching units per rule, every rule of ``rules`` listed (0 when none breaks it)."""
    rules = _network.DEFAULT_RULES if rules is None else rules
    counts = gaps["rule_id"].value_counts()
    return {str(r): int(counts.get(r, 0)) for r in rules["rule_id"]}


def gaps_table(inputs: NetworkInputs, gaps: pd.DataFrame, lang: str, region_names: dict | None = None) -> pd.DataFrame:
    """The breaching units for the page and its downloads: name, district, population, rule,
    what the unit needs, the nearest satisfying facility's distance and the point's basis."""
    from .i18n import t

    sid = gaps["settlement_id"].astype(str)
    return pd.DataFrame({
        t("col_settlement", lang): gaps["name"].to_numpy(),
        t("network_col_district", lang): sid.map(_district(inputs, region_names)).to_numpy(),
        t("col_population", lang): gaps["population"].astype(float).round().astype("Int64").to_numpy(),
        t("network_col_rule", lang): [rule_label(r, lang) for r in gaps["rule_id"]],
        t("network_col_needs", lang): [" / ".join(facility_type_label(x, lang) for x in str(n).split("|"))
                                      for n in gaps["needs"]],
        t("network_col_nearest_km", lang): gaps["nearest_km"].astype(float).round(1).to_numpy(),
        t("network_col_coord_basis", lang): [coord_basis_label(v, lang) for v in gaps["coord_basis"]],
        t("network_col_settlement_id", lang): sid.to_numpy(),
    })


def xlsx_bytes(frame: pd.DataFrame, sheet: str) -> bytes:
    """One table as an .xlsx workbook (:func:`ui.exports.tables_xlsx`)."""
    from ui.exports import tables_xlsx

    return tables_xlsx({sheet: frame})


# ------------------------------------------------------------------ staffed access and the allocation


@dataclass
class StaffedAccess:
    """Access to staffed facilities before and after an allocation (:func:`staffed_access`)."""
    comparison: pd.DataFrame    # per region, network.compare_accessibility
    access_after: pd.DataFrame  # per settlement, network.settlement_access with the facilities after
    staffed_before: int         # staffed facilities before
    staffed_after: int
    newly_staffed: list         # facility ids staffed only because graduates were placed there
    placed_facilities: int      # facilities of this network that received graduates (0 without a run)
    with_run: bool


def staffed_access(inputs: NetworkInputs, max_km: float, assignments: pd.DataFrame | None = None) -> StaffedAccess:
    """Access within ``max_km`` to the staffed facilities before and after the allocation whose
    ``assignments`` are given (None: no run, after = before)."""
    before, after = _network.staffed_after_allocation(inputs.facilities, assignments)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        comparison = _network.compare_accessibility(inputs.graph, before, after, max_km=max_km)
        access_after = _network.settlement_access(inputs.graph, after, max_km=max_km)
    newly = sorted(set(after.loc[after["staffed"] & ~before["staffed"], "facility_id"].astype(str)))
    placed = 0
    if assignments is not None:
        from network.schema import id_strings

        placed = int(id_strings(inputs.facilities["facility_id"]).isin(set(id_strings(assignments["facility_id"])))
                     .sum())
    return StaffedAccess(comparison, access_after, int(before["staffed"].sum()), int(after["staffed"].sum()),
                         newly, placed, assignments is not None)


def region_table(comparison: pd.DataFrame, lang: str, region_names: dict | None = None) -> pd.DataFrame:
    """A per-region before/after comparison (``network.compare_accessibility``) for display:
    region name, population, covered before and after, gain and shares in %."""
    from .i18n import t

    covered = t("network_pop_covered", lang).lower()
    names = region_names or {}
    return pd.DataFrame({
        t("col_region", lang): [names.get(r, r) for r in comparison["region_id"].astype(str)],
        t("col_population", lang): comparison["population"].round().astype("Int64").to_numpy(),
        t("col_before", lang) + ", " + covered: comparison["covered_before"].round().astype("Int64").to_numpy(),
        t("col_after", lang) + ", " + covered: comparison["covered_after"].round().astype("Int64").to_numpy(),
        "Δ": comparison["gain"].round().astype("Int64").to_numpy(),
        t("col_before", lang) + ", %": (100 * comparison["share_before"]).round(1).to_numpy(),
        t("col_after", lang) + ", %": (100 * comparison["share_after"]).round(1).to_numpy(),
    })


def totals(comparison: pd.DataFrame) -> dict:
    """Population and covered population summed over the regions of ``comparison``, before and after,
    and the covered shares (NaN when the population is 0)."""
    pop = float(comparison["population"].sum())
    b, a = float(comparison["covered_before"].sum()), float(comparison["covered_after"].sum())
    return {"population": pop, "covered_before": b, "covered_after": a,
            "share_before": b / pop if pop else float("nan"), "share_after": a / pop if pop else float("nan")}


# ------------------------------------------------------------------------------------- map

COVERED = [44, 160, 44, 170]
UNCOVERED = [214, 39, 40, 190]
BREACH = [148, 52, 200, 220]  # a unit breaking a network rule


def deck(inputs: NetworkInputs, lang: str, *, access: pd.DataFrame, sites: pd.DataFrame | None = None,
         gaps: pd.DataFrame | None = None, districts: pd.DataFrame | None = None, basemap: bool = True):
    """Settlements coloured by ``access`` (per settlement, with ``covered``; green within the
    threshold, red not) and, in purple, the units of ``gaps`` (breaking a rule); roads, the
    facilities (blue), the plan's new ``sites`` (yellow) and the ``districts``' centres with their
    names (name, lat, lon); the view fits every settlement (:mod:`ui.maps`)."""
    import pydeck as pdk

    from . import maps
    from .i18n import t

    nodes = inputs.settlements.set_index(inputs.settlements["settlement_id"].astype(str))
    acc = access.set_index(access["settlement_id"].astype(str))
    pts = nodes[["name", "lat", "lon", "population"]].copy()
    pts["covered"] = acc["covered"].reindex(pts.index).fillna(False).astype(bool)
    breach = pd.Series("", index=pts.index)
    if gaps is not None and len(gaps):
        by_unit = gaps.groupby(gaps["settlement_id"].astype(str))["rule_id"].agg(
            lambda r: ", ".join(rule_label(x, lang) for x in r))
        breach = by_unit.reindex(pts.index).fillna("")
    pts["colour"] = [BREACH if b else (COVERED if c else UNCOVERED) for b, c in zip(breach, pts["covered"])]
    pts["radius"] = 300 + 25 * np.sqrt(pts["population"].astype(float))
    pts["label"] = pts["name"].astype(str) + ": " + pts["population"].astype(int).astype(str)
    pts.loc[breach != "", "label"] += " · " + t("network_col_rule", lang) + ": " + breach[breach != ""]
    edges = []
    for u, v in inputs.graph.edges():
        if u in nodes.index and v in nodes.index:
            edges.append((nodes.at[u, "lon"], nodes.at[u, "lat"], nodes.at[v, "lon"], nodes.at[v, "lat"]))
    roads = pd.DataFrame(edges, columns=["x0", "y0", "x1", "y1"])
    fac = inputs.facilities.copy()
    if "settlement_id" in fac:  # a facility given by its node sits on the node's point
        node = fac["settlement_id"].astype(str)
        fac["lat"] = node.map(nodes["lat"]).fillna(fac.get("lat"))
        fac["lon"] = node.map(nodes["lon"]).fillna(fac.get("lon"))
    name = fac["name"] if "name" in fac else fac["facility_id"]
    fac["label"] = name.astype(str) + " (" + [facility_type_label(x, lang) for x in fac["facility_type"]] + ")"
    layers = [
        pdk.Layer("LineLayer", data=roads, get_source_position="[x0, y0]", get_target_position="[x1, y1]",
                  get_color=[150, 150, 150, 120], get_width=1),
        pdk.Layer("ScatterplotLayer", data=pts.reset_index(drop=True), get_position="[lon, lat]",
                  get_radius="radius", get_fill_color="colour", pickable=True),
        pdk.Layer("ScatterplotLayer", data=fac[["lon", "lat", "label"]].dropna(), get_position="[lon, lat]",
                  get_radius=1200, get_fill_color=[31, 119, 180, 230], pickable=True),
    ]
    if sites is not None and len(sites):
        new = sites.copy()
        node = (new["node"] if "node" in new else new["settlement_id"]).astype(str)
        new["lat"], new["lon"] = node.map(nodes["lat"]), node.map(nodes["lon"])
        new["label"] = node.map(nodes["name"]).astype(str) + " (" + [facility_type_label(x, lang)
                                                                      for x in new["facility_type"]] + ")"
        layers.append(pdk.Layer("ScatterplotLayer", data=new[["lon", "lat", "label"]].dropna(),
                                get_position="[lon, lat]", get_radius=2500, get_fill_color=[255, 200, 0, 240],
                                get_line_color=[0, 0, 0], stroked=True, line_width_min_pixels=2, pickable=True))
    if districts is not None and len(districts):
        layers += maps.district_layers(districts)
    return maps.deck(layers, maps.fit_view(pts), basemap=basemap)

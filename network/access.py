"""Who can reach a staffed clinic, and which settlements the network rules leave out.

A facility serves no one unless it is staffed: the facilities table carries
``staffed`` (bool) or ``staff`` (filled posts; staffed = staff > 0). Demand
is the ``population`` of the graph's settlement nodes.
"""

from __future__ import annotations

import warnings

import networkx as nx
import numpy as np
import pandas as pd

from .distance import distance_matrix
from .errors import NetworkInputError, UnreachableWarning, issue
from .graph import settlements_frame
from .schema import FACILITIES, RULES, as_bool, id_strings, validate_table

PRIMARY_CARE_TYPES = "FAP|FP|VA|UB|RB|CRB|MRB|POLYCLINIC"

#: The Russian rule for the primary-care network as stated in the project's
#: DOMAIN.md digest of the seeds: a settlement of 100-2,000 residents with no
#: primary-care point within 6 km needs a FAP or FP; a settlement of more than
#: 2,000 needs a doctor's ambulatory (VA). The 6 km radius for the second rule
#: is an ASSUMPTION (the digest gives no radius for it). Bounds are inclusive
#: head counts. Replace the table (or pass a CSV with ``--rules``) to change.
DEFAULT_RULES = pd.DataFrame({
    "rule_id": ["fap_fp_100_2000", "va_over_2000"],
    "min_population": [100, 2001],
    "max_population": [2000, np.nan],
    "within_km": [6.0, 6.0],
    "satisfied_by": [PRIMARY_CARE_TYPES, "VA|UB|RB|CRB|MRB|POLYCLINIC"],
    "needs": ["FAP|FP", "VA"],
})


def serving_facilities(facilities: pd.DataFrame, facility_types=None, *, staffed_only: bool = True,
                       table: str = "facilities") -> pd.DataFrame:
    """Facilities that count: of the given types (case-insensitive) and, by default, staffed.

    Returns a fresh frame with columns id, lat, lon, settlement_id,
    facility_type (upper case).
    """
    validate_table(facilities, FACILITIES, table)
    if staffed_only and "staffed" not in facilities and "staff" not in facilities:
        raise NetworkInputError(issue(table, None, "staffed", "net_needs_staffed"))
    f = facilities.reset_index(drop=True)
    keep = np.ones(len(f), dtype=bool)
    ftype = f["facility_type"].astype(str).str.strip().str.upper()
    if facility_types is not None:
        wanted = {t.strip().upper() for t in _split_types(facility_types)}
        keep &= ftype.isin(wanted).to_numpy()
    if staffed_only:
        staffed = as_bool(f["staffed"]) if "staffed" in f else pd.to_numeric(f["staff"]) > 0
        keep &= staffed.to_numpy()
    out = pd.DataFrame({
        "id": f["facility_id"],
        "lat": f["lat"] if "lat" in f else np.nan,
        "lon": f["lon"] if "lon" in f else np.nan,
        "settlement_id": id_strings(f["settlement_id"]) if "settlement_id" in f else None,
        "facility_type": ftype,
    })
    return out.loc[keep].reset_index(drop=True)


def settlement_access(graph: nx.Graph, facilities: pd.DataFrame, *, facility_types=None,
                      max_km: float | None = None, max_minutes: float | None = None,
                      staffed_only: bool = True, engine: str = "networkx") -> pd.DataFrame:
    """Nearest serving facility within the limit for every settlement.

    Columns: settlement_id, name, region_id, population, nearest_facility_id,
    km, minutes, covered. km/minutes/nearest are empty when no serving
    facility is within ``max_km`` and ``max_minutes`` (give at least one).
    ``engine`` as in ``distance_matrix``.
    """
    fac = serving_facilities(facilities, facility_types, staffed_only=staffed_only)
    return _nearest(graph, fac, settlements_frame(graph), max_km=max_km, max_minutes=max_minutes, engine=engine)


def accessibility(graph: nx.Graph, facilities: pd.DataFrame, *, facility_types=None,
                  max_km: float | None = None, max_minutes: float | None = None,
                  staffed_only: bool = True, engine: str = "networkx") -> pd.DataFrame:
    """Population within reach of a serving facility, per region.

    Columns: region_id, n_settlements, population, covered_settlements,
    covered_population, uncovered_population, covered_share.
    """
    per = settlement_access(graph, facilities, facility_types=facility_types, max_km=max_km,
                            max_minutes=max_minutes, staffed_only=staffed_only, engine=engine)
    return _by_region(per)


def compare_accessibility(graph: nx.Graph, before: pd.DataFrame, after: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """Accessibility per region before and after an allocation.

    ``before`` and ``after`` are facilities tables (typically the same
    facilities with ``staffed`` before and after graduates are placed);
    keyword arguments go to ``accessibility``. Columns: region_id,
    population, covered_before, covered_after, gain, share_before,
    share_after.
    """
    b = accessibility(graph, before, **kwargs)
    a = accessibility(graph, after, **kwargs)
    out = b[["region_id", "population", "covered_population"]].merge(
        a[["region_id", "covered_population"]], on="region_id", suffixes=("_before", "_after"))
    out = out.rename(columns={"covered_population_before": "covered_before",
                              "covered_population_after": "covered_after"})
    out["gain"] = out["covered_after"] - out["covered_before"]
    out["share_before"] = _share(out["covered_before"], out["population"])
    out["share_after"] = _share(out["covered_after"], out["population"])
    return out


def staffed_after_allocation(facilities: pd.DataFrame, placed: pd.DataFrame | None, *, table: str = "facilities",
                             placed_table: str = "placed") -> tuple[pd.DataFrame, pd.DataFrame]:
    """The facilities as staffed now and after an allocation: ``(before, after)``.

    ``before`` has ``staffed`` as given (or ``staff`` > 0; neither column: nobody is staffed);
    ``after`` is the same with ``staffed`` set for every facility that ``placed`` (an allocation's
    ``assignments.csv``, or any table with ``facility_id``) sends a graduate to. ``placed`` None:
    after = before. Feed the pair to :func:`compare_accessibility`.
    """
    validate_table(facilities, FACILITIES, table)
    ids = id_strings(facilities["facility_id"])
    if "staffed" in facilities:
        now = as_bool(facilities["staffed"].fillna(False))
    elif "staff" in facilities:
        now = pd.to_numeric(facilities["staff"]).fillna(0) > 0
    else:
        now = pd.Series(False, index=facilities.index)
    if placed is not None and "facility_id" not in placed:
        raise NetworkInputError(issue(placed_table, None, "facility_id", "net_column_missing"))
    got = set() if placed is None else set(id_strings(placed["facility_id"]))
    before = facilities.assign(staffed=now.to_numpy())
    after = facilities.assign(staffed=(now | ids.isin(got)).to_numpy())
    return before, after


def rule_gaps(graph: nx.Graph, facilities: pd.DataFrame, rules: pd.DataFrame | None = None, *,
              staffed_only: bool = True, engine: str = "networkx") -> pd.DataFrame:
    """Settlements that break a network rule: in a rule's population band with
    no satisfying facility within the rule's road distance.

    rules: columns rule_id, min_population, max_population (empty = no upper
    bound), within_km, satisfied_by and needs ('|'-separated facility types);
    default ``DEFAULT_RULES``. Returns settlement_id, name, region_id,
    population, rule_id, needs, within_km; one row per broken rule.
    """
    rules = DEFAULT_RULES if rules is None else rules
    validate_table(rules, RULES, "rules")
    sett = settlements_frame(graph)
    frames = []
    for rule in rules.itertuples(index=False):
        upper = np.inf if pd.isna(rule.max_population) else float(rule.max_population)
        band = sett.loc[sett["population"].between(float(rule.min_population), upper)]
        if band.empty:
            continue
        fac = serving_facilities(facilities, rule.satisfied_by, staffed_only=staffed_only)
        near = _nearest(graph, fac, band, max_km=float(rule.within_km), engine=engine)
        gap = near.loc[~near["covered"], ["settlement_id", "name", "region_id", "population"]].copy()
        gap["rule_id"] = rule.rule_id
        gap["needs"] = rule.needs
        gap["within_km"] = float(rule.within_km)
        frames.append(gap)
    cols = ["settlement_id", "name", "region_id", "population", "rule_id", "needs", "within_km"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)


def road_pairs_to_settlements(graph: nx.Graph, points: pd.DataFrame, settlement_ids: pd.Series, *,
                              weight: str = "km", max_km=None, max_minutes=None,
                              engine: str = "networkx") -> pd.DataFrame:
    """Road pairs from points (id, lat, lon, settlement_id) to settlement nodes within the limits.

    Pairs without a road path are dropped silently: here they simply do not
    reach. Columns as ``distance_matrix``.
    """
    dest = pd.DataFrame({"id": settlement_ids.to_numpy(), "settlement_id": settlement_ids.to_numpy()})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnreachableWarning)
        pairs = distance_matrix(graph, points[["id", "lat", "lon", "settlement_id"]], dest, weight=weight,
                                max_km=max_km, max_minutes=max_minutes, engine=engine)
    return pairs.loc[pairs["source"] == "road"]


def _nearest(graph, fac: pd.DataFrame, sett: pd.DataFrame, *, max_km=None, max_minutes=None,
             engine="networkx") -> pd.DataFrame:
    if max_km is None and max_minutes is None:
        raise NetworkInputError(issue("arguments", None, "max_km/max_minutes", "net_need_limit"))
    weight = "km" if max_minutes is None else "minutes"
    out = sett[["settlement_id", "name", "region_id", "population"]].reset_index(drop=True)
    if len(fac):
        pairs = road_pairs_to_settlements(graph, fac, out["settlement_id"], weight=weight, max_km=max_km,
                                          max_minutes=max_minutes, engine=engine)
        best = pairs.sort_values([weight, "origin_id"], kind="stable").drop_duplicates("destination_id")
        best = best.set_index("destination_id")
    else:
        best = pd.DataFrame(columns=["origin_id", "km", "minutes"])
    out["nearest_facility_id"] = out["settlement_id"].map(best["origin_id"])
    out["km"] = out["settlement_id"].map(best["km"]).astype(float)
    out["minutes"] = out["settlement_id"].map(best["minutes"]).astype(float)
    out["covered"] = out["nearest_facility_id"].notna()
    return out


def _by_region(per: pd.DataFrame) -> pd.DataFrame:
    per = per.assign(covered_pop=np.where(per["covered"], per["population"], 0.0))
    g = per.groupby("region_id", sort=True)
    out = pd.DataFrame({
        "n_settlements": g.size(),
        "population": g["population"].sum().astype(float),
        "covered_settlements": g["covered"].sum().astype(int),
        "covered_population": g["covered_pop"].sum().astype(float),
    }).reset_index()
    out["uncovered_population"] = out["population"] - out["covered_population"]
    out["covered_share"] = _share(out["covered_population"], out["population"])
    return out


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (part / whole.where(whole > 0)).astype(float)


def _split_types(types) -> list[str]:
    if isinstance(types, str):
        return [t for t in types.split("|") if t.strip()]
    return [str(t) for t in types]

"""Where the next posts should go: the road graph turned into a location model.

``plan_network`` takes the settlements of a road graph as demand, candidate
sites (new posts or conversions) and the existing staffed facilities, builds
the allowed (settlement, site) pairs from road distances, solves a maximal
covering or p-median model (``models``) and reports, per chosen site, the
population it newly covers and the staff it will need (``staffing``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from .access import road_pairs_to_settlements, serving_facilities
from .errors import NetworkInputError, issue
from .graph import settlements_frame
from .models import ModelSolution, solve_max_covering, solve_p_median
from .schema import CANDIDATES, id_strings, validate_table
from .snap import snap_points
from .staffing import staff_needed

OBJECTIVES = ("coverage", "median")


@dataclass(frozen=True)
class PlanResult:
    """sites: one row per chosen new site; summary: headline figures;
    solution: the raw model solution (assignment of settlements to sites)."""

    sites: pd.DataFrame
    summary: dict
    solution: ModelSolution = field(repr=False)


def plan_network(graph: nx.Graph, candidates: pd.DataFrame, k: int, *, objective: str = "coverage",
                 existing: pd.DataFrame | None = None, facility_types=None,
                 max_km: float | None = None, max_minutes: float | None = None,
                 solver: str = "highs", time_limit: float | None = None,
                 staffing: pd.DataFrame | None = None, engine: str = "networkx") -> PlanResult:
    """Choose up to ``k`` candidate sites.

    candidates: site_id, facility_type (what the site would open as), lat/lon
    or settlement_id, optional capacity (population it can serve) and any
    extra columns (e.g. ``action`` = new / convert), which are passed through.
    existing: facilities table (see ``access``); its staffed facilities of
    ``facility_types`` are open sites. objective: "coverage" (maximise the
    population within ``max_km`` / ``max_minutes`` of an open site) or
    "median" (minimise population-weighted travel; the limit, if given, bounds
    which pairs are allowed). The cost is km, or minutes when only
    ``max_minutes`` is given. ``engine`` as in ``distance_matrix``.

    Returns ``PlanResult``; ``sites`` has site_id, facility_type,
    node, region_id, newly_covered_population (coverage:
    people within reach of no existing site, credited to their nearest new
    site) or assigned_population and mean_cost (median), staff_positions,
    staff_roles, staff_basis, then the candidate's own columns. ``node`` is
    the settlement the site sits on (or was snapped to).
    """
    if objective not in OBJECTIVES:
        raise NetworkInputError(issue("arguments", None, "objective", "net_one_of_these", choices=OBJECTIVES))
    if objective == "coverage" and max_km is None and max_minutes is None:
        raise NetworkInputError(issue("arguments", None, "max_km/max_minutes", "net_coverage_needs_limit"))
    validate_table(candidates, CANDIDATES, "candidates")
    cand = candidates.reset_index(drop=True)
    ex = (serving_facilities(existing, facility_types, table="existing") if existing is not None
          else pd.DataFrame(columns=["id", "lat", "lon", "settlement_id", "facility_type"]))
    clash = set(cand["site_id"].astype(str)) & set(ex["id"].astype(str))
    if clash:
        raise NetworkInputError(issue("candidates", None, "site_id", "net_ids_clash", ids=sorted(clash)[:10]))
    points = pd.concat([
        pd.DataFrame({"id": cand["site_id"],
                      "lat": cand["lat"] if "lat" in cand else np.nan,
                      "lon": cand["lon"] if "lon" in cand else np.nan,
                      "settlement_id": id_strings(cand["settlement_id"]) if "settlement_id" in cand else None}),
        ex[["id", "lat", "lon", "settlement_id"]],
    ], ignore_index=True)
    sites = pd.DataFrame({
        "site_id": points["id"],
        "existing": np.r_[np.zeros(len(cand), bool), np.ones(len(ex), bool)],
        "capacity": np.r_[pd.to_numeric(cand["capacity"], errors="coerce").to_numpy(float)
                          if "capacity" in cand else np.full(len(cand), np.nan),
                          np.full(len(ex), np.nan)],
    })
    sett = settlements_frame(graph)
    demand = pd.DataFrame({"demand_id": sett["settlement_id"], "population": sett["population"].astype(float)})
    weight = "minutes" if (max_minutes is not None and max_km is None) else "km"
    pairs = road_pairs_to_settlements(graph, points, sett["settlement_id"], weight=weight, max_km=max_km,
                                      max_minutes=max_minutes, engine=engine)
    pairs = pd.DataFrame({"demand_id": pairs["destination_id"], "site_id": pairs["origin_id"],
                          "cost": pairs[weight]})

    solve = solve_max_covering if objective == "coverage" else solve_p_median
    sol = solve(demand, pairs, sites, k, solver=solver, time_limit=time_limit)

    # Settlements already within reach of an existing site.
    already = set(pairs.loc[pairs["site_id"].isin(set(ex["id"])), "demand_id"])
    table = _site_table(graph, sol, cand, points, sett, already, pairs, objective, staffing)
    total = float(demand["population"].sum())
    summary = {
        "objective": objective, "status": sol.status, "solver": sol.solver, "k": int(k),
        "weight": weight, "max_km": max_km, "max_minutes": max_minutes,
        "n_candidates": len(cand), "n_existing": len(ex), "n_new_sites": len(sol.new_sites),
        "total_population": total, "objective_value": sol.objective_value,
        "runtime_s": round(sol.runtime_s, 3), "n_pairs": len(pairs),
    }
    if objective == "coverage":
        before = float(demand.loc[demand["demand_id"].isin(already), "population"].sum())
        summary.update(covered_before=before, covered_after=sol.objective_value,
                       newly_covered=sol.objective_value - before)
    return PlanResult(sites=table, summary=summary, solution=sol)


def _site_table(graph, sol, cand, points, sett, already, pairs, objective, staffing) -> pd.DataFrame:
    new = cand.loc[cand["site_id"].isin(sol.new_sites)].copy()
    located = snap_points(graph, points.loc[points["id"].isin(sol.new_sites)].reset_index(drop=True))
    node_of = pd.Series(located["node"].to_numpy(), index=points.loc[points["id"].isin(sol.new_sites), "id"])
    new["node"] = new["site_id"].map(node_of)
    new["region_id"] = new["node"].map(sett.set_index("settlement_id")["region_id"])
    asg = sol.assignment
    if objective == "coverage":
        fresh = asg.loc[~asg["demand_id"].isin(already) & asg["site_id"].isin(sol.new_sites)]
        new["newly_covered_population"] = new["site_id"].map(
            (fresh["population"] * fresh["share"]).groupby(fresh["site_id"]).sum()).fillna(0.0)
    else:
        cost = pairs.set_index(["demand_id", "site_id"])["cost"]
        asg = asg.assign(cost=cost.reindex(pd.MultiIndex.from_frame(asg[["demand_id", "site_id"]])).to_numpy())
        served = asg["population"] * asg["share"]
        by = (pd.DataFrame({"pop": served, "w": served * asg["cost"], "site_id": asg["site_id"]})
              .groupby("site_id").sum())
        new["assigned_population"] = new["site_id"].map(by["pop"]).fillna(0.0)
        new["mean_cost"] = new["site_id"].map(by["w"] / by["pop"].where(by["pop"] > 0))
    staff = staff_needed(new["facility_type"], staffing)
    new = pd.concat([new, staff], axis=1)
    lead = ["site_id", "facility_type", "node", "region_id"]
    metric = ["newly_covered_population"] if objective == "coverage" else ["assigned_population", "mean_cost"]
    rest = [c for c in new.columns if c not in lead + metric + list(staff.columns)]
    order = lead + metric + list(staff.columns) + rest
    sort_col = metric[0]
    return new[order].sort_values([sort_col, "site_id"], ascending=[False, True]).reset_index(drop=True)

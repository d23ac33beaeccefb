"""Facility-location models over a long table of allowed (demand, site) pairs.

Numeric layer only: no graph here. ``planning.plan_network`` turns a road
graph into the tables these functions take (as spopt's ``from_geodataframe``
hands off to ``from_cost_matrix``). Models are built in bulk with PuLP from
the pairs table (one variable per allowed pair, constraints from group-bys)
and solved exactly with HiGHS (default) or CBC.

Inputs
------
demand : DataFrame[demand_id, population]
pairs  : DataFrame[demand_id, site_id, cost] - allowed pairs only (for the
         covering model: pairs within the service standard).
sites  : DataFrame[site_id, existing (bool), capacity (optional, NaN = none)]
k      : the number of NEW sites allowed (existing sites are always open).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from .errors import PlanningError

SOLVERS = ("highs", "cbc")
_STATUS = {1: "optimal", 2: "feasible", 0: "not_solved", -1: "infeasible", -2: "unbounded", -3: "not_solved"}


@dataclass(frozen=True)
class ModelSolution:
    """What a solve returns. ``objective_value`` is recomputed from the data
    (covered population, or population-weighted cost), not read from the
    solver. ``new_sites`` leaves out sites the solver opened that serve no
    one (closing them changes nothing)."""

    model: str
    status: str
    solver: str
    objective_value: float
    open_sites: list
    new_sites: list
    assignment: pd.DataFrame = field(repr=False)  # demand_id, site_id, share, population
    runtime_s: float = 0.0


def solve_max_covering(demand: pd.DataFrame, pairs: pd.DataFrame, sites: pd.DataFrame, k: int, *,
                       solver: str = "highs", time_limit: float | None = None) -> ModelSolution:
    r"""Maximal covering location problem (Church & ReVelle 1974), optionally capacitated.

    Sets: :math:`I` demand points with population :math:`a_i`; :math:`J`
    candidate and existing sites, :math:`E \subseteq J` existing;
    :math:`N_i = \{j : (i, j) \in A\}` sites allowed to cover :math:`i`
    (:math:`A` = the pairs table).

    Variables: :math:`x_j \in \{0, 1\}` site open; :math:`y_i \in [0, 1]`
    demand covered (integral at the optimum because :math:`x` is).

    .. math::

        \max \sum_{i \in I} a_i y_i
        \quad\text{s.t.}\quad
        y_i \le \sum_{j \in N_i} x_j \;\; \forall i, \qquad
        \sum_{j \in J \setminus E} x_j \le k, \qquad
        x_j = 1 \;\; \forall j \in E.

    Capacitated variant (used when some site has a capacity :math:`C_j`):
    :math:`z_{ij} \in [0, 1]`, the share of :math:`i` served by :math:`j`;
    maximise :math:`\sum a_i z_{ij}` subject to :math:`\sum_j z_{ij} \le 1`,
    :math:`z_{ij} \le x_j`, :math:`\sum_i a_i z_{ij} \le C_j x_j` and the
    same :math:`k` and existing-site constraints. A settlement may be split
    between sites in this variant.
    """
    d, p, s = _prepare(demand, pairs, sites, k)
    capacitated = s["capacity"].notna().any()
    prob = pulp.LpProblem("max_covering", pulp.LpMaximize)
    x = _site_vars(prob, s, k)
    a = d["population"].to_numpy(float)
    if not capacitated:
        covered_i = np.unique(p["i"].to_numpy())
        y = _var_dict(prob, "y", covered_i.tolist(), lowBound=0, upBound=1)
        prob += pulp.LpAffineExpression([(y[i], a[i]) for i in covered_i])
        for i, js in p.groupby("i", sort=False)["j"]:
            prob += pulp.LpAffineExpression([(y[i], 1.0)] + [(x[j], -1.0) for j in js]) <= 0, f"cover_{i}"
        t, status, name = _solve(prob, solver, time_limit)
        opened = _opened(x, s)
        assignment = _covering_assignment(p, d, s, opened)
    else:
        z = _pair_vars(prob, p)
        prob += pulp.LpAffineExpression([(z[r], a[i]) for r, i in zip(p.index, p["i"])])
        _assignment_constraints(prob, p, z, x, s, a, sense="<=")
        t, status, name = _solve(prob, solver, time_limit)
        opened = _opened(x, s)
        assignment = _split_assignment(p, d, s, z)
    solved = status in ("optimal", "feasible")
    value = float((assignment["share"] * assignment["population"]).sum()) if solved else np.nan
    return _solution("max_covering", status, name, value, s, opened, assignment, t)


def solve_p_median(demand: pd.DataFrame, pairs: pd.DataFrame, sites: pd.DataFrame, k: int, *,
                   solver: str = "highs", time_limit: float | None = None) -> ModelSolution:
    r"""p-median (Hakimi 1964; ReVelle & Swain 1970), optionally capacitated.

    Sets as in ``solve_max_covering``; :math:`d_{ij}` the cost (km or
    minutes) of allowed pair :math:`(i, j) \in A`.

    Variables: :math:`x_j \in \{0, 1\}` site open; :math:`z_{ij} \in [0, 1]`
    share of demand :math:`i` served by site :math:`j`.

    .. math::

        \min \sum_{(i,j) \in A} a_i d_{ij} z_{ij}
        \quad\text{s.t.}\quad
        \sum_{j \in N_i} z_{ij} = 1 \;\; \forall i, \qquad
        z_{ij} \le x_j \;\; \forall (i, j) \in A,

        \sum_{j \in J \setminus E} x_j \le k, \qquad x_j = 1 \;\; \forall j \in E,
        \qquad \sum_{i} a_i z_{ij} \le C_j x_j \;\; \forall j \text{ with a capacity}.

    "Up to k" new sites: opening a site never raises the cost, so the
    optimum equals the classic p-median with :math:`p = |E| + k` whenever
    there are that many sites. Without capacities :math:`z` is integral at
    the optimum (each settlement goes to its nearest open site); with
    capacities a settlement may be split. Every demand point must have at
    least one allowed site, and capacities must be able to hold the demand,
    else ``PlanningError`` is raised before solving.
    """
    d, p, s = _prepare(demand, pairs, sites, k)
    a = d["population"].to_numpy(float)
    orphan = np.setdiff1d(np.arange(len(d)), p["i"].to_numpy())
    if len(orphan):
        ids = d["demand_id"].iloc[orphan].tolist()
        raise PlanningError(f"{len(orphan)} demand point(s) have no allowed site, so not all demand can be "
                            f"assigned: {ids[:10]}{' ...' if len(ids) > 10 else ''}; widen the limit or add sites")
    _check_capacity(a, s, k)
    prob = pulp.LpProblem("p_median", pulp.LpMinimize)
    x = _site_vars(prob, s, k)
    z = _pair_vars(prob, p)
    cost = p["cost"].to_numpy(float) * a[p["i"].to_numpy()]
    prob += pulp.LpAffineExpression([(z[r], c) for r, c in zip(p.index, cost)])
    _assignment_constraints(prob, p, z, x, s, a, sense="==")
    t, status, name = _solve(prob, solver, time_limit)
    opened = _opened(x, s)
    assignment = _split_assignment(p, d, s, z)
    if status in ("optimal", "feasible"):
        cost_of = p.set_index(["i", "j"])["cost"]
        idx = pd.MultiIndex.from_arrays([assignment["i"], assignment["j"]])
        value = float((assignment["share"] * assignment["population"] * cost_of.reindex(idx).to_numpy()).sum())
    else:
        value = np.nan
    return _solution("p_median", status, name, value, s, opened, assignment, t)


# ---------------------------------------------------------------- helpers

def _prepare(demand, pairs, sites, k):
    if int(k) != k or k < 0:
        raise PlanningError(f"k must be a non-negative integer, got {k}")
    d = demand[["demand_id", "population"]].reset_index(drop=True)
    if d["demand_id"].duplicated().any():
        raise PlanningError("demand ids are not unique")
    s = sites.reset_index(drop=True)
    if s["site_id"].duplicated().any():
        raise PlanningError(f"site ids are not unique: {s.loc[s['site_id'].duplicated(), 'site_id'].tolist()[:10]}")
    s = pd.DataFrame({
        "site_id": s["site_id"],
        "existing": s["existing"].astype(bool) if "existing" in s else False,
        "capacity": pd.to_numeric(s["capacity"], errors="coerce") if "capacity" in s else np.nan,
    })
    di = pd.Series(np.arange(len(d)), index=d["demand_id"])
    sj = pd.Series(np.arange(len(s)), index=s["site_id"])
    p = pairs.reset_index(drop=True)
    unknown_d = ~p["demand_id"].isin(di.index)
    unknown_s = ~p["site_id"].isin(sj.index)
    if unknown_d.any() or unknown_s.any():
        raise PlanningError(f"pairs refer to unknown demand {p.loc[unknown_d, 'demand_id'].unique()[:5].tolist()} "
                            f"or sites {p.loc[unknown_s, 'site_id'].unique()[:5].tolist()}")
    p = pd.DataFrame({
        "i": di.reindex(p["demand_id"]).to_numpy(),
        "j": sj.reindex(p["site_id"]).to_numpy(),
        "cost": pd.to_numeric(p["cost"]).to_numpy(float) if "cost" in p else 0.0,
    })
    p = p.sort_values(["i", "j", "cost"]).drop_duplicates(["i", "j"]).reset_index(drop=True)
    return d, p, s


def _var_dict(prob, name, keys, **kw):
    """PuLP >= 3.3 attaches variables to the problem; older PuLP uses LpVariable.dicts."""
    if hasattr(prob, "add_variable_dicts"):
        return prob.add_variable_dicts(name, keys, **kw)
    return pulp.LpVariable.dicts(name, keys, **kw)


def _site_vars(prob, s, k):
    x = _var_dict(prob, "x", list(range(len(s))), cat="Binary")
    existing = s["existing"].to_numpy()
    for j in np.flatnonzero(existing):
        x[j].lowBound = 1
    new = [(x[j], 1.0) for j in np.flatnonzero(~existing)]
    if new:
        prob += pulp.LpAffineExpression(new) <= int(k), "new_sites"
    return x


def _pair_vars(prob, p):
    return _var_dict(prob, "z", p.index.tolist(), lowBound=0, upBound=1)


def _assignment_constraints(prob, p, z, x, s, a, sense):
    for i, rows in p.groupby("i", sort=False).groups.items():
        expr = pulp.LpAffineExpression([(z[r], 1.0) for r in rows])
        prob += (expr == 1 if sense == "==" else expr <= 1), f"assign_{i}"
    for r, j in zip(p.index, p["j"]):
        prob += pulp.LpAffineExpression([(z[r], 1.0), (x[j], -1.0)]) <= 0, f"open_{r}"
    cap = s["capacity"].to_numpy(float)
    for j, rows in p.groupby("j", sort=False).groups.items():
        if np.isfinite(cap[j]):
            terms = [(z[r], a[i]) for r, i in zip(rows, p.loc[rows, "i"])] + [(x[j], -cap[j])]
            prob += pulp.LpAffineExpression(terms) <= 0, f"capacity_{j}"


def _check_capacity(a, s, k):
    cap = s["capacity"].to_numpy(float)
    if not np.isfinite(cap).any() or not np.isfinite(cap).all():
        return  # some site is unlimited
    existing = s["existing"].to_numpy()
    best = cap[existing].sum() + np.sort(cap[~existing])[::-1][:int(k)].sum()
    if best < a.sum():
        raise PlanningError(f"infeasible: total demand {a.sum():,.0f} exceeds the largest capacity that "
                            f"the existing sites plus {k} new ones can offer ({best:,.0f})")


def _solve(prob, solver, time_limit):
    if solver not in SOLVERS:
        raise PlanningError(f"solver must be one of {SOLVERS}, got {solver!r}")
    if solver == "highs":
        cmd = pulp.HiGHS(msg=False, timeLimit=time_limit)
    else:
        cmd = pulp.COIN_CMD(msg=False, timeLimit=time_limit)
        if not cmd.available():  # PuLP's bundled CBC (deprecated in PuLP 3.3, still shipped)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                cmd = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit)
    start = time.perf_counter()
    prob.solve(cmd)
    return time.perf_counter() - start, _STATUS.get(prob.sol_status, "not_solved"), solver


def _opened(x, s):
    existing = s["existing"].to_numpy()
    return sorted(j for j, v in x.items() if existing[j] or (v.value() or 0) > 0.5)


def _covering_assignment(p, d, s, opened):
    """Covered demand, each point credited once: to its cheapest open site."""
    open_mask = np.zeros(len(s), dtype=bool)
    open_mask[opened] = True
    q = p.loc[open_mask[p["j"].to_numpy()]].sort_values(["i", "cost", "j"]).drop_duplicates("i")
    return _frame(q, d, s, np.ones(len(q)))


def _split_assignment(p, d, s, z):
    share = np.array([z[r].value() or 0.0 for r in p.index])
    keep = share > 1e-9
    return _frame(p.loc[keep], d, s, share[keep])


def _frame(q, d, s, share):
    return pd.DataFrame({
        "i": q["i"].to_numpy(), "j": q["j"].to_numpy(),
        "demand_id": d["demand_id"].to_numpy()[q["i"].to_numpy()],
        "site_id": s["site_id"].to_numpy()[q["j"].to_numpy()],
        "share": share,
        "population": d["population"].to_numpy(float)[q["i"].to_numpy()],
    })


def _solution(model, status, solver, value, s, opened, assignment, t):
    ids = s["site_id"].to_numpy()
    existing = s["existing"].to_numpy()
    # A new site the solver opened but that serves no one changes nothing: leave it out.
    used = set(assignment["j"])
    opened = [j for j in opened if existing[j] or j in used]
    return ModelSolution(model=model, status=status, solver=solver, objective_value=value,
                         open_sites=[ids[j] for j in opened],
                         new_sites=[ids[j] for j in opened if not existing[j]],
                         assignment=assignment.drop(columns=["i", "j"]).reset_index(drop=True)
                         if status in ("optimal", "feasible") else assignment.iloc[0:0],
                         runtime_s=t)

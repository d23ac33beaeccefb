"""Facility-location models over a long table of allowed (demand, site) pairs.

Numeric layer only: no graph here. ``planning.plan_network`` turns a road
graph into the tables these functions take (as spopt's ``from_geodataframe``
hands off to ``from_cost_matrix``). Each model is built from arrays, one
constraint family at a time (``LocationModel``: a row-wise sparse matrix and
its bounds, no Python loop over pairs), and solved exactly by HiGHS (default,
the arrays passed straight to ``highspy``) or CBC (through PuLP, built row by
row from the same arrays). ``LocationModel.write("model.lp")`` exports it with
readable names.

Inputs
------
demand : DataFrame[demand_id, population]
pairs  : DataFrame[demand_id, site_id, cost] - allowed pairs only (for the
         covering model: pairs within the service standard).
sites  : DataFrame[site_id, existing (bool), capacity (optional, NaN = none)]
k      : the number of NEW sites allowed (existing sites are always open).

Names in an exported model: columns ``x_<j>`` (site open), ``y_<i>`` (demand
covered), ``z_<i>_<j>`` (share of demand ``i`` served by site ``j``), where
``i`` and ``j`` are row positions in the demand and sites tables; rows
``new_sites_total``, ``cover_<i>``, ``assign_once_<i>``,
``open_before_assign_<i>_<j>``, ``capacity_<j>`` and (single-source
p-median only) ``capacity_total``.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from medstaff_core.status import Status

from .errors import PlanningError

SOLVERS = ("highs", "cbc")
# PuLP's solution status -> the shared vocabulary (medstaff_core.status): "not solved" with a time
# limit is time_limit; unbounded cannot happen with these bounded models and counts as failed
_STATUS = {1: Status.OPTIMAL, 2: Status.FEASIBLE, 0: Status.TIME_LIMIT, -1: Status.INFEASIBLE,
           -2: Status.FAILED, -3: Status.TIME_LIMIT}


@dataclass(frozen=True)
class ModelSolution:
    """What a solve returns. ``objective_value`` is recomputed from the data
    (covered population, or population-weighted cost), not read from the
    solver. ``new_sites`` leaves out sites the solver opened that serve no
    one (closing them changes nothing)."""

    model: str
    status: Status
    solver: str
    objective_value: float
    open_sites: list
    new_sites: list
    assignment: pd.DataFrame = field(repr=False)  # demand_id, site_id, share, population
    runtime_s: float = 0.0


@dataclass(frozen=True, eq=False)
class LocationModel:
    r"""A mixed-integer linear program in arrays, the form HiGHS takes it in.

    .. math::

        \min \text{ or } \max\; c^\top v \quad\text{s.t.}\quad
        r^L \le A v \le r^U, \qquad l \le v \le u, \qquad v_c \in \mathbb{Z} \;\; \forall c : \text{integer}_c.

    ``A`` is row-wise sparse (CSR: ``start``, ``index``, ``value``; explicit
    zeros are dropped). Columns come in blocks and rows in constraint
    families; ``col_blocks`` / ``row_blocks`` hold each block's stem and the
    index arrays its names are made of, so names are only generated when the
    model is written (``col_names``, ``row_names``, ``write``).
    """

    name: str
    maximize: bool
    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray
    start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_blocks: tuple = ()
    row_blocks: tuple = ()

    @property
    def num_col(self) -> int:
        """Number of variables."""
        return len(self.cost)

    @property
    def num_row(self) -> int:
        """Number of constraints."""
        return len(self.row_lower)

    def col_names(self) -> list[str]:
        """``x_<j>``, ``y_<i>``, ``z_<i>_<j>`` in column order."""
        return _names(self.col_blocks)

    def row_names(self) -> list[str]:
        """``new_sites_total``, ``cover_<i>``, ``assign_once_<i>``, ... in row order."""
        return _names(self.row_blocks)

    def highs_lp(self, names: bool = False):
        """The model as a ``highspy.HighsLp`` (with the names if ``names``)."""
        import highspy

        lp = highspy.HighsLp()
        lp.model_name_ = self.name
        lp.num_col_, lp.num_row_ = self.num_col, self.num_row
        lp.sense_ = highspy.ObjSense.kMaximize if self.maximize else highspy.ObjSense.kMinimize
        lp.col_cost_, lp.col_lower_, lp.col_upper_ = self.cost, self.col_lower, self.col_upper
        lp.row_lower_, lp.row_upper_ = self.row_lower, self.row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = self.num_col, self.num_row
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = self.start, self.index, self.value
        lp.integrality_ = np.where(self.integer, highspy.HighsVarType.kInteger,
                                   highspy.HighsVarType.kContinuous).tolist()
        if names:
            lp.col_names_, lp.row_names_ = self.col_names(), self.row_names()
        return lp

    def write(self, path) -> None:
        """Write the model with its names; HiGHS picks the format from the suffix (.lp, .mps)."""
        import highspy

        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.passModel(self.highs_lp(names=True))
        if h.writeModel(str(path)) != highspy.HighsStatus.kOk:
            raise PlanningError("net_plan_write_failed", path=path)


def covering_model(demand: pd.DataFrame, pairs: pd.DataFrame, sites: pd.DataFrame, k: int) -> LocationModel:
    """The model ``solve_max_covering`` solves, for export (``.write("cover.lp")``)."""
    d, p, s = _prepare(demand, pairs, sites, k)
    return _build_covering(d, p, s, k)


def p_median_model(demand: pd.DataFrame, pairs: pd.DataFrame, sites: pd.DataFrame, k: int, *,
                   single_source: bool = False) -> LocationModel:
    """The model ``solve_p_median`` solves, for export (``.write("median.mps")``)."""
    d, p, s = _prepare(demand, pairs, sites, k)
    return _build_p_median(d, p, s, k, single_source)


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
    between sites in this variant. The rows are built in ``_build_covering``.
    """
    d, p, s = _prepare(demand, pairs, sites, k)
    _check_solver(solver)
    model = _build_covering(d, p, s, k)
    t, status, v = _solve(model, solver, time_limit)
    opened = _opened(v, s)
    if s["capacity"].notna().any():
        assignment = _split_assignment(p, d, s, v[len(s):len(s) + len(p)])
    else:
        assignment = _covering_assignment(p, d, s, opened)
    solved = status in ("optimal", "feasible")
    value = float((assignment["share"] * assignment["population"]).sum()) if solved else np.nan
    return _solution("max_covering", status, solver, value, s, opened, assignment, t)


def solve_p_median(demand: pd.DataFrame, pairs: pd.DataFrame, sites: pd.DataFrame, k: int, *,
                   solver: str = "highs", time_limit: float | None = None,
                   single_source: bool = False, method: str = "auto") -> ModelSolution:
    r"""p-median (Hakimi 1964; ReVelle & Swain 1970), optionally capacitated
    (split demand by default, single source with ``single_source=True``).

    ``method``: ``"plain"`` solves the assignment model below as one MIP;
    ``"radius"`` (uncapacitated only, HiGHS) solves the same problem by the
    radius formulation with reduced-cost fixing of
    :func:`network.pmedian_exact.solve_p_median_exact`, which proves the
    OR-Library pmed optima the plain model cannot reach in time;
    ``"auto"`` (default) takes ``"radius"`` when no site has a capacity, the
    solver is HiGHS and demand points × new sites is at most
    ``AUTO_DENSE_CELLS`` (the radius method is dense), else ``"plain"``. Both prove the same optimum (the
    tests keep the plain model as the reference); with several optimal
    site sets they may choose different ones.

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
    capacities a settlement may be split (the *split-demand* capacitated
    p-median, the default). Every demand point must have at least one allowed
    site, and capacities must be able to hold the demand, else
    ``PlanningError`` is raised before solving. The rows are built in
    ``_build_p_median``.

    Single source (``single_source=True``; the capacitated p-median of
    Osman & Christofides 1994): each demand point is served wholly by one
    site, :math:`z_{ij} \in \{0, 1\}`, with the same rows, plus

    .. math::

        z_{ij} = 0 \;\; \text{if } a_i > C_j, \qquad
        \sum_{j \text{ with a capacity}} C_j x_j \ge \sum_i a_i
        \;\; \text{(only when every site has one)},

    both implied by the rows above for binary :math:`z` but they tighten the
    LP relaxation. Without capacities the option changes nothing but the
    solve time (the uncapacitated optimum is single source already).
    ``assignment.share`` is then 0 or 1 (rounded from the solver's values).
    """
    d, p, s = _prepare(demand, pairs, sites, k)
    _check_solver(solver)
    a = d["population"].to_numpy(float)
    orphan = np.setdiff1d(np.arange(len(d)), p["i"].to_numpy())
    if len(orphan):
        ids = d["demand_id"].iloc[orphan].tolist()
        raise PlanningError("net_plan_orphan_demand", n=len(orphan),
                            ids=f"{ids[:10]}{' ...' if len(ids) > 10 else ''}")
    _check_capacity(a, s, k)
    if _p_median_method(method, solver, s, len(d)) == "radius":
        return _solve_p_median_radius(d, p, s, k, a, time_limit)
    model = _build_p_median(d, p, s, k, single_source)
    t, status, v = _solve(model, solver, time_limit)
    opened = _opened(v, s)
    share = v[len(s):len(s) + len(p)]
    assignment = _split_assignment(p, d, s, np.round(share) if single_source else share)
    if status in ("optimal", "feasible"):
        value = _median_cost(p, assignment)
    else:
        value = np.nan
    return _solution("p_median", status, solver, value, s, opened, assignment, t)


METHODS = ("auto", "plain", "radius")
# The radius method works on a dense clients x new-sites matrix (about ten arrays of that size while
# it runs): "auto" takes it up to this many cells (4 M: some 300 MB), the sparse plain model above.
AUTO_DENSE_CELLS = 4_000_000


def _p_median_method(method, solver, s, n_demand):
    if method not in METHODS:
        raise PlanningError("net_plan_method", choices=METHODS, value=repr(method))
    capacitated = bool(np.isfinite(s["capacity"].to_numpy(float)).any())
    if method == "radius" and (capacitated or solver != "highs"):
        raise PlanningError("net_plan_radius_only")
    if method == "auto":
        dense = n_demand * int((~s["existing"].to_numpy()).sum())
        return "plain" if capacitated or solver != "highs" or dense > AUTO_DENSE_CELLS else "radius"
    return method


def _solve_p_median_radius(d, p, s, k, a, time_limit):
    r"""The uncapacitated p-median with existing sites by :func:`solve_p_median_exact`.

    Existing sites :math:`E` are always open, so client :math:`i` never pays more than
    :math:`e_i = \min_{j \in E} d_{ij}`: the exact solver gets the new sites only, with costs
    :math:`\min(d_{ij}, e_i)` (``inf`` where the pair is not allowed and no existing site is), and
    opens exactly :math:`\min(k, |J \setminus E|)` of them (opening more never costs more). Each client
    then goes to its cheapest open site."""
    from .pmedian_exact import solve_p_median_exact

    start = time.perf_counter()
    existing = s["existing"].to_numpy()
    i, j, cost = p["i"].to_numpy(), p["j"].to_numpy(), p["cost"].to_numpy(float)
    e = np.full(len(d), np.inf)
    at_existing = existing[j]
    np.minimum.at(e, i[at_existing], cost[at_existing])
    new = np.flatnonzero(~existing)
    kk = min(int(k), len(new))
    opened = np.flatnonzero(existing).tolist()
    proven = True
    if kk > 0:
        column = np.full(len(s), -1)
        column[new] = np.arange(len(new))
        c = np.full((len(d), len(new)), np.inf)
        c[i[~at_existing], column[j[~at_existing]]] = cost[~at_existing]
        np.minimum(c, e[:, None], out=c)
        result = solve_p_median_exact(c, kk, weights=a, time_limit=time_limit)
        if result.info.get("infeasible"):  # k new sites cannot reach every point
            return _solution("p_median", Status.INFEASIBLE, "highs", np.nan, s, [], _frame(p.iloc[0:0], d, s, []),
                             time.perf_counter() - start)
        opened = sorted(opened + new[np.asarray(result.medians, dtype=np.int64)].tolist())
        proven = bool(result.proven)
    assignment = _covering_assignment(p, d, s, opened)
    if len(assignment) < len(d):  # a point without an open allowed site: no solution
        # with no new site to open that is proven; otherwise a time limit stopped the search early
        return _solution("p_median", Status.INFEASIBLE if kk == 0 else Status.TIME_LIMIT, "highs", np.nan, s, [],
                         assignment.iloc[0:0], time.perf_counter() - start)
    value = _median_cost(p, assignment)
    status = Status.OPTIMAL if proven else Status.FEASIBLE
    return _solution("p_median", status, "highs", value, s, opened, assignment, time.perf_counter() - start)


# ---------------------------------------------------------------- model builders
#
# Columns: x_j for every site (positions 0 .. |J|-1), then y_i (uncapacitated covering, one per demand
# point with an allowed site) or z_ij (one per allowed pair, in the order of the prepared pairs table p,
# sorted by i then j). Each row family is a COO block (local row, column, coefficient) with its bounds.

_INF = np.inf


def _build_covering(d, p, s, k) -> LocationModel:
    r"""Rows of the maximal covering model (formulation in ``solve_max_covering``).

    Uncapacitated: ``new_sites_total`` :math:`\sum_{j \notin E} x_j \le k`;
    ``cover_i`` :math:`y_i - \sum_{j \in N_i} x_j \le 0` for each :math:`i`
    with an allowed site (the others have no :math:`y_i`: they cannot be
    covered). Objective :math:`\max \sum a_i y_i`.

    Capacitated: :math:`\max \sum a_i z_{ij}` subject to
    ``new_sites_total``, ``assign_once_i`` :math:`\sum_j z_{ij} \le 1`,
    ``open_before_assign_i_j`` :math:`z_{ij} - x_j \le 0` and
    ``capacity_j`` :math:`\sum_i a_i z_{ij} - C_j x_j \le 0`.
    """
    if s["capacity"].notna().any():
        return _build_assignment("max_covering", d, p, s, k, assign_lower=-_INF,
                                 pair_cost=d["population"].to_numpy(float)[p["i"].to_numpy()])
    ns = len(s)
    a = d["population"].to_numpy(float)
    pi, pj = p["i"].to_numpy(), p["j"].to_numpy()
    covered = np.unique(pi)                       # demand points with an allowed site, ascending
    row_of = np.searchsorted(covered, pi)         # the cover row of each pair
    y = ns + np.arange(len(covered))
    n = len(covered)
    cover = (np.r_[np.arange(n), row_of], np.r_[y, pj], np.r_[np.ones(n), -np.ones(len(pi))],
             np.full(n, -_INF), np.zeros(n), ("cover", (covered,)))
    x_cost = np.zeros(ns)
    return _assemble("max_covering", True, s,
                     cost=np.r_[x_cost, a[covered]], lower=np.zeros(n), upper=np.ones(n),
                     blocks=(("y", (covered,)),),
                     families=[_new_sites_total(s, k), cover])


def _build_p_median(d, p, s, k, single_source=False) -> LocationModel:
    r"""Rows of the p-median model (formulation in ``solve_p_median``).

    :math:`\min \sum a_i d_{ij} z_{ij}` subject to ``new_sites_total``
    :math:`\sum_{j \notin E} x_j \le k`, ``assign_once_i``
    :math:`\sum_j z_{ij} = 1`, ``open_before_assign_i_j``
    :math:`z_{ij} - x_j \le 0` and, for each site with a capacity,
    ``capacity_j`` :math:`\sum_i a_i z_{ij} - C_j x_j \le 0`.

    ``single_source``: :math:`z` binary, :math:`z_{ij} \le 0` (upper bound)
    where :math:`a_i > C_j`, and, when every site has a capacity,
    ``capacity_total`` :math:`\sum_j C_j x_j \ge \sum_i a_i`.
    """
    a = d["population"].to_numpy(float)
    return _build_assignment("p_median", d, p, s, k, assign_lower=1.0,
                             pair_cost=p["cost"].to_numpy(float) * a[p["i"].to_numpy()],
                             single_source=single_source)


def _build_assignment(name, d, p, s, k, assign_lower, pair_cost, single_source=False) -> LocationModel:
    """The z-model shared by p-median and capacitated covering; ``assign_lower`` 1 (``=``) or -inf (``<=``);
    ``single_source``: z binary, pairs too big for their site fixed to 0, the aggregate capacity row."""
    ns, npair = len(s), len(p)
    a = d["population"].to_numpy(float)
    pi, pj = p["i"].to_numpy(), p["j"].to_numpy()
    z = ns + np.arange(npair)
    ones = np.ones(npair)
    served = np.unique(pi)
    n = len(served)
    assign = (np.searchsorted(served, pi), z, ones, np.full(n, assign_lower), np.ones(n),
              ("assign_once", (served,)))
    open_ = (np.r_[np.arange(npair), np.arange(npair)], np.r_[z, pj], np.r_[ones, -ones],
             np.full(npair, -_INF), np.zeros(npair), ("open_before_assign", (pi, pj)))
    families = [_new_sites_total(s, k), assign, open_]
    cap = s["capacity"].to_numpy(float)
    limited = np.isfinite(cap[pj])
    if limited.any():
        jc = np.unique(pj[limited])               # sites with a capacity and at least one allowed pair
        m = len(jc)
        families.append((np.r_[np.searchsorted(jc, pj[limited]), np.arange(m)], np.r_[z[limited], jc],
                         np.r_[a[pi[limited]], -cap[jc]], np.full(m, -_INF), np.zeros(m), ("capacity", (jc,))))
    upper = ones
    if single_source:
        upper = np.where(a[pi] > np.where(np.isfinite(cap[pj]), cap[pj], _INF), 0.0, 1.0)
        if len(cap) and np.isfinite(cap).all():
            families.append((np.zeros(ns, np.int64), np.arange(ns), cap, np.array([a.sum()]), np.array([_INF]),
                             ("capacity_total", ())))
    return _assemble(name, name != "p_median", s, cost=np.r_[np.zeros(ns), pair_cost],
                     lower=np.zeros(npair), upper=upper, blocks=(("z", (pi, pj)),), families=families,
                     integer_block=single_source)


def _new_sites_total(s, k):
    new = np.flatnonzero(~s["existing"].to_numpy())
    if not len(new):
        return None
    return (np.zeros(len(new), np.int64), new, np.ones(len(new)), np.array([-_INF]), np.array([float(k)]),
            ("new_sites_total", ()))


def _assemble(name, maximize, s, cost, lower, upper, blocks, families, integer_block=False) -> LocationModel:
    """x_j binary (lower bound 1 for existing sites), the given block (continuous, or integer if
    ``integer_block``), then the row families stacked in order into one CSR matrix (zeros dropped, each
    row's entries in family order)."""
    ns = len(s)
    existing = s["existing"].to_numpy()
    families = [f for f in families if f is not None]
    offsets = np.cumsum([0] + [len(f[3]) for f in families])
    rows = np.concatenate([f[0] + off for f, off in zip(families, offsets)]).astype(np.int64)
    cols = np.concatenate([f[1] for f in families]).astype(np.int32)
    vals = np.concatenate([f[2] for f in families]).astype(float)
    keep = vals != 0
    rows, cols, vals = rows[keep], cols[keep], vals[keep]
    order = np.argsort(rows, kind="stable")
    nrow = int(offsets[-1])
    start = np.zeros(nrow + 1, np.int32)
    np.cumsum(np.bincount(rows, minlength=nrow), out=start[1:])
    ncont = len(lower)
    return LocationModel(
        name=name, maximize=maximize, cost=np.asarray(cost, float),
        col_lower=np.r_[existing.astype(float), lower], col_upper=np.r_[np.ones(ns), upper],
        integer=np.r_[np.ones(ns, bool), np.full(ncont, bool(integer_block))],
        start=start, index=cols[order], value=vals[order],
        row_lower=np.concatenate([f[3] for f in families]) if families else np.zeros(0),
        row_upper=np.concatenate([f[4] for f in families]) if families else np.zeros(0),
        col_blocks=(("x", (np.arange(ns),)),) + tuple(blocks),
        row_blocks=tuple(f[5] for f in families))


def _names(blocks) -> list[str]:
    out = []
    for stem, keys in blocks:
        if not keys:
            out.append(stem)
        else:
            out.extend("_".join((stem, *map(str, t))) for t in zip(*(np.asarray(q).tolist() for q in keys)))
    return out


# ---------------------------------------------------------------- helpers

def _prepare(demand, pairs, sites, k):
    if int(k) != k or k < 0:
        raise PlanningError("net_plan_bad_k", k=k)
    d = demand[["demand_id", "population"]].reset_index(drop=True)
    if d["demand_id"].duplicated().any():
        raise PlanningError("net_plan_demand_ids")
    s = sites.reset_index(drop=True)
    if s["site_id"].duplicated().any():
        raise PlanningError("net_plan_site_ids", ids=s.loc[s["site_id"].duplicated(), "site_id"].tolist()[:10])
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
        raise PlanningError("net_plan_unknown_pairs", demand=p.loc[unknown_d, "demand_id"].unique()[:5].tolist(),
                            sites=p.loc[unknown_s, "site_id"].unique()[:5].tolist())
    p = pd.DataFrame({
        "i": di.reindex(p["demand_id"]).to_numpy(),
        "j": sj.reindex(p["site_id"]).to_numpy(),
        "cost": pd.to_numeric(p["cost"]).to_numpy(float) if "cost" in p else 0.0,
    })
    p = p.sort_values(["i", "j", "cost"]).drop_duplicates(["i", "j"]).reset_index(drop=True)
    return d, p, s


def _check_capacity(a, s, k):
    cap = s["capacity"].to_numpy(float)
    if not np.isfinite(cap).any() or not np.isfinite(cap).all():
        return  # some site is unlimited
    existing = s["existing"].to_numpy()
    best = cap[existing].sum() + np.sort(cap[~existing])[::-1][:int(k)].sum()
    if best < a.sum():
        raise PlanningError("net_plan_capacity", demand=a.sum(), k=k, best=best)


def _check_solver(solver):
    if solver not in SOLVERS:
        raise PlanningError("net_plan_solver", choices=SOLVERS, value=repr(solver))


def _solve(model: LocationModel, solver, time_limit):
    """Solve; returns (seconds, status, column values). The seconds cover handing the model to the
    solver and solving it."""
    start = time.perf_counter()
    status, values = (_solve_highs if solver == "highs" else _solve_cbc)(model, time_limit)
    if len(values) != model.num_col:  # no solution to read
        values = np.zeros(model.num_col)
    return time.perf_counter() - start, status, values


def _solve_highs(model, time_limit):
    """HiGHS in process: the arrays go to ``Highs.passModel`` as one ``HighsLp``. Statuses as PuLP's
    HiGHS interface maps them (a time limit with a solution is "feasible")."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    h.passModel(model.highs_lp())
    h.run()
    ms = highspy.HighsModelStatus
    st = h.getModelStatus()
    has_solution = h.getInfo().primal_solution_status == 2  # kSolutionStatusFeasible
    stopped = (ms.kTimeLimit, ms.kIterationLimit, ms.kInterrupt, ms.kObjectiveBound, ms.kObjectiveTarget,
               getattr(ms, "kSolutionLimit", ms.kTimeLimit))
    if st == ms.kOptimal:
        status = Status.OPTIMAL
    elif st in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
        status = Status.INFEASIBLE
    elif st in stopped:
        status = Status.FEASIBLE if has_solution else Status.TIME_LIMIT
    else:  # unbounded (impossible with bounded columns) or a solver error
        status = Status.FAILED
    return status, np.asarray(h.getSolution().col_value, float) if has_solution else np.zeros(0)


def _solve_cbc(model, time_limit):
    """CBC through PuLP: one PuLP variable per column and one constraint per row of the same arrays."""
    cmd = pulp.COIN_CMD(msg=False, timeLimit=time_limit)
    if not cmd.available():  # PuLP's bundled CBC (deprecated in PuLP 3.3, still shipped)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            cmd = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit)
    prob = pulp.LpProblem(model.name, pulp.LpMaximize if model.maximize else pulp.LpMinimize)
    new_var = getattr(prob, "add_variable", None)  # PuLP >= 3.3 attaches variables to the problem
    if new_var is None:
        new_var = pulp.LpVariable
    v = [new_var(name, lo, hi if np.isfinite(hi) else None, pulp.LpInteger if integer else pulp.LpContinuous)
         for name, lo, hi, integer in zip(model.col_names(), model.col_lower.tolist(), model.col_upper.tolist(),
                                          model.integer.tolist())]
    prob += pulp.LpAffineExpression([(v[c], w) for c, w in enumerate(model.cost.tolist()) if w != 0])
    start, index, value = model.start.tolist(), model.index.tolist(), model.value.tolist()
    for r, (name, lo, hi) in enumerate(zip(model.row_names(), model.row_lower.tolist(), model.row_upper.tolist())):
        expr = pulp.LpAffineExpression([(v[c], w) for c, w in zip(index[start[r]:start[r + 1]],
                                                                   value[start[r]:start[r + 1]])])
        if lo == hi:
            prob += pulp.LpConstraint(expr, pulp.LpConstraintEQ, name, hi)
        elif np.isfinite(hi):
            prob += pulp.LpConstraint(expr, pulp.LpConstraintLE, name, hi)
        else:
            prob += pulp.LpConstraint(expr, pulp.LpConstraintGE, name, lo)
    prob.solve(cmd)
    status = _STATUS.get(prob.sol_status, Status.FAILED)
    return status, np.array([var.value() or 0.0 for var in v])


def _opened(v, s):
    existing = s["existing"].to_numpy()
    return np.flatnonzero(existing | (v[:len(s)] > 0.5)).tolist()


def _covering_assignment(p, d, s, opened):
    """Covered demand, each point credited once: to its cheapest open site."""
    open_mask = np.zeros(len(s), dtype=bool)
    open_mask[opened] = True
    q = p.loc[open_mask[p["j"].to_numpy()]].sort_values(["i", "cost", "j"]).drop_duplicates("i")
    return _frame(q, d, s, np.ones(len(q)))


def _median_cost(p, assignment):
    """The p-median objective recomputed from the data: share x population x the pair's cost."""
    cost_of = p.set_index(["i", "j"])["cost"]
    idx = pd.MultiIndex.from_arrays([assignment["i"], assignment["j"]])
    return float((assignment["share"] * assignment["population"] * cost_of.reindex(idx).to_numpy()).sum())


def _split_assignment(p, d, s, share):
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

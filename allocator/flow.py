r"""The ``flow`` engine: the same lexicographic model, solved as a network flow.

The model of :mod:`allocator.model` is a transportation problem with a few
side constraints. This engine writes it as a min-cost flow over grouped
graduates and solves each level exactly:

Network
-------
Identical graduates (same specialty, funding, home, sponsor and max_km; see
:func:`allocator.pairs.allowed_pairs`) form a group :math:`g` of size
:math:`m_g`. Nodes: groups (supply :math:`m_g`), facility-specialty slots,
region-specialty cells, one sink (demand :math:`\sum_g m_g`). Arcs:

- pair arcs :math:`g \to v` (one per allowed pair of the group, so one per
  programme where funding is needed), capacity :math:`\min(m_g, n_v)`;
- unplaced arcs :math:`g \to` sink, capacity :math:`m_g`;
- slot arcs :math:`v \to` cell, capacity :math:`n_v`;
- cell arcs cell :math:`\to` sink: one of capacity :math:`N_{rs}`, or with
  diminishing returns :math:`N_{rs}` arcs of capacity 1, one per segment.

Level costs (integers, the same scaling as :mod:`allocator.model`): level 1
is +1 on each obligated group's unplaced arc (fewest obligated unplaced =
most placed); level 2 is :math:`-w_r` (or :math:`-w_r m_{rs,j}`) on cell
arcs; level 3 is the metres of each pair arc. Side rows: the programmes' rows of
:func:`allocator.programmes.limit_rows`, the model's own. For each programme its quota and
every money row in which all its arcs pay the same :math:`a` fold into one headcount
:math:`\sum_{a \in k} x_a \le C_k`, :math:`C_k = \min(Q_k, \lfloor B_{k,t} / a_{k,t} \rfloor)`
(exact integers), which for integer :math:`x` is exactly those rows; a money row whose payments
differ (remote and standard tiers) stays a weighted side row :math:`\sum a_{a,t} x_a \le B_{k,t}`,
in the same exact integers as the model's, so every engine holds the same rows.

One level
---------
1. Solve the min-cost flow without side rows (OR-Tools, costs divided by
   their common factor). Node potentials come from Bellman-Ford on the
   residual network (vectorised; a few dozen sweeps, because paths alternate
   between groups and slots). If the flow meets the side rows, it is optimal.
   Level 1 first tries the flow without any programme arc (obligated
   graduates never need one): it is optimal when its potentials price every
   left-out arc at zero or more.
2. Else solve the flow once more without the programme arcs. If its cost
   equals the relaxed cost, it is optimal and the relaxed potentials (with
   zero side duals) are optimal duals.
3. Else solve the linear programme with side rows by column generation
   with HiGHS: the first columns are the non-pair arcs, both flows' arcs,
   the previous level's arcs (so it is feasible) and each group's cheapest
   arcs at the relaxed potentials; every pair arc is then priced with the
   LP duals, vectorised, and the most negative few per group enter until
   none is negative. That proves the LP optimum over all arcs.
4. If the LP optimum is integral, it is the level's optimum. Else a small
   MIP repairs it: the LP's columns away from the fractional ones are fixed,
   the rest solved by HiGHS. Costs are integers, so a repaired flow that
   reaches the LP bound rounded up is optimal. Only if it does not, a MIP
   over the LP's columns and every arc whose reduced cost is at most the
   gap between that flow and the LP bound (no other arc can be in a better
   solution) is solved to proven optimality.

Between levels
--------------
The level loop, and what a time limit or an unproven level means, is
:func:`allocator.driver.run_levels`, shared with the matrix backends;
:class:`FlowEngine` is this engine's side of it.

With optimal LP duals (steps 1-3, or 4 when the repaired flow reaches the
LP bound itself), every optimal flow of the level satisfies complementary
slackness with them, so the next level keeps exactly the optimal solutions
by fixing each arc of nonzero reduced cost at its bound and each side row of
nonzero dual at its value. Otherwise the level is kept by a side row
:math:`c \cdot x \le z^*`.

Each level's value is computed from the integer flow and integer costs, so
it equals, bit for bit, the value the PuLP/CBC model of
:mod:`allocator.model` proves.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd
from ortools.graph.python import min_cost_flow
from scipy import sparse

from .backends import give_highs_start, quiet_stdout
from .driver import LEVELS, LevelResult, run_levels
from .programmes import headcount_and_weighted, limit_rows
from .scaling import KM_SCALE, weight_max, weight_units
from .status import Status

log = logging.getLogger(__name__)

TOL = 1e-6
ENTER_PER_GROUP = 3  # columns entering per group per pricing round


@dataclass
class Side:
    """A side row lo <= sum coef[a] x[a] <= hi over the listed arcs (a programme's headcount row
    names its programme; a level's row, :func:`keep_level`, names none)."""

    arcs: np.ndarray
    coef: np.ndarray
    lo: float
    hi: float
    programme_id: str | None = None


@dataclass
class Network:
    """The round's min-cost-flow network: arcs ``tail -> head`` with bounds ``lower..upper``,
    node ``supply`` (positive at groups, negative at the sink), integer level costs per arc,
    and the programmes' side rows. Arcs ``0..n_pair-1`` are the pair arcs (see the module docstring).
    """
    tail: np.ndarray
    head: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    supply: np.ndarray
    n_pair: int                       # arcs 0..n_pair-1 are pair arcs (column generation)
    group: np.ndarray                 # group of each pair arc
    costs: dict                       # level name -> int64 cost per arc
    sides: list = field(default_factory=list)

    @property
    def n_nodes(self) -> int:
        """Number of nodes (groups, slots, cells and the sink)."""
        return len(self.supply)

    @property
    def n_arcs(self) -> int:
        """Number of arcs, pair arcs included."""
        return len(self.tail)


def build_network(groups: pd.DataFrame, arcs: pd.DataFrame, slots: pd.DataFrame, cells: pd.DataFrame,
                  programmes: pd.DataFrame, diminishing_returns: bool,
                  instalments: pd.DataFrame | None = None) -> Network:
    """Network of a round from grouped pairs.

    groups: size, obligated (one row per group code 0..G-1);
    arcs: group, slot, km, programme_id, remote (optional; one row per group-level pair);
    slots: vacancies, cell (one row per slot code); cells: vacancies, weight.
    """
    G, S, C = len(groups), len(slots), len(cells)
    sink = G + S + C
    size = groups["size"].to_numpy(np.int64)
    n_v = slots["vacancies"].to_numpy(np.int64)
    a_group = arcs["group"].to_numpy(np.int64)
    a_slot = arcs["slot"].to_numpy(np.int64)
    n_pair = len(arcs)

    cell_vac = cells["vacancies"].to_numpy(np.int64)
    cell_w = cells["weight"].to_numpy(float)
    w_max = weight_max(cell_w, cell_vac)  # the same scale as the matrix model's (allocator.scaling)
    if diminishing_returns:
        rep = np.repeat(np.arange(C), cell_vac)
        j = np.arange(len(rep)) - np.repeat(np.cumsum(cell_vac) - cell_vac, cell_vac) + 1
        seg_value = cell_w[rep] * (cell_vac[rep] - j + 1) / cell_vac[rep]
        cell_tail, cell_cap = rep, np.ones(len(rep), np.int64)
        cell_cost = -weight_units(seg_value, w_max)
    else:
        cell_tail, cell_cap = np.arange(C), cell_vac
        cell_cost = -weight_units(cell_w, w_max)

    tail = np.concatenate([a_group, np.arange(G), G + np.arange(S), G + S + cell_tail])
    head = np.concatenate([G + a_slot, np.full(G, sink), G + S + slots["cell"].to_numpy(np.int64),
                           np.full(len(cell_tail), sink)])
    upper = np.concatenate([np.minimum(size[a_group], n_v[a_slot]), size, n_v, cell_cap])
    n = len(tail)
    zeros = np.zeros(n, np.int64)
    obligated = groups["obligated"].to_numpy(bool)
    level1 = zeros.copy()
    level1[n_pair:n_pair + G] = obligated.astype(np.int64)
    level2 = zeros.copy()
    level2[n - len(cell_tail):] = cell_cost
    level3 = zeros.copy()
    level3[:n_pair] = np.rint(arcs["km"].to_numpy(float) * KM_SCALE).astype(np.int64)
    supply = np.zeros(sink + 1, np.int64)
    supply[:G] = size
    supply[sink] = -size.sum()

    net = Network(tail=tail, head=head, lower=zeros.copy(), upper=upper.astype(np.int64), supply=supply,
                  n_pair=n_pair, group=a_group, costs={"obligated": level1, "deficit": level2, "km": level3})
    remote = arcs["remote"].to_numpy(bool) if "remote" in arcs else np.zeros(n_pair, bool)
    rows = limit_rows(arcs["programme_id"].to_numpy(object), remote, programmes, instalments)
    caps, weighted = headcount_and_weighted(rows)  # exact (allocator.programmes)
    prog = arcs["programme_id"].to_numpy(object)
    for pid in sorted(caps):
        members = np.flatnonzero(prog == pid)
        net.sides.append(Side(arcs=members, coef=np.ones(len(members)), lo=-np.inf, hi=float(caps[pid]),
                              programme_id=pid))
    for row in weighted:  # a money row whose payments differ: its own side row (no headcount dual)
        net.sides.append(Side(arcs=row.members, coef=row.coef.astype(float), lo=-np.inf, hi=float(row.bound)))
    return net


# --------------------------------------------------------------------------- min-cost flow
#: Min-cost flows kept by the digest of their whole input (at most this many, most recent first).
#: The scenarios of a sweep that change only a budget or a quota share the flows that no side row
#: enters: the first level's and the relaxed flows of the second; each is computed once per process.
MCF_MEMO_SIZE = 8
_MCF_MEMO: OrderedDict[bytes, tuple[np.ndarray, np.ndarray]] = OrderedDict()
MCF_COUNTS = {"solved": 0, "kept": 0}  # flows computed, and served from the memo, in this process


def _mcf(net: Network, cost: np.ndarray, keep: np.ndarray | None = None):
    """Min-cost flow honouring arc bounds (no side rows); returns (flow, potentials).

    Arcs fixed at their lower bound (by earlier levels or left out by ``keep``) are not
    given to the solver: their flow moves into the supplies. The result depends only on the
    arcs, their bounds and costs and the supplies: it is kept by their digest (:data:`MCF_MEMO_SIZE`),
    so the same flow asked again is the same arrays again, computed once.
    """
    lower, upper = net.lower, net.upper
    if keep is not None:
        upper = np.where(keep, upper, lower)
    key = _digest(net.tail, net.head, lower, upper, net.supply, cost, np.array([keep is not None]))
    kept = _MCF_MEMO.get(key)
    if kept is None:
        kept = _MCF_MEMO[key] = _solve_mcf(net, cost, lower, upper, keep is not None)
        MCF_COUNTS["solved"] += 1
        while len(_MCF_MEMO) > MCF_MEMO_SIZE:
            _MCF_MEMO.popitem(last=False)
    else:
        MCF_COUNTS["kept"] += 1
    _MCF_MEMO.move_to_end(key)
    flow, pi = kept
    return (None, None) if flow is None else (flow.copy(), pi.copy())


def _digest(*arrays: np.ndarray) -> bytes:
    """BLAKE2b of the arrays' dtypes, shapes and bytes."""
    digest = hashlib.blake2b(digest_size=32)
    for a in arrays:
        a = np.ascontiguousarray(a)
        digest.update(f"{a.dtype.str}{a.shape}".encode())
        digest.update(a.data)
    return digest.digest()


def _solve_mcf(net: Network, cost: np.ndarray, lower: np.ndarray, upper: np.ndarray, partial: bool):
    """The min-cost flow of :func:`_mcf` by OR-Tools and its potentials; (None, None) when a
    ``partial`` network (arcs left out) has no feasible flow."""
    free = np.flatnonzero(upper > lower)
    supply = net.supply.copy()
    np.subtract.at(supply, net.tail, lower)
    np.add.at(supply, net.head, lower)
    # cost scaling runs one phase per bit of the largest cost: divide by the common factor
    # (weights such as 2.0, 1.75, 1.5 x 1e4 share 2500)
    nonzero = cost[free][cost[free] != 0]
    unit = int(np.gcd.reduce(np.abs(nonzero))) if len(nonzero) else 1
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(net.tail[free], net.head[free], (upper - lower)[free],
                                                cost[free] // unit)
    solver.set_nodes_supplies(np.arange(net.n_nodes), supply)
    status = solver.solve()
    if status == solver.INFEASIBLE and partial:
        return None, None  # the arcs left out were needed
    if status != solver.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    flow = lower.copy()
    flow[free] += solver.flows(np.arange(len(free)))
    return flow.astype(np.int64), _potentials(net, cost, flow, lower, upper)


def _potentials(net: Network, cost, flow, lower, upper) -> np.ndarray:
    """Node potentials pi with cost - pi[tail] + pi[head] >= 0 on every residual arc.

    (:func:`reduced_costs` is that expression; an arc with flow above its lower bound
    has a backward residual arc, so its reduced cost is <= 0: complementary slackness.)
    """
    fwd = flow < upper
    bwd = flow > lower
    et = np.concatenate([net.tail[fwd], net.head[bwd]])
    eh = np.concatenate([net.head[fwd], net.tail[bwd]])
    ec = np.concatenate([cost[fwd], -cost[bwd]])
    order = np.argsort(eh, kind="stable")
    et, eh, ec = et[order], eh[order], ec[order]
    dist = np.zeros(net.n_nodes, np.int64)
    if len(eh) == 0:
        return dist
    starts = np.flatnonzero(np.r_[True, eh[1:] != eh[:-1]])
    heads = eh[starts]
    for _ in range(net.n_nodes + 1):
        best = np.minimum.reduceat(dist[et] + ec, starts)
        new = dist.copy()
        new[heads] = np.minimum(dist[heads], best)
        if np.array_equal(new, dist):
            return -dist  # shortest distances: dist[h] <= dist[t] + c on every residual arc
        dist = new
    raise RuntimeError("negative cycle in an optimal flow's residual network")


def _violated(net: Network, flow: np.ndarray) -> list[int]:
    out = []
    for i, side in enumerate(net.sides):
        value = float(side.coef @ flow[side.arcs])
        if value > side.hi + TOL or value < side.lo - TOL:
            out.append(i)
    return out


# --------------------------------------------------------------------------- one level
def solve_level(net: Network, cost: np.ndarray, incumbent: np.ndarray, deadline: float | None,
                without_first: bool = False):
    """Minimise cost.x over flows of ``net`` with its side rows; returns (LevelResult, duals).

    duals is (node potentials, side duals) proving optimality of the LP, or None when
    the level needed the MIP (then the LP duals do not describe the integer optima).
    """
    no_sides = (np.zeros(len(net.sides)),)
    # a flow without any programme arc meets every programme row (all <= with positive
    # coefficients); with ``without_first`` (level 1: obligated graduates never need one) try it
    # first: if its potentials price every left-out arc at >= 0, it is optimal with them
    capped = [s for s in net.sides if s.lo == -np.inf and s.hi >= 0 and (s.coef > 0).all()]
    keep, flow2 = None, None
    if capped and len(capped) == len(net.sides):
        keep = np.ones(net.n_arcs, bool)
        for side in capped:
            keep[side.arcs] = False
        if without_first:
            flow2, pi2 = _mcf(net, cost, keep)
            if flow2 is not None:
                out = np.flatnonzero(~keep & (net.upper > net.lower))
                rc = cost[out] - pi2[net.tail[out]] + pi2[net.head[out]]
                if len(rc) == 0 or rc.min() >= 0:
                    proof = (pi2.astype(float),) + no_sides
                    return LevelResult(Status.OPTIMAL, flow2, int(cost @ flow2), method="flow_without"), proof
    t0 = time.perf_counter()
    flow, pi = _mcf(net, cost)
    if keep is not None and not without_first:
        flow2, _ = _mcf(net, cost, keep)
    log.debug("min-cost flows and potentials: %.2fs", time.perf_counter() - t0)
    relaxed = int(cost @ flow)
    if not _violated(net, flow):
        return LevelResult(Status.OPTIMAL, flow, relaxed, method="flow"), (pi.astype(float),) + no_sides
    columns = [flow, incumbent]
    if flow2 is not None:
        if int(cost @ flow2) == relaxed:
            return LevelResult(Status.OPTIMAL, flow2, relaxed, method="flow_without"), (pi.astype(float),) + no_sides
        columns.append(flow2)
    return _solve_lp(net, cost, columns, incumbent, deadline, pi)


class _Lp:
    """The level's LP over a growing set of arcs, in HiGHS."""

    def __init__(self, net: Network, cost: np.ndarray, arcs: np.ndarray):
        self.net, self.cost = net, cost
        with quiet_stdout():  # HiGHS prints a banner when the first instance is made
            self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        # no `threads`: HiGHS's thread pool is global to the process, and asking for another
        # size after any earlier HiGHS run (PuLP's, the network's) fails the run (status Not Set);
        # the simplex is serial and the branch and bound deterministic whatever the pool size
        self.h.setOptionValue("presolve", "off")  # measured: presolve costs more than it saves here
        self.matrix = _matrix(net)
        n_rows = self.matrix.shape[0]
        lo = np.concatenate([net.supply.astype(float), [s.lo for s in net.sides]])
        hi = np.concatenate([net.supply.astype(float), [s.hi for s in net.sides]])
        self.h.addRows(n_rows, lo, hi, 0, np.zeros(1, np.int32), np.zeros(0, np.int32), np.zeros(0))
        self.cols = np.zeros(0, np.int64)
        self.add(arcs)

    def add(self, arcs: np.ndarray) -> None:
        """Add ``arcs`` as columns of the LP (their cost, bounds and incidence with the side rows)."""
        net = self.net
        block = self.matrix[:, arcs]
        self.h.addCols(len(arcs), self.cost[arcs].astype(float), net.lower[arcs].astype(float),
                       net.upper[arcs].astype(float), block.nnz, block.indptr[:-1].astype(np.int32),
                       block.indices.astype(np.int32), block.data.astype(float))
        self.cols = np.concatenate([self.cols, arcs])

    def run(self, deadline: float | None = None):
        """Solve; None when the deadline passed first."""
        if deadline is not None:
            left = deadline - time.perf_counter()
            if left <= 0:
                return None
            self.h.setOptionValue("time_limit", left)
        self.h.run()
        # later rounds only add columns: the basis stays primal feasible, so primal simplex
        self.h.setOptionValue("simplex_strategy", 4)
        status = self.h.getModelStatus()
        if status == highspy.HighsModelStatus.kTimeLimit:
            return None
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"HiGHS LP: {self.h.modelStatusToString(status)}")
        sol = self.h.getSolution()
        y = np.asarray(sol.row_dual)
        return np.asarray(sol.col_value), y[: self.net.n_nodes], y[self.net.n_nodes:]


def _matrix(net: Network) -> sparse.csc_matrix:
    """Node-arc incidence (+1 tail, -1 head) with the side rows below, by arc."""
    n = net.n_arcs
    rows = [net.tail, net.head] + [np.full(len(s.arcs), net.n_nodes + i) for i, s in enumerate(net.sides)]
    cols = [np.arange(n), np.arange(n)] + [s.arcs for s in net.sides]
    vals = [np.ones(n), -np.ones(n)] + [s.coef for s in net.sides]
    return sparse.csc_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                             shape=(net.n_nodes + len(net.sides), n))


def reduced_costs(net: Network, cost: np.ndarray, pi: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Reduced cost of every arc for node potentials ``pi`` and side-row duals ``mu``:
    ``cost - (pi[tail] - pi[head]) - sum of mu * coef`` over the side rows holding the arc.
    """
    rc = cost - (pi[net.tail] - pi[net.head])
    for side, m in zip(net.sides, mu):
        if m != 0:
            rc[side.arcs] -= m * side.coef
    return rc


def _best_per_group(net: Network, arcs: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """Of the given pair arcs, the k of lowest score in each group."""
    if len(arcs) == 0:
        return arcs
    arcs = arcs[np.lexsort((score[arcs], net.group[arcs]))]
    g = net.group[arcs]
    first = np.r_[True, g[1:] != g[:-1]]
    rank = np.arange(len(arcs)) - np.maximum.accumulate(np.where(first, np.arange(len(arcs)), 0))
    return np.sort(arcs[rank < k])


def _solve_lp(net: Network, cost, columns, incumbent, deadline, pi):
    fixed = net.lower == net.upper
    pool = ~(fixed & (net.upper == 0))  # arcs that may carry flow
    start = np.zeros(net.n_arcs, bool)
    start[net.n_pair:] = True
    for f in columns:
        start |= f > 0
    start &= pool
    start |= net.lower > 0
    # with the relaxed flow's potentials, each group's cheapest alternatives
    rc0 = reduced_costs(net, cost.astype(float), pi.astype(float), np.zeros(len(net.sides)))
    spare = np.flatnonzero(pool[: net.n_pair] & ~start[: net.n_pair])
    start[_best_per_group(net, spare, rc0, ENTER_PER_GROUP)] = True
    lp = _Lp(net, cost, np.flatnonzero(start))
    in_lp = start
    rounds = 0
    while True:
        rounds += 1
        t0 = time.perf_counter()
        solved = lp.run(deadline)
        if solved is None:  # out of time: the round keeps the previous level's flow
            log.info("LP round %d: time limit", rounds)
            return LevelResult(Status.TIME_LIMIT, method="lp"), None
        x, pi, mu = solved
        log.debug("LP round %d: %d columns, %.2fs", rounds, len(lp.cols), time.perf_counter() - t0)
        rc = reduced_costs(net, cost.astype(float), pi, mu)
        enter = np.flatnonzero(pool & ~in_lp & (rc < -TOL))
        if len(enter) == 0:
            break
        enter = _best_per_group(net, enter, rc, ENTER_PER_GROUP)
        lp.add(enter)
        in_lp[enter] = True
    flow = np.zeros(net.n_arcs)
    flow[lp.cols] = x
    bound = float(cost @ flow)
    log.info("LP over %d of %d arcs after %d rounds: %.1f", len(lp.cols), net.n_arcs, rounds, bound)
    if np.all(np.abs(flow - np.round(flow)) < TOL):
        flow = np.round(flow).astype(np.int64)
        return LevelResult(Status.OPTIMAL, flow, int(cost @ flow), method="lp"), (pi, mu)
    # a fractional vertex: repair it with a small MIP that frees only the arcs around the
    # fractional ones; it often meets the bound, which proves it optimal
    best = int(cost @ incumbent)
    target = int(np.ceil(bound - TOL))
    repaired = _repair(net, cost, lp.cols, flow, incumbent, deadline)
    if repaired.x is not None and repaired.value < best:
        incumbent, best = repaired.x, repaired.value
    if best <= target:  # integer costs: nothing lies strictly between the bound and its ceiling
        exact = best <= bound + TOL  # then the LP duals still describe every optimum
        return LevelResult(Status.OPTIMAL, incumbent, best, method="lp_repaired"), ((pi, mu) if exact else None)
    # else MIP over every arc that can be in a solution better than the incumbent
    cand = in_lp | (pool & (rc <= best - bound + TOL))
    return _solve_mip(net, cost, np.flatnonzero(cand), incumbent, deadline), None


def _repair(net: Network, cost, cols, flow, incumbent, deadline) -> LevelResult:
    """MIP over the LP's columns with every column away from the fractional ones fixed."""
    x = flow[cols]
    frac = np.abs(x - np.round(x)) > TOL
    touched = np.zeros(net.n_nodes, bool)
    touched[net.tail[cols[frac]]] = True
    touched[net.head[cols[frac]]] = True
    free = touched[net.tail[cols]] | touched[net.head[cols]]
    fixed = np.where(free, -1, np.round(x)).astype(np.int64)
    result = _solve_mip(net, cost, cols, incumbent, deadline, fixed=fixed)
    log.info("repair: %d fractional, %d free of %d columns: %s", frac.sum(), free.sum(), len(cols),
             result.value)
    return result


def _solve_mip(net: Network, cost, arcs, incumbent, deadline, fixed=None) -> LevelResult:
    """MIP over the given arcs; ``fixed`` (per arc, -1 = free) pins the others."""
    lp = _Lp(net, cost, arcs)
    h = lp.h
    if fixed is not None:
        pin = np.flatnonzero(fixed >= 0)
        value = fixed[pin].astype(float)
        h.changeColsBounds(len(pin), pin.astype(np.int32), value, value)
    h.changeColsIntegrality(len(arcs), np.arange(len(arcs), dtype=np.int32),
                            np.full(len(arcs), highspy.HighsVarType.kInteger))
    h.setOptionValue("presolve", "on")
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.5)  # integer objective: a gap below 1 proves optimality
    if deadline is not None:
        h.setOptionValue("time_limit", max(1.0, deadline - time.perf_counter()))
    if fixed is None:
        give_highs_start(h, incumbent[arcs])
    h.run()
    status = h.getModelStatus()
    x = np.asarray(h.getSolution().col_value)
    flow = np.zeros(net.n_arcs, np.int64)
    flow[arcs] = np.round(x).astype(np.int64)
    log.info("MIP over %d arcs: %s", len(arcs), h.modelStatusToString(status))
    if status == highspy.HighsModelStatus.kOptimal:
        return LevelResult(Status.OPTIMAL, flow, int(cost @ flow), method="mip")
    if h.getInfo().primal_solution_status == 2:  # feasible point at the time limit
        return LevelResult(Status.FEASIBLE, flow, int(cost @ flow), h.getInfo().mip_dual_bound, "mip")
    return LevelResult(Status.TIME_LIMIT, method="mip")


def restrict(net: Network, cost: np.ndarray, flow: np.ndarray, pi: np.ndarray, mu: np.ndarray) -> None:
    """Keep only the optimal flows of a level: complementary slackness with optimal duals."""
    rc = reduced_costs(net, cost.astype(float), pi, mu)
    if np.array_equal(pi, np.rint(pi)) and np.array_equal(mu, np.rint(mu)):
        scale = 0.5  # integer costs and integer duals (flow potentials): reduced costs are integers
    else:  # LP duals: HiGHS's tolerances are absolute (1e-7), far below this
        scale = max(TOL, 1e-9 * float(np.abs(cost).max()))
    up = rc < -scale
    down = rc > scale
    net.lower = np.where(up, net.upper, net.lower)
    net.upper = np.where(down, net.lower, net.upper)
    for side, m in zip(net.sides, mu):
        if abs(m) > TOL:
            value = float(side.coef @ flow[side.arcs])
            side.lo = side.hi = value


def keep_level(net: Network, cost: np.ndarray, value: int) -> None:
    """Keep the optimal solutions of a level by a side row (when duals cannot)."""
    arcs = np.flatnonzero(cost)
    net.sides.append(Side(arcs=arcs, coef=cost[arcs].astype(float), lo=-np.inf, hi=float(value)))


# --------------------------------------------------------------------------- a round
class FlowEngine:
    """The network of a round as an :class:`allocator.driver.Engine`.

    Built from the grouped pairs of :func:`allocator.pairs.allowed_pairs`; a level is
    :func:`solve_level` (looked up at call time), held by :func:`restrict` when its LP
    duals prove it and by :func:`keep_level` otherwise.
    """

    def __init__(self, pairs, vacancies: pd.DataFrame, cells: pd.DataFrame, programmes: pd.DataFrame,
                 diminishing_returns: bool, instalments: pd.DataFrame | None = None):
        self.pairs = pairs
        self.net = _round_network(pairs, vacancies, cells, programmes, diminishing_returns, instalments)
        self._duals: dict = {}

    def initial(self) -> np.ndarray:
        """Every graduate on the unplaced arc."""
        flow = np.zeros(self.net.n_arcs, np.int64)
        n_pair, n_groups = self.net.n_pair, len(self.pairs.groups)
        flow[n_pair:n_pair + n_groups] = self.pairs.groups["size"].to_numpy()
        return flow

    def has_objective(self, level: str) -> bool:
        """False when no arc has a cost at this level."""
        return bool(self.net.costs[level].any())

    def solve_level(self, level: str, deadline: float | None, incumbent: np.ndarray) -> LevelResult:
        """The level's optimum by min-cost flow, LP column generation or MIP (module docstring)."""
        # level 1 counts obligated graduates, who mostly need no programme place: try without first
        result, duals = solve_level(self.net, self.net.costs[level], incumbent, deadline,
                                    without_first=level == "obligated")
        self._duals[level] = duals
        return result

    def hold(self, level: str, result: LevelResult) -> None:
        """Fix what complementary slackness allows, else add the level's row."""
        cost, duals = self.net.costs[level], self._duals.get(level)
        if duals is not None:
            restrict(self.net, cost, result.x, *duals)
        else:
            keep_level(self.net, cost, result.value)

    def headcount_duals(self, level: str) -> dict[str, float] | None:
        """programme_id -> the dual of its headcount row at ``level`` (cost units per place; <= 0:
        one more place lowers the level's cost by its size), from the LP duals that proved the level;
        None when the level was not proven by duals (a MIP) or not solved."""
        duals = self._duals.get(level)
        if duals is None:
            return None
        return {side.programme_id: float(m) for side, m in zip(self.net.sides, duals[1]) if side.programme_id}

    def chosen(self, flow: np.ndarray) -> pd.DataFrame:
        """The arcs given to graduates by ``flow``: one row per placed graduate."""
        return _disaggregate(self.pairs, flow[: self.net.n_pair])


@dataclass
class FlowRun:
    """What :func:`solve_round` returns: the arcs given to graduates, the driver's status and gap,
    each level's optimal cost and how it was proven, and the network's size.
    """
    chosen: pd.DataFrame     # arcs rows given to graduates: graduate_id + the arc's columns
    status: Status           # optimal | feasible | time_limit (allocator.driver)
    gap: float | None        # 0 when optimal; the unproven level's relative gap, if known
    values: dict             # level -> optimal cost of the level (km: whole metres, as the matrix model)
    methods: dict            # level -> how it was proven
    n_arcs: int
    n_nodes: int


def solve_round(pairs, vacancies: pd.DataFrame, cells: pd.DataFrame, programmes: pd.DataFrame,
                diminishing_returns: bool, deadline: float | None = None,
                instalments: pd.DataFrame | None = None) -> FlowRun:
    """Solve the levels (:data:`allocator.driver.LEVELS`) for the grouped pairs of
    :func:`allocator.pairs.allowed_pairs` with :class:`FlowEngine` and the level driver."""
    engine = FlowEngine(pairs, vacancies, cells, programmes, diminishing_returns, instalments)
    run = run_levels(engine, deadline, levels=LEVELS)
    return FlowRun(chosen=engine.chosen(run.x), status=run.status, gap=run.gap, values=run.values,
                   methods=run.methods, n_arcs=engine.net.n_arcs, n_nodes=engine.net.n_nodes)


def _round_network(pairs, vacancies, cells, programmes, diminishing_returns, instalments=None) -> Network:
    arcs_frame = pairs.arcs
    live = vacancies["vacancies"] > 0
    slot_frame = vacancies.loc[live, ["facility_id", "specialty", "vacancies"]].reset_index(drop=True)
    slot_region = arcs_frame.drop_duplicates("facility_id").set_index("facility_id")["region_id"]
    slot_frame = slot_frame[slot_frame["facility_id"].isin(slot_region.index)].reset_index(drop=True)
    cell_index = pd.MultiIndex.from_frame(cells[["region_id", "specialty"]])
    slot_frame["cell"] = cell_index.get_indexer(pd.MultiIndex.from_arrays(
        [slot_region.reindex(slot_frame["facility_id"]).to_numpy(), slot_frame["specialty"].to_numpy()]))
    slot_index = pd.MultiIndex.from_frame(slot_frame[["facility_id", "specialty"]])
    arcs = pd.DataFrame({
        "group": arcs_frame["group"].to_numpy(),
        "slot": slot_index.get_indexer(pd.MultiIndex.from_frame(arcs_frame[["facility_id", "specialty"]])),
        "km": arcs_frame["km"].to_numpy(float),
        "programme_id": arcs_frame["programme_id"].to_numpy(object),
        "remote": arcs_frame["remote"].to_numpy(bool),
    })
    return build_network(pairs.groups, arcs, slot_frame, cells, programmes, diminishing_returns, instalments)


def _disaggregate(pairs, pair_flow: np.ndarray) -> pd.DataFrame:
    """Give each group's flow to its members in graduate_id order."""
    used = np.flatnonzero(pair_flow > 0)
    rows = np.repeat(used, pair_flow[used])
    chosen = pairs.arcs.iloc[rows].reset_index(drop=True)
    k = chosen.groupby("group").cumcount().to_numpy()
    members = pairs.members.sort_values(["group", "graduate_id"], kind="stable")
    counts = np.bincount(members["group"].to_numpy(), minlength=len(pairs.groups))
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    chosen.insert(0, "graduate_id", members["graduate_id"].to_numpy()[start[chosen["group"].to_numpy()] + k])
    return chosen

r"""Exact uncapacitated p-median by the radius formulation, reduced-cost fixing and a reduced MIP.

``solve_p_median_exact(cost_matrix, p)`` proves the optimum of instances where the plain model of
``network.models`` (one assignment variable per pair, :math:`n^2` of them) stalls: OR-Library's
pmed1–pmed40 (Beasley 1985; n = 100–900), 39 of them within a minute on two cores and pmed36
(p = 10, LP bound 1 % below the optimum) in about 3 minutes (``benchmarks/bench_orlib_pmed.py``;
figures in docs/network.md). ``network.solve_p_median`` calls it for the uncapacitated model. The
plain model stays the reference in the tests.

The formulation is the radius (covering) formulation of

- S. Elloumi, "A tighter formulation of the p-median problem", J. Comb. Optim. 19 (2010) 69–83;
- S. García, M. Labbé, A. Marín, "Solving large p-median problems with a radius formulation",
  INFORMS Journal on Computing 23(4) (2011) 546–556,

whose iterative idea (start from few radii per client, add radii only where the relaxation needs
them) is used here; the code is written from the formulations, not taken from anywhere.

Formulation
-----------
Clients :math:`i` (weight :math:`w_i \ge 0`), candidate sites :math:`j`, costs :math:`d_{ij}`
(``inf`` = not allowed). For client :math:`i` let :math:`D_i^1 < D_i^2 < \dots < D_i^{K_i}` be its
distinct finite costs and :math:`N_i^k = \{j : d_{ij} \le D_i^k\}`. Variables :math:`y_j \in \{0,1\}`
(site open) and :math:`z_i^k \ge 0` (":math:`i` is farther than :math:`D_i^k` from every open site",
i.e. its cost is at least :math:`D_i^{k+1}`):

.. math::

    \min \sum_i w_i \Big(D_i^1 + \sum_{k=1}^{K_i-1} (D_i^{k+1} - D_i^k)\, z_i^k\Big)
    \quad\text{s.t.}\quad
    z_i^k + \sum_{j \in N_i^k} y_j \ge 1, \qquad \sum_j y_j = p, \qquad
    \sum_{j \in N_i^{K_i}} y_j \ge 1.

With integer :math:`y` the optimal :math:`z_i^k = \max(0, 1 - \sum_{N_i^k} y_j)` telescopes to the
cost of :math:`i`'s nearest open site, so this is the p-median; its LP bound equals that of the
classic assignment model but it has :math:`\sum_i K_i` rows instead of :math:`n^2` ``z_ij \le y_j``.

Rows are written in chained (sparse) form, which has the same LP optimum:
:math:`z_i^{1} + \sum_{j \in N_i^{1}} y_j \ge 1` and
:math:`z_i^{l} - z_i^{l-1} + \sum_{j \in N_i^{l} \setminus N_i^{l-1}} y_j \ge 0`, so every
(client, site) pair appears once: :math:`O(nm)` non-zeros, not :math:`O(nm K)`.

*Coarse radii (a relaxation).* Keeping only a subset :math:`k_1 < \dots < k_m` of the radii of a
client, with coefficient :math:`D_i^{k_l+1} - D_i^{k_{l-1}+1}` for :math:`z_i^{k_l}` (and
:math:`D_i^{k_0+1} := D_i^1`), under-counts every solution's cost, at the LP level too (the full LP's
:math:`z_i^k` are non-increasing in :math:`k`). So a coarse LP gives a lower bound.

Method
------
1. *Upper bound*: greedy, then best-improvement interchange (Teitz & Bart 1968), vectorised: for
   client :math:`i` with nearest and second-nearest open costs :math:`d^1_i, d^2_i` and nearest
   median :math:`m_i`, swapping site :math:`j` in and median :math:`r` out changes the cost by
   :math:`-G_j + L_{rj}`, :math:`G_j = \sum_i w_i (d^1_i - d_{ij})^+`,
   :math:`L_{rj} = \sum_{i : m_i = r} w_i (\min(d_{ij}, d^2_i) - \min(d_{ij}, d^1_i))`.
2. *LP by radius generation*: start from the radii below each client's heuristic cost; solve the
   coarse LP (HiGHS); evaluate the full LP objective at its :math:`y^*` (cumulative sums of
   :math:`y^*` along each client's sorted row); add every radius where the client is not fully
   covered; repeat until the coarse and full values agree. Then the coarse LP value is the LP
   bound :math:`LB` of the full formulation.
3. *Reduced-cost fixing*: for any feasible point, cost :math:`\ge LB + \sum` (reduced cost × move
   from bound). A solution in which client :math:`i` is farther than :math:`D_i^{k'}` has every
   kept :math:`z_i^{k_l} = 1` for :math:`k_l \le k'` and pays :math:`w_i (D_i^{k'+1} - D_i^{k_m+1})^+`
   beyond the last kept radius, so if :math:`LB + \sum_{k_l \le k'} \bar c(z_i^{k_l}) +
   w_i (D_i^{k'+1} - D_i^{k_m+1})^+` exceeds the cut-off (:math:`UB - 1` for integer data, else
   :math:`UB`) client :math:`i` is within :math:`D_i^{k'}` in every better solution; likewise
   :math:`y_j` is fixed to 0 (1) when its reduced cost at 0 (at 1) exceeds the gap.
4. *Reduced MIP*: every radius of every client up to its fixed limit (exact there), the free
   sites only, solved by HiGHS with the cut-off as objective bound. No better solution means the
   heuristic's is optimal.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

__all__ = ["PMedianResult", "greedy_interchange", "read_orlib_optima", "read_orlib_pmed", "solve_p_median_exact"]


class PMedianResult(tuple):
    """``(value, medians, proven, bound)``; ``medians`` are column indices of the cost matrix,
    ``bound`` a proven lower bound (equal to ``value`` when proven). Attributes ``info`` (a dict of
    timings and sizes) and the four fields by name."""

    def __new__(cls, value, medians, proven, bound, info=None):
        self = super().__new__(cls, (value, medians, proven, bound))
        self.info = info or {}
        return self

    value = property(lambda self: self[0])
    medians = property(lambda self: self[1])
    proven = property(lambda self: self[2])
    bound = property(lambda self: self[3])


def read_orlib_pmed(path):
    """An OR-Library pmed file as (cost matrix, p), built as Beasley describes: infinity off the
    diagonal, 0 on it, each edge sets c(i,j) = c(j,i) in file order (the last copy of a duplicated
    edge wins), then all-pairs shortest paths."""
    from scipy.sparse.csgraph import shortest_path

    with open(path) as f:
        n, m, p = map(int, f.readline().split())
        edges = np.loadtxt(f, dtype=np.int64, max_rows=m).reshape(-1, 3)
    c = np.full((n, n), np.inf)
    a, b = edges[:, 0] - 1, edges[:, 1] - 1
    i, j = np.minimum(a, b), np.maximum(a, b)
    # the last copy of each undirected edge: the first occurrence in the reversed list
    _, first = np.unique((i * n + j)[::-1], return_index=True)
    last = len(edges) - 1 - first
    c[i[last], j[last]] = c[j[last], i[last]] = edges[last, 2]
    np.fill_diagonal(c, 0.0)
    return shortest_path(c, method="D", directed=True), p


def read_orlib_optima(path) -> dict[str, float]:
    """OR-Library's ``pmedopt.txt``: instance name -> published optimal value (header line skipped)."""
    rows = Path(path).read_text().split("\n")[1:]
    return {r.split()[0]: float(r.split()[1]) for r in rows if r.strip()}


# ------------------------------------------------------------------------------------ heuristic

def _cost(d, w, medians):
    return float(w @ d[:, medians].min(axis=1))


def greedy_interchange(d, p, w=None, start=None, max_iter=10_000):
    """Greedy (or ``start``) then best-improvement interchange; returns (value, sorted medians).
    ``d`` must be finite here (the caller replaces ``inf`` by a large cost)."""
    n, m = d.shape
    w = np.ones(n) if w is None else np.asarray(w, float)
    if start is None:
        med = []
        best = np.full(n, np.inf)
        for _ in range(p):
            gain = w @ np.minimum(d, best[:, None]) if med else w @ d
            if med:
                gain[med] = np.inf
            j = int(np.argmin(gain))
            med.append(j)
            best = np.minimum(best, d[:, j])
    else:
        med = list(start)
    med = np.array(med, dtype=np.int64)
    if p >= m:
        return _cost(d, w, med), np.sort(med)
    rows = np.arange(n)
    for _ in range(max_iter):
        dm = d[:, med]
        if p > 1:
            part = np.argpartition(dm, 1, axis=1)[:, :2]
            a, b = dm[rows, part[:, 0]], dm[rows, part[:, 1]]
            swap = a > b
            near = np.where(swap, part[:, 1], part[:, 0])
            d1, d2 = np.minimum(a, b), np.maximum(a, b)
        else:
            near, d1, d2 = np.zeros(n, np.int64), dm[:, 0], np.full(n, d.max() * 2 + 1)
        gain = w @ np.maximum(d1[:, None] - d, 0.0)  # G_j
        loss = w[:, None] * (np.minimum(d, d2[:, None]) - np.minimum(d, d1[:, None]))
        onehot = sp.csr_matrix((np.ones(n), (near, rows)), shape=(p, n))
        delta = onehot @ loss - gain[None, :]  # L_rj - G_j
        delta[:, med] = np.inf
        r, j = np.unravel_index(int(np.argmin(delta)), delta.shape)
        if delta[r, j] >= -1e-9 * max(1.0, float(w @ d1)):
            break
        med[r] = j
    return _cost(d, w, med), np.sort(med)


# ------------------------------------------------------------------------------- the formulation

class _Rows:
    """Each client's costs sorted once: ``order[i]`` the sites by cost, ``ds[i]`` the sorted costs,
    ``ends[i, t]`` true where position ``t`` closes a group of equal costs (a radius; the next
    position holds the next distinct cost)."""

    def __init__(self, d):
        self.order = np.argsort(d, axis=1, kind="stable")
        self.ds = np.take_along_axis(d, self.order, axis=1)
        n, m = d.shape
        nxt = np.concatenate([self.ds[:, 1:], np.full((n, 1), np.inf)], axis=1)
        self.ends = (nxt > self.ds) & np.isfinite(self.ds)
        with np.errstate(invalid="ignore"):  # inf - inf past the allowed sites
            self.gap = np.where(np.isfinite(nxt), nxt - self.ds, 0.0)  # D^{k+1} - D^k at ends, 0 inside
        # the last finite position of each row: covering all of them is required
        self.last = np.isfinite(self.ds).sum(axis=1) - 1

    def full_cost(self, y, w):
        """Per-client cost of the full LP at ``y`` (a fractional or integer opening)."""
        cum = np.cumsum(y[self.order], axis=1)
        z = np.maximum(0.0, 1.0 - cum)
        return self.ds[:, 0] + (self.gap * z).sum(axis=1), z


def _build(rows, w, p, keep, hard, y_lb, y_ub, integer):
    """The coarse model for breakpoints ``keep`` (bool n×m, subset of ``rows.ends``). ``hard[i]``:
    position whose radius client i must be within (its z is dropped: the chained row gets rhs 0).
    Columns: y (m), then one z per kept breakpoint (row-major). Returns the highspy LP and the
    per-z (client, position) arrays."""
    import highspy

    n, m = rows.ds.shape
    keep = keep & (np.arange(m)[None, :] < hard[:, None])
    keep[np.arange(n), hard] = True
    ci, ct = np.nonzero(keep)  # row-major: by client, then position
    nz = len(ci)
    first = np.r_[True, ci[1:] != ci[:-1]]
    # coefficient: lower value of this breakpoint minus that of the previous one of the client
    low = np.where(np.isfinite(rows.ds[ci, np.minimum(ct + 1, m - 1)]),
                   rows.ds[ci, np.minimum(ct + 1, m - 1)], rows.ds[ci, ct])
    prev_low = np.where(first, rows.ds[ci, 0], np.r_[0.0, low[:-1]])
    coef = w[ci] * (low - prev_low)
    is_hard = ct == hard[ci]
    # every (client, position) up to the client's hard position belongs to exactly one ring
    pos = np.arange(m)[None, :]
    member = pos <= hard[:, None]
    mi, mt = np.nonzero(member)
    row_of = np.full((n, m), -1, np.int64)
    row_of[ci, ct] = np.arange(nz)
    # the ring a position falls in: the first kept breakpoint at or after it
    nxt_idx = np.where(keep, np.arange(m)[None, :], m)
    nxt_idx = np.minimum.accumulate(nxt_idx[:, ::-1], axis=1)[:, ::-1]
    ring = row_of[mi, nxt_idx[mi, mt]]
    site = rows.order[mi, mt]
    alive = y_ub[site] > 0  # sites fixed closed leave the rows
    # the row of a hard breakpoint at the last position is implied by sum y = p when the client
    # may use every site (p >= 1 >= z): it is left out, which keeps the rows sparse
    implied = (hard == m - 1) & np.isfinite(rows.ds[:, -1])
    alive &= ~(implied[mi] & is_hard[ring])
    ring, site = ring[alive], site[alive]
    # rows: z_l - z_{l-1} + sum_ring y >= [first]; hard breakpoints have no z (it is 0)
    zcol = m + np.cumsum(~is_hard) - 1  # column of each breakpoint's z (valid where not hard)
    r_idx = [ring, np.arange(nz)[~is_hard]]
    c_idx = [site, zcol[~is_hard]]
    vals = [np.ones(len(ring)), np.ones(int((~is_hard).sum()))]
    nf = ~first
    prev_nh = nf & ~is_hard[np.maximum(np.arange(nz) - 1, 0)]
    r_idx.append(np.arange(nz)[prev_nh])
    c_idx.append(zcol[np.maximum(np.arange(nz) - 1, 0)][prev_nh])
    vals.append(-np.ones(int(prev_nh.sum())))
    A = sp.csr_matrix((np.concatenate(vals), (np.concatenate(r_idx), np.concatenate(c_idx))),
                      shape=(nz, m + int((~is_hard).sum())))
    nzc = int((~is_hard).sum())
    # the cardinality row
    A = sp.vstack([A, sp.csr_matrix((np.ones(m), (np.zeros(m, np.int64), np.arange(m))), shape=(1, A.shape[1]))],
                  format="csr")
    A.sum_duplicates()
    lp = highspy.HighsLp()
    lp.num_col_ = A.shape[1]
    lp.num_row_ = A.shape[0]
    lp.col_cost_ = np.concatenate([np.zeros(m), coef[~is_hard]])
    lp.col_lower_ = np.concatenate([y_lb, np.zeros(nzc)])
    lp.col_upper_ = np.concatenate([y_ub, np.full(nzc, np.inf)])
    lower = np.where(is_hard & implied[ci], -np.inf, first.astype(float))
    lp.row_lower_ = np.concatenate([lower, [p]])
    lp.row_upper_ = np.concatenate([np.full(nz, np.inf), [p]])
    lp.offset_ = float(w @ rows.ds[:, 0])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * m + [highspy.HighsVarType.kContinuous] * nzc
    return lp, ci[~is_hard], ct[~is_hard]


MIP_OPTIONS: dict = {"mip_heuristic_effort": 0.0}  # the cut-off comes from the interchange heuristic
PROBE_SHARE = 0.3  # at most this share of the time limit (or PROBE_S without one) goes to probing
PROBE_S = 20.0
COARSE_MIP = True
FIX_ROUNDS = 4


def _probe(h, y, rc, y_lb, y_ub, cut, p, start, time_limit, info):
    """Probing on the converged coarse LP (a relaxation): a site whose opening (closing) forces the
    LP bound above the cut-off is fixed closed (open). Updates ``y_lb`` / ``y_ub`` in place."""
    import highspy

    budget = PROBE_S if time_limit is None else PROBE_SHARE * time_limit
    free = np.nonzero(y_ub > y_lb)[0]
    if len(free) == 0 or len(free) > 40 * p:
        return
    m = len(y)
    # closed sites with the largest reduced cost first (the nearest to being fixed by it), then
    # the fractional ones, least open first; then closing the nearly open ones
    order = np.lexsort((-rc[free], y[free]))
    cand = [(j, 1.0) for j in free[order] if y[j] < 1 - 1e-6]
    cand += [(j, 0.0) for j in free[np.argsort(-y[free])] if y[j] > 1e-6]
    h.setOptionValue("presolve", "off")  # warm-started dual simplex from the optimal basis
    h.changeColsBounds(m, np.arange(m, dtype=np.int32), y_lb, y_ub)
    n_probe = 0
    for j, value in cand:
        if time.perf_counter() - start > budget:
            break
        if y_ub[j] == y_lb[j]:
            continue
        n_probe += 1
        h.changeColBounds(int(j), value, value)
        h.run()
        st = h.getModelStatus()
        bound = h.getInfo().objective_function_value if st == highspy.HighsModelStatus.kOptimal else None
        if st == highspy.HighsModelStatus.kInfeasible or (bound is not None and bound > cut):
            y_lb[j] = y_ub[j] = 1.0 - value
        h.changeColBounds(int(j), float(y_lb[j]), float(y_ub[j]))
    info.update(probed=n_probe, probe_closed=int((y_ub == 0).sum()), probe_open=int((y_lb == 1).sum()),
                probe_s=time.perf_counter() - start)


def _highs(time_limit):
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if time_limit is not None:
        h.setOptionValue("time_limit", max(float(time_limit), 0.01))
    return h


def solve_p_median_exact(cost_matrix, p, weights=None, time_limit=None, *, medians=None):
    """Uncapacitated p-median, proven: ``(value, medians, proven, bound)`` (a ``PMedianResult``).

    ``cost_matrix``: clients × candidate sites (``inf`` = not allowed; every client needs a finite
    entry and must be served, whatever its weight); ``weights``: client weights (default 1);
    exactly ``p`` sites are opened (opening more never costs more, so this is also "at most p").
    ``time_limit`` in seconds for the whole call; if it runs out, the best solution found is
    returned with ``proven=False`` and a lower bound, or ``value`` ``inf`` if none was found. If no
    ``p`` sites can reach every client, ``value`` and ``bound`` are ``inf``, ``proven`` is true and
    ``info["infeasible"]`` is set. ``medians``: an optional starting solution. Method and
    formulation: the module docstring.
    """
    d = np.asarray(cost_matrix, float)
    n, m = d.shape
    w = np.ones(n) if weights is None else np.asarray(weights, float)
    if not 1 <= p <= m:
        raise ValueError(f"p must be between 1 and the number of sites ({m}), got {p}")
    if (~np.isfinite(d)).all(axis=1).any():
        raise ValueError("every client needs at least one allowed site")
    # The heuristics work on weighted costs with a penalty for a client left without an allowed
    # site: more than any solution that serves everyone costs, whatever the client's weight.
    allowed = np.isfinite(d)
    finite = np.where(allowed, d, 0.0)
    penalty = float(finite.max(axis=1) @ w) + 1.0
    wd = np.where(allowed, w[:, None] * finite, penalty)
    r = _solve_exact(d, wd, p, w, time_limit, medians)
    if r.value < penalty:
        return r
    if r.proven:  # nothing better than a solution that leaves a client unserved: there is no solution
        r.info["infeasible"] = True
        return PMedianResult(np.inf, r.medians, True, np.inf, r.info)
    return PMedianResult(np.inf, r.medians, False, r.bound, r.info)


def _solve_exact(d, wd, p, w, time_limit, medians):
    """The method of the module docstring; ``wd``: the weighted costs with the penalty (see the caller)."""
    import highspy

    start = time.perf_counter()
    info = {}

    def left():
        return None if time_limit is None else time_limit - (time.perf_counter() - start)

    n, m = d.shape
    integer = bool(np.all(w == np.round(w)) and np.all(d[np.isfinite(d)] == np.round(d[np.isfinite(d)])))

    # 1. upper bound
    ub, med = greedy_interchange(wd, p, start=medians)
    info["heuristic_s"] = time.perf_counter() - start
    if p == m:
        return PMedianResult(ub, med, True, ub, info)
    unit = 1.0 if integer else 0.0

    def cutoff():
        return ub - unit + 1e-6 * max(1.0, abs(ub))

    rows = _Rows(d)
    # 2. LP by radius generation: start from the radii below each client's heuristic cost
    cost_h = d[:, med].min(axis=1)  # inf for a client the heuristic leaves unserved: every radius
    keep = rows.ends & (rows.ds < cost_h[:, None])
    keep[np.arange(n), rows.last] = False
    hard = rows.last.copy()
    y_lb, y_ub = np.zeros(m), np.ones(m)
    lb = -np.inf
    for it in range(100):
        lp, zi, zt = _build(rows, w, p, keep, hard, y_lb, y_ub, integer=False)
        h = _highs(left())
        h.passModel(lp)
        h.run()
        if h.getModelStatus() == highspy.HighsModelStatus.kInfeasible:  # p sites cannot reach every client
            info["infeasible"] = True
            return PMedianResult(np.inf, med, True, np.inf, info)
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return PMedianResult(ub, med, False, lb, info)
        sol = h.getSolution()
        y = np.asarray(sol.col_value[:m])
        coarse = h.getInfo().objective_function_value
        full_i, z = rows.full_cost(y, w)
        full = float(w @ full_i)
        lb = max(lb, coarse)
        if full - coarse <= 1e-7 * max(1.0, abs(full)):
            break
        add = rows.ends & (z > 1e-9) & ~keep
        add[np.arange(n), rows.last] = False
        if not add.any():
            break
        keep |= add
    info.update(lp_iterations=it + 1, lp_bound=lb, lp_rows=lp.num_row_, lp_s=time.perf_counter() - start)
    # a second heuristic start from the LP's largest openings
    ub2, med2 = greedy_interchange(wd, p, start=np.argsort(-y, kind="stable")[:p])
    if ub2 < ub - 1e-9:
        ub, med = ub2, med2
    info["upper_initial"] = ub
    if lb >= cutoff():
        return PMedianResult(ub, med, True, ub, info)

    # 3. reduced-cost fixing and probing, in rounds: the LP is rebuilt with what was fixed (only
    # solutions no better than the cut-off are removed, so its value stays a valid bound there)
    keep_lp = keep
    hard = rows.last.copy()
    y_lb, y_ub = np.zeros(m), np.ones(m)
    nxt = np.concatenate([rows.ds[:, 1:], np.full((n, 1), np.inf)], axis=1)
    lb_r = lb
    for rnd in range(1, FIX_ROUNDS + 1):
        before = (int(y_ub.sum()), int(y_lb.sum()), int(hard.sum()))
        dual = np.asarray(sol.col_dual)
        gap = cutoff() - lb_r
        # only a free column's reduced cost bounds the cost of moving it (a column the LP had fixed
        # may carry any reduced cost: using it once closed a site fixed open, and cut off the optimum)
        rc_y = np.where(y_lb < y_ub, dual[:m], 0.0)
        y_ub = np.minimum(y_ub, np.where(rc_y > gap, 0.0, 1.0))
        y_lb = np.maximum(y_lb, np.where(-rc_y > gap, 1.0, 0.0))
        # cumulative reduced cost of the kept z of each client, position by position
        acc = np.zeros((n, m))
        acc[zi, zt] = np.maximum(np.asarray(dual[m:]), 0.0)
        acc = np.cumsum(acc, axis=1)
        last_kept = np.full(n, -1)
        np.maximum.at(last_kept, zi, zt)
        low_last = np.where(last_kept >= 0, rows.ds[np.arange(n), np.minimum(last_kept + 1, m - 1)],
                            rows.ds[:, 0])
        # lower bound of a solution in which client i is farther than ds[i, t] (t a radius position)
        with np.errstate(invalid="ignore"):  # weight 0 times inf: nan, never excluded
            beyond = acc + w[:, None] * np.maximum(nxt - low_last[:, None], 0.0)
        excluded = rows.ends & (beyond > gap)
        excluded[np.arange(n), rows.last] = True
        hard = np.minimum(hard, np.argmax(excluded, axis=1))
        info.update(fix_rounds=rnd, fixed_closed=int((y_ub == 0).sum()), fixed_open=int((y_lb == 1).sum()))
        if (y_lb > y_ub).any():  # a site both closed and open in every better solution: there is none
            return PMedianResult(ub, med, True, ub, info)
        _probe(h, y, rc_y, y_lb, y_ub, cutoff(), p, start, time_limit, info)
        if (int(y_ub.sum()), int(y_lb.sum()), int(hard.sum())) == before or rnd == FIX_ROUNDS:
            break
        lp, zi, zt = _build(rows, w, p, keep_lp, hard, y_lb, y_ub, integer=False)
        h = _highs(left())
        h.passModel(lp)
        h.run()
        st = h.getModelStatus()
        if st == highspy.HighsModelStatus.kInfeasible:
            return PMedianResult(ub, med, True, ub, info)
        if st != highspy.HighsModelStatus.kOptimal:
            break
        sol = h.getSolution()
        y = np.asarray(sol.col_value[:m])
        lb_r = h.getInfo().objective_function_value
        info["round_bound"] = lb_r
        if lb_r >= cutoff():
            return PMedianResult(ub, med, True, ub, info)
    keep = rows.ends & (np.arange(m)[None, :] < hard[:, None])

    # 4. the reduced MIP. Coarse first (the radii the LP needed, a relaxation): a solution whose true
    # cost equals the MIP value is optimal; else the radii below its clients' costs are added.
    t_mip = time.perf_counter()
    full_keep = keep
    keep = (keep_lp & full_keep) if COARSE_MIP else full_keep
    ms = highspy.HighsModelStatus
    for rounds in range(1, 50):
        lp, zi, zt = _build(rows, w, p, keep, hard, y_lb, y_ub, integer=True)
        info.update(mip_rounds=rounds, mip_rows=lp.num_row_, mip_cols=lp.num_col_,
                    mip_nonzeros=len(lp.a_matrix_.index_))
        h = _highs(left())
        h.setOptionValue("objective_bound", cutoff())
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", 1 - 1e-6 if integer else 1e-9)
        for k, v in MIP_OPTIONS.items():
            h.setOptionValue(k, v)
        h.passModel(lp)
        h.run()
        st = h.getModelStatus()
        info["mip_s"] = time.perf_counter() - t_mip
        if st == ms.kInfeasible:  # nothing better than the cut-off
            return PMedianResult(ub, med, True, ub, info)
        if h.getInfo().primal_solution_status != 2:
            break
        yv = np.asarray(h.getSolution().col_value[:m])
        cand = np.sort(np.argsort(-yv, kind="stable")[:p])
        dist = d[:, cand].min(axis=1)
        val = float(wd[:, cand].min(axis=1).sum())
        if val < ub - 1e-9:
            ub, med = val, cand
        if st != ms.kOptimal:
            break
        if val <= h.getInfo().objective_function_value + 1e-6 * max(1.0, abs(val)):
            return PMedianResult(ub, med, True, ub, info)  # the relaxation's optimum is exact
        add = full_keep & (rows.ds < dist[:, None]) & ~keep
        if not add.any():  # cannot happen: the full-resolution model is exact
            break
        keep = keep | add
    mip_bound = h.getInfo().mip_dual_bound
    bound = max(lb, min(mip_bound, ub)) if np.isfinite(mip_bound) and st != ms.kOptimal else lb
    if integer:
        bound = float(np.ceil(bound - 1e-6))
    return PMedianResult(ub, med, bound >= ub, min(bound, ub), info)

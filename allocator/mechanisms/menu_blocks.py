r"""The menu's integer programme split into independent blocks, each proven by CP-SAT.

The programme of :mod:`.menu` is a list of rows over integer variables. Two variables are in
the same *block* when a chain of rows joins them (the connected components of the
variable-row graph; in practice a block is a group of specialties that no support programme
joins to another, since graduates only take posts of their own specialty). Every level's
objective is a sum over the blocks, and no row spans two blocks, so

.. math::

    \operatorname{lexmin}_x \Big(\sum_B f^1_B(x_B), \sum_B f^2_B(x_B), \dots\Big)
    = \big(\operatorname{lexmin}_{x_B} (f^1_B, f^2_B, \dots)\big)_B :

the sum of the blocks' maxima is the largest total, and it is reached only when every block is at
its own maximum, so holding each block at its own optimum level by level keeps exactly the
whole programme's lexicographic optima. :class:`BlockEngine` is this as an
:class:`allocator.driver.Engine`: a level is solved block after block, its value is the sum of
the blocks' values (each an exact integer) and its bound the sum of their bounds; it is proven
when every block is. Blocks under :data:`MERGE_BELOW` variables are solved together as one.

Each block is a CP-SAT model (OR-Tools) with seed 0 and ``workers`` search workers (the
scenario's ``threads``; one worker makes runs repeatable): the coefficients of every row and level
are integers, so CP-SAT's ``OPTIMAL`` is a proof, with no tolerance. A level's time left is
shared among the blocks in proportion to their variables; a block out of time keeps its part of
the incumbent (status feasible, no bound). Measured on Penza's menu (``benchmarks/bench_menu.py``,
this 2-core machine): the whole programme in one HiGHS model took 37 s; in blocks, HiGHS 16.5 s
and CP-SAT about 3 s.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ..driver import LevelResult
from ..status import Status

MERGE_BELOW = 50
"""Blocks with fewer variables than this are solved as one model (each CP-SAT call costs a few ms)."""


def blocks(n_vars: int, rows) -> list[np.ndarray]:
    """The variables of each block, ``rows`` as ``(lo, hi, cols, vals)``; small ones merged."""
    r = np.repeat(np.arange(len(rows)), [len(cols) for _, _, cols, _ in rows])
    c = np.fromiter((j for _, _, cols, _ in rows for j in cols), dtype=np.int64, count=len(r))
    incidence = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(len(rows), n_vars))
    _, label = connected_components(incidence.T @ incidence, directed=False)
    groups = [np.flatnonzero(label == b) for b in range(label.max() + 1)] if n_vars else []
    big = [g for g in groups if len(g) >= MERGE_BELOW]
    small = [g for g in groups if len(g) < MERGE_BELOW]
    if small:
        big.append(np.sort(np.concatenate(small)))
    return big


class _Block:
    """One block as a CP-SAT model; variables renumbered 0..len(index)-1."""

    def __init__(self, index: np.ndarray, lower, upper, rows):
        from ortools.sat.python import cp_model

        self.cp = cp_model
        self.index = index
        self.model = cp_model.CpModel()
        self.vars = [self.model.new_int_var(int(lower[j]), int(upper[j]), f"v{j}") for j in index]
        self.local = {int(j): i for i, j in enumerate(index)}
        for lo, hi, cols, vals in rows:
            self._add(cols, vals, lo, hi)

    def _expr(self, cols, vals):
        return self.cp.LinearExpr.weighted_sum([self.vars[self.local[j]] for j in cols],
                                               [int(round(v)) for v in vals])

    def _add(self, cols, vals, lo, hi) -> None:
        expr = self._expr(cols, vals)
        if lo == hi:
            self.model.add(expr == int(round(lo)))
            return
        if np.isfinite(hi):
            self.model.add(expr <= int(np.floor(hi + 1e-9)))
        if np.isfinite(lo):
            self.model.add(expr >= int(np.ceil(lo - 1e-9)))

    def hint(self, x: np.ndarray) -> None:
        """Start the next solve from ``x`` (the whole programme's vector)."""
        self.model.clear_hints()
        for var, j in zip(self.vars, self.index):
            self.model.add_hint(var, int(round(x[j])))

    def solve(self, coef: np.ndarray, time_limit: float | None, workers: int = 1):
        """Minimise ``coef`` (whole vector, integers) over the block with ``workers`` CP-SAT workers:
        (status, local x, value, bound)."""
        cp = self.cp
        c = coef[self.index]
        nz = np.flatnonzero(c)
        self.model.minimize(self.cp.LinearExpr.weighted_sum([self.vars[i] for i in nz],
                                                            [int(round(v)) for v in c[nz]]))
        solver = cp.CpSolver()
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = 0
        if time_limit is not None:
            solver.parameters.max_time_in_seconds = max(0.01, float(time_limit))
        status = solver.solve(self.model)
        if status in (cp.OPTIMAL, cp.FEASIBLE):
            x = np.array([solver.value(v) for v in self.vars], dtype=float)
            kind = Status.OPTIMAL if status == cp.OPTIMAL else Status.FEASIBLE
            return kind, x, int(round(float(c @ x))), float(solver.best_objective_bound)
        if status == cp.INFEASIBLE:
            return Status.INFEASIBLE, None, None, None
        if status == cp.MODEL_INVALID:  # pragma: no cover - a bug, not an input problem
            raise RuntimeError("CP-SAT rejected the menu programme: " + self.model.validate())
        return Status.TIME_LIMIT, None, None, None

    def hold(self, coef: np.ndarray, value: int) -> None:
        """Keep the block's level at ``value`` or better."""
        c = coef[self.index]
        nz = np.flatnonzero(c)
        self._add(self.index[nz], c[nz], -np.inf, float(value))


class BlockEngine:
    """The programme ``lower <= x <= upper``, ``rows``, integer objectives ``objective(level)``
    (coefficients, divisor) as a driver Engine over its blocks (the module docstring)."""

    def __init__(self, lower, upper, rows, objective, start: np.ndarray | None = None, workers: int = 1):
        self.n = len(lower)
        self.objective = objective
        self.workers = workers
        self.start = None if start is None else np.asarray(start, dtype=float)
        parts = blocks(self.n, rows)
        label = np.full(self.n, -1, dtype=np.int64)
        for b, index in enumerate(parts):
            label[index] = b
        per_block: list[list] = [[] for _ in parts]
        for row in rows:
            if row[2]:
                per_block[label[row[2][0]]].append(row)
        self.blocks = [_Block(index, lower, upper, rs) for index, rs in zip(parts, per_block)]
        self.values: dict[str, list] = {}  # level -> each block's optimum (divided units; None: not in it)
        if start is not None:
            for block in self.blocks:
                block.hint(start)

    def initial(self) -> np.ndarray:
        """The start when given (a feasible point: a block out of time keeps its part), else zeros."""
        return np.zeros(self.n) if self.start is None else self.start.copy()

    def has_objective(self, level: str) -> bool:
        """False when the level's coefficients are all zero."""
        return bool(self.objective(level)[0].any())

    def solve_level(self, level: str, deadline: float | None, incumbent) -> LevelResult:
        """Each block's optimum of ``level`` with the earlier levels held, within the time left.

        The time left is shared among the blocks still to solve in proportion to their variables
        (what one leaves over passes on). A block out of time keeps its part of ``incumbent`` (a
        feasible point: the start, then each level's solution), unproven and without a bound."""
        coef, divisor = self.objective(level)
        x = np.array(incumbent, dtype=float)
        todo = [b for b in self.blocks if coef[b.index].any()]  # the others keep their solution
        status, value, bound = Status.OPTIMAL, 0, 0.0
        for i, block in enumerate(todo):
            left = None if deadline is None else deadline - time.perf_counter()
            share = None if left is None else left * len(block.index) / sum(len(b.index) for b in todo[i:])
            if share is not None and share <= 0.01:
                kind, xb, vb, bb = Status.TIME_LIMIT, None, None, None
            else:
                kind, xb, vb, bb = block.solve(coef, share, self.workers)
            if kind == Status.INFEASIBLE:
                return LevelResult(kind, method="cpsat")
            if xb is None:  # no solution in time: the incumbent's part, no bound
                if self.start is None:
                    return LevelResult(Status.TIME_LIMIT, method="cpsat")
                kind, xb, bb = Status.FEASIBLE, x[block.index], None
                vb = int(round(float(coef[block.index] @ xb)))
            x[block.index] = xb
            block.hint(x)
            value += vb
            bound = None if bound is None or bb is None else bound + bb
            if kind != Status.OPTIMAL:
                status = Status.FEASIBLE
        self.values[level] = [None if not coef[b.index].any() else int(round(float(coef[b.index] @ x[b.index])))
                              for b in self.blocks]
        return LevelResult(status, x, float(value) * divisor, None if bound is None else bound * divisor, "cpsat")

    def hold(self, level: str, result: LevelResult) -> None:
        """Keep every block at its proven optimum of ``level`` (exact: integer coefficients)."""
        coef, _ = self.objective(level)
        for block, value in zip(self.blocks, self.values[level]):
            if value is not None:
                block.hold(coef, value)

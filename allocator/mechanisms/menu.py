r"""The ``menu`` mechanism: the planner chooses how many places of each post to offer; then choice runs.

The planner offers :math:`o_v \in \{0, \dots, n_v\}` places of each post :math:`v` (a facility
and a specialty with :math:`n_v` vacancies); then everything runs as in :mod:`.choice` with
:math:`o` in place of the vacancies: graduates choose in turn order, the commission places the
obligated graduates left into the places left, and the vacancies not offered stay open (they
count in the deficit). The menu is the one whose final outcome is lexicographically best:
most obligated graduates placed, then the least weighted deficit, then the least km. It is found
by one integer programme, proven level by level through :func:`allocator.driver.run_levels`
(the loop of every engine) by CP-SAT, in the independent blocks of :mod:`.menu_blocks`. Its
choice part is forced to be the outcome of the turns by *cutoff* rows: per post, whether it
still has a place at each lister's turn (the cutoff formulation of stable matching, Ágoston,
Biró and McBride 2016, "Integer programming methods for special college admissions problems";
Delorme et al. 2019 for the serial-dictatorship case).

Sets (from :func:`.choice.build_market`)
--------------------------------------------
* graduates :math:`g` with turn position :math:`\pi(g)` (available ones only); :math:`h \prec g`:
  :math:`h` takes its turn before :math:`g`;
* listed rows :math:`\ell = (g, v, \rho)`: graduate, post, rank, kept when the post is allowed for
  :math:`g` at all (own specialty; sponsor region of a targeted graduate; for a paid graduate at a
  rural post, at least one matching programme); :math:`K_\ell` the programmes that match the row
  in ``programmes.csv`` order (empty: the row needs none); :math:`L_v` the graduates with a row
  at :math:`v`, in turn order;
* programmes :math:`k` with exact headcounts :math:`P_k` (:meth:`allocator.programmes.Ledger.headcount`:
  its quota and every year's budget over the one payment its posts cost; a programme whose remote
  and standard posts cost differently has no headcount, and the menu refuses it, MenuError);
* commission pairs :math:`p` (:func:`allocator.pairs.allowed_pairs`, ``max_km`` applies) of the
  obligated graduates.

Variables (all integer)
-----------------------
* :math:`x_{\ell k} \in \{0, 1\}` (one per row and matching programme, or one for a row that
  needs none): :math:`g` takes the row's post in the choice step, with programme :math:`k`;
* :math:`z_p \in \{0, 1\}`: the commission places pair :math:`p`;
* :math:`t_{vg} \in \{0, 1\}` for :math:`g \in L_v`: post :math:`v` has a place at :math:`g`'s
  turn; :math:`t_{v\infty}`: it has one after the last turn;
* :math:`e_{gk} \in \{0, 1\}`: programme :math:`k` has no place left at :math:`g`'s turn (only for
  limited programmes some row of :math:`g` needs); :math:`b_\ell \in \{0, 1\}`: every programme of
  row :math:`\ell` is exhausted at :math:`g`'s turn.

Rows. :math:`X_{gv}` = the :math:`x` of :math:`g`'s rows at :math:`v`; :math:`Y_{hk}` = the
:math:`x` of :math:`h` with programme :math:`k`; :math:`T_{g\ell}` = the :math:`x` of :math:`g`'s
rows of rank :math:`\le \rho(\ell)` (it got the row's post or a better one).

.. math::

    \sum_{\ell \ni g, k} x_{\ell k} + \sum_{p \ni g} z_p \le 1 \qquad
    \sum_{g} X_{gv} + \sum_{p \ni v} z_p \le n_v \qquad
    \sum_{h} Y_{hk} + \sum_{p \ni k} z_p \le P_k

    t_{vg'} \le t_{vg}\ (g \prec g' \text{ consecutive in } L_v, \text{ then } t_{v\infty}) \qquad
    X_{gv} \le t_{vg} \qquad z_p \le t_{v\infty}\ (p \ni v)

    T_{g\ell} + b_\ell \ \ge\ t_{vg} \quad \text{for every row } \ell = (g, v, \rho)
    \qquad\text{(stability)}

    P_k\, e_{gk} \le \sum_{h \prec g} Y_{hk} \qquad b_\ell \le e_{gk}\ (k \in K_\ell) \qquad
    x_{\ell k} \le e_{gk'}\ (k' \text{ before } k \text{ in } K_\ell)

Stability says: if the post still has a place at :math:`g`'s turn (and, :math:`b_\ell`, some
matching programme has one), :math:`g` got this post or a better one. A post is taken only while
open, once closed it stays closed, and the commission places only at posts open after the last
turn. The menu of a solution is :math:`o_v = n_v` for a post open after the last turn and
:math:`o_v = \sum_g X_{gv}` (exactly its choosers) for a post that closes; a post no chooser lists
is offered whole. Why these rows admit exactly the outcomes of menus: given a solution and that
:math:`o`, by induction over the turns, :math:`g` finds its :math:`x`-post available (it is open at
:math:`g`'s turn, and fewer than :math:`o_v` of its choosers came before), and every post it
ranks higher full (closed at its turn, so all its choosers came before :math:`g` and the
commission has none there; or it was open, and then stability gave :math:`g` it or better).
Conversely the outcome of any menu, with :math:`t` = "a place left", is a solution. The
commission's :math:`z` are then any placement of the obligated graduates left into the places
left; the levels make it the commission's own optimum. The last programme rows make a graduate
take the first matching programme with a place left, as :mod:`.choice` does. ``b`` is fixed at 0
for a row with an unlimited programme, ``e`` for unlimited programmes never exists.

The prefix sums :math:`\sum_{h \prec g} Y_{hk}` are kept linear in size by running totals per
programme over the graduates who need it, in turn order.

Why cutoffs: an earlier form with the offered places :math:`o_v` as variables and the big-M row
:math:`\sum_{h \prec g} X_{hv} + n_v (T_{g\ell} + b_\ell) \ge o_v` proved Penza's menu in 37 to
53 s with HiGHS; the cutoff rows, split into blocks and solved by CP-SAT, in about 4 s
(``benchmarks/bench_menu.py``).

Levels (integers, as in :mod:`allocator.model`): ``obligated`` (max obligated placed by choice or
commission), ``deficit`` (min :math:`\sum_{rs} w_r (N_{rs} - \text{filled}_{rs})` over all
vacancies, offered or not; with diminishing returns the convex form of :mod:`allocator.model`),
``km`` (min total whole metres, the choosers' own km included). Weights are integer steps
(:func:`allocator.scaling.weight_units`) so each level is held exactly.

The solver starts from the outcome of offering every vacancy (the ``choice`` mechanism's); a menu left
unproven by the time limit is never worse than that outcome (it is returned instead, with the
proof's bound and gap). The offered menu is then run by :func:`.choice.solve_choice` (the mechanism itself, not the
programme's :math:`x, z`), and the outcome's levels must equal the programme's optimum: that is
the independent check of every menu (a mismatch is a bug and stops the run; the deficit is
compared in the programme's integer steps).

Couples (mutual ``partner_id``, both available; :mod:`.choice`'s rule): a couple chooses at its
leader's turn (the better placed in turn order) from pairs of posts in one region, walking the
leader's list and, for each post, the partner's. Variables :math:`y_\kappa \in \{0, 1\}` for
each pair :math:`\kappa = (p, q)` of the leader's row at :math:`p` and the partner's at :math:`q`
with :math:`\text{region}(p) = \text{region}(q)`, in the couple's walking order (leader's rank,
then partner's). The couple is one lister of :math:`L_p` and :math:`L_q` at the leader's position;
:math:`y_\kappa` takes a place at :math:`p` and one at :math:`q` (two at :math:`p = q`) and
counts in each member's one-post row. With :math:`T_\kappa` the :math:`y` of the pairs up to
:math:`\kappa`:

.. math::

    T_\kappa \ \ge\ t_{pc} + t_{qc} - 1 \quad (p \ne q) \qquad
    T_\kappa \ \ge\ u_{pc},\ \ y_\kappa \le u_{pc} \quad (p = q)

where :math:`u_{pc}` is "two places at :math:`p` at the couple's turn". At a post some couple may
take twice the offered places are a variable :math:`o_v \in [0, n_v]` (offering fewer places
there can turn a couple away, so the cutoff argument above does not fix them): with
:math:`r_{vg} = o_v - \text{(takes before } g)`, rows make :math:`t_{vg} = [r_{vg} \ge 1]`,
:math:`u_{vc} = [r_{vc} \ge 2]`, and every take, the commission's too, fits in :math:`o_v`. At
every other post a couple needs one place as a single chooser does, and the cutoff rows hold
unchanged. The commission places a couple that took nothing when both are obligated, in one
region (per region, first's :math:`z` minus second's = 0); a couple with a paid member never goes
to it. A couple whose row needs a place of a limited support programme is not modelled: the round
is refused (``MenuError``, code ``couples_programmes``).
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pandas as pd

from ..driver import run_levels
from ..pairs import OBLIGATED, allowed_pairs
from ..scaling import KM_SCALE, weight_max, weight_units, weight_value
from ..status import Progress, Status
from .choice import build_market, chosen_km, solve_choice
from .menu_blocks import BlockEngine

MECHANISM = "menu"
LEVELS = ("obligated", "deficit", "km")
INF = float("inf")


class MenuError(ValueError):
    """A round the menu cannot be built for; the message says why and ``code`` names the case:
    ``couples_programmes`` (a couple's post needs a place of a limited support programme) or
    ``tiered_programme`` (a programme paying different amounts at remote and standard posts)."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


class MenuModel:
    """The integer programme of the module docstring: its variables, rows and levels (:meth:`engine`
    solves it)."""

    def __init__(self, round_):
        market, grads, posts, prefs = build_market(round_)
        if (market.programme_places < 0).any():
            names = round_.programmes["programme_id"].to_numpy()[market.programme_places < 0]
            raise MenuError("the menu mechanism counts a programme's places as a headcount; "
                            f"{', '.join(map(str, names))} pays different amounts at remote and standard posts: "
                            "use choice or assign", "tiered_programme")
        self.market, self.grads, self.posts, self.prefs = market, grads, posts, prefs
        self.round = round_
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.rows: list[tuple[float, float, list[int], list[float]]] = []
        self.cost = {name: {} for name in LEVELS}
        # how each helper variable follows from o, x, z (for a starting solution): in creation order
        self.sums: list[tuple[int, list[int], list[float]]] = []  # running total = sum vals * cols
        self.exhausted_defs: list[tuple[int, list[int], list[float], float]] = []  # e = [sum >= places]
        self.all_of: list[tuple[int, list[int]]] = []  # b = min(e's)
        self.filled: list[tuple[list[int], list[int]]] = []  # y_j = [j < sum cols]
        self._build()

    # ------------------------------------------------------------------ building
    def _var(self, lo: float, hi: float) -> int:
        """A new integer variable in [lo, hi]; its column."""
        j = len(self.lower)
        self.lower.append(lo)
        self.upper.append(hi)
        return j

    def _row(self, lo: float, hi: float, cols, vals) -> None:
        cols, vals = list(cols), list(vals)
        if len(set(cols)) < len(cols):  # a column twice (a couple's two places at one post): one coefficient
            merged: dict[int, float] = {}
            for c, v in zip(cols, vals):
                merged[c] = merged.get(c, 0.0) + v
            cols, vals = list(merged), list(merged.values())
        self.rows.append((lo, hi, cols, vals))

    def _build(self) -> None:
        m, posts, grads = self.market, self.posts, self.grads
        n_posts = len(posts)
        position = np.full(len(grads), -1, dtype=np.int64)
        position[m.order] = np.arange(len(m.order))
        self.position = position
        limited = m.programme_places <= len(grads)  # a programme with fewer places than graduates
        obligated = grads["funding"].isin(OBLIGATED).to_numpy()

        # couples: the leader (earlier turn) and the partner, who has no turn of their own
        self.couples: list[tuple[int, int]] = []
        in_couple = np.zeros(len(grads), dtype=bool)
        for g in m.order.tolist():
            mate = int(m.partner[g])
            if mate >= 0 and not in_couple[g]:
                self.couples.append((g, mate))
                in_couple[g] = in_couple[mate] = True
        self.in_couple = in_couple
        self.leaders = {a for a, _ in self.couples}
        self.g_of_row = np.repeat(np.arange(len(m.start)), m.stop - m.start)  # listed row -> graduate

        # x: rows allowed at all, one variable per matching programme (or one without)
        self.x: list[tuple[int, int, int]] = []  # (variable, row, programme or -1)
        by_grad: dict[int, list[tuple[int, int, int]]] = {}
        for g in m.order.tolist():
            if in_couple[g]:
                continue
            for row in range(m.start[g], m.stop[g]):
                v = int(m.row_post[row])
                if m.sponsor[g] >= 0 and m.post_region[v] != m.sponsor[g]:
                    continue
                need = m.row_progs[row]
                for k in ([-1] if need is None else list(need)):
                    j = self._var(0, 1)
                    self.x.append((j, row, k))
                    by_grad.setdefault(g, []).append((j, row, k))
        self.by_grad = by_grad
        self._composites(limited)

        # commission pairs of the obligated available graduates
        table = allowed_pairs(self.round).table
        available = set(grads.loc[grads["status"] == "available", "graduate_id"])
        ob_ids = set(grads.loc[obligated, "graduate_id"]) & available
        ids = grads["graduate_id"].to_numpy()
        for a, b in self.couples:  # a couple with a paid member never goes to the commission
            if not (obligated[a] and obligated[b]):
                ob_ids -= {ids[a], ids[b]}
        table = table[table["graduate_id"].isin(ob_ids)].reset_index(drop=True)
        post_of = pd.MultiIndex.from_frame(posts[["facility_id", "specialty"]])
        table = table.assign(post=post_of.get_indexer(pd.MultiIndex.from_frame(table[["facility_id", "specialty"]])))
        table = table[table["post"] >= 0].reset_index(drop=True)
        g_index = pd.Index(grads["graduate_id"])
        table = table.assign(g=g_index.get_indexer(table["graduate_id"]))
        prog_index = pd.Index(self.round.programmes["programme_id"])
        table = table.assign(k=prog_index.get_indexer(table["programme_id"].where(table["programme_id"].notna(), "")))
        self.pairs = table
        self.z = [self._var(0, 1) for _ in range(len(table))]

        # one post per graduate
        z_of_g = table["g"].to_numpy()
        couple_ys: dict[int, list[int]] = {}
        for j, a, b, *_ in self.y:
            couple_ys.setdefault(a, []).append(j)
            couple_ys.setdefault(b, []).append(j)
        for g in range(len(grads)):
            cols = [j for j, _, _ in by_grad.get(g, [])] + couple_ys.get(g, [])
            cols += [self.z[i] for i in np.flatnonzero(z_of_g == g)]
            if len(cols) > 1:
                self._row(-INF, 1, cols, [1.0] * len(cols))
        # the commission keeps a couple in one region: per region, first's pairs - second's = 0
        region_of_z = posts["region_id"].to_numpy()[table["post"].to_numpy()] if len(table) else np.array([])
        for a, b in self.couples:
            mine = {g: np.flatnonzero(z_of_g == g) for g in (a, b)}
            for region in sorted(set(region_of_z[mine[a]]) | set(region_of_z[mine[b]]), key=str):
                ca = [self.z[i] for i in mine[a] if region_of_z[i] == region]
                cb = [self.z[i] for i in mine[b] if region_of_z[i] == region]
                self._row(0, 0, ca + cb, [1.0] * len(ca) + [-1.0] * len(cb))

        # the takes of each chooser (a single graduate, or a couple under its leader) at each post
        self.takes: dict[int, dict[int, list[tuple[int, float]]]] = {}
        for j, row, _ in self.x:
            g = int(self.g_of_row[row])
            self.takes.setdefault(g, {}).setdefault(int(m.row_post[row]), []).append((j, 1.0))
        for j, a, _, ra, _, rb, _ in self.y:
            for row in (ra, rb):
                self.takes.setdefault(a, {}).setdefault(int(m.row_post[row]), []).append((j, 1.0))

        # capacity of posts and programmes
        post_cols: dict[int, list[tuple[int, float]]] = {}
        prog_cols: dict[int, list[int]] = {}
        for by_post in self.takes.values():
            for v, items in by_post.items():
                post_cols.setdefault(v, []).extend(items)
        for j, row, k in self.x:
            if k >= 0:
                prog_cols.setdefault(k, []).append(j)
        for i, (v, k) in enumerate(zip(table["post"].to_numpy(), table["k"].to_numpy())):
            post_cols.setdefault(int(v), []).append((self.z[i], 1.0))
            if k >= 0:
                prog_cols.setdefault(int(k), []).append(self.z[i])
        self.post_cols = post_cols
        for v in range(n_posts):
            items = post_cols.get(v, [])
            if sum(c for _, c in items) > m.places[v]:
                self._row(-INF, float(m.places[v]), [j for j, _ in items], [c for _, c in items])
        for k, cols in prog_cols.items():
            if limited[k]:
                self._row(-INF, float(m.programme_places[k]), cols, [1.0] * len(cols))

        self._stability(limited)
        self._couple_stability()
        self._objectives(obligated)

    def _stability(self, limited: np.ndarray) -> None:
        """The cutoff rows: per post, the open chain of its listers in turn order; per programme,
        the running total of earlier takers (its places are fixed, so it closes only when full)."""
        m = self.market
        listers: dict[int, list[int]] = {}
        for g, by_post in self.takes.items():
            for v in sorted(by_post):
                listers.setdefault(v, []).append(g)
        self.open: dict[tuple[int, int], int] = {}  # (v, g) -> t: v has a place at g's turn
        self.open_end: dict[int, int] = {}  # v -> t: v has a place after the last turn
        self.chains: list[tuple[int, list[int], list[int]]] = []  # (v, listers in turn order, their t's)
        self.offer: dict[int, int] = {}  # v -> o_v, for the posts a couple may take twice
        self.two: dict[tuple[int, int], int] = {}  # (v, leader) -> u: v has two places at the couple's turn
        twice = {int(m.row_post[ra]) for _, _, _, ra, _, rb, _ in self.y if m.row_post[ra] == m.row_post[rb]}
        for v, gs in listers.items():
            if m.places[v] <= 0:
                continue
            gs = sorted(gs, key=lambda g: self.position[g])
            ts = [self._var(0, 1) for _ in gs]
            end = self._var(0, 1)
            for a, b in zip(ts, ts[1:] + [end]):  # once closed, a post stays closed
                self._row(-INF, 0, [b, a], [1.0, -1.0])
            for g, t in zip(gs, ts):
                self.open[(v, g)] = t
                mine = sorted({j for j, _ in self.takes[g][v]})
                self._row(-INF, 0, mine + [t], [1.0] * len(mine) + [-1.0])  # taken only while open
            self.open_end[v] = end
            self.chains.append((v, gs, ts + [end]))
            if v in twice:
                self._offered_places(v, gs, ts + [end])
        # the commission places only where a place is left after every turn
        for (g, v), idx in self.pairs.groupby(["g", "post"]).groups.items():
            cols = [self.z[i] for i in idx]
            end = self.open_end.get(int(v))
            if end is not None:
                self._row(-INF, 0, cols + [end], [1.0] * len(cols) + [-1.0])

        users: dict[int, list[int]] = {}
        for g, items in self.by_grad.items():
            for k in sorted({k for _, _, k in items if k >= 0 and limited[k]}):
                users.setdefault(k, []).append(g)
        prog_before = self._running(users, lambda g, k: [(j, 1.0) for j, _, kk in self.by_grad[g] if kk == k])

        exhausted: dict[tuple[int, int], int] = {}
        for (k, g), (cols, vals) in prog_before.items():
            if g is None:
                continue  # the total after every turn: no turn to exhaust
            e = self._var(0, 1)
            exhausted[(g, k)] = e
            places = float(m.programme_places[k])  # P_k e <= earlier users
            self._row(-INF, 0, [e] + cols, [places] + [-v for v in vals])
            self.exhausted_defs.append((e, list(cols), list(vals), places))
        for g, items in self.by_grad.items():
            rows = sorted({row for _, row, _ in items}, key=lambda r: m.row_rank[r])
            for row in rows:
                v = int(m.row_post[row])
                t = self.open.get((v, g))
                if t is None:
                    continue
                better = [j for j, r2, _ in items if m.row_rank[r2] <= m.row_rank[row]]
                need = m.row_progs[row]
                extra = []
                if need is not None and all(limited[k] for k in need):
                    b = self._var(0, 1)
                    for k in need:
                        self._row(-INF, 0, [b, exhausted[(g, k)]], [1.0, -1.0])
                    self.all_of.append((b, [exhausted[(g, k)] for k in need]))
                    extra = [b]
                # open at g's turn (and a programme place left) -> g got this post or a better one
                self._row(0, INF, better + extra + [t], [1.0] * (len(better) + len(extra)) + [-1.0])
            for j, row, k in items:  # the first matching programme with a place left
                need = m.row_progs[row]
                if k < 0 or need is None:
                    continue
                for k2 in need[: need.index(k)]:
                    if limited[k2]:
                        self._row(-INF, 0, [j, exhausted[(g, k2)]], [1.0, -1.0])
                    else:  # an earlier unlimited programme always has a place: never k
                        self.upper[j] = 0.0

    def _composites(self, limited: np.ndarray) -> None:
        """y: a couple takes the leader's row ``ra`` and the partner's row ``rb`` (same region), in the
        order the couple walks them (leader's rank, then partner's); each row's programme is the first
        it matches, which must have no limit (:class:`MenuError` otherwise)."""
        m = self.market
        self.y: list[tuple[int, int, int, int, int, int, int]] = []  # (variable, a, b, ra, ka, rb, kb)

        def rows_of(g: int) -> list[tuple[int, int]]:
            out = []
            for row in range(m.start[g], m.stop[g]):
                if m.sponsor[g] >= 0 and m.post_region[m.row_post[row]] != m.sponsor[g]:
                    continue
                need = m.row_progs[row]
                if need is not None and not need:
                    continue  # needs a programme place and none matches: never allowed
                if need is not None and limited[need[0]]:
                    raise MenuError("the menu mechanism models a couple's posts only where they need no limited "
                                    "support programme place: use choice or assign", "couples_programmes")
                out.append((row, -1 if need is None else int(need[0])))
            return out

        for a, b in self.couples:
            mine = rows_of(b)
            for ra, ka in rows_of(a):
                p = int(m.row_post[ra])
                for rb, kb in mine:
                    q = int(m.row_post[rb])
                    if m.post_region[q] != m.post_region[p] or (p == q and m.places[p] < 2):
                        continue
                    self.y.append((self._var(0, 1), a, b, ra, ka, rb, kb))

    def _offered_places(self, v: int, gs: list[int], ts: list[int]) -> None:
        r"""At a post a couple may take twice the offered places :math:`o_v` are a variable: the places
        left at each lister's turn are :math:`r = o_v - \text{takes before}`, :math:`t = [r \ge 1]`,
        for a couple :math:`u = [r \ge 2]`, and every take (the commission's too) fits in :math:`o_v`."""
        m = self.market
        n = float(m.places[v])
        o = self._var(0, n)
        self.offer[v] = o
        items = self.post_cols.get(v, [])
        self._row(-INF, 0, [j for j, _ in items] + [o], [c for _, c in items] + [-1.0])
        before = self._running({v: gs}, lambda g, post: self.takes[g][post])
        for g, t in zip(gs + [None], ts):
            taken = before[(v, g)]
            cols, vals = [o] + taken[0], [1.0] + [-c for c in taken[1]]
            self._row(0, INF, cols + [t], vals + [-1.0])  # t = 1 -> r >= 1
            self._row(-INF, 0, cols + [t], vals + [-n])  # t = 0 -> r <= 0
            if g in self.leaders:
                u = self._var(0, 1)
                self.two[(v, g)] = u
                self._row(0, INF, cols + [u], vals + [-2.0])  # u = 1 -> r >= 2
                self._row(-INF, 1, cols + [u], vals + [1.0 - n])  # u = 0 -> r <= 1

    def _couple_stability(self) -> None:
        """A couple takes the first pair of posts it walks to that has the places: for each pair
        ``(p, q)``, if p and q each have a place at the leader's turn (p = q: two places), the couple got
        this pair or an earlier one; a pair at one post is taken only with two places there."""
        m = self.market
        by_couple: dict[int, list[tuple]] = {}
        for item in self.y:
            by_couple.setdefault(item[1], []).append(item)
        for a, items in by_couple.items():
            items = sorted(items, key=lambda it: (m.row_rank[it[3]], m.row_rank[it[5]]))
            for i, (j, _, _, ra, _, rb, _) in enumerate(items):
                better = [it[0] for it in items[: i + 1]]
                p, q = int(m.row_post[ra]), int(m.row_post[rb])
                if p == q:
                    u = self.two[(p, a)]
                    self._row(-INF, 0, [j, u], [1.0, -1.0])
                    self._row(0, INF, better + [u], [1.0] * len(better) + [-1.0])
                else:
                    tp, tq = self.open[(p, a)], self.open[(q, a)]
                    self._row(-1, INF, better + [tp, tq], [1.0] * len(better) + [-1.0, -1.0])

    def _running(self, members: dict[int, list[int]], items_of) -> dict:
        """(key, g) -> (cols, vals) of an expression equal to the takes of ``key`` by the members
        listing it whose turn comes before ``g``, and (key, None) -> by all of them; ``items_of(g, key)``
        gives g's takes as (column, places) (a running-total variable per step beyond the first)."""
        out = {}
        for key, gs in members.items():
            gs = sorted(gs, key=lambda g: self.position[g])
            total: tuple[list[int], list[float]] = ([], [])
            for g in gs:
                out[(key, g)] = total
                mine = items_of(g, key)
                cols, places = [j for j, _ in mine], [c for _, c in mine]
                if not total[0]:
                    total = (cols, places)
                    continue
                most = sum(self.upper[c] * v for c, v in zip(*total)) + sum(places)
                s = self._var(0, float(most))  # s = total + mine (an integer: a count of takes)
                self._row(0, 0, [s] + total[0] + cols, [1.0] + [-v for v in total[1]] + [-c for c in places])
                self.sums.append((s, total[0] + cols, list(total[1]) + places))
                total = ([s], [1.0])
            out[(key, None)] = total
        return out

    def _objectives(self, obligated: np.ndarray) -> None:
        m, posts, round_ = self.market, self.posts, self.round
        g_of_row = self.g_of_row
        ob = self.cost["obligated"]
        for j, row, _ in self.x:
            if obligated[g_of_row[row]]:
                ob[j] = -1.0
        for i in range(len(self.pairs)):
            ob[self.z[i]] = -1.0
        for j, a, b, *_ in self.y:
            if obligated[a] or obligated[b]:
                ob[j] = -float(int(obligated[a]) + int(obligated[b]))
        # deficit: every vacancy of a region-specialty cell, offered or not
        regions = round_.regions.set_index("region_id")
        weight = regions["weight"]
        cells = posts.groupby(["region_id", "specialty"], sort=True)["vacancies"].sum()
        cell_weight = weight.reindex(cells.index.get_level_values(0)).to_numpy(dtype=float)
        w_max = weight_max(cell_weight, cells.to_numpy(dtype=float))  # the scale of allocator.model
        self.w_max = w_max
        cell_index = pd.MultiIndex.from_frame(posts[["region_id", "specialty"]])
        cell_of_post = cells.index.get_indexer(cell_index)
        fills: dict[int, list[int]] = {}
        for j, row, _ in self.x:
            fills.setdefault(int(cell_of_post[m.row_post[row]]), []).append(j)
        for i, v in enumerate(self.pairs["post"].to_numpy()):
            fills.setdefault(int(cell_of_post[v]), []).append(self.z[i])
        for j, _, _, ra, _, rb, _ in self.y:  # a couple fills two places (maybe of one cell: j twice)
            for row in (ra, rb):
                fills.setdefault(int(cell_of_post[m.row_post[row]]), []).append(j)
        de = self.cost["deficit"]
        self.deficit_constant = 0.0
        diminishing = bool(round_.scenario.diminishing_returns)
        self.cell_steps: dict[tuple, np.ndarray] = {}  # (region, specialty) -> the steps of each place, filled first
        for c, n_cell in enumerate(cells.to_numpy()):
            cols = fills.get(c, [])
            n_cell = int(n_cell)
            w = float(cell_weight[c])
            if not diminishing:
                unit = float(weight_units([w], w_max)[0])
                self.cell_steps[cells.index[c]] = np.full(n_cell, int(unit), dtype=np.int64)
                self.deficit_constant += unit * n_cell
                for j in cols:
                    de[j] = de.get(j, 0.0) - unit
                continue
            marginal = weight_units(w * (n_cell - np.arange(n_cell)) / n_cell, w_max)
            self.cell_steps[cells.index[c]] = marginal
            ys = [self._var(0, 1) for _ in range(n_cell)]
            self._row(0, 0, ys + cols, [1.0] * n_cell + [-1.0] * len(cols))
            self.filled.append((ys, list(cols)))
            self.deficit_constant += float(marginal.sum())
            for y, unit in zip(ys, marginal):
                de[y] = -float(unit)
        km = self.cost["km"]
        homes = self.grads.set_index("graduate_id")

        def metres(rows: list[int]) -> np.ndarray:
            """Whole metres from each listed row's graduate's home to its post (the choosers' own km)."""
            gid = self.grads["graduate_id"].to_numpy()[g_of_row[rows]]
            fac = posts["facility_id"].to_numpy()[m.row_post[rows]]
            return np.rint(chosen_km(round_, homes.reindex(gid).reset_index(), fac) * KM_SCALE)

        if self.x:
            for (j, _, _), mm in zip(self.x, metres([row for _, row, _ in self.x])):
                km[j] = float(mm)
        for i, d in enumerate(self.pairs["km"].to_numpy(dtype=float)):
            km[self.z[i]] = float(np.rint(d * KM_SCALE))
        if self.y:  # a couple's pair: the leader's km plus the partner's
            both = metres([item[3] for item in self.y]) + metres([item[5] for item in self.y])
            for item, mm in zip(self.y, both):
                km[item[0]] = float(mm)

    def start_vector(self, offered: np.ndarray, solution) -> np.ndarray | None:
        """The programme's point of the outcome of ``offered`` (``solution``: :func:`.choice.solve_choice`'s,
        its choosers with a ``choice_rank``, the commission's without): the solver's first hint."""
        m = self.market
        v = np.zeros(len(self.lower))
        x_of = {(row, k): j for j, row, k in self.x}
        g_of = {gid: g for g, gid in enumerate(self.grads["graduate_id"])}
        prog_of = {pid: k for k, pid in enumerate(self.round.programmes["programme_id"])}
        facility = self.posts["facility_id"].to_numpy()
        z_of = {key: self.z[i] for i, key in enumerate(zip(
            self.pairs["graduate_id"], self.pairs["facility_id"], self.pairs["specialty"],
            [None if pd.isna(k) else k for k in self.pairs["programme_id"]]))}
        y_of = {(ra, rb): j for j, _, _, ra, _, rb, _ in self.y}
        mate = {a: b for a, b in self.couples}
        chose: dict[int, int] = {}  # couple member -> the row it chose
        for a in solution.assignments.itertuples(index=False):
            g = g_of[a.graduate_id]
            if self.in_couple[g] and not pd.isna(a.choice_rank):
                chose[g] = next(r for r in range(m.start[g], m.stop[g]) if facility[m.row_post[r]] == a.facility_id)
        for leader, partner in mate.items():
            if leader in chose:
                j = y_of.get((chose[leader], chose.get(partner, -1)))
                if j is None:
                    return None
                v[j] = 1.0
        for a in solution.assignments.itertuples(index=False):
            programme = None if pd.isna(a.programme_id) else a.programme_id
            if self.in_couple[g_of[a.graduate_id]] and not pd.isna(a.choice_rank):
                continue  # the couple's pair, above
            if pd.isna(a.choice_rank):
                j = z_of.get((a.graduate_id, a.facility_id, a.specialty, programme))
            else:
                g = g_of[a.graduate_id]
                row = next(r for r in range(m.start[g], m.stop[g]) if facility[m.row_post[r]] == a.facility_id)
                j = x_of.get((row, -1 if programme is None else prog_of[programme]))
            if j is None:
                return None  # not a point of this programme (a bug elsewhere would show in the check): no start
            v[j] = 1.0
        for s_, cols, vals in self.sums:
            v[s_] = float(np.dot(v[cols], vals))
        for post, gs, ts in self.chains:  # open while fewer than the offered places are taken
            taken = 0
            if post in self.offer:
                v[self.offer[post]] = float(offered[post])
            for g, t in zip(gs + [None], ts):
                v[t] = 1.0 if taken < offered[post] else 0.0
                if (post, g) in self.two:
                    v[self.two[(post, g)]] = 1.0 if taken + 2 <= offered[post] else 0.0
                if g is not None:
                    taken += int(round(sum(c * v[j] for j, c in self.takes[g][post])))
        for e, cols, vals, places in self.exhausted_defs:
            v[e] = 1.0 if np.dot(v[cols], vals) >= places - 0.5 else 0.0
        for b, es in self.all_of:
            v[b] = min(v[es])
        for ys, cols in self.filled:
            n = int(round(v[cols].sum()))
            v[ys[:n]] = 1.0
        return v

    # ------------------------------------------------------------------ the driver's Engine
    def objective(self, level: str) -> tuple[np.ndarray, int]:
        """The level's integer coefficients, one per variable, divided by their greatest common
        divisor; and that divisor (a level's value is the divided objective times it)."""
        c = np.zeros(len(self.lower))
        for j, v in self.cost[level].items():
            c[j] = v
        nz = np.abs(c[c != 0]).astype(np.int64)
        divisor = int(np.gcd.reduce(nz)) if len(nz) else 1
        return c / divisor, divisor

    def engine(self, start: np.ndarray | None = None, workers: int = 1) -> BlockEngine:
        """The programme as the driver's Engine, in independent blocks solved by CP-SAT with
        ``workers`` workers (1: repeatable)."""
        return BlockEngine(self.lower, self.upper, self.rows, self.objective, start, workers)

    def offered(self, x: np.ndarray) -> np.ndarray:
        """Places offered of each post in a solution: every vacancy of a post open after the last
        turn (its listers all found a place, so more places change no choice and only widen the
        commission's), and exactly its choosers' places of a post that closes."""
        out = self.market.places.astype(np.int64).copy()
        for post, gs, ts in self.chains:
            if post in self.offer:  # a post a couple may take twice: its offered places are a variable
                out[post] = int(round(x[self.offer[post]]))
            elif x[ts[-1]] < 0.5:
                out[post] = int(round(sum(c * x[j] for g in gs for j, c in self.takes[g][post])))
        return out


def solve_menu(round_, assign, progress=None, log_path=None, time_limit: float | None = None):
    """The menu mechanism on a validated round: the offered places chosen by the programme of the
    module docstring, run by :func:`.choice.solve_choice`; a checked Solution whose ``offered`` is
    the menu and whose ``summary["menu"]`` has each level's value and proof."""
    say = progress or (lambda event: None)
    started = time.perf_counter()
    say(Progress("model", 0.05, {"pairs": 0}))
    model = MenuModel(round_)
    if not model.x and not model.y:  # nobody lists a post: no menu changes a choice, and every vacancy
        return _nobody_chooses(round_, assign, progress, log_path, started)  # is the commission's best
    everything = solve_choice(round_, assign, progress=None, log_path=log_path)  # every vacancy offered
    engine = model.engine(model.start_vector(model.market.places, everything), workers=round_.scenario.threads)
    deadline = None if time_limit is None else started + time_limit
    run = run_levels(engine, deadline, progress=say, levels=LEVELS)
    solved = bool(run.values)
    offered = model.offered(run.x) if solved else model.market.places  # nothing proven: offer every vacancy
    t_menu = time.perf_counter() - started
    solution = solve_choice(round_, assign, progress=None, log_path=log_path, offered=offered)
    if run.status == Status.OPTIMAL:
        _check_outcome(model, run, solution)
    elif _key(everything) < _key(solution):  # unproven and worse than offering every vacancy: offer them
        offered, solution = model.market.places, everything
    timings = dict(solution.timings, menu=round(t_menu, 3), total=round(time.perf_counter() - started, 3))
    menu = {"status": str(run.status), "gap": run.gap, "levels": _proof(model, run),
            "variables": len(model.lower), "constraints": len(model.rows)}
    status, gap = solution.status, solution.gap
    if run.status != Status.OPTIMAL:  # the menu is unproven (or, with no level solved, every vacancy)
        status, gap = (Status.FEASIBLE if solved else run.status), run.gap
    return dataclasses.replace(solution, timings=timings, menu=menu, status=status, gap=gap)


def _nobody_chooses(round_, assign, progress, log_path, started):
    """The menu of a round where no graduate lists an allowed post: the choice step takes nothing
    under any menu, and the commission, given every vacancy, does at least as well as with fewer
    places, so offering every vacancy is optimal; the commission's own solve (the scenario's engine)
    is the proof, and its levels are the menu's."""
    solution = solve_choice(round_, assign, progress=progress, log_path=log_path)
    levels = {lv.name: {"status": None if lv.status is None else str(lv.status), "value": lv.value,
                        "bound": lv.value if lv.status == Status.OPTIMAL else None, "seconds": 0.0}
              for lv in solution.levels}
    menu = {"status": str(solution.status), "gap": solution.gap, "levels": levels, "variables": 0,
            "constraints": 0, "nobody_chooses": True}
    timings = dict(solution.timings, menu=0.0, total=round(time.perf_counter() - started, 3))
    return dataclasses.replace(solution, timings=timings, menu=menu)


def _key(solution) -> tuple:
    """The lexicographic order of outcomes: most obligated placed, least weighted deficit, least km."""
    return (-solution.obligated_placed, solution.weighted_deficit, solution.km_objective)


def _proof(model: MenuModel, run) -> dict:
    """Each level's status, value and bound in the reader's units (obligated graduates, weighted
    deficit, km) and seconds; a level skipped (nothing to optimise) or not reached says so."""

    def shown(name: str, v: float | None) -> float | None:
        if v is None:
            return None
        if name == "obligated":
            return -v
        if name == "deficit":
            return weight_value(model.deficit_constant + v, model.w_max)
        return v / KM_SCALE

    out = {}
    for lv in run.levels:
        r = lv.result
        if r is None:
            out[lv.name] = {"status": "empty" if lv.skipped else "not_reached", "value": None, "bound": None,
                            "seconds": round(lv.seconds, 3)}
            continue
        bound = r.value if r.status == Status.OPTIMAL else r.bound
        out[lv.name] = {"status": str(r.status), "value": shown(lv.name, r.value), "bound": shown(lv.name, bound),
                        "seconds": round(lv.seconds, 3)}
    return out


def _check_outcome(model: MenuModel, run, solution) -> None:
    """The offered menu, run by the choice mechanism, reaches the programme's proven levels: the
    obligated placed, the weighted deficit (integer steps, :func:`allocator.scaling.weight_value`)
    and the whole metres. A mismatch is a bug of this module and stops the run."""
    values = run.values
    placed = solution.assignments
    grads = model.grads
    obligated_ids = grads.loc[grads["funding"].isin(OBLIGATED) & (grads["status"] == "available"), "graduate_id"]
    steps = 0  # the outcome's weighted deficit in the programme's integer steps
    for d in solution.deficits.itertuples(index=False):
        cell = model.cell_steps.get((d.region_id, d.specialty))
        if cell is not None:
            steps += int(cell[int(d.placed):].sum())
    found = {"obligated": int(placed["graduate_id"].isin(obligated_ids).sum()), "deficit": steps,
             "km": int(np.rint(placed["km"].to_numpy(dtype=float) * KM_SCALE).sum())}
    promised = {"obligated": int(round(-values.get("obligated", 0.0))),
                "deficit": int(round(model.deficit_constant + values.get("deficit", 0.0))),
                "km": int(round(values.get("km", found["km"])))}
    wrong = [name for name in LEVELS if found[name] != promised[name]]
    if wrong:
        raise RuntimeError("menu: the offered places, run by the choice mechanism, do not reach the proven "
                           + ", ".join(f"{n} ({found[n]} against {promised[n]})" for n in wrong))

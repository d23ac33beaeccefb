"""Justified envy: the blocking pairs of any distribution (issue 13).

Graduates choose in rating order (:func:`allocator.mechanisms.ranks.choice_order`: rating
descending, graduate_id ascending, unrated last). A *post* v is a (facility, specialty); a
graduate's list (``preferences``) names facilities, each meaning the graduate's own specialty
there. Its places are ``cap(v)``: the ``offered`` table's ``offered`` when one is given (a post
missing from it offers none), else the round's vacancies.

Graduate g has **justified envy** towards post v (one blocking pair (g, v)) when all hold:

- ``prefers(g, v)``: g listed v, and g is unplaced, or placed at a facility g did not list, or
  placed at a facility g ranked strictly worse than v;
- ``allowed(g, v)``: g is available (not exempt or deferred); v is g's specialty (the validator
  guarantees it for every listed facility); a targeted g only in the sponsor region; a grant
  holder (not of the rural quota) only in a state organisation, a rural-quota g only at a rural
  post; where a programme must pay (a paid g at a rural or closed-town post, an obligated g at a
  post a programme paying their funding covers) g needs a programme place (below). ``max_km``
  does not apply: a graduate's own choice is not limited by it;
- and either ``has_free_place(v)``: fewer graduates hold v than ``cap(v)``; or
  ``outranks(g, h)`` for some holder h of v: h comes after g in rating order.

Programme places (what the audit assumes): places are taken in rating order, so g has a place
at a post when some programme that covers it (:func:`allocator.pairs.covering`, the engines'
rule) has room once only the graduates who outrank g keep theirs: fewer of its places held by
graduates before g in rating order than its quota, and in every year it budgets, their money
plus g's payment at the post's tier within the budget (exact integers,
:class:`allocator.programmes.Ledger`). Places of graduates after g would be freed for g, as posts are.

One row per blocking pair: ``holder_id`` is empty when v has a free place (the free place is
reported before any holder), else it is the holder of v last in rating order (the one g would
displace); ``graduate_rating`` and ``holder_rating`` are their ratings. Every predicate is one
vectorised mask over the preference rows, so 50,000 graduates with 10 choices each take well
under the 5 s the issue allows (benchmarks/bench_audit.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..pairs import age_masks, available_mask, covering, facility_state, flag, graduate_ages, may_serve
from ..programmes import ledgers
from .ranks import choice_order

__all__ = ["PAIR_COLUMNS", "blocking_pairs"]

PAIR_COLUMNS = ["graduate_id", "facility_id", "specialty", "holder_id", "graduate_rating", "holder_rating"]


def blocking_pairs(round_, assignments: pd.DataFrame, offered: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every justified-envy pair of ``assignments`` (graduate_id, facility_id[, specialty]) in
    ``round_``, with ``offered`` (facility_id, specialty, offered) as the posts' places when given;
    columns :data:`PAIR_COLUMNS`, sorted by graduate_id and the graduate's rank of the post."""
    prefs = round_.preferences
    if prefs is None or prefs.empty:
        return _empty()
    g = _graduates(round_)
    rows = _preference_rows(prefs, g, round_.facilities)
    posts, hold = _posts(round_, assignments, offered, g, rows)
    envy = (_prefers(rows, hold) & _allowed(rows, g, round_, hold)
            & (_has_free_place(rows, posts) | _outranks(rows, posts)))
    return _pairs(rows[envy], posts, g)


# ------------------------------------------------------------------ the named predicates


def _prefers(rows: pd.DataFrame, hold: pd.DataFrame) -> np.ndarray:
    """g listed v and is unplaced, placed off-list, or placed at a facility ranked worse than v."""
    return rows["rank"].to_numpy(dtype=float) < rows["own_rank"].to_numpy(dtype=float)


def _allowed(rows: pd.DataFrame, g: pd.DataFrame, round_, hold: pd.DataFrame) -> np.ndarray:
    """g available; targeted g in the sponsor region; the service rules; a programme place where one
    must pay."""
    ok = rows["available"].to_numpy(dtype=bool).copy()
    funding = rows["funding"].to_numpy()
    targeted = funding == "targeted"
    ok &= ~targeted | (rows["region_id"].to_numpy() == rows["sponsor_region_id"].to_numpy())
    idx = np.arange(len(rows))
    ok &= may_serve(funding, rows["rural_quota"].to_numpy(dtype=bool), rows["rural"].to_numpy(dtype=bool),
                    rows["state"].to_numpy(dtype=bool))(idx, idx)
    at, which = covering(rows["specialty"].to_numpy(), funding, rows["age_mask"].to_numpy(),
                         rows["fac_row"].to_numpy(), round_.facilities.reset_index(drop=True), round_.programmes)
    covered = np.zeros(len(rows), bool)
    covered[at] = True
    paid = funding == "paid"
    needs = (paid & rows["territory"].to_numpy(dtype=bool)) | (~paid & covered)
    if needs.any():
        ok &= ~needs | _programme_place(rows, round_, hold, at, which)
    return ok


def _has_free_place(rows: pd.DataFrame, posts: pd.DataFrame) -> np.ndarray:
    """Fewer graduates hold v than its places."""
    p = rows["post"].to_numpy()
    return posts["held"].to_numpy()[p] < posts["cap"].to_numpy()[p]


def _outranks(rows: pd.DataFrame, posts: pd.DataFrame) -> np.ndarray:
    """Some holder of v comes after g in rating order (the last holder does, if any does)."""
    return posts["last_position"].to_numpy()[rows["post"].to_numpy()] > rows["position"].to_numpy()


# ------------------------------------------------------------------ the tables they read


def _graduates(round_) -> pd.DataFrame:
    grads = round_.graduates.reset_index(drop=True)
    out = pd.DataFrame({
        "graduate_id": grads["graduate_id"].to_numpy(),
        "specialty": grads["specialty"].to_numpy(),
        "funding": grads["funding"].to_numpy(),
        "sponsor_region_id": grads["sponsor_region_id"].to_numpy(),
        "available": available_mask(grads),
        "rural_quota": flag(grads, "rural_quota"),
        "age_mask": age_masks(graduate_ages(grads, round_.scenario.year), round_.programmes),
        "rating": grads["rating"].to_numpy(dtype=float) if "rating" in grads else np.nan,
        "position": choice_order(grads).to_numpy(),
    })
    return out


def _preference_rows(prefs: pd.DataFrame, g: pd.DataFrame, facilities: pd.DataFrame) -> pd.DataFrame:
    gi = pd.Index(g["graduate_id"]).get_indexer(prefs["graduate_id"])
    fac = facilities.reset_index(drop=True)
    fi = pd.Index(fac["facility_id"]).get_indexer(prefs["facility_id"])
    keep = (gi >= 0) & (fi >= 0)
    gi, fi = gi[keep], fi[keep]
    return pd.DataFrame({
        "grad": gi,
        "graduate_id": g["graduate_id"].to_numpy()[gi],
        "rank": prefs["rank"].to_numpy(dtype=float)[keep],
        "facility_id": fac["facility_id"].to_numpy()[fi],
        "specialty": g["specialty"].to_numpy()[gi],
        "funding": g["funding"].to_numpy()[gi],
        "sponsor_region_id": g["sponsor_region_id"].to_numpy()[gi],
        "available": g["available"].to_numpy()[gi],
        "position": g["position"].to_numpy()[gi],
        "region_id": fac["region_id"].to_numpy()[fi],
        "rural": fac["rural"].to_numpy(dtype=bool)[fi],
        "settlement_population": fac["settlement_population"].to_numpy(dtype=float)[fi],
        "fac_row": fi,
        "remote": flag(fac, "remote")[fi],
        "territory": (fac["rural"].to_numpy(dtype=bool) | flag(fac, "closed_town"))[fi],
        "state": facility_state(fac)[fi],
        "rural_quota": g["rural_quota"].to_numpy()[gi],
        "age_mask": g["age_mask"].to_numpy()[gi],
    })


def _posts(round_, assignments: pd.DataFrame, offered, g: pd.DataFrame, rows: pd.DataFrame):
    """Posts (facility, specialty) of the preference rows, with places, holders and the last holder;
    and each graduate's hold: the assigned post and its rank in the graduate's list."""
    a = assignments.reset_index(drop=True)
    ai = pd.Index(g["graduate_id"]).get_indexer(a["graduate_id"])
    a = a[ai >= 0].reset_index(drop=True)
    ai = ai[ai >= 0]
    a_spec = a["specialty"].to_numpy() if "specialty" in a else g["specialty"].to_numpy()[ai]
    keys = pd.MultiIndex.from_arrays([np.concatenate([rows["facility_id"].to_numpy(), a["facility_id"].to_numpy()]),
                                      np.concatenate([rows["specialty"].to_numpy(), a_spec])])
    codes, uniques = keys.factorize()
    rows["post"] = codes[: len(rows)]
    a_post = codes[len(rows):]
    n = len(uniques)
    cap_source = offered if offered is not None else round_.vacancies.rename(columns={"vacancies": "offered"})
    cap_table = cap_source.groupby(["facility_id", "specialty"])["offered"].sum()
    cap = cap_table.reindex(uniques).fillna(0).to_numpy(dtype=float)
    held = np.bincount(a_post, minlength=n)
    a_pos = g["position"].to_numpy()[ai]
    last = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last, a_post, a_pos)
    last_grad = np.full(n, -1, dtype=np.int64)
    is_last = a_pos == last[a_post]
    last_grad[a_post[is_last]] = ai[is_last]
    posts = pd.DataFrame({"cap": cap, "held": held, "last_position": last, "last_grad": last_grad})
    # each graduate's own rank: the rank of the assigned facility in the list; inf when unplaced or off-list
    own = np.full(len(g), np.inf)
    listed_here = pd.MultiIndex.from_arrays([rows["grad"].to_numpy(), rows["post"].to_numpy()])
    mine = pd.MultiIndex.from_arrays([ai, a_post])
    hit = listed_here.get_indexer(mine) if len(rows) else np.full(len(a), -1)
    own[ai[hit >= 0]] = rows["rank"].to_numpy()[hit[hit >= 0]]
    rows["own_rank"] = own[rows["grad"].to_numpy()]
    hold = pd.DataFrame({"grad": ai, "post": a_post, "facility_id": a["facility_id"].to_numpy(),
                         "programme_id": a["programme_id"].to_numpy() if "programme_id" in a else None,
                         "position": a_pos})
    return posts, hold


def _programme_place(rows: pd.DataFrame, round_, hold: pd.DataFrame, at: np.ndarray, which: np.ndarray) -> np.ndarray:
    """Some programme that covers the row has room once only the graduates before g keep their places."""
    out = np.zeros(len(rows), dtype=bool)
    position = rows["position"].to_numpy()
    remote = rows["remote"].to_numpy(dtype=bool)
    fac = round_.facilities.set_index("facility_id")
    far = flag(fac, "remote")
    hold_remote = pd.Series(far, index=fac.index).reindex(hold["facility_id"]).fillna(False).to_numpy(dtype=bool)
    books = ledgers(round_.programmes, round_.instalments)
    for k, prog in enumerate(round_.programmes.itertuples(index=False)):
        mine = at[which == k]
        if not len(mine):
            continue
        book = books[k]
        holding = (hold["programme_id"] == prog.programme_id).to_numpy()
        order = np.argsort(hold["position"].to_numpy()[holding], kind="stable")
        h_pos = hold["position"].to_numpy()[holding][order]
        h_far = hold_remote[holding][order]
        before = np.searchsorted(h_pos, position[mine], side="left")  # holders strictly before g
        room = np.ones(len(mine), bool) if book.places is None else before < book.places
        for cost, bound in zip(book.cost, book.left):
            spent = np.concatenate([[0], np.cumsum(np.where(h_far, cost[1], cost[0]))])[before]
            room &= spent + np.where(remote[mine], cost[1], cost[0]) <= bound
        out[mine] |= room
    return out


def _pairs(hit: pd.DataFrame, posts: pd.DataFrame, g: pd.DataFrame) -> pd.DataFrame:
    if hit.empty:
        return _empty()
    p = hit["post"].to_numpy()
    free = posts["held"].to_numpy()[p] < posts["cap"].to_numpy()[p]
    holder = posts["last_grad"].to_numpy()[p]
    holder = np.where(free, -1, holder)
    ids = g["graduate_id"].to_numpy()
    rating = g["rating"].to_numpy(dtype=float)
    out = pd.DataFrame({
        "graduate_id": hit["graduate_id"].to_numpy(),
        "facility_id": hit["facility_id"].to_numpy(),
        "specialty": hit["specialty"].to_numpy(),
        "holder_id": pd.Series(np.where(holder >= 0, ids[np.maximum(holder, 0)], None), dtype=object),
        "graduate_rating": rating[hit["grad"].to_numpy()],
        "holder_rating": np.where(holder >= 0, rating[np.maximum(holder, 0)], np.nan),
        "_rank": hit["rank"].to_numpy(),
    })
    out = out.sort_values(["graduate_id", "_rank"], kind="mergesort").drop(columns="_rank")
    return out.reset_index(drop=True)[PAIR_COLUMNS]


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float if c.endswith("rating") else object) for c in PAIR_COLUMNS})

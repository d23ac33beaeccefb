r"""The ``choice`` mechanism: graduates choose offered posts in rating order; the commission places the rest.

Formulation (issue 13)
----------------------
Every vacancy is offered: post :math:`v = (f, s)` (a facility and a specialty) has
:math:`c_v` = its vacancies places (or, given a menu, :math:`0 \le c_v \le` vacancies: the
``offered`` of :func:`solve_choice`, :mod:`.menu`'s). The deficit counts every vacancy.

1. **Turn order.** Available graduates (``status`` available; exempt and deferred ones never
   choose and are never placed) take turns by ``rating`` descending; equal ratings by
   ``graduate_id`` ascending (as text); graduates without a rating after every rated one, by
   ``graduate_id`` (:func:`allocator.mechanisms.ranks.choice_order`, the audit's order too).
2. **A turn.** The graduate takes the best-ranked post on their list (``preferences.csv``, rank 1
   first; a listed facility means the graduate's own specialty there) that is *allowed* now:

   * it has a place left (:math:`c_v` minus the places taken in earlier turns);
   * a targeted graduate: the post is in the sponsor region; a grant holder (not of the rural
     quota): a state organisation; a rural-quota graduate: a rural post (never listed otherwise);
   * a post a programme must pay for (a paid graduate at a rural or closed-town post, an
     obligated graduate at a post a programme paying their funding covers; the coverage of
     :func:`allocator.pairs.covering`, the assign engines' own rule): a programme that covers it
     still has a place and the money of every year it budgets for the post's tier
     (:class:`allocator.programmes.Ledger`, exact integers of the money rows; so the spend never
     exceeds a budget as :mod:`allocator.check` counts it, in the typed decimals), taken in turn
     order. When several programmes cover it, the graduate takes a place of the first one, in
     ``programmes.csv`` order, that fits.

   The graduate's own choice is not limited by ``max_km``. A graduate none of whose listed posts
   is allowed takes nothing in the choice step.
3. **Couples** (``partner_id``, mutual, both available). The couple takes its turn at its
   better-rated member's turn (the *leader*; the other, the *follower*, has no turn of their
   own). The leader's list is walked in rank order; for a post :math:`p` allowed for the leader,
   the follower takes their best-ranked listed post that is allowed for them in :math:`p`'s
   region once the leader holds :math:`p` (so the same post needs two places, and a programme
   two places when both need one). The first :math:`p` for which the follower has such a post
   places both. A couple only takes posts that both listed: when no post of the leader's list
   works, neither takes anything in the choice step (the follower is not sent to a post they
   did not list). A graduate whose partner is not available (exempt, deferred) chooses alone.
4. **The commission.** Obligated graduates (grant, targeted) who took nothing, and are not in a
   bound couple, are placed by the
   lexicographic model of :mod:`allocator.model` (most obligated placed, least weighted deficit,
   least km; ``max_km`` applies) into the places left: a reduced round is built (the posts with
   their places left, only those graduates, each programme with its places left as its quota)
   and solved by the scenario's engine (:func:`allocator.solve.solve` with ``mechanism``
   assign, within what is left of ``time_limit``); its solution is checked as every solution
   is. A couple that took nothing goes to the commission when both members are obligated: the
   assign engines place it in one region or not at all (:mod:`allocator.couples`). A couple with
   a paid member that took nothing stays unplaced (``no_choice_available``): the commission does
   not place paid graduates.
5. **Unplaced.** Paid graduates, and couples with a paid member, who took nothing stay unplaced
   with reason ``no_choice_available``; other obligated graduates the commission could not place get the reasons
   of :mod:`allocator.diagnose`; exempt and deferred graduates theirs.

The result is one :class:`allocator.solution.Solution` (assignments, unplaced, deficits,
summary) over the whole round: its levels are the outcome's obligated placed, weighted deficit
and km; ``choice_rank`` in the assignments is the rank of the post on the graduate's list, empty
for the commission's placements. It is checked against the round's rules
(:func:`allocator.check.broken_rules`) with ``max_km`` lifted for the graduates who chose their
own post, and held to it for the commission's.

With every facility ranking graduates by rating, no commission step and no programmes, the
result is the graduate-optimal stable matching of the hospital-resident problem (serial
dictatorship on a common ranking); ``tests/allocator/test_choice.py`` checks this against
python ``matching``.

Speed: the choice loop is a Python loop over turns with list lookups (numpy prepares the lists:
turn order, post of each listed row, which programmes match a row). On a synthetic round of
10,000 graduates x 3,000 facilities with 10 choices each (``benchmarks/bench_choice.py``) the
loop takes 0.02 s and its preparation 0.2-0.35 s; the whole mechanism, with the commission's flow
solve, the solution (its audit included) and its check, 2.2 s.
"""

from __future__ import annotations

import copy
import dataclasses
import time
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from ..check import SolutionError, broken_rules
from ..couples import bound_couples
from ..pairs import OBLIGATED, age_masks, allowed_pairs, covering, facility_state, flag, graduate_ages, may_serve
from ..programmes import ledgers, money_by_year, pair_payments
from ..scaling import exact_money
from ..solution import ModelSize, make_solution
from ..status import Progress, Status
from .ranks import choice_order

MECHANISM = "choice"
#: The unplaced reason of a paid graduate left without a listed post (texts: reasons.csv).
NO_CHOICE = "no_choice_available"


@dataclass(frozen=True)
class Market:
    """The choice step's inputs as arrays (graduates in graduate_id order, index ``g``).

    order:        graduates who take turns, in turn order (available ones only)
    start, stop:  graduate g's listed rows are ``start[g]:stop[g]`` (in rank order)
    row_post:     post of each listed row; row_rank: its rank on the list
    row_progs:    programmes (rows of programmes.csv) a listed row needs one place of, in file
                  order; None when the row needs no programme place (an empty tuple: it needs one
                  and none matches); row_remote: the row's post is remote (the payment's tier)
    sponsor:      region code of a targeted graduate's sponsor region, -1 for others
    partner:      partner's index when a couple binds (mutual, both available), else -1
    places:       places of each post; post_region: region code of each post
    programme_places: each programme's exact headcount (a large number when unlimited; -1 when
                  its places are no headcount, its payments differing between the tiers of the
                  posts it covers: the menu mechanism refuses such a round)
    ledgers:      each programme's places and money (allocator.programmes.ledgers), before any turn
    """

    order: np.ndarray
    start: np.ndarray
    stop: np.ndarray
    row_post: np.ndarray
    row_rank: np.ndarray
    row_progs: list
    sponsor: np.ndarray
    partner: np.ndarray
    places: np.ndarray
    post_region: np.ndarray
    programme_places: np.ndarray
    ledgers: tuple = ()
    row_remote: np.ndarray | None = None


@dataclass(frozen=True)
class Picks:
    """What each graduate took in the choice step: the listed row (-1 none), the programme (-1 none);
    and the places left of each post and programme."""

    row: np.ndarray
    programme: np.ndarray
    places_left: np.ndarray
    programme_left: tuple  # each programme's Ledger after the choice step


def run_choice(m: Market) -> Picks:
    """The choice step (the module docstring's turns and couples) on plain arrays."""
    n = len(m.start)
    left = m.places.astype(np.int64).tolist()
    books = [copy.deepcopy(b) for b in m.ledgers]
    remote = (np.zeros(len(m.row_post), bool) if m.row_remote is None else m.row_remote).tolist()
    row_post = m.row_post.tolist()
    row_rank = m.row_rank.tolist()  # noqa: F841 - kept beside row_post for readers of the loop
    region = m.post_region.tolist()
    sponsor = m.sponsor.tolist()
    start, stop = m.start.tolist(), m.stop.tolist()
    progs = m.row_progs
    partner = m.partner.tolist()
    took_row = [-1] * n
    took_prog = [-1] * n
    done = [False] * n

    def allowed(g: int, row: int, in_region: int = -1) -> int | None:
        """The programme (-1: none needed) with which row ``row`` is allowed for ``g`` now, else None."""
        p = row_post[row]
        if left[p] <= 0 or (in_region >= 0 and region[p] != in_region):
            return None
        if sponsor[g] >= 0 and region[p] != sponsor[g]:
            return None
        need = progs[row]
        if need is None:
            return -1
        for k in need:
            if books[k].fits(remote[row]):
                return k
        return None

    def take(g: int, row: int, k: int) -> None:
        left[row_post[row]] -= 1
        if k >= 0:
            books[k].take(remote[row])
        took_row[g], took_prog[g] = row, k

    def give_back(g: int) -> None:
        row, k = took_row[g], took_prog[g]
        left[row_post[row]] += 1
        if k >= 0:
            books[k].take(remote[row], -1)
        took_row[g], took_prog[g] = -1, -1

    for g in m.order.tolist():
        if done[g]:
            continue
        done[g] = True
        mate = partner[g]
        if mate < 0:
            for row in range(start[g], stop[g]):
                k = allowed(g, row)
                if k is not None:
                    take(g, row, k)
                    break
            continue
        done[mate] = True  # the follower has no turn of their own
        for row in range(start[g], stop[g]):
            k = allowed(g, row)
            if k is None:
                continue
            take(g, row, k)
            r = region[row_post[row]]
            for row2 in range(start[mate], stop[mate]):
                k2 = allowed(mate, row2, r)
                if k2 is not None:
                    take(mate, row2, k2)
                    break
            if took_row[mate] >= 0:
                break
            give_back(g)
    return Picks(np.array(took_row, dtype=np.int64), np.array(took_prog, dtype=np.int64),
                 np.array(left, dtype=np.int64), tuple(books))


# --------------------------------------------------------------------------- the round as a market
def _graduates(round_) -> pd.DataFrame:
    """The round's graduates in graduate_id order (as text), with the issue-13 columns filled."""
    grads = round_.graduates
    grads = grads.iloc[np.argsort(grads["graduate_id"].astype(str).to_numpy(), kind="stable")]
    grads = grads.reset_index(drop=True)
    if "status" not in grads:
        grads = grads.assign(status="available")
    if "rating" not in grads:
        grads = grads.assign(rating=np.nan)
    if "partner_id" not in grads:
        grads = grads.assign(partner_id=None)
    return grads.assign(status=grads["status"].fillna("available"))


def _posts(round_) -> pd.DataFrame:
    """One row per (facility, specialty) with vacancies: places and region (the offered posts)."""
    vac = round_.vacancies.groupby(["facility_id", "specialty"], as_index=False, sort=True)["vacancies"].sum()
    vac = vac[vac["vacancies"] > 0].reset_index(drop=True)
    fac = round_.facilities.reset_index(drop=True)
    row = pd.Index(fac["facility_id"]).get_indexer(vac["facility_id"])
    return vac.assign(region_id=fac["region_id"].to_numpy()[row], rural=fac["rural"].to_numpy(dtype=bool)[row],
                      remote=flag(fac, "remote")[row], closed_town=flag(fac, "closed_town")[row],
                      state=facility_state(fac)[row], fac_row=row)


def build_market(round_, preferences: pd.DataFrame | None = None) -> tuple[Market, pd.DataFrame, pd.DataFrame,
                                                                            pd.DataFrame]:
    """The :class:`Market` of a round (``preferences`` default: the round's), with the graduates
    (graduate_id order), the offered posts and the listed rows it indexes."""
    grads = _graduates(round_)
    posts = _posts(round_)
    if preferences is None:
        preferences = round_.preferences
    ids = pd.Index(grads["graduate_id"].astype(str))
    prefs = preferences.assign(g=ids.get_indexer(preferences["graduate_id"].astype(str)))
    prefs = prefs[prefs["g"] >= 0]
    prefs = prefs.assign(specialty=grads["specialty"].to_numpy()[prefs["g"].to_numpy()])
    post_index = pd.MultiIndex.from_frame(posts[["facility_id", "specialty"]])
    prefs = prefs.assign(post=post_index.get_indexer(pd.MultiIndex.from_frame(prefs[["facility_id", "specialty"]])))
    prefs = prefs[prefs["post"] >= 0]  # a listed facility whose post has no vacancy is never allowed
    p_post = prefs["post"].to_numpy(dtype=np.int64)
    p_g = prefs["g"].to_numpy(dtype=np.int64)
    serve = may_serve(grads["funding"].to_numpy(), flag(grads, "rural_quota"), posts["rural"].to_numpy(dtype=bool),
                      posts["state"].to_numpy(dtype=bool))
    prefs = prefs[serve(p_g, p_post)]  # a post the service rules forbid is never allowed
    prefs = prefs.assign(rank=prefs["rank"].astype(np.int64))
    prefs = prefs.sort_values(["g", "rank"], kind="mergesort").reset_index(drop=True)

    n = len(grads)
    g = prefs["g"].to_numpy(dtype=np.int64)
    counts = np.bincount(g, minlength=n)
    stop = np.cumsum(counts)
    start = stop - counts

    region_codes, region_names = pd.factorize(pd.concat([posts["region_id"], grads["sponsor_region_id"]]))
    post_region = region_codes[: len(posts)].astype(np.int64)
    targeted = (grads["funding"] == "targeted").to_numpy()
    sponsor = np.where(targeted, region_codes[len(posts):], -1).astype(np.int64)

    row_post = prefs["post"].to_numpy(dtype=np.int64)
    funding = grads["funding"].to_numpy()
    paid = funding == "paid"
    masks = age_masks(graduate_ages(grads, round_.scenario.year), round_.programmes)
    fac = round_.facilities.reset_index(drop=True)
    fac_row = posts["fac_row"].to_numpy()[row_post]
    at, which = covering(grads["specialty"].to_numpy()[g], funding[g], masks[g], fac_row, fac, round_.programmes)
    covers: list = [[] for _ in range(len(prefs))]
    for row, k in zip(at.tolist(), which.tolist()):  # in programmes.csv order per row
        covers[row].append(k)
    territory = (posts["rural"].to_numpy(dtype=bool) | posts["closed_town"].to_numpy(dtype=bool))[row_post]
    row_progs: list = [tuple(ks) if (paid[g[row]] and territory[row]) or (not paid[g[row]] and ks) else None
                       for row, ks in enumerate(covers)]
    row_remote = posts["remote"].to_numpy(dtype=bool)[row_post]

    available = (grads["status"] == "available").to_numpy()
    order = np.argsort(choice_order(grads).to_numpy(), kind="stable")  # position -> graduate
    order = order[available[order]]
    couples = bound_couples(grads)  # mutual, both available
    partner = np.full(n, -1, dtype=np.int64)
    first, second = ids.get_indexer(couples["first"].astype(str)), ids.get_indexer(couples["second"].astype(str))
    partner[first], partner[second] = second, first

    big = n + 1
    books = ledgers(round_.programmes, round_.instalments)
    tiers: list[set] = [set() for _ in books]
    for row, ks in enumerate(row_progs):
        for k in ks or ():
            tiers[k].add(bool(row_remote[row]))
    places = []
    for book, seen in zip(books, tiers):
        try:
            cap = book.headcount(seen)
        except ValueError:  # payments differ between the tiers this programme meets: no headcount
            cap = -1
        places.append(big if cap is None else min(int(cap), big))
    market = Market(order=order, start=start, stop=stop, row_post=row_post,
                    row_rank=prefs["rank"].to_numpy(dtype=np.int64), row_progs=row_progs, sponsor=sponsor,
                    partner=partner, places=posts["vacancies"].to_numpy(dtype=np.int64),
                    post_region=post_region, programme_places=np.array(places, dtype=np.int64),
                    ledgers=tuple(books), row_remote=row_remote)
    return market, grads, posts, prefs


# --------------------------------------------------------------------------- the whole mechanism
def solve_choice(round_, assign, progress=None, log_path=None, offered=None):
    """The choice mechanism on a validated round: a checked :class:`allocator.solution.Solution`.

    ``assign(round_, log_path=..., progress=...)`` solves a round by the lexicographic model
    (:func:`allocator.solve.solve`, passed in so that this module does not import it); it
    places the commission's graduates. ``offered``: places offered of each post, in the order of
    :func:`build_market`'s posts, each 0..its vacancies (the menu mechanism's); default every
    vacancy. The choices and the commission use only offered places; the deficit counts every
    vacancy.
    """
    say = progress or (lambda event: None)
    started = time.perf_counter()
    say(Progress("pairs", 0.05))
    market, grads, posts, prefs = build_market(round_)
    if offered is not None:
        offered = np.asarray(offered, dtype=np.int64)
        if offered.shape != market.places.shape or (offered < 0).any() or (offered > market.places).any():
            raise ValueError("offered: one count per post, each between 0 and the post's vacancies")
        market = dataclasses.replace(market, places=offered)
    t_market = time.perf_counter()
    picks = run_choice(market)
    t_choice = time.perf_counter()

    chosen_g = np.flatnonzero(picks.row >= 0)
    rows = picks.row[chosen_g]
    programmes = round_.programmes.reset_index(drop=True)
    prog_ids = np.array([None, *programmes["programme_id"]], dtype=object)
    k = picks.programme[chosen_g] + 1
    remote = market.row_remote[rows]
    payments = pair_payments(prog_ids[k], remote, money_by_year(round_.programmes, round_.instalments))
    post = market.row_post[rows]
    chose = pd.DataFrame({
        "graduate_id": grads["graduate_id"].to_numpy()[chosen_g],
        "facility_id": posts["facility_id"].to_numpy()[post],
        "region_id": posts["region_id"].to_numpy()[post],
        "specialty": posts["specialty"].to_numpy()[post],
        "km": chosen_km(round_, grads.iloc[chosen_g], posts["facility_id"].to_numpy()[post]),
        "programme_id": pd.Series(prog_ids[k], dtype=object),
        "payment": payments,
        "remote": remote,
        "choice_rank": pd.array(market.row_rank[rows], dtype="Int64"),
    })

    obligated = grads["funding"].isin(OBLIGATED).to_numpy()
    available = (grads["status"] == "available").to_numpy()
    # a couple the choice step could not place goes to the commission when both are obligated (the
    # assign engines keep it in one region, allocator.couples); with a paid member it stays out
    mate = np.maximum(market.partner, 0)
    in_couple = market.partner >= 0
    paid_couple = in_couple & ~(obligated & obligated[mate])  # a couple with a paid member
    left_over = available & obligated & (picks.row < 0) & ~paid_couple  # a couple takes both posts or none
    commission = _commission(round_, grads[left_over], posts, picks, chose, assign, say, log_path, started)
    placed_by_commission = commission.assignments.assign(
        choice_rank=pd.array([pd.NA] * len(commission.assignments), dtype="Int64"),
        remote=(commission.assignments["tier"] == "remote").to_numpy(bool) if "tier" in commission.assignments
        else np.zeros(len(commission.assignments), bool))
    chosen = pd.concat([chose, placed_by_commission[chose.columns]], ignore_index=True)

    pairs = allowed_pairs(round_)
    timings = {"choice_market": t_market - started, "choice": t_choice - t_market,
               "commission": commission.timings.get("total", 0.0)}
    timings["total"] = time.perf_counter() - started
    levels = {lv.name: (lv.status, lv.method) for lv in commission.levels if lv.status is not None}
    if not commission.levels:  # no one left for the commission, or no place left: nothing to optimise
        levels = {name: (Status.OPTIMAL, "empty") for name in ("obligated", "deficit", "km")}
    size = ModelSize(pairs.n_pairs, commission.model_size.variables, commission.model_size.constraints)
    menu = posts[["facility_id", "specialty"]].assign(offered=market.places)  # default: every vacancy
    solution = make_solution(round_, pairs, size, chosen, status=commission.status, gap=commission.gap,
                             timings=timings, km_objective=None, level_states=levels, offered=menu)
    solution = _with_choice_columns(solution, chosen, grads, obligated, available, paid_couple)
    broken = broken_rules(_lifted_max_km(round_, chose["graduate_id"]), solution.assignments, couples=True)
    if broken:
        raise SolutionError(f"{MECHANISM} ({round_.scenario.solver})", broken)
    timings = dict(solution.timings, total=round(time.perf_counter() - started, 3))  # the solution and check too
    return dataclasses.replace(solution, checks=tuple(broken), timings=timings)


def _with_choice_columns(solution, chosen: pd.DataFrame, grads: pd.DataFrame, obligated, available, paid_couple):
    """The solution with ``choice_rank`` in its assignments and the paid graduates, and couples with
    a paid member, who chose nothing unplaced as ``no_choice_available``."""
    from ..diagnose import reason_text

    a = solution.assignments.drop(columns=["choice_rank"], errors="ignore")
    rank = chosen.set_index("graduate_id")["choice_rank"]
    a = a.assign(choice_rank=pd.array(rank.reindex(a["graduate_id"]).to_numpy(), dtype="Int64"))
    unplaced = solution.unplaced.copy()
    paid_ids = set(grads.loc[available & (~obligated | paid_couple), "graduate_id"])
    no_choice = unplaced["graduate_id"].isin(paid_ids).to_numpy()
    unplaced.loc[no_choice, "reason"] = NO_CHOICE
    unplaced.loc[no_choice, "detail"] = reason_text(NO_CHOICE)
    by_reason = {k: int(v) for k, v in unplaced["reason"].value_counts().sort_index().items()}
    return dataclasses.replace(solution, assignments=a, unplaced=unplaced, unplaced_by_reason=by_reason)


def _lifted_max_km(round_, chose_ids):
    """The round with max_km lifted for the graduates who chose their own post (their choice is not
    limited by it), for the check."""
    grads = round_.graduates
    lifted = grads["graduate_id"].isin(set(chose_ids))
    return dataclasses.replace(round_, graduates=grads.assign(max_km=grads["max_km"].where(~lifted, np.nan)))


def _commission(round_, graduates: pd.DataFrame, posts: pd.DataFrame, picks: Picks, chose: pd.DataFrame, assign,
                say, log_path, started: float):
    """The lexicographic model's solution of the obligated graduates left, on the places left, within
    what is left of the scenario's time limit."""
    left = posts.assign(vacancies=picks.places_left)[["facility_id", "specialty", "vacancies"]]
    left = left[left["vacancies"] > 0].reset_index(drop=True)
    programmes, instalments = _programmes_left(round_, picks, chose)
    keep = set(graduates["graduate_id"])
    sub_grads = round_.graduates[round_.graduates["graduate_id"].isin(keep)].reset_index(drop=True)
    if "partner_id" in sub_grads:  # a couple binds in the commission only when both are in it
        sub_grads = sub_grads.assign(partner_id=sub_grads["partner_id"].where(sub_grads["partner_id"].isin(keep)))
    limit = round_.scenario.time_limit
    left_s = None if limit is None else max(0.0, limit - (time.perf_counter() - started))
    scenario = dataclasses.replace(round_.scenario, mechanism="assign", time_limit=left_s)
    if left.empty or sub_grads.empty:
        left = left.iloc[:0] if left.empty else left
        sub_grads = sub_grads.iloc[:0]
    sub = dataclasses.replace(round_, vacancies=left, graduates=sub_grads, programmes=programmes,
                              instalments=instalments, scenario=scenario)
    if not len(sub_grads) or left.empty:
        return _empty_solution(sub)

    def relay(event):
        say(Progress(event.stage, 0.3 + 0.6 * event.fraction, event.params))

    return assign(sub, log_path=log_path, progress=relay)


def _programmes_left(round_, picks: Picks, chose: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The programmes and instalments with what the choice step left: each quota less the places
    taken, each year's budget less the money that year's payments of the choosers take (exact
    decimals)."""
    programmes = round_.programmes.reset_index(drop=True).copy()
    instalments = round_.instalments.reset_index(drop=True).copy()
    taken = chose[chose["programme_id"].notna()]
    money = money_by_year(round_.programmes, round_.instalments)
    prog = taken["programme_id"].to_numpy(object)
    remote = taken["remote"].to_numpy(bool)

    def spent(pid, year) -> Decimal:
        pays = pair_payments(prog, remote, money, year)[prog == pid]
        return sum((exact_money(x) for x in pays), Decimal(0))

    for i, p in programmes.iterrows():
        used = int((prog == p["programme_id"]).sum())
        if not pd.isna(p["quota"]):
            programmes.at[i, "quota"] = int(p["quota"]) - used
        if not pd.isna(p["budget"]):
            programmes.at[i, "budget"] = float(exact_money(p["budget"]) - spent(p["programme_id"], 0))
    for i, r in instalments.iterrows():
        if not pd.isna(r["budget"]):
            instalments.at[i, "budget"] = float(exact_money(r["budget"]) - spent(r["programme_id"], int(r["year"])))
    return programmes, instalments


@dataclass(frozen=True)
class _Nothing:
    """The commission's outcome when it has no one to place or no place left."""

    assignments: pd.DataFrame
    status: Status = Status.OPTIMAL
    gap: float | None = 0.0
    levels: tuple = ()
    model_size: ModelSize = ModelSize(0, 0, 0)
    timings: dict = dataclasses.field(default_factory=dict)


def _empty_solution(sub) -> _Nothing:
    cols = ["graduate_id", "facility_id", "region_id", "specialty", "km", "programme_id", "payment"]
    return _Nothing(assignments=pd.DataFrame({c: pd.Series(dtype=object) for c in cols}))


def chosen_km(round_, grads: pd.DataFrame, facility_ids: np.ndarray) -> np.ndarray:
    """km from each graduate's home to the facility they chose (geodesic, or road), unlimited by max_km."""
    if not len(grads):
        return np.zeros(0)
    fac = round_.facilities.set_index("facility_id").reindex(facility_ids)
    if round_.scenario.distances != "road":
        from medstaff_core.geo import geodesic_km

        return geodesic_km(grads["lat"].to_numpy(dtype=float), grads["lon"].to_numpy(dtype=float),
                           fac["lat"].to_numpy(dtype=float), fac["lon"].to_numpy(dtype=float))
    from ..distances import home_facility_km

    homes, home_of = np.unique(grads[["lat", "lon"]].to_numpy(dtype=float), axis=0, return_inverse=True)
    places, place_of = np.unique(facility_ids.astype(str), return_inverse=True)
    where = round_.facilities.set_index("facility_id").reindex(places).reset_index()
    frame = pd.DataFrame({"home_lat": homes[:, 0], "home_lon": homes[:, 1], "reach_km": np.nan})
    km = home_facility_km(frame, where, round_)
    table = km.set_index(["home", "facility"])["km"]
    return table.reindex(pd.MultiIndex.from_arrays([home_of.ravel(), place_of])).to_numpy(dtype=float)

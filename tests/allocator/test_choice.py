"""The choice mechanism (allocator.mechanisms.choice): by hand, against an independent reference,
against python ``matching``'s hospital-resident solver, on Hypothesis rounds, and through the CLI."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.oracle import World, brute_force, money
from support.rounds import tiny_rounds, write_round

from allocator import round_from_frames, solve
from allocator.check import broken_rules
from allocator.mechanisms.choice import Market, build_market, run_choice
from allocator.programmes import Ledger

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------- the core on plain inputs
def _market(lists, places, post_region=None, sponsor=None, partner=None, order=None, row_progs=None,
            programme_places=()):
    """A Market from lists of posts per graduate (graduate index = position), ranks 1, 2, ..."""
    n = len(lists)
    counts = np.array([len(x) for x in lists], dtype=np.int64)
    stop = np.cumsum(counts)
    rows = [p for x in lists for p in x]
    return Market(order=np.arange(n) if order is None else np.asarray(order),
                  start=stop - counts, stop=stop, row_post=np.array(rows, dtype=np.int64),
                  row_rank=np.array([i + 1 for x in lists for i in range(len(x))], dtype=np.int64),
                  row_progs=row_progs or [None] * len(rows),
                  sponsor=np.full(n, -1) if sponsor is None else np.asarray(sponsor),
                  partner=np.full(n, -1) if partner is None else np.asarray(partner),
                  places=np.asarray(places), post_region=np.zeros(len(places), dtype=np.int64)
                  if post_region is None else np.asarray(post_region),
                  programme_places=np.asarray(programme_places, dtype=np.int64),
                  ledgers=tuple(Ledger(int(c), [], []) for c in programme_places))


def _posts(picks, m):
    return [int(m.row_post[r]) if r >= 0 else None for r in picks.row]


def test_turns_go_by_rating_then_id_and_the_unrated_last():
    frames, prefs = _hand_round()
    g = frames["graduates"]
    frames["graduates"] = g.assign(graduate_id=["g3", "g1", "g2", "g4", "g0"], rating=[4.0, 5.0, 4.0, None, None])
    market, grads, _, _ = build_market(round_from_frames(**frames))
    assert grads["graduate_id"].to_numpy()[market.order].tolist() == ["g1", "g2", "g3", "g0", "g4"]
    frames["graduates"] = frames["graduates"].assign(rating=1.0, status=["available"] * 4 + ["exempt"])
    market, grads, _, _ = build_market(round_from_frames(**frames))
    assert grads["graduate_id"].to_numpy()[market.order].tolist() == ["g1", "g2", "g3", "g4"]  # g0 exempt


def test_each_takes_the_best_listed_post_with_a_place_left_in_turn_order():
    m = _market([[0, 1], [0, 1], [0]], places=[1, 1], order=[2, 0, 1])
    picks = run_choice(m)
    assert _posts(picks, m) == [1, None, 0]  # g2 first takes post 0; g0 its second; g1 nothing
    assert picks.row[0] == 1 and picks.places_left.tolist() == [0, 0]


def test_a_targeted_graduate_only_takes_posts_in_the_sponsor_region():
    m = _market([[0, 1]], places=[1, 1], post_region=[0, 1], sponsor=[1])
    assert _posts(run_choice(m), m) == [1]


def test_programme_places_go_in_turn_order_and_to_the_first_programme_with_a_place():
    # three paid graduates want rural post 0 (3 places); programmes A (1 place) and B (1 place) both match
    m = _market([[0], [0], [0]], places=[3], order=[2, 1, 0], row_progs=[(0, 1)] * 3, programme_places=[1, 1])
    picks = run_choice(m)
    assert picks.programme.tolist() == [-1, 1, 0]  # g2 takes A's place, g1 B's, g0 none left
    assert _posts(picks, m) == [None, 0, 0]
    assert [book.places for book in picks.programme_left] == [0, 0]


def test_a_couple_chooses_at_the_leaders_turn_in_one_region_from_both_lists():
    # posts: 0 and 1 in region 0, 2 in region 1; leader 0 lists 2 then 0; follower 1 lists only region 0
    m = _market([[2, 0], [1], [1]], places=[1, 1, 1], post_region=[0, 0, 1], partner=[1, 0, -1],
                order=[0, 2, 1])
    picks = run_choice(m)
    assert _posts(picks, m) == [0, 1, None]  # region 1 fails for the follower; region 0 works, before g2
    # no region works for the follower: neither takes anything, and the places stay for others
    m = _market([[2], [1], [1]], places=[1, 1, 1], post_region=[0, 0, 1], partner=[1, 0, -1], order=[0, 2, 1])
    picks = run_choice(m)
    assert _posts(picks, m) == [None, None, 1] and picks.places_left.tolist() == [1, 0, 1]


def test_a_couple_at_one_post_needs_two_places():
    m = _market([[0, 1], [0, 1]], places=[1, 2], partner=[1, 0])
    assert _posts(run_choice(m), m) == [0, 1]  # leader takes 0; the follower's 0 is full, so 1 (same region)


# --------------------------------------------------------------------------- an independent reference
def _reference(frames, preferences):
    """The rating-order process written from the rules, recursively over the turns, on the raw frames
    (the choices only; the commission is brute-forced separately)."""
    grads = frames["graduates"].set_index("graduate_id")
    programmes = frames.get("programmes")
    programmes = programmes if programmes is not None else pd.DataFrame(columns=["programme_id"])
    free = frames["graduates"].assign(max_km=None)
    world = World(frames["regions"], frames["facilities"], frames["vacancies"], free, programmes)

    def rating(g):
        r = grads.loc[g].get("rating", None)
        return None if r is None or (isinstance(r, float) and math.isnan(r)) or r == "" else float(r)

    def status(g):
        s = grads.loc[g].get("status", None)
        return "available" if s is None or s == "" or (isinstance(s, float) and math.isnan(s)) else s

    avail = [g for g in grads.index if status(g) == "available"]
    order = sorted(avail, key=lambda g: (rating(g) is None, -(rating(g) or 0.0), str(g)))
    lists = {g: [r.facility_id for r in preferences[preferences["graduate_id"] == g].sort_values("rank").itertuples()]
             for g in grads.index}
    caps = {}
    for p in programmes.itertuples():
        limits = [] if pd.isna(p.quota) else [int(p.quota)]
        if not pd.isna(p.budget) and money(p.payment) > 0:
            limits.append(math.floor(Fraction(money(p.budget)) / Fraction(money(p.payment))))
        caps[p.programme_id] = min(limits) if limits else 10**9
    region = frames["facilities"].set_index("facility_id")["region_id"]

    def partner_of(g):
        mate = grads.loc[g].get("partner_id", None)
        if isinstance(mate, str) and mate and mate in avail and grads.loc[mate].get("partner_id") == g:
            return mate
        return None

    def options(g, f, left, prog_left, in_region=None):
        spec = grads.loc[g, "specialty"]
        if left.get((f, spec), 0) <= 0 or (in_region is not None and region[f] != in_region):
            return None
        allowed = [(ff, s, k) for ff, s, k in world.options(g) if ff == f]
        if not allowed:
            return None
        if allowed[0][2] is None:
            return (f, spec, None)
        for k in programmes["programme_id"]:  # programmes.csv order
            if (f, spec, k) in allowed and prog_left[k] > 0:
                return (f, spec, k)
        return None

    def taken(left, prog_left, pick):
        f, s, k = pick
        left = {**left, (f, s): left[(f, s)] - 1}
        return left, (prog_left if k is None else {**prog_left, k: prog_left[k] - 1})

    def turn(i, left, prog_left, got, done):
        if i == len(order):
            return got
        g = order[i]
        if g in done:
            return turn(i + 1, left, prog_left, got, done)
        mate = partner_of(g)
        for f in lists[g]:
            pick = options(g, f, left, prog_left)
            if pick is None:
                continue
            left2, prog2 = taken(left, prog_left, pick)
            if mate is None:
                return turn(i + 1, left2, prog2, {**got, g: pick}, done | {g})
            for f2 in lists[mate]:
                pick2 = options(mate, f2, left2, prog2, region[f])
                if pick2 is not None:
                    left3, prog3 = taken(left2, prog2, pick2)
                    return turn(i + 1, left3, prog3, {**got, g: pick, mate: pick2}, done | {g, mate})
        return turn(i + 1, left, prog_left, got, done | {g} | ({mate} if mate else set()))

    left = {(r.facility_id, r.specialty): int(r.vacancies) for r in frames["vacancies"].itertuples()}
    return turn(0, left, dict(caps), {}, frozenset()), left, caps


@st.composite
def choice_rounds(draw, programmes=True, couples=True, max_graduates=5):
    """tiny_rounds with ratings (ties and blanks), statuses, couples and lists of up to 3 facilities."""
    frames = draw(tiny_rounds(max_graduates=max_graduates))
    if not programmes:
        frames["programmes"] = frames["programmes"].iloc[:0]
    grads = frames["graduates"].copy()
    n = len(grads)
    if programmes and draw(st.booleans()):  # programme places contended: rural posts, mostly paid graduates
        frames["facilities"] = frames["facilities"].assign(rural=True)
        frames["programmes"] = pd.DataFrame(
            [("zd", "Земский доктор", "1000000.40", None, draw(st.sampled_from(["2000000.79", "2000000.80"])),
              "", None, None),
             ("reg", "Региональная", "150000", draw(st.sampled_from([0, 1])), None, "therapist", None, 50_000)],
            columns=["programme_id", "name", "payment", "quota", "budget", "specialties", "region_id",
                     "max_settlement_population"])
        extra = grads.iloc[[0] * 3].assign(graduate_id=["h1", "h2", "h3"])  # three more graduates to contend
        extra["specialty"] = [draw(st.sampled_from(sorted(frames["vacancies"]["specialty"].unique())))
                              for _ in range(3)]
        grads = pd.concat([grads, extra], ignore_index=True)
        n = len(grads)
        grads["funding"] = [draw(st.sampled_from(["paid", "paid", "grant"])) for _ in range(n)]
        grads["sponsor_region_id"] = None
        contended = True
    else:
        contended = False
    grads["rating"] = [draw(st.sampled_from([None, 4.0, 4.0, 5.0])) for _ in range(n)]  # ties are common
    grads["status"] = [draw(st.sampled_from(["available"] * 4 + ["exempt", "deferred"])) for _ in range(n)]
    grads["partner_id"] = None
    if couples and n >= 2 and draw(st.booleans()):
        a, b = draw(st.permutations(range(n)))[:2]
        ids = grads["graduate_id"]
        grads.loc[a, "partner_id"], grads.loc[b, "partner_id"] = ids[b], ids[a]
    frames["graduates"] = grads
    vac = frames["vacancies"]
    offered = vac[vac["vacancies"] > 0]
    rows = []
    for g in grads.itertuples():
        mine = sorted(offered.loc[offered["specialty"] == g.specialty, "facility_id"].unique())
        listed = draw(st.permutations(mine))[: draw(st.integers(1 if contended else 0, 3))]
        rows += [(g.graduate_id, k + 1, f) for k, f in enumerate(listed)]
    prefs = pd.DataFrame(rows, columns=["graduate_id", "rank", "facility_id"])
    return frames, prefs


def _round(frames, prefs, **options):
    return round_from_frames(**frames, preferences=prefs, mechanism="choice", **options)


def _chosen(assignments, which):
    a = assignments[which]
    return {r.graduate_id: (r.facility_id, r.specialty, None if pd.isna(r.programme_id) else r.programme_id)
            for r in a.itertuples()}


@FAST
@given(case=choice_rounds())
def test_choices_match_the_reference_and_the_commission_the_brute_force(case):
    frames, prefs = case
    solution = solve(_round(frames, prefs, solver="cbc"))
    a = solution.assignments
    assert solution.checks == () and solution.summary["scenario"]["mechanism"] == "choice"
    by_choice = a["choice_rank"].notna().to_numpy()
    expected, vacancies, caps = _reference(frames, prefs)
    assert _chosen(a, by_choice) == expected
    for r in a[by_choice].itertuples():  # the rank is the post's place on the graduate's list
        mine = prefs[(prefs["graduate_id"] == r.graduate_id) & (prefs["facility_id"] == r.facility_id)]
        assert mine["rank"].tolist() == [r.choice_rank]
    # the commission: the obligated left, on the places left, by the lexicographic optimum
    used_places = {}
    used_prog = {}
    for f, s, k in expected.values():
        used_places[(f, s)] = used_places.get((f, s), 0) + 1
        if k is not None:
            used_prog[k] = used_prog.get(k, 0) + 1
    grads = frames["graduates"]
    status = grads["status"].fillna("available")
    free = dict(zip(grads["graduate_id"], status == "available"))
    funding = dict(zip(grads["graduate_id"], grads["funding"]))
    in_couple = grads["partner_id"].map(lambda mate: isinstance(mate, str) and free.get(mate, False))
    # a couple goes to the commission only when both are obligated; with a paid member it stays out
    paid_couple = in_couple & ((grads["funding"] == "paid") | (grads["partner_id"].map(funding) == "paid"))
    left_ids = grads.loc[(status == "available") & grads["funding"].isin(["grant", "targeted"]) & ~paid_couple
                         & ~grads["graduate_id"].isin(set(expected)), "graduate_id"]
    vac = frames["vacancies"].copy()
    vac["vacancies"] = [n - used_places.get((f, s), 0) for f, s, n in vac[["facility_id", "specialty", "vacancies"]]
                        .itertuples(index=False)]
    sub = World(frames["regions"], frames["facilities"], vac, grads[grads["graduate_id"].isin(set(left_ids))])
    # (World binds a couple only when both members are among the commission's graduates)
    commission = _chosen(a, ~by_choice)
    assert set(commission) <= set(left_ids)
    assert sub.violations(commission) == []
    best = brute_force(sub)
    placed, deficit, km = sub.objective(commission)
    assert placed == best[0] and deficit == pytest.approx(best[1], abs=1e-6)
    assert km == pytest.approx(best[2], abs=0.05 * max(1, len(commission)))
    # paid graduates who took nothing are unplaced as no_choice_available; nobody is placed twice
    un = solution.unplaced.set_index("graduate_id")
    for g in grads.itertuples():
        if g.graduate_id not in set(a["graduate_id"]) and status[g.Index] == "available" and (
                g.funding == "paid" or paid_couple[g.Index]):
            assert un.loc[g.graduate_id, "reason"] == "no_choice_available"
    assert len(a) + len(un) == len(grads)


@FAST
@given(case=choice_rounds(programmes=False, couples=False))
def test_without_commission_and_programmes_it_is_the_resident_optimal_stable_matching(case):
    from matching.games import HospitalResident

    frames, prefs = case
    round_ = _round(frames, prefs)
    solution = solve(round_)
    a = solution.assignments
    ours = {r.graduate_id: r.facility_id for r in a[a["choice_rank"].notna()].itertuples()}
    # residents: available graduates, each with the listed posts allowed for them (sponsor region,
    # no programme: a paid graduate cannot take a rural post); hospitals: posts, ranking by rating
    grads = frames["graduates"].set_index("graduate_id")
    fac = frames["facilities"].set_index("facility_id")
    rural = fac["rural"].astype(str).str.lower().isin(["true", "1"])
    status = grads["status"].fillna("available")
    rating = grads["rating"].astype(float)
    order = {g: i for i, g in enumerate(sorted(
        grads.index[status == "available"], key=lambda g: (pd.isna(rating[g]), -rating.fillna(0)[g], g)))}
    residents = {}
    for g in order:
        mine = prefs[prefs["graduate_id"] == g].sort_values("rank")["facility_id"]
        spec = grads.at[g, "specialty"]
        funding = grads.at[g, "funding"]
        ok = [f for f in mine if (funding != "targeted" or fac.at[f, "region_id"] == grads.at[g, "sponsor_region_id"])
              and not (funding == "paid" and rural[f])]
        if ok:
            residents[g] = [f"{f}/{spec}" for f in ok]
    capacities = {f"{r.facility_id}/{r.specialty}": int(r.vacancies) for r in frames["vacancies"].itertuples()
                  if any(f"{r.facility_id}/{r.specialty}" in x for x in residents.values())}
    if not residents:
        assert ours == {}
        return
    hospitals = {h: sorted((g for g, x in residents.items() if h in x), key=order.get) for h in capacities}
    game = HospitalResident.create_from_dictionaries(residents, hospitals, capacities)
    matched = game.solve(optimal="resident")
    theirs = {r.name: h.name.split("/")[0] for h, rs in matched.items() for r in rs}
    assert ours == theirs


@FAST
@given(case=choice_rounds(max_graduates=6))
def test_every_choice_solution_passes_the_checker_on_the_round_itself(case):
    frames, prefs = case
    round_ = _round(frames, prefs, max_km=60.0)
    solution = solve(round_)
    a = solution.assignments
    commission = a[a["choice_rank"].isna()]
    assert broken_rules(round_, commission) == []  # the commission keeps max_km
    lifted = round_.graduates.assign(max_km=np.nan)
    import dataclasses

    assert broken_rules(dataclasses.replace(round_, graduates=lifted), a, couples=True) == []
    # a couple: both placed in one region, or neither placed in the choice step
    grads = round_.graduates.set_index("graduate_id")
    where = a.set_index("graduate_id")
    for g, mate in grads["partner_id"].dropna().items():
        if grads.at[g, "status"] == grads.at[mate, "status"] == "available":
            chose = [x for x in (g, mate) if x in where.index and not pd.isna(where.at[x, "choice_rank"])]
            if len(chose) == 2:
                assert where.at[g, "region_id"] == where.at[mate, "region_id"]
            else:
                assert chose == []


# --------------------------------------------------------------------------- by hand, on rounds
def _hand_round():
    regions = pd.DataFrame({"region_id": ["a", "b"], "name": ["A", "B"], "lat": [53.0, 53.0],
                            "lon": [44.0, 46.0], "population": [1000, 1000], "weight": [1.0, 3.0]})
    facilities = pd.DataFrame({"facility_id": ["fa", "fb", "fc"], "name": ["A", "B", "C"],
                               "region_id": ["a", "b", "b"], "lat": [53.0, 53.0, 53.1], "lon": [44.0, 46.0, 46.1],
                               "rural": [False, True, True], "settlement_population": [60000, 900, 900]})
    vacancies = pd.DataFrame({"facility_id": ["fa", "fb", "fc"], "specialty": ["gp"] * 3, "vacancies": [1, 1, 1]})
    graduates = pd.DataFrame({
        "graduate_id": ["g1", "g2", "g3", "g4", "g5"], "specialty": ["gp"] * 5,
        "funding": ["grant", "paid", "paid", "grant", "paid"], "home_region_id": ["a"] * 5,
        "rating": [3.0, 5.0, 4.0, None, 1.0]})
    programmes = pd.DataFrame({"programme_id": ["zd"], "name": ["Земский доктор"], "payment": ["1000000.40"],
                               "quota": [None], "budget": ["1000000.40"], "specialties": [""], "region_id": [None],
                               "max_settlement_population": [50000]})
    prefs = pd.DataFrame({"graduate_id": ["g1", "g2", "g2", "g3", "g3", "g5"], "rank": [1, 1, 2, 1, 2, 1],
                          "facility_id": ["fa", "fa", "fb", "fa", "fb", "fc"]})
    return dict(regions=regions, facilities=facilities, vacancies=vacancies, graduates=graduates,
                programmes=programmes), prefs


def test_by_hand_rating_order_programme_places_commission_and_no_choice():
    frames, prefs = _hand_round()
    solution = solve(_round(frames, prefs, max_km=300.0))
    a = solution.assignments.set_index("graduate_id")
    # g2 (5.0) takes fa; g3 (4.0) fa is full, takes fb with the programme's one place (budget = one payment);
    # g1 (3.0) lists only fa: nothing; g5 (1.0) fc is rural, the programme is spent: nothing;
    # the commission places grant g1 (and g4, unrated, listing nothing) into fc, the one place left
    assert a.loc["g2", ["facility_id", "choice_rank"]].tolist() == ["fa", 1]
    assert a.loc["g3", ["facility_id", "programme_id", "choice_rank"]].tolist() == ["fb", "zd", 2]
    assert a.loc["g3", "payment"] == pytest.approx(1000000.40)
    commission = a[a["choice_rank"].isna()]
    assert commission["facility_id"].tolist() == ["fc"] and commission.index[0] in ("g1", "g4")
    un = solution.unplaced.set_index("graduate_id")
    assert un.loc["g5", "reason"] == "no_choice_available"
    assert un.loc[{"g1", "g4"}.difference(commission.index).pop(), "reason"] == "all_taken"
    assert solution.summary["unplaced_by_reason"] == {"all_taken": 1, "no_choice_available": 1}
    use = solution.programmes[0]
    assert use.placed == 1 and Decimal(repr(use.spend)) <= Decimal("1000000.40")
    assert solution.obligated_placed == 1 and solution.checks == ()


def test_a_menu_offers_fewer_places_to_the_choices_and_to_the_commission():
    from allocator.mechanisms.choice import solve_choice

    frames, prefs = _hand_round()
    round_ = _round(frames, prefs, max_km=300.0)
    _, _, posts, _ = build_market(round_)
    assert posts["facility_id"].tolist() == ["fa", "fb", "fc"]
    solution = solve_choice(round_, solve, offered=[1, 0, 1])  # fb not offered
    a = solution.assignments.set_index("graduate_id")
    # g2 takes fa; g3 (fa full, fb not offered) nothing; the commission puts a grant graduate at fc
    assert a.loc["g2", "facility_id"] == "fa" and "g3" not in a.index
    assert a["facility_id"].tolist().count("fb") == 0 and len(a) == 2 and solution.checks == ()
    assert solution.offered["offered"].tolist() == [1, 0, 1]
    nothing = solve_choice(round_, solve, offered=[0, 0, 0])
    assert nothing.assignments.empty and nothing.weighted_deficit == nothing.weighted_deficit_before
    with pytest.raises(ValueError):
        solve_choice(round_, solve, offered=[2, 0, 1])  # more than the vacancies


def test_the_commission_keeps_max_km_and_the_choice_does_not():
    frames, prefs = _hand_round()
    frames["graduates"] = frames["graduates"].iloc[[0, 3]].reset_index(drop=True)  # g1, g4: grant
    prefs = pd.DataFrame({"graduate_id": ["g1"], "rank": [1], "facility_id": ["fc"]})  # ~140 km from home
    solution = solve(_round(frames, prefs, max_km=50.0))
    a = solution.assignments.set_index("graduate_id")
    assert a.loc["g1", "facility_id"] == "fc" and a.loc["g1", "km"] > 50 and a.loc["g1", "choice_rank"] == 1
    assert a.loc["g4", "facility_id"] == "fa" and pd.isna(a.loc["g4", "choice_rank"])  # fb is beyond max_km
    assert solution.checks == ()


def test_a_targeted_graduate_chooses_only_in_the_sponsor_region():
    frames, prefs = _hand_round()
    g = frames["graduates"].iloc[[0]].assign(funding="targeted", sponsor_region_id="b", rating=1.0)
    frames["graduates"] = g
    prefs = pd.DataFrame({"graduate_id": ["g1", "g1"], "rank": [1, 2], "facility_id": ["fa", "fc"]})
    a = solve(_round(frames, prefs)).assignments
    assert a[["facility_id", "choice_rank"]].values.tolist() == [["fc", 2]]


def test_the_default_mechanism_is_unchanged_and_hashes_as_before():
    frames, prefs = _hand_round()
    plain = round_from_frames(**frames)
    assert "mechanism" not in plain.scenario.as_dict()
    assert plain.input_hash() == round_from_frames(**frames, mechanism="assign").input_hash()
    assert plain.input_hash() != round_from_frames(**frames, mechanism="choice").input_hash()
    a = solve(plain).assignments
    assert a.equals(solve(round_from_frames(**frames, mechanism="assign")).assignments)


# --------------------------------------------------------------------------- the command line
def test_cli_solves_with_mechanism_choice(tmp_path, capsys):
    from allocator.cli import main

    frames, prefs = _hand_round()
    folder = write_round({**frames, "preferences": prefs}, tmp_path / "round")
    out = tmp_path / "out"
    code = main(["solve", str(folder), "--mechanism", "choice", "--out", str(out), "--no-store", "-q",
                 "--max-km", "300"])
    assert code == 0
    a = pd.read_csv(out / "assignments.csv", dtype={"choice_rank": "Int64"})
    assert "choice_rank" in a.columns
    assert a.set_index("graduate_id").loc["g2", "choice_rank"] == 1
    assert a["choice_rank"].isna().sum() == 1
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"]["mechanism"] == "choice" and summary["checks"]["broken_rules"] == []
    offered = pd.read_csv(out / "offered.csv")
    assert offered.values.tolist() == [["fa", "gp", 1], ["fb", "gp", 1], ["fc", "gp", 1]]  # every vacancy
    assert summary["blocking_pairs"] == 0
    (folder / "scenario.toml").write_text('mechanism = "lottery"\n', encoding="utf-8")
    assert main(["solve", str(folder), "--out", str(tmp_path / "out2"), "--no-store", "-q"]) == 2
    err = capsys.readouterr().err
    assert "scenario.toml" in err and "mechanism" in err and "lottery" in err
    (folder / "scenario.toml").write_text('mechanism = "choice"\nmax_km = 300\n', encoding="utf-8")
    assert main(["solve", str(folder), "--out", str(out), "--no-store", "--lang", "ru"]) == 0
    assert "механизм «выбор»: выбрали место из своего списка 2 (первый выбор 50,0 %" in capsys.readouterr().out


def test_build_market_reads_plain_frames_without_the_issue_13_columns():
    frames, prefs = _hand_round()
    frames["graduates"] = frames["graduates"].drop(columns=["rating"])
    round_ = round_from_frames(**frames)
    market, grads, posts, rows = build_market(round_, prefs)
    assert market.order.tolist() == [0, 1, 2, 3, 4]  # all unrated: by id
    assert len(rows) == len(prefs) and market.row_progs[rows.index[(rows["graduate_id"] == "g5")][0]] == (0,)


@FAST
@given(case=choice_rounds(couples=False, max_graduates=6))
def test_the_audit_finds_no_justified_envy_in_a_choice_result(case):
    from allocator.mechanisms import audit
    frames, prefs = case
    round_ = _round(frames, prefs, max_km=60.0)
    solution = solve(round_)
    # the commission fills only places no chooser wanted when their turn came, so it adds no envy either
    pairs = audit.blocking_pairs(round_, solution.assignments)
    assert pairs.empty, pairs


@pytest.mark.parametrize("distances", ["geodesic", "road"])
def test_penza_by_choice_is_checked_envy_free_and_its_commission_keeps_max_km(distances):
    from support.paths import PENZA

    from allocator import load_round

    round_ = load_round(PENZA, mechanism="choice", distances=distances)
    assert len(round_.preferences)  # the bundled SYNTHETIC lists
    solution = solve(round_)
    a = solution.assignments
    assert solution.checks == () and solution.summary["blocking_pairs"] == 0
    assert a["km"].notna().all() and (a["km"] >= 0).all()
    listed = round_.preferences.set_index(["graduate_id", "facility_id"])["rank"]
    chose = a[a["choice_rank"].notna()]
    assert (listed.reindex(pd.MultiIndex.from_frame(chose[["graduate_id", "facility_id"]])).to_numpy()
            == chose["choice_rank"].to_numpy()).all()
    commission = a[a["choice_rank"].isna()]
    assert broken_rules(round_, commission) == [] and len(commission) > 0
    offered = solution.offered.set_index(["facility_id", "specialty"])["offered"]
    assert int(offered.sum()) == int(round_.vacancies["vacancies"].sum())


def test_the_commission_gets_what_is_left_of_the_time_limit():
    frames, prefs = _hand_round()
    solution = solve(_round(frames, prefs, max_km=300.0, time_limit=0.0))
    a = solution.assignments
    assert str(solution.status) == "time_limit" and solution.checks == ()
    assert a["choice_rank"].notna().all() and len(a) == 2  # the choices stand; the commission had no time

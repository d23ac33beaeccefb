"""The justified-envy audit against hand-made cases and a brute force from the definition."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.rounds import tiny_rounds

from allocator import round_from_frames
from allocator.mechanisms.audit import blocking_pairs
from allocator.mechanisms.ranks import choice_order, choice_ranks, rank_distribution


def _tiny(**graduate_columns) -> dict:
    regions = pd.DataFrame({"region_id": ["a", "b"], "name": ["A", "B"], "lat": [53.0, 53.5], "lon": [44.0, 44.5],
                            "population": [1000, 1000]})
    facilities = pd.DataFrame({"facility_id": ["town", "vill"], "name": ["ЦРБ", "ФАП"], "region_id": ["a", "b"],
                               "lat": [53.0, 53.5], "lon": [44.0, 44.5], "rural": [False, True],
                               "settlement_population": [20000, 800]})
    vacancies = pd.DataFrame({"facility_id": ["town", "vill"], "specialty": ["therapist", "therapist"],
                              "vacancies": [1, 1]})
    graduates = pd.DataFrame({"graduate_id": ["g1", "g2", "g3"], "specialty": ["therapist"] * 3,
                              "funding": ["grant", "grant", "grant"], "home_region_id": ["a", "a", "b"],
                              "rating": [5.0, 4.0, 3.0], **graduate_columns})
    preferences = pd.DataFrame({"graduate_id": ["g1", "g1", "g2", "g3"], "rank": [1, 2, 1, 1],
                                "facility_id": ["town", "vill", "town", "vill"]})
    return {"regions": regions, "facilities": facilities, "vacancies": vacancies, "graduates": graduates,
            "preferences": preferences}


def _assign(pairs) -> pd.DataFrame:
    return pd.DataFrame([(g, f, "therapist", None) for g, f in pairs],
                        columns=["graduate_id", "facility_id", "specialty", "programme_id"])


def test_rating_order_breaks_ties_by_id_and_puts_the_unrated_last():
    g = pd.DataFrame({"graduate_id": ["b", "a", "c", "d"], "rating": [4.0, 4.0, np.nan, 5.0]})
    assert choice_order(g).to_dict() == {"d": 0, "a": 1, "b": 2, "c": 3}


def test_a_stable_distribution_has_no_blocking_pair():
    round_ = round_from_frames(**_tiny())
    assert blocking_pairs(round_, _assign([("g1", "town"), ("g3", "vill")])).empty


def test_envy_towards_a_worse_rated_holder():
    round_ = round_from_frames(**_tiny())
    pairs = blocking_pairs(round_, _assign([("g2", "town"), ("g1", "vill")]))
    assert pairs[["graduate_id", "facility_id", "holder_id"]].values.tolist() == [["g1", "town", "g2"]]
    assert pairs[["graduate_rating", "holder_rating"]].values.tolist() == [[5.0, 4.0]]


def test_envy_towards_a_free_place_and_none_from_the_exempt():
    round_ = round_from_frames(**_tiny())
    pairs = blocking_pairs(round_, _assign([("g1", "town")]))
    assert pairs[["graduate_id", "facility_id"]].values.tolist() == [["g3", "vill"]]
    assert pairs["holder_id"].isna().all()
    exempt = round_from_frames(**_tiny(status=["available", "available", "exempt"]))
    assert blocking_pairs(exempt, _assign([("g1", "town")])).empty


def test_the_offered_table_replaces_the_vacancies():
    round_ = round_from_frames(**_tiny())
    offered = pd.DataFrame({"facility_id": ["town", "vill"], "specialty": ["therapist"] * 2, "offered": [1, 0]})
    assert blocking_pairs(round_, _assign([("g1", "town")]), offered).empty


def test_targeted_outside_the_sponsor_region_and_paid_without_a_programme_do_not_envy():
    targeted = round_from_frames(**_tiny(funding=["grant", "grant", "targeted"], sponsor_region_id=[None, None, "a"]))
    assert blocking_pairs(targeted, _assign([("g1", "town")])).empty
    paid = _tiny(funding=["grant", "grant", "paid"])
    assert blocking_pairs(round_from_frames(**paid), _assign([("g1", "town")])).empty
    paid["programmes"] = pd.DataFrame({"programme_id": ["zf"], "name": ["Земский"], "payment": [1.0], "quota": [1],
                                       "budget": [None], "specialties": [""], "region_id": [None],
                                       "max_settlement_population": [50000]})
    assert blocking_pairs(round_from_frames(**paid), _assign([("g1", "town")]))["graduate_id"].tolist() == ["g3"]


def test_choice_ranks_and_their_distribution():
    round_ = round_from_frames(**_tiny())
    a = _assign([("g1", "vill"), ("g2", "town")])
    assert choice_ranks(round_.preferences, a).tolist() == [2, 1]
    d = rank_distribution(round_.preferences, a)
    assert d == {"listed": 3, "first_choice": 1, "top3": 2, "listed_none": 1, "first_choice_share": 0.333333,
                 "top3_share": 0.666667, "listed_none_share": 0.333333}


# ------------------------------------------------------------------ brute force from the definition


def _brute(round_, assignments, offered=None) -> set[tuple[str, str, str | None]]:
    grads = round_.graduates.set_index("graduate_id")
    fac = round_.facilities.set_index("facility_id")
    order = choice_order(round_.graduates)
    cap_rows = (offered if offered is not None else round_.vacancies.rename(columns={"vacancies": "offered"}))
    cap = {(r.facility_id, r.specialty): r.offered for r in cap_rows.itertuples()}
    where = {r.graduate_id: (r.facility_id, r.specialty, r.programme_id) for r in assignments.itertuples()}
    lists = {}
    for r in round_.preferences.itertuples():
        lists.setdefault(r.graduate_id, {})[r.facility_id] = r.rank
    found = set()
    for gid, ranks in lists.items():
        me = grads.loc[gid]
        if me["status"] != "available":
            continue
        own = where.get(gid)
        own_rank = ranks.get(own[0], math.inf) if own else math.inf
        for f, r in ranks.items():
            if not r < own_rank:
                continue
            post = (f, me["specialty"])
            if me["funding"] == "targeted" and fac.at[f, "region_id"] != me["sponsor_region_id"]:
                continue
            if me["funding"] == "paid" and fac.at[f, "rural"] and not _place(round_, me, gid, f, fac, where, order):
                continue
            holders = [h for h, w in where.items() if (w[0], w[1]) == post]
            if len(holders) < cap.get(post, 0):
                found.add((gid, f, None))
                continue
            later = [h for h in holders if order[h] > order[gid]]
            if later:
                found.add((gid, f, max(later, key=lambda h: order[h])))
    return found


def _place(round_, me, gid, f, fac, where, order) -> bool:
    for p in round_.programmes.itertuples():
        if p.specialties and me["specialty"] not in p.specialties:
            continue
        if isinstance(p.region_id, str) and fac.at[f, "region_id"] != p.region_id:
            continue
        size = fac.at[f, "settlement_population"]
        if not pd.isna(p.max_settlement_population) and (pd.isna(size) or size > p.max_settlement_population):
            continue
        limit = math.inf if pd.isna(p.quota) else p.quota
        if not pd.isna(p.budget) and p.payment > 0:
            limit = min(limit, math.floor(p.budget / p.payment + 1e-9))
        before = sum(1 for h, w in where.items() if w[2] == p.programme_id and order[h] < order[gid])
        if before < limit:
            return True
    return False


@st.composite
def audited(draw):
    frames = draw(tiny_rounds(max_graduates=6, max_facilities=3))
    g = frames["graduates"]
    n = len(g)
    g = g.assign(rating=[draw(st.sampled_from([3.0, 4.0, 4.5, 5.0, None])) for _ in range(n)],
                 status=[draw(st.sampled_from(["available"] * 4 + ["exempt"])) for _ in range(n)])
    frames["graduates"] = g
    vac = frames["vacancies"]
    rows, where, used = [], [], {}
    for r in g.itertuples():
        posts = sorted(vac.loc[vac["specialty"] == r.specialty, "facility_id"])
        chosen = draw(st.permutations(posts))[: draw(st.integers(0, len(posts)))]
        rows += [(r.graduate_id, k + 1, f) for k, f in enumerate(chosen)]
        if posts and draw(st.booleans()):  # any distribution: it need not respect any rule but the places
            f = draw(st.sampled_from(posts))
            cap = int(vac.loc[(vac["facility_id"] == f) & (vac["specialty"] == r.specialty), "vacancies"].sum())
            if used.get((f, r.specialty), 0) < cap:
                used[(f, r.specialty)] = used.get((f, r.specialty), 0) + 1
                prog = draw(st.sampled_from([None, *frames["programmes"]["programme_id"]]))
                where.append((r.graduate_id, f, r.specialty, prog))
    frames["preferences"] = pd.DataFrame(rows, columns=["graduate_id", "rank", "facility_id"])
    assignments = pd.DataFrame(where, columns=["graduate_id", "facility_id", "specialty", "programme_id"])
    offered = None
    if draw(st.booleans()):
        offered = vac.rename(columns={"vacancies": "offered"}).assign(
            offered=[draw(st.integers(0, int(v))) for v in vac["vacancies"]])
    return frames, assignments, offered


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=audited())
def test_the_vectorised_audit_equals_the_definition(case):
    frames, assignments, offered = case
    round_ = round_from_frames(**frames)
    got = blocking_pairs(round_, assignments, offered)
    found = {(r.graduate_id, r.facility_id, None if pd.isna(r.holder_id) else r.holder_id) for r in got.itertuples()}
    assert len(found) == len(got)
    assert found == _brute(round_, assignments, offered)


@pytest.mark.parametrize("n", [0, 1])
def test_no_preferences_no_pairs(n):
    frames = _tiny()
    frames["preferences"] = frames["preferences"].iloc[:n]
    round_ = round_from_frames(**frames)
    assert list(blocking_pairs(round_, _assign([("g1", "town")])).columns) == [
        "graduate_id", "facility_id", "specialty", "holder_id", "graduate_rating", "holder_rating"]


# ------------------------------------------------------------------ allocator audit (audit_cli.main)


def test_audit_command_exit_codes_output_and_refusals(tmp_path, capsys):
    from support.rounds import write_round

    from allocator.mechanisms.audit_cli import main

    folder = write_round(_tiny(), tmp_path / "round")
    stable = tmp_path / "stable.csv"
    _assign([("g1", "town"), ("g3", "vill")]).to_csv(stable, index=False)
    assert main([str(folder), str(stable), "--lang", "en"]) == 0
    assert "no justified-envy pair" in capsys.readouterr().out
    envious = tmp_path / "envious.csv"
    pd.DataFrame({"graduate_id": ["g2", "g1"], "facility_id": ["town", "vill"]}).to_csv(envious, index=False)
    out = tmp_path / "pairs.csv"
    assert main([str(folder), str(envious), "--out", str(out), "--lang", "ru"]) == 1
    assert "пар обоснованной зависти: 1" in capsys.readouterr().out
    written = pd.read_csv(out)
    assert written[["graduate_id", "facility_id", "holder_id"]].values.tolist() == [["g1", "town", "g2"]]
    bad = tmp_path / "bad.csv"
    bad.write_text("graduate_id,facility_id\ng1,town\ngX,town\ng1,nowhere\n", encoding="utf-8")
    assert main([str(folder), str(bad), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and "row 3" in err and "graduate_id" in err and "row 4" in err and "facility_id" in err
    no_col = tmp_path / "nocol.csv"
    no_col.write_text("graduate_id\ng1\n", encoding="utf-8")
    assert main([str(folder), str(no_col)]) == 2
    assert main([str(tmp_path / "missing"), str(stable)]) == 2

"""The menu mechanism (allocator.mechanisms.menu): the proven menu against every menu tried."""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support.rounds import town_and_village

from allocator import round_from_frames, solve
from allocator.mechanisms.choice import build_market, solve_choice
from allocator.mechanisms.menu import MenuError, solve_menu

_spec = importlib.util.spec_from_file_location("choice_cases", Path(__file__).with_name("test_choice.py"))
_choice_cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_choice_cases)
choice_rounds = _choice_cases.choice_rounds


def outcome(solution) -> tuple:
    """The lexicographic key of a final outcome: most obligated placed, least deficit, least km."""
    return (-solution.obligated_placed, round(solution.weighted_deficit, 9), round(solution.km_objective, 3))


def every_menu(round_):
    """(best outcome, its menus) over every offered-places vector, each run by the choice mechanism."""
    market, *_ = build_market(round_)
    best, menus = None, []
    for offered in itertools.product(*[range(int(c) + 1) for c in market.places]):
        key = outcome(solve_choice(round_, solve, offered=np.array(offered)))
        if best is None or key < best:
            best, menus = key, [offered]
        elif key == best:
            menus.append(offered)
    return best, menus


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(choice_rounds(couples=False, max_graduates=4))
def test_the_menu_is_as_good_as_the_best_of_every_menu(case):
    frames, prefs = case
    round_ = round_from_frames(**frames, preferences=prefs, mechanism="menu")
    market, *_ = build_market(round_)
    if np.prod([int(c) + 1 for c in market.places]) > 200:
        return  # too many menus to try them all
    best, menus = every_menu(round_)
    solution = solve_menu(round_, solve)
    assert outcome(solution) == best
    offered = tuple(solution.offered.sort_values(["facility_id", "specialty"])["offered"].astype(int))
    assert offered in menus
    assert solution.summary["menu"]["status"] == "optimal"


def _two_posts_round(**options):
    return round_from_frames(**town_and_village(), **options)


def test_by_hand_not_offering_the_town_post_sends_the_graduate_to_the_village():
    """A paid graduate lists the town (weight 1) before the village (weight 2): offering everything
    leaves the village empty (deficit 2); the menu offers no town place, so the village is filled
    (deficit 1, the town's vacancy stays open and counts)."""
    round_ = _two_posts_round(mechanism="menu")
    choice = solve_choice(round_, solve)
    assert choice.assignments["facility_id"].tolist() == ["fT"] and choice.weighted_deficit == pytest.approx(2.0)
    menu = solve_menu(round_, solve)
    assert menu.assignments["facility_id"].tolist() == ["fV"]
    assert menu.weighted_deficit == pytest.approx(1.0)
    offered = menu.offered.set_index("facility_id")["offered"].to_dict()
    assert offered == {"fT": 0, "fV": 1}
    assert menu.assignments["choice_rank"].tolist() == [2]


@st.composite
def couple_menu_rounds(draw):
    """One couple and up to two more graduates, one or two specialties, two regions, three
    facilities of up to two places (so a couple can want two places at one post), lists of up
    to three facilities; no programmes (a couple needing a limited programme place is refused)."""
    regions = pd.DataFrame({"region_id": ["r0", "r1"], "name": ["Р0", "Р1"], "lat": [53.0, 53.5],
                            "lon": [44.0, 45.0], "population": [10_000, 5_000],
                            "weight": [draw(st.sampled_from([1.0, 2.0])), draw(st.sampled_from([1.0, 3.0]))]})
    fac_region = [draw(st.sampled_from(["r0", "r1"])) for _ in range(3)]
    facilities = pd.DataFrame({"facility_id": ["f0", "f1", "f2"], "name": ["Ф0", "Ф1", "Ф2"],
                               "region_id": fac_region, "lat": [53.0, 53.2, 53.5], "lon": [44.0, 44.5, 45.0],
                               "rural": [False] * 3, "settlement_population": [20_000] * 3})
    specialties = draw(st.sampled_from([["therapist"], ["therapist", "nurse"]]))
    vac = [(f, sp, draw(st.integers(0, 2))) for f in ("f0", "f1", "f2") for sp in specialties]
    vacancies = pd.DataFrame(vac, columns=["facility_id", "specialty", "vacancies"])
    n = draw(st.integers(2, 4))
    grads = pd.DataFrame({
        "graduate_id": [f"g{i}" for i in range(n)],
        "specialty": [draw(st.sampled_from(specialties)) for _ in range(n)],
        "funding": [draw(st.sampled_from(["grant", "targeted", "paid"])) for _ in range(n)],
        "home_region_id": [draw(st.sampled_from(["r0", "r1"])) for _ in range(n)],
        "rating": [draw(st.sampled_from([None, 4.0, 5.0])) for _ in range(n)]})
    grads["sponsor_region_id"] = [draw(st.sampled_from(["r0", "r1"])) if f == "targeted" else None
                                  for f in grads["funding"]]
    grads["partner_id"] = None
    grads.loc[0, "partner_id"], grads.loc[1, "partner_id"] = "g1", "g0"
    offered = vacancies[vacancies["vacancies"] > 0]
    rows = []
    for g in grads.itertuples():
        mine = sorted(offered.loc[offered["specialty"] == g.specialty, "facility_id"].unique())
        listed = draw(st.permutations(mine))[: draw(st.integers(0, 3))]
        rows += [(g.graduate_id, k + 1, f) for k, f in enumerate(listed)]
    frames = {"regions": regions, "facilities": facilities, "vacancies": vacancies, "graduates": grads}
    return frames, pd.DataFrame(rows, columns=["graduate_id", "rank", "facility_id"])


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.one_of(couple_menu_rounds(), choice_rounds(couples=True, max_graduates=4)))
def test_with_couples_the_menu_is_as_good_as_the_best_of_every_menu(case):
    """Rounds with a couple (it chooses at its leader's turn, pairs of posts in one region; at one post
    it needs two places): the menu's outcome is the best over every offered-places vector."""
    frames, prefs = case
    round_ = round_from_frames(**frames, preferences=prefs, mechanism="menu")
    market, *_ = build_market(round_)
    assume((market.partner >= 0).any())
    if np.prod([int(c) + 1 for c in market.places]) > 200:
        return  # too many menus to try them all
    try:
        solution = solve_menu(round_, solve)
    except MenuError as exc:  # a couple needing a limited programme place: not modelled, said so
        assert exc.code == "couples_programmes"
        return
    best, menus = every_menu(round_)
    assert outcome(solution) == best
    offered = tuple(solution.offered.sort_values(["facility_id", "specialty"])["offered"].astype(int))
    assert offered in menus
    assert solution.summary["menu"]["status"] == "optimal"


def _couple_round(vacancies: int, rural: bool = False, programmes=None):
    frames = _couple_frames(vacancies, rural, programmes)
    return round_from_frames(**frames, mechanism="menu")


def _couple_frames(vacancies: int, rural: bool = False, programmes=None) -> dict:
    frames = {"regions": pd.DataFrame({"region_id": ["r"], "name": ["Р"], "lat": [53.0], "lon": [45.0],
                                       "population": [1000], "weight": [1.0]}),
              "facilities": pd.DataFrame({"facility_id": ["f"], "name": ["Ф"], "region_id": ["r"], "lat": [53.0],
                                          "lon": [45.0], "rural": [rural], "settlement_population": [1000]}),
              "vacancies": pd.DataFrame({"facility_id": ["f"], "specialty": ["nurse"], "vacancies": [vacancies]}),
              "graduates": pd.DataFrame({"graduate_id": ["a", "b"], "specialty": ["nurse", "nurse"],
                                         "funding": ["paid", "paid"], "home_region_id": ["r", "r"],
                                         "rating": [5.0, 4.0], "partner_id": ["b", "a"]})}
    frames["preferences"] = pd.DataFrame({"graduate_id": ["a", "b"], "rank": [1, 1], "facility_id": ["f", "f"]})
    if programmes is not None:
        frames["programmes"] = programmes
    return frames


def test_by_hand_a_couple_takes_a_post_of_two_places_and_not_of_one():
    two = solve_menu(_couple_round(2), solve)
    assert sorted(two.assignments["graduate_id"]) == ["a", "b"] and list(two.assignments["choice_rank"]) == [1, 1]
    assert two.offered["offered"].tolist() == [2] and two.summary["menu"]["status"] == "optimal"
    one = solve_menu(_couple_round(1), solve)  # one place: the couple takes nothing (paid: no commission)
    assert one.assignments.empty and set(one.unplaced["reason"]) == {"no_choice_available"}


def test_the_menu_refuses_a_couple_needing_a_limited_programme_place():
    programmes = pd.DataFrame([("zd", "Земский", "1000000", 1, None, "", None, None)],
                              columns=["programme_id", "name", "payment", "quota", "budget", "specialties",
                                       "region_id", "max_settlement_population"])
    with pytest.raises(MenuError, match="limited") as caught:
        solve_menu(_couple_round(2, rural=True, programmes=programmes), solve)
    assert caught.value.code == "couples_programmes"


def test_the_command_line_refuses_it_with_exit_2_in_russian(tmp_path, capsys):
    from support.rounds import write_round

    from allocator.cli import main

    frames = _couple_frames(2, rural=True, programmes=pd.DataFrame(
        [("zd", "Земский", "1000000", 1, None, "", None, None)],
        columns=["programme_id", "name", "payment", "quota", "budget", "specialties", "region_id",
                 "max_settlement_population"]))
    folder = write_round(frames, tmp_path / "round")
    out = tmp_path / "out"
    assert main(["solve", str(folder), "--mechanism", "menu", "--out", str(out), "--no-store", "-q",
                 "--lang", "ru"]) == 2
    assert "механизм меню не учитывает пару" in capsys.readouterr().err
    assert not out.exists()


def test_a_menu_out_of_time_is_never_worse_than_offering_every_vacancy():
    round_ = _two_posts_round(mechanism="menu")
    menu = solve_menu(round_, solve, time_limit=1e-9)
    assert menu.summary["menu"]["status"] != "optimal"
    assert outcome(menu) == outcome(solve_choice(round_, solve))
    assert menu.offered["offered"].sum() == round_.vacancies["vacancies"].sum()


def test_a_round_where_nobody_lists_a_post_offers_every_vacancy_proven_by_the_commission():
    """No lists: every menu leaves the choice step empty, so every vacancy (the commission's widest
    choice) is optimal; a grant holder's outcome is assign's (the village, weight 2)."""
    frames = town_and_village(preferences=False)
    frames["graduates"] = frames["graduates"].assign(funding="grant")
    menu = solve_menu(round_from_frames(**frames, mechanism="menu"), solve)
    assert menu.summary["menu"]["nobody_chooses"] and menu.summary["menu"]["status"] == "optimal"
    assert menu.offered["offered"].tolist() == [1, 1] and menu.assignments["facility_id"].tolist() == ["fV"]
    assert outcome(menu) == outcome(solve(round_from_frames(**frames)))

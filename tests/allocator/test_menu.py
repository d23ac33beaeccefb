"""The menu mechanism (allocator.mechanisms.menu): the proven menu against every menu tried."""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
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


def test_the_menu_refuses_couples():
    frames = {"regions": pd.DataFrame({"region_id": ["r"], "name": ["Р"], "lat": [53.0], "lon": [45.0],
                                       "population": [1000], "weight": [1.0]}),
              "facilities": pd.DataFrame({"facility_id": ["f"], "name": ["Ф"], "region_id": ["r"], "lat": [53.0],
                                          "lon": [45.0], "rural": [False], "settlement_population": [1000]}),
              "vacancies": pd.DataFrame({"facility_id": ["f"], "specialty": ["nurse"], "vacancies": [2]}),
              "graduates": pd.DataFrame({"graduate_id": ["a", "b"], "specialty": ["nurse", "nurse"],
                                         "funding": ["grant", "grant"], "home_region_id": ["r", "r"],
                                         "partner_id": ["b", "a"]})}
    round_ = round_from_frames(**frames, mechanism="menu")
    with pytest.raises(MenuError, match="couples"):
        solve_menu(round_, solve)


def test_a_menu_out_of_time_is_never_worse_than_offering_every_vacancy():
    round_ = _two_posts_round(mechanism="menu")
    menu = solve_menu(round_, solve, time_limit=1e-9)
    assert menu.summary["menu"]["status"] != "optimal"
    assert outcome(menu) == outcome(solve_choice(round_, solve))
    assert menu.offered["offered"].sum() == round_.vacancies["vacancies"].sum()

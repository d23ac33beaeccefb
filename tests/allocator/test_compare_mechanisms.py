"""The comparison of assign, choice and menu (allocator.mechanisms.compare, compare_cli): by hand on a
round where the menu beats choice, its figures recomputed from the solutions' own tables on Hypothesis
rounds, and the command line (files written, Russian output, bad input)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from openpyxl import load_workbook
from support.rounds import town_and_village, write_round

from allocator import round_from_frames
from allocator.mechanisms.compare import compare_mechanisms, offered_posts, solve_all
from allocator.mechanisms.compare_cli import main

_spec = importlib.util.spec_from_file_location("choice_cases", Path(__file__).with_name("test_choice.py"))
_choice_cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_choice_cases)
choice_rounds = _choice_cases.choice_rounds


def test_by_hand_the_menu_wins_back_the_village():
    """Choice fills the town (deficit 2: the village's weight), assign and menu the village
    (deficit 1); the menu offers the town no place."""
    round_ = round_from_frames(**town_and_village())
    events = []
    solutions = solve_all(round_, progress=lambda m, e: events.append((m, e is None)))
    assert [m for m, start in events if start] == ["assign", "choice", "menu"]
    report = compare_mechanisms(round_, solutions)
    json.dumps(report)  # JSON-able as it is
    figures = report["mechanisms"]
    assert [figures[m]["weighted_deficit"] for m in ("assign", "choice", "menu")] == [1.0, 2.0, 1.0]
    assert report["choice_cost"] == pytest.approx(1.0) and report["menu_gain"] == pytest.approx(1.0)
    assert figures["choice"]["first_choice"] == 1 and figures["choice"]["first_choice_share"] == 1.0
    assert figures["menu"]["first_choice"] == 0 and figures["menu"]["top3_share"] == 1.0
    assert figures["choice"]["blocking_pairs"] == 0 and figures["menu"]["blocking_pairs"] == 0
    assert figures["assign"]["blocking_pairs"] == 1  # p1 prefers the town's free place
    regions = {r["region_id"]: r for r in report["regions"]}
    assert regions["village"]["came_because_of_menu"] == 1 and regions["village"]["left_because_of_menu"] == 0
    assert regions["town"]["came_because_of_menu"] == 0 and regions["town"]["left_because_of_menu"] == 1
    assert (regions["village"]["placed_choice"], regions["village"]["placed_menu"]) == (0, 1)
    posts = offered_posts(round_, solutions["menu"])
    assert posts.to_dict(orient="records") == [{"facility_id": "fV", "facility": "Амбулатория", "region": "Село",
                                                "specialty": "therapist", "offered": 1, "vacancies": 1}]


def _outcome(f: dict) -> tuple:
    return (-f["obligated_placed"], f["weighted_deficit"])


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(choice_rounds(couples=False, max_graduates=4))
def test_the_report_is_what_the_solutions_say(case):
    frames, prefs = case
    round_ = round_from_frames(**frames, preferences=prefs)
    solutions = solve_all(round_)
    report = compare_mechanisms(round_, solutions)
    json.dumps(report)
    figures = report["mechanisms"]
    # the menu is never worse than offering every vacancy (which is choice), lexicographically
    assert _outcome(figures["menu"]) <= (_outcome(figures["choice"])[0], figures["choice"]["weighted_deficit"] + 1e-9)
    if figures["menu"]["obligated_placed"] == figures["choice"]["obligated_placed"]:
        assert report["menu_gain"] >= -1e-9
    assert report["menu_gain"] == pytest.approx(figures["choice"]["weighted_deficit"]
                                                - figures["menu"]["weighted_deficit"])
    assert report["choice_cost"] == pytest.approx(figures["choice"]["weighted_deficit"]
                                                  - figures["assign"]["weighted_deficit"])
    if len(prefs):
        assert figures["choice"]["blocking_pairs"] == 0 and figures["menu"]["blocking_pairs"] == 0
    placed = {m: set(zip(s.assignments["graduate_id"], s.assignments["region_id"])) for m, s in solutions.items()}
    for row in report["regions"]:
        r = row["region_id"]
        for m, s in solutions.items():
            assert row[f"placed_{m}"] == int((s.assignments["region_id"] == r).sum())
        came = {g for g, reg in placed["menu"] if reg == r} - {g for g, reg in placed["choice"] if reg == r}
        left = {g for g, reg in placed["choice"] if reg == r} - {g for g, reg in placed["menu"] if reg == r}
        assert (row["came_because_of_menu"], row["left_because_of_menu"]) == (len(came), len(left))
        assert row["came_because_of_menu"] - row["left_because_of_menu"] == row["placed_menu"] - row["placed_choice"]
    for m, s in solutions.items():  # the regions' deficits add up to the solution's
        assert sum(row[f"deficit_{m}"] for row in report["regions"]) == pytest.approx(s.weighted_deficit, abs=1e-5)
        assert figures[m]["obligated_placed"] == s.obligated_placed
    offered = solutions["menu"].offered
    posts = offered_posts(round_, solutions["menu"])
    assert int(posts["offered"].sum()) == int(offered["offered"].sum())
    assert (posts["offered"] <= posts["vacancies"]).all() and (posts["offered"] > 0).all()


def test_the_command_writes_the_three_files_and_speaks_russian(tmp_path, capsys):
    folder = write_round(town_and_village(), tmp_path / "round")
    out = tmp_path / "out"
    assert main([str(folder), "--out", str(out), "--lang", "ru"]) == 0
    printed = capsys.readouterr()
    assert "меню возвращает 1,0 взвешенного дефицита" in printed.out
    assert "учёт выбора выпускников стоит 1,0" in printed.out
    assert "Село: благодаря меню пришли 1" in printed.out
    assert "расчёт: меню" in printed.err
    assert sorted(p.name for p in out.iterdir()) == ["offered_menu.xlsx", "per_region.csv", "summary.json"]
    report = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert report["menu_gain"] == 1.0 and report["choice_cost"] == 1.0
    regions = pd.read_csv(out / "per_region.csv").set_index("region_id")
    assert regions.at["village", "came_because_of_menu"] == 1 and regions.at["town", "placed_choice"] == 1
    sheet = load_workbook(out / "offered_menu.xlsx").active
    assert sheet.title == "предлагаемые места"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [("код учреждения", "учреждение", "регион", "специальность", "предлагается мест", "вакансий"),
                    ("fV", "Амбулатория", "Село", "therapist", 1, 1)]
    # run again into the same folder: replaced; in English
    assert main([str(folder), "--out", str(out), "--lang", "en"]) == 0
    assert "the menu wins back 1.0 of weighted deficit" in capsys.readouterr().out
    assert load_workbook(out / "offered_menu.xlsx").active["E1"].value == "places offered"


def test_bad_input_exits_2_naming_the_file(tmp_path, capsys):
    frames = town_and_village()
    frames["preferences"] = pd.DataFrame({"graduate_id": ["p1"], "rank": [1], "facility_id": ["nowhere"]})
    folder = write_round(frames, tmp_path / "round")
    assert main([str(folder), "--out", str(tmp_path / "out"), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "preferences.csv" in err and "facility_id" in err
    assert not (tmp_path / "out").exists()
    good = write_round(town_and_village(), tmp_path / "good")
    assert main([str(good), "--out", str(good), "--lang", "en"]) == 2  # the output would replace the round


def test_a_round_of_couples_is_compared_under_all_three_and_one_the_menu_refuses_under_two(tmp_path, capsys):
    frames = town_and_village()
    frames["graduates"] = pd.DataFrame({"graduate_id": ["a", "b"], "specialty": ["therapist", "therapist"],
                                        "funding": ["grant", "grant"], "home_region_id": ["town", "town"],
                                        "rating": [4.0, 3.0], "partner_id": ["b", "a"]})
    frames["preferences"] = pd.DataFrame({"graduate_id": ["a", "b"], "rank": [1, 1], "facility_id": ["fT", "fT"]})
    solutions = solve_all(round_from_frames(**frames), refused=(refused := {}))
    assert refused == {} and sorted(solutions) == ["assign", "choice", "menu"]
    for s in solutions.values():  # the couple in one region, or both unplaced
        placed = s.assignments.set_index("graduate_id")["region_id"]
        assert len(placed) in (0, 2) and placed.nunique() <= 1
    # a couple at a rural post that needs a limited programme place: the menu refuses, the others compare
    frames["facilities"] = frames["facilities"].assign(rural=True)
    frames["graduates"] = frames["graduates"].assign(funding="paid")
    frames["programmes"] = pd.DataFrame([("zd", "Земский", "1000000", 1, None, "", None, None)],
                                        columns=["programme_id", "name", "payment", "quota", "budget",
                                                 "specialties", "region_id", "max_settlement_population"])
    folder = write_round(frames, tmp_path / "round")
    out = tmp_path / "out"
    assert main([str(folder), "--out", str(out), "--lang", "en"]) == 0
    assert "designed list of posts): not run, a couple would need a place" in capsys.readouterr().err
    report = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert report["refused"] == {"menu": "couples_programmes"} and report["menu_gain"] is None
    assert list(report["mechanisms"]) == ["assign", "choice"]
    regions = pd.read_csv(out / "per_region.csv")
    assert "placed_menu" not in regions and "came_because_of_menu" not in regions
    assert list(load_workbook(out / "offered_menu.xlsx").active.iter_rows(values_only=True))[1:] == []
    assert main([str(folder), "--out", str(out), "--lang", "ru"]) == 0
    assert "паре понадобилось бы место в программе поддержки" in capsys.readouterr().err

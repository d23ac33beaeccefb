"""Issue 13's inputs: preferences.csv and the graduates' rating, status, status_reason and partner_id.

Each refusal names its file, row and column; a valid round with them is accepted, Russian words for
the statuses are the codes, and a round without them hashes and solves as before.
"""

from __future__ import annotations

import pandas as pd
import pytest
from support.rounds import write_round

from allocator import InputError, load_round
from allocator.problem import RULE_COLUMNS, empty_preferences
from allocator.validate import round_from_frames


def _frames():
    regions = pd.DataFrame({"region_id": ["a", "b"], "name": ["Бековский район", "Вадинский район"],
                            "lat": [52.46632, 53.69157], "lon": [43.71199, 43.05744],
                            "population": [14055, 9807]})
    facilities = pd.DataFrame({"facility_id": ["fa", "fb", "fc"], "name": ["ЦРБ", "ФАП с. Ушинка", "ВА"],
                               "region_id": ["a", "b", "b"], "lat": [52.46632, 53.69157, 53.6],
                               "lon": [43.71199, 43.05744, 43.1], "rural": ["false", "true", "true"]})
    vacancies = pd.DataFrame({"facility_id": ["fa", "fb", "fc", "fc"],
                              "specialty": ["therapist", "feldsher", "therapist", "feldsher"],
                              "vacancies": [1, 1, 2, 0]})
    graduates = pd.DataFrame({"graduate_id": ["g1", "g2", "g3", "g4"],
                              "specialty": ["therapist", "feldsher", "therapist", "therapist"],
                              "funding": ["grant", "targeted", "paid", "grant"], "home_region_id": ["a"] * 4,
                              "sponsor_region_id": ["", "b", "", ""],
                              "rating": ["4,5", "", "3.9", "4.5"],
                              "status": ["", "доступен", "освобождена", "Отсрочка"],
                              "status_reason": ["", "", "ребёнок до 3 лет", "ординатура"],
                              "partner_id": ["g4", "", "", "g1"]})
    preferences = pd.DataFrame({"graduate_id": ["g1", "g1", "g2", "g3", "g4"], "rank": [1, 2, 1, 1, 3],
                                "facility_id": ["fc", "fa", "fb", "fa", "fc"]})
    return {"regions": regions, "facilities": facilities, "vacancies": vacancies, "graduates": graduates,
            "preferences": preferences}


def _problems(tmp_path, frames) -> list[tuple]:
    write_round(frames, tmp_path)
    with pytest.raises(InputError) as err:
        load_round(tmp_path)
    return [(p.file, p.row, p.column, p.code) for p in err.value.problems]


def test_a_valid_round_with_preferences_statuses_and_a_couple_is_accepted(tmp_path):
    round_ = load_round(write_round(_frames(), tmp_path))
    g = round_.graduates.set_index("graduate_id")
    assert g["status"].tolist() == ["available", "available", "exempt", "deferred"]  # aliases and the default
    assert g["rating"].tolist()[0] == 4.5 and pd.isna(g.at["g2", "rating"])
    assert g.at["g4", "status_reason"] == "ординатура" and g.at["g1", "partner_id"] == "g4"
    prefs = round_.preferences
    assert list(prefs.columns) == ["graduate_id", "rank", "facility_id"]
    assert pd.api.types.is_integer_dtype(prefs["rank"]) and prefs["rank"].tolist() == [1, 2, 1, 1, 3]
    frames = _frames()
    from_frames = round_from_frames(**frames)
    assert from_frames.preferences.equals(prefs)
    assert from_frames.input_hash() == round_.input_hash()


def test_preferences_change_the_input_hash(tmp_path):
    frames = _frames()
    with_prefs = round_from_frames(**frames)
    frames["preferences"] = frames["preferences"].iloc[:4]
    assert round_from_frames(**frames).input_hash() != with_prefs.input_hash()
    frames["graduates"].loc[0, "rating"] = "4.6"
    assert round_from_frames(**frames).input_hash() != with_prefs.input_hash()


def test_without_the_new_columns_and_table_the_round_is_as_before():
    frames = _frames()
    del frames["preferences"]
    frames["graduates"] = frames["graduates"].drop(columns=["rating", "status", "status_reason", "partner_id"])
    plain = round_from_frames(**frames)
    assert plain.preferences.empty and list(plain.preferences.columns) == list(empty_preferences().columns)
    assert (plain.graduates["status"] == "available").all()
    assert plain.graduates["rating"].isna().all() and plain.graduates["partner_id"].isna().all()
    # the same round given with the columns at their defaults hashes the same: they are left out
    frames["graduates"]["status"] = "available"
    frames["graduates"]["rating"] = ""
    frames["preferences"] = pd.DataFrame({"graduate_id": [], "rank": [], "facility_id": []})
    assert round_from_frames(**frames).input_hash() == plain.input_hash()
    frames["graduates"].loc[0, "status"] = "exempt"
    assert round_from_frames(**frames).input_hash() != plain.input_hash()


def _hash_before_issue_13(round_) -> str:
    """Round.input_hash as it was built before issue 13: five tables (graduates without the new
    columns, no table with issue 15's columns), settlements and roads, the options."""
    import hashlib

    digest = hashlib.sha256()
    for name in ("regions", "facilities", "vacancies", "graduates", "programmes"):
        frame = getattr(round_, name)
        frame = frame.drop(columns=[c for c in RULE_COLUMNS.get(name, {}) if c in frame])  # issue 15's, later
        if name == "graduates":
            frame = frame.drop(columns=["rating", "status", "status_reason", "partner_id"])
        digest.update(name.encode())
        digest.update(frame.to_csv(index=False, lineterminator="\n").encode())
    for extra in (round_.settlements, round_.roads):
        if extra is not None:
            digest.update(extra.to_csv(index=False, lineterminator="\n").encode())
    digest.update(repr(sorted(round_.scenario.as_dict().items())).encode())
    return digest.hexdigest()


def test_a_round_without_the_new_inputs_hashes_as_before():
    frames = _frames()
    del frames["preferences"]
    frames["graduates"] = frames["graduates"].drop(columns=["rating", "status", "status_reason", "partner_id"])
    round_ = round_from_frames(**frames)
    assert round_.input_hash() == _hash_before_issue_13(round_)
    assert round_from_frames(**_frames()).input_hash() != _hash_before_issue_13(round_from_frames(**_frames()))


def test_the_same_rank_or_facility_twice_is_refused_with_row_and_column(tmp_path):
    frames = _frames()
    frames["preferences"] = pd.DataFrame({"graduate_id": ["g1", "g1", "g1", "g3", "g3"],
                                          "rank": [1, 1, 2, 1, 2], "facility_id": ["fc", "fa", "fc", "fa", "fc"]})
    found = _problems(tmp_path, frames)
    assert ("preferences.csv", 3, "rank", "rank_twice") in found
    assert ("preferences.csv", 4, "facility_id", "preference_twice") in found
    assert len(found) == 2  # another graduate's rank 1 and fc are theirs


def test_a_facility_without_the_graduates_specialty_is_refused(tmp_path):
    frames = _frames()
    # g2 is a feldsher: fa has no feldsher vacancy, fc has a feldsher row with 0 vacancies
    frames["preferences"] = pd.DataFrame({"graduate_id": ["g2", "g2", "g2"], "rank": [1, 2, 3],
                                          "facility_id": ["fb", "fa", "fc"]})
    assert _problems(tmp_path, frames) == [("preferences.csv", 3, "facility_id", "preference_no_vacancy"),
                                           ("preferences.csv", 4, "facility_id", "preference_no_vacancy")]


def test_unknown_ids_and_a_bad_rank_are_refused(tmp_path):
    frames = _frames()
    frames["preferences"] = pd.DataFrame({"graduate_id": ["g1", "gX", "g3", "g3"], "rank": ["1", "1", "0", "x"],
                                          "facility_id": ["fQ", "fa", "fa", "fc"]})
    found = _problems(tmp_path, frames)
    assert ("preferences.csv", 2, "facility_id", "unknown_reference") in found
    assert ("preferences.csv", 3, "graduate_id", "unknown_reference") in found
    assert ("preferences.csv", 4, "rank", "below_minimum") in found
    assert ("preferences.csv", 5, "rank", "not_a_number") in found


@pytest.mark.parametrize(("partners", "expected"), [
    (["g1", "", "", ""], [("graduates.csv", 2, "partner_id", "partner_self")]),
    (["g4", "", "", "g2"], [("graduates.csv", 2, "partner_id", "partner_not_mutual"),
                            ("graduates.csv", 5, "partner_id", "partner_not_mutual")]),
    (["g4", "", "", ""], [("graduates.csv", 2, "partner_id", "partner_not_mutual")]),
    (["gZ", "", "", ""], [("graduates.csv", 2, "partner_id", "unknown_reference")]),
])
def test_a_partner_must_be_another_graduate_who_names_this_one_back(tmp_path, partners, expected):
    frames = _frames()
    frames["graduates"]["partner_id"] = partners
    assert _problems(tmp_path, frames) == expected


def test_a_status_outside_the_list_is_refused(tmp_path):
    frames = _frames()
    frames["graduates"].loc[1, "status"] = "в отпуске"
    assert _problems(tmp_path, frames) == [("graduates.csv", 3, "status", "not_allowed")]


def test_the_template_has_a_preferences_sheet_and_a_status_list():
    import io

    from openpyxl import load_workbook

    from allocator.template import template_workbook

    wb = load_workbook(io.BytesIO(template_workbook(headers="ru")))
    assert [c.value for c in wb["preferences"][1]] == ["код выпускника", "место в списке", "код учреждения"]
    names = [c.value for c in wb["graduates"][1]]
    lists = {names[r.min_col - 1]: dv.formula1 for dv in wb["graduates"].data_validations.dataValidation
             for r in dv.sqref.ranges}
    assert lists["статус"] == '"available,exempt,deferred"'


def test_summary_reports_blocking_pairs_and_ranks_and_offered_is_written(tmp_path):
    import dataclasses
    import json

    from allocator import solve
    from allocator.output import write_solution
    from allocator.solution import Solution

    round_ = round_from_frames(**_frames())
    solution = solve(round_)
    s = solution.summary
    assert s["blocking_pairs"] >= 0 and s["choice_ranks"]["listed"] == 2  # g3 and g4 are exempt and deferred
    back = Solution.from_summary(s, solution.assignments, solution.unplaced, solution.deficits)
    assert back.summary == s
    offered = pd.DataFrame({"facility_id": ["fa"], "specialty": ["therapist"], "offered": [1]})
    out = tmp_path / "out"
    paths = write_solution(dataclasses.replace(solution, offered=offered), out)
    assert (out / "offered.csv").read_text(encoding="utf-8") == "facility_id,specialty,offered\nfa,therapist,1\n"
    assert out / "offered.csv" in paths
    write_solution(solution, out)  # a folder holding offered.csv is ours: replaced, and without it now
    assert not (out / "offered.csv").exists()
    plain = _frames()
    del plain["preferences"]
    summary = solve(round_from_frames(**plain)).summary
    assert "blocking_pairs" not in summary and "choice_ranks" not in summary
    assert json.dumps(summary)  # as summary.json writes it


def test_penza_synthetic_preferences_are_valid_and_rebuilt_the_same(tmp_path):
    """The bundled round's preferences load (every listed facility has a vacancy of the specialty),
    1..5 choices each; scripts/penza_preferences.py (seed 2026) rebuilds both files byte for byte."""
    import importlib.util
    import shutil

    from support.paths import PENZA, ROOT

    round_ = load_round(PENZA)
    sizes = round_.preferences.groupby("graduate_id").size()
    assert len(round_.preferences) > 0 and sizes.between(1, 5).all()
    assert round_.graduates["rating"].between(3.0, 5.0).all()
    folder = tmp_path / "penza"
    folder.mkdir()
    for name in ("graduates.csv", "facilities.csv", "vacancies.csv", "regions.csv"):
        shutil.copy(PENZA / name, folder / name)
    spec = importlib.util.spec_from_file_location("penza_preferences", ROOT / "scripts" / "penza_preferences.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.main(["--folder", str(folder)]) == 0
    for name in ("graduates.csv", "preferences.csv"):
        assert (folder / name).read_bytes() == (PENZA / name).read_bytes(), name


def test_assign_reports_the_choice_rank_each_graduate_got_and_none_without_preferences():
    """The planner puts the paid graduate in the village (weight 2), their second choice; a round
    without preferences keeps the assignments' columns as before issue 13."""
    from support.rounds import town_and_village

    from allocator import solve

    solution = solve(round_from_frames(**town_and_village()))
    a = solution.assignments
    assert list(a["facility_id"]) == ["fV"] and list(a["choice_rank"]) == [2]
    assert str(a["choice_rank"].dtype) == "Int64"
    assert solution.choice_ranks["first_choice"] == 0 and solution.choice_ranks["top3"] == 1
    frames = town_and_village()
    frames["preferences"] = pd.DataFrame({"graduate_id": ["p1"], "rank": [1], "facility_id": ["fT"]})
    unlisted = solve(round_from_frames(**frames)).assignments  # placed at a post not on the list
    assert list(unlisted["facility_id"]) == ["fV"] and unlisted["choice_rank"].isna().all()
    assert "choice_rank" not in solve(round_from_frames(**town_and_village(preferences=False))).assignments

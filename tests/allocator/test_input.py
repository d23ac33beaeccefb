"""Reading rounds as planners save them, and refusing bad ones clearly."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from support.paths import PENZA
from support.rounds import write_round

from allocator import InputError, load_round, solve
from allocator.cli import main


def _frames():
    regions = pd.DataFrame({"region_id": ["a", "b"], "name": ["Бековский район", "Вадинский район"],
                            "lat": [52.46632, 53.69157], "lon": [43.71199, 43.05744],
                            "population": [14055, 9807]})
    facilities = pd.DataFrame({"facility_id": ["fa", "fb"], "name": ["ЦРБ", "ФАП с. Ушинка"],
                               "region_id": ["a", "b"], "lat": [52.46632, 53.69157],
                               "lon": [43.71199, 43.05744], "rural": ["true", "да"]})
    vacancies = pd.DataFrame({"facility_id": ["fa", "fb"], "specialty": ["терапевт", "фельдшер"],
                              "vacancies": [1, 1]})
    graduates = pd.DataFrame({"graduate_id": ["g1", "g2"], "specialty": ["терапевт", "фельдшер"],
                              "funding": ["grant", "targeted"], "home_region_id": ["a", "a"],
                              "sponsor_region_id": ["", "b"], "max_km": ["", "150,5"]})
    return {"regions": regions, "facilities": facilities, "vacancies": vacancies, "graduates": graduates}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1251"])
def test_russian_excel_csv_is_read(tmp_path, encoding):
    write_round(_frames(), tmp_path, sep=";", encoding=encoding, decimal=",")
    round_ = load_round(tmp_path)
    assert round_.regions["lat"].tolist() == [52.46632, 53.69157]
    assert round_.graduates["max_km"].iloc[1] == 150.5
    assert round_.facilities["rural"].tolist() == [True, True]
    assert set(round_.vacancies["specialty"]) == {"терапевт", "фельдшер"}
    assert len(solve(round_).assignments) == 2


def test_workbook_round_equals_folder_round(tmp_path):
    frames = _frames()
    folder = write_round(frames, tmp_path / "csv")
    book = tmp_path / "round.xlsx"
    with pd.ExcelWriter(book) as xl:
        for name, frame in frames.items():
            frame.to_excel(xl, sheet_name=name, index=False)
        pd.DataFrame({"key": ["max_km", "solver"], "value": ["200", '"highs"']}).to_excel(
            xl, sheet_name="scenario", index=False)
    from_book = load_round(book)
    from_folder = load_round(folder, max_km=200, solver="highs")
    assert from_book.scenario == from_folder.scenario
    assert solve(from_book).assignments.equals(solve(from_folder).assignments)


def test_every_problem_is_listed_with_file_row_and_column(tmp_path):
    frames = {k: v.astype(object) for k, v in _frames().items()}
    frames["regions"].loc[1, "lat"] = "north"
    frames["facilities"].loc[0, "region_id"] = "zz"
    frames["vacancies"].loc[1, "vacancies"] = "-2"
    frames["graduates"].loc[1, "sponsor_region_id"] = ""
    frames["graduates"].loc[0, "funding"] = "budget"
    write_round(frames, tmp_path)
    with pytest.raises(InputError) as err:
        load_round(tmp_path)
    found = {(p.file, p.row, p.column) for p in err.value.problems}
    assert ("regions.csv", 3, "lat") in found
    assert ("facilities.csv", 2, "region_id") in found
    assert ("vacancies.csv", 3, "vacancies") in found
    assert ("graduates.csv", 3, "sponsor_region_id") in found
    assert ("graduates.csv", 2, "funding") in found


def test_missing_table_and_column_and_duplicates(tmp_path):
    frames = _frames()
    frames["graduates"] = frames["graduates"].drop(columns="funding")
    frames["regions"].loc[1, "region_id"] = "a"
    write_round({k: v for k, v in frames.items() if k != "vacancies"}, tmp_path)
    with pytest.raises(InputError) as err:
        load_round(tmp_path)
    text = str(err.value)
    assert "vacancies.csv: required table is missing" in text
    assert "graduates.csv, column 'funding': required column is missing" in text
    assert "regions.csv, row 3, column 'region_id': duplicate id 'a'" in text


def test_cli_bad_input_exits_2_without_traceback(tmp_path, capsys):
    frames = {k: v.astype(object) for k, v in _frames().items()}
    frames["vacancies"].loc[0, "vacancies"] = "1,5"
    write_round(frames, tmp_path)
    code = main(["solve", str(tmp_path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "vacancies.csv, row 2, column 'vacancies': not a whole number: '1,5'" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_bad_scenario_option_is_reported(tmp_path, capsys):
    write_round(_frames(), tmp_path)
    (tmp_path / "scenario.toml").write_text('solver = "gurobi"\nmax_kms = 5\n', encoding="utf-8")
    assert main(["validate", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "max_kms" in err and "unknown option" in err
    assert "solver" in err and "gurobi" in err


def test_failed_run_keeps_earlier_output(tmp_path):
    write_round(_frames(), tmp_path / "round")
    out = tmp_path / "out"
    assert main(["solve", str(tmp_path / "round"), "--out", str(out), "-q"]) == 0
    before = (out / "assignments.csv").read_bytes()
    (tmp_path / "round" / "regions.csv").write_text("region_id\n", encoding="utf-8")
    assert main(["solve", str(tmp_path / "round"), "--out", str(out), "-q"]) == 2
    assert (out / "assignments.csv").read_bytes() == before


def test_same_input_gives_byte_identical_assignments(tmp_path):
    for solver in ("cbc", "highs", "cpsat"):
        runs = []
        for k in range(2):
            out = tmp_path / f"{solver}{k}"
            assert main(["solve", str(PENZA), "--out", str(out), "--solver", solver, "-q"]) == 0
            runs.append((out / "assignments.csv").read_bytes())
        assert runs[0] == runs[1], solver


def test_penza_round_solves_and_all_solvers_agree(tmp_path):
    summaries = {}
    for solver in ("cbc", "highs", "cpsat"):
        solution = solve(load_round(PENZA, solver=solver))
        summaries[solver] = solution.summary
        assert solution.summary["status"] == "optimal"
    objective = {s: tuple(v["objective"].values()) for s, v in summaries.items()}
    assert objective["cbc"] == objective["highs"] == objective["cpsat"]
    s = summaries["cbc"]
    assert s["graduates_total"] == 317 and s["vacancies_total"] == 446
    assert s["objective"]["1_obligated_placed"] <= s["obligated_total"]
    assert s["objective"]["2_weighted_deficit"] < s["weighted_deficit_before"]
    for prog in s["programmes"]:
        assert prog["placed"] <= prog["quota"] and prog["spend"] <= prog["budget"]


def test_module_entry_point_prints_a_summary(tmp_path):
    round_dir = write_round(_frames(), tmp_path / "r")
    done = subprocess.run([sys.executable, "-m", "allocator", "solve", str(round_dir), "--out",
                           str(tmp_path / "o")], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "obligated graduates placed: 2 of 2" in done.stdout


def test_road_distances_replace_geodesic_ones(tmp_path):
    frames = _frames()
    frames["graduates"] = frames["graduates"].iloc[[1]].assign(funding="grant", sponsor_region_id="", max_km="")
    write_round(frames, tmp_path)
    pd.DataFrame({"settlement_id": ["A", "B"], "name": ["Беково", "Вадинск"], "region_id": ["a", "b"],
                  "lat": [52.46632, 53.69157], "lon": [43.71199, 43.05744],
                  "population": [6099, 4891]}).to_csv(tmp_path / "settlements.csv", index=False)
    pd.DataFrame({"from_id": ["A"], "to_id": ["B"], "km": [190.0], "road_class": ["regional"]}).to_csv(
        tmp_path / "roads.csv", index=False)
    geodesic = solve(load_round(tmp_path, max_km=180))
    assert geodesic.assignments["km"].iloc[0] == pytest.approx(143.0, abs=1.0)
    road = solve(load_round(tmp_path, max_km=180, distances="road"))
    assert road.assignments.empty
    assert road.unplaced["reason"].tolist() == ["none_within_max_km"]
    road = solve(load_round(tmp_path, distances="road"))
    assert road.assignments["km"].iloc[0] == pytest.approx(190.0)


def test_road_distances_need_network_files(tmp_path):
    write_round(_frames(), tmp_path)
    with pytest.raises(InputError, match="settlements.csv and roads.csv"):
        load_round(tmp_path, distances="road")


def test_time_limit_gives_status_and_exit_code_4(tmp_path):
    from allocator.generate import generate_round

    round_dir = write_round(generate_round(1000, 200, seed=1), tmp_path / "big")
    out = tmp_path / "out"
    code = main(["solve", str(round_dir), "--out", str(out), "--solver", "cpsat", "--time-limit", "1",
                 "--max-km", "150", "-q"])
    summary = __import__("json").loads((out / "summary.json").read_text(encoding="utf-8"))
    assert code == 4
    assert summary["status"] in ("feasible", "time_limit")
    if summary["status"] == "feasible":  # a solution was found and written, not proven
        assert summary["placed_total"] == len(pd.read_csv(out / "assignments.csv")) > 0


def test_every_problem_message_exists_in_english_and_russian():
    from string import Formatter

    from allocator.catalogue import domain

    for code, entry in domain("input").items():
        en, ru = entry.en, entry.ru
        assert en and ru, code
        fields = lambda text: {f for _, f, _, _ in Formatter().parse(text) if f}  # noqa: E731
        assert fields(en) == fields(ru), code


def test_problems_are_reported_in_russian_on_request(tmp_path, capsys):
    frames = {k: v.astype(object) for k, v in _frames().items()}
    frames["vacancies"].loc[0, "vacancies"] = "много"
    write_round(frames, tmp_path)
    assert main(["validate", str(tmp_path), "--lang", "ru"]) == 2
    err = capsys.readouterr().err
    assert "vacancies.csv, строка 2, столбец 'vacancies': не число: 'много'" in err


def test_template_command_writes_a_workbook_that_reads_back(tmp_path, capsys):
    book = tmp_path / "template.xlsx"
    assert main(["template", str(book)]) == 0
    sheets = pd.read_excel(book, sheet_name=None)
    for table in ("regions", "facilities", "vacancies", "graduates", "programmes"):
        assert table in sheets
    assert list(sheets["graduates"].columns)[:4] == ["graduate_id", "specialty", "funding", "home_region_id"]


def test_empty_tables_are_refused(tmp_path, capsys):
    book = tmp_path / "template.xlsx"
    main(["template", str(book)])
    capsys.readouterr()
    assert main(["validate", str(book)]) == 2
    err = capsys.readouterr().err
    for table in ("regions", "facilities", "vacancies", "graduates"):
        assert f"template.xlsx[{table}]: the table has no rows" in err

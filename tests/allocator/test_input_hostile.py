"""Hostile and careless input: each class is refused with a listed problem (exit 2), never a guess.

Every bad file is built for real in a temporary folder: CSV bytes, UTF-16
bytes, .xlsx workbooks written with openpyxl (hidden sheets, Excel's own
TRUE/FALSE cells), a folder where a CSV should be.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.paths import PENZA

from allocator import InputError, load_round
from allocator.cli import main
from allocator.scenario import MAX_SEGMENTS
from allocator.validate import MAX_CELL_CHARS

BASE = {
    "regions": "region_id,name,lat,lon,population\nr0,Район 0,53.2,45.0,10000\nr1,Район 1,53.6,44.5,8000\n",
    "facilities": "facility_id,name,region_id,lat,lon,rural\nf0,ЦРБ,r0,53.2,45.0,true\nf1,ФАП,r1,53.6,44.5,true\n",
    "vacancies": "facility_id,specialty,vacancies\nf0,gp,1\nf1,gp,2\n",
    "graduates": "graduate_id,specialty,funding,home_region_id\ng0,gp,grant,r0\ng1,gp,grant,r1\n",
}


def write_folder(folder: Path, skip=(), **tables) -> Path:
    """The base round as CSV files, with some tables replaced (str or bytes) or left out."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {**BASE, **tables}.items():
        if name in skip:
            continue
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        (folder / f"{name}.csv").write_bytes(data)
    return folder


def rows_of(text: str) -> list[list]:
    return [line.split(",") for line in text.strip().splitlines()]


def write_book(path: Path, sheets: dict[str, list[list]], hidden=()) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


def base_sheets() -> dict[str, list[list]]:
    return {name: rows_of(text) for name, text in BASE.items()}


def refused(path: Path, *args: str) -> list:
    """The round's problems, after checking that ``allocator validate`` exits 2 on it."""
    assert main(["validate", str(path), *args]) == 2
    with pytest.raises(InputError) as err:
        load_round(path)
    return err.value.problems


def where(problems) -> set[tuple]:
    return {(p.code, p.file, p.row, p.column) for p in problems}


# ----------------------------------------------------------------------------- 1. workbook ambiguity


def test_hidden_sheet_beside_visible_one_for_the_same_table_is_ambiguous(tmp_path):
    sheets = base_sheets()
    sheets["Vacancies "] = [["facility_id", "specialty", "vacancies"], ["f0", "gp", 9]]
    book = write_book(tmp_path / "round.xlsx", sheets, hidden={"Vacancies "})
    problems = refused(book)
    assert [p.code for p in problems] == ["table_ambiguous"]
    assert problems[0].file == "round.xlsx"
    assert "'vacancies'" in problems[0].message and "'Vacancies ' (hidden)" in problems[0].message


def test_two_visible_sheets_naming_one_table_are_ambiguous(tmp_path):
    sheets = base_sheets()
    sheets["Graduates "] = sheets["graduates"]  # Excel keeps names unique ignoring case, not spaces
    problems = refused(write_book(tmp_path / "round.xlsx", sheets))
    assert ("table_ambiguous", "round.xlsx", None, None) in where(problems)


def test_a_hidden_sheet_alone_for_its_table_is_read_with_a_warning(tmp_path):
    book = write_book(tmp_path / "round.xlsx", base_sheets(), hidden={"vacancies"})
    round_ = load_round(book)
    assert round_.vacancies["vacancies"].tolist() == [1, 2]
    assert [(w.code, w.file) for w in round_.warnings] == [("sheet_hidden", "round.xlsx")]
    assert "'vacancies' is hidden" in round_.warnings[0].message
    assert main(["validate", str(book)]) == 0


# ----------------------------------------------------------------------------- 2. folder ambiguity


def test_two_files_naming_one_table_in_a_folder_are_ambiguous(tmp_path):
    folder = write_folder(tmp_path / "round")
    (folder / "Vacancies.csv").write_text(BASE["vacancies"], encoding="utf-8")
    if len({p.name.lower() for p in folder.iterdir()}) == len(list(folder.iterdir())):
        pytest.skip("case-insensitive file system: the two names are one file")
    problems = refused(folder)
    assert [p.code for p in problems] == ["table_ambiguous"]
    assert "'Vacancies.csv'" in problems[0].message and "'vacancies.csv'" in problems[0].message


def test_a_table_file_is_found_ignoring_case_as_windows_does(tmp_path):
    folder = write_folder(tmp_path / "round", skip={"vacancies"})
    (folder / "VACANCIES.CSV").write_text(BASE["vacancies"], encoding="utf-8")
    round_ = load_round(folder)
    assert round_.vacancies["vacancies"].tolist() == [1, 2]


# ----------------------------------------------------------------------------- 3. duplicate header


def test_exact_duplicate_header_in_csv_is_refused(tmp_path):
    folder = write_folder(tmp_path / "round", vacancies="facility_id,specialty,vacancies,vacancies\nf0,gp,1,5\n")
    assert ("column_twice", "vacancies.csv", 1, "vacancies") in where(refused(folder))


def test_duplicate_header_in_a_sheet_is_refused(tmp_path):
    sheets = base_sheets()
    sheets["graduates"][0][1] = "graduate_id"  # graduate_id, graduate_id, funding, ...
    problems = refused(write_book(tmp_path / "round.xlsx", sheets))
    assert ("column_twice", "round.xlsx[graduates]", 1, "graduate_id") in where(problems)


# ----------------------------------------------------------------------------- 4. scenario numbers


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "true", "1e31", '"2"'])
def test_a_region_weight_that_is_no_finite_number_in_range_is_refused(tmp_path, value):
    folder = write_folder(tmp_path / "round")
    (folder / "scenario.toml").write_text(f"[weights]\nr0 = {value}\n", encoding="utf-8")
    assert ("option_out_of_range", "scenario.toml", None, "weights.r0") in where(refused(folder))


@pytest.mark.parametrize("option", ["max_km = nan", "max_km = inf", "time_limit = nan", "time_limit = inf",
                                    "max_km = 50000", "time_limit = -1"])
def test_numeric_options_must_be_finite_and_in_range(tmp_path, option):
    folder = write_folder(tmp_path / "round")
    (folder / "scenario.toml").write_text(option + "\n", encoding="utf-8")
    name = option.split(" ")[0]
    assert ("option_out_of_range", "scenario.toml", None, name) in where(refused(folder))


# ----------------------------------------------------------------------------- 5. control characters


@pytest.mark.parametrize("char", ["\x00", "\x0b", "\x1b", "\x7f", "\x85", "\t", "\n"])
def test_control_character_in_an_id_is_refused_and_shown_escaped(tmp_path, capsys, char):
    cell = f'"g{char}0"' if char == "\n" else f"g{char}0"
    folder = write_folder(tmp_path / "round",
                          graduates=f"graduate_id,specialty,funding,home_region_id\n{cell},gp,grant,r0\n")
    problems = refused(folder)
    assert ("control_character", "graduates.csv", 2, "graduate_id") in where(problems)
    err = capsys.readouterr().err
    assert char not in err.replace("\n", "") if char == "\n" else char not in err
    assert repr(f"g{char}0") in err


def test_control_character_in_a_specialty_of_a_sheet_is_refused(tmp_path):
    sheets = base_sheets()
    sheets["vacancies"][2][1] = "g\x85p"  # C1 (NEL): valid in XML, so a workbook can hold it
    problems = refused(write_book(tmp_path / "round.xlsx", sheets))
    assert ("control_character", "round.xlsx[vacancies]", 3, "specialty") in where(problems)


def test_notes_may_hold_line_breaks_but_not_other_controls(tmp_path):
    ok = write_folder(tmp_path / "ok", vacancies='facility_id,specialty,vacancies,notes\nf0,gp,1,"two\nlines\tx"\n')
    assert load_round(ok).vacancies["vacancies"].tolist() == [1]
    bad = write_folder(tmp_path / "bad", vacancies="facility_id,specialty,vacancies,notes\nf0,gp,1,a\x00b\n")
    assert ("control_character", "vacancies.csv", 2, "notes") in where(refused(bad))


def test_control_characters_in_a_header_or_an_option_name_are_shown_escaped(tmp_path, capsys):
    header = write_folder(tmp_path / "header", vacancies="facility_id,specialty,vacancies,no\x01te\nf0,gp,1,x\n")
    assert ("control_character", "vacancies.csv", 1, "no\\x01te") in where(refused(header))
    option = write_folder(tmp_path / "option")
    (option / "scenario.toml").write_text('[weights]\n"r\\u001b" = nan\n', encoding="utf-8")
    assert ("option_out_of_range", "scenario.toml", None, "weights.r\\x1b") in where(refused(option))
    assert "\x01" not in capsys.readouterr().err


# ----------------------------------------------------------------------------- 6. trailing separators


@pytest.mark.parametrize("header_end", ["", ";"])
def test_a_separator_at_the_end_of_every_row_is_accepted_without_shifting(tmp_path, header_end):
    vacancies = f"facility_id;specialty;vacancies{header_end}\nf0;gp;1;\nf1;gp;2;\n"
    graduates = f"graduate_id;specialty;funding;home_region_id{header_end}\ng0;gp;grant;r0;\ng1;gp;grant;r1;\n"
    folder = write_folder(tmp_path / "round", vacancies=vacancies, graduates=graduates)
    round_ = load_round(folder)
    assert round_.vacancies[["facility_id", "specialty", "vacancies"]].values.tolist() == [["f0", "gp", 1],
                                                                                         ["f1", "gp", 2]]
    assert round_.graduates["graduate_id"].tolist() == ["g0", "g1"]
    assert list(round_.vacancies.columns[:3]) == ["facility_id", "specialty", "vacancies"]


def test_a_filled_cell_beyond_the_header_is_refused_not_shifted(tmp_path):
    folder = write_folder(tmp_path / "round", vacancies="facility_id,specialty,vacancies\nf0,gp,1\nx,f1,gp,2\n")
    assert ("row_too_long", "vacancies.csv", 3, None) in where(refused(folder))


def test_an_unclosed_quote_is_refused_not_swallowing_rows(tmp_path):
    folder = write_folder(tmp_path / "round", graduates='graduate_id,specialty,funding,home_region_id\n'
                                                        '"g0,gp,grant,r0\ng1,gp,grant,r1\n')
    assert [p.code for p in refused(folder)] == ["quote_not_closed"]


def test_blank_lines_keep_spreadsheet_row_numbers(tmp_path):
    folder = write_folder(tmp_path / "round", vacancies="facility_id,specialty,vacancies\nf0,gp,1\n\n\nf1,gp,x\n")
    assert ("not_a_number", "vacancies.csv", 5, "vacancies") in where(refused(folder))


# ----------------------------------------------------------------------------- 7. a folder for a table


def test_a_folder_named_like_a_table_is_a_problem(tmp_path):
    folder = write_folder(tmp_path / "round", skip={"vacancies"})
    (folder / "vacancies.csv").mkdir()
    assert where(refused(folder)) == {("table_is_folder", "vacancies.csv", None, None)}


# ----------------------------------------------------------------------------- 8. bounds


@pytest.mark.parametrize(("table", "text", "row", "column"), [
    ("vacancies", "facility_id,specialty,vacancies\nf0,gp,1e20\n", 2, "vacancies"),
    ("vacancies", "facility_id,specialty,vacancies\nf0,gp,100000000000\n", 2, "vacancies"),
    ("regions", "region_id,name,lat,lon,population\nr0,A,53.2,45,1e30\nr1,B,53.6,44.5,1\n", 2, "population"),
    ("graduates", "graduate_id,specialty,funding,home_region_id,max_km\ng0,gp,grant,r0,50000\n", 2, "max_km"),
])
def test_numbers_beyond_the_schema_bounds_are_refused(tmp_path, table, text, row, column):
    folder = write_folder(tmp_path / "round", **{table: text})
    assert ("above_maximum", f"{table}.csv", row, column) in where(refused(folder))


def test_huge_programme_numbers_are_refused_not_overflowing(tmp_path):
    programmes = "programme_id,name,payment,quota,budget\np0,Земский,1e16,1e20,1e300\n"
    problems = where(refused(write_folder(tmp_path / "round", programmes=programmes)))
    for column in ("payment", "quota", "budget"):
        assert ("above_maximum", "programmes.csv", 2, column) in problems


def test_diminishing_returns_over_the_segment_limit_is_refused(tmp_path):
    per_row = 100_000
    n = MAX_SEGMENTS // per_row + 1
    facilities = "facility_id,name,region_id,lat,lon,rural\n" + "".join(
        f"f{i},ФАП,r0,53.2,45.0,true\n" for i in range(n))
    vacancies = "facility_id,specialty,vacancies\n" + "".join(f"f{i},gp,{per_row}\n" for i in range(n))
    folder = write_folder(tmp_path / "round", facilities=facilities, vacancies=vacancies)
    assert main(["validate", str(folder)]) == 0  # without diminishing returns the round is fine
    assert main(["solve", str(folder), "--out", str(tmp_path / "out"), "--diminishing-returns",
                 "--no-store", "-q"]) == 2
    assert not (tmp_path / "out").exists()
    (folder / "scenario.toml").write_text("diminishing_returns = true\n", encoding="utf-8")
    assert ("too_many_segments", "scenario.toml", None, "diminishing_returns") in where(refused(folder))


# ----------------------------------------------------------------------------- 9. threads


@pytest.mark.parametrize("value", ["2.5", "100000", "0", "true"])
def test_threads_must_be_a_whole_number_from_1_to_256(tmp_path, value):
    folder = write_folder(tmp_path / "round")
    (folder / "scenario.toml").write_text(f"threads = {value}\n", encoding="utf-8")
    assert ("not_whole_in_range", "scenario.toml", None, "threads") in where(refused(folder))


def test_threads_on_the_command_line_are_checked_too(tmp_path, capsys):
    folder = write_folder(tmp_path / "round")
    out = str(tmp_path / "out")
    assert main(["solve", str(folder), "--out", out, "--threads", "100000", "--no-store", "-q"]) == 2
    assert "threads" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:  # argparse refuses a non-integer before anything runs
        main(["solve", str(folder), "--out", out, "--threads", "2.5", "--no-store"])
    assert stop.value.code == 2


# ----------------------------------------------------------------------------- 10. encodings


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_is_named_as_an_encoding_problem(tmp_path, encoding):
    folder = write_folder(tmp_path / "round", vacancies=BASE["vacancies"].encode(encoding))
    problems = refused(folder)
    assert where(problems) == {("encoding_unsupported", "vacancies.csv", None, None)}
    assert "UTF-16" in problems[0].message and "UTF-8" in problems[0].message


def test_a_utf16_road_file_is_a_listed_problem_too(tmp_path):
    folder = write_folder(tmp_path / "round")
    (folder / "scenario.toml").write_text('distances = "road"\n', encoding="utf-8")
    (folder / "settlements.csv").write_bytes("settlement_id,name,region_id,lat,lon,population\n".encode("utf-16"))
    (folder / "roads.csv").write_text("from_id,to_id,km\n", encoding="utf-8")
    assert ("encoding_unsupported", "settlements.csv", None, None) in where(refused(folder))


# ----------------------------------------------------------------------------- 11. missing sheet


def test_a_missing_sheet_is_named_with_its_workbook(tmp_path, capsys):
    sheets = base_sheets()
    del sheets["vacancies"]
    problems = refused(write_book(tmp_path / "round.xlsx", sheets))
    assert where(problems) == {("sheet_missing", "round.xlsx", None, None)}
    assert "round.xlsx: sheet 'vacancies' is missing" in capsys.readouterr().err


# ----------------------------------------------------------------------------- 12. scenario sheet cells


def test_excel_boolean_and_number_cells_in_a_scenario_sheet(tmp_path):
    sheets = base_sheets()
    sheets["scenario"] = [["key", "value"], ["diminishing_returns", True], ["time_limit", "60"],
                          ["max_km", "1,5"], ["threads", 2], ["solver", "highs"], ["distances", ""]]
    round_ = load_round(write_book(tmp_path / "round.xlsx", sheets))
    s = round_.scenario
    assert (s.diminishing_returns, s.time_limit, s.max_km, s.threads, s.solver, s.distances) == \
        (True, 60, 1.5, 2, "highs", "geodesic")
    sheets["scenario"] = [["key", "value"], ["diminishing_returns", False], ["max_km", 150.0]]
    s = load_round(write_book(tmp_path / "round2.xlsx", sheets)).scenario
    assert s.diminishing_returns is False and s.max_km == 150
    for cell, expected in ((1.0, True), (0, False), ("ИСТИНА", True), ("нет", False)):
        sheets["scenario"] = [["diminishing_returns", cell]]  # no header row: the first row is an option
        assert load_round(write_book(tmp_path / "round3.xlsx", sheets)).scenario.diminishing_returns is expected


def test_a_scenario_sheet_value_that_is_no_boolean_is_refused(tmp_path):
    sheets = base_sheets()
    sheets["scenario"] = [["key", "value"], ["diminishing_returns", "maybe"]]
    problems = refused(write_book(tmp_path / "round.xlsx", sheets))
    assert ("not_true_false", "round.xlsx[scenario]", None, "diminishing_returns") in where(problems)


# ----------------------------------------------------------------------------- 13. coordinates


def test_swapped_facility_coordinates_give_a_warning_not_a_refusal(tmp_path):
    facilities = "facility_id,name,region_id,lat,lon,rural\nf0,ЦРБ,r0,45.0,53.2,true\nf1,ФАП,r1,44.5,53.6,true\n"
    round_ = load_round(write_folder(tmp_path / "round", facilities=facilities))
    assert [(w.code, w.file, w.column) for w in round_.warnings] == [("coordinates_swapped", "facilities.csv",
                                                                       "lat, lon")]
    assert main(["validate", str(tmp_path / "round")]) == 0


def test_facilities_in_the_other_hemisphere_give_a_warning(tmp_path):
    facilities = "facility_id,name,region_id,lat,lon,rural\nf0,ЦРБ,r0,-53.2,45.0,true\nf1,ФАП,r1,-53.6,44.5,true\n"
    round_ = load_round(write_folder(tmp_path / "round", facilities=facilities))
    assert [w.code for w in round_.warnings] == ["coordinates_far"]


def test_plausible_coordinates_give_no_warning(tmp_path):
    assert load_round(write_folder(tmp_path / "round")).warnings == ()
    assert load_round(PENZA).warnings == ()


# ----------------------------------------------------------------------------- 14. cell length


def test_a_cell_longer_than_the_limit_is_refused(tmp_path):
    def with_name(n):
        return f"facility_id,name,region_id,lat,lon,rural\nf0,{'Ж' * n},r0,53.2,45.0,true\nf1,ФАП,r1,53.6,44.5,true\n"

    assert load_round(write_folder(tmp_path / "ok", facilities=with_name(MAX_CELL_CHARS))).facilities["name"][0] \
        == "Ж" * MAX_CELL_CHARS
    problems = refused(write_folder(tmp_path / "bad", facilities=with_name(MAX_CELL_CHARS + 1)))
    assert ("cell_too_long", "facilities.csv", 2, "name") in where(problems)


# ----------------------------------------------------------------------------- any bytes at all

PIECES = st.sampled_from(["f0", "gp", "1", ",", ";", "\t", '"', "\n", "\r\n", "\x00", "\x0b", "\x85", "é", "\ufeff",
                          "facility_id", "specialty", "vacancies", "1e20", " "])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, max_size=40), st.sampled_from(["utf-8", "utf-16", "cp1251"]))
def test_any_vacancies_file_gives_a_round_or_listed_problems(pieces, encoding):
    import tempfile

    text = "facility_id,specialty,vacancies\n" + "".join(pieces)
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_folder(Path(tmp), vacancies=text.encode(encoding, errors="replace"))
        try:
            round_ = load_round(folder)
        except InputError as err:
            assert err.problems and all(p.file and p.message and p.message_ru for p in err.problems)
        else:
            assert round_.vacancies["vacancies"].notna().all()

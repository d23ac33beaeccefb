"""Template workbook, printable result workbook, edits through validation."""

import io
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from allocator import InputError, load_round, solve
from allocator import headers as headers_ru
from allocator.schema import TABLES, columns
from allocator.template import DESCRIPTION_SHEET, template_workbook
from ui import exports, state, views
from ui.i18n import t


def bundled_tables() -> list[str]:
    """The schema's tables the bundled round has a file of (an optional one, instalments, it may lack)."""
    return [table for table in TABLES if (state.BUNDLED_DIR / f"{table}.csv").exists()]


@pytest.fixture(scope="module")
def loaded():
    return state.load_folder(state.BUNDLED_DIR, "penza")


@pytest.fixture(scope="module")
def record(loaded):
    solution = solve(loaded.round)
    return state.RunRecord(name="Базовый", round=loaded.round, solution=solution, log_text="", options={})


def test_template_has_a_sheet_per_table_and_descriptions():
    wb = load_workbook(io.BytesIO(template_workbook()))
    assert set(TABLES) <= set(wb.sheetnames) and DESCRIPTION_SHEET in wb.sheetnames
    for table in TABLES:
        header = [c.value for c in wb[table][1]]
        assert header == [c.name for c in columns(table)]
    desc = pd.read_excel(io.BytesIO(template_workbook()), sheet_name=DESCRIPTION_SHEET)
    assert len(desc) == sum(len(columns(t_)) for t_ in TABLES)
    assert desc["описание"].str.len().gt(0).all() and desc["description"].str.len().gt(0).all()


def test_filled_template_uploads(loaded, tmp_path):
    """The template filled with the bundled round loads back to the same round."""
    wb = load_workbook(io.BytesIO(template_workbook()))
    for table in bundled_tables():
        frame = pd.read_csv(state.BUNDLED_DIR / f"{table}.csv", dtype=str, keep_default_na=False)
        ws = wb[table]
        names = [c.value for c in ws[1]]
        for row in frame.reindex(columns=names).fillna("").itertuples(index=False):
            ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    up = state.load_upload("penza.xlsx", buf.getvalue(), tmp_path)
    assert len(up.round.graduates) == len(loaded.round.graduates)
    assert int(up.round.vacancies["vacancies"].sum()) == int(loaded.round.vacancies["vacancies"].sum()) > 0


def test_result_workbook_is_fit_to_print_and_sign(record):
    data = exports.result_workbook(record, "ru")
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [t(k, "ru") for k in ("sheet_summary", "sheet_assignments", "sheet_unplaced",
                                                  "sheet_deficits", "sheet_programmes")]
    ws = wb[t("sheet_assignments", "ru")]
    assert ws["A1"].value == t("xlsx_title", "ru", name="Базовый")
    assert ws["A2"].value.startswith("Дата расчёта:")
    header_row = 5
    assert ws.cell(header_row, 1).value == "Выпускник" and ws.cell(header_row, 1).font.bold
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows.replace("$", "") == f"{header_row}:{header_row}"
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert any(v.startswith("Подготовил:") for v in texts) and any(v.startswith("Утверждаю:") for v in texts)
    assert ws.max_row >= header_row + record.solution.summary["placed_total"]
    assert ws.column_dimensions["E"].width > 10
    en = load_workbook(io.BytesIO(exports.result_workbook(record, "en")))
    assert en[t("sheet_assignments", "en")].cell(header_row, 1).value == "Graduate"


def test_solution_zip_has_the_command_line_files(record):
    names = set(zipfile.ZipFile(io.BytesIO(exports.solution_zip(record.solution))).namelist())
    assert names == {"assignments.csv", "unplaced.csv", "deficits.csv", "summary.json", "result.xlsx"}


def test_csv_has_bom_for_excel():
    assert exports.csv_bytes(pd.DataFrame({"Район": ["Пенза"]})).startswith("\ufeff".encode("utf-8"))


def test_edits_go_through_validation(loaded):
    views = state.editable_views(loaded)
    assert state.changed_tables(loaded, views) == []
    base = solve(state.build_round(loaded, views, state.options_of(loaded.round))).summary
    assert base["input_hash"] == solve(loaded.round).summary["input_hash"]

    views["programmes"].loc[0, "quota"] = 0
    views["regions"].loc[views["regions"]["region_id"] == "kamensky", "weight"] = 5.0
    assert set(state.changed_tables(loaded, views)) == {"programmes", "regions"}
    edited = state.build_round(loaded, views, state.options_of(loaded.round))
    assert dict(edited.scenario.weights) == {"kamensky": 5.0}
    summary = solve(edited).summary
    assert summary["programmes"][0]["placed"] == 0

    views["vacancies"].loc[2, "vacancies"] = -2
    with pytest.raises(InputError) as err:
        state.build_round(loaded, views, state.options_of(loaded.round))
    assert [(p.row, p.column) for p in err.value.problems] == [(4, "vacancies")]


def test_upload_rejects_non_round_files(tmp_path):
    with pytest.raises(InputError):
        state.load_upload("notes.txt", b"hello", tmp_path)
    with pytest.raises(InputError) as err:
        state.load_upload("broken.zip", b"not a zip", tmp_path)
    assert err.value.problems[0].file == "broken.zip"


# ------------------------------------------------------------- the Russian Excel dialect, file names


def test_csv_in_the_russian_excel_dialect_reads_back_equal(record):
    """Semicolons, decimal commas, a BOM; read back with pandas' Russian-Excel settings it is the table."""
    table = views.display_assignments(views.assignments_table(record.round, record.solution, "ru"), "ru")
    data = exports.csv_bytes(table, "excel_ru")
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert header.split(";") == list(table.columns)
    km = table.columns[list(table.columns).index(t("col_km", "ru"))]
    assert any(f"{v:.1f}".replace(".", ",") in first for v in table[km].head(1))  # a decimal comma
    back = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(back, table.reset_index(drop=True), check_dtype=False)
    plain = pd.read_csv(io.BytesIO(exports.csv_bytes(table)), encoding="utf-8-sig")
    pd.testing.assert_frame_equal(plain, back)  # the same table in both dialects


def test_file_names_keep_the_number_sign_readable():
    assert exports.file_slug("Расчёт № 29") == "Расчёт_N_29"
    assert exports.file_slug("Сценарий 1 (40 км)") == "Сценарий_1_40_км"
    assert exports.file_slug("№/?") == "N" and exports.file_slug("***") == "scenario"


# ------------------------------------------------------------------------- the template workbook


def test_template_has_drop_down_lists_for_funding_rural_and_type():
    for headers, yes_no in (("codes", '"true,false"'), ("ru", '"да,нет"')):
        wb = load_workbook(io.BytesIO(template_workbook(headers=headers)))
        lists = {}
        for table in TABLES:
            ws = wb[table]
            names = [c.name for c in columns(table)]
            for dv in ws.data_validations.dataValidation:
                for rng in dv.sqref.ranges:
                    assert rng.min_row == 2 and rng.max_row > 1000
                    lists[(table, names[rng.min_col - 1])] = (dv.type, dv.formula1, dv.showErrorMessage)
        assert lists == {
            ("graduates", "funding"): ("list", '"grant,targeted,paid"', True),
            ("graduates", "status"): ("list", '"available,exempt,deferred"', True),
            ("graduates", "rural_quota"): ("list", yes_no, True),
            ("facilities", "rural"): ("list", yes_no, True),
            ("facilities", "type"): ("list", '"FAP,FP,VA,UB,RB,MRB,polyclinic,hospital"', True),
            ("facilities", "remote"): ("list", yes_no, True),
            ("facilities", "closed_town"): ("list", yes_no, True),
            ("facilities", "ownership"): ("list", '"state,private"', True),
            ("programmes", "funding"): (  # a list column offers every combination
                "list", '"grant,targeted,paid,grant;targeted,grant;paid,targeted;paid,grant;targeted;paid"', True),
            ("programmes", "closed_towns"): ("list", yes_no, True),
            ("programmes", "ownership"): ("list", '"state,private"', True),
        }


def test_ru_header_template_names_every_column_and_a_filled_one_loads(loaded, tmp_path):
    """The RU-header template's header row is Russian; filled with the bundled round (rural as да/нет)
    it loads to the same round as the bundled folder."""
    wb = load_workbook(io.BytesIO(template_workbook(headers="ru")))
    for table in TABLES:
        ws = wb[table]
        header = [c.value for c in ws[1]]
        assert header == [headers_ru.ru_header(table, c.name) for c in columns(table)]
        assert all(any("а" <= ch <= "я" for ch in h) for h in header)  # every header in Russian
        if table not in bundled_tables():  # an optional table the bundled round leaves out (instalments)
            continue
        frame = pd.read_csv(state.BUNDLED_DIR / f"{table}.csv", dtype=str, keep_default_na=False)
        if table == "facilities":
            frame["rural"] = frame["rural"].str.lower().map({"true": "да", "false": "нет"}).fillna(frame["rural"])
        for row in frame.reindex(columns=[c.name for c in columns(table)]).fillna("").itertuples(index=False):
            ws.append(list(row))
    desc = wb[DESCRIPTION_SHEET]
    assert desc.cell(1, desc.max_column).value.startswith("заголовок по-русски")
    buf = io.BytesIO()
    wb.save(buf)
    up = state.load_upload("шаблон.xlsx", buf.getvalue(), tmp_path)
    r, b = up.round, loaded.round
    for table, cols in (("regions", ["region_id", "name", "population"]), ("facilities", ["facility_id", "rural"]),
                        ("vacancies", ["facility_id", "specialty", "vacancies"]),
                        ("graduates", ["graduate_id", "funding", "specialty"]), ("programmes", ["payment", "quota"])):
        pd.testing.assert_frame_equal(getattr(r, table)[cols], getattr(b, table)[cols], check_dtype=False)


def test_ru_headers_cover_the_schema_and_a_header_twice_is_refused(tmp_path):
    for table in TABLES:
        assert set(headers_ru.RU_HEADERS[table]) == {c.name for c in columns(table)}, table
        assert len(set(headers_ru.RU_HEADERS[table].values())) == len(columns(table)), table
    folder = tmp_path / "round"
    folder.mkdir()
    for table in bundled_tables():
        (folder / f"{table}.csv").write_bytes((state.BUNDLED_DIR / f"{table}.csv").read_bytes())
    regions = pd.read_csv(folder / "regions.csv")
    regions["Население "] = regions["population"]  # "population" given twice, by both names
    regions.to_csv(folder / "regions.csv", index=False)
    with pytest.raises(InputError) as err:
        load_round(folder)
    assert any(p.code == "column_twice" and p.file == "regions.csv" for p in err.value.problems)

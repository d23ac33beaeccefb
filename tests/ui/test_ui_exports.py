"""Template workbook, printable result workbook, edits through validation."""

import io
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from allocator import InputError, solve
from allocator.schema import TABLES, columns
from allocator.template import DESCRIPTION_SHEET, template_workbook
from ui import exports, state
from ui.i18n import t


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
    for table in TABLES:
        frame = pd.read_csv(state.BUNDLED_DIR / f"{table}.csv", dtype=str, keep_default_na=False)
        ws = wb[table]
        names = [c.value for c in ws[1]]
        for row in frame.reindex(columns=names).fillna("").itertuples(index=False):
            ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    up = state.load_upload("penza.xlsx", buf.getvalue(), tmp_path)
    assert len(up.round.graduates) == len(loaded.round.graduates)
    assert int(up.round.vacancies["vacancies"].sum()) == 442


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

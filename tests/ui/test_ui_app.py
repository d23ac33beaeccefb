"""The Streamlit app driven headless by AppTest: real rounds, real solver, no mocks."""


import pandas as pd
import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402
from support.paths import ROOT

from allocator import load_round, solve  # noqa: E402
from ui import state  # noqa: E402

APP = str(ROOT / "ui_streamlit.py")
RUN_PAGE = "ui/pages/run.py"
COMPARE_PAGE = "ui/pages/compare.py"
TIMEOUT = 60


def start() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run_scenario(at: AppTest) -> AppTest:
    at.switch_page(RUN_PAGE).run()
    at.button(key="run_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page with ``column`` (st.dataframe keys are not addressable in AppTest)."""
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with column {column!r}: {[list(d.value.columns) for d in at.dataframe]}")


def metric(at: AppTest, startswith: str):
    found = [m for m in at.metric if m.label.startswith(startswith)]
    assert found, [m.label for m in at.metric]
    return found[0]


def test_app_starts_with_penza_loaded():
    at = start()
    assert at.title[0].value == "Распределение выпускников-медиков"
    assert any("Пензенская область" in i.value for i in at.info)
    loaded = at.session_state["loaded"]
    assert len(loaded.round.regions) == 29 and int(loaded.round.vacancies["vacancies"].sum()) == 446
    # four editors (regions with indicators, vacancies, programmes, graduates)
    assert len(at.data_editor) == 4
    regions = at.data_editor[0].value
    assert {"komk", "group", "provision", "staffing", "weight"} <= set(regions.columns)


def test_run_button_shows_the_solver_headline_figures():
    at = run_scenario(start())
    expected = solve(load_round(ROOT / "data" / "penza")).summary
    placed = metric(at, "Распределено обязанных")
    assert placed.value == str(expected["objective"]["1_obligated_placed"])
    assert f"из {expected['obligated_total']}" in placed.label
    after = metric(at, "Взвешенный дефицит после")
    assert after.value == f"{expected['objective']['2_weighted_deficit']:.1f}".replace(".", ",")  # decimal comma
    before = metric(at, "Взвешенный дефицит до")
    assert before.value == f"{expected['weighted_deficit_before']:.1f}".replace(".", ",")
    assert any("Сценарий 1" in s.value for s in at.success)
    # the assignment table lists every placement
    run = at.session_state["runs"]["Сценарий 1"]
    assert len(run.solution.assignments) == expected["placed_total"]
    # four downloads: CSV (plain and Russian Excel), printable workbook, the command line's files
    assert [b.key for b in at.get("download_button")] == ["dl_csv", "dl_csv_ru", "dl_xlsx", "dl_zip"]


def test_language_switch_changes_labels():
    at = start()
    at.sidebar.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Medical graduate allocation"
    assert any("Penza oblast" in i.value for i in at.info)
    at = run_scenario(at)
    labels = [m.label for m in at.metric]
    assert any(label.startswith("Obligated placed") for label in labels), labels
    at.sidebar.radio(key="lang").set_value("ru").run()
    assert any(m.label.startswith("Распределено обязанных") for m in at.metric)


def test_bad_upload_lists_problems_with_file_row_and_column(tmp_path):
    bad = state.BUNDLED_DIR
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in ("regions.csv", "facilities.csv", "graduates.csv", "programmes.csv"):
            zf.write(bad / name, arcname=f"round/{name}")
        vac = (bad / "vacancies.csv").read_text(encoding="utf-8").splitlines()
        vac[2] = "no_such_facility,gp,-3"
        zf.writestr("round/vacancies.csv", "\n".join(vac) + "\n")
    with pytest.raises(state.InputError) as err:
        state.load_upload("bad_round.zip", buf.getvalue(), tmp_path)
    problems = err.value.problems
    assert {(p.file, p.row, p.column) for p in problems} >= {("vacancies.csv", 3, "vacancies"),
                                                           ("vacancies.csv", 3, "facility_id")}
    # the page lists them with file, row and column
    at = start()
    at.session_state["upload_problems"] = ("bad_round.zip", problems)
    at.run()
    assert not at.exception
    assert any("bad_round.zip" in e.value for e in at.error)
    table = at.table[0].value  # st.table: long messages wrap, values are shown in full
    assert list(table.columns) == ["Файл", "Строка", "Столбец", "Сообщение"]
    assert ("vacancies.csv", 3, "vacancies") in set(zip(table["Файл"], table["Строка"], table["Столбец"]))


def test_two_scenarios_compared_show_differences():
    at = run_scenario(start())
    at.checkbox(key="opt_unlimited").uncheck().run()
    at.number_input(key="opt_maxkm").set_value(40.0).run()
    at.button(key="run_button").click().run()
    assert not at.exception
    runs = at.session_state["runs"]
    assert list(runs) == ["Сценарий 1", "Сценарий 2"]
    assert runs["Сценарий 2"].round.scenario.max_km == 40.0
    at.switch_page(COMPARE_PAGE).run()
    assert not at.exception
    figures = frame_with(at, "Сценарий 2")
    assert list(figures.columns) == ["Сценарий 1", "Сценарий 2"]
    regions = frame_with(at, "Δ Сценарий 2")
    assert "Δ Сценарий 2" in regions.columns and (regions["Δ Сценарий 2"] != 0).all() and len(regions)
    changed = frame_with(at, "Основа обучения")
    a1 = runs["Сценарий 1"].solution.assignments.set_index("graduate_id")["facility_id"]
    a2 = runs["Сценарий 2"].solution.assignments.set_index("graduate_id")["facility_id"]
    both = pd.concat([a1.rename("a"), a2.rename("b")], axis=1)
    expected = int((both["a"].fillna("") != both["b"].fillna("")).sum())
    assert len(changed) == expected > 0


def test_invalid_edit_is_refused_with_problems():
    at = start()
    views = at.session_state["views"]
    views["vacancies"].loc[0, "vacancies"] = -1
    at.switch_page(RUN_PAGE).run()
    at.button(key="run_button").click().run()
    assert not at.exception
    assert any("не прошли проверку" in e.value for e in at.error)
    assert not at.session_state["runs"]

"""The run page (AppTest, real solver): pending edits named, results of another data set marked,
downloads built only when clicked, the same figures in both CSV dialects."""

import pandas as pd
import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402
from support.paths import ROOT  # noqa: E402
from support.rounds import generated_frames, write_round  # noqa: E402

from ui import run_view, state  # noqa: E402
from ui.i18n import t  # noqa: E402

APP = str(ROOT / "ui_streamlit.py")
RUN_PAGE = "ui/pages/run.py"


def run_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page(RUN_PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def click_run(at: AppTest) -> AppTest:
    at.button(key="run_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def pending(at: AppTest) -> list[str]:
    starts = (t("run_pending_edits_first", "ru", tables="").split(":")[0],
              t("run_pending_edits", "ru", tables="").split(":")[0])
    return [i.value for i in at.info if i.value.startswith(starts)]


def edit(at: AppTest, table: str, column: str, row: int, value) -> None:
    """Change one cell of an editable view, as the inputs page's editor would."""
    views = dict(at.session_state["views"])
    frame = views[table].copy()
    frame.loc[frame.index[row], column] = value
    views[table] = frame
    at.session_state["views"] = views


def test_pending_edits_are_named_until_they_are_run():
    at = run_page()
    assert pending(at) == []  # the round as loaded: nothing to say
    edit(at, "programmes", "quota", 0, 0)
    at.run()
    assert pending(at) == [t("run_pending_edits_first", "ru", tables=t("tab_programmes", "ru"))]
    click_run(at)
    assert pending(at) == []  # the last run has these edits
    record = at.session_state["runs"]["Сценарий 1"]
    assert record.solution.programmes[0].placed == 0  # and it ran with them
    edit(at, "vacancies", "vacancies", 0, 7)
    at.run()
    tables = t("tab_vacancies", "ru")
    assert pending(at) == [t("run_pending_edits", "ru", tables=tables)]
    at.sidebar.radio(key="lang").set_value("en").run()
    assert [i.value for i in at.info if i.value.startswith("Edited since the last run")] == [
        t("run_pending_edits", "en", tables=t("tab_vacancies", "en"))]


def test_results_of_another_data_set_are_marked(tmp_path):
    at = click_run(run_page())  # Сценарий 1 on Penza
    assert not at.warning or all("другого набора" not in w.value for w in at.warning)
    small = state.load_folder(write_round(generated_frames(30, 6, 3, seed=5), tmp_path / "small"), "small")
    at.session_state["loaded"] = small  # what an upload does (app.set_loaded)
    at.session_state["views"] = state.editable_views(small)
    at.run()
    shown = at.selectbox(key="show_scenario")
    assert shown.value == "Сценарий 1"  # only a run of the other data set exists: shown, and marked
    assert shown.format_func("Сценарий 1") == t("scenario_other_round", "ru", name="Сценарий 1")
    marks = [w.value for w in at.warning if w.value.startswith("Расчёт для другого набора данных")]
    assert marks == [t("run_other_round", "ru", name=at.session_state["runs"]["Сценарий 1"].round.name,
                       loaded="small")]
    click_run(at)  # Сценарий 2 on the small round: shown by default, unmarked
    assert at.selectbox(key="show_scenario").value == "Сценарий 2"
    assert not [w for w in at.warning if w.value.startswith("Расчёт для другого набора данных")]
    assert at.selectbox(key="show_scenario").format_func("Сценарий 2") == "Сценарий 2"


def test_downloads_are_built_only_when_clicked():
    at = click_run(run_page())
    record = at.session_state["runs"]["Сценарий 1"]
    at.run()  # a rerun with the results on screen
    assert record.downloads == {}  # neither the workbook nor the ZIP was built for drawing the page
    keys = [b.key for b in at.get("download_button")]
    assert keys == ["dl_csv", "dl_csv_ru", "dl_xlsx", "dl_zip"]
    labels = {b.key: b.label for b in at.get("download_button")}
    assert labels["dl_csv_ru"] == t("download_csv_excel_ru", "ru", label=t("download_csv", "ru"))


def test_snapshot_compares_numbers_as_numbers():
    loaded = state.load_folder(state.BUNDLED_DIR, "penza")
    views = state.editable_views(loaded)
    before = run_view.snapshot(views)
    same = dict(views, regions=views["regions"].assign(weight=views["regions"]["weight"].astype(str)))
    assert state.differing_tables(same, before) == []  # "1.5" typed is the weight 1.5
    changed = dict(views, graduates=views["graduates"].assign(max_km=pd.Series(dtype=float)))
    assert state.differing_tables(changed, before) == ["graduates"]

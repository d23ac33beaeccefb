"""The choice-and-menu page (ui/pages/mechanisms.py, AppTest, real solvers) on a tiny round where the
menu beats choice: the comparison table, the two charts, the regions, the offered posts and their xlsx,
in both languages; a round without preferences is told so."""

import io

import pytest

pytest.importorskip("streamlit")
from openpyxl import load_workbook  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402
from support.paths import ROOT  # noqa: E402
from support.rounds import town_and_village, write_round  # noqa: E402

from allocator.catalogue import text  # noqa: E402
from allocator.mechanisms.compare_cli import offered_table  # noqa: E402
from ui import exports, state  # noqa: E402
from ui.i18n import t  # noqa: E402

APP = str(ROOT / "ui_streamlit.py")
PAGE = "ui/pages/mechanisms.py"


def page_on(folder, lang="ru") -> AppTest:
    """The app on the mechanisms page with the round in ``folder`` loaded (what an upload does)."""
    at = AppTest.from_file(APP, default_timeout=120).run()
    loaded = state.load_folder(folder, "tiny")
    at.session_state["loaded"] = loaded
    at.session_state["views"] = state.editable_views(loaded)
    if lang != "ru":
        at.sidebar.radio(key="lang").set_value(lang).run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_page_compares_the_three_mechanisms(tmp_path):
    folder = write_round(town_and_village(), tmp_path / "tiny")
    at = page_on(folder)
    assert at.title[0].value == "Распределение по выбору"
    assert not at.dataframe  # nothing solved before the button
    at.button(key="mechanisms_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    figures = at.dataframe[0].value
    assert list(figures.columns) == [text(f"mech_col_{c}", "ru") for c in
                                     ("mechanism", "obligated", "deficit", "km", "first", "top3", "blocking")]
    assert list(figures[text("mech_col_deficit", "ru")]) == ["1,0", "2,0", "1,0"]
    assert list(figures[text("mech_col_blocking", "ru")]) == ["1", "0", "0"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {t("mechanisms_choice_cost", "ru"): "1,0", t("mechanisms_menu_gain", "ru"): "1,0"}
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    regions = at.dataframe[1].value
    came = text("mech_col_came", "ru")
    assert regions.iloc[0][text("mech_col_region", "ru")] == "Село" and regions.iloc[0][came] == 1
    offered = at.dataframe[2].value
    assert offered.to_dict(orient="records") == [{"код учреждения": "fV", "учреждение": "Амбулатория",
                                                  "регион": "Село", "специальность": "therapist",
                                                  "предлагается мест": 1, "вакансий": 1}]
    assert len(at.get("download_button")) == 1
    result = at.session_state["mechanisms_result"]
    assert result["report"]["menu_gain"] == 1.0
    # the xlsx the button gives (built by the same call)
    loaded = at.session_state["loaded"]
    table = offered_table(loaded.round, result["solutions"]["menu"], "ru")
    book = load_workbook(io.BytesIO(exports.tables_xlsx({text("mech_offered_sheet", "ru"): table})))
    assert [c.value for c in book.active[1]] == list(offered.columns)
    assert [c.value for c in book.active[2]] == ["fV", "Амбулатория", "Село", "therapist", 1, 1]
    # in English, the result stays and speaks English
    at.sidebar.radio(key="lang").set_value("en").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Choice and menu"
    assert list(at.dataframe[0].value[text("mech_col_mechanism", "en")]) == [
        text(f"mech_name_{m}", "en") for m in ("assign", "choice", "menu")]


def test_a_round_without_preferences_is_told_so(tmp_path):
    folder = write_round(town_and_village(preferences=False), tmp_path / "tiny")
    at = page_on(folder, lang="en")
    assert [i.value for i in at.info] == [t("mechanisms_no_preferences", "en")]
    assert not at.button or all(b.key != "mechanisms_run" for b in at.button)

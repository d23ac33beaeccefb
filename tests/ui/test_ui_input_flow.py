"""The input page as a person uses it (AppTest, real uploads, real validator): the sidebar names a new
round at once, old upload errors go away, a typed -1 is refused visibly, codes are shown as words and
the page points to the next step."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402
from support.paths import PENZA, ROOT  # noqa: E402

from ui.i18n import count, t  # noqa: E402

APP = str(ROOT / "ui_streamlit.py")
TABLES = ("regions.csv", "facilities.csv", "vacancies.csv", "graduates.csv", "programmes.csv")


def start() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def round_zip(bad_vacancy: bool = False) -> bytes:
    """The bundled round's tables in a ZIP; ``bad_vacancy``: row 3 of vacancies.csv refused."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in TABLES:
            text = (PENZA / name).read_text(encoding="utf-8")
            if bad_vacancy and name == "vacancies.csv":
                lines = text.splitlines()
                lines[2] = "no_such_facility,gp,-3"
                text = "\n".join(lines) + "\n"
            zf.writestr(f"round/{name}", text)
    return buf.getvalue()


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="upload_file").set_value((name, data, "application/zip")).run()
    at.button(key="upload_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sidebar_text(at: AppTest) -> str:
    return " ".join(c.value for c in at.sidebar.caption)


def test_an_upload_names_the_new_round_at_once_and_old_errors_go():
    at = upload(start(), "broken.zip", round_zip(bad_vacancy=True))
    assert any("broken.zip" in e.value for e in at.error)
    problems = at.table[0].value
    assert ("vacancies.csv", 3, "vacancies") in set(zip(problems["Файл"], problems["Строка"], problems["Столбец"]))
    assert "Пензенская область" in sidebar_text(at)  # the previous round stays

    at = upload(at, "my_round.zip", round_zip())
    assert "my_round.zip" in sidebar_text(at)  # in the same click, not one interaction later
    assert not any("broken.zip" in e.value for e in at.error) and not at.table
    assert any(t("upload_ok", "ru", name="my_round.zip") == s.value for s in at.success)


def test_choosing_another_file_or_the_bundled_round_clears_old_errors():
    at = upload(start(), "broken.zip", round_zip(bad_vacancy=True))
    assert at.session_state["upload_problems"]
    at.file_uploader(key="upload_file").set_value(("other.zip", round_zip(), "application/zip")).run()
    assert not at.session_state["upload_problems"] and not any("broken.zip" in e.value for e in at.error)

    at = upload(at, "broken.zip", round_zip(bad_vacancy=True))
    assert at.session_state["upload_problems"]
    at.button(key="use_bundled").click().run()
    assert not at.session_state["upload_problems"] and not at.table
    assert "Пензенская область" in sidebar_text(at)


def test_a_negative_count_is_refused_visibly_not_turned_positive():
    at = start()
    key = f"editor_vacancies_{at.session_state['editor_epoch']}"
    at.session_state[key] = {"edited_rows": {0: {"vacancies": -1}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["views"]["vacancies"]["vacancies"].iloc[0] == -1  # kept as typed
    refused = [e.value for e in at.error]
    assert refused == [t("edits_invalid", "ru", problems=count(1, "problem", "ru"))], refused
    table = at.table[0].value
    assert list(zip(table["Файл"], table["Строка"], table["Столбец"])) == [(t("tab_vacancies", "ru"), 1, "vacancies")]
    assert "-1" in table["Сообщение"].iloc[0]
    assert not at.page_link  # no pointer to the run page while the edits are refused


def test_the_sidebar_counts_with_russian_plurals():
    at = start()
    nb = "\u00a0"
    expected = f"29{nb}районов, 36{nb}учреждений, 446{nb}вакансий, 317{nb}выпускников, 2{nb}программы поддержки"
    assert expected in sidebar_text(at)
    at.sidebar.radio(key="lang").set_value("en").run()
    assert f"446{nb}vacancies, 317{nb}graduates, 2{nb}support programmes" in sidebar_text(at)


def test_the_first_page_points_to_the_next_step_and_shows_words():
    at = start()
    assert any(s.value == t("next_step", "ru") for s in at.success)
    assert [p.label for p in at.page_link] == [t("next_step_link", "ru")]
    graduates = at.data_editor[3]
    assert set(graduates.value["funding"]) == {"grant", "targeted", "paid"}  # the data stay codes ...
    config = json.loads(graduates.proto.columns)
    shown = {o["value"]: o["label"] for o in config["funding"]["type_config"]["options"]}
    assert shown == {"grant": "грант", "targeted": "целевое", "paid": "платное"}  # ... shown as words
    regions = json.loads(at.data_editor[0].proto.columns)["weight_basis"]["type_config"]["options"]
    assert {o["label"] for o in regions} >= {"группа КОМК I", "группа КОМК IV"}
    for editor in at.data_editor:
        assert editor.proto.HasField("placeholder") and editor.proto.placeholder == ""  # empty, not «None»
    at.sidebar.radio(key="lang").set_value("en").run()
    assert any(s.value == t("next_step", "en") for s in at.success)

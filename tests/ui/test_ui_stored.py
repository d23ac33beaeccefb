"""The app's stored-runs page, driven headless by AppTest: runs made in the app are kept in the
run store (a temporary SQLite file here), reopened with the result views, and any two compared."""


import pandas as pd
import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402
from support.paths import ROOT
from support.store_helpers import plain  # noqa: E402

from allocator import load_round, solve  # noqa: E402
from allocator.store import open_store, record_run  # noqa: E402
from allocator.store.query import list_runs  # noqa: E402

APP = str(ROOT / "ui_streamlit.py")
RUN_PAGE = "ui/pages/run.py"
STORED_PAGE = "ui/pages/stored.py"
TIMEOUT = 60


@pytest.fixture
def store_file(tmp_path, monkeypatch):
    path = tmp_path / "ui-runs.sqlite"
    monkeypatch.setenv("ALLOCATOR_DB", str(path))
    return path


def frame_with(at: AppTest, column: str):
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with column {column!r}: {[list(d.value.columns) for d in at.dataframe]}")


def test_a_run_made_in_the_app_is_stored_and_reopened(store_file):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page(STORED_PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Сохранённых расчётов пока нет" in i.value for i in at.info)

    at.switch_page(RUN_PAGE).run()
    at.button(key="run_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Сохранён как расчёт № 1" in s.value for s in at.success)
    store = open_store(str(store_file))
    runs = list_runs(store)
    store.dispose()
    assert list(runs["id"]) == [1] and runs.at[0, "status"] == "optimal"

    at.switch_page(STORED_PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    table = frame_with(at, "Взвешенный дефицит")
    assert list(table["id"]) == [1] and table.at[0, "Распределено"] == "283 / 317"
    at.button(key="stored_open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Расчёт № 1" in s.value for s in at.success)
    reopened = at.session_state["runs"]["Расчёт № 1"]
    session = at.session_state["runs"]["Сценарий 1"]
    assert reopened.store_id == 1
    assert reopened.round.input_hash() == session.round.input_hash()
    pd.testing.assert_frame_equal(plain(reopened.solution.assignments), plain(session.solution.assignments))

    at.switch_page(RUN_PAGE).run()  # the run page shows it with the usual result views
    assert not at.exception, [e.value for e in at.exception]
    assert any("Расчёт № 1" in h.value for h in at.header)


def test_any_two_stored_runs_are_compared(store_file):
    round_ = load_round(ROOT / "data" / "penza")
    near = round_.with_scenario(round_.scenario.replace(max_km=40.0))
    store = open_store(str(store_file))
    first = record_run(store, round_, solve(round_), user="a")
    second = record_run(store, near, solve(near), user="b")
    store.dispose()

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["lang"] = "en"
    at.run()
    at.switch_page(STORED_PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="stored_compare").value == [first, second]
    options = frame_with(at, "Option")
    assert list(options["Option"]) == ["max_km"] and list(options["Run #2"]) == ["40.0"]
    # the session comparison's headline figures, fed from the store
    assert any(list(df.value.columns) == ["Run #1", "Run #2"] for df in at.dataframe)
    regions = frame_with(at, "Δ Run #2")
    assert len(regions) and (regions["Δ Run #2"] != 0).all()
    assert any("graduates" in c.value for c in at.caption)  # changed input tables named

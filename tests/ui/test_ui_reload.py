"""A reload finds the session again, and scenarios are compared only within one round.

A reload is a new Streamlit session with the same URL: here a new AppTest with the same
``?session=`` query parameter, against a temporary SQLite run store. The second round is a
two-district cut of the bundled Penza round, uploaded as a ZIP (through ``state.load_upload``:
AppTest cannot drive the file uploader)."""

import io
import zipfile

import pandas as pd
import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402
from support.paths import PENZA, ROOT  # noqa: E402

from allocator.store import open_store  # noqa: E402
from allocator.store.query import get_run  # noqa: E402
from ui import state, views  # noqa: E402

APP = str(ROOT / "ui_streamlit.py")
RUN_PAGE = "ui/pages/run.py"
COMPARE_PAGE = "ui/pages/compare.py"
STORED_PAGE = "ui/pages/stored.py"
TIMEOUT = 60
DISTRICTS = ("bashmakovsky", "bekovsky")


@pytest.fixture
def store_file(tmp_path, monkeypatch):
    path = tmp_path / "ui-runs.sqlite"
    monkeypatch.setenv("ALLOCATOR_DB", str(path))
    return path


def two_district_zip() -> bytes:
    """Penza cut down to two districts, their facilities, vacancies and graduates, as a ZIP."""
    read = {n: pd.read_csv(PENZA / f"{n}.csv", dtype=str, keep_default_na=False)
            for n in ("regions", "facilities", "vacancies", "graduates", "programmes")}
    regions = read["regions"][read["regions"]["region_id"].isin(DISTRICTS)]
    facilities = read["facilities"][read["facilities"]["region_id"].isin(DISTRICTS)]
    vacancies = read["vacancies"][read["vacancies"]["facility_id"].isin(facilities["facility_id"])]
    graduates = read["graduates"][read["graduates"]["home_region_id"].isin(DISTRICTS)].copy()
    sponsor = graduates["sponsor_region_id"]  # a sponsor outside the two districts: the home district
    graduates["sponsor_region_id"] = sponsor.where(sponsor.isin(DISTRICTS) | (sponsor == ""),
                                                   graduates["home_region_id"])
    tables = {"regions": regions, "facilities": facilities, "vacancies": vacancies, "graduates": graduates,
              "programmes": read["programmes"]}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, frame in tables.items():
            zf.writestr(f"two_districts/{name}.csv", frame.to_csv(index=False))
    return buf.getvalue()


def start(session: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if session:
        at.query_params["session"] = session
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run_scenario(at: AppTest, max_km: float | None = None) -> AppTest:
    at.switch_page(RUN_PAGE).run()
    if max_km is not None:
        at.number_input(key="opt_maxkm").set_value(max_km).run()
    at.button(key="run_button").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def load_as_upload(at: AppTest, loaded: state.LoadedRound) -> None:
    """What the input page does with a valid upload (ui.app.set_loaded)."""
    ss = at.session_state
    ss["loaded"] = loaded
    ss["views"] = state.editable_views(loaded)
    ss["editor_base"] = {}
    ss["editor_epoch"] = ss["editor_epoch"] + 1
    ss["loaded_token"] = "the upload"


def test_a_reload_reopens_the_sessions_scenarios(store_file):
    at = start()
    session = at.session_state["session_id"]
    assert at.query_params["session"] == session  # in the URL: a reload sends it back
    run_scenario(at)
    run_scenario(at, max_km=40.0)
    before = at.session_state["runs"]
    assert list(before) == ["Сценарий 1", "Сценарий 2"]

    again = start(session)  # F5: a new session, the same URL
    assert again.session_state["session_id"] == session
    after = again.session_state["runs"]
    assert list(after) == ["Сценарий 1", "Сценарий 2"]
    for name in after:
        assert after[name].store_id == before[name].store_id
        assert after[name].solution.weighted_deficit == pytest.approx(before[name].solution.weighted_deficit)
        assert after[name].round_hash == before[name].round_hash == at.session_state["loaded"].round_hash
    assert after["Сценарий 2"].round.scenario.max_km == 40.0
    again.switch_page(RUN_PAGE).run()
    assert not again.exception
    assert any(h.value.endswith("Сценарий 2") or "Сценарий 2" in h.value for h in again.header)

    other = start()  # another visitor (no session in the URL) starts afresh
    assert other.session_state["session_id"] != session and not other.session_state["runs"]
    unknown = start("no-such-session-0000")  # an id the store does not know: a fresh session
    assert not unknown.session_state["runs"]


def test_scenarios_of_two_rounds_are_never_subtracted_and_the_upload_survives_a_reload(store_file, tmp_path):
    tiny = state.load_upload("two_districts.zip", two_district_zip(), tmp_path)
    assert len(tiny.round.regions) == 2
    at = start()
    session = at.session_state["session_id"]
    penza_hash = at.session_state["loaded"].round_hash
    run_scenario(at)  # Сценарий 1: Penza
    load_as_upload(at, tiny)
    run_scenario(at)  # Сценарий 2, 3: the two districts
    run_scenario(at, max_km=40.0)
    runs = at.session_state["runs"]
    assert [runs[n].round_hash for n in runs] == [penza_hash, tiny.round_hash, tiny.round_hash]
    assert penza_hash != tiny.round_hash

    # the compare page opens on the round loaded now and offers only its scenarios
    at.switch_page(COMPARE_PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="compare_round").value == tiny.round_hash
    assert at.multiselect(key="compare_pick").options == ["Сценарий 2", "Сценарий 3"]
    assert not at.error
    figures = at.dataframe[0].value
    assert list(figures.columns) == ["Сценарий 2", "Сценарий 3"]
    assert set(figures.loc["Раунд"]) == {f"two_districts · {tiny.round_hash[:8]}"}
    at.selectbox(key="compare_round").set_value(penza_hash).run()  # Penza has one scenario here
    assert any("хотя бы два сценария этого раунда" in i.value for i in at.info)

    # across rounds: no region deltas, no changed posts, a message naming each run's round
    with pytest.raises(views.MixedRounds, match="two_districts") as refused:
        views.compare_regions([runs["Сценарий 1"], runs["Сценарий 2"]], "en")
    assert "“Сценарий 1”: round penza" in str(refused.value)
    with pytest.raises(views.MixedRounds):
        views.changed_posts([runs["Сценарий 1"], runs["Сценарий 2"]], "ru")
    store = open_store(str(store_file))
    try:
        assert [get_run(store, i)["round_hash"] for i in (1, 2, 3)] == [penza_hash, tiny.round_hash, tiny.round_hash]
    finally:
        store.dispose()
    at.switch_page(STORED_PAGE).run()
    at.multiselect(key="stored_compare").set_value([1, 2]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("разным раундам" in e.value and "penza" in e.value and "two_districts" in e.value for e in at.error)
    assert not [d for d in at.dataframe if any(str(c).startswith("Δ") for c in d.value.columns)]

    again = start(session)  # F5: the uploaded round and the three scenarios come back
    loaded = again.session_state["loaded"]
    assert loaded.label == "two_districts.zip" and loaded.folder is None
    assert loaded.round_hash == tiny.round_hash and len(loaded.round.regions) == 2
    assert any("two_districts.zip" in c.value for c in again.sidebar.caption)
    assert list(again.session_state["runs"]) == ["Сценарий 1", "Сценарий 2", "Сценарий 3"]
    again.switch_page(COMPARE_PAGE).run()
    assert not again.exception
    assert again.selectbox(key="compare_round").value == tiny.round_hash

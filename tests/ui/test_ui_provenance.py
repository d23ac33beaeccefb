"""An edit in the app changes only what was edited: the other tables of the loaded round are
stored byte for byte as loaded, every weight keeps its basis, and ``runs diff`` names only the
edited table. And the same round with the same options has one input hash in the app and the CLI."""

import io
import json
import subprocess
import sys

import pandas as pd
import pytest
from openpyxl import load_workbook
from support.paths import ROOT

from allocator import load_round, solve
from allocator.store import open_store
from allocator.store import tables as store_tables
from allocator.store.diff import diff_runs
from allocator.store.query import get_run
from ui import exports, state, stored

BASE_TABLES = ("regions", "facilities", "vacancies", "graduates", "programmes")
FLOW = {"solver": "flow", "time_limit": 120.0, "max_km": 200.0, "diminishing_returns": False}


@pytest.fixture(scope="module")
def loaded():
    return state.load_folder(state.BUNDLED_DIR, "penza")


@pytest.fixture
def store_file(tmp_path, monkeypatch):
    path = tmp_path / "runs.sqlite"
    monkeypatch.setenv("ALLOCATOR_DB", str(path))
    return path


def encoded(frame: pd.DataFrame) -> tuple[str, dict]:
    return store_tables.encode(frame)


def solved_and_stored(round_, round_hash):
    solution = solve(round_)
    run_id = stored.record(round_, solution, round_hash=round_hash)
    assert run_id is not None
    return solution, run_id


def test_a_programme_edit_keeps_every_other_table_and_each_weight_basis(loaded, store_file):
    base = loaded.round.with_scenario(state.scenario_from_options(loaded.round.scenario, FLOW))
    assert base.regions["weight_basis"].str.startswith("KOMK group").all()  # the bundled round's defaults
    views = state.editable_views(loaded)
    views["programmes"].loc[0, "quota"] = 50
    edited = state.build_round(loaded, views, FLOW)

    for name in ("regions", "facilities", "vacancies", "graduates"):
        assert encoded(getattr(edited, name)) == encoded(getattr(base, name)), name
    assert {"population_year", "source", "indicator_weight", "indicator_basis"} <= set(edited.regions.columns)
    assert "notes" in edited.facilities.columns
    assert list(edited.regions["weight_basis"]) == list(base.regions["weight_basis"])
    # the edited table differs in the one edited cell only
    before, after = encoded(base.programmes)[0].splitlines(), encoded(edited.programmes)[0].splitlines()
    assert [(a, b) for a, b in zip(before, after) if a != b] == [
        (before[1], before[1].replace(",61,", ",50,"))]

    _, first = solved_and_stored(base, loaded.round_hash)
    solution, second = solved_and_stored(edited, loaded.round_hash)
    assert solution.programmes[0].placed <= 50
    store = open_store(str(store_file))
    try:
        a, b = get_run(store, first), get_run(store, second)
        for name in ("regions", "facilities", "vacancies", "graduates"):
            assert a["inputs"][name]["sha256"] == b["inputs"][name]["sha256"], name
        assert set(diff_runs(store, first, second).inputs) == {"programmes"}
        assert a["round_hash"] == b["round_hash"] == loaded.round_hash  # one round, edited or not
    finally:
        store.dispose()
    out = subprocess.run([sys.executable, "-m", "allocator", "runs", "diff", str(first), str(second),
                          "--db", str(store_file), "--lang", "en"], capture_output=True, text=True, cwd=ROOT,
                         check=True).stdout
    changed = out.split("\n")
    for table in ("regions", "facilities", "vacancies", "graduates"):
        assert not any(line.strip().startswith(f"{table}:") for line in changed), out
    assert any(line.strip().startswith("programmes:") for line in changed), out

    # the workbook to sign shows the basis as loaded, in Russian
    record = state.RunRecord(name="edited", round=edited, solution=solution, log_text="", options=FLOW)
    book = load_workbook(io.BytesIO(exports.result_workbook(record, "ru")))
    values = [str(c.value) for row in book["Дефицит"].iter_rows() for c in row if c.value is not None]
    assert any(v.startswith("группа КОМК") for v in values)
    assert not any("regions.csv" in v for v in values)


def test_one_edited_weight_changes_that_regions_basis_only(loaded):
    views = state.editable_views(loaded)
    region = views["regions"].at[3, "region_id"]
    views["regions"].loc[3, "weight"] = 7.5
    views["vacancies"].loc[0, "vacancies"] = 5  # another table edited too: the round is validated again
    edited = state.build_round(loaded, views, FLOW)
    base = loaded.round.with_scenario(state.scenario_from_options(loaded.round.scenario, FLOW))
    basis = edited.regions.set_index("region_id")["weight_basis"]
    loaded_basis = base.regions.set_index("region_id")["weight_basis"]
    assert basis[region] == "scenario"
    assert (basis.drop(region) == loaded_basis.drop(region)).all()
    assert edited.regions.set_index("region_id").at[region, "weight"] == 7.5
    assert dict(edited.scenario.weights) == {region: 7.5}
    for name in ("facilities", "graduates", "programmes"):
        assert encoded(getattr(edited, name)) == encoded(getattr(base, name)), name


def test_the_app_and_the_cli_give_one_input_hash_for_the_same_round(loaded, tmp_path):
    # the run page's defaults for the bundled round: the scenario's solver, its time limit and max km as floats
    scenario = loaded.round.scenario
    options = {"solver": scenario.solver, "time_limit": float(scenario.time_limit),
               "max_km": float(scenario.max_km), "diminishing_returns": False}
    app_hash = state.build_round(loaded, state.editable_views(loaded), options).input_hash()
    out = tmp_path / "out"
    db = tmp_path / "cli.sqlite"
    subprocess.run([sys.executable, "-m", "allocator", "solve", str(state.BUNDLED_DIR), "--out", str(out),
                    "--db", str(db), "-q"], check=True, cwd=ROOT)
    cli_hash = json.loads((out / "summary.json").read_text(encoding="utf-8"))["input_hash"]
    assert app_hash == cli_hash
    store = open_store(str(db))
    try:  # the command line's run is of the app's round: compared with the app's runs
        assert get_run(store, 1)["input_hash"] == app_hash
        assert get_run(store, 1)["round_hash"] == loaded.round_hash
    finally:
        store.dispose()
    # the options as int (scenario.toml) or float (--max-km, the app) are one option
    assert load_round(state.BUNDLED_DIR, max_km=200).input_hash() == \
        load_round(state.BUNDLED_DIR, max_km=200.0).input_hash()
    assert load_round(state.BUNDLED_DIR, max_km=200.5).input_hash() != app_hash


def test_a_queued_run_keeps_the_round_it_was_made_from(loaded, tmp_path):
    from allocator.store.spool import pending, queue_run

    views = state.editable_views(loaded)
    views["programmes"].loc[0, "quota"] = 50
    edited = state.build_round(loaded, views, FLOW)
    url = f"sqlite:///{tmp_path / 'later.sqlite'}"
    queue_run(url, edited, solve(edited), round_hash=loaded.round_hash)  # the store was down after the solve
    assert len(pending(url)) == 1
    store = open_store(url)  # opening it stores what was queued
    try:
        assert store.flushed == [1] and not pending(url)
        assert get_run(store, 1)["round_hash"] == loaded.round_hash != store_tables.round_hash(edited)
    finally:
        store.dispose()

"""The run store on a real SQLite file and a real PostgreSQL server: what a run keeps,
the ``allocator runs`` commands, failed solves, URL resolution, no personal data in logs."""

from __future__ import annotations

import dataclasses
import importlib
import json
import logging

import pandas as pd
import pytest
from sqlalchemy import func, select
from support.store_helpers import BACKENDS, PENZA, plain, store_url

from allocator import load_round, solve
from allocator.cli import main
from allocator.store import StoreError, open_store, record_run, resolve_url
from allocator.store.db import current_revision
from allocator.store.diff import diff_runs
from allocator.store.migrate import head_revision
from allocator.store.models import Blob
from allocator.store.query import get_run, list_runs, load_solution
from allocator.store.query import load_round as stored_round
from allocator.store.rerun import rerun


@pytest.fixture(scope="module")
def penza():
    round_ = load_round(PENZA)
    return round_, solve(round_)


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    s = open_store(store_url(request.param, tmp_path))
    yield s
    s.dispose()


def test_a_run_keeps_inputs_options_versions_and_results(store, penza):
    round_, solution = penza
    run_id = record_run(store, round_, solution, user="analyst", source="data/penza")
    run = get_run(store, run_id)
    assert run["user"] == "analyst" and run["round_name"] == "penza" and run["status"] == "optimal"
    assert run["created_at"].tzinfo is not None
    assert run["options"] == round_.scenario.as_dict()
    assert run["input_hash"] == round_.input_hash() == solution.summary["input_hash"]
    assert set(run["inputs"]) == {"regions", "facilities", "vacancies", "graduates", "programmes", "preferences"}
    assert run["inputs"]["graduates"]["rows"] == 317
    assert {"python", "allocator", "pandas", "numpy", "pulp", "highspy", "ortools",
            "sqlalchemy"} <= set(run["versions"])
    assert run["obligated_placed"] == solution.summary["objective"]["1_obligated_placed"]
    assert run["weighted_deficit"] == pytest.approx(solution.summary["objective"]["2_weighted_deficit"])
    assert run["timings"] == solution.summary["wall_time_s"] and run["summary"] == solution.summary

    back = load_solution(store, run_id)
    for name in ("assignments", "unplaced", "deficits"):
        pd.testing.assert_frame_equal(plain(getattr(back, name)), plain(getattr(solution, name)))
    # the stored tables rebuild the very same round (same input hash, same tables)
    again = stored_round(store, run_id)
    assert again.input_hash() == round_.input_hash()
    pd.testing.assert_frame_equal(again.graduates, round_.graduates, check_dtype=False)

    second = record_run(store, round_, solution)
    with store.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Blob)) == 6  # inputs (six tables) kept once
    runs = list_runs(store)
    assert list(runs["id"]) == [second, run_id]


def test_rerun_is_identical_and_diff_lists_changes(store, penza):
    round_, solution = penza
    first = record_run(store, round_, solution)
    r = rerun(store, first)
    assert r.identical and r.same_inputs and r.new_run_id == first + 1
    assert r.posts.empty and r.deficits.empty

    tighter = round_.with_scenario(round_.scenario.replace(max_km=60.0))
    second = record_run(store, tighter, solve(tighter))
    d = diff_runs(store, first, second)
    assert d.options == {"max_km": (round_.scenario.max_km, 60.0)}
    assert "graduates" in d.inputs  # each graduate's max_km is filled from the option
    assert not d.deficits.empty and (d.deficits["change"] > 0).any()
    assert not d.posts.empty and d.posts["facility_b"].isna().any()  # some lost their post
    assert diff_runs(store, first, first + 1).identical_results


def test_cli_solve_records_and_runs_commands(tmp_path, capsys):
    db = str(tmp_path / "cli.sqlite")
    out = tmp_path / "out"
    assert main(["solve", str(PENZA), "--out", str(out), "-q", "--db", db, "--user", "ivanova"]) == 0
    assert main(["solve", str(PENZA), "--out", str(tmp_path / "out2"), "-q", "--db", db,
                 "--solver", "highs", "--max-km", "80"]) == 0
    assert main(["solve", str(PENZA), "--out", str(tmp_path / "out3"), "-q", "--no-store", "--db", db]) == 0
    capsys.readouterr()

    assert main(["runs", "list", "--db", db]) == 0
    listing = capsys.readouterr().out
    assert "ivanova" in listing and "highs" in listing and "283 of 317" in listing
    assert len(listing.strip().splitlines()) == 3  # header + two runs (--no-store kept nothing)

    assert main(["runs", "show", "1", "--db", db]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["user"] == "ivanova" and shown["inputs"]["graduates"]["rows"] == 317

    assert main(["runs", "diff", "1", "2", "--db", db]) == 0
    text = capsys.readouterr().out
    assert "max_km: 200.0 -> 80.0" in text and "solver: 'cbc' -> 'highs'" in text
    assert "per-region deficit changes" in text and "graduates whose post changed" in text

    assert main(["runs", "export", "1", "--out", str(tmp_path / "exported"), "--db", db]) == 0
    for name in ("assignments.csv", "unplaced.csv", "deficits.csv", "summary.json"):
        assert (tmp_path / "exported" / name).read_bytes() == (out / name).read_bytes(), name
    assert (tmp_path / "exported" / "result.xlsx").exists()

    assert main(["runs", "rerun", "2", "-q", "--db", db, "--lang", "ru"]) == 0
    assert "совпадают" in capsys.readouterr().out

    assert main(["runs", "show", "99", "--db", db]) == 5
    assert "no run 99" in capsys.readouterr().err


def test_rerun_reports_a_difference(tmp_path, penza, capsys):
    db = str(tmp_path / "d.sqlite")
    store = open_store(db)
    round_, solution = penza
    # a stored result that the stored inputs do not produce: the first graduate moved elsewhere
    changed = solution.assignments.copy()
    other = changed.loc[changed["facility_id"] != changed.at[0, "facility_id"], "facility_id"].iloc[0]
    changed.at[0, "facility_id"] = other
    run_id = record_run(store, round_, dataclasses.replace(solution, assignments=changed))
    store.dispose()
    assert main(["runs", "rerun", str(run_id), "-q", "--no-store", "--db", db]) == 1
    text = capsys.readouterr().out
    assert "DIFFER" in text and "graduates whose post changed: 1" in text
    assert changed.at[0, "graduate_id"] in text


def test_failed_solve_is_recorded_with_its_error(tmp_path, monkeypatch, capsys):
    solve_module = importlib.import_module("allocator.solve")  # the module, not the function

    def broken(*_a, **_k):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(solve_module, "solve", broken)
    db = str(tmp_path / "f.sqlite")
    with pytest.raises(RuntimeError, match="solver crashed"):
        main(["solve", str(PENZA), "--out", str(tmp_path / "out"), "-q", "--db", db])
    store = open_store(db)
    run = get_run(store, 1)
    assert run["status"] == "failed" and "RuntimeError: solver crashed" in run["error"]
    assert run["summary"] is None and run["input_hash"]
    with pytest.raises(StoreError, match="no results"):
        load_solution(store, 1)
    store.dispose()
    capsys.readouterr()
    assert main(["runs", "list", "--db", db]) == 0
    assert "failed" in capsys.readouterr().out


def test_unreachable_or_bad_store_is_a_clear_error(tmp_path, capsys):
    bad = "postgresql+psycopg://nobody@127.0.0.1:9/none"
    assert main(["runs", "list", "--db", bad]) == 5
    assert "cannot open the run store" in capsys.readouterr().err
    assert main(["solve", str(PENZA), "--out", str(tmp_path / "o"), "-q", "--db", bad]) == 5
    err = capsys.readouterr().err
    assert "--no-store" in err and not (tmp_path / "o").exists()
    assert main(["runs", "list", "--db", "nosuchdriver://x"]) == 5


def test_store_location(tmp_path, monkeypatch):
    monkeypatch.setenv("ALLOCATOR_DB", str(tmp_path / "env.sqlite"))
    assert resolve_url() == f"sqlite:///{tmp_path / 'env.sqlite'}"
    assert resolve_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_url(str(tmp_path / "given.sqlite")) == f"sqlite:///{tmp_path / 'given.sqlite'}"
    monkeypatch.delenv("ALLOCATOR_DB")
    default = resolve_url()
    assert default.startswith("sqlite:///") and default.endswith("runs.sqlite") and "allocator" in default


def test_schema_is_migrated_to_head(store):
    assert current_revision(store) == head_revision()
    again = open_store(store.url)  # opening again is harmless
    assert current_revision(again) == head_revision()
    again.dispose()


def test_no_graduate_data_in_logs(tmp_path, caplog, penza):
    round_, _ = penza
    ids = set(round_.graduates["graduate_id"])
    caplog.set_level(logging.DEBUG)
    assert main(["solve", str(PENZA), "--out", str(tmp_path / "o"), "-q", "--db",
                 str(tmp_path / "log.sqlite"), "--user", "auditor"]) == 0
    assert main(["runs", "rerun", "1", "-q", "--db", str(tmp_path / "log.sqlite")]) == 0
    assert "recorded" in caplog.text  # the store logs counts...
    logged = caplog.text
    assert not [g for g in ids if g in logged]  # ...never a graduate's id


def test_the_choice_rank_is_kept_and_a_round_without_preferences_reads_back_as_written(store):
    """A choice run's choice_rank (empty for the commission's placements) comes back from the store;
    a round without preferences has no choice_rank column, stored or not (migration 0005)."""
    from support.rounds import town_and_village

    from allocator import round_from_frames

    frames = town_and_village()
    frames["graduates"] = pd.DataFrame({"graduate_id": ["g1", "p1"], "specialty": ["therapist"] * 2,
                                        "funding": ["grant", "paid"], "home_region_id": ["town", "town"],
                                        "rating": [3.0, 4.5]})  # p1 takes fT, the commission puts g1 at fV
    round_ = round_from_frames(**frames, mechanism="choice")
    solution = solve(round_)
    assert solution.assignments.set_index("graduate_id")["choice_rank"].to_dict() == {"g1": None, "p1": 1}
    back = load_solution(store, record_run(store, round_, solution))
    pd.testing.assert_frame_equal(plain(back.assignments), plain(solution.assignments))
    plain_round = round_from_frames(**town_and_village(preferences=False))
    plain_solution = solve(plain_round)
    back = load_solution(store, record_run(store, plain_round, plain_solution))
    assert "choice_rank" not in back.assignments
    pd.testing.assert_frame_equal(plain(back.assignments), plain(plain_solution.assignments))

"""allocator sweep in the run store (issue 18, part 2): every scenario a run of the sweep's group,
written in batches by the driver; --resume; a sweep and a worker killed for real (SIGKILL).

Real SQLite files and a real PostgreSQL server (tests/support/store_helpers.py), real process
pools and real solves (the flow engine); nothing is mocked but a store that fails mid-sweep.
"""

from __future__ import annotations

import csv
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from support.paths import PENZA, ROOT
from support.store_helpers import BACKENDS, store_url

from allocator.cli import main
from allocator.solve import solve
from allocator.store import open_store
from allocator.store.db import current_revision
from allocator.store.migrate import head_revision
from allocator.store.models import Run, Sweep, SweepRun
from allocator.sweep.apply import apply_spec
from allocator.sweep.grid import expand, read_grid
from allocator.sweep.runner import run_sweep
from allocator.validate import load_round

DOCTOR = "zemsky_doctor_2020"


@pytest.fixture(scope="module")
def penza():
    return load_round(PENZA)


def _grid(tmp_path: Path, n_km: int, budgets=(1000000, 20000000)) -> Path:
    """A flow-solver grid of n_km x len(budgets) scenarios."""
    kms = ", ".join(str(60 + 10 * k) for k in range(n_km))
    path = tmp_path / "grid.toml"
    path.write_text(f'[grid]\nsolver = ["flow"]\nmax_km = [{kms}]\n'
                    f'programme.{DOCTOR}.budget = [{", ".join(map(str, budgets))}]\n', encoding="utf-8")
    return path


def _table(out: Path) -> list[dict]:
    with (out / "scenarios.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _counts(url: str) -> tuple[int, int, int]:
    """(runs, sweep_runs, distinct scenarios in sweep_runs) straight from the database."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return (conn.scalar(select(func.count()).select_from(Run)),
                    conn.scalar(select(func.count()).select_from(SweepRun)),
                    conn.scalar(select(func.count(func.distinct(SweepRun.scenario)))))
    except Exception:  # noqa: BLE001 - the tables are not made yet
        return (0, 0, 0)
    finally:
        engine.dispose()


def _sweep(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(["sweep", str(PENZA), *args])
    out, err = capsys.readouterr()
    return code, out, err


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    return env


def _wait(predicate, timeout: float = 120.0, step: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out")


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_scenario_is_a_run_of_the_group_and_resume_solves_nothing(backend, tmp_path, penza, capsys,
                                                                         caplog):
    url = store_url(backend, tmp_path)
    grid, out = _grid(tmp_path, 3), tmp_path / "out"
    args = ["--grid", str(grid), "--out", str(out), "--db", url, "--workers", "1", "--store-every", "4",
            "--group", "budgets", "--user", "planner"]
    with caplog.at_level(logging.DEBUG):
        code, printed, err = _sweep(args, capsys)
    assert code == 0, err
    assert "sweep 'budgets' (id 1): 6 scenario(s) recorded in 2 batch(es), 0 already stored" in printed
    first = (out / "scenarios.csv").read_bytes()
    specs = expand(read_grid(grid), penza)

    store = open_store(url)
    with store.engine.connect() as conn:
        sweeps = conn.execute(select(Sweep.__table__)).mappings().all()
        links = conn.execute(select(SweepRun.__table__).order_by(SweepRun.position)).mappings().all()
        runs = {r.id: r for r in conn.execute(select(Run.__table__))}
    store.dispose()
    assert [(s["name"], s["user"], s["scenarios"], s["round_name"]) for s in sweeps] == [
        ("budgets", "planner", 6, "penza")]
    assert [link["scenario"] for link in links] == [s.name for s in specs]
    assert len(runs) == 6 and {link["run_id"] for link in links} == set(runs)
    table = {row["scenario"]: row for row in _table(out)}
    for spec, link in zip(specs, links):
        scenario = apply_spec(penza, spec.values)
        run = runs[link["run_id"]]
        # the hash allocator solve records for the same scenario
        assert link["input_hash"] == run.input_hash == solve(scenario).input_hash == scenario.input_hash()
        assert run.user == "planner" and run.options["max_km"] == spec.values["max_km"]
        assert run.status == table[spec.name]["status"]
        assert {k: str(v) for k, v in link["row"].items()} == table[spec.name]
    graduates = set(penza.graduates["graduate_id"])
    logged = caplog.text + printed + err
    assert not any(g in logged for g in graduates)  # counts only, never a graduate

    code, printed, err = _sweep([*args, "--resume"], capsys)
    assert code == 0, err
    assert "6 of 6 scenarios of sweep 'budgets' are stored already" in err
    assert "0 scenario(s) recorded in 0 batch(es), 6 already stored" in printed
    assert _counts(url) == (6, 6, 6)
    assert (out / "scenarios.csv").read_bytes() == first

    assert main(["runs", "list", "--db", url, "--group", "budgets"]) == 0
    printed = capsys.readouterr().out
    assert [line.split()[1] for line in printed.splitlines()[1:]] == [s.name for s in specs]
    assert main(["runs", "list", "--db", url, "--group", "nothing", "--lang", "ru"]) == 0
    assert "нет прогона сценариев 'nothing'" in capsys.readouterr().out


def test_resume_refuses_a_changed_grid_and_the_store_opt_out(tmp_path, capsys):
    url = store_url("sqlite", tmp_path)
    out = tmp_path / "out"
    assert _sweep(["--grid", str(_grid(tmp_path, 1)), "--out", str(out), "--db", url, "-q"], capsys)[0] == 0
    changed = _grid(tmp_path, 1, budgets=(3000000, 20000000))
    code, _, err = _sweep(["--grid", str(changed), "--out", str(out), "--db", url, "--resume"], capsys)
    assert code == 2 and "holds scenario(s) s001 with other inputs" in err
    assert _counts(url) == (2, 2, 2)
    with pytest.raises(SystemExit) as stop:
        main(["sweep", str(PENZA), "--grid", str(changed), "--out", str(out), "--no-store", "--resume"])
    assert stop.value.code == 2
    capsys.readouterr()
    code, _, _ = _sweep(["--grid", str(changed), "--out", str(out), "--db", url, "--no-store", "-q"], capsys)
    assert code == 0 and _counts(url) == (2, 2, 2)  # --no-store: nothing written


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_killed_sweep_is_completed_by_resume_each_scenario_once(backend, tmp_path, capsys):
    url = store_url(backend, tmp_path)
    grid, out = _grid(tmp_path, 15), tmp_path / "out"  # 30 scenarios
    args = ["--grid", str(grid), "--out", str(out), "--db", url, "--workers", "1", "--store-every", "2",
            "--group", "killed"]
    child = subprocess.Popen([sys.executable, "-m", "allocator", "sweep", str(PENZA), *args, "-q"], env=_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _wait(lambda: _counts(url)[1] >= 4 or child.poll() is not None)
    finally:
        os.killpg(child.pid, signal.SIGKILL)  # the driver and its workers, at once
        child.communicate()
    assert child.returncode == -signal.SIGKILL
    runs, linked, distinct = _counts(url)
    assert 4 <= linked < 30 and runs == linked == distinct  # whole batches: no run without its link
    assert not (out / "scenarios.csv").exists()

    code, printed, err = _sweep([*args, "--resume"], capsys)
    assert code == 0, err
    assert f"{linked} of 30 scenarios of sweep 'killed' are stored already" in err
    assert f"{30 - linked} scenario(s) recorded" in printed
    assert _counts(url) == (30, 30, 30)
    rows = _table(out)
    assert [r["scenario"] for r in rows] == [f"s{k:03d}" for k in range(1, 31)]
    assert all(r["status"] == "optimal" for r in rows)


def _worker_pids(pid: int) -> list[int]:
    """The pool's worker processes of ``pid`` (its spawned children, not the resource tracker)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if "multiprocessing" in cmdline and "resource_tracker" not in cmdline:
                found.append(int(child))
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc")
def test_a_worker_killed_mid_sweep_its_scenarios_are_solved_again_once(tmp_path, capsys):
    url = store_url("sqlite", tmp_path)
    grid, out = _grid(tmp_path, 15), tmp_path / "out"
    child = subprocess.Popen([sys.executable, "-m", "allocator", "sweep", str(PENZA), "--grid", str(grid),
                              "--out", str(out), "--db", url, "--workers", "2", "--store-every", "1", "-q"],
                             env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait(lambda: _counts(url)[1] >= 1 or child.poll() is not None)
        victims = _worker_pids(child.pid)
        assert victims and child.poll() is None
        os.kill(victims[0], signal.SIGKILL)
        _, err = child.communicate(timeout=300)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 0, err
    assert "a worker process died" in err
    assert _counts(url) == (30, 30, 30)
    rows = _table(out)
    assert [r["scenario"] for r in rows] == [f"s{k:03d}" for k in range(1, 31)]
    assert all(r["status"] == "optimal" for r in rows)


def test_run_sweep_replaces_a_broken_pool(penza, tmp_path):
    import multiprocessing

    specs = expand(read_grid(_grid(tmp_path, 4)), penza)
    seen, killed = [], []

    def on_result(result) -> None:
        seen.append(result.name)
        if not killed:
            workers = multiprocessing.active_children()
            os.kill(workers[0].pid, signal.SIGKILL)
            killed.append(workers[0].pid)

    rows = run_sweep(penza, specs, workers=2, on_result=on_result)
    assert killed
    assert sorted(seen) == sorted(s.name for s in specs)  # each result once
    assert [r["scenario"] for r in rows] == [s.name for s in specs]
    assert all(r["status"] == "optimal" for r in rows)


def test_a_batch_the_store_refuses_is_queued_and_linked_when_the_store_opens(tmp_path, penza, monkeypatch):
    from allocator.store import sweeps
    from allocator.store.sweeps import SweepItem, SweepRecorder, start_sweep
    from allocator.sweep.runner import row_of

    url = store_url("sqlite", tmp_path)
    store = open_store(url)
    group = start_sweep(store, "queued", round_name="penza", source=str(PENZA), grid=None, scenarios=2)
    specs = expand(read_grid(_grid(tmp_path, 1)), penza)
    items = []
    for spec in specs:
        scenario = apply_spec(penza, spec.values)
        solution = solve(scenario)
        items.append(SweepItem(scenario, solution, None, spec.name, spec.index, scenario.input_hash(),
                               row_of(spec, solution, 0.1)))

    def refuse(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(sweeps, "write_items", refuse)
    recorder = SweepRecorder(store, group, every=10)
    for item in items:
        recorder.add(item)
    recorder.close()
    store.dispose()
    assert len(recorder.queued) == 2 and not recorder.stored and "disk full" in recorder.reason
    assert _counts(url) == (0, 0, 0)
    monkeypatch.undo()

    again = open_store(url)  # stores the queue, each run linked to its sweep
    again.dispose()
    assert len(again.flushed) == 2
    assert _counts(url) == (2, 2, 2)
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Sweep)) == 1
        assert set(conn.scalars(select(SweepRun.sweep_id))) == {group.id}
    engine.dispose()
    open_store(url).dispose()
    assert _counts(url) == (2, 2, 2)  # never twice


def test_a_store_of_the_first_revision_is_upgraded_with_its_runs(tmp_path, penza):
    from alembic import command

    from allocator.store import db, record_run
    from allocator.store.migrate import alembic_config

    path = tmp_path / "old.sqlite"
    url = f"sqlite:///{path}"
    old = open_store(url)
    flow = apply_spec(penza, {"solver": "flow"})
    record_run(old, flow, solve(flow))
    cfg = alembic_config(url)
    with old.engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
        conn.commit()
        assert "sweeps" not in {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
    old.dispose()
    db._upgraded.discard(url)
    store = open_store(url)
    assert current_revision(store) == head_revision() == "0005"
    assert _counts(url) == (1, 0, 0)
    store.dispose()

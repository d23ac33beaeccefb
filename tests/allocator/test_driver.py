"""The level driver's one semantics (allocator.driver), the typed Solution it ends in, progress
events and the readable row names of the matrix backends."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from support.paths import PENZA

from allocator import Progress, Solution, Status, load_round, solve
from allocator.backends import PulpBackend
from allocator.cli import main
from allocator.driver import LEVELS, LevelResult, run_levels
from allocator.model import build
from allocator.pairs import allowed_pairs, deficit_cells
from allocator.status import describe


class Enumeration:
    """An engine that enumerates every 0/1 vector of n items under one capacity, at most ``nodes``
    vectors per level (a node limit, as a MIP solver's): past it, the best so far, unproven."""

    def __init__(self, n: int, capacity: int, objectives: dict, nodes: int = 10**9):
        self.all = [np.array(v) for v in itertools.product((0, 1), repeat=n) if sum(v) <= capacity]
        self.objectives, self.nodes, self.held = objectives, nodes, []

    def initial(self):
        return np.zeros(len(self.all[0]), int)

    def has_objective(self, level):
        return bool(np.any(self.objectives[level]))

    def solve_level(self, level, deadline, incumbent):
        coef = self.objectives[level]
        ok = [v for v in self.all if all(c @ v >= value for c, value in self.held)]
        seen = ok[: self.nodes]
        best = max(seen, key=lambda v: coef @ v)
        if len(seen) == len(ok):
            return LevelResult(Status.OPTIMAL, best, float(coef @ best), method="enumeration")
        return LevelResult(Status.FEASIBLE, best, float(coef @ best), bound=float(coef.clip(0).sum()),
                           method="enumeration")

    def hold(self, level, result):
        self.held.append((self.objectives[level], result.value))


OBJECTIVES = {"obligated": np.array([1, 1, 0, 0]), "deficit": np.array([0, 2, 3, 1]), "km": np.array([-1, -2, -3, -4])}


def test_every_level_proven_is_optimal_with_gap_zero():
    run = run_levels(Enumeration(4, 2, OBJECTIVES))
    assert run.status == Status.OPTIMAL and run.gap == 0.0
    assert run.values == {"obligated": 2.0, "deficit": 2.0, "km": -3.0}
    assert list(run.x) == [1, 1, 0, 0]


def test_an_unproven_level_stops_the_driver_with_its_solution_and_gap():
    run = run_levels(Enumeration(4, 2, OBJECTIVES, nodes=3))  # (0000, 0001, 0010): not proven
    assert run.status == Status.FEASIBLE and run.status == "feasible"
    assert list(run.values) == ["obligated"]  # later levels are not optimised
    assert run.gap == pytest.approx(abs(2 - 0) / 1.0)
    assert run.level("deficit") is None


def test_no_time_before_the_first_level_is_time_limit_and_nobody_placed():
    run = run_levels(Enumeration(4, 2, OBJECTIVES), deadline=0.0)
    assert run.status == Status.TIME_LIMIT and run.gap is None and not run.x.any()


def test_an_empty_level_is_skipped_and_proven():
    objectives = dict(OBJECTIVES, obligated=np.zeros(4, int))
    run = run_levels(Enumeration(4, 2, objectives))
    assert run.status == "optimal" and run.level("obligated").skipped
    assert "obligated" not in run.values and run.values["deficit"] == 5.0


def test_matrix_backend_out_of_time_reports_time_limit():
    round_ = load_round(PENZA, solver="cbc", time_limit=1e-9)
    solution = solve(round_)
    assert solution.status == Status.TIME_LIMIT and solution.assignments.empty
    assert [lv.status for lv in solution.levels] == [None, None, None]


@pytest.fixture(scope="module")
def penza():
    events = []
    solution = solve(load_round(PENZA, solver="flow"), progress=events.append)
    return solution, events


def test_solution_is_typed_and_its_summary_has_a_schema_version_and_the_checks(penza):
    solution, _ = penza
    assert solution.status is Status.OPTIMAL
    assert [lv.name for lv in solution.levels] == list(LEVELS)
    assert all(lv.status == "optimal" and lv.method for lv in solution.levels)
    assert solution.obligated_placed == solution.summary["objective"]["1_obligated_placed"]
    assert solution.checks == ()
    summary = json.loads(json.dumps(solution.summary))
    assert summary["schema_version"] == 1 and summary["checks"] == {"broken_rules": []}
    assert summary["status"] == "optimal"
    back = Solution.from_summary(summary, solution.assignments, solution.unplaced, solution.deficits)
    assert back == solution and back.summary == solution.summary


def test_progress_is_typed_events_in_order(penza):
    _, events = penza
    assert all(isinstance(e, Progress) for e in events)
    assert [e.stage for e in events] == ["pairs", "network", "level", "level", "level", "solution"]
    assert [e.params.get("name") for e in events if e.stage == "level"] == list(LEVELS)
    fractions = [e.fraction for e in events]
    assert fractions == sorted(fractions) and 0 < fractions[0] and fractions[-1] < 1
    level = events[3]
    assert describe(level, "en") == "level 2/3: weighted deficit"
    assert describe(level, "ru") != describe(level, "en")


def test_the_command_line_prints_progress_in_its_language(tmp_path, capsys):
    assert main(["solve", str(PENZA), "--out", str(tmp_path / "o"), "--no-store", "--lang", "ru"]) == 0
    err = capsys.readouterr().err
    assert "уровень 1/3" in err and "level 1/3" not in err


def test_an_exported_model_names_its_rows_by_family(tmp_path):
    round_ = load_round(PENZA, solver="highs")
    pairs = allowed_pairs(round_)
    model = build(pairs.table, round_.vacancies, round_.programmes, deficit_cells(round_))
    backend = PulpBackend(model, "highs", 1)
    coef, maximise = model.objectives["obligated"]
    result = backend.solve(coef, maximise, None)
    backend.fix(coef, result.value, maximise)
    backend.prob.writeLP(str(tmp_path / "model.lp"))
    text = (tmp_path / "model.lp").read_text()
    for name in ("one_post_0:", "vacancies_0:", "quota_0:", "budget_0:", "level_1:"):
        assert name in text, name

"""Allocation of medical graduates to facility vacancies.

Python API (the command line and the UI use the same functions)::

    from allocator import load_round, solve, write_solution
    round_ = load_round("data/penza", solver="highs")
    solution = solve(round_)
    solution.assignments, solution.unplaced, solution.deficits  # the tables
    solution.status, solution.levels, solution.programmes       # typed figures
    solution.summary                                            # as summary.json holds them

``round_from_frames`` validates in-memory DataFrames the same way.
"""

from .messages import InputError, Problem
from .output import write_solution
from .problem import Round, Scenario
from .solution import Level, ProgrammeUse, Solution
from .solve import solve
from .status import Progress, Status
from .validate import load_round, round_from_frames

__all__ = ["InputError", "Level", "Problem", "ProgrammeUse", "Progress", "Round", "Scenario", "Solution",
           "Status", "load_round", "round_from_frames", "solve", "write_solution"]

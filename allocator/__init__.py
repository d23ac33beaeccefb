"""Allocation of medical graduates to facility vacancies.

Python API (the command line and the UI use the same functions)::

    from allocator import load_round, solve, write_solution
    round_ = load_round("data/penza", solver="highs")
    solution = solve(round_)
    solution.assignments, solution.unplaced, solution.deficits, solution.summary

``round_from_frames`` validates in-memory DataFrames the same way.
"""

from .messages import InputError, Problem
from .output import write_solution
from .problem import Round, Scenario
from .solution import Solution
from .solve import solve
from .validate import load_round, round_from_frames

__all__ = ["InputError", "Problem", "Round", "Scenario", "Solution", "load_round",
           "round_from_frames", "solve", "write_solution"]

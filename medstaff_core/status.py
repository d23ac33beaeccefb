"""How a solve ended: one vocabulary for the allocator's engines, the run store and the network models.

A ``str`` enum, so ``status == "optimal"`` holds and JSON writes the bare word:

- ``optimal``: proven optimal (for the allocator: every level);
- ``feasible``: a solution, not proven optimal (time limit or a gap); it is reported;
- ``infeasible``: proven to have no solution;
- ``time_limit``: the time ran out before any solution was found;
- ``failed``: the solve raised or the solver gave up for another reason (no solution).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Status"]


class Status(StrEnum):
    """How a solve ended (see the module docstring)."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    TIME_LIMIT = "time_limit"
    FAILED = "failed"

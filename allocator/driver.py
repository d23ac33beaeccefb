"""The lexicographic driver: one level loop for every engine.

The round is optimised level by level (:data:`LEVELS`, the objectives of
:mod:`allocator.model`), each level with the earlier ones held. Every
engine (the matrix backends of :mod:`allocator.backends`, the network flow of
:mod:`allocator.flow`, later models) implements :class:`Engine`; this module
alone decides what a level's outcome means for the run.

Semantics
---------
- A level whose objective is empty (e.g. no obligated graduates) is skipped:
  any solution is optimal for it. It is reported proven with method
  ``empty`` but does not count as a solved level.
- Before each level the deadline is checked; with no time left the level is
  not attempted and counts as "ended with no solution".
- A level proven **optimal** is held exactly (:meth:`Engine.hold`) for the
  next levels (not after the last one).
- A level that ends with a solution but **no proof** (time limit, gap) sets
  the status ``feasible`` with that level's gap (``None`` when the engine
  reports no bound). The driver stops there and keeps that solution: the later
  levels are not optimised, since they would only be solved against an
  unproven hold.
- A level that ends with **no solution** (the time ran out first) stops the
  driver, which keeps the previous level's solution: status ``feasible``, or
  ``time_limit`` when no level was solved (the solution is then the engine's
  :meth:`Engine.initial` one, nobody placed).
- A level proven **infeasible** stops the driver with status ``infeasible``
  (the previous solution is kept for the record).
- When every level is proven, the status is ``optimal`` with gap 0.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from .status import Progress, Status

log = logging.getLogger(__name__)

LEVELS = ("obligated", "deficit", "km")
"""The levels, in order: obligated graduates placed, weighted deficit, total km."""


@dataclass(frozen=True)
class LevelResult:
    """What an engine returns for one level.

    ``status``: optimal, feasible (a solution without proof), infeasible, or
    time_limit (no solution); ``x`` the engine's solution (its own form: one
    bool per variable, one flow per arc), ``None`` without one; ``value`` the
    level's objective in the engine's integer units; ``bound`` the best bound
    when not proven; ``method`` how the level was solved (flow engine:
    flow, flow_without, lp, lp_repaired, mip; matrix backends: the solver).
    """

    status: Status
    x: Any = None
    value: float | None = None
    bound: float | None = None
    method: str = ""

    @property
    def gap(self) -> float | None:
        """Relative distance between the value and the bound (0 when proven, None without bound)."""
        if self.status == Status.OPTIMAL:
            return 0.0
        if self.value is None or self.bound is None:
            return None
        return abs(self.bound - self.value) / max(1.0, abs(self.value))


class Engine(Protocol):
    """A model of the round that can optimise one level at a time."""

    def initial(self) -> Any:
        """The solution before any level: nobody placed."""

    def has_objective(self, level: str) -> bool:
        """False when the level's objective is empty (nothing to optimise)."""

    def solve_level(self, level: str, deadline: float | None, incumbent: Any) -> LevelResult:
        """Optimise ``level`` with the earlier levels held; ``incumbent`` is the current solution."""

    def hold(self, level: str, result: LevelResult) -> None:
        """Keep the level at its proven optimum ``result`` for the next levels."""


@dataclass(frozen=True)
class LevelOutcome:
    """One level as the driver saw it: the engine's result (None when skipped or not attempted)."""

    name: str
    result: LevelResult | None
    seconds: float = 0.0
    skipped: bool = False  # empty objective: proven without solving


@dataclass(frozen=True)
class DriverRun:
    """The outcome of :func:`run_levels`: status, gap, the kept solution and each level."""

    status: Status
    gap: float | None
    x: Any
    levels: tuple[LevelOutcome, ...] = field(default_factory=tuple)

    @property
    def values(self) -> dict:
        """Level name -> value (engine units) of each level solved, in order."""
        return {lv.name: lv.result.value for lv in self.levels
                if lv.result is not None and lv.result.x is not None}

    @property
    def methods(self) -> dict:
        """Level name -> method of each level attempted."""
        return {lv.name: lv.result.method for lv in self.levels if lv.result is not None}

    def level(self, name: str) -> LevelOutcome | None:
        """The outcome of level ``name``, None when the driver stopped before it."""
        return next((lv for lv in self.levels if lv.name == name), None)


def run_levels(engine: Engine, deadline: float | None = None, progress=None,
               levels: tuple[str, ...] = LEVELS, fractions: tuple[float, float] = (0.2, 0.25)) -> DriverRun:
    """Optimise ``levels`` in order with ``engine`` under the semantics of the module docstring.

    ``progress`` receives a :class:`~allocator.status.Progress` (stage ``level``) before
    each level, at fraction ``fractions[0] + fractions[1] * k``.
    """
    status, gap, solved = Status.OPTIMAL, 0.0, False
    x = engine.initial()
    out: list[LevelOutcome] = []
    for k, name in enumerate(levels):
        if not engine.has_objective(name):
            out.append(LevelOutcome(name, None, skipped=True))
            continue
        if deadline is not None and time.perf_counter() >= deadline:
            log.warning("level %s not solved: no time left", name)
            status, gap = (Status.FEASIBLE if solved else Status.TIME_LIMIT), None
            break
        if progress is not None:
            progress(Progress("level", fractions[0] + fractions[1] * k,
                              {"k": k + 1, "n": len(levels), "name": name}))
        t0 = time.perf_counter()
        result = engine.solve_level(name, deadline, x)
        seconds = time.perf_counter() - t0
        out.append(LevelOutcome(name, result, seconds))
        log.info("level %s: %s by %s, value %s (%.2fs)", name, result.status, result.method or "-",
                 result.value, seconds)
        if result.status == Status.INFEASIBLE:
            status, gap = Status.INFEASIBLE, None
            break
        if result.x is None:
            log.warning("level %s not solved: %s", name, result.status)
            status, gap = (Status.FEASIBLE if solved else Status.TIME_LIMIT), None
            break
        solved, x = True, result.x
        if result.status != Status.OPTIMAL:
            status, gap = Status.FEASIBLE, result.gap
            break
        if k + 1 < len(levels):
            engine.hold(name, result)
    return DriverRun(status=status, gap=gap, x=x, levels=tuple(out))

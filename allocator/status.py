"""The status of a solve and the progress events it reports: one vocabulary for every engine.

:class:`Status` is what a run ended with, shared by the engines, the level
driver (:mod:`allocator.driver`), the :class:`~allocator.solution.Solution`,
``summary.json`` and the run store's ``status`` column. It is a ``str``
enum, so ``status == "optimal"`` holds and JSON writes the bare word:

- ``optimal``: every level proven optimal;
- ``feasible``: a solution, not proven optimal (a level ran out of time or
  ended with a gap); the solution is written;
- ``infeasible``: proven to have no solution;
- ``time_limit``: the time ran out before any level was solved;
- ``failed``: the solve raised (kept by the run store only).

:class:`Progress` is what ``solve(progress=...)`` reports: a stage code,
the fraction done and the stage's parameters, never text. Text is made at
the edge, in the reader's language: :func:`describe` for the command line,
``ui.i18n.progress_text`` for the app. The stages:

======== ================================ ===========================
stage    what                             params
======== ================================ ===========================
pairs    building the allowed pairs       (none)
model    building the matrix model        ``pairs``
network  building the network (flow)      ``arcs``: grouped pairs
level    solving level k of n             ``k``, ``n``, ``name``
solution writing the solution             (none)
======== ================================ ===========================
"""

from __future__ import annotations

from dataclasses import dataclass, field

from medstaff_core.status import Status

from .catalogue import has, text

__all__ = ["Progress", "Status", "describe"]


@dataclass(frozen=True)
class Progress:
    """One progress event: ``stage`` code, ``fraction`` done (0..1) and the stage's ``params``."""

    stage: str
    fraction: float
    params: dict = field(default_factory=dict)


def describe(event: Progress, lang: str = "en") -> str:
    """The event as one line of text in ``lang`` (``en`` or ``ru``); unknown stages show their code.

    The texts are the catalogue's ``stage_<stage>`` and ``stage_level_<name>`` entries
    (allocator/texts/progress.csv)."""
    params = dict(event.params)
    name = params.get("name")
    if name is not None and has(f"stage_level_{name}"):
        params["name"] = text(f"stage_level_{name}", lang)
    code = f"stage_{event.stage}"
    return text(code, lang, **params) if has(code) else event.stage

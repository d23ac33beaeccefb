"""Solving a stored run again from its stored inputs and options, and comparing the results."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..solution import Solution
from .db import Store, StoreError
from .diff import deficit_changes, post_changes
from .query import get_run, load_frames, load_round


@dataclass
class Rerun:
    """A stored run solved again: whether the rebuilt inputs hash the same, the new solution and
    what differs from the stored run (posts, deficits, objective figures)."""
    run_id: int
    new_run_id: int | None
    same_inputs: bool          # the rebuilt round has the stored input hash
    solution: Solution
    posts: pd.DataFrame        # graduates whose post differs from the stored run
    deficits: pd.DataFrame     # regions whose remaining deficit differs
    figures: dict[str, tuple]  # objective levels that differ: (stored, now)

    @property
    def identical(self) -> bool:
        """True when the inputs hash the same and no post, deficit or figure differs."""
        return self.same_inputs and self.posts.empty and self.deficits.empty and not self.figures


def rerun(store: Store, run_id: int, *, record: bool = True, user: str | None = None,
          progress=None) -> Rerun:
    """Solve run ``run_id`` again from its stored inputs and options and compare with the stored result.

    With ``record`` the new solve (or its failure) is stored as a new run. Raises StoreError when
    there is no such run, or the stored run had failed (nothing to compare with; the new run
    is then already stored).
    """
    from ..solve import solve
    from .record import record_failure, record_run

    stored = get_run(store, run_id)
    round_ = load_round(store, run_id)
    same_inputs = round_.input_hash() == stored["input_hash"]
    source = f"rerun of run {run_id}"
    try:
        solution = solve(round_, progress=progress)
    except Exception as exc:
        if record:
            record_failure(store, round_, exc, user=user, source=source)
        raise
    new_id = record_run(store, round_, solution, user=user, source=source) if record else None
    if stored["summary"] is None:  # the stored run had failed: nothing to compare with
        raise StoreError(f"run {run_id} had failed ({stored['error']}); rerun stored as run {new_id}")
    frames = load_frames(store, run_id)
    now = solution
    figures = {}
    for key, old, new in (("status", stored["status"], str(now.status)),
                          ("obligated_placed", stored["obligated_placed"], now.obligated_placed),
                          ("weighted_deficit", stored["weighted_deficit"], now.weighted_deficit),
                          ("total_km", stored["total_km"], now.km_objective)):
        if old != new and not (isinstance(old, float) and isinstance(new, float) and abs(old - new) < 1e-6):
            figures[key] = (old, new)
    return Rerun(run_id=run_id, new_run_id=new_id, same_inputs=same_inputs, solution=solution,
                 posts=post_changes(frames["assignments"], solution.assignments),
                 deficits=deficit_changes(frames["deficits"], solution.deficits), figures=figures)

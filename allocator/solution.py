"""A solved round as frames: assignments, unplaced, deficits and a summary."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .diagnose import unplaced_reasons
from .messages import Problem
from .pairs import OBLIGATED, Pairs, deficit_cells
from .problem import Round
from .scaling import exact_money, exact_spend, weight_warnings

ASSIGNMENT_COLUMNS = ["graduate_id", "facility_id", "region_id", "specialty", "km", "programme_id", "payment"]


@dataclass(frozen=True)
class Solution:
    assignments: pd.DataFrame
    unplaced: pd.DataFrame
    deficits: pd.DataFrame
    summary: dict


def deficit_penalty(remaining, vacancies, weight, diminishing_returns: bool) -> np.ndarray:
    """Per-cell weighted remaining deficit: w*d, or w*d(d+1)/(2N) with diminishing returns."""
    remaining = np.asarray(remaining, dtype=float)
    weight = np.asarray(weight, dtype=float)
    if not diminishing_returns:
        return weight * remaining
    n = np.maximum(np.asarray(vacancies, dtype=float), 1.0)
    return weight * remaining * (remaining + 1) / (2 * n)


def make_solution(round_: Round, pairs: Pairs, model, chosen: pd.DataFrame, *, status: str,
                  gap: float | None, timings: dict, km_objective: float | None) -> Solution:
    """Frames and summary of the chosen pairs (rows of ``pairs.table``, one per placed graduate).

    ``km_objective`` is level 3 as optimised (km rounded to whole metres per placement,
    see :mod:`allocator.model`), identical across solvers at the optimum;
    ``total_km`` is the exact sum of the assignments' km (also used for level 3
    when it was not reached).
    """
    chosen = chosen.copy()
    chosen["km"] = chosen["km"].round(3)
    chosen["payment"] = chosen["payment"].astype(float)
    assignments = chosen[ASSIGNMENT_COLUMNS].sort_values("graduate_id", kind="mergesort").reset_index(drop=True)

    cells = deficit_cells(round_)
    placed = assignments.groupby(["region_id", "specialty"]).size().rename("placed")
    deficits = cells.merge(placed, on=["region_id", "specialty"], how="left")
    deficits["placed"] = deficits["placed"].fillna(0).astype(int)
    deficits["remaining"] = deficits["vacancies"] - deficits["placed"]
    basis = round_.regions.set_index("region_id")["weight_basis"]
    deficits["weight_basis"] = deficits["region_id"].map(basis)  # where each weight came from
    deficits = deficits[["region_id", "specialty", "vacancies", "placed", "remaining", "weight", "weight_basis"]]

    unplaced = unplaced_reasons(round_, pairs, assignments)
    total_km = float(assignments["km"].sum())
    dr = round_.scenario.diminishing_returns
    before = deficit_penalty(deficits["vacancies"], deficits["vacancies"], deficits["weight"], dr).sum()
    after = deficit_penalty(deficits["remaining"], deficits["vacancies"], deficits["weight"], dr).sum()
    grads = round_.graduates
    obligated = grads["funding"].isin(OBLIGATED)
    placed = pd.Index(assignments["graduate_id"]).get_indexer(grads["graduate_id"]) >= 0

    programmes = []
    for prog in round_.programmes.sort_values("programme_id").itertuples(index=False):
        used = assignments[assignments["programme_id"] == prog.programme_id]
        programmes.append({
            "programme_id": prog.programme_id,
            "name": prog.name,
            "placed": len(used),
            "spend": float(exact_spend(used["payment"])),  # exact: counted in the typed decimals
            "quota": None if pd.isna(prog.quota) else int(prog.quota),
            "budget": None if pd.isna(prog.budget) else float(exact_money(prog.budget)),
        })

    summary = {
        "status": status,
        "solver": round_.scenario.solver,
        "gap": None if gap is None else float(gap),
        "objective": {
            "1_obligated_placed": int((placed & obligated.to_numpy()).sum()),
            "2_weighted_deficit": round(float(after), 6),
            "3_total_km": round(total_km if km_objective is None else float(km_objective), 3),
        },
        "total_km": round(total_km, 3),
        "obligated_total": int(obligated.sum()),
        "graduates_total": len(grads),
        "placed_total": len(assignments),
        "placed_by_funding": {
            f: int((placed & (grads["funding"] == f).to_numpy()).sum())
            for f in ("grant", "targeted", "paid")
        },
        "vacancies_total": int(deficits["vacancies"].sum()),
        "weighted_deficit_before": round(float(before), 6),
        "programmes": programmes,
        "unplaced_by_reason": {k: int(v) for k, v in unplaced["reason"].value_counts().sort_index().items()},
        "warnings": [_warning_dict(p) for p in run_warnings(round_, deficits)],
        "model": {"pairs": pairs.n_pairs, "variables": int(model.n_vars), "constraints": int(model.n_rows)},
        "scenario": round_.scenario.as_dict(),
        "wall_time_s": {k: round(v, 3) for k, v in timings.items()},
        "input_hash": round_.input_hash(),
    }
    return Solution(assignments=assignments, unplaced=unplaced, deficits=deficits, summary=summary)


def run_warnings(round_: Round, deficits: pd.DataFrame) -> list[Problem]:
    """The round's own warnings and what the scaling of its weights loses (allocator.scaling)."""
    out = list(round_.warnings)
    live = deficits.loc[deficits["vacancies"] > 0, "weight"]
    for item in weight_warnings(live):
        code = "weights_merged" if item["kind"] == "merged" else "weights_lifted"
        shown = ", ".join(f"{w:g}" for w in item["weights"][:6]) + (" ..." if len(item["weights"]) > 6 else "")
        out.append(Problem.of("regions", None, "weight", code, weights=shown))
    return out


def _warning_dict(problem: Problem) -> dict:
    return {"code": problem.code, "file": problem.file, "row": problem.row, "column": problem.column,
            "en": problem.message, "ru": problem.message_ru}

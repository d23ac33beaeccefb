"""Writing a solution to an output folder, all or nothing.

Files are first written to a temporary folder beside the target and then
moved in one by one with ``os.replace`` (atomic per file), so a failure while
writing never leaves a half-written file, and files already in the folder
are only replaced by complete new ones.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from .solution import Solution

FILES = ("assignments.csv", "unplaced.csv", "deficits.csv", "summary.json", "result.xlsx")


def write_solution(solution: Solution, out_dir: str | Path) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".allocator-", dir=out_dir))
    try:
        frames = {
            "assignments": solution.assignments,
            "unplaced": solution.unplaced,
            "deficits": solution.deficits,
        }
        for name, frame in frames.items():
            frame.to_csv(tmp / f"{name}.csv", index=False, lineterminator="\n")
        (tmp / "summary.json").write_text(
            json.dumps(solution.summary, ensure_ascii=False, indent=2, sort_keys=False) + "\n",
            encoding="utf-8",
        )
        _workbook(solution, tmp / "result.xlsx")
        written = []
        for name in FILES:
            os.replace(tmp / name, out_dir / name)
            written.append(out_dir / name)
        return written
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _workbook(solution: Solution, path: Path) -> None:
    """The same tables as one workbook for Excel users, plus the headline figures."""
    summary = solution.summary
    head = [
        ("status", summary["status"]),
        ("solver", summary["solver"]),
        ("obligated placed", summary["objective"]["1_obligated_placed"]),
        ("obligated total", summary["obligated_total"]),
        ("weighted deficit before", summary["weighted_deficit_before"]),
        ("weighted deficit after", summary["objective"]["2_weighted_deficit"]),
        ("total km", summary["objective"]["3_total_km"]),
        ("placed total", summary["placed_total"]),
        ("input hash", summary["input_hash"]),
    ]
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        pd.DataFrame(head, columns=["figure", "value"]).to_excel(xl, sheet_name="summary", index=False)
        solution.assignments.to_excel(xl, sheet_name="assignments", index=False)
        solution.unplaced.to_excel(xl, sheet_name="unplaced", index=False)
        solution.deficits.to_excel(xl, sheet_name="deficits", index=False)
        pd.DataFrame(summary["programmes"]).to_excel(xl, sheet_name="programmes", index=False)

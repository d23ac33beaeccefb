"""Writing a solution to an output folder, all or nothing, as a folder.

The five files (:data:`FILES`), and ``offered.csv`` when the solution has the posts offered
(:attr:`allocator.solution.Solution.offered`, the choice and menu mechanisms), are written to a
staging folder beside the output folder, flushed to disk, and the staging folder then replaces the
output folder in one atomic swap (:mod:`allocator.atomic`). Guarantees:

* A reader of the output folder sees either the whole previous result or the
  whole new one, never files of two runs, also when the process is killed at
  any moment (on Linux with ``renameat2``; elsewhere the folder can be
  briefly absent, and the next write restores the previous result if the
  process died there).
* On any failure (disk full, permission, a read-only or locked entry)
  nothing in the output folder changes, the staging folder is removed, and
  :class:`OutputError` says why in English and Russian.
* Leftovers of killed runs (staging folders beside the output folder,
  ``.allocator-*`` folders inside it from earlier versions) are removed by
  the next write, or by :func:`clean_leftovers`.
* A folder holding anything but our files is refused (:class:`OutputError`,
  code ``out_not_ours``), because replacing it would move those files away.
  An empty folder or one holding an earlier result is replaced.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from . import atomic
from .messages import Problem
from .outpaths import LEGACY_STAGING_PREFIX, OUTPUT_FILES, check_out_dir
from .solution import Solution
from .xlsx import write_xlsx

FILES = OUTPUT_FILES
#: The posts offered (facility_id, specialty, offered), written when the solution has them (choice, menu).
OFFERED_FILE = "offered.csv"


class OutputError(Exception):
    """The outputs could not be written; the output folder is unchanged. ``problems`` says why."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.report("en"))

    def report(self, lang: str = "en") -> str:
        return "\n".join(f"error: {p.line(lang)}" for p in self.problems)


def write_solution(solution: Solution, out_dir: str | Path) -> list[Path]:
    """Replace ``out_dir`` by the solution's five files; returns their paths.

    Raises :class:`OutputError` (nothing changed) when ``out_dir`` is a file,
    holds foreign files, or the files cannot be written or swapped in.
    """
    problems = check_out_dir(out_dir)
    if problems:
        raise OutputError(problems)
    try:
        atomic.replace_dir(out_dir, lambda staged: _write_files(solution, staged))
    except OSError as exc:
        raise OutputError([_os_problem(str(out_dir), exc)]) from exc
    return [Path(out_dir) / name for name in FILES] + ([Path(out_dir) / OFFERED_FILE] if solution.offered is not None
                                                       else [])


def clean_leftovers(out_dir: str | Path) -> None:
    """Remove what killed writes left around ``out_dir`` (restoring it if a swap was cut short).

    Raises :class:`OutputError` when a moved-aside result cannot be put back.
    """
    try:
        atomic.recover(out_dir)
        out = Path(os.path.realpath(out_dir))
        if out.is_dir():
            _remove_legacy_staging(out)
    except OSError as exc:
        raise OutputError([_os_problem(str(out_dir), exc)]) from exc


def _write_files(solution: Solution, folder: Path) -> None:
    frames = {
        "assignments": solution.assignments,
        "unplaced": solution.unplaced,
        "deficits": solution.deficits,
    }
    if solution.offered is not None:
        frames["offered"] = solution.offered
    for name, frame in frames.items():
        frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    (folder / "summary.json").write_text(
        json.dumps(solution.summary, ensure_ascii=False, indent=2, sort_keys=False) + "\n",
        encoding="utf-8",
    )
    _workbook(solution, folder / "result.xlsx")


def _remove_legacy_staging(out: Path) -> None:
    """Folders ``.allocator-*`` that earlier versions left inside the output folder (never symlinks)."""
    with os.scandir(out) as entries:
        stale = [e.path for e in entries
                 if e.name.startswith(LEGACY_STAGING_PREFIX) and e.is_dir(follow_symlinks=False)]
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)


def _os_problem(shown: str, exc: OSError) -> Problem:
    error = exc.strerror or type(exc).__name__  # never the file name: it may be a staging path
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return Problem.of(shown, None, None, "output_disk_full")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.EBUSY, errno.ETXTBSY):
        return Problem.of(shown, None, None, "output_not_permitted", error=error)
    return Problem.of(shown, None, None, "output_failed", error=error)


def _workbook(solution: Solution, path: Path) -> None:
    """The same tables as one workbook for Excel users, plus the headline figures."""
    s = solution
    head = [
        ("status", str(s.status)),
        ("solver", s.solver),
        ("obligated placed", s.obligated_placed),
        ("obligated total", s.obligated_total),
        ("weighted deficit before", s.weighted_deficit_before),
        ("weighted deficit after", s.weighted_deficit),
        ("total km", s.km_objective),
        ("placed total", s.placed_total),
        ("input hash", s.input_hash),
    ]
    write_xlsx(path, {  # the cells DataFrame.to_excel writes with openpyxl, written ten times faster
        "summary": pd.DataFrame(head, columns=["figure", "value"]),
        "assignments": solution.assignments,
        "unplaced": solution.unplaced,
        "deficits": solution.deficits,
        "programmes": pd.DataFrame([asdict(p) for p in s.programmes]),
    })

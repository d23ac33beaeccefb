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

Money and the round's facts (issue 15). ``summary.json`` gains ``currency`` (the round's
``Scenario.currency``, null without one; every spend stays a number). In ``result.xlsx`` the money
cells (payment, payment_total, spend, budget) carry a number format showing that currency (:func:`money_columns`),
still numbers. Given the round (``write_solution(..., round_=...)``), the tables also list what the
round says of each placement, a column only when the round fills it for some row:
``assignments``: ``benefits`` (the paying programme's ``programmes.benefits`` joined with "; "),
``post_source`` and ``post_planned_date`` (``vacancies.source`` / ``planned_date`` by facility and
specialty), ``service_until`` when the solution has it; ``deficits``: ``weight_caveat_ru`` and
``weight_caveat_en`` beside the weight (``Round.regions``); ``programmes`` (workbook): ``benefits``.
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
from .scaling import money_decimals
from .solution import Solution
from .xlsx import money_format, write_xlsx

FILES = OUTPUT_FILES
#: The posts offered (facility_id, specialty, offered), written when the solution has them (choice, menu).
OFFERED_FILE = "offered.csv"
#: Money columns of the output tables (table -> columns), shown in the round's currency in the workbook.
MONEY_COLUMNS = {"assignments": ("payment", "payment_total"),
                 "programmes": ("spend", "budget", "payment", "payment_remote")}
#: Region columns of a weight's caveat (Round.regions, data/penza/README.md), listed beside the weight.
CAVEAT_COLUMNS = ("weight_caveat_ru", "weight_caveat_en")


class OutputError(Exception):
    """The outputs could not be written; the output folder is unchanged. ``problems`` says why."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.report("en"))

    def report(self, lang: str = "en") -> str:
        return "\n".join(f"error: {p.line(lang)}" for p in self.problems)


def write_solution(solution: Solution, out_dir: str | Path, round_=None) -> list[Path]:
    """Replace ``out_dir`` by the solution's five files; returns their paths.

    ``round_`` (the solved :class:`allocator.problem.Round`, optional) adds what the round says of
    each placement and region (module docstring); without it the tables are the solution's own.
    Raises :class:`OutputError` (nothing changed) when ``out_dir`` is a file,
    holds foreign files, or the files cannot be written or swapped in.
    """
    problems = check_out_dir(out_dir)
    if problems:
        raise OutputError(problems)
    try:
        atomic.replace_dir(out_dir, lambda staged: _write_files(solution, staged, round_))
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


def currency_of(solution: Solution) -> str | None:
    """The money unit's sign of the solved round (``Scenario.currency``: "₽", "₸", "сом"), None without one."""
    return (solution.scenario or {}).get("currency") or None


def summary_of(solution: Solution) -> dict:
    """``summary.json``'s content: :attr:`Solution.summary` with ``currency`` before the programmes."""
    out = {}
    for key, value in solution.summary.items():
        if key == "programmes":
            out["currency"] = currency_of(solution)
        out[key] = value
    out.setdefault("currency", currency_of(solution))
    return out


def _filled(series: pd.Series) -> pd.Series:
    """Where a text column holds something (not missing, not blank)."""
    return series.notna() & series.astype(str).str.strip().ne("") & series.astype(str).ne("nan")


def benefits_text(value) -> str | None:
    """A programme's benefits (a tuple of texts, or one ';'-separated text) joined with "; "; None when none."""
    if value is None or (not isinstance(value, (tuple, list)) and pd.isna(value)):
        return None
    items = [str(v).strip() for v in (value if isinstance(value, (tuple, list)) else str(value).split(";"))]
    items = [v for v in items if v]
    return "; ".join(items) or None


def assignment_facts(assignments: pd.DataFrame, round_) -> pd.DataFrame:
    """``assignments`` with what ``round_`` says of each placement: ``benefits`` of the paying
    programme, ``post_source`` and ``post_planned_date`` of the post (by facility and specialty).
    A column is added only when the round fills it for some row; ``service_until`` (and any other
    column of the solution) is kept as it is."""
    out = assignments.copy()
    progs = round_.programmes
    if "benefits" in progs and len(progs):
        shown = pd.Series([benefits_text(v) for v in progs["benefits"]], index=progs["programme_id"].to_numpy())
        if shown.notna().any():
            out["benefits"] = out["programme_id"].map(shown.to_dict())
    vac = round_.vacancies
    for column, name in (("source", "post_source"), ("planned_date", "post_planned_date")):
        if column in vac and _filled(vac[column]).any():
            facts = vac.loc[_filled(vac[column]), ["facility_id", "specialty", column]] \
                .drop_duplicates(["facility_id", "specialty"])
            key = pd.MultiIndex.from_frame(out[["facility_id", "specialty"]])
            values = facts.set_index(["facility_id", "specialty"])[column].astype(str).str.strip()
            out[name] = values.reindex(key).to_numpy()
    return out


def deficit_facts(deficits: pd.DataFrame, round_) -> pd.DataFrame:
    """``deficits`` with each region's weight caveat (:data:`CAVEAT_COLUMNS`) after ``weight_basis``,
    when the round has a caveat for some region."""
    regions = round_.regions
    present = [c for c in CAVEAT_COLUMNS if c in regions and _filled(regions[c]).any()]
    if not present:
        return deficits
    out = deficits.copy()
    at = list(out.columns).index("weight_basis") + 1 if "weight_basis" in out else len(out.columns)
    for offset, column in enumerate(present):
        text = regions[column].where(_filled(regions[column]))
        out.insert(at + offset, column, out["region_id"].map(dict(zip(regions["region_id"], text))))
    return out


def money_columns(sheets: dict[str, pd.DataFrame], currency: str | None) -> dict[str, dict[str, str]]:
    """The workbook's number formats: sheet -> money column (:data:`MONEY_COLUMNS`) -> a format
    showing ``currency`` with the decimals its figures need (kopecks when any has them). None
    without a currency: the cells keep today's look."""
    if not currency:
        return {}
    return {name: {c: money_format(currency, money_decimals(frame[c].tolist()))
                   for c in MONEY_COLUMNS.get(name, ()) if c in frame}
            for name, frame in sheets.items()}


def _write_files(solution: Solution, folder: Path, round_=None) -> None:
    frames = _tables(solution, round_)
    if solution.offered is not None:
        frames["offered"] = solution.offered
    for name, frame in frames.items():
        frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    (folder / "summary.json").write_text(
        json.dumps(summary_of(solution), ensure_ascii=False, indent=2, sort_keys=False) + "\n",
        encoding="utf-8",
    )
    _workbook(solution, folder / "result.xlsx", frames, round_)


def _tables(solution: Solution, round_=None) -> dict[str, pd.DataFrame]:
    """The three tables as written, with the round's facts when it is given."""
    frames = {"assignments": solution.assignments, "unplaced": solution.unplaced, "deficits": solution.deficits}
    if round_ is not None:
        frames["assignments"] = assignment_facts(frames["assignments"], round_)
        frames["deficits"] = deficit_facts(frames["deficits"], round_)
    return frames


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


def _workbook(solution: Solution, path: Path, tables: dict[str, pd.DataFrame] | None = None, round_=None) -> None:
    """The same tables as one workbook for Excel users, plus the headline figures; money in the
    round's currency (:func:`money_columns`)."""
    s = solution
    tables = tables or _tables(solution, round_)
    currency = currency_of(s)
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
    ] + ([("currency", currency)] if currency else [])
    programmes = pd.DataFrame([asdict(p) for p in s.programmes])
    if round_ is not None and len(programmes) and "benefits" in round_.programmes:
        progs = round_.programmes
        shown = {pid: benefits_text(v) for pid, v in zip(progs["programme_id"], progs["benefits"])}
        if any(v is not None for v in shown.values()):
            programmes["benefits"] = programmes["programme_id"].map(shown)
    sheets = {  # the cells DataFrame.to_excel writes with openpyxl, written ten times faster
        "summary": pd.DataFrame(head, columns=["figure", "value"]),
        "assignments": tables["assignments"],
        "unplaced": tables["unplaced"],
        "deficits": tables["deficits"],
        "programmes": programmes,
    }
    write_xlsx(path, sheets, money_columns(sheets, currency))

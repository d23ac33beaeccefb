"""The output folder of a sweep: ``scenarios.csv``, written at once, and the scenarios' own folders.

``DIR/scenarios.csv`` (one row per scenario, :func:`allocator.sweep.runner.columns`)
is written to a temporary file beside it, flushed to disk and renamed over the
old one (``os.replace``, atomic): a reader sees the previous table or the new
one whole. With ``--keep-outputs`` each scenario's outputs go to
``DIR/<scenario>/`` through :func:`allocator.output.write_solution` (a folder
all or nothing, :mod:`allocator.atomic`).

:func:`check_sweep_dir` refuses, before anything is solved, a ``DIR`` that is a
file, is (or holds) the round, or holds anything but a sweep's outputs
(``scenarios.csv`` and folders of ``allocator solve`` outputs), as
``allocator solve`` refuses foreign files. :func:`remove_stale` then removes
the output folders of an earlier sweep that this one did not write, so the
folder holds exactly one sweep's results.
"""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import tempfile
from pathlib import Path

from ..messages import Problem
from ..outpaths import check_out_dir, foreign_entries

TABLE = "scenarios.csv"
_TEMP_PREFIX = f".{TABLE}.sweep-"
_SHOWN = 3


def _ours(entry: os.DirEntry) -> bool:
    """An entry a sweep writes: the table, a temporary table, or a folder of a solve's outputs only."""
    if entry.name == TABLE and entry.is_file(follow_symlinks=False):
        return True
    if entry.name.startswith(_TEMP_PREFIX) and entry.is_file(follow_symlinks=False):
        return True
    if entry.name.startswith("."):  # the output writer's staging and lock files beside a scenario folder
        return True
    return entry.is_dir(follow_symlinks=False) and not foreign_entries(Path(entry.path))


def check_sweep_dir(out: str | Path, round_source: str | Path | None = None) -> list[Problem]:
    """Why ``out`` cannot take a sweep's outputs ([] if it can); changes nothing but a probe file."""
    problems = [p for p in check_out_dir(out, round_source) if p.code != "out_not_ours"]
    path = Path(os.path.realpath(out))
    if problems or not path.is_dir():
        return problems
    with os.scandir(path) as entries:
        foreign = sorted(e.name for e in entries if not _ours(e))
    if foreign:
        names = ", ".join(foreign[:_SHOWN]) + (", ..." if len(foreign) > _SHOWN else "")
        return [Problem.of(str(out), None, None, "cli_sweep_out_not_ours", entries=names)]
    return []


def write_table(rows: list[dict], columns: list[str], out: str | Path, name: str = TABLE) -> Path:
    """Write ``rows`` (missing cells empty) as ``out/<name>`` (default ``scenarios.csv``), atomically;
    returns its path."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    fd, temp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, restval="", extrasaction="ignore",
                                    lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    _fsync_dir(folder)
    return target


def remove_stale(out: str | Path, keep: set[str]) -> list[str]:
    """Remove from ``out`` the scenario folders not in ``keep`` and leftover temporary tables; returns
    the names removed. Only folders holding nothing but a solve's outputs are removed."""
    folder = Path(out)
    removed = []
    if not folder.is_dir():
        return removed
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(_TEMP_PREFIX) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
            elif (entry.is_dir(follow_symlinks=False) and not entry.name.startswith(".")
                  and entry.name not in keep and not foreign_entries(Path(entry.path))):
                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(entry.name)
    return sorted(removed)


def _fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (the rename) to disk where the OS allows it."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

"""Checks of output paths before anything is solved or written.

:func:`check_out_dir` lists every reason an output folder cannot be written
as a whole (see :mod:`allocator.atomic`): the path is a file, it is (or
holds) the round being solved, it holds files that are not ours and would be
moved away, or its parent folder cannot be written. :func:`check_log_file`
does the same for ``--solver-log``. Both return :class:`Problem` objects
(empty list: fine) and change nothing on disk, except a probe file created
and removed at once to test writability (permission bits say nothing when
running as root; a read-only mount or an immutable folder does).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .atomic import probe_prefix
from .messages import Problem

#: Files the allocator writes into an output folder (allocator.output).
OUTPUT_FILES = ("assignments.csv", "unplaced.csv", "deficits.csv", "summary.json", "result.xlsx")
#: Files a result holds only for some mechanisms (issue 13: the posts offered, of choice and menu).
OPTIONAL_OUTPUT_FILES = ("offered.csv",)
#: Earlier versions staged their files in folders with this prefix inside the output folder.
LEGACY_STAGING_PREFIX = ".allocator-"
_SHOWN = 3  # foreign entries named in the message


def foreign_entries(out_dir: Path, ours: tuple[str, ...] = OUTPUT_FILES + OPTIONAL_OUTPUT_FILES) -> list[str]:
    """Names in ``out_dir`` that are not our outputs (``ours``; sorted); [] when it does not exist."""
    if not out_dir.is_dir():
        return []
    foreign = []
    with os.scandir(out_dir) as entries:
        for entry in entries:
            if entry.name in ours and entry.is_file(follow_symlinks=False):
                continue
            if entry.name.startswith(LEGACY_STAGING_PREFIX) and entry.is_dir(follow_symlinks=False):
                continue
            foreign.append(entry.name)
    return sorted(foreign)


def check_out_dir(path: str | Path, round_source: str | Path | None = None,
                  ours: tuple[str, ...] = OUTPUT_FILES + OPTIONAL_OUTPUT_FILES) -> list[Problem]:
    """Why the output folder ``path`` cannot be replaced by a new result ([] if it can).

    ``round_source`` is the round being solved (folder or workbook): the output
    must not be it, one of its files, or a folder containing it. ``ours``: the files
    a result holds (another command's, e.g. ``allocator forecast``'s).
    """
    shown = str(path)
    out = Path(os.path.realpath(path))
    if round_source is not None:
        source = Path(os.path.realpath(round_source))
        if out == source or (source.is_dir() and source in out.parents and out.exists()
                             and not out.is_dir()):
            return [Problem.of(shown, None, None, "out_is_round", round=str(round_source))]
        if out in source.parents:
            return [Problem.of(shown, None, None, "out_holds_round", round=str(round_source))]
    if out.exists() and not out.is_dir():
        return [Problem.of(shown, None, None, "out_is_file")]
    foreign = foreign_entries(out, ours)
    if foreign:
        names = ", ".join(foreign[:_SHOWN]) + (", ..." if len(foreign) > _SHOWN else "")
        return [Problem.of(shown, None, None, "out_not_ours", entries=names)]
    return _check_writable(shown, out.parent, probe_prefix(out))


def check_log_file(path: str | Path) -> list[Problem]:
    """Why the solver log ``path`` cannot be written ([] if it can): no folder is created for it."""
    shown = str(path)
    target = Path(path)
    if target.is_dir():
        return [Problem.of(shown, None, None, "solver_log_is_folder")]
    folder = target.parent
    if not folder.is_dir():
        return [Problem.of(shown, None, None, "solver_log_folder_missing", folder=str(folder))]
    if target.exists():
        return []
    return _check_writable(shown, folder)


def _check_writable(shown: str, folder: Path, prefix: str = ".allocator-probe-") -> list[Problem]:
    """The nearest existing ancestor of ``folder`` accepts a new file (probed, then removed; a probe
    a killed process leaves beside an output folder is removed by :func:`allocator.atomic.recover`)."""
    while not os.path.lexists(folder) and folder.parent != folder:
        folder = folder.parent
    if not folder.is_dir():
        return [Problem.of(shown, None, None, "out_parent_not_folder", folder=str(folder))]
    try:
        fd, probe = tempfile.mkstemp(prefix=prefix, dir=folder)
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):  # a concurrent writer's clean-up took it
            os.unlink(probe)
    except OSError as exc:
        return [Problem.of(shown, None, None, "out_not_writable", folder=str(folder),
                           error=exc.strerror or type(exc).__name__)]
    return []

"""Replacing a whole folder at once: a reader sees the old folder or the new one, never a mix.

:func:`replace_dir` builds the new content in a staging folder beside the
target (``PARENT/.NAME.allocator-new-XXXX``: same parent, hence the same
filesystem), flushes every file and the folder to disk, then puts it in place:

* on Linux, when the target exists, with ``renameat2(RENAME_EXCHANGE)``, which
  swaps the two names in one atomic step; the staging name then holds the
  previous content, which is removed;
* when the target does not exist, with one ``os.rename`` (atomic);
* where exchange is unavailable (another OS, or a filesystem that answers
  ``EINVAL``/``ENOSYS``/``EOPNOTSUPP``), in two renames: the target to
  ``PARENT/.NAME.allocator-old-XXXX``, then the staging folder to the target.
  Between them the target is briefly absent; if the process dies there,
  :func:`recover` (run at the start of every :func:`replace_dir`) renames the
  old folder back, so the previous content returns whole.

Guarantees:

* The target is never seen with part of the new content: any failure while
  filling or swapping (disk full, permissions, an immutable or locked entry)
  removes the staging folder and re-raises; the target is unchanged.
* Leftovers of a killed process (staging folders, writability probes, the lock file) are removed
  by the next :func:`replace_dir` or :func:`recover` on the same target. Only
  real folders named with the exact prefix ``.NAME.allocator-new-`` or
  ``.NAME.allocator-old-`` are removed; symbolic links are never followed.
* Writers of the same target take turns: an exclusive ``flock`` on
  ``PARENT/.NAME.allocator-lock`` (POSIX only) is held while recovering,
  staging and swapping, so one writer never removes another's staging folder.
  The kernel releases it when a process is killed.

The parent of the target must be writable (the staging folder is created there).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import os
import secrets
import shutil
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

log = logging.getLogger(__name__)

#: Set to False to always use the two-rename swap (tests of the fallback path).
EXCHANGE = True

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, getattr(errno, "EOPNOTSUPP", errno.EINVAL),
                getattr(errno, "ENOTSUP", errno.EINVAL)}


def staging_prefixes(target: Path) -> tuple[str, str]:
    """Name prefixes of the staging folders beside ``target``: (new, old)."""
    base = f".{target.name}.allocator-"
    return base + "new-", base + "old-"


def probe_prefix(target: Path) -> str:
    """Name prefix of the empty probe files that test the parent's writability (allocator.outpaths);
    :func:`recover` removes the ones a killed process left."""
    return f".{target.name}.allocator-probe-"


def lock_path(target: Path) -> Path:
    """The lock file beside ``target`` that serialises writers replacing it (``.<name>.allocator-lock``)."""
    return target.parent / f".{target.name}.allocator-lock"


def replace_dir(target: str | Path, fill: Callable[[Path], None]) -> Path:
    """Replace folder ``target`` by what ``fill(staging_folder)`` writes, all or nothing.

    Returns the (resolved) target path. Exceptions from ``fill`` or from the
    swap propagate after the staging folder has been removed; the target is
    then exactly as before.
    """
    target = Path(os.path.realpath(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    new_prefix, old_prefix = staging_prefixes(target)
    with _locked(target):
        recover(target, _locked_already=True)
        staged = _make_staging(target, new_prefix)
        try:
            fill(staged)
            _fsync_tree(staged)
            _swap(staged, target, target.parent / (old_prefix + staged.name[len(new_prefix):]))
        except BaseException:
            _remove(staged)
            raise
        _remove(staged)  # after an exchange it holds the previous content
    return target


def recover(target: str | Path, *, _locked_already: bool = False) -> None:
    """Repair what a killed :func:`replace_dir` left beside ``target``.

    If ``target`` is missing and a previous content was moved aside (the
    two-rename swap was interrupted), it is renamed back. Every other staging
    folder of ``target`` is removed (failures are logged, not raised).
    """
    target = Path(os.path.realpath(target))
    if not target.parent.is_dir():
        return
    if not _locked_already:
        with _locked(target):
            recover(target, _locked_already=True)
        return
    new_prefix, old_prefix = staging_prefixes(target)
    probe = probe_prefix(target)
    news, olds = [], []
    with os.scandir(target.parent) as entries:
        for entry in entries:
            if entry.name.startswith(probe) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(FileNotFoundError):  # another writer's probe, gone already
                    os.unlink(entry.path)
                continue
            if not entry.is_dir(follow_symlinks=False):
                continue
            if entry.name.startswith(new_prefix):
                news.append(Path(entry.path))
            elif entry.name.startswith(old_prefix):
                olds.append(Path(entry.path))
    if olds and not os.path.lexists(target):
        olds.sort(key=lambda p: p.stat(follow_symlinks=False).st_mtime_ns)
        os.rename(olds.pop(), target)
        _fsync_dir(target.parent)
        log.warning("restored %s from an interrupted write", target)
    for path in news + olds:
        _remove(path)


def _make_staging(target: Path, prefix: str) -> Path:
    """A new empty folder beside ``target``, with the target's permissions (else the umask's)."""
    while True:
        staged = target.parent / (prefix + secrets.token_hex(8))
        try:
            os.mkdir(staged)
            break
        except FileExistsError:
            continue
    try:
        if os.path.isdir(target):
            os.chmod(staged, stat.S_IMODE(os.stat(target).st_mode))
    except OSError:
        _remove(staged)
        raise
    return staged


def _swap(staged: Path, target: Path, aside: Path) -> None:
    if not os.path.lexists(target):
        os.rename(staged, target)
    elif not _exchange(staged, target):
        os.rename(target, aside)
        try:
            os.rename(staged, target)
        except BaseException:
            os.rename(aside, target)
            raise
        _fsync_dir(target.parent)
        _remove(aside)
        return
    _fsync_dir(target.parent)


def _exchange(a: Path, b: Path) -> bool:
    """Swap the names ``a`` and ``b`` atomically; False when this system cannot."""
    if not EXCHANGE or not sys.platform.startswith("linux"):
        return False
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # glibc < 2.28, musl without it
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in _UNSUPPORTED:
        return False
    raise OSError(err, os.strerror(err), str(b))


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    """Hold the exclusive lock of ``target``; the lock file is removed on release."""
    try:
        import fcntl
    except ImportError:  # Windows: no lock between concurrent writers
        yield
        return
    path = lock_path(target)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.stat(path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:  # the previous holder removed it; lock a fresh one
                same = False
        except BaseException:
            os.close(fd)
            raise
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            fd = os.open(path, os.O_RDWR)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # folders cannot be opened for fsync there
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    """Remove a staging folder of ours (never through a symbolic link); log what cannot go."""
    if not os.path.lexists(path):
        return
    if os.path.islink(path):
        return
    failed = []
    shutil.rmtree(path, onerror=lambda _fn, _path, info: failed.append(info[1]))  # remove what can go
    if failed:
        log.warning("could not remove all of leftover folder %s: %s", path, failed[0].strerror or failed[0])

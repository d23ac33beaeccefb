"""Safe reading of ZIP archives: an uploaded round and an .xlsx workbook (itself a ZIP).

Everything here bounds what an archive may cost before it is read:

* :class:`Limits` -- upload size, total unpacked size, per-member compression
  ratio, member count, and for a workbook the unpacked size of its XML parts
  and the cells its sheets address. Defaults are documented on the class;
  :meth:`Limits.from_env` overrides them from ``ALLOCATOR_MAX_*`` variables.
* The member count is read from the central directory *before*
  :class:`zipfile.ZipFile` builds an object per member, so a directory of a
  million entries costs nothing.
* Declared sizes are checked first (an early, cheap refusal), but never
  trusted: every member is decompressed in 64 KiB steps through a counter
  that stops at the total and ratio limits whatever the header says. With a
  header that under-declares a member, :mod:`zipfile` itself stops at the
  declared size and its CRC check fails; that is reported as damage.
* Only stored and deflated members are read: deflate decompression is bounded
  per step, bzip2 and LZMA in :mod:`zipfile` are not.
* Encrypted members, paths that are absolute or lead outside the archive's
  folder, symbolic links and paths given twice are problems, not skipped.

Every failure is an :class:`allocator.messages.Problem` whose file is the
archive's name and the member's path (``upload.zip/round/regions.csv``); no
member's content ever appears in a message.
"""

from __future__ import annotations

import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import BinaryIO, ClassVar

from .messages import InputError, Problem

MB = 1024 * 1024
CHUNK = 64 * 1024
# Members smaller than this are never refused for their ratio: a small file of
# repeated bytes compresses far beyond any bomb ratio and costs nothing.
RATIO_FLOOR = 1 * MB
SUPPORTED_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_S_IFMT, _S_IFLNK = 0o170000, 0o120000


@dataclass(frozen=True)
class Limits:
    """What one archive may cost; each field has an environment variable (see ``ENV``).

    upload_mb        50      the upload itself (the UI; Streamlit's server.maxUploadSize matches)
    unpacked_mb      500     all members of a ZIP together, unpacked
    ratio            200     unpacked / compressed size of one member of 1 MiB or more
                             (spreadsheet XML compresses about 5-30 times)
    members          1000    entries in the archive's directory
    workbook_xml_mb  100     the XML parts of one .xlsx together, unpacked
    workbook_cells   5000000 cells the sheets of one .xlsx span (last row x last column
                             addressed); pandas pads the gaps, so this bounds memory
    """

    upload_mb: float = 50
    unpacked_mb: float = 500
    ratio: float = 200
    members: int = 1000
    workbook_xml_mb: float = 100
    workbook_cells: int = 5_000_000

    ENV: ClassVar[dict[str, str]] = {
        "upload_mb": "ALLOCATOR_MAX_UPLOAD_MB",
        "unpacked_mb": "ALLOCATOR_MAX_UNPACKED_MB",
        "ratio": "ALLOCATOR_MAX_RATIO",
        "members": "ALLOCATOR_MAX_MEMBERS",
        "workbook_xml_mb": "ALLOCATOR_MAX_WORKBOOK_XML_MB",
        "workbook_cells": "ALLOCATOR_MAX_WORKBOOK_CELLS",
    }

    @classmethod
    def from_env(cls, environ=None) -> Limits:
        """The defaults with any ``ALLOCATOR_MAX_*`` variable applied; raises InputError on a bad value."""
        environ = os.environ if environ is None else environ
        values, problems = {}, []
        for f in fields(cls):
            text = environ.get(cls.ENV[f.name], "").strip()
            if not text:
                continue
            kind = int if f.type in (int, "int") else float
            try:
                value = kind(text)
            except ValueError:
                value = None
            if value is None or not 0 < value < float("inf"):
                problems.append(Problem.of(cls.ENV[f.name], None, None, "limit_setting_invalid", value=text))
            else:
                values[f.name] = value
        if problems:
            raise InputError(problems)
        return cls(**values)

    @property
    def upload_bytes(self) -> int:
        """``upload_mb`` in bytes."""
        return int(self.upload_mb * MB)

    @property
    def unpacked_bytes(self) -> int:
        """``unpacked_mb`` in bytes."""
        return int(self.unpacked_mb * MB)

    @property
    def workbook_xml_bytes(self) -> int:
        """``workbook_xml_mb`` in bytes."""
        return int(self.workbook_xml_mb * MB)


class _Stop(Exception):
    """A limit was crossed while reading; carries the problem."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


# ------------------------------------------------------------------ directory


def count_members(fp: BinaryIO, stop_after: int) -> int | None:
    """Entries of the central directory, counted without building them; at most ``stop_after + 1``.

    None when the end-of-directory record cannot be found or parsed (then
    :class:`zipfile.ZipFile` decides, and usually refuses the file).
    """
    fp.seek(0, os.SEEK_END)
    size = fp.tell()
    tail_len = min(size, 22 + 65535)
    fp.seek(size - tail_len)
    tail = fp.read(tail_len)
    pos = tail.rfind(b"PK\x05\x06")
    if pos < 0 or len(tail) - pos < 22:
        return None
    eocd_at = size - tail_len + pos
    cd_size, cd_offset = struct.unpack_from("<II", tail, pos + 12)
    end = eocd_at
    if cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:  # zip64: the sizes are in its own record
        if pos < 20 or tail[pos - 20:pos - 16] != b"PK\x06\x07":
            return None
        (z64_at,) = struct.unpack_from("<Q", tail, pos - 12)
        fp.seek(z64_at)
        rec = fp.read(56)
        if len(rec) < 56 or rec[:4] != b"PK\x06\x06":
            return None
        cd_size, cd_offset = struct.unpack_from("<QQ", rec, 40)
        end = z64_at
    start = end - cd_size
    if start < 0:
        return None
    fp.seek(start)
    count, read = 0, 0
    while read < cd_size and count <= stop_after:
        head = fp.read(46)
        if len(head) < 46 or head[:4] != b"PK\x01\x02":
            return None
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", head, 28)
        skip = name_len + extra_len + comment_len
        fp.seek(skip, os.SEEK_CUR)
        read += 46 + skip
        count += 1
    return count


def open_archive(label: str, fp: BinaryIO, limits: Limits) -> zipfile.ZipFile:
    """A ZipFile over ``fp`` once its member count is within limits; raises InputError."""
    try:
        count = count_members(fp, limits.members)
        if count is not None and count > limits.members:
            raise InputError([Problem.of(label, None, None, "zip_too_many_members", limit=limits.members)])
        fp.seek(0)
        archive = zipfile.ZipFile(fp)
    except InputError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, struct.error) as exc:
        raise InputError([Problem.of(label, None, None, "zip_unreadable", error=exc)]) from exc
    if len(archive.infolist()) > limits.members:  # the directory walk could not count it
        archive.close()
        raise InputError([Problem.of(label, None, None, "zip_too_many_members", limit=limits.members)])
    return archive


def member_path(name: str) -> tuple[str | None, str | None]:
    """(normalised relative path, None) or (None, problem code) for a member's name.

    Backslashes count as separators (old Windows tools write them).
    """
    text = name.replace("\\", "/")
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text):
        return None, "zip_member_absolute"
    parts: list[str] = []
    for part in text.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None, "zip_member_outside"
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts), None


def is_symlink(info: zipfile.ZipInfo) -> bool:
    """True when a ZIP member was stored from Unix as a symbolic link (never extracted)."""
    return info.create_system == 3 and (info.external_attr >> 16) & _S_IFMT == _S_IFLNK


def member_problems(archive: zipfile.ZipFile, label: str, limits: Limits) -> tuple[list[Problem], list]:
    """Problems the directory shows, and the (ZipInfo, path) of every regular member to read.

    Directory entries and macOS ``__MACOSX`` metadata are not returned (and not
    refused, unless their path is unsafe).
    """
    problems: list[Problem] = []
    members: list = []
    seen: set[str] = set()
    declared = 0
    for info in archive.infolist():
        where = f"{label}/{info.filename}"
        path, code = member_path(info.filename)
        if code:
            problems.append(Problem.of(where, None, None, code))
            continue
        if is_symlink(info):
            problems.append(Problem.of(where, None, None, "zip_member_symlink"))
            continue
        if info.is_dir() or not path or path.split("/")[0] == "__MACOSX":
            continue
        if path.lower() in seen:
            problems.append(Problem.of(where, None, None, "zip_member_twice"))
            continue
        seen.add(path.lower())
        if info.flag_bits & 0x41:  # 0x1 encrypted, 0x40 strong encryption
            problems.append(Problem.of(where, None, None, "zip_member_encrypted"))
            continue
        if info.compress_type not in SUPPORTED_METHODS:
            problems.append(Problem.of(where, None, None, "zip_member_method", method=info.compress_type))
            continue
        if info.file_size >= RATIO_FLOOR and info.file_size > limits.ratio * max(info.compress_size, 1):
            problems.append(Problem.of(where, None, None, "zip_member_ratio", limit=_num(limits.ratio)))
            continue
        declared += info.file_size
        members.append((info, path))
    if declared > limits.unpacked_bytes:
        problems.append(Problem.of(label, None, None, "zip_too_large", limit=_num(limits.unpacked_mb)))
    return problems, members


# --------------------------------------------------------------------- reading


class Budget:
    """Bytes still allowed for the whole archive; shared by its members."""

    def __init__(self, label: str, limit: int, limit_mb: float, code: str = "zip_too_large"):
        self.label, self.left, self.limit_mb, self.code = label, limit, limit_mb, code

    def spend(self, n: int) -> None:
        """Count ``n`` more bytes; stops the read with the budget's problem once the limit is passed."""
        self.left -= n
        if self.left < 0:
            raise _Stop(Problem.of(self.label, None, None, self.code, limit=_num(self.limit_mb)))


def stream_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, limits: Limits,
                  budget: Budget, sink: Callable[[bytes], None]) -> None:
    """Decompress one member into ``sink`` in 64 KiB steps, counting every byte.

    Raises _Stop when the archive's budget or the member's ratio is exceeded
    and when the member is damaged (CRC, truncated data, bad header).
    """
    allowed = max(limits.ratio * max(info.compress_size, 1), RATIO_FLOOR)
    out = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                out += len(chunk)
                if out > allowed:
                    raise _Stop(Problem.of(where, None, None, "zip_member_ratio", limit=_num(limits.ratio)))
                budget.spend(len(chunk))
                try:
                    sink(chunk)
                except OSError as exc:  # our side (a full disk), not the archive's
                    raise _Stop(Problem.of(where, None, None, "zip_unpack_failed",
                                           error=exc.strerror or type(exc).__name__)) from exc
    except _Stop:
        raise
    except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required"
        raise _Stop(Problem.of(where, None, None, "zip_member_encrypted")) from exc
    except NotImplementedError as exc:
        raise _Stop(Problem.of(where, None, None, "zip_member_method", method=info.compress_type)) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error) as exc:
        raise _Stop(Problem.of(where, None, None, "zip_member_corrupt", error=exc)) from exc


def extract_zip(label: str, fp: BinaryIO, dest: Path, limits: Limits) -> list[str]:
    """Unpack a ZIP into ``dest`` within ``limits``; the relative paths written.

    Raises InputError listing every problem of the directory, or the first
    limit crossed or damage found while unpacking. A member with a problem is
    never written; what was written stays in ``dest`` for the caller to remove.
    """
    with open_archive(label, fp, limits) as archive:
        problems, members = member_problems(archive, label, limits)
        if problems:
            raise InputError(problems)
        budget = Budget(label, limits.unpacked_bytes, limits.unpacked_mb)
        written = []
        root = dest.resolve()
        for info, path in members:
            target = (root / path).resolve()
            if not target.is_relative_to(root):  # unreachable after member_path; kept as a guard
                raise InputError([Problem.of(f"{label}/{info.filename}", None, None, "zip_member_outside")])
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with open(target, "wb") as out:
                    stream_member(archive, info, f"{label}/{info.filename}", limits, budget, out.write)
            except _Stop as stop:
                raise InputError([stop.problem]) from None
            written.append(path)
    return written


# -------------------------------------------------------------------- workbooks

_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Za-z]{1,3})([0-9]{1,7})"')
_ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="([0-9]{1,7})"')


class _SheetSpan:
    """The last row and column a sheet's XML addresses, read chunk by chunk."""

    def __init__(self):
        self.rows = self.cols = 0
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        """Read the next chunk of a sheet's XML, raising ``rows`` and ``cols`` to the largest
        cell and row references seen so far.
        """
        text = self._tail + chunk
        for col, row in _CELL_REF.findall(text):
            self.rows = max(self.rows, int(row))
            self.cols = max(self.cols, _column_number(col))
        for row in _ROW_REF.findall(text):
            self.rows = max(self.rows, int(row))
        self._tail = text[-512:]  # a reference cut by the chunk boundary is seen whole next time


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


def check_workbook(path: Path, limits: Limits | None = None) -> list[Problem]:
    """Problems that make an .xlsx unsafe to hand to openpyxl; [] when it is within limits.

    Reads the workbook as a ZIP within :class:`Limits` (members, ratio, XML
    size, damage) and the span of cells its sheets address. A file that is
    not a ZIP at all gives [] (the workbook reader reports it as unreadable).
    """
    path = Path(path)
    if not zipfile.is_zipfile(path):
        return []
    try:
        limits = limits or Limits.from_env()
    except InputError as exc:
        return exc.problems
    label = path.name
    try:
        with open(path, "rb") as fp, open_archive(label, fp, limits) as archive:
            problems, members = member_problems(archive, label, limits)
            if problems:
                return problems
            xml = sum(i.file_size for i, p in members if p.lower().endswith((".xml", ".rels", ".vml")))
            if xml > limits.workbook_xml_bytes:
                return [Problem.of(label, None, None, "workbook_too_large", limit=_num(limits.workbook_xml_mb))]
            budget = Budget(label, limits.unpacked_bytes, limits.unpacked_mb)
            xml_budget = Budget(label, limits.workbook_xml_bytes, limits.workbook_xml_mb, "workbook_too_large")
            cells = 0
            for info, member in members:
                span = _SheetSpan()
                is_sheet = re.fullmatch(r"xl/worksheets/[^/]+\.xml", member, re.IGNORECASE) is not None
                is_xml = member.lower().endswith((".xml", ".rels", ".vml"))

                def sink(chunk, span=span, is_sheet=is_sheet, is_xml=is_xml):
                    """Take one chunk of a member: count XML members against the XML budget and
                    read a sheet's cell span.
                    """
                    if is_xml:
                        xml_budget.spend(len(chunk))
                    if is_sheet:
                        span.feed(chunk)

                stream_member(archive, info, f"{label}/{info.filename}", limits, budget, sink)
                cells += span.rows * span.cols
                if cells > limits.workbook_cells:
                    return [Problem.of(label, None, None, "workbook_too_many_cells", limit=limits.workbook_cells)]
    except InputError as exc:
        return exc.problems
    except _Stop as stop:
        return [stop.problem]
    return []


def _num(value: float) -> str:
    return f"{value:g}"

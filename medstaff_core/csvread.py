"""CSV files as Excel in a Russian locale saves them, every cell read as text.

Accepts ';'-separated CSV, decimal commas, UTF-8 with or without BOM, and
cp1251; UTF-16 and UTF-32 files (Excel's "Unicode text") are named as such
(``encoding_unsupported``), not decoded as cp1251. Guarantees (so that no
row is lost and no cell guessed):

- Header names are kept as written (stripped, lower case): a name twice stays
  twice for the validator to refuse (``column_twice``).
- A column without a header name is dropped (the separator Excel and 1C leave
  at the end of every row). A row with more cells than the header is accepted
  only when the extra cells are empty, and never shifts the other cells
  (``row_too_long`` otherwise).
- A quoted cell that is never closed is a problem (``quote_not_closed``).
- Rows keep their spreadsheet numbers: the header is row 1, blank lines count
  as rows (the frame's index is the row number minus 2).

Problems are :class:`medstaff_core.problems.Problem` objects. Used by the
allocator's round reader (:mod:`allocator.io`) and the network command line.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from .problems import InputError, Problem

ENCODINGS = ("utf-8-sig", "cp1251")
_END = "\uffffend-of-file\uffff"  # a last line no CSV holds: if it is swallowed, a quote was left open


class CsvUnreadable(InputError, pd.errors.ParserError):
    """A CSV file that cannot be read, with its problems.

    An :class:`InputError`, and a pandas ``ParserError`` too, so that callers
    that caught pandas' errors when pandas was the reader still catch it.
    """


# ----------------------------------------------------------------------------- text


def unsupported_encoding(data: bytes) -> str | None:
    """The name of a UTF-16/UTF-32 encoding ``data`` is in, else None.

    A byte order mark decides; without one, UTF-16 text of mostly Latin
    letters and digits has a NUL byte in (nearly) every other position. A
    stray NUL in a UTF-8 file is not this: it is refused later as a control
    character with its row and column.
    """
    for bom, name in ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
                      (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16")):
        if data.startswith(bom):
            return name
    sample = np.frombuffer(data[:65536], dtype=np.uint8)
    if len(sample) < 4 or not (sample == 0).any():
        return None
    even, odd = (sample[0::2] == 0).mean(), (sample[1::2] == 0).mean()
    if max(even, odd) >= 0.3 and min(even, odd) <= 0.05:
        return "UTF-16"
    return None


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then cp1251 (Windows Cyrillic)."""
    for enc in ENCODINGS:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("cp1251", data, 0, 1, "not UTF-8 or cp1251")  # pragma: no cover


def sniff_separator(text: str) -> str:
    """';' when the header line has more semicolons than commas (or tabs), else ','."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    sep = max(counts, key=counts.get)
    return sep if counts[sep] else ","


def csv_records(text: str, sep: str, file: str) -> tuple[list[list[str]], list[Problem]]:
    """Every record of a CSV text (blank lines as empty records); an unclosed quote is a problem."""
    ending = "" if text.endswith(("\n", "\r")) or not text else "\n"
    try:
        records = list(csv.reader(io.StringIO(text + ending + _END), delimiter=sep, quotechar='"',
                                  skipinitialspace=True))
    except csv.Error as exc:  # e.g. a cell larger than the csv module's field limit
        return [], [Problem.of(file, None, None, "csv_unreadable", error=exc)]
    if records and records[-1] == [_END]:
        return records[:-1], []
    return [], [Problem.of(file, len(records), None, "quote_not_closed")]


def frame_from_records(records: list[list], file: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Text frame from records whose first non-blank one is the header (see the module docstring)."""
    start = next((i for i, r in enumerate(records) if any(str(c).strip() for c in r)), None)
    if start is None:
        return None, [Problem.of(file, None, None, "file_empty")]
    names = [str(c).strip().lower() for c in records[start]]
    width = len(names)
    problems: list[Problem] = []
    rows, index = [], []
    for pos in range(start + 1, len(records)):
        cells = [str(c).strip() for c in records[pos]]
        if len(cells) > width:
            if any(cells[width:]):
                problems.append(Problem.of(file, pos + 1, None, "row_too_long", cells=len(cells), header=width))
            cells = cells[:width]
        elif len(cells) < width:
            cells += [""] * (width - len(cells))
        rows.append(cells)
        index.append(pos - 1)  # spreadsheet row (pos + 1) minus 2
    frame = pd.DataFrame(rows, columns=names, index=index, dtype=object) if rows else \
        pd.DataFrame(columns=names, dtype=object)
    keep = [i for i, name in enumerate(names) if name]
    frame = frame.iloc[:, keep] if len(keep) < width else frame
    return frame, problems


def read_csv_bytes(data: bytes, file: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """A CSV file's text frame, or None with the problems that stopped reading it."""
    encoding = unsupported_encoding(data)
    if encoding:
        return None, [Problem.of(file, None, None, "encoding_unsupported", encoding=encoding)]
    try:
        text = decode(data)
    except UnicodeDecodeError as exc:
        return None, [Problem.of(file, None, None, "csv_unreadable", error=exc)]
    records, problems = csv_records(text, sniff_separator(text), file)
    if problems:
        return None, problems
    return frame_from_records(records, file)


def read_csv_text(text: str, file: str = "csv") -> pd.DataFrame:
    """A CSV text's frame of stripped text cells; raises :class:`CsvUnreadable` when it cannot be read."""
    records, problems = csv_records(text, sniff_separator(text), file)
    frame, found = frame_from_records(records, file) if not problems else (None, [])
    if problems or found:
        raise CsvUnreadable(problems + found)
    return frame



def cell_text(value) -> str:
    """A workbook cell as the text a CSV of it would hold: 5.0 -> "5", TRUE -> "true", empty -> ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ----------------------------------------------------------------------------- numbers


def number_text(text: pd.Series) -> pd.Series:
    """Number cells as plain decimal text: "1 000 000,40" -> "1000000.40"."""
    return (
        text.str.replace("\u00a0", "", regex=False)
        .str.replace("\u202f", "", regex=False)
        .str.replace(" ", "", regex=False)
        .str.replace(",", ".", regex=False)
    )


def parse_numbers(text: pd.Series) -> pd.Series:
    """Numbers as Excel writes them in any locale: "52,04", "1 000 000", "3.5"; else NaN."""
    cleaned = number_text(text)
    numbers = pd.to_numeric(cleaned.where(cleaned != ""), errors="coerce")
    return numbers.where(np.isfinite(numbers))  # "inf", "1e309": not numbers a planner meant


def read_typed_csv(path: str | Path) -> pd.DataFrame:
    """A CSV as Excel saves it, with every all-numeric column as numbers and empty cells as NA.

    For tables validated elsewhere (the network package's settlements and
    roads). Raises :class:`CsvUnreadable` (an :class:`InputError`) when the
    file cannot be read.
    """
    path = Path(path)
    frame, problems = read_csv_bytes(path.read_bytes(), path.name)
    if problems or frame is None:
        raise CsvUnreadable(problems)
    twice = frame.columns[frame.columns.duplicated()]
    if len(twice):
        raise CsvUnreadable([Problem.of(path.name, 1, name, "column_twice") for name in dict.fromkeys(twice)])
    frame = frame.loc[~(frame == "").all(axis=1)].reset_index(drop=True)  # blank and separator-only lines
    for column in frame.columns:
        numbers = parse_numbers(frame[column])
        if numbers.notna().sum() == (frame[column] != "").sum():  # every filled cell is a number
            frame[column] = numbers
        else:
            frame[column] = frame[column].where(frame[column] != "")
    return frame

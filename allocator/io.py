"""Reading a round from disk: a folder of CSV files or one .xlsx workbook.

Accepts what Excel in a Russian locale saves: ';'-separated CSV, decimal
commas, UTF-8 with or without BOM, and cp1251. Every cell is read as text;
typing and checking is the validator's job (:mod:`allocator.validate`).

What is guaranteed, so that no table is guessed and no row is lost:

- A table's file or sheet is found by its name compared ignoring case and
  spaces at the ends (``Vacancies.CSV`` is ``vacancies.csv``; a sheet
  ``"Vacancies "`` is the ``vacancies`` sheet). Two files or two sheets that
  name the same table are an input problem (``table_ambiguous``), never a
  choice. A hidden sheet that is the only one for its table is read, with a
  warning (``sheet_hidden``) in ``RawRound.warnings``.
- A folder where a table's file should be is a problem (``table_is_folder``).
- UTF-16 and UTF-32 files (Excel's "Unicode text") are named as such
  (``encoding_unsupported``), not decoded as cp1251.
- Header names are kept as written (stripped, lower case): a name twice stays
  twice for the validator to refuse (``column_twice``); pandas' renaming to
  ``name.1`` never happens.
- A column without a header name is dropped (no cell of it could be read):
  this covers the separator Excel and 1C leave at the end of every row, with
  or without one at the end of the header. A row with more
  cells than the header is accepted only when the extra cells are empty, and
  never shifts the other cells (``row_too_long`` otherwise).
- A quoted cell that is never closed is a problem (``quote_not_closed``), not
  a last cell that swallows the rest of the file.
- Rows keep their spreadsheet numbers: the header is row 1, blank lines count
  as rows (the frame's index is the row number minus 2).
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
import pandas as pd

from .messages import InputError, Problem
from .problem import Scenario
from .schema import TABLES

ENCODINGS = ("utf-8-sig", "cp1251")
SCENARIO_FILE = "scenario.toml"
EXTRA_FILES = ("settlements.csv", "roads.csv")
_END = "\uffffend-of-file\uffff"  # a last line no CSV holds: if it is swallowed, a quote was left open


class CsvUnreadable(InputError, pd.errors.ParserError):
    """A CSV file that cannot be read, with its problems.

    An :class:`InputError`, and a pandas ``ParserError`` too, so that callers
    that caught pandas' errors when this module was pandas' reader (the
    network command line) still catch it.
    """


@dataclass
class RawRound:
    """Text cells of each table as read, with the file each came from.

    ``workbook`` is the workbook's file name when the round is one workbook;
    ``warnings`` holds problems that do not stop a run (e.g. a hidden sheet).
    """

    source: Path
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    scenario: dict = field(default_factory=dict)
    scenario_file: str | None = None
    extra_files: dict[str, Path] = field(default_factory=dict)
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    workbook: str | None = None

    def where(self, table: str) -> str:
        """How problems name a table: its file, ``book.xlsx[sheet]``, or ``table.csv`` when missing."""
        if table in self.files:
            return self.files[table]
        return f"{self.workbook}[{table}]" if self.workbook else f"{table}.csv"


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


# ----------------------------------------------------------------------------- a round


def read_round(path: str | Path) -> RawRound:
    """Read a round folder or workbook; unreadable or ambiguous tables become problems."""
    path = Path(path)
    raw = RawRound(source=path)
    if not path.exists():
        raw.problems.append(Problem.of(str(path), None, None, "no_such_path"))
        return raw
    if path.is_file() and path.suffix.lower() in (".xlsx", ".xlsm"):
        raw.workbook = path.name
        _read_workbook(path, raw)
    elif path.is_dir():
        _read_folder(path, raw)
    else:
        raw.problems.append(
            Problem.of(str(path), None, None, "not_a_round")
        )
    return raw


def table_key(name: str) -> str:
    """A file or sheet name as compared with table names: ends stripped, lower case."""
    stem, dot, suffix = name.rpartition(".")
    return f"{stem.strip().lower()}.{suffix.strip().lower()}" if dot else name.strip().lower()


def _find_files(path: Path, raw: RawRound) -> dict[str, Path]:
    """The one entry of ``path`` for each known file name; two for one name is a problem."""
    wanted = {f"{t}.csv" for t in TABLES} | {SCENARIO_FILE, *EXTRA_FILES}
    found: dict[str, list[Path]] = {}
    for entry in sorted(path.iterdir()):
        key = table_key(entry.name)
        if key in wanted:
            found.setdefault(key, []).append(entry)
    chosen = {}
    for key, entries in found.items():
        if len(entries) > 1:
            raw.problems.append(Problem.of(entries[0].name, None, None, "table_ambiguous",
                                           names=", ".join(repr(e.name) for e in entries), table=key))
        elif entries[0].is_dir():
            raw.problems.append(Problem.of(entries[0].name, None, None, "table_is_folder"))
        else:
            chosen[key] = entries[0]
    return chosen


def _read_folder(path: Path, raw: RawRound) -> None:
    files = _find_files(path, raw)
    for table in TABLES:
        file = files.get(f"{table}.csv")
        if file is None:
            continue
        raw.files[table] = file.name
        try:
            frame, problems = read_csv_bytes(file.read_bytes(), file.name)
        except OSError as exc:
            frame, problems = None, [Problem.of(file.name, None, None, "csv_unreadable", error=exc)]
        raw.problems += problems
        if frame is not None:
            raw.tables[table] = frame
    scenario = files.get(SCENARIO_FILE)
    if scenario is not None:
        raw.scenario_file = scenario.name
        try:
            raw.scenario = tomllib.loads(decode(scenario.read_bytes()))
        except (tomllib.TOMLDecodeError, OSError) as exc:
            raw.problems.append(Problem.of(scenario.name, None, None, "toml_unreadable", error=exc))
    for extra in EXTRA_FILES:
        if extra in files:
            raw.extra_files[extra] = files[extra]


# ----------------------------------------------------------------------------- a workbook


def _read_workbook(path: Path, raw: RawRound) -> None:
    import openpyxl

    from .archive import check_workbook

    if unsafe := check_workbook(path):  # size, ratio, cells and damage, before openpyxl opens it
        raw.problems.extend(unsafe)
        return
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a broken file
        raw.problems.append(Problem.of(path.name, None, None, "workbook_unreadable", error=exc))
        return
    try:
        sheets = _table_sheets(book, path.name, raw)
        for table in TABLES:
            if table in sheets:
                where = f"{path.name}[{sheets[table].title}]"
                raw.files[table] = where
                frame, problems = frame_from_records(_sheet_rows(sheets[table]), where)
                raw.problems += problems
                if frame is not None:
                    raw.tables[table] = frame
        if "scenario" in sheets:
            raw.scenario_file = f"{path.name}[{sheets['scenario'].title}]"
            raw.scenario = scenario_from_rows(_sheet_rows(sheets["scenario"]))
    except Exception as exc:  # noqa: BLE001 - a damaged sheet fails while its rows are read
        raw.problems.append(Problem.of(path.name, None, None, "workbook_unreadable", error=exc))
    finally:
        book.close()


def _table_sheets(book, name: str, raw: RawRound) -> dict:
    """The one sheet for each table name (and ``scenario``); two for one name is a problem."""
    found: dict[str, list] = {}
    for sheet in book.worksheets:
        key = sheet.title.strip().lower()
        if key in TABLES or key == "scenario":
            found.setdefault(key, []).append(sheet)
    chosen = {}
    for key, sheets in found.items():
        if len(sheets) > 1:
            names = ", ".join(repr(s.title) + ("" if s.sheet_state == "visible" else f" ({s.sheet_state})")
                              for s in sheets)
            raw.problems.append(Problem.of(name, None, None, "table_ambiguous", names=names, table=key))
            continue
        sheet = sheets[0]
        if sheet.sheet_state != "visible":
            raw.warnings.append(Problem.of(name, None, None, "sheet_hidden", sheet=sheet.title, table=key))
        chosen[key] = sheet
    return chosen


def _sheet_rows(sheet) -> list[list[str]]:
    if hasattr(sheet, "reset_dimensions"):  # read-only sheets trust a stored size that may be wrong
        sheet.reset_dimensions()
    return [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def cell_text(value) -> str:
    """A workbook cell as the text a CSV of it would hold: 5.0 -> "5", TRUE -> "true", empty -> ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_OPTION_TYPES = {f.name: str(f.type).replace(" | None", "") for f in fields(Scenario)}  # "float", "bool", ...
TRUE_WORDS = {"true", "1", "yes", "y", "да", "д", "истина", "t"}
FALSE_WORDS = {"false", "0", "no", "n", "нет", "н", "ложь", "f"}


def scenario_from_rows(rows: list[list[str]]) -> dict:
    """Options from a two-column sheet of key, value (a first row that is no option is its header).

    Values are read as the option needs them: true/false options from Excel's
    TRUE/FALSE cells or words (да/нет, 1/0); number options from number cells
    or text such as "1,5"; anything else as a TOML value ('"highs"', "{a = 2}")
    or, failing that, as text. An empty value leaves the option unset.
    """
    out: dict = {}
    for pos, row in enumerate(rows):
        key = row[0].strip() if row else ""
        value = row[1].strip() if len(row) > 1 else ""
        if not key or (pos == 0 and key not in _OPTION_TYPES) or not value:
            continue
        out[key] = option_value(key, value)
    return out


def option_value(key: str, text: str):
    """One scenario option's value from a cell's text (see :func:`scenario_from_rows`)."""
    kind = _OPTION_TYPES.get(key, "")
    if kind == "bool" and text.lower() in TRUE_WORDS | FALSE_WORDS:
        return text.lower() in TRUE_WORDS
    if kind in ("float", "int"):
        number = parse_numbers(pd.Series([text])).iloc[0]
        if not pd.isna(number):
            return int(number) if float(number).is_integer() and abs(number) < 2**53 else float(number)
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


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

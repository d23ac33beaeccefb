"""Reading a round from disk: a folder of CSV files or one .xlsx workbook.

Accepts what Excel in a Russian locale saves: ';'-separated CSV, decimal
commas, UTF-8 with or without BOM, and cp1251 (the CSV reader itself is
:mod:`medstaff_core.csvread`, shared with the network package). Every cell is read as text;
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
  ``name.1`` never happens. The Russian headers of the template
  (:mod:`allocator.headers`, ``вес`` for ``weight``) are read as the schema's names.
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

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

import pandas as pd

from medstaff_core.csvread import (  # noqa: F401 - the reader's names, re-exported for callers of allocator.io
    ENCODINGS,
    CsvUnreadable,
    cell_text,
    csv_records,
    decode,
    frame_from_records,
    number_text,
    parse_numbers,
    read_csv_bytes,
    read_csv_text,
    read_typed_csv,
    sniff_separator,
    unsupported_encoding,
)

from .headers import aliases
from .messages import Problem
from .problem import Scenario
from .schema import TABLES

SCENARIO_FILE = "scenario.toml"
EXTRA_FILES = ("settlements.csv", "roads.csv")


@dataclass
class RawRound:
    """Text cells of each table as read, with the file each came from.

    ``workbook`` is the workbook's file name when the round is one workbook;
    ``warnings`` holds problems that do not stop a run (e.g. a hidden sheet);
    ``extra_tables`` holds typed settlements and roads given in memory
    (:func:`allocator.validate.round_from_frames`), kept on the Round as given.
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
    extra_tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    name: str | None = None  # the round's name; None: the source's stem

    def where(self, table: str) -> str:
        """How problems name a table: its file, ``book.xlsx[sheet]``, or ``table.csv`` when missing."""
        if table in self.files:
            return self.files[table]
        return f"{self.workbook}[{table}]" if self.workbook else f"{table}.csv"


# ----------------------------------------------------------------------------- a round


def read_round(path: str | Path, vacancy_basis: str | None = None) -> RawRound:
    """Read a round folder or workbook; unreadable or ambiguous tables become problems.

    ``vacancy_basis`` (default: the round's own ``vacancy_basis`` option, None = ``vacancies.csv``):
    a name X reads the vacancies from ``vacancies_X.csv`` of the folder instead (see
    :func:`pick_vacancy_basis`).
    """
    raw = read_tables(path, Layout(TABLES, "scenario", EXTRA_FILES, _OPTION_TYPES, aliases()))
    pick_vacancy_basis(raw, raw.scenario.get("vacancy_basis") if vacancy_basis is None else vacancy_basis)
    return raw


def pick_vacancy_basis(raw: RawRound, basis) -> None:
    """Replace the vacancies read from ``vacancies.csv`` by those of ``vacancies_<basis>.csv``.

    The file is found as tables are (case and spaces at the ends ignored); ``raw.files`` then names
    it, so every problem of the vacancies names the file that was read. A missing file is a problem
    naming it (``table_missing``); so is a basis on a workbook (folders only) or a name that is no
    plain word (a path).
    """
    if basis is None or not raw.source.exists():
        return
    name = f"vacancies_{basis}.csv"
    if not isinstance(basis, str) or not basis.strip() or any(c in basis for c in "/\\:") or basis != basis.strip():
        raw.problems.append(Problem.of(raw.scenario_file or "options", None, "vacancy_basis", "bad_option",
                                       error=f"vacancy_basis must be a plain name (vacancies_X.csv), got {basis!r}"))
        return
    raw.tables.pop("vacancies", None)
    if not raw.source.is_dir():
        raw.files["vacancies"] = f"{raw.workbook or raw.source.name}[vacancies]"
        raw.problems.append(Problem.of(raw.scenario_file or "options", None, "vacancy_basis", "bad_option",
                                       error=f"vacancy_basis reads {name} from a round folder; "
                                             f"{raw.source.name} is not a folder"))
        return
    found = [e for e in sorted(raw.source.iterdir()) if table_key(e.name) == name.lower()]
    raw.files["vacancies"] = found[0].name if len(found) == 1 else name
    if not found or found[0].is_dir():
        raw.problems.append(Problem.of(name, None, None, "table_missing"))
        return
    if len(found) > 1:
        raw.problems.append(Problem.of(found[0].name, None, None, "table_ambiguous",
                                       names=", ".join(repr(e.name) for e in found), table=name))
        return
    try:
        frame, problems = read_csv_bytes(found[0].read_bytes(), found[0].name)
    except OSError as exc:
        frame, problems = None, [Problem.of(found[0].name, None, None, "csv_unreadable", error=exc)]
    raw.problems += problems
    if frame is not None:
        names = aliases().get("vacancies", {})
        frame.columns = [names.get(c, c) for c in frame.columns]
        raw.tables["vacancies"] = frame


@dataclass(frozen=True)
class Layout:
    """What a folder or workbook of input holds: its ``tables`` (``<table>.csv`` or a sheet each),
    the options (``<options>.toml`` or an ``<options>`` sheet of key, value rows, read by
    ``option_types``: key -> "bool" | "int" | "float" | other) and extra files kept by path."""

    tables: tuple[str, ...]
    options: str
    extra_files: tuple[str, ...] = ()
    option_types: dict = field(default_factory=dict)
    header_aliases: dict = field(default_factory=dict)  # table -> header (lower case) -> column name


def read_tables(path: str | Path, layout: Layout) -> RawRound:
    """Read a folder or workbook of ``layout``'s tables; unreadable or ambiguous tables become problems."""
    path = Path(path)
    raw = RawRound(source=path)
    if not path.exists():
        raw.problems.append(Problem.of(str(path), None, None, "no_such_path"))
        return raw
    if path.is_file() and path.suffix.lower() in (".xlsx", ".xlsm"):
        raw.workbook = path.name
        _read_workbook(path, raw, layout)
    elif path.is_dir():
        _read_folder(path, raw, layout)
    else:
        raw.problems.append(
            Problem.of(str(path), None, None, "not_a_round")
        )
    for table, frame in raw.tables.items():  # headers given by an alias (the template's RU names)
        names = layout.header_aliases.get(table, {})
        frame.columns = [names.get(c, c) for c in frame.columns]
    return raw


def table_key(name: str) -> str:
    """A file or sheet name as compared with table names: ends stripped, lower case."""
    stem, dot, suffix = name.rpartition(".")
    return f"{stem.strip().lower()}.{suffix.strip().lower()}" if dot else name.strip().lower()


def _find_files(path: Path, raw: RawRound, layout: Layout) -> dict[str, Path]:
    """The one entry of ``path`` for each known file name; two for one name is a problem."""
    wanted = {f"{t}.csv" for t in layout.tables} | {f"{layout.options}.toml", *layout.extra_files}
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


def _read_folder(path: Path, raw: RawRound, layout: Layout) -> None:
    files = _find_files(path, raw, layout)
    for table in layout.tables:
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
    scenario = files.get(f"{layout.options}.toml")
    if scenario is not None:
        raw.scenario_file = scenario.name
        try:
            raw.scenario = tomllib.loads(decode(scenario.read_bytes()))
        except (tomllib.TOMLDecodeError, OSError) as exc:
            raw.problems.append(Problem.of(scenario.name, None, None, "toml_unreadable", error=exc))
    for extra in layout.extra_files:
        if extra in files:
            raw.extra_files[extra] = files[extra]


# ----------------------------------------------------------------------------- a workbook


def _read_workbook(path: Path, raw: RawRound, layout: Layout) -> None:
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
        sheets = _table_sheets(book, path.name, raw, layout)
        for table in layout.tables:
            if table in sheets:
                where = f"{path.name}[{sheets[table].title}]"
                raw.files[table] = where
                frame, problems = frame_from_records(_sheet_rows(sheets[table]), where)
                raw.problems += problems
                if frame is not None:
                    raw.tables[table] = frame
        if layout.options in sheets:
            raw.scenario_file = f"{path.name}[{sheets[layout.options].title}]"
            raw.scenario = options_from_rows(_sheet_rows(sheets[layout.options]), layout.option_types)
    except Exception as exc:  # noqa: BLE001 - a damaged sheet fails while its rows are read
        raw.problems.append(Problem.of(path.name, None, None, "workbook_unreadable", error=exc))
    finally:
        book.close()


def _table_sheets(book, name: str, raw: RawRound, layout: Layout) -> dict:
    """The one sheet for each table name (and the options'); two for one name is a problem."""
    found: dict[str, list] = {}
    for sheet in book.worksheets:
        key = sheet.title.strip().lower()
        if key in layout.tables or key == layout.options:
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


_OPTION_TYPES = {f.name: str(f.type).replace(" | None", "") for f in fields(Scenario)}  # "float", "bool", ...
TRUE_WORDS = {"true", "1", "yes", "y", "да", "д", "истина", "t"}
FALSE_WORDS = {"false", "0", "no", "n", "нет", "н", "ложь", "f"}


def scenario_from_rows(rows: list[list[str]]) -> dict:
    """A round's options from its ``scenario`` sheet (:func:`options_from_rows` of the Scenario's)."""
    return options_from_rows(rows, _OPTION_TYPES)


def options_from_rows(rows: list[list[str]], option_types: dict) -> dict:
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
        if not key or (pos == 0 and key not in option_types) or not value:
            continue
        out[key] = option_value(key, value, option_types)
    return out


def option_value(key: str, text: str, option_types: dict | None = None):
    """One option's value from a cell's text (see :func:`options_from_rows`); by default a scenario's."""
    kind = (_OPTION_TYPES if option_types is None else option_types).get(key, "")
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

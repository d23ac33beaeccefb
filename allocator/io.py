"""Reading a round from disk: a folder of CSV files or one .xlsx workbook.

Accepts what Excel in a Russian locale saves: ';'-separated CSV, decimal
commas, UTF-8 with or without BOM, and cp1251. Every cell is read as text;
typing and checking is the validator's job (:mod:`allocator.validate`).
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .messages import Problem
from .schema import TABLES

ENCODINGS = ("utf-8-sig", "cp1251")


@dataclass
class RawRound:
    """Text cells of each table as read, with the file each came from."""

    source: Path
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    scenario: dict = field(default_factory=dict)
    scenario_file: str | None = None
    extra_files: dict[str, Path] = field(default_factory=dict)
    problems: list = field(default_factory=list)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then cp1251 (Windows Cyrillic)."""
    for enc in ENCODINGS:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("cp1251", data, 0, 1, "not UTF-8 or cp1251")  # pragma: no cover


def sniff_separator(text: str) -> str:
    """';' when the header line has more semicolons than commas, else ','."""
    header = text.splitlines()[0] if text else ""
    counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
    sep = max(counts, key=counts.get)
    return sep if counts[sep] else ","


def read_csv_text(text: str) -> pd.DataFrame:
    sep = sniff_separator(text)
    frame = pd.read_csv(
        io.StringIO(text),
        sep=sep,
        dtype=str,
        keep_default_na=False,
        skipinitialspace=True,
        quoting=csv.QUOTE_MINIMAL,
    )
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame.apply(lambda s: s.str.strip())


def read_round(path: str | Path) -> RawRound:
    """Read a round folder or workbook; missing files become problems."""
    path = Path(path)
    raw = RawRound(source=path)
    if not path.exists():
        raw.problems.append(Problem.of(str(path), None, None, "no_such_path"))
        return raw
    if path.is_file() and path.suffix.lower() in (".xlsx", ".xlsm"):
        _read_workbook(path, raw)
    elif path.is_dir():
        _read_folder(path, raw)
    else:
        raw.problems.append(
            Problem.of(str(path), None, None, "not_a_round")
        )
    return raw


def _read_folder(path: Path, raw: RawRound) -> None:
    for table in TABLES:
        file = path / f"{table}.csv"
        if not file.exists():
            continue
        raw.files[table] = file.name
        try:
            raw.tables[table] = read_csv_text(decode(file.read_bytes()))
        except pd.errors.EmptyDataError:
            raw.problems.append(Problem.of(file.name, None, None, "file_empty"))
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raw.problems.append(Problem.of(file.name, None, None, "csv_unreadable", error=exc))
    scenario = path / "scenario.toml"
    if scenario.exists():
        raw.scenario_file = scenario.name
        try:
            raw.scenario = tomllib.loads(decode(scenario.read_bytes()))
        except tomllib.TOMLDecodeError as exc:
            raw.problems.append(Problem.of(scenario.name, None, None, "toml_unreadable", error=exc))
    for extra in ("settlements.csv", "roads.csv"):
        if (path / extra).exists():
            raw.extra_files[extra] = path / extra


def _read_workbook(path: Path, raw: RawRound) -> None:
    try:
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raw.problems.append(Problem.of(path.name, None, None, "workbook_unreadable", error=exc))
        return
    by_name = {name.strip().lower(): frame for name, frame in sheets.items()}
    for table in TABLES:
        if table in by_name:
            frame = by_name[table].copy()
            frame.columns = [str(c).strip().lower() for c in frame.columns]
            frame = frame.loc[:, [not c.startswith("unnamed:") for c in frame.columns]]
            raw.tables[table] = frame.apply(lambda s: s.astype(str).str.strip())
            raw.files[table] = f"{path.name}[{table}]"
    if "scenario" in by_name:
        # A two-column sheet: key, value.
        frame = by_name["scenario"]
        raw.scenario_file = f"{path.name}[scenario]"
        if frame.shape[1] >= 2:
            for key, value in zip(frame.iloc[:, 0], frame.iloc[:, 1]):
                if str(key).strip():
                    raw.scenario[str(key).strip()] = _toml_scalar(str(value).strip())


def _toml_scalar(text: str):
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_numbers(text: pd.Series) -> pd.Series:
    """Numbers as Excel writes them in any locale: "52,04", "1 000 000", "3.5"; else NaN."""
    cleaned = (
        text.str.replace("\u00a0", "", regex=False)
        .str.replace("\u202f", "", regex=False)
        .str.replace(" ", "", regex=False)
        .str.replace(",", ".", regex=False)
    )
    numbers = pd.to_numeric(cleaned.where(cleaned != ""), errors="coerce")
    return numbers.where(np.isfinite(numbers))  # "inf", "1e309": not numbers a planner meant


def read_typed_csv(path: str | Path) -> pd.DataFrame:
    """A CSV as Excel saves it, with every all-numeric column as numbers and empty cells as NA.

    For tables validated elsewhere (the network package's settlements and roads).
    """
    frame = read_csv_text(decode(Path(path).read_bytes()))
    for column in frame.columns:
        numbers = parse_numbers(frame[column])
        if numbers.notna().sum() == (frame[column] != "").sum():  # every filled cell is a number
            frame[column] = numbers
        else:
            frame[column] = frame[column].where(frame[column] != "")
    return frame

"""Validation at the boundary: raw text tables in, a typed :class:`Round` out.

Every problem is collected with its file, row and column before refusing, so
a planner fixes the whole file in one pass. Row numbers are as a spreadsheet
shows them: the header is row 1, the first data row is row 2.

Besides the schema's types and bounds (``schema.csv``), every cell is checked
for control characters (C0, DEL and C1: none in a schema column; tab, line
feed and carriage return allowed in extra columns such as notes) and for its
length (at most :data:`MAX_CELL_CHARS`); such values are shown escaped
(``repr``), never raw. Problems that do not stop a run (a hidden sheet,
implausible coordinates) become ``Round.warnings``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from .io import RawRound, number_text, parse_numbers, read_round, read_typed_csv
from .messages import InputError, Problem
from .plausibility import coordinate_warnings
from .problem import PREFERENCE_COLUMNS, Round, Scenario
from .scaling import MONEY_DIGITS, significant_digits
from .scenario import (
    apply_scenario,
    attach_indicator_weights,
    check_scale,
    check_scenario,
    scenario_from_mapping,
    shown_name,
)
from .schema import OPTIONAL_TABLES, TABLES, Column, alias_rows, aliases, columns, word_key

TRUE = {"true", "1", "yes", "y", "да", "д", "истина", "t"}
FALSE = {"false", "0", "no", "n", "нет", "н", "ложь", "f"}

#: Longest text a cell may hold, in characters (names and ids are far shorter;
#: a longer cell is a pasted document or a broken quote, not a value).
MAX_CELL_CHARS = 1000
#: Control characters: C0, DEL and C1. Schema columns may hold none of them;
#: extra columns (notes) may hold tab, line feed and carriage return.
CONTROL = r"[\x00-\x1f\x7f-\x9f]"
CONTROL_IN_NOTES = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"


def load_round(path: str | Path, scenario: Scenario | None = None, **overrides) -> Round:
    """Read and validate a round folder or workbook; raise :class:`InputError`."""
    basis = overrides.get("vacancy_basis") or (scenario.vacancy_basis if scenario is not None else None)
    raw = read_round(path, vacancy_basis=basis)  # None: the round's own option picks the vacancies file
    return validate(raw, scenario=scenario, **overrides)


def validate(raw: RawRound, scenario: Scenario | None = None, **overrides) -> Round:
    """The typed Round of what was read, or :class:`InputError` listing every problem found.

    The Round's ``warnings`` hold the reader's warnings (hidden sheets) and the
    plausibility warnings of :mod:`allocator.plausibility`.
    """
    problems = list(raw.problems)
    typed: dict[str, pd.DataFrame] = {}
    for table in TABLES:
        file = raw.where(table)
        if table not in raw.tables:
            if table not in OPTIONAL_TABLES and not raw.problems:
                problems.append(Problem.of(raw.workbook, None, None, "sheet_missing", sheet=table)
                                if raw.workbook else Problem.of(file, None, None, "table_missing"))
            typed[table] = _empty(table)
            continue
        frame, found = type_table(table, raw.tables[table], file)
        problems += found
        if frame.empty and table not in OPTIONAL_TABLES:
            problems.append(Problem.of(file, None, None, "table_empty"))
        typed[table] = frame
    whole = not any(p.code in ("table_missing", "sheet_missing", "column_missing", "table_empty")
                    for p in problems)
    dropped: list[Problem] = []
    if whole:  # cross-table checks need every table whole
        basis = overrides.get("vacancy_basis") or (scenario.vacancy_basis if scenario is not None
                                                   else raw.scenario.get("vacancy_basis"))
        problems += _check_keys(typed, raw.files, dropped if basis else None)
    base, found = scenario_from_mapping(raw.scenario, raw.scenario_file or "scenario.toml")
    problems += found
    if scenario is not None:
        base = scenario
    base = base.replace(**overrides)
    problems += check_scenario(base, raw.scenario_file or "options")

    problems += check_scale(typed["vacancies"], base, raw.scenario_file or "options")
    settlements, roads = raw.extra_tables.get("settlements"), raw.extra_tables.get("roads")
    if base.distances == "road" and (settlements is None or roads is None):
        settlements, roads = None, None
        if not {"settlements.csv", "roads.csv"} <= set(raw.extra_files):
            problems.append(
                Problem.of(str(raw.source), None, None, "road_files_missing")
            )
        else:
            try:
                settlements = read_typed_csv(raw.extra_files["settlements.csv"])
                roads = read_typed_csv(raw.extra_files["roads.csv"])
            except InputError as exc:
                problems += exc.problems
    if problems:
        raise InputError(problems)
    warnings = list(raw.warnings) + dropped + coordinate_warnings(typed["regions"], typed["facilities"],
                                                                  raw.where("facilities"))
    typed = {name: frame.reset_index(drop=True) for name, frame in typed.items()}
    indicators = attach_indicator_weights(typed["regions"], raw.source)
    round_ = Round(
        regions=typed["regions"],
        facilities=typed["facilities"],
        vacancies=typed["vacancies"],
        graduates=typed["graduates"],
        programmes=typed["programmes"],
        preferences=typed["preferences"][[*PREFERENCE_COLUMNS, *_extra(typed["preferences"])]],
        instalments=typed["instalments"],
        name=raw.name or Path(raw.source).stem,
        settlements=settlements,
        roads=roads,
        warnings=tuple(warnings),
        indicators=indicators,
    )
    return apply_scenario(round_, base)


# --------------------------------------------------------------------------- typing


def _empty(table: str) -> pd.DataFrame:
    return pd.DataFrame({c.name: pd.Series(dtype=_pandas_dtype(c)) for c in columns(table)})


def _pandas_dtype(col: Column) -> str:
    return {"int": "Int64", "float": "float64", "money": "float64", "bool": "bool",
            "list": "object"}.get(col.dtype, "object")


def type_table(table: str, frame: pd.DataFrame, file: str,
               cols: tuple[Column, ...] | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Typed copy of one table of text cells and its problems; the index stays the file's (row =
    index + 2). ``cols``: the table's columns (default: the round's ``schema.csv``; another package's
    schema, e.g. a forecast plan's, gives its own)."""
    own = cols is None  # the round's own tables: Russian words become codes (schema_aliases.csv)
    cols = columns(table) if cols is None else cols
    problems: list[Problem] = []
    twice = frame.columns.duplicated()
    for name in dict.fromkeys(frame.columns[twice]):
        problems.append(Problem.of(file, 1, shown_name(name), "column_twice"))
    frame = frame.loc[:, ~twice]
    frame = frame.loc[~(frame == "").all(axis=1)]  # separator-only lines Excel leaves at the end
    rows = frame.index.to_numpy() + 2
    problems += _check_cells(cols, frame, rows, file)
    data: dict[str, pd.Series] = {}
    for col in cols:
        if col.name in frame.columns:
            data[col.name], found = _convert(col, frame[col.name], rows, file,
                                             aliases(table, col.name) if own else {}, own)
            problems += found
        else:
            if col.required:
                problems.append(Problem.of(file, None, col.name, "column_missing"))
            data[col.name] = _convert(col, pd.Series("", index=frame.index), rows, file, None, own)[0]
    known = set(data)
    for c in frame.columns:  # extra columns (e.g. notes) are kept for the user, never read
        if c and c not in known:
            data[c] = frame[c]
    out = pd.DataFrame(data, index=frame.index)
    key = cols[0]
    if key.dtype == "id":
        dup = out[key.name].duplicated(keep="first") & out[key.name].notna()
        for idx in out.index[dup]:
            problems.append(Problem.of(file, int(idx) + 2, key.name, "duplicate_id", value=out.at[idx, key.name]))
    return out, problems


def _check_cells(cols: tuple[Column, ...], frame: pd.DataFrame, rows: np.ndarray, file: str) -> list[Problem]:
    """Control characters and over-long cells in any column (see the module docstring)."""
    problems: list[Problem] = []
    schema = {c.name for c in cols}
    for name in frame.columns:
        label = shown_name(name)  # a header may hold control characters too: shown escaped
        if re.search(CONTROL, name):
            problems.append(Problem.of(file, 1, label, "control_character",
                                       char=_first_control(name, CONTROL), value=_shown(name)))
        text = frame[name].fillna("").astype(str)
        pattern = CONTROL if name in schema else CONTROL_IN_NOTES
        for pos in np.flatnonzero(text.str.contains(pattern, regex=True).to_numpy()):
            value = text.iloc[pos]
            problems.append(Problem.of(file, int(rows[pos]), label, "control_character",
                                       char=_first_control(value, pattern), value=_shown(value)))
        for pos in np.flatnonzero((text.str.len() > MAX_CELL_CHARS).to_numpy()):
            problems.append(Problem.of(file, int(rows[pos]), label, "cell_too_long",
                                       length=len(text.iloc[pos]), limit=MAX_CELL_CHARS))
    return problems


def _first_control(value: str, pattern: str) -> str:
    return f"U+{ord(re.search(pattern, value).group()):04X}"


def _shown(value: str, limit: int = 60) -> str:
    """A value cut for a message (its repr escapes what cannot be shown)."""
    return value if len(value) <= limit else value[:limit] + "…"


def _convert(col: Column, text: pd.Series, rows: np.ndarray, file: str, words: dict[str, str] | None = None,
             defaults: bool = False):
    """Typed values of one column and its problems; ``words``: typed word (:func:`word_key`) -> code.
    With ``defaults`` (the round's own tables) an empty cell of a column with a schema default
    holds that default (``ownership`` state, ``funding`` paid)."""
    text = text.fillna("").astype(str).str.strip()
    if defaults and col.default and not col.required:
        text = text.where(text != "", col.default)
    empty = text == ""
    if words:  # a Russian word (or a code in other case) is the code
        text = text.map(lambda v: words.get(word_key(v), v))
    problems: list[Problem] = []

    def bad(mask, code, **params):
        hit = mask.to_numpy(dtype=bool)
        if not hit.any():  # the usual case: no problem, no indexing
            return
        for r, v in zip(rows[hit], text[hit]):
            problems.append(Problem.of(file, int(r), col.name, code, value=v, **params))

    if not col.nullable:  # schema.csv required = yes or cells: every cell filled
        bad(empty, "required")
    kind = "id" if col.dtype.startswith("ref:") else col.dtype
    if kind in ("id", "str"):
        values = text.where(~empty, None).astype(object)
    elif kind in ("int", "float", "money"):
        values = parse_numbers(text)
        bad(values.isna() & ~empty, "not_a_number")
        ok = values.notna()
        if kind == "money":  # kept exactly through its float only up to MONEY_DIGITS (allocator.scaling)
            long = ok & number_text(text).map(lambda t: (significant_digits(t) or 0) > MONEY_DIGITS)
            bad(long, "money_inexact", digits=MONEY_DIGITS)
            values = values.where(~long)
            ok = values.notna()
        if kind == "int":
            frac = ok & (values != values.round())
            bad(frac, "not_whole")
            values = values.where(~frac)
        if col.minimum is not None and col.minimum_exclusive:
            below = ok & (values <= col.minimum)
            bad(below, "not_above", minimum=f"{col.minimum:g}")
            values = values.where(~below)
        elif col.minimum is not None:
            below = ok & (values < col.minimum)
            bad(below, "below_minimum", minimum=f"{col.minimum:g}")
            values = values.where(~below)
        if col.maximum is not None:
            above = ok & (values > col.maximum)
            bad(above, "above_maximum", maximum=f"{col.maximum:g}")
            values = values.where(~above)
        if kind == "int":  # a whole number beyond int64 must not wrap around
            huge = values.notna() & (values.abs() >= 2.0**63)
            bad(huge, "above_maximum", maximum=f"{2.0**63:g}")
            values = values.where(~huge)
        values = values.round().astype("Int64") if kind == "int" else values.astype(float)
    elif kind == "bool":
        low = text.str.lower()
        bad(~empty & ~low.isin(TRUE | FALSE), "not_boolean")
        values = low.isin(TRUE)
    elif kind == "list":
        values = text.map(lambda v: tuple(sorted({p.strip() for p in v.split(";") if p.strip()})))
    else:  # pragma: no cover - schema error
        raise ValueError(f"unknown dtype {col.dtype}")
    if col.allowed and kind == "list":  # each item of a list is one of the allowed values
        outside = ~empty & values.map(lambda items: any(v not in col.allowed for v in items)).astype(bool)
        bad(outside, "not_allowed", allowed=", ".join(col.allowed))
    elif col.allowed:
        outside = ~empty & ~text.isin(col.allowed)
        bad(outside, "not_allowed", allowed=", ".join(_with_word(col, v) if words else v for v in col.allowed))
    return pd.Series(values.to_numpy(), index=text.index), problems


def _with_word(col: Column, value: str) -> str:
    """An allowed value as a message lists it: with its first Russian alias, when it has one."""
    alias = next((words[0] for t, c, v, words in alias_rows() if (t, c, v) == (col.table, col.name, value) and words),
                 None)
    return f"{value} ({alias})" if alias else value


def _check_keys(typed: dict[str, pd.DataFrame], files: dict[str, str],
                dropped: list[Problem] | None = None) -> list[Problem]:
    """Cross-table problems. With ``dropped`` (another vacancy basis than the folder's own, for which
    the lists were not written), a listed facility without a vacancy of the graduate's specialty
    is not a problem: its row is dropped and the warning added to ``dropped``."""
    problems: list[Problem] = []
    for table, frame in typed.items():
        file = files.get(table, f"{table}.csv")
        for col in columns(table):
            ref = col.reference
            if ref is None or col.name not in frame:
                continue
            known = set(typed[ref[0]][ref[1]].dropna())
            values = frame[col.name]
            missing = values.notna() & ~values.isin(known)
            for idx in frame.index[missing]:
                problems.append(
                    Problem.of(file, int(idx) + 2, col.name, "unknown_reference",
                               value=values[idx], key=ref[1], table=ref[0])
                )
    grads = typed["graduates"]
    need = (grads["funding"] == "targeted") & grads["sponsor_region_id"].isna()
    for idx in grads.index[need]:
        problems.append(Problem.of(files.get("graduates", "graduates.csv"), int(idx) + 2,
                                   "sponsor_region_id", "sponsor_required"))
    half = grads["lat"].isna() != grads["lon"].isna()
    for idx in grads.index[half]:
        problems.append(Problem.of(files.get("graduates", "graduates.csv"), int(idx) + 2,
                                   "lat" if pd.isna(grads.at[idx, "lat"]) else "lon", "half_coordinates"))
    vac = typed["vacancies"]
    dup = vac.duplicated(["facility_id", "specialty"], keep="first") & vac["facility_id"].notna()
    for idx in vac.index[dup]:
        problems.append(Problem.of(files.get("vacancies", "vacancies.csv"), int(idx) + 2, "specialty",
                                   "specialty_twice", facility=vac.at[idx, "facility_id"],
                                   specialty=vac.at[idx, "specialty"]))
    problems += _check_partners(grads, files.get("graduates", "graduates.csv"))
    found = _check_preferences(typed, files.get("preferences", "preferences.csv"))
    if dropped is not None:
        lost = [p for p in found if p.code == "preference_no_vacancy"]
        found = [p for p in found if p.code != "preference_no_vacancy"]
        typed["preferences"] = typed["preferences"].drop(index=[p.row - 2 for p in lost])
        dropped += lost
    problems += found
    problems += _check_instalments(typed["instalments"], files.get("instalments", "instalments.csv"))
    if not problems:
        _fill_home(typed)
        grads["status"] = grads["status"].fillna("available")
        for col in ("status_reason", "partner_id"):  # text, None when empty (an all-empty column too)
            grads[col] = grads[col].astype(object).where(grads[col].notna(), None)
    return problems


def _check_partners(grads: pd.DataFrame, file: str) -> list[Problem]:
    """A partner is another graduate who names this one back (unknown ids are refused before)."""
    problems: list[Problem] = []
    partner = grads["partner_id"]
    named = partner.notna()
    back = dict(zip(grads["graduate_id"], partner))
    for idx in grads.index[named]:
        me, other = grads.at[idx, "graduate_id"], partner[idx]
        if other == me:
            problems.append(Problem.of(file, int(idx) + 2, "partner_id", "partner_self", value=other))
        elif other in back and back[other] != me:
            problems.append(Problem.of(file, int(idx) + 2, "partner_id", "partner_not_mutual", value=other))
    return problems


def _check_preferences(typed: dict[str, pd.DataFrame], file: str) -> list[Problem]:
    """Each graduate's list: no rank twice, no facility twice, a vacancy (> 0) of the graduate's
    specialty at every listed facility (unknown ids are refused before, by the references)."""
    prefs = typed["preferences"]
    if prefs.empty:
        return []
    problems: list[Problem] = []
    whole = prefs["graduate_id"].notna()
    for column, code in (("rank", "rank_twice"), ("facility_id", "preference_twice")):
        twice = prefs.duplicated(["graduate_id", column], keep="first") & whole & prefs[column].notna()
        for idx in prefs.index[twice]:
            problems.append(Problem.of(file, int(idx) + 2, column, code, value=prefs.at[idx, column],
                                       graduate=prefs.at[idx, "graduate_id"]))
    specialty = prefs["graduate_id"].map(typed["graduates"].drop_duplicates("graduate_id")
                                         .set_index("graduate_id")["specialty"])
    vac = typed["vacancies"]
    live = vac["vacancies"].fillna(1) > 0  # a count refused already (empty here) is not said again
    offered = set(zip(vac.loc[live, "facility_id"], vac.loc[live, "specialty"]))
    known = whole & specialty.notna() & prefs["facility_id"].isin(set(typed["facilities"]["facility_id"]))
    has = pd.Series([pair in offered for pair in zip(prefs["facility_id"], specialty)], index=prefs.index,
                    dtype=bool)
    for idx in prefs.index[known & ~has]:
        problems.append(Problem.of(file, int(idx) + 2, "facility_id", "preference_no_vacancy",
                                   value=prefs.at[idx, "facility_id"], specialty=specialty[idx]))
    return problems


def _check_instalments(inst: pd.DataFrame, file: str) -> list[Problem]:
    """At most one row per programme and year."""
    if inst.empty:
        return []
    twice = inst.duplicated(["programme_id", "year"], keep="first") & inst["programme_id"].notna()
    return [Problem.of(file, int(idx) + 2, "year", "instalment_twice", value=inst.at[idx, "year"],
                       programme=inst.at[idx, "programme_id"]) for idx in inst.index[twice]]


def _extra(frame: pd.DataFrame) -> list[str]:
    """A table's columns beyond the preferences schema (notes), kept as given."""
    return [c for c in frame.columns if c not in PREFERENCE_COLUMNS]


def _fill_home(typed: dict[str, pd.DataFrame]) -> None:
    """A graduate without home coordinates lives at the home region's centre."""
    grads, regions = typed["graduates"], typed["regions"]
    centre = regions.set_index("region_id")[["lat", "lon"]]
    for axis in ("lat", "lon"):
        grads[axis] = grads[axis].astype(float).fillna(grads["home_region_id"].map(centre[axis]))


def round_from_frames(regions: pd.DataFrame, facilities: pd.DataFrame, vacancies: pd.DataFrame,
                      graduates: pd.DataFrame, programmes: pd.DataFrame | None = None,
                      scenario: Scenario | None = None, *, settlements: pd.DataFrame | None = None,
                      roads: pd.DataFrame | None = None, name: str = "frames",
                      preferences: pd.DataFrame | None = None, instalments: pd.DataFrame | None = None,
                      **overrides) -> Round:
    """Validate in-memory tables exactly as files are validated (the Python API).

    ``settlements`` and ``roads`` (typed, as a validated Round holds them) are
    kept on the Round as given; ``distances = "road"`` needs both. ``name``
    names the round (a folder's round is named after the folder). ``preferences``
    (graduate_id, rank, facility_id) is checked as ``preferences.csv`` is, ``instalments`` as
    ``instalments.csv``.
    """
    raw = RawRound(source=Path("frames"), name=name)
    given = {"regions": regions, "facilities": facilities, "vacancies": vacancies,
             "graduates": graduates, "programmes": programmes, "preferences": preferences,
             "instalments": instalments}
    for table, frame in given.items():
        if frame is None:
            continue
        frame = frame.apply(lambda col: col.map(lambda v: ";".join(v) if isinstance(v, tuple) else v))  # list cells
        text = frame.astype(object).where(frame.notna(), "").astype(str)
        text.columns = [str(c).strip().lower() for c in text.columns]
        raw.tables[table] = text.reset_index(drop=True)
        raw.files[table] = table
    if settlements is not None and roads is not None:
        raw.extra_tables = {"settlements": settlements, "roads": roads}
    return validate(raw, scenario=scenario, **overrides)

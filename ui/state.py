"""Rounds in the UI: loading, editable views and turning edits back into a Round.

No Streamlit here: these functions take and return plain objects so tests can
call them directly. The pages keep their results in ``st.session_state``.

Edits never bypass validation: :func:`build_round` sends the edited tables
through :func:`allocator.round_from_frames`, which checks them exactly as files
are checked and raises :class:`allocator.InputError` listing every problem.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from allocator import (
    InputError,
    Problem,
    Round,
    Scenario,
    load_round,
    round_from_frames,
)
from allocator.archive import MB, Limits, extract_zip
from allocator.schema import TABLES, columns
from allocator.store import tables

REPO_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_DIR = REPO_ROOT / "data" / "penza"

# Columns of the editable views; the first list of each is read-only.
EDITABLE = {
    "regions": ["weight"],
    "vacancies": ["facility_id", "specialty", "vacancies"],
    "programmes": ["payment", "quota", "budget"],
    "graduates": ["max_km"],
}


@dataclass
class LoadedRound:
    """A validated round, where it came from, and what the pages read beside it.

    Everything a page needs is read when the round is loaded: an upload's
    files are deleted before :func:`load_upload` returns, so ``folder`` is
    only set for a folder that stays on disk (the bundled round).
    """

    round: Round
    label: str
    folder: Path | None  # a folder that stays on disk; None for an upload or a workbook
    indicators: pd.DataFrame | None = None
    network_tables: tuple[pd.DataFrame, pd.DataFrame] | None = None  # settlements.csv, roads.csv as read

    @functools.cached_property
    def round_hash(self) -> str:
        """The round's identity before any edit and without its options
        (:func:`allocator.store.tables.round_hash`): the runs of one round share it, the app's
        and the command line's alike, edited or not."""
        return tables.round_hash(self.round)


@dataclass
class RunRecord:
    """One solved scenario kept in the session."""

    name: str
    round: Round
    solution: object  # allocator.Solution
    log_text: str
    options: dict
    edited_weights: dict = field(default_factory=dict)
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    downloads: dict = field(default_factory=dict, repr=False)  # (kind, lang) -> bytes, built once
    store_id: int | None = None  # its run id in the run store (ui/stored.py), when kept there
    round_hash: str | None = None  # the loaded round it was made from (LoadedRound.round_hash)

    def __post_init__(self) -> None:
        if self.round_hash is None:  # made without its loaded round: the round's own (right when unedited)
            self.round_hash = tables.round_hash(self.round)

    def download(self, kind: str, lang: str, build) -> bytes:
        """The ``kind`` export in ``lang``, built by ``build()`` on first use and kept for the record."""
        if (kind, lang) not in self.downloads:
            self.downloads[(kind, lang)] = build()
        return self.downloads[(kind, lang)]


# ----------------------------------------------------------------------------- loading


def load_folder(folder: Path, label: str) -> LoadedRound:
    """Load and validate a round folder; raises InputError."""
    return _loaded(folder, label, keep_folder=True)


def _loaded(folder: Path, label: str, keep_folder: bool) -> LoadedRound:
    """The round of ``folder`` with its indicators and network tables, all read now."""
    round_ = load_round(folder)
    return LoadedRound(round_, label, folder if keep_folder else None,
                       region_indicators(folder, round_.regions["region_id"], round_.indicators),
                       network_tables(folder))


def load_upload(name: str, data: bytes, workdir: Path | None = None, limits: Limits | None = None) -> LoadedRound:
    """Load an uploaded ZIP of CSV files or an .xlsx workbook; raises InputError.

    Guarantees: the upload is refused above ``limits`` (default
    :meth:`allocator.archive.Limits.from_env`) before it is unpacked, and a
    damaged, encrypted or unsafe member is a listed problem. It is unpacked
    into a fresh temporary folder (under ``workdir`` if given), everything
    needed later is read from there, and the folder is deleted before this
    returns or raises. A ZIP holding more than one round (two folders of
    round tables, two workbooks, or a workbook and CSV files) is refused.
    """
    with unpacked_upload(name, data, workdir, limits, "zip_expected") as (kind, path):
        if kind == "workbook":
            return LoadedRound(load_round(path), name, None)
        source = _round_folder(path, name)
        if source.is_file():
            return LoadedRound(load_round(source), name, None)
        return _loaded(source, name, keep_folder=False)


@contextlib.contextmanager
def unpacked_upload(name: str, data: bytes, workdir: Path | None = None, limits: Limits | None = None,
                    expected: str = "zip_expected"):
    """An upload on disk for as long as the ``with`` lasts: ``("workbook", path)`` for an .xlsx,
    ``("folder", path)`` for a ZIP unpacked there; raises InputError (``expected``: the code when
    the file is neither). Refused above ``limits`` before it is unpacked; unpacked by
    :func:`allocator.archive.extract_zip` into a fresh temporary folder (under ``workdir`` if
    given), deleted when the ``with`` ends. Shared by rounds and forecast plans."""
    limits = limits or Limits.from_env()
    if len(data) > limits.upload_bytes:
        raise InputError([Problem.of(name, None, None, "upload_too_large", size=f"{len(data) / MB:.1f}",
                                     limit=f"{limits.upload_mb:g}")])
    lower = name.lower()
    if not lower.endswith((".zip", ".xlsx", ".xlsm")):
        raise InputError([Problem.of(name, None, None, expected)])
    with tempfile.TemporaryDirectory(prefix="medstaff-upload-", dir=workdir) as tmp:
        tmp = Path(tmp)
        if lower.endswith((".xlsx", ".xlsm")):
            path = tmp / base_name(name)
            try:
                path.write_bytes(data)
            except OSError as exc:  # a full disk: say so, without the temporary path
                raise InputError([Problem.of(name, None, None, "zip_unpack_failed",
                                             error=exc.strerror or type(exc).__name__)]) from exc
            yield "workbook", path
            return
        target = tmp / "upload"
        target.mkdir()
        extract_zip(name, io.BytesIO(data), target, limits)
        yield "folder", target


def base_name(name: str) -> str:
    """The file name of an upload without any folder a browser sent with it."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base if base not in ("", ".", "..") else "upload.xlsx"


def _round_folder(root: Path, label: str) -> Path:
    """The one folder under ``root`` holding round tables, or the one workbook; raises InputError.

    More than one candidate (folders with round tables, workbooks; Excel's
    ``~$`` lock files do not count) is ambiguous and refused, naming each.
    """
    names = {f"{t}.csv" for t in TABLES}
    folders = sorted({p.parent for p in root.rglob("*.csv") if p.name.lower() in names})
    books = sorted(p for p in root.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm")
                   and not p.name.startswith("~$") and p.is_file())
    found = folders + books
    if not found:
        raise InputError([Problem.of(label, None, None, "zip_without_round")])
    if len(found) > 1:
        shown = ", ".join((p.relative_to(root).as_posix() or ".") + ("/" if p.is_dir() else "") for p in found)
        raise InputError([Problem.of(label, None, None, "zip_several_rounds", found=shown)])
    return found[0]


def network_tables(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The round's settlements.csv and roads.csv (for the network page), if it has both."""
    files = [Path(folder) / "settlements.csv", Path(folder) / "roads.csv"]
    if not all(f.is_file() for f in files):
        return None
    try:
        return pd.read_csv(files[0]), pd.read_csv(files[1])
    except (ValueError, OSError, UnicodeDecodeError):  # the network page then offers the synthetic one
        return None


def region_indicators(folder: Path | None, region_ids, computed: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Provision, staffing rate, KOMK and group per region, if the folder has staffing data.

    ``computed`` is the table validation already made (``Round.indicators``, when
    some weight came from it): it is used as it is, so indicators are computed
    once per load.
    """
    if computed is not None:
        table = computed
    elif folder is None:
        return None
    else:
        from allocator.indicators.for_round import indicator_table_for_round
        from allocator.indicators.table import expand_formations

        try:
            table = indicator_table_for_round(Path(folder))
        except (FileNotFoundError, ValueError, KeyError):
            return None
        table = expand_formations(table, list(region_ids))
    keep = {
        "region_id": "region_id",
        "doctors_all_provision": "provision",
        "doctors_all_staffing_pct": "staffing",
        "midlevel_all_provision": "provision_mid",
        "midlevel_all_staffing_pct": "staffing_mid",
        "komk": "komk",
        "group": "group",
    }
    present = [c for c in keep if c in table.columns]
    return table[present].rename(columns=keep).reset_index(drop=True)


def problems_frame(problems, lang: str) -> pd.DataFrame:
    """Validation problems as a table with translated headers."""
    from .i18n import t

    rows = [{"file": p.file, "row": p.row, "column": p.column or "", "message": p.text(lang)} for p in problems]
    frame = pd.DataFrame(rows, columns=["file", "row", "column", "message"])
    frame["row"] = frame["row"].astype("Int64")
    return frame.rename(columns={c: t(f"col_{c}", lang) for c in frame.columns})


# ------------------------------------------------------------------------ editable views


def editable_views(loaded: LoadedRound) -> dict[str, pd.DataFrame]:
    """The tables a planner edits, with read-only context columns beside the editable ones."""
    r = loaded.round
    regions = r.regions[["region_id", "name", "population"]].copy()
    if loaded.indicators is not None:
        regions = regions.merge(loaded.indicators, on="region_id", how="left")
    regions.insert(2, "weight", r.regions["weight"].astype(float).to_numpy())  # editable first
    regions.insert(3, "weight_basis", r.regions["weight_basis"].astype(str).to_numpy())

    fac = r.facilities.set_index("facility_id")
    vacancies = r.vacancies[["facility_id", "specialty", "vacancies"]].copy()
    vacancies["vacancies"] = vacancies["vacancies"].astype("Int64")
    vacancies.insert(1, "facility", vacancies["facility_id"].map(fac["name"]))
    vacancies.insert(2, "region_id", vacancies["facility_id"].map(fac["region_id"]))

    programmes = r.programmes[["programme_id", "name", "payment", "quota", "budget", "specialties",
                               "region_id", "max_settlement_population"]].copy()
    programmes["specialties"] = programmes["specialties"].map(_join_list)

    graduates = r.graduates[["graduate_id", "specialty", "funding", "home_region_id", "sponsor_region_id"]].copy()
    given = r.graduates["max_km_given"] if "max_km_given" in r.graduates else r.graduates["max_km"]
    graduates["max_km"] = given.astype(float).to_numpy()
    return {"regions": regions, "vacancies": vacancies.reset_index(drop=True),
            "programmes": programmes, "graduates": graduates}


def _join_list(value) -> str:
    if isinstance(value, (tuple, list)):
        return ";".join(str(v) for v in value)
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def editable_part(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The editable columns of view ``name`` as they are compared: weights as numbers, missing as None."""
    out = frame[[c for c in EDITABLE[name] if c in frame.columns]].reset_index(drop=True)
    if name == "regions":
        out = out.apply(pd.to_numeric, errors="coerce")
    return out.astype(object).where(out.notna(), None)


def differing_tables(views: dict[str, pd.DataFrame], before: dict[str, pd.DataFrame]) -> list[str]:
    """Names of the views whose editable columns differ from ``before``'s (views, or a snapshot of
    their :func:`editable_part`)."""
    return [name for name, frame in views.items()
            if name not in before or not editable_part(name, frame).equals(editable_part(name, before[name]))]


def changed_tables(loaded: LoadedRound, views: dict[str, pd.DataFrame]) -> list[str]:
    """Names of the views that differ from the loaded round."""
    return differing_tables(views, editable_views(loaded))


def scenario_from_options(base: Scenario, options: dict, weights: dict | None = None) -> Scenario:
    """A Scenario from the run page's options; ``max_km=None`` means no limit. Every other option
    (year, currency, service years, vacancy basis) is the loaded round's; the mechanism is assign."""
    return dataclasses.replace(
        base,
        max_km=options.get("max_km"),
        solver=options.get("solver", base.solver),
        time_limit=options.get("time_limit", base.time_limit),
        diminishing_returns=bool(options.get("diminishing_returns", base.diminishing_returns)),
        weights=MappingProxyType(dict(weights or {})),
        mechanism="assign",
    )


def weight_overrides(loaded: LoadedRound, regions_view: pd.DataFrame) -> dict[str, float]:
    """Regions whose weight the planner changed (region_id -> new weight)."""
    base = loaded.round.regions.set_index("region_id")["weight"].astype(float)
    new = regions_view.set_index("region_id")["weight"]
    new = pd.to_numeric(new, errors="coerce")
    changed = new.notna() & ((new - base.reindex(new.index)).abs() > 1e-12)
    return {str(k): float(v) for k, v in new[changed].items()}


def build_round(loaded: LoadedRound, views: dict[str, pd.DataFrame], options: dict) -> Round:
    """The round to solve: the loaded one with the planner's edits and options.

    Changed weights become scenario weight overrides (so the summary records
    them, and only those regions' basis becomes "scenario"). Edited
    vacancies, programmes or distances are validated again, with every other
    table as loaded, by :func:`allocator.round_from_frames`; raises
    :class:`InputError`. Only the edited tables are taken from that check:
    every untouched table is the loaded round's own frame (same columns,
    extra columns such as ``notes`` included, same stored content and hash),
    and each weight keeps its basis (KOMK group, regions.csv, default 1).
    """
    base = loaded.round
    regions_view = views["regions"]
    bad_weight = pd.to_numeric(regions_view["weight"], errors="coerce").isna()
    if bad_weight.any():
        raise InputError([Problem.of("regions", int(i) + 2, "weight", "required")
                          for i in regions_view.index[bad_weight]])
    weights = weight_overrides(loaded, regions_view)
    scenario = scenario_from_options(base.scenario, options, weights)
    changed = [n for n in changed_tables(loaded, views) if n != "regions"]
    if not changed:
        return base.with_scenario(scenario)
    checked = round_from_frames(*_frames_to_check(base, views, changed), scenario=scenario,
                                settlements=base.settlements, roads=base.roads, name=base.name)
    edited = {name: getattr(checked, name) for name in changed}
    return dataclasses.replace(base, **edited).with_scenario(scenario)


def _frames_to_check(base: Round, views: dict[str, pd.DataFrame], changed: list[str]) -> list[pd.DataFrame]:
    """The five tables as files would hold them (given values, extra columns kept), the edited
    ones from the views: regions, facilities, vacancies, graduates, programmes."""
    regions = base.regions[_given_columns(base.regions, "regions")].copy()
    if "weight_given" in base.regions:
        regions["weight"] = base.regions["weight_given"]  # an empty weight stays empty: same default
    facilities = base.facilities[_given_columns(base.facilities, "facilities")].copy()
    vacancies = base.vacancies[_given_columns(base.vacancies, "vacancies")].copy()
    if "vacancies" in changed:
        vacancies = _with_extras(views["vacancies"][EDITABLE["vacancies"]], vacancies)
    graduates = base.graduates[_given_columns(base.graduates, "graduates")].copy()
    if "max_km_given" in base.graduates:
        graduates["max_km"] = base.graduates["max_km_given"]
    if "graduates" in changed:
        graduates["max_km"] = pd.to_numeric(views["graduates"]["max_km"], errors="coerce").to_numpy()
    programmes = base.programmes[_given_columns(base.programmes, "programmes")].copy()
    programmes["specialties"] = programmes["specialties"].map(_join_list)
    if "programmes" in changed:
        for col in EDITABLE["programmes"]:
            programmes[col] = views["programmes"][col].to_numpy()
    return [regions, facilities, vacancies, graduates, programmes]


# Columns a validated round adds to its tables (allocator.scenario.apply_scenario, indicators).
_DERIVED = {"weight_given", "weight_basis", "indicator_weight", "indicator_basis", "max_km_given"}


def _given_columns(frame: pd.DataFrame, table: str) -> list[str]:
    """The schema's columns and the file's extra ones (notes...), without the derived columns."""
    schema = [c.name for c in columns(table)]
    return schema + [c for c in frame.columns if c not in schema and c not in _DERIVED]


def _with_extras(edited: pd.DataFrame, loaded: pd.DataFrame) -> pd.DataFrame:
    """Edited vacancy rows with the loaded rows' extra columns (by facility and specialty)."""
    key = ["facility_id", "specialty"]
    extra = [c for c in loaded.columns if c not in EDITABLE["vacancies"]]
    if not extra:
        return edited.reset_index(drop=True)
    kept = loaded[key + extra].drop_duplicates(key)
    return edited.reset_index(drop=True).merge(kept, on=key, how="left")[list(loaded.columns)]


def options_of(round_: Round) -> dict:
    """The run-page options of ``round_``'s scenario: solver, time_limit, max_km, diminishing_returns."""
    s = round_.scenario
    return {"solver": s.solver, "time_limit": s.time_limit, "max_km": s.max_km,
            "diminishing_returns": s.diminishing_returns}

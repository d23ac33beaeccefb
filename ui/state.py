"""Rounds in the UI: loading, editable views and turning edits back into a Round.

No Streamlit here: these functions take and return plain objects so tests can
call them directly. The pages keep their results in ``st.session_state``.

Edits never bypass validation: :func:`build_round` sends the edited tables
through :func:`allocator.round_from_frames`, which checks them exactly as files
are checked and raises :class:`allocator.InputError` listing every problem.
"""

from __future__ import annotations

import dataclasses
import io
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from allocator import InputError, Problem, Round, Scenario, load_round, round_from_frames
from allocator.schema import TABLES, columns

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
    """A validated round and where it came from."""

    round: Round
    label: str
    folder: Path | None  # a folder on disk (for indicators), None for a workbook
    indicators: pd.DataFrame | None = None


@dataclass
class RunRecord:
    """One solved scenario kept in the session."""

    name: str
    round: Round
    solution: object  # allocator.Solution
    log_text: str
    options: dict
    edited_weights: dict = field(default_factory=dict)
    created: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    downloads: dict = field(default_factory=dict, repr=False)  # (kind, lang) -> bytes, built once
    store_id: int | None = None  # its run id in the run store (ui/stored.py), when kept there

    def download(self, kind: str, lang: str, build) -> bytes:
        if (kind, lang) not in self.downloads:
            self.downloads[(kind, lang)] = build()
        return self.downloads[(kind, lang)]


# ----------------------------------------------------------------------------- loading


def load_folder(folder: Path, label: str) -> LoadedRound:
    """Load and validate a round folder; raises InputError."""
    round_ = load_round(folder)
    return LoadedRound(round_, label, folder, region_indicators(folder, round_.regions["region_id"]))


def load_upload(name: str, data: bytes, workdir: Path | None = None) -> LoadedRound:
    """Load an uploaded ZIP of CSV files or an .xlsx workbook; raises InputError.

    The upload is unpacked into a fresh temporary folder (kept: indicators
    read it later). Members of a ZIP that would land outside it are refused.
    """
    workdir = Path(workdir or tempfile.mkdtemp(prefix="medstaff-upload-"))
    lower = name.lower()
    if lower.endswith((".xlsx", ".xlsm")):
        path = workdir / Path(name).name
        path.write_bytes(data)
        round_ = load_round(path)
        return LoadedRound(round_, name, None, None)
    if not lower.endswith(".zip"):
        raise InputError([Problem.of(name, None, None, "zip_expected")])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise InputError([Problem.of(name, None, None, "zip_unreadable", error=exc)]) from exc
    target = workdir / "round"
    target.mkdir(parents=True, exist_ok=True)
    with archive:
        for member in archive.infolist():
            dest = (target / member.filename).resolve()
            if member.is_dir() or not dest.is_relative_to(target.resolve()) or "__MACOSX" in member.filename:
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(archive.read(member))
    folder = _round_folder(target)
    if folder is None:
        books = sorted(target.rglob("*.xlsx"))
        if books:
            return LoadedRound(load_round(books[0]), name, None, None)
        raise InputError([Problem.of(name, None, None, "zip_without_round")])
    round_ = load_round(folder)
    return LoadedRound(round_, name, folder, region_indicators(folder, round_.regions["region_id"]))


def _round_folder(root: Path) -> Path | None:
    """The shallowest folder under ``root`` holding a round table."""
    names = {f"{t}.csv" for t in TABLES}
    found = [p.parent for p in root.rglob("*.csv") if p.name.lower() in names]
    return min(found, key=lambda p: len(p.parts)) if found else None


def region_indicators(folder: Path | None, region_ids) -> pd.DataFrame | None:
    """Provision, staffing rate, KOMK and group per region, if the folder has staffing data."""
    if folder is None:
        return None
    from allocator.indicators.cli import indicator_table_for_round
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


def changed_tables(loaded: LoadedRound, views: dict[str, pd.DataFrame]) -> list[str]:
    """Names of the views that differ from the loaded round."""
    base = editable_views(loaded)
    out = []
    for name, frame in views.items():
        cols = EDITABLE[name]
        a = base[name][cols].reset_index(drop=True)
        b = frame[cols].reset_index(drop=True)
        if name == "regions":
            a, b = a.astype(float), b.astype(float)
        if not _same(a, b):
            out.append(name)
    return out


def _same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    if a.shape != b.shape:
        return False
    return bool(a.astype(object).where(a.notna(), None).equals(b.astype(object).where(b.notna(), None)))


def scenario_from_options(base: Scenario, options: dict, weights: dict | None = None) -> Scenario:
    """A Scenario from the run page's options; ``max_km=None`` means no limit."""
    return Scenario(
        max_km=options.get("max_km"),
        solver=options.get("solver", base.solver),
        time_limit=options.get("time_limit", base.time_limit),
        diminishing_returns=bool(options.get("diminishing_returns", base.diminishing_returns)),
        distances=base.distances,
        weights=MappingProxyType(dict(weights or {})),
        threads=base.threads,
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
    them). Edited vacancies, programmes or distances are validated again by
    :func:`allocator.round_from_frames`; raises :class:`InputError`.
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

    regions = base.regions[[c.name for c in columns("regions")]].copy()
    regions["weight"] = base.regions["weight"].astype(float)  # the loaded defaults carry over
    graduates = base.graduates[[c.name for c in columns("graduates")]].copy()
    graduates["max_km"] = pd.to_numeric(views["graduates"]["max_km"], errors="coerce").to_numpy()
    programmes = base.programmes[[c.name for c in columns("programmes")]].copy()
    programmes["specialties"] = programmes["specialties"].map(_join_list)
    for col in EDITABLE["programmes"]:
        programmes[col] = views["programmes"][col].to_numpy()
    vacancies = views["vacancies"][EDITABLE["vacancies"]].copy()
    facilities = base.facilities[[c.name for c in columns("facilities")]].copy()
    plain = scenario if scenario.distances == "geodesic" else dataclasses.replace(scenario, distances="geodesic")
    new = round_from_frames(regions, facilities, vacancies, graduates, programmes, scenario=plain)
    # Road distances need the settlements and roads of the loaded folder; the
    # frames route cannot read them, so they are carried over here.
    return dataclasses.replace(new, name=base.name, settlements=base.settlements, roads=base.roads,
                               scenario=scenario)


def options_of(round_: Round) -> dict:
    s = round_.scenario
    return {"solver": s.solver, "time_limit": s.time_limit, "max_km": s.max_km,
            "diminishing_returns": s.diminishing_returns}

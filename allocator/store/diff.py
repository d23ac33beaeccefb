"""What changed between two stored runs: options, inputs, per-region deficits, graduates' posts."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .db import Store
from .query import get_run, load_frames

UNPLACED = None  # a graduate's "post" when not placed


@dataclass
class RunDiff:
    """What differs between stored runs ``a`` and ``b``: options, input hashes and figures as
    (a, b) pairs, and the regions' deficits and graduates' posts that changed."""
    a: int
    b: int
    options: dict[str, tuple]          # option -> (value in a, value in b), only those that differ
    inputs: dict[str, tuple]           # input table -> (sha256 in a, sha256 in b), only those that differ
    figures: dict[str, tuple]          # status, objective levels... -> (a, b), only those that differ
    deficits: pd.DataFrame             # region_id, remaining_a, remaining_b, change, weighted_a, weighted_b
    posts: pd.DataFrame                # graduate_id, facility_a, facility_b, programme_a, programme_b

    @property
    def identical_results(self) -> bool:
        """True when no region's deficit and no graduate's post differ (options or inputs may)."""
        return self.deficits.empty and self.posts.empty


FIGURES = ("status", "solver", "obligated_placed", "weighted_deficit", "total_km", "placed_total",
           "graduates_total", "input_hash")


def diff_runs(store: Store, a: int, b: int) -> RunDiff:
    """Compare stored runs ``a`` and ``b`` (StoreError when either does not exist)."""
    ra, rb = get_run(store, a), get_run(store, b)
    options = _dict_diff(ra["options"] or {}, rb["options"] or {})
    inputs = _dict_diff({k: v["sha256"] for k, v in ra["inputs"].items()},
                        {k: v["sha256"] for k, v in rb["inputs"].items()})
    figures = {k: (ra[k], rb[k]) for k in FIGURES if ra[k] != rb[k]}
    fa, fb = load_frames(store, a), load_frames(store, b)
    return RunDiff(a=a, b=b, options=options, inputs=inputs, figures=figures,
                   deficits=deficit_changes(fa["deficits"], fb["deficits"]),
                   posts=post_changes(fa["assignments"], fb["assignments"]))


def _dict_diff(x: dict, y: dict) -> dict[str, tuple]:
    return {k: (x.get(k), y.get(k)) for k in sorted(set(x) | set(y)) if x.get(k) != y.get(k)}


def deficit_changes(da: pd.DataFrame, db: pd.DataFrame) -> pd.DataFrame:
    """Per region: remaining vacancies and weighted remaining deficit in each run, where they differ."""
    def per_region(d):
        """Remaining vacancies and weighted remaining deficit summed per region_id."""
        d = d.assign(weighted=d["remaining"] * d["weight"])
        return d.groupby("region_id")[["remaining", "weighted"]].sum()

    merged = per_region(da).add_suffix("_a").join(per_region(db).add_suffix("_b"), how="outer").fillna(0)
    merged["change"] = merged["remaining_b"] - merged["remaining_a"]
    changed = (merged["change"] != 0) | ((merged["weighted_b"] - merged["weighted_a"]).abs() > 1e-9)
    out = merged.loc[changed].reset_index()
    out["remaining_a"] = out["remaining_a"].astype(int)
    out["remaining_b"] = out["remaining_b"].astype(int)
    out["change"] = out["change"].astype(int)
    return out[["region_id", "remaining_a", "remaining_b", "change", "weighted_a", "weighted_b"]]


def post_changes(aa: pd.DataFrame, ab: pd.DataFrame) -> pd.DataFrame:
    """Graduates placed differently (another facility or programme, or placed in one run only)."""
    cols = ["graduate_id", "facility_id", "programme_id"]
    merged = aa[cols].merge(ab[cols], on="graduate_id", how="outer", suffixes=("_a", "_b"))
    merged = merged.astype(object).where(merged.notna(), None)
    key = merged.fillna("\0")  # None == None here, unlike in pandas comparisons
    changed = (key["facility_id_a"] != key["facility_id_b"]) | (key["programme_id_a"] != key["programme_id_b"])
    out = merged.loc[changed].sort_values("graduate_id").reset_index(drop=True)
    return out.rename(columns={"facility_id_a": "facility_a", "facility_id_b": "facility_b",
                               "programme_id_a": "programme_a", "programme_id_b": "programme_b"})

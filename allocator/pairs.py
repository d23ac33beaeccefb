"""The long table of allowed (graduate, vacancy[, programme]) pairs.

Every rule that forbids a placement is applied here, as a filter over one
table, before any model is built:

1. specialty: a graduate only meets vacancies of their own specialty;
2. sponsor: a targeted graduate only meets vacancies in the sponsor region;
3. distance: km from home to post <= the graduate's max_km (else the
   scenario's default; NaN = unlimited); an unreachable post is never allowed;
4. funding: a paid graduate at a rural facility needs a support-programme
   place, so such a pair is repeated once per programme whose filters
   (specialties, region, max settlement population) match; a facility with
   unknown settlement population matches no programme that limits it.

The survivors of each stage are counted per graduate, which is how
:mod:`allocator.diagnose` explains an unplaced graduate without re-running
anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .distances import pair_distances
from .problem import Round

OBLIGATED = ("grant", "targeted")
STAGES = ("specialty", "sponsor", "distance", "funding")


@dataclass(frozen=True)
class Pairs:
    table: pd.DataFrame   # one row per allowed (graduate, facility, specialty, programme)
    stages: pd.DataFrame  # graduate_id -> rows surviving each stage (columns STAGES)


def allowed_pairs(round_: Round) -> Pairs:
    fac = round_.facilities[["facility_id", "region_id", "lat", "lon", "rural", "settlement_population"]]
    slots = round_.vacancies.loc[round_.vacancies["vacancies"] > 0, ["facility_id", "specialty"]]
    slots = slots.merge(fac.rename(columns={"lat": "fac_lat", "lon": "fac_lon"}), on="facility_id")
    grads = round_.graduates[
        ["graduate_id", "specialty", "funding", "lat", "lon", "sponsor_region_id", "max_km"]
    ].rename(columns={"lat": "home_lat", "lon": "home_lon"})

    pairs = grads.merge(slots, on="specialty", how="inner")
    counts = {"specialty": pairs["graduate_id"].value_counts()}

    sponsor_ok = (pairs["funding"] != "targeted") | (pairs["region_id"] == pairs["sponsor_region_id"])
    pairs = pairs.loc[sponsor_ok].reset_index(drop=True)
    counts["sponsor"] = pairs["graduate_id"].value_counts()

    pairs["km"] = pair_distances(pairs, round_) if len(pairs) else np.array([], dtype=float)
    near = pairs["km"].notna() & (pairs["max_km"].isna() | (pairs["km"] <= pairs["max_km"]))
    pairs = pairs.loc[near].reset_index(drop=True)
    counts["distance"] = pairs["graduate_id"].value_counts()

    needs_place = (pairs["funding"] == "paid") & pairs["rural"].astype(bool)
    free = pairs.loc[~needs_place].assign(programme_id=None, payment=0.0)
    funded = _fund(pairs.loc[needs_place], round_.programmes)
    table = pd.concat([free, funded], ignore_index=True)
    counts["funding"] = table["graduate_id"].value_counts()

    weight = round_.regions.set_index("region_id")["weight"]
    table["weight"] = table["region_id"].map(weight).astype(float)
    table["obligated"] = table["funding"].isin(OBLIGATED)
    table = table.sort_values(["graduate_id", "facility_id", "specialty", "programme_id"],
                              na_position="first", kind="mergesort").reset_index(drop=True)
    columns = ["graduate_id", "funding", "obligated", "specialty", "facility_id", "region_id",
               "rural", "km", "programme_id", "payment", "weight"]
    stages = pd.DataFrame({s: counts[s] for s in STAGES}).reindex(round_.graduates["graduate_id"])
    return Pairs(table=table[columns], stages=stages.fillna(0).astype(int))


def _fund(pairs: pd.DataFrame, programmes: pd.DataFrame) -> pd.DataFrame:
    """Repeat each pair once per programme whose filters match it."""
    if pairs.empty or programmes.empty:
        return pairs.iloc[0:0].assign(programme_id=None, payment=0.0)
    progs = programmes[["programme_id", "payment", "specialties", "region_id", "max_settlement_population"]]
    progs = progs.rename(columns={"region_id": "prog_region_id"})
    any_specialty = progs[progs["specialties"].map(len) == 0].drop(columns="specialties")
    listed = progs.explode("specialties").dropna(subset=["specialties"])
    listed = listed.rename(columns={"specialties": "specialty"})
    matched = pd.concat(
        [pairs.merge(any_specialty, how="cross"), pairs.merge(listed, on="specialty", how="inner")],
        ignore_index=True,
    )
    region_ok = matched["prog_region_id"].isna() | (matched["prog_region_id"] == matched["region_id"])
    limit = matched["max_settlement_population"]
    size = matched["settlement_population"]
    size_ok = limit.isna() | (size.notna() & (size <= limit)).fillna(False).astype(bool)
    return matched.loc[region_ok & size_ok].drop(
        columns=["prog_region_id", "max_settlement_population"]
    ).reset_index(drop=True)


def deficit_cells(round_: Round) -> pd.DataFrame:
    """Vacancies per region and specialty with the region's weight (the N_rs, w_r of the model)."""
    vac = round_.vacancies.merge(round_.facilities[["facility_id", "region_id"]], on="facility_id")
    cells = vac.groupby(["region_id", "specialty"], as_index=False, sort=True)["vacancies"].sum()
    cells["vacancies"] = cells["vacancies"].astype(int)
    weight = round_.regions.set_index("region_id")["weight"]
    cells["weight"] = cells["region_id"].map(weight).astype(float)
    return cells

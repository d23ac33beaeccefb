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

from .distances import home_facility_km
from .problem import Round

OBLIGATED = ("grant", "targeted")
STAGES = ("specialty", "sponsor", "distance", "funding")


@dataclass(frozen=True)
class Pairs:
    table: pd.DataFrame   # one row per allowed (graduate, facility, specialty, programme)
    stages: pd.DataFrame  # graduate_id -> rows surviving each stage (columns STAGES)


def allowed_pairs(round_: Round) -> Pairs:
    fac = round_.facilities.reset_index(drop=True)
    grads = round_.graduates.reset_index(drop=True)
    vac = round_.vacancies.loc[round_.vacancies["vacancies"] > 0, ["facility_id", "specialty"]]
    slots = vac.assign(facility=pd.Index(fac["facility_id"]).get_indexer(vac["facility_id"]))
    slots["region_id"] = fac["region_id"].to_numpy()[slots["facility"].to_numpy()]

    # identical graduates (same specialty, funding, home, sponsor, max_km) share their pairs
    grads["sponsor_key"] = grads["sponsor_region_id"].fillna("")
    group_of, groups = _factorize_rows(grads, GROUP_KEY)
    home_of, homes = _factorize_rows(groups, ["lat", "lon"])
    groups["home"] = home_of
    homes = homes.rename(columns={"lat": "home_lat", "lon": "home_lon"})
    unlimited = groups.groupby("home")["max_km"].apply(lambda s: s.isna().any())
    homes["reach_km"] = groups.groupby("home")["max_km"].max().where(~unlimited, np.nan).to_numpy()

    hf = home_facility_km(homes, fac, round_)
    gp = groups[["home", "specialty", "funding", "sponsor_key", "max_km"]].reset_index(names="group")
    gp = gp.merge(hf, on="home").merge(slots[["facility", "specialty", "region_id"]],
                                       on=["facility", "specialty"])
    sponsor_ok = (gp["funding"] != "targeted") | (gp["region_id"] == gp["sponsor_key"])
    near = gp["max_km"].isna() | (gp["km"] <= gp["max_km"])
    gp = gp.loc[sponsor_ok & near].reset_index(drop=True)
    gp["rural"] = fac["rural"].to_numpy(dtype=bool)[gp["facility"].to_numpy()]
    gp["settlement_population"] = fac["settlement_population"].to_numpy()[gp["facility"].to_numpy()]
    gp["facility_id"] = fac["facility_id"].to_numpy()[gp["facility"].to_numpy()]

    needs_place = (gp["funding"] == "paid") & gp["rural"]
    free = gp.loc[~needs_place].assign(programme_id=None, payment=0.0)
    funded = _fund(gp.loc[needs_place], round_.programmes)
    gtable = pd.concat([free, funded], ignore_index=True)

    stages = _stage_counts(grads, group_of, groups, slots, gp, gtable)

    # graduate-level table: every member of a group gets the group's pairs
    members = pd.DataFrame({"graduate": np.arange(len(grads)), "group": group_of})
    table = members.merge(gtable.drop(columns=["funding", "specialty"]), on="group")
    grad_rank = grads["graduate_id"].rank(method="first").to_numpy()
    fac_rank = fac["facility_id"].rank(method="first").to_numpy()
    prog_rank = pd.Series(pd.Index(sorted(round_.programmes["programme_id"]))
                          .get_indexer(table["programme_id"].fillna("")))
    order = np.lexsort((prog_rank.to_numpy(), fac_rank[table["facility"].to_numpy()],
                        grad_rank[table["graduate"].to_numpy()]))
    table = table.iloc[order].reset_index(drop=True)
    g = table["graduate"].to_numpy()
    weight = round_.regions.set_index("region_id")["weight"]
    out = pd.DataFrame({
        "graduate_id": grads["graduate_id"].to_numpy()[g],
        "funding": grads["funding"].to_numpy()[g],
        "obligated": grads["funding"].isin(OBLIGATED).to_numpy()[g],
        "specialty": grads["specialty"].to_numpy()[g],
        "facility_id": table["facility_id"].to_numpy(),
        "region_id": table["region_id"].to_numpy(),
        "rural": table["rural"].to_numpy(dtype=bool),
        "km": table["km"].to_numpy(dtype=float),
        "programme_id": table["programme_id"].astype(object).where(table["programme_id"].notna(), None)
                                                .to_numpy(dtype=object),
        "payment": table["payment"].to_numpy(dtype=float),
        "weight": table["region_id"].map(weight).to_numpy(dtype=float),
        "group": table["group"].to_numpy(),
    })
    return Pairs(table=out, stages=stages)


GROUP_KEY = ["specialty", "funding", "lat", "lon", "sponsor_key", "max_km"]


def _factorize_rows(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Code of each row's combination of ``columns`` (NaN equal to NaN) and the distinct rows."""
    codes, uniques = pd.MultiIndex.from_frame(frame[columns]).factorize()
    distinct = uniques.to_frame(index=False)
    distinct.columns = columns
    return codes, distinct


def _stage_counts(grads, group_of, groups, slots, gp, gtable) -> pd.DataFrame:
    """Pairs each graduate keeps after each filter stage (for the unplaced reasons)."""
    per_spec = slots.groupby("specialty").size()
    per_spec_region = slots.groupby(["specialty", "region_id"]).size()
    spec = groups["specialty"].map(per_spec).fillna(0).to_numpy()
    sponsor_idx = pd.MultiIndex.from_arrays([groups["specialty"], groups["sponsor_key"]])
    in_sponsor = per_spec_region.reindex(sponsor_idx).fillna(0).to_numpy()
    sponsor = np.where(groups["funding"].to_numpy() == "targeted", in_sponsor, spec)
    n = len(groups)
    distance = np.bincount(gp["group"].to_numpy(), minlength=n)
    funding = np.bincount(gtable["group"].to_numpy(), minlength=n)
    per_group = np.column_stack([spec, sponsor, distance, funding]).astype(int)
    return pd.DataFrame(per_group[group_of], columns=list(STAGES),
                        index=pd.Index(grads["graduate_id"].to_numpy(), name="graduate_id"))


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

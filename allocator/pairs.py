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
from functools import cached_property

import numpy as np
import pandas as pd

from .distances import home_facility_km
from .problem import Round

OBLIGATED = ("grant", "targeted")
STAGES = ("specialty", "sponsor", "distance", "funding")


@dataclass(frozen=True)
class Pairs:
    """Allowed pairs, once per group of identical graduates.

    arcs:    one row per allowed (group, facility, specialty, programme), sorted by
             group, facility, programme (no programme first); columns ARC_COLUMNS
    groups:  one row per group (code 0..G-1): specialty, funding, obligated, size
    members: graduate_id, group; sorted by graduate_id
    stages:  graduate_id -> pairs surviving each filter stage (columns STAGES)
    """

    arcs: pd.DataFrame
    groups: pd.DataFrame
    members: pd.DataFrame
    stages: pd.DataFrame

    @property
    def n_pairs(self) -> int:
        """Graduate-level pairs: every member of a group has the group's arcs."""
        return int(self.groups["size"].to_numpy()[self.arcs["group"].to_numpy()].sum())

    @cached_property
    def table(self) -> pd.DataFrame:
        """One row per allowed (graduate, facility, specialty, programme), sorted; TABLE_COLUMNS."""
        counts = np.bincount(self.arcs["group"].to_numpy(), minlength=len(self.groups))
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        m_group = self.members["group"].to_numpy()
        n = counts[m_group]
        member = np.repeat(np.arange(len(self.members)), n)
        row = _ragged(starts[m_group], n)
        arcs = self.arcs.iloc[row].reset_index(drop=True)
        grads = self.members["graduate_id"].to_numpy()[member]
        out = pd.DataFrame({"graduate_id": grads})
        out["funding"] = self.groups["funding"].to_numpy()[arcs["group"].to_numpy()]
        out["obligated"] = self.groups["obligated"].to_numpy()[arcs["group"].to_numpy()]
        for col in ARC_COLUMNS:
            out[col] = arcs[col].to_numpy()
        return out[TABLE_COLUMNS]


ARC_COLUMNS = ["group", "specialty", "facility_id", "region_id", "rural", "km", "programme_id",
               "payment", "weight"]
TABLE_COLUMNS = ["graduate_id", "funding", "obligated", "specialty", "facility_id", "region_id",
                 "rural", "km", "programme_id", "payment", "weight", "group"]
GROUP_KEY = ["specialty", "funding", "lat", "lon", "sponsor_key", "max_km"]


def _ragged(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s, s + c) for each (s, c), vectorised."""
    total = int(counts.sum())
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + (np.arange(total) - offsets)


def allowed_pairs(round_: Round) -> Pairs:
    fac = round_.facilities.reset_index(drop=True)
    grads = round_.graduates.reset_index(drop=True)
    order = np.argsort(grads["graduate_id"].to_numpy(), kind="stable")
    grads = grads.iloc[order].reset_index(drop=True)
    vac = round_.vacancies.loc[round_.vacancies["vacancies"] > 0, ["facility_id", "specialty"]]
    spec_codes, specs = pd.factorize(pd.concat([vac["specialty"], grads["specialty"]], ignore_index=True))
    n_spec = max(1, len(specs))
    slot_fac = pd.Index(fac["facility_id"]).get_indexer(vac["facility_id"])
    slot_key = np.unique(slot_fac.astype(np.int64) * n_spec + spec_codes[: len(vac)])

    # identical graduates (same specialty, funding, home, sponsor, max_km) share their pairs
    grads["sponsor_key"] = grads["sponsor_region_id"].fillna("")
    group_of, groups = _factorize_rows(grads, GROUP_KEY)
    home_of, homes = _factorize_rows(groups, ["lat", "lon"])
    homes = homes.rename(columns={"lat": "home_lat", "lon": "home_lon"})
    max_km = groups["max_km"]
    unlimited = max_km.isna().groupby(home_of).any().to_numpy()
    homes["reach_km"] = np.where(unlimited, np.nan, max_km.groupby(home_of).max().to_numpy())

    # each group meets the facilities within its home's reach that have its specialty
    first_member = pd.Series(group_of).drop_duplicates().index.to_numpy()  # codes follow first appearance
    g_spec = spec_codes[len(vac):][first_member]
    home_spec = np.unique(home_of.astype(np.int64) * n_spec + g_spec)  # specialties living at each home

    def wanted(h: np.ndarray, f: np.ndarray) -> np.ndarray:
        """Some specialty of someone at home h has a vacancy at facility f."""
        starts = np.searchsorted(home_spec, h.astype(np.int64) * n_spec)
        ends = np.searchsorted(home_spec, (h.astype(np.int64) + 1) * n_spec)
        counts = ends - starts
        rows = np.repeat(np.arange(len(h)), counts)
        specs = home_spec[_ragged(starts, counts)] % n_spec
        hit = np.isin(f[rows].astype(np.int64) * n_spec + specs, slot_key)
        return np.bincount(rows[hit], minlength=len(h)) > 0

    hf = home_facility_km(homes, fac, round_, wanted).sort_values(["home", "facility"], kind="stable")
    per_home = np.bincount(hf["home"].to_numpy(), minlength=len(homes))
    home_start = np.concatenate([[0], np.cumsum(per_home)[:-1]])
    n = per_home[home_of]
    g = np.repeat(np.arange(len(groups)), n)
    h = _ragged(home_start[home_of], n)
    f = hf["facility"].to_numpy()[h]
    has_slot = np.isin(f.astype(np.int64) * n_spec + g_spec[g], slot_key)
    g, f, km = g[has_slot], f[has_slot], hf["km"].to_numpy()[h][has_slot]
    region = fac["region_id"].to_numpy()[f]
    funding = groups["funding"].to_numpy()
    sponsor_ok = (funding[g] != "targeted") | (region == groups["sponsor_key"].to_numpy()[g])
    limit = max_km.to_numpy(dtype=float)[g]
    near = np.isnan(limit) | (km <= limit)
    keep = sponsor_ok & near
    gp = pd.DataFrame({"group": g[keep], "facility": f[keep], "km": km[keep], "region_id": region[keep]})
    gp["specialty"] = groups["specialty"].to_numpy()[gp["group"].to_numpy()]
    gp["funding"] = funding[gp["group"].to_numpy()]
    gp["rural"] = fac["rural"].to_numpy(dtype=bool)[gp["facility"].to_numpy()]
    gp["settlement_population"] = fac["settlement_population"].to_numpy()[gp["facility"].to_numpy()]
    gp["facility_id"] = fac["facility_id"].to_numpy()[gp["facility"].to_numpy()]

    needs_place = (gp["funding"] == "paid") & gp["rural"]
    free = gp.loc[~needs_place].assign(programme_id=None, payment=0.0)
    funded = _fund(gp.loc[needs_place], round_.programmes)
    arcs = pd.concat([free, funded], ignore_index=True)
    fac_rank = fac["facility_id"].rank(method="first").to_numpy()
    prog_rank = pd.Index(sorted(round_.programmes["programme_id"])).get_indexer(arcs["programme_id"].fillna(""))
    arcs = arcs.iloc[np.lexsort((prog_rank, fac_rank[arcs["facility"].to_numpy()],
                                 arcs["group"].to_numpy()))].reset_index(drop=True)
    arcs["programme_id"] = arcs["programme_id"].astype(object).where(arcs["programme_id"].notna(), None)
    weight = round_.regions.set_index("region_id")["weight"]
    arcs["weight"] = arcs["region_id"].map(weight).to_numpy(dtype=float)

    slots = vac.assign(region_id=fac["region_id"].to_numpy()[slot_fac])
    stages = _stage_counts(grads, group_of, groups, slots, gp, arcs)
    group_frame = pd.DataFrame({
        "specialty": groups["specialty"].to_numpy(),
        "funding": funding,
        "obligated": np.isin(funding, OBLIGATED),
        "size": np.bincount(group_of, minlength=len(groups)),
    })
    members = pd.DataFrame({"graduate_id": grads["graduate_id"].to_numpy(), "group": group_of})
    return Pairs(arcs=arcs[ARC_COLUMNS], groups=group_frame, members=members, stages=stages)


def _factorize_rows(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Code of each row's combination of ``columns`` (NaN equal to NaN), in order of first
    appearance, and the distinct rows."""
    codes, uniques = pd.MultiIndex.from_frame(frame[columns]).factorize()
    distinct = uniques.to_frame(index=False)
    distinct.columns = columns
    return codes, distinct


def _stage_counts(grads, group_of, groups, slots, gp, arcs) -> pd.DataFrame:
    """Pairs each graduate keeps after each filter stage (for the unplaced reasons)."""
    per_spec = slots.groupby("specialty").size()
    per_spec_region = slots.groupby(["specialty", "region_id"]).size()
    spec = groups["specialty"].map(per_spec).fillna(0).to_numpy()
    sponsor_idx = pd.MultiIndex.from_arrays([groups["specialty"], groups["sponsor_key"]])
    in_sponsor = per_spec_region.reindex(sponsor_idx).fillna(0).to_numpy()
    sponsor = np.where(groups["funding"].to_numpy() == "targeted", in_sponsor, spec)
    n = len(groups)
    distance = np.bincount(gp["group"].to_numpy(), minlength=n)
    funding = np.bincount(arcs["group"].to_numpy(), minlength=n)
    per_group = np.column_stack([spec, sponsor, distance, funding]).astype(int)
    return pd.DataFrame(per_group[group_of], columns=list(STAGES),
                        index=pd.Index(grads["graduate_id"].to_numpy(), name="graduate_id"))


def _fund(pairs: pd.DataFrame, programmes: pd.DataFrame) -> pd.DataFrame:
    """Repeat each pair once per programme whose filters match it (one vectorised mask each)."""
    if pairs.empty or programmes.empty:
        return pairs.iloc[0:0].assign(programme_id=None, payment=0.0)
    spec_codes, specs = pd.factorize(pairs["specialty"])
    region_codes, regions = pd.factorize(pairs["region_id"])
    size = pairs["settlement_population"].to_numpy(dtype=float)
    rows, which = [], []
    for k, prog in enumerate(programmes.itertuples(index=False)):
        mask = np.ones(len(pairs), bool)
        if len(prog.specialties):
            mask &= np.isin(spec_codes, specs.get_indexer(list(prog.specialties)))
        if isinstance(prog.region_id, str):
            mask &= region_codes == regions.get_indexer([prog.region_id])[0]
        if not pd.isna(prog.max_settlement_population):
            mask &= ~np.isnan(size) & (size <= prog.max_settlement_population)
        hit = np.flatnonzero(mask)
        rows.append(hit)
        which.append(np.full(len(hit), k))
    rows, which = np.concatenate(rows), np.concatenate(which)
    out = pairs.iloc[rows].reset_index(drop=True)
    out["programme_id"] = programmes["programme_id"].to_numpy()[which]
    out["payment"] = programmes["payment"].to_numpy(dtype=float)[which]
    return out


def deficit_cells(round_: Round) -> pd.DataFrame:
    """Vacancies per region and specialty with the region's weight (the N_rs, w_r of the model)."""
    vac = round_.vacancies.merge(round_.facilities[["facility_id", "region_id"]], on="facility_id")
    cells = vac.groupby(["region_id", "specialty"], as_index=False, sort=True)["vacancies"].sum()
    cells["vacancies"] = cells["vacancies"].astype(int)
    weight = round_.regions.set_index("region_id")["weight"]
    cells["weight"] = cells["region_id"].map(weight).astype(float)
    return cells

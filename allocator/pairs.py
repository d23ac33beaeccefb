"""The long table of allowed (graduate, vacancy[, programme]) pairs.

Every rule that forbids a placement is applied here, as a filter over one
table, before any model is built, so every engine (flow, highs, cbc, cp-sat) sees the same:

0. status: an exempt or deferred graduate (``graduates.status``) meets no vacancy and is in no
   group: the pairs, and so every engine's solution, are those of the round without them (their
   stage counts are all 0; :mod:`allocator.diagnose` names their status as the reason);
1. specialty: a graduate only meets vacancies of their own specialty;
2. sponsor: a targeted graduate only meets vacancies in the sponsor region;
3. service: a grant holder serves in state organisations only (``facilities.ownership``), and a
   rural-quota graduate (``graduates.rural_quota``) at rural posts only, of any ownership;
4. distance: km from home to post <= the graduate's max_km (else the
   scenario's default; NaN = unlimited); an unreachable post is never allowed;
5. funding: a placement a programme covers (:mod:`allocator.programmes`: programme territory,
   specialties, region, settlement size, closed towns, the graduate's funding and age) is paid by
   it and takes one of its places. A paid graduate at a rural or closed-town post needs such a
   place, and an obligated graduate whose funding some covering programme lists takes the post
   through one; such a pair is repeated once per covering programme (and a paid graduate's pair
   no programme covers is dropped). A facility with unknown settlement population matches no
   programme that limits it; a graduate of unknown age no programme with an age limit.

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
from .programmes import money_by_year, pair_payments

OBLIGATED = ("grant", "targeted")
STAGES = ("specialty", "sponsor", "service", "distance", "funding")


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
               "payment", "weight", "remote"]
TABLE_COLUMNS = ["graduate_id", "funding", "obligated", "specialty", "facility_id", "region_id",
                 "rural", "km", "programme_id", "payment", "weight", "group", "remote"]
GROUP_KEY = ["specialty", "funding", "lat", "lon", "sponsor_key", "max_km", "rural_quota", "age_mask"]
#: graduates.status of a graduate who may be placed; exempt and deferred graduates never are.
AVAILABLE = "available"


def available_mask(graduates: pd.DataFrame) -> np.ndarray:
    """True for each graduate who may be placed (status available; no status column: everyone)."""
    if "status" not in graduates:
        return np.ones(len(graduates), dtype=bool)
    return graduates["status"].fillna(AVAILABLE).eq(AVAILABLE).to_numpy()


def graduate_ages(graduates: pd.DataFrame, year: int | None) -> np.ndarray:
    """Each graduate's age in whole years at the round's ``year``: ``age`` when given, else
    ``year - birth_year``; NaN when unknown."""
    age = graduates["age"].to_numpy(dtype=float) if "age" in graduates else np.full(len(graduates), np.nan)
    if "birth_year" in graduates and year is not None:
        age = np.where(np.isnan(age), year - graduates["birth_year"].to_numpy(dtype=float), age)
    return age


def age_masks(ages: np.ndarray, programmes: pd.DataFrame) -> np.ndarray:
    """Per graduate, one character per programme row: "1" when the graduate's age lets it pay them
    (always, for a programme without an age limit), else "0"."""
    limits = _limits(programmes)
    if np.isnan(limits).all():
        return np.full(len(ages), "1" * len(limits), dtype=object)
    bits = [np.where(np.isnan(limit) | (~np.isnan(ages) & (ages <= limit)), "1", "0") for limit in limits]
    return np.array(["".join(chars) for chars in zip(*bits)], dtype=object) if bits else np.full(len(ages), "")


def _limits(programmes: pd.DataFrame) -> np.ndarray:
    """Each programme's max_age (NaN = none)."""
    if "max_age" not in programmes:
        return np.full(len(programmes), np.nan)
    return programmes["max_age"].to_numpy(dtype=float)


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
    available = available_mask(grads)
    away = grads.loc[~available, "graduate_id"]  # exempt and deferred: in no group, no pair
    grads = grads[available].reset_index(drop=True)
    vac = round_.vacancies.loc[round_.vacancies["vacancies"] > 0, ["facility_id", "specialty"]]
    spec_codes, specs = pd.factorize(pd.concat([vac["specialty"], grads["specialty"]], ignore_index=True))
    n_spec = max(1, len(specs))
    slot_fac = pd.Index(fac["facility_id"]).get_indexer(vac["facility_id"])
    known = slot_fac >= 0
    has_spec = np.zeros((len(fac), n_spec), dtype=bool)  # facility x specialty: some vacancy
    has_spec[slot_fac[known], spec_codes[: len(vac)][known]] = True

    # identical graduates (same specialty, funding, home, sponsor, max_km, rural quota and the
    # programmes their age allows) share their pairs
    grads["sponsor_key"] = grads["sponsor_region_id"].fillna("")
    grads["rural_quota"] = flag(grads, "rural_quota")
    grads["age_mask"] = age_masks(graduate_ages(grads, round_.scenario.year), round_.programmes)
    group_of, groups = _factorize_rows(grads, GROUP_KEY)
    home_of, homes = _factorize_rows(groups, ["lat", "lon"])
    homes = homes.rename(columns={"lat": "home_lat", "lon": "home_lon"})
    max_km = groups["max_km"]
    unlimited = max_km.isna().groupby(home_of).any().to_numpy()
    homes["reach_km"] = np.where(unlimited, np.nan, max_km.groupby(home_of).max().to_numpy())

    # each group meets the facilities within its home's reach that have its specialty
    first_member = pd.Series(group_of).drop_duplicates().index.to_numpy()  # codes follow first appearance
    g_spec = spec_codes[len(vac):][first_member]
    lives = np.zeros((len(homes), n_spec), dtype=bool)  # home x specialty: someone lives there
    lives[home_of, g_spec] = True
    home_bits, fac_bits = _bits(lives), _bits(has_spec)

    def wanted(h: np.ndarray, f: np.ndarray) -> np.ndarray:
        """Some specialty of someone at home h has a vacancy at facility f."""
        return (home_bits[h] & fac_bits[f]).any(axis=1)

    hf = home_facility_km(homes, fac, round_, wanted)
    hf_home, hf_fac, hf_km = (hf[c].to_numpy() for c in ("home", "facility", "km"))
    # by home, then facility: one int key, stable (timsort: near-linear, as the search finds them nearly so)
    by_home = np.argsort(hf_home.astype(np.int64) * max(1, len(fac)) + hf_fac, kind="stable")
    hf_fac, hf_km = hf_fac[by_home], hf_km[by_home]
    per_home = np.bincount(hf_home, minlength=len(homes))
    home_start = np.concatenate([[0], np.cumsum(per_home)[:-1]])
    n = per_home[home_of]
    g = np.repeat(np.arange(len(groups)), n)
    h = _ragged(home_start[home_of], n)
    f = hf_fac[h]
    has_slot = has_spec[f, g_spec[g]]
    g, f, km = g[has_slot], f[has_slot], hf_km[h][has_slot]

    # codes, not strings, until the arcs are built
    region_codes, region_names = pd.factorize(fac["region_id"])
    sponsor_code = pd.Index(region_names).get_indexer(groups["sponsor_key"])
    funding = groups["funding"].to_numpy()
    targeted, paid = funding == "targeted", funding == "paid"
    sponsor_ok = ~targeted[g] | (region_codes[f] == sponsor_code[g])
    rural = fac["rural"].to_numpy(dtype=bool)
    state = facility_state(fac)
    service_ok = may_serve(funding, groups["rural_quota"].to_numpy(dtype=bool), rural, state)(g, f)
    limit = max_km.to_numpy(dtype=float)[g]
    near = np.isnan(limit) | (km <= limit)
    keep = sponsor_ok & service_ok & near
    g, f, km = g[keep], f[keep], km[keep]

    territory = rural | flag(fac, "closed_town")
    covered, which = covering(groups["specialty"].to_numpy()[g], funding[g], groups["age_mask"].to_numpy()[g], f,
                              fac, round_.programmes)
    any_cover = np.zeros(len(g), bool)
    any_cover[covered] = True
    needs_place = (paid[g] & territory[f]) | (~paid[g] & any_cover)
    pick = needs_place[covered]
    rows, which = covered[pick], which[pick]
    free = ~needs_place
    arc_g = np.concatenate([g[free], g[rows]])
    arc_f = np.concatenate([f[free], f[rows]])
    arc_km = np.concatenate([km[free], km[rows]])
    arc_prog = np.concatenate([np.full(int(free.sum()), -1), which])  # row of programmes, -1 = none
    fac_rank = fac["facility_id"].rank(method="first").to_numpy()
    ids = round_.programmes["programme_id"].to_numpy()
    prog_rank = np.concatenate([[-1], pd.Index(sorted(ids)).get_indexer(ids)])
    order = np.lexsort((prog_rank[arc_prog + 1], fac_rank[arc_f], arc_g))
    arc_g, arc_f, arc_km, arc_prog = arc_g[order], arc_f[order], arc_km[order], arc_prog[order]
    weight = round_.regions.set_index("region_id")["weight"]
    fac_weight = fac["region_id"].map(weight).to_numpy(dtype=float)
    remote = flag(fac, "remote")
    arc_remote = remote[arc_f]
    money = money_by_year(round_.programmes, round_.instalments)
    arcs = pd.DataFrame({
        "group": arc_g,
        "specialty": groups["specialty"].array.take(arc_g),
        "facility_id": fac["facility_id"].array.take(arc_f),
        "region_id": fac["region_id"].array.take(arc_f),
        "rural": rural[arc_f],
        "km": arc_km,
        "programme_id": pd.Series(np.array([None, *ids], dtype=object)[arc_prog + 1], dtype=object),
        "weight": fac_weight[arc_f],
        "remote": arc_remote,
    })
    arcs["payment"] = pair_payments(arcs["programme_id"].to_numpy(object), arc_remote, money)

    slots = vac.assign(region_id=fac["region_id"].to_numpy()[slot_fac], rural=rural[slot_fac],
                       state=state[slot_fac])
    stages = _stage_counts(grads, group_of, groups, slots, g, arc_g)
    if len(away):
        none = pd.DataFrame(0, columns=list(STAGES), index=pd.Index(away.to_numpy(), name="graduate_id"))
        stages = pd.concat([stages, none]).sort_index(kind="mergesort")
    group_frame = pd.DataFrame({
        "specialty": groups["specialty"].to_numpy(),
        "funding": funding,
        "obligated": np.isin(funding, OBLIGATED),
        "size": np.bincount(group_of, minlength=len(groups)),
    })
    members = pd.DataFrame({"graduate_id": grads["graduate_id"].to_numpy(), "group": group_of})
    return Pairs(arcs=arcs[ARC_COLUMNS], groups=group_frame, members=members, stages=stages)


def _bits(table: np.ndarray) -> np.ndarray:
    """Each row of a boolean table as 64-bit words (rows x words), so a row AND is a few integer ANDs."""
    packed = np.packbits(table, axis=1)
    words = -(-packed.shape[1] // 8)
    padded = np.zeros((len(table), words * 8), dtype=np.uint8)
    padded[:, : packed.shape[1]] = packed
    return padded.view(np.uint64)


def _factorize_rows(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Code of each row's combination of ``columns`` (NaN equal to NaN), in order of first
    appearance, and the distinct rows."""
    codes, uniques = pd.MultiIndex.from_frame(frame[columns]).factorize()
    distinct = uniques.to_frame(index=False)
    distinct.columns = columns
    return codes, distinct


def _stage_counts(grads, group_of, groups, slots, kept_group, arc_group) -> pd.DataFrame:
    """Pairs each graduate keeps after each filter stage (for the unplaced reasons)."""
    per_spec = slots.groupby("specialty").size()
    per_spec_region = slots.groupby(["specialty", "region_id"]).size()
    spec = groups["specialty"].map(per_spec).fillna(0).to_numpy()
    sponsor_idx = pd.MultiIndex.from_arrays([groups["specialty"], groups["sponsor_key"]])
    in_sponsor = per_spec_region.reindex(sponsor_idx).fillna(0).to_numpy()
    targeted = groups["funding"].to_numpy() == "targeted"
    sponsor = np.where(targeted, in_sponsor, spec)
    # service: the slots left by the ownership and rural-quota rules (within the sponsor region)
    slot_spec = pd.Index(groups["specialty"].unique())
    may = may_serve(groups["funding"].to_numpy(), groups["rural_quota"].to_numpy(dtype=bool),
                     slots["rural"].to_numpy(dtype=bool), slots["state"].to_numpy(dtype=bool))
    n = len(groups)
    service = np.zeros(n)
    s_spec = slot_spec.get_indexer(slots["specialty"])
    g_spec = slot_spec.get_indexer(groups["specialty"])
    s_region = slots["region_id"].to_numpy(object)
    for code in range(n):  # one vectorised mask per group (groups are few)
        ok = (s_spec == g_spec[code]) & may(np.full(len(slots), code), np.arange(len(slots)))
        if targeted[code]:
            ok &= s_region == groups["sponsor_key"].iloc[code]
        service[code] = ok.sum()
    distance = np.bincount(kept_group, minlength=n)
    funding = np.bincount(arc_group, minlength=n)
    per_group = np.column_stack([spec, sponsor, service, distance, funding]).astype(int)
    return pd.DataFrame(per_group[group_of], columns=list(STAGES),
                        index=pd.Index(grads["graduate_id"].to_numpy(), name="graduate_id"))


def flag(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A bool column (absent: all false)."""
    return frame[column].fillna(False).to_numpy(dtype=bool) if column in frame else np.zeros(len(frame), bool)


def facility_state(fac: pd.DataFrame) -> np.ndarray:
    """True for a state facility (``ownership`` absent or empty: state)."""
    if "ownership" not in fac:
        return np.ones(len(fac), bool)
    return fac["ownership"].fillna("state").eq("state").to_numpy()


def may_serve(funding: np.ndarray, rural_quota: np.ndarray, rural: np.ndarray, state: np.ndarray):
    """The service rule as a function of (group codes, facility codes) -> allowed: a grant holder
    not of the rural quota only in state organisations; a rural-quota graduate only at rural posts."""
    grant_state = (funding == "grant") & ~rural_quota

    def allowed(g: np.ndarray, f: np.ndarray) -> np.ndarray:
        """Pairs (g[i], f[i]) the service rule allows."""
        return (~grant_state[g] | state[f]) & (~rural_quota[g] | rural[f])
    return allowed


def covering(specialty: np.ndarray, funding: np.ndarray, age_mask: np.ndarray, facility: np.ndarray,
             fac: pd.DataFrame, programmes: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each placement (a graduate's specialty, funding and :func:`age_masks` string at facility row
    ``facility``) once per programme that covers it (:mod:`allocator.programmes`): the placement's
    position and the programme's row (one vectorised mask per programme). The choice mechanism and
    its audit use it too, so every mechanism applies the same rule."""
    if not len(facility) or programmes.empty:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    region = fac["region_id"].to_numpy()
    size = fac["settlement_population"].to_numpy(dtype=float)
    closed = flag(fac, "closed_town")
    rural = fac["rural"].to_numpy(dtype=bool)
    age_mask = pd.Series(age_mask, dtype=object).astype(str)
    rows, which = [], []
    for k, prog in enumerate(programmes.itertuples(index=False)):
        pays = getattr(prog, "funding", ("paid",)) or ("paid",)
        mask = np.isin(funding, list(pays)) & (age_mask.str[k] == "1").to_numpy()
        if len(prog.specialties):
            mask &= np.isin(specialty, list(prog.specialties))
        if isinstance(prog.region_id, str):
            mask &= (region == prog.region_id)[facility]
        owner = getattr(prog, "ownership", None)
        if isinstance(owner, str):  # a programme for state (or private) organisations only
            mask &= (facility_state(fac) == (owner == "state"))[facility]
        small = np.ones(len(fac), bool)
        if not pd.isna(prog.max_settlement_population):
            small = ~np.isnan(size) & (size <= prog.max_settlement_population)
        in_closed = bool(getattr(prog, "closed_towns", False))
        # territory: a closed town for a programme that funds them (whatever its size), else rural and small
        where = np.where(closed, in_closed, rural & small)
        mask &= where[facility]
        hit = np.flatnonzero(mask)
        rows.append(hit)
        which.append(np.full(len(hit), k))
    return np.concatenate(rows), np.concatenate(which)


def deficit_cells(round_: Round) -> pd.DataFrame:
    """Vacancies per region and specialty with the region's weight (the N_rs, w_r of the model)."""
    vac = round_.vacancies.merge(round_.facilities[["facility_id", "region_id"]], on="facility_id")
    cells = vac.groupby(["region_id", "specialty"], as_index=False, sort=True)["vacancies"].sum()
    cells["vacancies"] = cells["vacancies"].astype(int)
    weight = round_.regions.set_index("region_id")["weight"]
    cells["weight"] = cells["region_id"].map(weight).astype(float)
    return cells

"""Every returned solution checked against the round's rules before anyone sees it.

:func:`broken_rules` reads the validated round's own tables (not the pairs
table or the model that produced the solution) and lists every rule an
assignment table breaks: one post per graduate, the graduate's specialty,
the vacancies of each post, the sponsor region of a targeted graduate, the
service rules (a grant holder in a state organisation, a rural-quota graduate at a rural
post), the largest distance, a support-programme place exactly where one is needed (a paid
graduate at a rural or closed-town post; an obligated graduate at a post a programme paying
their funding covers) and that programme's filters (specialties, region, settlement size,
closed towns, funding, age), the payment at the post's tier (remote or standard), its quota,
and its budget of every year counted in exact decimals, and no place for an exempt or deferred
graduate (``graduates.status``). It computes who a programme covers on its own, from the tables,
not with the code that built the pairs (:mod:`allocator.pairs`, :mod:`allocator.programmes`).

Couples (``graduates.partner_id``) are checked when the caller says the
engine enforced them (``couples=True``; every engine of :func:`allocator.solve.solve` and
the ``choice`` and ``menu`` mechanisms do): then both members of a couple are
placed in one region, or neither is placed. The rule binds a couple whose both
members are available; a couple with an exempt or deferred member is not bound
(that member is never placed, the other is placed alone). :func:`allocator.solve.solve` calls it on every engine's
result and records what it found in :attr:`allocator.solution.Solution.checks`
(``summary.json``: ``checks.broken_rules``), so every returned solution says
it was checked: that list is always empty, because a non-empty one is a bug in
an engine, never a property of the input, and stops the run
(:class:`SolutionError`) instead of being reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .problem import Round
from .scaling import exact_money

KM_ROUNDING = 0.0005  # assignments carry km rounded to metres (allocator.solution)


class SolutionError(RuntimeError):
    """An engine returned a solution that breaks a rule of the round (a bug, not bad input)."""

    def __init__(self, solver: str, broken: list[str]):
        self.broken = broken
        shown = "; ".join(broken[:5]) + (f"; and {len(broken) - 5} more" if len(broken) > 5 else "")
        super().__init__(f"the {solver} engine returned a solution that breaks {len(broken)} rule(s): {shown}")


def broken_rules(round_: Round, assignments: pd.DataFrame, couples: bool = False) -> list[str]:
    """Every broken rule, one line each (rows named by their position, never by graduate id).

    ``couples``: also check the couples (the module docstring), for engines that enforce them."""
    out: list[str] = []
    a = assignments.reset_index(drop=True)
    grads = round_.graduates.set_index("graduate_id")
    fac = round_.facilities.set_index("facility_id")
    if a["graduate_id"].duplicated().any():
        out.append(f"{int(a['graduate_id'].duplicated().sum())} graduate(s) placed twice")
    known = (a["graduate_id"].astype(object).isin(grads.index.astype(object))  # object isin: hashed, fast
             & a["facility_id"].astype(object).isin(fac.index.astype(object)))
    if not known.all():
        out.append(f"{int((~known).sum())} assignment(s) name an unknown graduate or facility")
        a = a[known].reset_index(drop=True)
    g = grads.reindex(a["graduate_id"])
    f = fac.reindex(a["facility_id"])
    def rows(mask):
        return ", ".join(str(i + 1) for i in np.flatnonzero(mask)[:5])

    wrong_spec = g["specialty"].to_numpy() != a["specialty"].to_numpy()
    if wrong_spec.any():
        out.append(f"assignment rows {rows(wrong_spec)}: not the graduate's specialty")
    region = f["region_id"].to_numpy()
    if not np.array_equal(region, a["region_id"].to_numpy()):
        out.append("an assignment's region is not its facility's")
    posts = round_.vacancies.groupby(["facility_id", "specialty"])["vacancies"].sum()
    used = a.groupby(["facility_id", "specialty"]).size()
    over = used > posts.reindex(used.index).fillna(0)
    for (facility, specialty), n in used[over].items():
        out.append(f"{facility}/{specialty}: {n} placed, {int(posts.get((facility, specialty), 0))} vacancies")

    targeted = g["funding"].to_numpy() == "targeted"
    outside = targeted & (region != g["sponsor_region_id"].to_numpy())
    if outside.any():
        out.append(f"assignment rows {rows(outside)}: a targeted graduate outside the sponsor region")
    limit = g["max_km"].to_numpy(dtype=float)
    km = a["km"].to_numpy(dtype=float)
    far = ~np.isnan(limit) & (km > limit + KM_ROUNDING)
    if far.any():
        out.append(f"assignment rows {rows(far)}: farther than the graduate's max_km")

    funding = g["funding"].to_numpy()
    rural = f["rural"].to_numpy(dtype=bool)
    rural_quota = _flag(g, "rural_quota")
    private = (f["ownership"].fillna("state") != "state").to_numpy() if "ownership" in f else np.zeros(len(a), bool)
    bad_owner = (funding == "grant") & ~rural_quota & private
    if bad_owner.any():
        out.append(f"assignment rows {rows(bad_owner)}: a grant holder outside state organisations")
    if (rural_quota & ~rural).any():
        out.append(f"assignment rows {rows(rural_quota & ~rural)}: a rural-quota graduate at an urban post")

    prog = np.array([None if pd.isna(x) else x for x in a["programme_id"]], dtype=object)
    has_place = np.array([p is not None for p in prog], dtype=bool)
    cover = _coverage(round_, a, g, f)
    covered = np.zeros(len(a), bool)
    for pid, mask in cover.items():
        covered |= mask
    territory = rural | _flag(f, "closed_town")
    needs_place = ((funding == "paid") & territory) | ((funding != "paid") & covered)
    if (needs_place & ~has_place).any():
        out.append(f"assignment rows {rows(needs_place & ~has_place)}: a post a programme must pay for "
                   "taken without a programme place")
    if (~needs_place & has_place).any():
        out.append(f"assignment rows {rows(~needs_place & has_place)}: a programme place nobody needs")
    out += _programme_rules(round_, a, f, prog, cover)
    if "status" in g:
        away = g["status"].isin(("exempt", "deferred")).to_numpy()
        if away.any():
            out.append(f"assignment rows {rows(away)}: an exempt or deferred graduate placed")
    if couples:
        out += _couple_rules(round_, a)
    return out


def _couple_rules(round_: Round, a: pd.DataFrame) -> list[str]:
    """Both members of each bound couple in one region, or neither placed (counted per couple)."""
    grads = round_.graduates
    if "partner_id" not in grads or grads["partner_id"].isna().all():
        return []
    status = grads["status"].fillna("available") if "status" in grads else pd.Series("available", index=grads.index)
    free = dict(zip(grads["graduate_id"], status == "available"))
    pairs = grads.loc[grads["partner_id"].notna(), ["graduate_id", "partner_id"]]
    both_free = pairs["graduate_id"].map(free).astype(bool) & pairs["partner_id"].map(free).fillna(False).astype(bool)
    pairs = pairs[(pairs["graduate_id"].astype(str) < pairs["partner_id"].astype(str)) & both_free]
    region = dict(zip(a["graduate_id"], a["region_id"]))
    one = pairs["graduate_id"].map(region)
    two = pairs["partner_id"].map(region)
    alone = (one.isna() != two.isna()).to_numpy()
    apart = (one.notna() & two.notna() & (one != two)).to_numpy()
    out = []
    if alone.any():
        out.append(f"{int(alone.sum())} couple(s) with only one member placed")
    if apart.any():
        out.append(f"{int(apart.sum())} couple(s) placed in two regions")
    return out


def _flag(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].fillna(False).to_numpy(dtype=bool) if column in frame else np.zeros(len(frame), bool)


def _coverage(round_: Round, a: pd.DataFrame, g: pd.DataFrame, f: pd.DataFrame) -> dict[str, np.ndarray]:
    """programme_id -> which assignments it covers: a rural post (or a closed town, for a programme
    that funds them, whatever its size), its specialties, region and settlement size, the graduate's
    funding and age."""
    year = round_.scenario.year
    age = g["age"].to_numpy(dtype=float) if "age" in g else np.full(len(g), np.nan)
    if "birth_year" in g and year is not None:
        age = np.where(np.isnan(age), year - g["birth_year"].to_numpy(dtype=float), age)
    rural = f["rural"].to_numpy(dtype=bool)
    closed = _flag(f, "closed_town")
    size = f["settlement_population"].to_numpy(dtype=float)
    out = {}
    for p in round_.programmes.itertuples(index=False):
        mask = np.isin(g["funding"].to_numpy(), list(getattr(p, "funding", ()) or ("paid",)))
        if len(p.specialties):
            mask &= a["specialty"].isin(set(p.specialties)).to_numpy()
        if isinstance(p.region_id, str):
            mask &= f["region_id"].to_numpy() == p.region_id
        owner = getattr(p, "ownership", None)
        if isinstance(owner, str):
            state = f["ownership"].fillna("state").eq("state").to_numpy() if "ownership" in f else np.ones(len(a), bool)
            mask &= state == (owner == "state")
        small = np.ones(len(a), bool)
        if not pd.isna(p.max_settlement_population):
            small = ~np.isnan(size) & (size <= p.max_settlement_population)
        mask &= np.where(closed, bool(getattr(p, "closed_towns", False)), rural & small)
        limit = getattr(p, "max_age", np.nan)
        if not pd.isna(limit):
            mask &= ~np.isnan(age) & (age <= limit)
        out[p.programme_id] = mask
    return out


def _programme_rules(round_: Round, a: pd.DataFrame, f: pd.DataFrame, prog: np.ndarray,
                     cover: dict[str, np.ndarray]) -> list[str]:
    out = []
    programmes = round_.programmes.set_index("programme_id")
    remote = _flag(f, "remote")
    later = round_.instalments
    for pid in sorted({p for p in prog if p is not None}):
        if pid not in programmes.index:
            out.append(f"programme {pid}: not in the round")
            continue
        p = programmes.loc[pid]
        mine = prog == pid
        if (mine & ~cover[pid]).any():
            out.append(f"programme {pid}: pays a placement it does not cover (specialty, region, settlement, "
                       "closed town, funding or age)")
        years = [(0, p["payment"], p.get("payment_remote", np.nan), p["budget"])]
        if later is not None and len(later):
            for r in later[later["programme_id"] == pid].itertuples(index=False):
                years.append((int(r.year), r.payment, r.payment_remote, r.budget))
        far = remote[mine]
        for year, standard, at_remote, budget in years:
            due_standard = exact_money(standard)
            due_remote = due_standard if pd.isna(at_remote) else exact_money(at_remote)
            if year == 0:
                paid = [exact_money(x) for x in a.loc[mine, "payment"]]
                due = [due_remote if r else due_standard for r in far]
                if paid != due:
                    out.append(f"programme {pid}: a payment other than the programme's at the post's tier")
            if not pd.isna(budget):
                spend = due_remote * int(far.sum()) + due_standard * int((~far).sum())
                if spend > exact_money(budget):
                    out.append(f"programme {pid}: spends {spend} in year {year} over its budget {exact_money(budget)}")
        n = int(mine.sum())
        if not pd.isna(p["quota"]) and n > int(p["quota"]):
            out.append(f"programme {pid}: {n} places over its quota {int(p['quota'])}")
    return out

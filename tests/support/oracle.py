"""Independent checks of a solution, written from the rules, not from the model.

``violations`` lists every broken rule of an assignment table against the
raw input frames; ``brute_force`` enumerates every assignment of a tiny round
and returns the lexicographic optimum (obligated placed, weighted deficit,
km). Neither imports the allocator's pairs, model or solution code.
"""

from __future__ import annotations

import itertools
import math
from decimal import Decimal
from pathlib import Path

import pandas as pd
from geopy.distance import geodesic

OBLIGATED = {"grant", "targeted"}


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v == "" or v is pd.NA


def money(v) -> Decimal:
    """A money figure exactly as written: text ("0,5", "1 500 000.40") or a number typed in a test."""
    if isinstance(v, str):
        return Decimal(v.replace("\u00a0", "").replace(" ", "").replace(",", "."))
    if isinstance(v, float):
        return Decimal(repr(float(v)))  # the literal the test typed, not its binary approximation
    return Decimal(int(v))


class World:
    """The rules of a round, evaluated one (graduate, facility, programme) at a time."""

    def __init__(self, regions, facilities, vacancies, graduates, programmes=None, max_km=None,
                 instalments=None, year=None):
        self.year = year
        self.instalments = instalments if instalments is not None else pd.DataFrame(
            columns=["programme_id", "year", "payment", "payment_remote", "budget"])
        self.regions = regions.set_index("region_id")
        self.facilities = facilities.set_index("facility_id")
        self.vacancies = {(r.facility_id, r.specialty): int(r.vacancies) for r in vacancies.itertuples()}
        self.graduates = graduates.set_index("graduate_id")
        self.programmes = (programmes if programmes is not None else pd.DataFrame(
            columns=["programme_id", "payment", "quota", "budget", "specialties", "region_id",
                     "max_settlement_population"])).set_index("programme_id")
        self.max_km = max_km
        self._options: dict = {}
        partner = self.graduates["partner_id"] if "partner_id" in self.graduates else pd.Series(dtype=object)
        status = self.graduates["status"] if "status" in self.graduates else pd.Series(dtype=object)
        free = {g: _blank(status.get(g)) or status.get(g) == "available" for g in self.graduates.index}
        self.couples = [(g, p) for g, p in partner.items()  # bound: mutual, both in the round and available
                        if not _blank(p) and str(g) < str(p) and free.get(p, False) and free[g]
                        and partner.get(p) == g]

    @classmethod
    def from_folder(cls, folder, max_km=None) -> World:
        """The rules of a round folder, read from its CSV text (every cell a string)."""
        folder = Path(folder)
        def read(name):
            return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        programmes = read("programmes") if (folder / "programmes.csv").exists() else None
        return cls(read("regions"), read("facilities"), read("vacancies"), read("graduates"), programmes,
                   max_km=max_km)

    def weight(self, region) -> float:
        w = self.regions.loc[region].get("weight", None)
        return 1.0 if _blank(w) else float(w)

    def home(self, g):
        row = self.graduates.loc[g]
        if "lat" in row and not _blank(row["lat"]):
            return float(row["lat"]), float(row["lon"])
        reg = self.regions.loc[row["home_region_id"]]
        return float(reg["lat"]), float(reg["lon"])

    def km(self, g, f) -> float:
        fac = self.facilities.loc[f]
        return geodesic(self.home(g), (float(fac["lat"]), float(fac["lon"]))).km

    def limit(self, g):
        own = self.graduates.loc[g].get("max_km", None)
        return self.max_km if _blank(own) else float(own)

    def programme_matches(self, k, g, f) -> bool:
        """Programme k pays graduate g at facility f (its filters, territory, funding types and age)."""
        p = self.programmes.loc[k]
        fac = self.facilities.loc[f]
        specs = [] if _blank(p["specialties"]) else [s for s in str(p["specialties"]).split(";") if s]
        if specs and self.graduates.loc[g, "specialty"] not in specs:
            return False
        if not _blank(p["region_id"]) and p["region_id"] != fac["region_id"]:
            return False
        owner = p.get("ownership", None)
        fac_owner = fac.get("ownership", None)
        if not _blank(owner) and owner != ("state" if _blank(fac_owner) else fac_owner):
            return False
        funding = p.get("funding", None)
        pays = ["paid"] if _blank(funding) else [s for s in str(funding).split(";") if s]
        if self.graduates.loc[g, "funding"] not in pays:
            return False
        limit = p.get("max_age", None)
        if not _blank(limit):
            age = self.age(g)
            if age is None or age > float(limit):
                return False
        if self._flag(fac, "closed_town"):  # a closed town: only for a programme that funds them, any size
            return self._flag(p, "closed_towns")
        if not self.rural(f):
            return False
        if not _blank(p["max_settlement_population"]):
            size = fac.get("settlement_population", None)
            if _blank(size) or float(size) > float(p["max_settlement_population"]):
                return False
        return True

    def age(self, g):
        row = self.graduates.loc[g]
        if not _blank(row.get("age", None)):
            return float(row["age"])
        if not _blank(row.get("birth_year", None)) and self.year is not None:
            return float(self.year - float(row["birth_year"]))
        return None

    @staticmethod
    def _flag(row, name) -> bool:
        v = row.get(name, None)
        return v is True or str(v).lower() in ("true", "1", "yes")

    def rural(self, f) -> bool:
        v = self.facilities.loc[f, "rural"]
        return v is True or str(v).lower() in ("true", "1", "yes")

    def pay(self, k, f, year: int = 0) -> Decimal:
        """What programme k pays at facility f in ``year`` (its remote figure at a remote post)."""
        remote = self._flag(self.facilities.loc[f], "remote")
        if year == 0:
            row = self.programmes.loc[k]
        else:
            later = self.instalments[(self.instalments["programme_id"] == k)
                                     & (self.instalments["year"].astype(int) == year)]
            if later.empty:
                return Decimal(0)
            row = later.iloc[0]
        far = row.get("payment_remote", None)
        return money(row["payment"] if not remote or _blank(far) else far)

    def budgets(self, k) -> dict:
        """year -> budget of programme k (years without one left out)."""
        out = {}
        if not _blank(self.programmes.loc[k, "budget"]):
            out[0] = money(self.programmes.loc[k, "budget"])
        for r in self.instalments[self.instalments["programme_id"] == k].itertuples():
            if not _blank(r.budget):
                out[int(r.year)] = money(r.budget)
        return out

    def may_serve(self, g, f) -> bool:
        """A grant holder (not of the rural quota) only in state organisations; a rural-quota one only rural."""
        grad = self.graduates.loc[g]
        quota = self._flag(grad, "rural_quota")
        owner = self.facilities.loc[f].get("ownership", None)
        if grad["funding"] == "grant" and not quota and not _blank(owner) and owner != "state":
            return False
        return not quota or self.rural(f)

    def options(self, g):
        """Every allowed (facility, specialty, programme or None) for graduate g."""
        if g not in self._options:
            self._options[g] = self._allowed(g)
        return self._options[g]

    def _allowed(self, g):
        grad = self.graduates.loc[g]
        out = []
        for (f, s), n in sorted(self.vacancies.items()):
            if n <= 0 or s != grad["specialty"]:
                continue
            if grad["funding"] == "targeted" and self.facilities.loc[f, "region_id"] != grad["sponsor_region_id"]:
                continue
            if not self.may_serve(g, f):
                continue
            limit = self.limit(g)
            if limit is not None and self.km(g, f) > limit:
                continue
            paying = [(f, s, k) for k in sorted(self.programmes.index) if self.programme_matches(k, g, f)]
            territory = self.rural(f) or self._flag(self.facilities.loc[f], "closed_town")
            if grad["funding"] == "paid" and territory:
                out += paying  # a paid graduate goes there only with a programme place
            elif paying:
                out += paying  # an obligated graduate whose funding a programme pays there takes its place
            else:
                out.append((f, s, None))
        return out

    def objective(self, chosen: dict, diminishing: bool = False):
        """(obligated placed, weighted deficit, km) of {graduate: (facility, specialty, programme)}."""
        placed = sum(1 for g in chosen if self.graduates.loc[g, "funding"] in OBLIGATED)
        cells: dict = {}
        for (f, s), n in self.vacancies.items():
            key = (self.facilities.loc[f, "region_id"], s)
            cells[key] = cells.get(key, 0) + n
        filled: dict = {}
        for f, s, _ in chosen.values():
            key = (self.facilities.loc[f, "region_id"], s)
            filled[key] = filled.get(key, 0) + 1
        deficit = 0.0
        for (r, s), n in cells.items():
            d = n - filled.get((r, s), 0)
            deficit += self.weight(r) * (d * (d + 1) / (2 * max(n, 1)) if diminishing else d)
        km = sum(self.km(g, f) for g, (f, _, _) in chosen.items())
        return placed, deficit, km

    def feasible(self, chosen: dict) -> bool:
        return not self.violations(chosen)

    def violations(self, chosen: dict) -> list[str]:
        out = []
        used: dict = {}
        quota: dict = {}
        spend: dict = {}
        for g, (f, s, k) in chosen.items():
            if (f, s, k) not in self.options(g):
                out.append(f"{g}: ({f}, {s}, {k}) is not allowed")
            used[(f, s)] = used.get((f, s), 0) + 1
            if k is not None:
                quota[k] = quota.get(k, 0) + 1
                for year in self.budgets(k):
                    spend[k, year] = spend.get((k, year), Decimal(0)) + self.pay(k, f, year)
        for a, b in self.couples:  # one region, or neither placed
            if (a in chosen) != (b in chosen):
                out.append(f"couple {a}, {b}: one placed")
            elif a in chosen and (self.facilities.loc[chosen[a][0], "region_id"]
                                  != self.facilities.loc[chosen[b][0], "region_id"]):
                out.append(f"couple {a}, {b}: two regions")
        for key, n in used.items():
            if n > self.vacancies.get(key, 0):
                out.append(f"{key}: {n} placed, {self.vacancies.get(key, 0)} vacancies")
        for k, n in quota.items():
            q = self.programmes.loc[k, "quota"]
            if not _blank(q) and n > int(q):
                out.append(f"{k}: {n} places over quota {q}")
            for year, b in self.budgets(k).items():
                if spend[k, year] > b:  # exact: no tolerance
                    out.append(f"{k}: spend {spend[k, year]} in year {year} over budget {b}")
        return out


def chosen_from(assignments: pd.DataFrame) -> dict:
    """{graduate: (facility, specialty, programme)}; a graduate listed twice is a broken rule."""
    twice = assignments["graduate_id"][assignments["graduate_id"].duplicated()].tolist()
    assert not twice, f"graduates placed twice: {twice}"
    return {
        r.graduate_id: (r.facility_id, r.specialty, None if _blank(r.programme_id) else r.programme_id)
        for r in assignments.itertuples()
    }


def brute_force(world: World, diminishing: bool = False):
    """Lexicographic optimum (max obligated, min deficit, min km) by full enumeration."""
    grads = list(world.graduates.index)
    choices = [[None] + world.options(g) for g in grads]
    best = None
    for combo in itertools.product(*choices):
        chosen = {g: c for g, c in zip(grads, combo) if c is not None}
        if not world.feasible(chosen):
            continue
        placed, deficit, km = world.objective(chosen, diminishing)
        key = (-placed, round(deficit, 6), round(km, 6))
        if best is None or key < best:
            best = key
    return -best[0], best[1], best[2]

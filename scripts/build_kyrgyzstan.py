"""Build the bundled Kyrgyzstan round (data/kyrgyzstan/) from public figures and a SYNTHETIC cohort.

Inputs: ../shared/reference/kyrgyzstan_regions.csv and kyrgyzstan_regions_v2.csv (centres,
populations, doctors per 10,000, vacancies, each with its source), seed 003 (family doctors:
need 3,970, 1,963 at the start of 2023) and shared/reference/programmes.md §4 (the doctor's
deposit, the regional supplement). Every figure, rule and assumption is written in
data/kyrgyzstan/README.md; the cohort is drawn from a fixed seed, so a rerun rebuilds every
file byte for byte.

    python scripts/build_kyrgyzstan.py [--reference ../shared/reference] [--seed 2024]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from build_kazakhstan import largest_remainder  # scripts/ is on sys.path when run

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "kyrgyzstan"
REFERENCE = ROOT.parent / "shared" / "reference"
CITIES = ("bishkek", "osh_city")
SEED003 = "shared/seeds/003 (КР ССМ, «Саламаттык сактоонун кадрдык ресурстары», 2023)"
YEAR = 2024

FAMILY_NEED, FAMILY_STOCK = 3970, 1963      # seed 003: need for 6.97 M people; at the start of 2023
NATIONAL_PROVISION = 18.1                   # MoH via 24.kg/english/338448 (c. 2025)
#: Naryn: 347 doctors (news.com.kg, year not in the excerpt) over its population: computed.
NARYN_DOCTORS = 347
#: ASSUMPTION: vacancies of the four specialties of the regional supplement (no per-specialty
#: count found; 6,500 doctor vacancies in all, Dec 2025, shared/reference/kyrgyzstan_regions_v2.csv).
SPECIALIST_VACANCIES = {"paediatrician": 300, "surgeon": 200, "anaesthesiologist": 200, "neonatologist": 100}
#: Cohort: about 200 of about 2,000 medical graduates a year reach state hospitals (for.kg,
#: 20.06.2025); 845 residency graduates in 2023, 105 on the budget (bilim.akipress.org, 25.04.2023).
REACH_STATE, BUDGET = 200, 105

KG_POINTS = ("GeoNames point via github VannaDii/pub-dev geography/lib/src/countries/kyrgyzstan_cities.dart "
             "@2aba3e3abac9dadc4f647a31041de9d40339677c")
#: Per unit: the urban facility's town (None = the unit's centre) and rural district centres.
URBAN = {"chuy": ("Tokmok", 42.84194, 75.30149), "osh_region": ("Osh", 40.52828, 72.7985)}
RURAL_CENTRES = {
    "batken": [("Isfana", 39.83895, 69.5276), ("Aydarken", 39.94319, 71.34184), ("Iradan", 40.26667, 72.1)],
    "chuy": [("Belovodskoye", 42.82944, 74.1083), ("Ivanovka", 42.88778, 75.085), ("Kemin", 42.78611, 75.69167),
             ("Sosnovka", 42.63707, 73.89608)],
    "issyk_kul": [("Ak-Suu", 42.49948, 78.52702), ("Tyup", 42.7276, 78.36476), ("Kyzyl-Suu", 42.34211, 78.00644),
                  ("Kadzhi-Say", 42.14107, 77.17848)],
    "jalal_abad": [("Ala-Buka", 41.40806, 71.46306), ("Kazarman", 41.405, 74.037), ("Kerben", 41.49399, 71.75826),
                   ("Toktogul", 41.87442, 72.94192), ("Suzak", 40.8982, 72.90481)],
    "naryn": [("At-Bashi", 41.16951, 75.80099), ("Jumgal", 41.94924, 74.40566)],
    "osh_region": [("Nookat", 40.26597, 72.61834), ("Kara-Kulja", 40.64095, 73.49411),
                   ("Daroot-Korgon", 39.55274, 72.20518), ("Uzgen", 40.76994, 73.30068)],
    "talas": [("Kara-Buura district point", 42.5, 71.41667), ("Talas district point", 42.18647, 72.69408)],
}


def regions(reference: Path) -> pd.DataFrame:
    """The 9 units: centre, population (source, date), doctors per 10,000 and the weight."""
    v1 = pd.read_csv(reference / "kyrgyzstan_regions.csv").set_index("id")
    v2 = pd.read_csv(reference / "kyrgyzstan_regions_v2.csv").set_index("id")
    rows = []
    for rid, r in v1.iterrows():
        if pd.notna(r["population_recent"]):
            pop, date, src = r["population_recent"], r["population_recent_date"], r["population_recent_source"]
            file = "kyrgyzstan_regions.csv"
        else:
            s = v2.loc[rid]
            pop, date, src = s["population"], s["population_date"], s["population_source"]
            file = "kyrgyzstan_regions_v2.csv"
        year = str(date)[:4] if str(date)[:1].isdigit() else "2022"
        note = "" if str(date)[:1].isdigit() else f"date uncertain ({date}): year taken as 2022, the census year"
        if pd.notna(r["doctors_per_10k"]):
            p, basis, p_src = float(r["doctors_per_10k"]), "published (MoH, c. 2025)", \
                f"shared/reference/kyrgyzstan_regions.csv row {rid}: {r['doctors_per_10k_source']}"
        elif rid == "naryn":
            p = round(NARYN_DOCTORS / pop * 10000, 1)
            basis = "computed 347 doctors / population"
            p_src = ("shared/reference/kyrgyzstan_regions.csv row naryn other_doctor_figures: "
                     f"{r['other_doctor_figures']}")
        else:
            p, basis = NATIONAL_PROVISION, "ASSUMPTION: no figure found; national 18.1"
            p_src = "shared/reference/kyrgyzstan_regions.csv (national average 18.1, 24.kg/english/338448)"
        rows.append({
            "region_id": rid, "name": r["name_ru"], "lat": r["lat"], "lon": r["lon"], "population": int(pop),
            "population_year": year, "population_date": date, "source": f"shared/reference/{file} row {rid}: {src}",
            "coord_source": f"shared/reference/kyrgyzstan_regions.csv row {rid}: {r['coord_source']}",
            "doctors_per_10k": p, "doctors_per_10k_basis": basis, "doctors_per_10k_source": p_src,
            "weight": round(NATIONAL_PROVISION / p, 3), "weight_basis": f"18.1 / {p} ({basis})", "notes": note,
        })
    return pd.DataFrame(rows)


def facilities(reg: pd.DataFrame) -> pd.DataFrame:
    """Per unit a town hospital (urban) and, outside the two cities, rural district hospitals."""
    rows = []
    for r in reg.itertuples():
        town = URBAN.get(r.region_id)
        lat, lon = (town[1], town[2]) if town else (r.lat, r.lon)
        where = f"{town[0]} ({KG_POINTS})" if town else "centre point of the unit (regions.csv)"
        kind = "Городская больница" if r.region_id in CITIES else "Областная (межрайонная) больница"
        rows.append(_facility(r.region_id, f"{r.region_id}_hospital", f"{kind} ({r.name})", lat, lon, False,
                              "hospital", where))
        if r.region_id in CITIES:
            rows.append(_facility(r.region_id, f"{r.region_id}_cfm", f"Центр семейной медицины ({r.name})",
                                  r.lat, r.lon, False, "polyclinic", where))
        for name, la, lo in RURAL_CENTRES.get(r.region_id, []):
            slug = name.lower().split(" ")[0].replace("-", "_")
            rows.append(_facility(r.region_id, f"{r.region_id}_trb_{slug}",
                                  f"Территориальная больница и ГСВ ({name}, {r.name})", la, lo, True, "RB",
                                  KG_POINTS))
    return pd.DataFrame(rows)


def _facility(rid, fid, name, lat, lon, rural, ftype, where) -> dict:
    return {"facility_id": fid, "name": name, "region_id": rid, "lat": lat, "lon": lon, "rural": rural,
            "type": ftype, "notes": f"SYNTHETIC facility at a real place ({where})"}


def vacancies(reg: pd.DataFrame, fac: pd.DataFrame, reference: Path) -> pd.DataFrame:
    """Family doctors: seed 003's gap by population; the four specialties by the MoH's oblast vacancies."""
    pop = reg.set_index("region_id")["population"].astype(float)
    gap = FAMILY_NEED - FAMILY_STOCK
    rows = []
    fam_src = (f"{SEED003}: need 3,970, 1,963 at the start of 2023, gap {gap:,}; spread by population and "
               "within a unit half urban, half rural (ASSUMPTION)")
    for rid, n in largest_remainder(gap, pop).items():
        rows += _spread(fac, rid, "family_doctor", int(n), fam_src)
    v1 = pd.read_csv(reference / "kyrgyzstan_regions.csv").set_index("id")
    old = v1["other_doctor_figures"].str.extract(r"vacancies (\d+)")[0].astype(float)
    # Osh city has no figure of its own: the Osh Region figure is split between the two by population
    osh = old["osh_region"]
    old["osh_city"] = osh * pop["osh_city"] / (pop["osh_city"] + pop["osh_region"])
    old["osh_region"] = osh - old["osh_city"]
    spec_src = ("ASSUMPTION: {n} posts nationally (no per-specialty count found), spread by the MoH's older oblast "
                "vacancies (shared/reference/kyrgyzstan_regions.csv other_doctor_figures, total 1,154)")
    for specialty, total in SPECIALIST_VACANCIES.items():
        for rid, n in largest_remainder(total, old.reindex(pop.index).fillna(0)).items():
            rows += _spread(fac, rid, specialty, int(n), spec_src.format(n=total))
    return pd.DataFrame(rows)


def _spread(fac: pd.DataFrame, rid: str, specialty: str, n: int, source: str) -> list[dict]:
    """``n`` posts of a unit: half at its urban facilities, half over its rural ones (cities: all urban)."""
    here = fac[fac["region_id"] == rid]
    rural = here["rural"].to_numpy()
    share = np.where(rural, 0.5 / max(rural.sum(), 1), 0.5 / max((~rural).sum(), 1)) if rural.any() else \
        np.full(len(here), 1 / len(here))
    out = []
    for fid, k in largest_remainder(n, pd.Series(share, index=here["facility_id"])).items():
        if k:
            out.append({"facility_id": fid, "specialty": specialty, "vacancies": int(k), "source": source})
    return out


def graduates(reg: pd.DataFrame, vac: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The SYNTHETIC cohort: the ~200 graduates who reach state hospitals, 105 of them budget (grant)."""
    rng = np.random.default_rng(seed)
    by_spec = vac.groupby("specialty")["vacancies"].sum()
    rows = []
    for funding, n in (("grant", BUDGET), ("paid", REACH_STATE - BUDGET)):
        rows += [(s, funding) for s, k in largest_remainder(n, by_spec).items() for _ in range(k)]
    grads = pd.DataFrame(rows, columns=["specialty", "funding"])
    grads.insert(0, "graduate_id", [f"KG{i:04d}" for i in range(1, len(grads) + 1)])
    pop = reg.set_index("region_id")["population"].astype(float)
    grads["home_region_id"] = rng.choice(pop.index, size=len(grads), p=(pop / pop.sum()).to_numpy())
    # ages at the end of residency: 25-39, so that some are over the deposit's limit (under 35)
    grads["birth_year"] = YEAR - rng.integers(25, 40, size=len(grads))
    grads["notes"] = "SYNTHETIC graduate (sized from public figures, data/kyrgyzstan/README.md)"
    return grads


PROGRAMMES = [
    {"programme_id": "doctor_deposit", "name": "Депозит врача (Программа дополнительного стимулирования врачей)",
     "payment": 264000, "quota": 500, "budget": "", "specialties": "", "funding": "grant;paid", "max_age": 34,
     "service_years": 3, "benefits": "",
     "source": "shared/reference/programmes.md §4: 66,000 som a quarter and 500 places from 01.07.2024 (kant.kg "
               "22.05.2024; 24.kg 13.03.2026), under 35, three years (vb.kg); year 0 = 4 quarters = 264,000 som. "
               "funding grant;paid: ASSUMPTION (README)"},
    {"programme_id": "regional_supplement", "name": "Надбавка 20 000 сом в месяц в регионах (кроме Бишкека и Оша)",
     "payment": 240000, "quota": "", "budget": "",
     "specialties": "paediatrician;neonatologist;surgeon;anaesthesiologist",
     "funding": "grant;paid", "max_age": "", "service_years": "", "benefits": "20 000 сом в месяц к зарплате",
     "source": "shared/reference/programmes.md §4: kant.kg 22.05.2024 (20,000 som a month; paediatricians, "
               "neonatologists, surgeons, anaesthesiologist-resuscitators; regions except Bishkek and Osh); "
               "payment = 12 months of the round's year: ASSUMPTION (README)"},
]
INSTALMENTS = [
    {"programme_id": "doctor_deposit", "year": y, "payment": 264000, "description": "66 000 сом в квартал"}
    for y in (1, 2)
]
SCENARIO = f"""# Options of the bundled Kyrgyzstan round (data/kyrgyzstan/README.md); the command line overrides them.
solver = "flow"
year = {YEAR}
currency = "сом"
# Largest home-to-post distance, km (ASSUMPTION: the home oblast or a neighbouring one; the centres of
# Bishkek and Osh are 300 km apart, of Batken and Issyk-Kul 689 km: geodesic, computed).
max_km = 200
# 2,807 posts for 200 graduates: the linear deficit sends everyone to the two lowest-provision
# oblasts; the convex penalty serves several (data/kyrgyzstan/README.md gives both results).
diminishing_returns = true
time_limit = 60

[service_years]
grant = 2   # shared/DOMAIN.md (Kyrgyzstan: 2 years); seed 003 gives no length
"""


def main(argv: list[str] | None = None) -> None:
    """Write data/kyrgyzstan/*.csv and scenario.toml."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    parser.add_argument("--seed", type=int, default=YEAR)
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    reg = regions(args.reference)
    fac = facilities(reg)
    vac = vacancies(reg, fac, args.reference)
    grads = graduates(reg, vac, args.seed)
    reg.to_csv(OUT / "regions.csv", index=False)
    fac.to_csv(OUT / "facilities.csv", index=False)
    vac.to_csv(OUT / "vacancies.csv", index=False)
    grads.to_csv(OUT / "graduates.csv", index=False)
    pd.DataFrame(PROGRAMMES).to_csv(OUT / "programmes.csv", index=False)
    pd.DataFrame(INSTALMENTS).to_csv(OUT / "instalments.csv", index=False)
    (OUT / "scenario.toml").write_text(SCENARIO, encoding="utf-8")
    print(f"{len(reg)} units, {len(fac)} facilities, {int(vac['vacancies'].sum())} vacancies, {len(grads)} graduates")


if __name__ == "__main__":
    main()

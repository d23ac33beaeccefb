"""Build the bundled Kazakhstan round (data/kazakhstan/) from public figures and a SYNTHETIC cohort.

Inputs: ../shared/reference/kazakhstan_regions.csv and kazakhstan_regions_v2.csv (centres,
populations, doctors per 10,000, rural shares, each with its source), seed 000 (the 2018
vacancies by specialty, the national provision 39.7 and its low-provision regions) and
shared/reference/programmes.md (the programmes). Every figure, rule and assumption is written
in data/kazakhstan/README.md; the cohort is drawn from a fixed seed, so a rerun rebuilds
every file byte for byte.

    python scripts/build_kazakhstan.py [--reference ../shared/reference] [--seed 2025]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "kazakhstan"
REFERENCE = ROOT.parent / "shared" / "reference"
CITIES = ("astana", "almaty_city", "shymkent")
SEED000 = "shared/seeds/000 (Национальная политика управления КРЗ до 2025 года, §1.2)"

#: Seed 000 §1.2: doctor vacancies (unfilled staff positions) of 2018 by specialty, 2,826 in all
#: («без учета организаций республиканского уровня»); the rest of the 2,826 is «other_doctor».
VACANCIES_2018 = {
    "anaesthesiologist": 392.5, "therapist": 346.75, "gp": 319.5, "lab_doctor": 226.0,
    "obstetrician_gynaecologist": 203.5, "paediatrician": 202.75, "psychiatrist": 213.0,
    "infectious_disease": 121.5, "epidemiologist": 102.5, "neonatologist": 85.25,
}
VACANCY_TOTAL = 2826
NATIONAL_PROVISION = 39.7           # seed 000 §1.2, doctors per 10,000, end of 2019
LOW_PROVISION = ("akmola", "almaty_region", "atyrau", "jambyl", "kostanay", "turkistan")  # seed 000 §1.2
SEED_RANGE = (24.5, 75.9)           # seed 000 §1.2: regional spread of doctors per 10,000
#: Assumed provision of a low-provision region without a published figure: the midpoint of the
#: seed's minimum and the national figure.
LOW_ASSUMED = round((SEED_RANGE[0] + NATIONAL_PROVISION) / 2, 1)

#: Cohort (shared/reference/programmes.md §3): 5,685 grants a year; 76 % distributed,
#: 22 % released, 2 % employed on their own (rcpk.kz); 2,271 employed medical graduates in 2024 (otyrar.kz).
GRANTS = 5685
SPLIT = {"available": 0.76, "exempt": 0.22, "self": 0.02}
DOCTOR_TRACK_AVAILABLE = 2271
OTHER_TRACKS = ("nurse_bachelor", "pharmacist", "dentist", "public_health")
RURAL_QUOTA_SHARE = 0.30            # nku.edu.kz (18.06.2024): 30 % of grants in groups with a rural quota
PAID = 400                          # ASSUMPTION: no count of paid doctor graduates found
EXEMPT_REASONS = {                  # zhaikpress.kz 16.06.2023 (Law «Об образовании»): grounds of release
    "поступление в резидентуру (дальнейшее обучение)": 0.55,
    "беременность или ребёнок до 3 лет": 0.30,
    "нет вакансии по месту жительства супруга (супруги)": 0.10,
    "инвалидность I или II группы": 0.05,
}
SELF_REASON = "самостоятельное трудоустройство (право самостоятельного трудоустройства по Правилам направления)"
SCARCE = ("anaesthesiologist", "neonatologist", "infectious_disease", "psychiatrist", "epidemiologist")
MAX_KM = 600
YEAR = 2025

GEONAMES = ("GeoNames point via github VannaDii/pub-dev geography/lib/src/countries/kazakhstan_cities.dart "
            "@2aba3e3abac9dadc4f647a31041de9d40339677c")
#: Real district centres (rural) per oblast, from the GeoNames-derived extract (points of the
#: settlement, not of a hospital: the facility there is SYNTHETIC).
RURAL_CENTRES = {
    "abai": [("Urzhar", 47.09302, 81.62939), ("Borodulikha", 50.71841, 80.9295), ("Aqtoghay", 46.95, 79.66667)],
    "akmola": [("Atbasar", 51.80652, 68.35996), ("Esil", 51.95495, 66.40841), ("Egindiköl", 51.05412, 69.47928),
               ("Derzhavinsk", 51.09922, 66.31557)],
    "aktobe": [("Shalqar", 47.83333, 59.6), ("Martuk", 50.74746, 56.50611), ("Temir", 49.14132, 57.12855),
               ("Yrghyz", 48.61667, 61.26667)],
    "almaty_region": [("Esik", 43.3552, 77.45245), ("Bakanas", 44.80838, 76.27214), ("Kegen", 43.02143, 79.22055),
                      ("Turgen", 43.40056, 77.59333)],
    "atyrau": [("Inderbor", 48.55, 51.78333), ("Makhambet", 47.66667, 51.58333), ("Miyaly", 48.88504, 53.79194),
               ("Qulsary", 46.95307, 54.01978)],
    "east_kazakhstan": [("Kurchum", 48.56603, 83.66146), ("Zaysan", 47.46657, 84.87144),
                        ("Glubokoye", 50.13887, 82.31114), ("Tūghyl", 47.72521, 84.20629)],
    "jetisu": [("Sarkand", 45.41126, 79.91545), ("Lepsy", 46.235, 78.94556), ("Balpyk Bi", 44.90225, 78.23157),
               ("Ush-Tyube", 45.25201, 77.98007)],
    "jambyl": [("Merke", 42.86976, 73.18463), ("Moyynkum", 44.28461, 72.9392), ("Sarykemer", 43.0, 71.5),
               ("Georgiyevka", 43.03882, 74.71287)],
    "karaganda": [("Osakarovka", 50.56219, 72.57089), ("Qarqaraly", 49.41287, 75.47286),
                  ("Kievka", 50.26212, 71.54839), ("Aktogay", 48.16667, 75.3)],
    "kostanay": [("Fyodorovka", 53.63809, 62.69653), ("Karasu", 52.65995, 65.48421),
                 ("Torghay", 49.63389, 63.49806), ("Komsomolets", 53.75019, 62.0584)],
    "kyzylorda": [("Zhosaly", 45.48778, 64.07806), ("Dzhalagash", 45.08333, 64.66667),
                  ("Shieli", 44.16882, 66.73887), ("Terenozek", 45.05053, 64.98395)],
    "mangystau": [("Beyneu", 45.31667, 55.2), ("Shetpe", 44.16667, 52.11667), ("Taushyq", 44.34678, 51.34932)],
    "north_kazakhstan": [("Timiryazevo", 53.74947, 66.48852), ("Yavlenka", 54.34525, 68.4574),
                         ("Smirnovo", 54.5148, 69.42732), ("Volodarskoye", 53.2927, 68.105)],
    "pavlodar": [("Bayanaul", 50.79304, 75.70123), ("Qashyr", 53.06649, 76.10489),
                 ("Zhelezinka", 53.5388, 75.31326), ("Irtyshsk", 53.33365, 75.45775)],
    "turkistan": [("Chayan", 43.03399, 69.38048), ("Chulakkurgan", 43.76453, 69.17856),
                  ("Myrzakent", 40.66338, 68.5451), ("Asyqata", 40.8946, 68.3643)],
    "ulytau": [("Atasu", 48.68659, 71.64469), ("Qarazhal", 48.00627, 70.79607)],
    "west_kazakhstan": [("Chapaev", 50.2, 51.16667), ("Chingirlau", 51.09878, 54.08426),
                        ("Dzhambeyty", 50.25676, 52.59895)],
}
#: ASSUMPTION: regions with a private clinic in the centre, and oblasts with a private rural ambulatory.
PRIVATE_URBAN = ("astana", "almaty_city", "shymkent", "karaganda", "aktobe", "atyrau", "mangystau", "pavlodar")
PRIVATE_RURAL = ("almaty_region", "turkistan", "jambyl", "kyzylorda", "akmola", "kostanay")


def largest_remainder(total: int, shares: pd.Series) -> pd.Series:
    """Whole numbers summing to ``total`` in proportion to ``shares``; ties go to the earlier row."""
    if total <= 0 or shares.sum() <= 0:
        return pd.Series(0, index=shares.index, dtype=int)
    exact = shares / shares.sum() * total
    base = np.floor(exact + 1e-9).astype(int)
    left = int(total - base.sum())
    order = (exact - base).sort_values(ascending=False, kind="mergesort").index[:left]
    base.loc[order] += 1
    return base.astype(int)


def vacancy_totals() -> pd.Series:
    """Seed 000's 2018 vacancies by specialty as whole posts: the ten named specialties plus
    «other_doctor» (2,826 minus their sum), rounded by largest remainder so the total stays 2,826."""
    shares = pd.Series(VACANCIES_2018, dtype=float)
    shares["other_doctor"] = VACANCY_TOTAL - shares.sum()
    return largest_remainder(VACANCY_TOTAL, shares)


def regions(reference: Path) -> pd.DataFrame:
    """The 20 regions: centre, population (source, date), provision, weight, rural share."""
    v1 = pd.read_csv(reference / "kazakhstan_regions.csv").set_index("id")
    v2 = pd.read_csv(reference / "kazakhstan_regions_v2.csv").set_index("id")
    rows = []
    for rid, r in v1.iterrows():
        if pd.notna(r["population"]):
            pop, date, src = r["population"], r["population_date"], r["population_source"]
            file = "kazakhstan_regions.csv"
        else:
            s = v2.loc[rid]
            pop, date, src = s["population"], s["population_date"], s["population_source"]
            file = "kazakhstan_regions_v2.csv"
        provision, p_year, p_basis, p_src = _provision(rid, r, v2.loc[rid])
        weight = round(NATIONAL_PROVISION / provision, 3)
        rural, rural_src = _rural_share(rid, v2)
        rows.append({
            "region_id": rid, "name": r["name_ru"], "lat": r["lat"], "lon": r["lon"],
            "population": int(pop), "population_year": str(date)[:4], "population_date": date,
            "source": f"shared/reference/{file} row {rid}: {src}",
            "coord_source": f"shared/reference/kazakhstan_regions.csv row {rid}: {r['coord_source']}",
            "doctors_per_10k": provision, "doctors_per_10k_year": p_year, "doctors_per_10k_basis": p_basis,
            "doctors_per_10k_source": p_src, "weight": weight,
            "weight_basis": f"39.7 / {provision} ({p_basis})",
            "rural_share_pct": rural, "rural_share_source": rural_src,
        })
    return pd.DataFrame(rows)


def _provision(rid: str, r: pd.Series, v2: pd.Series) -> tuple[float, str, str, str]:
    """Doctors per 10,000 of a region: published, computed, or a labelled assumption."""
    if pd.notna(r["doctors_per_10k"]):
        return (float(r["doctors_per_10k"]), str(r["doctors_per_10k_date"])[:4], "published (BNS)",
                f"shared/reference/kazakhstan_regions.csv row {rid}: {r['doctors_source']}")
    if pd.notna(v2["doctors_per_10k_computed"]) and rid != "astana":
        return (float(v2["doctors_per_10k_computed"]), str(v2["doctors_date"]), "computed (doctors / population)",
                f"shared/reference/kazakhstan_regions_v2.csv row {rid}: {v2['doctors_source']}")
    if rid in LOW_PROVISION:
        return (LOW_ASSUMED, "2019", "ASSUMPTION: seed 000 names it low; midpoint of 24.5 and 39.7",
                f"{SEED000}: «Низкие показатели обеспеченности ... в Акмолинской, Алматинской, Атырауской, "
                "Жамбылской, Костанайской и Туркестанской областях»; no regional figure found")
    return (NATIONAL_PROVISION, "2019", "ASSUMPTION: no figure found; national 39.7",
            f"{SEED000}: «Общая обеспеченность врачебным персоналом составила – 39,7»")


def _rural_share(rid: str, v2: pd.DataFrame) -> tuple[float, str]:
    """Share of the region's population that is rural (%), with its source or the stated assumption."""
    if rid in CITIES:
        return 0.0, "ASSUMPTION: city of republican significance, all posts urban"
    row = v2.loc[rid]
    if pd.notna(row["rural_share_pct"]):
        return float(row["rural_share_pct"]), f"shared/reference/kazakhstan_regions_v2.csv row {rid}"
    if rid == "akmola":
        return 41.8, ("computed 329 / 788 thousand, shared/reference/kazakhstan_regions_v2.csv row akmola notes "
                      "(kokshetau.asia, undated)")
    nat = v2.loc["kazakhstan_total"]
    return NATIONAL_RURAL, (f"ASSUMPTION: national rural {int(nat['rural']):,} / population outside the three "
                            "cities (2026-01-01, kazakhstan_regions*.csv), computed")


def _national_rural(reference: Path) -> float:
    v1 = pd.read_csv(reference / "kazakhstan_regions.csv").set_index("id")
    v2 = pd.read_csv(reference / "kazakhstan_regions_v2.csv").set_index("id")
    nat = v2.loc["kazakhstan_total"]
    outside = nat["population"] - v1.loc[list(CITIES), "population"].sum()
    return round(100 * nat["rural"] / outside, 1)


NATIONAL_RURAL = 0.0  # set by main() from the reference files


def facilities(reg: pd.DataFrame) -> pd.DataFrame:
    """Per region the centre's hospital, private clinics where assumed, rural district hospitals."""
    rows = []
    for r in reg.itertuples():
        rid, share = r.region_id, r.rural_share_pct / 100
        urban = 1 - share
        if rid in CITIES:
            urban_parts = [("city_hospital", "Городская многопрофильная больница", "hospital", "state", 0.60),
                           ("city_polyclinic", "Городская поликлиника", "polyclinic", "state", 0.25)]
        else:
            urban_parts = [("regional_hospital", "Областная многопрофильная больница", "hospital", "state", 0.85)]
        if rid in PRIVATE_URBAN:
            urban_parts.append(("private_clinic", "Частный медицинский центр", "polyclinic", "private", 0.15))
        total = sum(p[4] for p in urban_parts)
        for suffix, name, ftype, owner, part in urban_parts:
            rows.append(_facility(r, f"{rid}_{suffix}", f"{name} ({r.name})", r.lat, r.lon, False, ftype, owner,
                                  urban * part / total, "centre point of the region (regions.csv)"))
        centres = RURAL_CENTRES.get(rid, [])
        n = len(centres) + (1 if rid in PRIVATE_RURAL else 0)
        for k, (town, lat, lon) in enumerate(centres):
            slug = town.lower().replace(" ", "_").replace("-", "_").replace("ö", "o").replace("ū", "u")
            rows.append(_facility(r, f"{rid}_rb_{slug}", f"Районная больница ({town}, {r.name})", lat, lon, True,
                                  "RB", "state", share / n, GEONAMES))
        if rid in PRIVATE_RURAL:
            town, lat, lon = centres[0]
            rows.append(_facility(r, f"{rid}_private_va", f"Частная врачебная амбулатория ({town}, {r.name})",
                                  lat, lon, True, "VA", "private", share / n, GEONAMES))
    return pd.DataFrame(rows)


def _facility(r, fid, name, lat, lon, rural, ftype, owner, share, where) -> dict:
    owner_note = "ownership private: ASSUMPTION (no list of private posts found)" if owner == "private" else \
        "ownership state"
    return {"facility_id": fid, "name": name, "region_id": r.region_id, "lat": lat, "lon": lon, "rural": rural,
            "type": ftype, "ownership": owner, "share": share,
            "notes": f"SYNTHETIC facility at a real place ({where}); {owner_note}"}


def vacancies(reg: pd.DataFrame, fac: pd.DataFrame) -> pd.DataFrame:
    """Seed 000's posts by specialty, spread to regions by population and to facilities by share."""
    rows = []
    pop = reg.set_index("region_id")["population"].astype(float)
    for specialty, n in vacancy_totals().items():
        for rid, k in largest_remainder(int(n), pop).items():
            here = fac[fac["region_id"] == rid].set_index("facility_id")["share"]
            for fid, m in largest_remainder(int(k), here).items():
                if m:
                    rows.append({"facility_id": fid, "specialty": specialty, "vacancies": int(m),
                                 "source": f"{SEED000}: 2018 deficit {VACANCIES_2018.get(specialty, 'rest of 2,826')}"
                                           " posts nationally; spread by population and rural share (ASSUMPTION)"})
    return pd.DataFrame(rows)


def graduates(reg: pd.DataFrame, vac: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The SYNTHETIC cohort: 5,685 grant holders (76/22/2) and the assumed paid graduates."""
    rng = np.random.default_rng(seed)
    status = largest_remainder(GRANTS, pd.Series(SPLIT))
    by_spec = vac.groupby("specialty")["vacancies"].sum()
    others = pd.Series(1.0, index=list(OTHER_TRACKS))
    rows = []
    # available grant holders: 2,271 doctor-track (specialties as the vacancies), the rest other tracks
    avail_doc = largest_remainder(DOCTOR_TRACK_AVAILABLE, by_spec)
    avail_other = largest_remainder(int(status["available"]) - DOCTOR_TRACK_AVAILABLE, others)
    rows += [(s, "grant", "available", "") for s, n in avail_doc.items() for _ in range(n)]
    rows += [(s, "grant", "available", "") for s, n in avail_other.items() for _ in range(n)]
    # released and self-employed: the same specialty mix as the available ones
    mix = pd.concat([avail_doc, avail_other]).astype(float)
    reasons = largest_remainder(int(status["exempt"]), pd.Series(EXEMPT_REASONS))
    exempt_specs = list(rng.permutation(_spread(int(status["exempt"]), mix)))
    k = 0
    for reason, n in reasons.items():
        rows += [(exempt_specs[k + i], "grant", "exempt", reason) for i in range(n)]
        k += n
    rows += [(s, "grant", "exempt", SELF_REASON) for s in _spread(int(status["self"]), mix)]
    paid = largest_remainder(PAID, by_spec)
    rows += [(s, "paid", "available", "") for s, n in paid.items() for _ in range(n)]
    grads = pd.DataFrame(rows, columns=["specialty", "funding", "status", "status_reason"])
    grads.insert(0, "graduate_id", [f"KZ{i:05d}" for i in range(1, len(grads) + 1)])

    doctor = grads["specialty"].isin(by_spec.index) & (grads["funding"] == "grant") & (grads["status"] == "available")
    quota = np.zeros(len(grads), dtype=bool)
    idx = np.flatnonzero(doctor.to_numpy())
    quota[rng.choice(idx, size=int(round(RURAL_QUOTA_SHARE * len(idx))), replace=False)] = True
    grads["rural_quota"] = quota
    pop = reg.set_index("region_id")["population"].astype(float)
    outside = pop.drop(list(CITIES))
    grads["home_region_id"] = rng.choice(pop.index, size=len(grads), p=(pop / pop.sum()).to_numpy())
    grads.loc[quota, "home_region_id"] = rng.choice(outside.index, size=int(quota.sum()),
                                                    p=(outside / outside.sum()).to_numpy())
    grads["birth_year"] = YEAR - rng.integers(23, 31, size=len(grads))
    grads["notes"] = "SYNTHETIC graduate (sized from public figures, data/kazakhstan/README.md)"
    return grads[["graduate_id", "specialty", "funding", "home_region_id", "status", "status_reason",
                  "rural_quota", "birth_year", "notes"]]


def _spread(n: int, mix: pd.Series) -> list[str]:
    """``n`` specialties in the proportions of ``mix`` (largest remainder), in mix order."""
    return [s for s, k in largest_remainder(n, mix).items() for _ in range(k)]


PROGRAMMES = [
    {"programme_id": "s_diplomom_v_selo", "name": "«С дипломом – в село!» (подъёмное пособие 100 МРП)",
     "payment": 393200, "quota": "", "budget": "", "specialties": "", "funding": "grant;paid", "service_years": 3,
     "benefits": "бюджетный кредит на жильё до 2 500 МРП (9 830 000 ₸) под 1 % годовых на 15 лет;"
                 "надбавка к окладу не менее 25 % к городским ставкам",
     "source": "shared/reference/programmes.md §2: alau.kz 07.11.2025, inform.kz 13.11.2025 (100 MCI = 393,200 ₸ "
               "in 2025; loan up to 2,500 MCI at 1 % from 18.08.2025, alau.kz 11.08.2025; +25 %, eljastary.kz; "
               "3 years, alau.kz). funding grant;paid and no quota: ASSUMPTION (README)"},
    {"programme_id": "akimat_scarce_100mzp",
     "name": "Единовременная выплата 100 МЗП по особо дефицитным специальностям (акиматы)",
     "payment": 8500000, "quota": 529, "budget": "", "specialties": ";".join(SCARCE), "funding": "paid",
     "service_years": 5, "benefits": "",
     "source": "shared/reference/programmes.md §2: rus.baq.kz 14.08.2025 (100 МЗП ≈ 8.5 mln ₸, ≥ 5 years), "
               "otyrar.kz 05.03.2026 (529 recipients in 2025 = quota). specialties and funding paid: "
               "ASSUMPTION (README)"},
]


SCENARIO = f"""# Options of the bundled Kazakhstan round (data/kazakhstan/README.md); the command line overrides them.
solver = "flow"
year = {YEAR}
currency = "₸"
# Largest home-to-post distance, km: a graduate serves in the home oblast or a neighbouring one
# (ASSUMPTION; the rules set no distance; the centres of Mangystau and East Kazakhstan are 2,480 km apart,
# geodesic, computed).
max_km = {MAX_KM}
time_limit = 60

[service_years]
grant = 3   # Law «Об образовании» Art. 47 p. 17 (shared/reference/programmes.md §3)
"""


def main(argv: list[str] | None = None) -> None:
    """Write data/kazakhstan/*.csv and scenario.toml."""
    global NATIONAL_RURAL
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args(argv)
    NATIONAL_RURAL = _national_rural(args.reference)
    OUT.mkdir(parents=True, exist_ok=True)
    reg = regions(args.reference)
    fac = facilities(reg)
    vac = vacancies(reg, fac)
    grads = graduates(reg, vac, args.seed)
    reg.to_csv(OUT / "regions.csv", index=False)
    fac.drop(columns="share").to_csv(OUT / "facilities.csv", index=False)
    vac.to_csv(OUT / "vacancies.csv", index=False)
    grads.to_csv(OUT / "graduates.csv", index=False)
    pd.DataFrame(PROGRAMMES).to_csv(OUT / "programmes.csv", index=False)
    (OUT / "scenario.toml").write_text(SCENARIO, encoding="utf-8")
    print(f"{len(reg)} regions, {len(fac)} facilities, {int(vac['vacancies'].sum())} vacancies, "
          f"{len(grads)} graduates")


if __name__ == "__main__":
    main()

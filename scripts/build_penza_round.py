"""Build the bundled Penza round (data/penza/) from public sources.

Inputs (all in the repository or ../shared/reference):
- reference/penza_districts.csv: district centres (lat, lon), population with year and source;
- data/penza/seed004/*.csv: seed 004's staffing tables for 31.12.2019;
- data/penza/sources/settlement_facts.csv: centres' and named villages' population, coordinates.

Writes regions.csv, facilities.csv, vacancies.csv, programmes.csv and scenario.toml.
The cohort (graduates.csv) is synthetic: see scripts/generate_penza_cohort.py.
How vacancies are derived is written in data/penza/README.md; run this script
again after changing a source and the files are rebuilt identically.

    python scripts/build_penza_round.py [--reference ../shared/reference]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "penza"
CITIES = ("penza_city", "zarechny_city", "kuznetsk_kuznetsky")
# Split of district-doctor vacancies by specialty: vacant positions (staff - occupied)
# of 2019 in seed 004's primary-care table: GP 75.25, district therapist 84.0,
# district paediatrician 38.75.
DOCTOR_GROUPS = {"gp": "gp", "district_therapist": "therapist", "district_paediatrician": "paediatrician"}
# FAP vacancies split feldsher : midwife as the college intake plan of 2020 (150 : 25).
FAP_SPLIT = {"feldsher": 150, "midwife": 25}
# Seed 004 l.1250: the need agreed with ФГБУ ЦНИИОИЗ Минздрава России (primary care).
AGREED_NEED = {"therapist": 13, "paediatrician": 37, "gp": 112}
AGREED_SOURCE = ("seed 004 l.1250: need agreed with ЦНИИОИЗ (therapists 13, paediatricians 37, GPs 112), "
                 "spread in proportion to the staff-position rule's vacancies")
# Every doctor specialty of the round: the Zemsky doctor rules name doctors generally
# (shared/reference/programmes.md: «врачам, фельдшерам, а также акушеркам и медицинским сестрам ФП и ФАП»).
DOCTOR_SPECIALTIES = ("gp", "paediatrician", "therapist", "oncologist", "coloproctologist",
                      "obstetrician_gynaecologist", "rehabilitation_physician")
T27 = "seed 004 Table № 27 (doctors to be hired 2020-2025), l.733-748; Tables 20-22, l.1336-1377"
T28 = "seed 004 Table № 28 (mid-level staff to be hired 2020-2025), l.750-770"
# Posts the seed names with graduates as their source: (facility, specialty, posts, source, planned date).
NAMED_POSTS = [
    ("zemetchinsky_proletarsky_fap", "midwife", 1, T28 + "; Tables 23-25 (Пролетарский)", "01.01.2021"),
    ("zemetchinsky_ushinka_fap", "midwife", 1, T28 + "; Tables 35-36 (Ушинка)", "01.01.2021"),
    ("pachelmsky_reshetino_fap", "midwife", 1,
     "seed 004 Tables 29-31 (Решетино: «Акушерка будет принята после окончания колледжа»), l.1442-1472",
     "01.01.2021"),
    ("kuznetsk_kuznetsky_polyclinic", "oncologist", 2, T27, "31.12.2025"),
    ("kuznetsk_kuznetsky_polyclinic", "coloproctologist", 1, T27, "31.12.2025"),
    ("kuznetsk_kuznetsky_polyclinic", "obstetrician_gynaecologist", 1, T27, "31.12.2025"),
    ("kuznetsk_kuznetsky_polyclinic", "rehabilitation_physician", 1, T27, "31.12.2025"),
    # Table 20: «Медицинская сестра - 4,5 ставки»; the text under it plans «трудоустройство 4 медицинских
    # сестер после прохождения аккредитации»: 4 posts for graduates (the half post is not a graduate's post)
    ("kuznetsk_kuznetsky_polyclinic", "nurse", 4,
     "seed 004 Table 20 (4.5 stavki; 4 nurses to be hired after accreditation, l.1340-1352); " + T28,
     "31.12.2025"),
]
FACILITY_NAMES = {
    "penza_city": ("Поликлиники г. Пензы", "polyclinic"),
    "zarechny_city": ("Медсанчасть г. Заречный", "hospital"),
    "kuznetsk_kuznetsky": ('ГБУЗ "Кузнецкая МРБ"', "MRB"),
    "nizhnelomovsky": ('ГБУЗ "Нижнеломовская МРБ"', "MRB"),
}


def largest_remainder(total: int, shares: pd.Series) -> pd.Series:
    """Integers summing to ``total`` in proportion to ``shares`` (Hamilton's method)."""
    if total <= 0 or shares.sum() <= 0:
        return pd.Series(0, index=shares.index, dtype=int)
    exact = shares / shares.sum() * total
    base = np.floor(exact).astype(int)
    left = total - base.sum()
    order = (exact - base).sort_values(ascending=False, kind="mergesort").index[:left]
    base.loc[order] += 1
    return base


# Seed 004, l.820: «население Пензенской области на 1 января 2019 года составило 1318103 человек» (Rosstat).
OBLAST_2019 = 1_318_103
# Rosstat's oblast estimate for 01.01.2018 (ru.wikipedia «Население Пензенской области», 2018: 1 331 655;
# copy at https://unsorted.wikisort.ru/page/Население_Пензенской_области); scales the 2018 rows to 2019.
OBLAST_2018 = 1_331_655
SEED_L820 = "seed 004 l.820 (Rosstat, oblast on 01.01.2019: 1,318,103)"


def populations_2019(reference: Path) -> pd.DataFrame:
    """Each formation part's population on 01.01.2019 (id, population, population_year, source).

    No per-district table of 2019 was found, and the seed gives only the oblast's total
    (1,318,103, l.820). So: a row whose reference figure is of 2019 keeps it (Bashmakovsky); a row
    of 2018 (Rosstat's estimate for 01.01.2018) is scaled by the oblast's change 2018 -> 2019; every
    other row (2010, 2021, 2024, 2025, undated) gets the rest of the seed's total in proportion to
    its 2021 census population (one source for all of them). Whole people by largest remainder, so
    the 30 rows sum to the seed's total exactly.
    """
    ref = pd.read_csv(reference / "penza_districts.csv", dtype={"population_year": str}).set_index("id")
    census = pd.read_csv(reference / "penza_districts_census2021.csv").set_index("id")["population_2021_census"]
    year = ref["population_year"].fillna("")
    kept = year == "2019"
    scaled = year == "2018"
    rest = ~kept & ~scaled
    exact = pd.Series(0.0, index=ref.index)
    exact[kept] = ref.loc[kept, "population"]
    exact[scaled] = ref.loc[scaled, "population"] * OBLAST_2019 / OBLAST_2018
    left = OBLAST_2019 - exact[kept | scaled].sum()
    exact[rest] = census.reindex(ref.index[rest]) / census.reindex(ref.index[rest]).sum() * left
    whole = np.floor(exact).astype(int)
    whole[kept] = exact[kept].astype(int)
    spread = ~kept
    extra = OBLAST_2019 - whole.sum()
    order = (exact[spread] - whole[spread]).sort_values(ascending=False, kind="mergesort").index[:extra]
    whole.loc[order] += 1
    share = left / census.reindex(ref.index[rest]).sum()
    source = pd.Series("", index=ref.index)
    source[kept] = ref.loc[kept, "population_source"]
    source[scaled] = [f"estimate: {int(p)} (01.01.2018; {src}) x {OBLAST_2019}/{OBLAST_2018}, the oblast's "
                      f"change to 01.01.2019 ({SEED_L820}; 2018: ru.wikipedia «Население Пензенской области»)"
                      for p, src in zip(ref.loc[scaled, "population"], ref.loc[scaled, "population_source"])]
    source[rest] = [f"estimate: 2021 census {int(census[i])} (reference/penza_districts_census2021.csv) x "
                    f"{share:.5f}, its share of what the seed's total leaves ({SEED_L820}); "
                    f"no 2019 figure found (reference: {ref.at[i, 'population']} of "
                    f"{ref.at[i, 'population_year'] if pd.notna(ref.at[i, 'population_year']) else 'undated'})"
                    for i in ref.index[rest]]
    basis = pd.Series("estimate", index=ref.index)
    basis[kept] = "source"
    return pd.DataFrame({"population": whole, "basis": basis, "source": source})


def regions(reference: Path) -> pd.DataFrame:
    ref = pd.read_csv(reference / "penza_districts.csv", dtype={"population_year": str})
    ref = ref.set_index("id")
    pop19 = populations_2019(reference)
    merged = ref.loc[["kuznetsk_city", "kuznetsky"]]
    rows = ref.drop(index=["kuznetsk_city", "kuznetsky"]).reset_index().rename(columns={"id": "region_id"})
    rows["population"] = rows["region_id"].map(pop19["population"])
    rows["population_source"] = rows["region_id"].map(pop19["source"])
    kuz = {
        "region_id": "kuznetsk_kuznetsky",
        "name_ru": "г. Кузнецк и Кузнецкий район",
        "lat": merged.at["kuznetsk_city", "lat"],
        "lon": merged.at["kuznetsk_city", "lon"],
        "population": int(pop19.loc[["kuznetsk_city", "kuznetsky"], "population"].sum()),
        "population_source": (f"estimate: sum of kuznetsk_city {pop19.at['kuznetsk_city', 'population']} "
                              f"({pop19.at['kuznetsk_city', 'source']}) and kuznetsky "
                              f"{pop19.at['kuznetsky', 'population']} ({pop19.at['kuznetsky', 'source']})"),
    }
    rows = pd.concat([rows, pd.DataFrame([kuz])], ignore_index=True)
    out = pd.DataFrame({
        "region_id": rows["region_id"],
        "name": rows["name_ru"],
        "lat": rows["lat"],
        "lon": rows["lon"],
        "population": rows["population"].astype(int),
        "population_year": 2019,
        "source": rows["population_source"],
    })
    return out.sort_values("region_id").reset_index(drop=True)


def staffing_rate(pct: pd.Series) -> pd.Series:
    """Staffing in %; seed 004 prints 0,8 / 1,0 for 80% / 100% in two cells (Kuznetsk)."""
    pct = pct.astype(float)
    return pct.where(pct > 1.5, pct * 100)


def district_vacancies(table: pd.DataFrame, population: pd.Series) -> pd.Series:
    """Vacant posts of the district service: positions - persons, whole and >= 0.

    persons = provision * population / 10,000; positions = persons / staffing rate
    (the seed's staffing is "укомплектованность физическими лицами", persons / positions).
    """
    t = table.set_index("region_id")
    persons = t["district_provision"] * population.reindex(t.index) / 10_000
    positions = persons / (staffing_rate(t["district_staffing_pct"]) / 100)
    return (positions - persons).clip(lower=0).round().astype(int)


def build(reference: Path) -> dict[str, pd.DataFrame]:
    seed = OUT / "seed004"
    reg = regions(reference)
    pop = reg.set_index("region_id")["population"]
    facts = pd.read_csv(OUT / "sources" / "settlement_facts.csv")

    # ---- facilities: one per district centre, plus those the seed names
    centre_pop = facts[facts["kind"].isin(["district_centre", "town"])].set_index("district_id")["population"]
    centre_pop = centre_pop.rename(index={"kuznetsk_city": "kuznetsk_kuznetsky"})
    fac = reg[["region_id", "lat", "lon"]].copy()
    fac["facility_id"] = fac["region_id"] + "_hospital"
    fac["name"] = [FACILITY_NAMES.get(r, (f"Районная больница ({n})", "RB"))[0]
                   for r, n in zip(reg["region_id"], reg["name"])]
    fac["type"] = [FACILITY_NAMES.get(r, ("", "RB"))[1] for r in reg["region_id"]]
    fac["rural"] = ~fac["region_id"].isin(CITIES)
    fac["settlement_population"] = fac["region_id"].map(centre_pop).astype("Int64")
    fac["notes"] = np.where(fac["settlement_population"].isna(),
                            "centre's population not found (see sources/settlement_facts.md)",
                            "district centre; population from sources/settlement_facts.csv")
    villages = facts[facts["kind"] == "village"].set_index("settlement_name_ru")
    named = [  # (village, type, facility name)
        ("Пролетарский", "FAP", 'ФАП п. Пролетарский ГБУЗ "Земетчинская РБ"'),
        ("Ушинка", "FAP", 'ФАП с. Ушинка ГБУЗ "Земетчинская РБ"'),
        ("Решетино", "FAP", 'ФАП с. Решетино Пачелмской УБ им. В.А. Баулина ГБУЗ "Нижнеломовская МРБ"'),
        ("Лопатки", "FAP", 'ФАП с. Лопатки ГБУЗ "Бессоновская РБ"'),
        ("Степановка", "FAP", 'ФАП с. Степановка ГБУЗ "Бессоновская РБ"'),
        ("Норовка", "VA", 'ВА с. Норовка ГБУЗ "Нижнеломовская МРБ"'),
    ]
    centres = reg.set_index("region_id")
    rows = []
    for village, kind, name in named:
        v = villages.loc[village]
        located = pd.notna(v["lat"])
        rows.append({
            "region_id": v["district_id"],
            "lat": v["lat"] if located else centres.at[v["district_id"], "lat"],
            "lon": v["lon"] if located else centres.at[v["district_id"], "lon"],
            "facility_id": f"{v['district_id']}_{v['settlement_name_en'].lower()}_{kind.lower()}",
            "name": name,
            "type": kind,
            "rural": True,
            "settlement_population": int(v["population"]),
            "notes": (f"named in seed 004; population {int(v['population'])} ({v['population_year']})"
                      + ("" if located else "; village coordinates not found: district centre's used")),
        })
    kuz = centres.loc["kuznetsk_kuznetsky"]
    rows.append({  # the modernised object of seed 004's Table 20 (a new polyclinic building, ЦАОП)
        "region_id": "kuznetsk_kuznetsky", "lat": kuz["lat"], "lon": kuz["lon"],
        "facility_id": "kuznetsk_kuznetsky_polyclinic",
        "name": 'Поликлиника ГБУЗ "Кузнецкая межрайонная больница" (ЦАОП)', "type": "polyclinic",
        "rural": False, "settlement_population": centre_pop.get("kuznetsk_kuznetsky"),
        "notes": ("named in seed 004 (list of modernised objects, No. 1; Tables 20-22, 27-28); the town's "
                  "centre point; population from sources/settlement_facts.csv"),
    })
    fac = pd.concat([fac, pd.DataFrame(rows)], ignore_index=True)
    fac["settlement_population"] = fac["settlement_population"].astype("Int64")
    fac["closed_town"] = fac["region_id"].eq("zarechny_city")
    fac.loc[fac["closed_town"], "notes"] += ("; Zarechny is a closed town (ЗАТО): reference/penza_districts.csv, "
                                             "row zarechny_city: «г. Заречный (ЗАТО, городской округ)»")
    fac = fac[["facility_id", "name", "region_id", "lat", "lon", "rural", "type",
               "settlement_population", "closed_town", "notes"]].sort_values("facility_id").reset_index(drop=True)

    # ---- vacancies
    doctors = pd.read_csv(seed / "doctors_2019.csv")
    mid = pd.read_csv(seed / "midlevel_2019.csv")
    doctors = doctors[doctors["region_id"] != "oblast_total"]
    mid = mid[mid["region_id"] != "oblast_total"]
    positions = pd.read_csv(seed / "primary_care_positions_2014_2019.csv")
    p19 = positions[positions["year"] == 2019].set_index("staff_group")
    vacant = (p19["positions"] - p19["occupied"]).reindex(list(DOCTOR_GROUPS))
    vacant.index = list(DOCTOR_GROUPS.values())

    t10, t13 = "seed 004 Table 10 (district doctors, 2019) and the staff-position rule", \
        "seed 004 Table 13 (mid-level staff of the district service, 2019) and the staff-position rule"
    vac_rows = []
    for region, n in district_vacancies(doctors, pop).items():
        for specialty, k in largest_remainder(int(n), vacant).items():
            vac_rows.append((f"{region}_hospital", specialty, int(k), t10, ""))
    for region, n in district_vacancies(mid, pop).items():
        vac_rows.append((f"{region}_hospital", "nurse", int(n), t13, ""))
    fap = p19.loc["fap_workers"]
    fap_total = int(round(fap["positions"] - fap["persons"]))
    rural = mid[~mid["region_id"].isin(CITIES)].set_index("region_id")
    need = pop.reindex(rural.index) * (1 - staffing_rate(rural["amb_staffing_pct"]) / 100)
    fap_source = "seed 004 primary-care positions table (FAP workers 2019: 532 positions, 468 persons)"
    for region, n in largest_remainder(fap_total, need).items():
        for specialty, k in largest_remainder(int(n), pd.Series(FAP_SPLIT)).items():
            vac_rows.append((f"{region}_hospital", specialty, int(k), fap_source, ""))
    vac_rows += NAMED_POSTS
    vac = pd.DataFrame(vac_rows, columns=["facility_id", "specialty", "vacancies", "source", "planned_date"])
    vac = vac.groupby(["facility_id", "specialty"], as_index=False).agg(
        vacancies=("vacancies", "sum"), source=("source", "first"), planned_date=("planned_date", "first"))
    vac = vac[vac["vacancies"] > 0].sort_values(["facility_id", "specialty"]).reset_index(drop=True)

    programmes = pd.DataFrame([
        {"programme_id": "zemsky_doctor_2020", "name": "Земский доктор (Пензенская область, 2020)",
         "payment": 1_000_000, "quota": 61, "budget": 61_000_000,
         "specialties": ";".join(sorted(DOCTOR_SPECIALTIES)), "region_id": "",
         "max_settlement_population": 50_000, "funding": "grant;paid", "closed_towns": True, "service_years": 5},
        {"programme_id": "zemsky_feldsher_2020", "name": "Земский фельдшер (Пензенская область, 2020)",
         "payment": 500_000, "quota": 26, "budget": 13_000_000,
         "specialties": "feldsher;midwife", "region_id": "", "max_settlement_population": 50_000,
         "funding": "grant;paid", "closed_towns": True, "service_years": 5},
    ])
    return {"regions": reg, "facilities": fac, "vacancies": vac, "programmes": programmes,
            "vacancies_agreed_need": agreed_need(vac)}


def agreed_need(vac: pd.DataFrame) -> pd.DataFrame:
    """The vacancies with the seed's ЦНИИОИЗ-agreed need for the three district-doctor specialties.

    Seed 004 (l.1250) gives oblast totals only: district therapists 13, district paediatricians 37,
    GPs 112. Each total is spread over the facilities in proportion to the staff-position rule's
    vacancies of that specialty (largest remainder), so the geography of the deficit is kept and
    only its size changes; every other post is as in ``vacancies.csv``.
    """
    rows = []
    for specialty, total in AGREED_NEED.items():
        own = vac[vac["specialty"] == specialty].set_index("facility_id")["vacancies"]
        for facility, n in largest_remainder(total, own).items():
            rows.append((facility, specialty, int(n), AGREED_SOURCE, ""))
    out = pd.concat([vac[~vac["specialty"].isin(list(AGREED_NEED))],
                     pd.DataFrame(rows, columns=list(vac.columns))], ignore_index=True)
    return out[out["vacancies"] > 0].sort_values(["facility_id", "specialty"]).reset_index(drop=True)


SCENARIO = """\
# Options of the bundled Penza round; the command line overrides them.
solver = "cbc"
# Default largest home-to-post distance, km (a graduate's own max_km wins).
max_km = 200
time_limit = 120
diminishing_returns = false
distances = "geodesic"
# The programmes' year (Zemsky doctor and feldsher, 2020) and the money unit of payments and budgets.
year = 2020
currency = "₽"
# Years of work owed by a targeted graduate: Federal Law No. 273-FZ «Об образовании в Российской
# Федерации», art. 56 (targeted training; as amended by No. 337-FZ of 03.08.2018): «не менее трех лет».
# A programme's own service_years (Zemsky: 5, programmes.csv) applies to those it pays.
[service_years]
targeted = 3
"""


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reference", type=Path, default=ROOT.parent / "shared" / "reference")
    args = parser.parse_args(argv)
    tables = build(args.reference)
    for name, frame in tables.items():
        frame.to_csv(OUT / f"{name}.csv", index=False, lineterminator="\n")
        print(f"{name}.csv: {len(frame)} rows")
    (OUT / "scenario.toml").write_text(SCENARIO, encoding="utf-8")
    vac = tables["vacancies"]
    print(vac.groupby("specialty")["vacancies"].sum().to_string())


if __name__ == "__main__":
    main()

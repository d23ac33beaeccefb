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


def regions(reference: Path) -> pd.DataFrame:
    ref = pd.read_csv(reference / "penza_districts.csv", dtype={"population_year": str})
    ref = ref.set_index("id")
    merged = ref.loc[["kuznetsk_city", "kuznetsky"]]
    rows = ref.drop(index=["kuznetsk_city", "kuznetsky"]).reset_index().rename(columns={"id": "region_id"})
    kuz = {
        "region_id": "kuznetsk_kuznetsky",
        "name_ru": "г. Кузнецк и Кузнецкий район",
        "lat": merged.at["kuznetsk_city", "lat"],
        "lon": merged.at["kuznetsk_city", "lon"],
        "population": int(merged["population"].sum()),
        "population_year": "2025+2018",
        "population_source": "sum of kuznetsk_city (2025) and kuznetsky (2018) rows of reference/penza_districts.csv",
    }
    rows = pd.concat([rows, pd.DataFrame([kuz])], ignore_index=True)
    out = pd.DataFrame({
        "region_id": rows["region_id"],
        "name": rows["name_ru"],
        "lat": rows["lat"],
        "lon": rows["lon"],
        "population": rows["population"].astype(int),
        "population_year": rows["population_year"].fillna("undated"),
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
    fac = pd.concat([fac, pd.DataFrame(rows)], ignore_index=True)
    fac = fac[["facility_id", "name", "region_id", "lat", "lon", "rural", "type",
               "settlement_population", "notes"]].sort_values("facility_id").reset_index(drop=True)

    # ---- vacancies
    doctors = pd.read_csv(seed / "doctors_2019.csv")
    mid = pd.read_csv(seed / "midlevel_2019.csv")
    doctors = doctors[doctors["region_id"] != "oblast_total"]
    mid = mid[mid["region_id"] != "oblast_total"]
    positions = pd.read_csv(seed / "primary_care_positions_2014_2019.csv")
    p19 = positions[positions["year"] == 2019].set_index("staff_group")
    vacant = (p19["positions"] - p19["occupied"]).reindex(list(DOCTOR_GROUPS))
    vacant.index = list(DOCTOR_GROUPS.values())

    vac_rows = []
    for region, n in district_vacancies(doctors, pop).items():
        for specialty, k in largest_remainder(int(n), vacant).items():
            vac_rows.append((f"{region}_hospital", specialty, int(k)))
    for region, n in district_vacancies(mid, pop).items():
        vac_rows.append((f"{region}_hospital", "nurse", int(n)))
    fap = p19.loc["fap_workers"]
    fap_total = int(round(fap["positions"] - fap["persons"]))
    rural = mid[~mid["region_id"].isin(CITIES)].set_index("region_id")
    need = pop.reindex(rural.index) * (1 - staffing_rate(rural["amb_staffing_pct"]) / 100)
    for region, n in largest_remainder(fap_total, need).items():
        for specialty, k in largest_remainder(int(n), pd.Series(FAP_SPLIT)).items():
            vac_rows.append((f"{region}_hospital", specialty, int(k)))
    # posts the seed names with graduates as their source (tables 27-28 and the object tables)
    vac_rows += [
        ("zemetchinsky_proletarsky_fap", "midwife", 1),
        ("zemetchinsky_ushinka_fap", "midwife", 1),
        ("pachelmsky_reshetino_fap", "midwife", 1),
        ("kuznetsk_kuznetsky_hospital", "oncologist", 2),
        ("kuznetsk_kuznetsky_hospital", "coloproctologist", 1),
        ("kuznetsk_kuznetsky_hospital", "obstetrician_gynaecologist", 1),
        ("kuznetsk_kuznetsky_hospital", "rehabilitation_physician", 1),
    ]
    vac = pd.DataFrame(vac_rows, columns=["facility_id", "specialty", "vacancies"])
    vac = vac.groupby(["facility_id", "specialty"], as_index=False)["vacancies"].sum()
    vac = vac[vac["vacancies"] > 0].sort_values(["facility_id", "specialty"]).reset_index(drop=True)

    programmes = pd.DataFrame([
        {"programme_id": "zemsky_doctor_2020", "name": "Земский доктор (Пензенская область, 2020)",
         "payment": 1_000_000, "quota": 61, "budget": 61_000_000,
         "specialties": "gp;paediatrician;therapist", "region_id": "", "max_settlement_population": 50_000},
        {"programme_id": "zemsky_feldsher_2020", "name": "Земский фельдшер (Пензенская область, 2020)",
         "payment": 500_000, "quota": 26, "budget": 13_000_000,
         "specialties": "feldsher;midwife", "region_id": "", "max_settlement_population": 50_000},
    ])
    return {"regions": reg, "facilities": fac, "vacancies": vac, "programmes": programmes}


SCENARIO = """\
# Options of the bundled Penza round; the command line overrides them.
solver = "cbc"
# Default largest home-to-post distance, km (a graduate's own max_km wins).
max_km = 200
time_limit = 120
diminishing_returns = false
distances = "geodesic"
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

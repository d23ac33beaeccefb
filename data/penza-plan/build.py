"""Build the Penza plan folder (data/penza-plan/*.csv) from seed 004's extracted tables.

Run from the repository root:  python data/penza-plan/build.py
Inputs: data/penza/seed004/{doctors_2019,midlevel_2019,komk_2019}.csv (seed 004, state on
31.12.2019), /work/shared/reference/penza_districts_census2021.csv (2021 census, district
shares only) and the seed figures written below with their seed line. Every derived number is
computed here; README.md explains each step and what is assumed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "penza" / "seed004"
OUT = Path(__file__).resolve().parent
CENSUS = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/reference/penza_districts_census2021.csv")

S004 = "seed 004 (Penza, pril. 10 to the regional programme, post. 18.12.2020 No 886-pP)"
BASE = 2019
POP_2019 = 1_318_103  # seed 004 line 820: population on 01.01.2019 (Rosstat); also Table No 20 line 586
WEIGHT = {"I": 2.0, "II": 1.6, "III": 1.3, "IV": 1.1, "V": 1.0}  # docs/indicators.md section 4

# Unnumbered table «Укомплектованность» after Таблица № 21 (seed 004 lines 630-681): staff positions
# («Штатная численность») of primary care, fact 2019 and plan 2020-2025.
POSITIONS = {
    "doctor": ("Врачи, занятые в первичном звене", 650,
               {2019: 3822.0, 2020: 3775.0, 2021: 3728.0, 2022: 3681.0, 2023: 3634.0, 2024: 3586.0, 2025: 3586.0}),
    "midlevel": ("СМП, занятый в первичном звене", 655,
                 {2019: 7145.75, 2020: 7235.75, 2021: 7225.75, 2022: 7215.75, 2023: 7205.75, 2024: 7195.75,
                  2025: 7195.75}),
}
# Same table, «Число физических лиц основных работников» 2019 (lines 652 and 657): the oblast totals
# the district figures are calibrated to.
PERSONS_2019 = {"doctor": 2604, "midlevel": 5848}
TABLE = {"doctor": ("doctors_2019.csv", "Table 10", "1019-1054"),
         "midlevel": ("midlevel_2019.csv", "Table 13 (unnumbered)", "1101-1134")}

# Pipeline (people already in training on 31.12.2019), see README "pipeline.csv".
DOCTOR_ARRIVALS_PAST = {2017: 74, 2018: 128, 2019: 99}  # seed line 1301: employed in primary care after accreditation
DOCTOR_COMPLETION = 0.6
MIDLEVEL_COMPLETION = 0.5
TARGETED_2019 = 190  # seed line 1280: targeted first-years admitted in 2019
COLLEGE_2019 = 425  # seed lines 1292-1296: first-years of the regional college in 2019


def populations() -> pd.DataFrame:
    census = pd.read_csv(CENSUS)
    pop = census.set_index("id")["population_2021_census"].astype(float)
    pop["kuznetsk_kuznetsky"] = pop.pop("kuznetsk_city") + pop.pop("kuznetsky")
    share = pop / pop.sum()
    return pd.DataFrame({"population_2019_est": (share * POP_2019).round(0), "population_2021_census": pop})


def main() -> None:
    komk = pd.read_csv(SEED / "komk_2019.csv").set_index("region_id")
    pops = populations()
    names = pd.read_csv(SEED / "doctors_2019.csv").set_index("region_id")["name_ru"]
    ids = [r for r in names.index if r != "oblast_total"]

    regions = pd.DataFrame({
        "region_id": ids,
        "name": [names[r] for r in ids],
        "weight": [WEIGHT[komk.at[r, "group"]] for r in ids],
        "komk_group": [komk.at[r, "group"] for r in ids],
        "population_2019_est": [int(pops.at[r, "population_2019_est"]) for r in ids],
        "source": [f"weight: KOMK group {komk.at[r, 'group']} of {S004}, final KOMK table lines 1220-1231 "
                   "(data/penza/seed004/komk_2019.csv), mapped I 2.0 II 1.6 III 1.3 IV 1.1 V 1.0 as in "
                   "docs/indicators.md; population_2019_est: 2021-census share (reference/"
                   "penza_districts_census2021.csv) x 1,318,103 (seed line 820, 01.01.2019)" for r in ids],
    })
    regions.to_csv(OUT / "regions.csv", index=False)

    work_rows, need_rows, vac = [], [], {}
    for spec, (label, line, plan) in POSITIONS.items():
        file, table, lines = TABLE[spec]
        t = pd.read_csv(SEED / file).set_index("region_id")
        persons = t.loc[ids, "amb_provision"] * pops.loc[ids, "population_2019_est"] / 10_000
        positions = persons / (t.loc[ids, "amb_staffing_pct"] / 100)
        # calibration to the oblast persons and positions of the «Укомплектованность» table (README)
        k = PERSONS_2019[spec] / persons.sum()
        kp = plan[BASE] / positions.sum()
        print(f"{spec}: derived persons {persons.sum():.1f} (x {k:.4f}), positions {positions.sum():.1f} (x {kp:.4f})")
        persons, positions = persons * k, positions * kp
        vac[spec] = (positions - persons).clip(lower=0)
        for r in ids:
            work_rows.append({
                "region_id": r, "specialty": spec, "year": BASE, "persons": round(persons[r], 1),
                "source": f"{S004} {table} (lines {lines}), outpatient staff («в амбулаторных условиях»): "
                          f"amb_provision {t.at[r, 'amb_provision']} per 10,000 x population_2019_est x {k:.4f} "
                          f"(calibration to the seed's {PERSONS_2019[spec]} primary-care persons 2019, "
                          f"«Укомплектованность» table line {line + 2})",
                "note": "physical persons on 31.12.2019; derived, not printed in the seed"})
        factor = {y: v / plan[BASE] for y, v in plan.items()}
        for r in ids:
            for y, f in factor.items():
                need_rows.append({
                    "region_id": r, "specialty": spec, "year": y, "need": round(positions[r] * f, 1),
                    "source": f"staff positions: derived persons / (amb_staffing_pct "
                              f"{t.at[r, 'amb_staffing_pct']} %), {table}, x {kp:.4f} (calibration to "
                              f"{plan[BASE]} positions 2019); {y} = 2019 x {plan[y]}/{plan[BASE]} ({label}, "
                              f"«Штатная численность», unnumbered table «Укомплектованность», seed line {line})",
                    "note": "staff positions (штатные должности), not persons" + (
                        "; 2020-2025 = the seed's planned oblast positions, split like 2019" if y > BASE else "")})
    work = pd.DataFrame(work_rows)
    work.to_csv(OUT / "workforce.csv", index=False)
    pd.DataFrame(need_rows).to_csv(OUT / "need.csv", index=False)

    # Oblast-level arrivals, split over the districts by their share of the 2019 vacancies.
    doctor_past = sum(DOCTOR_ARRIVALS_PAST.values()) / len(DOCTOR_ARRIVALS_PAST)
    arrivals = {("doctor", y): (doctor_past, "assumption: mean of the 74/128/99 doctors employed in primary "
                                "care after accreditation in 2017/2018/2019 (seed line 1301); the seed does not "
                                "give the 2014-2018 targeted intakes")
                for y in range(2020, 2025)}
    arrivals[("doctor", 2025)] = (TARGETED_2019 * DOCTOR_COMPLETION,
                                  f"190 targeted first-years of 2019 (seed line 1280) x completion "
                                  f"{DOCTOR_COMPLETION} (training.csv); 6-year specialitet, 2019+6")
    for y, intake_year in ((2020, 2017), (2021, 2018), (2022, 2019)):
        src = ("425 first-years of 2019 (seed lines 1288/1292-1296)" if intake_year == 2019 else
               f"assumption: {intake_year} intake = the 2019 intake of 425 (seed gives no {intake_year} figure)")
        arrivals[("midlevel", y)] = (COLLEGE_2019 * MIDLEVEL_COMPLETION,
                                     f"{src} x completion {MIDLEVEL_COMPLETION}; 3-year course, {intake_year}+3")
    pipe_rows = []
    for (spec, y), (total, src) in arrivals.items():
        share = vac[spec] / vac[spec].sum()
        for r in ids:
            pipe_rows.append({"region_id": r, "specialty": spec, "year": y,
                              "graduates": round(total * share[r], 2),
                              "source": src, "note": f"oblast total {total:g} split by the district's share of "
                                                     f"the 2019 vacancies (need - persons); split is an assumption"})
    pd.DataFrame(pipe_rows).to_csv(OUT / "pipeline.csv", index=False)

    print(work.groupby("specialty")["persons"].sum().round(0).to_dict(),
          pd.DataFrame(need_rows).query("year == 2019").groupby("specialty")["need"].sum().round(0).to_dict())


if __name__ == "__main__":
    main()

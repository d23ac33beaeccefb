"""The bundled Penza round true to seed 004 (issue 15): 2019 populations, the posts the seed names with
their source and date, the agreed-need basis, the closed town and the programmes' rules, and the round
rebuilt byte for byte by scripts/build_penza_round.py."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

from allocator.solve import solve
from allocator.validate import load_round

ROOT = Path(__file__).resolve().parents[2]
PENZA = ROOT / "data" / "penza"
REFERENCE = ROOT.parent / "shared" / "reference"
SEED_TOTAL_2019 = 1_318_103  # seed 004 l.820 (Rosstat, 01.01.2019)
NAMED = {"oncologist": 2, "coloproctologist": 1, "obstetrician_gynaecologist": 1, "rehabilitation_physician": 1}


def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(PENZA / name, dtype={"planned_date": str}, keep_default_na=False, na_values=[""])


def test_populations_are_of_the_seeds_year_and_sum_to_its_total():
    regions = _csv("regions.csv")
    assert len(regions) == 29 and int(regions["population"].sum()) == SEED_TOTAL_2019
    assert (regions["population_year"] == 2019).all()
    assert regions["source"].notna().all() and (regions["source"].str.len() > 20).all()
    sourced = regions[~regions["source"].str.startswith("estimate")]
    assert list(sourced["region_id"]) == ["bashmakovsky"] and int(sourced["population"].iloc[0]) == 19866
    kuz = regions.set_index("region_id").loc["kuznetsk_kuznetsky"]
    assert kuz["source"].startswith("estimate: sum of kuznetsk_city") and "kuznetsky" in kuz["source"]


def test_every_post_has_a_source_and_the_named_posts_their_date():
    vac = _csv("vacancies.csv")
    assert vac["source"].notna().all()
    poly = vac[vac["facility_id"] == "kuznetsk_kuznetsky_polyclinic"].set_index("specialty")
    assert poly["vacancies"].to_dict() == {**NAMED, "nurse": 4}
    assert "Table 20" in poly.at["nurse", "source"] and "4.5" in poly.at["nurse", "source"]
    assert (poly["planned_date"] == "31.12.2025").all()
    assert poly.drop(index="nurse")["source"].str.contains("Table № 27").all()
    fap = vac[vac["facility_id"].str.endswith("_fap")]
    assert set(fap["specialty"]) == {"midwife"} and len(fap) == 3 and (fap["planned_date"] == "01.01.2021").all()
    dated = vac[vac["planned_date"].notna()]
    assert len(dated) == len(poly) + len(fap)


def test_agreed_need_basis_changes_only_the_district_doctors():
    vac, agreed = _csv("vacancies.csv"), _csv("vacancies_agreed_need.csv")
    totals = agreed.groupby("specialty")["vacancies"].sum()
    assert totals[["therapist", "paediatrician", "gp"]].to_dict() == {"therapist": 13, "paediatrician": 37,
                                                                        "gp": 112}
    key = ["facility_id", "specialty"]
    others = vac[~vac["specialty"].isin(["therapist", "paediatrician", "gp"])].set_index(key)
    assert agreed[~agreed["specialty"].isin(["therapist", "paediatrician", "gp"])].set_index(key).equals(others)
    doctors = agreed[agreed["specialty"].isin(["therapist", "paediatrician", "gp"])]
    assert doctors["source"].str.contains("l.1250").all()
    staff = vac.set_index(key)["vacancies"]
    assert all(k in staff.index for k in doctors.set_index(key).index)  # spread where the rule has posts


def test_closed_town_and_programme_rules():
    fac, prog = _csv("facilities.csv"), _csv("programmes.csv").set_index("programme_id")
    assert list(fac.loc[fac["closed_town"], "facility_id"]) == ["zarechny_city_hospital"]
    doctor = prog.loc["zemsky_doctor_2020"]
    assert set(doctor["specialties"].split(";")) == {"gp", "paediatrician", "therapist", *NAMED}
    assert (prog["funding"] == "grant;paid").all() and prog["closed_towns"].all()
    assert (prog["service_years"] == 5).all()
    round_ = load_round(PENZA)
    assert round_.scenario.year == 2020 and round_.scenario.currency == "₽"
    assert dict(round_.scenario.service_years) == {"targeted": 3}


@pytest.fixture(scope="module")
def solved():
    return solve(load_round(PENZA))


def test_named_hires_are_placed_at_their_posts(solved):
    grads = _csv("graduates.csv")
    named = grads[grads["specialty"].isin(list(NAMED))]
    assert len(named) == 5 and named["max_km"].isna().all()
    placed = solved.assignments.set_index("graduate_id")
    assert set(named["graduate_id"]) <= set(placed.index)
    assert (placed.loc[named["graduate_id"], "facility_id"] == "kuznetsk_kuznetsky_polyclinic").all()


def test_a_programme_limit_binds(solved):
    prog = _csv("programmes.csv").set_index("programme_id")
    used = solved.assignments.dropna(subset=["programme_id"]).groupby("programme_id")
    people, spend = used.size(), used["payment"].sum()
    binding = [p for p in prog.index if people.get(p, 0) == prog.at[p, "quota"]
               or spend.get(p, 0) == prog.at[p, "budget"]]
    assert binding, (people.to_dict(), spend.to_dict())


@pytest.mark.skipif(not (REFERENCE / "penza_districts.csv").exists(), reason="needs ../shared/reference")
def test_build_script_rebuilds_the_files_byte_for_byte():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        spec = importlib.util.spec_from_file_location("build_penza_round", ROOT / "scripts" / "build_penza_round.py")
        script = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(script)
        tables = script.build(REFERENCE)
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    for name, frame in tables.items():
        text = frame.to_csv(index=False, lineterminator="\n")
        assert text == (PENZA / f"{name}.csv").read_text(encoding="utf-8"), name
    assert script.SCENARIO == (PENZA / "scenario.toml").read_text(encoding="utf-8")

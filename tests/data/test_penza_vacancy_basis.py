"""vacancy_basis: a round reads vacancies_X.csv instead of vacancies.csv (issue 15, Penza's agreed need)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from allocator.messages import InputError
from allocator.validate import load_round

PENZA = Path(__file__).resolve().parents[2] / "data" / "penza"


def _copy(tmp_path: Path, basis: str | None) -> Path:
    folder = tmp_path / "penza"
    shutil.copytree(PENZA, folder, ignore=shutil.ignore_patterns("villages", "seed004", "sources", "norms"))
    shutil.copytree(PENZA / "seed004", folder / "seed004")
    if basis is not None:
        toml = (folder / "scenario.toml").read_text(encoding="utf-8")
        # before any [table] of the file, so the key is a top-level option
        (folder / "scenario.toml").write_text(f'vacancy_basis = "{basis}"\n' + toml, encoding="utf-8")
    return folder


def test_basis_changes_what_is_read(tmp_path):
    folder = _copy(tmp_path, "test")
    own = pd.DataFrame({"facility_id": ["penza_city_hospital", "spassky_hospital"],
                        "specialty": ["therapist", "gp"], "vacancies": [3, 4]})
    own.to_csv(folder / "Vacancies_Test.csv", index=False)  # found as tables are: case ignored
    # the Penza lists name posts this file does not have: under another basis those rows are dropped
    # with a warning naming preferences.csv, row and column, not a refusal
    listed = load_round(folder)
    dropped = [w for w in listed.warnings if w.code == "preference_no_vacancy"]
    assert dropped and {w.file for w in dropped} == {"preferences.csv"} and all(w.row >= 2 for w in dropped)
    assert len(listed.preferences) == len(pd.read_csv(folder / "preferences.csv")) - len(dropped)
    (folder / "preferences.csv").unlink()
    round_ = load_round(folder)
    got = round_.vacancies[["facility_id", "specialty", "vacancies"]].astype({"vacancies": int})
    assert got.to_dict("records") == own.to_dict("records")
    assert round_.scenario.vacancy_basis == "test"
    default = load_round(_copy(tmp_path / "b", None))
    assert int(default.vacancies["vacancies"].sum()) == int(pd.read_csv(PENZA / "vacancies.csv")["vacancies"].sum())
    assert default.input_hash() != round_.input_hash()


def test_problems_name_the_file_read(tmp_path):
    folder = _copy(tmp_path, "bad")
    (folder / "preferences.csv").unlink()
    pd.DataFrame({"facility_id": ["nowhere"], "specialty": ["gp"], "vacancies": [1]}).to_csv(
        folder / "vacancies_bad.csv", index=False)
    with pytest.raises(InputError) as err:
        load_round(folder)
    files = {p.file for p in err.value.problems}
    assert files == {"vacancies_bad.csv"}, files


def test_missing_basis_file_is_named(tmp_path):
    folder = _copy(tmp_path, "missing")
    with pytest.raises(InputError) as err:
        load_round(folder)
    problems = err.value.problems
    assert [(p.file, p.code) for p in problems] == [("vacancies_missing.csv", "table_missing")]
    assert "vacancies_missing.csv" in err.value.report("en") and "vacancies_missing.csv" in err.value.report("ru")


@pytest.mark.parametrize("basis", ["../x", "a/b", " x"])
def test_basis_must_be_a_plain_name(tmp_path, basis):
    folder = _copy(tmp_path, basis)
    with pytest.raises(InputError) as err:
        load_round(folder)
    assert [p.column for p in err.value.problems] == ["vacancy_basis"]


def test_basis_on_a_workbook_is_a_problem(tmp_path):
    book = tmp_path / "penza.xlsx"
    with pd.ExcelWriter(book, engine="openpyxl") as writer:
        for name in ("regions", "facilities", "vacancies", "graduates", "programmes"):
            pd.read_csv(PENZA / f"{name}.csv", dtype=str).to_excel(writer, sheet_name=name, index=False)
        pd.DataFrame({"key": ["vacancy_basis"], "value": ["agreed_need"]}).to_excel(
            writer, sheet_name="scenario", index=False)
    with pytest.raises(InputError) as err:
        load_round(book)
    assert [(p.column, p.code) for p in err.value.problems] == [("vacancy_basis", "bad_option")]
    assert "vacancies_agreed_need.csv" in err.value.problems[0].message


def test_the_bundled_agreed_need_basis(tmp_path):
    from allocator.io import read_round

    raw = read_round(PENZA, vacancy_basis="agreed_need")
    assert raw.files["vacancies"] == "vacancies_agreed_need.csv" and not raw.problems
    assert raw.tables["vacancies"]["vacancies"].astype(int).sum() == 375
    folder = _copy(tmp_path, "agreed_need")
    (folder / "preferences.csv").unlink()  # the synthetic lists name posts of the default basis
    round_ = load_round(folder)
    doctors = round_.vacancies[round_.vacancies["specialty"].isin(["therapist", "paediatrician", "gp"])]
    assert doctors.groupby("specialty")["vacancies"].sum().to_dict() == {"gp": 112, "paediatrician": 37,
                                                                          "therapist": 13}

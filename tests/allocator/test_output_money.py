"""Money in the round's currency and the round's facts in the outputs (issue 15): the CLI summary,
summary.json, assignments.csv, deficits.csv and result.xlsx of tiny rounds built here."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from allocator import load_round, solve
from allocator.cli import format_summary, main
from allocator.output import assignment_facts, deficit_facts, write_solution
from allocator.scaling import money_decimals, money_text
from allocator.xlsx import money_format

NB = "\u00a0"
BENEFITS = {"подъёмное пособие 100 МРП", "кредит на жильё 2 500 МРП под 1 %"}


def tiny_frames() -> dict[str, pd.DataFrame]:
    """Two villages, two paid therapists; one programme paying 1 500 000,40 with two other benefits;
    one post with its source and planned date. Synthetic."""
    return {
        "regions": pd.DataFrame({"region_id": ["town", "village"], "name": ["Город", "Село"], "lat": [53.2, 53.4],
                                 "lon": [45.0, 45.3], "population": [50_000, 3_000], "weight": [1.0, 2.0]}),
        "facilities": pd.DataFrame({"facility_id": ["fT", "fV"], "name": ["Поликлиника", "Амбулатория"],
                                    "region_id": ["town", "village"], "lat": [53.2, 53.4], "lon": [45.0, 45.3],
                                    "rural": [False, True], "settlement_population": [50_000, 3_000]}),
        "vacancies": pd.DataFrame({"facility_id": ["fT", "fV"], "specialty": ["therapist", "therapist"],
                                   "vacancies": [1, 1], "source": ["Таблица 27", ""],
                                   "planned_date": ["IV кв. 2021", ""]}),
        "graduates": pd.DataFrame({"graduate_id": ["p1", "p2"], "specialty": ["therapist", "therapist"],
                                   "funding": ["paid", "paid"], "home_region_id": ["town", "village"]}),
        "programmes": pd.DataFrame({"programme_id": ["kz"], "name": ["С дипломом в село"], "payment": [1500000.40],
                                    "quota": [None], "budget": [3000000.80], "specialties": ["therapist"],
                                    "benefits": ["подъёмное пособие 100 МРП; кредит на жильё 2 500 МРП под 1 %"]}),
    }


def write_tiny(folder: Path, currency: str | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tiny_frames().items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    if currency is not None:
        (folder / "scenario.toml").write_text(f'currency = "{currency}"\n', encoding="utf-8")
    return folder


def with_caveat(round_):
    """The round with a weight caveat on the village (the columns data/penza/README.md names)."""
    regions = round_.regions.copy()
    regions["weight_caveat_ru"] = ["", "вес по опечаткам источника; исправленный — 1,0"]
    regions["weight_caveat_en"] = ["", "weight rests on the source's typos; corrected it is 1.0"]
    return dataclasses.replace(round_, regions=regions)


# ------------------------------------------------------------------------ money text


def test_money_with_kopecks_shows_exactly_with_its_sign():
    assert money_text(1500000.40, "ru", "₽") == f"1{NB}500{NB}000,40{NB}₽"
    assert money_text(1500000.40, "en", "₸") == f"1,500,000.40{NB}₸"
    assert money_text(264000, "ru", "сом") == f"264{NB}000{NB}сом"
    assert money_text(393200.0, "en", "₸") == f"393,200{NB}₸"  # a float's ".0" is no kopeck
    assert money_text(0.125, "ru", "₽") == f"0,125{NB}₽"  # more digits than kopecks are kept
    # no sign: exactly as before issue 15
    assert money_text(1500000.40, "ru") == money_text(1500000.40, "ru", None) == f"1{NB}500{NB}000,4"
    assert money_text(1500000.40) == "1,500,000.4"


def test_money_decimals_and_excel_format():
    assert money_decimals([1_000_000.0, None, float("nan")]) == 0
    assert money_decimals([1500000.4, 2.0]) == 2
    assert money_decimals([0.125]) == 3
    assert money_format("₸", 2) == '#,##0.00 "₸"'
    assert money_format("сом") == '#,##0 "сом"'
    assert money_format(None, 2) == "#,##0.00"


# ---------------------------------------------------------------------- the CLI


@pytest.fixture(scope="module")
def tenge_run(tmp_path_factory):
    """``allocator solve`` of the tiny round in tenge, in Russian and in English."""
    base = tmp_path_factory.mktemp("tenge")
    folder = write_tiny(base / "round", "₸")
    printed = {}
    for lang in ("ru", "en"):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            code = main(["solve", str(folder), "--out", str(base / f"out_{lang}"), "--no-store", "--lang", lang])
        assert code == 0
        printed[lang] = buf.getvalue()
    return base, printed


def test_cli_summary_shows_the_tenge_in_russian_and_english(tenge_run):
    _, printed = tenge_run
    assert f"расход 1{NB}500{NB}000,40{NB}₸ из 3{NB}000{NB}000,80{NB}₸" in printed["ru"]
    assert f"spend 1,500,000.40{NB}₸ of 3,000,000.80{NB}₸" in printed["en"]
    for lang, label in (("ru", "прочие меры поддержки: "), ("en", "other benefits: ")):
        (line,) = [x for x in printed[lang].splitlines() if label in x]
        assert set(line.split(label)[1].split("; ")) == BENEFITS


def test_summary_json_names_the_currency_and_keeps_spend_numeric(tenge_run):
    base, _ = tenge_run
    summary = json.loads((base / "out_en" / "summary.json").read_text(encoding="utf-8"))
    assert summary["currency"] == "₸"
    (prog,) = summary["programmes"]
    assert prog["spend"] == 1500000.4 and isinstance(prog["spend"], float)
    assert prog["budget"] == 3000000.8


def test_workbook_money_cells_are_numbers_in_the_tenge_format(tenge_run):
    base, _ = tenge_run
    wb = load_workbook(base / "out_ru" / "result.xlsx")
    sheet = wb["assignments"]
    header = [c.value for c in sheet[1]]
    payment = header.index("payment") + 1
    cells = [sheet.cell(row=r, column=payment) for r in range(2, sheet.max_row + 1)]
    assert sorted(c.value for c in cells) == [0, 1500000.4]
    assert all(isinstance(c.value, (int, float)) for c in cells)  # numbers: Excel sums them
    assert {c.number_format for c in cells} == {'#,##0.00 "₸"'}
    progs = wb["programmes"]
    head = [c.value for c in progs[1]]
    for column, value in (("spend", 1500000.4), ("budget", 3000000.8)):
        cell = progs.cell(row=2, column=head.index(column) + 1)
        assert cell.value == value and cell.number_format == '#,##0.00 "₸"'
    summary = {r[0].value: r[1].value for r in wb["summary"].iter_rows(min_row=2)}
    assert summary["currency"] == "₸"


def test_the_facts_reach_assignments_csv_and_the_workbook(tenge_run):
    base, _ = tenge_run
    out = base / "out_en"
    a = pd.read_csv(out / "assignments.csv", dtype=str, keep_default_na=False).set_index("graduate_id")
    # p2 lives in the village and is paid there by the programme; p1 takes the town post of Table 27
    assert a.at["p2", "programme_id"] == "kz"
    assert set(a.at["p2", "benefits"].split("; ")) == BENEFITS
    assert a.at["p1", "benefits"] == ""
    assert (a.at["p1", "post_source"], a.at["p1", "post_planned_date"]) == ("Таблица 27", "IV кв. 2021")
    assert (a.at["p2", "post_source"], a.at["p2", "post_planned_date"]) == ("", "")
    wb = load_workbook(out / "result.xlsx")
    rows = list(wb["assignments"].iter_rows(values_only=True))
    book = pd.DataFrame(rows[1:], columns=rows[0]).set_index("graduate_id")
    assert book.at["p1", "post_source"] == "Таблица 27" and book.at["p2", "benefits"] == a.at["p2", "benefits"]
    prog_rows = list(wb["programmes"].iter_rows(values_only=True))
    assert prog_rows[1][prog_rows[0].index("benefits")] == a.at["p2", "benefits"]


# ------------------------------------------------------------------- weight caveat


def test_the_weight_caveat_stands_beside_the_weight(tmp_path):
    round_ = with_caveat(load_round(write_tiny(tmp_path / "round", "сом")))
    solution = solve(round_)
    write_solution(solution, tmp_path / "out", round_)
    d = pd.read_csv(tmp_path / "out" / "deficits.csv", dtype=str, keep_default_na=False)
    cols = list(d.columns)
    assert cols[cols.index("weight_basis") + 1:cols.index("weight_basis") + 3] == ["weight_caveat_ru",
                                                                                   "weight_caveat_en"]
    village = d[d["region_id"] == "village"].iloc[0]
    assert village["weight_caveat_en"].startswith("weight rests on the source's typos")
    assert d[d["region_id"] == "town"].iloc[0]["weight_caveat_ru"] == ""
    rows = list(load_workbook(tmp_path / "out" / "result.xlsx")["deficits"].iter_rows(values_only=True))
    assert "вес по опечаткам источника; исправленный — 1,0" in [r[rows[0].index("weight_caveat_ru")] for r in rows]
    ru, en = format_summary(solution, "ru", round_), format_summary(solution, "en", round_)
    assert "оговорка к весу: Село, вес 2: вес по опечаткам источника; исправленный — 1,0" in ru
    assert "weight caveat: village, weight 2: weight rests on the source's typos; corrected it is 1.0" in en
    assert f"1{NB}500{NB}000,40{NB}сом" in ru
    assert "caveat" not in format_summary(solution, "en")  # without the round: no caveat to show


def test_facts_are_left_out_when_the_round_has_none(tmp_path):
    frames = tiny_frames()
    frames["vacancies"] = frames["vacancies"].drop(columns=["source", "planned_date"])
    frames["programmes"] = frames["programmes"].drop(columns=["benefits"])
    folder = tmp_path / "round"
    folder.mkdir()
    for name, frame in frames.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    round_ = load_round(folder)
    solution = solve(round_)
    assert list(assignment_facts(solution.assignments, round_).columns) == list(solution.assignments.columns)
    assert list(deficit_facts(solution.deficits, round_).columns) == list(solution.deficits.columns)


def test_a_round_without_currency_shows_what_it_showed(tmp_path):
    round_ = load_round(write_tiny(tmp_path / "round", None))
    solution = solve(round_)
    write_solution(solution, tmp_path / "out", round_)
    assert json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))["currency"] is None
    text = format_summary(solution, "ru", round_)
    assert f"расход 1{NB}500{NB}000,4 из 3{NB}000{NB}000,8" in text and "₽" not in text
    wb = load_workbook(tmp_path / "out" / "result.xlsx")
    head = [c.value for c in wb["programmes"][1]]
    assert wb["programmes"].cell(row=2, column=head.index("spend") + 1).number_format == "General"
    assert "currency" not in [r[0] for r in wb["summary"].iter_rows(values_only=True)]

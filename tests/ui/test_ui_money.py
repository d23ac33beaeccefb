"""The UI shows money in the round's currency and the round's facts (issue 15): ui.views and ui.i18n
on a tiny synthetic round in tenge, and the printable workbook built from them."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from allocator import load_round, solve
from ui import exports, i18n, state, views
from ui.i18n import t

NB = "\u00a0"
CAVEAT_RU = "вес по опечаткам источника; исправленный — 1,0"


def tiny_round(folder: Path, currency: str | None):
    """Town and village, two paid therapists, one programme paying 1 500 000,40 with two other
    benefits, a post with its source; a weight caveat on the village. Synthetic."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = {
        "regions": pd.DataFrame({"region_id": ["town", "village"], "name": ["Город", "Село"], "lat": [53.2, 53.4],
                                 "lon": [45.0, 45.3], "population": [50_000, 3_000], "weight": [1.0, 2.0]}),
        "facilities": pd.DataFrame({"facility_id": ["fT", "fV"], "name": ["Поликлиника", "Амбулатория"],
                                    "region_id": ["town", "village"], "lat": [53.2, 53.4], "lon": [45.0, 45.3],
                                    "rural": [False, True], "settlement_population": [50_000, 3_000]}),
        "vacancies": pd.DataFrame({"facility_id": ["fT", "fV"], "specialty": ["therapist", "therapist"],
                                   "vacancies": [1, 1], "source": ["Таблица 27", ""], "planned_date": ["2021", ""]}),
        "graduates": pd.DataFrame({"graduate_id": ["p1", "p2"], "specialty": ["therapist", "therapist"],
                                   "funding": ["paid", "paid"], "home_region_id": ["town", "village"]}),
        "programmes": pd.DataFrame({"programme_id": ["kz"], "name": ["С дипломом в село"], "payment": [1500000.40],
                                    "budget": [3000000.80], "specialties": ["therapist"],
                                    "benefits": ["подъёмное пособие 100 МРП; кредит на жильё"]}),
    }
    for name, frame in frames.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    if currency:
        (folder / "scenario.toml").write_text(f'currency = "{currency}"\n', encoding="utf-8")
    round_ = load_round(folder)
    regions = round_.regions.copy()
    regions["weight_caveat_ru"] = ["", CAVEAT_RU]
    regions["weight_caveat_en"] = ["", "weight rests on the source's typos; corrected it is 1.0"]
    return dataclasses.replace(round_, regions=regions)


@pytest.fixture(scope="module")
def tenge(tmp_path_factory):
    round_ = tiny_round(tmp_path_factory.mktemp("ui_tenge") / "round", "₸")
    return round_, solve(round_)


def test_money_helper_and_currency_of(tenge):
    round_, solution = tenge
    assert i18n.currency_of(round_) == i18n.currency_of(solution) == "₸"
    assert i18n.money(1500000.40, "ru", "₸") == f"1{NB}500{NB}000,40{NB}₸"
    assert i18n.money(264000, "en", "сом") == f"264,000{NB}сом"
    assert i18n.money(None, "ru", "₽") == "" and i18n.money(float("nan"), "ru", "₽") == ""
    assert i18n.money(1500000.40, "ru") == f"1{NB}500{NB}000,4"  # no currency: as before


def test_headline_spending_in_tenge(tenge):
    _, solution = tenge
    rows = dict(views.headline(solution, "ru"))
    assert rows["Расход по программе «С дипломом в село»"] == f"1{NB}500{NB}000,40{NB}₸ / 3{NB}000{NB}000,80{NB}₸"
    assert rows[t("f_currency", "ru")] == "₸"
    en = dict(views.headline(solution, "en"))
    assert en["Spending under “С дипломом в село”"] == f"1,500,000.40{NB}₸ / 3,000,000.80{NB}₸"


def test_tables_name_the_currency_and_keep_numbers(tenge):
    round_, solution = tenge
    table = views.assignments_table(round_, solution, "ru")
    shown = views.display_assignments(table[table["_region_id"] == "village"], "ru")  # a filtered table too
    assert "Выплата, ₸" in shown.columns and "Выплата, ₽" not in shown.columns
    assert shown["Выплата, ₸"].tolist() == [1500000.4]
    assert set(shown["Прочие меры поддержки"].iloc[0].split("; ")) == {"подъёмное пособие 100 МРП",
                                                                        "кредит на жильё"}
    whole = views.display_assignments(table, "en").set_index("Graduate")
    assert whole.at["p1", "Source of the post"] == "Таблица 27" and whole.at["p1", "Planned date of the post"] == "2021"
    progs = views.localise(views.programmes_table(solution, "en"), "en")
    assert {"Spent, ₸", "Budget, ₸"} <= set(progs.columns)
    assert progs["Spent, ₸"].tolist() == [1500000.4]


def test_the_weight_caveat_is_beside_the_weight_in_tables_and_the_map(tenge):
    round_, solution = tenge
    d = views.deficits_table(round_, solution, "ru")
    cols = list(d.columns)
    assert cols[cols.index("Основание веса") + 1] == "Оговорка к весу"
    assert d.set_index("Район").at["Село", "Оговорка к весу"] == CAVEAT_RU
    assert d.set_index("Район").at["Город", "Оговорка к весу"] == ""
    per = views.region_before_after(round_, solution, "en").set_index("region_id")
    assert views.region_label(per.loc["village"], "en").endswith(
        "weight 2 (weight rests on the source's typos; corrected it is 1.0)")
    assert views.region_label(per.loc["town"], "en").endswith("weight 1")
    deck = views.map_deck(round_, solution, "ru", basemap=False)
    (regions,) = [layer for layer in deck.layers if getattr(layer, "id", None) == "regions"]
    labels = [point["label"] for point in regions.data]
    assert [label for label in labels if CAVEAT_RU in label] == [
        f"Село: Вакансии 1, Распределено 1, Осталось 0; вес 2 ({CAVEAT_RU})"]


def test_printable_workbook_carries_the_currency_header_and_numbers(tenge):
    round_, solution = tenge
    record = state.RunRecord(name="Тенге", round=round_, solution=solution, log_text="", options={})
    wb = load_workbook(io.BytesIO(exports.result_workbook(record, "ru")))
    rows = list(wb[t("sheet_assignments", "ru")].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r and "Выплата, ₸" in r)
    col = rows[head].index("Выплата, ₸")
    assert sorted(r[col] for r in rows[head + 1:] if isinstance(r[col], (int, float))) == [0, 1500000.4]
    deficits = [v for r in wb[t("sheet_deficits", "ru")].iter_rows(values_only=True) for v in r]
    assert "Оговорка к весу" in deficits and CAVEAT_RU in deficits


def test_a_round_without_currency_shows_what_it_showed(tmp_path):
    round_ = tiny_round(tmp_path / "round", None)
    solution = solve(round_)
    assert i18n.currency_of(round_) is None
    rows = dict(views.headline(solution, "ru"))
    assert rows["Расход по программе «С дипломом в село», ₽"] == f"1{NB}500{NB}000,4 / 3{NB}000{NB}000,8"
    assert t("f_currency", "ru") not in rows
    shown = views.display_assignments(views.assignments_table(round_, solution, "ru"), "ru")
    assert t("col_payment", "ru") in shown.columns

"""Russian everywhere: plurals by the real CLDR rule, numbers in the Russian locale, words instead of
codes, empty cells shown empty."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ui import i18n

NBSP = "\u00a0"


@pytest.mark.parametrize("n, vacancy, graduate, programme", [
    (1, "вакансия", "выпускник", "программа поддержки"),
    (2, "вакансии", "выпускника", "программы поддержки"),
    (5, "вакансий", "выпускников", "программ поддержки"),
    (11, "вакансий", "выпускников", "программ поддержки"),
    (21, "вакансия", "выпускник", "программа поддержки"),
    (22, "вакансии", "выпускника", "программы поддержки"),
    (25, "вакансий", "выпускников", "программ поддержки"),
    (111, "вакансий", "выпускников", "программ поддержки"),
    (442, "вакансии", "выпускника", "программы поддержки"),
])
def test_russian_plurals_follow_the_cldr_rule(n, vacancy, graduate, programme):
    assert i18n.count(n, "vacancy", "ru") == f"{n}{NBSP}{vacancy}"
    assert i18n.count(n, "graduate", "ru") == f"{n}{NBSP}{graduate}"
    assert i18n.count(n, "programme", "ru") == f"{n}{NBSP}{programme}"


def test_english_plurals_and_large_counts():
    assert i18n.count(1, "graduate", "en") == f"1{NBSP}graduate"
    assert i18n.count(21, "graduate", "en") == f"21{NBSP}graduates"
    assert i18n.count(1021, "vacancy", "ru") == f"1{NBSP}021{NBSP}вакансия"
    assert i18n.count(1021, "vacancy", "en") == f"1,021{NBSP}vacancies"


def test_numbers_in_the_russian_locale():
    assert i18n.number(1234567.891, "ru", 1) == f"1{NBSP}234{NBSP}567,9"
    assert i18n.number(1234567.891, "en", 1) == "1,234,567.9"
    assert i18n.number(171.05, "ru", 1) == i18n.number(171.05, "en", 1).replace(".", ",")  # one rounding
    assert i18n.number(590, "ru", 1) == "590,0"
    assert i18n.number(0.125, "ru") == "0,125"
    for missing in (None, math.nan, pd.NA, float("inf")):
        assert i18n.number(missing, "ru") == ""
    assert i18n.seconds(1.256, "ru") == f"1,26{NBSP}с"
    assert i18n.seconds(1.256, "en") == f"1.26{NBSP}s"


def test_codes_become_words():
    assert i18n.funding("grant", "ru") == "грант"
    assert i18n.facility_type("FAP", "ru") == "ФАП"
    assert i18n.facility_type("RB", "ru") == "ЦРБ"
    assert i18n.status("optimal", "ru") == "оптимально"
    assert i18n.solver("flow", "ru").startswith("потоковый")
    assert i18n.weight_basis("KOMK group IV", "ru") == "группа КОМК IV"
    assert i18n.t("st_scenario_name", "ru", id=29) == "Расчёт № 29"
    for word in (i18n.funding, i18n.specialty, i18n.facility_type, i18n.solver, i18n.status):
        assert word(None, "ru") == "" and word(math.nan, "ru") == ""  # an empty cell stays empty
        assert word("something_else", "ru") == "something_else"


def test_headline_figures_are_written_as_russian_writes_numbers():
    from allocator import load_round, solve
    from ui import views

    solution = solve(load_round("data/penza"))
    ru = dict(views.headline(solution, "ru"))
    en = dict(views.headline(solution, "en"))
    assert ru[i18n.t("f_deficit_before", "ru")] == i18n.number(solution.weighted_deficit_before, "ru", 1) == "594,0"
    assert en[i18n.t("f_deficit_before", "en")] == "594.0"
    km = ru[i18n.t("f_total_km", "ru")]
    assert NBSP in km and "," in km and "." not in km
    assert ru[i18n.t("f_solver", "ru")] == i18n.solver(solution.solver, "ru")
    assert not any(v in ("None", "nan", "<NA>") for v in ru.values())

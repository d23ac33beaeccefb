"""allocator forecast: age bands, exit rows and leavers computed by hand; limits no plan can keep refused
when the plan is read; the rules keep every limit; the command line names the flag, the sheet and the
hidden sheet. Real files, real HiGHS, the real command line; nothing mocked."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from support.plans import write_plan

from allocator.forecast import load_plan, make_plan, project
from allocator.forecast.cli import main
from allocator.messages import InputError


def base_tables(**override) -> dict[str, list[str]]:
    tables = {
        "regions": ["region_id,name,weight", "a,A,1", "b,B,2"],
        "workforce": ["region_id,specialty,year,persons", "a,doc,2020,100", "b,doc,2020,50"],
        "need": ["region_id,specialty,year,need", "a,doc,2020,100", "b,doc,2020,60"],
        "training": ["specialty,years,completion_rate,cost", "doc,2,0.8,10"],
        "exits": ["specialty,exit_rate", "doc,0.1"],
    }
    tables.update(override)
    return tables


def problems_of(folder: Path) -> list[tuple]:
    with pytest.raises(InputError) as err:
        load_plan(folder)
    return [(p.file, p.row, p.column, p.code) for p in err.value.problems]


def admitted(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["region_id", "specialty", "year", "admitted"])


# ----------------------------------------------------------------------------- age bands


@pytest.mark.parametrize("band", ["130", "<3", "118-125"])
def test_an_age_band_outside_ages_0_to_120_is_refused_naming_its_row(tmp_path, band):
    folder = write_plan(tmp_path / "p", base_tables(
        workforce=["region_id,specialty,year,persons,age_band", f"a,doc,2020,100,{band}"],
        exits=["specialty,exit_rate,age_band", "doc,0.1,"]), "base_year = 2020\nhorizon = 3\n")
    assert problems_of(folder) == [("workforce.csv", 2, "age_band", "forecast_bad_band")]


def test_a_region_without_staff_follows_its_arrivals_by_age_when_the_specialty_is_given_by_age(tmp_path):
    # region a's staff are given by age, region b has none: b's arrivals join at 58, leave at 20 % a
    # year and retire at 60 like a's, not (as before) stay for ever at the all-ages rate of 0
    folder = write_plan(tmp_path / "p", base_tables(
        workforce=["region_id,specialty,year,persons,age_band", "a,doc,2020,100,55-59"],
        need=["region_id,specialty,year,need", "a,doc,2020,100", "b,doc,2020,50"],
        pipeline=["region_id,specialty,year,graduates", "b,doc,2021,10"],
        exits=["specialty,exit_rate,age_band,retirement_age", "doc,0.2,55-59,60", "doc,0.2,20-54,"],
        training=["specialty,years,completion_rate,cost,entry_age", "doc,1,1,10,58"]),
        "base_year = 2020\nhorizon = 5\n")
    table = project(load_plan(folder), admitted([("b", "doc", 2020, 10)]))
    b = table[table["region_id"] == "b"]
    # 2021: 10 from the pipeline + 10 admitted arrive at 58; 2022: 20 x 0.8 at 59; 2023: they turn 60
    assert b["stock"].tolist() == pytest.approx([0, 20, 16, 0, 0, 0])


def test_specialties_may_differ_in_whether_staff_are_given_by_age(tmp_path):
    folder = write_plan(tmp_path / "p", base_tables(
        workforce=["region_id,specialty,year,persons,age_band", "a,doc,2020,100,30-39", "a,nur,2020,50,"],
        need=["region_id,specialty,year,need", "a,doc,2020,100", "a,nur,2020,50"],
        training=["specialty,years,completion_rate,cost", "doc,2,0.8,10", "nur,1,1,5"],
        exits=["specialty,exit_rate,age_band,retirement_age", "doc,0.1,<30,65", "doc,0.05,30-64,", "nur,0.1,,"]),
        "base_year = 2020\nhorizon = 2\n")
    table = project(load_plan(folder))
    assert table.loc[table["specialty"] == "doc", "stock"].tolist() == pytest.approx([100, 95, 90.25])
    assert table.loc[table["specialty"] == "nur", "stock"].tolist() == pytest.approx([50, 45, 40.5])


@pytest.mark.parametrize("rows, row, column, code", [
    (["doc,0.1,", "doc,0.2,30-39,", "doc,0.3,30-39,"], 4, "age_band", "forecast_band_overlap"),
    (["doc,0.1,", "doc,0.2,30-39,", "doc,0.3,35-44,"], 4, "age_band", "forecast_band_overlap"),
    (["doc,0.1,,60", "doc,0.2,30-39,65"], 3, "retirement_age", "forecast_retirement_ages"),
    (["doc,0.1,,65", "doc,0.2,30-39,65", "doc,0.3,40-49,60"], 4, "retirement_age", "forecast_retirement_ages"),
])
def test_exit_rows_that_contradict_each_other_are_refused(tmp_path, rows, row, column, code):
    folder = write_plan(tmp_path / "p", base_tables(
        workforce=["region_id,specialty,year,persons,age_band", "a,doc,2020,100,30-39"],
        exits=["specialty,exit_rate,age_band,retirement_age", *rows]), "base_year = 2020\nhorizon = 3\n")
    assert problems_of(folder) == [("exits.csv", row, column, code)]


# ----------------------------------------------------------------------------- obligations ending


def test_more_leavers_than_staff_do_not_cancel_later_graduates(tmp_path):
    # 20 would leave in 2021, but only 10 are there: 10 leave, and 2023's 10 graduates stay
    folder = write_plan(tmp_path / "p", base_tables(
        workforce=["region_id,specialty,year,persons", "a,doc,2020,10"],
        need=["region_id,specialty,year,need", "a,doc,2020,10"],
        pipeline=["region_id,specialty,year,graduates", "a,doc,2023,10"],
        obligations=["region_id,specialty,year,persons,leave_share", "a,doc,2021,20,1"],
        exits=["specialty,exit_rate", "doc,0"]), "base_year = 2020\nhorizon = 4\n")
    table = project(load_plan(folder))
    assert table["stock"].tolist() == pytest.approx([10, 0, 0, 10, 10])
    assert table["left_after_service"].tolist() == pytest.approx([0, 10, 0, 0, 0])
    assert table["exits"].tolist() == pytest.approx([0, 10, 0, 0, 0])


# ----------------------------------------------------------------------------- limits no plan keeps


def test_a_minimum_above_the_regions_caps_is_refused_when_read(tmp_path):
    folder = write_plan(tmp_path / "p", base_tables(
        training=["specialty,years,completion_rate,cost,min_admissions", "doc,2,0.8,10,10"],
        caps=["region_id,specialty,max_admissions", "a,doc,3", "b,doc,4"]), "base_year = 2020\nhorizon = 4\n")
    assert problems_of(folder) == [("training.csv", 2, "min_admissions", "forecast_min_above_caps")]
    # one region uncapped: the minimum can be met there
    write_plan(folder, base_tables(
        training=["specialty,years,completion_rate,cost,min_admissions", "doc,2,0.8,10,10"],
        caps=["region_id,specialty,max_admissions", "a,doc,3"]), "base_year = 2020\nhorizon = 4\n")
    result = make_plan(load_plan(folder), "seed004")
    assert result.broken == () and (result.admitted[:, :3].sum(axis=0) >= 10).all()


def test_a_minimum_that_costs_more_than_the_budget_is_refused_when_read(tmp_path):
    folder = write_plan(tmp_path / "p", base_tables(
        training=["specialty,years,completion_rate,cost,min_admissions", "doc,2,0.8,150.05,10"]),
        "base_year = 2020\nhorizon = 4\nbudget = 1000\n")
    # every year the minimum binds in (admissions of 2020..2022 arrive by 2024), each said
    assert problems_of(folder) == [("forecast.toml", None, "budget", "forecast_min_above_budget")] * 3
    with pytest.raises(InputError) as err:
        load_plan(folder)
    first = err.value.problems[0]
    assert "1,500.5" in first.text("en") and "1\u00a0500,5" in first.text("ru")  # each language its own figures
    write_plan(folder, base_tables(training=["specialty,years,completion_rate,cost,min_admissions", "doc,2,0.8,1,10"]),
               "base_year = 2020\nhorizon = 4\n[budget]\n2021 = 5\n")
    assert problems_of(folder) == [("forecast.toml", None, "budget.2021", "forecast_min_above_budget")]


@pytest.mark.parametrize("training", [
    ["specialty,years,completion_rate,cost,min_admissions", "doc,2,0.8,10,", "nur,2,0.8,10,3"],  # no region has nur
    ["specialty,years,completion_rate,cost,min_admissions", "doc,7,0.8,10,5"],  # no course ends by 2025
])
def test_a_minimum_that_binds_nowhere_is_not_refused(tmp_path, training):
    folder = write_plan(tmp_path / "p", base_tables(
        training=training, caps=["region_id,specialty,max_admissions", "a,doc,1", "b,doc,1"]),
        "base_year = 2020\nhorizon = 5\n")
    plan = load_plan(folder)
    for rule in ("none", "seed004", "optimal"):
        assert make_plan(plan, rule).broken == (), rule


def test_when_the_time_runs_out_first_the_optimiser_returns_seed004s_plan_not_nothing(tmp_path):
    regions = ["region_id,name,weight"] + [f"r{i},R{i},{1 + i % 3}" for i in range(15)]
    staff = ["region_id,specialty,year,persons"] + [f"r{i},{s},2020,{10 + 3 * i}" for i in range(15)
                                                      for s in ("doc", "nur")]
    need = ["region_id,specialty,year,need"] + [f"r{i},{s},2020,{30 + 5 * i}.5" for i in range(15)
                                                 for s in ("doc", "nur")]
    folder = write_plan(tmp_path / "p", base_tables(
        regions=regions, workforce=staff, need=need, exits=["specialty,exit_rate", "doc,0.07", "nur,0.09"],
        training=["specialty,years,completion_rate,cost,min_admissions,max_admissions", "doc,3,0.9,7,,40",
                  "nur,2,0.8,3,2,60"]), "base_year = 2020\nhorizon = 8\nbudget = 300\n")
    plan = load_plan(folder)
    seed = make_plan(plan, "seed004")
    for limit in (1e-3, 0.01, 30):
        optimal = make_plan(plan.with_options(time_limit=limit), "optimal")
        assert optimal.broken == () and str(optimal.status) in ("optimal", "feasible"), limit
        assert optimal.weighted_deficit <= seed.weighted_deficit + 1e-6, limit


def test_seed004_meets_a_minimum_before_spending_the_budget_on_larger_requests(tmp_path):
    # doc asks for 30 a year and would take the whole budget of 10; nurse must admit 5 a year
    folder = write_plan(tmp_path / "p", {
        "regions": ["region_id,name,weight", "r,R,1", "s,S,1"],
        "workforce": ["region_id,specialty,year,persons", "r,doc,2020,0", "s,doc,2020,0", "r,nurse,2020,0"],
        "need": ["region_id,specialty,year,need", "r,doc,2020,100", "s,doc,2020,10", "r,nurse,2020,20"],
        "training": ["specialty,years,completion_rate,cost,min_admissions,max_admissions", "doc,6,1,1,,",
                     "nurse,1,1,1,5,"],
        "exits": ["specialty,exit_rate", "doc,0", "nurse,0"],
    }, "base_year = 2020\nhorizon = 8\nbudget = 10\n")
    plan = load_plan(folder)
    for rule in ("none", "seed004"):
        result = make_plan(plan, rule)
        assert result.broken == (), rule
        nurse = result.admitted[result.dyn.cells["specialty"].to_numpy() == "nurse"].sum(axis=0)
        assert (nurse[:8] >= 5).all(), rule
        assert (result.admitted.sum(axis=0) <= 10).all(), rule
    optimal = make_plan(plan, "optimal")
    assert optimal.weighted_deficit <= make_plan(plan, "seed004").weighted_deficit + 1e-9


# ----------------------------------------------------------------------------- the proof and the command line


def test_with_no_admission_possible_the_proof_bound_is_the_value(tmp_path, capsys):
    folder = write_plan(tmp_path / "p", base_tables(), "base_year = 2020\nhorizon = 1\n")
    result = make_plan(load_plan(folder), "optimal")
    proof = result.proof["deficit"]
    assert proof["status"] == "optimal" and proof["bound"] == pytest.approx(proof["value"])
    assert proof["value"] == pytest.approx(result.weighted_deficit)
    assert main([str(folder), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "doc" in err and "2" in err and "--horizon" in err  # the course cannot end: said, not silent
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["proof"]["deficit"]["bound"] == pytest.approx(summary["proof"]["deficit"]["value"])


@pytest.mark.parametrize("flags, where", [(["--horizon", "0"], "--horizon"), (["--gap", "3"], "--gap"),
                                          (["--time-limit", "0"], "--time-limit")])
def test_a_bad_command_line_value_is_blamed_on_its_flag(tmp_path, capsys, flags, where):
    folder = write_plan(tmp_path / "p", base_tables(), "base_year = 2020\nhorizon = 3\n")
    assert main([str(folder), "--out", str(tmp_path / "out"), *flags]) == 2
    err = capsys.readouterr().err
    assert f"- {where}:" in err and "forecast.toml" not in err
    assert not (tmp_path / "out").exists()


def workbook(path: Path, tables: dict[str, list[str]], options: dict | None, hidden: str | None = None) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, lines in tables.items():
        sheet = book.create_sheet(name)
        for line in lines:
            sheet.append([float(v) if v.replace(".", "", 1).isdigit() else v for v in line.split(",")])
        if name == hidden:
            sheet.sheet_state = "hidden"
    if options is not None:
        sheet = book.create_sheet("forecast")
        sheet.append(["key", "value"])
        for key, value in options.items():
            sheet.append([key, value])
    book.save(path)
    return path


def test_a_workbook_without_its_options_sheet_is_told_so(tmp_path, capsys):
    book = workbook(tmp_path / "plan.xlsx", base_tables(), None)
    assert main([str(book), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "plan.xlsx: sheet 'forecast' is missing" in err and "forecast.toml" not in err


def test_a_hidden_sheet_used_is_a_warning(tmp_path, capsys):
    book = workbook(tmp_path / "plan.xlsx", base_tables(), {"base_year": 2020, "horizon": 3}, hidden="need")
    assert main([str(book), "--out", str(tmp_path / "out"), "--plan", "none", "--lang", "ru"]) == 0
    err = capsys.readouterr().err
    assert "предупреждение" in err and "'need'" in err and "скрыт" in err


def test_rows_a_plan_does_not_use_are_warnings_not_silence(tmp_path, capsys):
    folder = write_plan(tmp_path / "p", base_tables(
        workforce=["region_id,specialty,year,persons", "a,doc,2020,100", "b,doc,2019,50"],
        training=["specialty,years,completion_rate,cost", "doc,2,0.8,10", "nur,1,1,5"],
        exits=["specialty,exit_rate", "doc,0.1", "nur,0.2"]),
        "base_year = 2020\nhorizon = 3\n[budget]\n1999 = 5\n2021 = 100\n")
    plan = load_plan(folder)
    assert [(w.file, w.row, w.column, w.code) for w in plan.warnings] == [
        ("workforce.csv", 3, "year", "forecast_rows_other_years"),
        ("exits.csv", 3, "specialty", "forecast_row_not_followed"),
        ("forecast.toml", None, "budget.1999", "forecast_budget_outside")]
    assert main([str(folder), "--out", str(tmp_path / "out"), "--plan", "none"]) == 0
    err = capsys.readouterr().err
    assert err.count("warning: ") == 3 and "workforce.csv, row 3, column 'year'" in err


def test_admissions_that_would_arrive_after_the_horizon_are_refused_by_the_projection(tmp_path):
    plan = load_plan(write_plan(tmp_path / "p", base_tables(), "base_year = 2020\nhorizon = 3\n"))
    assert project(plan, admitted([("a", "doc", 2021, 5)]))["stock"].notna().all()  # arrives in 2023
    with pytest.raises(ValueError, match="after the horizon"):
        project(plan, admitted([("a", "doc", 2022, 5)]))


def test_money_is_shown_with_the_plans_currency(tmp_path, capsys):
    folder = write_plan(tmp_path / "p", base_tables(training=["specialty,years,completion_rate,cost",
                                                              "doc,2,0.8,720000"]),
                        'base_year = 2020\nhorizon = 4\ncurrency = "сом"\n')
    assert load_plan(folder).options.currency == "сом"
    assert main([str(folder), "--out", str(tmp_path / "out"), "--plan", "seed004", "--lang", "ru"]) == 0
    assert "\u00a0сом" in capsys.readouterr().out
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["options"]["currency"] == "сом"
    (folder / "forecast.toml").write_text("base_year = 2020\nhorizon = 4\ncurrency = 5\n", encoding="utf-8")
    assert problems_of(folder) == [("forecast.toml", None, "currency", "forecast_option_bad")]

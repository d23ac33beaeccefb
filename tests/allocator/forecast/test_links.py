"""The forecast and the allocation (allocator/forecast/links.py, ``allocator forecast --placed``): a round's
placements join the plan in the round's year, their obligations end when the round recorded, the options of
a round refuse to be ignored, funding words are the round loader's, and age bands hold for new cells. Real
files and the real command line; the projections checked by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from support.plans import write_plan

from allocator.forecast import load_plan, project
from allocator.forecast.cli import main
from allocator.forecast.links import obligations_recorded, stock_after_round
from allocator.messages import InputError

ROOT = Path(__file__).resolve().parents[3]
PENZA, PENZA_PLAN = ROOT / "data" / "penza", ROOT / "data" / "penza-plan"
TO_PLAN = {"therapist": "doctor", "gp": "doctor", "paediatrician": "doctor", "oncologist": "doctor",
           "coloproctologist": "doctor", "obstetrician_gynaecologist": "doctor", "rehabilitation_physician": "doctor",
           "feldsher": "midlevel", "nurse": "midlevel", "midwife": "midlevel"}
EXIT = 0.05  # the small plan's doctors leave 5 % a year


def small(tmp_path: Path) -> Path:
    """Two regions of doctors (and nurses in a), base year 2020, to 2028; leave_after_service 0."""
    return write_plan(tmp_path / "plan", {
        "regions": ["region_id,name,weight", "a,Alpha,2", "b,Beta,"],
        "workforce": ["region_id,specialty,year,persons", "a,doc,2020,10", "b,doc,2020,20", "a,nurse,2020,30"],
        "need": ["region_id,specialty,year,need", "a,doc,2020,15", "b,doc,2020,22", "a,nurse,2020,40"],
        "training": ["specialty,years,completion_rate,cost", "doc,3,0.9,1000000", "nurse,2,0.8,300000"],
        "exits": ["specialty,exit_rate", f"doc,{EXIT}", "nurse,0.08"],
    }, "base_year = 2020\nhorizon = 8\n")


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def placements(tmp_path: Path, *extra: str, name: str = "assignments.csv") -> Path:
    """g1 and g2 placed in a, g3 in b, all therapists (the plan's doc); ``extra``: more columns' header
    and cells, as ``("service_until", "2023", "2025", "")``."""
    header, *cells = extra or ("",)
    rows = ["graduate_id,region_id,specialty" + (f",{header}" if header else "")]
    for i, (gid, region) in enumerate((("g1", "a"), ("g2", "a"), ("g3", "b"))):
        rows.append(f"{gid},{region},therapist" + (f",{cells[i]}" if header else ""))
    return write(tmp_path / name, *rows)


def projection(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "projection.csv").set_index(["region_id", "specialty", "year"])


def forecast(tmp_path: Path, name: str, plan: Path, *options: str) -> int:
    return main([str(plan), "--out", str(tmp_path / name), "--plan", "none", *options])


# ----------------------------------------------------------------------------- the round's year


def test_a_later_rounds_placements_arrive_as_pipeline_in_its_year_not_in_the_base_stock(tmp_path):
    plan = small(tmp_path)
    placed = placements(tmp_path)
    common = ["--placed", str(placed), "--map", "therapist=doc"]
    assert forecast(tmp_path, "plain", plan) == 0
    assert forecast(tmp_path, "same", plan, *common, "--round-year", "2020") == 0
    assert forecast(tmp_path, "later", plan, *common, "--round-year", "2021") == 0
    plain, same, later = (projection(tmp_path / n) for n in ("plain", "same", "later"))
    # a round of the base year joins its staff: 2 more in a from 2020, losing 5 % a year from 2021
    diff = (same["stock"] - plain["stock"]).loc[("a", "doc")]
    assert diff.loc[[2020, 2021, 2022]].tolist() == pytest.approx([2, 2 * 0.95, 2 * 0.95**2])
    # a 2021 round: nobody in 2020, all of them in 2021 (arrivals do not leave in their year)
    for region, n in (("a", 2), ("b", 1)):
        diff = (later["stock"] - plain["stock"]).loc[(region, "doc")]
        assert diff.loc[[2020, 2021, 2022, 2023]].tolist() == pytest.approx([0, n, n * 0.95, n * 0.95**2])
        assert (later["arrivals"] - plain["arrivals"]).loc[(region, "doc", 2021)] == pytest.approx(n)
    assert forecast(tmp_path, "last", plan, *common, "--round-year", "2028") == 0
    assert (projection(tmp_path / "last")["stock"] - plain["stock"]).loc[("a", "doc", 2028)] == pytest.approx(2)


def test_a_round_before_the_base_year_or_after_the_last_is_refused_naming_the_file(tmp_path, capsys):
    plan = small(tmp_path)
    placed = placements(tmp_path)
    common = ["--placed", str(placed), "--map", "therapist=doc"]
    assert forecast(tmp_path, "early", plan, *common, "--round-year", "2019") == 2
    err = capsys.readouterr().err
    assert f"{placed}: the round's year 2019 is before the plan's base year 2020" in err
    assert forecast(tmp_path, "late", plan, *common, "--round-year", "2029") == 2
    assert f"{placed}: the round's year 2029 is after the plan's last year 2028" in capsys.readouterr().err
    assert not (tmp_path / "early").exists() and not (tmp_path / "late").exists()
    assert forecast(tmp_path, "ru", plan, *common, "--round-year", "2019", "--lang", "ru") == 2
    assert "год распределения 2019 раньше базового года плана 2020" in capsys.readouterr().err


def test_service_by_funding_counts_from_the_rounds_year(tmp_path):
    plan = small(tmp_path)
    placed = placements(tmp_path)
    graduates = write(tmp_path / "graduates.csv", "graduate_id,funding", "g1,grant", "g2,paid", "g3,targeted")
    common = ["--placed", str(placed), "--map", "therapist=doc", "--round-year", "2021"]
    assert forecast(tmp_path, "kept", plan, *common) == 0
    assert forecast(tmp_path, "free", plan, *common, "--graduates", str(graduates), "--service", "targeted=3",
                    "--leave-share", "1") == 0
    kept, free = projection(tmp_path / "kept"), projection(tmp_path / "free")
    diff = (kept["stock"] - free["stock"]).round(9)
    # g3 (targeted, in b) starts in 2021 and is free in 2024, not 2023; g1's grant is not named: owes none
    assert diff.loc[("b", "doc", 2023)] == 0 and diff.loc[("b", "doc", 2024)] == pytest.approx(1)
    assert diff.loc[("b", "doc", 2025)] == pytest.approx(0.95)
    assert (diff.loc[("a", "doc")] == 0).all()
    assert free["left_after_service"].sum() == pytest.approx(1)


# ----------------------------------------------------------------------------- the round's own service_until


def test_the_rounds_service_until_ends_the_obligations_whatever_the_funding(tmp_path):
    plan = small(tmp_path)
    # g1 a grant holder to 2023, g2 paid but paid by Zemsky to 2025, g3 owes nothing
    placed = placements(tmp_path, "service_until", "2023", "2025", "")
    common = ["--placed", str(placed), "--map", "therapist=doc"]
    assert forecast(tmp_path, "kept", plan, *common) == 0  # leave_after_service 0: nobody leaves
    assert forecast(tmp_path, "free", plan, *common, "--leave-share", "1") == 0
    kept, free = projection(tmp_path / "kept"), projection(tmp_path / "free")
    diff = (kept["stock"] - free["stock"]).round(9)
    a = diff.loc[("a", "doc")]
    assert a.loc[[2022, 2023, 2024, 2025, 2026]].tolist() == pytest.approx(
        [0, 1, 0.95, 0.95**2 + 1, 0.95**3 + 0.95])
    assert (diff.loc[("b", "doc")] == 0).all()
    assert free.loc[("a", "doc"), "left_after_service"].loc[[2023, 2025]].tolist() == [1, 1]


def test_service_until_is_refused_when_not_a_year_or_not_after_the_round(tmp_path, capsys):
    plan = small(tmp_path)
    common = ["--map", "therapist=doc"]
    bad = placements(tmp_path, "service_until", "2023", "20x5", "2023.5", name="bad.csv")
    assert forecast(tmp_path, "o1", plan, "--placed", str(bad), *common) == 2
    err = capsys.readouterr().err
    assert f"{bad}, row 3, column 'service_until': not a number: '20x5'" in err
    assert f"{bad}, row 4, column 'service_until': not a whole number" in err
    early = placements(tmp_path, "service_until", "2023", "2021", "", name="early.csv")
    assert forecast(tmp_path, "o2", plan, "--placed", str(early), *common, "--round-year", "2021") == 2
    assert (f"{early}, row 3, column 'service_until': the obligation ends in 2021, not after 2021, the year the "
            "placement starts work") in capsys.readouterr().err
    with pytest.raises(InputError, match="row 2, column 'service_until'"):
        obligations_recorded(pd.DataFrame({"region_id": ["a"], "specialty": ["doc"], "service_until": [2020]}),
                             start_year=2020)


def test_graduates_and_service_are_refused_when_the_round_records_service_until(tmp_path, capsys):
    plan = small(tmp_path)
    placed = placements(tmp_path, "service_until", "2023", "2025", "")
    graduates = write(tmp_path / "graduates.csv", "graduate_id,funding", "g1,grant", "g2,paid", "g3,targeted")
    assert forecast(tmp_path, "o", plan, "--placed", str(placed), "--map", "therapist=doc",
                    "--graduates", str(graduates), "--service", "targeted=3") == 2
    err = capsys.readouterr().err
    assert f"--graduates: not used: {placed} records each placement's service_until" in err
    assert "--service: not used" in err


def test_a_solved_penza_round_joins_the_penza_plan_in_2020_with_its_own_obligations(tmp_path):
    from allocator.cli import main as allocator_main

    round_out = tmp_path / "round"
    assert allocator_main(["solve", str(PENZA), "--out", str(round_out), "--solver", "flow", "--no-store",
                           "-q"]) == 0
    assignments = pd.read_csv(round_out / "assignments.csv")
    graduates = pd.read_csv(PENZA / "graduates.csv").set_index("graduate_id")["funding"]
    ends = assignments["service_until"].dropna().astype(int).value_counts().to_dict()
    paid = assignments["graduate_id"].map(graduates).eq("paid") & assignments["service_until"].notna()
    assert paid.any()  # Zemsky pays voluntary graduates, who owe its 5 years too
    mapping = ",".join(f"{k}={v}" for k, v in TO_PLAN.items())
    assert forecast(tmp_path, "plain", PENZA_PLAN) == 0
    # no --round-year: the round's year, 2020, is read from the summary.json beside assignments.csv
    assert forecast(tmp_path, "fed", PENZA_PLAN, "--placed", str(round_out / "assignments.csv"), "--map", mapping,
                    "--leave-share", "1") == 0
    plain, fed = (pd.read_csv(tmp_path / n / "projection.csv") for n in ("plain", "fed"))
    by_year = fed.groupby("year")
    # the 2020 round does not change the plan's 2019 staff: it arrives in 2020
    assert by_year["stock"].sum()[2019] == pytest.approx(plain.groupby("year")["stock"].sum()[2019])
    assert by_year["arrivals"].sum()[2020] - plain.groupby("year")["arrivals"].sum()[2020] == pytest.approx(
        len(assignments))
    left = by_year["left_after_service"].sum()
    assert {y: round(v, 9) for y, v in left.items() if v} == ends  # 273-FZ's 3 years, Zemsky's 5


# ----------------------------------------------------------------------------- options refused, not ignored


@pytest.mark.parametrize("option", [["--map", "therapist=doc"], ["--graduates", "graduates.csv"],
                                    ["--service", "targeted=3"], ["--leave-share", "0.5"], ["--round-year", "2021"]])
def test_an_option_of_a_round_without_placed_is_refused(tmp_path, capsys, option):
    assert forecast(tmp_path, "o", small(tmp_path), *option) == 2
    assert f"{option[0]}: needs --placed" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_leave_share_without_obligations_is_refused(tmp_path, capsys):
    placed = placements(tmp_path)
    assert forecast(tmp_path, "o", small(tmp_path), "--placed", str(placed), "--map", "therapist=doc",
                    "--leave-share", "0.5") == 2
    assert "--leave-share: needs obligations to apply to" in capsys.readouterr().err


def test_service_names_a_funding_and_whole_years(tmp_path, capsys):
    plan = small(tmp_path)
    placed = placements(tmp_path)
    graduates = write(tmp_path / "graduates.csv", "graduate_id,funding", "g1,grant", "g2,paid", "g3,targeted")
    common = ["--placed", str(placed), "--map", "therapist=doc", "--graduates", str(graduates)]
    assert forecast(tmp_path, "o", plan, *common, "--service", "grnat=3,targeted=0") == 2
    err = capsys.readouterr().err
    assert "'grnat=3' is not funding" in err and "'targeted=0' is not funding" in err


# ----------------------------------------------------------------------------- the graduates file


def test_the_graduates_funding_in_russian_is_the_round_loaders(tmp_path):
    plan = small(tmp_path)
    placed = placements(tmp_path)
    graduates = write(tmp_path / "graduates.csv", "graduate_id,funding", "g1,грант", "g2,Целевое", "g3,платное")
    common = ["--placed", str(placed), "--map", "therapist=doc", "--graduates", str(graduates),
              "--leave-share", "1"]
    assert forecast(tmp_path, "o", plan, *common, "--service", "grant=3,целевое=2") == 0
    left = projection(tmp_path / "o")["left_after_service"]
    assert left.loc[("a", "doc", 2022)] == pytest.approx(1)  # g2, targeted («Целевое»): 2 years
    assert left.loc[("a", "doc", 2023)] == pytest.approx(1)  # g1, grant («грант»): 3 years
    assert left.sum() == pytest.approx(2)  # g3 paid («платное») owes none


def test_a_placed_graduate_missing_from_the_graduates_file_is_refused_with_its_row(tmp_path, capsys):
    plan = small(tmp_path)
    placed = placements(tmp_path)
    graduates = write(tmp_path / "graduates.csv", "graduate_id,funding", "g1,grant", "g3,targeted")
    assert forecast(tmp_path, "o", plan, "--placed", str(placed), "--map", "therapist=doc",
                    "--graduates", str(graduates), "--service", "grant=3") == 2
    err = capsys.readouterr().err
    assert f"{placed}, row 3, column 'graduate_id': graduate 'g2' is not in {graduates}" in err
    unknown = write(tmp_path / "unknown.csv", "graduate_id,funding", "g1,grant", "g2,lottery", "g3,paid")
    assert forecast(tmp_path, "o", plan, "--placed", str(placed), "--map", "therapist=doc",
                    "--graduates", str(unknown), "--service", "grant=3") == 2
    assert f"{unknown}, row 3, column 'funding'" in capsys.readouterr().err


# ----------------------------------------------------------------------------- age bands


def aged(tmp_path: Path) -> Path:
    """Doctors by age in a only; b needs doctors but has none; entry at 26; retirement at 65."""
    return write_plan(tmp_path / "aged", {
        "regions": ["region_id,name,weight", "a,A,1", "b,B,1", "c,C,1"],
        "workforce": ["region_id,specialty,year,persons,age_band", "a,doc,2020,10,30-39", "a,doc,2020,10,60+"],
        "need": ["region_id,specialty,year,need", "a,doc,2020,30", "b,doc,2020,10"],
        "training": ["specialty,years,completion_rate,cost,entry_age", "doc,3,1,1,26"],
        "exits": ["specialty,exit_rate,age_band,retirement_age", "doc,0.1,30-39,65", "doc,0.2,<30,65",
                  "doc,0.3,60+,65"],
    }, "base_year = 2020\nhorizon = 5\n")


def test_placements_into_a_cell_without_staff_of_an_aged_plan_age_and_leave_by_hand(tmp_path):
    plan = load_plan(aged(tmp_path))
    after = stock_after_round(plan, pd.DataFrame({"region_id": ["b", "b"], "specialty": ["doc", "doc"]}))
    b = after.workforce[after.workforce["region_id"] == "b"]
    assert b["age_band"].tolist() == ["26"] and b["persons"].tolist() == [2.0]
    stock = project(after).set_index(["region_id", "year"])["stock"].loc["b"]
    # at 26..29 the <30 band's 20 % leave a year, from 30 the 30-39 band's 10 %
    assert stock.tolist() == pytest.approx([2, 1.6, 1.28, 1.024, 0.8192, 0.8192 * 0.9])


def test_a_later_rounds_placements_into_new_cells_of_an_aged_plan_arrive_at_the_entry_age(tmp_path):
    folder = aged(tmp_path)
    placed = write(tmp_path / "assignments.csv", "graduate_id,region_id,specialty", "g1,b,doc", "g2,b,doc",
                   "g3,c,doc")
    assert forecast(tmp_path, "o", folder, "--placed", str(placed), "--round-year", "2021") == 0
    stock = pd.read_csv(tmp_path / "o" / "projection.csv").set_index(["region_id", "year"])["stock"]
    assert stock.loc["b"].tolist() == pytest.approx([0, 2, 1.6, 1.28, 1.024, 0.8192])
    assert stock.loc["c"].tolist() == pytest.approx([0, 1, 0.8, 0.64, 0.512, 0.4096])  # no staff, no need before


def test_placements_of_a_specialty_without_exit_rates_are_refused_and_an_exit_row_they_use_is_no_warning(
        tmp_path, capsys):
    plan = write_plan(tmp_path / "plan", {
        "regions": ["region_id,name,weight", "a,Alpha,1"],
        "workforce": ["region_id,specialty,year,persons", "a,doc,2020,10"],
        "need": ["region_id,specialty,year,need", "a,doc,2020,12"],
        "training": ["specialty,years,completion_rate,cost", "doc,2,0.9,1", "nur,1,1,1"],
        "exits": ["specialty,exit_rate", "doc,0.1", "nur,0.3"],
    }, "base_year = 2020\nhorizon = 3\n")
    placed = write(tmp_path / "assignments.csv", "graduate_id,region_id,specialty", "g1,a,nur")
    assert forecast(tmp_path, "used", plan, "--placed", str(placed), "--round-year", "2020") == 0
    assert "not used" not in capsys.readouterr().err  # nur's exit row follows the placed nurse
    nurse = pd.read_csv(tmp_path / "used" / "projection.csv").query("specialty == 'nur'")
    assert nurse["stock"].tolist() == pytest.approx([1, 0.7, 0.49, 0.343])
    (plan / "exits.csv").write_text("specialty,exit_rate\ndoc,0.1\n", encoding="utf-8")
    assert forecast(tmp_path, "none", plan, "--placed", str(placed), "--round-year", "2020") == 2
    err = capsys.readouterr().err
    assert f"{placed}, column 'specialty'" in err and "'nur'" in err and "exits.csv" in err

"""allocator sweep (issue 18): the grid file, its checks, and every row against a direct solve.

Real solvers throughout (the flow engine: exact and fast), a real process pool and a real
Dask LocalCluster; nothing is mocked.
"""

from __future__ import annotations

import csv
import json
import math
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from allocator.cli import main
from allocator.messages import InputError
from allocator.sweep.apply import apply_spec
from allocator.sweep.grid import expand, grid_from_mapping, read_grid
from allocator.sweep.runner import init_worker, prepare, run_scenario, run_sweep
from allocator.validate import load_round

ROOT = Path(__file__).resolve().parents[2]
PENZA = ROOT / "data" / "penza"
DOCTOR, FELDSHER = "zemsky_doctor_2020", "zemsky_feldsher_2020"


@pytest.fixture(scope="module")
def penza():
    return load_round(PENZA)


def _grid_file(tmp_path: Path, body: str, name: str = "grid.toml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def _table(out: Path) -> list[dict]:
    with (out / "scenarios.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# ----------------------------------------------------------------------------- the grid


def test_the_grid_is_the_product_in_file_order_then_the_named_scenarios(tmp_path, penza):
    path = _grid_file(tmp_path, f"""
[grid]
max_km = [100, 200]
programme.{DOCTOR}.budget = [1000000, 2000000, 3000000]
"weight.kamensky" = [2.5]

[[scenario]]
name = "wide"
max_km = 400

[[scenario]]
solver = "flow"
""")
    specs = expand(read_grid(path), penza)
    assert len(specs) == 2 * 3 * 1 + 2
    assert [s.name for s in specs] == ["s001", "s002", "s003", "s004", "s005", "s006", "wide", "n002"]
    assert [s.index for s in specs] == list(range(8))
    # the first key varies slowest; nested and quoted dotted keys are the same keys
    assert [(s.values["max_km"], s.values[f"programme.{DOCTOR}.budget"]) for s in specs[:6]] == [
        (100, 1000000), (100, 2000000), (100, 3000000), (200, 1000000), (200, 2000000), (200, 3000000)]
    assert all(s.values["weight.kamensky"] == 2.5 for s in specs[:6])
    assert specs[6].values == {"max_km": 400} and specs[7].values == {"solver": "flow"}


def test_names_widen_past_999_and_a_grid_alone_or_scenarios_alone_is_a_sweep(penza):
    big = grid_from_mapping({"grid": {"max_km": list(range(1000)), "solver": ["flow"]}}, "g.toml")
    specs = expand(big, penza)
    assert (len(specs), specs[0].name, specs[-1].name) == (1000, "s0001", "s1000")
    alone = expand(grid_from_mapping({"scenario": [{"name": "a", "max_km": 10}]}, "g.toml"), penza)
    assert [(s.name, s.values) for s in alone] == [("a", {"max_km": 10})]


BAD = [  # (grid file body, the key named in the problem, the problem's code)
    ("[grid]\nmax_kms = [1]\n", "grid.max_kms[1]", "cli_sweep_unknown_key"),
    ("[grid]\nweights = [1]\n", "grid.weights[1]", "cli_sweep_unknown_key"),
    ("[grid]\nmax_km = [100, -5]\n", "grid.max_km[2]", "option_out_of_range"),
    ("[grid]\nmax_km = [100, \"far\"]\n", "grid.max_km[2]", "option_out_of_range"),
    ("[grid]\nsolver = [\"flow\", \"gurobi\"]\n", "grid.solver[2]", "not_one_of"),
    ("[grid]\ndiminishing_returns = [true, \"yes\"]\n", "grid.diminishing_returns[2]", "not_true_false"),
    ("[grid]\nprogramme.nope.budget = [1]\n", "grid.programme.nope.budget[1]", "cli_sweep_unknown_programme"),
    (f"[grid]\nprogramme.{DOCTOR}.cost = [1]\n", f"grid.programme.{DOCTOR}.cost[1]", "cli_sweep_unknown_field"),
    (f"[grid]\nprogramme.{DOCTOR}.budget = [1e6, -1]\n", f"grid.programme.{DOCTOR}.budget[2]",
     "option_out_of_range"),
    (f"[grid]\nprogramme.{DOCTOR}.quota = [2.5]\n", f"grid.programme.{DOCTOR}.quota[1]", "not_whole_in_range"),
    (f"[grid]\nprogramme.{DOCTOR}.payment = [1234567.890123456]\n", f"grid.programme.{DOCTOR}.payment[1]",
     "money_inexact"),
    (f"[grid]\nprogramme.{DOCTOR}.payment = [true]\n", f"grid.programme.{DOCTOR}.payment[1]",
     "option_out_of_range"),
    ("[grid]\nweight.atlantis = [1]\n", "grid.weight.atlantis[1]", "cli_sweep_unknown_region"),
    ("[grid]\nweight.kamensky = [-2]\n", "grid.weight.kamensky[1]", "option_out_of_range"),
    ("[grid]\nweight_group.VI = [1]\n", "grid.weight_group.VI[1]", "cli_sweep_unknown_group"),
    ("[grid]\nweight_group.I = [1, \"high\"]\n", "grid.weight_group.I[2]", "option_out_of_range"),
    ("[grid]\nmax_km = 100\n", "grid.max_km", "cli_sweep_not_list"),
    ("[grid]\nmax_km = []\n", "grid.max_km", "cli_sweep_empty_list"),
    ("[[scenario]]\nmax_km = [1, 2]\n", "scenario[1].max_km", "cli_sweep_not_scalar"),
    ("[[scenario]]\nmax_km = 1\n[[scenario]]\nthreads = 0\n", "scenario[2].threads", "not_whole_in_range"),
    ("[[scenario]]\nname = \"../up\"\n", "scenario[1].name", "cli_sweep_bad_name"),
    ("[[scenario]]\nname = \"a\"\n[[scenario]]\nname = \"a\"\n", "name", "cli_sweep_duplicate_name"),
    ("[[scenario]]\nname = \"s001\"\n[grid]\nmax_km = [1]\n", "name", "cli_sweep_duplicate_name"),
    ("[grids]\nmax_km = [1]\n", "grids", "cli_sweep_unknown_table"),
    ("# nothing\n", None, "cli_sweep_empty"),
    ("[grid\nmax_km = [1]\n", None, "toml_unreadable"),
]


@pytest.mark.parametrize(("body", "where", "code"), BAD, ids=[b[2] + ":" + str(b[1]) for b in BAD])
def test_every_bad_key_or_value_is_refused_with_the_file_and_the_key(tmp_path, penza, capsys, body, where, code):
    path = _grid_file(tmp_path, body)
    with pytest.raises(InputError) as caught:
        expand(read_grid(path), penza)
    found = [(p.file, p.column, p.code) for p in caught.value.problems]
    assert (str(path), where, code) in found, found
    for problem in caught.value.problems:  # both languages, the key in the line
        assert problem.message and problem.message_ru
        assert str(path) in problem.line("ru") and (where is None or where in problem.line("en"))
    # the command line: exit 2, the file and the key in the message, nothing written
    out = tmp_path / "out"
    assert main(["sweep", str(PENZA), "--grid", str(path), "--out", str(out), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and (where is None or f"column '{where}'" in err), err
    assert not out.exists()


def test_every_problem_of_the_file_is_listed_at_once(tmp_path, penza):
    path = _grid_file(tmp_path, "[grid]\nmax_km = [-1]\nweight.atlantis = [1]\nsolver = [\"x\"]\n")
    with pytest.raises(InputError) as caught:
        expand(read_grid(path), penza)
    assert [p.column for p in caught.value.problems] == ["grid.max_km[1]", "grid.weight.atlantis[1]",
                                                          "grid.solver[1]"]


def test_group_weights_need_the_rounds_komk_groups(tmp_path):
    folder = tmp_path / "round"
    folder.mkdir()
    for file in PENZA.glob("*.csv"):  # the tables without the staffing data: no KOMK groups
        shutil.copy(file, folder)
    shutil.copy(PENZA / "scenario.toml", folder)
    path = _grid_file(tmp_path, "[grid]\nweight_group.I = [3]\n")
    with pytest.raises(InputError) as caught:
        expand(read_grid(path), load_round(folder))
    assert [(p.column, p.code) for p in caught.value.problems] == [("grid.weight_group.I[1]", "cli_sweep_no_groups")]


def test_the_command_line_refuses_a_bad_grid_with_exit_2_and_writes_nothing(tmp_path, capsys):
    path = _grid_file(tmp_path, f"[grid]\nmax_km = [100]\nprogramme.{DOCTOR}.budget = [5e6, -1]\n")
    out = tmp_path / "out"
    assert main(["sweep", str(PENZA), "--grid", str(path), "--out", str(out), "--lang", "ru"]) == 2
    err = capsys.readouterr().err
    assert f"{path}, столбец 'grid.programme.{DOCTOR}.budget[2]': должно быть числом от 0" in err
    assert not out.exists()
    assert main(["sweep", str(PENZA), "--grid", str(tmp_path / "missing.toml"), "--out", str(out),
                 "--lang", "en"]) == 2
    assert "missing.toml: no such file or folder" in capsys.readouterr().err
    (out / "notes.txt").parent.mkdir()
    (out / "notes.txt").write_text("mine")
    good = _grid_file(tmp_path, "[grid]\nmax_km = [100]\n", "good.toml")
    assert main(["sweep", str(PENZA), "--grid", str(good), "--out", str(out), "--lang", "en"]) == 2
    assert "notes.txt" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


# ----------------------------------------------------------------------------- applying a scenario


def test_a_scenario_changes_only_what_it_names(penza):
    base = penza.with_scenario(penza.scenario.replace(solver="flow"))
    regions = base.regions.set_index("region_id")
    group_i = sorted(regions.index[regions["indicator_basis"] == "KOMK group I"])
    assert group_i and (regions.loc[group_i, "weight"] == 2.0).all()
    changed = apply_spec(base, {"weight_group.I": 3.0, f"weight.{group_i[0]}": 5.0, "max_km": 120,
                                f"programme.{DOCTOR}.quota": 7, f"programme.{FELDSHER}.budget": 2600000.5})
    weights = changed.regions.set_index("region_id")["weight"]
    assert weights[group_i[0]] == 5.0 and (weights[group_i[1:]] == 3.0).all()
    others = [r for r in regions.index if r not in group_i]
    assert (weights[others] == regions.loc[others, "weight"]).all()
    assert changed.scenario.max_km == 120 and changed.scenario.solver == "flow"
    programmes = changed.programmes.set_index("programme_id")
    assert programmes.at[DOCTOR, "quota"] == 7 and programmes.at[FELDSHER, "budget"] == 2600000.5
    assert programmes.at[DOCTOR, "budget"] == base.programmes.set_index("programme_id").at[DOCTOR, "budget"]
    assert base.programmes.set_index("programme_id").at[DOCTOR, "quota"] == 61  # the base is untouched


# ----------------------------------------------------------------------------- rows against direct solves


def _scenario_folder(tmp_path: Path, penza, name: str, values: dict) -> Path:
    """The bundled round as a planner would edit it for one scenario: programmes.csv and scenario.toml."""
    folder = tmp_path / f"round-{name}"
    shutil.copytree(PENZA, folder)
    with (folder / "programmes.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        for field in ("quota", "budget", "payment"):
            key = f"programme.{row['programme_id']}.{field}"
            if key in values:
                row[field] = str(values[key])
    with (folder / "programmes.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    regions = penza.regions
    weights = {}
    for group in ("I", "II", "III", "IV", "V"):
        if f"weight_group.{group}" in values:
            hit = (regions["indicator_basis"] == f"KOMK group {group}") & regions["weight_given"].isna()
            weights.update({r: values[f"weight_group.{group}"] for r in regions.loc[hit, "region_id"]})
    toml = [f'solver = "{values.get("solver", "flow")}"', f'max_km = {values.get("max_km", 200)}',
            "time_limit = 120", "[weights]", *(f"{r} = {w}" for r, w in weights.items())]
    (folder / "scenario.toml").write_text("\n".join(toml) + "\n", encoding="utf-8")
    return folder


def test_each_row_equals_allocator_solve_of_that_scenario_on_a_pool_of_2(tmp_path, penza):
    grid = _grid_file(tmp_path, f"""
[grid]
solver = ["flow"]
max_km = [150, 250]
programme.{DOCTOR}.budget = [5000000, 61000000]
weight_group.I = [2.0, 3.5]
""")
    out = tmp_path / "sweep"
    assert main(["sweep", str(PENZA), "--grid", str(grid), "--out", str(out), "--workers", "2", "-q"]) == 0
    rows = _table(out)
    assert [r["scenario"] for r in rows] == [f"s{i:03d}" for i in range(1, 9)]
    assert list(rows[0])[:5] == ["scenario", "solver", "max_km", f"programme.{DOCTOR}.budget", "weight_group.I"]
    assert {r["status"] for r in rows} == {"optimal"}
    assert len({r["weighted_deficit"] for r in rows}) > 2  # the grid does change the answer
    specs = {s.name: s for s in expand(read_grid(grid), penza)}
    for name in ("s002", "s005", "s008"):  # a sample: each solved again as a planner would
        row = next(r for r in rows if r["scenario"] == name)
        folder = _scenario_folder(tmp_path, penza, name, specs[name].values)
        direct = tmp_path / f"solve-{name}"
        assert main(["solve", str(folder), "--out", str(direct), "--no-store", "-q"]) == 0
        summary = json.loads((direct / "summary.json").read_text(encoding="utf-8"))
        assert summary["status"] == row["status"]
        assert summary["objective"]["1_obligated_placed"] == int(row["obligated_placed"])
        assert summary["objective"]["2_weighted_deficit"] == float(row["weighted_deficit"])
        assert summary["total_km"] == float(row["total_km"])
        for p in summary["programmes"]:
            assert p["placed"] == int(row[f"places.{p['programme_id']}"])
            assert Decimal(repr(p["spend"])) == Decimal(row[f"spend.{p['programme_id']}"])


def test_the_dask_path_on_a_real_local_cluster_of_2_gives_the_same_rows(penza):
    grid = grid_from_mapping({"grid": {"solver": ["flow"], "max_km": [120, 300],
                                       f"programme.{FELDSHER}.quota": [3, 26]}}, "g.toml")
    specs = expand(grid, penza)
    rows = run_sweep(penza, specs, workers=2, dask="local")
    init_worker(prepare(penza, specs))  # the same function, in this process, for reference
    expected = [run_scenario(spec).row for spec in specs]
    strip = [{k: v for k, v in r.items() if k != "wall_s"} for r in rows]
    assert strip == [{k: v for k, v in r.items() if k != "wall_s"} for r in expected]
    assert [r[f"places.{FELDSHER}"] for r in rows][::2] == [3, 3]


def test_a_budget_changes_spend_as_expected_and_is_never_exceeded(tmp_path):
    payments = [500000, 333333.33]
    budgets = [0, 1250000, 2600000.5, 13000000]
    grid = _grid_file(tmp_path, f"""
[grid]
solver = ["flow"]
programme.{FELDSHER}.payment = {payments}
programme.{FELDSHER}.budget = {budgets}
""")
    out = tmp_path / "sweep"
    assert main(["sweep", str(PENZA), "--grid", str(grid), "--out", str(out), "--workers", "1", "-q",
                 "--keep-outputs"]) == 0
    rows = _table(out)
    assert len(rows) == 8
    unlimited = int(next(r for r in rows if r[f"programme.{FELDSHER}.budget"] == "13000000"
                         and r[f"programme.{FELDSHER}.payment"] == "500000")[f"places.{FELDSHER}"])
    assert 7 < unlimited <= 26  # the quota or the posts bind there; the smaller budgets bind below
    for row in rows:
        payment = Decimal(row[f"programme.{FELDSHER}.payment"])
        budget = Decimal(row[f"programme.{FELDSHER}.budget"])
        places, spend = int(row[f"places.{FELDSHER}"]), Decimal(row[f"spend.{FELDSHER}"])
        assert spend == payment * places and spend <= budget
        assert places == min(math.floor(budget / payment), unlimited)
        summary = json.loads((out / row["scenario"] / "summary.json").read_text(encoding="utf-8"))
        assert summary["objective"]["2_weighted_deficit"] == float(row["weighted_deficit"])
    # a second sweep without --keep-outputs leaves only its own table
    assert main(["sweep", str(PENZA), "--grid", str(grid), "--out", str(out), "-q", "--workers", "1"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["scenarios.csv"]

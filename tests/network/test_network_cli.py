import json
import subprocess
import sys

import pandas as pd
import pytest
from support.paths import ROOT

from network.cli import main
from network.examples import ROADS, SETTLEMENTS, facilities

PENZA = ROOT / "data" / "penza"


@pytest.fixture()
def files(tmp_path):
    SETTLEMENTS.to_csv(tmp_path / "settlements.csv", index=False)
    ROADS.to_csv(tmp_path / "roads.csv", index=False)
    facilities().to_csv(tmp_path / "facilities.csv", index=False)
    pts = SETTLEMENTS.rename(columns={"settlement_id": "id"})[["id", "lat", "lon"]]
    pts.iloc[:2].to_csv(tmp_path / "origins.csv", index=False)
    pts.iloc[2:5].to_csv(tmp_path / "destinations.csv", index=False)
    pd.DataFrame({"site_id": ["n1", "n2"], "facility_type": ["VA", "FAP"],
                  "settlement_id": ["E", "C"]}).to_csv(tmp_path / "candidates.csv", index=False)
    return tmp_path


def graph_args(d):
    return ["--settlements", str(d / "settlements.csv"), "--roads", str(d / "roads.csv")]


def test_matrix_writes_the_long_table(files):
    out = files / "m.csv"
    assert main(["matrix", *graph_args(files), "--origins", str(files / "origins.csv"),
                 "--destinations", str(files / "destinations.csv"), "--out", str(out)]) == 0
    df = pd.read_csv(out)
    assert list(df.columns) == ["origin_id", "destination_id", "km", "minutes", "source"]
    assert df.set_index(["origin_id", "destination_id"]).loc[("A", "E"), "km"] == pytest.approx(25)


def test_matrix_without_roads_uses_the_geodesic_fallback(files):
    out = files / "g.csv"
    assert main(["matrix", "--origins", str(files / "origins.csv"), "--destinations",
                 str(files / "destinations.csv"), "--out", str(out)]) == 0
    assert set(pd.read_csv(out)["source"]) == {"geodesic_fallback"}


def test_access_writes_regions_settlements_and_gaps(files):
    out, per, gaps = files / "a.csv", files / "s.csv", files / "gaps.csv"
    assert main(["access", *graph_args(files), "--facilities", str(files / "facilities.csv"), "--max-km", "10",
                 "--out", str(out), "--settlements-out", str(per), "--gaps-out", str(gaps)]) == 0
    regions = pd.read_csv(out).set_index("region_id")
    assert regions.loc["r1", "covered_population"] == 2100
    assert len(pd.read_csv(per)) == 6
    assert set(pd.read_csv(gaps)["settlement_id"]) == {"B", "C", "E"}


def test_plan_writes_sites_and_summary(files, capsys):
    out, summary = files / "p.csv", files / "p.json"
    assert main(["plan", *graph_args(files), "--candidates", str(files / "candidates.csv"), "--existing",
                 str(files / "facilities.csv"), "--k", "1", "--max-km", "10", "--out", str(out),
                 "--summary-out", str(summary)]) == 0
    sites = pd.read_csv(out)
    assert sites["site_id"].tolist() == ["n1"] and sites["staff_positions"].tolist() == [3.0]
    assert json.loads(summary.read_text())["newly_covered"] == 2500


def test_bad_input_exits_2_with_a_clear_message(files, capsys):
    roads = ROADS.copy()
    roads.loc[0, "to_id"] = "nowhere"
    roads.to_csv(files / "bad_roads.csv", index=False)
    code = main(["components", "--settlements", str(files / "settlements.csv"), "--roads",
                 str(files / "bad_roads.csv"), "--out", str(files / "c.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert "bad_roads.csv', row 1 (line 2), column 'to_id': unknown settlement 'nowhere'" in err
    assert main(["access", *graph_args(files), "--facilities", str(files / "missing.csv"), "--max-km", "5",
                 "--out", str(files / "x.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["access", *graph_args(files), "--facilities", str(files / "facilities.csv"),
                 "--out", str(files / "x.csv")]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["plan", "--k", "x"])
    assert exc.value.code == 2


def test_module_entry_point_on_the_penza_data(tmp_path):
    out = tmp_path / "components.csv"
    run = subprocess.run([sys.executable, "-m", "network", "components", "--settlements",
                          str(PENZA / "settlements.csv"), "--roads", str(PENZA / "roads.csv"), "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert pd.read_csv(out)["n_settlements"].tolist() == [29]
    help_run = subprocess.run([sys.executable, "-m", "network", "plan", "--help"], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
    assert "maximal covering" in help_run.stdout


def test_access_before_and_after_an_allocation(files):
    """--placed: the unstaffed VA at E receives a graduate, so E (2,500; 25 km from the FAP at A) is
    within 20 km after the allocation and not before; a placed file without facility_id is refused."""
    placed = files / "assignments.csv"
    pd.DataFrame({"graduate_id": ["g1"], "facility_id": ["va_e"]}).to_csv(placed, index=False)
    out = files / "access.csv"
    assert main(["access", *graph_args(files), "--facilities", str(files / "facilities.csv"), "--max-km", "20",
                 "--placed", str(placed), "--out", str(out), "--settlements-out", str(files / "per.csv")]) == 0
    df = pd.read_csv(out).set_index("region_id")
    assert df.loc["r2", "covered_before"] == 150 and df.loc["r2", "covered_after"] == 2650
    assert df.loc["r1", "gain"] == 0 and df["gain"].sum() == 2500
    per = pd.read_csv(files / "per.csv").set_index("settlement_id")
    assert per.loc["E", "nearest_facility_id"] == "va_e"  # the per-settlement table is "after"
    pd.DataFrame({"graduate_id": ["g1"]}).to_csv(placed, index=False)
    assert main(["access", *graph_args(files), "--facilities", str(files / "facilities.csv"), "--max-km", "30",
                 "--placed", str(placed), "--out", str(out)]) == 2


def test_penza_villages_access_after_the_bundled_allocation(tmp_path):
    """The bundled round solved for real, its assignments.csv passed to the village network: every
    facility receiving graduates is staffed already, so before = after = 928,642 (data/penza/README.md)."""
    from allocator.cli import main as allocator_main

    run = tmp_path / "run"
    assert allocator_main(["solve", str(PENZA), "--out", str(run)]) == 0
    villages = PENZA / "villages"
    out = tmp_path / "access.csv"
    assert main(["access", "--settlements", str(villages / "settlements.csv"), "--roads", str(villages / "roads.csv"),
                 "--facilities", str(villages / "staffed_facilities.csv"), "--max-km", "6",
                 "--placed", str(run / "assignments.csv"), "--out", str(out)]) == 0
    df = pd.read_csv(out)
    assert df["covered_before"].sum() == df["covered_after"].sum() == 928_642
    assert df["population"].sum() == 1_266_348

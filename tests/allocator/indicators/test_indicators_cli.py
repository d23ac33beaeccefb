"""``allocator indicators ROUND [--out FILE]`` (allocator.indicators.cli.main)."""
import io

import pandas as pd
from support.rounds import six_group_staffing

from allocator.indicators.cli import main
from allocator.indicators.seed004 import SEED004_DIR

PENZA = SEED004_DIR.parent


def test_penza_round(tmp_path):
    out = tmp_path / "ind.csv"
    assert main([str(PENZA), "--out", str(out)]) == 0
    t = pd.read_csv(out)
    assert len(t) == 29
    for col in ("region_id", "kov", "kosmp", "komk", "group", "weight", "weight_basis",
                "group_published", "doctors_all_staffing_pct", "doctors_provision_slope_per_year"):
        assert col in t.columns
    assert (t.group == t.group_published).all()
    assert t.iloc[0].region_id == "kuznetsk_kuznetsky" and t.iloc[0].weight == 2.0
    assert t.set_index("region_id").loc["penza_city", "weight"] == 1.0


def test_seed_folder_directly_and_stdout(capsys):
    assert main([str(SEED004_DIR), "--cut-method", "quantile"]) == 0
    t = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(t) == 29 and t.group.value_counts().min() >= 5


def test_corrected_moves_kuznetsk(tmp_path):
    out = tmp_path / "c.csv"
    assert main([str(PENZA), "--out", str(out), "--corrected"]) == 0
    t = pd.read_csv(out).set_index("region_id")
    assert t.loc["kuznetsk_kuznetsky", "group"] == "V"


def test_weight_override(tmp_path):
    out = tmp_path / "w.csv"
    assert main([str(PENZA), "--out", str(out), "--weights", "I=3,II=2"]) == 0
    t = pd.read_csv(out)
    assert set(t[t.group == "I"].weight) == {3.0}


def _staffing_round(folder):
    six_group_staffing({"r1": 1.0, "r2": 0.6, "kuznetsk_kuznetsky": 0.9}).to_csv(folder / "staffing.csv", index=False)
    regions = ["r1", "r2", "r3", "kuznetsk_kuznetsky"]
    pd.DataFrame({"region_id": regions, "population": [20_000] * len(regions)}).to_csv(
        folder / "regions.csv", index=False)


def test_staffing_round_with_regions(tmp_path, capsys):
    _staffing_round(tmp_path)
    pops = pd.read_csv(tmp_path / "regions.csv")
    pops = pops[pops.region_id != "r3"]
    pops.to_csv(tmp_path / "population.csv", index=False)
    out = tmp_path / "ind.csv"
    assert main([str(tmp_path), "--out", str(out)]) == 0
    t = pd.read_csv(out)
    assert set(t.region_id) == {"r1", "r2", "kuznetsk_kuznetsky"}
    assert t.iloc[0].region_id == "r2"
    assert "r3" in capsys.readouterr().err  # listed in regions.csv, no indicators


def test_combined_formation_expanded_to_round_regions(tmp_path):
    _staffing_round(tmp_path)
    pd.DataFrame({"region_id": ["r1", "r2", "kuznetsk_kuznetsky"], "population": [20_000] * 3}).to_csv(
        tmp_path / "population.csv", index=False)
    pd.DataFrame({"region_id": ["r1", "r2", "kuznetsk_city", "kuznetsky"]}).to_csv(
        tmp_path / "regions.csv", index=False)
    out = tmp_path / "ind.csv"
    assert main([str(tmp_path), "--out", str(out)]) == 0
    t = pd.read_csv(out).set_index("region_id")
    assert "kuznetsk_kuznetsky" not in t.index
    assert t.loc["kuznetsk_city", "komk"] == t.loc["kuznetsky", "komk"]


def test_bad_round_exit_code(tmp_path, capsys):
    assert main([str(tmp_path)]) == 2
    assert "neither staffing.csv nor seed004" in capsys.readouterr().err
    (tmp_path / "staffing.csv").write_text("region_id,staff_group,positions,occupied,persons\n"
                                           "a,doctors,1,1,\n")
    (tmp_path / "population.csv").write_text("region_id,population\na,100\n")
    assert main([str(tmp_path)]) == 2
    assert "region_id='a', staff_group='doctors': column 'persons' is missing" in capsys.readouterr().err

"""Kuznetsk's weight caveat (issue 15): the published KOMK group I rests on the seed's «0,8» and «1,0»;
corrected, the group is V. The default stays the published weight; the caveat is data on Round.regions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from allocator.indicators import load_seed004
from allocator.indicators.caveats import CAVEAT_COLUMNS, group_caveats
from allocator.validate import load_round

PENZA = Path(__file__).resolve().parents[3] / "data" / "penza"


@pytest.fixture(scope="module")
def caveats():
    return group_caveats(PENZA).set_index("region_id")


def test_printed_tables_give_the_published_groups(caveats):
    published = load_seed004(PENZA / "seed004").komk.set_index("region_id")["group"]
    assert caveats["group_published_tables"].to_dict() == published.astype(str).to_dict()


def test_only_kuznetsk_changes_group_when_corrected(caveats):
    changed = caveats[caveats["group_published_tables"] != caveats["group_corrected"]]
    assert list(changed.index) == ["kuznetsk_kuznetsky"]
    row = changed.loc["kuznetsk_kuznetsky"]
    assert (row["group_published_tables"], row["group_corrected"]) == ("I", "V")
    assert (row["weight_published_tables"], row["weight_corrected"]) == (2.0, 1.0)
    for column in CAVEAT_COLUMNS:
        text = row[column]
        assert "«0,8»" in text and "«1,0»" in text and " I" in text and " V" in text, text
    assert "группа КОМК I" in row["weight_caveat_ru"] and "вес 1,0" in row["weight_caveat_ru"]
    assert "group I" in row["weight_caveat_en"] and "weight 1.0" in row["weight_caveat_en"]
    assert (caveats.drop(index="kuznetsk_kuznetsky")[list(CAVEAT_COLUMNS)] == "").all().all()


def test_round_keeps_the_published_weight_and_carries_the_caveat():
    regions = load_round(PENZA).regions.set_index("region_id")
    kuz = regions.loc["kuznetsk_kuznetsky"]
    assert kuz["weight"] == 2.0 and kuz["weight_basis"] == "KOMK group I"
    assert kuz["weight_caveat_en"].startswith("Default weight 2.0 (KOMK group I)")
    assert kuz["weight_caveat_ru"].startswith("Вес по умолчанию 2,0 (группа КОМК I)")
    others = regions.drop(index="kuznetsk_kuznetsky")
    assert (others[list(CAVEAT_COLUMNS)] == "").all().all()


def test_no_caveat_when_kuznetsk_weight_is_given(tmp_path):
    folder = tmp_path / "penza"
    shutil.copytree(PENZA, folder, ignore=shutil.ignore_patterns("villages"))
    regions = pd.read_csv(folder / "regions.csv")
    regions["weight"] = regions["region_id"].map({"kuznetsk_kuznetsky": 1.5})
    regions.to_csv(folder / "regions.csv", index=False)
    round_ = load_round(folder)
    assert not set(CAVEAT_COLUMNS) & set(round_.regions.columns)
    assert round_.regions.set_index("region_id").at["kuznetsk_kuznetsky", "weight"] == 1.5

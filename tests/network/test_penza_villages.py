"""The shipped Penza village network (data/penza/villages/): schema, census coverage, labels, counts."""

import re
import warnings

import networkx as nx
import pandas as pd
import pytest
from support.paths import PENZA, SHARED

from network import build_road_graph, rule_gaps
from network.schema import schema, validate_table

VILLAGES = PENZA / "villages"
REFERENCE = SHARED / "reference"
LEVELS = {"urban_okrug", "urban_settlement", "rural_settlement"}


@pytest.fixture(scope="module")
def tables():
    return (pd.read_csv(VILLAGES / "settlements.csv"), pd.read_csv(VILLAGES / "roads.csv"),
            pd.read_csv(VILLAGES / "staffed_facilities.csv"), pd.read_csv(VILLAGES / "candidates.csv"))


@pytest.fixture(scope="module")
def graph(tables):
    s, r, _, _ = tables
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no disconnected-network or unknown-road-class warning
        return build_road_graph(s, r)


def test_files_validate_with_the_network_schema(tables):
    s, r, f, c = tables
    cols = schema()
    for df, name in ((s, "settlements"), (r, "roads"), (f, "facilities"), (c, "candidates")):
        assert validate_table(df, list(cols[name]), name, raise_errors=False) == []
    ids = set(s["settlement_id"])
    assert set(r["from_id"]) | set(r["to_id"]) <= ids
    assert set(f["settlement_id"]) <= ids and set(c["settlement_id"]) <= ids


def test_every_census_unit_once_with_its_2021_population(tables):
    s, _, _, _ = tables
    assert len(s) == 291 and s["settlement_id"].is_unique
    assert s["level"].value_counts().to_dict() == {"rural_settlement": 264, "urban_settlement": 24, "urban_okrug": 3}
    assert (s["population_year"] == 2021).all() and s["population_source"].str.contains("VPN-2020").all()
    assert int(s["population"].sum()) == 1266348  # the oblast's 2021 census total
    assert int(s.loc[s["level"] == "rural_settlement", "population"].sum()) == 392265
    if REFERENCE.is_dir():
        units = pd.read_csv(REFERENCE / "penza_municipal_units_2021.csv")
        units = units[units["level"].isin(LEVELS)]
        got = sorted(zip(s["district_ru"], s["population"]))
        assert got == sorted(zip(units["district"], units["population_2021"]))


def test_estimated_rows_are_marked_with_their_method(tables):
    s, r, _, _ = tables
    assert set(s["coord_basis"]) == {"sourced", "named_village", "estimated"}
    est = s[s["coord_basis"] == "estimated"]
    assert len(est) == 236
    assert est["coord_source"].str.startswith("estimated: ").all()
    assert s["coord_source"].notna().all() and r["source"].notna().all()
    assert set(r["basis"]) <= {"road_km", "distance_unspecified", "road_km_raised_to_geodesic",
                               "distance_unspecified_raised_to_geodesic", "estimated"}
    local = r[r["road_class"] == "local"]
    assert (local["basis"] == "estimated").all() and local["source"].str.contains("detour factor").all()
    assert (r["basis"] != "estimated").sum() == 31  # the sourced district-table rows, as in data/penza/roads.csv


def test_graph_is_connected(graph):
    assert nx.is_connected(graph) and graph.number_of_nodes() == 291


def test_rule_gap_count_is_the_one_the_readme_states(tables, graph):
    _, _, f, _ = tables
    gaps = rule_gaps(graph, f)
    counts = gaps["rule_id"].value_counts().to_dict()
    assert counts == {"fap_fp_100_2000": 208, "va_over_2000": 37}
    readme = (PENZA / "README.md").read_text(encoding="utf-8")
    m = re.search(r"\*\*(\d+) of 291 units breach", readme)
    assert m and int(m.group(1)) == gaps["settlement_id"].nunique() == 245

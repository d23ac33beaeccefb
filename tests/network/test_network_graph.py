import warnings

import networkx as nx
import pandas as pd
import pytest

from network import (
    DEFAULT_SPEED_KMH,
    SPEED_KMH,
    DisconnectedNetworkWarning,
    NetworkInputError,
    build_road_graph,
    connected_components_report,
)
from network.errors import DataQualityWarning
from network.examples import ROADS, SETTLEMENTS


def build(s=SETTLEMENTS, r=ROADS, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DisconnectedNetworkWarning)
        return build_road_graph(s, r, **kw)


def test_nodes_and_edges_carry_attributes():
    g = build()
    assert set(g.nodes) == set("ABCDEF")
    assert g.nodes["E"]["population"] == 2500 and g.nodes["E"]["region_id"] == "r2"
    assert g.edges["A", "D"]["km"] == 5.0 and g.edges["A", "D"]["minutes"] == 10.0
    assert g.edges["A", "D"]["minutes_basis"] == "given"


def test_missing_minutes_come_from_road_class_speed():
    roads = ROADS.drop(columns="minutes").assign(road_class=["federal", "regional", "local", "unpaved", None])
    g = build(r=roads)
    assert g.edges["A", "B"]["minutes"] == pytest.approx(10 / SPEED_KMH["federal"] * 60)
    assert g.edges["A", "D"]["minutes"] == pytest.approx(5 / SPEED_KMH["unpaved"] * 60)
    assert g.edges["D", "E"]["minutes"] == pytest.approx(20 / DEFAULT_SPEED_KMH * 60)
    assert g.edges["D", "E"]["minutes_basis"] == "speed_default"


def test_unknown_road_class_warns_and_uses_default_speed():
    roads = ROADS.drop(columns="minutes").assign(road_class="goat_track")
    with pytest.warns(DataQualityWarning, match="goat_track"):
        g = build_road_graph(SETTLEMENTS.iloc[:5], roads)
    assert g.edges["A", "B"]["minutes"] == pytest.approx(10 / DEFAULT_SPEED_KMH * 60)


def test_parallel_roads_keep_the_shortest():
    roads = pd.concat([ROADS, pd.DataFrame({"from_id": ["B"], "to_id": ["A"], "km": [7.0], "minutes": [9.0]})])
    g = build(r=roads)
    assert g.edges["A", "B"]["km"] == 7.0


def test_every_problem_is_reported_with_table_row_and_column():
    roads = ROADS.copy()
    roads.loc[1, "to_id"] = "Z"
    roads.loc[2, "km"] = -3.0
    roads.loc[3, "from_id"] = None
    sett = SETTLEMENTS.copy()
    sett.loc[4, "lat"] = 95.0
    with pytest.raises(NetworkInputError) as err:
        build_road_graph(sett, roads, settlements_name="villages.csv", roads_name="roads.csv")
    text = str(err.value)
    assert "table 'roads.csv', row 2 (line 3), column 'to_id': unknown settlement 'Z'" in text
    assert "table 'roads.csv', row 3 (line 4), column 'km': must be positive" in text
    assert "table 'roads.csv', row 4 (line 5), column 'from_id': value is missing" in text
    assert "table 'villages.csv', row 5 (line 6), column 'lat'" in text
    assert len(err.value.issues) == 4


def test_missing_column_and_duplicate_id_and_self_loop():
    with pytest.raises(NetworkInputError, match="column 'population': required column is missing"):
        build_road_graph(SETTLEMENTS.drop(columns="population"), ROADS)
    dup = pd.concat([SETTLEMENTS, SETTLEMENTS.iloc[[0]]], ignore_index=True)
    with pytest.raises(NetworkInputError, match="duplicate id 'A'"):
        build_road_graph(dup, ROADS)
    loop = pd.concat([ROADS, pd.DataFrame({"from_id": ["A"], "to_id": ["A"], "km": [1.0]})])
    with pytest.raises(NetworkInputError, match="road from 'A' to itself"):
        build_road_graph(SETTLEMENTS, loop)


def test_numeric_ids_match_across_tables():
    sett = SETTLEMENTS.assign(settlement_id=[1, 2, 3, 4, 5, 6])
    roads = ROADS.assign(from_id=["2", 2.0, 3, 1, 4], to_id=[1, 3, 5, 4, 5])
    assert set(build(sett, roads).nodes) == {"1", "2", "3", "4", "5", "6"}


def test_disconnected_parts_are_reported_not_dropped():
    with pytest.warns(DisconnectedNetworkWarning, match="2 connected components"):
        g = build_road_graph(SETTLEMENTS, ROADS)
    assert g.number_of_nodes() == 6
    report = connected_components_report(g)
    assert report["n_settlements"].tolist() == [5, 1]
    assert report["population"].tolist() == [4750.0, 50.0]
    assert report["settlement_ids"].iloc[1] == ["F"]
    assert report["regions"].iloc[0] == ["r1", "r2"]


def test_inputs_are_not_modified():
    s, r = SETTLEMENTS.copy(), ROADS.copy()
    build(s, r)
    pd.testing.assert_frame_equal(s, SETTLEMENTS)
    pd.testing.assert_frame_equal(r, ROADS)


def test_connected_graph_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = build_road_graph(SETTLEMENTS.iloc[:5], ROADS)
    assert nx.is_connected(g)

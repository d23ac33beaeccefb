import warnings

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from geopy.distance import geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from network import (
    DEFAULT_DETOUR_FACTOR,
    DEFAULT_SPEED_KMH,
    NetworkInputError,
    UnreachableWarning,
    build_road_graph,
    distance_matrix,
    generate_village_network,
    geodesic_matrix,
)
from network.examples import SETTLEMENTS, hand_drawn_graph
from network.snap import CONNECTOR_SPEED_KMH


def nodes(*ids):
    """Points given as graph nodes."""
    return pd.DataFrame({"id": list(ids), "lat": np.nan, "lon": np.nan, "settlement_id": list(ids)})


def as_dict(df, col="km"):
    return {(o, d): v for o, d, v in df[["origin_id", "destination_id", col]].itertuples(index=False)}


def test_hand_drawn_shortest_paths_by_km():
    g = hand_drawn_graph()
    out = distance_matrix(g, nodes("A", "B"), nodes("A", "C", "E"))
    assert list(out.columns) == ["origin_id", "destination_id", "km", "minutes", "source"]
    km, minutes = as_dict(out), as_dict(out, "minutes")
    assert km == {("A", "A"): 0, ("A", "C"): 20, ("A", "E"): 25, ("B", "A"): 10, ("B", "C"): 10, ("B", "E"): 35}
    # minutes along the km-shortest path: A-D-E = 10 + 40
    assert minutes[("A", "E")] == 50 and minutes[("B", "E")] == 60
    assert set(out["source"]) == {"road"}


def test_weight_minutes_takes_the_fastest_path_and_reports_its_km():
    out = distance_matrix(hand_drawn_graph(), nodes("A"), nodes("E"), weight="minutes")
    assert out[["km", "minutes"]].iloc[0].tolist() == [50.0, 40.0]  # A-B-C-E


def test_origins_major_order_and_original_ids_kept():
    out = distance_matrix(hand_drawn_graph(), nodes("C", "A"), nodes("E", "B", "D"))
    assert list(zip(out["origin_id"], out["destination_id"])) == [
        ("C", "E"), ("C", "B"), ("C", "D"), ("A", "E"), ("A", "B"), ("A", "D")]


def test_max_km_leaves_out_far_pairs():
    out = distance_matrix(hand_drawn_graph(), nodes("A"), nodes("A", "B", "C", "D", "E"), max_km=12)
    assert as_dict(out) == {("A", "A"): 0, ("A", "B"): 10, ("A", "D"): 5}


def test_snapped_points_add_connectors_both_ends():
    g = hand_drawn_graph()
    home = pd.DataFrame({"id": ["home"], "lat": [53.009], "lon": [g.nodes["B"]["lon"]]})
    clinic = pd.DataFrame({"id": ["clinic"], "lat": [g.nodes["E"]["lat"] - 0.009], "lon": [g.nodes["E"]["lon"]]})
    c1 = geodesic((53.009, g.nodes["B"]["lon"]), (g.nodes["B"]["lat"], g.nodes["B"]["lon"])).km
    c2 = geodesic((g.nodes["E"]["lat"] - 0.009, g.nodes["E"]["lon"]), (g.nodes["E"]["lat"], g.nodes["E"]["lon"])).km
    out = distance_matrix(g, home, clinic)
    assert out["km"].iloc[0] == pytest.approx(c1 + 35 + c2, abs=1e-3)
    assert out["minutes"].iloc[0] == pytest.approx(60 + (c1 + c2) / CONNECTOR_SPEED_KMH * 60, abs=1e-3)


def test_unreachable_pairs_are_nan_and_flagged_not_an_exception():
    with pytest.warns(UnreachableWarning, match="1 of 2"):
        out = distance_matrix(hand_drawn_graph(), nodes("A"), nodes("B", "F"))
    row = out.set_index("destination_id").loc["F"]
    assert np.isnan(row["km"]) and np.isnan(row["minutes"]) and row["source"] == "unreachable"


def test_unreachable_pairs_can_fall_back_to_geodesic():
    g = hand_drawn_graph()
    with pytest.warns(UnreachableWarning):
        out = distance_matrix(g, nodes("A"), nodes("B", "F"), unreachable="geodesic")
    row = out.set_index("destination_id").loc["F"]
    straight = geodesic((53.0, 45.0), (54.0, 46.0)).km
    assert row["source"] == "geodesic_fallback"
    assert row["km"] == pytest.approx(straight * DEFAULT_DETOUR_FACTOR, rel=1e-4)
    assert row["minutes"] == pytest.approx(row["km"] / DEFAULT_SPEED_KMH * 60)


def test_no_graph_means_geodesic_fallback_for_all_pairs():
    pts = SETTLEMENTS.rename(columns={"settlement_id": "id"})[["id", "lat", "lon"]]
    out = distance_matrix(None, pts.iloc[:2], pts.iloc[2:4], detour_factor=1.25)
    assert set(out["source"]) == {"geodesic_fallback"}
    expect = geodesic((53.0, 45.0), (52.955, 45.0)).km * 1.25
    assert as_dict(out)[("A", "D")] == pytest.approx(expect, rel=1e-4)
    pd.testing.assert_frame_equal(out, geodesic_matrix(pts.iloc[:2], pts.iloc[2:4], detour_factor=1.25))


def test_geodesic_matrix_rejects_a_detour_below_one_and_missing_coordinates():
    pts = SETTLEMENTS.rename(columns={"settlement_id": "id"})[["id", "lat", "lon"]]
    with pytest.raises(NetworkInputError, match="detour_factor"):
        geodesic_matrix(pts, pts, detour_factor=0.9)
    bad = pts.copy()
    bad.loc[1, "lat"] = None
    with pytest.raises(NetworkInputError, match="table 'origins', row 2 .*column 'lat': value is missing"):
        geodesic_matrix(bad, pts)


def test_bad_points_raise_clear_errors():
    g = hand_drawn_graph()
    with pytest.raises(NetworkInputError, match="table 'destinations', row 1 .*unknown settlement 'Q'"):
        distance_matrix(g, nodes("A"), nodes("Q"))
    with pytest.raises(NetworkInputError, match="column 'id': required column is missing"):
        distance_matrix(g, nodes("A").drop(columns="id"), nodes("B"))
    with pytest.raises(NetworkInputError, match="weight"):
        distance_matrix(g, nodes("A"), nodes("B"), weight="hours")


def test_inputs_are_not_modified():
    g = hand_drawn_graph()
    before = nx.to_dict_of_dicts(g)
    o, d = nodes("A", "B"), nodes("C")
    o0, d0 = o.copy(), d.copy()
    distance_matrix(g, o, d)
    assert nx.to_dict_of_dicts(g) == before
    pd.testing.assert_frame_equal(o, o0)
    pd.testing.assert_frame_equal(d, d0)


@pytest.fixture(scope="module")
def village():
    s, r = generate_village_network(150, 300, seed=7)
    return s, build_road_graph(s, r)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["km", "minutes"]))
def test_matrix_agrees_with_networkx_and_is_symmetric(village, seed, weight):
    s, g = village
    rng = np.random.default_rng(seed)
    pick = s.iloc[rng.choice(len(s), 12, replace=False)]
    o = pick.iloc[:3].rename(columns={"settlement_id": "id"})[["id", "lat", "lon"]]  # snapped onto their own node
    d = pick.iloc[3:].rename(columns={"settlement_id": "id"})[["id", "lat", "lon"]]
    fwd = distance_matrix(g, o, d, weight=weight)  # runs from the 3 origins
    back = distance_matrix(g, d, o, weight=weight)  # runs from the 3 (then destination) nodes
    f, b = as_dict(fwd, weight), as_dict(back, weight)
    for (oi, di), v in f.items():
        assert v == pytest.approx(nx.shortest_path_length(g, oi, di, weight=weight), abs=1e-9)
        assert b[(di, oi)] == pytest.approx(v, abs=1e-9)


def test_max_km_result_is_the_filtered_full_matrix(village):
    s, g = village
    pts = s.rename(columns={"settlement_id": "id"})[["id", "lat", "lon"]]
    full = distance_matrix(g, pts.iloc[:20], pts)
    cut = distance_matrix(g, pts.iloc[:20], pts, max_km=15)
    expected = full.loc[full["km"] <= 15].reset_index(drop=True)
    pd.testing.assert_frame_equal(cut, expected)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6), st.integers(2, 40), st.sampled_from(["km", "minutes"]),
       st.sampled_from([None, 8.0, 30.0]))
def test_scipy_engine_agrees_with_networkx(seed, n, weight, max_km):
    pytest.importorskip("scipy")
    rng = np.random.default_rng(seed)
    sett = pd.DataFrame({"settlement_id": [f"v{i}" for i in range(n)], "region_id": "r",
                         "lat": 53 + rng.uniform(0, 0.3, n), "lon": 45 + rng.uniform(0, 0.5, n),
                         "population": rng.integers(0, 500, n)})
    m = int(rng.integers(0, 2 * n))
    a, b = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = a != b
    roads = pd.DataFrame({"from_id": sett["settlement_id"].to_numpy()[a[keep]],
                          "to_id": sett["settlement_id"].to_numpy()[b[keep]],
                          "km": rng.uniform(0.5, 20, keep.sum()), "minutes": rng.uniform(1, 30, keep.sum())})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = build_road_graph(sett, roads)
        pts = sett.rename(columns={"settlement_id": "id"})[["id", "lat", "lon"]]
        o, d = pts.iloc[: max(1, n // 3)], pts
        nx_out = distance_matrix(g, o, d, weight=weight, max_km=max_km)
        sp_out = distance_matrix(g, o, d, weight=weight, max_km=max_km, engine="scipy")
    pd.testing.assert_frame_equal(nx_out, sp_out, check_exact=False, rtol=1e-9, atol=1e-9)


def _walk_sum(pred_row, values, v):
    """Sum of ``values[(parent, child)]`` walking from v up to the root of a predecessor row."""
    total = 0.0
    while pred_row[v] >= 0:
        total += values[(pred_row[v], v)]
        v = pred_row[v]
    return total


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 30), st.integers(1, 5))
def test_along_tree_sums_the_edge_values_up_each_predecessor_tree(seed, n, k):
    from scipy.sparse import csr_array

    from network.sparse_paths import _along_tree

    rng = np.random.default_rng(seed)
    # k random forests on n nodes: each node points to a lower-numbered node or is a root (-9999).
    pred = np.full((k, n), -9999)
    for row in range(k):
        perm = rng.permutation(n)
        for pos in range(1, n):
            if rng.random() < 0.8:
                pred[row, perm[pos]] = perm[rng.integers(0, pos)]
    arcs = {(int(p), int(c)) for row in pred for c, p in enumerate(row) if p >= 0}
    values = {a: float(rng.uniform(0, 10)) for a in arcs}
    u = np.array([a[0] for a in arcs], dtype=np.int64)
    v = np.array([a[1] for a in arcs], dtype=np.int64)
    matrix = csr_array((np.array([values[a] for a in arcs]), (u, v)), shape=(n, n))
    acc = _along_tree(pred, matrix)
    expected = [[_walk_sum(pred[row], values, c) for c in range(n)] for row in range(k)]
    np.testing.assert_allclose(acc, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("ids", [["a", "b", "c"], [1, 2, 3], ["a", 2, 3.5]], ids=["str", "int", "mixed"])
@pytest.mark.parametrize("engine", ["networkx", "scipy"])
def test_id_columns_keep_the_dtype_pandas_infers(ids, engine):
    g = hand_drawn_graph()
    pts = pd.DataFrame({"id": ids, "lat": np.nan, "lon": np.nan, "settlement_id": ["A", "B", "C"]})
    out = distance_matrix(g, pts, pts, max_km=12, engine=engine)
    kept = [(o, d) for o in range(3) for d in range(3) if {o, d} != {0, 2}]  # A-C is 20 km
    naive = pd.DataFrame({"origin_id": np.array(ids, dtype=object)[[o for o, _ in kept]],
                          "destination_id": np.array(ids, dtype=object)[[d for _, d in kept]]})
    pd.testing.assert_frame_equal(out[["origin_id", "destination_id"]], naive)
    assert out["source"].tolist() == ["road"] * len(kept)
    assert out["source"].dtype == pd.Series(["road"]).dtype


@pytest.mark.parametrize("bad", [-1.0, np.nan, None, "x", np.inf])
def test_bad_edge_weights_are_listed(bad):
    g = hand_drawn_graph()
    g.edges["A", "B"]["km"] = bad
    with pytest.raises(NetworkInputError, match="A"):
        distance_matrix(g, nodes("A"), nodes("C"))


def test_missing_edge_weight_is_an_input_error():
    g = hand_drawn_graph()
    del g.edges["A", "B"]["minutes"]
    with pytest.raises(NetworkInputError):
        distance_matrix(g, nodes("A"), nodes("C"), engine="scipy")


def test_numeric_edge_weights_of_other_types_are_accepted():
    g = hand_drawn_graph()
    g.edges["A", "B"]["km"] = 10  # int
    g.edges["B", "C"]["km"] = np.float32(10.0)
    out = distance_matrix(g, nodes("A"), nodes("C"))
    assert out["km"].tolist() == [20.0]

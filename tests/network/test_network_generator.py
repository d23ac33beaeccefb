import networkx as nx
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from network import build_road_graph, generate_facilities, generate_village_network


def test_same_seed_same_network_other_seed_other_network():
    a = generate_village_network(300, 600, seed=5)
    b = generate_village_network(300, 600, seed=5)
    c = generate_village_network(300, 600, seed=6)
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])
    assert not a[0].equals(c[0])


@settings(max_examples=15, deadline=None)
@given(st.integers(2, 120), st.floats(1.0, 4.0), st.integers(0, 1000))
def test_connected_with_the_requested_edge_count(n, ratio, seed):
    n_edges = max(n - 1, min(int(n * ratio), n * (n - 1) // 2))
    s, r = generate_village_network(n, n_edges, seed=seed)
    g = build_road_graph(s, r)
    assert nx.is_connected(g)
    assert len(r) == n_edges == g.number_of_edges()
    assert (r["km"] > 0).all()


def test_village_sizes_look_rural():
    s, _ = generate_village_network(3000, seed=1)
    villages = s.loc[s["name"].str.startswith("Village"), "population"]
    share_in_band = villages.between(100, 2000).mean()
    assert 0.75 < share_in_band < 0.95
    assert (villages > 2000).any() and (villages < 100).any()


def test_facilities_are_off_node_and_partly_staffed():
    s, r = generate_village_network(400, seed=2)
    f = generate_facilities(s, 50, seed=2)
    assert f["facility_id"].is_unique and 0.5 < f["staffed"].mean() < 1.0
    assert set(f["facility_type"]) <= {"FAP", "FP", "VA"}


def test_bad_sizes_are_rejected():
    with pytest.raises(ValueError):
        generate_village_network(10, 5)
    with pytest.raises(ValueError):
        generate_village_network(1)

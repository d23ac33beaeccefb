import numpy as np
import pandas as pd
import pytest
from geopy.distance import geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from network import geodesic_km, snap_points
from network.examples import hand_drawn_graph
from network.geo import central_angle, nearest_index

lat = st.floats(min_value=35.0, max_value=70.0)
lon = st.floats(min_value=20.0, max_value=90.0)


@settings(max_examples=200, deadline=None)
@given(lat, lon, lat, lon)
def test_geodesic_matches_geopy(p1, l1, p2, l2):
    ours = float(geodesic_km(p1, l1, p2, l2))
    ref = geodesic((p1, l1), (p2, l2)).km
    assert ours == pytest.approx(ref, rel=1e-9, abs=1e-6)


def test_geodesic_broadcasts_and_is_zero_on_the_diagonal():
    la = np.array([53.0, 53.5, 54.0])
    lo = np.array([45.0, 44.0, 46.0])
    d = geodesic_km(la[:, None], lo[:, None], la[None, :], lo[None, :])
    assert d.shape == (3, 3)
    assert np.allclose(np.diag(d), 0.0)
    assert np.allclose(d, d.T)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(lat, lon), min_size=1, max_size=30),
       st.lists(st.tuples(lat, lon), min_size=1, max_size=30))
def test_nearest_index_agrees_with_brute_force(points, targets):
    p, t = np.array(points), np.array(targets)
    idx = nearest_index(p[:, 0], p[:, 1], t[:, 0], t[:, 1], max_cells=7)  # tiny chunks on purpose
    angles = central_angle(p[:, 0][:, None], p[:, 1][:, None], t[:, 0][None, :], t[:, 1][None, :])
    best = angles.min(axis=1)
    assert np.allclose(angles[np.arange(len(p)), idx], best, atol=1e-9)


def test_snapping_picks_the_nearest_node_and_measures_the_connector():
    g = hand_drawn_graph()
    pts = pd.DataFrame({
        "id": ["near_b", "on_c", "at_d"],
        "lat": [53.009, 53.0, None],
        "lon": [45.1493, g.nodes["C"]["lon"], None],
        "settlement_id": [None, None, "D"],
    })
    out = snap_points(g, pts)
    assert out["node"].tolist() == ["B", "C", "D"]
    assert out["snapped"].tolist() == [True, True, False]
    expected = geodesic((53.009, 45.1493), (g.nodes["B"]["lat"], g.nodes["B"]["lon"])).km
    assert out["connector_km"].iloc[0] == pytest.approx(expected, abs=1e-3)
    assert out["connector_km"].iloc[1] == pytest.approx(0.0, abs=1e-9)
    assert out["connector_km"].iloc[2] == 0.0

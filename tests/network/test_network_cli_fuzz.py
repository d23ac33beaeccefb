"""Messy settlement and road files give exit 0 or 2 from the network CLI, never a traceback."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from network.cli import main

CELLS = st.one_of(
    st.sampled_from(["", "a", "b", "c", "1", "0", "-3", "53,2", "45.1", "nan", "inf", "regional", "x"]),
    st.text(max_size=4),
)


@st.composite
def messy_network(draw):
    settlement_cols = ["settlement_id", "name", "region_id", "lat", "lon", "population"]
    road_cols = ["from_id", "to_id", "km", "minutes", "road_class"]
    n, m = draw(st.integers(0, 4)), draw(st.integers(0, 4))
    settlements = pd.DataFrame({c: [draw(CELLS) for _ in range(n)]
                                for c in settlement_cols if draw(st.integers(0, 9))})
    roads = pd.DataFrame({c: [draw(CELLS) for _ in range(m)] for c in road_cols if draw(st.integers(0, 9))})
    return settlements, roads


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy_network(), st.sampled_from([",", ";"]))
def test_messy_network_files_exit_cleanly(tables, sep):
    settlements, roads = tables
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        folder = Path(tmp)
        settlements.to_csv(folder / "s.csv", index=False, sep=sep)
        roads.to_csv(folder / "r.csv", index=False, sep=sep)
        code = main(["components", "--settlements", str(folder / "s.csv"), "--roads", str(folder / "r.csv"),
                     "--out", str(folder / "out.csv")])
    assert code in (0, 2)

"""The network page over the real network package (skipped if it is absent)."""


import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402
from support.paths import ROOT

from ui import network_view, state  # noqa: E402

pytestmark = pytest.mark.skipif(not network_view.AVAILABLE, reason="network package not available")
APP = str(ROOT / "ui_streamlit.py")


def test_plan_raises_access_on_the_synthetic_network():
    inputs = network_view.synthetic_network(seed=1, n=150)
    result = network_view.plan(inputs, max_km=10.0, k=3)
    tot = network_view.totals(result.comparison)
    assert len(result.sites) == 3
    assert tot["covered_after"] >= tot["covered_before"]
    assert (result.comparison["gain"] >= 0).all()
    assert result.sites["site_id"].str.startswith("new_").all()


def test_round_network_is_read_from_the_bundled_folder():
    loaded = state.load_folder(state.BUNDLED_DIR, "penza")
    inputs = network_view.round_network(loaded.folder, loaded.round.facilities)
    assert inputs is not None and inputs.graph.number_of_nodes() == 29
    result = network_view.plan(inputs, max_km=30.0, k=2)
    assert set(result.comparison["region_id"]) <= set(loaded.round.regions["region_id"])


def test_network_page_plans_without_errors():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("ui/pages/network.py").run()
    assert not at.exception
    at.radio(key="net_source").set_value("synthetic").run()
    at.button(key="net_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    labels = {m.label: m.value for m in at.metric}
    assert labels["Новых пунктов"] == "5"

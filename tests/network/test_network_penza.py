"""The shipped Penza district network: ids, provenance columns, connectivity."""


import networkx as nx
import pandas as pd
import pytest
from support.paths import PENZA

from network import build_road_graph, distance_matrix

IDS = {"penza_city", "zarechny_city", "kuznetsk_kuznetsky", "bashmakovsky", "bekovsky", "belinsky",
       "bessonovsky", "vadinsky", "gorodishchensky", "zemetchinsky", "issinsky", "kamensky", "kameshkirsky",
       "kolyshleysky", "lopatinsky", "luninsky", "maloserdobinsky", "mokshansky", "narovchatsky",
       "neverkinsky", "nizhnelomovsky", "nikolsky", "pachelmsky", "penzensky", "serdobsky", "sosnovoborsky",
       "spassky", "tamalinsky", "shemysheysky"}


@pytest.fixture(scope="module")
def tables():
    return pd.read_csv(PENZA / "settlements.csv"), pd.read_csv(PENZA / "roads.csv")


def test_the_29_municipal_formations(tables):
    s, _ = tables
    assert set(s["settlement_id"]) == IDS and len(s) == 29
    assert (s["settlement_id"] == s["region_id"]).all()
    kuz = s.set_index("settlement_id").loc["kuznetsk_kuznetsky"]
    assert kuz["population"] == 75965 + 36905 and kuz["population_year"] == "2025+2018"


def test_every_road_says_what_it_rests_on(tables):
    _, r = tables
    assert list(r.columns) == ["from_id", "to_id", "km", "minutes", "road_class", "basis", "source", "note"]
    assert set(r["basis"]) <= {"road_km", "distance_unspecified", "road_km_raised_to_geodesic",
                               "distance_unspecified_raised_to_geodesic", "estimated"}
    assert r["source"].notna().all()
    narovchat = r.loc[(r["from_id"] == "penza_city") & (r["to_id"] == "narovchatsky")].iloc[0]
    assert narovchat["basis"] == "estimated"
    suspect = r.loc[(r["from_id"] == "nizhnelomovsky") & r["to_id"].isin(["narovchatsky", "kamensky"])]
    assert (suspect["basis"] == "estimated").all() and suspect["note"].str.contains("SUSPECT").all()


def test_graph_is_connected_and_sourced_road_distances_hold(tables):
    s, r = tables
    g = build_road_graph(s, r)
    assert nx.is_connected(g)
    pts = pd.DataFrame({"id": ["penza_city"], "settlement_id": ["penza_city"]})
    dest = pd.DataFrame({"id": ["bekovsky", "nizhnelomovsky"], "settlement_id": ["bekovsky", "nizhnelomovsky"]})
    out = distance_matrix(g, pts, dest).set_index("destination_id")["km"]
    assert out.to_dict() == {"bekovsky": 154.0, "nizhnelomovsky": 110.0}

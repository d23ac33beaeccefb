"""The app's maps as pydeck Decks: the view shows every point, district names are labelled, the
base map can be left out, tooltips wrap (ui.maps, ui.views.map_deck, ui.network_view.deck)."""

import json

import pandas as pd
import pytest

pytest.importorskip("pydeck")
from allocator import solve  # noqa: E402
from ui import maps, network_view, state, views  # noqa: E402


@pytest.fixture(scope="module")
def penza():
    loaded = state.load_folder(state.BUNDLED_DIR, "penza")
    return loaded, solve(loaded.round)


def layer(deck, kind: str, layer_id: str | None = None):
    found = [x for x in deck.layers if x.type == kind and (layer_id is None or x.id == layer_id)]
    assert found, [(x.type, x.id) for x in deck.layers]
    return found[0]


def assert_view_covers(view, points: pd.DataFrame, width=maps.MAP_WIDTH, height=maps.MAP_HEIGHT):
    """Every point inside the chart, and the zoom as tight as the padding allows (one dimension full)."""
    off = maps.pixel_offsets(view, points)
    assert (off["dx"].abs() <= width / 2).all() and (off["dy"].abs() <= height / 2).all(), off.describe()
    fill = max(off["dx"].abs().max() / (width / 2), off["dy"].abs().max() / (height / 2))
    assert fill > 1 - 2 * maps.PADDING - 0.01  # not zoomed out further than needed


def test_results_map_fits_every_region_facility_and_home(penza):
    loaded, solution = penza
    r = loaded.round
    deck = views.map_deck(r, solution, "ru")
    points = pd.concat([r.regions[["lat", "lon"]], r.facilities[["lat", "lon"]], r.graduates[["lat", "lon"]]])
    assert_view_covers(deck.initial_view_state, points.astype(float))
    # without the posting lines it fits the regions alone (and zooms in at least as far)
    regions_only = views.map_deck(r, solution, "ru", lines=False)
    assert_view_covers(regions_only.initial_view_state, r.regions[["lat", "lon"]])
    assert regions_only.initial_view_state.zoom >= deck.initial_view_state.zoom


def test_fit_view_fits_latitude_as_well_as_longitude():
    """A north-south strip: fitting longitudes only (the old zoom) would cut off its ends."""
    strip = pd.DataFrame({"lat": [50.0, 51.0, 52.0, 53.5, 55.0], "lon": [45.0, 45.1, 44.9, 45.05, 45.0]})
    view = maps.fit_view(strip)
    assert_view_covers(view, strip)
    off = maps.pixel_offsets(view, strip)
    assert off["dy"].abs().max() > off["dx"].abs().max()  # the height is what limits the zoom
    wide = pd.DataFrame({"lat": [53.0, 53.1], "lon": [40.0, 48.0]})
    assert_view_covers(maps.fit_view(wide), wide)


def test_every_district_is_named_in_a_cyrillic_text_layer(penza):
    loaded, solution = penza
    deck = views.map_deck(loaded.round, solution, "ru")
    text = layer(deck, "TextLayer", "district-names")
    names = {row["name"] for row in text.data}
    assert names == set(loaded.round.regions["name"]) and "Бессоновский район" in names
    spec = next(x for x in json.loads(deck.to_json())["layers"] if x["id"] == "district-names")
    assert spec["characterSet"] == "auto" and spec["getText"] == "@@=name"
    assert "DejaVu Sans" in spec["fontFamily"]
    assert len(layer(deck, "ScatterplotLayer", "district-centres").data) == len(loaded.round.regions)


def test_base_map_can_be_left_out_and_tooltips_wrap(penza):
    loaded, solution = penza
    with_tiles = json.loads(views.map_deck(loaded.round, solution, "ru").to_json())
    without = json.loads(views.map_deck(loaded.round, solution, "ru", basemap=False).to_json())
    assert with_tiles.get("mapProvider", "carto") == "carto"  # Streamlit's themed base map (needs internet)
    assert without.get("mapProvider") is None and without.get("mapStyle") is None  # nothing fetched
    deck = views.map_deck(loaded.round, solution, "ru")
    assert deck._tooltip["style"]["maxWidth"] == "260px" and deck._tooltip["style"]["whiteSpace"] == "normal"


def test_network_map_fits_the_villages_and_names_the_districts(penza):
    loaded, solution = penza
    villages = network_view.village_network(network_view.village_folder(loaded.folder), loaded.round.facilities)
    access = network_view.staffed_access(villages, 6.0, solution.assignments).access_after
    deck = network_view.deck(villages, "ru", access=access, districts=loaded.round.regions)
    assert_view_covers(deck.initial_view_state, villages.settlements[["lat", "lon"]])
    assert {row["name"] for row in layer(deck, "TextLayer").data} == set(loaded.round.regions["name"])
    bare = network_view.deck(villages, "ru", access=access)  # the synthetic network has no districts
    assert not [x for x in bare.layers if x.type == "TextLayer"]

"""What the app's pydeck maps share: a view that fits every point, district labels, the base map
and the tooltip (no Streamlit).

* :func:`fit_view` fits the points' bounding box, longitude *and* latitude, into a chart of
  ``width_px`` × ``height_px`` on deck.gl's web-mercator world (512 px wide at zoom 0).
* :func:`district_layers` labels each district centre with its name (a TextLayer, Cyrillic via
  ``character_set="auto"`` and a font family that has it) over a small dot.
* :func:`deck` draws Streamlit's base map for its theme (CARTO tiles, fetched from the internet;
  offline they do not load and the layers still draw, with the district names for context), or,
  with ``basemap=False``, no base map at all (nothing is fetched).
* :data:`TOOLTIP`: a narrow box with wrapped text, so a long label stays inside the map.
"""

from __future__ import annotations

import math

import pandas as pd

#: Width (px) of the map the zoom is fitted to: a conservative width of the wide layout's main column.
MAP_WIDTH = 900
#: The maps' height (px) on the pages (st.pydeck_chart's height).
MAP_HEIGHT = 520
#: Share of the width and of the height left free around the points.
PADDING = 0.08
FONT = "'DejaVu Sans', 'Noto Sans', Arial, Helvetica, sans-serif"  # fonts with Cyrillic
TOOLTIP_STYLE = {"maxWidth": "260px", "whiteSpace": "normal", "overflowWrap": "anywhere", "fontSize": "12px",
                 "lineHeight": "1.3", "padding": "6px 8px", "backgroundColor": "rgba(40, 40, 40, 0.92)",
                 "color": "white", "borderRadius": "4px"}
TOOLTIP = {"text": "{label}", "style": TOOLTIP_STYLE}


def _mercator_y(lat: float) -> float:
    """A latitude as a fraction of the web-mercator world's height (0 at the top)."""
    lat = max(min(lat, 85.0511), -85.0511)
    return 0.5 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / (2 * math.pi)


def _latitude(y: float) -> float:
    """The inverse of :func:`_mercator_y`."""
    return math.degrees(2 * math.atan(math.exp((0.5 - y) * 2 * math.pi)) - math.pi / 2)


def fit_view(points: pd.DataFrame, width_px: int = MAP_WIDTH, height_px: int = MAP_HEIGHT,
             padding: float = PADDING, max_zoom: float = 12.0):
    """A pydeck ViewState centred on the bounding box of ``points`` (columns lat, lon) at the
    largest zoom (at most ``max_zoom``) that shows every point within the padded chart."""
    import pydeck as pdk

    pts = points[["lat", "lon"]].astype(float).dropna()
    if pts.empty:
        return pdk.ViewState(latitude=0.0, longitude=0.0, zoom=1)
    x = pts["lon"] / 360.0 + 0.5
    y = pts["lat"].map(_mercator_y)
    dx, dy = float(x.max() - x.min()), float(y.max() - y.min())
    usable_w, usable_h = width_px * (1 - 2 * padding), height_px * (1 - 2 * padding)
    fits = [math.log2(usable / (512 * span)) for usable, span in ((usable_w, dx), (usable_h, dy)) if span > 0]
    zoom = min(fits + [max_zoom])
    centre_x, centre_y = (x.max() + x.min()) / 2, (y.max() + y.min()) / 2
    return pdk.ViewState(latitude=_latitude(float(centre_y)), longitude=float((centre_x - 0.5) * 360.0),
                         zoom=float(max(zoom, 1.0)))


def pixel_offsets(view, points: pd.DataFrame) -> pd.DataFrame:
    """Each point's offset (px) from the chart's centre at ``view``: columns dx, dy."""
    scale = 512 * 2 ** view.zoom
    x0, y0 = view.longitude / 360.0 + 0.5, _mercator_y(view.latitude)
    return pd.DataFrame({"dx": (points["lon"].astype(float) / 360.0 + 0.5 - x0) * scale,
                         "dy": (points["lat"].astype(float).map(_mercator_y) - y0) * scale})


def district_layers(districts: pd.DataFrame) -> list:
    """A dot at each district centre and its name above it (columns name, lat, lon). Names of
    close centres may overlap at the fitted zoom (deck.gl's collision filter hides every name in
    Streamlit's build, tried); zooming in separates them."""
    import pydeck as pdk
    from pydeck.types import String  # a constant text: pydeck would read a bare str as an expression

    data = districts[["name", "lat", "lon"]].dropna().astype({"name": str}).reset_index(drop=True)
    return [
        pdk.Layer("ScatterplotLayer", id="district-centres", data=data, get_position="[lon, lat]",
                  get_radius=4, radius_units=String("pixels"), get_fill_color=[70, 70, 70, 220]),
        pdk.Layer("TextLayer", id="district-names", data=data, get_position="[lon, lat]", get_text="name",
                  get_size=12, size_units=String("pixels"), get_color=[30, 30, 30, 255], get_pixel_offset=[0, -12],
                  get_text_anchor=String("middle"), get_alignment_baseline=String("bottom"),
                  character_set=String("auto"), font_family=String(FONT), font_weight=600, outline_width=2,
                  outline_color=[255, 255, 255, 230],
                  font_settings={"sdf": True}, billboard=True),
    ]


def deck(layers: list, view, basemap: bool = True):
    """The pydeck Deck of ``layers`` at ``view`` with the tooltip of :data:`TOOLTIP`. ``basemap``:
    Streamlit's base map for its theme (``map_style=None``: CARTO tiles, which need internet; offline
    they do not load and the layers draw on an empty background); otherwise none at all
    (``map_provider=None``: nothing is fetched)."""
    import pydeck as pdk

    if basemap:
        return pdk.Deck(layers=layers, initial_view_state=view, map_style=None, tooltip=TOOLTIP)
    return pdk.Deck(layers=layers, initial_view_state=view, map_provider=None, map_style=None, tooltip=TOOLTIP)

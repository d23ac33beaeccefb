"""A small hand-drawn road network with known answers (used by tests and docs).

    A --10 km/10 min-- B --10 km/10 min-- C
    |                                     |
    5 km/10 min                     30 km/20 min
    |                                     |
    D -------------20 km/40 min---------- E          F (no roads)

Shortest A->E by km: A-D-E = 25 km (50 min); by minutes: A-B-C-E = 40 min (50 km).
"""

import pandas as pd

__all__ = ["SETTLEMENTS", "ROADS", "facilities", "hand_drawn_graph"]

KM_PER_DEG_LON_53 = 66.99  # at latitude 53

#: Copy before changing: these are module-level tables.
SETTLEMENTS = pd.DataFrame({
    "settlement_id": ["A", "B", "C", "D", "E", "F"],
    "name": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Faraway"],
    "region_id": ["r1", "r1", "r2", "r1", "r2", "r3"],
    "lat": [53.0, 53.0, 53.0, 52.955, 52.955, 54.0],
    "lon": [45.0, 45.0 + 10 / KM_PER_DEG_LON_53, 45.0 + 20 / KM_PER_DEG_LON_53, 45.0,
            45.0 + 20 / KM_PER_DEG_LON_53, 46.0],
    "population": [1000, 300, 150, 800, 2500, 50],
})

ROADS = pd.DataFrame({
    "from_id": ["A", "B", "C", "A", "D"],
    "to_id": ["B", "C", "E", "D", "E"],
    "km": [10.0, 10.0, 30.0, 5.0, 20.0],
    "minutes": [10.0, 10.0, 20.0, 10.0, 40.0],
    "road_class": ["local", "local", "regional", "local", "unpaved"],
})


def facilities(staffed_e: bool = False) -> pd.DataFrame:
    """A staffed FAP at A and a VA at E (staffed only if ``staffed_e``)."""
    return pd.DataFrame({
        "facility_id": ["fap_a", "va_e"],
        "facility_type": ["FAP", "VA"],
        "settlement_id": ["A", "E"],
        "lat": [None, None],
        "lon": [None, None],
        "staffed": [True, staffed_e],
    })


def hand_drawn_graph():
    """The graph of ``SETTLEMENTS`` and ``ROADS`` (F stays isolated; the warning is silenced)."""
    import warnings

    from .errors import DisconnectedNetworkWarning
    from .graph import build_road_graph

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DisconnectedNetworkWarning)
        return build_road_graph(SETTLEMENTS, ROADS)

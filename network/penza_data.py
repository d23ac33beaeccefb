"""Build data/penza/settlements.csv and roads.csv from the shared reference tables.

    python -m network.penza_data --reference ../shared/reference --out data/penza

One settlement per municipal formation of Penza oblast (29, as seed 004
counts them: the town of Kuznetsk together with Kuznetsky district), placed
at its administrative centre. Roads: Penza -> centre distances from
penza_road_km.csv; sourced neighbour distances; estimated links between each
centre and its nearest centres. Every row says what it rests on in ``basis``
and ``source``; see data/penza/network_README.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from .distance import DEFAULT_DETOUR_FACTOR
from .geo import geodesic_km

IDS = ["penza_city", "zarechny_city", "kuznetsk_kuznetsky", "bashmakovsky", "bekovsky", "belinsky",
       "bessonovsky", "vadinsky", "gorodishchensky", "zemetchinsky", "issinsky", "kamensky",
       "kameshkirsky", "kolyshleysky", "lopatinsky", "luninsky", "maloserdobinsky", "mokshansky",
       "narovchatsky", "neverkinsky", "nizhnelomovsky", "nikolsky", "pachelmsky", "penzensky",
       "serdobsky", "sosnovoborsky", "spassky", "tamalinsky", "shemysheysky"]
MERGED = {"kuznetsk_city": "kuznetsk_kuznetsky", "kuznetsky": "kuznetsk_kuznetsky"}
NEAREST_CENTRES = 3
ROAD_CLASS = "regional"  # assumed for every link: main routes between district centres are paved
REF = "shared/reference/penza_road_km.csv"


def build_settlements(districts: pd.DataFrame) -> pd.DataFrame:
    """The settlements table from ``penza_districts.csv``: one row per municipal formation of
    ``IDS`` at its administrative centre, its population as the demand proxy (town of Kuznetsk
    and Kuznetsky district summed into one), with the year and basis of each figure."""
    d = districts.set_index("id")
    rows = []
    for sid in IDS:
        if sid == "kuznetsk_kuznetsky":
            town, district = d.loc["kuznetsk_city"], d.loc["kuznetsky"]
            rows.append({
                "settlement_id": sid, "name": "Kuznetsk", "region_id": sid,
                "lat": town["lat"], "lon": town["lon"],
                "population": int(town["population"] + district["population"]),
                "population_year": f"{int(town['population_year'])}+{int(district['population_year'])}",
                "population_basis": (f"town of Kuznetsk {int(town['population'])} ({int(town['population_year'])}) + "
                                     f"Kuznetsky district {int(district['population'])} "
                                     f"({int(district['population_year'])}); district population as demand proxy"),
            })
            continue
        r = d.loc[sid]
        year = "" if pd.isna(r["population_year"]) else str(int(r["population_year"]))
        rows.append({
            "settlement_id": sid, "name": r["admin_center_en"], "region_id": sid,
            "lat": r["lat"], "lon": r["lon"], "population": int(r["population"]),
            "population_year": year or "undated",
            "population_basis": "municipal formation population as demand proxy"
                                + ("" if year else "; undated, rounded (low quality)"),
        })
    return pd.DataFrame(rows)


def build_roads(settlements: pd.DataFrame, road_km: pd.DataFrame,
                detour_factor: float = DEFAULT_DETOUR_FACTOR) -> pd.DataFrame:
    """The roads table between ``settlements``, each unordered pair once, km rounded to 0.1.

    Sourced distances from ``road_km`` (raised to the straight line when below it); SUSPECT or
    missing ones, and links from each centre to its ``NEAREST_CENTRES`` nearest centres, are
    estimated as geodesic km times ``detour_factor``. ``basis``, ``source`` and ``note`` say which.
    """
    pos = settlements.set_index("settlement_id")[["lat", "lon"]]

    def geo(a, b):
        """Geodesic km between the centres of settlements ``a`` and ``b``."""
        return float(geodesic_km(pos.loc[a, "lat"], pos.loc[a, "lon"], pos.loc[b, "lat"], pos.loc[b, "lon"]))

    rows, seen = [], set()

    def add(a, b, km, basis, source, note=""):
        """Add the road ``a``-``b`` unless that pair already has one (the first row wins)."""
        key = frozenset((a, b))
        if key in seen:
            return
        seen.add(key)
        rows.append({"from_id": a, "to_id": b, "km": round(float(km), 1), "minutes": np.nan,
                     "road_class": ROAD_CLASS, "basis": basis, "source": source, "note": note})

    def estimated(a, b, why):
        """Add ``a``-``b`` as geodesic km times the detour factor, noting ``why`` it is estimated."""
        g = geo(a, b)
        add(a, b, g * detour_factor, "estimated",
            f"geodesic between centre coordinates {g:.1f} km x detour factor {detour_factor} (assumed)", why)

    for r in road_km.itertuples(index=False):
        a, b = MERGED.get(r.from_id, r.from_id), MERGED.get(r.to_id, r.to_id)
        note = "" if pd.isna(r.note) else str(r.note)
        if "SUSPECT" in note:
            estimated(a, b, f"source value {r.road_km:g} km flagged SUSPECT in {REF}; not used")
            continue
        if pd.notna(r.road_km):
            km, basis = r.road_km, "road_km"
        elif pd.notna(r.distance_km_unspecified):
            km, basis = r.distance_km_unspecified, "distance_unspecified"
        else:
            estimated(a, b, f"no road distance in {REF}")
            continue
        g = geo(a, b)
        if km < g:
            note = (f"source {km:g} km is below the straight line between the centre coordinates "
                    f"({g:.1f} km), probably measured from the city edge; raised to the straight line. " + note)
            km, basis = g, basis + "_raised_to_geodesic"
        add(a, b, km, basis, f"{REF} row {r.from_id}->{r.to_id}: {r.source}", note.strip())

    ids = list(pos.index)
    dist = geodesic_km(pos["lat"].to_numpy()[:, None], pos["lon"].to_numpy()[:, None],
                       pos["lat"].to_numpy()[None, :], pos["lon"].to_numpy()[None, :])
    np.fill_diagonal(dist, np.inf)
    for i, a in enumerate(ids):
        for j in np.argsort(dist[i], kind="stable")[:NEAREST_CENTRES]:
            estimated(a, ids[j], f"link to one of the {NEAREST_CENTRES} nearest centres; "
                                 "not verified as a direct road")
    return pd.DataFrame(rows)


def main(argv=None) -> int:
    """Write settlements.csv and roads.csv from ``--reference`` into ``--out``; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=Path("../shared/reference"))
    parser.add_argument("--out", type=Path, default=Path("data/penza"))
    args = parser.parse_args(argv)
    districts = pd.read_csv(args.reference / "penza_districts.csv")
    road_km = pd.read_csv(args.reference / "penza_road_km.csv")
    settlements = build_settlements(districts)
    roads = build_roads(settlements, road_km)
    args.out.mkdir(parents=True, exist_ok=True)
    settlements.to_csv(args.out / "settlements.csv", index=False)
    roads.to_csv(args.out / "roads.csv", index=False)
    print(f"{len(settlements)} settlements, {len(roads)} roads -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

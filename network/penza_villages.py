"""Build data/penza/villages/{settlements,roads,staffed_facilities,candidates}.csv: Penza at settlement-unit level.

    python -m network.penza_villages --reference ../shared/reference --out data/penza/villages

One node per municipal unit of the 2021 census below district level
(``penza_municipal_units_2021.csv``): the 264 rural settlements (сельсоветы),
the 24 urban settlements and the 3 urban okrugs, 291 in all, each with its
2021 census population and placed at its administrative centre. Coordinates
come from ``penza_settlements.csv`` and ``data/penza/sources/settlement_facts.csv``
where the centre is listed there; every other centre is an estimate, marked
``estimated`` in ``coord_basis`` with the method in ``coord_source``. Roads:
the district table of :mod:`network.penza_data` between district centres, plus
estimated geodesic x detour links from each unit to its district centre and to
its nearest units. See data/penza/README.md, section "Village network".
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Geod

from .distance import DEFAULT_DETOUR_FACTOR
from .geo import geodesic_km
from .penza_data import IDS, MERGED, build_roads

NEAREST_UNITS = 3          # estimated links from each unit to its nearest units (any district)
SPREAD_SHARE = 0.9         # estimated centres lie within 0.9 x the district's equal-area radius
GOLDEN_ANGLE = 137.50776405003785
CENTRE_MATCH_KM = 3.0      # a district centre's node must lie this close to penza_districts.csv's point
UNITS = "shared/reference/penza_municipal_units_2021.csv"
SETTLEMENTS = "shared/reference/penza_settlements.csv"
FACTS = "data/penza/sources/settlement_facts.csv"
LEVELS = ("urban_okrug", "urban_settlement", "rural_settlement")

# Villages whose sources say they are the centre of a unit (settlement_facts.csv notes, or an
# OKTMO code ending in 101, the first-listed locality of a settlement, which is its centre):
# (file, settlement name) -> (district, unit name as normalised below).
NAMED_CENTRES = {
    ("facts", "Пролетарский"): ("Земетчинский район", "Пролетарский сельсовет"),    # OKTMO 56623407101
    ("facts", "Степановка"): ("Бессоновский район", "Степановский сельсовет"),      # OKTMO 56613427101
    ("facts", "Ушинка"): ("Земетчинский район", "Ушинский сельсовет"),              # OKTMO 56623434101
    ("settlements", "Чернозерье"): ("Мокшанский район", "Чернозерский сельсовет"),  # OKTMO 56645425101
    ("settlements", "Нижняя Елюзань"): ("Городищенский район", "Нижнеелюзанский сельсовет"),  # 56618423101
}

# Units whose centre the sources place at the edge of a listed town (settlement_facts.csv: Норовка
# "at the western edge of the town of Nizhny Lomov"); estimated at the town's point.
AT_TOWN_EDGE = {("Нижнеломовский район", "Норовский сельсовет"): "г. Нижний Ломов"}

# The round's named posts (data/penza/facilities.csv) -> the unit they lie in, from settlement_facts.csv
POST_UNITS = {
    "zemetchinsky_proletarsky_fap": ("Земетчинский район", "Пролетарский сельсовет"),
    "zemetchinsky_ushinka_fap": ("Земетчинский район", "Ушинский сельсовет"),
    "bessonovsky_stepanovka_fap": ("Бессоновский район", "Степановский сельсовет"),
    "bessonovsky_lopatki_fap": ("Бессоновский район", "Чемодановский сельсовет"),
    "pachelmsky_reshetino_fap": ("Пачелмский район", "Решетинский сельсовет"),
    "nizhnelomovsky_norovka_va": ("Нижнеломовский район", "Норовский сельсовет"),
}

_TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
                      "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"]))


def unit_name(label: str) -> str:
    """Rosstat's label without the 'Сельское/Городское поселение' prefix and ' - ...' suffix."""
    name = re.sub(r"\s+-\s+.*$", "", str(label)).strip()
    name = re.sub(r"^(Сельское поселение|Городское поселение|Городской округ)\s+", "", name)
    return re.sub(r"^рабочий поселок ", "рп ", re.sub(r"^город ", "г. ", name))


def slug(text: str) -> str:
    """An ASCII id from a Russian name (simple transliteration)."""
    out = "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())
    return re.sub(r"[^a-z0-9]+", "_", out).strip("_")


def region_ids(census: pd.DataFrame) -> dict[str, str]:
    """Rosstat district label ('Башмаковский район', 'г. Пенза') -> region id of the bundled round."""
    out = {}
    for r in census.itertuples(index=False):
        district = re.sub(r" \(.*\)$", "", r.name_ru)  # 'г. Пенза (городской округ)' -> 'г. Пенза'
        out[district] = MERGED.get(r.id, r.id)
    return out


def _known_points(settlements: pd.DataFrame, facts: pd.DataFrame) -> dict[tuple[str, str], dict]:
    """(district, unit name) -> the sourced centre point and how it was matched."""
    known: dict[tuple[str, str], dict] = {}
    for r in settlements.itertuples(index=False):
        if pd.isna(r.lat) or pd.isna(r.lon) or pd.isna(r.district):
            continue
        if pd.notna(r.municipal_unit):
            key = (r.district, unit_name(r.municipal_unit))
            inferred = isinstance(r.notes, str) and "district inferred" in r.notes
            basis = "named_village" if inferred else "sourced"
            how = ("village named as the unit (GeoNames), taken as its centre; district inferred in "
                   f"{SETTLEMENTS}" if inferred else f"listed in {SETTLEMENTS} as this unit's settlement")
        elif ("settlements", r.settlement) in NAMED_CENTRES:
            key, basis = NAMED_CENTRES[("settlements", r.settlement)], "sourced"
            how = f"OKTMO {r.notes.split()[-1]} (…101, the unit's centre) in {SETTLEMENTS}"
        else:
            continue
        known.setdefault(key, {"lat": r.lat, "lon": r.lon, "centre": r.settlement, "coord_basis": basis,
                               "coord_source": f"{r.coord_source}; {how}"})
    for r in facts.itertuples(index=False):
        if ("facts", r.settlement_name_ru) in NAMED_CENTRES and pd.notna(r.lat):
            known.setdefault(NAMED_CENTRES[("facts", r.settlement_name_ru)], {
                "lat": r.lat, "lon": r.lon, "centre": r.settlement_name_ru, "coord_basis": "sourced",
                "coord_source": f"{r.coord_source}; centre of the unit per {FACTS} notes"})
    return known


def build_units(units: pd.DataFrame, census: pd.DataFrame, districts: pd.DataFrame,
                settlements: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """The settlements table: one row per unit of ``LEVELS`` with its 2021 population, at its
    centre; sourced where the reference lists the centre, else estimated (``coord_basis``)."""
    regions = region_ids(census)
    u = units[units["level"].isin(LEVELS)].copy()
    u["region_id"] = u["district"].map(regions)
    if u["region_id"].isna().any():
        raise ValueError(f"unmapped districts: {sorted(set(u.loc[u['region_id'].isna(), 'district']))}")
    known = _known_points(settlements, facts)
    geod = Geod(ellps="WGS84")
    dist_rows = districts.set_index("id")
    rows = []
    for (district, region), group in u.groupby(["district", "region_id"], sort=False):
        did = next((i for i, reg in census.set_index("id")["name_ru"].items()
                    if re.sub(r" \(.*\)$", "", reg) == district), None)
        centre = dist_rows.loc[did]
        radius = np.sqrt(float(centre["area_km2"]) / np.pi) if pd.notna(centre.get("area_km2")) else 10.0
        missing = [r for r in group.itertuples(index=False)
                   if (district, unit_name(r.name_ru)) not in known | AT_TOWN_EDGE.keys()]
        k_of = {r.name_ru: k for k, r in enumerate(missing)}
        for r in group.itertuples(index=False):
            name = unit_name(r.name_ru)
            row = {"settlement_id": f"{region}__{slug(name)}", "name": name, "region_id": region,
                   "lat": np.nan, "lon": np.nan, "population": int(r.population_2021),
                   "population_year": 2021, "level": r.level, "district_ru": district,
                   "other_rural_localities_2021": r.other_rural_localities_2021}
            if (district, name) in known:
                p = known[(district, name)]
                row.update(lat=round(float(p["lat"]), 6), lon=round(float(p["lon"]), 6), centre=p["centre"],
                           coord_basis=p["coord_basis"], coord_source=p["coord_source"])
            elif (district, name) in AT_TOWN_EDGE:
                town = settlements.set_index("settlement")
                t_lat, t_lon = (float(x) for x in town.loc[AT_TOWN_EDGE[(district, name)], ["lat", "lon"]])
                row.update(lat=t_lat, lon=t_lon, centre="", coord_basis="estimated",
                           coord_source=(f"estimated: the point of {AT_TOWN_EDGE[(district, name)]} "
                                         f"({SETTLEMENTS}); {FACTS} says the centre is at the town's western edge"))
            else:
                k, n = k_of[r.name_ru], len(missing)
                dist = SPREAD_SHARE * radius * np.sqrt((k + 0.5) / n)
                bearing = (k * GOLDEN_ANGLE) % 360.0
                lon, lat, _ = geod.fwd(float(centre["lon"]), float(centre["lat"]), bearing, dist * 1000.0)
                row.update(lat=round(float(lat), 6), lon=round(float(lon), 6), centre="",
                           coord_basis="estimated",
                           coord_source=(f"estimated: district centre {centre['admin_center_en']} "
                                         f"({centre['lat']}, {centre['lon']}, shared/reference/penza_districts.csv) "
                                         f"+ {dist:.1f} km at bearing {bearing:.0f} deg; spiral spread "
                                         f"(unit {k + 1} of {n} unlisted in the district, radius "
                                         f"{SPREAD_SHARE} x sqrt(area {centre['area_km2']} km2 / pi) x "
                                         f"sqrt((k+0.5)/n), bearing k x 137.5 deg); NOT the real centre"))
            row["population_source"] = f"{UNITS}: {r.source}"
            rows.append(row)
    out = pd.DataFrame(rows)
    if out["settlement_id"].duplicated().any():
        raise ValueError(f"duplicate ids: {out.loc[out['settlement_id'].duplicated(), 'settlement_id'].tolist()}")
    return out


def district_centres(nodes: pd.DataFrame, districts: pd.DataFrame) -> pd.DataFrame:
    """For each region id of ``IDS``: the node at its administrative centre (the sourced node
    nearest to penza_districts.csv's centre point, within ``CENTRE_MATCH_KM``)."""
    d = districts.set_index("id")
    src = nodes[nodes["coord_basis"] != "estimated"]
    rows = []
    for rid in IDS:
        c = d.loc["kuznetsk_city" if rid == "kuznetsk_kuznetsky" else rid]
        km = geodesic_km(float(c["lat"]), float(c["lon"]), src["lat"].to_numpy(), src["lon"].to_numpy())
        i = int(np.argmin(km))
        if km[i] > CENTRE_MATCH_KM:
            raise ValueError(f"no node within {CENTRE_MATCH_KM} km of the centre of {rid}")
        node = src.iloc[i]
        rows.append({"region_id": rid, "node": node["settlement_id"], "lat": node["lat"], "lon": node["lon"]})
    return pd.DataFrame(rows)


def build_village_roads(nodes: pd.DataFrame, centres: pd.DataFrame, road_km: pd.DataFrame,
                        detour_factor: float = DEFAULT_DETOUR_FACTOR) -> pd.DataFrame:
    """Roads: the district table between centre nodes (network.penza_data.build_roads), then
    estimated links unit -> its district centre and unit -> its ``NEAREST_UNITS`` nearest units."""
    c = centres.rename(columns={"region_id": "settlement_id"})[["settlement_id", "lat", "lon"]]
    district = build_roads(c, road_km, detour_factor)
    to_node = dict(zip(centres["region_id"], centres["node"]))
    district["from_id"] = district["from_id"].map(to_node)
    district["to_id"] = district["to_id"].map(to_node)
    district["note"] = ("between district centres (data/penza/roads.csv method). "
                        + district["note"].fillna("")).str.strip()
    rows = district.to_dict("records")
    seen = {frozenset((r["from_id"], r["to_id"])) for r in rows}
    pos = nodes.set_index("settlement_id")
    lat, lon = pos["lat"].to_numpy(), pos["lon"].to_numpy()
    basis_of = pos["coord_basis"]

    def add(a, b, why):
        """An estimated local road a-b (geodesic between the two points x detour factor)."""
        key = frozenset((a, b))
        if a == b or key in seen:
            return
        seen.add(key)
        g = float(geodesic_km(pos.at[a, "lat"], pos.at[a, "lon"], pos.at[b, "lat"], pos.at[b, "lon"]))
        est = [x for x in (a, b) if basis_of[x] == "estimated"]
        rows.append({"from_id": a, "to_id": b, "km": round(max(g * detour_factor, 0.1), 1), "minutes": np.nan,
                     "road_class": "local", "basis": "estimated",
                     "source": f"geodesic between unit centres {g:.1f} km x detour factor {detour_factor} (assumed)",
                     "note": why + ("; end point coordinates estimated: " + ", ".join(est) if est else "")})

    for r in nodes.itertuples(index=False):
        add(r.settlement_id, to_node[r.region_id], "unit to its district centre; not verified as a direct road")
    ids = pos.index.to_numpy()
    dist = geodesic_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    np.fill_diagonal(dist, np.inf)
    for i, a in enumerate(ids):
        for j in np.argsort(dist[i], kind="stable")[:NEAREST_UNITS]:
            add(a, ids[j], f"link to one of the {NEAREST_UNITS} nearest units; not verified as a direct road")
    return pd.DataFrame(rows)


def build_facilities(round_facilities: pd.DataFrame, nodes: pd.DataFrame,
                     centres: pd.DataFrame) -> pd.DataFrame:
    """The bundled round's 35 facilities on the village graph (network schema): district
    hospitals and city facilities at their centre's node, the six named posts at their unit's node.
    All staffed: the round lists vacancies, not filled posts, and none has every post vacant."""
    by_unit = {(r.district_ru, r.name): r.settlement_id for r in nodes.itertuples(index=False)}
    to_node = dict(zip(centres["region_id"], centres["node"]))
    rows = []
    for f in round_facilities.itertuples(index=False):
        ftype = str(f.type).upper()
        note = ""
        if f.facility_id in POST_UNITS:
            node = by_unit[POST_UNITS[f.facility_id]]
            note = f"named post of seed 004; in {POST_UNITS[f.facility_id][1]} per {FACTS}"
        else:
            node = to_node[f.region_id]
            note = "at the administrative centre of its formation"
        if ftype == "HOSPITAL":
            ftype, note = "POLYCLINIC", note + "; Zarechny's medical unit (МСЧ) has the town's polyclinic"
        rows.append({"facility_id": f.facility_id, "name": f.name, "facility_type": ftype, "region_id": f.region_id,
                     "settlement_id": node, "lat": f.lat, "lon": f.lon, "staffed": True,
                     "note": note + "; from data/penza/facilities.csv"})
    return pd.DataFrame(rows)


def build_candidates(nodes: pd.DataFrame, facilities: pd.DataFrame) -> pd.DataFrame:
    """Candidate sites for new posts: every unit with no facility at its centre node, a FAP up to
    2,000 residents and a doctor's ambulatory (VA) above (the rule of docs/network.md; the same
    choice as the network page's ``candidate_sites``)."""
    free = nodes[~nodes["settlement_id"].isin(set(facilities["settlement_id"])) & (nodes["population"] >= 100)]
    return pd.DataFrame({"site_id": "new_" + free["settlement_id"], "settlement_id": free["settlement_id"],
                         "facility_type": np.where(free["population"] > 2000, "VA", "FAP"),
                         "region_id": free["region_id"], "population": free["population"],
                         "coord_basis": free["coord_basis"]}).reset_index(drop=True)


def build(reference: Path, round_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Settlements, roads and facilities of the village network from the reference folder and the
    bundled round (``round_dir`` = data/penza)."""
    units = pd.read_csv(reference / "penza_municipal_units_2021.csv")
    census = pd.read_csv(reference / "penza_districts_census2021.csv")
    districts = pd.read_csv(reference / "penza_districts.csv")
    settlements = pd.read_csv(reference / "penza_settlements.csv")
    road_km = pd.read_csv(reference / "penza_road_km.csv")
    facts = pd.read_csv(round_dir / "sources" / "settlement_facts.csv")
    nodes = build_units(units, census, districts, settlements, facts)
    centres = district_centres(nodes, districts)
    roads = build_village_roads(nodes, centres, road_km)
    facilities = build_facilities(pd.read_csv(round_dir / "facilities.csv"), nodes, centres)
    return nodes, roads, facilities


def main(argv=None) -> int:
    """Write settlements.csv, roads.csv and staffed_facilities.csv into ``--out``; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=Path("../shared/reference"))
    parser.add_argument("--round", type=Path, default=Path("data/penza"), help="the bundled round's folder")
    parser.add_argument("--out", type=Path, default=Path("data/penza/villages"))
    args = parser.parse_args(argv)
    nodes, roads, facilities = build(args.reference, args.round)
    args.out.mkdir(parents=True, exist_ok=True)
    nodes.to_csv(args.out / "settlements.csv", index=False)
    roads.to_csv(args.out / "roads.csv", index=False)
    facilities.to_csv(args.out / "staffed_facilities.csv", index=False)  # not "facilities.csv": the round's table name
    build_candidates(nodes, facilities).to_csv(args.out / "candidates.csv", index=False)
    est = int((nodes["coord_basis"] == "estimated").sum())
    print(f"{len(nodes)} units ({est} estimated centres), {len(roads)} roads, "
          f"{len(facilities)} facilities -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

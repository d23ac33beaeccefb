"""Synthetic allocation rounds of any size, for benchmarks and what-if studies.

``allocator generate --graduates N --facilities M --regions R --seed S OUT``
writes a round folder that ``allocator solve`` reads. Every figure below is a
modelling choice of ours, not a statistic; the structure follows DOMAIN.md:

- regions: centres scattered over a country-sized box (about 4,000 km² per
  region, like a Russian or Kazakh district), population log-normal, a
  priority weight of a KOMK group (I 2.0 ... V 1.0);
- facilities: in regions in proportion to population, scattered around the
  centre; 65% rural (FAP, VA, UB, RB), 35% urban (polyclinic, hospital); the
  settlement population follows the type;
- vacancies: per specialty about 1.3 times the graduates of that specialty,
  1-4 posts per facility and specialty, only at facility types that employ
  the specialty (feldshers at FAPs, surgeons at hospitals);
- graduates: a specialty mix of colleges and universities; 35% grant, 25%
  targeted (sponsor = home region, else a near one), 40% paid; homes in
  regions in proportion to population; a quarter give their own coordinates
  (the rest live at the region's centre), some paid graduates their own
  max_km;
- programmes: Zemsky doctor and Zemsky feldsher (national, settlements up to
  50,000) and one regional programme per 25 regions in high-priority regions;
  quotas and budgets at about a third of what paid graduates could use, so
  they bind;
- scenario: max_km 100, the flow engine.

The same arguments give byte-identical files.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import pandas as pd

# specialty -> (share of graduates, facility types that employ it)
SPECIALTIES = {
    "nurse": (0.30, ("FAP", "VA", "UB", "RB", "polyclinic", "hospital")),
    "feldsher": (0.15, ("FAP", "VA", "RB")),
    "midwife": (0.05, ("FAP", "RB", "hospital")),
    "therapist": (0.12, ("VA", "UB", "RB", "polyclinic", "hospital")),
    "gp": (0.08, ("VA", "UB", "polyclinic")),
    "paediatrician": (0.08, ("VA", "UB", "RB", "polyclinic", "hospital")),
    "surgeon": (0.06, ("RB", "hospital")),
    "obstetrician": (0.05, ("RB", "hospital", "polyclinic")),
    "anaesthetist": (0.04, ("RB", "hospital")),
    "psychiatrist": (0.03, ("RB", "hospital", "polyclinic")),
    "dentist": (0.04, ("VA", "RB", "polyclinic")),
}
DOCTORS = ("therapist", "gp", "paediatrician", "surgeon", "obstetrician", "anaesthetist",
           "psychiatrist", "dentist")
# facility type -> (share, rural, settlement population range)
TYPES = {
    "FAP": (0.38, True, (100, 2_000)),
    "VA": (0.12, True, (1_500, 8_000)),
    "UB": (0.07, True, (3_000, 15_000)),
    "RB": (0.08, True, (8_000, 45_000)),
    "polyclinic": (0.20, False, (60_000, 900_000)),
    "hospital": (0.15, False, (60_000, 900_000)),
}
GROUP_WEIGHTS = np.array([2.0, 1.75, 1.5, 1.25, 1.0])  # KOMK groups I..V
REGION_KM2 = 4_000.0
KM_PER_DEG = 111.2


def generate_round(graduates: int, facilities: int, regions: int | None = None,
                   seed: int = 1) -> dict[str, pd.DataFrame]:
    """Tables of a synthetic round: regions, facilities, vacancies, graduates, programmes."""
    if graduates < 1 or facilities < 1:
        raise ValueError("a round needs at least one graduate and one facility")
    n_reg = regions if regions is not None else max(3, facilities // 20)
    if n_reg < 1:
        raise ValueError("a round needs at least one region")
    rng = np.random.default_rng(seed)
    reg = _regions(rng, n_reg)
    fac = _facilities(rng, reg, facilities)
    grad = _graduates(rng, reg, graduates)
    vac = _vacancies(rng, reg, fac, grad)
    prog = _programmes(rng, reg, grad)
    return {"regions": reg, "facilities": fac, "vacancies": vac, "graduates": grad,
            "programmes": prog}


def _regions(rng, n: int) -> pd.DataFrame:
    side_km = math.sqrt(n * REGION_KM2)
    lat0, lon0 = 51.0, 66.0  # a box in the steppe; only relative positions matter
    dlat = side_km / KM_PER_DEG
    dlon = side_km / (KM_PER_DEG * math.cos(math.radians(lat0)))
    population = np.round(rng.lognormal(10.3, 0.8, n)).astype(int)
    group = rng.choice(5, n, p=[0.15, 0.25, 0.3, 0.2, 0.1])
    return pd.DataFrame({
        "region_id": [f"R{i:04d}" for i in range(n)],
        "name": [f"Район {i + 1}" for i in range(n)],
        "lat": np.round(lat0 - dlat / 2 + rng.random(n) * dlat, 5),
        "lon": np.round(lon0 - dlon / 2 + rng.random(n) * dlon, 5),
        "population": population,
        "weight": GROUP_WEIGHTS[group],
    })


def _scatter(rng, lat, lon, n, sigma_km):
    lat = lat + rng.normal(0, sigma_km / KM_PER_DEG, n)
    lon = lon + rng.normal(0, sigma_km / (KM_PER_DEG * np.cos(np.radians(lat))), n)
    return np.round(lat, 5), np.round(lon, 5)


def _facilities(rng, reg: pd.DataFrame, n: int) -> pd.DataFrame:
    p = reg["population"].to_numpy(float)
    where = rng.choice(len(reg), n, p=p / p.sum())
    names = list(TYPES)
    share = np.array([TYPES[t][0] for t in names])
    kind = np.array(names)[rng.choice(len(names), n, p=share / share.sum())]
    lat, lon = _scatter(rng, reg["lat"].to_numpy()[where], reg["lon"].to_numpy()[where], n,
                        0.3 * math.sqrt(REGION_KM2))
    low = np.array([TYPES[t][2][0] for t in kind], dtype=float)
    high = np.array([TYPES[t][2][1] for t in kind], dtype=float)
    settlement = np.round(np.exp(np.log(low) + rng.random(n) * (np.log(high) - np.log(low)))).astype(int)
    rural = np.array([TYPES[t][1] for t in kind])
    return pd.DataFrame({
        "facility_id": [f"F{i:06d}" for i in range(n)],
        "name": [f"{t} {i + 1}" for i, t in enumerate(kind)],
        "region_id": reg["region_id"].to_numpy()[where],
        "lat": lat, "lon": lon, "rural": rural, "type": kind,
        "settlement_population": settlement,
    })


def _graduates(rng, reg: pd.DataFrame, n: int) -> pd.DataFrame:
    spec_names = list(SPECIALTIES)
    share = np.array([SPECIALTIES[s][0] for s in spec_names])
    specialty = np.array(spec_names)[rng.choice(len(spec_names), n, p=share / share.sum())]
    funding = np.array(["grant", "targeted", "paid"])[rng.choice(3, n, p=[0.35, 0.25, 0.40])]
    p = reg["population"].to_numpy(float)
    home = rng.choice(len(reg), n, p=p / p.sum())
    ids = reg["region_id"].to_numpy()
    own = rng.random(n) < 0.25
    lat, lon = _scatter(rng, reg["lat"].to_numpy()[home], reg["lon"].to_numpy()[home], n,
                        0.3 * math.sqrt(REGION_KM2))
    # a targeted graduate's sponsor: the home region, else one of its 5 nearest
    near = _nearest_regions(reg, 6)
    pick = np.where(rng.random(n) < 0.7, 0, rng.integers(1, near.shape[1], n))
    sponsor = np.where(funding == "targeted", ids[near[home, pick]], "")
    max_km = np.where((funding == "paid") & (rng.random(n) < 0.2),
                      rng.choice([50.0, 75.0, 120.0, 150.0], n), np.nan)
    return pd.DataFrame({
        "graduate_id": [f"G{i:06d}" for i in range(n)],
        "specialty": specialty, "funding": funding, "home_region_id": ids[home],
        "lat": np.where(own, lat, np.nan), "lon": np.where(own, lon, np.nan),
        "sponsor_region_id": sponsor, "max_km": max_km,
    })


def _nearest_regions(reg: pd.DataFrame, k: int) -> np.ndarray:
    lat = np.radians(reg["lat"].to_numpy())
    lon = np.radians(reg["lon"].to_numpy())
    xyz = np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    k = min(k, len(reg))
    out = np.empty((len(reg), k), dtype=int)
    for start in range(0, len(reg), 512):  # chord distance, in blocks to bound memory
        d = ((xyz[start:start + 512, None, :] - xyz[None, :, :]) ** 2).sum(-1)
        out[start:start + 512] = np.argsort(d, axis=1, kind="stable")[:, :k]
    return out


def _vacancies(rng, reg, fac: pd.DataFrame, grad: pd.DataFrame) -> pd.DataFrame:
    need = grad["specialty"].value_counts()
    weight = reg.set_index("region_id")["weight"].reindex(fac["region_id"]).to_numpy()
    parts = []
    for spec, (_, types) in SPECIALTIES.items():
        eligible = np.flatnonzero(fac["type"].isin(types).to_numpy())
        target = int(round(1.3 * need.get(spec, 0)))
        if target == 0 or len(eligible) == 0:
            continue
        cells = min(len(eligible), max(1, int(round(target / 2.5))))
        w = weight[eligible]  # more posts open where the deficit is worst
        chosen = np.sort(rng.choice(eligible, cells, replace=False, p=w / w.sum()))
        parts.append(pd.DataFrame({
            "facility_id": fac["facility_id"].to_numpy()[chosen],
            "specialty": spec,
            "vacancies": rng.integers(1, 5, cells),
        }))
    return pd.concat(parts, ignore_index=True).sort_values(["facility_id", "specialty"],
                                                          ignore_index=True)


def _programmes(rng, reg: pd.DataFrame, grad: pd.DataFrame) -> pd.DataFrame:
    paid = grad[grad["funding"] == "paid"]
    doctors = int(paid["specialty"].isin(DOCTORS).sum())
    mid = int(paid["specialty"].isin(("feldsher", "midwife", "nurse")).sum())
    rows = [
        ("zemsky_doctor", "Земский доктор", 1_000_000.0, max(1, doctors // 3),
         1_000_000.0 * max(1, doctors // 3), ";".join(DOCTORS), "", 50_000),
        ("zemsky_feldsher", "Земский фельдшер", 500_000.0, None,
         500_000.0 * max(1, mid // 4), "feldsher;midwife;nurse", "", 50_000),
    ]
    top = reg.sort_values(["weight", "region_id"], ascending=[False, True])["region_id"].to_numpy()
    for i, region in enumerate(top[: max(0, len(reg) // 25)]):
        local = int((paid["home_region_id"] == region).sum())
        rows.append((f"regional_{region}", f"Подъёмные ({region})", 150_000.0, max(1, local // 3),
                     None, "", region, None))
    return pd.DataFrame(rows, columns=["programme_id", "name", "payment", "quota", "budget",
                                       "specialties", "region_id", "max_settlement_population"])


SCENARIO_TOML = """# Options of a generated round (allocator generate); the command line overrides them.
solver = "flow"
max_km = 100
diminishing_returns = false
distances = "geodesic"
"""


def write_round(frames: dict[str, pd.DataFrame], out: str | Path) -> Path:
    """Write the tables as CSV files (and scenario.toml) into a new or empty folder."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        frame.to_csv(out / f"{name}.csv", index=False, lineterminator="\n", float_format="%.10g")
    (out / "scenario.toml").write_text(SCENARIO_TOML, encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    """``allocator generate OUT --graduates N --facilities M``: write a generated round to OUT
    and print its size; returns 0 (bad sizes exit 2 through argparse).
    """
    p = argparse.ArgumentParser(prog="allocator generate", description=__doc__.split("\n")[0])
    p.add_argument("out", help="folder to write the round into")
    p.add_argument("--graduates", type=int, required=True)
    p.add_argument("--facilities", type=int, required=True)
    p.add_argument("--regions", type=int, help="default: facilities / 20 (at least 3)")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    try:
        frames = generate_round(args.graduates, args.facilities, args.regions, args.seed)
    except ValueError as exc:
        p.error(str(exc))
    write_round(frames, args.out)
    vac = int(frames["vacancies"]["vacancies"].sum())
    print(f"{args.out}: {len(frames['regions'])} regions, {args.facilities} facilities, "
          f"{vac} vacancies, {args.graduates} graduates, {len(frames['programmes'])} programmes")
    return 0

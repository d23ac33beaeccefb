"""Generate the SYNTHETIC preferences and ratings of the bundled Penza round (issue 13).

Real graduates' lists and marks are personal and not public, so ``data/penza/preferences.csv``
and the ``rating`` column of ``data/penza/graduates.csv`` are generated, deterministically from a
seed:

- rating: an academic score on a 5-point scale, drawn N(4.2, 0.4) and clipped to 3.00..5.00,
  two decimals (ties are broken by graduate_id, as the schema says);
- candidates: the facilities with a vacancy (> 0) of the graduate's specialty; a targeted graduate
  only lists facilities of the sponsor district (the only place the contract allows);
- attraction of a facility: ``-km / 40 - 1.0 * rural + Gumbel(0, 1)`` with km the great-circle
  distance from the home district's centre (graduates prefer posts near home and in towns);
- list length: 1..5 choices (weights 10, 15, 20, 25, 30 %), never more than the candidates; the
  list is the candidates in decreasing attraction.

    python scripts/penza_preferences.py [--seed 2026] [--folder data/penza]

Other columns of graduates.csv are kept as they are; running it twice gives the same files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

LENGTH_WEIGHTS = np.array([0.10, 0.15, 0.20, 0.25, 0.30])  # P(list of 1..5 choices)
KM_SCALE = 40.0  # km that cost as much attraction as one unit of Gumbel noise
RURAL_PENALTY = 1.0


def great_circle_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Haversine distance on a 6371 km sphere (broadcasting)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlon = p2 - p1, np.radians(lon2) - np.radians(lon1)
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def generate(folder: Path, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The graduates with ``rating`` and the preferences table (graduate_id, rank, facility_id)."""
    rng = np.random.default_rng(seed)
    graduates = pd.read_csv(folder / "graduates.csv", dtype=str, keep_default_na=False)
    facilities = pd.read_csv(folder / "facilities.csv", dtype=str, keep_default_na=False)
    vacancies = pd.read_csv(folder / "vacancies.csv", dtype=str, keep_default_na=False)
    regions = pd.read_csv(folder / "regions.csv", dtype=str, keep_default_na=False).set_index("region_id")
    vacancies = vacancies[pd.to_numeric(vacancies["vacancies"]) > 0]
    fac = facilities.set_index("facility_id")
    rural = fac["rural"].str.lower().isin(["true", "1", "yes", "да"])
    rating = np.clip(rng.normal(4.2, 0.4, len(graduates)), 3.0, 5.0).round(2)
    rows = []
    for g in graduates.itertuples(index=False):
        cands = vacancies.loc[vacancies["specialty"] == g.specialty, "facility_id"].drop_duplicates()
        if g.funding == "targeted" and g.sponsor_region_id:
            cands = cands[cands.map(fac["region_id"]) == g.sponsor_region_id]
        cands = sorted(cands)
        noise = rng.gumbel(size=len(cands))  # drawn for every graduate, so each list depends on the seed alone
        length = int(rng.choice(np.arange(1, 6), p=LENGTH_WEIGHTS))
        if not cands:
            continue
        home = regions.loc[g.home_region_id]
        km = great_circle_km(float(home["lat"]), float(home["lon"]), fac.loc[cands, "lat"].astype(float).to_numpy(),
                             fac.loc[cands, "lon"].astype(float).to_numpy())
        score = -km / KM_SCALE - RURAL_PENALTY * rural.loc[cands].to_numpy() + noise
        order = np.argsort(-score, kind="stable")[:length]
        rows += [(g.graduate_id, rank, cands[i]) for rank, i in enumerate(order, start=1)]
    graduates = graduates.copy()
    graduates["rating"] = [f"{r:.2f}" for r in rating]
    return graduates, pd.DataFrame(rows, columns=["graduate_id", "rank", "facility_id"])


def main(argv: list[str] | None = None) -> int:
    """Write preferences.csv and the ratings into graduates.csv of ``--folder``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--folder", type=Path, default=Path(__file__).resolve().parents[1] / "data" / "penza")
    args = ap.parse_args(argv)
    graduates, preferences = generate(args.folder, args.seed)
    graduates.to_csv(args.folder / "graduates.csv", index=False, lineterminator="\n")
    preferences.to_csv(args.folder / "preferences.csv", index=False, lineterminator="\n")
    print(f"{len(preferences)} preferences of {preferences['graduate_id'].nunique()} graduates; "
          f"ratings {graduates['rating'].min()}..{graduates['rating'].max()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Seeded synthetic village networks for tests and benchmarks.

Not real data. A region is a district centre (a few thousand to tens of
thousands of residents) with villages scattered around it; village sizes are
lognormal with a median of about 350 residents, so most fall in the
100-2,000 band of the Russian network rules, some below 100 and a few above
2,000. Roads: a minimum spanning tree over the k-nearest-neighbour graph (so
the network is connected), then the shortest remaining k-nearest links until
the requested edge count. Road km = geodesic x a random detour factor in
[1.1, 1.5]. The same seed gives the same tables.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd

from .geo import geodesic_km, unit_vectors

KM_PER_DEG_LAT = 111.2


def generate_village_network(n_settlements: int = 500, n_edges: int | None = None, *, seed: int = 0,
                             n_regions: int | None = None, center: tuple[float, float] = (53.2, 45.0),
                             spread_km: float = 120.0, village_median: float = 350.0,
                             village_sigma: float = 1.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (settlements, roads) tables in the ``build_road_graph`` schema.

    n_edges defaults to 1.5 x n_settlements and must be at least
    n_settlements - 1 (a spanning tree). Roads have road_class but no minutes.
    """
    if n_settlements < 2:
        raise ValueError("need at least 2 settlements")
    n_edges = int(n_edges if n_edges is not None else 1.5 * n_settlements)
    if not n_settlements - 1 <= n_edges <= n_settlements * (n_settlements - 1) // 2:
        raise ValueError(f"n_edges must be between {n_settlements - 1} and n(n-1)/2")
    n_regions = n_regions or max(1, min(n_settlements // 2, n_settlements // 150 or 1))
    rng = np.random.default_rng(seed)

    lat0, lon0 = center
    km_per_deg_lon = KM_PER_DEG_LAT * math.cos(math.radians(lat0))
    radius = spread_km * np.sqrt(rng.uniform(0, 1, n_regions))
    angle = rng.uniform(0, 2 * np.pi, n_regions)
    c_lat = lat0 + radius * np.sin(angle) / KM_PER_DEG_LAT
    c_lon = lon0 + radius * np.cos(angle) / km_per_deg_lon

    region = np.concatenate([np.arange(n_regions), rng.integers(0, n_regions, n_settlements - n_regions)])
    is_centre = np.arange(n_settlements) < n_regions
    local_sd = 0.5 * spread_km / math.sqrt(n_regions)
    lat = c_lat[region] + np.where(is_centre, 0, rng.normal(0, local_sd, n_settlements)) / KM_PER_DEG_LAT
    lon = c_lon[region] + np.where(is_centre, 0, rng.normal(0, local_sd, n_settlements)) / km_per_deg_lon
    population = np.where(is_centre,
                          rng.lognormal(math.log(8000), 0.6, n_settlements),
                          rng.lognormal(math.log(village_median), village_sigma, n_settlements))
    population = np.maximum(5, np.round(population)).astype(int)

    ids = np.array([f"s{i:05d}" for i in range(n_settlements)], dtype=object)
    settlements = pd.DataFrame({
        "settlement_id": ids,
        "name": [f"Centre {r}" if c else f"Village {i}" for i, (r, c) in enumerate(zip(region, is_centre))],
        "region_id": [f"r{r:03d}" for r in region],
        "lat": np.round(lat, 6),
        "lon": np.round(lon, 6),
        "population": population,
    })

    a, b = _road_pairs(lat, lon, n_edges)
    geo = geodesic_km(lat[a], lon[a], lat[b], lon[b])
    km = np.round(np.maximum(geo, 0.05) * rng.uniform(1.1, 1.5, len(a)), 2)
    both_centres = is_centre[a] & is_centre[b]
    road_class = np.where(both_centres, "regional", np.where(rng.uniform(size=len(a)) < 0.7, "local", "unpaved"))
    roads = pd.DataFrame({"from_id": ids[a], "to_id": ids[b], "km": km,
                          "minutes": np.nan, "road_class": road_class})
    return settlements, roads


def _road_pairs(lat: np.ndarray, lon: np.ndarray, n_edges: int) -> tuple[np.ndarray, np.ndarray]:
    """Undirected pairs (a < b): a spanning tree plus the shortest k-nearest links."""
    n = len(lat)
    k = min(n - 1, max(4, math.ceil(2.6 * n_edges / n) + 2))
    vec = unit_vectors(lat, lon)
    chunk = max(1, 4_000_000 // n)
    rows, cols = [], []
    for start in range(0, n, chunk):
        dots = vec[start:start + chunk] @ vec.T
        np.fill_diagonal(dots[:, start:start + chunk], -np.inf)
        nearest = np.argpartition(-dots, k - 1, axis=1)[:, :k]
        rows.append(np.repeat(np.arange(start, start + len(dots)), k))
        cols.append(nearest.ravel())
    a, b = np.concatenate(rows), np.concatenate(cols)
    cand = pd.DataFrame({"a": np.minimum(a, b), "b": np.maximum(a, b)}).drop_duplicates()
    cand["d"] = geodesic_km(lat[cand["a"]], lon[cand["a"]], lat[cand["b"]], lon[cand["b"]])
    cand = cand.sort_values(["d", "a", "b"]).reset_index(drop=True)

    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from(cand[["a", "b", "d"]].itertuples(index=False, name=None))
    tree = set(map(lambda e: (min(e), max(e)), nx.minimum_spanning_edges(g, data=False)))
    tree |= _bridge_components(g, lat, lon)
    extra = [(x, y) for x, y in cand[["a", "b"]].itertuples(index=False, name=None) if (x, y) not in tree]
    chosen = sorted(tree) + extra[: max(0, n_edges - len(tree))]
    pairs = np.array(chosen[:max(n_edges, len(tree))], dtype=np.int64)
    return pairs[:, 0], pairs[:, 1]


def _bridge_components(g: nx.Graph, lat, lon) -> set[tuple[int, int]]:
    """Links joining every component to the growing main one by its closest pair."""
    comps = sorted(nx.connected_components(g), key=len, reverse=True)
    main = np.array(sorted(comps[0]))
    links = set()
    for comp in comps[1:]:
        members = np.array(sorted(comp))
        d = geodesic_km(lat[members][:, None], lon[members][:, None], lat[main][None, :], lon[main][None, :])
        i, j = np.unravel_index(np.argmin(d), d.shape)
        x, y = int(members[i]), int(main[j])
        links.add((min(x, y), max(x, y)))
        main = np.concatenate([main, members])
    return links


def generate_facilities(settlements: pd.DataFrame, n: int, *, seed: int = 0,
                        staffed_share: float = 0.8, jitter_km: float = 0.5) -> pd.DataFrame:
    """Synthetic facilities at populous settlements, slightly off the node.

    Type by the settlement size (VA above 2,000 residents, else FAP or FP);
    ``staffed`` is True with probability ``staffed_share``. Coordinates are
    moved by up to ``jitter_km`` so that the facilities must be snapped.
    """
    rng = np.random.default_rng(seed)
    weights = settlements["population"].to_numpy(float)
    pick = rng.choice(len(settlements), size=n, replace=False, p=weights / weights.sum())
    s = settlements.iloc[pick]
    pop = s["population"].to_numpy()
    ftype = np.where(pop > 2000, "VA", np.where(rng.uniform(size=n) < 0.6, "FAP", "FP"))
    dlat = rng.uniform(-jitter_km, jitter_km, n) / KM_PER_DEG_LAT
    dlon = rng.uniform(-jitter_km, jitter_km, n) / (KM_PER_DEG_LAT * np.cos(np.radians(s["lat"].to_numpy())))
    return pd.DataFrame({
        "facility_id": [f"f{i:05d}" for i in range(n)],
        "facility_type": ftype,
        "lat": s["lat"].to_numpy() + dlat,
        "lon": s["lon"].to_numpy() + dlon,
        "staffed": rng.uniform(size=n) < staffed_share,
        "region_id": s["region_id"].to_numpy(),
    })

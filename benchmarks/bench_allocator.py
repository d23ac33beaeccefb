"""Time the allocation core on a generated round of a given size and print the figures.

    python benchmarks/bench_allocator.py [--graduates 3000] [--facilities 600] [--solvers cbc,highs,cpsat]

The round: 60 regions around Penza's coordinates, facilities spread over
them (70% rural), 4 specialties, vacancies 0-3 per facility-specialty,
graduates 40% grant, 30% targeted, 30% paid, two programmes, max 150 km.
Prints pairs, variables, constraints and seconds per phase for each solver.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd

from allocator import round_from_frames, solve

SPECIALTIES = np.array(["therapist", "gp", "feldsher", "nurse"])


def generate(n_grad: int, n_fac: int, seed: int = 1) -> dict:
    rng = np.random.default_rng(seed)
    n_reg = 60
    regions = pd.DataFrame({
        "region_id": [f"r{i:02d}" for i in range(n_reg)],
        "name": [f"Район {i}" for i in range(n_reg)],
        "lat": 53.2 + rng.normal(0, 0.8, n_reg),
        "lon": 45.0 + rng.normal(0, 1.2, n_reg),
        "population": rng.integers(5_000, 60_000, n_reg),
    })
    reg = rng.integers(0, n_reg, n_fac)
    facilities = pd.DataFrame({
        "facility_id": [f"f{i:05d}" for i in range(n_fac)],
        "name": [f"ФАП {i}" for i in range(n_fac)],
        "region_id": regions["region_id"].to_numpy()[reg],
        "lat": regions["lat"].to_numpy()[reg] + rng.normal(0, 0.1, n_fac),
        "lon": regions["lon"].to_numpy()[reg] + rng.normal(0, 0.15, n_fac),
        "rural": rng.random(n_fac) < 0.7,
        "settlement_population": rng.integers(200, 70_000, n_fac),
    })
    vac = pd.DataFrame({
        "facility_id": np.repeat(facilities["facility_id"], len(SPECIALTIES)),
        "specialty": np.tile(SPECIALTIES, n_fac),
        "vacancies": rng.integers(0, 4, n_fac * len(SPECIALTIES)),
    })
    funding = rng.choice(["grant", "targeted", "paid"], n_grad, p=[0.4, 0.3, 0.3])
    home = rng.integers(0, n_reg, n_grad)
    graduates = pd.DataFrame({
        "graduate_id": [f"g{i:06d}" for i in range(n_grad)],
        "specialty": rng.choice(SPECIALTIES, n_grad),
        "funding": funding,
        "home_region_id": regions["region_id"].to_numpy()[home],
        "lat": regions["lat"].to_numpy()[home] + rng.normal(0, 0.1, n_grad),
        "lon": regions["lon"].to_numpy()[home] + rng.normal(0, 0.15, n_grad),
        "sponsor_region_id": np.where(funding == "targeted",
                                      regions["region_id"].to_numpy()[rng.integers(0, n_reg, n_grad)], ""),
    })
    programmes = pd.DataFrame({
        "programme_id": ["zd", "zf"], "name": ["Земский доктор", "Земский фельдшер"],
        "payment": [1_000_000, 500_000], "quota": [n_grad // 20, n_grad // 20],
        "budget": [1_000_000 * n_grad // 25, 500_000 * n_grad // 25],
        "specialties": ["therapist;gp", "feldsher;nurse"], "region_id": ["", ""],
        "max_settlement_population": [50_000, 50_000],
    })
    return dict(regions=regions, facilities=facilities, vacancies=vac, graduates=graduates,
                programmes=programmes)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--graduates", type=int, default=3000)
    p.add_argument("--facilities", type=int, default=600)
    p.add_argument("--solvers", default="cbc,highs,cpsat")
    p.add_argument("--time-limit", type=float, default=600)
    args = p.parse_args(argv)
    frames = generate(args.graduates, args.facilities)
    print(f"round: {args.graduates} graduates, {args.facilities} facilities, "
          f"{int(frames['vacancies']['vacancies'].sum())} vacancies")
    for solver in args.solvers.split(","):
        t0 = time.perf_counter()
        round_ = round_from_frames(**frames, solver=solver, max_km=150.0, time_limit=args.time_limit)
        t_valid = time.perf_counter() - t0
        s = solve(round_).summary
        w = s["wall_time_s"]
        print(f"{solver:6s} status={s['status']:9s} pairs={s['model']['pairs']} vars={s['model']['variables']} "
              f"rows={s['model']['constraints']} validate={t_valid:.2f}s build={w['build']:.2f}s "
              f"levels={w.get('obligated', 0):.2f}/{w.get('deficit', 0):.2f}/{w.get('km', 0):.2f}s "
              f"total={w['total']:.2f}s objective={tuple(s['objective'].values())}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()

"""Write a seeded synthetic village network (settlements.csv, roads.csv, facilities.csv).

    python scripts/generate_village_network.py --settlements 5000 --edges 50000 --seed 1 --out out/villages

Synthetic data for tests and benchmarks, not a real region (see network/generator.py).
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from network.generator import generate_facilities, generate_village_network  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--settlements", type=int, default=500, help="number of settlements (default 500)")
    p.add_argument("--edges", type=int, help="number of roads (default 1.5 x settlements)")
    p.add_argument("--facilities", type=int, default=0, help="also write this many synthetic facilities")
    p.add_argument("--seed", type=int, default=0, help="random seed (same seed, same files)")
    p.add_argument("--out", type=Path, required=True, help="output directory")
    args = p.parse_args(argv)
    settlements, roads = generate_village_network(args.settlements, args.edges, seed=args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    settlements.to_csv(args.out / "settlements.csv", index=False)
    roads.to_csv(args.out / "roads.csv", index=False)
    if args.facilities:
        generate_facilities(settlements, args.facilities, seed=args.seed).to_csv(args.out / "facilities.csv",
                                                                                 index=False)
    print(f"{len(settlements)} settlements, {len(roads)} roads -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

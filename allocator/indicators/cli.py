"""``allocator indicators ROUND [--out FILE]``: write the region indicator table.

What ROUND may hold (the first that exists wins):

1. ``staffing.csv`` (region_id, staff_group, positions, occupied, persons;
   staff groups doctors, doctors_amb, doctors_district, midlevel,
   midlevel_amb, midlevel_district) with population from
   ``population.csv`` or ``regions.csv`` (region_id, population);
2. ``seed004/doctors_2019.csv`` ... (the extracted seed 004 tables, as in
   data/penza/seed004), or those files directly in ROUND.

If ROUND has a ``regions.csv``, rows are aligned to its region ids (a
combined formation such as kuznetsk_kuznetsky is copied to kuznetsk_city and
kuznetsky) and ids the table lacks are reported on stderr.
Output: CSV (UTF-8, comma, decimal point) to FILE, or to stdout.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from .for_round import indicator_table_for_round
from .groups import METHODS, SEED004_KOMK_CUT, GroupCut
from .table import expand_formations


def _weights(text: str | None) -> dict[str, float] | None:
    if not text:
        return None
    out = {}
    for part in text.split(","):
        key, _, value = part.partition("=")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"bad weight {part!r}; use e.g. I=2,II=1.6") from None
    return out


def _cut(method: str, cuts: str | None) -> GroupCut:
    if cuts is None:
        return SEED004_KOMK_CUT if method == SEED004_KOMK_CUT.method else GroupCut(method, {
            "absolute": SEED004_KOMK_CUT.cuts, "quantile": (0.2, 0.4, 0.6, 0.8),
            "sigma": (-1.5, -0.5, 0.5, 1.5)}[method])
    return GroupCut(method, tuple(float(x) for x in cuts.split(",")))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``allocator indicators ROUND`` (output file, group cuts, weights)."""
    p = argparse.ArgumentParser(prog="allocator indicators",
                                description="Staffing indicators, KOMK ranking, groups and default weights per region.")
    p.add_argument("round", metavar="ROUND", help="round folder (see module doc for the files read)")
    p.add_argument("--out", metavar="FILE", help="CSV to write (default: stdout)")
    p.add_argument("--cut-method", choices=METHODS, default="reference_share",
                   help="how groups I-V are cut (default: share of the region set's KOMK)")
    p.add_argument("--cuts", metavar="A,B,C,D",
                   help="four increasing cut points (default for reference_share: 0.80,0.86,0.92,0.98)")
    p.add_argument("--weights", metavar="I=2,II=1.6,...", help="override group weights")
    p.add_argument("--corrected", action="store_true",
                   help="seed 004 only: apply the documented corrections of seed typos")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (0 ok, 2 bad input)."""
    args = build_parser().parse_args(argv)
    folder = Path(args.round)
    try:
        cut = _cut(args.cut_method, args.cuts)
        table = indicator_table_for_round(folder, cut=cut, weight_mapping=_weights(args.weights),
                                          corrected=args.corrected)
    except (ValueError, FileNotFoundError, argparse.ArgumentTypeError) as exc:
        print(f"allocator indicators: error: {exc}", file=sys.stderr)
        return 2
    regions_file = folder / "regions.csv"
    if regions_file.exists():
        ids = pd.read_csv(regions_file, usecols=["region_id"]).region_id.astype(str)
        table = expand_formations(table, ids)
        lacking = sorted(set(ids) - set(table.region_id))
        if lacking:
            print(f"allocator indicators: no indicators for {len(lacking)} region(s) of regions.csv: "
                  f"{', '.join(lacking)} (their weight stays as given, else 1)", file=sys.stderr)
    table = table.round(6)  # drop float noise such as 1.7699999999999996
    if args.out:
        table.to_csv(args.out, index=False)
        print(f"wrote {len(table)} regions to {args.out}", file=sys.stderr)
    else:
        table.to_csv(sys.stdout, index=False)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

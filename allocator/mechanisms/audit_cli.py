"""``allocator audit ROUND ASSIGNMENTS.csv [--out FILE.csv] [--lang ru|en]``: the justified-envy
pairs of any distribution (a commission's decision, last year's, or ours).

The round is validated as ``allocator solve`` validates it; the assignments file is any CSV with
``graduate_id`` and ``facility_id`` (``specialty`` and ``programme_id`` are read when present: the
specialty defaults to the graduate's, a programme place to none; other columns, such as those of
``allocator solve``'s ``assignments.csv``, are ignored). Refused with file, row and column: a
missing column, an unknown graduate or facility, a graduate placed twice.

Prints the number of pairs (in ``--lang``) and writes them (:data:`allocator.mechanisms.audit.
PAIR_COLUMNS`) to ``--out`` when given. Exit codes: 0 no blocking pair (or a round without
preferences), 1 some blocking pair, 2 bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from ..catalogue import language_from_locale, text
from ..io import read_csv_bytes
from ..messages import InputError, Problem
from ..validate import load_round
from .audit import blocking_pairs

EXIT_NONE, EXIT_SOME, EXIT_INPUT = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    """Run the audit command (see the module docstring); returns the exit code."""
    ap = argparse.ArgumentParser(prog="allocator audit", description=__doc__.splitlines()[0])
    ap.add_argument("round", help="round folder or .xlsx workbook")
    ap.add_argument("assignments", help="CSV with graduate_id and facility_id per placed graduate")
    ap.add_argument("--out", help="write the pairs to this CSV file")
    ap.add_argument("--lang", choices=("en", "ru"), default=language_from_locale())
    args = ap.parse_args(argv)
    try:
        round_ = load_round(args.round)
        assignments = read_assignments(Path(args.assignments), round_)
    except InputError as exc:
        print(exc.report(args.lang), file=sys.stderr)
        return EXIT_INPUT
    if round_.preferences.empty:
        print(text("audit_no_preferences", args.lang))
        return EXIT_NONE
    pairs = blocking_pairs(round_, assignments)
    if pairs.empty:
        print(text("audit_none", args.lang))
    else:
        print(text("audit_pairs", args.lang, count=len(pairs), graduates=pairs["graduate_id"].nunique()))
        print(text("audit_free", args.lang, count=int(pairs["holder_id"].isna().sum())))
    if args.out:
        pairs.to_csv(args.out, index=False, lineterminator="\n")
        print(text("audit_written", args.lang, path=args.out))
    return EXIT_SOME if len(pairs) else EXIT_NONE


def read_assignments(path: Path, round_) -> pd.DataFrame:
    """graduate_id, facility_id, specialty, programme_id of an assignments file; raises InputError."""
    name = path.name
    try:
        frame, problems = read_csv_bytes(path.read_bytes(), name)
    except OSError:
        raise InputError([Problem.of(str(path), None, None, "no_such_path")]) from None
    if problems or frame is None:
        raise InputError(problems)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in ("graduate_id", "facility_id") if c not in frame.columns]
    if missing:
        raise InputError([Problem.of(name, None, c, "column_missing") for c in missing])
    frame = frame.loc[~(frame == "").all(axis=1)]
    gid = frame["graduate_id"].astype(str).str.strip()
    fid = frame["facility_id"].astype(str).str.strip()
    grads = round_.graduates.set_index("graduate_id")
    known_g, known_f = set(grads.index), set(round_.facilities["facility_id"])
    problems = []
    for idx in frame.index[~gid.isin(known_g)]:
        problems.append(Problem.of(name, int(idx) + 2, "graduate_id", "unknown_reference", value=gid[idx],
                                   key="graduate_id", table="graduates"))
    for idx in frame.index[~fid.isin(known_f)]:
        problems.append(Problem.of(name, int(idx) + 2, "facility_id", "unknown_reference", value=fid[idx],
                                   key="facility_id", table="facilities"))
    for idx in frame.index[gid.duplicated(keep="first") & gid.isin(known_g)]:
        problems.append(Problem.of(name, int(idx) + 2, "graduate_id", "graduate_placed_twice", value=gid[idx]))
    if problems:
        raise InputError(problems)
    spec = (frame["specialty"].astype(str).str.strip() if "specialty" in frame
            else pd.Series("", index=frame.index))
    spec = spec.where(spec != "", gid.map(grads["specialty"]))
    prog = (frame["programme_id"].astype(str).str.strip() if "programme_id" in frame
            else pd.Series("", index=frame.index))
    return pd.DataFrame({"graduate_id": gid.to_numpy(), "facility_id": fid.to_numpy(), "specialty": spec.to_numpy(),
                         "programme_id": prog.where(prog != "", None).astype(object).to_numpy()})


if __name__ == "__main__":  # pragma: no cover - the lead wires it into allocator/cli.py
    raise SystemExit(main())

"""Command line: ``allocator marginal ROUND --programme ID --out DIR`` (docs/sweep.md).

Solves the round at every breakpoint of one programme's budget
(:func:`allocator.sweep.marginal.marginal_curve`), writes the steps to
``DIR/marginal_<ID>.csv`` (written whole or not at all) and prints what each further payment buys:
the deficit removed and the regions whose deficit changes. ``--at B`` also
prints what the next ``--extra`` (default 1,000,000) money buys from a budget of
B, and what the deficit level's LP duals say of one more place there (flow engine, the default
``--solver``). Exit codes as ``allocator solve``: 0 written; 2 bad input (the round, an
unknown programme, a programme without a positive payment); 6 the file could
not be written.
"""

from __future__ import annotations

import argparse
import sys

from ..catalogue import language_from_locale, text
from ..cli import EXIT_INPUT, EXIT_OK, EXIT_OUTPUT
from ..messages import InputError
from ..scaling import exact_money, money_text
from ..scenario import SOLVERS
from ..validate import load_round
from .marginal import MILLION, marginal_curve
from .table import write_table


def parser() -> argparse.ArgumentParser:
    """The ``allocator marginal`` argument parser."""
    p = argparse.ArgumentParser(prog="allocator marginal", description=__doc__.split("\n")[0])
    p.add_argument("round", help="round folder of CSV files, or one .xlsx workbook")
    p.add_argument("--programme", required=True, metavar="ID", help="programme_id of programmes.csv")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for marginal_<ID>.csv (one row per step)")
    p.add_argument("--at", metavar="BUDGET", help="also say what --extra buys on top of this budget")
    p.add_argument("--extra", default=str(MILLION), metavar="MONEY", help="the extra money for --at (default 1000000)")
    p.add_argument("--solver", choices=SOLVERS, default="flow",
                   help="engine of every solve (default flow: the fastest, and the one with LP duals; "
                        "every engine proves the same values)")
    p.add_argument("--lang", choices=("en", "ru"), default=language_from_locale(),
                   help="language of the messages (default from the locale: ru when LANG is ru_*)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run ``allocator marginal`` with ``argv`` and return the exit code (module docstring)."""
    args = parser().parse_args(argv)
    lang = args.lang
    try:
        round_ = load_round(args.round)
    except InputError as exc:
        print(exc.report(lang), file=sys.stderr)
        return EXIT_INPUT
    known = sorted(round_.programmes["programme_id"].astype(str))
    if args.programme not in known:
        print(text("cli_marginal_unknown", lang, programme=args.programme, known=", ".join(known)), file=sys.stderr)
        return EXIT_INPUT
    for name, value in (("--at", args.at), ("--extra", args.extra)):
        try:
            if value is not None and exact_money(value) < 0:
                raise ValueError(value)
        except (ValueError, ArithmeticError):
            print(text("cli_marginal_bad_money", lang, option=name, value=value), file=sys.stderr)
            return EXIT_INPUT
    try:
        curve = marginal_curve(round_, args.programme, {"solver": args.solver})
    except ValueError:
        print(text("cli_marginal_no_payment", lang, programme=args.programme), file=sys.stderr)
        return EXIT_INPUT
    steps = curve.table()
    try:
        out = write_table(steps.astype(object).where(steps.notna(), "").to_dict("records"), list(steps.columns),
                          args.out, name=f"marginal_{args.programme}.csv")
    except OSError as exc:
        print(text("cli_marginal_not_written", lang, out=args.out, error=exc.strerror or type(exc).__name__),
              file=sys.stderr)
        return EXIT_OUTPUT
    falls = steps.loc[steps["deficit_removed"].fillna(0) > 0, "funded"]
    stop = int(falls.max()) if len(falls) else 0
    at_stop = steps.loc[steps["funded"] == stop].iloc[0]
    last = steps.iloc[-1]
    code = "cli_marginal_done" if int(last["funded"]) > stop else "cli_marginal_done_all"
    print(text(code, lang, programme=args.programme, before=_num(steps["weighted_deficit"].iloc[0], lang),
               after=_num(at_stop["weighted_deficit"], lang), stop=stop,
               budget=money_text(at_stop["budget_from"], lang), top=int(last["funded"]),
               top_budget=money_text(last["budget_from"], lang), file=out))
    for row in steps.iloc[1:].itertuples():
        if row.deficit_removed and row.deficit_removed > 0:
            print(text("cli_marginal_step", lang, funded=row.funded, budget=money_text(row.budget_from, lang),
                       removed=_num(row.deficit_removed, lang),
                       regions=_regions(curve.change(row.funded - 1, row.funded), lang)))
    if args.at is not None:
        nxt = curve.at(args.at, args.extra)
        print(text("cli_marginal_at", lang, extra=money_text(args.extra, lang), budget=money_text(args.at, lang),
                   removed=_num(nxt["deficit_removed"], lang), funded_from=nxt["funded_from"],
                   funded_to=nxt["funded_to"], regions=_regions(curve.change(nxt["funded_from"], nxt["funded_to"]),
                                                                lang)))
        if nxt["lp_dual"] is None:
            print(text("cli_marginal_no_dual", lang, solver=args.solver))
        else:
            print(text("cli_marginal_dual", lang, budget=money_text(args.at, lang), dual=_num(nxt["lp_dual"], lang),
                       step=_num(curve.at(args.at, curve.payment)["deficit_removed"], lang)))
    return EXIT_OK


def _num(value, lang: str, sign: bool = False) -> str:
    """A deficit figure: 0.9 (en), 0,9 (ru); with ``sign`` +1.1 / -2."""
    out = f"{float(value):+g}" if sign else f"{float(value):g}"
    return out.replace(".", ",").replace("-", "\u2212") if lang == "ru" else out


def _regions(change, lang: str) -> str:
    """A per-region change (:meth:`MarginalCurve.change`) as ``kamensky: -2; zarechny_city: +1.1``."""
    return "; ".join(f"{r}: {_num(v, lang, sign=True)}" for r, v in change.items()) or "-"

"""Command line: ``allocator forecast PLAN --out DIR [--plan none|seed004|optimal] [--horizon N]``.

Reads and checks the plan (:func:`allocator.forecast.plan.load_plan`), makes the plan asked (and
the baseline, for comparison), writes the outputs of :mod:`allocator.forecast.outputs` all or
nothing and prints what the plan achieves, in English or Russian. Exit codes as ``allocator
solve``: 0 done (optimal proven, or a rule applied); 2 bad input (every problem with its file,
row and column); 3 no plan keeps the limits (infeasible); 4 the time limit stopped the optimiser
(the best plan found is written, with its gap); 6 the files could not be written (nothing changed).
"""

from __future__ import annotations

import argparse
import sys

from ..catalogue import language_from_locale, text
from ..cli import EXIT_INFEASIBLE, EXIT_INPUT, EXIT_OK, EXIT_OUTPUT, EXIT_TIME
from ..messages import InputError
from ..scaling import money_text
from ..status import Status
from .outputs import check_out, write_outputs
from .plan import PLANS, load_plan
from .rules import make_plan


def parser() -> argparse.ArgumentParser:
    """The ``allocator forecast`` argument parser."""
    p = argparse.ArgumentParser(prog="allocator forecast", description=__doc__.split("\n")[0])
    p.add_argument("plan_path", metavar="PLAN", help="plan folder of CSV files, or one .xlsx workbook")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for the outputs (replaced as a whole)")
    p.add_argument("--plan", choices=PLANS, help="none | seed004 | optimal (default: forecast.toml's, else optimal)")
    p.add_argument("--horizon", type=int, metavar="N", help="years after the base year (default: forecast.toml's)")
    p.add_argument("--time-limit", type=float, metavar="S",
                   help="seconds for the optimiser (default: forecast.toml's, else 120), then the best plan")
    p.add_argument("--gap", type=float, metavar="G", help="relative MIP gap to stop at (default 0: proven optimal)")
    p.add_argument("--lang", choices=("en", "ru"), default=language_from_locale(),
                   help="language of the messages (default from the locale: ru when LANG is ru_*)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run ``allocator forecast`` with ``argv`` and return the exit code (module docstring)."""
    args = parser().parse_args(argv)
    lang = args.lang
    try:
        plan = load_plan(args.plan_path, horizon=args.horizon, plan=args.plan, time_limit=args.time_limit,
                         gap=args.gap)
    except InputError as exc:
        print(exc.report(lang), file=sys.stderr)
        return EXIT_INPUT
    problems = check_out(args.out, args.plan_path)
    if problems:
        print(InputError(problems).report(lang), file=sys.stderr)
        return EXIT_INPUT
    result = make_plan(plan)
    baseline = result if result.rule == "none" else make_plan(plan, "none")
    if result.status == Status.INFEASIBLE:
        print(text("cli_forecast_infeasible", lang), file=sys.stderr)
        return EXIT_INFEASIBLE
    try:
        out = write_outputs(result, args.out, baseline)
    except OSError as exc:
        print(text("cli_forecast_not_written", lang, out=args.out, error=exc.strerror or type(exc).__name__),
              file=sys.stderr)
        return EXIT_OUTPUT
    closes = result.closes()
    print(text("cli_forecast_done", lang, plan=result.rule, deficit=_num(result.weighted_deficit, lang),
               baseline=_num(baseline.weighted_deficit, lang), admitted=int(result.admitted.sum()),
               cost=money_text(result.cost, lang), closed=int(closes["closes"].notna().sum()), cells=len(closes),
               out=out))
    for level, proof in result.proof.items():
        print(text("cli_forecast_proof", lang, level=level, status=proof["status"], value=_num(proof["value"], lang),
                   bound=_num(proof["bound"], lang), seconds=proof["seconds"]))
    if result.status != Status.OPTIMAL:
        level = next((k for k, v in result.proof.items() if v["status"] != "optimal"), "deficit")
        gap = result.proof.get(level, {}).get("gap")
        print(text("cli_forecast_not_proven", lang, level=level, gap="-" if gap is None else f"{gap:.2e}",
                   limit=plan.options.time_limit), file=sys.stderr)
        return EXIT_TIME
    return EXIT_OK


def _num(value, lang: str) -> str:
    """A figure with 6 significant digits, decimal comma in Russian."""
    if value is None:
        return "-"
    out = f"{float(value):,.6g}" if abs(float(value)) < 1e6 else f"{float(value):,.0f}"
    return out.replace(",", "\u00a0").replace(".", ",") if lang == "ru" else out


__all__ = ["main", "parser"]

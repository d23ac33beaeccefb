"""Command line: ``allocator forecast PLAN --out DIR [--plan none|seed004|optimal] [--horizon N]``.

With ``--placed ASSIGNMENTS.csv`` a solved round's placements join the plan
(:mod:`allocator.forecast.links`): ``--round-year YEAR`` is the round's year (default: the year of
the summary.json ``allocator solve`` wrote beside assignments.csv, else the plan's base year). A round of the base
year joins the base year's staff, a later one arrives as pipeline in its year; one before the base
year or after the plan's last year is refused. Their obligations ending become the plan's
``obligations`` (the retention risk, :mod:`allocator.forecast.project`): the round's own
``service_until`` when assignments.csv has it, else ``--graduates GRADUATES.csv --service
targeted=3`` (years by funding, counted from the round's year; grant=3 in Kazakhstan, grant=2 in
Kyrgyzstan). A share ``--leave-share`` of them leave as they end (default: the plan's
``leave_after_service``). These options without ``--placed`` (and ``--leave-share`` without
obligations) are refused.

Reads and checks the plan (:func:`allocator.forecast.plan.load_plan`), makes the plan asked (and
the baseline, for comparison), writes the outputs of :mod:`allocator.forecast.outputs` all or
nothing and prints what the plan achieves, in English or Russian. Exit codes as ``allocator
solve``: 0 done (optimal proven, or a rule applied); 2 bad input (every problem with its file,
row and column); 3 no plan keeps the limits (infeasible); 4 the time limit stopped the optimiser
(the best plan found is written, with its gap); 6 the files could not be written (nothing changed).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from medstaff_core.csvread import read_csv_text

from ..catalogue import language_from_locale, text
from ..cli import EXIT_INFEASIBLE, EXIT_INPUT, EXIT_OK, EXIT_OUTPUT, EXIT_TIME
from ..io import decode
from ..messages import InputError, Problem
from ..scaling import money_text
from ..status import Status
from .links import (
    funding_code,
    graduates_funding,
    obligations_ending,
    obligations_recorded,
    stock_after_round,
    with_obligations,
)
from .optimise import LEVELS
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
    p.add_argument("--placed", metavar="ASSIGNMENTS.csv",
                   help="a solved round's assignments.csv: its placements join the base year's staff (a round of "
                        "the base year) or arrive as pipeline in the round's year (a later one); its "
                        "service_until, when there, gives their obligations ending")
    p.add_argument("--round-year", type=int, metavar="YEAR",
                   help="the round's year, with --placed (default: the year in the summary.json beside "
                        "assignments.csv, else the plan's base year); before the base year or after the plan's "
                        "last year: refused")
    p.add_argument("--map", default="", metavar="A=B,...",
                   help="the round's specialties as the plan's, e.g. therapist=doctor,feldsher=midlevel")
    p.add_argument("--graduates", metavar="GRADUATES.csv",
                   help="the round's graduates.csv (their funding), with --placed and --service, when "
                        "assignments.csv has no service_until")
    p.add_argument("--service", default="", metavar="FUNDING=YEARS,...",
                   help="years of service each funding owes from the round's year, when assignments.csv has no "
                        "service_until: e.g. targeted=3 (Russia, 273-FZ), grant=3 (Kazakhstan), grant=2 "
                        "(Kyrgyzstan); a funding not named owes none")
    p.add_argument("--leave-share", type=float, metavar="Q",
                   help="share who leave as their obligation ends (default: forecast.toml's leave_after_service); "
                        "needs obligations: --placed with service_until, or --graduates with --service")
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
        if args.placed:
            placed, mapping = _placements(args.placed), _mapping(args.map)
            args.round_year = _round_year(args.placed, args.round_year)
            plan = stock_after_round(plan, placed, mapping, args.round_year, args.placed)
            plan = _with_service(plan, placed, args, mapping)
        else:  # the options of a round's placements do nothing without them: refused, not ignored
            given = [flag for flag, value in (("--map", args.map), ("--round-year", args.round_year),
                                              ("--graduates", args.graduates), ("--service", args.service),
                                              ("--leave-share", args.leave_share)) if value not in (None, "")]
            if given:
                raise InputError([Problem.of(flag, None, None, "forecast_option_needs_placed") for flag in given])
    except InputError as exc:
        print(exc.report(lang), file=sys.stderr)
        return EXIT_INPUT
    problems = check_out(args.out, args.plan_path)
    if problems:
        print(InputError(problems).report(lang), file=sys.stderr)
        return EXIT_INPUT
    for warning in plan.warnings:  # the plan is valid; these are worth a look
        print(text("cli_warning", lang, line=warning.line(lang)), file=sys.stderr)
    for spec, years in _untrainable(plan):
        print(text("cli_forecast_no_admission_years", lang, specialty=spec, years=years,
                   horizon=plan.options.horizon), file=sys.stderr)
    result = make_plan(plan)
    baseline = result if result.rule == "none" else make_plan(plan, "none")
    if result.status == Status.INFEASIBLE:
        print(text("cli_forecast_infeasible", lang), file=sys.stderr)
        return EXIT_INFEASIBLE
    if result.broken or baseline.broken:  # never written: every plan must keep the limits
        print(text("cli_forecast_broken", lang, plan=result.rule if result.broken else baseline.rule,
                   limits="; ".join(result.broken or baseline.broken)), file=sys.stderr)
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
               cost=money_text(result.cost, lang, plan.options.currency), closed=int(closes["closes"].notna().sum()),
               cells=len(closes),
               out=out))
    for level, proof in result.proof.items():
        print(text("cli_forecast_proof", lang, level=level, status=proof["status"], value=_num(proof["value"], lang),
                   bound=_num(proof["bound"], lang), seconds=proof["seconds"]))
    if result.status != Status.OPTIMAL:
        # the first level not proven: one that ran out of time, or one the time never reached
        level = next((k for k in LEVELS if result.proof.get(k, {}).get("status") != "optimal"), LEVELS[0])
        gap = result.proof.get(level, {}).get("gap")
        print(text("cli_forecast_not_proven", lang, level=level, gap="-" if gap is None else f"{gap:.2e}",
                   limit=plan.options.time_limit), file=sys.stderr)
        return EXIT_TIME
    return EXIT_OK


def _placements(path: str) -> pd.DataFrame:
    """The region_id and specialty (and graduate_id and service_until, if given) of each placement in a
    round's assignments.csv."""
    frame = _read(path, ("region_id", "specialty"))
    return frame[[c for c in ("graduate_id", "region_id", "specialty", "service_until") if c in frame.columns]]


def _round_year(assignments: str, given: int | None) -> int | None:
    """The round's year: ``--round-year``, else the ``scenario.year`` of the summary.json that
    ``allocator solve`` writes beside assignments.csv, else None (the plan's base year)."""
    if given is not None:
        return given
    try:
        year = json.loads((Path(assignments).parent / "summary.json").read_text(encoding="utf-8"))["scenario"]["year"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return year if isinstance(year, int) and not isinstance(year, bool) else None


def _read(path: str, required: tuple[str, ...]) -> pd.DataFrame:
    """A CSV file given on the command line, with ``required`` columns; InputError if unreadable or short."""
    try:
        frame = read_csv_text(decode(Path(path).read_bytes()), Path(path).name)
    except OSError as exc:
        raise InputError([Problem.of(path, None, None, "csv_unreadable", error=exc.strerror or exc)]) from exc
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError([Problem.of(path, None, c, "column_missing") for c in missing])
    return frame


def _with_service(plan, placed: pd.DataFrame, args, mapping: dict):
    """``plan`` with the placed graduates' obligations ending: the round's own ``service_until`` when
    assignments.csv has it (then ``--graduates`` and ``--service`` are refused), else ``--graduates``
    with ``--service`` counted from the round's year; none without either (then ``--leave-share`` is
    refused)."""
    share = args.leave_share
    problems = []
    if share is not None and not 0 <= share <= 1:
        problems.append(Problem.of("--leave-share", None, None, "forecast_option_bad", value=share,
                                   expected="a share from 0 to 1"))
    start = plan.options.base_year if args.round_year is None else args.round_year
    flags = (("--graduates", args.graduates), ("--service", args.service))
    if "service_until" in placed.columns:
        problems += [Problem.of(flag, None, None, "forecast_option_recorded", assignments=args.placed)
                     for flag, given in flags if given]
        if problems:
            raise InputError(problems)
        return with_obligations(plan, obligations_recorded(placed, mapping, start, args.placed), share)
    if not any(given for _, given in flags):
        if share is not None:
            problems.append(Problem.of("--leave-share", None, None, "forecast_option_needs_obligations"))
        if problems:
            raise InputError(problems)
        return plan
    problems += [Problem.of(flag, None, None, "forecast_option_missing") for flag, given in flags if not given]
    if "graduate_id" not in placed.columns:
        problems.append(Problem.of(args.placed, None, "graduate_id", "column_missing"))
    service = {}
    for word, years in _mapping(args.service, "--service", "funding=years").items():
        funding = funding_code(word)
        if funding is None or not years.isdigit() or int(years) < 1:
            problems.append(Problem.of("--service", None, None, "forecast_option_bad", value=f"{word}={years}",
                                       expected="funding (grant, targeted, paid) = whole years from 1"))
        else:
            service[funding] = int(years)
    if problems:
        raise InputError(problems)
    graduates = graduates_funding(_read(args.graduates, ("graduate_id", "funding")), args.graduates)
    ending = obligations_ending(placed, graduates, service, start, mapping, args.placed, args.graduates)
    return with_obligations(plan, ending, share)


def _mapping(text_: str, flag: str = "--map", expected: str = "round_specialty=plan_specialty") -> dict:
    """``a=b,c=d`` as {a: b, c: d}; InputError (naming ``flag``) on a pair without ``=``."""
    out = {}
    for part in filter(None, (p.strip() for p in text_.split(","))):
        key, eq, value = part.partition("=")
        if not eq or not key.strip() or not value.strip():
            raise InputError([Problem.of(flag, None, None, "forecast_option_bad", value=part, expected=expected)])
        out[key.strip()] = value.strip()
    return out


def _untrainable(plan) -> list[tuple[str, int]]:
    """(specialty, training years) of the specialties followed whose courses cannot end within the horizon."""
    followed = set(plan.cells["specialty"])
    rows = plan.training[plan.training["specialty"].isin(followed) & (plan.training["years"] > plan.options.horizon)]
    return [(str(s), int(y)) for s, y in zip(rows["specialty"], rows["years"])]


def _num(value, lang: str) -> str:
    """A figure with 6 significant digits, decimal comma in Russian."""
    if value is None:
        return "-"
    out = f"{float(value):,.6g}" if abs(float(value)) < 1e6 else f"{float(value):,.0f}"
    return out.replace(",", "\u00a0").replace(".", ",") if lang == "ru" else out


__all__ = ["main", "parser"]

"""Command line: ``python -m network {matrix,access,plan,components} ...``.

Every subcommand reads CSV files and writes CSV. Bad input (a missing file,
a missing column, a road to an unknown settlement, an infeasible plan) ends
with a message on stderr and exit code 2. Messages and warnings are printed
in ``--lang`` (en or ru; default from the locale: ru when LANG is ru_*).
``main(argv)`` returns the exit code so that another CLI can mount these
subcommands.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from dataclasses import replace
from pathlib import Path

import pandas as pd

from medstaff_core.csvread import read_typed_csv
from medstaff_core.problems import InputError, language_from_locale

from .access import (
    DEFAULT_RULES,
    accessibility,
    compare_accessibility,
    rule_gaps,
    settlement_access,
    staffed_after_allocation,
)
from .distance import DEFAULT_DETOUR_FACTOR, distance_matrix
from .errors import NetworkInputError, NetworkWarning, PlanningError, issue, network_text
from .graph import build_road_graph, connected_components_report
from .planning import plan_network
from .schema import POINTS, validate_table

EXIT_BAD_INPUT = 2


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """The argument parser; pass an existing (sub)parser to mount the subcommands on it."""
    parser = parser or argparse.ArgumentParser(
        prog="python -m network",
        description="Road distances, access to staffed clinics and placement of new posts.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{matrix,access,plan,components}")

    m = sub.add_parser("matrix", help="distance/time matrix between origins and destinations",
                       description="Road km and minutes for every origin-destination pair. Without "
                                   "--roads, geodesic km x detour factor is used (source=geodesic_fallback).")
    _graph_args(m, required=False)
    m.add_argument("--origins", required=True, type=Path, help="CSV with id, lat, lon [, settlement_id]")
    m.add_argument("--destinations", required=True, type=Path, help="CSV with id, lat, lon [, settlement_id]")
    m.add_argument("--weight", choices=["km", "minutes"], default="km", help="what the path minimises (default km)")
    _engine_arg(m)
    m.add_argument("--max-km", type=float, help="leave out pairs farther than this")
    m.add_argument("--max-minutes", type=float, help="leave out pairs longer than this")
    m.add_argument("--unreachable", choices=["nan", "geodesic"], default="nan",
                   help="pairs in different road components: NaN (default) or geodesic fallback")
    m.add_argument("--detour-factor", type=float, default=DEFAULT_DETOUR_FACTOR,
                   help=f"road km / straight-line km for the fallback (default {DEFAULT_DETOUR_FACTOR}, assumed)")
    m.add_argument("--out", required=True, type=Path, help="output CSV: origin_id,destination_id,km,minutes,source")

    a = sub.add_parser("access", help="population within reach of a staffed facility, per region",
                       description="Coverage of settlements by staffed facilities of the given types.")
    _graph_args(a, required=True)
    a.add_argument("--facilities", required=True, type=Path,
                   help="CSV: facility_id, facility_type, lat/lon or settlement_id, staffed or staff")
    a.add_argument("--facility-types", help="'|'- or ','-separated types that count, e.g. FAP|FP|VA (default all)")
    _limit_args(a)
    a.add_argument("--include-unstaffed", action="store_true", help="count facilities with no staff too")
    a.add_argument("--placed", type=Path,
                   help="an allocation's assignments.csv (any CSV with facility_id): facilities that receive a "
                        "graduate count as staffed after it; --out then compares before and after per region")
    a.add_argument("--out", required=True, type=Path, help="output CSV, one row per region")
    a.add_argument("--settlements-out", type=Path, help="optional CSV, one row per settlement")
    a.add_argument("--gaps-out", type=Path, help="optional CSV of settlements breaking the network rules")
    a.add_argument("--rules", type=Path, help="rules CSV (rule_id,min_population,max_population,within_km,"
                                              "satisfied_by,needs); default: the Russian 100-2,000 / 6 km rule")

    p = sub.add_parser("plan", help="choose up to k new posts (maximal covering or p-median)",
                       description="Solve a maximal covering (default) or p-median model exactly.")
    _graph_args(p, required=True)
    p.add_argument("--candidates", required=True, type=Path,
                   help="CSV: site_id, facility_type, lat/lon or settlement_id [, capacity, action, ...]")
    p.add_argument("--existing", type=Path, help="facilities CSV; its staffed facilities are already open")
    p.add_argument("--facility-types", help="existing facility types that count (default all)")
    p.add_argument("--k", required=True, type=int, help="maximum number of new sites")
    p.add_argument("--objective", choices=["coverage", "median"], default="coverage",
                   help="coverage: maximise covered population; median: minimise population-weighted travel")
    _limit_args(p)
    p.add_argument("--solver", choices=["highs", "cbc"], default="highs", help="MIP solver (default highs)")
    p.add_argument("--time-limit", type=float, help="solver time limit in seconds")
    p.add_argument("--out", required=True, type=Path, help="output CSV, one row per chosen site")
    p.add_argument("--summary-out", type=Path, help="optional JSON with status and headline figures")

    c = sub.add_parser("components", help="connected components of the road graph and their population")
    _graph_args(c, required=True)
    c.add_argument("--out", required=True, type=Path, help="output CSV, one row per component")
    for each in (m, a, p, c):
        _lang_arg(each)
    return parser


def _lang_arg(p):
    p.add_argument("--lang", choices=("en", "ru"), default=language_from_locale(),
                   help="language of the messages (default from the locale: ru when LANG is ru_*)")


def _graph_args(p, required):
    p.add_argument("--settlements", required=required, type=Path,
                   help="CSV: settlement_id, name, region_id, lat, lon, population")
    p.add_argument("--roads", required=required, type=Path,
                   help="CSV: from_id, to_id, km [, minutes, road_class, ...]")


def _limit_args(p):
    p.add_argument("--max-km", type=float, help="service standard in road km")
    p.add_argument("--max-minutes", type=float, help="service standard in minutes")
    _engine_arg(p)


def _engine_arg(p):
    p.add_argument("--engine", choices=["networkx", "scipy"], default="networkx",
                   help="shortest-path engine (scipy is much faster on big graphs; needs scipy)")


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; returns the exit code (0 ok, 2 bad input)."""
    args = build_parser().parse_args(argv)
    lang = args.lang
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = _show_warning(lang)
            return _run(args)
    except (InputError, PlanningError, FileNotFoundError, pd.errors.ParserError,
            pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        print(network_text("net_cli_error", lang, error=_error_text(exc, lang)), file=sys.stderr)
        return EXIT_BAD_INPUT


def _error_text(exc: Exception, lang: str) -> str:
    """An error the CLI reports, in ``lang`` where it has a code (pandas' own messages stay English)."""
    if isinstance(exc, InputError):
        return exc.report(lang)
    if isinstance(exc, PlanningError):
        return exc.text(lang)
    if isinstance(exc, FileNotFoundError) and exc.filename is not None:
        return network_text("net_no_such_file", lang, path=exc.filename)
    return str(exc)


def _show_warning(lang: str):
    """A ``warnings.showwarning`` printing the package's warnings as ``warning: ...`` in ``lang``
    (to stderr); any other warning is shown as Python shows it."""
    original = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if not isinstance(message, NetworkWarning):
            return original(message, category, filename, lineno, file, line)
        print(network_text("net_cli_warning", lang, warning=message.text(lang)), file=sys.stderr)
    return show


def _run(args) -> int:
    if args.command == "matrix":
        graph = _graph(args)
        origins, dests = _read(args.origins), _read(args.destinations)
        validate_table(origins, _points_schema(graph), str(args.origins))
        validate_table(dests, _points_schema(graph), str(args.destinations))
        out = distance_matrix(graph, origins, dests, weight=args.weight, max_km=args.max_km,
                              max_minutes=args.max_minutes, unreachable=args.unreachable,
                              detour_factor=args.detour_factor, engine=args.engine)
        _write(out, args.out)
    elif args.command == "access":
        _need_limit(args)
        graph = _graph(args)
        fac = _read(args.facilities)
        kw = dict(facility_types=_types(args.facility_types), max_km=args.max_km,
                  max_minutes=args.max_minutes, staffed_only=not args.include_unstaffed, engine=args.engine)
        if args.placed:  # before and after the allocation; the other outputs describe "after"
            before, fac = staffed_after_allocation(fac, _read(args.placed), table=str(args.facilities),
                                                   placed_table=str(args.placed))
            _write(compare_accessibility(graph, before, fac, **kw), args.out)
        else:
            _write(accessibility(graph, fac, **kw), args.out)
        per = settlement_access(graph, fac, **kw)
        if args.settlements_out:
            _write(per, args.settlements_out)
        if args.gaps_out:
            rules = _read(args.rules) if args.rules else DEFAULT_RULES
            _write(rule_gaps(graph, fac, rules, staffed_only=not args.include_unstaffed, engine=args.engine),
                   args.gaps_out)
    elif args.command == "plan":
        graph = _graph(args)
        res = plan_network(graph, _read(args.candidates), args.k, objective=args.objective,
                           existing=_read(args.existing) if args.existing else None,
                           facility_types=_types(args.facility_types), max_km=args.max_km,
                           max_minutes=args.max_minutes, solver=args.solver, time_limit=args.time_limit,
                           engine=args.engine)
        _write(res.sites, args.out)
        if args.summary_out:
            args.summary_out.parent.mkdir(parents=True, exist_ok=True)
            args.summary_out.write_text(json.dumps(res.summary, indent=2, default=float) + "\n")
        print(json.dumps(res.summary, default=float))
        if res.summary["status"] not in ("optimal", "feasible"):
            print(network_text("net_cli_solver_status", args.lang, status=res.summary["status"]), file=sys.stderr)
            return EXIT_BAD_INPUT
    elif args.command == "components":
        report = connected_components_report(_graph(args))
        report["regions"] = report["regions"].map("|".join)
        report["settlement_ids"] = report["settlement_ids"].map("|".join)
        _write(report, args.out)
    return 0


def _graph(args):
    if args.settlements is None and args.roads is None:
        return None
    if args.settlements is None or args.roads is None:
        raise NetworkInputError(issue("arguments", None, "--settlements/--roads", "net_both_files"))
    return build_road_graph(_read(args.settlements), _read(args.roads),
                            settlements_name=str(args.settlements), roads_name=str(args.roads))


def _need_limit(args):
    if args.max_km is None and args.max_minutes is None:
        raise NetworkInputError(issue("arguments", None, "--max-km/--max-minutes", "net_need_limit"))


def _points_schema(graph):
    """With a graph a point may be given by settlement_id alone; without one it needs lat/lon."""
    if graph is None:
        return POINTS
    return [replace(c, required=False, nullable=True) if c.name in ("lat", "lon") else c for c in POINTS]


def _types(value):
    return None if not value else [t for t in value.replace(",", "|").split("|") if t.strip()]


def _read(path: Path) -> pd.DataFrame:
    """A CSV as Excel saves it (';' or ',', decimal commas, UTF-8 or cp1251)."""
    if not Path(path).is_file():
        missing = FileNotFoundError(network_text("net_no_such_file", path=path))
        missing.filename = str(path)
        raise missing
    return read_typed_csv(path)


def _write(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False)

"""Command line: ``allocator solve|validate|indicators ROUND`` and ``allocator network ...``.

Exit codes: 0 solved (optimal); 2 bad input (every problem listed, with file,
row and column); 3 infeasible; 4 time limit reached (status ``feasible``:
a solution with a gap was written; status ``time_limit``: none was found);
5 the run store cannot be opened, or the run could not be stored after
solving (the outputs are written and the run is queued, docs/store.md);
6 the outputs could not be written (disk full, permission, a locked file:
the output folder is unchanged, see
allocator.output); 7 the engine returned a solution that breaks a rule of the
round (a bug, caught by allocator.check before anything was written: please
report it with the round). Output paths (``--out``, ``--solver-log``) are checked
before solving (exit 2). ``solve`` keeps every run in the run store
(``allocator runs``, docs/store.md) unless ``--no-store``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from .catalogue import has, language_from_locale, number, text
from .messages import InputError
from .problem import DISTANCE_SOURCES, SOLVERS
from .scenario import MECHANISMS
from .validate import load_round

EXIT_OK, EXIT_INPUT, EXIT_INFEASIBLE, EXIT_TIME = 0, 2, 3, 4
EXIT_STORE = 5  # the run store cannot be opened or could not keep the run (allocator.store)
EXIT_OUTPUT = 6  # the outputs could not be written; the output folder is unchanged (allocator.output)
EXIT_ENGINE = 7  # an engine's solution broke a rule of the round (allocator.check); nothing written
EXIT_PIPE = 141  # standard output was closed by its reader (128 + SIGPIPE, as a shell reports it)
EXIT_BY_STATUS = {"optimal": EXIT_OK, "feasible": EXIT_TIME, "time_limit": EXIT_TIME,
                  "infeasible": EXIT_INFEASIBLE}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="allocator", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("solve", help="place graduates into vacancies and write the result")
    s.add_argument("round", help="round folder of CSV files, or one .xlsx workbook")
    s.add_argument("--out", required=True,
                   help="output folder (created if missing; replaced as a whole, so empty or an earlier result)")
    s.add_argument("--solver", choices=SOLVERS, help="default: scenario's, else flow")
    s.add_argument("--time-limit", type=float, metavar="S", help="seconds for the whole solve")
    s.add_argument("--max-km", type=float, metavar="N", help="default largest home-to-post km")
    s.add_argument("--distances", choices=DISTANCE_SOURCES, help="geodesic (default) or road")
    s.add_argument("--diminishing-returns", action="store_true", default=None,
                   help="convex deficit penalty: half-empty districts before nearly full ones")
    s.add_argument("--threads", type=int, help="CBC and CP-SAT threads (default 1, repeatable results)")
    s.add_argument("--mechanism", choices=MECHANISMS,
                   help="assign (default: the lexicographic model), choice (graduates choose in rating order, "
                        "the commission places the obligated rest) or menu (choice on the posts offered that do "
                        "best); docs/mechanisms.md")
    s.add_argument("--vacancy-basis", metavar="NAME",
                   help="read vacancies_NAME.csv instead of vacancies.csv (Penza: agreed_need, the seed's agreed need)")
    s.add_argument("--solver-log", metavar="FILE", help="write the solver's log here")
    s.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    s.add_argument("--lang", choices=("en", "ru"), default=language_from_locale(),
                   help="language of the messages and the summary (default from the locale: ru when LANG is ru_*)")
    s.add_argument("--db", metavar="URL_OR_PATH",
                   help="run store: SQLAlchemy URL or SQLite file (default $ALLOCATOR_DB, else a per-user "
                        "file; docs/store.md)")
    s.add_argument("--no-store", action="store_true", help="do not keep this run in the run store")
    s.add_argument("--user", help="who runs it, kept with the run (default $ALLOCATOR_USER)")

    v = sub.add_parser("validate", help="check a round and list every problem")
    v.add_argument("round")
    v.add_argument("--lang", choices=("en", "ru"), default=language_from_locale(),
                   help="language of the problems (default from the locale: ru when LANG is ru_*)")

    tp = sub.add_parser("template", help="write the input template workbook (.xlsx) to fill in Excel")
    tp.add_argument("file", help="where to write it, e.g. round.xlsx")
    tp.add_argument("--lang", choices=("en", "ru"), default=language_from_locale(),
                    help="language of the message (default from the locale)")

    sub.add_parser("indicators", add_help=False,
                   help="staffing indicators, KOMK ranking and default weights per region "
                        "(allocator indicators --help)")
    sub.add_parser("generate", add_help=False,
                   help="write a synthetic round of any size (allocator generate --help)")
    sub.add_parser("runs", add_help=False,
                   help="stored runs: list, show, diff, export, rerun (allocator runs --help)")
    sub.add_parser("network", add_help=False,
                   help="road distance matrices, accessibility, network plans (allocator network --help)")
    sub.add_parser("sweep", add_help=False,
                   help="solve one round under a grid of scenarios (allocator sweep --help, docs/sweep.md)")
    sub.add_parser("marginal", add_help=False,
                   help="what each further payment of a programme's budget buys, exactly (allocator marginal --help)")
    sub.add_parser("audit", add_help=False,
                   help="justified-envy pairs of a distribution against the graduates' lists (allocator audit --help)")
    sub.add_parser("mechanisms", add_help=False,
                   help="assign, choice and menu compared on one round (allocator mechanisms --help)")
    sub.add_parser("forecast", add_help=False,
                   help="stock, need and deficit by year, and the admissions that close it (allocator forecast --help)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run ``allocator`` with ``argv`` (default: ``sys.argv[1:]``) and return the exit code.

    ``indicators``, ``generate``, ``runs``, ``network``, ``sweep``, ``marginal``, ``audit``, ``mechanisms`` and
    ``forecast`` go to their own command lines;
    ``validate``, ``template`` and ``solve`` are handled here (exit codes in the module docstring).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["indicators"]:
        from .indicators.cli import main as indicators_main

        return indicators_main(argv[1:])
    if argv[:1] == ["generate"]:
        from .generate import main as generate_main

        return generate_main(argv[1:])
    if argv[:1] == ["runs"]:
        from .store.cli import main as runs_main

        return runs_main(argv[1:])
    if argv[:1] == ["network"]:
        from network.cli import main as network_main

        return network_main(argv[1:])
    if argv[:1] == ["sweep"]:
        from .sweep.cli import main as sweep_main

        return sweep_main(argv[1:])
    if argv[:1] == ["marginal"]:
        from .sweep.marginal_cli import main as marginal_main

        return marginal_main(argv[1:])
    if argv[:1] == ["audit"]:
        from .mechanisms.audit_cli import main as audit_main

        return audit_main(argv[1:])
    if argv[:1] == ["mechanisms"]:
        from .mechanisms.compare_cli import main as mechanisms_main

        return mechanisms_main(argv[1:])
    if argv[:1] == ["forecast"]:
        from .forecast.cli import main as forecast_main

        return forecast_main(argv[1:])
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    if args.command == "validate":
        return _validate(args)
    if args.command == "template":
        from .template import template_workbook

        with open(args.file, "wb") as fh:
            fh.write(template_workbook())
        print(text("cli_template_written", args.lang, file=args.file))
        return EXIT_OK
    return _solve(args)


def _validate(args) -> int:
    try:
        round_ = load_round(args.round)
    except InputError as exc:
        print(exc.report(args.lang), file=sys.stderr)
        return EXIT_INPUT
    for warning in round_.warnings:  # the round is valid; these are worth a look
        print(text("cli_warning", args.lang, line=warning.line(args.lang)), file=sys.stderr)
    print(text("cli_valid", args.lang, round=args.round, regions=len(round_.regions),
               facilities=len(round_.facilities), vacancies=int(round_.vacancies["vacancies"].sum()),
               graduates=len(round_.graduates), programmes=len(round_.programmes)))
    return EXIT_OK


def _solve(args) -> int:
    from .check import SolutionError
    from .outpaths import check_log_file, check_out_dir
    from .output import OutputError, clean_leftovers, write_solution
    from .solve import solve
    from .status import describe

    overrides = dict(solver=args.solver, time_limit=args.time_limit, max_km=args.max_km,
                     distances=args.distances, diminishing_returns=args.diminishing_returns,
                     threads=args.threads, mechanism=args.mechanism, vacancy_basis=args.vacancy_basis)
    path_problems = check_out_dir(args.out, args.round)  # before solving: refuse early
    if args.solver_log:
        path_problems += check_log_file(args.solver_log)
    try:
        round_ = load_round(args.round, **overrides)
    except InputError as exc:
        print(InputError(path_problems + exc.problems).report(args.lang), file=sys.stderr)
        return EXIT_INPUT
    if path_problems:
        print(InputError(path_problems).report(args.lang), file=sys.stderr)
        return EXIT_INPUT
    try:
        clean_leftovers(args.out)  # what a killed earlier run left beside the output folder
    except OutputError as exc:
        print(exc.report(args.lang), file=sys.stderr)
        return EXIT_OUTPUT

    def progress(event) -> None:  # an allocator.status.Progress, rendered in --lang
        """Print one progress event to stderr as ``[fraction] stage`` in ``--lang``, unless ``--quiet``."""
        if not args.quiet:
            print(f"[{event.fraction:4.0%}] {describe(event, args.lang)}", file=sys.stderr, flush=True)

    store = None if args.no_store else _open_store(args.db, args.lang)
    if store is False:
        return EXIT_STORE
    try:
        solution = solve(round_, log_path=args.solver_log, progress=progress)
    except Exception as exc:
        if store is not None:  # a failed solve is kept too (or queued), with its error
            _keep(store, round_, args, error=exc)
        if isinstance(exc, SolutionError):
            print(text("cli_engine_error", args.lang, error=exc), file=sys.stderr)
            return EXIT_ENGINE
        from .mechanisms.menu import MenuError

        if isinstance(exc, MenuError):  # a round the menu does not model: say why, as bad input
            print(text(f"cli_menu_refused_{exc.code}", args.lang), file=sys.stderr)
            return EXIT_INPUT
        raise
    try:
        written = write_solution(solution, args.out, round_)  # with the round's facts (benefits, post sources)
    except OutputError as exc:
        print(exc.report(args.lang), file=sys.stderr)
        return EXIT_OUTPUT
    kept = None if store is None else _keep(store, round_, args, solution=solution)  # after the outputs
    if not args.quiet:
        print(format_summary(solution, args.lang, round_))
        print(text("cli_written", args.lang, files=", ".join(str(p) for p in written)))
        if kept is not None and kept.stored:
            print(text("cli_stored", args.lang, id=kept.run_id))
    if kept is not None and not kept.stored:
        return EXIT_STORE  # outputs written; the run is queued or the message says it is not
    return EXIT_BY_STATUS[solution.status]


def _open_store(value, lang: str = "en"):
    """The run store (checked: readable, undamaged, ours, writable), or False after printing why."""
    from .store import StoreError, open_store
    from .store.cli import flushed_note, say

    try:
        store = open_store(value)
    except StoreError as exc:
        print(say(lang, "open_failed", error=exc.text(lang)), file=sys.stderr)
        return False
    note = flushed_note(lang, store)
    if note:
        print(note, file=sys.stderr)
    return store


def _keep(store, round_, args, *, solution=None, error=None):
    """Record the run (allocator.store.spool.keep_run: queued when the store fails); prints
    one line when it is not stored. Never raises for a store failure."""
    from .store.cli import not_stored_note
    from .store.spool import keep_run

    kept = keep_run(store, round_, solution, error=error, user=args.user, source=str(args.round))
    store.dispose()
    if not kept.stored:
        print(not_stored_note(args.lang, kept, out=args.out, url=store.url, failed=error is not None),
              file=sys.stderr)
    return kept


def format_summary(s, lang: str = "en", round_=None) -> str:
    """The figures of a :class:`allocator.solution.Solution` as the lines ``allocator solve`` prints,
    in ``lang`` (catalogue codes ``cli_*``). English names statuses, fundings and reasons by code;
    Russian in words. Numbers as ``lang`` writes them (:func:`allocator.catalogue.number`, the
    app's rounding: deficits and km to one decimal, seconds to two; "1 234,5" in Russian); money
    exactly, with the round's currency sign (``Scenario.currency``: "1 500 000,40 ₸").
    ``round_`` (the solved round, optional) adds each programme's other benefits and each region
    weight's caveat (``Round.regions.weight_caveat_ru`` / ``_en``) beside the weight."""
    from .output import benefits_text, currency_of
    from .scaling import money_text

    def n(value, digits=0):
        return number(value, lang, digits)

    currency = currency_of(s)
    gap = text("cli_gap", lang, gap=f"{n(s.gap * 100, 2)}\u00a0%") if s.gap else ""
    lines = [
        text("cli_status", lang, status=_word("status", s.status, lang), solver=s.solver, gap=gap),
        text("cli_obligated", lang, placed=n(s.obligated_placed), total=n(s.obligated_total)),
        text("cli_deficit", lang, before=n(s.weighted_deficit_before, 1), after=n(s.weighted_deficit, 1)),
        text("cli_km", lang, km=n(s.km_objective, 1)),
        text("cli_placed", lang, placed=n(s.placed_total), total=n(s.graduates_total), vacancies=n(s.vacancies_total),
             by_funding=", ".join(text("cli_count", lang, name=_word("funding", k, lang), n=n(v))
                                  for k, v in s.placed_by_funding.items())),
    ]
    mechanism = s.scenario.get("mechanism")
    if mechanism in ("choice", "menu") and "choice_rank" in s.assignments:
        rank = s.assignments["choice_rank"]
        chose = int(rank.notna().sum())
        share = (lambda k: n(100 * int((rank <= k).sum()) / chose, 1)) if chose else (lambda k: n(0, 1))
        lines.append(text("cli_mechanism_choice", lang, chose=n(chose), first=share(1), top3=share(3),
                          commission=n(len(rank) - chose)))
    benefits = {}
    if round_ is not None and "benefits" in round_.programmes:
        benefits = {pid: benefits_text(v) for pid, v in zip(round_.programmes["programme_id"],
                                                            round_.programmes["benefits"])}
    for p in s.programmes:
        quota = "" if p.quota is None else text("cli_of", lang, n=n(p.quota))
        budget = "" if p.budget is None else text("cli_of", lang, n=money_text(p.budget, lang, currency))
        lines.append(text("cli_programme", lang, id=p.programme_id, placed=n(p.placed), quota=quota,
                          spend=money_text(p.spend, lang, currency), budget=budget))
        if benefits.get(p.programme_id):
            lines.append(text("cli_programme_benefits", lang, benefits=benefits[p.programme_id]))
    lines += _caveat_lines(round_, lang)
    if s.unplaced_by_reason:
        lines.append(text("cli_unplaced", lang, reasons=text("cli_reason_separator", lang).join(
            text("cli_reason_count", lang, name=_word("reason", k, lang), n=n(v))
            for k, v in s.unplaced_by_reason.items())))
    for w in s.warnings:
        where = ", ".join(str(part) for part in (w.file, w.row, w.column) if part)
        lines.append(text("cli_warning", lang, line=f"{where}: {w.text(lang)}"))
    lines.append(text("cli_time", lang, seconds=n(s.timings["total"], 2), pairs=n(s.model_size.pairs)))
    return "\n".join(lines)


def _caveat_lines(round_, lang: str) -> list[str]:
    """One line per region whose weight carries a caveat (``weight_caveat_<lang>``, else the other
    language's): the region, its weight and the caveat."""
    if round_ is None:
        return []
    regions = round_.regions
    columns = [c for c in (f"weight_caveat_{lang}", "weight_caveat_ru", "weight_caveat_en") if c in regions]
    lines = []
    for i in range(len(regions)):
        caveat = next((str(regions[c].iat[i]).strip() for c in columns
                       if isinstance(regions[c].iat[i], str) and regions[c].iat[i].strip()), "")
        if caveat:
            lines.append(text("cli_weight_caveat", lang, region=regions["name" if lang == "ru" else "region_id"].iat[i],
                              weight=number(regions["weight"].iat[i], lang), caveat=caveat))
    return lines


def _word(kind: str, code, lang: str) -> str:
    """A status, funding or reason code as ``lang`` shows it: the code in English, the
    catalogue's word (``status_*``, ``funding_*``, ``reason_*``) in Russian."""
    code = str(code)
    if lang == "ru" and has(f"{kind}_{code}"):
        return text(f"{kind}_{code}", lang)
    return code


def run() -> None:
    """The console entry point: :func:`main`, then a fast exit (:data:`EXIT_PIPE` when the reader
    of standard output went away first, without a traceback).

    Every file is written and closed (outputs are fsynced, the store's engine disposed) before
    :func:`main` returns, so the interpreter's tear-down of a national round's frames (about
    0.3 s) is skipped: streams and log handlers are flushed and the process ends.
    """
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped (`| head`, a pager): no traceback, and exit as a shell would
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more reaches the pipe
        code = EXIT_PIPE
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()

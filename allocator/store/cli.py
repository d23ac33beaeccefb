"""``allocator runs list [--group NAME] | show ID | diff ID1 ID2 | export ID --out DIR | rerun ID``.

Exit codes: 0 done (rerun: identical assignments); 1 rerun gave different
assignments or figures (listed); 2 ``export --out`` cannot be written (a file, not
a folder; a read-only place); 6 the files could not be written (the folder is
unchanged); 5 the store cannot be opened or read (damaged,
another application's, a newer schema, server gone), or no such run. No
message holds a password (``masking.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from ..catalogue import language_from_locale, text
from .db import ENV_DB, StoreError, describe_error, open_store, public_url
from .masking import mask_secrets, secrets_of

EXIT_OK, EXIT_DIFFERENT, EXIT_OUT, EXIT_STORE, EXIT_OUTPUT = 0, 1, 2, 5, 6


def say(lang: str, key: str, **params) -> str:
    """The ``allocator runs`` message ``key`` (catalogue code ``runs_<key>``, allocator/texts/store.csv)."""
    return text(f"runs_{key}", lang, **params)


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL_OR_PATH",
                        help=f"store: SQLAlchemy URL or SQLite file (default ${ENV_DB}, else a per-user file)")
    common.add_argument("--lang", choices=("en", "ru"), default=language_from_locale(),
                        help="language of messages (default from the locale: ru when LANG is ru_*)")
    p = argparse.ArgumentParser(prog="allocator runs", description="stored runs: list, show, compare, "
                                "export, solve again (docs/store.md)")
    sub = p.add_subparsers(dest="action", required=True)
    ls = sub.add_parser("list", parents=[common], help="stored runs, newest first")
    ls.add_argument("--limit", type=int, default=50, help="at most N runs (default 50; 0 = all)")
    ls.add_argument("--group", metavar="NAME",
                    help="only the runs of the newest sweep named NAME (allocator sweep --group), in scenario order")
    sh = sub.add_parser("show", parents=[common], help="one run: options, inputs, versions, figures")
    sh.add_argument("id", type=int)
    df = sub.add_parser("diff", parents=[common], help="changed options, per-region deficits, changed posts")
    df.add_argument("a", type=int)
    df.add_argument("b", type=int)
    ex = sub.add_parser("export", parents=[common], help="write a run's files as 'allocator solve --out' does")
    ex.add_argument("id", type=int)
    ex.add_argument("--out", required=True, help="output folder (created if missing)")
    rr = sub.add_parser("rerun", parents=[common], help="solve a run again from its stored inputs")
    rr.add_argument("id", type=int)
    rr.add_argument("--no-store", action="store_true", help="do not keep the new solve as a run")
    rr.add_argument("--user", help="who reruns (default $ALLOCATOR_USER)")
    rr.add_argument("-q", "--quiet", action="store_true", help="print only the verdict")
    return p


def not_stored_note(lang: str, kept, *, out, url: str, failed: bool = False) -> str:
    """One line: the outputs are written (or the solve failed), the run is not stored, and
    whether it is queued."""
    if failed:
        line = say(lang, "failed_not_stored", url=public_url(url), reason=kept.reason)
    else:
        line = say(lang, "not_stored", out=out, url=public_url(url), reason=kept.reason)
    if kept.queued is not None:
        return line + say(lang, "queued", path=kept.queued)
    return line + say(lang, "not_queued", reason=kept.queue_error)


def flushed_note(lang: str, store) -> str | None:
    """One line naming the queued runs that ``store`` stored when it opened (ids and masked URL);
    None when it stored none."""
    if not store.flushed:
        return None
    return say(lang, "flushed", n=len(store.flushed), url=store.public_url,
               ids=", ".join(str(i) for i in store.flushed))


def main(argv: list[str] | None = None) -> int:
    """Run ``allocator runs`` with ``argv`` (default: ``sys.argv[1:]``) and return the exit code
    (see the module docstring); messages are in ``--lang`` and never hold a password."""
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    known = secrets_of(args.db) + secrets_of(os.environ.get(ENV_DB))
    if args.action == "export":
        problem = out_problem(args.out, args.lang)
        if problem:
            print(problem, file=sys.stderr)
            return EXIT_OUT
    try:
        store = open_store(args.db, writable=args.action == "rerun" and not args.no_store)
    except StoreError as exc:
        print(say(args.lang, "error", error=mask_secrets(exc.text(args.lang), known)), file=sys.stderr)
        return EXIT_STORE
    note = flushed_note(args.lang, store)
    if note:
        print(note, file=sys.stderr)
    try:
        return ACTIONS[args.action](store, args)
    except StoreError as exc:
        print(say(args.lang, "error", error=mask_secrets(exc.text(args.lang), known)), file=sys.stderr)
        return EXIT_STORE
    except (SQLAlchemyError, sqlite3.Error) as exc:  # damaged pages read, server gone mid-command
        error = say(args.lang, "store_failed", url=store.public_url, error=describe_error(exc))
        print(say(args.lang, "error", error=mask_secrets(error, known)), file=sys.stderr)
        return EXIT_STORE
    finally:
        store.dispose()


def out_problem(out: str, lang: str) -> str | None:
    """Why ``out`` cannot be an output folder (allocator.outpaths, as ``solve --out``), or None."""
    from ..messages import InputError
    from ..outpaths import check_out_dir

    problems = check_out_dir(out)
    return InputError(problems).report(lang) if problems else None


def _table(frame: pd.DataFrame) -> str:
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 40):
        return frame.to_string(index=False)


def _list(store, args) -> int:
    from .query import list_runs

    if args.group:
        from .sweeps import list_sweep_runs

        runs = list_sweep_runs(store, args.group, limit=args.limit or None)
        if runs.empty:
            print(say(args.lang, "no_group", group=args.group, url=public_url(store.url)))
            return EXIT_OK
    else:
        runs = list_runs(store, limit=args.limit or None)
    if runs.empty:
        print(say(args.lang, "no_runs", url=public_url(store.url)))
        return EXIT_OK
    lang = args.lang
    head = {say(lang, "col_scenario"): runs["scenario"]} if "scenario" in runs else {}
    view = pd.DataFrame({
        "id": runs["id"], **head,
        say(lang, "col_when"): [t.strftime("%Y-%m-%d %H:%M:%S") for t in runs["created_at"]],
        say(lang, "col_user"): runs["user"].fillna("-"),
        say(lang, "col_round"): runs["round_name"],
        say(lang, "col_solver"): runs["solver"].fillna("-"),
        say(lang, "col_status"): runs["status"],
        say(lang, "col_placed"): [say(lang, "placed_of", placed=f"{p:.0f}", total=f"{g:.0f}") if pd.notna(p)
                                  else "-" for p, g in zip(runs["placed_total"], runs["graduates_total"])],
        say(lang, "col_deficit"): [f"{w:.4g}" if pd.notna(w) else "-" for w in runs["weighted_deficit"]],
    })
    print(_table(view))
    return EXIT_OK


def _show(store, args) -> int:
    from .query import get_run

    run = get_run(store, args.id)
    head = {k: run[k] for k in ("id", "created_at", "user", "round_name", "source", "status", "solver", "gap",
                                 "obligated_placed", "obligated_total", "weighted_deficit_before",
                                 "weighted_deficit", "total_km", "placed_total", "graduates_total",
                                 "input_hash", "error")}
    head["created_at"] = head["created_at"].isoformat()
    out = {**head, "options": run["options"], "inputs": run["inputs"], "versions": run["versions"],
           "timings": run["timings"]}
    if run["summary"]:
        out["unplaced_by_reason"] = run["summary"].get("unplaced_by_reason")
        out["programmes"] = run["summary"].get("programmes")
    print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
    return EXIT_OK


def _diff(store, args) -> int:
    from .diff import diff_runs

    d = diff_runs(store, args.a, args.b)
    lang = args.lang
    print(say(lang, "diff_head", a=d.a, b=d.b))
    _pairs(lang, "options", "no_options", d.options)
    _pairs(lang, "inputs", "no_inputs", d.inputs)
    if d.figures:
        _pairs(lang, "figures", "figures", d.figures)
    if d.deficits.empty:
        print(say(lang, "no_deficits"))
    _print_changes(lang, d.deficits, d.posts)
    return EXIT_OK


def _print_changes(lang, deficits, posts) -> None:
    """Per-region deficit changes (when any) and the graduates whose post changed."""
    if not deficits.empty:
        print(say(lang, "deficits"))
        print(_table(deficits.round(4)))
    print(say(lang, "posts", n=len(posts)))
    if not posts.empty:
        print(_table(posts.fillna("-")))


def _pairs(lang, key, none_key, pairs: dict) -> None:
    if not pairs:
        print(say(lang, none_key))
        return
    print(say(lang, key))
    for k, (a, b) in pairs.items():
        print(f"  {k}: {a!r} -> {b!r}")


def _export(store, args) -> int:
    from ..output import OutputError, write_solution
    from .query import load_round, load_solution

    solution = load_solution(store, args.id)
    try:
        written = write_solution(solution, args.out, load_round(store, args.id))  # the round's facts too
    except OutputError as exc:  # disk full, a locked file: the folder is unchanged
        print(exc.report(args.lang), file=sys.stderr)
        return EXIT_OUTPUT
    print(say(args.lang, "exported", id=args.id, files=", ".join(str(p) for p in written)))
    return EXIT_OK


def _rerun(store, args) -> int:
    from ..status import describe
    from .rerun import rerun

    def progress(event) -> None:  # an allocator.status.Progress, rendered in --lang
        """Print one progress event of the rerun to stderr in ``--lang``, unless ``--quiet``."""
        if not args.quiet:
            print(f"[{event.fraction:4.0%}] {describe(event, args.lang)}", file=sys.stderr, flush=True)

    r = rerun(store, args.id, record=not args.no_store, user=args.user, progress=progress)
    lang = args.lang
    new = "" if r.new_run_id is None else say(lang, "new_run", id=r.new_run_id)
    if r.identical:
        print(say(lang, "identical", id=args.id, new=new))
        return EXIT_OK
    print(say(lang, "different", id=args.id, new=new))
    if not r.same_inputs:
        print(say(lang, "inputs_changed"))
    if r.figures:
        _pairs(lang, "figures", "figures", r.figures)
    _print_changes(lang, r.deficits, r.posts)
    return EXIT_DIFFERENT


ACTIONS = {"list": _list, "show": _show, "diff": _diff, "export": _export, "rerun": _rerun}

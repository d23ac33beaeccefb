"""Command line: ``allocator sweep ROUND --grid GRID.toml --out DIR`` (docs/sweep.md).

Reads and checks the grid file against the round before anything is solved,
solves every scenario (a process pool of ``--workers``, or Dask with
``--dask local|ADDRESS``), shows a progress bar on stderr, and writes
``DIR/scenarios.csv`` (and with ``--keep-outputs`` each scenario's outputs in
``DIR/<scenario>/``).

Exit codes (as ``allocator solve``): 0 every scenario solved (whatever its
status: infeasible or time-limited scenarios say so in their row); 2 bad
input (the grid, the round, ``--out``, or Dask missing or unreachable: every
problem listed, with the file and the key; ``--resume`` finding a scenario
stored with other inputs); 5 the run store cannot be opened, or some
scenarios could not be stored (queued; the table is written); 6 the outputs
could not be written; 7 some scenario failed (its row has status ``error``;
the table is written).

Every scenario is recorded in the run store (docs/store.md, *Sweeps*) by this
process only, in batches (:class:`allocator.store.sweeps.SweepRecorder`), the
sweep as a group (``--group``); ``--resume`` skips the scenarios the group holds
with the same input hash; ``--no-store`` keeps nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..catalogue import language_from_locale, text
from ..cli import EXIT_ENGINE, EXIT_INPUT, EXIT_OK, EXIT_OUTPUT, EXIT_STORE
from ..messages import InputError
from ..validate import load_round
from .grid import expand, keys_of, read_grid
from .runner import DaskMissing, columns, default_workers, prestart, run_sweep
from .table import check_sweep_dir, remove_stale, write_table

#: Default batch of the run store (as allocator.store.sweeps.EVERY, SECONDS; not imported: SQLAlchemy is slow).
EVERY, SECONDS = 20, 5.0


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def parser() -> argparse.ArgumentParser:
    """The ``allocator sweep`` argument parser."""
    p = argparse.ArgumentParser(prog="allocator sweep", description=__doc__.split("\n")[0])
    p.add_argument("round", help="round folder of CSV files, or one .xlsx workbook")
    p.add_argument("--grid", required=True, metavar="GRID.toml", help="what to vary ([grid] and/or [[scenario]])")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder: scenarios.csv (and scenario folders)")
    p.add_argument("--workers", type=_positive, metavar="N", help="worker processes (default: one per core)")
    p.add_argument("--dask", metavar="local|ADDRESS",
                   help="run on Dask: 'local' (a LocalCluster of N workers) or a scheduler, e.g. tcp://host:8786")
    p.add_argument("--keep-outputs", action="store_true", help="write each scenario's outputs to DIR/<scenario>/")
    p.add_argument("--db", metavar="URL_OR_PATH",
                   help="run store: SQLAlchemy URL or SQLite file (default $ALLOCATOR_DB, else a per-user "
                        "file; docs/store.md)")
    p.add_argument("--no-store", action="store_true", help="do not keep the scenarios in the run store")
    p.add_argument("--user", help="who runs it, kept with every run (default $ALLOCATOR_USER)")
    p.add_argument("--group", metavar="NAME",
                   help="name of the sweep in the run store (default: the name of the --out folder)")
    p.add_argument("--resume", action="store_true",
                   help="continue the newest sweep of this --group: scenarios it holds (same input hash) "
                        "are not solved again")
    p.add_argument("--store-every", type=_positive, default=EVERY, metavar="N",
                   help=f"write to the store every N scenarios (default {EVERY}) ...")
    p.add_argument("--store-seconds", type=float, default=SECONDS, metavar="T",
                   help=f"... or every T seconds (default {SECONDS:g})")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar, print only errors")
    p.add_argument("--lang", choices=("en", "ru"), default=language_from_locale(),
                   help="language of the messages (default from the locale: ru when LANG is ru_*)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run ``allocator sweep`` with ``argv`` and return the exit code (module docstring)."""
    p = parser()
    args = p.parse_args(argv)
    if args.resume and args.no_store:
        p.error("--resume needs the run store: it cannot be used with --no-store")
    lang = args.lang
    if not args.dask:
        prestart()  # the pool's fork server imports the solver while this process loads the round
    try:
        grid = read_grid(args.grid)
        round_ = load_round(args.round)
        specs = expand(grid, round_)
        if any(s.value("distances") == "road" for s in specs) and round_.settlements is None:
            round_ = load_round(args.round, distances="road").with_scenario(round_.scenario)
    except InputError as exc:
        print(exc.report(lang), file=sys.stderr)
        return EXIT_INPUT
    problems = check_sweep_dir(args.out, args.round)
    if problems:
        print(InputError(problems).report(lang), file=sys.stderr)
        return EXIT_INPUT

    from ..output import OutputError, write_solution

    kept = None
    if not args.no_store:
        kept = _open_group(args, round_, specs, lang)
        if isinstance(kept, int):
            return kept
    recorder, hashes, stored_rows = kept or (None, {}, {})
    todo = [s for s in specs if s.name not in stored_rows]
    by_name = {s.name: s for s in specs}
    workers = args.workers or default_workers()
    bar = _progress(len(todo), args.quiet or not todo)

    def done(result) -> None:
        """Record the scenario (in batches), write its kept outputs and advance the bar."""
        if result.solution is not None and args.keep_outputs:
            write_solution(result.solution, f"{args.out}/{result.name}", round_)  # the round's facts too
        if recorder is not None:
            _record(recorder, round_, by_name[result.name], result, hashes)
        bar.update(1)

    started = time.perf_counter()
    try:
        rows = run_sweep(round_, todo, workers=workers, dask=args.dask, keep=args.keep_outputs or bool(recorder),
                         on_result=done) if todo else []
    except DaskMissing:
        print(text("cli_sweep_no_dask", lang), file=sys.stderr)
        return EXIT_INPUT
    except OutputError as exc:
        print(exc.report(lang), file=sys.stderr)
        return EXIT_OUTPUT
    except (OSError, TimeoutError) as exc:
        if not args.dask or args.dask == "local":
            raise
        print(text("cli_sweep_dask_unreachable", lang, address=args.dask, error=type(exc).__name__),
              file=sys.stderr)
        return EXIT_INPUT
    finally:
        bar.close()
        if recorder is not None:
            try:
                recorder.close()
            finally:
                recorder.store.dispose()
    solved = {row["scenario"]: row for row in rows}
    rows = [solved.get(s.name) or stored_rows[s.name] for s in specs]
    ids = list(round_.programmes["programme_id"].sort_values())
    try:
        written = write_table(rows, columns(keys_of(grid), ids), args.out)
        remove_stale(args.out, {s.name for s in specs} if args.keep_outputs else set())
    except OSError as exc:
        print(text("cli_sweep_not_written", lang, out=args.out, error=exc.strerror or type(exc).__name__),
              file=sys.stderr)
        return EXIT_OUTPUT
    failed = sum(row["status"] == "error" for row in rows)
    if not args.quiet:
        print(text("cli_sweep_done", lang, n=len(rows), failed=failed, workers=workers,
                   executor=args.dask or "pool", seconds=f"{time.perf_counter() - started:.1f}", file=written))
        if recorder is not None:
            print(text("cli_sweep_stored", lang, group=recorder.group.name, id=recorder.group.id,
                       n=len(recorder.stored), skipped=len(stored_rows), batches=recorder.batches))
    if recorder is not None and (recorder.queued or recorder.lost):
        _not_stored(recorder, lang)
        return EXIT_STORE
    return EXIT_ENGINE if failed else EXIT_OK


def _open_group(args, round_, specs, lang: str):
    """Open the run store and start (or, with --resume, continue) the sweep's group: the recorder,
    each scenario's input hash and the rows of the scenarios already stored; or an exit code after
    printing why not (5: the store cannot be opened; 2: a stored scenario has other inputs)."""
    from ..cli import _open_store
    from ..store.sweeps import SweepRecorder, start_sweep
    from .apply import apply_spec

    store = _open_store(args.db, lang)
    if store is False:
        return EXIT_STORE
    name = args.group or Path(args.out).resolve().name
    hashes = {s.name: apply_spec(round_, s.values).input_hash() for s in specs}
    group = start_sweep(store, name, round_name=round_.name, source=str(args.round), grid=str(args.grid),
                        scenarios=len(specs), user=args.user, resume=args.resume)
    changed = sorted(n for n, (h, _row) in group.done.items() if n in hashes and hashes[n] != h)
    if changed:
        print(text("cli_sweep_resume_changed", lang, group=name, scenarios=", ".join(changed[:5])),
              file=sys.stderr)
        store.dispose()
        return EXIT_INPUT
    stored_rows = {n: row for n, (h, row) in group.done.items() if hashes.get(n) == h}
    recorder = SweepRecorder(store, group, every=args.store_every, seconds=args.store_seconds, user=args.user,
                             source=str(args.round))
    if stored_rows and not args.quiet:
        print(text("cli_sweep_resumed", lang, group=name, skipped=len(stored_rows), n=len(specs)),
              file=sys.stderr)
    return recorder, hashes, stored_rows


def _record(recorder, round_, spec, result, hashes) -> None:
    """Hand one finished scenario to the recorder (its round rebuilt here, in the driver)."""
    from ..store.sweeps import SweepItem
    from .apply import apply_spec

    recorder.add(SweepItem(round_=apply_spec(round_, spec.values), solution=result.solution,
                           error=result.row.get("error") or None, scenario=spec.name, position=spec.index,
                           input_hash=hashes[spec.name], row=result.row))


def _not_stored(recorder, lang: str) -> None:
    """One line: how many scenarios are not stored, and whether they are queued."""
    from ..store.db import public_url

    print(text("cli_sweep_not_stored", lang, n=len(recorder.queued) + len(recorder.lost),
               url=public_url(recorder.store.url), reason=recorder.reason or "-", queued=len(recorder.queued),
               lost=len(recorder.lost), error=recorder.queue_error or "-"), file=sys.stderr)


class _Counter:
    """A progress line for when tqdm is not installed: ``k/n`` on stderr."""

    def __init__(self, total: int, quiet: bool):
        self.total, self.done, self.quiet = total, 0, quiet

    def update(self, n: int) -> None:
        """Count ``n`` more scenarios done."""
        self.done += n
        if not self.quiet:
            print(f"\r{self.done}/{self.total}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        """End the line."""
        if not self.quiet and self.done:
            print(file=sys.stderr)


def _progress(total: int, quiet: bool):
    """A tqdm bar on stderr with the ETA (a plain counter without tqdm)."""
    try:
        from tqdm import tqdm
    except ImportError:
        return _Counter(total, quiet)
    return tqdm(total=total, unit="scenario", file=sys.stderr, disable=quiet, dynamic_ncols=True)


__all__ = ["main", "parser"]

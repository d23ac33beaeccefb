"""Command line: ``allocator sweep ROUND --grid GRID.toml --out DIR`` (docs/sweep.md).

Reads and checks the grid file against the round before anything is solved,
solves every scenario (a process pool of ``--workers``, or Dask with
``--dask local|ADDRESS``), shows a progress bar on stderr, and writes
``DIR/scenarios.csv`` (and with ``--keep-outputs`` each scenario's outputs in
``DIR/<scenario>/``).

Exit codes (as ``allocator solve``): 0 every scenario solved (whatever its
status: infeasible or time-limited scenarios say so in their row); 2 bad
input (the grid, the round, ``--out``, or Dask missing or unreachable: every
problem listed, with the file and the key); 6 the outputs could not be
written; 7 some scenario failed (its row has status ``error``; the table is
written).
"""

from __future__ import annotations

import argparse
import sys
import time

from ..catalogue import language_from_locale, text
from ..cli import EXIT_ENGINE, EXIT_INPUT, EXIT_OK, EXIT_OUTPUT
from ..messages import InputError
from ..validate import load_round
from .grid import expand, keys_of, read_grid
from .runner import DaskMissing, columns, default_workers, run_sweep
from .table import check_sweep_dir, remove_stale, write_table


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
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar, print only errors")
    p.add_argument("--lang", choices=("en", "ru"), default=language_from_locale(),
                   help="language of the messages (default from the locale: ru when LANG is ru_*)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run ``allocator sweep`` with ``argv`` and return the exit code (module docstring)."""
    args = parser().parse_args(argv)
    lang = args.lang
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

    workers = args.workers or default_workers()
    bar = _progress(len(specs), args.quiet)

    def done(result) -> None:
        """Write a kept scenario's outputs and advance the bar."""
        if result.solution is not None:
            write_solution(result.solution, f"{args.out}/{result.name}")
        bar.update(1)

    started = time.perf_counter()
    try:
        rows = run_sweep(round_, specs, workers=workers, dask=args.dask, keep=args.keep_outputs, on_result=done)
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
    return EXIT_ENGINE if failed else EXIT_OK


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

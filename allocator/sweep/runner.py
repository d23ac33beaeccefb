"""Solving the scenarios of a sweep: one function per scenario, three ways to run it.

:func:`run_scenario` applies one :class:`~allocator.sweep.grid.ScenarioSpec` to
the base round (:func:`allocator.sweep.apply.apply_spec`), solves it
(:func:`allocator.solve.solve`) and returns a :class:`ScenarioResult`: a plain
dict row (the columns of ``scenarios.csv``, :func:`row_of`) and, when asked,
the whole :class:`~allocator.solution.Solution` for ``--keep-outputs``. A
scenario that raises gives a row with status ``error`` and the exception's
type (never its text, which might name a graduate).

What the scenarios share is built once, by the driver (:func:`prepare`): the
base round, and the allowed pairs with their distances for each distinct
combination of the options that change them (:data:`allocator.pair_cache.PAIR_OPTIONS`:
max_km and the distance source; a budget, quota, payment or weight changes
none). Each worker gets that payload once and solves its scenarios with a
:class:`~allocator.pair_cache.PairCache` of it: the pairs repriced, not
rebuilt, and the same solution as a direct solve.

:func:`run_sweep` submits that same function for every scenario to one of

* a local :class:`concurrent.futures.ProcessPoolExecutor` of N worker
  processes, the payload given once to each worker by the pool's initializer.
  Workers are forked from a fork server (:func:`prestart`) that imported the
  solver once and never ran it, so no solver thread is forked and a worker
  starts in milliseconds; where there is no fork server, they are spawned;
* a Dask ``LocalCluster(n_workers=N, threads_per_worker=1)`` (``dask="local"``);
* a running Dask scheduler (``dask="tcp://host:8786"``): its workers need this
  package installed; the payload travels with the tasks, so no shared disk
  is needed.

With Dask the payload is scattered to every worker once (``client.scatter``,
``broadcast=True``) and each task refers to it. The round travels as a
:func:`pack`-ed dict (a :class:`~allocator.problem.Round` holds read-only
mappings that do not pickle) and is rebuilt once per worker process. Dask is
an optional extra (``pip install "medstaff-planner[dask]"``), imported only on
that path.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import as_completed as futures_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, fields
from types import MappingProxyType

from ..pair_cache import PAIR_OPTIONS, PairCache
from ..problem import Round, Scenario
from ..scaling import money_text
from ..solution import Solution
from ..solve import solve
from .apply import apply_spec
from .grid import ScenarioSpec, split_key

log = logging.getLogger(__name__)

#: Columns every row has, around the grid's keys and the programmes'.
HEAD, FIGURES, TAIL = ("scenario",), ("status", "obligated_placed", "weighted_deficit", "total_km"), \
    ("wall_s", "error")


class DaskMissing(RuntimeError):
    """``--dask`` was asked for but dask.distributed is not installed."""


@dataclass(frozen=True)
class ScenarioResult:
    """What one scenario gave: ``row`` (plain dict, the columns of ``scenarios.csv``), ``index``
    (the scenario's position) and ``solution`` (only when outputs are kept)."""

    index: int
    name: str
    row: dict
    solution: Solution | None = None


def columns(keys: Iterable[str], programme_ids: Iterable[str]) -> list[str]:
    """The columns of ``scenarios.csv``: scenario, each grid key, the figures, ``places.<id>`` and
    ``spend.<id>`` per programme, ``wall_s`` and ``error``."""
    ids = list(programme_ids)
    return [*HEAD, *keys, *FIGURES, *(f"places.{p}" for p in ids), *(f"spend.{p}" for p in ids), *TAIL]


def money_cell(value) -> str:
    """Money exactly as typed, without grouping: 61000000.0 -> "61000000", 0.5 -> "0.5"."""
    return money_text(value).replace(",", "")


def value_cell(key: str, value):
    """A grid value as ``scenarios.csv`` shows it: money exactly, true/false as in TOML."""
    kind, _, field = split_key(key)
    if kind == "programme" and field in ("budget", "payment"):
        return money_cell(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def row_of(spec: ScenarioSpec, solution: Solution | None, wall_s: float, error: str = "") -> dict:
    """The ``scenarios.csv`` row of one scenario, from its typed solution (as ``summary.json``)."""
    row = {"scenario": spec.name, **{k: value_cell(k, v) for k, v in spec.values.items()}}
    if solution is None:
        row.update(status="error", error=error, wall_s=round(wall_s, 3))
        return row
    row.update(status=str(solution.status), obligated_placed=solution.obligated_placed,
               weighted_deficit=solution.weighted_deficit, total_km=solution.total_km)
    for p in solution.programmes:
        row[f"places.{p.programme_id}"] = p.placed
        row[f"spend.{p.programme_id}"] = money_cell(p.spend)
    row.update(wall_s=round(wall_s, 3), error="")
    return row


# ----------------------------------------------------------------------------- the base round


def pack(round_: Round) -> dict:
    """``round_`` as a picklable dict (its scenario as :meth:`Scenario.as_dict`); :func:`unpack` undoes it."""
    out = {f.name: getattr(round_, f.name) for f in fields(round_) if f.name != "scenario"}
    out["scenario"] = round_.scenario.as_dict()
    return out


def unpack(payload: dict) -> Round:
    """The :class:`Round` a :func:`pack`-ed dict holds."""
    values = dict(payload)
    options = dict(values.pop("scenario"))
    options["weights"] = MappingProxyType(dict(options.get("weights", {})))
    return Round(**values, scenario=Scenario(**options))


def prepare(round_: Round, specs: Iterable[ScenarioSpec]) -> dict:
    """What every worker gets once: the :func:`pack`-ed base round (``"round"``) and the allowed
    pairs of each distinct combination of :data:`~allocator.pair_cache.PAIR_OPTIONS` among ``specs``
    (``"pairs"``: :meth:`PairCache.entries <allocator.pair_cache.PairCache.entries>`), each built once."""
    combos = list(dict.fromkeys(tuple((k, spec.values[k]) for k in PAIR_OPTIONS if k in spec.values)
                                for spec in specs))
    cache = PairCache(limit=len(combos))
    started = time.perf_counter()
    for combo in combos:
        try:
            cache.pairs(apply_spec(round_, dict(combo)))
        except Exception as exc:  # that scenario fails in its worker, and says so in its row
            log.debug("pairs for %s not built ahead: %s", combo, type(exc).__name__)
    log.info("allowed pairs built for %d option combination(s) in %.2fs", len(cache),
             time.perf_counter() - started)
    return {"round": pack(round_), "pairs": cache.entries()}


_WORKER: dict = {}  # per process: the payload given to this worker, its round and its pair cache


def init_worker(payload: dict) -> None:
    """Process-pool initializer: keep the :func:`prepare`-d payload in this worker (once, not per task)."""
    _WORKER.clear()
    _base(payload)


def _base(payload: dict | None) -> tuple[Round, PairCache]:
    """The worker's base round and pair cache: the initializer's (``payload`` None), else ``payload``'s,
    unpacked once."""
    if payload is not None and _WORKER.get("payload") is not payload:
        _WORKER.update(payload=payload, round=unpack(payload["round"]),
                       cache=PairCache(payload["pairs"], limit=max(8, len(payload["pairs"]))))
    return _WORKER["round"], _WORKER["cache"]


def run_scenario(spec: ScenarioSpec, payload: dict | None = None, keep: bool = False) -> ScenarioResult:
    """Solve one scenario on the base round and return its row (and its solution when ``keep``).

    ``payload``: the :func:`prepare`-d base round and pairs (Dask passes the scattered one); None:
    the payload this process was initialised with (:func:`init_worker`, the process pool).
    """
    started = time.perf_counter()
    try:
        base, cache = _base(payload)
        solution = solve(apply_spec(base, spec.values), pair_cache=cache)
    except Exception as exc:  # one scenario's failure is its row; the sweep goes on
        return ScenarioResult(spec.index, spec.name, row_of(spec, None, time.perf_counter() - started,
                                                              error=type(exc).__name__))
    row = row_of(spec, solution, time.perf_counter() - started)
    return ScenarioResult(spec.index, spec.name, row, solution if keep else None)


# ----------------------------------------------------------------------------- executors


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def run_sweep(round_: Round, specs: list[ScenarioSpec], *, workers: int | None = None, dask: str | None = None,
              keep: bool = False, on_result: Callable[[ScenarioResult], None] | None = None) -> list[dict]:
    """Solve every scenario of ``specs`` on ``round_`` and return their rows in scenario order.

    ``workers``: processes (default :func:`default_workers`); ``dask``: None (a local process pool),
    ``"local"`` (a Dask LocalCluster of ``workers`` workers) or a scheduler address. ``on_result`` is
    called with each :class:`ScenarioResult` as it completes (progress, writing kept outputs).
    """
    workers = workers or default_workers()
    payload = prepare(round_, specs)
    rows: dict[int, dict] = {}
    runs = _dask_results if dask else _pool_results
    for result in runs(payload, specs, workers=workers, dask=dask, keep=keep):
        rows[result.index] = result.row
        if on_result is not None:
            on_result(result)
    return [rows[spec.index] for spec in specs]


#: A pool whose worker died (BrokenProcessPool) is replaced this many times; scenarios still
#: unfinished after that get status ``error`` (error ``BrokenProcessPool``).
POOL_RETRIES = 2


def _pool_results(payload: dict, specs, *, workers: int, dask, keep: bool) -> Iterator[ScenarioResult]:
    """Results as they complete, from a local process pool given the base round once per worker.

    When a worker process dies (killed, out of memory) the pool breaks: the scenarios it had not
    finished are solved again on a fresh pool (up to :data:`POOL_RETRIES` times); each scenario's
    result is yielded once."""
    todo = list(specs)
    for _attempt in range(POOL_RETRIES + 1):
        broken: list[ScenarioSpec] = []
        yield from _one_pool(payload, todo, workers=workers, keep=keep, broken=broken)
        if not broken:
            return
        log.warning("a worker process died: %d unfinished scenario(s) are solved again on a new pool", len(broken))
        todo = sorted(broken, key=lambda spec: spec.index)
    for spec in todo:
        yield ScenarioResult(spec.index, spec.name, row_of(spec, None, 0.0, error=BrokenProcessPool.__name__))


#: What the fork server imports once, before it forks any worker: the solver, never run there.
PRELOAD = ["allocator.sweep.runner", "allocator.flow"]


def _context():
    """The pool's start method: forkserver (with :data:`PRELOAD`) where the platform has it, else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")  # pragma: no cover - not POSIX


def prestart(wait: bool = False) -> None:
    """Start the pool's fork server now, so that its imports overlap the caller's own work (loading
    the round); the first pool would start it anyway. Once started it serves every later pool.
    ``wait``: return only when the server has imported :data:`PRELOAD` (a worker was forked)."""
    context = _context()
    if context.get_start_method() != "forkserver":  # pragma: no cover - not POSIX
        return
    from multiprocessing import forkserver

    forkserver.ensure_running()
    if wait:
        probe = context.Process(target=os.getpid)  # served once the server has done its imports
        probe.start()
        probe.join()


def _one_pool(payload: dict, specs, *, workers: int, keep: bool, broken: list) -> Iterator[ScenarioResult]:
    """Results of one process pool; the scenarios it could not finish (a worker died) go to ``broken``."""
    context = _context()
    with ProcessPoolExecutor(max_workers=min(workers, max(1, len(specs))), mp_context=context,
                             initializer=init_worker, initargs=(payload,)) as pool:
        futures = {pool.submit(run_scenario, spec, None, keep): spec for spec in specs}
        try:
            for future in futures_completed(futures):
                try:
                    result = future.result()
                except BrokenProcessPool:
                    broken.append(futures[future])
                    continue
                yield result
        finally:
            for future in futures:
                future.cancel()


def _dask_results(payload: dict, specs, *, workers: int, dask: str, keep: bool) -> Iterator[ScenarioResult]:
    """Results as they complete, from Dask: a LocalCluster (``dask="local"``) or a scheduler's address."""
    try:
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as dask_completed
    except ImportError as exc:
        raise DaskMissing(str(exc)) from exc
    cluster = None
    if dask == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(dask, timeout="10s")
    try:
        # one datum (a dict given to scatter would be scattered value by value and reassembled
        # into a new dict for every task): each worker keeps it, and each task gets that same object
        (base,) = client.scatter([payload], broadcast=True)
        futures = [client.submit(run_scenario, spec, base, keep, pure=False) for spec in specs]
        for future in dask_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def scenario_round(round_: Round, spec: ScenarioSpec) -> Round:
    """The round one scenario solves (for a direct solve of one row of a sweep)."""
    return apply_spec(round_, spec.values)


__all__ = ["POOL_RETRIES", "PRELOAD", "DaskMissing", "ScenarioResult", "columns", "default_workers", "init_worker",
           "pack", "prepare", "prestart", "row_of", "run_scenario", "run_sweep", "scenario_round", "unpack"]

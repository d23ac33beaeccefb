"""The menu mechanism's speed and proof: the bundled Penza round, and a synthetic national round.

    python benchmarks/bench_menu.py                        # Penza, then 2,000 x 500 x 5 choices
    python benchmarks/bench_menu.py --penza-only --time-limit 120

Issue 13's targets: ``menu`` on Penza at most 5 s, proven; on 2,000 graduates x 500 facilities
with 5 choices each, proven in at most 60 s or the gap reported. Penza's ratings and preference
lists are SYNTHETIC (data/penza/README.md); the national round is SYNTHETIC
(``benchmarks/bench_choice.py``'s generator). Printed per round: the programme's size, each
level's status, value, bound and seconds (``--threads`` CP-SAT workers; 1, the default,
is repeatable), the menu's total, and the outcome beside ``choice``
(every vacancy offered).
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

from bench_choice import synthetic_round

from allocator import load_round, solve
from allocator.mechanisms.choice import solve_choice
from allocator.mechanisms.menu import solve_menu

PENZA = Path(__file__).resolve().parents[1] / "data" / "penza"


def shown(v) -> str:
    """A level's value or bound, or a dash when there is none (not reached, no bound)."""
    return "-" if v is None else f"{v:.6g}"


def report(name: str, round_, time_limit: float, threads: int) -> None:
    """Solve ``round_`` by choice and by menu (CP-SAT with ``threads`` workers) and print one block."""
    round_ = dataclasses.replace(round_, scenario=dataclasses.replace(round_.scenario, threads=threads))
    started = time.perf_counter()
    choice = solve_choice(round_, solve)
    t_choice = time.perf_counter() - started
    started = time.perf_counter()
    menu = solve_menu(round_, solve, time_limit=time_limit)
    t_menu = time.perf_counter() - started
    info = menu.summary["menu"]
    print(f"{name}: programme {info['variables']:,} variables x {info['constraints']:,} rows; "
          f"menu {t_menu:.2f} s, status {info['status']}, gap {info['gap']}", flush=True)
    for level, v in info["levels"].items():
        print(f"  {level:9s} {v['status']:10s} value {shown(v['value'])}  bound {shown(v['bound'])}  "
              f"{v['seconds']:.2f} s")
    print(f"  choice ({t_choice:.2f} s): obligated placed {choice.obligated_placed}, weighted deficit "
          f"{choice.weighted_deficit:.2f}, km {choice.km_objective:.1f}")
    print(f"  menu:            obligated placed {menu.obligated_placed}, weighted deficit "
          f"{menu.weighted_deficit:.2f}, km {menu.km_objective:.1f}; offered "
          f"{int(menu.offered['offered'].sum())} of {int(round_.vacancies['vacancies'].sum())} vacancies", flush=True)


def main(argv=None) -> None:
    """Penza, then (unless ``--penza-only``) the synthetic national round."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--time-limit", type=float, default=60.0, help="seconds for each menu (default 60)")
    p.add_argument("--penza-only", action="store_true")
    p.add_argument("--threads", type=int, default=1, help="CP-SAT workers (default 1: repeatable)")
    p.add_argument("--graduates", type=int, default=2000)
    p.add_argument("--facilities", type=int, default=500)
    p.add_argument("--choices", type=int, default=5)
    args = p.parse_args(argv)
    report("penza (synthetic preferences)", load_round(PENZA), args.time_limit, args.threads)
    if not args.penza_only:
        round_, _ = synthetic_round(args.graduates, args.facilities, 20, args.choices, seed=1)
        report(f"synthetic {args.graduates} x {args.facilities} x {args.choices}", round_, args.time_limit,
               args.threads)


if __name__ == "__main__":
    main()

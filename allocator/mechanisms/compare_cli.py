"""``allocator mechanisms ROUND --out DIR [--lang ru|en] [--time-limit S]``: one round under
``assign``, ``choice`` and ``menu``, compared (:mod:`.compare`).

The round is validated as ``allocator solve`` validates it (:func:`allocator.validate.load_round`);
the output folder is checked as ``allocator solve`` checks its own and replaced in one step
(:func:`allocator.atomic.replace_dir`). It then holds:

* ``summary.json``: the report of :func:`.compare.compare_mechanisms`;
* ``per_region.csv``: its ``regions`` part (region_id, name, placed and weighted deficit under
  each mechanism, came_because_of_menu, left_because_of_menu);
* ``offered_menu.xlsx``: the posts the menu offers, as a list to publish
  (:func:`.compare.offered_posts`), headers in ``--lang``.

Prints the comparison table and what choice costs and the menu wins back, in ``--lang``.
``--time-limit``: seconds for each mechanism. A round the menu cannot model (couples, a programme
paying different amounts at remote and standard posts) is compared under assign and choice,
with the reason printed and in the report's ``refused``; ``offered_menu.xlsx`` then lists no post.
Exit codes: 0 done, 2 bad input (the round or the output folder).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from ..catalogue import language_from_locale, number, text
from ..messages import InputError
from ..validate import load_round
from .compare import MECHANISMS, compare_mechanisms, offered_posts, region_table, solve_all

EXIT_OK, EXIT_INPUT = 0, 2
OUTPUT_FILES = ("summary.json", "per_region.csv", "offered_menu.xlsx")
OFFERED_HEADERS = {"facility_id": "mech_col_facility_id", "facility": "mech_col_facility", "region": "mech_col_region",
                   "specialty": "mech_col_specialty", "offered": "mech_col_offered",
                   "vacancies": "mech_col_vacancies"}


def main(argv: list[str] | None = None) -> int:
    """Run the comparison command (see the module docstring); returns the exit code."""
    from ..atomic import replace_dir
    from ..outpaths import check_out_dir

    ap = argparse.ArgumentParser(prog="allocator mechanisms", description=__doc__.splitlines()[0])
    ap.add_argument("round", help="round folder of CSV files, or one .xlsx workbook")
    ap.add_argument("--out", required=True, help="output folder (replaced)")
    ap.add_argument("--time-limit", type=float, metavar="S", help="seconds for each mechanism")
    ap.add_argument("--lang", choices=("en", "ru"), default=language_from_locale())
    args = ap.parse_args(argv)
    lang = args.lang
    path_problems = check_out_dir(args.out, args.round, ours=OUTPUT_FILES)
    try:
        round_ = load_round(args.round, time_limit=args.time_limit)
    except InputError as exc:
        print(InputError(path_problems + exc.problems).report(lang), file=sys.stderr)
        return EXIT_INPUT
    if path_problems:
        print(InputError(path_problems).report(lang), file=sys.stderr)
        return EXIT_INPUT
    if round_.preferences.empty:
        print(text("mech_cmp_no_preferences", lang), file=sys.stderr)

    def progress(mechanism, event) -> None:
        if event is None:
            print(text("mech_cmp_solving", lang, mechanism=text(f"mech_name_{mechanism}", lang)), file=sys.stderr,
                  flush=True)

    refused: dict[str, str] = {}
    solutions = solve_all(round_, progress=progress, refused=refused)
    for mechanism, code in refused.items():
        print(text(f"mech_cmp_refused_{code}", lang, mechanism=text(f"mech_name_{mechanism}", lang)),
              file=sys.stderr)
    report = compare_mechanisms(round_, solutions, refused)
    regions = region_table(round_, solutions)
    offered = offered_table(round_, solutions.get("menu"), lang)

    def fill(folder: Path) -> None:
        (folder / "summary.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n",
                                                encoding="utf-8")
        regions.to_csv(folder / "per_region.csv", index=False, lineterminator="\n")
        from ..xlsx import write_xlsx

        write_xlsx(folder / "offered_menu.xlsx", {text("mech_offered_sheet", lang)[:31]: offered})

    out = replace_dir(args.out, fill)
    print(format_comparison(report, lang))
    print(text("mech_cmp_written", lang, files=", ".join(str(out / name) for name in OUTPUT_FILES)))
    return EXIT_OK


def offered_table(round_, menu_solution, lang: str) -> pd.DataFrame:
    """:func:`.compare.offered_posts` with its headers in ``lang``."""
    table = offered_posts(round_, menu_solution)
    return table.rename(columns={c: text(code, lang) for c, code in OFFERED_HEADERS.items()})


def _share(value, lang: str) -> str:
    return "" if value is None else number(100 * value, lang, 1) + " %"


def comparison_rows(report: dict, lang: str) -> list[list[str]]:
    """The comparison table (header first) of a report, every cell text in ``lang``."""
    header = [text(f"mech_col_{c}", lang) for c in ("mechanism", "obligated", "deficit", "km", "first", "top3",
                                                   "blocking")]
    rows = [header]
    for mechanism in MECHANISMS:
        f = report["mechanisms"].get(mechanism)
        if f is None:
            continue
        rows.append([text(f"mech_name_{mechanism}", lang),
                     f"{number(f['obligated_placed'], lang)} / {number(f['obligated_total'], lang)}",
                     number(f["weighted_deficit"], lang, 1), number(f["total_km"], lang, 1),
                     _share(f["first_choice_share"], lang), _share(f["top3_share"], lang),
                     "" if f["blocking_pairs"] is None else number(f["blocking_pairs"], lang)])
    return rows


def format_comparison(report: dict, lang: str) -> str:
    """The lines the command prints: the table, what choice costs, what the menu wins back, and the
    regions graduates came to because of the menu."""
    rows = comparison_rows(report, lang)
    widths = [max(len(r[j]) for r in rows) for j in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) if j == 0 else cell.rjust(w) for j, (cell, w) in enumerate(zip(r, widths)))
             for r in rows]
    if report["choice_cost"] is not None:
        lines.append(text("mech_cmp_choice_cost", lang, value=number(report["choice_cost"], lang, 1)))
    if report["menu_gain"] is not None:
        lines.append(text("mech_cmp_menu_gain", lang, value=number(report["menu_gain"], lang, 1)))
    for row in report["regions"]:
        if row.get("came_because_of_menu"):
            lines.append(text("mech_cmp_came", lang, region=row["name"], came=number(row["came_because_of_menu"],
                                                                                     lang)))
    return "\n".join(lines)

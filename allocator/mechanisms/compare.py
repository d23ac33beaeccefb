"""One round under the three mechanisms, ``assign``, ``choice`` and ``menu``, compared (issue 13).

:func:`solve_all` solves the round once per mechanism (``allocator.solve`` on the round with the
scenario's ``mechanism`` replaced; each solution is checked there). :func:`compare_mechanisms`
turns the three solutions into the report a planner reads, a plain JSON-able dict:

``mechanisms``: per mechanism (in the order assign, choice, menu, those given)
    ``status``, ``obligated_placed`` of ``obligated_total``, ``placed_total``,
    ``weighted_deficit`` (level 2 of the outcome) and ``weighted_deficit_before``, ``total_km``,
    ``listed`` (available graduates with a list), ``first_choice`` / ``top3`` and their shares of
    ``listed`` (:func:`allocator.mechanisms.ranks.rank_distribution`; None without preferences),
    ``blocking_pairs`` (justified-envy pairs, :mod:`allocator.mechanisms.audit`; None without
    preferences).
``choice_cost``
    deficit(choice) - deficit(assign): the weighted deficit that respecting graduates' choices
    costs against the planner's placement (>= 0 when both are proven on the same level 1; it can
    be below 0 when choice places more obligated graduates, since a chooser is not held to
    ``max_km``).
``menu_gain``
    deficit(choice) - deficit(menu): the weighted deficit the designed list of posts wins back
    (>= 0 when the menu is proven: offering every vacancy is one of the menus it tries).
``regions``: one row per region (``regions.csv`` order)
    ``placed_assign``, ``placed_choice``, ``placed_menu``: graduates placed in the region under
    each mechanism; ``came_because_of_menu``: the number of graduates placed in the region under
    ``menu`` who were not placed in that region under ``choice`` (placed elsewhere or not at
    all), by graduate_id; ``left_because_of_menu``: the reverse (placed in the region under
    ``choice``, not under ``menu``). So ``came - left = placed_menu - placed_choice``.
    ``deficit_<mechanism>``: the region's weighted deficit after each mechanism.

``refused``
    mechanism -> why it could not run on the round (the ``code`` of
    :class:`allocator.mechanisms.menu.MenuError`: ``couples``, ``tiered_programme``); the other
    mechanisms are still compared.

A figure that needs a mechanism not given is None. Only counts and ids leave this module, never
names of graduates.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from ..problem import Round
from ..solution import Solution, deficit_penalty

__all__ = ["MECHANISMS", "compare_mechanisms", "offered_posts", "region_table", "solve_all"]

MECHANISMS = ("assign", "choice", "menu")


def solve_all(round_: Round, progress=None, time_limit: float | None = None,
              refused: dict | None = None) -> dict[str, Solution]:
    """The round solved by each of :data:`MECHANISMS` (checked solutions, by mechanism).

    ``progress``: optional callable ``progress(mechanism, event)``, called with ``event`` None when
    a mechanism starts and then with its :class:`allocator.status.Progress` events.
    ``time_limit``: seconds for each mechanism (None: the scenario's). A mechanism that cannot
    model the round (:class:`allocator.mechanisms.menu.MenuError`) is left out, and its code put
    in ``refused`` when given."""
    from ..solve import solve  # the dispatcher: solve imports the mechanisms lazily
    from .menu import MenuError

    solutions = {}
    for mechanism in MECHANISMS:
        scenario = dataclasses.replace(round_.scenario, mechanism=mechanism)
        if time_limit is not None:
            scenario = dataclasses.replace(scenario, time_limit=time_limit)
        say = None
        if progress is not None:
            progress(mechanism, None)

            def say(event, _m=mechanism):
                progress(_m, event)

        try:
            solutions[mechanism] = solve(round_.with_scenario(scenario), progress=say)
        except MenuError as exc:
            if refused is not None:
                refused[mechanism] = exc.code
    return solutions


def _figures(solution: Solution) -> dict:
    ranks = solution.choice_ranks or {}
    return {
        "status": str(solution.status),
        "obligated_placed": solution.obligated_placed,
        "obligated_total": solution.obligated_total,
        "placed_total": solution.placed_total,
        "weighted_deficit": solution.weighted_deficit,
        "weighted_deficit_before": solution.weighted_deficit_before,
        "total_km": solution.total_km,
        "listed": ranks.get("listed"),
        "first_choice": ranks.get("first_choice"),
        "first_choice_share": ranks.get("first_choice_share"),
        "top3": ranks.get("top3"),
        "top3_share": ranks.get("top3_share"),
        "blocking_pairs": solution.blocking_pairs,
    }


def _difference(solutions: dict[str, Solution], a: str, b: str) -> float | None:
    if a not in solutions or b not in solutions:
        return None
    return round(solutions[a].weighted_deficit - solutions[b].weighted_deficit, 6)


def region_table(round_: Round, solutions: dict[str, Solution]) -> pd.DataFrame:
    """The ``regions`` part of the report as a table (the module docstring defines the columns)."""
    regions = round_.regions[["region_id", "name"]].reset_index(drop=True)
    out = regions.copy()
    dr = round_.scenario.diminishing_returns
    placed_in = {}
    for mechanism in MECHANISMS:
        if mechanism not in solutions:
            continue
        s = solutions[mechanism]
        a = s.assignments
        placed_in[mechanism] = set(zip(a["graduate_id"].astype(str), a["region_id"].astype(str)))
        out[f"placed_{mechanism}"] = out["region_id"].map(a.groupby("region_id").size()).fillna(0).astype(int)
        d = s.deficits
        penalty = pd.Series(deficit_penalty(d["remaining"], d["vacancies"], d["weight"], dr), index=d.index)
        by_region = penalty.groupby(d["region_id"]).sum()
        out[f"deficit_{mechanism}"] = out["region_id"].map(by_region).fillna(0.0).astype(float).round(6)
    if "menu" in placed_in and "choice" in placed_in:
        came = pd.Series([r for _, r in placed_in["menu"] - placed_in["choice"]], dtype=object).value_counts()
        left = pd.Series([r for _, r in placed_in["choice"] - placed_in["menu"]], dtype=object).value_counts()
        ids = out["region_id"].astype(str)
        out["came_because_of_menu"] = ids.map(came).fillna(0).astype(int)
        out["left_because_of_menu"] = ids.map(left).fillna(0).astype(int)
    return out


def compare_mechanisms(round_: Round, solutions: dict[str, Solution], refused: dict | None = None) -> dict:
    """The comparison report of ``solutions`` (mechanism -> Solution of ``round_``; ``refused``:
    those :func:`solve_all` left out, with why), as the module docstring defines it."""
    regions = region_table(round_, solutions)
    rows = [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in regions.to_dict(orient="records")]
    return {
        "mechanisms": {m: _figures(solutions[m]) for m in MECHANISMS if m in solutions},
        "choice_cost": _difference(solutions, "choice", "assign"),
        "menu_gain": _difference(solutions, "choice", "menu"),
        "has_preferences": bool(round_.preferences is not None and len(round_.preferences)),
        "refused": dict(refused or {}),
        "regions": rows,
    }


def offered_posts(round_: Round, solution: Solution | None) -> pd.DataFrame:
    """The posts the menu offers, as a list to publish: facility_id, facility, region, specialty,
    offered (> 0) and vacancies, by region name, facility name and specialty. Posts offered 0
    places are left out (the solution's ``offered`` has them all); no solution (the menu refused
    the round): no post."""
    offered = None if solution is None else solution.offered
    columns = ["facility_id", "facility", "region", "specialty", "offered", "vacancies"]
    if offered is None or offered.empty:
        return pd.DataFrame(columns=columns)
    fac = round_.facilities[["facility_id", "name", "region_id"]].rename(columns={"name": "facility"})
    reg = round_.regions[["region_id", "name"]].rename(columns={"name": "region"})
    vac = round_.vacancies.groupby(["facility_id", "specialty"], as_index=False)["vacancies"].sum()
    out = (offered.merge(vac, on=["facility_id", "specialty"], how="left")
           .merge(fac, on="facility_id", how="left").merge(reg, on="region_id", how="left"))
    out = out[out["offered"].astype(int) > 0]
    out["offered"] = out["offered"].astype(int)
    out["vacancies"] = out["vacancies"].fillna(0).astype(int)
    return out.sort_values(["region", "facility", "specialty"], kind="mergesort")[columns].reset_index(drop=True)

"""The flow engine against the PuLP/CBC model on generated rounds whose programme quotas bind."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.oracle import World, chosen_from
from support.rounds import generated_frames

from allocator import round_from_frames, solve

MEDIUM = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _objective(frames, solver, **options):
    solution = solve(round_from_frames(**frames, solver=solver, max_km=100.0, **options))
    assert solution.summary["status"] == "optimal", solver
    return solution


@MEDIUM
@given(st.integers(40, 160), st.integers(8, 30), st.integers(2, 5), st.integers(0, 10_000),
       st.booleans())
def test_flow_engine_equals_cbc_model(graduates, facilities, regions, seed, diminishing):
    frames = generated_frames(graduates, facilities, regions, seed)
    flow = _objective(frames, "flow", diminishing_returns=diminishing)
    cbc = _objective(frames, "cbc", diminishing_returns=diminishing)
    assert flow.summary["objective"] == cbc.summary["objective"]
    world = World(frames["regions"], frames["facilities"], frames["vacancies"], frames["graduates"],
                  frames["programmes"], max_km=100.0)
    assert world.violations(chosen_from(flow.assignments)) == []


def test_binding_quota_goes_through_the_lp_and_stays_within_it():
    frames = generated_frames(400, 60, 6, 3)
    frames["programmes"].loc[:, "quota"] = 2  # every programme binds
    frames["programmes"].loc[:, "budget"] = np.nan
    flow = _objective(frames, "flow")
    cbc = _objective(frames, "cbc")
    assert flow.summary["objective"] == cbc.summary["objective"]
    for prog in flow.summary["programmes"]:
        assert prog["placed"] <= 2
    assert any(p["placed"] == 2 for p in flow.summary["programmes"])


def test_identical_graduates_share_one_group_and_all_get_posts():
    frames = generated_frames(60, 10, 2, 5)
    g = frames["graduates"].assign(lat=np.nan, lon=np.nan, max_km=np.nan, sponsor_region_id=None,
                                   funding="grant", specialty="nurse",
                                   home_region_id=frames["regions"]["region_id"].iloc[0])
    frames["graduates"] = g
    solution = _objective(frames, "flow")
    cbc = _objective(frames, "cbc")
    assert solution.summary["objective"] == cbc.summary["objective"]
    assert solution.assignments["graduate_id"].is_unique
    # the group's posts went to its members in graduate_id order: the first ones are placed
    placed = set(solution.assignments["graduate_id"])
    ids = sorted(g["graduate_id"])
    assert ids[: len(placed)] == sorted(placed)


def test_generate_writes_the_same_valid_round_twice_with_binding_programmes(tmp_path):
    from allocator.cli import main

    args = ["--graduates", "300", "--facilities", "60", "--regions", "5", "--seed", "3"]
    assert main(["generate", *args, str(tmp_path / "a")]) == 0
    assert main(["generate", *args, str(tmp_path / "b")]) == 0
    for name in ("regions", "facilities", "vacancies", "graduates", "programmes"):
        assert (tmp_path / "a" / f"{name}.csv").read_bytes() == (tmp_path / "b" / f"{name}.csv").read_bytes()
    assert main(["validate", str(tmp_path / "a")]) == 0
    assert main(["solve", str(tmp_path / "a"), "--out", str(tmp_path / "out"), "--no-store", "-q"]) == 0
    import json

    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["solver"] == "flow" and summary["status"] == "optimal"
    binding = [p for p in summary["programmes"]
               if p["quota"] is not None and p["placed"] == p["quota"]
               or p["budget"] is not None and p["spend"] + 500_000 > p["budget"]]
    assert binding, summary["programmes"]


def test_flow_engine_out_of_time_reports_it():
    frames = generated_frames(200, 30, 3, 1)
    solution = solve(round_from_frames(**frames, solver="flow", max_km=100.0, time_limit=1e-9))
    assert solution.summary["status"] == "time_limit"
    assert solution.assignments.empty


def test_a_level_out_of_time_keeps_the_previous_levels_solution():
    # level 2 of this round needs the LP (its programme quotas bind); with the deadline
    # already past when it starts, the round keeps level 1's proven solution
    import time

    from allocator import flow
    from allocator.pairs import allowed_pairs, deficit_cells

    frames = generated_frames(400, 60, 6, 3)
    frames["programmes"].loc[:, "quota"] = 2
    round_ = round_from_frames(**frames, max_km=100.0)
    pairs = allowed_pairs(round_)
    cells = deficit_cells(round_)
    calls = []
    original = flow.solve_level

    def late(net, cost, incumbent, deadline, without_first=False):
        calls.append(without_first)
        if not without_first:  # from level 2 on, the time is up
            deadline = time.perf_counter() - 1
        return original(net, cost, incumbent, deadline, without_first)

    flow.solve_level = late
    try:
        run = flow.solve_round(pairs, round_.vacancies, cells, round_.programmes, False,
                               deadline=time.perf_counter() + 3600)
    finally:
        flow.solve_level = original
    assert run.status == "feasible" and run.gap is None
    assert list(run.values) == ["obligated"] and run.methods["deficit"] == "lp"
    full = solve(round_.with_scenario(round_.scenario.replace(solver="flow")))
    assert full.summary["objective"]["1_obligated_placed"] == int(run.chosen["group"].map(
        pairs.groups["obligated"]).sum())


# ----------------------------------------------------------------------------- the min-cost-flow memo


def _network(seed: int = 4):
    from allocator.flow import _round_network
    from allocator.pairs import allowed_pairs, deficit_cells

    round_ = round_from_frames(**generated_frames(300, 40, 4, seed), max_km=100.0)
    return _round_network(allowed_pairs(round_), round_.vacancies, deficit_cells(round_), round_.programmes,
                          False)


def test_a_min_cost_flow_asked_again_is_served_from_the_memo_and_never_aliased():
    from allocator import flow as engine

    net = _network()
    cost = net.costs["deficit"]
    engine._MCF_MEMO.clear()
    flow, pi = engine._mcf(net, cost)
    assert len(engine._MCF_MEMO) == 1
    flow[:] = -7  # the caller's arrays are its own
    again, pi_again = engine._mcf(net, cost)
    assert len(engine._MCF_MEMO) == 1
    engine._MCF_MEMO.clear()
    fresh, pi_fresh = engine._mcf(net, cost)
    assert np.array_equal(again, fresh) and np.array_equal(pi_again, pi_fresh) and (again >= 0).all()


def test_the_memo_tells_apart_every_input_of_a_flow():
    from allocator import flow as engine

    net = _network()
    cost = net.costs["km"]
    engine._MCF_MEMO.clear()
    engine._mcf(net, cost)
    keep = np.ones(net.n_arcs, bool)
    keep[0] = False
    engine._mcf(net, cost, keep)                 # an arc left out
    bumped = cost.copy()
    bumped[1] += 1
    engine._mcf(net, bumped)                     # a cost
    net.upper = net.upper.copy()
    net.upper[2] = max(0, net.upper[2] - 1)
    engine._mcf(net, cost)                       # a bound
    assert len(engine._MCF_MEMO) == 4
    engine._MCF_MEMO.clear()
    wide = _network()
    engine._mcf(wide, cost)
    assert np.array_equal(engine._mcf(wide, cost)[0], engine._solve_mcf(wide, cost, wide.lower, wide.upper,
                                                                        False)[0])


def test_scenarios_sharing_flows_get_the_solutions_they_get_alone():
    from allocator import flow as engine

    frames = generated_frames(400, 60, 6, 3)
    frames["programmes"].loc[:, "budget"] = np.nan

    def solved(quota: int):
        frames["programmes"].loc[:, "quota"] = quota
        return solve(round_from_frames(**frames, max_km=100.0))

    engine._MCF_MEMO.clear()
    kept = engine.MCF_COUNTS["kept"]
    shared = [solved(q) for q in (1, 2, 4, 1)]  # quota changes: the first level's flows repeat
    assert engine.MCF_COUNTS["kept"] >= kept + 3
    for quota, solution in zip((1, 2, 4, 1), shared):
        engine._MCF_MEMO.clear()
        alone = solved(quota)
        assert solution.summary["objective"] == alone.summary["objective"]
        assert solution.assignments.equals(alone.assignments)
    assert shared[0].summary["objective"] != shared[2].summary["objective"]  # the quota did bind

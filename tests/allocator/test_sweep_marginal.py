"""The marginal value of a programme budget (allocator.sweep.marginal) on the bundled Penza round,
checked against solves made another way: the headcount as a quota instead of a budget, and budgets
just below and above a breakpoint."""

from decimal import Decimal

import pytest
from support.paths import PENZA

from allocator.solve import solve
from allocator.sweep.apply import apply_spec
from allocator.sweep.marginal import marginal_curve
from allocator.validate import load_round

DOCTOR = "zemsky_doctor_2020"


@pytest.fixture(scope="module")
def penza():
    return load_round(PENZA)


@pytest.fixture(scope="module")
def curve(penza):
    return marginal_curve(penza, DOCTOR)


def test_every_step_equals_a_solve_with_the_headcount_as_quota(penza, curve):
    steps = curve.table()
    assert list(steps["funded"]) == list(range(len(steps)))
    for h in (0, 1, 3, 7, 8, int(steps["funded"].max())):
        direct = solve(apply_spec(penza, {f"programme.{DOCTOR}.budget": float("nan"),
                                          f"programme.{DOCTOR}.quota": h}))
        row = steps.loc[steps["funded"] == h].iloc[0]
        assert row["weighted_deficit"] == pytest.approx(direct.weighted_deficit, abs=1e-9)
        assert row["obligated_placed"] == direct.obligated_placed


def test_the_budget_acts_only_at_its_breakpoints(penza, curve):
    """Just below (h + 1) x payment the budget still funds h: the same deficit as at h x payment."""
    steps = curve.table().set_index("funded")
    for h in (2, 6):
        just_below = Decimal(steps.loc[h, "budget_to"]) - Decimal("0.01")
        sol = solve(apply_spec(penza, {f"programme.{DOCTOR}.budget": float(just_below)}))
        assert sol.weighted_deficit == pytest.approx(steps.loc[h, "weighted_deficit"], abs=1e-9)
        spend = next(p.spend for p in sol.programmes if p.programme_id == DOCTOR)
        assert spend <= float(just_below)


def test_steps_add_up_and_say_where(curve):
    steps = curve.table()
    assert (steps["weighted_deficit"].diff().dropna() <= 1e-9).all()  # more money never raises it here
    removed = steps["deficit_removed"].dropna().sum()
    assert removed == pytest.approx(steps["weighted_deficit"].iloc[0] - steps["weighted_deficit"].iloc[-1])
    assert steps["budget_to"].iloc[-1] == "" and steps["budget_from"].iloc[1] == "1000000"
    # the Penza figures (issue 15's round): 26 funded doctors remove 27.0 (216.4 -> 189.4), the 27th and
    # later nothing
    assert steps.loc[26, "weighted_deficit"] == pytest.approx(189.4) and steps.loc[0, "weighted_deficit"] == 216.4
    assert (steps.loc[27:, "deficit_removed"] == 0).all()
    # the next million from 5 M: Kolyshleysky gains a doctor (weight 2), others move
    nxt = curve.at(5_000_000)
    assert nxt["funded_from"] == 5 and nxt["funded_to"] == 6
    assert nxt["deficit_removed"] == pytest.approx(1.0)
    assert sum(nxt["regions"].values()) == pytest.approx(-nxt["deficit_removed"])
    assert curve.at(50_000_000)["deficit_removed"] == 0  # past the last step money buys nothing


def test_bad_programmes_are_refused(penza):
    with pytest.raises(KeyError):
        marginal_curve(penza, "no_such_programme")


def test_the_command_line_writes_the_steps_and_says_what_the_next_million_buys(tmp_path, capsys):
    from allocator.cli import main

    out = tmp_path / "marginal"
    assert main(["marginal", str(PENZA), "--programme", DOCTOR, "--out", str(out), "--at", "5000000",
                 "--lang", "ru"]) == 0
    printed = capsys.readouterr().out
    assert "взвешенный дефицит снижается с 216,4 до 189,4 при 26 оплачиваемых местах" in printed
    assert "Следующие 1\u00a0000\u00a0000 сверх бюджета 5\u00a0000\u00a0000 оплачивают места 5 → 6" in printed
    table = (out / f"marginal_{DOCTOR}.csv").read_text().splitlines()
    assert table[0].startswith("funded,budget_from,budget_to,placed,obligated_placed,weighted_deficit")
    assert len(table) == 1 + 34  # 0 .. 33 funded doctors
    assert main(["marginal", str(PENZA), "--programme", "no_such", "--out", str(out)]) == 2
    assert "zemsky_doctor_2020, zemsky_feldsher_2020" in capsys.readouterr().err
    assert main(["marginal", str(PENZA), "--programme", DOCTOR, "--out", str(out), "--at", "lots"]) == 2
    assert "--at: lots" in capsys.readouterr().err


def test_the_lp_duals_bracket_the_exact_steps_and_say_which_they_are(penza, curve):
    flow = marginal_curve(penza, DOCTOR, {"solver": "flow"})
    exact, by_flow = curve.table(), flow.table()
    # every engine proves the same curve
    assert list(by_flow["weighted_deficit"]) == list(exact["weighted_deficit"])
    assert exact["lp_dual"].isna().all()  # CBC solves a MIP: no duals, and none are made up
    removed = list(by_flow["deficit_removed"].fillna(float("inf"))) + [0.0]
    duals = list(by_flow["lp_dual"])
    # a dual at h is a slope of the LP's optimal value there: between the step into h and the step out
    for h, dual in enumerate(duals):
        assert removed[h + 1] - 1e-9 <= dual <= removed[h] + 1e-9, h
    assert duals[0] == pytest.approx(2.0) and duals[3] == pytest.approx(1.0)
    assert duals[26] == pytest.approx(1.0) and removed[27] == 0  # at the last breakpoint: the left slope
    assert flow.at(26_000_000)["lp_dual"] == pytest.approx(1.0) and curve.at(26_000_000)["lp_dual"] is None


def test_the_command_line_says_what_the_lp_duals_say_and_that_cbc_has_none(tmp_path, capsys):
    from allocator.cli import main

    out = tmp_path / "marginal"
    assert main(["marginal", str(PENZA), "--programme", DOCTOR, "--out", str(out), "--at", "26000000"]) == 0
    printed = capsys.readouterr().out
    assert ("By the LP duals of the deficit level at a budget of 26,000,000, one more place removes 1 of "
            "weighted deficit; solved exactly, it removes 0.") in printed
    assert main(["marginal", str(PENZA), "--programme", DOCTOR, "--out", str(out), "--at", "26000000",
                 "--solver", "cbc"]) == 0
    assert "the cbc engine solves the deficit level as an integer programme and gives none" in capsys.readouterr().out

"""The check every solution passes before it is returned (allocator.check) finds each broken rule."""

from __future__ import annotations

import pandas as pd
import pytest
from support.paths import PENZA

from allocator import load_round, solve
from allocator.check import SolutionError, broken_rules


@pytest.fixture(scope="module")
def penza():
    round_ = load_round(PENZA)
    return round_, solve(round_).assignments


def test_a_returned_solution_breaks_no_rule(penza):
    round_, assignments = penza
    assert broken_rules(round_, assignments) == []


def _funded(assignments):
    return assignments.index[assignments["programme_id"].notna()]


@pytest.mark.parametrize("breakage, expected", [
    ("twice", "placed twice"),
    ("specialty", "not the graduate's specialty"),
    ("overfill", "vacancies"),
    ("sponsor", "outside the sponsor region"),
    ("far", "farther than the graduate's max_km"),
    ("no_place", "without a programme place"),
    ("payment", "a payment other than the programme's"),
    ("quota", "over its quota"),
    ("budget", "over its budget"),
])
def test_each_broken_rule_is_found(penza, breakage, expected):
    round_, assignments = penza
    a = assignments.copy()
    grads = round_.graduates.set_index("graduate_id")
    if breakage == "twice":
        a = pd.concat([a, a.iloc[[0]]], ignore_index=True)
    elif breakage == "specialty":
        a.loc[0, "specialty"] = "surgeon"
    elif breakage == "overfill":  # one more at a full post: everyone at the first post's facility twice
        first = a.iloc[0]
        same = a[(a["facility_id"] == first["facility_id"]) & (a["specialty"] == first["specialty"])]
        vac = round_.vacancies.set_index(["facility_id", "specialty"])["vacancies"]
        extra = int(vac[(first["facility_id"], first["specialty"])]) - len(same) + 1
        a = pd.concat([a] + [same.iloc[[0]].assign(graduate_id=f"extra{i}") for i in range(extra)],
                      ignore_index=True)
        round_ = _with_graduates(round_, [f"extra{i}" for i in range(extra)], same.iloc[0]["graduate_id"])
    elif breakage == "sponsor":
        targeted = a.index[grads.reindex(a["graduate_id"])["funding"].to_numpy() == "targeted"][0]
        sponsor = grads.loc[a.loc[targeted, "graduate_id"], "sponsor_region_id"]
        other = a.index[a["region_id"] != sponsor][0]
        a.loc[targeted, ["facility_id", "region_id"]] = a.loc[other, ["facility_id", "region_id"]].to_numpy()
    elif breakage == "far":
        limited = a.index[grads.reindex(a["graduate_id"])["max_km"].notna().to_numpy()][0]
        a.loc[limited, "km"] = grads.loc[a.loc[limited, "graduate_id"], "max_km"] + 1
    elif breakage == "no_place":
        a.loc[_funded(a)[0], ["programme_id", "payment"]] = [None, 0.0]
    elif breakage == "payment":
        a.loc[_funded(a)[0], "payment"] += 0.01
    elif breakage in ("quota", "budget"):
        pid = a.loc[_funded(a)[0], "programme_id"]
        n = int((a["programme_id"] == pid).sum())
        progs = round_.programmes.copy()
        row = progs["programme_id"] == pid
        if breakage == "quota":
            progs.loc[row, "quota"] = n - 1
        else:  # one kopeck short of what is spent
            progs.loc[row, "budget"] = float(progs.loc[row, "payment"].iloc[0]) * n - 0.01
        round_ = _replace(round_, programmes=progs)
    broken = broken_rules(round_, a)
    assert any(expected in line for line in broken), broken


def _replace(round_, **tables):
    import dataclasses

    return dataclasses.replace(round_, **tables)


def _with_graduates(round_, ids, like):
    grads = round_.graduates
    extra = pd.concat([grads[grads["graduate_id"] == like]] * len(ids), ignore_index=True)
    extra["graduate_id"] = ids
    return _replace(round_, graduates=pd.concat([grads, extra], ignore_index=True))


def test_the_error_names_the_engine_and_the_rules_not_the_graduates():
    err = SolutionError("flow", ["assignment rows 3: farther than the graduate's max_km"] * 7)
    assert str(err).startswith("the flow engine returned a solution that breaks 7 rule(s)")
    assert "and 2 more" in str(err)

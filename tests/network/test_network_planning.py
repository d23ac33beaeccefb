import pandas as pd
import pytest

from network import DEFAULT_STAFFING, NetworkInputError, plan_network, staff_needed
from network.examples import facilities, hand_drawn_graph


def candidates():
    return pd.DataFrame({
        "site_id": ["new_c", "new_e", "new_b"],
        "facility_type": ["FAP", "VA", "FP"],
        "settlement_id": ["C", "E", "B"],
        "action": ["new", "convert", "new"],
    })


def test_covering_plan_lists_sites_newly_covered_population_and_staff():
    res = plan_network(hand_drawn_graph(), candidates(), k=1, existing=facilities(staffed_e=False), max_km=10)
    assert res.summary["status"] == "optimal"
    assert res.summary["covered_before"] == 2100      # A, B, D around the staffed FAP at A
    # within 10 km: new_e covers E only (2,500); new_b or new_c would add C (150)
    assert res.summary["covered_after"] == 4600 and res.summary["newly_covered"] == 2500
    row = res.sites.iloc[0]
    assert row["site_id"] == "new_e" and row["node"] == "E" and row["region_id"] == "r2"
    assert row["newly_covered_population"] == 2500
    assert row["staff_positions"] == 3.0 and row["staff_roles"] == "doctor_gp:1; nurse:2"
    assert row["action"] == "convert"


def test_k_two_adds_the_next_best_site():
    res = plan_network(hand_drawn_graph(), candidates(), k=2, existing=facilities(staffed_e=False), max_km=10)
    assert res.summary["covered_after"] == 4750  # only F (no roads) stays out
    assert res.sites["site_id"].iloc[0] == "new_e" and res.sites["site_id"].iloc[1] in {"new_b", "new_c"}
    assert res.sites["newly_covered_population"].tolist() == [2500, 150]


def test_no_existing_facilities_and_a_time_standard():
    res = plan_network(hand_drawn_graph(), candidates(), k=1, max_minutes=10)
    # within 10 min: from B -> A, B, C (1,450); from C -> B, C (450); from E -> E (2,500)
    assert res.sites["site_id"].tolist() == ["new_e"]
    assert res.summary["weight"] == "minutes" and res.summary["covered_after"] == 2500


def test_p_median_plan():
    res = plan_network(hand_drawn_graph().subgraph("ABCDE").copy(), candidates(), k=2, objective="median",
                       existing=facilities(staffed_e=False))
    assert res.summary["status"] == "optimal"
    assert set(res.sites["site_id"]) <= {"new_c", "new_e", "new_b"}
    assert res.sites["assigned_population"].sum() > 0
    assert {"assigned_population", "mean_cost", "staff_positions"} <= set(res.sites.columns)


def test_covering_needs_a_standard_and_ids_must_not_clash():
    with pytest.raises(NetworkInputError, match="service standard"):
        plan_network(hand_drawn_graph(), candidates(), k=1)
    clash = candidates().assign(site_id=["fap_a", "x", "y"])
    with pytest.raises(NetworkInputError, match="existing facilities"):
        plan_network(hand_drawn_graph(), clash, k=1, existing=facilities(), max_km=5)


def test_staffing_rule():
    out = staff_needed(pd.Series(["FAP", "fp", "VA"]))
    assert out["staff_positions"].tolist() == [2.0, 1.0, 3.0]
    assert "seed 004" in out["staff_basis"].iloc[0]
    assert set(DEFAULT_STAFFING["facility_type"]) == {"FAP", "FP", "VA"}

import numpy as np
import pandas as pd
import pytest

from network import DEFAULT_RULES, NetworkInputError, accessibility, compare_accessibility, rule_gaps, settlement_access
from network.examples import facilities, hand_drawn_graph


def test_only_staffed_facilities_serve():
    per = settlement_access(hand_drawn_graph(), facilities(staffed_e=False), max_km=10).set_index("settlement_id")
    assert per["covered"].to_dict() == {"A": True, "B": True, "C": False, "D": True, "E": False, "F": False}
    assert per.loc["D", "km"] == 5 and per.loc["D", "nearest_facility_id"] == "fap_a"
    assert np.isnan(per.loc["C", "km"])


def test_per_region_population_within_reach():
    out = accessibility(hand_drawn_graph(), facilities(staffed_e=False), max_km=10).set_index("region_id")
    assert out.loc["r1", ["population", "covered_population", "uncovered_population"]].tolist() == [2100, 2100, 0]
    assert out.loc["r2", "covered_population"] == 0 and out.loc["r3", "covered_share"] == 0
    assert out.loc["r1", "covered_share"] == 1.0


def test_time_limit_and_facility_type_filter():
    g = hand_drawn_graph()
    fac = facilities(staffed_e=True)
    per = settlement_access(g, fac, max_minutes=20).set_index("settlement_id")
    # A reaches B (10 min), C (20 min), D (10 min); E's VA covers E and C (20 min).
    assert per["covered"].to_dict() == {"A": True, "B": True, "C": True, "D": True, "E": True, "F": False}
    assert per.loc["C", "minutes"] == 20
    only_va = settlement_access(g, fac, facility_types=["va"], max_km=10).set_index("settlement_id")
    assert only_va["covered"].tolist() == [False, False, False, False, True, False]


def test_staff_count_column_works_like_staffed():
    fac = facilities().drop(columns="staffed").assign(staff=[2, 0])
    out = accessibility(hand_drawn_graph(), fac, max_km=10)
    assert out["covered_population"].sum() == 2100


def test_missing_staffing_column_is_an_error():
    with pytest.raises(NetworkInputError, match="needs a 'staffed'"):
        accessibility(hand_drawn_graph(), facilities().drop(columns="staffed"), max_km=10)


def test_before_and_after_an_allocation():
    out = compare_accessibility(hand_drawn_graph(), facilities(staffed_e=False), facilities(staffed_e=True),
                                max_km=10).set_index("region_id")
    assert out.loc["r2", ["covered_before", "covered_after", "gain"]].tolist() == [0, 2500, 2500]
    assert out.loc["r1", "gain"] == 0
    assert out.loc["r2", "share_after"] == pytest.approx(2500 / 2650)


def test_rule_gaps_with_default_rules():
    g = hand_drawn_graph()
    gaps = rule_gaps(g, facilities(staffed_e=False))
    got = sorted(zip(gaps["settlement_id"], gaps["rule_id"], gaps["needs"]))
    # B (300) is 10 km from the FAP, C (150) 20 km; E (2,500) has only an unstaffed VA; F (50) is below 100.
    assert got == [("B", "fap_fp_100_2000", "FAP|FP"), ("C", "fap_fp_100_2000", "FAP|FP"), ("E", "va_over_2000", "VA")]
    staffed = rule_gaps(g, facilities(staffed_e=True))
    assert sorted(staffed["settlement_id"]) == ["B", "C"]
    every = rule_gaps(g, facilities(staffed_e=False), staffed_only=False)
    assert "E" not in set(every["settlement_id"])


def test_rules_are_configurable():
    rules = DEFAULT_RULES.copy()
    rules.loc[0, "within_km"] = 12.0
    rules.loc[0, "min_population"] = 10
    gaps = rule_gaps(hand_drawn_graph(), facilities(staffed_e=True), rules)
    assert sorted(gaps["settlement_id"]) == ["C", "F"]  # B now within 12 km; F (50) now in the band
    with pytest.raises(NetworkInputError, match="table 'rules'.*within_km"):
        rule_gaps(hand_drawn_graph(), facilities(), rules.drop(columns="within_km"))


def test_a_limit_is_required():
    with pytest.raises(NetworkInputError, match="limit"):
        accessibility(hand_drawn_graph(), facilities())


def test_no_serving_facility_covers_no_one():
    fac = facilities().assign(staffed=False)
    out = accessibility(hand_drawn_graph(), fac, max_km=100)
    assert out["covered_population"].sum() == 0 and out["population"].sum() == 4800


def test_engines_agree_on_a_generated_network():
    pytest.importorskip("scipy")
    from network import build_road_graph, generate_facilities, generate_village_network

    s, r = generate_village_network(400, 1200, seed=3)
    g = build_road_graph(s, r)
    fac = generate_facilities(s, 40, seed=3)
    a = settlement_access(g, fac, max_minutes=20)
    b = settlement_access(g, fac, max_minutes=20, engine="scipy")
    pd.testing.assert_frame_equal(a, b)
    assert rule_gaps(g, fac).equals(rule_gaps(g, fac, engine="scipy"))

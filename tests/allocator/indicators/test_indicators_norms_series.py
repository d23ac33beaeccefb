"""Norm-based need, WISN workload and year-by-year trends."""
import math

import numpy as np
import pandas as pd
import pytest

from allocator.indicators import (
    load_norms,
    load_series,
    need_gap,
    norm_need,
    series_trend,
    wisn_need,
    workload_from_rates,
)
from allocator.indicators.seed004 import SEED004_DIR


def test_norms_table_has_sources():
    norms = load_norms()
    assert norms.source.str.contains("543н").any() and norms.source.str.contains("92н").any()
    n = norms.set_index(["staff_group", "setting"]).persons_per_post
    assert n[("district_therapist", "urban")] == 1700
    assert n[("district_therapist", "rural")] == 1300
    assert n[("district_paediatrician", "any")] == 800
    assert n[("gp", "any")] == 1200
    assert norms.verification.notna().all()


def test_norm_need_by_hand():
    pop = pd.DataFrame({"region_id": ["town", "village"], "population": [10_000, 10_000],
                        "child_share": [0.2, 0.2], "rural_share": [0.0, 1.0]})
    need = norm_need(pop, load_norms()).set_index(["region_id", "staff_group"])
    # 8,000 adults: 8000/1700 in town, 8000/1300 in a village
    assert need.loc[("town", "district_therapist"), "posts_needed"] == pytest.approx(8000 / 1700)
    assert need.loc[("village", "district_therapist"), "posts_needed"] == pytest.approx(8000 / 1300)
    assert need.loc[("village", "district_therapist"), "posts_needed_ceil"] == 7
    assert need.loc[("town", "district_paediatrician"), "posts_needed"] == pytest.approx(2000 / 800)
    assert need.loc[("town", "family_doctor"), "basis_population"] == 10_000


def test_norm_need_child_population_and_unknown_rural_share():
    pop = pd.DataFrame({"region_id": ["a"], "population": [5000], "child_population": [1000]})
    need = norm_need(pop, load_norms()).set_index("staff_group")
    assert need.loc["district_therapist", "posts_needed"] == pytest.approx(4000 / 1700)
    assert "counted as urban" in need.loc["district_therapist", "note"]


def test_norm_need_requires_child_share():
    pop = pd.DataFrame({"region_id": ["a"], "population": [5000]})
    with pytest.raises(ValueError, match=r"region_id='a': child_share"):
        norm_need(pop, load_norms())
    need = norm_need(pop, load_norms(), default_child_share=0.0).set_index("staff_group")
    assert need.loc["district_paediatrician", "posts_needed"] == 0.0


def test_bad_norms_rejected():
    bad = pd.DataFrame({"staff_group": ["x"], "population_basis": ["adults"], "setting": ["any"],
                        "persons_per_post": [0]})
    with pytest.raises(ValueError, match="persons_per_post must be > 0"):
        norm_need(pd.DataFrame({"region_id": ["a"], "population": [1], "child_share": [0.1]}), bad)


def test_wisn_need_and_gap():
    pop = pd.DataFrame({"region_id": ["a", "b"], "population": [10_000, 2_000]})
    load = workload_from_rates(pop, pd.DataFrame({"staff_group": ["gp"], "rate_per_1000": [3000.0]}))
    assert load.annual_workload.tolist() == [30_000.0, 6_000.0]
    need = wisn_need(load, pd.DataFrame({"staff_group": ["gp"], "standard_workload": [6000.0],
                                         "allowance_factor": [1.2]}))
    assert need.staff_needed.tolist() == pytest.approx([6.0, 1.2])
    staffing = pd.DataFrame({"region_id": ["a"], "staff_group": ["gp"], "positions": [5.0], "persons": [4.0]})
    gap = need_gap(need, staffing, need_column="staff_needed").set_index("region_id")
    assert gap.loc["a", "gap_persons"] == pytest.approx(2.0)
    assert gap.loc["b", "gap_persons"] == pytest.approx(1.2)  # no staffing row: nobody there


def test_wisn_rejects_missing_or_zero_standard():
    load = pd.DataFrame({"region_id": ["a"], "staff_group": ["gp"], "annual_workload": [10.0]})
    with pytest.raises(ValueError, match="no standard_workload for staff_group 'gp'"):
        wisn_need(load, pd.DataFrame({"staff_group": ["nurse"], "standard_workload": [1.0]}))
    with pytest.raises(ValueError, match="'gp': standard_workload must be > 0"):
        wisn_need(load, pd.DataFrame({"staff_group": ["gp"], "standard_workload": [0.0]}))


def test_series_trend_by_hand():
    t = pd.DataFrame({"region_id": ["a"] * 4, "year": [2013, 2014, 2015, 2016], "indicator": ["x"] * 4,
                      "value": [1.0, 2.0, np.nan, 4.0]})
    r = series_trend(t).iloc[0]
    assert (r.first_year, r.last_year, r.n_years) == (2013, 2016, 3)
    assert r.change == 3.0 and r.change_pct == pytest.approx(300.0)
    # OLS through (2013,1), (2014,2), (2016,4): slope 1
    assert r.slope_per_year == pytest.approx(1.0)
    one = series_trend(t, start=2016).iloc[0]
    assert one.change == 0 and math.isnan(one.slope_per_year)


def test_penza_series_trend():
    s = load_series(SEED004_DIR / "series_2013_2019.csv")
    trend = series_trend(s).set_index(["region_id", "indicator"])
    r = trend.loc[("penza_city", "doctors_provision")]
    assert r.first_value == 41.8 and r.last_value == 52.04
    assert r.change == pytest.approx(10.24)
    years = np.arange(2013, 2020)
    vals = s[(s.region_id == "penza_city") & (s.indicator == "doctors_provision")].value
    assert r.slope_per_year == pytest.approx(np.polyfit(years, vals, 1)[0])
    assert len(trend) == 30 * 4

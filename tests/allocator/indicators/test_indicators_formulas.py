"""Formulas of the basic indicators and KOV/KOSMP/KOMK on small hand-made tables."""
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.rounds import six_group_staffing

from allocator.indicators import (
    aggregate_staffing,
    components_from_indicators,
    indicator_table_from_staffing,
    integral_coefficient,
    komk_table,
    staffing_indicators,
)

STAFF = pd.DataFrame({
    "region_id": ["a", "a", "b", "b"],
    "staff_group": ["doctors", "midlevel", "doctors", "midlevel"],
    "positions": [100.0, 200.0, 50.0, 80.0],
    "occupied": [90.0, 180.0, 40.0, 80.0],
    "persons": [75.0, 160.0, 40.0, 64.0],
})
POP = pd.DataFrame({"region_id": ["a", "b"], "population": [50_000, 20_000]})


def row(table, region, group):
    return table[(table.region_id == region) & (table.staff_group == group)].iloc[0]


def test_basic_indicators_by_hand():
    t = staffing_indicators(STAFF, POP)
    a = row(t, "a", "doctors")
    assert a.provision_per_10k == pytest.approx(75 / 50_000 * 10_000)  # 15.0
    assert a.staffing_persons_pct == pytest.approx(75.0)
    assert a.staffing_occupied_pct == pytest.approx(90.0)
    assert a.parttime == pytest.approx(1.2)
    assert a.vacant_positions == 10.0
    assert a.deficit_persons == 25.0
    # with up to 1.2 positions per person only 100/1.2 = 83.33 persons are needed
    t12 = staffing_indicators(STAFF, POP, target_parttime=1.2)
    assert row(t12, "a", "doctors").deficit_persons == pytest.approx(100 / 1.2 - 75)


def test_grouping_sums_first_then_divides():
    t = staffing_indicators(STAFF, POP, region_groups={"a": "ab", "b": "ab"},
                            staff_groups={"doctors": "all", "midlevel": "all"})
    assert len(t) == 1
    r = t.iloc[0]
    assert (r.positions, r.occupied, r.persons, r.population) == (430, 390, 339, 70_000)
    assert r.staffing_persons_pct == pytest.approx(339 / 430 * 100)
    assert r.provision_per_10k == pytest.approx(339 / 70_000 * 10_000)
    # not the mean of the regions' ratios
    per_region = staffing_indicators(STAFF, POP)
    assert r.staffing_persons_pct != pytest.approx(per_region.staffing_persons_pct.mean())


def test_population_counted_once_per_region_in_a_group():
    agg = aggregate_staffing(STAFF, POP, region_groups={"a": "x", "b": "x"})
    assert set(agg.population) == {70_000}


def test_zero_population_gives_nan_not_inf():
    pop = POP.assign(population=[50_000, 0])
    t = staffing_indicators(STAFF, pop)
    b = row(t, "b", "doctors")
    assert math.isnan(b.provision_per_10k)
    assert np.isfinite(t.drop(columns=["provision_per_10k"]).select_dtypes("number")).all().all()


def test_zero_population_raises_in_strict_mode():
    pop = POP.assign(population=[50_000, 0])
    with pytest.raises(ValueError, match=r"region_id='b'.*population"):
        staffing_indicators(STAFF, pop, on_zero="raise")


def test_zero_positions_and_persons_give_nan():
    staff = STAFF.copy()
    staff.loc[2, ["positions", "occupied", "persons"]] = 0.0
    t = staffing_indicators(staff, POP)
    b = row(t, "b", "doctors")
    assert math.isnan(b.staffing_persons_pct) and math.isnan(b.staffing_occupied_pct)
    assert math.isnan(b.parttime)
    assert b.provision_per_10k == 0.0 and b.vacant_positions == 0.0 and b.deficit_persons == 0.0
    with pytest.raises(ValueError, match=r"region_id='b', staff_group='doctors'.*positions"):
        staffing_indicators(staff, POP, on_zero="raise")


@pytest.mark.parametrize("column", ["positions", "occupied", "persons"])
def test_missing_value_names_region_and_column(column):
    staff = STAFF.copy()
    staff.loc[3, column] = np.nan
    with pytest.raises(ValueError, match=rf"region_id='b', staff_group='midlevel'.*'{column}' is missing"):
        staffing_indicators(staff, POP)


def test_negative_or_text_value_rejected():
    staff = STAFF.astype({"persons": object})
    staff.loc[0, "persons"] = "seventy"
    with pytest.raises(ValueError, match=r"region_id='a'.*'persons' is invalid"):
        staffing_indicators(staff, POP)
    staff = STAFF.copy()
    staff.loc[1, "positions"] = -1
    with pytest.raises(ValueError, match=r"region_id='a', staff_group='midlevel'.*'positions'"):
        staffing_indicators(staff, POP)


def test_missing_population_row_and_value():
    with pytest.raises(ValueError, match=r"region_id='b' has staffing rows but no population"):
        staffing_indicators(STAFF, POP.iloc[:1])
    with pytest.raises(ValueError, match=r"population: region_id='b': column 'population' is missing"):
        staffing_indicators(STAFF, POP.assign(population=[50_000, None]))


def test_duplicate_rows_rejected():
    with pytest.raises(ValueError, match="appears twice"):
        staffing_indicators(pd.concat([STAFF, STAFF.iloc[:1]]), POP)


def test_integral_coefficient_is_mean_of_nine():
    comp = pd.DataFrame({
        "region_id": ["x"],
        "all_provision": [16.1], "all_staffing_pct": [68.0], "all_parttime": [1.1],
        "amb_provision": [14.2], "amb_staffing_pct": [69.5], "amb_parttime": [1.1],
        "district_provision": [4.5], "district_staffing_pct": [72.0], "district_parttime": [1.0],
    })
    assert integral_coefficient(comp)["x"] == pytest.approx(27.5)
    k = komk_table(comp, comp.assign(all_provision=25.1))
    assert k.komk.item() == pytest.approx(27.5 + 28.5)


def test_integral_coefficient_missing_input_names_region_and_column():
    comp = pd.DataFrame({"region_id": ["x", "y"], **{f"{g}_{m}": [1.0, 1.0] for g in ("all", "amb", "district")
                                                     for m in ("provision", "staffing_pct", "parttime")}})
    comp.loc[1, "amb_parttime"] = np.nan
    with pytest.raises(ValueError, match=r"region_id='y': column 'amb_parttime'"):
        integral_coefficient(comp)
    with pytest.raises(ValueError, match="missing column"):
        integral_coefficient(comp.drop(columns="all_provision"))


def test_indicator_table_from_staffing_end_to_end():
    staff = six_group_staffing({"r1": 1.0, "r2": 0.5, "r3": 0.8})
    pop = {"r1": 30_000, "r2": 30_000, "r3": 10_000}
    table = indicator_table_from_staffing(staff, pop)
    assert list(table.region_id) == ["r2", "r1", "r3"]  # worst first
    r1 = table.set_index("region_id").loc["r1"]
    # doctors all: persons 80 -> provision 26.67, staffing 80 %, part-time 90/80
    assert r1.doctors_all_provision == pytest.approx(80 / 30_000 * 10_000)
    assert r1.doctors_all_staffing_pct == pytest.approx(80.0)
    assert r1.doctors_all_parttime == pytest.approx(1.125)
    assert r1.doctors_staffing_occupied_pct == pytest.approx(90.0)
    assert r1.kov == pytest.approx(np.mean([80 / 3, 80, 1.125, 48 / 3, 80, 1.125, 12 / 3, 80, 1.125]))
    # reference = KOMK of the summed region set
    assert table.komk_reference.nunique() == 1
    assert set(table.group) <= {"I", "II", "III", "IV", "V"}
    assert (table.weight >= 1).all()


def test_missing_staff_group_for_a_region_is_named():
    staff = six_group_staffing({"r1": 1.0, "r2": 0.5, "r3": 0.8})
    staff = staff[~((staff.region_id == "r3") & (staff.staff_group == "midlevel_amb"))]
    with pytest.raises(ValueError, match=r"region_id='r3': column 'amb_provision'"):
        indicator_table_from_staffing(staff, {"r1": 1e4, "r2": 1e4, "r3": 1e4})


def test_components_staffing_basis_occupied():
    ind = staffing_indicators(STAFF, POP)
    wide = components_from_indicators(ind, {"all": "doctors"}, staffing_basis="occupied")
    assert wide.set_index("region_id").loc["a", "all_staffing_pct"] == pytest.approx(90.0)
    with pytest.raises(ValueError):
        components_from_indicators(ind, {"all": "doctors"}, staffing_basis="both")


counts = st.floats(min_value=0, max_value=1e4, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(1, 1e4), counts, st.floats(1, 1e4), st.floats(1, 1e6)),
                min_size=1, max_size=6))
def test_grouped_ratio_lies_between_member_ratios(parts):
    staff = pd.DataFrame([(f"r{i}", "d", p, min(o, p), s) for i, (p, o, s, _) in enumerate(parts)],
                         columns=["region_id", "staff_group", "positions", "occupied", "persons"])
    pop = pd.DataFrame({"region_id": staff.region_id, "population": [q for *_, q in parts]})
    each = staffing_indicators(staff, pop)
    total = staffing_indicators(staff, pop, region_groups={r: "all" for r in staff.region_id}).iloc[0]
    for col in ("provision_per_10k", "staffing_persons_pct", "staffing_occupied_pct", "parttime"):
        lo, hi = each[col].min(), each[col].max()
        assert lo - 1e-9 * max(1, abs(lo)) <= total[col] <= hi + 1e-9 * max(1, abs(hi))
    assert total.vacant_positions == pytest.approx(each.vacant_positions.sum())

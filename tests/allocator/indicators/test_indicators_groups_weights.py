"""Group cuts and default weights."""
import numpy as np
import pandas as pd
import pytest

from allocator.indicators import DEFAULT_GROUP_WEIGHTS, GroupCut, assign_groups, default_weights, threshold_windows


def test_reference_share_cut_and_boundaries():
    v = pd.Series([79.9, 80.0, 85.99, 86.0, 91.0, 97.9, 98.0, 120.0])
    g = assign_groups(v, GroupCut("reference_share", (0.80, 0.86, 0.92, 0.98)), reference=100.0)
    # a value equal to a cut point goes to the higher group
    assert list(g) == ["I", "II", "II", "III", "III", "IV", "V", "V"]


def test_reference_needed():
    with pytest.raises(ValueError, match="reference"):
        assign_groups(pd.Series([1.0]), GroupCut())


def test_absolute_quantile_and_sigma_cuts():
    v = pd.Series(np.arange(10, dtype=float))
    assert list(assign_groups(v, GroupCut("absolute", (2, 4, 6, 8)))) == \
        ["I", "I", "II", "II", "III", "III", "IV", "IV", "V", "V"]
    q = assign_groups(v, GroupCut("quantile", (0.2, 0.4, 0.6, 0.8)))
    assert q.value_counts().to_dict() == {"I": 2, "II": 2, "III": 2, "IV": 2, "V": 2}
    s = assign_groups(v, GroupCut("sigma", (-1.5, -0.5, 0.5, 1.5)))
    # mean 4.5, sd 3.03: cut points -0.04, 2.99, 6.01, 9.04
    assert list(s) == ["II"] * 3 + ["III"] * 4 + ["IV"] * 3


def test_missing_value_gets_no_group():
    g = assign_groups(pd.Series([1.0, np.nan]), GroupCut("absolute", (2, 4, 6, 8)))
    assert g.iloc[0] == "I" and g.iloc[1] is None


@pytest.mark.parametrize("kwargs", [dict(method="nope"), dict(cuts=(0.9, 0.8, 0.95, 0.99)),
                                    dict(cuts=(0.5,))])
def test_bad_cut_rejected(kwargs):
    with pytest.raises(ValueError):
        GroupCut(**kwargs)


def test_threshold_windows():
    v = pd.Series({"a": 1.0, "b": 2.0, "c": 5.0})
    w = threshold_windows(v, pd.Series({"a": "I", "b": "I", "c": "II"}))
    assert w.to_dict("records") == [{"cut": "I|II", "max_below": 2.0, "min_above": 5.0}]


def test_default_weights_group_mapping():
    t = pd.DataFrame({"region_id": list("abcdefg"), "group": ["I", "II", "III", "IV", "V", None, "I"]})
    w = default_weights(t)
    assert list(w.columns) == ["region_id", "weight", "basis"]
    assert list(w.weight) == [2.0, 1.6, 1.3, 1.1, 1.0, 1.0, 2.0]
    assert w.basis[0] == "KOMK group I -> 2" and "neutral" in w.basis[5]
    w2 = default_weights(t, {"I": 3.0})
    assert w2.weight[0] == 3.0 and w2.weight[1] == DEFAULT_GROUP_WEIGHTS["II"]


def test_default_weights_errors():
    t = pd.DataFrame({"region_id": ["a"], "group": ["VI"]})
    with pytest.raises(ValueError, match="no weight for group"):
        default_weights(t)
    with pytest.raises(ValueError, match=">= 0"):
        default_weights(t.assign(group="I"), {"I": -1.0})
    with pytest.raises(ValueError, match="missing column 'group'"):
        default_weights(pd.DataFrame({"region_id": ["a"]}))


def test_default_weights_by_staffing_rate():
    t = pd.DataFrame({"region_id": list("abcde"), "rate": [95.0, 100.0, 63.3, 0.0, np.nan]})
    w = default_weights(t, basis="staffing", staffing_column="rate")
    assert w.weight.tolist() == pytest.approx([1.0, 1.0, 95 / 63.3, 2.0, 1.0])
    assert "neutral" in w.basis[4]

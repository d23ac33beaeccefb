"""Staffing indicators, the KOMK region ranking of seed 004, need and weights.

Pure functions over pandas DataFrames (docs/indicators.md has formulas and
worked examples):

* :mod:`.staffing`  provision, staffing rates, part-time, vacancies, deficit
* :mod:`.integral`  KOV, KOSMP, KOMK (the recovered seed 004 method)
* :mod:`.groups`    cutting a coefficient into groups I..V
* :mod:`.weights`   default priority weights for the allocator
* :mod:`.norms`     staff needed from population norms or workload (WISN)
* :mod:`.series`    year-by-year series and trends
* :mod:`.seed004`   the Penza 2019 tables and their reproduction
* :mod:`.table`     one row per region with all of the above
* :mod:`.caveats`   where a published group rests on the seed's misprints (weight caveats)
* :mod:`.cli`       ``allocator indicators ROUND [--out FILE]``
"""
from .groups import (
                     EQUAL_COUNT_CUT,
                     GROUP_LABELS,
                     SEED004_KOMK_CUT,
                     SEED004_KOV_CUT,
                     SIGMA_CUT,
                     GroupCut,
                     assign_groups,
                     threshold_windows,
)
from .integral import components_from_indicators, integral_coefficient, komk_table
from .norms import load_norms, need_gap, norm_need, wisn_need, workload_from_rates
from .seed004 import SEED004_CORRECTIONS, load_seed004, reproduce_published
from .series import load_series, series_trend, trend_wide
from .staffing import aggregate_staffing, staffing_indicators
from .table import expand_formations, indicator_table_from_staffing, penza_indicator_table, region_indicator_table
from .weights import DEFAULT_GROUP_WEIGHTS, default_weights

__all__ = [
    "DEFAULT_GROUP_WEIGHTS", "EQUAL_COUNT_CUT", "GROUP_LABELS", "SEED004_CORRECTIONS",
    "SEED004_KOMK_CUT", "SEED004_KOV_CUT", "SIGMA_CUT", "GroupCut", "aggregate_staffing",
    "assign_groups", "components_from_indicators", "default_weights", "expand_formations",
    "indicator_table_from_staffing", "integral_coefficient", "komk_table", "load_norms",
    "load_seed004", "load_series", "need_gap", "norm_need", "penza_indicator_table",
    "region_indicator_table", "reproduce_published", "series_trend", "staffing_indicators",
    "threshold_windows", "trend_wide", "wisn_need", "workload_from_rates",
]

"""WHO's Workload Indicators of Staffing Need (WISN): staff a workload requires, to fill need.csv.

For one staff category and facility (or region) over a year:

    required = workload / available_working_time x CAF + IAF

with the workload and the available working time of one worker in the same unit (days or hours a
year), CAF the category allowance factor (1 / (1 - share of time on support activities); 1 when
none) and IAF the individual allowance (staff for activities only some workers do; 0 when none).
WHO's manual and its Kenya example (HRH 2017 15:68, table 3: 3,125 days of workload over 179
available days = 17.46 clinicians before allowances) are the tests' known answers.
"""

from __future__ import annotations


def wisn_required(workload: float, available_working_time: float, category_allowance_factor: float = 1.0,
                  individual_allowance: float = 0.0) -> float:
    """Staff required by WISN (module docstring); raises ValueError for a non-positive working time."""
    if not available_working_time > 0:
        raise ValueError("available working time must be > 0")
    if category_allowance_factor < 1 or individual_allowance < 0:
        raise ValueError("CAF must be >= 1 and IAF >= 0")
    return workload / available_working_time * category_allowance_factor + individual_allowance


def category_allowance_factor(support_share: float) -> float:
    """CAF = 1 / (1 - share of working time spent on support activities all the category does)."""
    if not 0 <= support_share < 1:
        raise ValueError("the support share must be in [0, 1)")
    return 1.0 / (1.0 - support_share)


__all__ = ["category_allowance_factor", "wisn_required"]

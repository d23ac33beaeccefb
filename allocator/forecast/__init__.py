"""Need forecasts and admissions plans: how many to train, in which specialty, for which region.

``plan``      a plan folder or workbook read and checked against ``schema.csv`` (:func:`load_plan`);
``project``   the stock, need and deficit of every region, specialty and year (:func:`project`);
``rules``     the baseline (no admissions) and seed 004's rule (30 % of the current deficit);
``optimise``  the admissions that minimise the weighted deficit, then the cost, proven by HiGHS
              through the allocator's level driver (:func:`optimal_admissions`);
``outputs``   projection.csv, admissions.csv, summary.json and plan.xlsx;
``cli``       ``allocator forecast PLAN --out DIR``.

The model is written in :mod:`allocator.forecast.project`; docs/forecast.md explains it for planners.
"""

from .plan import Plan, load_plan
from .project import project
from .rules import PLANS, ForecastResult, make_plan

__all__ = ["PLANS", "ForecastResult", "Plan", "load_plan", "make_plan", "project"]

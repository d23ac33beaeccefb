"""One scenario of a sweep applied to a loaded round.

The round is loaded and validated once (:func:`allocator.validate.load_round`);
a scenario then changes it only through what a round already allows:

* options and region weights through :meth:`allocator.problem.Round.with_scenario`
  (:func:`allocator.scenario.apply_scenario`, the path every run takes): the
  scenario's options replace the round's, its weights are added to the round's
  ``[weights]`` overrides;
* ``weight_group.<G>`` becomes a ``weights`` override of every region whose
  weight is the indicators' default and whose KOMK group is G (not a region
  with a weight in ``regions.csv`` or in the round's own ``[weights]``);
  ``weight.<region_id>`` of the same scenario wins;
* programme figures replace cells of the typed ``programmes`` table: quota as
  an integer, payment and budget as the float whose shortest text is the
  figure given (at most 15 significant digits, checked by
  :mod:`allocator.sweep.grid`), which :mod:`allocator.scaling` turns back into
  that exact decimal: budgets stay exact and are never exceeded.

The figures were checked against the round when the grid was expanded
(:func:`allocator.sweep.grid.expand`); :func:`apply_spec` trusts them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType

import pandas as pd

from ..problem import Round
from .grid import split_key


def apply_spec(round_: Round, values: Mapping[str, object]) -> Round:
    """``round_`` under one scenario's ``values`` (grid key -> value, as checked by the grid)."""
    options: dict = {}
    programmes = None
    groups: dict[str, float] = {}
    region_weights: dict[str, float] = {}
    for key, value in values.items():
        kind, target, field = split_key(key)
        if kind == "option":
            options[target] = value
        elif kind == "programme":
            if programmes is None:
                programmes = round_.programmes.copy()
            row = programmes["programme_id"] == target
            if field == "quota":
                programmes[field] = programmes[field].astype("Int64")
                programmes.loc[row, field] = int(value)
            else:
                programmes.loc[row, field] = float(value)
        elif kind == "weight":
            region_weights[target] = float(value)
        elif kind == "weight_group":
            groups[target] = float(value)
        else:  # pragma: no cover - the grid refuses unknown keys
            raise ValueError(f"unknown grid key {key!r}")

    weights = dict(round_.scenario.weights)
    weights.update(group_weights(round_, groups, keep=set(weights)))
    weights.update(region_weights)
    scenario = round_.scenario.replace(**options, weights=MappingProxyType(weights))
    if programmes is not None:
        round_ = dataclasses.replace(round_, programmes=programmes)
    return round_.with_scenario(scenario)


def group_weights(round_: Round, groups: Mapping[str, float], keep: set[str] = frozenset()) -> dict[str, float]:
    """region_id -> weight for the KOMK ``groups`` given (label -> weight): every region whose weight
    is the indicators' default (none in ``regions.csv``), whose group is one of them, not in ``keep``."""
    if not groups:
        return {}
    regions = round_.regions
    if "indicator_basis" not in regions:
        return {}
    given = regions["weight_given"] if "weight_given" in regions else regions["weight"]
    out = {}
    for region, basis, weight_given in zip(regions["region_id"], regions["indicator_basis"], given):
        group = str(basis).removeprefix("KOMK group ") if isinstance(basis, str) else None
        if group in groups and region not in keep and pd.isna(weight_given):
            out[region] = groups[group]
    return out

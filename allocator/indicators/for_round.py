"""The indicator table of a round folder: what ``allocator indicators`` writes and validation reads.

What the folder may hold (the first that exists wins):

1. ``staffing.csv`` (region_id, staff_group, positions, occupied, persons) with
   population from ``population.csv`` or ``regions.csv`` (region_id,
   population); their columns are in ``allocator/schema.csv`` (tables
   ``staffing`` and ``population``);
2. ``seed004/doctors_2019.csv`` ... (the extracted seed 004 tables, as in
   data/penza/seed004), or those files directly in the folder.

A model module (:mod:`allocator.scenario`) imports this, never the command line.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .groups import SEED004_KOMK_CUT, GroupCut
from .table import indicator_table_from_staffing, penza_indicator_table


def indicator_table_for_round(folder: Path, *, cut: GroupCut = SEED004_KOMK_CUT,
                              weight_mapping=None, corrected: bool = False) -> pd.DataFrame:
    """The table ``indicators`` writes for a round folder (see module doc)."""
    if (folder / "staffing.csv").exists():
        staffing = pd.read_csv(folder / "staffing.csv")
        pop_file = folder / "population.csv"
        if not pop_file.exists():
            pop_file = folder / "regions.csv"
        if not pop_file.exists():
            raise FileNotFoundError(f"{folder}: staffing.csv needs population.csv or regions.csv with population")
        population = pd.read_csv(pop_file)
        table = indicator_table_from_staffing(staffing, population[["region_id", "population"]],
                                              cut=cut, weight_mapping=weight_mapping)
    else:
        for seed_dir in (folder / "seed004", folder):
            if (seed_dir / "doctors_2019.csv").exists():
                break
        else:
            raise FileNotFoundError(f"{folder}: neither staffing.csv nor seed004/doctors_2019.csv found")
        table = penza_indicator_table(seed_dir, corrected=corrected, cut=cut, weight_mapping=weight_mapping)
    return table

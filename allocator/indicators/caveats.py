"""Caveats on default weights: where the seed's published group rests on its own misprints.

The default weight of a region is its KOMK group's (:mod:`.weights`), computed from the seed's tables
as printed (so the seed's published figures are reproduced). Where :data:`.seed004.SEED004_CORRECTIONS`
reads a misprinted cell differently, the group may change: Kuznetsk's district staffing is printed
«0,8» (doctors) and «1,0» (mid-level staff) where every other row has a percentage; as printed the
formation is group I (weight 2.0), read as 80 % and 100 % it is group V (weight 1.0).

:func:`group_caveats` computes the indicator table both ways and returns one caveat text per region
whose group differs, in Russian and English (``weight_caveat_ru``, ``weight_caveat_en``), naming both
groups, both weights and the cells read differently. A round whose indicators come from a
``staffing.csv`` has no corrections and so no caveats.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .groups import SEED004_KOMK_CUT, GroupCut
from .seed004 import SEED004_CORRECTIONS

CAVEAT_COLUMNS = ("weight_caveat_ru", "weight_caveat_en")
#: How a corrected cell is named in each language: (cadre, column) -> (en, ru).
CELL_NAMES = {
    ("doctors", "district_staffing_pct"): ("district doctors' staffing", "укомплектованность участковых врачей"),
    ("midlevel", "district_staffing_pct"): ("staffing of the district service's mid-level staff",
                                            "укомплектованность среднего медперсонала участковой службы"),
    ("doctors", "all_staffing_pct"): ("staffing of all doctors", "укомплектованность врачей (всего)"),
}


def _number(value: float, lang: str) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang == "ru" else text


def _cells(region: str, corrections, lang: str) -> str:
    """The misprinted cells of ``region``: «0,8» read as 80 % (district doctors' staffing), ..."""
    parts = []
    for cadre, rid, column, printed, corrected, _ in corrections:
        if rid != region:
            continue
        en, ru = CELL_NAMES.get((cadre, column), (f"{cadre} {column}", f"{cadre} {column}"))
        shown = f"«{printed:.1f}»".replace(".", ",")
        if lang == "ru":
            parts.append(f"{shown} вместо {corrected:g} % ({ru})")
        else:
            parts.append(f"{shown} read as {corrected:g} % ({en})")
    return "; ".join(parts)


def caveat_texts(region: str, published: pd.Series, corrected: pd.Series, corrections=SEED004_CORRECTIONS
                 ) -> tuple[str, str]:
    """The Russian and English caveat of one region from its published and corrected indicator rows
    (each with ``group`` and ``weight``)."""
    gp, wp, gc, wc = published["group"], float(published["weight"]), corrected["group"], float(corrected["weight"])
    ru = (f"Вес по умолчанию {_number(wp, 'ru')} (группа КОМК {gp}) опирается на опечатки таблиц источника "
          f"(региональная программа Пензенской области, 2020): {_cells(region, corrections, 'ru')}; "
          f"при исправлении группа {gc} (вес {_number(wc, 'ru')}).")
    en = (f"Default weight {_number(wp, 'en')} (KOMK group {gp}) rests on misprints in the source's tables "
          f"(Penza regional programme, 2020): {_cells(region, corrections, 'en')}; "
          f"corrected, the group is {gc} (weight {_number(wc, 'en')}).")
    return ru, en


def group_caveats(folder: Path, *, cut: GroupCut = SEED004_KOMK_CUT, weight_mapping=None,
                  corrections=SEED004_CORRECTIONS) -> pd.DataFrame:
    """One row per region of the folder's indicator table: region_id, group_published_tables (as
    printed), group_corrected, weight_published_tables, weight_corrected and the two caveat columns
    (empty strings where the groups agree). Raises FileNotFoundError as
    :func:`.for_round.indicator_table_for_round` does."""
    from .for_round import indicator_table_for_round

    printed = indicator_table_for_round(Path(folder), cut=cut, weight_mapping=weight_mapping).set_index("region_id")
    fixed = indicator_table_for_round(Path(folder), cut=cut, weight_mapping=weight_mapping,
                                      corrected=True).set_index("region_id").reindex(printed.index)
    out = pd.DataFrame({
        "region_id": printed.index,
        "group_published_tables": printed["group"].astype(str).to_numpy(),
        "group_corrected": fixed["group"].astype(str).to_numpy(),
        "weight_published_tables": printed["weight"].astype(float).to_numpy(),
        "weight_corrected": fixed["weight"].astype(float).to_numpy(),
    })
    texts = [caveat_texts(r, printed.loc[r], fixed.loc[r], corrections)
             if printed.at[r, "group"] != fixed.at[r, "group"] else ("", "") for r in printed.index]
    out["weight_caveat_ru"] = [t[0] for t in texts]
    out["weight_caveat_en"] = [t[1] for t in texts]
    return out

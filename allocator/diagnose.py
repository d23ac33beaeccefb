"""Why a graduate was not placed, found by checking the data, not the solver.

The first filter stage of :mod:`allocator.pairs` that leaves a graduate with
no pair names the reason; a graduate who kept pairs lost them to others.
"""

from __future__ import annotations

import pandas as pd

REASONS = {
    "no_vacancy_of_specialty": "no vacancy of the graduate's specialty in the round",
    "none_in_sponsor_region": "no vacancy of the specialty in the sponsor region",
    "none_within_max_km": "no vacancy of the specialty within max_km of home",
    "no_programme_place": "paid graduate: no support programme funds any rural post in reach",
    "all_taken": "every allowed post went to others (or programme quota/budget ran out)",
}

REASONS_RU = {
    "no_vacancy_of_specialty": "нет вакансий по специальности выпускника",
    "none_in_sponsor_region": "нет вакансий по специальности в регионе-заказчике",
    "none_within_max_km": "нет вакансий по специальности в пределах max_km от дома",
    "no_programme_place": "платное обучение: ни одна программа поддержки не финансирует доступное сельское место",
    "all_taken": "все допустимые места заняты другими (или исчерпаны квота/бюджет программы)",
}

# Stage whose count dropping to zero gives the reason, in filter order.
_STAGE_REASON = (
    ("specialty", "no_vacancy_of_specialty"),
    ("sponsor", "none_in_sponsor_region"),
    ("distance", "none_within_max_km"),
    ("funding", "no_programme_place"),
)


def unplaced_reasons(round_, pairs, assignments: pd.DataFrame) -> pd.DataFrame:
    grads = round_.graduates.set_index("graduate_id")
    missing = grads.index[~grads.index.isin(assignments["graduate_id"])]
    stages = pairs.stages.reindex(missing)
    reason = pd.Series("all_taken", index=missing, dtype=object)
    for stage, code in reversed(_STAGE_REASON):  # earliest empty stage wins
        reason[stages[stage].to_numpy() == 0] = code
    out = pd.DataFrame({
        "graduate_id": missing,
        "funding": grads.loc[missing, "funding"].to_numpy(),
        "specialty": grads.loc[missing, "specialty"].to_numpy(),
        "reason": reason.to_numpy(),
    })
    out["detail"] = out["reason"].map(REASONS)
    return out.sort_values("graduate_id", kind="mergesort").reset_index(drop=True)

"""Why a graduate was not placed, found by checking the data, not the solver.

The first filter stage of :mod:`allocator.pairs` that leaves a graduate with
no pair names the reason; a graduate who kept pairs lost them to others. An
exempt or deferred graduate (``graduates.status``) is never placed: the reason
is the status (``exempt``, ``deferred``), and the detail adds the graduate's
``status_reason`` when one is given. A member of a bound couple (:mod:`allocator.couples`) who
kept pairs, but shares no region with the partner's pairs, gets ``couple_no_common_region``.
The reasons' texts (EN/RU) are in the catalogue (:mod:`allocator.catalogue`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalogue import has, text
from .couples import bound_couples

#: Reason codes, in the order of the filter stages; their texts are the catalogue's
#: ``reason_<code>`` entries (allocator/texts/reasons.csv).
REASON_CODES = ("exempt", "deferred", "no_vacancy_of_specialty", "none_in_sponsor_region", "none_within_max_km",
                "no_programme_place", "all_taken", "couple_no_common_region",
                "no_choice_available")  # the last: allocator.mechanisms.choice


def reason_text(code: str, lang: str = "en") -> str:
    """Why a graduate was not placed, in ``lang``; an unknown code is shown as it is."""
    key = f"reason_{code}"
    return text(key, lang) if has(key) else str(code)


#: The statuses that keep a graduate out of the round, each its own reason code.
STATUS_REASONS = ("exempt", "deferred")

# Stage whose count dropping to zero gives the reason, in filter order.
_STAGE_REASON = (
    ("specialty", "no_vacancy_of_specialty"),
    ("sponsor", "none_in_sponsor_region"),
    ("distance", "none_within_max_km"),
    ("funding", "no_programme_place"),
)


def unplaced_reasons(round_, pairs, assignments: pd.DataFrame) -> pd.DataFrame:
    """One row per unplaced graduate: funding, specialty, reason code and its English ``detail``."""
    grads = round_.graduates.set_index("graduate_id")
    placed = grads.index.astype(object).isin(assignments["graduate_id"].astype(object))  # hashed: fast
    missing = grads.index[~placed]
    stages = pairs.stages.reindex(missing)
    reason = pd.Series("all_taken", index=missing, dtype=object)
    for stage, code in reversed(_STAGE_REASON):  # earliest empty stage wins
        reason[stages[stage].to_numpy() == 0] = code
    reason[_apart(round_, pairs, missing) & (reason == "all_taken").to_numpy()] = "couple_no_common_region"
    status = grads["status"].reindex(missing) if "status" in grads else pd.Series(None, index=missing, dtype=object)
    unavailable = status.isin(STATUS_REASONS).to_numpy()
    reason[unavailable] = status[unavailable].to_numpy()  # the status comes before every stage
    out = pd.DataFrame({
        "graduate_id": missing,
        "funding": grads.loc[missing, "funding"].to_numpy(),
        "specialty": grads.loc[missing, "specialty"].to_numpy(),
        "reason": reason.to_numpy(),
    })
    out["detail"] = out["reason"].map({code: reason_text(code) for code in REASON_CODES})
    if unavailable.any():
        given = grads["status_reason"].reindex(missing).to_numpy(dtype=object)
        shown = unavailable & pd.notna(given)
        out.loc[shown, "detail"] = out.loc[shown, "detail"] + ": " + given[shown].astype(str)
    return out.sort_values("graduate_id", kind="mergesort").reset_index(drop=True)


def _apart(round_, pairs, missing: pd.Index) -> np.ndarray:
    """True for each of ``missing`` in a bound couple whose members' pairs share no region."""
    couples = bound_couples(round_.graduates)
    out = np.zeros(len(missing), dtype=bool)
    if couples.empty:
        return out
    regions = pairs.table.groupby("graduate_id")["region_id"].agg(set).to_dict()
    partner = dict(zip(couples["first"], couples["second"])) | dict(zip(couples["second"], couples["first"]))
    for i, g in enumerate(missing):
        if g in partner and not (regions.get(g, set()) & regions.get(partner[g], set())):
            out[i] = True
    return out

"""Rating order and the choice ranks a distribution gives (issue 13).

Rating order: graduates choose by ``rating`` descending; equal ratings by ``graduate_id``
ascending (as text); a graduate without a rating after every rated one (by graduate_id).
:func:`choice_order` gives each graduate's position in it (0 chooses first).

The choice rank of an assignment is the rank (``preferences.rank``, 1 = first choice) of the
assigned facility in the graduate's own list; NA when the facility is not on the list, the
graduate has no list, or the round has no preferences.

:func:`rank_distribution` summarises them over the graduates who listed at least one facility
(``listed``; with ``graduates`` given, only the available ones: an exempt or deferred graduate
is never placed), so a round where few graduates gave lists is not diluted by the others:

- ``first_choice`` / ``top3``: listed graduates placed at their rank 1 / at a rank <= 3;
- ``listed_none``: listed graduates placed at no listed facility (unplaced, or placed off-list);
- each ``*_share`` is the count divided by ``listed`` (None when nobody listed anything).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["choice_order", "choice_ranks", "rank_distribution"]


def choice_order(graduates: pd.DataFrame) -> pd.Series:
    """graduate_id -> position in rating order (0 chooses first), as the module docstring defines it."""
    rating = graduates["rating"].astype(float) if "rating" in graduates else pd.Series(np.nan, index=graduates.index)
    ids = graduates["graduate_id"].astype(str).to_numpy()
    # np.lexsort sorts by the last key first: rated before unrated, then rating descending, then id
    order = np.lexsort((ids, -np.nan_to_num(rating.to_numpy(), nan=-np.inf), np.isnan(rating.to_numpy())))
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    return pd.Series(position, index=pd.Index(graduates["graduate_id"].to_numpy(), name="graduate_id"),
                     name="position")


def choice_ranks(preferences: pd.DataFrame, assignments: pd.DataFrame) -> pd.Series:
    """The choice rank of each assignment row (nullable Int64, aligned to ``assignments``' index)."""
    if preferences is None or preferences.empty or assignments.empty:
        return pd.Series(pd.NA, index=assignments.index, dtype="Int64", name="choice_rank")
    key = pd.MultiIndex.from_arrays([preferences["graduate_id"].astype(object),
                                     preferences["facility_id"].astype(object)])
    rank = pd.Series(preferences["rank"].astype("Int64").to_numpy(), index=key)
    wanted = pd.MultiIndex.from_arrays([assignments["graduate_id"].astype(object),
                                        assignments["facility_id"].astype(object)])
    pos = key.get_indexer(wanted)
    values = pd.array(np.where(pos >= 0, rank.to_numpy(dtype="float64", na_value=np.nan)[pos], np.nan),
                      dtype="Float64").astype("Int64")
    return pd.Series(values, index=assignments.index, dtype="Int64", name="choice_rank")


def rank_distribution(preferences: pd.DataFrame, assignments: pd.DataFrame,
                      graduates: pd.DataFrame | None = None) -> dict:
    """Counts and shares of choice ranks received (the module docstring defines them)."""
    listed_ids = pd.Index(preferences["graduate_id"].unique()) if preferences is not None else pd.Index([])
    if graduates is not None and "status" in graduates:
        away = graduates.loc[graduates["status"].fillna("available") != "available", "graduate_id"]
        listed_ids = listed_ids.difference(pd.Index(away), sort=False)
    ranks = choice_ranks(preferences, assignments)
    got = ranks.notna().to_numpy()
    first = int((ranks[got] == 1).sum())
    top3 = int((ranks[got] <= 3).sum())
    listed = len(listed_ids)
    on_list = int(got.sum())
    counts = {"listed": listed, "first_choice": first, "top3": top3, "listed_none": listed - on_list}
    shares = {f"{k}_share": (None if not listed else round(v / listed, 6)) for k, v in counts.items() if k != "listed"}
    return {**counts, **shares}

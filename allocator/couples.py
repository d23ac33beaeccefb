"""The couples a round binds: two graduates who name each other in ``partner_id``, both available.

A bound couple is placed in one region, or neither member is placed (issue 13). A couple with an
exempt or deferred member is not bound: that member is never placed, the other is placed alone.
Validation (:mod:`allocator.validate`) has already refused a partner who is unknown, oneself, or
does not name the graduate back. The assign engines keep the rule with the rows of
:func:`allocator.model.build`; :mod:`allocator.check` checks it on every solution by its own
reading of the table.
"""

from __future__ import annotations

import pandas as pd

from .pairs import available_mask


def bound_couples(graduates: pd.DataFrame) -> pd.DataFrame:
    """One row per bound couple: ``first``, ``second`` graduate ids (``first`` the smaller as text)."""
    empty = pd.DataFrame({"first": pd.Series(dtype=object), "second": pd.Series(dtype=object)})
    if "partner_id" not in graduates or graduates["partner_id"].isna().all():
        return empty
    free = dict(zip(graduates["graduate_id"], available_mask(graduates)))
    named = graduates.loc[graduates["partner_id"].notna(), ["graduate_id", "partner_id"]]
    back = dict(zip(named["graduate_id"], named["partner_id"]))
    keep = [(g, p) for g, p in zip(named["graduate_id"], named["partner_id"])
            if str(g) < str(p) and back.get(p) == g and free.get(g, False) and free.get(p, False)]
    if not keep:
        return empty
    return pd.DataFrame(keep, columns=["first", "second"], dtype=object)

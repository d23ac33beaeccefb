"""Allowed pairs built once and reused by every round that has the same ones (the scenarios of a sweep).

:func:`allocator.pairs.allowed_pairs` reads the graduates (with their max_km,
which the scenario fills), the facilities, the vacancies, each programme's
filters (specialties, region, settlement size), the distance source and, for
road distances, the settlements and roads, and the round's year (graduates' ages). It also
copies two figures onto every arc: the region's weight and the programme's payment (at the
arc's tier). Nothing else of a
round changes which pairs are allowed or their km; a programme's quota or
budget, a region weight, the solver, its time limit, diminishing returns and
threads change none of them.

So a round's pairs are those of any round with the same :func:`structure_key`
(a SHA-256 of exactly what ``allowed_pairs`` reads but the two figures),
repriced (:func:`reprice`): the weight and payment columns taken again from
this round, in the same way ``allowed_pairs`` takes them. The result equals,
column for column and bit for bit, what ``allowed_pairs`` builds for the round
(tests/allocator/test_pair_cache.py compares them on random scenarios), so a
solve given a :class:`PairCache` takes the same path and returns the same
solution as one without.

Of the scenario options, only :data:`PAIR_OPTIONS` change the key; a sweep
builds the pairs once per distinct combination of them
(:func:`allocator.sweep.runner.prepare`) and ships them to every worker once.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import OrderedDict

import pandas as pd

from .pairs import Pairs, allowed_pairs
from .programmes import money_by_year, pair_payments

#: Scenario options that change the allowed pairs: max_km (filled into the graduates) and the distance source.
PAIR_OPTIONS = ("max_km", "distances")
#: Programme columns that only price an arc; the others decide which arcs a programme has.
PRICE_COLUMNS = ("payment", "payment_remote", "quota", "budget")


def structure_key(round_) -> str:
    """SHA-256 of everything :func:`allocator.pairs.allowed_pairs` reads except weights and payments."""
    digest = hashlib.sha256()
    frames = {"graduates": round_.graduates, "facilities": round_.facilities, "vacancies": round_.vacancies,
              "programmes": round_.programmes.drop(columns=list(PRICE_COLUMNS), errors="ignore")}
    if round_.scenario.distances == "road":
        frames.update(settlements=round_.settlements, roads=round_.roads)
    for name, frame in frames.items():
        digest.update(name.encode())
        if frame is None:
            continue
        digest.update(repr(list(frame.columns)).encode())
        digest.update(repr([str(t) for t in frame.dtypes]).encode())
        digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    digest.update(round_.scenario.distances.encode())
    digest.update(repr(round_.scenario.year).encode())  # ages from birth years decide programmes' arcs
    return digest.hexdigest()


def reprice(pairs: Pairs, round_) -> Pairs:
    """``pairs`` with each arc's weight (its region's) and payment (its programme's, 0 without one)
    taken from ``round_``, exactly as :func:`allocator.pairs.allowed_pairs` takes them."""
    arcs = pairs.arcs
    regions = round_.regions
    region_row = pd.Index(regions["region_id"]).get_indexer(arcs["region_id"])
    weight = regions["weight"].to_numpy(dtype=float)[region_row]
    money = money_by_year(round_.programmes, round_.instalments)
    payment = pair_payments(arcs["programme_id"].to_numpy(object), arcs["remote"].to_numpy(bool), money)
    priced = arcs.assign(weight=weight, payment=payment)
    return dataclasses.replace(pairs, arcs=priced)


class PairCache:
    """Allowed pairs by :func:`structure_key`, the most recent :attr:`limit` kept.

    ``entries``: pairs already built (key -> :class:`~allocator.pairs.Pairs`), as a sweep's driver
    ships them to its workers.
    """

    def __init__(self, entries: dict[str, Pairs] | None = None, limit: int = 8):
        self.limit = max(1, limit, len(entries or {}))
        self._entries: OrderedDict[str, Pairs] = OrderedDict(entries or {})
        self.hits = self.builds = 0

    def pairs(self, round_) -> Pairs:
        """The allowed pairs of ``round_``: repriced from a kept entry, else built and kept."""
        key = structure_key(round_)
        kept = self._entries.get(key)
        if kept is not None:
            self._entries.move_to_end(key)
            self.hits += 1
            return reprice(kept, round_)
        built = allowed_pairs(round_)
        self.builds += 1
        self._entries[key] = built
        while len(self._entries) > self.limit:
            self._entries.popitem(last=False)
        return built

    def entries(self) -> dict[str, Pairs]:
        """The kept pairs by key (to ship to another process)."""
        return dict(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


__all__ = ["PAIR_OPTIONS", "PRICE_COLUMNS", "PairCache", "reprice", "structure_key"]

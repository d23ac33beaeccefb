"""Maximal covering against known answers: the optimal p-centre radii r* of OR-Library pmed graphs.

With radius r* and p sites every vertex can be covered; with r* - 1 not every vertex can (else the
p-centre optimum would be below r*). Radii from shared/benchmarks/README.md (Pullan). Beasley's
construction: the last copy of a duplicated edge wins, then all-pairs shortest paths. The data are
read from shared/benchmarks beside the checkout; the tests skip when it is absent.
"""

import numpy as np
import pandas as pd
import pytest
from support.paths import SHARED

from network import solve_max_covering
from network.pmedian_exact import read_orlib_pmed

PMED = SHARED / "benchmarks" / "orlib-pmed"
pytestmark = pytest.mark.skipif(not (PMED / "pmed1.txt").exists(),
                                reason=f"OR-Library pmed instances not present in {PMED}")


def pmed_distances(name):
    """(p, shortest-path matrix) of pmed ``name`` (network.pmedian_exact.read_orlib_pmed)."""
    dist, p = read_orlib_pmed(PMED / f"{name}.txt")
    return p, dist


def covered(dist, p, radius):
    n = len(dist)
    i, j = np.nonzero(dist <= radius)
    demand = pd.DataFrame({"demand_id": np.arange(n), "population": 1.0})
    pairs = pd.DataFrame({"demand_id": i, "site_id": j, "cost": dist[i, j]})
    sol = solve_max_covering(demand, pairs, pd.DataFrame({"site_id": np.arange(n), "existing": False}), p)
    assert sol.status == "optimal"
    assert len(sol.open_sites) <= p
    return sol.objective_value


@pytest.mark.parametrize(("name", "radius"), [("pmed1", 127), ("pmed5", 48)])
def test_optimal_p_centre_radius_covers_all_and_one_less_does_not(name, radius):
    p, dist = pmed_distances(name)
    n = len(dist)
    assert covered(dist, p, radius) == n
    assert covered(dist, p, radius - 1) < n

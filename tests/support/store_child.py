"""A separate process that solves the Penza round and records it (run-store reliability tests).

    python store_child.py URL USER

Prints the run id.
"""

import sys
from pathlib import Path

from allocator import load_round, solve
from allocator.store import open_store, record_run

PENZA = Path(__file__).resolve().parents[2] / "data" / "penza"

url, user = sys.argv[1], sys.argv[2]
round_ = load_round(PENZA)
solution = solve(round_)
store = open_store(url)
print(record_run(store, round_, solution, user=user))

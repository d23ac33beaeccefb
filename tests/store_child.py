"""A separate process that solves the Penza round and records it (run-store reliability tests).

    python store_child.py URL USER [READY_FILE GO_FILE]

With READY_FILE and GO_FILE it creates READY_FILE when solved and waits for GO_FILE
before writing, so several children write at the same moment. Prints the run id.
"""

import os
import sys
import time
from pathlib import Path

from allocator import load_round, solve
from allocator.store import open_store, record_run

PENZA = Path(__file__).resolve().parent.parent / "data" / "penza"

url, user = sys.argv[1], sys.argv[2]
round_ = load_round(PENZA)
solution = solve(round_)
store = open_store(url)
if len(sys.argv) > 4:
    Path(sys.argv[3]).write_text(str(os.getpid()))
    deadline = time.monotonic() + 120
    while not Path(sys.argv[4]).exists() and time.monotonic() < deadline:
        time.sleep(0.01)
print(record_run(store, round_, solution, user=user))

"""The run page's server-side time from the click on «Рассчитать» to the results drawn (issue 16).

    python benchmarks/bench_ui_run.py              # median of 5 clicks on the bundled Penza round
    python benchmarks/bench_ui_run.py --repeat 9
    python benchmarks/bench_ui_run.py --profile    # plus the 25 most expensive functions of one click

Drives the app headless with Streamlit's AppTest (the same script runs a browser
session would get, without the browser's drawing): the app is started, the run
page opened once, then the Run button is clicked ``--repeat`` times; each click
is timed from the click to the end of the script runs it causes (the solve, the
run stored, ``st.rerun`` and the results page). The run store is a temporary
file, never the user's. A real browser adds the websocket transfer and drawing
(helper D's Playwright test measures that).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    """Time ``--repeat`` clicks on Run and print each, the median and (``--profile``) a profile."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-ui-run-") as tmp:
        os.environ["ALLOCATOR_DB"] = str(Path(tmp) / "runs.sqlite")
        os.environ["ALLOCATOR_SPOOL"] = str(Path(tmp) / "spool")
        from streamlit.testing.v1 import AppTest

        started = time.perf_counter()
        at = AppTest.from_file(str(ROOT / "ui_streamlit.py"), default_timeout=120).run()
        at.switch_page("ui/pages/run.py").run()
        print(f"app start and run page: {time.perf_counter() - started:.2f} s")
        times = []
        for i in range(args.repeat):
            t0 = time.perf_counter()
            at.button(key="run_button").click().run()
            times.append(time.perf_counter() - t0)
            if at.exception:
                print("exception:", [e.value for e in at.exception])
                return 1
            print(f"click {i + 1}: {times[-1]:.3f} s")
        print(f"median of {len(times)} clicks: {statistics.median(times):.3f} s "
              f"(min {min(times):.3f}, max {max(times):.3f})")
        t0 = time.perf_counter()
        at.run()
        print(f"a rerun with the results shown (no click): {time.perf_counter() - t0:.3f} s")
        if args.profile:  # the script runs on its own thread: the profiler is started there
            prof = cProfile.Profile()

            def start_in_thread(frame, event, arg):
                sys.setprofile(None)
                prof.enable()

            threading.setprofile(start_in_thread)
            at.button(key="run_button").click().run()
            threading.setprofile(None)
            prof.disable()
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(40)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

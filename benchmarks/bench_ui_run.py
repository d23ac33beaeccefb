"""The run page's server-side time from the click on «Рассчитать» to the results drawn (issue 16).

    python benchmarks/bench_ui_run.py              # median of 5 clicks on the bundled Penza round
    python benchmarks/bench_ui_run.py --repeat 9
    python benchmarks/bench_ui_run.py --profile    # the first click profiled (functions by cumulative time)

Drives the app headless with Streamlit's AppTest (the same script runs a browser
session would get, without the browser's drawing): the app is started, the run
page opened once and, after ``--pause`` seconds, the Run button is clicked
``--repeat`` times; each click is timed from the click to the end of the script
runs it causes (the solve, the run stored, ``st.rerun`` and the results page).
The first click of a process is shown apart: it also pays the imports the page
has not finished warming up. The run store is a temporary
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
    ap.add_argument("--pause", type=float, default=3.0,
                    help="seconds on the run page before the first click (a person reads it first)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-ui-run-") as tmp:
        os.environ["ALLOCATOR_DB"] = str(Path(tmp) / "runs.sqlite")
        os.environ["ALLOCATOR_SPOOL"] = str(Path(tmp) / "spool")
        from streamlit.testing.v1 import AppTest

        started = time.perf_counter()
        at = AppTest.from_file(str(ROOT / "ui_streamlit.py"), default_timeout=120).run()
        at.switch_page("ui/pages/run.py").run()
        print(f"app start and run page: {time.perf_counter() - started:.2f} s; {args.pause:g} s on the page")
        time.sleep(args.pause)
        prof = cProfile.Profile() if args.profile else None
        if prof is not None:  # the script runs on its own thread: the profiler is started there
            def start_in_thread(frame, event, arg):
                sys.setprofile(None)
                prof.enable()

            threading.setprofile(start_in_thread)
        times = []
        for i in range(args.repeat):
            t0 = time.perf_counter()
            at.button(key="run_button").click().run()
            times.append(time.perf_counter() - t0)
            if prof is not None and i == 0:  # the first click, what a new session waits for
                threading.setprofile(None)
                prof.disable()
            if at.exception:
                print("exception:", [e.value for e in at.exception])
                return 1
            print(f"click {i + 1}: {times[-1]:.3f} s" + (" (profiled)" if prof is not None and i == 0 else ""))
        later = times[1:] or times
        print(f"first click: {times[0]:.3f} s; median of {len(later)} later clicks: {statistics.median(later):.3f} s "
              f"(min {min(later):.3f}, max {max(later):.3f})")
        t0 = time.perf_counter()
        at.run()
        print(f"a rerun with the results shown (no click): {time.perf_counter() - t0:.3f} s")
        if prof is not None:
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(45)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

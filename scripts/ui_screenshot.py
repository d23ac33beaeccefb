"""Real-browser smoke check of the Streamlit app (a script, not a unit test).

Starts ``streamlit run ui_streamlit.py`` on a free port, opens it in headless
Chromium over the DevTools protocol, waits until the page has really drawn,
presses buttons like a person would and saves full-page PNGs:

    python scripts/ui_screenshot.py --out /tmp/ui-shots [--chromium chromium] [--lang en]

Pages shot: inputs (with the Penza round loaded), run and results (after
pressing "Рассчитать"), the same with English, compare (after a second run)
and network (the village network's rule gaps and plan, then the synthetic
example's plan). Exits 1 when a page shows a Streamlit exception box or never
finishes drawing. The app runs on a temporary run store (``ALLOCATOR_DB``,
``ALLOCATOR_SPOOL``), deleted afterwards, never the user's. Needs chromium (Debian: ``apt-get install -y chromium``)
and the ``websockets`` package (a streamlit dependency).
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60) -> None:
    end = time.time() + timeout
    while time.time() < end:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(url)


class Browser:
    """The few DevTools calls this check needs."""

    def __init__(self, chromium: str, width: int = 1440, height: int = 1000):
        self.port = free_port()
        self.profile = tempfile.mkdtemp(prefix="ui-shot-chrome-")
        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--hide-scrollbars", f"--window-size={width},{height}", f"--user-data-dir={self.profile}",
             f"--remote-debugging-port={self.port}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_http(f"http://127.0.0.1:{self.port}/json/version")
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list") as r:
            target = next(t for t in json.load(r) if t["type"] == "page")
        self.ws = connect(target["webSocketDebuggerUrl"], max_size=None, open_timeout=20, legacy=True)
        self.ids = itertools.count(1)

    def call(self, method: str, **params):
        mid = next(self.ids)
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=120))
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def js(self, expression: str):
        res = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return res.get("result", {}).get("value")

    def goto(self, url: str) -> None:
        self.call("Page.navigate", url=url)

    def wait_for(self, text: str, timeout: float = 60) -> bool:
        """Wait until ``text`` is on the page and Streamlit is not running a script."""
        end = time.time() + timeout
        probe = (f"document.body && document.body.innerText.includes({json.dumps(text)}) && "
                 "!document.querySelector('[data-testid=\"stStatusWidget\"] "
                 "[data-testid=\"stStatusWidgetRunningIcon\"]')")
        while time.time() < end:
            if self.js(probe):
                time.sleep(1.5)  # let maps and charts paint
                return True
            time.sleep(0.5)
        return False

    def click_button(self, label: str) -> bool:
        return bool(self.js(
            "(() => { const b = [...document.querySelectorAll('button')].find(b => b.innerText.trim() === "
            f"{json.dumps(label)}); if (!b) return false; b.click(); return true; }})()"))

    def nav(self, label: str) -> bool:
        """Follow a sidebar link in the page (a reload would start a new session)."""
        return bool(self.js(
            "(() => { const a = [...document.querySelectorAll('[data-testid=\"stSidebarNav\"] a')]"
            f".find(a => a.innerText.includes({json.dumps(label)})); if (!a) return false; a.click();"
            " return true; })()"))

    def exception_shown(self) -> str | None:
        return self.js("(() => { const e = document.querySelector('[data-testid=\"stException\"]');"
                       " return e ? e.innerText.slice(0, 500) : null; })()")

    def screenshot(self, path: Path) -> None:
        height = self.js("Math.max(document.body.scrollHeight, "
                         "...[...document.querySelectorAll('section, [data-testid=\"stMain\"]')]"
                         ".map(e => e.scrollHeight))") or 1000
        self.call("Emulation.setDeviceMetricsOverride", width=1440, height=int(min(height, 9000)),
                  deviceScaleFactor=1, mobile=False)
        time.sleep(2.5)  # the sidebar and maps re-lay out after the resize
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        path.write_bytes(base64.b64decode(data))
        self.call("Emulation.clearDeviceMetricsOverride")

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            self.proc.wait(10)
            shutil.rmtree(self.profile, ignore_errors=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("ui-shots"))
    ap.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser") or "chromium")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server_log = (args.out / "streamlit.log").open("w")
    # a temporary run store and queue: the runs made for the shots never reach the user's store
    store_dir = tempfile.mkdtemp(prefix="ui-shot-store-")
    env = {**os.environ, "ALLOCATOR_DB": str(Path(store_dir) / "runs.sqlite"),
           "ALLOCATOR_SPOOL": str(Path(store_dir) / "queue")}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "ui_streamlit.py"), "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT)
    failures = []
    browser = None
    try:
        wait_http(f"http://127.0.0.1:{port}/_stcore/health")
        browser = Browser(args.chromium)
        base = f"http://127.0.0.1:{port}"

        def shot(name: str, wait_text: str) -> None:
            ok = browser.wait_for(wait_text)
            exc = browser.exception_shown()
            if not ok:
                failures.append(f"{name}: '{wait_text}' never appeared")
            if exc:
                failures.append(f"{name}: exception on the page: {exc}")
            browser.screenshot(args.out / f"{name}.png")
            print(f"{name}: {'ok' if ok and not exc else 'PROBLEM'} -> {args.out / (name + '.png')}")

        browser.goto(base + "/")
        shot("1_inputs", "Исходные данные")
        browser.nav("Расчёт и результаты")
        browser.wait_for("Рассчитать")
        browser.click_button("Рассчитать")
        shot("2_results", "Назначения")
        # a second scenario with a tighter distance limit, then compare
        browser.js("(() => { const i = [...document.querySelectorAll('input[type=number]')][1];"
                   " const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;"
                   " set.call(i, '40'); i.dispatchEvent(new Event('input', {bubbles: true}));"
                   " i.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true})); })()")
        time.sleep(2)
        browser.click_button("Рассчитать")
        browser.wait_for("Сценарий 2")
        browser.nav("Сравнение сценариев")
        shot("3_compare", "Выпускники, у которых изменилось место")
        browser.nav("Сеть медицинских пунктов")
        # the village network (villages/ of the bundled round) is the default source: rule gaps,
        # staffed access before/after the last run, then the default plan (10 sites, 6 km)
        shot("4_network_villages_gaps", "Поселения, где не выполнены нормативы сети")
        browser.click_button("Рассчитать план сети")
        shot("4_network_villages", "Выбранные места новых пунктов")
        browser.js("(() => { const l = [...document.querySelectorAll('label')].find(l => "
                   "l.innerText.includes('Синтетическая')); if (l) l.click(); })()")
        browser.wait_for("сгенерированы")
        browser.click_button("Рассчитать план сети")
        shot("4_network_synthetic", "Выбранные места новых пунктов")
        # English: the switch is a radio in the sidebar
        browser.js("(() => { const l = [...document.querySelectorAll('label')].find(l => l.innerText.trim() === "
                   "'English'); if (l) l.click(); })()")
        browser.wait_for("Facility network")
        browser.nav("Run and results")
        shot("5_results_en", "Run and results")
    finally:
        if browser:
            browser.close()
        server.terminate()
        server.wait(10)
        server_log.close()
        shutil.rmtree(store_dir, ignore_errors=True)
    log_text = (args.out / "streamlit.log").read_text(encoding="utf-8", errors="replace")
    if "Traceback" in log_text:
        failures.append(f"the server logged a traceback (see {args.out / 'streamlit.log'})")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

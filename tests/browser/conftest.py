"""Real-browser tests of the Streamlit app: Playwright for Python driving Debian's chromium.

One ``streamlit run ui_streamlit.py`` server per test session, on a free port, with a temporary
run store and queue (never the user's); one headless chromium; a fresh page (a new Streamlit
session) per test. Each test saves PNGs of its key steps in the artefacts folder
(``$ALLOCATOR_ARTIFACTS``, default ``artifacts/screenshots/`` at the repository root), and the
speed figure measured by the run test is printed in pytest's terminal summary.

Without chromium the tests are skipped locally with the reason, and fail in CI (``$CI`` set).
Never ``playwright install``: the browser is ``/usr/bin/chromium`` (``$ALLOCATOR_CHROMIUM``).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from support.paths import ROOT

from ui.i18n import t

CHROMIUM = os.environ.get("ALLOCATOR_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# without the background-networking flags chromium's own connections are refused by a closed network
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 60_000  # a first solve on a loaded 2-core CI machine; the usual wait is seconds
ARTIFACTS = Path(os.environ.get("ALLOCATOR_ARTIFACTS") or ROOT / "artifacts" / "screenshots")
SPEED_FILE = "speed.txt"
expect.set_options(timeout=TIMEOUT_MS)  # assertions wait as long as actions (an upload is checked on a busy CI)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder the screenshots (and speed.txt) go to, created."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / SPEED_FILE).unlink(missing_ok=True)  # this session's figures only
    return ARTIFACTS


@pytest.fixture(scope="session")
def store_env(tmp_path_factory) -> dict[str, str]:
    """ALLOCATOR_DB and ALLOCATOR_SPOOL of the app under test: a temporary SQLite file and queue."""
    folder = tmp_path_factory.mktemp("browser-store")
    return {"ALLOCATOR_DB": str(folder / "runs.sqlite"), "ALLOCATOR_SPOOL": str(folder / "queue")}


@pytest.fixture(scope="session")
def server(store_env, artifacts, tmp_path_factory):
    """Base URL of one Streamlit server for the session, stopped (and its log kept) at the end."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("browser-server") / "streamlit.log"
    env = {**os.environ, **store_env}
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "ui_streamlit.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        end = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > end:
                pytest.fail(f"streamlit did not answer on {base}:\n{log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.copy(log_path, artifacts / "streamlit.log")


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the session; skipped locally without it, failing in CI."""
    if not Path(CHROMIUM).exists():
        reason = f"chromium not found at {CHROMIUM} (Debian: apt-get install chromium); never `playwright install`"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class App:
    """The app in one browser page, driven by the labels a person reads (from the catalogue)."""

    def __init__(self, page: Page, base: str, shots: Path, test: str):
        self.page, self.base, self.shots, self.test = page, base, shots, test
        self.lang = "ru"

    def t(self, key: str, **fmt) -> str:
        """Catalogue text ``key`` in the page's current language."""
        return t(key, self.lang, **fmt)

    def open(self) -> App:
        """Load the app (a new session: the bundled Penza round) and wait for its title."""
        self.page.goto(self.base + "/")
        expect(self.page.get_by_role("heading", name=self.t("app_title"))).to_be_visible(timeout=TIMEOUT_MS)
        self.check()
        return self

    def nav(self, page_key: str) -> None:
        """Follow a sidebar link (a reload would start a new session) and wait for the page's title."""
        title = self.t(page_key)
        self.page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
        expect(self.page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=TIMEOUT_MS)
        self.check()

    def switch_language(self, lang: str) -> None:
        """Click the sidebar radio «Русский» / «English» and wait for the sidebar to follow."""
        name = {"ru": "Русский", "en": "English"}[lang]
        self.page.get_by_test_id("stSidebar").get_by_text(name, exact=True).click()
        self.lang = lang
        expect(self.page.get_by_test_id("stSidebarNav").get_by_role("link", name=self.t("page_run"))) \
            .to_be_visible(timeout=TIMEOUT_MS)

    def button(self, key: str, **fmt):
        """The button labelled with catalogue text ``key``."""
        return self.page.get_by_role("button", name=self.t(key, **fmt), exact=True)

    def choose_file(self, name: str, content: bytes, mime: str) -> None:
        """Choose ``name`` in the page's file uploader and wait until the browser has sent it: the
        uploader lists it and its spinner is gone. A button pressed before that would act on the
        file chosen before (the server learns of the new file only when its upload ends)."""
        uploader = self.page.get_by_test_id("stFileUploader")
        uploader.locator("input[type=file]").set_input_files({"name": name, "mimeType": mime, "buffer": content})
        expect(uploader.get_by_test_id("stFileChipName")).to_have_text(name, timeout=TIMEOUT_MS)
        expect(uploader.get_by_test_id("stFileChipIconSpinner")).to_have_count(0, timeout=TIMEOUT_MS)

    def run(self) -> str:
        """Press «Рассчитать» and wait for the results of the new scenario; returns its name."""
        name = self.scenario_name()
        self.button("run_button").click()
        self.wait_results(name)
        return name

    def scenario_name(self) -> str:
        """The run page's scenario name field, once the page has filled it in."""
        field = self.page.get_by_label(self.t("scenario_name"))
        expect(field).not_to_have_value("")
        return field.input_value()

    def wait_results(self, name: str):
        """Wait for the results heading of scenario ``name``."""
        heading = self.page.get_by_role("heading", name=self.t("results_header", name=name), exact=True)
        expect(heading).to_be_visible(timeout=TIMEOUT_MS)
        return heading

    def metric(self, key: str, **fmt) -> float:
        """The value of the metric whose label starts with catalogue text ``key`` (any number format:
        decimal comma or point, thin or no-break spaces between thousands)."""
        box = self.page.get_by_test_id("stMetric").filter(
            has=self.page.get_by_test_id("stMetricLabel").filter(has_text=self.t(key, **fmt))).first
        return self.number(box.get_by_test_id("stMetricValue").inner_text())

    def grid(self, header_key: str):
        """The table (st.dataframe / st.data_editor grid, or st.table) with a column headed by catalogue
        text ``header_key``."""
        return self.page.locator("[data-testid=stDataFrame], [data-testid=stTable]").filter(
            has=self.page.locator("th", has_text=self.t(header_key))).first

    def check(self) -> None:
        """Fail if the page shows a Streamlit exception box."""
        exc = self.page.get_by_test_id("stException")
        if exc.count():
            pytest.fail(f"exception on the page: {exc.first.inner_text()[:1000]}")

    def shot(self, step: str) -> Path:
        """Check the page and save a full-page PNG of this step: ``<test>__<step>.png``."""
        self.check()
        page = self.page
        # Streamlit scrolls inside its main section, so a "full page" shot would be the viewport:
        # the viewport is made as tall as the content for the shot (at most 8000 px), then restored
        size = page.viewport_size
        height = page.evaluate("Math.max(document.body.scrollHeight, ...[...document.querySelectorAll("
                               "'section, [data-testid=stMain]')].map(e => e.scrollHeight))")
        page.set_viewport_size({"width": size["width"], "height": int(min(max(height, size["height"]), 8000))})
        page.wait_for_timeout(700)  # the layout, charts and maps follow the new size
        path = self.shots / f"{self.test}__{step}.png"
        page.screenshot(path=str(path))
        page.set_viewport_size(size)
        return path

    @staticmethod
    def number(text: str) -> float:
        """A number as the page shows it: '1 234,5', '1,234.5', '−3' and a trailing unit allowed."""
        s = text.strip().replace("\u2212", "-")
        s = re.sub(r"[\s\u00a0\u202f\u2009]", "", s)
        if "," in s and "." in s:
            s = s.replace(",", "")
        s = s.replace(",", ".")
        m = re.match(r"-?\d+(\.\d+)?", s)
        if not m:
            raise AssertionError(f"not a number: {text!r}")
        return float(m.group(0))

    @staticmethod
    def grid_rows(grid) -> list[dict[str, str]]:
        """The rows of a table by column header: all of an st.table's, the drawn ones of a data grid.

        glide-data-grid (st.dataframe, st.data_editor) draws on a canvas and keeps the visible cells
        in a ``<table role="grid">`` inside it for screen readers; rows scrolled out of view are not there."""
        return grid.evaluate("""g => {
            const heads = [...g.querySelectorAll('table thead th')].map(th => th.innerText.trim());
            return [...g.querySelectorAll('table tbody tr')].map(tr => Object.fromEntries(
                [...tr.querySelectorAll('th, td')].map((td, i) => [heads[i], td.textContent.trim()])));
        }""")

    @staticmethod
    def grid_row_count(grid) -> int:
        """How many data rows the table holds, drawn or not (a data grid's ``aria-rowcount`` less the header)."""
        return grid.evaluate("""g => {
            const t = g.querySelector('table');
            return t.hasAttribute('aria-rowcount') ? Number(t.getAttribute('aria-rowcount')) - 1
                : t.querySelectorAll('tbody tr').length;
        }""")

    @staticmethod
    def edit_cell(grid, row: int, column: int, value: str) -> None:
        """Type ``value`` into cell (row, column) of a data editor, as a person does: click into the
        grid, move to the cell with the arrow keys, Enter to edit, type the value, Enter.

        The canvas has no per-cell elements to click, so the click goes to the first cell's position
        (below the header row); the arrow keys then move the selection, which the accessible table
        reports (``aria-selected``), so the test checks it is on the right cell before typing."""
        page = grid.page
        box = grid.locator("canvas").first.bounding_box()
        page.mouse.click(box["x"] + 8, box["y"] + 35 + 17)  # Streamlit's header and rows are 35 px high
        for _ in range(row):
            page.keyboard.press("ArrowDown")
        for _ in range(column):
            page.keyboard.press("ArrowRight")
        expect(grid.get_by_test_id(f"glide-cell-{column}-{row}")).to_have_attribute("aria-selected", "true")
        page.keyboard.press("Enter")  # opens the cell's editor, an <input> over the canvas
        field = page.locator("input.gdg-input, textarea.gdg-input")
        field.fill(value)  # typed keys would race the editor's opening (the first one is lost)
        field.press("Enter")


@pytest.fixture
def app(browser, server, artifacts, request):
    """A fresh page on the app (its own Streamlit session), 1440 px wide, the bundled round loaded."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True,
                                  locale="ru-RU")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    app = App(page, server, artifacts, request.node.name.removeprefix("test_"))
    try:
        yield app.open()
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:  # what the page showed when the test failed
            page.screenshot(path=str(artifacts / f"{app.test}__FAILED.png"))
    finally:
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item (``rep_call``), for the failure screenshot."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def record_speed(artifacts):
    """``record_speed(line)`` keeps a line for the terminal summary (in the artefacts' speed.txt)."""
    def record(line: str) -> None:
        with (artifacts / SPEED_FILE).open("a", encoding="utf-8") as f:
            f.write(line + "\n")
    return record


def pytest_terminal_summary(terminalreporter):
    """Print the speed figure and where the screenshots are."""
    speed = ARTIFACTS / SPEED_FILE
    if speed.exists():
        terminalreporter.write_sep("-", "browser tests")
        for line in speed.read_text(encoding="utf-8").splitlines():
            terminalreporter.write_line(line)
        terminalreporter.write_line(f"screenshots: {ARTIFACTS}")

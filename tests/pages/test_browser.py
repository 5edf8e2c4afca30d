"""The dashboard in a real browser: every page at desktop and phone width, in both languages where it matters.

Starts `streamlit run app.py` on a free port with an empty store, drives Debian's chromium through Playwright, checks
each page finishes without an exception and draws its charts, and saves full-page screenshots under
test-output/screenshots/ (for people to look at).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDTHS = {"desktop": 1280, "phone": 390}
SMALL = "steps=200&seeds=4&opts=adam,sgd,momentum"
BOTH = tuple(WIDTHS)
PAGES = [  # (name, path and query, language, charts expected at least, widths)
    ("lecture", "/?seed=0", "en", 3, BOTH),
    ("lecture", "/?seed=0", "ja", 3, BOTH),
    ("optimizers", f"/optimizers?{SMALL}", "en", 4, BOTH),
    ("optimizers", f"/optimizers?{SMALL}", "ja", 4, BOTH),
    ("depth", "/depth?depths=1-3&seeds=3&steps=150&tests=1", "en", 4, BOTH),
    ("depth", "/depth?depths=1-3&seeds=3&steps=150&tests=1", "ja", 4, ("phone",)),
    ("results", "/results", "en", 0, BOTH),
    ("results", "/results", "ja", 0, ("phone",)),
    ("lecture-variant", "/?encoding=onehot&depth=2&width=3&activation=relu&steps=300", "en", 3, ("desktop",)),
    ("lecture-bad-url", "/?seed=-1&depth=10000&optimizer=nope&lr=abc", "en", 3, ("phone",)),
]
CASES = [(*page[:4], width) for page in PAGES for width in page[4]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api")
    port = _free_port()
    env = {**os.environ, "LAB_STORE": str(tmp_path_factory.mktemp("store"))}
    streamlit = shutil.which("streamlit", path=str(Path(sys.executable).parent)) or "streamlit"
    proc = subprocess.Popen(
        [streamlit, "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if time.time() > deadline or proc.poll() is not None:
                pytest.fail("the Streamlit server did not start")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _open(browser, url: str, width: int, lang: str):
    locale = "ja-JP" if lang == "ja" else "en-US"
    context = browser.new_context(viewport={"width": width, "height": 900}, locale=locale)
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=90_000)
    page.wait_for_timeout(400)  # a rerun may follow the first run
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=90_000)
    return context, page


def _screenshot(page, width: int, path: Path) -> None:
    """The whole page: the app scrolls inside its own container, so grow the viewport to the content's height."""
    height = page.evaluate("""() => Math.max(...Array.from(document.querySelectorAll('*'),
                                                            el => el.scrollHeight || 0))""")
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 12_000)})
    page.wait_for_timeout(500)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)


@pytest.mark.parametrize(("name", "path", "lang", "charts", "width_name"), CASES,
                         ids=[f"{c[0]}-{c[2]}-{c[4]}" for c in CASES])
def test_page_renders(browser, server, name, path, lang, charts, width_name):
    sep = "&" if "?" in path else "?"
    context, page = _open(browser, f"{server}{path}{sep}lang={lang}", WIDTHS[width_name], lang)
    try:
        assert page.locator("[data-testid='stException']").count() == 0
        if charts:
            page.wait_for_selector("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg",
                                   timeout=30_000)
            page.wait_for_function(
                f"document.querySelectorAll(\"[data-testid='stVegaLiteChart']\").length >= {charts}", timeout=30_000)
            assert page.locator("[data-testid='stVegaLiteChart']").count() >= charts
        if name == "lecture-bad-url":
            warning = page.locator("[data-testid='stAlertContentWarning']").first.inner_text()
            assert "depth=10000" in warning and "optimizer=nope" in warning
        if lang == "ja":
            heading = page.locator("h1").first.inner_text()
            assert any(ord(ch) > 0x3000 for ch in heading), heading
        _screenshot(page, WIDTHS[width_name], SHOTS / f"{name}-{lang}-{width_name}.png")
    finally:
        context.close()


def test_navigation_keeps_the_language_and_the_form_runs(browser, server):
    """Open in Japanese, go to the optimizers page through the sidebar, shrink the experiment and press Run."""
    context, page = _open(browser, f"{server}/?lang=ja&steps=100", 1280, "ja")
    try:
        page.get_by_role("link", name="最適化手法の比較").click()
        page.wait_for_url("**/optimizers**")
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=90_000)
        assert "lang=ja" in page.url
        form = page.locator("[data-testid='stForm']")
        for label, value in (("反復回数", "150"), ("最適化手法ごとのシード数", "3")):
            field = form.get_by_role("spinbutton", name=label, exact=True)
            field.fill(value)
            field.press("Tab")
        form.get_by_role("button", name="実行").click()
        page.wait_for_function("() => location.search.includes('steps=150')", timeout=30_000)
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=90_000)
        page.wait_for_selector("[data-testid='stVegaLiteChart']", timeout=30_000)
        assert page.locator("[data-testid='stException']").count() == 0
        assert "seeds=3" in page.url and "lang=ja" in page.url
        assert page.locator("[data-testid='stVegaLiteChart']").count() >= 4
    finally:
        context.close()

"""Time from opening a page to a playing replay, in a real browser: python bench/bench_replay.py [--pages A,B]

For each store state (a fresh, empty store; a store warmed with `python -m lab warm --pages ...`, as a teacher does
before class) and each page with a replay, starts the real server (`streamlit run app.py`) on that store, opens the
page's default view in headless Chromium (Playwright, Debian's /usr/bin/chromium) and measures:

  shown    from the navigation's start until the replay's Play button and slider are on the page;
  playing  from the navigation's start until, Play pressed at once, the slider has moved to a later frame;

for the first visitor of a freshly started server (its first script run imports the lab and starts the worker pool)
and for a second visitor after it. Prints one table; `--json FILE` writes the numbers.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from visitors import ROOT, Server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
PAGES = {"lecture": ("/", "frame"), "neurons": ("/neurons", "xor_frame")}  # page -> (path, slider's parameter)
TIMEOUT_MS = 300_000  # a fresh store: the page trains its default view first


def visit(browser, url: str, param: str) -> dict:
    """One visitor: open `url`, wait for the replay, press Play, wait for the slider to move."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        slider = page.locator(f"input[type='range'][name='{param}']")
        play = page.get_by_role("button", name="▶ Play")
        slider.wait_for(timeout=TIMEOUT_MS)
        play.wait_for(timeout=TIMEOUT_MS)
        shown = time.perf_counter() - start
        first = int(slider.input_value())
        play.click()
        page.wait_for_function(
            f"v => {{ const s = document.querySelector(\"input[name='{param}']\"); "
            f"return s && Number(s.value) !== v && Number(s.value) > 0; }}", arg=first, timeout=10_000)
        return {"shown_s": shown, "playing_s": time.perf_counter() - start}
    finally:
        context.close()


def measure(store: Path, pages: list[str], log: Path) -> dict:
    from playwright.sync_api import sync_playwright

    out = {}
    with Server(store, log) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        try:
            for name in pages:  # the first page opened also pays for the server's first script run
                path, param = PAGES[name]
                url = f"{server.url}{path}?lang=en"
                out[name] = {"first visitor": visit(browser, url, param), "second visitor": visit(browser, url, param)}
        finally:
            browser.close()
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default="lecture,neurons", help="pages with a replay (default lecture,neurons)")
    parser.add_argument("--json", metavar="FILE", help="also write the numbers as JSON")
    args = parser.parse_args(argv)
    pages = [p for p in args.pages.split(",") if p]
    if unknown := [p for p in pages if p not in PAGES]:
        parser.error(f"--pages: no replay on {', '.join(unknown)} (choose from {', '.join(PAGES)})")
    if not Path(CHROMIUM).exists():
        parser.error(f"{CHROMIUM} is not installed (apt-get install chromium)")
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-replay-") as tmp:
        for state in ("fresh", "warmed"):
            store = Path(tmp) / state
            store.mkdir()
            if state == "warmed":
                start = time.perf_counter()
                subprocess.run([sys.executable, "-m", "lab", "warm", "--store", str(store), "--pages", ",".join(pages)],
                               cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
                print(f"-- warmed {','.join(pages)} in {time.perf_counter() - start:.1f} s", flush=True)
            results[state] = measure(store, pages, Path(tmp) / f"server-{state}.log")
    print(f"\n{'store':8} {'page':9} {'visitor':15} {'replay shown':>13} {'playing':>9}")
    for state, per_page in results.items():
        for name, visitors in per_page.items():
            for who, t in visitors.items():
                print(f"{state:8} {name:9} {who:15} {t['shown_s']:12.1f}s {t['playing_s']:8.1f}s")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

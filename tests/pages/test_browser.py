"""The dashboard in a real browser: every page at desktop and phone width, in both languages where it matters.

Starts `streamlit run app.py` on a free port with an empty store, drives Debian's chromium through Playwright, checks
each page finishes without an exception and draws its charts, and saves full-page screenshots under
test-output/screenshots/ (for people to look at). The fixtures `server` and `browser` are in tests/conftest.py.
"""

from __future__ import annotations

import pytest
from helpers import DONE, FIRST_VISIT, SHOTS, WIDTHS, open_page, screenshot

pytestmark = pytest.mark.browser

SMALL = "steps=200&seeds=4&opts=adam,sgd,momentum"
BOTH = tuple(WIDTHS)
PAGES = [  # (name, path and query, language, charts expected at least, widths)
    ("lecture", "/?seed=0", "en", 3, BOTH),
    ("lecture", "/?seed=0", "ja", 3, BOTH),
    ("optimizers", f"/optimizers?{SMALL}", "en", 4, BOTH),
    ("optimizers", f"/optimizers?{SMALL}", "ja", 4, BOTH),
    ("depth", "/depth?depths=1-3&seeds=3&steps=150&tests=1", "en", 4, BOTH),
    ("depth", "/depth?depths=1-3&seeds=3&steps=150&tests=1", "ja", 4, ("phone",)),
    ("landscape", "/landscape?steps=200&opts=sgd,adam", "en", 2, BOTH),
    ("landscape", "/landscape?steps=200&opts=sgd,adam", "ja", 2, BOTH),
    ("results", "/results", "en", 0, BOTH),
    ("results", "/results", "ja", 0, ("phone",)),
    ("papers", "/papers", "en", 2, ("phone",)),  # a fresh store: the shipped table's figures
    ("papers", "/papers?paper=glorot", "ja", 3, ("desktop",)),
    ("lecture-variant", "/?encoding=onehot&depth=2&width=3&activation=relu&steps=300", "en", 3, ("desktop",)),
    ("lecture-bad-url", "/?seed=-1&depth=10000&optimizer=nope&lr=abc", "en", 3, ("phone",)),
]
CASES = [(*page[:4], width) for page in PAGES for width in page[4]]


@pytest.mark.parametrize(("name", "path", "lang", "charts", "width_name"), CASES,
                         ids=[f"{c[0]}-{c[2]}-{c[4]}" for c in CASES])
def test_page_renders(browser, server, name, path, lang, charts, width_name):
    sep = "&" if "?" in path else "?"
    context, page = open_page(browser, f"{server}{path}{sep}lang={lang}", WIDTHS[width_name], lang)
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
        if name == "optimizers":  # the main action on the first screen, also on a phone
            run = page.locator("[data-testid='stForm']").get_by_role("button", name="実行" if lang == "ja" else "Run")
            assert run.bounding_box()["y"] + run.bounding_box()["height"] < 900
        if lang == "ja":
            heading = page.locator("h1").first.inner_text()
            assert any(ord(ch) > 0x3000 for ch in heading), heading
        screenshot(page, WIDTHS[width_name], SHOTS / f"{name}-{lang}-{width_name}.png")
    finally:
        context.close()


def test_navigation_keeps_the_language_and_the_form_runs(browser, server):
    """Open in Japanese, go to the optimizers page through the sidebar, shrink the experiment and press Run."""
    context, page = open_page(browser, f"{server}/?lang=ja&steps=100", 1280, "ja")
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


@pytest.mark.parametrize(("lang", "width_name"), [("en", "desktop"), ("ja", "phone")])
def test_the_replay_slider_redraws_in_the_browser(browser, server, lang, width_name):
    """Moving the lecture page's replay slider redraws the chart in the browser: the frame's number follows, the
    picture changes, and the server runs nothing."""
    context, page = open_page(browser, f"{server}/?seed=0&steps=200&lang={lang}", WIDTHS[width_name], lang)
    try:
        chart = page.locator("[data-testid='stVegaLiteChart']").filter(has=page.locator("input[type='range']"))
        chart.wait_for(timeout=30_000)
        slider = chart.locator("input[type='range']")
        assert slider.get_attribute("max") == "40" and slider.input_value() == "40"
        chart.scroll_into_view_if_needed()
        before = chart.screenshot()
        slider.evaluate("el => { el.value = '3'; el.dispatchEvent(new Event('input', {bubbles: true})); }")
        page.wait_for_timeout(500)
        assert chart.locator(".vega-bind").inner_text().split()[-1] == "3"
        assert chart.screenshot() != before
        assert page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").count() == 1
        assert page.locator("[data-testid='stException']").count() == 0
        screenshot(page, WIDTHS[width_name], SHOTS / f"replay-frame3-{lang}-{width_name}.png")
    finally:
        context.close()


PLAYERS = [  # (page, path, slider's parameter, language, width)
    ("lecture", "/?seed=0&steps=200", "frame", "en", "desktop"),
    ("lecture", "/?seed=0&steps=200", "frame", "ja", "phone"),
    ("neurons", "/neurons?width=2&seed=1", "xor_frame", "en", "phone"),
    ("neurons", "/neurons?width=2&seed=1", "xor_frame", "ja", "desktop"),
    ("depth", "/depth?depths=4-5&depth=5&seeds=2&steps=200&tests=1", "stall_frame", "en", "desktop"),
    ("depth", "/depth?depths=4-5&depth=5&seeds=2&steps=200&tests=1", "stall_frame", "ja", "phone"),
]


@pytest.mark.usefixtures("warm")  # the server's first run has happened: a deep link opens inside the navigation
@pytest.mark.parametrize(("name", "path", "param", "lang", "width_name"), PLAYERS,
                         ids=[f"{p[0]}-{p[3]}-{p[4]}" for p in PLAYERS])
def test_play_steps_the_replay_and_pause_stops_it(browser, server, name, path, param, lang, width_name):
    """The replay's Play button steps the chart's slider frame by frame in the browser (from the first frame when it
    stands at the last), the picture follows, Pause stops it where it is, and the server runs nothing meanwhile."""
    context, page = open_page(browser, f"{server}{path}&lang={lang}", WIDTHS[width_name], lang, timeout=FIRST_VISIT)
    try:
        slider = page.locator(f"input[type='range'][name='{param}']")
        slider.wait_for(timeout=30_000)
        chart = page.locator("[data-testid='stVegaLiteChart']").filter(has=slider)
        play = page.get_by_role("button", name="▶ 再生" if lang == "ja" else "▶ Play")
        assert slider.input_value() == slider.get_attribute("max") == "40"
        play.scroll_into_view_if_needed()
        before = chart.screenshot()
        play.click()
        page.wait_for_function(f"Number(document.querySelector(\"input[name='{param}']\").value) >= 3",
                               timeout=10_000)
        pause = page.get_by_role("button", name="❚❚ 一時停止" if lang == "ja" else "❚❚ Pause")
        assert pause.get_attribute("aria-pressed") == "true"
        pause.click()
        stopped = int(slider.input_value())
        assert 3 <= stopped < 40
        page.wait_for_timeout(800)  # more than three frames' time: nothing moves while paused
        assert int(slider.input_value()) == stopped
        assert chart.locator(".vega-bind").inner_text().split()[-1] == str(stopped)
        assert chart.screenshot() != before
        assert page.locator(DONE).count() == 1
        assert page.locator("[data-testid='stException']").count() == 0
        screenshot(page, WIDTHS[width_name], SHOTS / f"replay-paused-{name}-{lang}-{width_name}.png")
    finally:
        context.close()


def test_the_landscape_form_redraws_with_normalised_directions(browser, server):
    context, page = open_page(browser, f"{server}/landscape?steps=150&opts=adam&lang=en", WIDTHS["phone"], "en")
    try:
        form = page.locator("[data-testid='stForm']")
        form.get_by_text("Filter-normalised directions").click()
        form.get_by_role("button", name="Draw").click()
        page.wait_for_function("() => location.search.includes('normalize=1')", timeout=30_000)
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=90_000)
        page.wait_for_selector("[data-testid='stVegaLiteChart']", timeout=30_000)
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.locator("[data-testid='stVegaLiteChart']").count() == 2
        assert "steps=150" in page.url and "opts=adam" in page.url
    finally:
        context.close()


@pytest.mark.parametrize(("path", "lang", "width_name"), [
    ("/tuning?opts=sgd,momentum,adagrad,adadelta,rmsprop,adam&batches=1,2,4,8,16,32&per_decade=1&steps=60&seeds=2",
     "ja", "desktop"),
    ("/optimizers?steps=60&seeds=2", "en", "phone")])
def test_every_chosen_option_shows_in_its_multiselect(browser, server, path, lang, width_name):
    context, page = open_page(browser, f"{server}{path}&lang={lang}", WIDTHS[width_name], lang)
    try:
        boxes = page.locator("[data-testid='stMultiSelect']")
        assert boxes.count() >= 1
        for k in range(boxes.count()):
            box = boxes.nth(k).locator("[data-testid='stMultiSelectTagsContainer']").bounding_box()
            tags = boxes.nth(k).locator("[data-tag-index]")
            assert tags.count() == 6
            for t in range(tags.count()):
                tag = tags.nth(t).bounding_box()
                assert box["x"] <= tag["x"] and tag["x"] + tag["width"] <= box["x"] + box["width"], (k, t)
    finally:
        context.close()

"""A class run in a real browser: one teacher starts it, five students in their own browser contexts (desktop and
phone widths, English and Japanese) add their runs at about the same time, and the teacher's page, never reloaded,
counts every run. Full-page screenshots of the teacher and the students go to test-output/screenshots/.
The fixtures `server`, `browser` and `warm` are in tests/conftest.py."""

from __future__ import annotations

import io
import warnings
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from helpers import DONE, SHOTS, WIDTHS, open_page, screenshot
from PIL import Image

from lab.dashboard import shell
from lab.dashboard.classrun.charts import CLASS, MEDIAN

pytestmark = pytest.mark.browser

STUDENTS = [("desktop", "en", 101), ("phone", "ja", 202), ("desktop", "ja", 303), ("phone", "en", 404),
            ("phone", "ja", 505)]
RUNS_SHOWN = """([label, n]) => Array.from(document.querySelectorAll("[data-testid='stMetric']")).some(
    m => m.innerText.includes(label) && m.querySelector("[data-testid='stMetricValue']")?.innerText.trim() === n)"""


def test_a_teacher_and_five_students(browser, server, warm):
    teacher_context, teacher = open_page(browser, f"{server}/class?lang=en&steps=300", WIDTHS["desktop"], "en")
    contexts = [teacher_context]
    try:
        teacher.get_by_role("button", name=shell.text("cls.start.button", "en")).click()
        teacher.wait_for_function("() => location.search.includes('teacher=')", timeout=30_000)
        teacher.wait_for_selector(DONE, timeout=30_000)
        query = parse_qs(urlparse(teacher.url).query)
        code = query["code"][0]
        teacher.get_by_text(f"?code={code}&teacher={query['teacher'][0]}").wait_for(timeout=30_000)
        teacher.locator("[data-testid='stImage'] img").wait_for(timeout=30_000)  # the QR code
        students = []
        for width, lang, seed in STUDENTS:
            context, page = open_page(browser, f"{server}/class?code={code}&lang={lang}", WIDTHS[width], lang)
            contexts.append(context)
            page.get_by_label(shell.text("cls.seed", lang), exact=True).fill(str(seed))
            students.append((page, width, lang, seed))
        for page, _, lang, _ in students:  # about the same time: they train as one stack
            page.get_by_role("button", name=shell.text("cls.add.button", lang)).click()
        for page, _, lang, seed in students:
            page.get_by_text(shell.text("cls.add.done", lang, seed=seed)).wait_for(timeout=120_000)
            page.wait_for_selector(DONE, timeout=60_000)
            assert page.locator("[data-testid='stException']").count() == 0
            assert parse_qs(urlparse(page.url).query)["mine"] == [str(seed)]
        teacher.wait_for_function(RUNS_SHOWN, arg=[shell.text("cls.count", "en"), str(len(STUDENTS))],
                                  timeout=30_000)  # refreshed by itself, never reloaded
        teacher.wait_for_selector("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg",
                                  timeout=30_000)
        assert teacher.locator("[data-testid='stException']").count() == 0
        last = students[-1][0]  # the first student's page counts the later ones too
        students[0][0].wait_for_function(RUNS_SHOWN, arg=[shell.text("cls.count", "en"), str(len(STUDENTS))],
                                         timeout=30_000)
        assert last.locator("[data-testid='stVegaLiteChart']").count() >= 3  # own curve, the class's two charts
        teacher.wait_for_timeout(6_000)  # the charts redrawn with every run (a refresh every 5 s)
        screenshot(teacher, WIDTHS["desktop"], SHOTS / "class-teacher-en-desktop.png")
        shots = {(w, lang): page for page, w, lang, _ in students}
        for (width, lang), page in shots.items():
            screenshot(page, WIDTHS[width], SHOTS / f"class-student-{lang}-{width}.png")
        pages = {"teacher": teacher, **shots}
        drawn = {name: drawn_marks(page) for name, page in pages.items()}
        empty = [name for name, counts in drawn.items() if min(counts) <= DRAWN]
        if empty:  # a known fault, not solved yet (README, "Class run"): test_the_teachers_charts_draw_every_run
            # requires the live charts drawn; with five at once, the class's curves now and then draw empty
            warnings.warn(f"class charts drawn empty, on {empty}: {drawn}", stacklevel=1)
    finally:
        for context in contexts:
            context.close()


@pytest.mark.parametrize(("width", "lang"), [("phone", "ja"), ("phone", "en"), ("desktop", "ja")])
def test_the_teachers_view_at_each_size_and_language(browser, server, warm, width, lang):
    context, page = open_page(browser, f"{server}/class?lang={lang}&steps=300", WIDTHS[width], lang)
    try:
        page.get_by_role("button", name=shell.text("cls.start.button", lang)).click()
        page.wait_for_function("() => location.search.includes('teacher=')", timeout=30_000)
        page.wait_for_selector(DONE, timeout=30_000)
        page.get_by_text(shell.text("cls.teacher.mode", lang)).wait_for(timeout=30_000)
        assert page.locator("[data-testid='stException']").count() == 0
        screenshot(page, WIDTHS[width], SHOTS / f"class-teacher-{lang}-{width}.png")
    finally:
        context.close()


CHARTS = "[data-testid='stVegaLiteChart']"


def rgb_of(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def class_marks(page) -> list[int]:
    """The pixels of the marks drawn in each chart of `page`: the class's colour over white (the faint curves, the
    bars; a blend of CLASS at some opacity has that opacity in all three channels, which no grey axis, label, grid
    line or reference bar has) and the median's. An empty chart has next to none."""
    blue = rgb_of(CLASS)
    counts = []
    for i in range(page.locator(CHARTS).count()):
        shot = page.locator(CHARTS).nth(i).screenshot()
        rgb = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB"), dtype=float)
        alpha = (255 - rgb) / (255 - blue)  # per channel: how much of CLASS over white
        same = (np.ptp(alpha, axis=-1) < 0.05) & (alpha.mean(axis=-1) > 0.1)  # not the grid's bluish grey
        median = np.abs(rgb - rgb_of(MEDIAN)).max(axis=-1) < 16
        counts.append(int((same | median).sum()))
    return counts


DRAWN = 20  # more marked pixels than this: a chart with its marks drawn (an empty one has 0, a phone's histogram ~100)
REDRAW_S = 30  # how long a chart may take to paint again after a live update on a busy machine


def drawn_marks(page, last: int = 2) -> list[int]:
    """`class_marks` of the page's `last` charts once each has its marks drawn, or as they are after REDRAW_S
    seconds: a live update repaints a chart, which on a busy machine can be caught half-way, but a chart that an
    update left empty stays empty (the refreshes after the last run change nothing, so nothing repaints it)."""
    for _ in range(REDRAW_S):
        counts = class_marks(page)[-last:]
        if len(counts) == last and min(counts) > DRAWN:
            break
        page.wait_for_timeout(1_000)
    return counts


def add_run(context, server: str, code: str, seed: int) -> None:
    page = context.new_page()
    page.goto(f"{server}/class?code={code}&lang=en", wait_until="domcontentloaded")
    page.wait_for_selector(DONE, timeout=60_000)
    page.get_by_label(shell.text("cls.seed", "en"), exact=True).fill(str(seed))
    page.get_by_role("button", name=shell.text("cls.add.button", "en")).click()
    page.get_by_text(shell.text("cls.add.done", "en", seed=seed)).wait_for(timeout=120_000)
    page.close()


def test_the_teachers_charts_draw_every_run(browser, server, warm):
    """The teacher's page, never reloaded, draws the runs in both class charts after each live update: the class's
    colour fills the curves and the histogram after the first run and is still there, at least as much of it, once
    three more have come (a chart emptied by an update would have none)."""
    teacher_context, teacher = open_page(browser, f"{server}/class?lang=en&steps=300", WIDTHS["desktop"], "en")
    students = browser.new_context(viewport={"width": WIDTHS["desktop"], "height": 900}, locale="en-US")
    try:
        teacher.get_by_role("button", name=shell.text("cls.start.button", "en")).click()
        teacher.wait_for_function("() => location.search.includes('teacher=')", timeout=30_000)
        code = parse_qs(urlparse(teacher.url).query)["code"][0]
        seen = []
        for seeds in ((11,), (22, 33, 44)):
            for seed in seeds:
                add_run(students, server, code, seed)
            n = sum(len(s) for s in ((11,), (22, 33, 44))[: len(seen) + 1])
            teacher.wait_for_function(RUNS_SHOWN, arg=[shell.text("cls.count", "en"), str(n)], timeout=30_000)
            seen.append(drawn_marks(teacher))
        assert all(len(counts) == 2 and min(counts) > DRAWN for counts in seen), seen
        assert seen[1][0] > seen[0][0], seen  # more curves drawn than one
    finally:
        teacher_context.close()
        students.close()

"""Small checks and shared pieces of the tests: AppTest checks, the browser helpers (the fixtures `server`, `browser`
and `warm` are in tests/conftest.py), the cached engine and plain-program runs the engine tests compare, synthetic
Runs, and comparing runs exactly and counting the seeds trained (with the fixture `counted`, tests/conftest.py)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from reference import plain_run

from lab.core import models
from lab.core.config import TrialConfig
from lab.core.engine import train
from lab.core.runs import EVALUATIONS, Runs

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


# ---- AppTest -------------------------------------------------------------------------------------------------------
def run_page(name: str, params: dict | None = None, timeout: float = 180) -> AppTest:
    """A fresh visitor's run of `pages/<name>_page.py` (straight away, without the entry point) with these URL
    parameters."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.switch_page(f"pages/{name}_page.py")
    at.query_params.update(params or {})
    return at.run()


def ok(at: AppTest) -> AppTest:
    """The app ran without an exception (listing them if not)."""
    assert not at.exception, [e.value for e in at.exception]
    return at


def charts(at: AppTest) -> int:
    """How many Altair / Vega-Lite charts the run drew."""
    return len(at.get("vega_lite_chart")) + len(at.get("arrow_vega_lite_chart"))


def specs(at: AppTest) -> list[dict]:
    """The Vega-Lite specs of the charts the run drew."""
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart") + at.get("arrow_vega_lite_chart")]


def slider_param(at: AppTest, name: str) -> dict:
    """The one chart parameter called `name` bound to a slider (a replay's), of the one chart that has it."""
    (param,) = [p for s in specs(at) for p in s.get("params", []) if p.get("name") == name]
    assert param["bind"]["input"] == "range"
    return param


# ---- in a real browser (Playwright) -------------------------------------------------------------------------------
SHOTS = ROOT / "test-output" / "screenshots"  # full-page screenshots, for people to look at
WIDTHS = {"desktop": 1280, "phone": 390}
FIRST_VISIT = 300_000  # ms: a first visit that trains the whole default view of a page on the server
DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"


PAGE_WAIT = FIRST_VISIT  # ms: any page may be a first visit on a machine busy with other work (measured at a load of
# 10 on 2 cores: the lecture page's first visit took more than 180 s; 90 s failed under lighter load)


def open_page(browser, url: str, width: int, lang: str, timeout: int = PAGE_WAIT):
    """Open `url` in a fresh browser context `width` pixels wide with `lang`'s locale, and wait until the app has
    finished running (a rerun may follow the first run). Returns (context, page); the caller closes the context. A
    wait that times out fails naming the page and what it waited for."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ja-JP" if lang == "ja" else "en-US")
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded", timeout=timeout)
    for run in ("first", "second"):  # a rerun may follow the first run
        wait_for(page, DONE, timeout, f"the app's {run} script run to finish")
        page.wait_for_timeout(400)
    return context, page


def wait_for(page, selector: str, timeout: int, what: str) -> None:
    """`page.wait_for_selector`, whose timeout says which page and what it waited for (the URL, the selector)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_selector(selector, timeout=timeout)
    except PlaywrightTimeout:
        raise AssertionError(f"{page.url}: waited {timeout / 1000:.0f} s for {what} ({selector}); the server's log "
                             "(server.log beside its store) may say why") from None


def screenshot(page, width: int, path: Path) -> None:
    """The whole page: the app scrolls inside its own container, so grow the viewport to the content's height."""
    height = page.evaluate("""() => Math.max(...Array.from(document.querySelectorAll('*'),
                                                            el => el.scrollHeight || 0))""")
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 12_000)})
    page.wait_for_timeout(500)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)


# ---- the engine against the plain program (tests/reference.py), each run once per test process ---------------------
@cache
def engine_run(config: TrialConfig, seeds: tuple[int, ...]) -> Runs:
    return train(config, seeds)


@cache
def reference_run(config: TrialConfig, seed: int) -> dict:
    return plain_run(config, seed)


# ---- synthetic runs -----------------------------------------------------------------------------------------------
PLATEAU = 0.1875  # MSE of answering 1/4 on every row of AND: where the lecture's nets stall


def fake_runs(curves, solved=None, loss_fn="mse") -> Runs:
    """A Runs holding given truth-table loss curves (n, T); `solved` marks the trials answered right at the end."""
    curves = np.atleast_2d(np.asarray(curves, dtype=np.float32))
    n, length = curves.shape
    config = TrialConfig(loss_fn=loss_fn, steps=length - 1)
    error = np.ones((n, length), dtype=np.float32)
    if solved is not None:
        error[np.asarray(solved, dtype=bool), -1] = 0.0
    p = models.param_count(config.layer_sizes)
    return Runs(config, list(range(n)), curves[:, :-1].copy(), curves, error,
                np.ones((n, length - 1, config.depth + 1), dtype=np.float32), np.zeros((n, 4, 1), dtype=np.float32),
                np.zeros((n, p), dtype=np.float32))


# ---- comparing and counting runs -----------------------------------------------------------------------------------
RUN_ARRAYS = ("loss", "table_loss", "table_error", "grad_norm", "table_output", "params")


def assert_same_runs(got: Runs, want: Runs, stacked_alike: bool = True) -> None:
    """Equal config, seeds (in order) and every array, exactly (NaN equal to NaN), with the engine's dtypes.

    `stacked_alike=False`: `want` was trained stacked with other trials than `got` was. Then grad_norm is compared to
    float rounding only: the engine's per-layer gradient norms depend in the last bit on how many trials were stacked
    (see test_grad_norm_does_not_depend_on_the_stacked_trials in tests/compute/test_sweep.py)."""
    assert got.config == want.config
    assert list(got.seeds) == list(want.seeds)
    for name in RUN_ARRAYS:
        a, b = getattr(got, name), getattr(want, name)
        assert a.dtype == b.dtype, name
        assert a.shape == b.shape, name
        if name == "grad_norm" and not stacked_alike:
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=0, err_msg=name)
        else:
            np.testing.assert_array_equal(a, b, err_msg=name)
    assert (got.evaluations is None) == (want.evaluations is None)
    if want.evaluations is not None:
        assert list(got.evaluations["steps"]) == list(want.evaluations["steps"])
        for name in EVALUATIONS:
            np.testing.assert_array_equal(got.evaluations[name], want.evaluations[name], err_msg=name)


def trained(calls) -> list[int]:
    """The seeds trained, in order, over all calls (the sweep trains a request in one or more units)."""
    return [seed for call in calls for seed in call]

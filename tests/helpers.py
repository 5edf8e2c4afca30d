"""Small checks and shared pieces of the tests: AppTest checks, the browser helpers, and the cached engine and
plain-program runs the engine tests compare."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from reference import plain_run

from lab.core.config import TrialConfig
from lab.core.engine import train
from lab.core.runs import Runs

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest


# ---- AppTest -------------------------------------------------------------------------------------------------------
def ok(at: AppTest) -> AppTest:
    """The app ran without an exception (listing them if not)."""
    assert not at.exception, [e.value for e in at.exception]
    return at


def charts(at: AppTest) -> int:
    """How many Altair / Vega-Lite charts the run drew."""
    return len(at.get("vega_lite_chart")) + len(at.get("arrow_vega_lite_chart"))


# ---- the engine against the plain program (tests/reference.py), each run once per test process ---------------------
@cache
def engine_run(config: TrialConfig, seeds: tuple[int, ...]) -> Runs:
    return train(config, seeds)


@cache
def reference_run(config: TrialConfig, seed: int) -> dict:
    return plain_run(config, seed)

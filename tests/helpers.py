"""Small checks and shared pieces of the tests: AppTest checks, the cached engine and plain-program runs the engine
tests compare, and synthetic Runs."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from reference import plain_run

from lab.core import models
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

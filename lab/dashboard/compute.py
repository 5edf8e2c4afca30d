"""The dashboard's one compute module: the budget, the store, every cache of computed results (`forget_results` clears
them) and the training a page asks for."""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile

import pandas as pd
import streamlit as st

from lab.core import budget, engine
from lab.core.config import TrialConfig
from lab.dashboard.shell import tr
from lab.dashboard.views import lecture as lecture_view
from lab.dashboard.views import optimizers as optimizers_view
from lab.dashboard.views import results as results_view
from lab.science import diagnostics, digests
from lab.science.digests import POINTS, quantile_bands
from lab.storage.derived import TEST_NAMES, stored_tests, tests_path
from lab.storage.store import Store


def store_entries():
    return results_view.entries(store())


def entry_summary(key: str):
    table = results_view.entry_table(store(), key, tr("lr"))
    return table if table is not None else pd.DataFrame()


def entry_csv(key: str) -> bytes:
    return results_view.entry_csv(store(), key)


def delete_entry(key: str, name: str) -> None:
    store().delete(key)
    forget_results()
    st.session_state.pop("res.confirm", None)
    st.session_state["res.key"] = None
    st.session_state["res.deleted"] = name


def curves_csv(configs: tuple, n_seeds: int) -> bytes:
    """Every seed's curves of the configs (built when the download is clicked)."""
    return optimizers_view.curves_csv(store(), list(configs), n_seeds)


# ---- compute budget ------------------------------------------------------------------------------------------------
def max_work() -> int:
    return budget.max_work(_setting("max_work", "LAB_MAX_WORK"))


def _setting(name: str, env: str):
    """A hosted-mode setting: `.streamlit/secrets.toml`'s `name`, else the environment variable `env`."""
    try:
        value = st.secrets.get(name)
    except Exception:  # noqa: BLE001 - no secrets file
        value = None
    return value if value is not None else os.environ.get(env)


def allow_delete() -> bool:
    """Whether visitors may delete stored results (`allow_delete = false` in secrets, or LAB_ALLOW_DELETE=0, turns
    it off on a shared server)."""
    value = _setting("allow_delete", "LAB_ALLOW_DELETE")
    return value is None or str(value).strip().lower() not in ("0", "false", "no")


def within_budget(configs, trials_each: int) -> bool:
    """True if the request fits the budget; else an error saying the limit, and False."""
    needed, limit = budget.work(configs, trials_each), max_work()
    if needed <= limit:
        return True
    st.error(tr("budget.over", needed=f"{needed:,}", limit=f"{limit:,}"), icon=":material/block:")
    return False


# ---- bounded caches of computed results (shared by every session of the server) ----------------------------------
def store() -> Store:
    return Store()


def _root() -> str:
    return str(store().root.resolve())


@st.cache_data(max_entries=64, ttl=6 * 3600, show_spinner=False)
def _trial(root: str, config: TrialConfig, seed: int) -> lecture_view.Trial:
    return lecture_view.trial(Store(root), config, seed)


def trial(config: TrialConfig, seed: int) -> lecture_view.Trial:
    return _trial(_root(), config, seed)


def pending(config: TrialConfig, n_seeds: int) -> list[list[int]]:
    """The seeds 0..n-1 the store lacks for `config`, in chunks of about `views.CHUNK_WORK` trial-steps."""
    return chunks(store(), config, n_seeds)


def train_and_store(config: TrialConfig, seeds: list[int]) -> None:
    store().runs(config, seeds)


@st.cache_data(max_entries=256, ttl=6 * 3600, show_spinner=False)
def _digest(root: str, config: TrialConfig, n_seeds: int, smooth: int) -> digests.Digest:
    return digests.digest(Store(root), config, n_seeds, smooth)


def digest(config: TrialConfig, n_seeds: int, smooth: int = 1) -> digests.Digest:
    return _digest(_root(), config, n_seeds, smooth)


def forget_results() -> None:
    """After the store changed under them (an entry deleted)."""
    _trial.clear()
    _digest.clear()


CHUNK_WORK = 200_000  # weighted trial-steps trained (and stored) at a time by the pages


def chunks(store, config: TrialConfig, n_seeds: int) -> list[list[int]]:
    """The seeds 0..n-1 the store lacks for `config`, in chunks of about `CHUNK_WORK` weighted trial-steps, so a page
    can train and store a large request piece by piece, reporting progress between pieces."""
    missing = store.missing(config, range(n_seeds))
    size = max(1, CHUNK_WORK // (config.steps * budget.weight(config)))
    return [missing[i:i + size] for i in range(0, len(missing), size)]


TRACE_SEEDS = 5  # seeds traced for the activation pictures


def hessian_tests(store, config: TrialConfig, n_seeds: int, tests: int) -> dict:
    """`diagnostics.saddle_fraction` of at most `tests` stalled trials of `config` (seeds 0..n-1), read back from a
    small JSON file when computed before (the trials and the test are deterministic)."""
    found = stored_tests(store, config, n_seeds, tests)
    if found is not None:
        return found
    if tests <= 0:
        return {**dict.fromkeys(TEST_NAMES[:-1], math.nan), "n_tested": 0}
    result = diagnostics.saddle_fraction(store.runs(config, range(n_seeds)), max_stalls=tests)
    result = {name: result[name] for name in TEST_NAMES}
    path = tests_path(store, config, n_seeds, tests)
    with contextlib.suppress(OSError):  # a read-only store: the result is only not kept
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            json.dump(result, handle)
        os.replace(tmp, path)
    return result


# ---- traced layers and one trial's Hessian ----------------------------------------------------------------------
def trace_bands(config: TrialConfig, n_seeds: int = TRACE_SEEDS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train seeds 0..n-1 with the activation trace: per step and hidden layer, quantile bands over seeds of the
    mean activation and of the saturated fraction (`quantile_bands` columns)."""
    runs = engine.train(config, range(n_seeds), trace=True)
    stride = digests.every(config.steps, POINTS)
    return quantile_bands(runs.activation_mean, stride), quantile_bands(runs.saturation, stride)


PIECE = 40_000  # trial-steps per piece: 10 seeds of 4,000 steps


def pieces(store, configs, n_seeds: int, piece: int = PIECE) -> list[tuple[object, list[int]]]:
    """(config, seeds) pieces covering seeds 0..n-1 of every config that the store lacks, in the configs' order."""
    todo = []
    for config in dict.fromkeys(configs):
        missing = store.missing(config, range(n_seeds))
        size = max(1, piece // config.steps)
        todo.extend((config, missing[i:i + size]) for i in range(0, len(missing), size))
    return todo

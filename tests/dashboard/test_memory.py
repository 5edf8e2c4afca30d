"""The server's memory: every cache of results (and of chart specs) together within the `cache_mb` setting."""

from __future__ import annotations

import pandas as pd

from lab.core.config import TrialConfig
from lab.dashboard import compute
from lab.storage.store import Store
from lab.storage.sweep import stored_runs

CONFIG = TrialConfig(steps=50)


def test_caches_are_bounded_in_bytes(store_dir, monkeypatch):
    stored_runs(Store(store_dir), CONFIG, range(3))
    compute.forget_results()
    assert compute.cached_bytes() == 0
    digest = compute.digest(CONFIG, 3)
    held = compute.cached_bytes()
    assert held > 1_000  # the digest, pickled
    monkeypatch.setenv("LAB_CACHE_MB", str(2 * held / 2**20))
    assert not compute.bound_caches() and compute.cached_bytes() == held  # within the setting: kept
    monkeypatch.setenv("LAB_CACHE_MB", str(held / 2 / 2**20))
    assert compute.bound_caches() and compute.cached_bytes() == 0  # over it: cleared
    again = compute.digest(CONFIG, 3)  # refilled from the store, the same
    assert pd.Series(again.summary).equals(pd.Series(digest.summary)) and again.trials.equals(digest.trials)
    assert compute.cached_bytes() == held

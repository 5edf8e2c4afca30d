"""The server's memory: the cache of results (and of chart specs) within the `cache_mb` setting, least recently used
out first, handing back the objects it keeps."""

from __future__ import annotations

import concurrent.futures
import time

import pandas as pd
import pytest

from lab.compute.sweep import stored_runs
from lab.core.config import TrialConfig
from lab.dashboard import memo, work
from lab.storage.store import Store

CONFIG = TrialConfig(steps=50)


@pytest.mark.slow
def test_caches_are_bounded_in_bytes(store_dir, monkeypatch):
    other = TrialConfig(steps=50, lr=0.05)
    stored_runs(Store(store_dir), CONFIG, range(3))
    stored_runs(Store(store_dir), other, range(3))
    work.forget_results()
    assert work.cached_bytes() == 0
    digest = work.digest(CONFIG, 3)
    held = work.cached_bytes()
    assert held == memo.sizeof([digest])  # the digest list, pickled
    assert work.digest(CONFIG, 3) is digest  # a hit hands back the object kept, not a copy

    monkeypatch.setenv("LAB_CACHE_MB", str(1.5 * held / 2**20))
    work.bound_caches()  # a new limit: an empty cache
    assert work.cached_bytes() == 0
    again = work.digest(CONFIG, 3)  # refilled from the store, the same
    assert pd.Series(again.summary).equals(pd.Series(digest.summary)) and again.trials.equals(digest.trials)
    assert work.cached_bytes() == held
    work.digest(other, 3)  # a second result: the first (least recently used) goes
    assert work.cached_bytes() < held + memo.sizeof([again])
    assert work.digest(CONFIG, 3) is not again

    monkeypatch.setenv("LAB_CACHE_MB", str(held / 2 / 2**20))
    work.bound_caches()
    work.digest(CONFIG, 3)  # larger than the whole cache: returned, not kept
    assert work.cached_bytes() == 0


def test_keys_tell_types_configs_tables_apart_and_refuse_what_they_cannot_name():
    assert memo.part(1) != memo.part(1.0) and memo.part((1, 2)) != memo.part([1, 2])
    assert memo.part(TrialConfig(lr=0.1)) != memo.part(TrialConfig(lr=0.2))
    assert memo.part(pd.DataFrame({"a": [1]})) == memo.part(pd.DataFrame({"a": [1]}))
    assert memo.part(pd.DataFrame({"a": [1]})) != memo.part(pd.DataFrame({"a": [2]}))
    assert memo.part(memo.sizeof) == "lab.dashboard.memo.sizeof"
    with pytest.raises(TypeError):
        memo.part(lambda x: x)  # two lambdas would share one key
    with pytest.raises(TypeError):
        memo.part({1, 2})  # a set: not hashable, no key


CALLS: list[int] = []


def slow_square(x: int) -> list[int]:
    CALLS.append(x)
    time.sleep(0.3)
    return [x * x]


def test_visitors_asking_at_once_share_one_computation():
    memo.clear()
    CALLS.clear()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: memo.call(slow_square, 7), range(8)))
    assert CALLS == [7]  # computed once ...
    assert all(a is answers[0] for a in answers) and answers[0] == [49]  # ... and the same object for everyone
    memo.clear()

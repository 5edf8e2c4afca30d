"""The server's cache of results hands every visitor the same objects (lab.dashboard.memo): a page must never change
what it gets from it. Each page is opened twice, as two visitors would; every value the first visit left in the cache
must be, pickled, the same bytes after the second."""

from __future__ import annotations

import pickle

import pytest
from helpers import ok, run_page

from lab.dashboard import memo, work

pytestmark = pytest.mark.usefixtures("store_dir")

VIEWS = {  # small views of every page that draws computed results (the depth page with its activation trace)
    "lecture": {"steps": "200"},
    "optimizers": {"steps": "100", "seeds": "3", "opts": "adam,sgd"},
    "depth": {"depths": "1-3", "seeds": "3", "steps": "150", "tests": "1", "trace": "1"},
    "generalization": {"steps": "200", "seeds": "3", "width": "4"},
    "tuning": {"steps": "100", "seeds": "2", "opts": "adam,sgd", "per_decade": "1", "batches": "4,8"},
    "neurons": {},
    "landscape": {"steps": "200", "opts": "sgd,adam"},
}


def snapshot() -> dict:
    with memo._LOCK:
        return {key: pickle.dumps(value, protocol=5) for key, value in memo._CACHE[0].items()}


@pytest.mark.slow
@pytest.mark.parametrize("page", list(VIEWS))
def test_a_second_visit_changes_nothing_the_first_left_in_the_cache(page):
    work.forget_results()
    ok(run_page(page, VIEWS[page]))
    first = snapshot()
    assert first  # the page's results and charts are kept
    ok(run_page(page, {**VIEWS[page], "lang": "ja"}))  # the other language: same results, other chart texts
    ok(run_page(page, VIEWS[page]))
    second = snapshot()
    changed = [key[0] for key, data in first.items() if key in second and second[key] != data]
    assert not changed, f"{page}: a visit changed cached values of {changed}"
    assert set(first) <= set(second)  # nothing was dropped: the second visit was served from the cache

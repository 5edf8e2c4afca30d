"""What every page of the dashboard promises, run headless with AppTest (each page's own tests are in its
tests/pages/test_<page>_page.py): it renders in Japanese with Japanese headings, a request over the server's budget
gets the budget message instead of an exception, and a malformed link gets one warning naming the parameter while
the page still renders."""

from __future__ import annotations

import pytest
from helpers import ROOT, charts, ok, run_page

from lab.dashboard import shell

pytestmark = pytest.mark.usefixtures("store_dir")  # an empty store per test (tests/conftest.py)

SMALL = {  # per page, a link to a small view (each trains in seconds)
    "lecture": {"steps": "100"},
    "optimizers": {"steps": "100", "seeds": "3", "opts": "adam,sgd"},
    "depth": {"depths": "1-3", "seeds": "3", "steps": "150", "tests": "1"},
    "generalization": {"steps": "200", "seeds": "3", "width": "4"},
    "tuning": {"steps": "100", "seeds": "2", "opts": "adam,sgd", "per_decade": "1", "batches": "4,8"},
    "neurons": {},
    "landscape": {"steps": "200", "opts": "sgd,adam"},
    "results": {},
    "classrun": {},  # the start form: no class yet
    "papers": {},
}
PAGES = list(SMALL)

OVER_BUDGET = {  # pages that train on request -> whether the rest of the page is still drawn over the budget
    "lecture": False,
    "optimizers": False,
    "depth": False,
    "generalization": False,
    "tuning": False,
    "neurons": True,  # only the chart of how often XOR is learned needs the budget
    "landscape": False,
}

MALFORMED = {  # per page, one parameter the page cannot use
    "lecture": ("seed", "-1"),
    "optimizers": ("smooth", "0"),
    "depth": ("depths", "3-1"),
    "generalization": ("view", "accuracy"),
    "tuning": ("batch_opt", ["sgd", "adam"]),  # a repeated name is not silently its last value
    "neurons": ("task", "xnor"),
    "landscape": ("depth", "5"),
    "results": ("key", "../../etc/passwd"),
    "classrun": ("code", "<script>alert(1)</script>"),
    "papers": ("paper", "nope"),
}


def test_every_page_is_covered():
    assert set(OVER_BUDGET) | {"results", "classrun", "papers"} == set(PAGES) == set(MALFORMED)  # these train nothing
    # on their default view (the class run's budget: tests/pages/test_classrun_page.py)
    assert set(PAGES) == {path.stem.removesuffix("_page") for path in (ROOT / "pages").glob("*_page.py")}


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_page_in_japanese(page, shared_store_dir):
    at = ok(run_page(page, {**SMALL[page], "lang": "ja"}))
    assert at.title
    for heading in [*at.title, *at.subheader]:
        assert any(ord(ch) > 0x3000 for ch in heading.value), heading.value


@pytest.mark.parametrize("page", list(OVER_BUDGET))
def test_page_over_budget(page, monkeypatch):
    monkeypatch.setenv("LAB_MAX_WORK", "10")
    at = ok(run_page(page, SMALL[page]))
    message = shell.STRINGS["budget.over"][0]
    errors = [e.value for e in at.error if e.value.startswith(message.split("{needed}")[0])]
    assert len(errors) == 1 and "the limit is 10." in errors[0], [e.value for e in at.error]
    assert at.title
    assert (charts(at) > 0) == OVER_BUDGET[page]


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_malformed_link_warns_and_the_page_renders(page, shared_store_dir):
    name, value = MALFORMED[page]
    at = ok(run_page(page, {**SMALL[page], name: value}))
    warnings = [w.value for w in at.warning if w.value.startswith(shell.STRINGS["url.ignored"][0])]
    assert len(warnings) == 1 and f"`{name}=" in warnings[0], [w.value for w in at.warning]
    assert at.title
    assert name not in at.query_params or at.query_params[name] != value
    if page not in ("results", "classrun"):  # these draw no chart on their default view (the test's store is empty;
        # the papers page draws the shipped table's)
        assert charts(at) >= 1

"""A link's ignored parameters are explained in the reader's language: every reason a page's state module gives
reads in Japanese under the Japanese warning."""

from __future__ import annotations

import pytest

from lab.dashboard.classrun import state as classrun
from lab.dashboard.depth import state as depth
from lab.dashboard.generalization import state as generalization
from lab.dashboard.landscape import state as landscape
from lab.dashboard.lecture import state as lecture
from lab.dashboard.neurons import state as neurons
from lab.dashboard.optimizers import state as optimizers
from lab.dashboard.papers import state as papers
from lab.dashboard.results import state as results
from lab.dashboard.shared.reasons import reason
from lab.dashboard.tuning import state as tuning

PAGES = [lecture, optimizers, depth, generalization, tuning, neurons, results, landscape, classrun, papers]
BAD = ("-1", "abc", "99999999", "0.0", "sgd,nope", "1-99")


def problems_of(page):
    for name in page.PARSERS:
        yield from page.parse({name: ["1", "2"]})[1]
        for value in BAD:
            yield from page.parse({name: value})[1]


@pytest.mark.parametrize("page", PAGES, ids=[p.__name__.rsplit(".", 1)[1] for p in PAGES])
def test_every_reason_a_page_gives_reads_in_japanese(page):
    found = list(problems_of(page))
    assert found
    for problem in found:
        japanese = reason(problem.reason, "ja")
        assert japanese != problem.reason and "must" not in japanese, (problem.param, problem.reason)
        assert any("\u3040" <= ch <= "\u30ff" for ch in japanese), japanese  # kana: said in Japanese
        assert reason(problem.reason, "en") == problem.reason


def test_numbers_and_names_carry_over():
    assert reason("must be a whole number from 0 to 2147483647", "ja") == "0 から 2147483647 までの整数にしてください"
    assert reason("must be one of sgd, adam", "ja") == "次のいずれかにしてください：sgd, adam"
    assert reason("must be > 0 and <= 100", "ja") == "> 0 かつ <= 100 にしてください"
    assert reason("something new", "ja") == "something new"

"""The class load test's visitor (bench/visitors.py) against the real server: one visitor loads one cheap page."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from visitors import Server, visit  # noqa: E402


@pytest.mark.slow
def test_one_visitor_loads_the_neurons_page(tmp_path):
    with Server(tmp_path / "store", tmp_path / "server.log") as server:
        record = asyncio.run(visit(server.port, "neurons", "lang=en", timeout=60))
        log = server.log_tail()
    assert record.outcome == "finished", (record, log)
    assert record.exceptions == [], record.exceptions
    assert record.navigation  # the app's frame came, not a bare page
    assert 0 < record.first_element <= record.finished <= 60
    assert record.runs >= 1 and record.messages > 1


def test_the_warm_up_times_come_from_the_self_warms_own_log_lines(tmp_path):
    """bench_class reads each page's ready time from the lines lab.dashboard.selfwarm logs: written here by that
    module's own logger, with its own format, as a server writes them."""
    import logging

    from bench_class import exercises, warm_up_times

    from lab.dashboard import selfwarm

    log_file = tmp_path / "server.log"
    handler = logging.FileHandler(log_file)
    selfwarm.log.addHandler(handler)
    selfwarm.log.setLevel(logging.INFO)
    try:
        rows = [{"page": "neurons", "trials": 41, "trained": 41, "derived": 1, "seconds": 18.5},
                {"page": "lecture", "trials": 1, "trained": 0, "derived": 1, "seconds": 1.7}]
        for row in rows:  # the very call selfwarm._run makes
            selfwarm.log.info("self-warm: %s: %d trials (%d trained), %d derived results, %.1f s", row["page"],
                              row["trials"], row["trained"], row["derived"], row["seconds"])
        selfwarm.log.info("self-warm: views stored in %.1f s; opening the pages", 20.2)
    finally:
        selfwarm.log.removeHandler(handler)
        handler.close()
    times = warm_up_times(log_file)
    assert [p["ready_s"] for p in times["pages"]] == [18.5, 20.2]
    assert [p["trained"] for p in times["pages"]] == [41, 0]
    assert times["stored_s"] == 20.2 and times["done_s"] is None  # not finished yet
    seeds, rates = exercises(30)
    assert len({q for _, q in seeds[1]}) == 30 and {p for p, _ in seeds[1]} == {""}  # each its own seed, the lecture
    assert len({q for _, q in rates[1]}) == 30 and {p for p, _ in rates[1]} == {"optimizers"}

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


@pytest.mark.slow
def test_a_student_adds_a_run_and_the_page_refreshes_itself(tmp_path):
    """The classrun scenario's student: presses "Add my run" with a seed, sees its own result, and the open page
    reruns its class picture on the server's timer, each refresh counted in bytes."""
    from lab.core.config import TrialConfig
    from lab.dashboard.classrun.texts import STRINGS
    from lab.storage.classruns import ClassStore, default_url

    with Server(tmp_path / "store", tmp_path / "server.log") as server:
        db = ClassStore(default_url(tmp_path / "store"))
        code, _ = db.start(TrialConfig(steps=100))

        async def student():
            stay_open = asyncio.Event()
            asyncio.get_running_loop().call_later(40, stay_open.set)
            return await visit(server.port, "class", f"code={code}&lang=en", timeout=90, stay_open=stay_open,
                               on_done=lambda r: asyncio.get_running_loop().call_later(8, stay_open.set),
                               press=(STRINGS["cls.add.button"][0], {STRINGS["cls.seed"][0]: 4242}),
                               answer=STRINGS["cls.add.done"][0].format(seed=4242))

        record = asyncio.run(student())
        log = server.log_tail()
        rows = db.runs_since(code)
        db.dispose()
    assert record.outcome == "finished" and record.exceptions == [], (record, log)
    assert record.answered is not None and record.answered > record.pressed
    assert [r.seed for r in rows] == [4242]
    assert record.metrics[STRINGS["cls.count"][0]] == "1"
    assert len(record.refresh_bytes) >= 1 and all(0 < b < 200_000 for b in record.refresh_bytes)


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

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

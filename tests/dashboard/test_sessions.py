"""A server's visitors share its workers fairly and within bounds: its settings (the store's bound, the queue's and a
session's), the message a visitor gets past its session's bound, and, against a real server, that the queued work of a
closed or reloaded tab is cancelled, so that opening new sessions gains nothing."""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import time
from pathlib import Path

import pytest
from helpers import ROOT, run_page

from lab.dashboard import settings, work
from lab.dashboard.warm import default_views

sys.path.insert(0, str(ROOT))
from bench.visitors import Server, visit  # noqa: E402


def test_the_server_bounds_its_store_and_queues_by_default(monkeypatch):
    for name in ("LAB_STORE_MAX_MB", "LAB_MAX_QUEUE", "LAB_SESSION_JOBS"):
        monkeypatch.delenv(name, raising=False)
    assert (settings.store_max_mb(), settings.max_queue(), settings.session_jobs()) == (500.0, 512, 128)
    largest = max(len(view.trials) for view in default_views())  # one piece a config at least
    assert settings.session_jobs() >= largest  # a page's default view always fits one session's bound
    monkeypatch.setenv("LAB_STORE_MAX_MB", "64")
    monkeypatch.setenv("LAB_SESSION_JOBS", "12")
    assert (settings.store_max_mb(), settings.session_jobs()) == (64.0, 12)
    for bad in ("0", "-3", "nan", "lots"):  # a bad setting: the default, with a line in the log
        monkeypatch.setenv("LAB_STORE_MAX_MB", bad)
        assert settings.store_max_mb() == 500.0


def test_the_servers_store_pins_the_default_views(store_dir, monkeypatch):
    monkeypatch.setenv("LAB_STORE_MAX_MB", "64")
    work._store.clear()
    try:
        store = work.store()
        assert store.max_bytes == 64 * 2**20
        assert {c.key() for view in default_views() for c, _ in view.trials} == store.pinned
    finally:
        work._store.clear()


def test_a_visitor_past_the_sessions_bound_is_told_so(store_dir, monkeypatch):
    """The tuning page's default view is 74 pieces on an empty store: with a bound of 10 a session, nothing is queued
    and the visitor reads why, in one line."""
    monkeypatch.setenv("LAB_SESSION_JOBS", "10")
    monkeypatch.setenv("LAB_WORKERS", "1")
    work.service.clear()
    try:
        at = run_page("tuning")
        warnings = [w.value for w in at.warning]
        assert any("at most 10 pieces" in w for w in warnings), warnings
        assert not at.exception and not list(Path(store_dir).glob("*.parquet"))
        ja = run_page("tuning", {"lang": "ja"})
        assert any("最大 10 件" in w.value for w in ja.warning)
    finally:
        for service in [work.service()]:
            service.shutdown(kill=True)
        work.service.clear()


def _entries(store: Path) -> int:
    return len(list(store.glob("*.parquet")))


def _quiet(store: Path, seconds: float = 6.0, timeout: float = 120.0) -> int:
    """Wait until the store has not changed for `seconds`; how many entries it then holds."""
    deadline, last, since = time.monotonic() + timeout, -1, time.monotonic()
    while time.monotonic() < deadline:
        now = _entries(store)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= seconds:
            return now
        time.sleep(0.5)
    raise AssertionError(f"the store kept changing for {timeout:.0f} s: the workers did not stop")


@pytest.mark.slow
def test_closed_and_reloaded_tabs_leave_nothing_queued(tmp_path):
    """One worker; the tuning page's default view (74 configs, a piece each) opened and its tab closed after 3 s, five
    times over (a visitor reloading): each closed tab's queued pieces are cancelled, so the store stops growing within
    seconds of the last close and holds far fewer than the 74 entries, whatever the reloads asked for."""
    store = tmp_path / "store"
    env = {"LAB_WORKERS": "1"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        with Server(store, tmp_path / "server.log") as server:
            for _ in range(5):
                tab = asyncio.run(visit(server.port, "tuning", "", timeout=3.0))
                assert tab.outcome == "timeout" and tab.first_element is not None  # the page answered at once
            held = _quiet(store)
            assert held < 40, f"{held} entries: closed tabs' work went on"
            again = asyncio.run(visit(server.port, "tuning", "", timeout=3.0))
            assert again.outcome == "timeout" and _quiet(store) <= held + 15
    finally:
        for key, value in old.items():
            os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)


def test_the_memory_setting_picks_the_workers_and_the_cache(monkeypatch):
    """The small host (658 MiB, the default): one worker, which trains and reads, and a cache of a tenth; a larger
    memory: more workers, up to the cores this process may use; an explicit setting wins."""
    for name in ("LAB_MEMORY_MB", "LAB_WORKERS", "LAB_CACHE_MB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(settings, "cores", lambda: 8)
    assert (settings.memory_mb(), settings.workers(), settings.cache_mb()) == (658, 1, 66)
    monkeypatch.setenv("LAB_MEMORY_MB", "2048")
    assert (settings.workers(), settings.cache_mb()) == (4, 205)
    monkeypatch.setenv("LAB_MEMORY_MB", "64000")
    assert (settings.workers(), settings.cache_mb()) == (8, 256)
    monkeypatch.setenv("LAB_WORKERS", "3")
    monkeypatch.setenv("LAB_CACHE_MB", "10")
    assert (settings.workers(), settings.cache_mb()) == (3, 10.0)


def test_a_worker_keeps_mallocs_arenas_few():
    """The workers (and the web process) call mallopt(M_ARENA_MAX, 2) on glibc: asked in a worker, it answers that
    it was set; elsewhere (no glibc) it says it was not, and nothing fails."""
    from lab.compute.service import ComputeService
    from lab.compute.workers import limit_malloc_arenas

    pool = ComputeService(workers=1)
    try:
        ticket = pool.call(limit_malloc_arenas)
        assert ticket.wait(120)
        assert pool.value(ticket) is (platform.libc_ver()[0] == "glibc")
    finally:
        pool.shutdown()

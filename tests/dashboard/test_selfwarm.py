"""A server that warms itself (lab.dashboard.selfwarm): the setting that turns it off, the pages it may be limited to,
the progress line every page shows meanwhile, and a real server that fills its store after its first visitor, shows
that visitor the page with the progress line, and on a restart over the same store trains nothing."""

from __future__ import annotations

import asyncio
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from helpers import ROOT, ok, run_page
from streamlit.testing.v1 import AppTest

from lab.dashboard import selfwarm, settings
from lab.dashboard.lecture import state as lecture
from lab.dashboard.visitor import visit
from lab.storage.store import Store


@pytest.mark.parametrize(("value", "on"), [(None, True), ("1", True), ("true", True), ("yes", True), ("", True),
                                           ("0", False), ("false", False), ("No", False), (" off ", False)])
def test_the_self_warm_setting_is_on_unless_turned_off(monkeypatch, value, on):
    if value is None:
        monkeypatch.delenv("LAB_SELF_WARM", raising=False)
    else:
        monkeypatch.setenv("LAB_SELF_WARM", value)
    assert settings.self_warm() is on


def test_the_self_warm_pages_setting(monkeypatch):
    monkeypatch.delenv("LAB_SELF_WARM_PAGES", raising=False)
    assert settings.self_warm_pages() is None
    assert selfwarm.pages(None) == list(selfwarm.PAGES)
    monkeypatch.setenv("LAB_SELF_WARM_PAGES", " results, lecture ,,nowhere")
    assert settings.self_warm_pages() == ["results", "lecture", "nowhere"]
    assert selfwarm.pages(settings.self_warm_pages()) == ["lecture", "results"]  # the navigation's order


def _frame():
    """What app.py shows every page before the page itself: the language, then the self-warm's progress."""
    from lab.dashboard import selfwarm, shell

    shell.setup_language()
    selfwarm.show_progress()


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "line"), [("en", "Preparing the class's views: 2 of 7 ready"),
                                            ("ja", "授業用の表示を準備中：7 件中 2 件完了")])
def test_every_page_shows_the_progress_while_the_store_is_filled(monkeypatch, lang, line):
    def captions(progress) -> list[str]:
        monkeypatch.setattr(selfwarm, "progress", progress)
        at = AppTest.from_function(_frame)
        at.query_params["lang"] = lang
        return [c.value for c in ok(at.run()).caption]

    assert captions(selfwarm.Progress(total=7, ready=2, running=True)) == [line]
    assert captions(selfwarm.Progress(total=7, ready=7, running=True)) == []  # stored; the pages are being opened
    assert captions(selfwarm.Progress(total=7, ready=2, running=False)) == []  # stopped (an error, in the log)


def test_the_tests_servers_do_not_warm_themselves(store_dir):
    assert os.environ["LAB_SELF_WARM"] == "0" and not settings.self_warm()  # tests/conftest.py
    ok(run_page("results"))
    assert not selfwarm.progress.running and not selfwarm.start_once()


# ---- a real server ---------------------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(store: Path, log: Path, pages: str = "lecture,results") -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {**os.environ, "LAB_STORE": str(store), "LAB_SELF_WARM": "1", "LAB_SELF_WARM_PAGES": pages,
           "LAB_WORKERS": "2", "PYTHONUNBUFFERED": "1"}
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port",
             str(port), "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return proc, port
        except OSError:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
        time.sleep(0.3)


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    os.killpg(proc.pid, sig)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def _wait_for(log: Path, text: str, proc: subprocess.Popen, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while text not in (seen := log.read_text(errors="replace")):
        assert proc.poll() is None and time.monotonic() < deadline, seen[-3000:]
        time.sleep(0.5)
    return seen


def _files(store: Path) -> dict:
    """Each file's contents (not its time: reading an entry marks it as used, lab.storage.store.used)."""
    return {str(p.relative_to(store)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(store.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_a_server_warms_itself_and_a_restart_trains_nothing(tmp_path):
    store, config, seed = tmp_path / "store", lecture.DEFAULT.config, lecture.DEFAULT.seed
    first, second = tmp_path / "first.log", tmp_path / "second.log"
    proc, port = _start(store, first)
    try:
        assert Store(store).missing(config, [seed]) == [seed]  # nothing runs before the first visit
        seen = asyncio.run(visit(port, "results", "lang=en", 120))  # the first visitor: a page that trains nothing
        assert seen.outcome == "finished" and not seen.exceptions, seen
        assert "Preparing the class's views: 0 of 1 ready" in seen.texts
        text = _wait_for(first, "self-warm: done in", proc, 150)
        assert Store(store).missing(config, [seed]) == []  # the lecture page's default trial, without its visitor
        assert "lecture: 1 trials (1 trained)" in text and "opened /results (ja)" in text, text[-3000:]
        assert "Traceback" not in text and "a page failed" not in text, text[-3000:]
        later = asyncio.run(visit(port, "", "lang=en", 60))
        assert later.outcome == "finished" and not any("Preparing" in t for t in later.texts)
    finally:
        _stop(proc)
    before = _files(store)
    proc, port = _start(store, second)
    try:
        assert asyncio.run(visit(port, "results", "lang=ja", 120)).outcome == "finished"
        text = _wait_for(second, "self-warm: done in", proc, 150)
        assert "lecture: 1 trials (0 trained)" in text and "Traceback" not in text, text[-3000:]
    finally:
        _stop(proc)
    assert _files(store) == before  # the restart resumed: nothing trained or derived again


def test_a_servers_warm_up_queues_a_few_pieces_at_a_time(tmp_path, monkeypatch):
    """As many pieces as the service has workers per request, each waited for before the next; derived results one at
    a time: a visitor's request is queued after at most those."""
    from lab.compute.chunks import pieces
    from lab.core.config import TrialConfig
    from lab.dashboard import warm

    class Done:
        done, trained, total = True, 0, 0

        def wait(self, timeout):
            return True

        def result(self):
            pass

        def release(self):
            asked.append("released")

    class Service:
        workers = 2

        def request(self, root, items):
            asked.append([(config.lr, tuple(seeds)) for config, seeds in items])
            return Done()

        def call(self, job, root, *args):
            asked.append(job.__name__)
            return Done()

    asked: list = []
    monkeypatch.setattr(warm, "chunk_seeds", lambda config, seeds: pieces(sorted(seeds), 2))
    a, b = TrialConfig(lr=0.1), TrialConfig(lr=0.2)
    view = warm.View("lecture", [(a, [0, 1, 2]), (b, [0, 1])], [(warm.jobs.replay_frames, a, 0)])
    row = warm.warm_view(Service(), Store(tmp_path / "store"), view, selfwarm._wait, together=False)
    assert asked == [[(0.1, (0, 1)), (0.1, (2,))], "released", [(0.2, (0, 1))], "released",
                     "replay_frames", "released"]
    assert (row["trials"], row["trained"], row["derived"]) == (5, 5, 1)


@pytest.mark.slow
def test_a_server_killed_mid_warm_up_resumes_where_it_stopped(tmp_path):
    """kill -9 (the server and its workers) once the first pieces of the neurons page's view are stored: the restart
    trains only the rest."""
    store, first, second = tmp_path / "store", tmp_path / "first.log", tmp_path / "second.log"
    proc, port = _start(store, first, pages="neurons")
    try:
        assert asyncio.run(visit(port, "results", "lang=en", 120)).outcome == "finished"
        deadline = time.monotonic() + 120
        while not list(store.glob("*.parquet")):
            assert proc.poll() is None and time.monotonic() < deadline, first.read_text(errors="replace")[-3000:]
            time.sleep(0.05)
    finally:
        _stop(proc, signal.SIGKILL)
    kept = len(list(store.glob("*.parquet")))
    assert "self-warm: neurons:" not in first.read_text(errors="replace")  # killed mid-view
    proc, port = _start(store, second, pages="neurons")
    try:
        assert asyncio.run(visit(port, "results", "lang=en", 120)).outcome == "finished"
        text = _wait_for(second, "self-warm: done in", proc, 150)
    finally:
        _stop(proc)
    trained = int(text.split("self-warm: neurons: 41 trials (")[1].split(" trained")[0])
    assert kept >= 1 and trained < 41 and "Traceback" not in text, text[-3000:]

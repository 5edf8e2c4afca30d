"""`python -m lab serve`: the teacher's one command starts the real server, opens the pages and says when it is ready;
bad options are one line and exit code 2."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest
from helpers import ROOT

from lab.dashboard.serve import open_every_page


def lab(*args, timeout=60, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lab", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, **kwargs)


@pytest.mark.slow
@pytest.mark.parametrize("args", [["--port", "0"], ["--workers", "0"], ["--pages", "nowhere"], ["--bogus"],
                                  ["--port", "x"]])
def test_bad_options_are_one_line_and_exit_2(args):
    done = lab("serve", "--no-warm", *args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "error" in done.stderr.lower()


@pytest.mark.slow
def test_opening_a_server_that_is_not_there_says_so(unused_port):
    done = lab("serve", "--open-only", "--port", str(unused_port), "--start-timeout", "1")
    assert done.returncode == 2 and f"no server answered on port {unused_port}" in done.stderr


@pytest.fixture
def unused_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_starts_the_server_opens_its_pages_and_says_it_is_ready(tmp_path, unused_port):
    log = tmp_path / "serve.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "lab", "serve", "--no-warm", "--store", str(tmp_path / "store"), "--port",
             str(unused_port), "--address", "127.0.0.1", "--pages", "results",
             "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while b"ready: " not in log.read_bytes():
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.5)
        text = log.read_text()
        assert f"ready: http://127.0.0.1:{unused_port}\n" in text  # every page opened without an error
        assert "opened /results (en) in " in text and "opened /results (ja) in " in text
        assert "Traceback" not in text
        assert "self-warm" not in text  # warmed before it started: the server does not warm itself again
        # the process that said so is now the server itself (POSIX)
        assert urllib.request.urlopen(f"http://127.0.0.1:{unused_port}/_stcore/health", timeout=5).read() == b"ok"
        assert "streamlit" in " ".join(psutil.Process(proc.pid).cmdline())
        # the opener has exited and was reaped: no zombie is left beside the server
        time.sleep(2)
        assert not [c for c in psutil.Process(proc.pid).children() if c.status() == psutil.STATUS_ZOMBIE]
        assert not [p for p in psutil.process_iter(["cmdline"]) if f"--open-only --port {unused_port}"
                    in " ".join(p.info["cmdline"] or [])]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_open_every_page_reports_a_page_that_fails(monkeypatch, capsys):
    from lab.dashboard import visitor

    async def failing(port, page, query, timeout):
        return visitor.Visit(page=page, query=query, outcome="error", error="ConnectionRefusedError")

    monkeypatch.setattr(visitor, "visit", failing)
    assert not open_every_page(1, 1.0, pages=["results"])
    out = capsys.readouterr().out
    assert "opened /results (en) in 1.0 s (error: ConnectionRefusedError)" in out

"""Stopping: Ctrl-C (SIGINT, to the command or its whole process group) and SIGTERM stop a command within seconds,
with one line saying what was kept and exit code 130 or 143; and no worker process outlives the process that started
it, however that one ends (SIGKILL included): a sweep's local workers (loky) and the server's (lab.compute.service).

The process tests start real commands in a process group of their own, collect the command's process tree once its
workers train, signal it, and wait (bounded) for every process of the tree to end; whatever is left is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from lab.cli import parser
from lab.compute.sweep import prepare, run_plan
from lab.core.config import TrialConfig
from lab.storage.store import Store

ROOT = Path(__file__).resolve().parents[2]
POSIX = pytest.mark.skipif(os.name != "posix", reason="signals to a process group are POSIX's")
STOP_S = 3.0  # the most a stop may take here: 2 s asked, some slack for a loaded machine
# thousands of trials of 100,000 steps: minutes of work, split in units over 2 processes (the cost model picks both)
LONG_RUN = ["run", "--seeds", "4000", "--steps", "100000", "--quiet", "--workers", "2", "--yes"]


# ---- in this process -----------------------------------------------------------------------------------------------
def test_sigterm_stops_a_command_like_ctrl_c_with_its_own_exit_code(monkeypatch, capsys):
    def handler(args):
        raise parser.Terminated

    monkeypatch.setattr(parser, "handler", lambda name: handler)
    assert parser.main(["run"]) == 143
    assert capsys.readouterr().err == "stopped: nothing was kept\n"

    def interrupted(args):
        stop = KeyboardInterrupt()
        stop.kept = "the 12 trials trained so far are in the store"
        raise stop

    monkeypatch.setattr(parser, "handler", lambda name: interrupted)
    assert parser.main(["run"]) == 130
    assert capsys.readouterr().err == "stopped: the 12 trials trained so far are in the store\n"


@pytest.mark.skipif(not hasattr(signal, "SIGTERM"), reason="no SIGTERM here")
def test_sigterm_raises_in_the_main_thread_only_while_a_command_runs():
    before = signal.getsignal(signal.SIGTERM)
    with parser.sigterm_as_interrupt(), pytest.raises(parser.Terminated):
        signal.raise_signal(signal.SIGTERM)
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_stopped_sweep_says_how_many_trials_it_stored(tmp_path):
    store = Store(tmp_path / "store")
    configs = [TrialConfig(steps=30, lr=lr) for lr in (0.1, 0.2)]
    sweep = prepare(configs, range(4), store, workers=1)

    def progress(done, total):
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as stop:
        run_plan(sweep, store, progress=progress)
    saved = sum(len(store.load(c).seeds) for c in configs if store.load(c) is not None)
    assert saved and stop.value.kept.startswith(f"the {saved:,} trials trained so far are in the store")
    with pytest.raises(KeyboardInterrupt) as stop:
        run_plan(prepare(configs, range(4, 8), None, workers=1), None, progress=progress)
    assert stop.value.kept == "nothing was kept"


# ---- real processes ------------------------------------------------------------------------------------------------
def _env() -> dict:
    return dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))


def _as_in_a_terminal() -> None:
    """The child takes Ctrl-C as a terminal's foreground command does, however the test run itself was started (a
    shell may start a background job with SIGINT ignored, and an ignored signal stays ignored across exec)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(argv: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *argv], cwd=ROOT, env=_env(), start_new_session=True,
                            preexec_fn=_as_in_a_terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _workers(proc: subprocess.Popen, marker: str, timeout: float = 120) -> list[psutil.Process]:
    """The command's whole process tree once a worker (a child whose command line has `marker`) is up, and 2 s more
    (its training under way)."""
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        with_marker = []
        for child in parent.children(recursive=True):
            try:
                if any(marker in part for part in child.cmdline()):
                    with_marker.append(child)
            except psutil.Error:
                pass
        if with_marker:
            time.sleep(2)
            return [parent, *parent.children(recursive=True)]
        time.sleep(0.2)
    raise AssertionError(f"no worker ({marker}) started within {timeout:.0f} s")


def _left(tree: list[psutil.Process], timeout: float) -> list[psutil.Process]:
    """The processes of `tree` still there after `timeout` seconds (zombies count as gone)."""
    deadline = time.monotonic() + timeout
    while True:
        left = []
        for process in tree:
            try:
                if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                    left.append(process)
            except psutil.Error:
                pass
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def _cleanup(proc: subprocess.Popen, tree: list[psutil.Process]) -> None:
    for process in [*tree, psutil.Process(proc.pid)] if proc.poll() is None else tree:
        try:
            process.kill()
        except psutil.Error:
            pass
    proc.communicate(timeout=30)


def _stop_and_measure(argv, marker: str, sig: int, group: bool):
    proc, tree = _start(argv), []
    try:
        tree = _workers(proc, marker)
        start = time.monotonic()
        if group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass
        seconds = time.monotonic() - start
        left = _left(tree, STOP_S)
        out, err = proc.communicate(timeout=30) if proc.returncode is not None else ("", "")
        return proc.returncode, seconds, left, out, err
    finally:
        _cleanup(proc, tree)


@pytest.mark.slow
@POSIX
@pytest.mark.parametrize(("sig", "group", "code"), [(signal.SIGINT, True, 130), (signal.SIGINT, False, 130),
                                                    (signal.SIGTERM, False, 143)],
                         ids=["ctrl-c-to-the-group", "sigint-to-the-command", "sigterm"])
def test_run_on_two_processes_stops_at_once_and_leaves_no_process(sig, group, code):
    rc, seconds, left, out, err = _stop_and_measure(["-m", "lab", *LONG_RUN], "LokyProcess", sig, group)
    assert rc == code, err
    assert seconds < STOP_S, f"stopped in {seconds:.1f} s"
    assert err.strip().splitlines()[-1] == "stopped: nothing was kept", err
    assert "Traceback" not in err
    assert not left, [p.cmdline() for p in left]


@pytest.mark.slow
@POSIX
def test_a_sweeps_workers_end_when_the_command_is_killed():
    proc, tree = _start(["-m", "lab", *LONG_RUN]), []
    try:
        tree = _workers(proc, "LokyProcess")
        proc.send_signal(signal.SIGKILL)
        left = _left(tree, STOP_S)
        assert not left, [p.cmdline() for p in left]
    finally:
        _cleanup(proc, tree)


SERVICE = textwrap.dedent("""
    import time
    from lab.compute.service import ComputeService

    service = ComputeService(workers=1)
    ticket = service.call(time.sleep, 600)  # a job that would outlast the test
    print("submitted", flush=True)
    time.sleep(600)
""")


@pytest.mark.slow
@POSIX
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["killed", "ctrl-c"])
def test_a_services_workers_end_with_the_process_that_started_them(sig):
    """SIGKILL: the workers notice their parent is gone; Ctrl-C to the group: the workers ignore it, and the parent,
    ending, ends them instead of waiting for their job."""
    proc, tree = _start(["-c", SERVICE]), []
    try:
        tree = _workers(proc, "spawn_main")
        start = time.monotonic()
        os.killpg(proc.pid, sig)
        left = _left(tree, STOP_S)
        assert not left, [p.cmdline() for p in left]
        assert time.monotonic() - start < STOP_S
    finally:
        _cleanup(proc, tree)

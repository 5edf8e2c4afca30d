"""The server's one door to training (lab.compute.service): worker processes train what the store lacks, a request
for work already queued joins it, a full queue refuses, released work nobody waits for is cancelled, and what lands in
the store is the engine's numbers."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pytest
import torch

from lab.compute.chunks import chunk_seeds
from lab.compute.service import WORKER_NICE, ComputeService, QueueFull
from lab.core.config import ConfigError, TrialConfig
from lab.core.engine import train
from lab.storage.store import Store

SMALL = TrialConfig(steps=60)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def service():
    pool = ComputeService(workers=1, max_queue=8)
    yield pool
    pool.shutdown()


def wait(ticket, seconds=120):
    deadline = time.monotonic() + seconds
    while not ticket.done:
        assert time.monotonic() < deadline, "the workers did not finish"
        time.sleep(0.05)
    ticket.result()


def test_chunks_are_the_same_whoever_asks():
    big = TrialConfig(steps=100_000)  # 2 seeds per chunk of 200,000 trial-steps
    assert chunk_seeds(big, [0, 1, 2, 3, 4]) == [(0, 1), (2, 3), (4,)]
    assert chunk_seeds(big, [4, 3, 1]) == [(1,), (3,), (4,)]  # chunks of the same grid: flights can match
    assert chunk_seeds(SMALL, list(range(10))) == [tuple(range(10))]


def test_workers_start_without_pytorch():
    """The dashboard's workers preload what digests of stored results need, not PyTorch (it loads with a job that
    trains): with a warmed store, none of them holds it."""
    from lab.compute.jobs import PRELOAD

    code = (f"import sys, importlib\nfor name in {PRELOAD!r}: importlib.import_module(name)\n"
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["False"]


@pytest.mark.slow
def test_requests_train_in_workers_and_join_flights(service, tmp_path):
    first = service.request(tmp_path, [(SMALL, range(6))])
    again = service.request(tmp_path, [(SMALL, range(6))])  # the same chunk: joins the flight, nothing new queued
    assert first.keys == again.keys and len(service._pending()) <= 1
    wait(first)
    assert again.done and first.trained == first.total == 6
    stored = Store(tmp_path).trials(SMALL, range(6))
    np.testing.assert_array_equal(stored.loss, train(SMALL, range(6)).loss)
    first.release()
    again.release()
    assert service.request(tmp_path, [(SMALL, range(6))]).done  # everything stored: nothing to do


def test_a_full_queue_refuses_and_released_work_is_cancelled(service, tmp_path):
    quick = TrialConfig(steps=2_000)  # 100 seeds per chunk: a chunk trains in a second or two
    # 5 chunks: the worker runs one, and its pool hands it up to 2 more at once (those can no longer be cancelled)
    ticket = service.request(tmp_path, [(quick, range(500))])
    with pytest.raises(QueueFull):
        service.request(tmp_path, [(quick.replace(optimizer="sgd"), range(400))])  # 4 more: over 8
    ticket.release()  # nobody waits: the chunks not yet handed to the worker are cancelled
    futures = [service.future(key) for key in ticket.keys]
    assert sum(f is None or f.cancelled() for f in futures) >= 1
    deadline = time.monotonic() + 120
    while service._pending() and time.monotonic() < deadline:  # the ones that had started finish
        time.sleep(0.1)
    assert not service._pending(), "the started chunks did not finish"


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA GPU is here")
def test_a_service_asked_for_a_gpu_it_lacks_says_so_before_it_starts_workers():
    with pytest.raises(ConfigError, match="no CUDA GPU"):
        ComputeService(workers=1, device="cuda")


@pytest.mark.skipif(not hasattr(os, "nice"), reason="POSIX priorities")
def test_workers_run_at_a_lower_priority_than_the_server(service):
    ticket = service.call(os.nice, 0)
    wait(ticket)
    assert service.value(ticket) == min(19, os.nice(0) + WORKER_NICE)


def test_a_visitor_reads_a_shared_answer_after_another_released_it(service):
    """Two visitors wait for one flight; the first reads the answer and leaves; the second still reads it, and the
    service forgets the flight once nobody waits. (It raised AttributeError: the first visitor's leaving dropped the
    finished flight, and the second looked it up by key.)"""
    first, second = service.call(math.factorial, 20), service.call(math.factorial, 20)
    assert first.keys == second.keys  # one flight
    wait(first)
    assert service.value(first) == math.factorial(20)
    first.release()
    wait(second)
    assert service.value(second) == math.factorial(20)
    second.release()
    assert service.future(first.keys[0]) is None  # finished, and nobody waits: forgotten by the service
    again = service.call(math.factorial, 20)  # a later visitor starts a new flight
    wait(again)
    assert service.value(again) == math.factorial(20)
    again.release()


def test_a_visitor_who_leaves_never_cancels_the_work_of_a_later_one():
    """Visitors a and b share a finished flight; a leaves; c asks for the same; b leaves: c's answer is not cancelled.
    (Waiters were counted per key: b's leaving cancelled the newer flight that c waited for.)"""
    made = []

    class Manual:  # the workers, played by the test: each job a future it completes itself
        def submit(self, fn, *args):
            made.append(Future())
            return made[-1]

    service = ComputeService(workers=1)
    service.executor = service.readers = Manual()
    a, b = service.call(math.factorial, 5), service.call(math.factorial, 5)
    made[0].set_result(120)
    a.release()
    c = service.call(math.factorial, 5)
    b.release()
    assert not any(f.cancelled() for f in c.futures)
    if not c.done:  # a newer flight was started for c: it runs on
        c.futures[0].set_result(120)
    assert service.value(c) == 120
    c.release()
    assert service.future(c.keys[0]) is None  # nobody waits: the finished flight is forgotten


def test_a_training_flight_is_done_once_its_trials_are_stored(tmp_path):
    """Workers send their trials back and the service stores them: a flight is done only then; a queued one that is
    cancelled is cancelled for its waiters; a store that refuses the trials fails the flight with its error."""
    made = []

    class Manual:  # the workers, played by the test
        def submit(self, fn, *args):
            made.append((Future(), fn, args))
            return made[-1][0]

    service = ComputeService(workers=1)
    service.executor = service.readers = Manual()
    ticket = service.request(tmp_path, [(SMALL, range(3))])
    (job, fn, args), = made
    assert fn.__module__ == "lab.compute.workers" and args == (SMALL, (0, 1, 2), "cpu")
    assert not ticket.done and ticket.position == 0
    job.set_running_or_notify_cancel()
    assert ticket.futures[0].running() and not ticket.done
    job.set_result(fn(*args))  # the worker's answer: the engine's trials
    assert ticket.done and ticket.trained == 3
    np.testing.assert_array_equal(Store(tmp_path).trials(SMALL, range(3)).loss, train(SMALL, range(3)).loss)

    queued = service.request(tmp_path, [(SMALL, range(3, 5))])
    queued.release()  # nobody waits: the queued job is cancelled, and so is its flight (waiters wake)
    assert made[-1][0].cancelled() and queued.futures[0].cancelled() and queued.wait(1)

    gone = tmp_path / "gone"
    failing = service.request(gone, [(SMALL, range(2))])
    gone.rmdir()
    gone.write_text("a file where the store was")
    made[-1][0].set_result(train(SMALL, range(2)))
    assert failing.done
    with pytest.raises(OSError):
        failing.result()


@pytest.mark.slow
def test_a_worker_that_trains_loads_no_store_pandas_or_scipy():
    """What a worker imports to train: PyTorch and the engine, nothing of the store (about 65 MB)."""
    code = ("import sys\n"
            "from lab.core.config import TrialConfig\n"
            "from lab.compute.workers import train_chunk\n"
            "runs = train_chunk(TrialConfig(steps=30), (0, 1))\n"
            "print(len(runs.seeds), sorted(m for m in ('pandas', 'pyarrow', 'scipy', 'lab.storage.store') "
            "if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["2", "[]"]


@pytest.mark.slow
def test_training_and_reading_run_in_separate_workers(tmp_path):
    """With two workers or more, one pool trains and another runs the other jobs: the reading worker never loads
    PyTorch, the training one never loads pandas."""
    pool = ComputeService(workers=2)
    loaded = "sorted(m for m in ('torch', 'pandas') if m in __import__('sys').modules)"
    try:
        wait(pool.request(tmp_path, [(SMALL, range(3))]))
        reader = pool.call(eval, loaded)
        wait(reader)
        assert pool.value(reader) == []
        assert pool.executor.submit(eval, loaded).result(timeout=60) == ["torch"]
    finally:
        pool.shutdown()

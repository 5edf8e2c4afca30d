"""The service's queue is fair and bounded: chunks go to the workers round-robin across sessions (a large request does
not starve a small one), chunks of one config queued together train as one stack (the same numbers as trained
alone), a session may queue only so much (`SessionFull`), and a closed session's queued chunks are cancelled unless
another session waits for them. The workers are played by the test: each job a future it completes itself."""

from __future__ import annotations

from concurrent.futures import Future

import numpy as np
import pytest

from lab.compute.service import ComputeService, QueueFull, SessionFull
from lab.core.config import TrialConfig
from lab.core.engine import train
from lab.storage.store import Store

SMALL = TrialConfig(steps=40)


class Manual:
    """Workers that run nothing until the test says: `finish()` trains the oldest job for real and lands it."""

    def __init__(self):
        self.jobs: list[tuple[Future, object, tuple]] = []
        self.handed: list[tuple] = []  # (config, seeds) of every training job, in the order handed over

    def submit(self, fn, *args):
        self.jobs.append((Future(), fn, args))
        self.handed.append(args[:2])
        return self.jobs[-1][0]

    def shutdown(self, **_) -> None:
        pass

    def finish(self) -> tuple:
        future, fn, args = next(job for job in self.jobs if not job[0].done())
        future.set_running_or_notify_cancel()
        future.set_result(fn(*args))
        return args[:2]


@pytest.fixture
def manual():
    service = ComputeService(workers=1, max_queue=64, session_jobs=8)
    service.executor = service.readers = workers = Manual()
    yield service, workers
    service.shutdown()


def configs(n: int) -> list[TrialConfig]:
    return [SMALL.replace(lr=0.1 + i / 100) for i in range(n)]


def test_chunks_go_round_robin_across_sessions(manual, tmp_path):
    service, workers = manual
    big = service.request(tmp_path, [(c, [0]) for c in configs(6)], session="large")  # 6 chunks, the first handed
    small = service.request(tmp_path, [(SMALL.replace(optimizer="sgd"), [0])], session="small")
    assert small.position == 0 and big.position == 1  # the small one goes next: the large one had its turn
    workers.finish()  # the large request's first chunk lands; the small one's turn comes next, not the large's second
    assert workers.handed[1][0].optimizer == "sgd"
    workers.finish()
    assert small.done and not big.done
    while not big.done:
        workers.finish()
    assert [c.lr for c, _ in workers.handed if c.optimizer != "sgd"] == [c.lr for c in configs(6)]


def test_a_config_asked_together_trains_as_one_stack(manual, tmp_path):
    """30 students, each their own seed: while the worker is busy their chunks queue, and the next job trains them
    all at once; each student's trial equals the engine's trial trained alone."""
    service, workers = manual
    busy = service.request(tmp_path, [(SMALL.replace(optimizer="sgd"), [0])], session="teacher")
    students = [service.request(tmp_path, [(SMALL, [1000 + 7 * i])], session=f"s{i}") for i in range(30)]
    assert [s.position for s in students[:3]] == [0, 1, 2] and students[-1].position == 29
    workers.finish()  # the teacher's job; then one stack for the students
    assert len(workers.jobs) == 2 and workers.handed[1] == (SMALL, tuple(1000 + 7 * i for i in range(30)))
    workers.finish()
    assert busy.done and all(s.done and s.trained == 1 for s in students)
    stored = Store(tmp_path).trials(SMALL, [1000, 1203])
    for seed, row in zip([1000, 1203], range(2)):
        np.testing.assert_array_equal(stored.loss[row], train(SMALL, [seed]).loss[0])


def test_a_session_may_queue_only_so_much(manual, tmp_path):
    service, workers = manual
    first = service.request(tmp_path, [(c, [0]) for c in configs(8)], session="greedy")  # 1 handed over, 7 queued
    with pytest.raises(SessionFull):
        service.request(tmp_path, [(c, [0]) for c in configs(10)[8:]], session="greedy")  # 9 queued: over 8
    other = service.request(tmp_path, [(c, [1]) for c in configs(2)], session="other")  # another session may
    assert isinstance(SessionFull(), QueueFull) and not other.done
    first.release()
    other.release()


def test_a_full_queue_refuses_every_session(tmp_path):
    service = ComputeService(workers=1, max_queue=4, session_jobs=3)
    service.executor = service.readers = Manual()
    try:
        service.request(tmp_path, [(c, [0]) for c in configs(3)], session="a")
        with pytest.raises(QueueFull):
            service.request(tmp_path, [(c, [1]) for c in configs(2)], session="b")
    finally:
        service.shutdown()


def test_a_closed_sessions_queued_chunks_are_cancelled_unless_another_waits(manual, tmp_path):
    service, workers = manual
    gone = service.request(tmp_path, [(c, [0]) for c in configs(4)], session="gone")
    shared = configs(4)[3]
    stays = service.request(tmp_path, [(shared, [0])], session="stays")  # joins the closed session's last chunk
    assert service.sessions() == ["gone", "stays"]
    assert service.forget_session("gone") == 1 and service.sessions() == ["stays"]
    # the first was handed to a worker that had not started it yet: cancelled there too
    assert [f.cancelled() for f in gone.futures] == [True, True, True, False]
    trained = []
    while not stays.done:
        trained.append(workers.finish())
    assert trained == [(shared, (0,))]  # nothing cancelled was trained
    assert Store(tmp_path).missing(configs(4)[1], [0]) == [0]


def test_reopening_sessions_gains_nothing(manual, tmp_path):
    """A visitor who reloads (a new session each time, the old one closed) has at most one request queued: the
    closed sessions' chunks are cancelled, so the queue holds no more than one session's worth."""
    service, workers = manual
    for reload in range(10):
        service.request(tmp_path, [(c, [reload]) for c in configs(8)], session=f"tab{reload}")
        if reload:
            service.forget_session(f"tab{reload - 1}")
    queued = [f for f in service.flights.values() if not f.done() and not f.running()]
    assert len(queued) <= 8 and service.sessions() == ["tab9"]

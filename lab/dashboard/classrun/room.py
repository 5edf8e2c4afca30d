"""The class runs of this server: its database (`db`: the `class_db_url` setting, else SQLite in the store's folder)
and the students' trials, those that arrive together trained as one stack (`train_together`)."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field

from lab.compute import jobs
from lab.dashboard import settings, work
from lab.dashboard.classrun import tables
from lab.dashboard.memo import remembered
from lab.storage import classruns
from lab.storage.classruns import ClassStore

GATHER_S = 0.4  # a student's trial waits this long for others of the same class to train with
REFRESH_S = 5  # every page's class picture is redrawn this often
REFERENCE_SEEDS = 1000  # the lab's own distribution of the same experiment, revealed by the teacher


def db() -> ClassStore:
    """The class runs' database of this server (made and migrated on first use)."""
    return classruns.open_store(settings.class_db_url() or classruns.default_url(work.root()))


@dataclass
class Stack:
    """The seeds of one config gathered during one window, then trained as one job (`ticket`, once `ready`)."""

    seeds: set = field(default_factory=set)
    ready: threading.Event = field(default_factory=threading.Event)
    ticket: object = None
    error: BaseException | None = None


class Gatherer:
    """Seeds asked for one config within `window` seconds of the first go to the workers as one request."""

    def __init__(self, window: float):
        self.window, self.lock, self.open = window, threading.Lock(), {}

    def join(self, config, seed: int, submit) -> Stack:
        """Add `seed` to the stack of `config` now gathering (or start one: `submit(config, seeds)` queues it)."""
        with self.lock:
            stack = self.open.get(config)
            if stack is None:
                stack = self.open[config] = Stack()
                timer = threading.Timer(self.window, self._send, (config, stack, submit))
                timer.daemon = True
                timer.start()
            stack.seeds.add(seed)
        return stack

    def _send(self, config, stack: Stack, submit) -> None:
        with self.lock:
            self.open.pop(config, None)
        try:
            stack.ticket = submit(config, sorted(stack.seeds))
            for future in stack.ticket.futures:  # the stack's own ticket goes once every trial is stored
                future.add_done_callback(lambda _f, t=stack.ticket: t.done and t.release())
            if stack.ticket.done:
                stack.ticket.release()
        except BaseException as exc:  # noqa: BLE001 - each waiting page reports it
            stack.error = exc
        stack.ready.set()


@functools.cache  # one per server process
def gatherer() -> Gatherer:
    return Gatherer(GATHER_S)


@dataclass(frozen=True)
class Outcome:
    """What a student's run shows and the class keeps: solved, iterations to solve (NaN: never), the truth-table
    loss at every step."""

    solved: bool
    steps_to_solve: float
    table_loss: object  # (steps + 1,) array


def train_together(config, seed: int) -> Outcome:
    """`seed` of `config` trained in one stack with the seeds other students of the same experiment asked for within
    `GATHER_S` (the trials come straight from the stack that trained them); read from the store when it holds it."""
    if work.store().missing(config, [seed]):
        service, store = work.service(), work.store()
        stack = gatherer().join(config, seed, lambda c, seeds: service.request(store, [(c, seeds)]))
        stack.ready.wait(GATHER_S + 30)
        if stack.error is not None:
            raise stack.error
        if stack.ticket is None:
            raise TimeoutError("the class run's trials were not queued")
        while not stack.ticket.wait(work.POLL_S):
            pass
        stack.ticket.result()
        for flight in stack.ticket.futures:
            runs = getattr(flight, "runs", None)
            if runs is not None and seed in list(runs.seeds):
                k = list(runs.seeds).index(seed)
                return Outcome(bool(runs.solved[k]), float(runs.steps_to_solve[k]), runs.table_loss[k])
    trial = work.result(jobs.trial, config, seed)  # stored already (another class, a page, a stack just missed)
    return Outcome(trial.solved, trial.steps_to_solve, trial.table_loss)


def picture(code: str) -> dict:
    """The class's runs as the picture shows them (frame, curves, median, success), built once per new run for every
    viewer: a refresh with nothing new costs one look at the index."""
    last, n = db().latest(code)
    return _picture(code, last, n)


@remembered
def _picture(code: str, last: int, n: int) -> dict:
    runs = [r for r in db().runs_since(code) if r.id <= last]
    frame = tables.runs_frame(runs)
    curves = tables.curves_frame(runs)
    return {"frame": frame, "curves": curves, "median": tables.median_curve(curves), "success": tables.success(frame)}

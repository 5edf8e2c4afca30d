"""The class runs of this server: its database (`db`: the `class_db_url` setting, else SQLite in the store's folder)
and the students' trials, those that arrive together trained as one stack (`train_together`)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import streamlit as st

from lab.dashboard import settings, work
from lab.storage import classruns
from lab.storage.classruns import ClassStore

GATHER_S = 0.4  # a student's trial waits this long for others of the same class to train with
REFRESH_S = 3  # every page's class picture is redrawn this often
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


@st.cache_resource(show_spinner=False)
def gatherer() -> Gatherer:
    return Gatherer(GATHER_S)


def train_together(config, seed: int, progress) -> None:
    """Make sure the store holds `seed` of `config`, trained in one stack with the seeds other students of the same
    experiment asked for within `GATHER_S`; `progress(text)` is called while it waits."""
    if not work.store().missing(config, [seed]):
        return
    service, store = work.service(), work.store()
    stack = gatherer().join(config, seed, lambda c, seeds: service.request(store, [(c, seeds)]))
    stack.ready.wait(GATHER_S + 30)
    if stack.error is not None:
        raise stack.error
    if stack.ticket is None:
        raise TimeoutError("the class run's trials were not queued")
    while not stack.ticket.wait(work.POLL_S):
        progress(len(stack.seeds))
    stack.ticket.result()

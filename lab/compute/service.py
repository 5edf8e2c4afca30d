"""The one door to training for a server: worker processes fed by one bounded queue of (config, seed chunk) jobs, each
landing in the result store as it finishes. A worker trains (lab.compute.workers) and sends its trials back; this
process stores them, and the job's flight is done once they are stored. So a worker that trains loads PyTorch and the
engine, not the store's pandas and Arrow.

Many visitors asking for the same results share one flight: a request for a chunk already queued or running joins it
instead of training it again, across visitors and across pages. A request (a `Ticket`) tells how far its chunks are
and its place in the queue; a ticket nobody waits for any more is released, and its queued chunks that no other ticket
wants are cancelled. The web process itself never trains: it stores what the workers trained and loads it.

Fair and bounded: each request names its session (a visitor's browser tab; None for the server's own work), and the
queued chunks are handed to the workers round-robin across sessions, one chunk of each in turn, only as a worker
frees up: one large request cannot starve small ones. Chunks of one config queued together (30 students asking for
their own seeds) train as one stack, up to a chunk's work. A request that would put more than `session_jobs` chunks
in its session's queue is refused with `SessionFull`, one that would overflow the whole queue (`max_queue`) with
`QueueFull`, before anything is queued; `forget_session` cancels what a closed session left queued.

Other heavy calls (Hessian tests, traces) go through `call`, which runs a function in a worker, one flight per
(function, arguments).

Stopping: `shutdown(kill=True)` ends the workers at once, their running jobs abandoned (what was stored stays); a
process that ends with a service still open does the same before Python waits for its pools (which would wait for the
running jobs), so that a server stopped by Ctrl-C or SIGTERM ends at once. A worker whose parent ends without either
(SIGKILL, a crash) exits by itself (lab.compute.workers.start_worker).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import weakref
from concurrent import futures
from concurrent.futures import Future, ProcessPoolExecutor

from lab.compute.chunks import CHUNK_WORK, chunk_seeds
from lab.compute.flights import Flight, land
from lab.compute.workers import load_modules, start_worker, train_chunk
from lab.core.budget import weight
from lab.core.config import ConfigError
from lab.storage.store import Store

WORKER_NICE = 10  # how much lower the workers' CPU priority is than the web process's (POSIX nice increment)


def check_device(device) -> str:
    """cpu, cuda or cuda:N; torch is imported (to ask for a GPU) only when a GPU is asked for."""
    name = str(device)
    if name.startswith("cuda"):
        from lab.core.engine import resolve_device

        return str(resolve_device(name))
    if name != "cpu":
        raise ConfigError("device", f"must be cpu or cuda (got {name!r})")
    return name


class QueueFull(RuntimeError):
    """More jobs would be queued than the service allows."""


class SessionFull(QueueFull):
    """More jobs would be queued for one session than the service allows a session."""


def in_a_process_of_its_own(fn, *args):
    """`fn(*args)` in a worker started for it alone, which exits once it answers: for an answer that needs PyTorch
    once (the kernel probes, a few seconds), so that no long-lived worker keeps PyTorch loaded (about 250 MB) for it."""
    pool = _pool(1)
    try:
        answer = pool.submit(fn, *args).result()
    except BaseException:  # Ctrl-C, SIGTERM, a failed probe: the worker is ended, not waited for
        stop(pool)
        raise
    pool.shutdown()
    return answer


class Ticket:
    """One request's chunks: progress, place in the queue, errors; `release()` when nobody waits for it."""

    def __init__(self, service: ComputeService, keys: list, futures_: list[Future], sizes: list[int], session=None):
        # the ticket holds its own flights: another visitor's release may drop a finished one from the service
        self.service, self.keys, self.futures, self.sizes = service, keys, futures_, sizes
        self.session = session
        self.total = sum(sizes)
        self.released = False

    @property
    def done(self) -> bool:
        return all(f.done() for f in self.futures)

    def wait(self, timeout: float) -> bool:
        """Wait until the ticket is done or `timeout` seconds pass; whether it is done."""
        futures.wait(self.futures, timeout=timeout)
        return self.done

    @property
    def trained(self) -> int:
        return sum(size for f, size in zip(self.futures, self.sizes) if f.done())

    @property
    def position(self) -> int:
        """How many other chunks are queued ahead of this ticket's first waiting chunk (0: it is running)."""
        return self.service.position(self.keys)

    def result(self) -> None:
        """Raise the first error a chunk of this ticket ended with."""
        for future in self.futures:
            if future.done() and not future.cancelled() and future.exception() is not None:
                raise future.exception()

    def release(self) -> None:
        with self.service.lock:  # the page's script and the sweep of closed sessions may both release it
            if self.released:
                return
            self.released = True
            mine = self.service.tickets.get(self.session)
            if mine is not None:
                mine.discard(self)
                if not mine:
                    del self.service.tickets[self.session]
        self.service.release(self.keys, self.futures)


class ComputeService:
    """Worker processes, `workers` of them (default: the cores), in two pools: one trains (PyTorch, the engine), the
    other runs `call`'s jobs, which mostly read and reduce stored results (pandas, SciPy); so a worker holds one set
    of libraries, not both (about 250 and 130 MB), unless a job computes what a warmed store keeps (a Hessian test, a
    replay). With one worker, or `split=False` (a batch job like the warm-up, which wants every core for both kinds
    of job), one pool does both. At most `max_queue` jobs queued or running; one service per server, whatever stores
    its requests name, and at most `session_jobs` queued for one session. The workers train on `device` (cpu, cuda,
    cuda:N; checked here, so a server asked for a GPU it lacks says so when it starts). `preload`: modules the readers
    load when they start."""

    def __init__(self, workers: int | None = None, max_queue: int = 512, device: str = "cpu", preload=(),
                 split: bool = True, session_jobs: int | None = None):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.max_queue = max_queue
        self.session_jobs = session_jobs or max_queue
        self.device = check_device(device)
        readers = max(1, self.workers // 4) if split and self.workers > 1 else 0
        self.trainers = self.workers - readers
        self.executor = _pool(self.trainers)  # training
        self.readers = _pool(readers) if readers else self.executor
        for _ in range((readers or self.workers) if preload else 0):  # the readers start now and load these modules
            self.readers.submit(load_modules, tuple(preload))
        self.lock = threading.RLock()
        self.flights: dict = {}  # key -> Future
        self.waiters: dict = {}  # flight (Future) -> number of tickets waiting for it
        self.queues: dict = {}  # session -> its queued training flights, oldest first
        self.turns: dict = {}  # session (with queued flights) -> how many turns it has had
        self.round = 0  # the turns that the session served last had had before
        self.tickets: dict = {}  # session -> its tickets not released yet
        self.busy = 0  # training jobs handed to the workers and not over yet
        _OPEN.add(self)

    # ---- requests ----------------------------------------------------------------------------------------------
    def request(self, store: Store | str | os.PathLike, items, session=None) -> Ticket:
        """Queue what `store` (a Store, or its folder) lacks of every (config, seeds) in `items` for `session`,
        joining flights already queued or running; returns a ticket (done at once when everything is stored). The
        trials land through `store` (its size bound, the entries it keeps)."""
        store = store if isinstance(store, Store) else Store(store)
        root = str(store.root)
        jobs = [((root, config.key(), chunk), (store, config, chunk, session), len(chunk))
                for config, seeds in items for chunk in chunk_seeds(config, store.missing(config, list(seeds)))]
        with self.lock:
            new = [job for job in jobs if self._live(job[0]) is None]
            self._check_room(len(new), session)
            if new and session not in self.queues:  # a session starts with as many turns as the last one served had
                self.queues[session], self.turns[session] = [], self.round
            for key, args, _ in new:
                self._add(key, Flight(*args))
                self.queues[session].append(self.flights[key])
            ticket = self._ticket(jobs, session)
            self._dispatch()
        return ticket

    def call(self, fn, *args) -> Ticket:
        """Run `fn(*args)` in a worker, one flight per (fn, args): its value is `value(ticket)` once done."""
        key = (fn.__module__, fn.__qualname__, args)
        with self.lock:
            if self._live(key) is None:
                self._check_room(0, None)
                self._add(key, self.readers.submit(fn, *args))
            return self._ticket([(key, None, 1)])

    @property
    def one_pool(self) -> bool:
        """Whether one pool of workers both trains and reads (one worker, or `split=False`)."""
        return self.readers is self.executor

    def value(self, ticket: Ticket):
        (future,) = ticket.futures
        return future.result()

    def _check_room(self, new: int, session) -> None:
        if len(self._pending()) + new > self.max_queue:
            raise QueueFull(f"{len(self._pending()) + new} jobs would be queued; at most {self.max_queue}")
        mine = sum(not f.done() for f in self.queues.get(session, ()))
        if session is not None and mine + new > self.session_jobs:
            raise SessionFull(f"{mine + new} jobs would be queued for one session; at most {self.session_jobs}")

    def _add(self, key, future: Future) -> None:
        self.flights[key] = future

    def _ticket(self, jobs, session=None) -> Ticket:
        flights = [self.flights[key] for key, *_ in jobs]
        for future in flights:
            self.waiters[future] = self.waiters.get(future, 0) + 1
        ticket = Ticket(self, [key for key, *_ in jobs], flights, [size for *_, size in jobs], session)
        if session is not None and not ticket.done:
            self.tickets.setdefault(session, set()).add(ticket)
        return ticket

    def _dispatch(self) -> None:
        """Hand queued chunks to the training workers while one is free: the oldest chunk of the session that has had
        the fewest turns (the earliest to arrive among equals), stacked with the other queued chunks of its config and
        store up to a chunk's work."""
        with self.lock:
            while self.busy < self.trainers:
                self._drop_done()
                if not self.queues:
                    return
                session = min(self.queues, key=self.turns.__getitem__)
                self.round = self.turns[session]
                self.turns[session] += 1
                stack = self._stack(self.queues[session].pop(0))
                self._drop_done()
                seeds = tuple(sorted(seed for flight in stack for seed in flight.seeds))
                job = self.executor.submit(train_chunk, stack[0].config, seeds, self.device)
                self.busy += 1
                for flight in stack:
                    flight.job, flight.stack = job, stack
                job.add_done_callback(lambda job, stack=stack: self._landed(stack, job))

    def _drop_done(self) -> None:
        """Take what was cancelled out of the queues, and forget the sessions with nothing queued."""
        for session in list(self.queues):
            self.queues[session] = [f for f in self.queues[session] if not f.done()]
            if not self.queues[session]:
                del self.queues[session], self.turns[session]

    def _stack(self, first: Flight) -> tuple:
        """`first` and the queued chunks of its config and store, oldest session first, up to a chunk's work."""
        room = max(len(first.seeds), CHUNK_WORK // (first.config.steps * weight(first.config))) - len(first.seeds)
        stack, key = [first], (first.store.root, first.config.key())
        for queued in list(self.queues.values()):
            for flight in list(queued):
                if room >= len(flight.seeds) and (flight.store.root, flight.config.key()) == key \
                        and not flight.done():
                    stack.append(flight)
                    queued.remove(flight)
                    room -= len(flight.seeds)
        return tuple(stack)

    def _landed(self, stack: tuple, job: Future) -> None:
        try:
            land(stack, job)
        finally:
            with self.lock:
                self.busy -= 1
                self._dispatch()

    def _live(self, key):
        """The flight for `key` if it is queued, running, or finished well (a cancelled or failed one is retried)."""
        future = self.flights.get(key)
        if future is None or future.cancelled() or (future.done() and future.exception() is not None):
            return None
        return future

    def _pending(self) -> list:
        return [key for key, future in self.flights.items() if not future.done()]

    def future(self, key) -> Future | None:
        return self.flights.get(key)

    def position(self, keys) -> int:
        """How many queued chunks go to the workers before the first of `keys` that is still queued, taking turns
        across sessions (0: each of them is with a worker or done)."""
        with self.lock:
            order = {session: n for n, session in enumerate(self.queues)}
            turn = {f: (self.turns[s] + i, order[s]) for s, queued in self.queues.items() for i, f in enumerate(queued)}
            mine = [turn[f] for f in (self.flights.get(k) for k in keys) if f in turn]
            return sum(t < min(mine) for t in turn.values()) if mine else 0
    def release(self, keys, flights) -> None:
        """A ticket's waiter is gone: cancel its queued jobs that nobody else waits for, and forget its finished ones
        (counted per flight: a key's finished flight may already have been replaced by a newer one)."""
        with self.lock:
            for key, future in zip(keys, flights):
                left = self.waiters.get(future, 0) - 1
                if left > 0:
                    self.waiters[future] = left
                    continue
                self.waiters.pop(future, None)
                if not future.done():
                    future.cancel()  # only succeeds while queued; a running job finishes and is stored
                if future.done() and self.flights.get(key) is future:
                    self.flights.pop(key)

    def forget_session(self, session) -> int:
        """A session has ended (its tab closed or reloaded): release its tickets, so that its queued chunks that no
        other ticket waits for are cancelled; how many tickets were released."""
        with self.lock:
            tickets = list(self.tickets.pop(session, ()))
        for ticket in tickets:
            ticket.release()
        return len(tickets)

    def sessions(self) -> list:
        """The sessions with a ticket not released yet."""
        with self.lock:
            return list(self.tickets)

    def shutdown(self, kill: bool = False) -> None:
        """Cancel the queued jobs and let the workers go; with `kill`, end them now, abandoning their running jobs."""
        _OPEN.discard(self)
        with self.lock:
            for queued in self.queues.values():
                for flight in queued:
                    flight.cancel()
            self.queues.clear()
            self.turns.clear()
        for pool in {self.executor, self.readers}:
            if kill:
                stop(pool)
            else:
                pool.shutdown(wait=False, cancel_futures=True)


_OPEN: weakref.WeakSet[ComputeService] = weakref.WeakSet()  # services not shut down yet


def open_services() -> list[ComputeService]:
    """The services not shut down yet."""
    return list(_OPEN)


def _kill_open_services() -> None:
    for service in list(_OPEN):
        service.shutdown(kill=True)


# Python waits for every process pool's running jobs when it exits (concurrent.futures registers that wait with
# threading's exit hooks, which run before atexit's, the latest registered first): a service still open is ended before.
getattr(threading, "_register_atexit", lambda fn: None)(_kill_open_services)


def stop(pool: ProcessPoolExecutor) -> None:
    """Shut `pool` down now: its queued jobs cancelled, its workers ended (running jobs abandoned), not waited for."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # no public way before Python 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.kill()


def _pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes at a lower CPU priority, spawned, not forked: the server's threads (and their locks) must not
    be copied into them; each exits if this process ends first (lab.compute.workers.start_worker)."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=start_worker,
                               initargs=(os.getpid(), WORKER_NICE))

"""The one door to training for a server: worker processes fed by one bounded queue of (config, seed chunk) jobs, each
landing in the result store as it finishes. A worker trains (lab.compute.workers) and sends its trials back; this
process stores them, and the job's flight is done once they are stored. So a worker that trains loads PyTorch and the
engine, not the store's pandas and Arrow.

Many visitors asking for the same results share one flight: a request for a chunk already queued or running joins it
instead of training it again, across visitors and across pages. A request (a `Ticket`) tells how far its chunks are
and its place in the queue; a ticket nobody waits for any more is released, and its queued chunks that no other ticket
wants are cancelled. The queue is bounded: a request that would overflow it is refused with `QueueFull` before
anything is queued. The web process itself never trains: it stores what the workers trained and loads it.

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

from lab.compute.chunks import chunk_seeds
from lab.compute.workers import load_modules, start_worker, train_chunk
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


class Stored(Future):
    """The flight of a training job: done once the worker's trials are in the store at `root` (with the job's
    error, if it failed or the store refused them; cancelled with it while it is queued)."""

    def __init__(self, job: Future, root: str):
        super().__init__()
        self.job, self.root, self.runs = job, root, None
        job.add_done_callback(self._land)

    def cancel(self) -> bool:
        return self.job.cancel()  # only while queued; `_land` then cancels this flight

    def running(self) -> bool:
        return not self.done() and (self.job.running() or self.job.done())

    def _land(self, job: Future) -> None:
        if job.cancelled():
            Future.cancel(self)
            self.set_running_or_notify_cancel()  # wakes whoever waits on this flight
            return
        try:
            runs = job.result()
            Store(self.root).save(runs)
            self.runs = runs  # the trials themselves, for whoever holds this flight (a class run's stack)
        except BaseException as exc:  # noqa: BLE001 - the ticket reports it (Ticket.result)
            self.set_exception(exc)
        else:
            self.set_result(len(runs.seeds))


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

    def __init__(self, service: ComputeService, keys: list, futures_: list[Future], sizes: list[int]):
        # the ticket holds its own flights: another visitor's release may drop a finished one from the service
        self.service, self.keys, self.futures, self.sizes = service, keys, futures_, sizes
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
        if not self.released:
            self.released = True
            self.service.release(self.keys, self.futures)


class ComputeService:
    """Worker processes, `workers` of them (default: the cores), in two pools: one trains (PyTorch, the engine), the
    other runs `call`'s jobs, which mostly read and reduce stored results (pandas, SciPy); so a worker holds one set
    of libraries, not both (about 250 and 130 MB), unless a job computes what a warmed store keeps (a Hessian test, a
    replay). With one worker, or `split=False` (a batch job like the warm-up, which wants every core for both kinds
    of job), one pool does both. At most `max_queue` jobs queued or running; one service per server, whatever stores
    its requests name. The workers train on `device` (cpu, cuda, cuda:N; checked here, so a server asked for a GPU it
    lacks says so when it starts). `preload`: modules the readers load when they start."""

    def __init__(self, workers: int | None = None, max_queue: int = 512, device: str = "cpu", preload=(),
                 split: bool = True):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.max_queue = max_queue
        self.device = check_device(device)
        readers = max(1, self.workers // 4) if split and self.workers > 1 else 0
        self.executor = _pool(self.workers - readers)  # training
        self.readers = _pool(readers) if readers else self.executor
        for _ in range((readers or self.workers) if preload else 0):  # the readers start now and load these modules
            self.readers.submit(load_modules, tuple(preload))
        self.lock = threading.Lock()
        self.flights: dict = {}  # key -> Future
        self.waiters: dict = {}  # flight (Future) -> number of tickets waiting for it
        self.order: dict = {}  # key -> submission number (for places in the queue)
        self.submitted = 0
        _OPEN.add(self)

    # ---- requests ----------------------------------------------------------------------------------------------
    def request(self, root: str | os.PathLike, items) -> Ticket:
        """Queue what the store at `root` lacks of every (config, seeds) in `items`, joining flights already queued
        or running; returns a ticket (done at once when everything is stored)."""
        root, store = str(root), Store(root)
        jobs = [((root, config.key(), chunk), (train_chunk, config, chunk, self.device), len(chunk), root)
                for config, seeds in items for chunk in chunk_seeds(config, store.missing(config, list(seeds)))]
        return self._ticket(jobs, self.executor)

    def request_stack(self, root: str | os.PathLike, config, seeds) -> Ticket:
        """Train what the store at `root` lacks of `seeds` of one config as one job, a stack of trials trained
        together (the class run's students who press at about the same time), not cut into the usual pieces."""
        root = str(root)
        missing = tuple(sorted(Store(root).missing(config, list(seeds))))
        jobs = [((root, config.key(), missing), (train_chunk, config, missing, self.device), len(missing), root)]
        return self._ticket(jobs if missing else [], self.executor)

    def call(self, fn, *args) -> Ticket:
        """Run `fn(*args)` in a worker, one flight per (fn, args): its value is `value(ticket)` once done."""
        return self._ticket([((fn.__module__, fn.__qualname__, args), (fn, *args), 1, None)], self.readers)

    def value(self, ticket: Ticket):
        (future,) = ticket.futures
        return future.result()

    def _ticket(self, jobs, pool) -> Ticket:
        with self.lock:
            new = [job for job in jobs if self._live(job[0]) is None]
            if len(self._pending()) + len(new) > self.max_queue:
                raise QueueFull(f"{len(self._pending()) + len(new)} jobs would be queued; at most {self.max_queue}")
            for key, (fn, *args), _, root in jobs:
                if self._live(key) is None:
                    job = pool.submit(fn, *args)
                    self.flights[key] = job if root is None else Stored(job, root)  # trials: done once stored
                    self.order[key] = self.submitted
                    self.submitted += 1
            flights = [self.flights[key] for key, *_ in jobs]
            for future in flights:
                self.waiters[future] = self.waiters.get(future, 0) + 1
        return Ticket(self, [key for key, *_ in jobs], flights, [size for _, _, size, _ in jobs])

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
        with self.lock:
            waiting = [self.order[k] for k in keys if k in self.flights and not self.flights[k].done()]
            if not waiting:
                return 0
            first = min(waiting)
            ahead = [k for k in self._pending() if self.order[k] < first and not self.flights[k].running()]
            return len(ahead)

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
                    self.order.pop(key, None)

    def shutdown(self, kill: bool = False) -> None:
        """Cancel the queued jobs and let the workers go; with `kill`, end them now, abandoning their running jobs."""
        _OPEN.discard(self)
        for pool in {self.executor, self.readers}:
            if kill:
                stop(pool)
            else:
                pool.shutdown(wait=False, cancel_futures=True)


_OPEN: weakref.WeakSet[ComputeService] = weakref.WeakSet()  # services not shut down yet


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

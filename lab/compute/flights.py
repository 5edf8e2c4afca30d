"""A queued piece of the server's training (`Flight`): a future that its waiters hold from the moment it is queued,
before any worker has it, and how a finished job lands (`land`: its trials stored once for every piece trained in it).
The service (lab.compute.service) decides when each goes to a worker."""

from __future__ import annotations

from concurrent.futures import Future

from lab.storage.store import Store


class Flight(Future):
    """One chunk of training, (config, seeds) for the store `store`, queued by `session`: handed to a worker when its
    turn comes (`ComputeService._dispatch`), perhaps in one stack with other chunks of its config, and done once the
    worker's trials are in the store (with the job's error, if it failed or the store refused them). Cancelled at
    once while queued; once handed over, only while the worker has not started it and no other chunk shares its job."""

    def __init__(self, store: Store, config, seeds: tuple[int, ...], session):
        super().__init__()
        self.store, self.config, self.seeds, self.session = store, config, seeds, session
        self.job: Future | None = None  # the pool's job, once handed over
        self.stack: tuple[Flight, ...] = ()  # the chunks trained in that job
        self.runs = None  # once landed: the trials of the whole stack, for whoever holds this flight (a class run)

    def cancel(self) -> bool:
        if self.job is None:
            if self.cancelled():
                return True
            if not Future.cancel(self):
                return False
            self.set_running_or_notify_cancel()  # wakes whoever waits on this flight
            return True
        return len(self.stack) == 1 and self.job.cancel()  # `land` then cancels this flight

    def running(self) -> bool:
        return self.job is not None and not self.done() and (self.job.running() or self.job.done())


def land(stack: tuple[Flight, ...], job: Future) -> None:
    """A training job is over: store its trials (once for the whole stack) and finish each flight of its stack."""
    if job.cancelled():
        for flight in stack:
            Future.cancel(flight)
            flight.set_running_or_notify_cancel()
        return
    try:
        runs = job.result()
        stack[0].store.save(runs)
    except BaseException as exc:  # noqa: BLE001 - the tickets report it (Ticket.result)
        for flight in stack:
            flight.set_exception(exc)
    else:
        for flight in stack:
            flight.runs = runs
            flight.set_result(len(flight.seeds))

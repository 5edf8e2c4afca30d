"""Sweeps: a grid of configs × seeds, computed once into the store, on local processes or a Dask cluster.

A grid is a base config plus axes (field → values); its cartesian product is validated config by config. Work is
planned in units: configs of one shape (equal `TrialConfig.shape_key`: they differ only in optimizer settings,
activation or init) train together in one stacked pass, and only the seeds the store lacks are computed. Units run in
worker processes (joblib) or, given a scheduler address, on a Dask distributed cluster; the parent stores each
unit's results as it arrives. Every trial's numbers are the same however the work was split.

Before it starts, a sweep can say how long it will take (`SweepPlan.estimate_seconds`): each unit's time comes from a
cost model measured once (the constants below), and local processes share the units. While it runs, `ProgressBar`
shows the trials done and an ETA from the time taken so far.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, replace

from lab.compute.chunks import pieces
from lab.compute.workers import start_worker, train_unit
from lab.core.budget import weight
from lab.core.config import ConfigError, TrialConfig
from lab.core.recording import LARGE_REQUEST, Recording, reduce
from lab.core.runs import Runs
from lab.storage.parquet import merge, select
from lab.storage.store import Store

MAX_TRIALS_PER_UNIT = LARGE_REQUEST  # the engine keeps the heap small for units this large


def plan(configs: Iterable[TrialConfig], seeds: list[int], stored: dict | None = None, workers: int = 1):
    """Work units: lists of (config, seeds missing from `stored`) of one shape, largest first."""
    todo = []
    for config in configs:
        have = stored.get(config) if stored else None
        done = set(have.seeds) if have is not None else set()
        missing = [s for s in seeds if s not in done]
        if missing:
            todo.append((config, missing))
    by_shape: dict[tuple, list] = {}
    for config, missing in todo:
        by_shape.setdefault(config.shape_key(), []).append((config, missing))
    total = sum(len(m) for _, m in todo)
    # enough units to keep every worker busy (one process: as few as may be), none too large for memory
    target = max(1, min(MAX_TRIALS_PER_UNIT, -(-total // (2 * workers)) if workers > 1 else total))
    units = []
    for items in by_shape.values():
        unit, size = [], 0
        for config, missing in items:
            for part in map(list, pieces(missing, target)):
                if size and size + len(part) > target:
                    units.append(unit)
                    unit, size = [], 0
                unit.append((config, part))
                size += len(part)
        if unit:
            units.append(unit)
    units.sort(key=_cost, reverse=True)
    return units


# The cost model of one unit (configs of one shape stacked, trained on one CPU thread). One optimizer step costs about
#     STEP_US + LAYER_US * L + CONFIG_US * C + TRIAL_US * L * (trials weighted by budget.weight)   microseconds,
# with L = depth + 1 layers and C configs in the unit: a fixed cost per step, per layer and per config (one optimizer
# each), and per trial-step of each layer (0.52 µs per trial-step for the lecture's 2-2-1 net); UNIT_S more per unit
# (setting it up). Measured on a 2-core x86-64 Linux machine (PyTorch 2.13, CPU) over depths 1-6, 12-1200 trials and
# 1-6 configs: within a factor of 1.6.
STEP_US, LAYER_US, CONFIG_US, TRIAL_US = 180.0, 110.0, 48.0, 0.26


UNIT_S = 0.1


FIRST_UNIT_S = 2.0  # a process's first unit sets up PyTorch's kernels (measured: 2.2 s)


WORKER_START_S = 4.0  # a local worker process imports torch, then sets up (measured: 2-5 s; the parent works meanwhile)


SAVE_S = 0.03  # the parent stores each config's trials of a unit (one Parquet write; measured: 20-45 ms)


def _cost(unit) -> float:
    """Estimated seconds to train `unit` on one CPU thread (the cost model above)."""
    config = unit[0][0]
    layers = config.depth + 1
    trials = sum(len(seeds) * weight(c) for c, seeds in unit)
    per_step = STEP_US + LAYER_US * layers + CONFIG_US * len(unit) + TRIAL_US * layers * trials
    return UNIT_S + config.steps * per_step * 1e-6


@dataclass
class SweepPlan:
    """What a sweep will do: its configs and seeds, what the store already holds, and the units still to train."""

    configs: list[TrialConfig]
    seeds: list[int]
    have: dict  # config -> stored Runs, or None
    units: list
    workers: int

    @property
    def trials(self) -> int:
        return len(self.configs) * len(self.seeds)

    @property
    def to_train(self) -> int:
        return sum(len(seeds) for unit in self.units for _, seeds in unit)

    def estimate_seconds(self) -> float:
        """About how long the units take on `workers` local processes on a CPU (0 when nothing is left to train)."""
        if not self.units:
            return 0.0
        costs = [_cost(unit) for unit in self.units]
        processes = min(self.workers, len(costs))
        start = WORKER_START_S if processes > 1 else FIRST_UNIT_S
        saves = SAVE_S * sum(len(unit) for unit in self.units)
        return start + max(sum(costs) / processes, max(costs)) + saves


def prepare(configs, seeds, store: Store | None = None, workers: int | None = None) -> SweepPlan:
    """Read what the store holds for `configs` and plan the units that train the rest."""
    configs = list(configs)
    seeds = list(dict.fromkeys(int(s) for s in seeds))
    workers = workers or os.cpu_count() or 1
    have = store.load_many(configs) if store is not None else {}
    return SweepPlan(configs, seeds, have, plan(configs, seeds, have, workers), workers)


def run_configs(configs, seeds, store: Store | None = None, workers: int | None = None, scheduler: str | None = None,
                progress: Callable[[int, int], None] | None = None, device="cpu",
                record: Recording | None = None) -> list[Runs]:
    """The trials of every config for `seeds`, computing (and storing) only what the store lacks."""
    return run_plan(prepare(configs, seeds, store, workers), store, scheduler, progress, device, record)


def run_plan(sweep: SweepPlan, store: Store | None = None, scheduler: str | None = None,
             progress: Callable[[int, int], None] | None = None, device="cpu",
             record: Recording | None = None) -> list[Runs]:
    """Train `sweep`'s units, storing each result as it arrives; every config's trials for the plan's seeds.
    `record` (lab.core.recording): what is kept of the trials; recorded thinly (not `full`), they come back from the
    workers reduced and are not stored (the store keeps full curves), and stored trials are reduced alike."""
    thin = record is not None and not record.full
    have, seeds, total, done, saved = sweep.have, sweep.seeds, sweep.to_train, 0, 0
    parts: dict[TrialConfig, list[Runs]] = {}
    if progress:
        progress(0, total)
    try:
        with contextlib.closing(_execute(sweep.units, sweep.workers, scheduler, device, record)) as arriving:
            for results in arriving:
                for runs in results:
                    if store is not None and not thin:
                        _save(store, runs, saved)
                        saved += len(runs.seeds)
                    parts.setdefault(runs.config, []).append(runs)
                    done += len(runs.seeds)
                if progress:
                    progress(done, total)
    except KeyboardInterrupt as stop:  # Ctrl-C or SIGTERM (lab.cli.parser): the command line says what was kept
        stop.kept = (f"the {saved:,} trials trained so far are in the store (a rerun trains only the rest)"
                     if saved else "nothing was kept")
        raise
    out = []
    for config in sweep.configs:  # joined once per config, not merged unit by unit
        old, new = have.get(config), parts.get(config)
        if thin and old is not None:
            old = reduce(old, record)
        if new:
            new = Runs.concat(new)
            old = new if old is None else Runs.concat([old, new]) if thin else merge(old, new)
        out.append(select(old, seeds))
    return out


def _save(store: Store, runs: Runs, saved: int) -> None:
    """`store.save(runs)`; a failure to write (a full disk, a folder gone) is a ConfigError saying its cause and what
    is kept: the trials saved before it stay in the store, and a rerun trains only the rest."""
    try:
        store.save(runs)
    except OSError as exc:
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        raise ConfigError("store", f"could not save results in {str(store.root)!r}: {exc.strerror or exc}{where}; "
                                   f"stopped, the {saved} trials saved before stay in the store (a rerun trains only "
                                   "the rest)") from None


def one_thread_each(record: Recording | None) -> Recording | None:
    """`record` for units trained in several processes at once: they already share the cores, so each trains one
    pass at a time (unless `record` names its threads)."""
    return record if record is None or record.threads is not None else replace(record, threads=1)


def _execute(units, workers, scheduler, device, record=None):
    if not units:
        return
    if scheduler or (workers > 1 and len(units) > 1):
        record = one_thread_each(record)
    args = (device,) if record is None else (device, record)  # train_unit's arguments after the unit
    if scheduler:
        try:
            from distributed import Client, as_completed
        except ImportError as exc:  # pragma: no cover - distributed is a pinned requirement
            raise ConfigError("scheduler", "needs the 'distributed' package") from exc
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise ConfigError("scheduler", f"cannot reach a Dask scheduler at {scheduler!r} ({exc})") from None
        try:
            futures = [client.submit(train_unit, unit, *args, pure=False) for unit in units]
            for future in as_completed(futures):
                yield unit_result(future, scheduler)
        finally:
            client.close()
        return
    if workers <= 1 or len(units) == 1:
        for unit in units:
            yield train_unit(unit, *args)
        return
    yield from _local(units, workers, args)


def unit_result(future, scheduler: str):
    """A unit's result from the cluster; a scheduler or worker that cannot import this package said in one line."""
    try:
        return future.result()
    except (ModuleNotFoundError, RuntimeError) as exc:
        missing = isinstance(exc, ModuleNotFoundError) and (exc.name or "").split(".")[0] == "lab"
        if not missing and "deserializ" not in str(exc):
            raise
        raise ConfigError("scheduler", f"the cluster at {scheduler!r} cannot load this lab's code: start its scheduler "
                                       "and workers in this repository's root with PYTHONPATH=. and the same package "
                                       "versions") from None


def _local(units, workers, args):
    """Worker processes take the largest units first while this process trains the smallest ones: the parent's
    core is not left idle, and its work overlaps the workers' start-up (importing torch takes seconds)."""
    executor = local_executor(workers - 1)
    pending, running = deque(units), set()
    try:
        while pending or running:
            while pending and len(running) < 2 * (workers - 1):
                running.add(executor.submit(train_unit, pending.popleft(), *args))
            finished = {f for f in running if f.done()}
            if not finished and pending:
                yield train_unit(pending.pop(), *args)
                continue
            while not finished:  # waits of at most WAIT_S: Ctrl-C interrupts no endless wait on Windows
                finished, _ = wait(running, timeout=WAIT_S, return_when=FIRST_COMPLETED)
            for future in finished:
                running.discard(future)
                yield future.result()
    except BaseException:  # Ctrl-C, SIGTERM, a unit's error, or the caller stopped reading: end the workers now
        for future in running:
            future.cancel()
        executor.shutdown(wait=True, kill_workers=True)  # waits only for the workers to be killed
        raise


WAIT_S = 0.5  # the longest one wait for a worker's unit lasts before it is asked again


def local_executor(processes: int):
    """joblib's reusable executor (loky) with `processes` workers, started as `_local` starts them (asked otherwise,
    loky would start new ones): each ignores Ctrl-C and exits if this process ends first
    (lab.compute.workers.start_worker)."""
    from joblib.externals.loky import get_reusable_executor

    return get_reusable_executor(max_workers=processes, initializer=start_worker, initargs=(os.getpid(),))


def quickest(sweep: SweepPlan) -> SweepPlan:
    """`sweep` on as many of its local processes (at most `sweep.workers`) as the cost model says finish it first:
    starting a process takes seconds, so a small request trains in this process alone and a large one on every core."""
    plans = [replace(sweep, units=plan(sweep.configs, sweep.seeds, sweep.have, w), workers=w)
             for w in range(1, sweep.workers + 1)]
    return min(plans, key=SweepPlan.estimate_seconds)


def stored_runs(store: Store | None, config: TrialConfig, seeds, device="cpu", record: Recording | None = None,
                workers: int | None = 1) -> Runs:
    """One config's trials for `seeds` (in that order), training only what `store` lacks and storing it: the command
    line's and the tests' door (a server's is lab.compute.service). `workers`: local processes at most (None: one
    per core), of which `quickest` takes what pays; on a GPU one."""
    workers = 1 if str(device) != "cpu" else workers
    sweep = prepare([config], seeds, store, workers)
    return run_plan(quickest(sweep), store, device=device, record=record)[0]


def duration(seconds: float) -> str:
    """A duration for people: '8 s', '3 min 20 s', '2 h 05 min'."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"

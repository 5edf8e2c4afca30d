"""Sweeps: a grid of configs × seeds, computed once into the store, on local processes or a Dask cluster.

A grid is a base config plus axes (field → values); its cartesian product is validated config by config. Work is
planned in units: configs of one shape (equal `TrialConfig.shape_key`: they differ only in optimizer settings,
activation or init) train together in one stacked pass, and only the seeds the store lacks are computed. Units run in
worker processes (joblib) or, given a scheduler address, on a Dask distributed cluster; the parent stores each
unit's results as it arrives. Every trial's numbers are the same however the work was split.
"""

from __future__ import annotations

import itertools
import os
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field

from .config import ConfigError, TrialConfig
from .engine import train_group
from .runs import Runs
from .store import Store, merge, select


@dataclass(frozen=True)
class Grid:
    base: dict = field(default_factory=dict)
    axes: dict = field(default_factory=dict)  # field -> tuple of values
    seeds: int = 20

    def configs(self) -> list[TrialConfig]:
        names = list(self.axes)
        configs = []
        for values in itertools.product(*(self.axes[name] for name in names)):
            configs.append(TrialConfig.from_dict({**self.base, **dict(zip(names, values, strict=True))}))
        return list(dict.fromkeys(configs))  # duplicates (e.g. unused settings) collapse


MAX_TRIALS_PER_UNIT = 2048


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
    # enough units to keep every worker busy, none too large for memory
    target = max(1, min(MAX_TRIALS_PER_UNIT, -(-total // max(1, 2 * workers))))
    units = []
    for items in by_shape.values():
        unit, size = [], 0
        for config, missing in items:
            for start in range(0, len(missing), target):
                part = missing[start:start + target]
                if size and size + len(part) > target:
                    units.append(unit)
                    unit, size = [], 0
                unit.append((config, part))
                size += len(part)
        if unit:
            units.append(unit)
    units.sort(key=_cost, reverse=True)
    return units


def _cost(unit) -> float:
    config = unit[0][0]
    trials = sum(len(seeds) for _, seeds in unit)
    return config.steps * (config.depth + 1) * (1 + trials / 256)


def train_unit(unit, device="cpu") -> list[Runs]:
    """Train one unit (runs in a worker process or on a Dask worker)."""
    return train_group(unit, device=device)


def run_configs(configs, seeds, store: Store | None = None, workers: int | None = None, scheduler: str | None = None,
                progress: Callable[[int, int], None] | None = None, device="cpu") -> list[Runs]:
    """The trials of every config for `seeds`, computing (and storing) only what the store lacks."""
    configs = list(configs)
    seeds = list(dict.fromkeys(int(s) for s in seeds))
    workers = workers or os.cpu_count() or 1
    have = store.load_many(configs) if store is not None else {}
    units = plan(configs, seeds, have, workers)
    total = sum(len(s) for unit in units for _, s in unit)
    done = 0
    if progress:
        progress(0, total)
    for results in _execute(units, workers, scheduler, device):
        for runs in results:
            if store is not None:
                store.save(runs)
            old = have.get(runs.config)
            have[runs.config] = runs if old is None else merge(old, runs)
            done += len(runs.seeds)
        if progress:
            progress(done, total)
    return [select(have[config], seeds) for config in configs]


def _execute(units, workers, scheduler, device):
    if not units:
        return
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
            futures = [client.submit(train_unit, unit, device, pure=False) for unit in units]
            for future in as_completed(futures):
                yield future.result()
        finally:
            client.close()
        return
    if workers <= 1 or len(units) == 1:
        for unit in units:
            yield train_unit(unit, device)
        return
    yield from _local(units, workers, device)


def _local(units, workers, device):
    """Worker processes take the largest units first while this process trains the smallest ones: the parent's
    core is not left idle, and its work overlaps the workers' start-up (importing torch takes seconds)."""
    from joblib.externals.loky import get_reusable_executor

    executor = get_reusable_executor(max_workers=workers - 1)
    pending, running = deque(units), set()
    while pending or running:
        while pending and len(running) < 2 * (workers - 1):
            running.add(executor.submit(train_unit, pending.popleft(), device))
        finished = {f for f in running if f.done()}
        if not finished and pending:
            yield train_unit(pending.pop(), device)
            continue
        if not finished:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in finished:
            running.discard(future)
            yield future.result()


class ProgressBar:
    """A one-line text progress bar with ETA for terminals (writes to `stream`)."""

    def __init__(self, stream, width: int = 30):
        self.stream, self.width, self.start = stream, width, time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        elapsed = time.perf_counter() - self.start
        frac = done / total if total else 1.0
        eta = elapsed / frac - elapsed if frac > 0 else float("nan")
        bar = "#" * int(frac * self.width)
        eta_text = f"ETA {eta:5.1f}s" if done < total and frac > 0 else f"{elapsed:5.1f}s"
        self.stream.write(f"\r[{bar:<{self.width}}] {done}/{total} trials  {eta_text}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()

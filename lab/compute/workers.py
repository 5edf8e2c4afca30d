"""What runs in worker processes: the server's (lab.compute.service starts them: their start, a lower CPU priority
and the modules they preload, and their one training job) and a sweep's (lab.compute.sweep: its units, on local
processes or Dask workers). Nothing here imports the store, pandas or Arrow, nor PyTorch before a job needs it: a
worker that only trains holds PyTorch and the engine (about 70 MB less than with the store's modules), and the web
process, which names these functions, never loads PyTorch."""

from __future__ import annotations

import contextlib
import importlib
import os


def train_chunk(config, seeds: tuple[int, ...], device: str = "cpu"):
    """Train one chunk of seeds (full curves, as the store keeps them) and send the trials back: the service stores
    them."""
    from lab.core.engine import train

    return train(config, seeds, device)


def train_unit(unit, device="cpu", record=None):
    """Train one sweep unit, (config, seeds) items of one shape, reduced to what `record` keeps
    (lab.core.recording)."""
    from lab.core.engine import train_group

    return train_group(unit, device=device, record=record)


def lower_priority(increment: int) -> None:
    """Run this worker at a lower CPU priority than the process that started it, so that when both want a core the
    web process (its event loop, health checks and page scripts) goes first: training waits a little, visitors do
    not. POSIX `nice`; on Windows the below-normal priority class (through psutil, where it is installed)."""
    with contextlib.suppress(OSError, AttributeError, ImportError):
        if hasattr(os, "nice"):
            os.nice(increment)
        else:
            import psutil

            psutil.Process().nice(psutil.BELOW_NORMAL_PRIORITY_CLASS)


def load_modules(names: tuple[str, ...]) -> None:
    """Import `names` in a worker (started with the service, so that the first request finds it ready)."""
    for name in names:
        importlib.import_module(name)

"""What runs in worker processes: the server's (lab.compute.service starts them: their start, a lower CPU priority
and the modules they preload, and their one training job) and a sweep's (lab.compute.sweep: its units, on local
processes or Dask workers). Nothing here imports the store, pandas or Arrow, nor PyTorch before a job needs it: a
worker that only trains holds PyTorch and the engine (about 70 MB less than with the store's modules), and the web
process, which names these functions, never loads PyTorch.

No worker outlives the process that started it, however that one ends (Ctrl-C, SIGTERM, SIGKILL, a crash): each is
started with `start_worker`, which leaves Ctrl-C to the parent (the parent stops its workers itself) and watches the
parent, exiting (code `ORPHANED`) within `PARENT_POLL_S` of its end."""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import threading
import time

PARENT_POLL_S = 0.5  # how often a worker checks that the process that started it is still there
ORPHANED = 3  # a worker's exit code when it finds its parent gone


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


MALLOC_ARENAS = 2  # glibc's malloc keeps up to 8 arenas a core, one per thread that allocates at once


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Let glibc's malloc use at most `arenas` arenas in this process (as MALLOC_ARENA_MAX would, set once it runs):
    the memory freed by one thread is then reused by the others rather than kept per thread. Nothing elsewhere (other
    C libraries); whether it was set."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(-8, arenas))  # M_ARENA_MAX
    except (OSError, AttributeError):
        return False


def start_worker(parent: int, increment: int = 0) -> None:
    """A worker's initializer: ignore Ctrl-C (a terminal sends it to the whole process group; the parent decides what
    stops, and stops its workers), run at a CPU priority `increment` lower (0: unchanged), keep malloc's arenas few
    (`limit_malloc_arenas`) and exit once the process `parent` is gone (`watch_parent`)."""
    limit_malloc_arenas()
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if increment:
        lower_priority(increment)
    watch_parent(parent)


def watch_parent(parent: int) -> None:
    """Exit this process (`os._exit(ORPHANED)`: no clean-up, the parent's work is abandoned) once the process `parent`
    has ended, checked every `PARENT_POLL_S` seconds by a daemon thread. psutil tells a process's end on every system
    (a process whose number was reused since counts as ended); without it, on POSIX, a parent's end is when this
    process is handed to another parent."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with distributed, a pinned requirement
        psutil = None
    if psutil is None and not hasattr(os, "getppid"):  # pragma: no cover
        return

    def alive() -> bool:
        if psutil is None:
            return os.getppid() == parent
        try:
            return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False

    try:
        process = psutil.Process(parent) if psutil is not None else None
    except psutil.Error:
        os._exit(ORPHANED)
    if not alive():
        os._exit(ORPHANED)

    def watch() -> None:
        while alive():
            time.sleep(PARENT_POLL_S)
        os._exit(ORPHANED)

    threading.Thread(target=watch, name="lab-parent-watch", daemon=True).start()


def load_modules(names: tuple[str, ...]) -> None:
    """Import `names` in a worker (started with the service, so that the first request finds it ready)."""
    for name in names:
        importlib.import_module(name)

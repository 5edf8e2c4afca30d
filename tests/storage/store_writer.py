"""Helper processes for tests/storage/test_store_safety.py (run as scripts, never collected by pytest).

    python tests/storage/store_writer.py zygote ROOT STEPS N_SEEDS
        Imports the lab once, trains TrialConfig(steps=STEPS) for seeds 0..N_SEEDS-1, then forks writers one at a
        time: each writer saves random contiguous blocks of those trials to Store(ROOT) in a loop, forever. The
        zygote prints "child PID", waits for the writer to die (the test kills it), prints "reaped PID STATUS" and
        forks the next writer when a line arrives on stdin (it exits at end of input). Forking from an already
        imported process keeps each kill-and-restart cheap (importing torch takes seconds).

    python tests/storage/store_writer.py sweep ROOT BARRIER_DIR N_PARTIES SEEDS
        run_configs over SWEEP_GRID (below) with SEEDS (like 0-5) into Store(ROOT), workers=1; starts when
        N_PARTIES processes have reached the barrier (a file each in BARRIER_DIR), so they really overlap.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from lab.compute.sweep import run_configs  # noqa: E402
from lab.core.config import (
    TrialConfig,
    parse_seeds,  # noqa: E402
)
from lab.core.engine import train  # noqa: E402
from lab.storage.parquet import select  # noqa: E402
from lab.storage.presets import Grid
from lab.storage.store import Store

SWEEP_GRID = Grid(base={"steps": 30}, axes={"optimizer": ("sgd", "adam"), "activation": ("sigmoid", "relu"),
                                              "depth": (1, 2)})


def crash_config(steps: int) -> TrialConfig:
    return TrialConfig(steps=steps)


def zygote(root: str, steps: int, n_seeds: int) -> None:
    runs = train(crash_config(steps), range(n_seeds))
    while True:
        pid = os.fork()
        if pid == 0:  # the writer: never returns
            try:
                store = Store(root)
                rng = random.Random(os.getpid())
                while True:
                    size = rng.randint(n_seeds // 4, n_seeds)
                    start = rng.randint(0, n_seeds - size)
                    store.save(select(runs, list(range(start, start + size))))
            finally:
                os._exit(1)
        print(f"child {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"reaped {pid} {status}", flush=True)
        if not sys.stdin.readline():
            return


def sweep(root: str, barrier: str, parties: int, seeds: str) -> None:
    configs = SWEEP_GRID.configs()
    Path(barrier, f"ready-{os.getpid()}").touch()
    deadline = time.monotonic() + 120
    while len(list(Path(barrier).iterdir())) < parties and time.monotonic() < deadline:
        time.sleep(0.005)
    run_configs(configs, parse_seeds(seed_list=seeds), Store(root), workers=1)
    print("done", flush=True)


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    if mode == "zygote":
        zygote(args[0], int(args[1]), int(args[2]))
    elif mode == "sweep":
        sweep(args[0], args[1], int(args[2]), args[3])
    else:
        raise SystemExit(f"unknown mode {mode!r}")

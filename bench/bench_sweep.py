"""The `lecture` sweep preset, timed in one run: python bench/bench_sweep.py [--sample 12]

Prints the preset (108 configs x 20 seeds = 2,160 trials x 1,000 steps) computed cold (empty store) and warm (all
stored), the lecture's loop timed on a sample of the same configs (one trial each) and extrapolated to 2,160 trials,
the ratios, and the peak memory of this process and its workers (sampled with psutil: any platform).
"""

import argparse
import os
import random
import sys
import tempfile
import threading
import time

import psutil
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from reference import plain_run  # noqa: E402

from lab.compute.sweep import run_configs  # noqa: E402
from lab.science.analysis import summarize  # noqa: E402
from lab.storage.presets import PRESETS  # noqa: E402
from lab.storage.store import Store  # noqa: E402


class PeakMemory:
    """Peak resident memory (MiB) of this process and of its largest child process while the `with` block runs,
    sampled every `interval` seconds by a thread (psutil: Linux, macOS and Windows alike)."""

    def __init__(self, interval: float = 0.02):
        self.interval, self.own, self.children = interval, 0.0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._sample()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        me = psutil.Process()
        self.own = max(self.own, me.memory_info().rss / 2**20)
        for child in me.children(recursive=True):
            try:
                self.children = max(self.children, child.memory_info().rss / 2**20)
            except psutil.Error:  # it ended between the listing and the reading
                continue


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=12, help="configs whose lecture loop is timed (default 12)")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core)")
    args = parser.parse_args()
    grid = PRESETS["lecture"]
    configs, seeds = grid.configs(), list(range(grid.seeds))
    trials = len(configs) * len(seeds)

    with tempfile.TemporaryDirectory() as root, PeakMemory() as peak:
        store = Store(root)
        start = time.perf_counter()
        runs = run_configs(configs, seeds, store, workers=args.workers)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        warm_runs = run_configs(configs, seeds, store, workers=args.workers)
        table = summarize(warm_runs)
        warm = time.perf_counter() - start
        size = store.size_bytes()
    assert all((a.loss == b.loss).all() for a, b in zip(runs, warm_runs, strict=True))

    sample = random.Random(0).sample(configs, args.sample)
    torch.set_num_threads(1)
    start = time.perf_counter()
    for config in sample:
        plain_run(config, 0, trace=False)
    lecture = (time.perf_counter() - start) / len(sample) * trials
    own, children = peak.own, peak.children

    print(f"preset       : lecture, {len(configs)} configs x {len(seeds)} seeds = {trials} trials x 1000 steps")
    print(f"cold         : {cold:8.2f} s (empty store; {size / 1e6:.1f} MB stored)   target <= 10 s: "
          f"{'met' if cold <= 10 else 'not met'}")
    print(f"warm         : {warm:8.3f} s (all stored, read + summarised)          target <= 0.5 s: "
          f"{'met' if warm <= 0.5 else 'not met'}")
    print(f"lecture loop : {lecture:8.1f} s (extrapolated from {len(sample)} configs, one trial each)")
    print(f"ratios       : cold {lecture / cold:,.0f}x, warm {lecture / warm:,.0f}x faster than the lecture loop")
    print(f"peak memory  : {own:.0f} MiB this process, {children:.0f} MiB largest worker   target <= 1024 MiB: "
          f"{'met' if max(own, children) <= 1024 else 'not met'}")
    print()
    print("success rate by activation and depth (all six optimizers, 20 seeds each):")
    print(table.pivot_table(index="depth", columns="activation", values="success_rate").round(2).to_string())


if __name__ == "__main__":
    main()

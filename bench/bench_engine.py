"""Engine vs the lecture's loop, timed in one run: python bench/bench_engine.py [--sizes 1000,10000,100000]

Times the lecture's loop on a few seeds (one trial at a time, as the lecture runs it) and extrapolates it to each size;
then, for each size, trains that many lecture trials in a fresh process (so that each size's peak memory is its own),
as `python -m lab run --seeds N --record summary` does: with the engine's recording level (default: summaries only,
trained in passes that fit the memory setting), on as many local processes (at most `--workers`, default `run`'s
2) as the cost model says finish first. Prints per size: the engine's time, the ratio to the extrapolated lecture
loop, the processes used, their peak resident memory summed, and the share of trials solved; and checks that the
engine's losses equal the lecture loop's for the seeds timed.
"""

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import threading
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from reference import lecture_program  # noqa: E402

from lab.cli.run import PROCESSES  # noqa: E402
from lab.compute.sweep import prepare, quickest, stored_runs  # noqa: E402
from lab.core.config import TrialConfig  # noqa: E402
from lab.core.engine import train  # noqa: E402
from lab.core.recording import MEMORY_MB, Recording  # noqa: E402

TARGETS = {1_000: (1_000, None), 100_000: (1_500, 1024)}  # size -> (ratio at least, peak MiB at most)


def peak_rss_mib() -> float:
    """This process's peak resident memory so far, in MiB (Linux and macOS: getrusage; elsewhere psutil's peak)."""
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux
    except ImportError:  # Windows
        import psutil

        return psutil.Process().memory_info().peak_wset / 2**20


class TreePeak:
    """The peak of this process's and its children's resident memory summed, sampled every 0.1 s (psutil)."""

    def __init__(self):
        import psutil

        self.me, self.peak, self.running = psutil.Process(), 0, True
        self.child_cpu: dict[int, float] = {}  # pid -> CPU seconds last seen
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self):
        import psutil

        while self.running:
            try:
                children = self.me.children(recursive=True)
                total = sum(p.memory_info().rss for p in [self.me, *children])
                for p in children:
                    times = p.cpu_times()
                    self.child_cpu[p.pid] = times.user + times.system
            except psutil.Error:
                continue
            self.peak = max(self.peak, total)
            time.sleep(0.1)

    def stop(self) -> tuple[float, float]:
        """The peak in MiB, and the children's CPU seconds."""
        self.running = False
        self.thread.join()
        return max(self.peak / 2**20, peak_rss_mib()), sum(self.child_cpu.values())


def child(args) -> None:
    """One size in this fresh process: warm up, train, print one JSON line."""
    record = dataclasses.replace(Recording.parse(args.record, args.memory_mb), threads=args.threads)
    config = TrialConfig(steps=args.steps)
    train(config.replace(steps=10), range(8), record=record)  # warm-up: the first use probes this machine's kernels
    processes = quickest(prepare([config], range(args.child), None, args.workers)).workers
    peak = TreePeak()
    start, cpu = time.perf_counter(), time.process_time()
    runs = stored_runs(None, config, range(args.child), record=record, workers=args.workers)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak_mib, children_cpu = peak.stop()
    print(json.dumps({"seconds": seconds, "cpu": cpu + children_cpu, "peak_mib": peak_mib,
                      "solved": float(runs.solved.mean()),
                      "per_pass": record.trials_per_pass(config), "processes": processes}))


def measure(size: int, args) -> dict:
    command = [sys.executable, os.path.abspath(__file__), "--child", str(size), "--steps", str(args.steps),
               "--record", args.record, "--memory-mb", str(args.memory_mb)]
    command += [] if args.threads is None else ["--threads", str(args.threads)]
    command += ["--workers", str(args.workers)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="trial counts, each in its own process "
                                                                     "(default 1000,10000,100000)")
    parser.add_argument("--steps", type=int, default=1000, help="iterations per trial (default 1000, the lecture's)")
    parser.add_argument("--lecture-trials", type=int, default=5, help="lecture-loop trials to time (default 5)")
    parser.add_argument("--record", default="summary", help="the engine's recording: summary, every:K or full "
                                                            "(default summary)")
    parser.add_argument("--memory-mb", type=float, default=MEMORY_MB,
                        help=f"the engine's working memory per pass (default {MEMORY_MB})")
    parser.add_argument("--threads", type=int, default=1,
                        help="passes the engine trains at once, each in its own thread (default 1, the engine's)")
    parser.add_argument("--workers", type=int, default=min(PROCESSES, os.cpu_count() or 1),
                        help="local processes at most (default: run's, 2 or 1 on one core); the cost model picks how "
                             "many pay")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    torch.set_num_threads(1)  # as the lecture's loop runs: its tensors are too small for threads
    if args.child is not None:
        child(args)
        return
    sizes = [int(s) for s in args.sizes.split(",")]

    def lecture_loop() -> tuple[float, float, list]:
        start, cpu = time.perf_counter(), time.process_time()
        losses = [lecture_program(seed, args.steps)[1] for seed in range(args.lecture_trials)]
        n = args.lecture_trials
        return (time.perf_counter() - start) / n, (time.process_time() - cpu) / n, losses

    lecture_program(0, 10)  # warm-up: PyTorch's first ops in a process set things up (not the loop's own cost)
    before, before_cpu, reference = lecture_loop()  # timed before and after the engine: a busy machine slows both
    runs = train(TrialConfig(steps=args.steps), range(args.lecture_trials))
    exact = all(np.array_equal(np.float32(ref), runs.loss[seed]) for seed, ref in enumerate(reference))
    results = [(size, measure(size, args)) for size in sizes]
    after, after_cpu, _ = lecture_loop()
    lecture_per_trial, lecture_cpu = (before + after) / 2, (before_cpu + after_cpu) / 2

    print(f"lecture loop : {lecture_per_trial:.3f} s per trial ({args.lecture_trials} trials timed before the engine "
          f"runs, {before:.3f} s, and after, {after:.3f} s, one at a time; extrapolated to each size; CPU time "
          f"{lecture_cpu:.3f} s per trial)")
    threads = Recording(threads=args.threads).passes_at_once()
    print(f"engine       : --record {args.record}, passes within {args.memory_mb:g} MiB, {threads} at once per process "
          f"(one CPU thread each), each size in a fresh process; procs: the processes training (the cost model's "
          f"choice, at most {args.workers}); peak RSS: theirs summed")
    print()
    print(f"{'trials':>9} {'engine':>10} {'lecture loop':>13} {'ratio':>8} {'procs':>5} {'peak RSS':>10} {'solved':>7} "
          f"{'CPU time':>9} {'CPU ratio':>9}  target (on the wall-clock ratio)")
    for size, got in results:
        lecture = lecture_per_trial * size
        ratio = lecture / got["seconds"]
        target = TARGETS.get(size)
        verdict = ""
        if target is not None:
            least, most = target
            met = ratio >= least and (most is None or got["peak_mib"] <= most)
            verdict = f">= {least:,}x" + (f", <= {most} MiB" if most else "") + (": met" if met else ": NOT met")
        cpu_ratio = lecture_cpu * size / got["cpu"]
        print(f"{size:>9,} {got['seconds']:>9.2f}s {lecture:>12.0f}s {ratio:>7,.0f}x {got['processes']:>5} "
              f"{got['peak_mib']:>7.0f} MiB {got['solved']:>7.3f} {got['cpu']:>8.2f}s "
              f"{cpu_ratio:>8,.0f}x  {verdict}", flush=True)
    print()
    print(f"exact        : {'yes' if exact else 'NO'} (the engine's losses equal the lecture loop's, "
          f"seeds 0-{args.lecture_trials - 1}, every step)")
    print("CPU time     : the CPU seconds of the processes training, all their threads: on a shared machine the "
          "wall-clock ratio depends on the others' load, the CPU ratio much less")


if __name__ == "__main__":
    main()

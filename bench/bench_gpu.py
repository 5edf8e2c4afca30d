"""The engine on a GPU against the engine on the CPU, in one run: python bench/bench_gpu.py [--device cuda]

1. Agreement: the same seeds of the lecture's experiment trained on the CPU and on the device (summaries only): the
   same solved and steps to solve for every trial, final losses within --tol; and for a few seeds the whole minibatch
   loss curve, whose largest difference is printed. (On the CPU the engine follows this machine's kernels bitwise; a
   GPU's sigmoid and exp round their own way, so its numbers are close, not equal.)
2. Throughput: --trials lecture trials (default 1,000,000) on the device, summaries only, trained in passes that fit
   --memory-mb, against the lecture's loop timed on the CPU on a few seeds and extrapolated.

Without a CUDA GPU, `--device cuda` says so and exits cleanly (exit code 0: nothing to measure). The same code runs on
the CPU for a quick check of the script itself: python bench/bench_gpu.py --device cpu --trials 2000 --agree-trials 300
"""

import argparse
import os
import sys
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from reference import lecture_program  # noqa: E402

from lab.core.config import TrialConfig  # noqa: E402
from lab.core.engine import train  # noqa: E402
from lab.core.recording import Recording  # noqa: E402

TOL = 1e-4  # final truth-table loss: |device - CPU| at most this (MSE; a solved net's is about 1e-4 .. 1e-3)


def sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def timed(device: str, fn):
    sync(device)
    start = time.perf_counter()
    value = fn()
    sync(device)
    return value, time.perf_counter() - start


def agreement(args) -> bool:
    config, seeds = TrialConfig(steps=args.steps), range(args.agree_trials)
    summary = Recording(None, args.memory_mb)
    cpu, cpu_s = timed("cpu", lambda: train(config, seeds, record=Recording(None)))
    dev, dev_s = timed(args.device, lambda: train(config, seeds, device=args.device, record=summary))
    same_solved = np.array_equal(cpu.solved, dev.solved)
    steps_cpu, steps_dev = np.nan_to_num(cpu.steps_to_solve, nan=-1), np.nan_to_num(dev.steps_to_solve, nan=-1)
    differ = int((steps_cpu != steps_dev).sum())
    gap = np.abs(cpu.table_loss[:, -1].astype(np.float64) - dev.table_loss[:, -1])
    curves = range(args.curve_seeds)
    full_cpu = train(config, curves)
    full_dev = train(config, curves, device=args.device)
    curve_gap = float(np.max(np.abs(full_cpu.loss.astype(np.float64) - full_dev.loss)))
    ok = same_solved and differ == 0 and float(gap.max()) <= args.tol
    print(f"agreement    : {len(seeds):,} seeds x {args.steps} steps, CPU {cpu_s:.1f} s, {args.device} {dev_s:.1f} s")
    print(f"  solved           : {'the same for every trial' if same_solved else 'DIFFERENT'} "
          f"({int(cpu.solved.sum()):,} on the CPU, {int(dev.solved.sum()):,} on {args.device})")
    print(f"  steps to solve   : {'the same for every trial' if not differ else f'DIFFERENT for {differ} trials'}")
    print(f"  final loss       : max |diff| {gap.max():.3g}, median {np.median(gap):.3g} (tolerance {args.tol:g})")
    print(f"  minibatch losses : max |diff| {curve_gap:.3g} over every step of seeds 0-{args.curve_seeds - 1}")
    print(f"  agree          : {'yes' if ok else 'NO'}")
    return ok


def throughput(args) -> None:
    config = TrialConfig(steps=args.steps)
    record = Recording(None, args.memory_mb)
    torch.set_num_threads(1)
    start = time.perf_counter()
    for seed in range(args.lecture_trials):
        lecture_program(seed, args.steps)
    lecture = (time.perf_counter() - start) / args.lecture_trials
    train(config.replace(steps=10), range(64), device=args.device, record=record)  # warm-up
    runs, seconds = timed(args.device, lambda: train(config, range(args.trials), device=args.device, record=record))
    ratio = lecture * args.trials / seconds
    peak = f"; device memory peak {torch.cuda.max_memory_allocated(args.device) / 2**30:.1f} GiB" \
        if args.device.startswith("cuda") else ""
    print(f"throughput   : {args.trials:,} trials x {args.steps} steps on {args.device} in {seconds:.1f} s "
          f"({args.trials / seconds:,.0f} trials/s; passes of {record.trials_per_pass(config, args.device[:4]):,} "
          f"trials within {args.memory_mb:g} MiB{peak})")
    print(f"lecture loop : {lecture:.3f} s per trial on the CPU ({args.lecture_trials} timed) -> "
          f"{lecture * args.trials:,.0f} s for {args.trials:,}: the engine is {ratio:,.0f}x faster")
    print(f"solved       : {runs.solved.mean():.4f} of the trials")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda", help="cuda, cuda:N, or cpu to check this script (default cuda)")
    parser.add_argument("--trials", type=int, default=1_000_000, help="trials timed (default 1,000,000)")
    parser.add_argument("--agree-trials", type=int, default=20_000, help="seeds compared with the CPU (default 20,000)")
    parser.add_argument("--curve-seeds", type=int, default=16,
                        help="seeds whose whole curves are compared (default 16)")
    parser.add_argument("--steps", type=int, default=1000, help="iterations per trial (default 1000, the lecture's)")
    parser.add_argument("--memory-mb", type=float, default=24_576, help="working memory per pass on the device "
                                                                        "(default 24576: passes of ~100,000 trials)")
    parser.add_argument("--lecture-trials", type=int, default=3, help="lecture-loop trials timed (default 3)")
    parser.add_argument("--tol", type=float, default=TOL, help=f"final-loss tolerance (default {TOL:g})")
    args = parser.parse_args()
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print(f"no CUDA GPU here (torch {torch.__version__}, CUDA build: {torch.version.cuda or 'none'}): nothing to "
              "measure; run this on a machine with a GPU, or --device cpu to check the script")
        return 0
    if args.device.startswith("cuda"):
        print(f"device       : {torch.cuda.get_device_name(args.device)}, torch {torch.__version__}, "
              f"CUDA {torch.version.cuda}")
    ok = agreement(args)
    throughput(args)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

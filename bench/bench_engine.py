"""Engine vs the lecture's loop, timed in one run: python bench/bench_engine.py [--seeds 1000] [--lecture-trials 10]

Prints the lecture loop's time per trial, the engine's time for all seeds (each step's minibatch loss recorded), the
per-trial speed-up, and checks that the engine's losses equal the lecture loop's for the trials timed.
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1000, help="seeds the engine trains at once (default 1000)")
    parser.add_argument("--steps", type=int, default=1000, help="iterations per trial (default 1000, the lecture's)")
    parser.add_argument("--lecture-trials", type=int, default=10, help="lecture-loop trials to time (default 10)")
    parser.add_argument("--repeat", type=int, default=3, help="engine runs; the best is reported (default 3)")
    args = parser.parse_args()
    torch.set_num_threads(1)  # as the lecture's loop runs: its tensors are too small for threads
    config = TrialConfig(steps=args.steps)

    start = time.perf_counter()
    reference = [lecture_program(seed, args.steps)[1] for seed in range(args.lecture_trials)]
    lecture_per_trial = (time.perf_counter() - start) / args.lecture_trials

    train(config.replace(steps=10), range(8))  # warm-up
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        runs = train(config, range(args.seeds))
        times.append(time.perf_counter() - start)
    engine_total = min(times)
    engine_per_trial = engine_total / args.seeds
    exact = all(np.array_equal(np.float32(ref), runs.loss[seed]) for seed, ref in enumerate(reference))

    print(f"lecture loop : {lecture_per_trial:8.3f} s per trial ({args.lecture_trials} trials, one at a time)")
    print(f"engine       : {engine_total:8.3f} s for {args.seeds} seeds x {args.steps} steps "
          f"(best of {args.repeat}: {', '.join(f'{t:.3f}' for t in times)})")
    ratio = lecture_per_trial / engine_per_trial
    print(f"per trial    : {engine_per_trial * 1e3:8.3f} ms  ->  {ratio:,.0f}x the lecture loop")
    print(f"exact        : {'yes' if exact else 'NO'} (the engine's losses equal the lecture loop's, "
          f"seeds 0-{args.lecture_trials - 1}, every step)")
    print(f"target       : <= 0.5 s for 1000 seeds: {'met' if engine_total <= 0.5 else 'not met'}")


if __name__ == "__main__":
    main()

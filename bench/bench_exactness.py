"""How exact the engine is on this machine, under this process's kernel settings: python bench/bench_exactness.py

For a set of configs (the lecture's, one-hot, every optimizer, deep identity, a wide BCE net, finite data), trains
seeds 0-4 with the engine and with the plain PyTorch program (tests/reference.py) and prints, per config: whether the
engine claims to follow this machine's kernels (lab.core.exact.arithmetic.follows_plain_program), whether every
step's loss and the trained parameters are bitwise equal, and the largest |Δloss| over all steps. Run it once per
setting, e.g.
`MKL_CBWR=AVX2 python bench/bench_exactness.py` (settings are read when torch loads).
"""

import argparse
import os
import sys

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from reference import plain_finite_run, plain_run  # noqa: E402

from lab.core.config import TrialConfig as C  # noqa: E402
from lab.core.engine import train  # noqa: E402
from lab.core.exact.arithmetic import follows_plain_program  # noqa: E402

CONFIGS = {
    "lecture": C(),
    "onehot": C(encoding="onehot"),
    **{name: C(optimizer=name) for name in ("sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adamw")},
    "depth6-identity": C(depth=6, activation="identity", optimizer="adagrad", steps=300),
    "width4-bce": C(width=4, loss_fn="bce", steps=300),
    "wide-bce (width 12)": C(width=12, depth=2, batch_size=16, loss_fn="bce", steps=300),
    "finite data": C(n_train=40, noise=0.3, label_flip=0.05, steps=300),
}


def compare(config, seeds):
    runs = train(config, seeds)
    worst, loss_equal, params_equal = 0.0, True, True
    for k, seed in enumerate(seeds):
        ref = plain_finite_run(config, seed) if config.finite else plain_run(config, seed)
        losses = np.asarray(ref["losses"], np.float32)
        worst = max(worst, float(np.nanmax(np.abs(losses - runs.loss[k]))))
        loss_equal &= np.array_equal(losses, runs.loss[k])
        if "params" in ref:
            params_equal &= np.array_equal(ref["params"].numpy(), runs.params[k])
    return loss_equal, params_equal if not config.finite else None, worst


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds per config (default 5)")
    args = parser.parse_args()
    settings = {k: os.environ[k] for k in ("MKL_CBWR", "ATEN_CPU_CAPABILITY", "LD_PRELOAD") if k in os.environ}
    print(f"torch {torch.__version__}, ATen capability {torch.backends.cpu.get_cpu_capability()}, "
          f"settings {settings or 'none'}")
    print(f"{'config':22} {'claimed':>8} {'loss':>6} {'params':>7} {'max |Δloss|':>12}")
    for name, config in CONFIGS.items():
        loss_equal, params_equal, worst = compare(config, list(range(args.seeds)))
        params = "-" if params_equal is None else ("yes" if params_equal else "no")
        print(f"{name:22} {'yes' if follows_plain_program(config) else 'no':>8} {'yes' if loss_equal else 'no':>6} "
              f"{params:>7} {worst:12.3g}")


if __name__ == "__main__":
    main()

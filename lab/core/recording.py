"""What a caller keeps of its trials, and how many trials one pass of the engine may train within a memory setting.

Three levels (`Recording.parse`: `full`, `every:K`, `summary`):

* **full**: every step's curves (minibatch loss, truth-table loss and error, gradient norms), as the store keeps them.
* **every:K**: the curves at steps 0, K, 2K, ... (and the truth-table loss and error after the last update).
* **summary**: no curves: per trial the final loss and error, the trained parameters and outputs, and the summaries.

Whatever the level, each trial's summaries (solved, steps to solve, final loss, diverged, and the stall statistics
of lab.core.plateaus) are computed from its full curves, as they are for a full recording, before the curves are
thinned: they are bitwise the same at every level. A request of many trials is trained in passes of at most
`trials_per_pass` trials, so the engine's working memory stays within `memory_mb` however many trials are asked for;
a trial's numbers do not depend on which trials share its pass (lab.core.engine). On a CPU, `passes_at_once` passes
train at the same time, each in its own thread (by default one), and share `memory_mb`.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from lab.core import layout
from lab.core.config import ConfigError, TrialConfig
from lab.core.plateaus import stall_arrays
from lab.core.runs import Runs

LEVELS = ("full", "every:K", "summary")

MEMORY_MB = 512  # the engine's working memory per pass (a process with torch loaded then peaks under 1 GiB)

MAX_PASS_TRIALS = 4096  # more trials per pass are no faster on a CPU: the per-step tensors outgrow its caches
# (a GPU wants passes as large as its memory allows: each step launches the same few hundred kernels however many)

# the engine's bytes per trial and step, by what it holds while training and reducing a pass: outputs on the truth
# table (and a copy while collecting), the minibatch loss, the losses and errors on the table, the minibatch stream,
# float64 copies for the stall detector; measured peak with the lecture's net: about 190 bytes per trial-step
BYTES_PER_TRIAL_STEP = 160
BYTES_PER_OUTPUT_STEP = 64  # per output unit (4 table rows, a few copies)

LARGE_REQUEST = 2048  # trials: a sweep's largest unit (lab.compute.sweep), after which its process trains more;
# the engine keeps the heap small (keep_heap_small) for a request this large, or of several passes


@dataclass(frozen=True)
class Recording:
    """`every`: 1 = full curves, K = every K-th step, None = summaries only; `memory_mb`: the working memory the
    engine's passes may take together (it sets the trials per pass); `threads`: how many passes train at once on a
    CPU, each in its own thread (None: one per core this process may use). One by default: measured on a 2-core
    machine, two passes at once took 140 s for 100,000 lecture trials against 84 s one at a time (the passes are
    bound by memory traffic, which the cores share); `bench/bench_engine.py --threads N` measures it on yours."""

    every: int | None = 1
    memory_mb: float = MEMORY_MB
    threads: int | None = 1

    def __post_init__(self):
        if self.every is not None and (not isinstance(self.every, int) or self.every < 1):
            raise ConfigError("record", f"curves every K steps needs a whole K >= 1 (got {self.every!r})")
        if not self.memory_mb > 0:
            raise ConfigError("memory_mb", f"must be > 0 (got {self.memory_mb!r})")
        if self.threads is not None and (not isinstance(self.threads, int) or self.threads < 1):
            raise ConfigError("threads", f"must be a whole number >= 1 (got {self.threads!r})")

    @classmethod
    def parse(cls, text: str | None, memory_mb: float = MEMORY_MB) -> Recording:
        """`full`, `every:K` or `summary` (None: full)."""
        value = "full" if text is None else text.strip().lower()
        if value == "full":
            return cls(1, memory_mb)
        if value == "summary":
            return cls(None, memory_mb)
        found = re.fullmatch(r"every:(\d{1,9})", value)
        if found is None or int(found.group(1)) < 1:
            raise ConfigError("record", f"must be full, summary or every:K with a whole K >= 1, like every:10 "
                                        f"(got {text!r})")
        return cls(int(found.group(1)), memory_mb)

    @property
    def full(self) -> bool:
        return self.every == 1

    @property
    def name(self) -> str:
        return "full" if self.full else "summary" if self.every is None else f"every:{self.every}"

    def curve_steps(self, steps: int) -> np.ndarray:
        """The steps whose curves are kept."""
        return np.arange(0, steps if self.every is not None else 0, self.every or 1, dtype=np.int64)

    def bytes_per_trial(self, config: TrialConfig) -> int:
        """The engine's working memory per trial of `config` in one pass (an estimate on the safe side)."""
        layers, params = config.depth + 1, layout.param_count(config.layer_sizes)
        per_step = BYTES_PER_TRIAL_STEP + BYTES_PER_OUTPUT_STEP * config.outputs + 2 * config.batch_size
        per_step += 4 * (params if self.full else layers)  # the gradient history
        return config.steps * per_step + 64 * params

    def kept_bytes_per_trial(self, config: TrialConfig) -> int:
        """The memory one trial's results take once reduced to this recording (an estimate on the safe side): its
        trained parameters and outputs on the table, the kept curves (minibatch loss, table loss and error, one
        gradient norm per layer), its summaries, and on finite data its evaluations."""
        layers, params = config.depth + 1, layout.param_count(config.layer_sizes)
        points = len(self.curve_steps(config.steps)) + 1
        evaluations = 0
        if config.finite:
            evaluations = 4 * 6 * (config.steps // (config.eval_every or max(1, config.steps // 100)) + 2)
        return 4 * params + 16 * config.outputs + 4 * (3 + layers) * points + evaluations + 256

    def check_fits(self, config: TrialConfig, trials: int) -> None:
        """Refuse (ConfigError) a request that cannot fit at all, saying what would: one trial needing more working
        memory than `memory_mb` (field `memory_mb`), or `trials` trials whose kept results outgrow it too (field
        `seeds`); the bounds rise with `memory_mb`."""
        room = self.memory_mb * 2**20
        need = self.bytes_per_trial(config)
        if need > room:
            thin = replace(self, every=None)
            hint = "record fewer steps (every:K or summary: no per-step gradient history) or " \
                if self.full and thin.bytes_per_trial(config) <= room else ""
            raise ConfigError("memory_mb", f"one trial of this config recorded {self.name} needs about {_mb(need)} MB "
                                           f"to train, more than {self.memory_mb:g}: {hint}allow {_mb(need)} or more")
        kept = self.kept_bytes_per_trial(config)
        if trials * kept > room:
            most = int(room // kept)
            curves = 4 * (3 + config.depth + 1) * (len(self.curve_steps(config.steps)) + 1)
            hint = ", record fewer steps (every:K or summary)" if 2 * curves > kept else ""
            raise ConfigError("seeds", f"{trials:,} trials of this config recorded {self.name} keep about "
                                       f"{_mb(trials * kept)} MB of results, more than the {self.memory_mb:g} MB "
                                       f"allowed (--memory-mb): at most {most:,} seeds{hint}, or allow "
                                       f"{_mb(trials * kept)} MB or more")

    def passes_at_once(self, device_type: str = "cpu") -> int:
        """How many passes the engine trains at the same time: on a CPU `threads` (None: one per usable core); on a
        GPU one."""
        if device_type != "cpu":
            return 1
        return self.threads or usable_cores()

    def trials_per_pass(self, config: TrialConfig, device_type: str = "cpu") -> int:
        """How many trials of `config` one pass of the engine trains within its share of `memory_mb` (the passes
        trained at once share it; on a CPU at most MAX_PASS_TRIALS)."""
        share = self.bytes_per_trial(config) * self.passes_at_once(device_type)
        fits = int(max(1, self.memory_mb * 2**20 // share))
        return min(fits, MAX_PASS_TRIALS) if device_type == "cpu" else fits


FULL = Recording()


def _mb(size: float) -> str:
    """Bytes as whole megabytes (rounded up), with thousands separators."""
    return f"{-(-int(size) // 2**20):,}"


def usable_cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@cache
def keep_heap_small() -> bool:
    """On Linux with glibc: blocks of 1 MiB and more are always given their own mapping, so a pass's arrays go back to
    the system when freed. (glibc raises that threshold after the first such block is freed; the heap then keeps each
    pass's memory: measured, a 30,000-trial run peaked at 745 MiB by default and at 594 MiB with the threshold fixed.)
    The engine sets it only for a request of several passes or of LARGE_REQUEST trials: a small request in one pass has
    no later pass to make room for, and the setting slows it, since its arrays of a few MiB are then mapped afresh,
    page by page, each time (measured: about a tenth of the time of 1,000 lecture trials). Elsewhere nothing is
    changed. Returns whether the setting was made."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return bool(ctypes.CDLL(None).mallopt(-3, 1 << 20))  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):  # not glibc
        return False


def reduce(runs: Runs, recording: Recording) -> Runs:
    """`runs` (full curves, straight from the engine) as `recording` keeps them: the summaries computed from the
    full curves, then the curves thinned (copies, so the full arrays can be freed)."""
    if recording.full:
        return runs
    steps = runs.config.steps
    kept = recording.curve_steps(steps)
    summaries = {"steps_to_solve": runs.steps_to_solve, "diverged": runs.diverged,
                 **_stall_arrays(runs.table_loss, runs.config.loss_fn)}
    table = np.append(kept, steps)
    copy = np.ascontiguousarray
    # the engine may have kept the gradient norms at these steps only (lab.core.engine, `grad_at`)
    grad = runs.grad_norm if runs.grad_norm.shape[1] == len(kept) else runs.grad_norm[:, kept]
    return Runs(runs.config, list(runs.seeds), copy(runs.loss[:, kept]), copy(runs.table_loss[:, table]),
                copy(runs.table_error[:, table]), copy(grad), copy(runs.table_output),
                copy(runs.params), evaluations=runs.evaluations, curve_steps=kept, summaries=summaries)


def _stall_arrays(curves: np.ndarray, loss_fn: str) -> dict[str, np.ndarray]:
    """lab.core.plateaus.stall_arrays, a block of curves at a time (each curve's stalls are its own): the detector's
    temporaries stay small."""
    parts = [stall_arrays(curves[start:start + CURVES_AT_ONCE], loss_fn)
             for start in range(0, len(curves), CURVES_AT_ONCE)]
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


CURVES_AT_ONCE = 256

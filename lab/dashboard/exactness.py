"""Whether the engine is bitwise the plain program on this machine, and the lecture's program saying so: the kernel
probes run PyTorch's products, so they run in a process of their own (never in the web process, and no long-lived
reading worker keeps PyTorch loaded for them), once per server and network shape; on a server with one worker, which
trains and reads (the small host), in that worker instead: a second process holding PyTorch would not fit."""

from __future__ import annotations

import threading

from lab.compute import jobs
from lab.compute.service import in_a_process_of_its_own
from lab.core import export
from lab.core.config import TrialConfig
from lab.dashboard import work
from lab.dashboard.shell import spinner

_PROBED: dict[tuple, bool] = {}  # the kernel probes' answer per network shape: a fact of this machine, kept for good
_PROBING = threading.Lock()


def follows_plain_program(config: TrialConfig) -> bool:
    """Whether the engine is bitwise the plain program for `config` on this machine, found once per server and network
    shape (what `lab.core.exact.arithmetic.follows_plain_program` depends on) in a process of its own: the kernel
    probes run PyTorch's products, never in the web process, and no long-lived worker loads PyTorch for them. Visitors
    asking meanwhile wait for that one answer."""
    shape = (config.layer_sizes, config.activation, config.batch_size, config.finite)
    with _PROBING:
        if shape not in _PROBED:
            with spinner("probing"):
                _PROBED[shape] = work.in_worker(jobs.follows_plain_program, config) if work.service().one_pool \
                    else in_a_process_of_its_own(jobs.follows_plain_program, config)
        return _PROBED[shape]


def script(config: TrialConfig, seed: int) -> str:
    """The lecture's program for this trial (lab.core.export), its header saying how closely it matches here."""
    return export.script(config, seed, exact=follows_plain_program(config))

"""One-line names of configs: "Adam (lr 0.1)" and the longer `describe`, translatable."""

from __future__ import annotations

from lab.core.config import TrialConfig
from lab.core.optimizers import OPTIMIZERS


def label(config: TrialConfig, lr_word: str = "lr") -> str:
    """A series name: the optimizer's label and its learning rate, e.g. "Adam (lr 0.1)" (`lr_word` translates
    "lr")."""
    return f"{OPTIMIZERS[config.optimizer].label} ({lr_word} {config.lr:g})"


WORDS = {"lr": "lr", "it": "it.", "full": "full batch", "mbs": "mbs", "fold": "fold",  # describe()'s words, in English
         "no_bias": "no biases", "linear_out": "linear output"}


def describe(config: TrialConfig, words: dict | None = None) -> str:
    """A one-line name of a whole config: "Adam (lr 0.1) · AND · sigmoid 2-2-1 · 1000 it." (+ what differs from
    the lecture's minibatches, init, loss and encoding); `words` translates those of `WORDS`."""
    w = {**WORDS, **(words or {})}
    sizes = "-".join(map(str, config.layer_sizes))
    parts = [label(config, w["lr"]), config.task.upper(), f"{config.activation} {sizes}", f"{config.steps} {w['it']}"]
    if config.full_batch:
        parts.append(w["full"])
    elif config.batch_size != 5:
        parts.append(f"{w['mbs']} {config.batch_size}")
    parts += [x for x, default in ((config.init, "pytorch"), (config.loss_fn, "mse"), (config.encoding, "scalar"))
              if x != default]
    if config.output != "sigmoid":
        parts.append(w["linear_out"])
    if not config.bias:
        parts.append(w["no_bias"])
    if config.eps is not None:
        parts.append(f"ε {config.eps:g}")
    if config.init_scale is not None:
        parts.append(f"σ {config.init_scale:g}")
    if config.folds:
        parts.append(f"{w['fold']} {config.fold + 1}/{config.folds}")
    return " · ".join(parts)

"""Finite, noisy data sets: the lecture's training / validation / test split, made visible.

AND on its four exact corners cannot overfit, so these tasks draw each example from a truth-table corner, add
Gaussian noise of standard deviation `noise` to its inputs, and flip its label with probability `label_flip`. The
training, validation and test sets come from one generator seeded with `data_seed`, shared by every trial of a
comparison, so all optimizers see the same data. Trial *s* then shuffles the training set each epoch with
`torch.randperm` from its own seed (after drawing its weights) and takes minibatches of `batch_size` rows, dropping
an incomplete last batch, as `DataLoader(shuffle=True, drop_last=True)` does. With `full_batch`, every step uses the
whole training set, in order. With `folds` = k, fold `fold` of the training set (its rows from fold·n/k) is held out
as the validation set and the other rows train: k configs give a k-fold cross-validation.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from lab.core.config import SETS, TrialConfig
from lab.core.tasks import TABLE_INPUTS, TRUTH_TABLES


@dataclass(frozen=True)
class DataSet:
    x: torch.Tensor  # (n, 2) inputs
    value: torch.Tensor  # (n,) the 0/1 label (after flips)
    corner: torch.Tensor  # (n,) which truth-table row the example was drawn from


def make_sets(config: TrialConfig) -> dict[str, DataSet]:
    """The training, validation and test sets of a finite config, drawn in that order from `data_seed`."""
    generator = torch.Generator().manual_seed(config.data_seed)
    table = torch.tensor(TRUTH_TABLES[config.task], dtype=torch.float32)
    sets = {}
    for name, n in zip(SETS, (config.n_train, config.n_val, config.n_test), strict=True):
        corner = torch.randint(0, 4, (n,), generator=generator)
        x = TABLE_INPUTS[corner] + config.noise * torch.randn(n, 2, generator=generator)
        flip = torch.rand(n, generator=generator) < config.label_flip
        value = torch.where(flip, 1.0 - table[corner], table[corner])
        sets[name] = DataSet(x, value, corner)
    if config.folds is not None:  # cross-validation: fold `fold` of the training set validates, the rest trains
        size = config.n_train // config.folds
        held = torch.zeros(config.n_train, dtype=torch.bool)
        held[config.fold * size:(config.fold + 1) * size] = True
        train = sets["train"]
        sets["val"] = DataSet(train.x[held], train.value[held], train.corner[held])
        sets["train"] = DataSet(train.x[~held], train.value[~held], train.corner[~held])
    return sets


def batch_indices(config: TrialConfig, generator: torch.Generator) -> torch.Tensor:
    """Rows of the training set used at each step, (steps, batch_size): epochs of `randperm` from the trial's
    generator, incomplete last batches dropped; with full_batch, all rows in order every step."""
    n, size, steps = config.train_size, config.batch_size, config.steps
    if config.full_batch:
        return torch.arange(n).expand(steps, n)
    per_epoch = n // size
    epochs = -(-steps // per_epoch)
    batches = [torch.randperm(n, generator=generator)[: per_epoch * size].view(per_epoch, size) for _ in range(epochs)]
    return torch.cat(batches)[:steps]


def eval_steps(config: TrialConfig) -> list[int]:
    """When the sets are evaluated: before update t for t = 0, eval_every, ..., and after the last update."""
    return [*range(0, config.steps, config.eval_every), config.steps]

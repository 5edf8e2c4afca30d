"""What the engine returns: the trials of one config as arrays, and as tidy tables. PyTorch is imported only by the
functions the engine calls on its tensors: reading stored runs (the web process) never loads it; and pandas only by
the tables, so a worker that trains (lab.compute.workers) never loads it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from lab.core import truth
from lab.core.config import TrialConfig

if TYPE_CHECKING:
    import pandas as pd
    import torch


def elementwise_loss(kind: str, o: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-element loss, as nn.MSELoss / nn.BCELoss compute it before taking the mean (nn.BCELoss's own kernel
    rounds its logarithms its own way: its reported losses may differ from these in the last bit; training does not
    depend on them)."""
    import torch

    if kind == "bce":
        return (y - 1) * torch.clamp_min(torch.log1p(-o), -100) - y * torch.clamp_min(torch.log(o), -100)
    d = o - y
    return d * d


def mean_per_trial(per_element: torch.Tensor) -> torch.Tensor:
    """(..., rows, outputs, trials) -> (..., trials): each trial's mean over its (rows, outputs) block, summed in the
    order the plain program's loss sums it (its block contiguous: the order depends on the layout)."""
    blocks = per_element.movedim(-1, -3).contiguous()
    return blocks.view(*blocks.shape[:-2], -1).mean(dim=-1)


def wrong_answers(o: torch.Tensor, y: torch.Tensor, axis: int, threshold: float = 0.5) -> torch.Tensor:
    """1 where a row is answered wrongly: `threshold` (0.5; lab.core.truth.threshold) for one output, argmax for
    one-hot (outputs along `axis`)."""
    if o.shape[axis] == 1:
        return ((o.squeeze(axis) > threshold) != (y.squeeze(axis) > threshold)).float()
    return (o.argmax(axis) != y.argmax(axis)).float()


STEPS_AT_ONCE = 64  # steps whose truth-table losses Runs.collect computes together

EVALUATIONS = ("train_loss", "train_error", "val_loss", "val_error", "test_loss", "test_error")


@dataclass
class Runs:
    """The trials of one config: arrays indexed [trial, step, ...] in the order of `seeds`."""

    config: TrialConfig
    seeds: list[int]
    loss: np.ndarray  # (n, steps) minibatch loss before each update: what the lecture prints
    table_loss: np.ndarray  # (n, steps + 1) loss over the 4 truth-table rows after t updates
    table_error: np.ndarray  # (n, steps + 1) fraction of the 4 rows answered wrongly after t updates
    grad_norm: np.ndarray  # (n, steps, layers) gradient norm of each layer (weight and bias) at each step
    table_output: np.ndarray  # (n, 4, outputs) the trained net's outputs on the truth table
    params: np.ndarray  # (n, P) the trained parameters, laid out as models.layout
    # with engine.train(..., trace=True) only (not stored): per step and hidden layer, on the truth table
    activation_mean: np.ndarray | None = None  # (n, steps, hidden layers) mean activation
    saturation: np.ndarray | None = None  # (n, steps, hidden layers) fraction of saturated units
    # finite data sets only (config.finite): {"steps": [...], "train_loss": (n, E), "train_error", "val_loss", ...}
    evaluations: dict | None = None
    # with engine.train(..., checkpoint_every=k) only (not stored): {"steps": [0, k, ..., steps], "params": (n, C, P)}
    checkpoints: dict | None = None
    # recorded thinly (lab.core.recording; not stored): the steps whose curves were kept (loss and grad_norm at these
    # steps; table_loss and table_error at these and after the last update), and each trial's exact summaries
    # (steps_to_solve, diverged, the stall columns) computed from its full curves before they were dropped
    curve_steps: np.ndarray | None = None
    summaries: dict | None = None

    @classmethod
    def collect(cls, items, blocks, mb_loss, table_out, table_y, grad_sq, theta) -> list[Runs]:
        """Per-trial arrays from the engine's records: the minibatch loss (steps, trials); the truth-table losses and
        errors of every step, computed a few steps at a time (few temporaries) from the outputs on the table before
        each update and after the last one (steps + 1, 4, out, trials)."""
        import torch

        kind = items[0][0].loss_fn
        threshold = truth.threshold(items[0][0].task, items[0][0].encoding)
        table_loss = table_out.new_empty(table_out.shape[0], table_out.shape[-1])
        table_error = torch.empty_like(table_loss)
        for start in range(0, len(table_out), STEPS_AT_ONCE):
            out = table_out[start:start + STEPS_AT_ONCE]
            at = slice(start, start + len(out))
            table_loss[at] = mean_per_trial(elementwise_loss(kind, out, table_y.unsqueeze(0).expand_as(out)))
            torch.mean(wrong_answers(out, table_y.unsqueeze(0), axis=2, threshold=threshold), dim=1,
                       out=table_error[at])
        as_np = lambda t: t.detach().cpu().numpy()  # noqa: E731
        mb_loss, table_loss, table_error = (as_np(t.T) for t in (mb_loss, table_loss, table_error))
        grad_norm = as_np(grad_sq.sqrt().permute(2, 0, 1))
        final = as_np(table_out[-1].permute(2, 0, 1).contiguous())  # a copy: not a view of every step's outputs
        params = as_np(theta.T)
        return [
            cls(config, seeds, mb_loss[b], table_loss[b], table_error[b], grad_norm[b], final[b], params[b])
            for (config, seeds), b in zip(items, blocks)
        ]

    @property
    def solved(self) -> np.ndarray:
        return (self.table_error[:, -1] == 0) & ~self.diverged

    @property
    def steps_to_solve(self) -> np.ndarray:
        """First step t from which the net answers all 4 rows right after every later step; NaN if never."""
        if self.summaries is not None:
            return self.summaries["steps_to_solve"]
        wrong = self.table_error[:, ::-1] != 0  # from the last step back: the first step still answered wrongly
        first = (wrong.shape[1] - np.argmax(wrong, axis=1)).astype(float)  # the step after it
        first[~wrong.any(axis=1)] = 0.0
        first[~self.solved] = np.nan
        return first

    @property
    def diverged(self) -> np.ndarray:
        if self.summaries is not None:
            return self.summaries["diverged"]
        finite = np.isfinite(self.loss).all(1) & np.isfinite(self.table_loss).all(1) & np.isfinite(self.params).all(1)
        return ~finite

    def summary(self) -> pd.DataFrame:
        """One row per trial: config columns, seed, solved, steps_to_solve, final_loss, diverged."""
        import pandas as pd

        frame = pd.DataFrame({
            "seed": np.asarray(self.seeds, dtype=np.int64),
            "solved": self.solved,
            "steps_to_solve": pd.array(self.steps_to_solve, dtype="Int64"),
            "final_loss": self.table_loss[:, -1],
            "diverged": self.diverged,
        })
        if self.evaluations is not None:
            for name, values in self.early_stopping().items():
                frame[name] = values
        return with_config(frame, self.config)

    def early_stopping(self) -> dict[str, np.ndarray]:
        """Finite data: per trial, the evaluation step with the lowest validation loss (early stopping would stop
        there), the validation and test error there, and the train and test error at the end."""
        ev = self.evaluations
        with np.errstate(invalid="ignore"):
            val = np.where(np.isfinite(ev["val_loss"]), ev["val_loss"], np.inf)
        best = np.argmin(val, axis=1)
        rows = np.arange(len(best))
        return {
            "best_step": np.asarray(ev["steps"])[best],
            "val_error_best": ev["val_error"][rows, best],
            "test_error_best": ev["test_error"][rows, best],
            "val_error_final": ev["val_error"][:, -1],
            "train_error_final": ev["train_error"][:, -1],
            "test_error_final": ev["test_error"][:, -1],
        }

    def curves(self, every: int = 1) -> pd.DataFrame:
        """Long format, one row per trial and step: seed, step, loss, table_loss, table_error, grad_norm_<layer>."""
        import pandas as pd

        n, steps = self.loss.shape[0], self.config.steps
        at = np.arange(steps) if self.curve_steps is None else np.asarray(self.curve_steps)  # the recorded steps
        idx = np.flatnonzero(at % every == 0)  # positions in the recorded arrays
        data = {
            "seed": np.repeat(np.asarray(self.seeds, dtype=np.int64), len(idx)),
            "step": np.tile(at[idx], n),
            "loss": self.loss[:, idx].ravel(),
            "table_loss": self.table_loss[:, idx].ravel(),
            "table_error": self.table_error[:, idx].ravel(),
        }
        for layer in range(self.grad_norm.shape[2]):
            data[f"grad_norm_{layer + 1}"] = self.grad_norm[:, idx, layer].ravel()
        if self.evaluations is not None:  # measured every eval_every steps: empty (NaN) between
            for name in EVALUATIONS:
                full = np.full((n, steps), np.nan, dtype=np.float32)
                full[:, self.evaluations["steps"][:-1]] = self.evaluations[name][:, :-1]
                data[name] = full[:, at[idx]].ravel()
        return with_config(pd.DataFrame(data), self.config)


    def take(self, idx) -> Runs:
        """The trials at positions `idx` (an integer array), in that order (the per-run records kept alike)."""
        idx = np.asarray(idx, dtype=np.int64)
        evaluations = None if self.evaluations is None else \
            {"steps": self.evaluations["steps"], **{k: self.evaluations[k][idx] for k in EVALUATIONS}}
        summaries = None if self.summaries is None else {k: v[idx] for k, v in self.summaries.items()}
        return Runs(self.config, [self.seeds[i] for i in idx.tolist()], self.loss[idx], self.table_loss[idx],
                    self.table_error[idx], self.grad_norm[idx], self.table_output[idx], self.params[idx],
                    evaluations=evaluations, curve_steps=self.curve_steps, summaries=summaries)

    @classmethod
    def concat(cls, parts: list[Runs]) -> Runs:
        """The trials of several Runs of one config, recorded alike, one after the other."""
        first = parts[0]
        if len(parts) == 1:
            return first
        join = lambda name: np.concatenate([getattr(p, name) for p in parts])  # noqa: E731
        evaluations = None if first.evaluations is None else \
            {"steps": first.evaluations["steps"],
             **{k: np.concatenate([p.evaluations[k] for p in parts]) for k in EVALUATIONS}}
        summaries = None if first.summaries is None else \
            {k: np.concatenate([p.summaries[k] for p in parts]) for k in first.summaries}
        return cls(first.config, [s for p in parts for s in p.seeds], join("loss"), join("table_loss"),
                   join("table_error"), join("grad_norm"), join("table_output"), join("params"),
                   evaluations=evaluations, curve_steps=first.curve_steps, summaries=summaries)


def with_config(frame: pd.DataFrame, config: TrialConfig) -> pd.DataFrame:
    """The frame with one leading column per config field."""
    for i, (name, value) in enumerate(config.to_dict().items()):
        frame.insert(i, name, value)
    return frame

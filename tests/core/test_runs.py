"""The engine's other records against the plain PyTorch program (tests/reference.py): the summary (solved, steps to
solve, final loss), the long-format curves, the truth-table metrics and trained parameters, trials on finite noisy
data sets, and parameter checkpoints."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch
from helpers import engine_run, reference_run
from reference import build_model, plain_finite_run, table_targets, table_wrong
from torch import nn

from lab.core.config import FIELD_NAMES, TrialConfig
from lab.core.engine import train
from lab.core.exact.arithmetic import follows_plain_program
from lab.core.runs import Runs

TOL = 1e-5  # max |engine loss - plain loss| over every step and seed (as in test_engine.py)
C = TrialConfig
SEEDS = (0, 1, 2, 3, 4)
SUMMARY = {  # id -> config (the same configs and seeds test_engine.py compares loss by loss)
    "lecture": C(steps=300),
    "xor": C(task="xor", steps=300),
    "onehot-bce": C(encoding="onehot", loss_fn="bce", steps=300),
}


# ---- summary() and curves() ----------------------------------------------------------------------------------------
def reference_errors(config, seed) -> list[float]:
    outputs = reference_run(config, seed)["table_outputs"]
    return [table_wrong(config, o) for o in outputs]


def reference_steps_to_solve(errors) -> float:
    """The first t such that the net answers all 4 rows right after t updates and after every later update."""
    if errors[-1] != 0:
        return math.nan
    t = len(errors) - 1
    while t > 0 and errors[t - 1] == 0:
        t -= 1
    return t


@pytest.mark.slow
@pytest.mark.parametrize("name", ["lecture", "xor", "onehot-bce"])
def test_summary_matches_the_plain_program(name):
    config, seeds = SUMMARY[name], SEEDS
    runs = engine_run(config, seeds)
    summary = runs.summary()
    assert list(summary.columns) == [*FIELD_NAMES, "seed", "solved", "steps_to_solve", "final_loss", "diverged"]
    assert summary["seed"].tolist() == list(seeds)
    for field, value in config.to_dict().items():
        assert summary[field].tolist() == [value] * len(seeds) or (value is None and summary[field].isna().all())
    assert str(summary["steps_to_solve"].dtype) == "Int64"
    criterion = nn.BCELoss() if config.loss_fn == "bce" else nn.MSELoss()
    for k, seed in enumerate(seeds):
        row = summary.iloc[k]
        errors = reference_errors(config, seed)
        expected = reference_steps_to_solve(errors)
        assert bool(row["solved"]) == (errors[-1] == 0), f"seed {seed}"
        if math.isnan(expected):
            assert pd.isna(row["steps_to_solve"]), f"seed {seed}"
        else:
            assert row["steps_to_solve"] == expected, f"seed {seed}"
        final = reference_run(config, seed)["table_outputs"][-1]
        assert row["final_loss"] == pytest.approx(criterion(final, table_targets(config)).item(), rel=1e-5, abs=1e-7)
        assert not row["diverged"]


def test_the_summary_sweep_covers_solved_and_unsolved_trials():
    solved = {name: engine_run(SUMMARY[name], SEEDS).summary()["solved"] for name in ("lecture", "xor")}
    assert solved["lecture"].all()
    assert not solved["xor"].all()


def synthetic_runs(errors: list[list[float]], diverge: list[bool] | None = None) -> Runs:
    """A Runs with the given table_error rows (steps + 1 entries each) and otherwise harmless arrays."""
    n, steps = len(errors), len(errors[0]) - 1
    loss = np.full((n, steps), 0.1, np.float32)
    for k, bad in enumerate(diverge or [False] * n):
        if bad:
            loss[k, -1] = np.nan
    return Runs(
        config=TrialConfig(steps=steps), seeds=list(range(n)), loss=loss,
        table_loss=np.linspace(0.3, 0.01, steps + 1, dtype=np.float32)[None].repeat(n, 0),
        table_error=np.asarray(errors, np.float32), grad_norm=np.ones((n, steps, 2), np.float32),
        table_output=np.zeros((n, 4, 1), np.float32), params=np.zeros((n, 9), np.float32),
    )


def test_steps_to_solve_semantics():
    runs = synthetic_runs([
        [0.25, 0.25, 0, 0, 0, 0],  # right from 2 updates on
        [0.5, 0, 0, 0.25, 0, 0],  # right after 1, wrong again after 3: counts from 4
        [0, 0, 0, 0, 0, 0],  # right from the start
        [0.5, 0, 0, 0, 0, 0.25],  # wrong at the end: unsolved
        [0.75, 0.5, 0.5, 0.25, 0.25, 0.25],  # never right
        [0.5, 0.25, 0, 0, 0, 0],  # right at the end but diverged (NaN loss): not solved
    ], diverge=[False] * 5 + [True])
    summary = runs.summary()
    assert summary["solved"].tolist() == [True, True, True, False, False, False]
    assert summary["steps_to_solve"].tolist() == [2, 4, 0, pd.NA, pd.NA, pd.NA]
    assert summary["diverged"].tolist() == [False] * 5 + [True]
    assert summary["final_loss"].tolist() == pytest.approx([0.01] * 6)
    # the reference rule used against the plain program agrees with these hand-written answers
    assert [reference_steps_to_solve(e) for e in runs.table_error[:5].tolist()][:3] == [2, 4, 0]


def test_curves_long_format():
    config = C(depth=2, steps=50)
    runs = train(config, [4, 9])
    curves = runs.curves()
    layer_columns = ["grad_norm_1", "grad_norm_2", "grad_norm_3"]
    assert list(curves.columns) == [*FIELD_NAMES, "seed", "step", "loss", "table_loss", "table_error", *layer_columns]
    assert len(curves) == 2 * 50
    assert curves["seed"].tolist() == [4] * 50 + [9] * 50
    assert curves["step"].tolist() == list(range(50)) * 2
    assert np.array_equal(curves["loss"].to_numpy(), runs.loss.ravel())
    assert np.array_equal(curves["table_loss"].to_numpy(), runs.table_loss[:, :50].ravel())
    assert np.array_equal(curves["table_error"].to_numpy(), runs.table_error[:, :50].ravel())
    for l, column in enumerate(layer_columns):
        assert np.array_equal(curves[column].to_numpy(), runs.grad_norm[:, :, l].ravel())
    sparse = runs.curves(every=10)
    assert sparse["step"].tolist() == [0, 10, 20, 30, 40] * 2
    assert np.array_equal(sparse["loss"].to_numpy(), runs.loss[:, ::10].ravel())


# ---- table_loss, table_error, grad_norm, table_output, params ------------------------------------------------------
TABLE_CONFIGS = {  # id -> config; table_loss and final table outputs bitwise where the engine follows the kernels
    "lecture": C(steps=300),
    "onehot-bce-xor": C(encoding="onehot", loss_fn="bce", task="xor", width=4, steps=200),
    "wide-onehot-bce-xor": C(encoding="onehot", loss_fn="bce", task="xor", width=12, steps=200),
    "full-batch-depth3-relu": C(full_batch=True, depth=3, activation="relu", optimizer="rmsprop", steps=200),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", TABLE_CONFIGS)
def test_table_metrics_match_the_plain_model(name):
    config = TABLE_CONFIGS[name]
    bitwise = follows_plain_program(config) and config.loss_fn == "mse"
    seeds = (0, 1, 2)
    runs = engine_run(config, seeds)
    steps = config.steps
    assert runs.table_loss.shape == runs.table_error.shape == (3, steps + 1)
    assert runs.grad_norm.shape == (3, steps, config.depth + 1)
    assert runs.table_output.shape == (3, 4, config.outputs)
    criterion = nn.BCELoss() if config.loss_fn == "bce" else nn.MSELoss()
    y = table_targets(config)
    for k, seed in enumerate(seeds):
        ref = reference_run(config, seed)
        outputs = ref["table_outputs"]  # before update t, for t = 0..steps (the last: after training)
        ref_loss = np.array([criterion(o, y).item() for o in outputs])
        ref_error = np.array([table_wrong(config, o) for o in outputs])
        np.testing.assert_allclose(runs.table_loss[k], ref_loss, rtol=1e-5, atol=1e-7, err_msg=f"seed {seed}")
        # rows within rounding distance of the decision boundary could flip; away from it the error must agree
        near = np.array([((o - 0.5).abs() < 1e-5).any().item() for o in outputs])
        assert np.array_equal(runs.table_error[k][~near], ref_error[~near]), f"seed {seed}"
        np.testing.assert_allclose(runs.table_output[k], outputs[-1].numpy(), rtol=0, atol=1e-5)
        np.testing.assert_allclose(runs.grad_norm[k], ref["grad_norms"].numpy(), rtol=1e-4, atol=1e-7)
        np.testing.assert_allclose(runs.params[k], ref["params"].numpy(), rtol=0, atol=1e-4)
        if bitwise:
            assert np.array_equal(runs.table_loss[k], ref_loss.astype(np.float32)), f"seed {seed}"
            assert np.array_equal(runs.table_output[k], outputs[-1].numpy()), f"seed {seed}"


def test_lecture_trained_nets_are_bitwise_the_plain_nets():
    config = SUMMARY["lecture"]
    runs = engine_run(config, SEEDS)
    for k, seed in enumerate(SEEDS):
        ref = reference_run(config, seed)
        assert np.array_equal(runs.params[k], ref["params"].numpy()), f"seed {seed}"
        assert np.array_equal(runs.table_output[k], ref["table_outputs"][-1].numpy()), f"seed {seed}"
        assert np.array_equal(runs.table_loss[k][-1], np.float32(nn.MSELoss()(ref["table_outputs"][-1],
                                                                                table_targets(config)).item()))


# ---- finite noisy data sets ----------------------------------------------------------------------------------------
FINITE = {  # id -> (config, bitwise per-step loss?)
    "and-noisy": (C(n_train=16, noise=0.4, batch_size=5, steps=300), True),
    "xor-flips-tanh-depth2": (C(task="xor", n_train=24, noise=0.3, label_flip=0.1, batch_size=4, depth=2,
                                activation="tanh", width=3, optimizer="sgd", steps=300), True),
    "onehot-full-batch": (C(n_train=12, noise=0.2, full_batch=True, encoding="onehot", steps=200), True),
    "wide": (C(n_train=20, noise=0.5, width=16, depth=2, batch_size=5, lr=0.01, steps=300), False),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(FINITE))
def test_finite_data_matches_a_plain_training_loop(name):
    config, bitwise = FINITE[name]
    seeds = [0, 3, 7]
    runs = train(config, seeds)
    for k, seed in enumerate(seeds):
        plain = plain_finite_run(config, seed)
        expected = np.float32(plain["losses"])
        if bitwise:
            assert np.array_equal(runs.loss[k], expected), f"{name} seed {seed}: per-step loss not bitwise equal"
        else:
            assert np.abs(runs.loss[k] - expected).max() <= TOL
        for split in ("train", "val", "test"):  # final error rates: counts of wrong rows, so equal
            assert runs.evaluations[f"{split}_error"][k, -1] == pytest.approx(plain["errors"][split], abs=1e-6)


@pytest.mark.slow
def test_finite_data_summaries_and_cross_validation_folds():
    config = C(n_train=20, noise=0.4, batch_size=4, steps=200, eval_every=20)
    runs = train(config, range(4))
    steps = runs.evaluations["steps"]
    assert steps == list(range(0, 200, 20)) + [200]
    summary = runs.summary()
    assert set(summary["best_step"]) <= set(steps)
    for k in range(4):  # the best step is where validation loss is lowest
        best = int(np.argmin(runs.evaluations["val_loss"][k]))
        assert summary["best_step"][k] == steps[best]
        assert summary["test_error_best"][k] == runs.evaluations["test_error"][k, best]
    folds = [train(config.replace(folds=4, fold=j), [0]) for j in range(4)]
    sizes = {r.config.train_size for r in folds}
    assert sizes == {15}
    assert len({float(r.evaluations["val_error"][0, -1]) for r in folds}) >= 1


def test_checkpoints_are_the_parameters_after_that_many_steps():
    """checkpoint_every=k keeps the parameters before steps 0, k, 2k, ... and after the last one: the first is the
    plain program's freshly built model, each later one equals the same seeds trained for that many steps."""
    config = TrialConfig(steps=25)
    runs = train(config, [0, 3], checkpoint_every=10)
    assert runs.checkpoints["steps"] == [0, 10, 20, 25]
    for k, seed in enumerate((0, 3)):
        torch.manual_seed(seed)
        initial = torch.cat([p.detach().reshape(-1) for p in build_model(config).parameters()]).numpy()
        np.testing.assert_array_equal(runs.checkpoints["params"][k, 0], initial)
    for c, steps in enumerate(runs.checkpoints["steps"][1:], start=1):
        np.testing.assert_array_equal(runs.checkpoints["params"][:, c], train(TrialConfig(steps=steps), [0, 3]).params)

"""lab.science.replay against plain torch.nn networks loaded with the engine's checkpoint parameters."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from lab.core.config import TrialConfig
from lab.core.engine import train
from lab.science import replay as rp

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU, "identity": nn.Identity}
TABLE = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def plain_net(config: TrialConfig, flat, dtype=torch.float32) -> nn.Sequential:
    """nn.Sequential of Linear layers (hidden: the config's activation; output: sigmoid), with its weights and biases
    read from a flat vector laid out W1 (out × in, row-major), b1, W2, b2, ..."""
    sizes = [2] + [config.width] * config.depth + [config.outputs]
    modules, at = [], 0
    flat = torch.as_tensor(np.asarray(flat), dtype=dtype)
    for k, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = nn.Linear(fan_in, fan_out).to(dtype)
        with torch.no_grad():
            linear.weight.copy_(flat[at:at + fan_in * fan_out].reshape(fan_out, fan_in))
            linear.bias.copy_(flat[at + fan_in * fan_out:at + fan_in * fan_out + fan_out])
        at += fan_in * fan_out + fan_out
        modules += [linear, ACTIVATIONS[config.activation]() if k < len(sizes) - 2 else nn.Sigmoid()]
    assert at == len(flat)
    return nn.Sequential(*modules)


def hidden_outputs(net: nn.Sequential, x: torch.Tensor) -> list[torch.Tensor]:
    """Each hidden layer's activations, then the output."""
    outs = []
    with torch.no_grad():
        for k in range(0, len(net), 2):
            x = net[k + 1](net[k](x))
            outs.append(x)
    return outs


def score(config, out):
    return out[:, 0] if config.outputs == 1 else (out[:, 0] - out[:, 1] + 1) / 2


CONFIGS = [TrialConfig(steps=60), TrialConfig(steps=60, encoding="onehot", task="xor"),
           TrialConfig(steps=60, depth=2, width=3, activation="relu"),
           TrialConfig(steps=60, depth=3, width=2, activation="tanh", loss_fn="bce")]


@pytest.mark.parametrize("config", CONFIGS)
def test_maps_and_truth_tables_match_a_plain_torch_model(config):
    every, n, seed = 15, 7, 4
    checkpoints = train(config, [seed], checkpoint_every=every).checkpoints
    replay = rp.replay(config, seed, every=every, n=n, decimals=None)
    assert replay.steps == checkpoints["steps"] == [0, 15, 30, 45, 60]
    for f, step in enumerate(replay.steps):
        net = plain_net(config, checkpoints["params"][0, f])
        decision = replay.decision[replay.decision["step"] == step]
        assert len(decision) == n * n
        x = torch.tensor(decision[["x1", "x2"]].to_numpy(), dtype=torch.float32)
        assert x.min() == -0.25 and x.max() == 1.25
        outs = hidden_outputs(net, x)
        np.testing.assert_allclose(decision["score"], score(config, outs[-1].double()), rtol=0, atol=1e-6)
        units = replay.units[replay.units["step"] == step]
        for layer, h in enumerate(outs[:-1], start=1):
            for j in range(h.shape[1]):
                name = f"h{j + 1}" if config.depth == 1 else f"h{layer}_{j + 1}"
                one = units[(units["layer"] == layer) & (units["unit"] == name)]
                np.testing.assert_array_equal(one[["x1", "x2"]].to_numpy(), decision[["x1", "x2"]].to_numpy())
                np.testing.assert_allclose(one["activation"], h[:, j].double(), rtol=0, atol=1e-6)
        assert len(units) == n * n * config.width * config.depth
        table = replay.table[replay.table["step"] == step]
        out = hidden_outputs(net, TABLE)[-1].double()
        if config.outputs == 1:
            np.testing.assert_allclose(table["output"], out[:, 0], rtol=0, atol=1e-6)
        else:
            np.testing.assert_allclose(table[["output_true", "output_false"]].to_numpy(), out, rtol=0, atol=1e-6)
        assert table["answer"].tolist() == (score(config, out) > 0.5).int().tolist()


@pytest.mark.parametrize("config", CONFIGS[:2])
def test_losses_are_the_plain_models_truth_table_losses(config):
    seed = 2
    replay = rp.replay(config, seed, every=20, n=5)
    checkpoints = train(config, [seed], checkpoint_every=20).checkpoints
    y = torch.tensor([[0.0], [0.0], [0.0], [1.0]]) if config.task == "and" else torch.tensor(
        [[0.0, 1.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])  # xor, one-hot: [1, 0] where the value is 1
    for f, step in enumerate(replay.steps):
        with torch.no_grad():
            expected = nn.MSELoss()(plain_net(config, checkpoints["params"][0, f])(TABLE), y).item()
        got = replay.loss.loc[replay.loss["step"] == step, "table_loss"].item()
        assert got == pytest.approx(expected, rel=1e-5, abs=1e-7)
    lecture = train(config, [seed])
    steps = replay.loss["step"].to_numpy()
    np.testing.assert_array_equal(replay.loss["minibatch_loss"].to_numpy()[:-1], lecture.loss[0, steps[:-1]])
    assert np.isnan(replay.loss["minibatch_loss"].iloc[-1])


def test_last_frame_is_the_trained_net_and_weights_are_named_by_their_units():
    config = TrialConfig(steps=200)
    replay = rp.replay(config, 7, every=50)
    trained = train(config, [7]).params[0]
    last = replay.weights[replay.weights["step"] == 200].sort_values("index")
    np.testing.assert_array_equal(last["weight"].to_numpy(), trained.astype(np.float64))
    np.testing.assert_array_equal(replay.params[-1], trained)
    net = plain_net(config, trained)
    for row in last.itertuples():
        linear = net[2 * (row.layer - 1)]
        j = int(row.to_unit[-1]) - 1 if row.to_unit != "y" else 0
        if row.kind == "bias":
            assert row.from_unit == "bias" and row.weight == linear.bias[j].item()
        else:
            i = int(row.from_unit[-1]) - 1
            assert row.weight == linear.weight[j, i].item()
    assert len(replay.weights) == 5 * 9


def test_the_lecture_replay_is_sized_for_the_browser():
    """1,000 steps at the defaults: at most FRAMES + 1 frames of a GRID × GRID grid, a few MB as JSON records."""
    config = TrialConfig()
    replay = rp.replay(config, 0)
    frames = len(replay.steps)
    assert replay.steps[0] == 0 and replay.steps[-1] == 1000 and frames <= rp.FRAMES + 1
    assert frames >= 40  # smooth enough to animate
    points = rp.GRID * rp.GRID
    assert len(replay.decision) == frames * points and len(replay.units) == frames * points * 2
    sizes = replay.sizes().set_index("table")
    assert sizes["rows"].to_dict() == {"decision": frames * points, "units": 2 * frames * points,
                                       "weights": 9 * frames, "table": 4 * frames, "loss": frames}
    assert sizes["json_bytes"].sum() < 5_000_000
    # the inputs 0 and 1 lie on the grid, and rounding keeps map values within half a unit of the last place
    axis = np.unique(replay.decision["x1"])
    assert {0.0, 1.0} <= set(axis) and len(axis) == rp.GRID
    exact = rp.replay(config, 0, decimals=None)
    assert np.abs(exact.decision["score"] - replay.decision["score"]).max() <= 0.5e-3 + 1e-9
    assert np.abs(exact.units["activation"] - replay.units["activation"]).max() <= 0.5e-3 + 1e-9
    assert (exact.decision["score"] != replay.decision["score"]).any()


def test_oversized_replays_are_refused():
    with pytest.raises(ValueError, match="map values"):
        rp.replay(TrialConfig(steps=10_000, depth=4, width=64), 0, every=1)
    with pytest.raises(ValueError, match="checkpoints"):
        rp.frames(train(TrialConfig(steps=5), [0]))

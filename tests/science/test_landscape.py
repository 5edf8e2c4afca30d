"""lab.science.landscape against plain torch.nn losses (float64) and numpy's own SVD and norms."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from lab.core.config import TrialConfig
from lab.science import landscape as ls

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU, "identity": nn.Identity}
TABLE = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=torch.float64)
VALUES = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "nand": [1, 1, 1, 0], "xor": [0, 1, 1, 0]}


def sizes(config):
    return [2] + [config.width] * config.depth + [config.outputs]


def plain_loss(config: TrialConfig, flat) -> float:
    """The truth-table loss of a plain float64 nn.Sequential holding the flat parameters (W1 row-major, b1, ...)."""
    flat = torch.as_tensor(np.asarray(flat, dtype=np.float64))
    modules, at, dims = [], 0, sizes(config)
    for k, (fan_in, fan_out) in enumerate(zip(dims[:-1], dims[1:])):
        linear = nn.Linear(fan_in, fan_out).double()
        with torch.no_grad():
            linear.weight.copy_(flat[at:at + fan_in * fan_out].reshape(fan_out, fan_in))
            linear.bias.copy_(flat[at + fan_in * fan_out:at + fan_in * fan_out + fan_out])
        at += fan_in * fan_out + fan_out
        modules += [linear, ACTIVATIONS[config.activation]() if k < len(dims) - 2 else nn.Sigmoid()]
    value = torch.tensor(VALUES[config.task], dtype=torch.float64)
    y = value[:, None] if config.outputs == 1 else torch.stack([value, 1 - value], 1)
    criterion = nn.BCELoss() if config.loss_fn == "bce" else nn.MSELoss()
    with torch.no_grad():
        return criterion(nn.Sequential(*modules)(TABLE), y).item()


def unit_filters(config, with_bias=False):
    """Index arrays of each unit's incoming weights (and its bias), from the layout W1 row-major, b1, W2, b2, ..."""
    out, at, dims = [], 0, sizes(config)
    for fan_in, fan_out in zip(dims[:-1], dims[1:]):
        for j in range(fan_out):
            row = list(range(at + j * fan_in, at + (j + 1) * fan_in))
            out.append(row + ([at + fan_in * fan_out + j] if with_bias else []))
        at += fan_in * fan_out + fan_out
    return out


CONFIG = TrialConfig(steps=200)


@pytest.fixture(scope="module")
def paths():
    return ls.train_trajectories([CONFIG.replace(optimizer=o) for o in ("sgd", "momentum", "adam")], seed=3,
                                 every=20)


@pytest.mark.parametrize("config", [TrialConfig(), TrialConfig(loss_fn="bce", encoding="onehot", task="xor"),
                                    TrialConfig(depth=3, width=3, activation="relu", task="or"),
                                    TrialConfig(depth=2, activation="tanh", loss_fn="bce")])
def test_losses_are_plain_model_losses(config):
    count = sum(a * b + b for a, b in zip(sizes(config)[:-1], sizes(config)[1:]))
    points = np.random.default_rng(0).normal(scale=2.0, size=(7, count))
    got = ls.losses(config, points)
    np.testing.assert_allclose(got, [plain_loss(config, p) for p in points], rtol=1e-12, atol=1e-15)


def test_the_grid_is_the_loss_at_the_centre_plus_x_d1_plus_y_d2(paths):
    land = ls.landscape(CONFIG, paths, n=9)
    assert land.centre == "initial"
    c, (d1, d2) = land.plane.centre, land.plane.directions
    np.testing.assert_array_equal(c, paths["sgd"]["params"][0].astype(np.float64))
    centred = ls.grid(CONFIG, land.plane, extent=(-2, 2, -3, 3), n=5)
    at_zero = centred[(centred["x"] == 0) & (centred["y"] == 0)]["loss"].item()
    assert at_zero == pytest.approx(plain_loss(CONFIG, c), rel=1e-12)
    assert len(land.grid) == 81
    rows = land.grid.sample(6, random_state=1)
    for row in rows.itertuples():
        assert row.loss == pytest.approx(plain_loss(CONFIG, c + row.x * d1 + row.y * d2), rel=1e-12)
    xs = np.unique(land.grid["x"])
    assert xs[0] == pytest.approx(land.extent[0]) and xs[-1] == pytest.approx(land.extent[1])
    assert land.grid["x"].min() <= land.paths["x"].min() and land.grid["x"].max() >= land.paths["x"].max()
    assert land.grid["y"].min() <= land.paths["y"].min() and land.grid["y"].max() >= land.paths["y"].max()


def test_pca_directions_are_orthonormal_and_explain_what_numpy_says(paths):
    land = ls.landscape(CONFIG, paths)
    plane = land.plane
    points = np.concatenate([p["params"] for p in paths.values()]).astype(np.float64)
    np.testing.assert_allclose(plane.directions @ plane.directions.T, np.eye(2), atol=1e-12)
    _, s, vt = np.linalg.svd(points - plane.centre)
    np.testing.assert_allclose(plane.explained, s[:2] ** 2 / np.sum(s**2), rtol=1e-10)
    np.testing.assert_allclose(np.abs(plane.directions @ vt[:2].T), np.eye(2), atol=1e-8)
    residual = (points - plane.centre) - (points - plane.centre) @ vt[:2].T @ vt[:2]
    assert land.captured == pytest.approx(1 - np.sum(residual**2) / np.sum((points - plane.centre) ** 2), rel=1e-10)
    assert 0 < plane.explained[1] <= plane.explained[0] < 1
    # one trajectory: centred at its final weights
    single = ls.landscape(CONFIG, {"adam": paths["adam"]})
    assert single.centre == "final"
    np.testing.assert_array_equal(single.plane.centre, paths["adam"]["params"][-1].astype(np.float64))


@pytest.mark.parametrize("bias", ["zero", "filter"])
def test_filter_normalised_directions_have_the_centres_filter_norms(bias):
    config = TrialConfig(depth=2, width=3)
    rng = np.random.default_rng(5)
    count = sum(a * b + b for a, b in zip(sizes(config)[:-1], sizes(config)[1:]))
    centre = rng.normal(size=count)
    plane = ls.random_plane(config, centre, seed=2, bias=bias)
    for d in plane.directions:
        for idx in unit_filters(config, with_bias=bias == "filter"):
            assert np.linalg.norm(d[idx]) == pytest.approx(np.linalg.norm(centre[idx]), rel=1e-12)
        biases = sorted(set(range(count)) - {i for idx in unit_filters(config) for i in idx})
        if bias == "zero":
            assert np.all(d[biases] == 0)
        else:
            assert np.all(d[biases] != 0)
    assert not np.allclose(plane.directions[0], plane.directions[1])
    direction = rng.normal(size=count)
    normalised = ls.filter_normalize(config, direction, centre, bias)
    for idx in unit_filters(config, with_bias=bias == "filter"):  # each filter only rescaled, by a positive factor
        ratio = normalised[idx] / direction[idx]
        np.testing.assert_allclose(ratio, ratio[0], rtol=1e-12)
        assert ratio[0] > 0


def test_the_straight_line_runs_from_the_initial_to_the_final_loss(paths):
    start, end = paths["adam"]["params"][0], paths["adam"]["params"][-1]
    frame = ls.line(CONFIG, start, end)
    assert frame["alpha"].min() == -0.25 and frame["alpha"].max() == 1.25
    assert frame.loc[frame["alpha"] == 0, "loss"].item() == pytest.approx(plain_loss(CONFIG, start), rel=1e-12)
    assert frame.loc[frame["alpha"] == 1, "loss"].item() == pytest.approx(plain_loss(CONFIG, end), rel=1e-12)
    half = frame.loc[np.isclose(frame["alpha"], 0.5), "loss"].item()
    assert half == pytest.approx(plain_loss(CONFIG, 0.5 * (start.astype(float) + end)), rel=1e-12)
    lines = ls.landscape(CONFIG, paths).lines
    assert set(lines["optimizer"]) == {"sgd", "momentum", "adam"} and len(lines) == 3 * len(ls.ALPHAS)


@pytest.mark.parametrize("normalize", [False, True])
def test_projected_coordinates_reconstruct_points_in_the_plane(paths, normalize):
    land = ls.landscape(CONFIG, paths, normalize=normalize)
    plane = land.plane
    c, (d1, d2) = plane.centre, plane.directions
    ab = np.random.default_rng(3).normal(scale=3.0, size=(5, 2))
    xy, distance = plane.coordinates(c + ab[:, :1] * d1 + ab[:, 1:] * d2)
    np.testing.assert_allclose(xy, ab, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(distance, 0, atol=1e-9)
    for name, path in paths.items():  # the paths: the residual is orthogonal to the plane, its norm the distance
        rows = land.paths[land.paths["optimizer"] == name]
        assert rows["step"].tolist() == path["steps"]
        theta = path["params"].astype(np.float64)
        residual = theta - (c + rows[["x"]].to_numpy() * d1 + rows[["y"]].to_numpy() * d2)
        np.testing.assert_allclose(residual @ np.stack([d1, d2]).T, 0, atol=1e-9)
        np.testing.assert_allclose(rows["distance"], np.linalg.norm(residual, axis=1), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(rows["loss"], path["table_loss"][path["steps"]], rtol=1e-5, atol=1e-8)
    start = land.paths[land.paths["step"] == 0]
    np.testing.assert_allclose(start[["x", "y", "distance"]].to_numpy(), 0, atol=1e-12)  # one seed: one start


def test_points_off_the_plane_are_placed_with_their_distance(paths):
    plane = ls.landscape(CONFIG, paths).plane
    c, (d1, d2) = plane.centre, plane.directions
    off = np.random.default_rng(4).normal(size=len(c))
    off -= (off @ d1) * d1 + (off @ d2) * d2
    off /= np.linalg.norm(off)
    far = 0.5 * plane.scale
    points = np.stack([c + 1.5 * d1 - 2 * d2 + 0.01 * plane.scale * off, c - d1 + far * off])
    table = ls.project_points(CONFIG, plane, points, labels=["saddle", "elsewhere"])
    np.testing.assert_allclose(table[["x", "y"]].to_numpy(), [[1.5, -2.0], [-1.0, 0.0]], atol=1e-9)
    np.testing.assert_allclose(table["distance"], [0.01 * plane.scale, far], rtol=1e-9)
    assert table["near"].tolist() == [True, False] and table["label"].tolist() == ["saddle", "elsewhere"]
    assert table["loss"].tolist() == pytest.approx([plain_loss(CONFIG, p) for p in points], rel=1e-12)
    assert table["plane_loss"].iloc[1] == pytest.approx(plain_loss(CONFIG, c - d1), rel=1e-12)


def test_deep_nets_are_refused():
    with pytest.raises(ValueError, match="at most 3 hidden layers"):
        ls.losses(TrialConfig(depth=4), np.zeros((1, 6 + 2 + 3 * 6 + 1)))

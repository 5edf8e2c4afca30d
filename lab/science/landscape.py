"""Loss landscapes of the truth-table loss: a 2-D slice through the optimizers' paths, and the straight line.

The loss is the truth-table loss of `lab.core.runs` (the mean over the 4 rows and all outputs of the config's MSE or
BCE,
with its encoding), as a function of the flat parameters (`models.layout`), computed in float64 by one batched forward
pass over all the parameter vectors asked for (`losses`; nets with at most `MAX_DEPTH` hidden layers).

**The plane** (Li, Xu, Taylor, Studer & Goldstein, 2018, "Visualizing the Loss Landscape of Neural Nets", §7).
θ(x, y) = θc + x·d1 + y·d2. `pca_plane`: d1, d2 are the first two right singular vectors of the matrix whose rows are
θi − θc over every checkpoint θi of every trajectory given, so the plane through θc that holds the most of those
displacements; `explained` is each direction's share of Σ‖θi − θc‖² (s_k² / Σ s²). The rows are not mean-centred
(scikit-learn's PCA, as in the authors' code, would subtract their mean first): the plane must pass through θc for
the picture to be a slice at θc, and then this share is exactly how much of the paths' squared distance from θc the
picture keeps. Directions include the biases (which move as much as the weights in these small nets; Li et al. leave
biases out of theirs). The centre (`landscape`): one trajectory — its final weights, as Li et al.; several optimizers
started from the same initial weights (one seed) — those common initial weights, the one point every path shares,
so every path starts at (0, 0) and none of the optimizers' ends is privileged. Either can be asked for.

**Filter normalisation** (Li et al. §4, `filter_normalize`, `random_plane`): a random Gaussian direction whose every
filter is rescaled to the norm of the same filter of θc, so that a step of 1 means the same relative change in every
layer and sharpness compares across nets. For these fully-connected nets a filter is one unit's incoming weights (a
row of a weight matrix). Biases: set to 0 in the direction (bias="zero", as Li et al.), or made part of their unit's
filter (bias="filter"). PCA directions are used as they are, orthonormal in parameter units (as Li et al. plot
trajectories); `pca_plane(..., normalize=True)` filter-normalises them too, and the plane then changes: `captured`
says how much of the paths that plane keeps.

**The line** (Goodfellow, Vinyals & Saxe, 2015, "Qualitatively characterizing neural network optimization
problems"): the loss at θ(α) = (1 − α)·θ0 + α·θ1, α from −0.25 to 1.25 (`line`).

**Points** (`project_points`): any parameter vectors (e.g. the stall midpoints that `diagnostics.classify_stalls`
tests, their parameters from `diagnostics.params_at`): their coordinates in the plane, their distance from it, and
whether they are near it (distance at most `NEAR` of the plane's scale), so that only those are marked on the slice.

What a 2-D slice can and cannot show is said in `SLICE_CAVEATS`, a plain paragraph for the page to show (or
translate) beside the picture.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from lab.core import models, tasks
from lab.core.config import TrialConfig
from lab.core.engine import train_group
from lab.core.runs import elementwise_loss
from lab.science.replay import forward_batch

SLICE_CAVEATS = (
    "A 2-D slice shows the loss along two chosen directions through one point of a space of many dimensions. It can "
    "show the shape of the loss in that plane: valleys, plateaus, walls, and how the optimizers' paths run across "
    "them. It cannot show that a point is a minimum or a saddle point in the full space: a point that looks like a "
    "minimum in the slice may descend along a direction outside it; only the Hessian in all directions decides. The "
    "paths are projected onto the plane: points off the plane are drawn where their shadow falls, distances shrink, "
    "and the loss under a drawn point is the loss at its shadow, not at the point itself. The share of the paths "
    "that the plane holds says how faithful the picture is. Filter normalisation rescales the directions to the size "
    "of each unit's weights, so that the sharpness of different nets can be compared."
)
MAX_DEPTH = 3  # hidden layers of the nets whose landscapes are drawn
GRID = 41  # grid points per side
MARGIN = 0.25  # the grid extends the paths' range by this fraction of it on each side
ALPHAS = np.round(np.linspace(-0.25, 1.25, 61), 6)
NEAR = 0.05  # a point is near the plane within this fraction of the plane's scale
CHUNK = 1 << 22  # parameter values per batch of the forward pass


def check_config(config: TrialConfig):
    if config.depth > MAX_DEPTH:
        raise ValueError(f"loss landscapes are drawn for nets with at most {MAX_DEPTH} hidden layers "
                         f"(got {config.depth})")


def losses(config: TrialConfig, points) -> np.ndarray:
    """The truth-table loss (float64) at each row of `points` (B, P), all at once (in batches of CHUNK values)."""
    check_config(config)
    points = np.atleast_2d(np.asarray(points, dtype=np.float64))
    y = tasks.targets(config.task, config.encoding, tasks.TABLE_INPUTS).double()
    out = np.empty(len(points))
    size = max(1, CHUNK // points.shape[1])
    for start in range(0, len(points), size):
        o = forward_batch(config.layer_sizes, config.activation, points[start:start + size], tasks.TABLE_INPUTS,
                          dtype=torch.float64)[-1]
        out[start:start + size] = elementwise_loss(config.loss_fn, o, y.expand_as(o)).mean(dim=(1, 2)).numpy()
    return out


@dataclass(frozen=True)
class Plane:
    """θ(x, y) = centre + x·directions[0] + y·directions[1]."""

    centre: np.ndarray  # (P,)
    directions: np.ndarray  # (2, P)
    method: str  # "pca" or "random"
    filter_normalized: bool
    explained: np.ndarray  # (2,) PCA: each direction's share of Σ‖θi − θc‖² (before any normalisation); else NaN
    scale: float  # the picture's size: the largest ‖θi − θc‖ of the points it was built from (random: ‖d1‖)

    def at(self, x, y) -> np.ndarray:
        """Parameter vectors (m, P) at plane coordinates x, y (m,)."""
        x, y = np.atleast_1d(np.asarray(x, dtype=np.float64)), np.atleast_1d(np.asarray(y, dtype=np.float64))
        return self.centre + x[:, None] * self.directions[0] + y[:, None] * self.directions[1]

    def coordinates(self, points) -> tuple[np.ndarray, np.ndarray]:
        """(xy (m, 2), distance (m,)): each point's orthogonal projection onto the plane, in plane coordinates (least
        squares: exact also for directions that are not orthonormal), and its distance from the plane."""
        diff = np.atleast_2d(np.asarray(points, dtype=np.float64)) - self.centre
        xy = np.linalg.solve(self.directions @ self.directions.T, self.directions @ diff.T).T
        return xy, np.linalg.norm(diff - xy @ self.directions, axis=1)

    def captured(self, points) -> float:
        """The share of Σ‖θi − θc‖² over `points` that lies in the plane (1 − Σ distance² / Σ‖θi − θc‖²)."""
        total = np.sum((np.atleast_2d(points) - self.centre) ** 2)
        return float(1 - np.sum(self.coordinates(points)[1] ** 2) / total) if total > 0 else float("nan")


def pca_plane(points, centre, normalize: bool = False, config: TrialConfig | None = None,
              bias: str = "zero") -> Plane:
    """The plane through `centre` spanned by the first two principal directions of `points` − `centre` (uncentred
    SVD; see the module docstring). Each direction's sign makes the points' mean coordinate >= 0. `normalize`:
    filter-normalise both directions (needs `config`; see `filter_normalize`)."""
    centre = np.asarray(centre, dtype=np.float64).ravel()
    diff = np.atleast_2d(np.asarray(points, dtype=np.float64)) - centre
    _, s, vt = np.linalg.svd(diff, full_matrices=False)
    total = float(np.sum(s**2))
    explained = np.array([s[k] ** 2 / total if k < len(s) and total > 0 else 0.0 for k in range(2)])
    directions = [vt[k] if k < len(vt) and s[k] > 0 else None for k in range(2)]
    directions = _complete(directions, len(centre))
    for k, d in enumerate(directions):
        if np.sum(diff @ d) < 0:
            directions[k] = -d
    directions = np.array(directions)
    if normalize:
        if config is None:
            raise ValueError("filter normalisation needs the config (its layer sizes)")
        directions = np.array([filter_normalize(config, d, centre, bias) for d in directions])
    scale = float(np.max(np.linalg.norm(diff, axis=1))) if len(diff) else 0.0
    return Plane(centre, directions, "pca", normalize, explained, scale if scale > 0 else 1.0)


def _complete(directions, size: int) -> list[np.ndarray]:
    """Missing directions (fewer than 2 independent displacements) filled in orthonormally, from unit vectors."""
    found = [d for d in directions if d is not None]
    for k in range(size):
        if len(found) == 2:
            break
        e = np.zeros(size)
        e[k] = 1.0
        for d in found:
            e -= (e @ d) * d
        if np.linalg.norm(e) > 1e-6:
            found.append(e / np.linalg.norm(e))
    return found


def filters(config: TrialConfig, bias: str = "zero") -> list[np.ndarray]:
    """The flat-parameter indices of every filter: one per unit, its incoming weights (and its bias with
    bias="filter")."""
    out = []
    for lay in models.layout(config.layer_sizes):
        for j in range(lay.fan_out):
            row = list(range(lay.w.start + j * lay.fan_in, lay.w.start + (j + 1) * lay.fan_in))
            out.append(np.array(row + ([lay.b.start + j] if bias == "filter" else [])))
    return out


def filter_normalize(config: TrialConfig, direction, centre, bias: str = "zero") -> np.ndarray:
    """`direction` with each filter rescaled to the norm of the same filter of `centre` (Li et al. 2018, §4): d_f ←
    d_f · ‖θc_f‖ / ‖d_f‖ (a zero d_f stays 0). bias="zero": bias entries set to 0, as Li et al. do; "filter": each
    bias is part of its unit's filter."""
    if bias not in ("zero", "filter"):
        raise ValueError(f"bias must be zero or filter (got {bias!r})")
    d = np.array(direction, dtype=np.float64).ravel()
    c = np.asarray(centre, dtype=np.float64).ravel()
    out = np.zeros_like(d)
    for idx in filters(config, bias):
        norm = np.linalg.norm(d[idx])
        if norm > 0:
            out[idx] = d[idx] * (np.linalg.norm(c[idx]) / norm)
    return out


def random_plane(config: TrialConfig, centre, seed: int = 0, bias: str = "zero") -> Plane:
    """Li et al.'s plane: two Gaussian directions (numpy generator `seed`), each filter-normalised at `centre`."""
    centre = np.asarray(centre, dtype=np.float64).ravel()
    rng = np.random.default_rng(seed)
    directions = np.array([filter_normalize(config, rng.standard_normal(len(centre)), centre, bias) for _ in "xy"])
    scale = float(np.linalg.norm(directions[0]))
    return Plane(centre, directions, "random", True, np.full(2, np.nan), scale if scale > 0 else 1.0)


def grid(config: TrialConfig, plane: Plane, extent=(-1.0, 1.0, -1.0, 1.0), n: int = GRID) -> pd.DataFrame:
    """The loss on an n × n grid of the plane over extent (xmin, xmax, ymin, ymax): columns x, y, loss."""
    xs = np.linspace(extent[0], extent[1], n)
    ys = np.linspace(extent[2], extent[3], n)
    x, y = (a.ravel() for a in np.meshgrid(xs, ys, indexing="ij"))
    return pd.DataFrame({"x": x, "y": y, "loss": losses(config, plane.at(x, y))})


def paths(config: TrialConfig, plane: Plane, trajectories: dict) -> pd.DataFrame:
    """Each trajectory ({"steps": [...], "params": (C, P)} per name) projected onto the plane: optimizer, step, x, y,
    distance (from the plane), loss (at the point itself), plane_loss (at its projection, the surface under it)."""
    parts = []
    for name, path in trajectories.items():
        params = np.asarray(path["params"], dtype=np.float64)
        xy, distance = plane.coordinates(params)
        parts.append(pd.DataFrame({
            "optimizer": name, "step": np.asarray(path["steps"], dtype=np.int64), "x": xy[:, 0], "y": xy[:, 1],
            "distance": distance, "loss": losses(config, params), "plane_loss": losses(config, plane.at(*xy.T)),
        }))
    return pd.concat(parts, ignore_index=True)


def extent_for(x, y, margin: float = MARGIN) -> tuple[float, float, float, float]:
    """(xmin, xmax, ymin, ymax) holding the points and (0, 0), widened by `margin` of each range on both sides."""
    bounds = []
    for v in (np.append(x, 0.0), np.append(y, 0.0)):
        lo, hi = float(np.min(v)), float(np.max(v))
        pad = margin * (hi - lo) if hi > lo else 1.0
        bounds += [lo - pad, hi + pad]
    return tuple(bounds)


def line(config: TrialConfig, start, end, alphas=ALPHAS) -> pd.DataFrame:
    """The loss at (1 − α)·start + α·end for each α (Goodfellow et al. 2015): columns alpha, loss."""
    a = np.asarray(alphas, dtype=np.float64)
    start, end = np.asarray(start, dtype=np.float64).ravel(), np.asarray(end, dtype=np.float64).ravel()
    return pd.DataFrame({"alpha": a, "loss": losses(config, (1 - a)[:, None] * start + a[:, None] * end)})


def project_points(config: TrialConfig, plane: Plane, points, labels=None, near: float = NEAR) -> pd.DataFrame:
    """Points (m, P) placed on the plane: label, x, y, distance, relative_distance (distance / plane.scale), near
    (relative_distance <= near: mark it on the slice), loss (at the point), plane_loss (at its projection)."""
    points = np.atleast_2d(np.asarray(points, dtype=np.float64))
    xy, distance = plane.coordinates(points)
    relative = distance / plane.scale
    return pd.DataFrame({
        "label": list(labels) if labels is not None else [f"point {k + 1}" for k in range(len(points))],
        "x": xy[:, 0], "y": xy[:, 1], "distance": distance, "relative_distance": relative,
        "near": relative <= near, "loss": losses(config, points), "plane_loss": losses(config, plane.at(*xy.T)),
    })


def train_trajectories(configs, seed: int, every: int = 10, device="cpu") -> dict:
    """Each config (one shape: e.g. the lecture's net with several optimizers) trained from seed `seed`, all in one
    stacked pass, with its parameters every `every` steps: {name: {"steps", "params" (C, P), "table_loss"}}, named
    by optimizer (with the learning rate where two share an optimizer). Configs with one initialisation start from
    the same weights."""
    configs = list(configs)
    runs = train_group([(c, [int(seed)]) for c in configs], device=device, checkpoint_every=every)
    counts = pd.Series([c.optimizer for c in configs]).value_counts()
    out = {}
    for c, r in zip(configs, runs):
        name = c.optimizer if counts[c.optimizer] == 1 else f"{c.optimizer} lr={c.lr:g}"
        out[name] = {"steps": list(r.checkpoints["steps"]), "params": r.checkpoints["params"][0],
                     "table_loss": r.table_loss[0]}
    return out


@dataclass
class Landscape:
    """A slice with the paths on it (`landscape`): tables ready for Altair, and how faithful the picture is."""

    plane: Plane
    centre: str  # "initial", "final" or "given"
    grid: pd.DataFrame  # x, y, loss
    paths: pd.DataFrame  # optimizer, step, x, y, distance, loss, plane_loss
    lines: pd.DataFrame  # optimizer, alpha, loss (from each path's first to its last point)
    extent: tuple  # (xmin, xmax, ymin, ymax)
    captured: float  # the share of the paths' Σ‖θi − θc‖² the plane holds


def landscape(config: TrialConfig, trajectories: dict, centre="auto", n: int = GRID, extent=None,
              margin: float = MARGIN, normalize: bool = False, bias: str = "zero", alphas=ALPHAS) -> Landscape:
    """The slice through the PCA plane of `trajectories` (as `train_trajectories` returns them) with the paths on it,
    and each path's straight line. `centre`: "initial" (the first trajectory's first point), "final" (its last),
    "auto" (final for one trajectory, initial for several) or a parameter vector."""
    check_config(config)
    first = np.asarray(next(iter(trajectories.values()))["params"], dtype=np.float64)
    if isinstance(centre, str):
        name = {"auto": "final" if len(trajectories) == 1 else "initial"}.get(centre, centre)
        if name not in ("initial", "final"):
            raise ValueError(f"centre must be auto, initial, final or a parameter vector (got {centre!r})")
        theta_c = first[0] if name == "initial" else first[-1]
    else:
        name, theta_c = "given", np.asarray(centre, dtype=np.float64).ravel()
    points = np.concatenate([np.asarray(p["params"], dtype=np.float64) for p in trajectories.values()])
    plane = pca_plane(points, theta_c, normalize=normalize, config=config, bias=bias)
    path_frame = paths(config, plane, trajectories)
    extent = tuple(extent) if extent is not None else extent_for(path_frame["x"], path_frame["y"], margin)
    lines = pd.concat([line(config, p["params"][0], p["params"][-1], alphas).assign(optimizer=k)
                       for k, p in trajectories.items()], ignore_index=True)[["optimizer", "alpha", "loss"]]
    return Landscape(plane, name, grid(config, plane, extent, n), path_frame, lines, extent, plane.captured(points))

"""Dauphin et al. (2014): saddle points, their index, and the saddle-free Newton step.

**The toy saddle** f(x, y) = 5x² − y² (their Figure): gradient (10x, −2y), Hessian diag(10, −2). Newton's step
−H⁻¹g lands on the saddle (0, 0) in one step from anywhere; the saddle-free Newton step −|H|⁻¹g (eigenvalues replaced
by their absolute values) sends x to 0 and doubles y each step: it escapes. `newton_paths` gives both paths.

**Critical points and their index** (`search`): from a start, Levenberg–Marquardt steps on the gradient,
θ ← θ − (H² + μI)⁻¹ H g, minimise ½‖g‖² in float64 and so converge to critical points of any index, not only
minima. A search ends at a critical point when ‖g‖ ≤ GRAD_TEST (stated before measuring); it ends in a
"gradient-flat" region (Frye et al. 2021) when it fails that test but ‖H g‖ ≤ FLAT_TEST · ‖g‖ (the gradient lies in
H's near-kernel: ½‖g‖² no longer decreases); otherwise it did not converge within its iterations. The index is the
share of Hessian eigenvalues below −EIG_TEST.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import func as tfunc

GRAD_TEST = 1e-8  # ‖g‖ of a critical point (float64)
FLAT_TEST = 1e-3  # ‖H g‖ / ‖g‖ of a gradient-flat ending
EIG_TEST = 1e-6  # |λ| below which an eigenvalue counts as zero for the index


# ---- the toy saddle ------------------------------------------------------------------------------------------------
TOY_H = np.diag([10.0, -2.0])


def toy_value(p) -> float:
    x, y = p
    return 5.0 * x * x - y * y


def toy_step(p, saddle_free: bool) -> np.ndarray:
    """One (saddle-free) Newton step on 5x² − y², computed from the eigen-decomposition of its Hessian."""
    g = TOY_H @ np.asarray(p, dtype=np.float64)
    lam, v = np.linalg.eigh(TOY_H)
    lam = np.abs(lam) if saddle_free else lam
    return np.asarray(p, dtype=np.float64) - v @ ((v.T @ g) / lam)


def newton_paths(start, steps: int) -> dict[str, np.ndarray]:
    """{"newton": (steps + 1, 2), "saddle-free newton": (steps + 1, 2)} points from `start`."""
    paths = {}
    for name, free in (("newton", False), ("saddle-free newton", True)):
        p = [np.asarray(start, dtype=np.float64)]
        for _ in range(steps):
            p.append(toy_step(p[-1], free))
        paths[name] = np.array(p)
    return paths


# ---- critical points of a net's loss --------------------------------------------------------------------------------
def search(loss_fn, start, iterations: int = 200, damping: float = 1e-6) -> dict:
    """A Levenberg–Marquardt search for a critical point of `loss_fn` (a function of a flat float64 tensor) from
    `start`: {"ending": "critical" | "gradient-flat" | "not converged", "loss", "grad_norm", "index", "params"}."""
    p = torch.as_tensor(np.asarray(start, dtype=np.float64)).clone()
    grad_fn, hess_fn = tfunc.grad(loss_fn), tfunc.jacrev(tfunc.grad(loss_fn))
    mu = damping
    g = grad_fn(p)
    for _ in range(iterations):
        if float(g.norm()) <= GRAD_TEST:
            break
        h = hess_fn(p)
        h = 0.5 * (h + h.T)
        hg = h @ g
        step = torch.linalg.solve(h @ h + mu * torch.eye(len(p), dtype=p.dtype), hg)
        q = p - step
        gq = grad_fn(q)
        if torch.isfinite(gq).all() and float(gq.norm()) < float(g.norm()):
            p, g, mu = q, gq, max(mu / 10, 1e-12)
        else:
            mu *= 10
            if mu > 1e6:
                break
    h = hess_fn(p)
    h = 0.5 * (h + h.T)
    lam = torch.linalg.eigvalsh(h).numpy()
    gn = float(g.norm())
    if gn <= GRAD_TEST:
        ending = "critical"
    elif float((h @ g).norm()) <= FLAT_TEST * gn:
        ending = "gradient-flat"
    else:
        ending = "not converged"
    return {"ending": ending, "loss": float(loss_fn(p)), "grad_norm": gn,
            "index": float(np.mean(lam < -EIG_TEST)), "params": p.numpy()}


def spearman_interval(loss, index, resamples: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """Spearman's ρ of (loss, index) over the points, with a percentile bootstrap interval over points."""
    from scipy.stats import spearmanr

    loss, index = np.asarray(loss, dtype=np.float64), np.asarray(index, dtype=np.float64)
    if len(loss) < 3 or np.ptp(loss) == 0 or np.ptp(index) == 0:
        return math.nan, math.nan, math.nan
    rho = float(spearmanr(loss, index).statistic)
    rng = np.random.default_rng(seed)
    boot = []
    for _ in range(resamples):
        pick = rng.integers(0, len(loss), len(loss))
        if np.ptp(loss[pick]) > 0 and np.ptp(index[pick]) > 0:
            boot.append(spearmanr(loss[pick], index[pick]).statistic)
    boot = np.asarray(boot, dtype=np.float64)
    return rho, float(np.quantile(boot, 0.025)), float(np.quantile(boot, 0.975))

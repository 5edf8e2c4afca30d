"""Fukumizu & Amari (2000): plateaus on the singular sets of a layered net.

A net with H hidden units in a layer contains the critical points of smaller nets on two kinds of sets: a unit
eliminated (its outgoing weights 0, leaving its incoming weights free) and two units overlapping (equal incoming
weights and bias, their outgoing weights free to split). `singular_sets` says, for one trial's flat parameters, which
sets it sits near: a unit counts as eliminated when the norm of its outgoing weights is at most REL times the
largest such norm in its layer, and two units as overlapping when the distance between their (incoming weights,
bias) is at most REL times the larger of the two norms. The dimension of the set's free directions is reported
beside it (an eliminated unit frees its fan-in + 1 incoming parameters; an overlap frees one split of the outgoing
weights per next-layer unit), to set against the count of near-zero Hessian eigenvalues.
"""

from __future__ import annotations

import numpy as np

from lab.core import models

REL = 0.1  # relative closeness of "near 0" and "the same"


def singular_sets(sizes, params) -> dict:
    """{"eliminated": units, "overlapping": pairs, "free_dims": dimension of the sets' free directions,
    "singular": whether any}."""
    layers = models.layout(tuple(sizes))
    params = np.asarray(params, dtype=np.float64)
    eliminated = overlapping = free = 0
    for here, after in zip(layers[:-1], layers[1:]):
        w_in = params[here.w].reshape(here.fan_out, here.fan_in)
        fan = np.concatenate([w_in, params[here.b][:, None]], axis=1)
        w_out = params[after.w].reshape(after.fan_out, after.fan_in)
        out_norm = np.linalg.norm(w_out, axis=0)
        for j in range(here.fan_out):
            if out_norm[j] <= REL * out_norm.max():
                eliminated += 1
                free += here.fan_in + 1
        for i in range(here.fan_out):
            for j in range(i + 1, here.fan_out):
                scale = max(np.linalg.norm(fan[i]), np.linalg.norm(fan[j]))
                if np.linalg.norm(fan[i] - fan[j]) <= REL * scale:
                    overlapping += 1
                    free += after.fan_out
    return {"eliminated": eliminated, "overlapping": overlapping, "free_dims": free,
            "singular": bool(eliminated or overlapping)}

"""The papers' claims, fixed before measuring: for each, the paper, the claim in one sentence, the setting, the
statistic, the expected value and the verdict thresholds. `tests/science/test_papers_claims.py` pins this file.

The verdict rule (`verdict`), applied mechanically: a claim **holds** when its measurement lies in `holds` (with the
rule "estimate": the measured value; with the rule "interval": the whole 95 % interval), **holds qualitatively** when
the measured value lies in `qualitatively`, and otherwise **does not hold here** (also when it could not be measured).
Intervals are closed; ±inf leave a side open.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

INF = math.inf

VERDICTS = ("holds", "holds qualitatively", "does not hold here")

PAPERS = {  # id → reference
    "saxe": "Saxe, McClelland & Ganguli (2014), Exact solutions to the nonlinear dynamics of learning in deep linear "
            "neural networks, ICLR (arXiv 1312.6120)",
    "glorot": "Glorot & Bengio (2010), Understanding the difficulty of training deep feedforward neural networks, "
              "AISTATS",
    "dauphin": "Dauphin, Pascanu, Gulcehre, Cho, Ganguli & Bengio (2014), Identifying and attacking the saddle point "
               "problem in high-dimensional non-convex optimization, NeurIPS (arXiv 1406.2572)",
    "fukumizu": "Fukumizu & Amari (2000), Local minima and plateaus in hierarchical structures of multilayer "
                "perceptrons, Neural Networks 13",
    "choi": "Choi, Shallue, Nado, Lee, Maddison & Dahl (2019), On empirical comparisons of optimizers for deep "
            "learning (arXiv 1910.05446)",
    "schmidt": "Schmidt, Schneider & Hennig (2021), Descending through a crowded valley — benchmarking deep learning "
               "optimizers, ICML (arXiv 2007.01547)",
}


@dataclass(frozen=True)
class Claim:
    paper: str
    claim_id: str
    claim: str  # one sentence
    setting: str
    statistic: str
    expected: str
    holds: tuple[float, float]
    qualitatively: tuple[float, float]
    rule: str = "estimate"  # or "interval"


def _saxe_slope(d: int) -> Claim:
    e = -(d - 1)
    return Claim(
        "saxe", f"saxe.slope.d{d}",
        f"From small weights, a deep linear net's plateau grows like σ^−(D−1): slope {e} for D = {d} hidden layers "
        "(from Eq. 15; the paper plots learning time).",
        f"identity activation, width 2, depth {d}, no biases, ±1 inputs, centred AND target, MSE, full-batch gradient "
        "descent lr 0.5, Gaussian init N(0, σ²) on a 5-point log grid over a decade, 10 seeds",
        "fitted log–log slope of plateau length (updates until the loss is halfway to the best linear fit's) against "
        "σ; 95 % bootstrap interval over seeds",
        str(e), (round(e - 0.25 * abs(e), 6), round(e + 0.25 * abs(e), 6)),
        (round(e - 0.6 * abs(e), 6), round(e + 0.6 * abs(e), 6)))


CLAIMS: tuple[Claim, ...] = (
    _saxe_slope(2),
    _saxe_slope(3),
    _saxe_slope(4),
    Claim("saxe", "saxe.orthogonal_vs_gaussian",
          "With orthogonal initialisation the learning time stays about the same as depth grows; with scaled "
          "Gaussian initialisation it grows (Fig. 6A).",
          "identity activation, width 2, depths 1 and 6, no biases, ±1 inputs, centred AND target, MSE, full-batch "
          "gradient descent lr 0.5/(depth + 1) (the optimal lr falls like 1/N_l), orthogonal gain 1 vs N(0, 1/fan_in), "
          "20 seeds",
          "learning time (updates until 99 % of the gap to the best linear fit is closed) at depth 6 over depth 1, "
          "orthogonal (median over seeds); 95 % bootstrap interval; the Gaussian ratio in the note",
          "about 1 (depth-independent)", (0.5, 2.0), (0.25, 4.0)),
    Claim("glorot", "glorot.backprop_ratio.tanh",
          "With the standard initialisation U[−1/√n, 1/√n], back-propagated gradients shrink by about n·Var[W] = 1/3 "
          "per tanh layer towards the input (Eq. 15, Fig. 7).",
          "tanh, width 2, depth 6, PyTorch's default init (the standard one, biases included), AND truth table, "
          "sigmoid output, MSE, at initialisation",
          "ratio of the mean energy ‖∂L/∂s‖² of consecutive hidden layers (lower / upper, geometric mean over "
          "layers); 95 % bootstrap interval over seeds",
          "1/3 ≈ 0.333", (0.7 / 3, 1.43 / 3), (0.0, 1.0)),
    Claim("glorot", "glorot.backprop_ratio.sigmoid",
          "For the sigmoid the per-layer factor is 1/3 times the slope's (1/4)², about 1/48: gradients vanish "
          "towards the input.",
          "sigmoid, width 2, depth 6, PyTorch's default init, AND truth table, sigmoid output, MSE, at "
          "initialisation",
          "as for tanh",
          "1/48 ≈ 0.0208", (0.7 / 48, 1.43 / 48), (0.0, 0.25)),
    Claim("glorot", "glorot.normalized_init.sigmoid.d5",
          "The normalised initialisation U[±√6/√(n_j + n_{j+1})] trains deep sigmoid nets better than the standard "
          "one (Table 1).",
          "the lecture's AND net (minibatches of 5, MSE, Adam lr 0.1, 1,000 steps), sigmoid, depth 5, width 2, "
          "xavier vs pytorch init",
          "success rate (xavier) − success rate (pytorch); Newcombe 95 % interval",
          "> 0", (0.0, INF), (1e-12, INF), "interval"),
    Claim("glorot", "glorot.top_layer_saturation",
          "A deep sigmoid net's top hidden layer saturates at 0 early in training (Fig. 2).",
          "the lecture's AND net trained with SGD lr 1 (minibatches of 5, MSE, 1,000 steps), sigmoid, depth 4, "
          "width 2, PyTorch's default init",
          "share of seeds whose top hidden layer's mean activation on the truth table falls below 0.1 within the "
          "first 200 steps; Wilson 95 % interval",
          "most seeds (≥ 0.5)", (0.5, 1.0), (0.1, 1.0)),
    Claim("dauphin", "dauphin.error_vs_index",
          "The loss of a critical point grows with its index (the share of negative Hessian eigenvalues): "
          "high-error critical points are saddles.",
          "the lecture's 2-2-1 sigmoid net on XOR, MSE on the truth table, Levenberg–Marquardt searches on ‖g‖ in "
          "float64 from PyTorch-init starts scaled by 1, 3 and 10; a point counts if ‖g‖ ≤ 1e-8",
          "Spearman ρ between loss and index over the distinct critical points found; 95 % bootstrap interval",
          "> 0 (monotone increasing)", (0.5, 1.0), (1e-12, 1.0)),
    Claim("dauphin", "dauphin.saddle_free_newton",
          "On the toy saddle 5x² − y², Newton's method is drawn into the saddle while the saddle-free Newton step "
          "−|H|⁻¹g escapes it.",
          "start (1, 0.01), 5 full steps of each",
          "f(saddle-free Newton's end) − f(Newton's end)",
          "< 0", (-INF, -1e-6), (-INF, 0.0)),
    Claim("fukumizu", "fukumizu.singular_stalls",
          "Plateaus of layered nets sit on singular sets: a hidden unit eliminated (outgoing weights 0) or two "
          "units overlapping (the same incoming weights).",
          "the lecture's AND net (minibatches of 5, MSE, Adam lr 0.1, 1,000 steps), sigmoid, depth 3, width 2; "
          "the midpoint of each stalled seed's longest stall (at most 40); near = within 10 % (relative)",
          "share of stalls on a singular set; Wilson 95 % interval; near-zero Hessian eigenvalues in the note",
          "most stalls (≥ 0.5)", (0.5, 1.0), (0.2, 1.0)),
    Claim("choi", "choi.rmsprop_contains_momentum",
          "A more general optimizer contains its special case: RMSprop with ε huge and lr = η·ε is SGD with "
          "momentum.",
          "the lecture's 2-2-1 sigmoid net on AND, full truth table, float64, 1,000 steps, η 0.5, μ 0.9, "
          "ε 1e12, seed 0: torch.optim.RMSprop vs torch.optim.SGD",
          "max |Δθ| over the 1,000 steps",
          "0 (to rounding)", (0.0, 1e-9), (0.0, 1e-4)),
    *(Claim("choi", f"choi.adam_eps_vs_momentum.{name}",
            "Adam tuned with ε in its grid is never worse than momentum tuned alike (it contains momentum).",
            f"the lecture's net on {task} (minibatches of 5, MSE, 1,000 steps): Adam over 12 (ε, lr) pairs, ε in "
            "{default, 0.01, 1, 100} with 3 learning rates each, vs Momentum over 12 (μ, lr) pairs, μ in {0.5, 0.9, "
            "0.99} × lr in {0.03, 0.1, 0.3, 1}; best chosen on seeds 0…N−1, reported on N…2N−1",
            "success rate (tuned Adam) − success rate (tuned Momentum) on the fresh seeds; Newcombe 95 % interval",
            "≥ 0 (never worse)", (-0.05, 1.0), (-0.15, 1.0))
      for name, task in (("xor", "XOR"), ("and_d3", "AND at depth 3"))),
    Claim("schmidt", "schmidt.defaults_vs_tuned.xor",
          "Trying several optimizers at their defaults works about as well as tuning one.",
          "the lecture's net on XOR (minibatches of 5, MSE, 1,000 steps): the 6 lecture optimizers at their "
          "defaults vs Adam over 6 learning rates (0.003 … 1); best chosen on seeds 0…N−1, reported on N…2N−1",
          "success rate (best default) − success rate (tuned Adam) on the fresh seeds; Newcombe 95 % interval",
          "about 0", (-0.1, 0.1), (-0.2, 0.2), "interval"),
    Claim("schmidt", "schmidt.defaults_vs_tuned.and_d3",
          "Trying several optimizers at their defaults works about as well as tuning one.",
          "as for XOR, on AND at depth 3",
          "as for XOR",
          "about 0", (-0.1, 0.1), (-0.2, 0.2), "interval"),
)

BY_ID = {c.claim_id: c for c in CLAIMS}


def _inside(value: float, bounds: tuple[float, float]) -> bool:
    return math.isfinite(value) and bounds[0] <= value <= bounds[1]


def verdict(claim: Claim, measured: float, ci_lo: float = math.nan, ci_hi: float = math.nan) -> str:
    """The claim's verdict on a measurement, by its thresholds (see the module's docstring)."""
    if claim.rule == "interval":
        holds = _inside(ci_lo, claim.holds) and _inside(ci_hi, claim.holds) and _inside(measured, claim.holds)
    else:
        holds = _inside(measured, claim.holds)
    if holds:
        return VERDICTS[0]
    if _inside(measured, claim.qualitatively):
        return VERDICTS[1]
    return VERDICTS[2]

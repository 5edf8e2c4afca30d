"""The claims table: each paper's claims (lab.science.papers.claims) measured on the lecture's nets, with the
verdict their thresholds give.

Where the lab's engine trains the lecture's nets (Glorot's success by depth, Fukumizu's stalls, Schmidt's optimizer
comparison) the trials are exact and go through the result store (`lab.compute.sweep.run_configs`: only what it
lacks is trained). Each paper's rows and the tables its figure is drawn from are then kept with one stored entry, the
anchor (`ANCHOR`: the lecture's net at depth 5, Glorot's standard-initialisation arm, trained with every run), as a
derived file named after the paper, the number of seeds and the claims file's digest: a second run, and the
dashboard's Papers page, read them back; a changed claim is measured afresh. Deep linear nets (Saxe), gradients at
initialisation (Glorot's ratios), critical-point searches (Dauphin) and the optimizer identity (Choi's first claim)
are computed here in float64 outside the engine (the deep linear dynamics are checked against a plain nn.Linear loop
in the tests).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from lab.core.config import TrialConfig
from lab.core.optimizers import LECTURE_OPTIMIZERS
from lab.science.analysis import wilson_interval
from lab.science.papers import published
from lab.science.papers.claims import BY_ID, CLAIMS, PAPERS, verdict
from lab.storage import derived
from lab.storage.store import Store

COLUMNS = ("paper", "claim_id", "claim", "setting", "expected", "measured", "ci_lo", "ci_hi", "n", "verdict", "note")
CSV_COLUMNS = COLUMNS[:-1]
DEFAULT_SEEDS = 100

ANCHOR = TrialConfig(depth=5)  # Glorot's standard-initialisation arm at depth 5: where the table is kept

SAXE_SEEDS, SAXE_LR, SAXE_MAX_STEPS = 10, 0.5, 100_000
SAXE_GRIDS = {2: (0.01, 0.1), 3: (0.02, 0.2), 4: (0.04, 0.4)}  # σ from lo to hi, 5 points in log scale
SAXE_DEPTH_SEEDS, SAXE_DEPTHS, SAXE_DEPTH_LEFT, SAXE_DEPTH_MAX = 20, (1, 2, 3, 4, 5, 6), 0.01, 20_000
GLOROT_DEPTHS = (1, 2, 3, 4, 5)
DAUPHIN_NETS, DAUPHIN_SEARCHES, DAUPHIN_SCALES = ((2, "xor"), (3, "xor")), 60, (1.0, 2.0, 4.0)
FUKUMIZU_MAX_STALLS = 40
TUNED_LRS = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
TUNING_TASKS = (("xor", TrialConfig(task="xor")), ("and_d3", TrialConfig(depth=3)))
ADAM_GRID = ((None, (0.01, 0.1, 1.0)), (0.01, (0.001, 0.01, 0.1)), (1.0, (0.1, 1.0, 10.0)), (100.0, (1.0, 10.0, 100.0)))
MOMENTA, MOMENTUM_LRS = (0.5, 0.9, 0.99), (0.03, 0.1, 0.3, 1.0)


def claims_digest() -> str:
    """A short hash of the claims file's text: results kept under another digest are not read back."""
    return published.claims_digest()


def provenance(n_seeds: int) -> dict:
    """What `about.json` of a publish says: when, on which machine, at which commit of the lab, with which PyTorch."""
    import datetime
    import os
    import platform
    import subprocess

    import torch

    root = Path(__file__).resolve().parents[2]
    git = lambda *a: subprocess.run(["git", "-C", str(root), *a], capture_output=True, text=True).stdout.strip()  # noqa: E731
    return {"date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
            "commit": git("rev-parse", "--short=12", "HEAD") or "unknown",
            "uncommitted_changes": bool(git("status", "--porcelain", "--untracked-files=no")),
            "torch": torch.__version__, "python": platform.python_version(),
            "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, PyTorch's CPU kernels "
                       f"{torch.backends.cpu.get_cpu_capability()}",
            "seeds": n_seeds, "claims_digest": claims_digest(), "command": published.REPUBLISH}


def row(claim_id: str, measured: float, ci_lo: float, ci_hi: float, n: int, note: str = "") -> dict:
    c = BY_ID[claim_id]
    return {"paper": c.paper, "claim_id": c.claim_id, "claim": c.claim, "setting": c.setting, "expected": c.expected,
            "measured": float(measured), "ci_lo": float(ci_lo), "ci_hi": float(ci_hi), "n": int(n),
            "verdict": verdict(c, measured, ci_lo, ci_hi), "note": note}


def _median_ratio(a: np.ndarray, b: np.ndarray, resamples: int = 2000) -> tuple[float, float, float]:
    """median(a) / median(b) with a bootstrap interval, seeds (paired rows) resampled."""
    rng = np.random.default_rng(0)
    n = len(a)
    ratio = lambda i: float(np.nanmedian(a[i]) / np.nanmedian(b[i]))  # noqa: E731
    boot = np.array([ratio(rng.integers(0, n, n)) for _ in range(resamples)])
    return ratio(np.arange(n)), float(np.nanquantile(boot, 0.025)), float(np.nanquantile(boot, 0.975))


# ---- one function per paper: (rows, figure tables) ------------------------------------------------------------------
def saxe(n_seeds: int, store: Store | None, workers: int | None) -> tuple[list, dict]:
    from lab.science.papers import saxe as s

    rows, plateaus, fits = [], [], []
    for depth, (lo, hi) in SAXE_GRIDS.items():
        scales = [float(v) for v in np.geomspace(lo, hi, 5)]
        lengths = s.plateau_lengths(depth, scales, range(SAXE_SEEDS), SAXE_LR, SAXE_MAX_STEPS)
        slope, c_lo, c_hi = s.slope_fit(scales, lengths)
        unfinished = int(np.isnan(lengths).sum())
        for k, scale in enumerate(scales):
            for seed in range(SAXE_SEEDS):
                plateaus.append({"depth": depth, "sigma": scale, "seed": seed, "steps": lengths[seed, k]})
        med = np.nanmedian(lengths, axis=0)
        fits.append({"depth": depth, "slope": slope, "expected": -(depth - 1),
                     "sigma_lo": scales[0], "sigma_hi": scales[-1],
                     "at_lo": float(np.exp(np.mean(np.log(med)) - slope * (np.mean(np.log(scales)) - np.log(lo)))),
                     "expected_at_lo": float(np.exp(np.mean(np.log(med)) + (depth - 1) *
                                                    (np.mean(np.log(scales)) - np.log(lo))))})
        rows.append(row(f"saxe.slope.d{depth}", slope, c_lo, c_hi, SAXE_SEEDS,
                        f"{SAXE_SEEDS} seeds × σ {lo:g}…{hi:g}; plateaus {np.nanmin(lengths):.0f}…"
                        f"{np.nanmax(lengths):.0f} updates; {unfinished} not ended within {SAXE_MAX_STEPS:,}"))
    times = {}
    depth_rows = []
    for init in ("orthogonal", "gaussian"):
        for depth in SAXE_DEPTHS:
            t = s.plateau_lengths(depth, [None], range(SAXE_DEPTH_SEEDS), 0.5 / (depth + 1), SAXE_DEPTH_MAX, init,
                                  left=SAXE_DEPTH_LEFT)[:, 0]
            times[(init, depth)] = t
            depth_rows += [{"init": init, "depth": depth, "seed": k, "steps": v} for k, v in enumerate(t)]
    first, last = SAXE_DEPTHS[0], SAXE_DEPTHS[-1]
    o = _median_ratio(times[("orthogonal", last)], times[("orthogonal", first)])
    g = _median_ratio(times[("gaussian", last)], times[("gaussian", first)])
    unfinished = sum(int(np.isnan(v).sum()) for v in times.values())
    rows.append(row("saxe.orthogonal_vs_gaussian", o[0], o[1], o[2], SAXE_DEPTH_SEEDS,
                    f"scaled Gaussian: depth {last} over depth {first} = {g[0]:.2f} (95 % {g[1]:.2f}…{g[2]:.2f}); "
                    f"{unfinished} runs not done within {SAXE_DEPTH_MAX:,} updates"))
    return rows, {"plateaus": pd.DataFrame(plateaus), "fits": pd.DataFrame(fits),
                  "depth_time": pd.DataFrame(depth_rows)}


def glorot(n_seeds: int, store: Store | None, workers: int | None) -> tuple[list, dict]:
    from lab.compute.sweep import run_configs
    from lab.core.engine import train
    from lab.science.papers import glorot as g
    from lab.science.proportions import newcombe_interval

    rows, energy, ratios = [], [], {}
    for activation in ("tanh", "sigmoid"):
        for init in ("pytorch", "xavier"):
            e = g.preactivation_energies(TrialConfig(activation=activation, depth=6, init=init), range(n_seeds))
            energy += [{"activation": activation, "init": init, "layer": k + 1, "energy": float(v)}
                       for k, v in enumerate(e.mean(axis=0))]
            ratios[(activation, init)] = g.ratio_interval(e)
    for activation, expect in (("tanh", "1/3"), ("sigmoid", "1/48")):
        ratio, lo, hi = ratios[(activation, "pytorch")]
        rows.append(row(f"glorot.backprop_ratio.{activation}", ratio, lo, hi, n_seeds,
                        f"the analysis: {expect}; with the normalised (xavier) init "
                        f"{ratios[(activation, 'xavier')][0]:.3g}"))
    configs = [TrialConfig(depth=d, init=i) for d in GLOROT_DEPTHS for i in ("pytorch", "xavier")]
    runs = dict(zip(configs, run_configs(configs, range(n_seeds), store, workers)))
    success = []
    for config, r in runs.items():
        k = int(r.solved.sum())
        lo, hi = wilson_interval(k, len(r.seeds))
        success.append({"init": config.init, "depth": config.depth, "success": k / len(r.seeds), "lo": lo, "hi": hi,
                        "n": len(r.seeds)})
    xa, st = runs[TrialConfig(depth=5, init="xavier")], runs[TrialConfig(depth=5)]
    d, lo, hi = newcombe_interval(int(xa.solved.sum()), n_seeds, int(st.solved.sum()), n_seeds)
    rows.append(row("glorot.normalized_init.sigmoid.d5", d, lo, hi, n_seeds,
                    f"solved {int(xa.solved.sum())}/{n_seeds} (xavier) vs {int(st.solved.sum())}/{n_seeds} (pytorch)"))
    traced = train(TrialConfig(depth=4, optimizer="sgd"), list(range(n_seeds)), trace=True)
    hit = g.top_layer_saturates(traced.activation_mean, within=200, below=0.1)
    lo, hi = wilson_interval(int(hit.sum()), n_seeds)
    top = traced.activation_mean[:, :, -1]
    rows.append(row("glorot.top_layer_saturation", float(hit.mean()), lo, hi, n_seeds,
                    f"{int(hit.sum())}/{n_seeds} seeds; median over seeds of the top layer's lowest mean activation "
                    f"in the first 200 steps {float(np.median(top[:, :200].min(axis=1))):.3f}"))
    curve = pd.DataFrame({"step": np.arange(top.shape[1]), "median": np.median(top, axis=0),
                          "q25": np.quantile(top, 0.25, axis=0), "q75": np.quantile(top, 0.75, axis=0)})
    return rows, {"energy": pd.DataFrame(energy), "success": pd.DataFrame(success), "top_layer": curve.iloc[::5]}


def dauphin(n_seeds: int, store: Store | None, workers: int | None) -> tuple[list, dict]:
    from lab.core import models
    from lab.science import diagnostics
    from lab.science.papers import dauphin as dp

    c = BY_ID["dauphin.saddle_free_newton"]
    paths = dp.newton_paths((1.0, 0.01), 5)
    ends = {name: dp.toy_value(p[-1]) for name, p in paths.items()}
    measured = ends["saddle-free newton"] - ends["newton"]
    rows = []
    points, endings = [], {}
    for width, task in DAUPHIN_NETS:
        config = TrialConfig(task=task, width=width)
        loss_fn = diagnostics.table_loss_function(config)
        count = models.param_count(config.layer_sizes)
        for k in range(DAUPHIN_SEARCHES):
            start = np.random.default_rng(k).normal(0.0, DAUPHIN_SCALES[k % len(DAUPHIN_SCALES)], count)
            found = dp.search(loss_fn, start, iterations=100)
            endings[found["ending"]] = endings.get(found["ending"], 0) + 1
            points.append({"net": f"2-{width}-1 {task}", "loss": round(found["loss"], 6), "index": found["index"],
                           "grad_norm": found["grad_norm"], "ending": found["ending"]})
    table = pd.DataFrame(points)
    crit = table[table["ending"] == "critical"]
    rho, lo, hi = dp.spearman_interval(crit["loss"], crit["index"])
    searches = DAUPHIN_SEARCHES * len(DAUPHIN_NETS)
    rows.append(row("dauphin.error_vs_index", rho, lo, hi, len(crit),
                    f"{searches} searches: {endings.get('critical', 0)} critical (‖g‖ ≤ {dp.GRAD_TEST:g}), "
                    f"{endings.get('gradient-flat', 0)} gradient-flat (‖Hg‖ ≤ {dp.FLAT_TEST:g}‖g‖), "
                    f"{endings.get('not converged', 0)} not converged; distinct losses among critical points: "
                    f"{crit['loss'].nunique()}"))
    rows.append(row(c.claim_id, measured, math.nan, math.nan, 1,
                    f"Newton ends at f = {ends['newton']:.3g} (the saddle), saddle-free Newton at "
                    f"{ends['saddle-free newton']:.3g}"))
    toy = pd.DataFrame([{"method": name, "step": k, "x": p[0], "y": p[1]} for name, path in paths.items()
                        for k, p in enumerate(path)])
    return rows, {"points": table, "toy": toy}


def fukumizu(n_seeds: int, store: Store | None, workers: int | None) -> tuple[list, dict]:
    from lab.compute.sweep import run_configs
    from lab.science import diagnostics
    from lab.science.papers import fukumizu as fk
    from lab.science.stalls import EIG_TOL, stalls

    config = TrialConfig(depth=3)
    runs = run_configs([config], range(n_seeds), store, workers)[0]
    table = stalls(runs)
    table = table[table["stall_count"] > 0].head(FUKUMIZU_MAX_STALLS)
    found = []
    for seed, mid in zip(table["seed"], table["longest_mid"]):
        params = diagnostics.params_at(config, int(seed), int(mid))
        sets = fk.singular_sets(config.layer_sizes, params)
        hess, _ = diagnostics.hessian(config, params)
        flat = int((np.abs(np.linalg.eigvalsh(hess)) <= EIG_TOL).sum())
        found.append({"seed": int(seed), "step": int(mid), **sets, "near_zero": flat})
    frame = pd.DataFrame(found, columns=["seed", "step", "eliminated", "overlapping", "free_dims", "singular",
                                         "near_zero"])
    k, n = int(frame["singular"].sum()), len(frame)
    lo, hi = wilson_interval(k, n)
    on = frame[frame["singular"]]
    rows = [row("fukumizu.singular_stalls", k / n if n else math.nan, lo, hi, n,
                f"{n} stalled seeds of {n_seeds}; {int((frame['eliminated'] > 0).sum())} with a unit eliminated, "
                f"{int((frame['overlapping'] > 0).sum())} with two overlapping; near-zero Hessian eigenvalues "
                f"(|λ| ≤ {EIG_TOL:g}) median {frame['near_zero'].median() if n else math.nan:g} of "
                f"{runs.params.shape[1]}, against the sets' free directions median "
                f"{on['free_dims'].median() if len(on) else math.nan:g}")]
    return rows, {"stalls": frame}


def choi(n_seeds: int, store: Store | None, workers: int | None) -> tuple[list, dict]:
    from lab.compute.sweep import run_configs
    from lab.science.papers import choi as ch
    from lab.science.papers import schmidt as sc

    gap = ch.inclusion_gap(TrialConfig(), 0, lr=0.5, momentum=0.9, eps=1e12, steps=1000)
    rows = [row("choi.rmsprop_contains_momentum", gap["rmsprop_vs_sgd"], math.nan, math.nan, 1,
                f"the parameters moved up to {gap['moved']:.3g}; torch.optim.SGD vs the update written out: "
                f"{gap['sgd_vs_plain']:.3g}")]
    settings = []
    pick, report = list(range(n_seeds)), list(range(n_seeds, 2 * n_seeds))
    first, second = slice(0, n_seeds), slice(n_seeds, 2 * n_seeds)
    for name, base in TUNING_TASKS:
        adam = {f"adam ε {'default' if eps is None else f'{eps:g}'} lr {lr:g}":
                base.replace(optimizer="adam", lr=lr, eps=eps) for eps, lrs in ADAM_GRID for lr in lrs}
        momentum = {f"momentum μ {mu:g} lr {lr:g}": base.replace(optimizer="momentum", lr=lr, momentum=mu)
                    for mu in MOMENTA for lr in MOMENTUM_LRS}
        configs = list(dict.fromkeys([*adam.values(), *momentum.values()]))
        runs = dict(zip(configs, run_configs(configs, pick + report, store, workers)))
        solved = {label: runs[c].solved for side in (adam, momentum) for label, c in side.items()}
        out = sc.defaults_vs_tuned(*(_part(solved, side, seeds) for side, seeds in
                                     ((adam, first), (adam, second), (momentum, first), (momentum, second))))
        rows.append(row(f"choi.adam_eps_vs_momentum.{name}", out["measured"], out["ci_lo"], out["ci_hi"], out["n"],
                        f"tuned Adam: {out['default']} ({out['default_rate']:.2f} on fresh seeds); tuned Momentum: "
                        f"{out['tuned']} ({out['tuned_rate']:.2f})"))
        for side, labels in (("adam", adam), ("momentum", momentum)):
            settings += [{"task": name, "side": side, "setting": label, "pick": float(solved[label][first].mean()),
                          "report": float(solved[label][second].mean())} for label in labels]
    return rows, {"gap": pd.DataFrame([gap]), "settings": pd.DataFrame(settings)}


def schmidt(n_seeds: int, store: Store | None, workers: int | None) -> tuple[list, dict]:
    from lab.compute.sweep import run_configs
    from lab.science.papers import schmidt as sc

    rows, settings = [], []
    pick, report = list(range(n_seeds)), list(range(n_seeds, 2 * n_seeds))
    for name, base in TUNING_TASKS:
        defaults = {o: base.replace(optimizer=o) for o in LECTURE_OPTIMIZERS}
        tuned = {f"adam lr {lr:g}": base.replace(optimizer="adam", lr=lr) for lr in TUNED_LRS}
        configs = list(dict.fromkeys([*defaults.values(), *tuned.values()]))
        runs = dict(zip(configs, run_configs(configs, pick + report, store, workers)))
        solved = {label: runs[c].solved for side in (defaults, tuned) for label, c in side.items()}
        first, second = slice(0, n_seeds), slice(n_seeds, 2 * n_seeds)
        out = sc.defaults_vs_tuned(*(_part(solved, side, seeds) for side, seeds in
                                     ((defaults, first), (defaults, second), (tuned, first), (tuned, second))))
        rows.append(row(f"schmidt.defaults_vs_tuned.{name}", out["measured"], out["ci_lo"], out["ci_hi"], out["n"],
                        f"best default: {out['default']} ({out['default_rate']:.2f} on fresh seeds); tuned: "
                        f"{out['tuned']} ({out['tuned_rate']:.2f})"))
        for side, labels in (("defaults", defaults), ("tuned", tuned)):
            for label in labels:
                settings.append({"task": name, "side": side, "setting": label,
                                 "pick": float(solved[label][first].mean()),
                                 "report": float(solved[label][second].mean())})
    return rows, {"settings": pd.DataFrame(settings)}


def _part(solved: dict, side: dict, seeds: slice) -> dict:
    return {label: solved[label][seeds] for label in side}


MEASURES: dict[str, Callable] = {"saxe": saxe, "glorot": glorot, "dauphin": dauphin, "fukumizu": fukumizu,
                                 "choi": choi, "schmidt": schmidt}
assert tuple(MEASURES) == tuple(PAPERS) and {c.paper for c in CLAIMS} == set(PAPERS)


# ---- kept with the anchor entry -------------------------------------------------------------------------------------
def kept_name(paper: str, n_seeds: int) -> str:
    return derived.frames_name("papers", paper, n_seeds, claims_digest())


def stored(store: Store, paper: str, n_seeds: int) -> dict | None:
    """The rows ("claims") and figure tables of one paper kept in `store` for `n_seeds`, or None."""
    found = derived.stored_tables(store, ANCHOR, kept_name(paper, n_seeds))
    return found if found is not None and "claims" in found else None


def measure(paper: str, n_seeds: int, store: Store, workers: int | None = None) -> dict:
    """One paper's rows and figure tables: read back from `store`, else measured and kept there."""
    found = stored(store, paper, n_seeds)
    if found is not None:
        return found
    from lab.compute.sweep import run_configs

    run_configs([ANCHOR], range(n_seeds), store, workers)  # the entry the results are kept with
    rows, tables = MEASURES[paper](n_seeds, store, workers)
    found = {"claims": pd.DataFrame(rows, columns=list(COLUMNS)), **tables}
    derived.save_tables(store, ANCHOR, kept_name(paper, n_seeds), found)
    return found


def claims_table(papers, n_seeds: int, store: Store, workers: int | None = None,
                 progress: Callable[[str, float, bool], None] | None = None) -> tuple[pd.DataFrame, dict]:
    """(the claims table of `papers`, their figure tables by paper); `progress(paper, seconds, read_back)` after
    each."""
    frames, figures = [], {}
    for paper in papers:
        start = time.perf_counter()
        was = stored(store, paper, n_seeds) is not None
        found = measure(paper, n_seeds, store, workers)
        frames.append(found["claims"])
        figures[paper] = {k: v for k, v in found.items() if k != "claims"}
        if progress is not None:
            progress(paper, time.perf_counter() - start, was)
    return pd.concat(frames, ignore_index=True), figures

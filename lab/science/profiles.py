"""Performance profiles over a sweep: which optimizer is fastest on most problems, and how far behind it is elsewhere.

Dolan, E. D. & Moré, J. J. (2002), "Benchmarking optimization software with performance profiles", Mathematical
Programming 91, 201–213. Here:

- a *solver* s is one optimizer with its settings (optimizer, lr, momentum, beta1, beta2, weight_decay), named as the
  comparison table names it (`lab.core.naming.label`, "Adam (lr 0.1)");
- a *problem* p is every other config setting the table holds (task, depth, activation, steps, ...);
- the *cost* t(p, s) is the median time to solve of s's seeds on p: the Kaplan–Meier median (`survival.median`), the
  first step by which at least half the seeds have solved. The rule for failure: a solver that solves fewer than half
  of its seeds on p has cost +inf there (it fails p). A cost of 0 (half the seeds solved before any update) counts as
  1 step so that every ratio is defined;
- the *ratio* r(p, s) = t(p, s) / min over solvers of t(p, s): 1 for the fastest solver of p, +inf where s fails
  (and for every solver on a problem that all of them fail);
- the *profile* rho_s(tau) = (number of problems with r(p, s) <= tau) / (number of problems): rho_s(1) is the share of
  problems on which s is fastest (ties count for each), and rho_s(tau) for large tau the share it solves at all.

Only problems on which every solver of the table was run count (a profile compares solvers on the same problems).
rho_s is a right-continuous step function of tau jumping at the finite ratios: the tau grid holds every one of these
breakpoints exactly, and `points` log-spaced values from 1 to the largest finite ratio (2 when that is 1).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from lab.core import naming
from lab.science import survival
from lab.science import trials as tt

SOLVER_FIELDS = ("optimizer", "lr", "momentum", "beta1", "beta2", "weight_decay")


def costs(trials: pd.DataFrame) -> pd.DataFrame:
    """One row per problem and solver: problem (the settings that vary between problems, "key=value, ..."; "all" when
    there is one problem), optimizer (the solver's label), n, solved, cost (median steps to solve, inf: fewer than half
    solve), ratio (cost / the problem's best cost)."""
    rows, names = [], {}
    for config, where in tt.config_rows(tt.require(trials)):
        group = trials.iloc[where]
        time, solved, budget = tt.times(group)
        m = survival.median(survival.kaplan_meier(time, solved, budget))[0]
        settings = config.to_dict()
        solver = tuple(settings[name] for name in SOLVER_FIELDS)
        names.setdefault(solver, naming.label(config))
        problem = tuple((name, value) for name, value in settings.items() if name not in SOLVER_FIELDS)
        rows.append({"problem": problem, "optimizer": names[solver], "n": len(time), "solved": int(solved.sum()),
                     "cost": max(m, 1.0) if math.isfinite(m) else math.inf})
    if len(set(names.values())) != len(names):
        raise ValueError("two optimizer settings share one label (they differ in more than optimizer and lr)")
    table = pd.DataFrame(rows, columns=["problem", "optimizer", "n", "solved", "cost"])
    solvers = list(dict.fromkeys(table["optimizer"]))
    complete = table.groupby("problem", sort=False)["optimizer"].transform("nunique") == len(solvers)
    table = table[complete].reset_index(drop=True)
    table["problem"] = _problem_names(table["problem"])
    return with_ratios(table)


def _problem_names(problems: pd.Series) -> list[str]:
    """Each problem by the settings that differ between the problems: "depth=2, activation=tanh"."""
    distinct = list(dict.fromkeys(problems))
    varying = [i for i in range(len(distinct[0]) if distinct else 0) if len({p[i][1] for p in distinct}) > 1]
    if not varying:
        return ["all"] * len(problems)
    return [", ".join(f"{p[i][0]}={p[i][1]}" for i in varying) for p in problems]


def with_ratios(costs: pd.DataFrame) -> pd.DataFrame:
    """The cost table (problem, optimizer, cost) with ratio = cost / the problem's smallest cost (inf where the
    solver fails, or every solver does)."""
    best = costs.groupby("problem", sort=False)["cost"].transform("min")
    cost = costs["cost"].to_numpy(dtype=float)
    ratio = np.full(len(costs), math.inf)
    finite = np.isfinite(cost)
    ratio[finite] = cost[finite] / best.to_numpy(dtype=float)[finite]
    return costs.assign(ratio=ratio)


def profile(costs: pd.DataFrame, points: int = 50) -> pd.DataFrame:
    """optimizer, tau, fraction = rho(tau), from a table of problem, optimizer, cost (as `costs` returns it)."""
    if points < 2:
        raise ValueError("points must be at least 2")
    table = with_ratios(costs)
    n_problems = table["problem"].nunique()
    finite = table["ratio"][np.isfinite(table["ratio"])].to_numpy(dtype=float)
    top = float(finite.max()) if len(finite) else 1.0
    tau = np.unique(np.concatenate([np.geomspace(1.0, top if top > 1 else 2.0, points), finite]))
    frames = []
    for solver, group in table.groupby("optimizer", sort=False):
        ratio = group["ratio"].to_numpy(dtype=float)
        fraction = (ratio[None, :] <= tau[:, None]).sum(axis=1) / n_problems
        frames.append(pd.DataFrame({"optimizer": solver, "tau": tau, "fraction": fraction}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["optimizer", "tau", "fraction"])


def performance_profile(trials: pd.DataFrame, points: int = 50) -> pd.DataFrame:
    """optimizer, tau, fraction: the performance profile of every optimizer setting over the problems of `trials`."""
    return profile(costs(trials), points)

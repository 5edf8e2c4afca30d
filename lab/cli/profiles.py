"""`sweep --profiles`: the performance profiles (Dolan & Moré) of a sweep, written as CSV."""

from __future__ import annotations

import pandas as pd

from lab.cli.flags import write_csv
from lab.core import naming
from lab.core.config import ConfigError, TrialConfig
from lab.science.profiles import SOLVER_FIELDS, performance_profile
from lab.science.trials import summaries


def check_profiles(configs: list[TrialConfig]) -> None:
    """Before a sweep trains: every optimizer setting must have a name of its own (profiles name solvers as the
    comparison table does, by optimizer and learning rate). Raises ConfigError naming --profiles."""
    names: dict[str, tuple] = {}
    for config in configs:
        solver = tuple(getattr(config, name) for name in SOLVER_FIELDS)
        label = naming.label(config)
        if names.setdefault(label, solver) != solver:
            raise ConfigError("profiles", f"two optimizer settings share the name {label!r} (they differ in more than "
                                          "optimizer and learning rate); sweep momentum, betas or weight decay "
                                          "without --profiles")


def profile_table(runs_list) -> pd.DataFrame:
    """optimizer, tau, fraction: the performance profiles (Dolan & Moré) of a sweep's runs."""
    try:
        return performance_profile(summaries(runs_list))
    except ValueError as e:
        raise ConfigError("profiles", str(e)) from None


def write_profiles(runs_list, path: str) -> None:
    write_csv("profiles", profile_table(runs_list), path, bom=True)

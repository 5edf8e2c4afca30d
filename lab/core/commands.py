"""The command that computes a trial with the lab: `python -m lab run` with the flags naming a config and seed (the
header of an exported script says it)."""

from __future__ import annotations

from lab.core.config import FIELD_NAMES, TrialConfig

FLAG_NAMES = {"loss_fn": "--loss", "output": "--output-activation"}  # fields whose flag is not --field-name


def lab_command(config: TrialConfig, seed: int) -> str:
    """How the lab computes the same trial: `python -m lab run ...`, or in Python where `run` has no flag for a
    setting (cross-validation folds)."""
    if config.folds is not None:
        call = f"lab.core.engine.train(lab.core.config.TrialConfig.from_dict(config), [{int(seed)}])"
        return f"{call}  (no `run` flags for folds)"
    return " ".join(["python -m lab run", *run_flags(config, seed)])


def run_flags(config: TrialConfig, seed: int) -> list[str]:
    """The `python -m lab run` flags naming this config and seed: the settings that differ from what the lab would
    choose by itself (the optimizer's own defaults, the data defaults) are given."""
    chosen = (
        "lr",
        "momentum",
        "beta1",
        "beta2",
        "weight_decay",
        "noise",
        "label_flip",
        "n_val",
        "n_test",
        "data_seed",
        "eval_every",
    )
    given = {name: getattr(config, name) for name in FIELD_NAMES if name not in chosen}
    resolved = TrialConfig(**given)  # what the lab picks for the others
    default = TrialConfig()
    flags = []
    for name in FIELD_NAMES:
        value = getattr(config, name)
        if name == "full_batch":
            flags += ["--full-batch"] if value else []
        elif name == "bias":
            flags += [] if value else ["--no-bias"]
        elif name == "batch_size" and config.full_batch:
            continue
        elif value is not None and value != getattr(resolved if name in chosen else default, name):
            flags += [
                FLAG_NAMES.get(name, "--" + name.replace("_", "-")),
                repr(value) if isinstance(value, float) else str(value),
            ]
    return flags + ["--seed-list", str(int(seed))]

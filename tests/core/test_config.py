"""TrialConfig: validation, canonical form, finite data settings and the cache key (replace(), from_dict() and
parse_seeds(): test_config_input.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lab.core.config import FIELD_NAMES, LATER_FIELDS, SCHEMA_VERSION, ConfigError, TrialConfig

ROOT = Path(__file__).resolve().parents[2]
OPTIMIZER_SETTINGS = ("lr", "momentum", "beta1", "beta2", "weight_decay")


def config_error(**fields) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        TrialConfig(**fields)
    return info.value


# ---- validation ----------------------------------------------------------------------------------------------------
BAD_VALUES = [
    ("task", "nor"), ("task", None), ("task", 1),
    ("encoding", "binary"),
    ("activation", "gelu"),
    ("init", "he"),
    ("loss_fn", "hinge"),
    ("optimizer", "lbfgs"), ("optimizer", ""),
    ("full_batch", "maybe"), ("full_batch", None),
    ("batch_size", 0), ("batch_size", 10_001), ("batch_size", 2.5), ("batch_size", True), ("batch_size", "five"),
    ("batch_size", None),
    ("depth", 0), ("depth", 17), ("depth", -1),
    ("width", 0), ("width", 257),
    ("steps", 0), ("steps", 100_001),
    ("lr", 0), ("lr", -0.1), ("lr", 100.5), ("lr", float("nan")), ("lr", float("inf")), ("lr", "fast"), ("lr", True),
    ("weight_decay", -0.01), ("weight_decay", 10.5), ("weight_decay", float("nan")),
    ("init", "kaiming"), ("init_scale", 0), ("init_scale", -1.0), ("init_scale", 1e-7), ("init_scale", 101),
    ("init_scale", float("nan")), ("init_scale", "big"), ("init_scale", True),
    ("bias", "maybe"), ("bias", None),
    ("eps", 0), ("eps", -1e-8), ("eps", 2e6), ("eps", float("nan")), ("eps", "tiny"),
    ("encoding", "pm2"), ("output", "softmax"), ("output", None),
]


@pytest.mark.parametrize(("field", "value"), BAD_VALUES, ids=[f"{f}={v!r}" for f, v in BAD_VALUES])
def test_bad_values_raise_a_one_line_error_naming_the_field(field, value):
    error = config_error(**{field: value})
    assert isinstance(error, ValueError)
    assert error.field == field
    message = str(error)
    assert message.startswith(f"{field}: ")
    assert "\n" not in message and message.strip() == message
    assert error.reason and error.reason in message


@pytest.mark.parametrize(("optimizer", "field", "value"), [
    ("momentum", "momentum", 1.0), ("momentum", "momentum", -0.1), ("nesterov", "momentum", 1.5),
    ("rmsprop", "momentum", 1), ("adam", "beta1", 1.0), ("adam", "beta2", 1.0), ("adamw", "beta1", -0.5),
    ("adam", "beta2", "x"),
])
def test_bad_optimizer_settings(optimizer, field, value):
    error = config_error(optimizer=optimizer, **{field: value})
    assert error.field == field and "\n" not in str(error)


def test_a_bad_value_of_an_unused_setting_is_still_an_error():
    assert config_error(optimizer="adam", momentum=5).field == "momentum"
    assert config_error(optimizer="sgd", beta2=-1).field == "beta2"


def test_boundaries_are_accepted():
    TrialConfig(batch_size=1, depth=1, width=1, steps=1)
    TrialConfig(batch_size=10_000, depth=16, width=256, steps=100_000)
    TrialConfig(lr=100, weight_decay=10)
    TrialConfig(lr=1e-9, weight_decay=0)
    TrialConfig(optimizer="momentum", momentum=0)
    TrialConfig(optimizer="adam", beta1=0, beta2=0.999999)


def test_lenient_spellings_are_normalised():
    config = TrialConfig(task=" AND ", optimizer="Adam", activation="ReLU", full_batch="false", batch_size="16",
                         width=np.int64(8), lr="0.05")
    assert (config.task, config.optimizer, config.activation) == ("and", "adam", "relu")
    assert config.full_batch is False
    assert config.batch_size == 16 and type(config.batch_size) is int
    assert config.width == 8 and type(config.width) is int
    assert config.lr == 0.05 and type(config.lr) is float
    assert config == TrialConfig(activation="relu", batch_size=16, width=8, lr=0.05)
    assert TrialConfig(full_batch="true").full_batch is True


def test_config_is_frozen():
    with pytest.raises(AttributeError):
        TrialConfig().lr = 1.0


# ---- canonical form ------------------------------------------------------------------------------------------------
LECTURE = {
    "task": "and", "encoding": "scalar", "full_batch": False, "batch_size": 5, "depth": 1, "width": 2,
    "activation": "sigmoid", "init": "pytorch", "loss_fn": "mse", "optimizer": "adam", "lr": 0.1,
    "momentum": None, "beta1": 0.9, "beta2": 0.999, "weight_decay": 0.0, "steps": 1000,
    "bias": True, "output": "sigmoid",  # nn.Linear's layers have biases; the lecture's sigmoid output
}


def test_defaults_are_the_lecture():
    config = TrialConfig()
    data = config.to_dict()
    assert {name: data[name] for name in LECTURE} == LECTURE
    assert all(data[name] is None for name in set(data) - set(LECTURE)), "optional fields must default to unset"
    assert config.layer_sizes == (2, 2, 1) and config.outputs == 1
    assert TrialConfig(encoding="onehot", depth=3, width=5).layer_sizes == (2, 5, 5, 5, 2)
    assert config.optimizer_kwargs() == {"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "weight_decay": 0.0}


# the table of lab/core/optimizers.py: resolved settings of each optimizer left at its defaults
RESOLVED = {
    "sgd": dict(lr=1.0, momentum=None, beta1=None, beta2=None, weight_decay=0.0),
    "momentum": dict(lr=0.5, momentum=0.9, beta1=None, beta2=None, weight_decay=0.0),
    "nesterov": dict(lr=0.5, momentum=0.9, beta1=None, beta2=None, weight_decay=0.0),
    "adagrad": dict(lr=0.5, momentum=None, beta1=None, beta2=None, weight_decay=0.0),
    "adadelta": dict(lr=1.0, momentum=None, beta1=None, beta2=None, weight_decay=0.0),
    "rmsprop": dict(lr=0.01, momentum=0.0, beta1=None, beta2=None, weight_decay=0.0),
    "adam": dict(lr=0.1, momentum=None, beta1=0.9, beta2=0.999, weight_decay=0.0),
    "adamw": dict(lr=0.1, momentum=None, beta1=0.9, beta2=0.999, weight_decay=0.01),
}


@pytest.mark.parametrize("optimizer", RESOLVED)
def test_default_optimizer_settings_are_resolved(optimizer):
    config = TrialConfig(optimizer=optimizer)
    assert {name: getattr(config, name) for name in OPTIMIZER_SETTINGS} == RESOLVED[optimizer]


@pytest.mark.parametrize("optimizer", RESOLVED)
def test_unused_settings_become_none(optimizer):
    given = TrialConfig(optimizer=optimizer, momentum=0.3, beta1=0.3, beta2=0.3)
    for name in ("momentum", "beta1", "beta2"):
        used = RESOLVED[optimizer][name] is not None
        assert getattr(given, name) == (0.3 if used else None), name
    if all(RESOLVED[optimizer][name] is None for name in ("momentum", "beta1", "beta2")):
        assert given == TrialConfig(optimizer=optimizer)
        assert given.key() == TrialConfig(optimizer=optimizer).key()


def test_explicit_default_equals_implicit_default():
    assert TrialConfig(lr=0.1, beta1=0.9, beta2=0.999, weight_decay=0) == TrialConfig()
    assert TrialConfig(lr=0.1, weight_decay=0).key() == TrialConfig().key()
    assert TrialConfig(optimizer="sgd", lr=1).key() == TrialConfig(optimizer="sgd", lr=1.0).key()


def test_full_batch_forces_batch_size_4():
    assert TrialConfig(full_batch=True).batch_size == 4
    assert TrialConfig(full_batch=True, batch_size=64) == TrialConfig(full_batch=True)
    assert TrialConfig(full_batch=True, batch_size=64).key() == TrialConfig(full_batch=True, batch_size=1).key()
    assert TrialConfig(full_batch=False, batch_size=64).batch_size == 64
    assert TrialConfig(full_batch=True, n_train=30, batch_size=5).batch_size == 30  # a finite set: all of it


# ---- finite data settings ------------------------------------------------------------------------------------------
def test_data_settings_need_n_train():
    for name in (*DATA_FIELDS, "folds", "fold"):
        assert config_error(**{name: CHANGES[name]}).field == name


def test_data_settings_are_resolved_with_n_train():
    config = TrialConfig(n_train=100)
    assert all(getattr(config, name) is not None for name in DATA_FIELDS)
    assert TrialConfig(n_train=100, noise=0.0) == config  # explicit default equals implicit default


@pytest.mark.parametrize(("field", "value"), [
    ("n_train", 0), ("n_train", 1.5), ("noise", -0.1), ("noise", float("nan")), ("label_flip", 0.5),
    ("label_flip", -0.1), ("n_val", 0), ("n_test", 0), ("data_seed", -1), ("eval_every", 0), ("batch_size", 101),
])
def test_bad_data_settings(field, value):
    error = config_error(**{"n_train": 100, field: value})
    assert error.field == field and "\n" not in str(error)


@pytest.mark.parametrize(("settings", "field"), [
    (dict(folds=4), "fold"), (dict(fold=1), "folds"), (dict(folds=3, fold=0), "folds"),  # 3 does not divide 100
    (dict(folds=4, fold=4), "folds"), (dict(folds=1, fold=0), "folds"), (dict(folds=4, fold=-1), "fold"),
])
def test_bad_folds(settings, field):
    error = config_error(n_train=100, **settings)
    assert error.field == field and "\n" not in str(error)


def test_folds():
    config = TrialConfig(n_train=100, folds=4, fold=3)
    assert (config.folds, config.fold) == (4, 3)
    assert config.key() != TrialConfig(n_train=100, folds=4, fold=2).key()


# ---- the cache key -------------------------------------------------------------------------------------------------
# TrialConfig().key() of each schema
DEFAULT_KEYS = {1: "b0f3954859978ed3a610", 2: "3b7495d7a263f625ed35", 3: "85831edab13be2bf7a62"}


def test_key_is_a_stable_hash_of_the_canonical_config():
    config = TrialConfig()
    assert len(config.key()) == 20 and int(config.key(), 16) >= 0
    assert config.key() == TrialConfig().key()
    # the canonical JSON is sorted and carries the schema version: the same text in any process
    data = json.loads(config.canonical_json())
    assert list(data) == sorted(data)
    assert set(data) == {*FIELD_NAMES, "schema"} - set(LATER_FIELDS)  # later fields: named only when set
    # stored results are looked up by this key: it may change only together with SCHEMA_VERSION
    assert SCHEMA_VERSION in DEFAULT_KEYS, f"record TrialConfig().key() of schema {SCHEMA_VERSION} in DEFAULT_KEYS"
    assert config.key() == DEFAULT_KEYS[SCHEMA_VERSION], \
        "TrialConfig().key() changed without a SCHEMA_VERSION bump: every stored result would be orphaned"


def test_key_is_the_same_in_another_process():
    configs = [TrialConfig(), TrialConfig(optimizer="rmsprop", momentum=0.5, depth=3, task="xor")]
    code = ("from lab.core.config import TrialConfig as C; print(C().key()); "
            "print(C(optimizer='rmsprop', momentum=0.5, depth=3, task='xor').key())")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == [c.key() for c in configs]


# a different valid value for every field
CHANGES = {
    "task": "xor", "encoding": "onehot", "full_batch": True, "batch_size": 6, "depth": 2, "width": 3,
    "activation": "tanh", "init": "xavier", "loss_fn": "bce", "optimizer": "sgd", "lr": 0.2, "momentum": 0.5,
    "beta1": 0.8, "beta2": 0.99, "weight_decay": 0.001, "steps": 999,
    # the finite-data settings (they apply, and are allowed, only with n_train set)
    "n_train": 100, "noise": 0.1, "label_flip": 0.1, "n_val": 50, "n_test": 500, "data_seed": 1, "eval_every": 5,
    "folds": 4, "fold": 1,
    # fields added after schema 3
    "init_scale": 0.01, "bias": False, "eps": 1e-3, "output": "identity",
}
DATA_FIELDS = ("noise", "label_flip", "n_val", "n_test", "data_seed", "eval_every")  # resolved once n_train is set
FINITE = TrialConfig(n_train=200)
BASES = {  # where a field's change needs more than the default config
    "momentum": TrialConfig(optimizer="momentum"),
    **{name: FINITE for name in DATA_FIELDS},
    "folds": FINITE,
    "fold": FINITE.replace(folds=4, fold=0),
}
COMPANIONS = {"folds": {"fold": 0}}  # folds and fold are set together


def test_changes_cover_every_field():
    missing = sorted(set(FIELD_NAMES) - set(CHANGES))
    assert not missing, f"add a changed value for {missing} to CHANGES: the key must change with every field"


@pytest.mark.parametrize("field", CHANGES)
def test_key_changes_with_every_field(field):
    base = BASES.get(field, TrialConfig())
    changed = base.replace(**{field: CHANGES[field]}, **COMPANIONS.get(field, {}))
    assert changed != base
    assert changed.key() != base.key()


def test_keys_of_many_configs_are_distinct():
    configs = {TrialConfig(task=t, optimizer=o, depth=d) for t in ("and", "xor") for o in RESOLVED for d in (1, 2)}
    assert len({c.key() for c in configs}) == len(configs) == 32


def test_the_key_is_the_hash_of_the_canonical_config_every_time():
    import hashlib

    configs = [TrialConfig(), TrialConfig(lr=0.01), TrialConfig(n_train=20, noise=1),
               TrialConfig(n_train=20, noise=0.5), TrialConfig(optimizer="sgd", lr=1),
               TrialConfig(optimizer="sgd", lr=1.5)]
    for config in configs * 2:  # the second time from memory
        assert config.key() == hashlib.sha256(config.canonical_json().encode()).hexdigest()[:20]
    assert len({c.key() for c in configs}) == len(configs)


# ---- fields added after schema 3 -----------------------------------------------------------------------------------
def test_later_fields_at_their_defaults_keep_every_earlier_key():
    """A config that leaves the later fields at their defaults has the key it had before they existed: its canonical
    JSON is the one of schema 3's fields alone (the stored results stay found)."""
    for config in (TrialConfig(), TrialConfig(optimizer="rmsprop", momentum=0.5, depth=3, task="xor"),
                   TrialConfig(n_train=100, folds=4, fold=1)):
        earlier = {name: value for name, value in config.to_dict().items() if name not in LATER_FIELDS}
        text = json.dumps({"schema": SCHEMA_VERSION, **earlier}, sort_keys=True, separators=(",", ":"))
        assert config.canonical_json() == text
    assert TrialConfig(**LATER_FIELDS).key() == DEFAULT_KEYS[SCHEMA_VERSION]


def test_init_scale():
    assert TrialConfig(init_scale="0.001").init_scale == 0.001
    assert TrialConfig(init_scale=1).init_scale is None  # × 1 changes nothing: the same config as unset
    assert TrialConfig(init_scale=1.0).key() == TrialConfig().key()
    TrialConfig(init_scale=1e-6)
    TrialConfig(init_scale=100)
    assert TrialConfig(init="orthogonal").init == "orthogonal"
    assert TrialConfig(init=" Gaussian ").init == "gaussian"


def test_bias():
    assert TrialConfig(bias="false").bias is False and TrialConfig(bias=1).bias is True
    assert TrialConfig(bias=True).key() == TrialConfig().key()
    assert TrialConfig(bias=False).shape_key() != TrialConfig().shape_key()  # another arithmetic: its own pass


def test_eps():
    assert TrialConfig(eps="1e-3").eps == 1e-3
    assert TrialConfig(optimizer="rmsprop", eps=1e6).eps == 1e6
    assert TrialConfig(eps=1e-8).eps is None  # Adam's own default: the same config as unset
    assert TrialConfig(eps=1e-8).key() == TrialConfig().key()
    assert TrialConfig(optimizer="adagrad", eps=1e-8).eps == 1e-8  # not Adagrad's default (1e-10)
    assert TrialConfig(eps=1e-3).optimizer_kwargs()["eps"] == 1e-3
    for optimizer in ("sgd", "momentum", "nesterov"):
        error = config_error(optimizer=optimizer, eps=1e-3)
        assert error.field == "eps" and optimizer in str(error) and "\n" not in str(error)
    assert TrialConfig(eps=1e-3).replace(optimizer="sgd").eps is None  # another optimizer: its own defaults


def test_pm1_and_the_linear_output():
    config = TrialConfig(encoding="PM1", output="Identity")
    assert (config.encoding, config.output, config.outputs, config.layer_sizes) == ("pm1", "identity", 1, (2, 2, 1))
    assert TrialConfig(output="sigmoid").key() == TrialConfig().key()
    assert TrialConfig(output="identity").shape_key() != TrialConfig().shape_key()
    for settings in (dict(output="identity"), dict(encoding="pm1")):  # BCE needs a sigmoid output and 0/1 targets
        error = config_error(loss_fn="bce", **settings)
        assert error.field == "loss_fn" and "mse" in str(error) and "\n" not in str(error)
    error = config_error(encoding="pm1", n_train=40)
    assert error.field == "encoding" and "n_train" in str(error)

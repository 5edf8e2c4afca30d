"""TrialConfigs and seed lists made from other input: replace(), from_dict() and parse_seeds()."""

from __future__ import annotations

import json

import pytest

from lab.core.config import MAX_SEED, ConfigError, TrialConfig, parse_seeds


# ---- replace() -----------------------------------------------------------------------------------------------------
def test_replace_returns_a_validated_copy():
    base = TrialConfig(lr=0.05)
    changed = base.replace(width=4, task="or")
    assert (changed.width, changed.task, changed.lr) == (4, "or", 0.05)
    assert (base.width, base.task) == (2, "and")  # the original is untouched
    with pytest.raises(ConfigError) as info:
        base.replace(width=0)
    assert info.value.field == "width"
    with pytest.raises((TypeError, ConfigError)):
        base.replace(colour="red")


def test_replace_keeps_settings_of_the_same_optimizer():
    base = TrialConfig(optimizer="momentum", lr=0.2, momentum=0.5, weight_decay=0.01)
    assert base.replace(depth=3).optimizer_kwargs() == {"lr": 0.2, "momentum": 0.5, "weight_decay": 0.01}
    assert base.replace(optimizer="momentum").lr == 0.2
    assert base.replace(momentum=0.8).lr == 0.2


def test_replace_with_another_optimizer_takes_its_defaults():
    base = TrialConfig(optimizer="momentum", lr=0.2, momentum=0.5, weight_decay=0.01)
    assert base.replace(optimizer="adam") == TrialConfig(optimizer="adam")
    assert base.replace(optimizer="nesterov") == TrialConfig(optimizer="nesterov")  # momentum 0.5 is not carried
    assert base.replace(optimizer="rmsprop", lr=0.003) == TrialConfig(optimizer="rmsprop", lr=0.003)


def test_replace_full_batch():
    assert TrialConfig(batch_size=16).replace(full_batch=True) == TrialConfig(full_batch=True)
    assert TrialConfig(full_batch=True).replace(full_batch=False, batch_size=8).batch_size == 8


# ---- from_dict() ---------------------------------------------------------------------------------------------------
ROUND_TRIP = [
    TrialConfig(),
    TrialConfig(task="xor", encoding="onehot", loss_fn="bce", depth=3, width=7, activation="relu", init="xavier"),
    TrialConfig(optimizer="rmsprop", lr=0.003, momentum=0.4, weight_decay=1e-4, full_batch=True, steps=10),
    TrialConfig(optimizer="adamw", beta1=0.5, beta2=0.9, weight_decay=0.2, batch_size=10_000),
    TrialConfig(n_train=50, noise=0.2, label_flip=0.1, data_seed=3, batch_size=10),
]


@pytest.mark.parametrize("config", ROUND_TRIP, ids=range(len(ROUND_TRIP)))
def test_from_dict_round_trip(config):
    assert TrialConfig.from_dict(config.to_dict()) == config
    stored = json.loads(config.canonical_json())  # as a stored result carries it, "schema" included
    assert TrialConfig.from_dict(stored) == config
    assert TrialConfig.from_dict(stored).key() == config.key()


def test_from_dict_fills_in_defaults():
    assert TrialConfig.from_dict({}) == TrialConfig()
    assert TrialConfig.from_dict({"optimizer": "sgd"}) == TrialConfig(optimizer="sgd")


def test_from_dict_unknown_key():
    with pytest.raises(ConfigError) as info:
        TrialConfig.from_dict({"task": "and", "learning_rate": 0.1})
    assert info.value.field == "learning_rate"
    assert "loss_fn" in str(info.value) and "\n" not in str(info.value)  # lists the allowed names


def test_from_dict_validates():
    with pytest.raises(ConfigError) as info:
        TrialConfig.from_dict({"depth": 99})
    assert info.value.field == "depth"


# ---- parse_seeds() -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("kwargs", "expected"), [
    (dict(n=1), [0]),
    (dict(n=5), [0, 1, 2, 3, 4]),
    (dict(n=100_000), list(range(100_000))),
    (dict(seed_list="3,7,9"), [3, 7, 9]),
    (dict(seed_list=" 9 , 3,3 "), [3, 9]),  # sorted, duplicates dropped, spaces allowed
    (dict(seed_list="0-4"), [0, 1, 2, 3, 4]),
    (dict(seed_list="5-5"), [5]),
    (dict(seed_list="10,0-2,1"), [0, 1, 2, 10]),
    (dict(seed_list="7"), [7]),
    (dict(seed_list=f"{MAX_SEED}"), [MAX_SEED]),
    (dict(n=3, seed_list="8"), [8]),  # an explicit list wins
])
def test_parse_seeds(kwargs, expected):
    assert parse_seeds(**kwargs) == expected


@pytest.mark.parametrize("seed_list", ["", "a", "1,,2", "1.5", "3-1", "-1", "1-", "-", "0-x", "1;2",
                                       f"{MAX_SEED + 1}", f"0,{MAX_SEED + 1}"])
def test_parse_seeds_bad_lists(seed_list):
    with pytest.raises(ConfigError) as info:
        parse_seeds(seed_list=seed_list)
    assert info.value.field == "seed_list"
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("n", [0, -1, 100_001, True, 2.0, "5", None])
def test_parse_seeds_bad_counts(n):
    with pytest.raises(ConfigError) as info:
        parse_seeds(n)
    assert info.value.field == "seeds"

"""The dashboard's pure helpers: looking inside a trial (lab.science.inspect), page state
in the URL (lab.dashboard.shared.params), the compute budget (lab.core.budget), the page data
(lab.dashboard.shared.tables) and the texts (lab.dashboard.shared.texts)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import numpy as np
import pytest

from lab.compute.sweep import stored_runs
from lab.core import budget, naming
from lab.core.config import TrialConfig
from lab.core.engine import train
from lab.dashboard import shell
from lab.dashboard.lecture import state as lecture_state
from lab.dashboard.optimizers import state as optimizers_state
from lab.dashboard.optimizers import tables as optimizers_view
from lab.dashboard.results import state as results_state
from lab.dashboard.results import tables as results_view
from lab.dashboard.shared import params as url_params
from lab.dashboard.shared import tables as views
from lab.science import analysis, inspect
from lab.science import digests as science_digests
from lab.storage.store import Store

ROOT = Path(__file__).resolve().parents[2]
TABLE = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)


# ---- inspect -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("config", [TrialConfig(steps=200), TrialConfig(steps=200, encoding="onehot"),
                                    TrialConfig(steps=200, depth=2, width=3, activation="relu"),
                                    TrialConfig(steps=200, activation="tanh", task="xor")])
def test_forward_reproduces_the_engine_outputs(config):
    runs = train(config, [0, 1])
    for k in range(2):
        assert np.allclose(inspect.forward(config, runs.params[k], TABLE), runs.table_output[k], atol=1e-6)


def test_truth_table_and_score():
    config = TrialConfig(steps=300)
    runs = train(config, [0])
    table = inspect.truth_table(config, runs.table_output[0])
    assert table["target"].tolist() == [0, 0, 0, 1]
    assert table["correct"].all() == bool(runs.solved[0])
    onehot = TrialConfig(steps=300, encoding="onehot")
    out = np.array([[0.9, 0.2], [0.1, 0.8]])
    assert np.allclose(inspect.score(onehot, out), [0.85, 0.15])


def test_decision_grid_covers_the_square():
    config = TrialConfig(steps=50)
    grid = inspect.decision_grid(config, train(config, [0]).params[0], n=11)
    assert len(grid) == 121 and grid["x1"].min() == 0 and grid["x2"].max() == 1
    assert grid["score"].between(0, 1).all()


def test_loss_log_is_the_lecture_printout():
    runs = train(TrialConfig(), [0])
    log = inspect.loss_log(runs.loss[0])
    assert len(log) == 10 and log[0] == "i = 0 loss = 0.27076905965805054"
    assert all(re.fullmatch(r"i = \d+ loss = [0-9.e-]+", line) for line in log)


def test_node_names():
    assert inspect.node_names((2, 2, 1)) == [["x1", "x2"], ["h1", "h2"], ["y"]]
    assert inspect.node_names((2, 3, 3, 2)) == [["x1", "x2"], ["h1_1", "h1_2", "h1_3"], ["h2_1", "h2_2", "h2_3"],
                                                 ["y1", "y2"]]


# ---- urlstate ------------------------------------------------------------------------------------------------------
def test_lecture_state_round_trip():
    state = lecture_state.State(TrialConfig(task="or", encoding="onehot", optimizer="sgd", lr=0.3, depth=2,
                                        width=4, activation="relu", steps=300), seed=42)
    params = lecture_state.to_params(state)
    assert params["lr"] == "0.3" and params["seed"] == "42" and "loss" not in params
    assert lecture_state.parse(params) == (state, [])
    assert lecture_state.to_params(lecture_state.State()) == {}


def test_lecture_lr_default_follows_the_optimizer():
    state, problems = lecture_state.parse({"optimizer": "sgd"})
    assert state.config.lr == 1.0 and not problems
    assert lecture_state.to_params(state) == {"optimizer": "sgd"}


def test_compare_state_round_trip():
    base = TrialConfig(task="xor", depth=2, width=4, activation="tanh", init="xavier", loss_fn="bce", batch_size=8,
                       steps=500)
    lrs = dict(optimizers_state.DEFAULT.lrs, adam=0.05)
    state = optimizers_state.State(base, ("sgd", "adam"), tuple(lrs.items()), 7, "table_loss", 9, False)
    params = optimizers_state.to_params(state)
    assert params["opts"] == "sgd,adam" and params["lr_adam"] == "0.05" and params["loss"] == "bce"
    assert optimizers_state.parse(params) == (state, [])
    assert [c.lr for c in state.configs()] == [1.0, 0.05]
    assert optimizers_state.to_params(optimizers_state.State()) == {}


@pytest.mark.parametrize(("params", "bad"), [
    ({"seed": "-1"}, "seed"), ({"depth": "10000"}, "depth"), ({"optimizer": "nope"}, "optimizer"),
    ({"lr": "abc"}, "lr"), ({"lr": "inf"}, "lr"), ({"steps": "1.5"}, "steps"), ({"width": ""}, "width"),
    ({"task": "x" * 10_000}, "task"), ({"encoding": "\x00"}, "encoding"),
])
def test_bad_lecture_params_fall_back_to_defaults(params, bad):
    state, problems = lecture_state.parse(params)
    assert state == lecture_state.State()
    assert [p.param for p in problems] == [bad]
    assert len(problems[0].value) <= 40 and "`" not in problems[0].value
    assert "got" not in problems[0].reason  # the raw value is never echoed unshortened


def test_good_params_survive_bad_neighbours():
    state, problems = optimizers_state.parse({"opts": "adam,bogus", "seeds": "5", "lr_sgd": "-1", "steps": "300"})
    assert state.seeds == 5 and state.base.steps == 300 and state.optimizers == optimizers_state.DEFAULT.optimizers
    assert sorted(p.param for p in problems) == ["lr_sgd", "opts"]


def test_key_lang_and_locale():
    assert results_state.parse({"key": "0123456789ABCDEF0123"}) == (results_state.State("0123456789abcdef0123"), [])
    assert results_state.parse({"key": "../x"})[0].key is None
    assert url_params.parse_lang({"lang": "JA"}) == ("ja", [])
    assert url_params.parse_lang({"lang": "xx"})[1][0].param == "lang"
    assert url_params.language_of("ja-JP") == "ja" and url_params.language_of("en-GB") == "en"
    assert url_params.language_of(None) == "en"


def test_shown_is_safe():
    assert url_params.shown("a`b\nc") == "a?b?c"
    assert len(url_params.shown("x" * 100)) == 40


# ---- budget --------------------------------------------------------------------------------------------------------
def test_budget():
    assert budget.weight(TrialConfig()) == 1
    assert budget.weight(TrialConfig(width=256, depth=16)) > 1000
    assert budget.work([TrialConfig()] * 6, 20) == 120_000
    assert budget.max_work("5000") == 5000 and budget.max_work(None) == budget.DEFAULT_MAX_WORK
    assert budget.max_work("abc") == budget.DEFAULT_MAX_WORK and budget.max_work("-5") == budget.DEFAULT_MAX_WORK


# ---- views ---------------------------------------------------------------------------------------------------------
def test_views_tables_and_csv(tmp_path):
    store = Store(tmp_path)
    configs = [TrialConfig(steps=60), TrialConfig(steps=60, optimizer="sgd")]
    for config in configs:  # trained first: digests are built from stored results only
        stored_runs(store, config, range(3))
    digests = [science_digests.digest(store, c, 3) for c in configs]
    table = optimizers_view.display_table(digests)
    assert table["series"].tolist() == ["Adam (lr 0.1)", "SGD (lr 1)"]
    readable = views.readable_table(table)
    assert readable["solved"].str.fullmatch(r"\d/3").all()
    csv = optimizers_view.curves_csv(store, configs, 3).decode("utf-8-sig").splitlines()  # after the BOM
    assert csv[0] == ",".join(optimizers_view.CURVE_COLUMNS) and len(csv) == 1 + 2 * 3 * 60
    entry = results_view.entry_csv(store, configs[0].key()).decode().splitlines()
    assert len(entry) == 1 + 3 * 60 and "optimizer" in entry[0]
    assert results_view.entry_csv(store, "0" * 20) == b""
    described = naming.describe(TrialConfig(full_batch=True))
    assert described == "Adam (lr 0.1) · AND · sigmoid 2-2-1 · 1000 it. · full batch"
    assert (
        naming.describe(TrialConfig(batch_size=8), {"lr": "学習率", "it": "反復", "mbs": "ミニバッチ"})
        == "Adam (学習率 0.1) · AND · sigmoid 2-2-1 · 1000 反復 · ミニバッチ 8"
    )
    assert science_digests.every(1000) == 3 and science_digests.every(100) == 1


# ---- i18n ----------------------------------------------------------------------------------------------------------
def test_every_text_has_both_languages_with_the_same_placeholders():
    for key, (english, japanese) in shell.STRINGS.items():
        assert english and japanese, key
        names = {f for _, f, _, _ in string.Formatter().parse(english) if f}
        assert names == {f for _, f, _, _ in string.Formatter().parse(japanese) if f}, key


def test_every_key_used_in_the_dashboard_exists():
    sources = [ROOT / "app.py", ROOT / "lab" / "dashboard" / "shell.py", *sorted((ROOT / "pages").glob("*.py"))]
    used = set()
    for path in sources:
        used |= set(re.findall(r"""\btr\(\s*["']([\w.]+)["']""", path.read_text(encoding="utf-8")))
    used |= {f"metric.{m}" for m in analysis.METRICS} | {f"word.{w}" for w in naming.WORDS}
    used |= {f"col.{c}" for c in ("x1", "x2", "target", "output", "output_true", "output_false", "answer", "correct")}
    assert len(used) > 40
    assert sorted(used - set(shell.STRINGS)) == []


def test_t_formats_and_falls_back():
    assert shell.text("cmp.progress", "en", name="Adam", done=1, total=3).startswith("Training Adam")
    assert shell.text("nav.lecture", "xx") == shell.text("nav.lecture", "en")
    assert shell.text("no.such.key", "ja") == "no.such.key"


def test_entries_listing(tmp_path):
    store = Store(tmp_path)
    assert results_view.entries(store).empty
    stored_runs(store, TrialConfig(steps=40, encoding="onehot"), [0, 1, 2])
    listing = results_view.entries_frame(results_view.entries(store))
    assert listing.loc[0, "config"] == "Adam (lr 0.1) · AND · sigmoid 2-2-2 · 40 it. · onehot"
    assert listing.loc[0, "n_seeds"] == 3 and listing.loc[0, "size"] > 0
    row = results_view.entries(store).iloc[0]
    assert TrialConfig.from_dict(results_view.entry_config(row)) == TrialConfig(steps=40, encoding="onehot")

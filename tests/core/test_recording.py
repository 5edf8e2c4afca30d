"""Recording levels (lab.core.recording): summaries only, curves every K steps, full curves, trained in passes that fit
a memory setting. The summaries (solved, steps to solve, final loss, diverged, stall statistics) are bitwise those of
a full recording at every level; a full recording is itself checked against the plain program (tests/reference.py)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import reference_run

import lab.core.engine
from lab.core.config import ConfigError, TrialConfig
from lab.core.engine import train, train_group
from lab.core.recording import MAX_PASS_TRIALS, Recording
from lab.science.stalls import stall_summary, stalls

C = TrialConfig
def few(level: str, config: TrialConfig, trials: int = 5) -> Recording:
    """`level` with a memory setting that trains `trials` trials per pass (so every request below takes several; the
    passes trained at once, one per core, share the setting)."""
    recording = Recording.parse(level)
    share = recording.bytes_per_trial(config) * recording.passes_at_once()
    return Recording.parse(level, memory_mb=trials * share / 2**20)
CONFIGS = {  # stalled, stuck and solved trials; slow descents; trials that diverge
    "xor": (C(task="xor", steps=400), range(24)),
    "sgd": (C(optimizer="sgd", steps=400), range(24)),
    "diverging": (C(optimizer="rmsprop", lr=100, activation="identity", depth=16, steps=30), range(16)),
}
SUMMARY_COLUMNS = ["seed", "solved", "steps_to_solve", "final_loss", "diverged"]


@pytest.mark.parametrize("text, every", [("full", 1), ("summary", None), ("every:1", 1), ("every:25", 25),
                                         (" Every:3 ", 3), (None, 1)])
def test_parse(text, every):
    assert Recording.parse(text).every == every


@pytest.mark.parametrize("text", ["", "all", "every", "every:", "every:0", "every:-2", "every:1.5", "summary:3",
                                  "every:9999999999"])
def test_parse_refuses_other_values(text):
    with pytest.raises(ConfigError) as error:
        Recording.parse(text)
    assert error.value.field == "record"


@pytest.fixture(scope="module", params=list(CONFIGS))
def full(request):
    config, seeds = CONFIGS[request.param]
    return train(config, seeds)


@pytest.mark.slow
@pytest.mark.parametrize("level", ["summary", "every:7", "full"])
def test_summaries_are_bitwise_those_of_full_curves(full, level):
    recording = few(level, full.config)
    assert recording.trials_per_pass(full.config) == 5  # several passes
    got = train(full.config, full.seeds, record=recording)
    assert got.seeds == full.seeds
    assert got.summary()[SUMMARY_COLUMNS].equals(full.summary()[SUMMARY_COLUMNS])
    assert stalls(got).equals(stalls(full))
    assert {k: v for k, v in stall_summary(got).items() if k != "grad_ratio_median"} == \
        {k: v for k, v in stall_summary(full).items() if k != "grad_ratio_median"}
    np.testing.assert_array_equal(got.params, full.params)
    np.testing.assert_array_equal(got.table_output, full.table_output)
    np.testing.assert_array_equal(got.table_loss[:, -1], full.table_loss[:, -1])


def test_the_checked_configs_hold_stalls_solves_and_divergences():
    runs = {name: train(config, seeds) for name, (config, seeds) in CONFIGS.items()}
    table = stalls(runs["xor"])
    assert (table["stall_count"] > 0).any() and table["stuck_at_end"].any() and table["solved"].any()
    assert runs["diverging"].diverged.any() and not runs["diverging"].diverged.all()


@pytest.mark.slow
def test_summaries_follow_the_plain_program():
    """Summary level against the independent plain program: steps to solve and the final loss, seed by seed."""
    config = CONFIGS["xor"][0]
    got = train(config, range(6), record=few("summary", config, 2))
    for k, seed in enumerate(range(6)):
        ref = reference_run(config, seed)
        wrong = [float(((np.asarray(o) > 0.5) != np.array([0, 1, 1, 0]).reshape(-1, 1)).any()) for o in
                 ref["table_outputs"]]
        last_wrong = max((t for t, w in enumerate(wrong) if w), default=-1)
        solved = wrong[-1] == 0
        assert bool(got.solved[k]) == solved
        assert (got.steps_to_solve[k] == last_wrong + 1) if solved else np.isnan(got.steps_to_solve[k])
        np.testing.assert_array_equal(got.params[k], np.asarray(ref["params"], np.float32))


@pytest.mark.slow
def test_curves_every_k_steps_are_the_full_curves_at_those_steps(full):
    got = train(full.config, full.seeds, record=few("every:7", full.config))
    steps = full.config.steps
    np.testing.assert_array_equal(got.curve_steps, np.arange(0, steps, 7))
    np.testing.assert_array_equal(got.loss, full.loss[:, ::7])
    np.testing.assert_array_equal(got.table_loss, full.table_loss[:, list(range(0, steps, 7)) + [steps]])
    np.testing.assert_array_equal(got.table_error, full.table_error[:, list(range(0, steps, 7)) + [steps]])
    # gradient norms: to the last bit only when stacked alike (tests/compute/test_sweep.py says why)
    np.testing.assert_allclose(got.grad_norm, full.grad_norm[:, ::7], rtol=1e-6)
    grads = [c for c in full.curves().columns if c.startswith("grad_norm")]
    assert got.curves().drop(columns=grads).equals(full.curves(7).drop(columns=grads))
    assert got.curves(14)["step"].unique().tolist() == list(range(0, steps, 14))


def test_summary_level_keeps_no_curves():
    config, seeds = CONFIGS["sgd"]
    got = train(config, seeds, record=Recording(None))
    assert got.loss.shape == (len(seeds), 0) and got.grad_norm.shape[:2] == (len(seeds), 0)
    assert got.table_loss.shape == (len(seeds), 1) and got.curves().empty


def test_passes_stay_within_the_memory_setting(monkeypatch):
    sizes = []
    real = lab.core.engine._train_stacked

    def counting(items, *args, **kwargs):
        sizes.append(sum(len(seeds) for _, seeds in items))
        return real(items, *args, **kwargs)

    monkeypatch.setattr(lab.core.engine, "_train_stacked", counting)
    config = C(steps=50)
    recording = Recording(None, memory_mb=0.05)
    per_pass = recording.trials_per_pass(config)
    a, b = train_group([(config, range(30)), (config.replace(optimizer="sgd"), range(30))], record=recording)
    assert max(sizes) == per_pass and sum(sizes) == 60 and len(sizes) == -(-60 // per_pass)
    assert a.seeds == list(range(30)) and b.seeds == list(range(30))
    alone = train(config.replace(optimizer="sgd"), range(30))
    assert b.summary()[SUMMARY_COLUMNS].equals(alone.summary()[SUMMARY_COLUMNS])


@pytest.mark.slow
@pytest.mark.parametrize("threads", [1, 3])
def test_passes_trained_at_once_equal_passes_trained_one_by_one(full, threads):
    memory = few("summary", full.config).memory_mb
    alone = train(full.config, full.seeds, record=Recording(None, memory, threads=1))
    got = train(full.config, full.seeds, record=Recording(None, memory, threads=threads))
    assert got.summary()[SUMMARY_COLUMNS].equals(alone.summary()[SUMMARY_COLUMNS])
    assert got.summary()[SUMMARY_COLUMNS].equals(full.summary()[SUMMARY_COLUMNS])
    np.testing.assert_array_equal(got.params, full.params)
    np.testing.assert_array_equal(got.table_output, full.table_output)


def test_threads_must_be_a_whole_number():
    with pytest.raises(ConfigError):
        Recording(None, threads=0)
    assert Recording(None, 64, threads=2).trials_per_pass(C()) == Recording(None, 32, threads=1).trials_per_pass(C())


def test_trials_per_pass_shrinks_with_steps_and_grows_with_memory():
    small, large = Recording(None, 64), Recording(None, 1024)
    lecture = C()
    assert 1 <= small.trials_per_pass(lecture) < large.trials_per_pass(lecture) <= MAX_PASS_TRIALS
    assert small.trials_per_pass(C(steps=10_000)) < small.trials_per_pass(lecture)
    assert Recording(None, 1e-6).trials_per_pass(lecture) == 1


def test_trace_and_checkpoints_need_a_plain_recording():
    with pytest.raises(ValueError):
        train(C(steps=5), range(2), trace=True, record=Recording(None))


def test_a_gpu_takes_passes_as_large_as_the_memory_allows():
    recording = Recording(None, 8192)
    assert recording.trials_per_pass(C(), "cpu") == MAX_PASS_TRIALS
    assert recording.trials_per_pass(C(), "cuda") == 8192 * 2**20 // recording.bytes_per_trial(C()) > MAX_PASS_TRIALS


def _kept_bytes(runs) -> int:
    """What a reduced Runs holds in its arrays, per trial."""
    arrays = [runs.loss, runs.table_loss, runs.table_error, runs.grad_norm, runs.table_output, runs.params,
              *(runs.summaries or {}).values(), *(v for k, v in (runs.evaluations or {}).items() if k != "steps")]
    return sum(a.nbytes for a in arrays) // len(runs.seeds)


@pytest.mark.parametrize("config, level", [(C(steps=60), "every:7"), (C(steps=60), "summary"),
                                           (C(width=40, depth=3, steps=30), "full"),
                                           (C(n_train=20, steps=50), "every:10")])
def test_kept_bytes_per_trial_is_an_estimate_on_the_safe_side(config, level):
    recording = Recording.parse(level)
    got = _kept_bytes(train(config, range(6), record=recording))
    assert got <= recording.kept_bytes_per_trial(config) <= got + 1024


def test_what_cannot_fit_is_refused_saying_what_would():
    big, recording = C(width=256, depth=16, steps=2000), Recording.parse("every:100")
    with pytest.raises(ConfigError) as info:
        recording.check_fits(big, 1000)
    assert info.value.field == "seeds"
    most = int(info.value.reason.split("at most ")[1].split()[0].replace(",", ""))
    recording.check_fits(big, most)  # what the message says fits
    with pytest.raises(ConfigError):
        recording.check_fits(big, most + 1)
    with pytest.raises(ConfigError) as info:  # one trial's per-step gradient history alone outgrows the setting
        Recording.parse("full").check_fits(C(width=256, depth=16, steps=100_000), 1)
    assert info.value.field == "memory_mb" and "every:K or summary" in info.value.reason
    Recording.parse("summary").check_fits(C(width=256, depth=16, steps=100_000), 1)
    Recording.parse("every:100").check_fits(C(), 100_000)  # the lecture's net, 100,000 trials: fits by default

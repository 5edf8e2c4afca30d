"""`python -m lab warm` (lab.dashboard.warm): after it, no page's default view trains or derives anything — checked by
opening every page on the warmed store with smaller defaults (the same code paths, seconds instead of minutes) and
finding the store's files unchanged; the command line's answers to bad input."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import ok
from streamlit.testing.v1 import AppTest

from lab.cli import warm as warm_command
from lab.core.config import TrialConfig
from lab.dashboard import warm
from lab.dashboard.depth import state as depth
from lab.dashboard.generalization import state as generalization
from lab.dashboard.landscape import state as landscape
from lab.dashboard.lecture import state as lecture
from lab.dashboard.neurons import state as neurons
from lab.dashboard.optimizers import state as optimizers
from lab.dashboard.tuning import state as tuning
from lab.storage.store import Store

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("neurons", "lecture", "optimizers", "depth", "generalization", "tuning", "landscape")
NOTHING_TO_COMPUTE = ("papers", "results", "classrun")  # pages whose default view only reads the store


@pytest.fixture
def small_defaults(monkeypatch):
    """Every page's default view, shrunk (fewer seeds, steps, depths, learning rates)."""
    monkeypatch.setattr(lecture, "DEFAULT", lecture.State(TrialConfig(steps=60), seed=2))
    monkeypatch.setattr(optimizers, "DEFAULT", replace(optimizers.DEFAULT, base=TrialConfig(steps=60),
                                                       optimizers=("adam", "sgd"), seeds=2))
    monkeypatch.setattr(depth, "DEFAULT", replace(depth.DEFAULT, depths=(1, 2), depth=2, seeds=4, steps=100,
                                                  tests=1))
    gen, preset = generalization.DEFAULT, generalization.preset_config
    small = generalization.with_eval(gen.config.replace(steps=100))  # the default preset's config, shorter
    monkeypatch.setattr(generalization, "preset_config", lambda name: small if name == gen.preset else preset(name))
    monkeypatch.setattr(generalization, "DEFAULT", replace(gen, config=small, seeds=2))
    tun, finite = tuning.DEFAULT, tuning.FINITE.replace(steps=60)
    monkeypatch.setattr(tuning, "FINITE", finite)
    monkeypatch.setattr(tuning, "DEFAULT", replace(tun, config=finite, seeds=2, optimizers=("adam",), batches=(1, 2)))
    monkeypatch.setattr(neurons, "SUCCESS_SEEDS", 2)
    monkeypatch.setattr(landscape, "DEFAULT", replace(landscape.DEFAULT, base=TrialConfig(steps=40),
                                                      optimizers=("sgd", "adam")))


def files(store: Path) -> set[str]:
    return {p.name for p in store.iterdir() if not p.name.startswith(".")}


@pytest.mark.slow
def test_a_warmed_store_serves_every_default_view_without_training(small_defaults, store_dir):
    views = warm.default_views()
    assert [v.page for v in views] == list(PAGES)
    every_page = {p.stem.removesuffix("_page") for p in (ROOT / "pages").glob("*_page.py")}
    assert every_page == set(PAGES) | set(NOTHING_TO_COMPUTE), "a page's default view is not warmed"
    rows = warm.warm(Store(store_dir), views, workers=1)
    assert [r["trained"] for r in rows] == [v.n_trials for v in views]  # an empty store: everything trained
    derived = {r["page"]: r["derived"] for r in rows}
    assert derived["depth"] >= 3 and derived["lecture"] == derived["landscape"] == 1  # tests, trace, spectrum; replay
    assert [r["trained"] for r in warm.warm(Store(store_dir), views, workers=1)] == [0] * len(views)
    before = files(store_dir)
    for page in PAGES + NOTHING_TO_COMPUTE:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.switch_page(f"pages/{page}_page.py")
        ok(at.run())
        assert not at.get("progress"), page  # nothing waited for
        assert files(store_dir) == before, f"the {page} page's default view computed {files(store_dir) - before}"


@pytest.mark.slow
def test_warm_command_line_answers_bad_input(tmp_path):
    def warm_cli(*args):
        return subprocess.run([sys.executable, "-m", "lab", "warm", "--store", str(tmp_path), *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)

    for args, message in ((["--pages", "lecture,nope"], "unknown page nope"), (["--workers", "0"], "at least 1")):
        done = warm_cli(*args)
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_the_command_line_names_the_warmed_pages():
    """`python -m lab warm --help` names the pages without importing the dashboard: the same pages, in its order."""
    assert list(warm_command.PAGES) == [v.page for v in warm.default_views()]

"""The papers page (AppTest): with nothing stored it says how to produce the table and trains nothing; with a stored
table it shows every claim with its verdict in the visitor's language, each paper's figure, and where the nets differ
when a claim does not hold."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from helpers import charts, ok, run_page

from lab.compute import papers as measuring
from lab.core.engine import train
from lab.dashboard import shell
from lab.science.papers import published
from lab.science.papers.claims import CLAIMS
from lab.storage import derived
from lab.storage.store import Store

pytestmark = pytest.mark.usefixtures("store_dir")

FIGURES = {  # small tables of the shapes lab.compute.papers keeps, one paper each
    "saxe": {"plateaus": pd.DataFrame([{"depth": d, "sigma": s, "seed": k, "steps": s ** -(d - 1) * (k + 2)}
                                       for d in (2, 3, 4) for s in (0.1, 0.2, 0.4) for k in range(2)]),
             "depth_time": pd.DataFrame([{"init": i, "depth": d, "seed": 0, "steps": 5.0 * d ** (i == "gaussian")}
                                         for i in ("orthogonal", "gaussian") for d in range(1, 7)])},
    "glorot": {"energy": pd.DataFrame([{"activation": a, "init": i, "layer": k, "energy": 3.0 ** k}
                                       for a in ("tanh", "sigmoid") for i in ("pytorch", "xavier")
                                       for k in range(1, 7)]),
               "success": pd.DataFrame([{"init": i, "depth": d, "success": 0.5, "lo": 0.4, "hi": 0.6, "n": 10}
                                        for i in ("pytorch", "xavier") for d in range(1, 6)]),
               "top_layer": pd.DataFrame({"step": np.arange(0, 50, 5), "median": 0.5, "q25": 0.4, "q75": 0.6})},
    "dauphin": {"points": pd.DataFrame({"net": "2-2-1 xor", "loss": [0.25, 0.25, 0.28], "index": [0.0, 0.1, 0.3],
                                        "grad_norm": 1e-9, "ending": ["critical", "critical", "gradient-flat"]}),
                "toy": pd.DataFrame({"method": ["newton", "newton", "saddle-free newton", "saddle-free newton"],
                                     "step": [0, 1, 0, 1], "x": [1.0, 0.0, 1.0, 0.0], "y": [0.01, 0.0, 0.01, 0.02]})},
    "fukumizu": {"stalls": pd.DataFrame({"seed": [3], "step": [400], "eliminated": [0], "overlapping": [0],
                                         "free_dims": [0], "singular": [False], "near_zero": [9]})},
    "choi": {"gap": pd.DataFrame([{"rmsprop_vs_sgd": 1e-13, "sgd_vs_plain": 0.0, "moved": 9.0}]),
             "settings": pd.DataFrame([{"task": t, "side": s, "setting": f"{s} {k}", "pick": 0.5, "report": 0.5}
                                       for t in ("xor", "and_d3") for s in ("adam", "momentum") for k in range(2)])},
    "schmidt": {"settings": pd.DataFrame([{"task": t, "side": s, "setting": f"{s} {k}", "pick": 0.5, "report": 0.5}
                                          for t in ("xor", "and_d3") for s in ("defaults", "tuned")
                                          for k in range(2)])},
}


@pytest.fixture(autouse=True)
def shipped_dir(monkeypatch, tmp_path):
    """Where the page looks for the shipped table: an empty folder unless a test publishes into it."""
    monkeypatch.setattr(published, "MEASURED", tmp_path / "shipped")
    return tmp_path / "shipped"


def claim_rows(paper: str) -> list[dict]:
    """Rows for `paper`'s claims: the first holds, the rest "does not hold here"."""
    mine = [c for c in CLAIMS if c.paper == paper]
    inside = [c.holds[0] if math.isfinite(c.holds[0]) else c.holds[1] for c in mine]
    return [measuring.row(c.claim_id, *([inside[k]] * 3 if k == 0 else [math.nan] * 3), 10, f"note {k}")
            for k, c in enumerate(mine)]


def keep_table(store_dir, papers=tuple(FIGURES)) -> pd.DataFrame:
    """Keep rows for `papers` (every claim "does not hold here" but the first of each paper) with the anchor entry,
    as `python -m lab papers` does."""
    store = Store(store_dir)
    store.save(train(measuring.ANCHOR, [0]))
    rows = []
    for paper in papers:
        part = claim_rows(paper)
        rows += part
        derived.save_tables(store, measuring.ANCHOR, measuring.kept_name(paper, measuring.DEFAULT_SEEDS),
                            {"claims": pd.DataFrame(part, columns=list(measuring.COLUMNS)), **FIGURES[paper]})
    return pd.DataFrame(rows)


def test_empty_store_says_how_to_produce_the_table(store_dir):
    at = ok(run_page("papers"))
    assert at.title[0].value == shell.STRINGS["pap.title"][0]
    assert any("python -m lab papers" in i.value for i in at.info)
    assert charts(at) == 0
    assert not store_dir.exists() or not list(store_dir.glob("*.parquet"))  # nothing trained


@pytest.mark.parametrize("paper", list(FIGURES))
def test_each_paper_s_view(store_dir, paper):
    keep_table(store_dir)
    at = ok(run_page("papers", {"paper": paper}))
    table = at.dataframe[0].value
    assert len(table) == len(CLAIMS)
    assert set(table["verdict"]) == {"holds", "does not hold here"}
    assert charts(at) == {"saxe": 2, "glorot": 3, "dauphin": 2, "fukumizu": 0, "choi": 1, "schmidt": 1}[paper]
    said = " ".join(m.value for m in at.markdown)
    assert shell.STRINGS[f"pap.{paper}.claim"][0] in said
    differ = shell.STRINGS[f"pap.{paper}.differ"][0]
    if sum(c.paper == paper for c in CLAIMS) > 1:  # one of its claims does not hold: how the nets differ is shown
        assert differ in said
    elif differ:  # its only claim holds
        assert differ not in said
    assert at.query_params.get("paper") == (None if paper == "saxe" else paper)  # the default left out


def test_japanese_view_and_a_paper_not_stored_yet(store_dir):
    keep_table(store_dir, papers=("saxe", "glorot"))
    at = ok(run_page("papers", {"lang": "ja", "paper": "dauphin"}))
    table = at.dataframe[0].value
    assert list(table.columns) == [shell.STRINGS[f"pcol.{c}"][1] for c in
                                   ("claim_id", "expected", "measured", "ci", "n", "verdict")]
    assert set(table["判定"]) == {"成り立つ", "ここでは成り立たない"}
    assert any("dauphin" in c.value for c in at.caption)  # the missing papers named with the command
    assert any("python -m lab papers --only dauphin" in i.value for i in at.info)


def ship(shipped_dir, digest=None) -> None:
    """Publish a table of every paper into the page's shipped folder, as `python -m lab papers --publish` does."""
    about = {"date": "2026-12-07", "commit": "abc123", "torch": "2.13.0+cpu", "machine": "a test CPU, 2 cores",
             "seeds": 100, "claims_digest": digest or published.claims_digest()}
    published.write(shipped_dir, about, {p: {"claims": pd.DataFrame(claim_rows(p), columns=list(measuring.COLUMNS)),
                                             **FIGURES[p]} for p in FIGURES})


@pytest.mark.parametrize("lang", [0, 1])
def test_a_fresh_store_shows_the_shipped_table_and_trains_nothing(store_dir, shipped_dir, lang):
    ship(shipped_dir)
    at = ok(run_page("papers", {"paper": "glorot", **({"lang": "ja"} if lang else {})}))
    assert len(at.dataframe[0].value) == len(CLAIMS)
    assert charts(at) == 3
    said = shell.STRINGS["pap.shipped"][lang].split("{")[0]
    assert any(i.value.startswith(said) and "a test CPU, 2 cores" in i.value and "2026-12-07" in i.value
               and "python -m lab papers" in i.value for i in at.info)
    notes = [m.value for m in at.markdown if "note 0" in m.value]
    assert notes and all((shell.STRINGS["pap.note_lang"][1] in n) == bool(lang) for n in notes)
    assert not store_dir.exists() or not list(store_dir.glob("*.parquet"))  # nothing trained


def test_the_store_s_table_comes_before_the_shipped_one(store_dir, shipped_dir):
    ship(shipped_dir)
    keep_table(store_dir, papers=("saxe",))
    at = ok(run_page("papers"))
    assert any("saxe" not in c.value and "dauphin" in c.value for c in at.caption)  # the shipped papers named
    assert any(i.value.startswith(shell.STRINGS["pap.shipped"][0].split("{")[0]) for i in at.info)


def test_a_table_shipped_for_another_claims_file_is_not_shown(store_dir, shipped_dir):
    ship(shipped_dir, digest="0000000000")
    at = ok(run_page("papers"))
    assert any("python -m lab papers" in i.value for i in at.info) and charts(at) == 0

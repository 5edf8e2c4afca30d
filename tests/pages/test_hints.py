"""Every page opens with one line on what to look at, in both languages: `shell.hint(key)` once, right under the
page's introduction."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lab.dashboard import shell

PAGES = sorted((Path(__file__).resolve().parents[2] / "pages").glob("*_page.py"))


def calls(tree, name):
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == name and isinstance(node.func.value, ast.Name)
            and node.func.value.id in ("st", "shell")]


@pytest.mark.parametrize("path", PAGES, ids=[p.stem for p in PAGES])
def test_each_page_says_what_to_look_at(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hints = calls(tree, "hint")
    assert len(hints) == 1, f"{path.name}: one shell.hint"
    key = hints[0].args[0].value
    english, japanese = shell.STRINGS[key]
    assert english.startswith("What to look at: ") and japanese.startswith("見どころ：")
    intro = next(c for c in calls(tree, "markdown") if "intro" in ast.unparse(c))
    assert hints[0].lineno == intro.end_lineno + 1  # right under the introduction

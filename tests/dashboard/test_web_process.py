"""The web process shares Python's interpreter lock in short turns, so its event loop answers every visitor while
many page scripts run (the latency under load itself is measured by bench/bench_class.py, scenario cold-compare)."""

from __future__ import annotations

import ast
import sys

from helpers import ROOT

from lab.dashboard import interpreter


def test_sharing_the_interpreter_shortens_the_switch_interval_only():
    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)  # Python's default
        interpreter.share_the_interpreter()
        assert sys.getswitchinterval() <= interpreter.SWITCH_S
        sys.setswitchinterval(0.0001)  # shorter already: left as it is
        interpreter.share_the_interpreter()
        assert sys.getswitchinterval() < interpreter.SWITCH_S
    finally:
        sys.setswitchinterval(before)


def test_every_run_of_the_app_shares_the_interpreter_first():
    main = next(f for f in ast.parse((ROOT / "app.py").read_text(encoding="utf-8")).body
                if isinstance(f, ast.FunctionDef) and f.name == "main")
    calls = [ast.unparse(node.value.func) for node in main.body
             if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)]
    assert calls[0] == "interpreter.share_the_interpreter", calls

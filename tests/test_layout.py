"""The repository's shape: lab/ stays free of Streamlit, and a newcomer's commands and CI script are in place."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAB = ROOT / "lab"
STREAMLIT = {LAB / "dashboard" / "shell.py", LAB / "dashboard" / "compute.py"}  # the only streamlit users
VISITOR = LAB / "dashboard" / "visitor.py"  # a client of the server: Streamlit's wire format (streamlit.proto) only

DASHBOARD_COMMAND = (
    "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/streamlit run app.py"
)
TEST_COMMAND = ("python3 -m venv .venv && .venv/bin/pip install -r requirements-dev.txt && "
                ".venv/bin/pip install --no-deps lifelines==0.30.3 && .venv/bin/python -m pytest")


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every module a Python file imports (absolute imports only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value.split(".")[0])
    return names


def test_lab_never_imports_streamlit():
    modules = sorted(LAB.rglob("*.py"))
    assert modules, "lab/ has no modules"
    offenders = [
        str(path.relative_to(ROOT))
        for path in modules
        if path not in STREAMLIT | {VISITOR} and "streamlit" in imported_modules(path)
    ]
    assert not offenders, (
        f"only lab/dashboard/shell.py and compute.py may import streamlit; also imported by: {offenders}"
    )
    tree = ast.parse(VISITOR.read_text(encoding="utf-8"))
    used = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module} | \
        {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    beyond = sorted(m for m in used if m.split(".")[0] == "streamlit" and not m.startswith("streamlit.proto."))
    assert not beyond, f"lab/dashboard/visitor.py may import only streamlit.proto; also {beyond}"


def test_import_check_sees_streamlit(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("import os\nif True:\n    from streamlit.testing import v1\n", encoding="utf-8")
    assert "streamlit" in imported_modules(source)
    source.write_text("import importlib\nst = importlib.import_module('streamlit')\n", encoding="utf-8")
    assert "streamlit" in imported_modules(source)
    source.write_text("from . import streamlit_free\nimport torch\n", encoding="utf-8")
    assert "streamlit" not in imported_modules(source)


def test_readme_opens_with_the_two_commands():
    head = "\n".join((ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:6])
    assert head.startswith("# ")
    assert DASHBOARD_COMMAND in head
    assert TEST_COMMAND in head


def test_ci_script_is_valid_bash():
    script = ROOT / ".ci" / "run"
    assert script.is_file()
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    result = subprocess.run([bash, "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "python -m pytest" in script.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-dev.txt"])
def test_requirements_are_pinned(name):
    lines = [line.split("#")[0].strip() for line in (ROOT / name).read_text(encoding="utf-8").splitlines()]
    for line in filter(None, lines):
        assert line.startswith("-r ") or re.fullmatch(r"[A-Za-z0-9_.\-]+==[\w.+]+", line), f"{name}: not pinned: {line}"


def test_a_spawned_worker_runs_nothing_of_the_app():
    """A spawned process imports its parent's main module as `__mp_main__`; under Streamlit that is app.py, so the
    server's workers must import neither Streamlit nor the dashboard from it, and run no page."""
    app_modules = ("streamlit", "lab.dashboard.compute", "lab.dashboard.shell")
    probe = ("import runpy, sys; runpy.run_path('app.py', run_name='__mp_main__'); "
             f"print(sorted(m for m in {app_modules!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]" and "streamlit run" not in done.stderr

"""The house's rules, checked from the sources: imports run one way (pages → dashboard → science / storage → core),
no import cycle, no underscored name imported across modules, parsing a page's URL loads no training code, no long
files, and pages/ can never be run bare by a deep link."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAB = ROOT / "lab"
MAX_LINES = 350

# a package may import its own modules and those of lower rank; packages of equal rank are siblings (no imports)
RANK = {"core": 0, "science": 1, "storage": 1, "compute": 2, "dashboard": 3, "cli": 4}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def lab_imports(path: Path, top_level_only: bool = False) -> set[str]:
    """The lab modules a file imports (`from lab.x import y` counts lab.x.y when that is a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("lab"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lab") and node.level == 0:
            found.add(node.module)
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                if (ROOT / Path(*candidate.split("."))).with_suffix(".py").exists():
                    found.add(candidate)
    return found


def lab_files() -> list[Path]:
    return sorted(LAB.rglob("*.py"))


def package(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else None


def test_imports_run_one_way():
    wrong = []
    for path in lab_files():
        here = package(module_name(path))
        for target in lab_imports(path):
            there = package(target)
            if here is None or there is None or here == there:
                continue
            if RANK[there] >= RANK[here]:
                wrong.append(f"{module_name(path)} -> {target}")
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        wrong += [f"{path.name} -> {t}" for t in lab_imports(path) if package(t) in ("cli",)]
    assert not wrong, "imports against the layers (pages → dashboard → science / storage → core):\n" + "\n".join(wrong)


def test_no_import_cycle():
    graph = {module_name(p): {t for t in lab_imports(p, top_level_only=True) if t != module_name(p)}
             for p in lab_files()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join(stack[stack.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node)


def test_no_underscored_name_is_imported_across_modules():
    offenders = []
    for path in [*lab_files(), *sorted((ROOT / "pages").glob("*.py")), ROOT / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lab"):
                offenders += [f"{path.relative_to(ROOT)}: {a.name}" for a in node.names
                              if a.name.startswith("_") and not a.name.startswith("__")]
    assert not offenders, offenders


def test_parsing_a_page_url_loads_no_training_code():
    states = sorted(p.stem for p in (LAB / "dashboard" / "state").glob("*.py") if p.stem != "__init__")
    code = "; ".join(f"import lab.dashboard.state.{s}" for s in states) + (
        "; import sys; print(sorted(m for m in sys.modules if m.startswith(('lab.core.engine', 'lab.storage.store', "
        "'lab.storage.sweep', 'lab.storage.service', 'streamlit'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", f"importing the page states loaded: {out.strip()}"


def test_the_web_process_never_loads_pytorch():
    """Every page of the dashboard, run as the server runs it, and every module it imports leave PyTorch unloaded:
    training and what needs PyTorch happen in the workers (lab/dashboard/jobs.py)."""
    pages = sorted(p.stem for p in (ROOT / "pages").glob("*_page.py"))
    code = (
        "import sys, ast, pathlib\n"
        "from streamlit.testing.v1 import AppTest\n"
        "import lab.dashboard.compute, lab.dashboard.shell, lab.dashboard.jobs, lab.dashboard.serve\n"
        "for page in sys.argv[1:]:\n"
        "    tree = ast.parse(pathlib.Path(f'pages/{page}.py').read_text(encoding='utf-8'))\n"
        "    for node in ast.walk(tree):\n"
        "        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith('lab'):\n"
        "            __import__(node.module)\n"
        "        elif isinstance(node, ast.Import):\n"
        "            [__import__(a.name) for a in node.names if a.name.startswith('lab')]\n"
        "at = AppTest.from_file('app.py', default_timeout=120)\n"
        "at.switch_page('pages/results_page.py')\n"
        "at.run()\n"
        "assert not at.exception, at.exception\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'torch')[:5])\n")
    env = {**os.environ, "LAB_STORE": str(ROOT / "test-output" / "no-torch-store")}
    out = subprocess.run([sys.executable, "-c", code, *pages], cwd=ROOT, capture_output=True, text=True, env=env,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == "[]", f"the web process loaded PyTorch: {out.stdout.strip()}"


def test_no_file_is_too_long():
    files = [*ROOT.glob("lab/**/*.py"), *ROOT.glob("pages/*.py"), *ROOT.glob("tests/**/*.py"),
             *ROOT.glob("bench/*.py"), ROOT / "app.py"]
    long = {str(f.relative_to(ROOT)): n for f in files if (n := len(f.read_text(encoding="utf-8").splitlines()))
            > MAX_LINES}
    assert not long, f"files over {MAX_LINES} lines: {long}"


def test_no_page_file_is_also_a_url_path():
    """A fresh server runs pages/<stem>.py bare for a link /<stem> until the navigation has run once, so no file
    stem of pages/ may equal a URL path; and app.py serves every file of pages/."""
    calls = [n for n in ast.walk(ast.parse((ROOT / "app.py").read_text(encoding="utf-8")))
             if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "Page"]
    files = {Path(c.args[0].value) for c in calls}
    paths = {k.value.value for c in calls for k in c.keywords if k.arg == "url_path"}
    assert files == {p.relative_to(ROOT) for p in (ROOT / "pages").glob("*.py")}
    stems = {f.stem for f in files}
    assert not stems & (paths | {"", "lecture"}), stems & paths


def test_the_checks_see_what_they_check(tmp_path):
    """The import reader finds nested and aliased lab imports, and the layer rule flags an upward import."""
    source = tmp_path / "m.py"
    source.write_text("import os\ndef f():\n    from lab.dashboard import compute\nimport lab.core.engine as e\n",
                      encoding="utf-8")
    found = lab_imports(source)
    assert {"lab.dashboard", "lab.dashboard.compute", "lab.core.engine"} <= found
    assert RANK[package("lab.dashboard.compute")] > RANK[package("lab.core.engine")]

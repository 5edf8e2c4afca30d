"""The house's rules, checked from the sources, in one place: imports run one way (pages → dashboard → compute →
science / storage → core; the command line on top), no import cycle, no underscored name imported across modules,
Streamlit only in lab/dashboard and no private Streamlit API, parsing a page's URL loads no training code, every page
has its folder and its state follows the page-state contract, every path and dotted name the README and the sources
mention exists, long files are flagged (a warning: a file holds one idea, not a number of lines), pages/ can never be
run bare by a deep link, and a newcomer's commands and the CI script are in place."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAB = ROOT / "lab"
DASHBOARD = LAB / "dashboard"
VISITOR = DASHBOARD / "visitor.py"  # a client of the server: Streamlit's wire format (streamlit.proto) only
LONG_LINES = 400  # a file this long is worth a second look: does it still hold one idea?
PAGES = ("lecture", "optimizers", "depth", "generalization", "tuning", "neurons", "landscape", "results", "classrun",
         "papers")

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


def python_files() -> list[Path]:
    return [*lab_files(), *sorted(ROOT.glob("pages/*.py")), *sorted(ROOT.glob("tests/**/*.py")),
            *sorted(ROOT.glob("bench/*.py")), ROOT / "app.py"]


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
    code = "; ".join(f"import lab.dashboard.{page}.state" for page in PAGES) + (
        "; import sys; print(sorted(m for m in sys.modules if m.startswith(('lab.core.engine', 'lab.storage.store', "
        "'lab.compute.sweep', 'lab.compute.service', 'streamlit'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", f"importing the page states loaded: {out.strip()}"


def test_the_web_process_never_loads_pytorch():
    """Every page of the dashboard, run as the server runs it, and every module it imports leave PyTorch unloaded:
    training and what needs PyTorch happen in the workers (lab/compute/jobs.py)."""
    pages = sorted(p.stem for p in (ROOT / "pages").glob("*_page.py"))
    code = (
        "import sys, ast, pathlib\n"
        "from streamlit.testing.v1 import AppTest\n"
        "import lab.dashboard.work, lab.dashboard.shell, lab.compute.jobs, lab.dashboard.serve\n"
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


def test_long_files_are_flagged():
    """A warning, not a failure: a long file is a prompt to ask whether it holds two ideas."""
    long = {str(f.relative_to(ROOT)): n for f in python_files()
            if (n := len(f.read_text(encoding="utf-8").splitlines())) > LONG_LINES}
    if long:
        warnings.warn(f"files over {LONG_LINES} lines (does each still hold one idea?): {long}", stacklevel=1)


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
    source.write_text("import os\ndef f():\n    from lab.dashboard import work\nimport lab.core.engine as e\n",
                      encoding="utf-8")
    found = lab_imports(source)
    assert {"lab.dashboard", "lab.dashboard.work", "lab.core.engine"} <= found
    assert RANK[package("lab.dashboard.work")] > RANK[package("lab.compute.service")] > RANK[package("lab.core.config")]


# ---- the repository's shape ------------------------------------------------------------------------------------------
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


def test_only_the_dashboard_imports_streamlit():
    modules = sorted(LAB.rglob("*.py"))
    assert modules, "lab/ has no modules"
    offenders = [str(path.relative_to(ROOT)) for path in modules
                 if DASHBOARD not in path.parents and "streamlit" in imported_modules(path)]
    assert not offenders, f"only lab/dashboard may import streamlit; also imported by: {offenders}"
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
        assert line.startswith(("-r ", "--find-links https://download.pytorch.org/whl/cpu/torch/")) \
            or re.fullmatch(r"[A-Za-z0-9_.\-]+==[\w.+]+", line), f"{name}: not pinned: {line}"


def test_a_spawned_worker_runs_nothing_of_the_app():
    """A spawned process imports its parent's main module as `__mp_main__`; under Streamlit that is app.py, so the
    server's workers must import neither Streamlit nor the dashboard from it, and run no page."""
    app_modules = ("streamlit", "lab.dashboard.work", "lab.dashboard.shell")
    probe = ("import runpy, sys; runpy.run_path('app.py', run_name='__mp_main__'); "
             f"print(sorted(m for m in {app_modules!r} if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]" and "streamlit run" not in done.stderr


def test_no_private_streamlit_api():
    """Streamlit's underscored names change without notice between releases: the app uses its public API only."""
    private = re.compile(r"(from streamlit[\w.]* import [^\n]*\b_\w+|streamlit[\w.]*\._\w+"
                         r"|\b(st|vega_charts)\._[a-z]\w*)")
    sources = [*lab_files(), *ROOT.glob("pages/*.py"), ROOT / "app.py"]
    used = [f"{path.relative_to(ROOT)}: {m.group(0)}" for path in sources
            for m in private.finditer(path.read_text(encoding="utf-8"))]
    assert not used, used


def test_every_page_has_its_folder():
    """One folder per page (its state and texts; tables and charts where it has its own) under lab/dashboard, a thin
    script pages/<page>_page.py over it, and no page importing another's folder (what two pages share is in
    lab/dashboard/shared)."""
    for page in PAGES:
        folder = DASHBOARD / page
        assert {"__init__.py", "state.py", "texts.py"} <= {p.name for p in folder.glob("*.py")}, page
        sources = [*folder.glob("*.py"), ROOT / "pages" / f"{page}_page.py"]
        others = {target.split(".")[2] for path in sources for target in lab_imports(path)
                  if target.startswith("lab.dashboard.") and target.split(".")[2] in PAGES} - {page}
        assert not others, f"the {page} page imports the folders of {sorted(others)}"
        assert (ROOT / "pages" / f"{page}_page.py").is_file(), page
    folders = {p.parent.name for p in DASHBOARD.glob("*/state.py")}
    assert folders == set(PAGES), folders ^ set(PAGES)


NAMED_PATH = re.compile(r"(?<![\w/.-])((?:lab|tests|bench|pages)/[\w/]+\.(?:py|js|css))\b")
DOTTED = re.compile(r"(?<![\w.\"'])(lab(?:\.[A-Za-z]\w*)+)")  # not a quoted name (a logger's, a component's)


def defined_names(module: Path) -> set[str]:
    """The names a module defines at its top level (functions, classes, assignments, imports)."""
    names = set()
    for node in ast.parse(module.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def resolves(dotted: str) -> bool:
    """Whether `lab.x.y.name` names a module of the tree, or a top-level name of one."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:cut])
        module = base.with_suffix(".py") if base.with_suffix(".py").is_file() else base / "__init__.py"
        if module.is_file():
            rest = parts[cut:]
            return not rest or rest[0] in defined_names(module) or (base.is_dir() and (base / rest[0]).exists())
    return False


def dead_references(text: str) -> list[str]:
    dead = [path for path in NAMED_PATH.findall(text) if not (ROOT / path).exists()]
    return dead + [name for name in DOTTED.findall(text) if not resolves(name.rstrip("."))]


def test_every_named_path_and_dotted_name_exists():
    """The README and every source file (docstrings, comments, strings) name only modules, files and names that exist:
    the map stays true when code moves."""
    dead = {}
    for path in [ROOT / "README.md", *(p for p in python_files() if p != Path(__file__).resolve())]:
        found = dead_references(path.read_text(encoding="utf-8"))
        if found:
            dead[str(path.relative_to(ROOT))] = sorted(set(found))
    assert not dead, dead


def test_the_reference_check_sees_what_it_checks():
    assert dead_references("see lab/core/engine.py and lab.core.engine.train") == []
    assert dead_references("see lab/core/nothing.py, lab.core.engine.nothing and lab.nothing") == [
        "lab/core/nothing.py", "lab.core.engine.nothing", "lab.nothing"]


def test_test_files_have_unique_names():
    """The test folders are not packages, so pytest imports each test file by its bare name: two files of one name
    in different folders stop the whole suite at collection."""
    names = [path.name for path in ROOT.glob("tests/**/*.py")]
    assert sorted({n for n in names if names.count(n) > 1}) == []

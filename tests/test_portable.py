"""Windows and macOS: every module of the `lab` package imports where POSIX-only modules are missing, and no lab code
imports one or reads `/proc` (Linux only) anywhere, not even inside a function."""

from __future__ import annotations

import ast
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import lab

ROOT = Path(__file__).resolve().parent.parent
POSIX_ONLY = ("fcntl", "resource", "termios", "pwd", "grp", "posix", "tty", "pty", "syslog")
HIDDEN = ("fcntl", "resource", "termios")  # made unimportable in the subprocess below

# Runs in a fresh interpreter: hide the POSIX-only modules (a None in sys.modules makes `import fcntl` raise
# ImportError, as on Windows), then import every module of the package. `lab.__main__` runs the command line when
# imported: it is imported with `--help`, which must exit 0.
IMPORT_ALL = f"""
import importlib, pkgutil, sys, warnings
for name in {HIDDEN!r}:
    sys.modules[name] = None
warnings.filterwarnings("ignore", message="only soft file lock is available")  # filelock without fcntl
import lab
names = sorted(m.name for m in pkgutil.walk_packages(lab.__path__, "lab."))
for name in names:
    if name == "lab.__main__":
        sys.argv = ["lab", "--help"]
        try:
            importlib.import_module(name)
        except SystemExit as exit:
            assert exit.code == 0, exit.code
        continue
    importlib.import_module(name)
hidden = [name for name in {HIDDEN!r} if sys.modules.get(name) is not None]
assert not hidden, hidden
print("imported", len(names), *names)
"""


def lab_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(lab.__path__, "lab."))


@pytest.mark.slow
def test_every_module_imports_without_posix_only_modules():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))
    proc = subprocess.run([sys.executable, "-c", IMPORT_ALL], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    imported = proc.stdout.splitlines()[-1].split()
    assert imported[0] == "imported" and imported[2:] == lab_modules()
    assert {"lab.storage.store", "lab.cli", "lab.cli.sweep", "lab.compute.sweep", "lab.__main__"} <= set(imported[2:])


def _posix_only_uses(path: Path) -> list[str]:
    """`import fcntl`, `from resource import ...` (at any depth) and string constants naming /proc, with lines."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] if node.level == 0 else []
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("/proc"):
            found.append(f"{path.name}:{node.lineno}: {node.value!r}")
            continue
        else:
            continue
        found += [f"{path.name}:{node.lineno}: import {n}" for n in names if n.split(".")[0] in POSIX_ONLY]
    return found


def test_no_lab_source_imports_a_posix_only_module_or_reads_proc():
    sources = sorted(Path(lab.__file__).parent.rglob("*.py"))
    assert len(sources) == len(lab_modules()) + 1  # every module, and the package's __init__
    found = [use for path in sources for use in _posix_only_uses(path)]
    assert found == []


def test_the_scan_finds_what_it_looks_for(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import os\n\ndef f():\n    import fcntl\n    from resource import getrusage\n"
                      "    return open('/proc/self/status')\n")
    assert _posix_only_uses(sample) == ["sample.py:4: import fcntl", "sample.py:5: import resource",
                                        "sample.py:6: '/proc/self/status'"]

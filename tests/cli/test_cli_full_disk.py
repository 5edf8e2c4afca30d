"""A full disk under the store, for real: a write that fails mid-sweep ends with one line naming the cause and what was
kept (exit code 2), the store's other entries intact, no temporary file left, and a rerun trains only the rest.

Two ways to fill a disk: a small tmpfs mounted for the test and filled up (needs root allowed to mount: as CI runs),
and, needing no privileges, a file-size limit on the command's process (RLIMIT_FSIZE: its writes past the limit fail
with EFBIG). Each first shows that a write there really fails."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import engine_run

from lab import cli
from lab.core.config import TrialConfig
from lab.storage.store import Store

ROOT = Path(__file__).resolve().parents[2]
POSIX = pytest.mark.skipif(os.name != "posix", reason="tmpfs and RLIMIT_FSIZE are POSIX's")
STORED = [TrialConfig(steps=20), TrialConfig(steps=20, depth=2)]  # entries there before, which must stay intact
# two configs of one shape: one unit, whose two entries are saved one after the other
SWEEP = ["sweep", "--lrs", "0.3,0.4", "--steps", "20", "--seeds", "2", "--workers", "1", "--quiet"]
NEW = [TrialConfig(steps=20, lr=0.3), TrialConfig(steps=20, lr=0.4)]


def entry_size(tmp_path: Path) -> int:
    """The bytes of one new config's entry (both are about this size)."""
    store = Store(tmp_path / "measure")
    store.save(engine_run(NEW[0], (0, 1)))
    return store.path(NEW[0].key()).stat().st_size


def files(root: Path) -> dict[str, bytes]:
    """The store's files and their bytes, but for its lock files (empty; made as writers come)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.name.endswith(".lock")}


def one_line(code: int, err: str) -> str:
    assert code == 2, err
    assert err.startswith("error: --store: ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err[:-1]


@pytest.fixture
def tmpfs(tmp_path):
    """A 1 MiB tmpfs, unmounted after the test."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root: test_a_file_size_limit_mid_sweep shows the same without privileges")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"this root may not mount a tmpfs ({done.stderr.decode().strip()}): "
                    "test_a_file_size_limit_mid_sweep shows the same without privileges")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


@POSIX
def test_a_full_disk_mid_sweep_keeps_what_was_saved(capsys, tmp_path, tmpfs):
    size = entry_size(tmp_path)
    store = Store(tmpfs / "store")
    for config in STORED:
        store.save(engine_run(config, (0, 1)))
    before = files(store.root)
    free = os.statvfs(tmpfs)
    room = size + size // 2  # one new entry fits, two do not
    filler = tmpfs / "filler"
    filler.write_bytes(b"\0" * (free.f_bavail * free.f_frsize - room))
    with pytest.raises(OSError) as full:  # first: the disk really is full for a second entry
        (tmpfs / "probe").write_bytes(b"\0" * 2 * size)
    assert full.value.errno == errno.ENOSPC
    (tmpfs / "probe").unlink()

    capsys.readouterr()
    code = cli.main([*SWEEP, "--store", str(store.root)])
    line = one_line(code, capsys.readouterr().err)
    assert "No space left on device" in line and str(store.root) in line
    assert line.endswith("stopped, the 2 trials saved before stay in the store (a rerun trains only the rest)")
    after = files(store.root)
    assert {k: v for k, v in after.items() if k in before} == before  # the other entries untouched
    saved = [c for c in NEW if Store(store.root).load(c) is not None]
    assert len(saved) == 1 and Store(store.root).load(saved[0]).seeds == [0, 1]
    assert set(after) - set(before) == {store.path(saved[0].key()).name}  # and no temporary file

    filler.unlink()  # room again: the rerun trains only the config not saved
    capsys.readouterr()
    assert cli.main([*SWEEP, "--store", str(store.root)]) == 0
    assert ": 2 to train (2 stored)" in capsys.readouterr().out.splitlines()[0]
    assert all(Store(store.root).load(c).seeds == [0, 1] for c in NEW + STORED)


def _limited(limit: int):
    """A child's set-up: files it writes may grow to `limit` bytes at most; past it a write fails (EFBIG)."""
    def start():
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return start


def _python(argv: list[str], limit: int) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
                          preexec_fn=_limited(limit))


@pytest.mark.slow
@POSIX
def test_a_file_size_limit_mid_sweep_is_one_line_and_leaves_the_store_intact(tmp_path):
    limit = entry_size(tmp_path) // 2
    store = Store(tmp_path / "store")
    for config in STORED:
        store.save(engine_run(config, (0, 1)))
    before = files(store.root)
    probe = tmp_path / "probe"
    tried = _python(["-c", f"with open({str(probe)!r}, 'wb') as f: f.write(bytes({2 * limit}))"], limit)
    assert tried.returncode != 0 and "File too large" in tried.stderr  # first: such a write really fails

    done = _python(["-m", "lab", *SWEEP, "--store", str(store.root)], limit)
    line = one_line(done.returncode, done.stderr)
    assert "File too large" in line and str(store.root) in line
    assert line.endswith("stopped, the 0 trials saved before stay in the store (a rerun trains only the rest)")
    assert files(store.root) == before  # nothing new, no temporary file

"""bench/bench_gpu.py: without a CUDA GPU it says so and exits cleanly; its CPU path (the same code) runs and agrees."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

SCRIPT = Path(__file__).resolve().parent.parent / "bench" / "bench_gpu.py"


def bench(*argv) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *argv], capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA GPU is here")
def test_without_a_gpu_it_says_so_and_exits_cleanly():
    done = bench()
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("no CUDA GPU here") and done.stdout.count("\n") == 1


def test_the_cpu_path_agrees_and_times():
    done = bench("--device", "cpu", "--steps", "120", "--trials", "300", "--agree-trials", "60", "--curve-seeds", "2",
                 "--lecture-trials", "1", "--memory-mb", "8")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "agree          : yes" in out and "max |diff| 0 " in out
    assert "300 trials x 120 steps on cpu" in out and "x faster" in out

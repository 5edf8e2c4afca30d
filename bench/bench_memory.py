"""The peak memory of a command line's whole process tree: the command and every worker it starts, their resident
memory summed, sampled every `--every` seconds (psutil). By default the run the README bounds:

    python bench/bench_memory.py                       # python -m lab run --seeds 100000 --csv <tmp>/out.csv
    python bench/bench_memory.py -- run --seeds 20000  # any other arguments of python -m lab

Prints the peak in MiB, the wall time and the command's exit code.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


def tree_rss(process: psutil.Process) -> int:
    """Resident bytes of `process` and all its descendants (those gone meanwhile count as 0)."""
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            pass
    return total


def peak_of(argv: list[str], every: float = 0.1) -> tuple[int, float, int]:
    """Run `python -m lab *argv`; its tree's peak resident bytes, the wall seconds and the exit code."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "lab", *argv], cwd=ROOT, stdout=subprocess.DEVNULL)
    watched, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        peak = max(peak, tree_rss(watched))
        time.sleep(every)
    return peak, time.perf_counter() - start, child.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=float, default=0.1, help="seconds between samples (default 0.1)")
    parser.add_argument("lab_args", nargs="*", help="python -m lab's arguments (after --)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        argv = args.lab_args or ["run", "--seeds", "100000", "--csv", str(Path(folder) / "out.csv")]
        peak, seconds, code = peak_of(argv, args.every)
    print(f"python -m lab {' '.join(argv)}")
    print(f"peak of the process tree: {peak / 2**20:.0f} MiB; {seconds:.0f} s; exit code {code}")
    return 0 if code == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())

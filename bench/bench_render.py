"""What one view of each page costs the server once its results are computed: the page's script run headless
(Streamlit's AppTest, the same script and element protos as a browser's visit) on a warmed store, first with empty
caches, then again with warm caches: the CPU time of the thread that runs the script (as the server's script threads
do; AppTest's own set-up is not counted, the workers are other processes and compute nothing on a warmed store).

    .venv/bin/python -m lab warm --store out/warm        # once
    .venv/bin/python bench/bench_render.py --store out/warm
    .venv/bin/python bench/bench_render.py --store out/warm --profile depth   # where the time goes (cProfile)

Target (design.md): a view on computed results costs at most 150 ms of server CPU with warm caches.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 150
PAGES = ("lecture", "optimizers", "depth", "generalization", "tuning", "neurons", "landscape", "papers", "results")


def view(page: str, lang: str):
    """One visit of `page`'s default view, as a new browser tab: a fresh AppTest (new session), the page's script."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.switch_page(f"pages/{page}_page.py")
    at.query_params["lang"] = lang
    return at


SPENT: list[float] = []  # CPU seconds of each script run
PROFILER = cProfile.Profile()
PROFILING = [False]


def count_script_cpu() -> None:
    """Time every script run in its own thread (Streamlit's ScriptRunner._run_script), profiled when asked."""
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    run_script = ScriptRunner._run_script

    def timed(self, rerun_data):
        start = time.thread_time()
        if PROFILING[0]:
            PROFILER.enable()
        try:
            return run_script(self, rerun_data)
        finally:
            if PROFILING[0]:
                PROFILER.disable()
            SPENT.append(time.thread_time() - start)

    ScriptRunner._run_script = timed


def cpu_ms(page: str, lang: str) -> tuple[float, bool]:
    at = view(page, lang)
    SPENT.clear()
    at.run()
    return 1000 * sum(SPENT), not at.exception


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", required=True, help="a store warmed with `python -m lab warm --store DIR`")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated pages (default: all)")
    parser.add_argument("--repeat", type=int, default=5, help="warm views per page and language (default: 5)")
    parser.add_argument("--profile", metavar="PAGE", help="print the top functions of one warm view of PAGE")
    args = parser.parse_args()
    os.environ["LAB_STORE"] = str(Path(args.store).resolve())
    pages = [p for p in args.pages.split(",") if p]
    count_script_cpu()
    if args.profile:
        cpu_ms(args.profile, "en")  # caches filled
        PROFILING[0] = True
        cpu_ms(args.profile, "en")
        pstats.Stats(PROFILER).sort_stats("cumulative").print_stats(45)
        return 0
    print(f"server CPU per view of each page's default view, store {args.store}; target <= {TARGET_MS} ms warm")
    print(f"{'page':<15}{'lang':<6}{'cold ms':>9}{'warm median':>13}{'warm max':>10}  target")
    worst = 0.0
    for page in pages:
        for lang in ("en", "ja"):
            cold, fine = cpu_ms(page, lang)
            warm = [cpu_ms(page, lang) for _ in range(args.repeat)]
            fine = fine and all(ok for _, ok in warm)
            median = statistics.median(ms for ms, _ in warm)
            worst = max(worst, median)
            verdict = ("met" if median <= TARGET_MS else "NOT met") if fine else "EXCEPTION"
            print(f"{page:<15}{lang:<6}{cold:>9.0f}{median:>13.0f}{max(ms for ms, _ in warm):>10.0f}  {verdict}",
                  flush=True)
    print(f"worst warm median: {worst:.0f} ms ({'met' if worst <= TARGET_MS else 'not met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`python -m lab serve`: a class's server in one command. It fills the store with every page's default view
(`python -m lab warm`), starts the dashboard (`streamlit run app.py`, any further `--server.*` options passed on) and,
once the server answers, opens every page once in each language as a browser would: the server has then imported its
libraries and holds every page's results and charts in memory before the first student arrives. Then it prints
"ready: <link>". `--open-only` just opens every page of a server already running (after a restart, say)."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from lab.dashboard.visitor import PAGES

ROOT = Path(__file__).resolve().parents[2]  # where app.py and .streamlit/ are
LANGS = ("en", "ja")


def wait_healthy(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return True
        except OSError:
            pass
        time.sleep(0.25)
    return False


def open_every_page(port: int, timeout: float, pages=None, out=None) -> bool:
    """Load every page's default view (or those of `pages`: URL paths) in each language, one after the other; True if
    all finished without an error."""
    from lab.dashboard.visitor import visit

    start, fine, out = time.perf_counter(), True, out or sys.stdout
    for page in PAGES if pages is None else pages:
        for lang in LANGS:
            seen = asyncio.run(visit(port, page, f"lang={lang}", timeout))
            ok = seen.outcome == "finished" and not seen.exceptions
            fine &= ok
            details = [f"{seen.outcome}: {seen.error}" if seen.error else seen.outcome, *seen.exceptions]
            problem = "" if ok else f" ({'; '.join(details)[:200]})"
            print(f"  opened /{page} ({lang}) in {seen.finished or timeout:.1f} s{problem}", file=out, flush=True)
    print(f"pages opened in {time.perf_counter() - start:.1f} s", file=out, flush=True)
    return fine


def opener(args) -> int:
    """The child that waits for the server, opens every page and says the server is ready."""
    if not wait_healthy(args.port, args.start_timeout):
        print(f"error: no server answered on port {args.port} within {args.start_timeout:.0f} s", file=sys.stderr)
        return 2
    fine = open_every_page(args.port, args.page_timeout, args.pages.split(",") if args.pages is not None else None)
    host = args.address if args.address not in (None, "", "0.0.0.0", "::") else "localhost"  # noqa: S104
    print(f"ready: http://{host}:{args.port}" + ("" if fine else " (a page failed to open: see above)"), flush=True)
    return 0 if fine else 1


def start_opener(command: list[str]) -> None:
    """Start the opener beside the server. On POSIX through a child that leaves at once, so that the opener is not
    the server's child (the server would never reap it: it would stay a zombie) but the system's."""
    if os.name != "posix":
        subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL)
        return
    pid = os.fork()
    if pid == 0:
        try:
            subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def streamlit_command(args, passed_on: list[str]) -> list[str]:
    streamlit = shutil.which("streamlit", path=str(Path(sys.executable).parent)) or "streamlit"
    address = ["--server.address", args.address] if args.address else []
    return [streamlit, "run", str(ROOT / "app.py"), "--server.headless", "true", "--server.port", str(args.port),
            *address, *passed_on]


def serve_command(args: argparse.Namespace) -> int:
    """`python -m lab serve` with its parsed arguments (lab/cli/serve.py); `args.passed_on`: the options it does not
    know, which go to `streamlit run`."""
    passed_on = args.passed_on
    if unknown := [a for a in passed_on if a.startswith("-") and not a.startswith("--server.")
                   and not a.startswith("--browser.") and not a.startswith("--client.")]:
        print(f"error: unknown option {unknown[0]} (Streamlit's --server.* options are passed on)", file=sys.stderr)
        return 2
    if not 0 < args.port < 65536 or (args.workers is not None and args.workers < 1):
        print("error: --port must be 1-65535 and --workers at least 1", file=sys.stderr)
        return 2
    if args.pages is not None and (unknown := sorted(set(args.pages.split(",")) - set(PAGES))):
        print(f"error: --pages: unknown page {', '.join(unknown)}; choose from {', '.join(PAGES)}", file=sys.stderr)
        return 2
    if args.open_only:
        return opener(args)
    if args.store:
        os.environ["LAB_STORE"] = str(Path(args.store).resolve())
    if args.workers:
        os.environ["LAB_WORKERS"] = str(args.workers)
    os.environ["LAB_SELF_WARM"] = "0"  # the store is warmed here and the opener opens the pages: not the server again
    lab = [sys.executable, "-m", "lab"]
    if not args.no_warm:
        try:
            warmed = subprocess.run([*lab, "warm", *(["--workers", str(args.workers)] if args.workers else [])])
        except KeyboardInterrupt as stop:  # Ctrl-C or SIGTERM: the warm-up (ended with this) kept what it trained
            stop.kept = "what was trained so far is in the store (run again to finish)"
            raise
        if warmed.returncode:
            return warmed.returncode
    start_opener([*lab, "serve", "--open-only", "--port", str(args.port),
                  *(["--address", args.address] if args.address else []),
                  *(["--pages", args.pages] if args.pages is not None else []),
                  "--start-timeout", str(args.start_timeout), "--page-timeout", str(args.page_timeout)])
    command = streamlit_command(args, passed_on)
    os.chdir(ROOT)  # Streamlit reads .streamlit/config.toml from the working folder
    if os.name == "posix":
        os.execvp(command[0], command)  # this process becomes the server: signals reach it directly
    return subprocess.call(command)

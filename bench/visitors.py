"""The real server for the benchmarks (`streamlit run app.py`, or `python -m lab serve`), stopped however a run ends;
the simulated visitor that loads a page over Streamlit's websocket protocol as a browser does is
lab/dashboard/visitor.py (it imports nothing else of the lab, so an older app can be measured with it too)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lab.dashboard.visitor import PAGES, Visit, visit  # noqa: E402

__all__ = ["PAGES", "ROOT", "Server", "Visit", "free_port", "visit"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- the server ----------------------------------------------------------------------------------------------------
class Server:
    """`streamlit run app.py` in `app_dir` on a localhost port, with `LAB_STORE=store`; a context manager that always
    stops it (and any worker processes it left) on exit. Output goes to `log_path`. With `serve`, the server is
    started as a teacher starts it for a class, `python -m lab serve --no-warm` (every page opened once), and is
    ready once it says so. `self_warm`: whether the server warms its own store and caches once its first visitor
    comes (LAB_SELF_WARM; off unless asked, so that a run measures what it names)."""

    def __init__(self, store: str | os.PathLike, log_path: str | os.PathLike, port: int | None = None,
                 app_dir: str | os.PathLike = ROOT, start_timeout: float = 90.0, serve: bool = False,
                 self_warm: bool = False):
        self.store, self.log_path, self.app_dir, self.serve = Path(store), Path(log_path), Path(app_dir), serve
        self.self_warm = self_warm
        self.port = port or free_port()
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen | None = None
        self.started_s: float | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        streamlit = shutil.which("streamlit", path=str(Path(sys.executable).parent)) or "streamlit"
        env = {**os.environ, "LAB_STORE": str(self.store), "PYTHONUNBUFFERED": "1",
               "LAB_SELF_WARM": "1" if self.self_warm else "0"}
        self.store.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        options = ["--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
                   "--server.fileWatcherType", "none"]  # files edited meanwhile must not change the measured code
        command = [sys.executable, "-m", "lab", "serve", "--no-warm", "--port", str(self.port), *options] \
            if self.serve else [streamlit, "run", "app.py", "--server.headless", "true", "--server.port",
                                str(self.port), *options]
        self.log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        with open(self.log_path, "ab") as log:  # the child keeps its own handle
            self.proc = subprocess.Popen(
                command, cwd=self.app_dir, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)  # Ctrl-C reaches this process only; __exit__ stops the server
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        self.started_s = time.perf_counter() - t0
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}; see {self.log_path}:\n"
                                   + self.log_tail())
            if self.serve:
                if b"\nready: " in self.log_path.read_bytes()[self.log_start:]:
                    self._wait_opener_gone(deadline)  # it was the teacher's, not the class's: not measured
                    return
            else:
                try:
                    with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                        if r.read() == b"ok":
                            return
                except OSError:
                    pass
            time.sleep(0.25)
        raise RuntimeError(f"the server was not ready within {self.start_timeout:.0f} s; "
                           f"see {self.log_path}:\n" + self.log_tail())

    def _wait_opener_gone(self, deadline: float) -> None:
        """Wait for `python -m lab serve`'s opener of this port to exit (it is not the server's child)."""
        import psutil

        mark = f"--open-only --port {self.port} "
        while time.monotonic() < deadline:
            alive = []
            for proc in psutil.process_iter(["cmdline", "status"]):
                if mark in " ".join(proc.info["cmdline"] or []) + " " and proc.info["status"] != psutil.STATUS_ZOMBIE:
                    alive.append(proc)
            if not alive:
                return
            time.sleep(0.2)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM to the server, then SIGKILL after 10 s; then the same to any of its child processes still alive."""
        if self.proc is None or self.proc.poll() is not None:
            return
        import psutil
        try:
            children = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.Error:
            children = []
        self.proc.send_signal(signal.SIGTERM if hasattr(signal, "SIGTERM") else signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        for child in children:
            try:
                child.terminate()
            except psutil.Error:
                pass
        _, alive = psutil.wait_procs(children, timeout=5)
        for child in alive:
            try:
                child.kill()
            except psutil.Error:
                pass



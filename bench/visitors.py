"""Simulated dashboard visitors: the real server (`streamlit run app.py`) and a client that loads one page over
Streamlit's websocket protocol exactly as a browser does.

A browser loading `http://HOST:PORT/<page>?<query>` fetches the page's HTML, `/_stcore/health` and
`/_stcore/host-config`, opens a websocket on `/_stcore/stream` with subprotocols `streamlit, <xsrf cookie or
PLACEHOLDER_AUTH_TOKEN>` (and no websocket pings), sends one `BackMsg.rerun_script` (a `ClientState`: query string,
URL path as `page_name`, no widget states, the browser's context) and renders the `ForwardMsg`s that come back: a
`new_session` per script run, `navigation`, `delta`s, `page_info_changed`, ... until `script_finished`. A run that ends
`FINISHED_EARLY_FOR_RERUN` is followed by the rerun the server starts by itself (st.rerun, st.switch_page), so the
page is loaded once a run ends `FINISHED_SUCCESSFULLY`.

Imports nothing from the lab: only Streamlit's protobufs, `websockets` and `psutil`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parent.parent
# what streamlit 1.67's frontend sends when it holds no XSRF cookie (ConnectionManager.getSessionTokens)
SUBPROTOCOLS = ["streamlit", "PLACEHOLDER_AUTH_TOKEN"]
ERROR_ALERT = Alert.Format.ERROR  # st.error: how app.py reports a page that failed (the traceback goes to the log)
STATUS = {ForwardMsg.FINISHED_SUCCESSFULLY: "finished", ForwardMsg.FINISHED_WITH_COMPILE_ERROR: "compile-error",
          ForwardMsg.FINISHED_EARLY_FOR_RERUN: "early-for-rerun",
          ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY: "fragment-finished"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- the server ----------------------------------------------------------------------------------------------------
class Server:
    """`streamlit run app.py` in `app_dir` on a localhost port, with `LAB_STORE=store`; a context manager that always
    stops it (and any worker processes it left) on exit. Output goes to `log_path`."""

    def __init__(self, store: str | os.PathLike, log_path: str | os.PathLike, port: int | None = None,
                 app_dir: str | os.PathLike = ROOT, start_timeout: float = 90.0):
        self.store, self.log_path, self.app_dir = Path(store), Path(log_path), Path(app_dir)
        self.port = port or free_port()
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen | None = None
        self.started_s: float | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        streamlit = shutil.which("streamlit", path=str(Path(sys.executable).parent)) or "streamlit"
        env = {**os.environ, "LAB_STORE": str(self.store), "PYTHONUNBUFFERED": "1"}
        self.store.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        with open(self.log_path, "ab") as log:  # the child keeps its own handle
            self.proc = subprocess.Popen(
                [streamlit, "run", "app.py", "--server.headless", "true", "--server.port", str(self.port),
                 "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
                 "--server.fileWatcherType", "none"],  # files edited meanwhile must not change the measured code
                cwd=self.app_dir, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
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
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        return
            except OSError:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"the server did not answer /_stcore/health within {self.start_timeout:.0f} s; "
                           f"see {self.log_path}:\n" + self.log_tail())

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


# ---- one visitor ---------------------------------------------------------------------------------------------------
@dataclass
class Visit:
    """One page load. Times are seconds from the visitor's arrival (its first HTTP request)."""

    page: str
    query: str
    arrival: float = 0.0  # seconds after the first visitor's arrival
    connected: float | None = None  # websocket open
    first_element: float | None = None  # first delta with a new element
    finished: float | None = None  # script_finished FINISHED_SUCCESSFULLY of a full run
    last_delta: float | None = None  # last delta received, also while the page stays open after finishing
    outcome: str = "pending"  # finished | timeout | error | compile-error
    error: str = ""
    exceptions: list[str] = field(default_factory=list)  # exception elements and error lines: "type: message"
    runs: int = 0  # new_session messages (script runs started) before finishing
    early_for_rerun: int = 0
    runs_after: int = 0  # script runs (full or fragment) that finished while the page stayed open
    navigation: bool = False  # a navigation message came (the app's frame, not a bare page)
    page_not_found: bool = False
    messages: int = 0
    bytes: int = 0


def _locale(query: str) -> str:
    return "ja-JP" if "lang=ja" in query.split("&") else "en-US"


def rerun_message(base_url: str, page: str, query: str) -> bytes:
    """The BackMsg a browser sends right after the websocket opens on `base_url/page?query`."""
    url = f"{base_url}/{page}" + (f"?{query}" if query else "")
    context = ContextInfo(timezone="Asia/Tokyo", timezone_offset=-540, locale=_locale(query), url=url,
                          is_embedded=False, color_scheme="light")
    state = ClientState(query_string=query, page_name=page, widget_states=WidgetStates(), context_info=context)
    return BackMsg(rerun_script=state).SerializeToString()


async def http_get(port: int, path: str, timeout: float) -> tuple[int, bytes]:
    """A minimal HTTP/1.1 GET to 127.0.0.1 (one connection, closed after): (status, body)."""
    async def get() -> tuple[int, bytes]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: */*\r\n"
                         f"Connection: close\r\n\r\n".encode())
            await writer.drain()
            data = await reader.read(-1)
        finally:
            writer.close()
        head, _, body = data.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
        return status, body
    return await asyncio.wait_for(get(), timeout)


async def visit(port: int, page: str, query: str, timeout: float = 120.0, stay_open: asyncio.Event | None = None,
                close_by: float | None = None, on_done=None) -> Visit:
    """Load `/<page>?<query>` as a browser does and wait for the page's script run to finish.

    `timeout` bounds the load (from arrival to finished). With `stay_open`, the page then stays open (reading what the
    server sends, as an open tab does) until that event is set or `close_by` (a time.monotonic() value) passes.
    `on_done(visit)` is called once the load has finished or failed. Never raises for a server's fault: failures are
    recorded in the Visit."""
    record = Visit(page=page, query=query)
    t0 = time.monotonic()
    deadline = t0 + timeout
    base = f"http://127.0.0.1:{port}"

    def now() -> float:
        return time.monotonic() - t0

    def left() -> float:
        return deadline - time.monotonic()

    def read(data: bytes, loading: bool) -> int | None:
        """Account for one ForwardMsg; the script_finished status when it is one."""
        record.messages += 1
        record.bytes += len(data)
        msg = ForwardMsg()
        msg.ParseFromString(data)
        kind = msg.WhichOneof("type")
        if kind == "delta":
            record.last_delta = now()
            if msg.delta.WhichOneof("type") == "new_element":
                if record.first_element is None:
                    record.first_element = now()
                element = msg.delta.new_element
                if element.WhichOneof("type") == "exception":
                    record.exceptions.append(f"{element.exception.type}: {element.exception.message[:300]}")
                elif element.WhichOneof("type") == "alert" and element.alert.format == ERROR_ALERT:
                    record.exceptions.append(f"error: {element.alert.body[:300]}")  # a failed page's one line
        elif kind == "new_session" and loading:
            record.runs += 1
        elif kind == "navigation":
            record.navigation = True
        elif kind == "page_not_found":
            record.page_not_found = True
        elif kind == "script_finished":
            return msg.script_finished
        return None

    try:
        path = f"/{page}" + (f"?{query}" if query else "")
        for url_path in (path, "/_stcore/health", "/_stcore/host-config"):  # what the browser asks before connecting
            status, _ = await http_get(port, url_path, max(left(), 0.01))
            if status != 200:
                raise RuntimeError(f"GET {url_path} answered {status}")
        ws = await asyncio.wait_for(
            connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=SUBPROTOCOLS, origin=base,
                    ping_interval=None, ping_timeout=None, max_size=None, close_timeout=2,
                    open_timeout=max(left(), 0.01)),
            max(left(), 0.01))
        try:
            record.connected = now()
            await ws.send(rerun_message(base, page, query))
            while record.outcome == "pending":
                if left() <= 0:
                    raise TimeoutError
                status = read(await asyncio.wait_for(ws.recv(), left()), loading=True)
                if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                    record.finished, record.outcome = now(), "finished"
                elif status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    record.early_for_rerun += 1  # the server starts the rerun itself
                elif status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    record.outcome = "compile-error"
            if on_done:
                on_done(record)
                on_done = None
            while stay_open is not None and not stay_open.is_set():
                wait = 0.5 if close_by is None else min(0.5, close_by - time.monotonic())
                if wait <= 0:
                    break
                try:
                    status = read(await asyncio.wait_for(ws.recv(), wait), loading=False)
                except TimeoutError:
                    continue
                if status is not None and status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    record.runs_after += 1
        finally:
            await ws.close()
    except TimeoutError:
        if record.outcome == "pending":
            record.outcome = "timeout"
    except asyncio.CancelledError:
        if record.outcome == "pending":
            record.outcome, record.error = "error", "cancelled"
        raise
    except Exception as exc:  # noqa: BLE001 - a visitor records what went wrong and goes on
        if record.outcome == "pending":
            record.outcome, record.error = "error", f"{type(exc).__name__}: {exc}"[:300]
    finally:
        if on_done:
            on_done(record)
    return record

"""A visitor of the dashboard without a browser: loads one page over Streamlit's websocket protocol exactly as a browser
does. `python -m lab serve` uses it to open every page once before a class arrives; bench/bench_class.py to simulate
the class.

A browser loading `http://HOST:PORT/<page>?<query>` fetches the page's HTML, `/_stcore/health` and
`/_stcore/host-config`, opens a websocket on `/_stcore/stream` with subprotocols `streamlit, <xsrf cookie or
PLACEHOLDER_AUTH_TOKEN>` (and no websocket pings), sends one `BackMsg.rerun_script` (a `ClientState`: query string,
URL path as `page_name`, no widget states, the browser's context) and renders the `ForwardMsg`s that come back: a
`new_session` per script run, `navigation`, `delta`s, `page_info_changed`, ... until `script_finished`. A run that ends
`FINISHED_EARLY_FOR_RERUN` is followed by the rerun the server starts by itself (st.rerun, st.switch_page), so the
page is loaded once a run ends `FINISHED_SUCCESSFULLY`.

Imports nothing else of the lab (only Streamlit's protobufs and `websockets`): it measures any version of the app.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState, ContextInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
from websockets.asyncio.client import connect

# the app's pages by URL path ("" = home), in the navigation's order
PAGES = ["", "class", "optimizers", "depth", "generalization", "tuning", "neurons", "landscape", "papers", "results"]
# what streamlit 1.67's frontend sends when it holds no XSRF cookie (ConnectionManager.getSessionTokens)
SUBPROTOCOLS = ["streamlit", "PLACEHOLDER_AUTH_TOKEN"]
ERROR_ALERT = Alert.Format.ERROR  # st.error: how app.py reports a page that failed (the traceback goes to the log)


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
    texts: list[str] = field(default_factory=list)  # the bodies of the markdown elements (st.markdown, st.caption)
    runs: int = 0  # new_session messages (script runs started) before finishing
    early_for_rerun: int = 0
    runs_after: int = 0  # script runs (full or fragment) that finished while the page stayed open
    navigation: bool = False  # a navigation message came (the app's frame, not a bare page)
    page_not_found: bool = False
    messages: int = 0
    bytes: int = 0
    alerts: list[str] = field(default_factory=list)  # the bodies of the alerts (st.success, st.info, st.warning, ...)
    metrics: dict[str, str] = field(default_factory=dict)  # each metric's label -> the last value it showed
    pressed: float | None = None  # when `press`'s button was pressed (its rerun sent)
    answered: float | None = None  # when the text `answer` first came after that
    refresh_bytes: list[int] = field(default_factory=list)  # bytes each auto-rerun of a fragment brought


def _locale(query: str) -> str:
    return "ja-JP" if "lang=ja" in query.split("&") else "en-US"


def rerun_message(base_url: str, page: str, query: str, widgets: list[WidgetState] | None = None,
                  fragment_id: str = "", cached=()) -> bytes:
    """The BackMsg a browser sends right after the websocket opens on `base_url/page?query`; with `widgets`, the one
    it sends when a widget changes (a button pressed); with `fragment_id`, a fragment's timed rerun. `cached`: the
    hashes of the large messages the browser keeps (the server then sends a reference instead of one it has)."""
    url = f"{base_url}/{page}" + (f"?{query}" if query else "")
    context = ContextInfo(timezone="Asia/Tokyo", timezone_offset=-540, locale=_locale(query), url=url,
                          is_embedded=False, color_scheme="light")
    state = ClientState(query_string=query, page_name=page, widget_states=WidgetStates(widgets=widgets or []),
                        context_info=context, fragment_id=fragment_id, is_auto_rerun=bool(fragment_id),
                        cached_message_hashes=sorted(cached))
    return BackMsg(rerun_script=state).SerializeToString()


def pressing(widgets: dict, button: str, values: dict) -> list[WidgetState]:
    """The widget states of pressing the button labelled `button` with the number inputs labelled as `values`' keys
    set to their values (`widgets`: label -> the widget's proto, as the page drew it)."""
    states = [WidgetState(id=widgets[button].id, trigger_value=True)]
    for label, value in values.items():
        states.append(WidgetState(id=widgets[label].id, int_value=int(value)))
    return states


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
                close_by: float | None = None, on_done=None, press: tuple[str, dict] | None = None,
                answer: str | None = None) -> Visit:
    """Load `/<page>?<query>` as a browser does and wait for the page's script run to finish.

    `timeout` bounds the load (from arrival to finished). With `press` = (a button's label, {a number input's label:
    value}), the visitor then sets those inputs and presses that button (one rerun), and waits (within `timeout`) for
    an element whose text holds `answer` (`Visit.pressed`, `Visit.answered`). With `stay_open`, the page then stays
    open (reading what the server sends, as an open tab does, and rerunning a fragment when the server asks for its
    timed reruns, as a browser does) until that event is set or `close_by` (a time.monotonic() value) passes.
    `on_done(visit)` is called once the load (and the press) has finished or failed. Never raises for a server's
    fault: failures are recorded in the Visit."""
    record = Visit(page=page, query=query)
    widgets: dict = {}  # label -> the widget's proto, as drawn
    timer: dict = {}  # the fragment's timed reruns the server asked for: interval (s), fragment (its id)
    cached: set = set()  # the hashes of the cacheable messages received
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
        if msg.metadata.cacheable and msg.hash:
            cached.add(msg.hash)  # the browser keeps it and names it in its next reruns
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
                elif element.WhichOneof("type") == "markdown":
                    record.texts.append(element.markdown.body)
                elif element.WhichOneof("type") == "alert":
                    record.alerts.append(element.alert.body)
                elif element.WhichOneof("type") == "metric":
                    record.metrics[element.metric.label] = element.metric.body
                elif element.WhichOneof("type") in ("button", "number_input"):
                    widget = getattr(element, element.WhichOneof("type"))
                    widgets[widget.label] = widget
                if answer is not None and record.pressed is not None and record.answered is None and any(
                        answer in text for text in (*record.alerts[-1:], *record.texts[-1:])):
                    record.answered = now()
        elif kind == "auto_rerun":
            timer["interval"], timer["fragment"] = msg.auto_rerun.interval, msg.auto_rerun.fragment_id
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
            if press is not None and record.outcome == "finished":
                button, values = press
                await ws.send(rerun_message(base, page, query, pressing(widgets, button, values), cached=cached))
                record.pressed = now()
                finished = False
                while record.answered is None or not finished:  # the answer, then the rest of that run
                    if left() <= 0:
                        raise TimeoutError
                    status = read(await asyncio.wait_for(ws.recv(), left()), loading=False)
                    finished = record.answered is not None and status is not None
            if on_done:
                on_done(record)
                on_done = None
            next_rerun, running, brought = None, False, 0
            while stay_open is not None and not stay_open.is_set():
                if timer and not running and next_rerun is None:
                    next_rerun = time.monotonic() + timer["interval"]
                if next_rerun is not None and time.monotonic() >= next_rerun:  # the browser's timer fires
                    await ws.send(rerun_message(base, page, query, fragment_id=timer["fragment"], cached=cached))
                    next_rerun, running, brought = None, True, record.bytes
                wait = 0.5 if close_by is None else min(0.5, close_by - time.monotonic())
                if next_rerun is not None:
                    wait = min(wait, max(0.01, next_rerun - time.monotonic()))
                if wait <= 0:
                    break
                try:
                    status = read(await asyncio.wait_for(ws.recv(), wait), loading=False)
                except TimeoutError:
                    continue
                if status is not None and status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    record.runs_after += 1
                    if running:
                        record.refresh_bytes.append(record.bytes - brought)
                        running = False
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

"""A server that warms itself: `streamlit run app.py` alone (a free host that forgets its disk when it sleeps) does
what `python -m lab serve` does before it starts. On the server's first script run, a daemon thread computes every
page's default view into the store (`lab.dashboard.warm`: only what is missing, chunk by chunk, each chunk stored at
once, so a restart on the same disk resumes) through the server's own workers (`work.service()`), one view at a time,
so that visitors' requests are queued between its pieces; then it opens every page once in each language over the
server's own port (`serve.open_every_page`), so the server's cache holds each page's results.

While the store is being filled every page shows one short line with the progress (`show_progress`, which reads a
counter). Turned off by the setting `self_warm` / LAB_SELF_WARM (`settings.self_warm`); `self_warm_pages` /
LAB_SELF_WARM_PAGES limits it to some pages. It never stops the app: an error goes to the server's log and ends the
warm-up there."""

from __future__ import annotations

import logging
import sys
import threading
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)

# the pages by name (as in `warm.default_views` and LAB_SELF_WARM_PAGES) and their URL paths, in the navigation's order
PAGES = {"neurons": "neurons", "lecture": "", "classrun": "class", "optimizers": "optimizers", "depth": "depth",
         "generalization": "generalization", "tuning": "tuning", "landscape": "landscape", "papers": "papers",
         "results": "results"}
PAGE_TIMEOUT = 300.0  # seconds one page may take to open
POLL_S = 1.0


@dataclass
class Progress:
    """What the warm-up has done: `ready` of `total` views stored; `running` until it has also opened the pages."""

    total: int = 0
    ready: int = 0
    running: bool = False

    @property
    def preparing(self) -> bool:
        return self.running and self.ready < self.total


progress = Progress()
_lock = threading.Lock()
_started = False


def pages(names: list[str] | None) -> list[str]:
    """The known page names among `names` (None: every page), in the navigation's order; unknown ones are logged."""
    if names is None:
        return list(PAGES)
    if unknown := sorted(set(names) - set(PAGES)):
        log.warning("self-warm: unknown page %s ignored; choose from %s", ", ".join(unknown), ", ".join(PAGES))
    return [name for name in PAGES if name in names]


def start_once() -> bool:
    """Start the warm-up thread, once per server process, if the setting allows (else nothing, and the next run asks
    again); whether this call started it. Call from a script run (it reads the server's port and makes sure of its
    store and workers there)."""
    global _started
    if _started:
        return False
    with _lock:
        if _started:
            return False
        _log_to_stderr()
        try:
            import streamlit as st

            from lab.dashboard import settings, warm, work

            if not settings.self_warm():  # asked again on the next run: a changed secret takes effect
                return False
            _started = True
            names = pages(settings.self_warm_pages())
            views = [view for view in warm.default_views() if view.page in names]
            port = int(st.get_option("server.port"))
            service, store = work.service(), work.store()
            progress.total, progress.ready, progress.running = len(views), 0, True
            threading.Thread(target=_run, args=(service, store, views, port, [PAGES[n] for n in names]),
                             name="lab-self-warm", daemon=True).start()
            return True
        except Exception:  # noqa: BLE001 - the app goes on without it
            progress.running = False
            log.exception("self-warm could not start")
            return False


def show_progress() -> None:
    """One short line while the store is being filled; nothing once it is (or without a warm-up)."""
    if progress.preparing:
        import streamlit as st

        from lab.dashboard.shell import tr

        st.caption(tr("selfwarm.progress", ready=progress.ready, total=progress.total))


def _wait(ticket, label: str) -> None:
    while not ticket.wait(POLL_S):
        pass
    ticket.result()


class _LogLines:
    """A text stream whose lines go to the log (what `open_every_page` prints)."""

    def __init__(self):
        self.buffer = ""

    def write(self, text: str) -> int:
        self.buffer += text
        *lines, self.buffer = self.buffer.replace("\r", "\n").split("\n")
        for line in lines:
            if line.strip():
                log.info("self-warm: %s", line.strip())
        return len(text)

    def flush(self) -> None:
        pass


def _run(service, store, views, port: int, paths: list[str]) -> None:
    from lab.dashboard import warm
    from lab.dashboard.serve import open_every_page

    start = time.perf_counter()
    try:
        log.info("self-warm: %d pages' default views into %s", len(views), store.root)
        for view in views:
            row = warm.warm_view(service, store, view, _wait, together=False)
            progress.ready += 1
            log.info("self-warm: %s: %d trials (%d trained), %d derived results, %.1f s", view.page, row["trials"],
                     row["trained"], row["derived"], row["seconds"])
        log.info("self-warm: views stored in %.1f s; opening the pages", time.perf_counter() - start)
        fine = open_every_page(port, PAGE_TIMEOUT, paths, out=_LogLines())
        log.info("self-warm: done in %.1f s%s", time.perf_counter() - start,
                 "" if fine else " (a page failed to open: see above)")
    except Exception:  # noqa: BLE001 - a thread of the server: its error is logged, the app goes on
        log.exception("self-warm failed after %.1f s; it stops here", time.perf_counter() - start)
    finally:
        progress.running = False


def _log_to_stderr() -> None:
    """This module's log lines in the server's output (Streamlit configures only its own loggers)."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False

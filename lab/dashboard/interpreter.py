"""How the web process shares its one Python interpreter: one thread per running page script beside the event loop
that answers every visitor (health checks, websocket messages)."""

from __future__ import annotations

import sys

SWITCH_S = 0.001  # how long a thread may hold Python's interpreter lock while others wait (Python's default: 5 ms)


def share_the_interpreter() -> None:
    """With many scripts running, the event loop waits for the interpreter lock about a switch interval per runnable
    thread ahead of it; a 1 ms interval, rather than Python's 5 ms, lets it answer sooner. Only ever shortens it."""
    if sys.getswitchinterval() > SWITCH_S:
        sys.setswitchinterval(SWITCH_S)

"""What the class run page's buttons do and the small things it draws from, without Streamlit: starting a class run
and joining one (the callbacks of their forms, given the session's values), a random seed, the QR code of a link, and
which bar of the histogram holds the visitor's own run. The page itself: pages/classrun_page.py."""

from __future__ import annotations

import io
import logging
import math
import random

import segno
import sqlalchemy

from lab.core import budget
from lab.dashboard import settings
from lab.dashboard.classrun import room
from lab.dashboard.classrun import state as class_state
from lab.storage import classruns

log = logging.getLogger(__name__)
NOTICE = "cls.notice"  # a refusal met in a button's callback, shown on the next run: (text key, values)


def start(values) -> None:
    """on_click of "Start a class run": the class run made in the database, the page turned into its teacher's."""
    config = class_state.from_widgets(values).config
    needed, limit = budget.work([config], 1), settings.max_work()
    if needed > limit:
        values[NOTICE] = ("budget.over", {"needed": f"{needed:,}", "limit": f"{limit:,}"})
        return
    try:
        code, secret = room.db().start(config)
    except sqlalchemy.exc.SQLAlchemyError as e:
        log.warning("class runs' database: %s", e)
        values[NOTICE] = ("class.err.database", {})
        return
    class_state.started(values, code, secret)


def join(values) -> None:
    """on_click of "Join": the class of the typed code, as a student sees it."""
    typed = values.get("cls.join.code", "")
    code = classruns.normal_code(typed)
    if code is None:
        values[NOTICE] = ("class.err.code", {"code": typed})
        return
    class_state.joined(values, code)


def random_seed(values) -> None:
    values["cls.seed"] = random.randint(0, 999_999)


def qr_png(link: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(link or "class", error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def mine_bar(bars, steps: float, never: str) -> str:
    """The label of the histogram's bar that holds the visitor's own run."""
    if math.isnan(steps):
        return never
    inside = bars[(bars["start"] <= steps) & (steps <= bars["end"]) & ~bars["never"]]
    return str(inside["label"].iloc[0]) if len(inside) else never

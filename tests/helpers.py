"""Small checks shared by the page tests."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def ok(at: AppTest) -> AppTest:
    """The app ran without an exception (listing them if not)."""
    assert not at.exception, [e.value for e in at.exception]
    return at


def charts(at: AppTest) -> int:
    """How many Altair / Vega-Lite charts the run drew."""
    return len(at.get("vega_lite_chart")) + len(at.get("arrow_vega_lite_chart"))

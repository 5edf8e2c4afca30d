"""The results page's state: the store entry the URL selects."""

from __future__ import annotations

import re

from lab.dashboard.state.params import Problem, shown


# ---- the results page and the language -----------------------------------------------------------------------------
def parse(params: dict) -> tuple[str | None, list[Problem]]:
    """A store key (20 hex digits) selecting one entry on the results page."""
    if "key" not in params:
        return None, []
    key = str(params["key"]).strip().lower()
    if re.fullmatch(r"[0-9a-f]{20}", key):
        return key, []
    return None, [Problem("key", shown(params["key"]), "must be a result key (20 hex digits)")]

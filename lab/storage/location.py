"""Where the result store lives unless told: `LAB_STORE`, else `./.lab-store`. Only the standard library, so that the
command line's help can name it without loading the store's modules."""

from __future__ import annotations

import os
from pathlib import Path


def default_root() -> Path:
    return Path(os.environ.get("LAB_STORE") or ".lab-store")

"""The claims table as the lab measured it, shipped with the repository (`MEASURED`, lab/science/papers/measured/):
each paper's rows (`claims.csv`, with the notes) and the tables its figure is drawn from (`<paper>.<table>.csv`), plus
`about.json` (when, on which machine, at which commit of the lab, with which PyTorch, for how many seeds, and the
digest of the claims file it was measured for). `python -m lab papers --publish DIR` writes it from a full run; the
Papers page shows it where the server's store holds no table of its own (a fresh host). Floats are written with
Python's shortest round-trip repr and read back exactly (pinned by a test).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from lab.science.papers import claims as claims_file

MEASURED = Path(__file__).with_name("measured")
ABOUT = "about.json"
CLAIMS = "claims.csv"
REPUBLISH = "python -m lab papers --publish lab/science/papers/measured"


def claims_digest() -> str:
    """A short hash of the claims file's text: results measured under another digest are not shown as its."""
    return hashlib.sha256(Path(claims_file.__file__).read_bytes()).hexdigest()[:10]


def write(directory: Path | str, about: dict, found: dict[str, dict]) -> list[Path]:
    """Write `found` (paper → {"claims": rows, table name → DataFrame}) and `about` into `directory`, replacing the
    CSV files a previous publish left there; the paths written."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.csv"):
        old.unlink()
    written = [directory / CLAIMS]
    pd.concat([f["claims"] for f in found.values()], ignore_index=True).to_csv(written[0], index=False)
    for paper, tables in found.items():
        for name, table in tables.items():
            if name != "claims":
                written.append(directory / f"{paper}.{name}.csv")
                table.to_csv(written[-1], index=False)
    written.append(directory / ABOUT)
    written[-1].write_text(json.dumps(about, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return written


def about(directory: Path | str | None = None) -> dict | None:
    """The publish's `about.json` (in `directory`, else `MEASURED`), or None if there is none."""
    try:
        return json.loads((Path(directory or MEASURED) / ABOUT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def read(directory: Path | str | None = None) -> dict[str, dict] | None:
    """paper → {"claims": its rows, table name → DataFrame}, as `write` left them in `directory` (else `MEASURED`);
    None if nothing is published."""
    directory = Path(directory or MEASURED)
    try:
        rows = pd.read_csv(directory / CLAIMS, keep_default_na=False,
                           na_values={c: [""] for c in ("measured", "ci_lo", "ci_hi")})
    except OSError:
        return None
    found = {paper: {"claims": part.reset_index(drop=True)} for paper, part in rows.groupby("paper", sort=False)}
    for path in sorted(directory.glob("*.*.csv")):
        paper, name = path.name.removesuffix(".csv").split(".", 1)
        if paper in found:
            found[paper][name] = pd.read_csv(path)
    return found

"""What the dashboard's pages show, computed from the store: small tables for the charts and CSV downloads.

Each function takes a `Store` and returns plain data (dataclasses of arrays and DataFrames), small enough to keep in
a bounded cache: curves are reduced to at most `MAX_POINTS` steps per series before they leave here.
"""

from __future__ import annotations

import pandas as pd

from lab.core.config import FIELD_NAMES
from lab.dashboard.shared import columns as data_dictionary
from lab.science import tidy


def readable_table(table: pd.DataFrame) -> pd.DataFrame:
    """`display_table` with intervals and counts as short texts: series, success_rate, success_ci, solved,
    steps_median, steps_iqr, final_loss, diverged."""
    def span(lo, hi, fmt):
        return "–" if pd.isna(lo) or pd.isna(hi) else f"{fmt(lo)}–{fmt(hi)}"

    def percent(x):
        return f"{100 * x:.0f}%"

    def whole(x):
        return f"{x:.0f}"

    return pd.DataFrame({
        "series": table["series"],
        "success_rate": table["success_rate"],
        "success_ci": [span(lo, hi, percent) for lo, hi in zip(table["success_lo"], table["success_hi"])],
        "solved": [f"{k}/{n}" for k, n in zip(table["solved"], table["n_trials"])],
        "steps_median": ["–" if pd.isna(x) else whole(x) for x in table["steps_median"]],
        "steps_iqr": [span(lo, hi, whole) for lo, hi in zip(table["steps_q25"], table["steps_q75"])],
        "final_loss": table["final_loss_median"],
        "diverged": table["diverged"],
    })


# ---- CSV -------------------------------------------------------------------------------------------------------
def to_csv(frame: pd.DataFrame, keep=()) -> bytes:
    """CSV bytes as every download of the dashboard has them (`tidy.csv_bytes`): UTF-8 with BOM, the columns empty in
    every row left out (but those of `keep`), float32 widened so each number reads as PyTorch's `.item()` prints
    it."""
    return tidy.csv_bytes(frame, keep)


def csv_columns(frame: pd.DataFrame) -> list[str]:
    """The columns `to_csv` writes of `frame`."""
    return list(tidy.drop_empty(frame).columns)


def column_meanings(columns, lang: str) -> list[tuple[tuple[str, ...], str]]:
    """(columns, their meaning and unit in `lang`) for each distinct column of `columns`, from the data dictionary:
    the config's settings together first, the columns it does not describe together last (pointing to the
    README's)."""
    out, settings, other = [], [], []
    for name in dict.fromkeys(columns):
        if name in data_dictionary.COLUMNS:
            english, japanese = data_dictionary.COLUMNS[name]
            out.append(((name,), japanese if lang == "ja" else english))
        else:
            (settings if name in FIELD_NAMES else other).append(name)
    def group(names, texts):
        return [(tuple(names), texts[1] if lang == "ja" else texts[0])] if names else []

    return group(settings, data_dictionary.CONFIG) + out + group(other, data_dictionary.OTHER)


def dictionary_lines(columns, lang: str) -> list[str]:
    """The data dictionary of `columns` as Markdown list items: "- `success_lo`: lower end of ... (fraction 0–1)"."""
    return [f"- {', '.join(f'`{n}`' for n in names)}: {text}" for names, text in column_meanings(columns, lang)]


CURVE_ROWS = 400_000  # the most rows a curves file the pages offer holds: under a spreadsheet's 1,048,576, ~30 MB

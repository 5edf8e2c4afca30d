"""Tidy tables out as files: what every CSV the lab offers has in common, for the dashboard and the command line alike.

- UTF-8 with a byte-order mark (Excel reads UTF-8 only with it; every other reader skips it);
- columns that are empty in every row left out (an unused optimizer setting, a test that is never undefined);
- statistics rounded to `SIGNIFICANT` significant digits, the same numbers the dashboard shows (`rounded`); measured
  values (losses per step) are written as they were measured, float32 widened so each reads as `.item()` prints it;
- a file too long for a spreadsheet (`EXCEL_ROWS`) thinned to every k-th step (`stride_for`), written in pieces
  (`csv_chunks`) so that no more than one piece is ever held.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd

BOM = "\ufeff"
ENCODING = "utf-8-sig"  # UTF-8, the byte-order mark first
SIGNIFICANT = 4
EXCEL_ROWS = 1_048_576  # a worksheet's rows, the header row among them


def widened(frame: pd.DataFrame) -> pd.DataFrame:
    """float32 columns as float64, so each number reads as PyTorch's `.item()` prints it."""
    wide = {name: "float64" for name, dtype in frame.dtypes.items() if dtype == np.float32}
    return frame.astype(wide) if wide else frame


def _empty(column: pd.Series) -> bool:
    values = column.dropna()
    text = values.dtype == object or pd.api.types.is_string_dtype(values.dtype)  # pandas 3: a str dtype of its own
    return values.empty or (text and values.astype(str).str.strip().eq("").all())


def drop_empty(frame: pd.DataFrame, keep: Iterable[str] = ()) -> pd.DataFrame:
    """The frame without the columns that are missing (or blank text) in every row, but those of `keep` (a file
    format's required columns); a frame without rows is kept."""
    if frame.empty:
        return frame
    keep = set(keep)
    return frame[[name for name in frame.columns if name in keep or not _empty(frame[name])]]


def round_significant(x, digits: int = SIGNIFICANT):
    """`x` to `digits` significant digits (0.123456 -> 0.1235, 12345.6 -> 12350); NaN and infinities stay."""
    if x is None or not isinstance(x, (int, float, np.floating, np.integer)) or isinstance(x, bool):
        return x
    x = float(x)
    return x if not math.isfinite(x) or x == 0 else float(f"{x:.{digits}g}")


def rounded(frame: pd.DataFrame, keep: Iterable[str] = (), digits: int = SIGNIFICANT) -> pd.DataFrame:
    """Every float column but those of `keep` (settings such as the learning rate) to `digits` significant digits."""
    keep = set(keep)
    out = frame.copy()
    for name, dtype in frame.dtypes.items():
        if name not in keep and pd.api.types.is_float_dtype(dtype):
            out[name] = [round_significant(x, digits) for x in frame[name].to_numpy(dtype=np.float64)]
    return out


def csv_text(frame: pd.DataFrame, header: bool = True) -> str:
    buffer = io.StringIO()
    widened(frame).to_csv(buffer, index=False, header=header, lineterminator="\n")
    return buffer.getvalue()


def csv_bytes(frame: pd.DataFrame, keep: Iterable[str] = ()) -> bytes:
    """The frame as a CSV file's bytes: UTF-8 with BOM, the columns empty in every row left out but those of
    `keep`."""
    return csv_text(drop_empty(frame, keep)).encode(ENCODING)


def csv_chunks(header: list[str], frames: Iterable[pd.DataFrame]) -> Iterator[bytes]:
    """One CSV file in pieces: the BOM and the header, then each frame's rows (in the columns of `header`)."""
    yield csv_text(pd.DataFrame(columns=header)).encode(ENCODING)
    for frame in frames:
        yield csv_text(frame[header], header=False).encode("utf-8")


def stride_for(rows_per_step: int, steps: int, limit: int = EXCEL_ROWS) -> int:
    """The smallest k such that every k-th step of `steps` (0, k, 2k, ...), at `rows_per_step` rows each, fits in
    `limit` rows with a header row."""
    if rows_per_step <= 0 or steps <= 0:
        return 1
    most = max(1, (limit - 1) // rows_per_step)  # steps that fit
    return max(1, math.ceil(steps / most))

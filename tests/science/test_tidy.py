"""The files every CSV of the lab shares: BOM, empty columns left out, rounding, thinning to a row limit, pieces."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd

from lab.science import tidy


def test_csv_bytes_bom_empty_columns_and_float32():
    frame = pd.DataFrame({"a": [1, 2], "gone": [np.nan, np.nan], "blank": ["", " "], "note": ["", "x"],
                          "loss": np.array([0.27076906, 0.1], dtype=np.float32)})
    data = tidy.csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    back = pd.read_csv(io.BytesIO(data))
    assert list(back.columns) == ["a", "note", "loss"]  # empty in every row: left out
    assert b",0.27076905965805054\n" in data  # float32 as .item() prints it (the lecture log's digits)
    assert list(pd.read_csv(io.BytesIO(tidy.csv_bytes(frame, keep=("gone",)))).columns) == ["a", "gone", "note", "loss"]


def test_rounded_to_significant_digits_but_settings():
    frame = pd.DataFrame({"lr": [0.123456], "p": [0.000123456], "steps": [12345.6], "n": [3], "x": [math.nan]})
    out = tidy.rounded(frame, keep=("lr",))
    assert out.loc[0, "lr"] == 0.123456 and out.loc[0, "p"] == 0.0001235 and out.loc[0, "steps"] == 12350
    assert out.loc[0, "n"] == 3 and math.isnan(out.loc[0, "x"])
    assert tidy.round_significant(0.30000000000000004) == 0.3 and tidy.round_significant(-2.71828) == -2.718


def test_stride_fits_the_row_limit():
    for rows_per_step, steps, limit in ((6, 100, 100), (6000, 1000, tidy.EXCEL_ROWS), (1, 10, 1000), (7, 999, 50)):
        k = tidy.stride_for(rows_per_step, steps, limit)
        assert rows_per_step * math.ceil(steps / k) + 1 <= limit  # the header row too
        assert k == 1 or rows_per_step * math.ceil(steps / (k - 1)) + 1 > limit  # the smallest such k
    assert tidy.stride_for(6000, 1000, tidy.EXCEL_ROWS) == 6


def test_chunks_make_one_file():
    pieces = [pd.DataFrame({"b": [i], "a": [i * 10]}) for i in range(3)]
    data = b"".join(tidy.csv_chunks(["a", "b"], pieces))
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    assert pd.read_csv(io.BytesIO(data)).to_dict("list") == {"a": [0, 10, 20], "b": [0, 1, 2]}

"""The stall detector: stretches where a truth-table loss curve stays high and flat (lab.science.stalls says what a
stall is and why these thresholds). It lives in the core so that the engine can reduce trials to their exact
summaries, stall statistics included, as it trains (lab.core.recording), before it drops the curves."""

from __future__ import annotations

import math

import numpy as np

# ---- thresholds (fractions of the reference loss, steps) ---------------------------------------------------------
HIGH = 0.4  # a stalled loss stays above HIGH × reference (MSE 0.1, BCE 0.277)


FLAT = 0.02  # ... and changes by less than FLAT × reference over WINDOW steps (MSE 0.005, BCE 0.0139)


WINDOW = 50  # steps


SMOOTH = 21  # steps of the centred running minimum (the lower envelope) taken first (1: none)


MIN_STEPS = 100  # the shortest stall


def reference_loss(loss_fn: str) -> float:
    """The truth-table loss of always answering 0.5: MSE 0.25, BCE ln 2 (for any task and encoding)."""
    if loss_fn == "bce":
        return math.log(2.0)
    if loss_fn == "mse":
        return 0.25
    raise ValueError(f"loss_fn must be mse or bce (got {loss_fn!r})")


# ---- stalls ---------------------------------------------------------------------------------------------------------
def check_thresholds(high, flat, window, smooth, min_steps):
    if not (high >= 0 and flat > 0):
        raise ValueError(f"high must be >= 0 and flat > 0 (got high={high}, flat={flat})")
    for name, value in (("window", window), ("smooth", smooth), ("min_steps", min_steps)):
        if int(value) != value or value < (0 if name == "min_steps" else 1):
            raise ValueError(f"{name} must be a whole number >= {0 if name == 'min_steps' else 1} (got {value})")


def running_min(values: np.ndarray, width: int, skip_nan: bool) -> np.ndarray:
    """min(values[:, t : t + width]) for every t (T - width + 1 of them), by doubling spans (min is idempotent, so
    two overlapping spans cover any width): a few passes over the array instead of `width`. `skip_nan`: NaN counts
    as missing (NaN only where a window holds nothing else), else a window with a NaN gives NaN."""
    least = np.fmin if skip_nan else np.minimum
    span, out = 1, values
    while 2 * span <= width:
        out = least(out[:, :-span], out[:, span:])  # out[:, t] = min(values[:, t : t + 2 span])
        span *= 2
    return out if span == width else least(out[:, : out.shape[1] - (width - span)], out[:, width - span:])


def smoothed(curves: np.ndarray, smooth: int) -> np.ndarray:
    """The lower envelope: a centred running minimum along axis 1 over `smooth` steps (shorter at the ends; NaN
    skipped), as pandas' `rolling(smooth, center=True, min_periods=1).min()` computes it."""
    if smooth <= 1:
        return curves
    after = (smooth - 1) // 2  # the window of step t: t - (smooth - 1 - after) .. t + after
    n = curves.shape[0]
    gap = lambda k: np.full((n, k), np.nan, dtype=curves.dtype)  # noqa: E731
    padded = np.concatenate([gap(smooth - 1 - after), curves, gap(after)], axis=1)
    return running_min(padded, smooth, skip_nan=True)


def stall_segments(curves: np.ndarray, reference: float, high: float, flat: float, window: int, smooth: int,
                    min_steps: int):
    """Every stall of every curve of a (n, T) array, as arrays (row, start, end) ordered by row, then start."""
    check_thresholds(high, flat, window, smooth, min_steps)
    curves = np.asarray(curves)
    if curves.dtype != np.float32:  # float32 curves stay float32 for the minima (each is one of the values: exact)
        curves = curves.astype(np.float64)
    n, length = curves.shape
    empty = np.zeros(0, dtype=np.int64)
    if length <= window:
        return empty, empty, empty
    low = smoothed(curves, smooth)
    s = low.astype(np.float64)  # the tests and differences in float64
    with np.errstate(invalid="ignore"):
        lowest = running_min(low, window + 1, skip_nan=False).astype(np.float64)  # min of s[t .. t + window]
        change = np.abs(s[:, window:] - s[:, :-window])
        ok = (lowest > high * reference) & (change < flat * reference)  # (n, T - window): window [t, t + window]
    # runs of stalled window starts t0 .. t1 cover steps t0 .. t1 + window
    padded = np.zeros((n, ok.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = ok
    edges = np.diff(padded, axis=1)
    rows, first = np.nonzero(edges == 1)
    _, after = np.nonzero(edges == -1)  # both in (row, position) order: starts and stops pair up
    start, end = first, after - 1 + window
    if len(rows):  # merge stalls that share steps (a short bump splits a run of stalled windows, not the plateau)
        key_end = rows * (length + 1) + end
        before = np.concatenate([[-1], np.maximum.accumulate(key_end)[:-1]])
        new = rows * (length + 1) + start > before
        groups = np.flatnonzero(new)
        rows, start, end = rows[groups], start[groups], np.maximum.reduceat(end, groups)
    keep = end - start >= min_steps
    return rows[keep], start[keep], end[keep]



STALL_COLUMNS = ("stall_count", "stalled_steps", "first_start", "first_end", "longest_start", "longest_end",
                 "longest_mid", "stuck_at_end")


def stall_arrays(curves: np.ndarray, loss_fn: str, high: float = HIGH, flat: float = FLAT, window: int = WINDOW,
                 smooth: int = SMOOTH, min_steps: int = MIN_STEPS) -> dict[str, np.ndarray]:
    """Per curve of a (n, T) array of truth-table losses: the `STALL_COLUMNS` (the first stall and the longest one as
    (start, end) steps, -1 if none; the longest one's midpoint; whether a stall reaches the last step)."""
    n = curves.shape[0]
    rows, start, end = stall_segments(curves, reference_loss(loss_fn), high, flat, window, smooth, min_steps)
    length = end - start
    count = np.bincount(rows, minlength=n)
    stalled = np.bincount(rows, weights=length, minlength=n).astype(np.int64)
    first_start = np.full(n, -1, dtype=np.int64)
    first_end = np.full(n, -1, dtype=np.int64)
    longest_start = np.full(n, -1, dtype=np.int64)
    longest_end = np.full(n, -1, dtype=np.int64)
    if len(rows):
        firsts = np.unique(rows, return_index=True)[1]  # segments come ordered by row, then start
        first_start[rows[firsts]], first_end[rows[firsts]] = start[firsts], end[firsts]
        # the longest per row (the earliest of equals): sort by (row, -length, start), take each row's first
        order = np.lexsort((start, -length, rows))
        best = order[np.unique(rows[order], return_index=True)[1]]
        longest_start[rows[best]], longest_end[rows[best]] = start[best], end[best]
    mid = np.where(longest_start >= 0, (longest_start + longest_end) // 2, -1)
    stuck = np.zeros(n, dtype=bool)
    stuck[rows[end == curves.shape[1] - 1]] = True
    return {"stall_count": count.astype(np.int64), "stalled_steps": stalled, "first_start": first_start,
            "first_end": first_end, "longest_start": longest_start, "longest_end": longest_end, "longest_mid": mid,
            "stuck_at_end": stuck}

"""What the papers page derives from the stored tables, for its figures (pandas, no Streamlit)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def plateau_medians(plateaus: pd.DataFrame) -> pd.DataFrame:
    """Median plateau length over seeds per (depth, σ)."""
    return plateaus.groupby(["depth", "sigma"], as_index=False)["steps"].median()


def predicted_lines(plateaus: pd.DataFrame) -> pd.DataFrame:
    """Per depth D, the line of slope −(D − 1) on log–log axes through the geometric centre of the medians, over the
    depth's σ range: (depth, sigma, steps)."""
    rows = []
    for depth, part in plateau_medians(plateaus).groupby("depth"):
        x, y = np.log(part["sigma"].to_numpy()), np.log(part["steps"].to_numpy())
        ok = np.isfinite(y)
        cx, cy = x[ok].mean(), y[ok].mean()
        for sigma in (part["sigma"].min(), part["sigma"].max()):
            rows.append({"depth": int(depth), "sigma": float(sigma),
                         "steps": float(np.exp(cy - (depth - 1) * (np.log(sigma) - cx)))})
    return pd.DataFrame(rows)


def depth_medians(depth_time: pd.DataFrame) -> pd.DataFrame:
    """Median learning time over seeds per (init, depth)."""
    return depth_time.groupby(["init", "depth"], as_index=False)["steps"].median()


def critical_points(points: pd.DataFrame) -> pd.DataFrame:
    """The searches that ended at a critical point, counted per (net, loss, index)."""
    found = points[points["ending"] == "critical"]
    return found.groupby(["net", "loss", "index"], as_index=False).size().rename(columns={"size": "count"})


def saddle_grid(n: int = 25, x: float = 1.2, y: float = 0.4) -> pd.DataFrame:
    """f = 5x² − y² on an n × n grid."""
    xs, ys = np.linspace(-x, x, n), np.linspace(-y, y, n)
    gx, gy = np.meshgrid(xs, ys)
    return pd.DataFrame({"x": gx.ravel(), "y": gy.ravel(), "f": (5 * gx ** 2 - gy ** 2).ravel()})


CSV_COLUMNS = ("paper", "claim_id", "claim", "setting", "expected", "measured", "ci_lo", "ci_hi", "n", "verdict")


def claims_frame(parts) -> pd.DataFrame:
    """The stored rows of the papers, in the order given, as one table."""
    return pd.concat(list(parts), ignore_index=True)


def _number(x: float) -> str:
    return "" if not np.isfinite(x) else f"{x:.4g}"


def shown_claims(claims: pd.DataFrame, lang: str, text) -> pd.DataFrame:
    """The table as the page shows it: headings and verdicts in `lang` (`text(key, lang)` translates), numbers in 4
    significant digits, the interval in one column."""
    ci = [f"{_number(lo)} … {_number(hi)}" if np.isfinite(lo) else "" for lo, hi in zip(claims["ci_lo"],
                                                                                         claims["ci_hi"])]
    out = pd.DataFrame({
        "claim_id": claims["claim_id"], "expected": claims["expected"], "measured": claims["measured"].map(_number),
        "ci": ci, "n": claims["n"], "verdict": [text(f"verdict.{v}", lang) for v in claims["verdict"]],
    })
    return out.rename(columns={c: text(f"pcol.{c}", lang) for c in out.columns})


def claims_csv(claims: pd.DataFrame) -> bytes:
    """The tidy table as the command writes it: UTF-8 with a byte-order mark."""
    from lab.science import tidy

    return tidy.csv_text(claims[list(CSV_COLUMNS)]).encode("utf-8-sig")

"""Absolute effects in words: points on a scale with the side they favour, NNT intervals.

Every sentence says which side a number favours in words (positive = less pain on LDN =
benefit), and an NNT always comes with its time frame and the control risk.
"""

from __future__ import annotations

import math

from ldn_analysis.stats.risk_difference import NNT, RiskDifference

__all__ = ["nnt_interval_text", "points_side", "points_text", "rd_text"]


def points_side(points: float, digits: int = 2, what: str = "pain") -> str:
    """Say a difference in points in words: "0.25 points less pain on LDN" / "more"."""
    size = round(abs(points), digits)
    if size == 0:
        return f"no difference in {what}"
    unit = "point" if size == 1 else "points"
    side = "less" if points > 0 else "more"
    return f"{abs(points):.{digits}f} {unit} {side} {what} on LDN than on placebo"


def points_text(points: float, low: float, high: float, scale: str, digits: int = 2) -> str:
    """Return "+0.25 points on a 0-10 scale (95% CI -0.54 to +1.05)" with the sides named."""
    return (
        f"{points:+.{digits}f} points on {scale} (95% CI {low:+.{digits}f} to "
        f"{high:+.{digits}f}; positive = less pain on LDN): {points_side(points, digits)}"
    )


def rd_text(rd: RiskDifference, digits: int = 1) -> str:
    """Return "16.9 percentage points (95% CI -2.0 to 34.2; Newcombe)" for a risk difference."""
    return (
        f"{100 * rd.rd:+.{digits}f} percentage points (95% CI {100 * rd.low:+.{digits}f} to "
        f"{100 * rd.high:+.{digits}f}, Newcombe's hybrid score interval)"
    )


def _n(x: float, digits: int = 1) -> str:
    return "infinity" if math.isinf(x) else f"{x:.{digits}f}"


def nnt_interval_text(nnt: NNT, digits: int = 1) -> str:
    """Return the NNT with its interval in Altman's (1998) words.

    "NNT 5.9 (95% CI: NNT benefit 2.9 to infinity to NNT harm 50.1)" when the interval of
    the difference includes 0; "NNT 4.2 (95% CI 2.5 to 12.0)" when it does not.
    """
    head = f"NNT {_n(nnt.nnt, digits)}" if nnt.benefit else f"NNT harm {_n(nnt.nnt, digits)}"
    if nnt.crosses_zero:
        return (
            f"{head} (95% CI: NNT benefit {_n(nnt.nntb_bound, digits)} to infinity to "
            f"NNT harm {_n(nnt.nnth_bound, digits)})"
        )
    return f"{head} (95% CI {_n(nnt.low, digits)} to {_n(nnt.high, digits)})"

"""Absolute effects of two proportions: risk difference with Newcombe's interval, and the NNT.

- :func:`newcombe` is the hybrid score interval for a difference of two independent
  proportions (Newcombe 1998, Stat Med 17:873-890, method 10): it combines the two Wilson
  score intervals (:func:`ldn_analysis.stats.proportions.wilson`), so it stays inside
  -1..1 and behaves with small counts, where the Wald interval does not.
- :func:`number_needed` inverts a risk difference and its interval into a number needed
  to treat. When the interval of the difference includes 0, the NNT's interval is not
  one range but two pieces through infinity (Altman 1998, BMJ 317:1309-1312):
  "NNT benefit a to infinity to NNT harm b".
- :func:`counts_rounding_to` lists the event counts out of ``n`` that round to a
  reported whole percentage, for summaries that give percentages without counts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ldn_analysis.stats.inference import check_level
from ldn_analysis.stats.proportions import wilson

__all__ = ["NNT", "RiskDifference", "counts_rounding_to", "newcombe", "number_needed"]


@dataclass(frozen=True)
class RiskDifference:
    """A difference of two proportions, ``p1 - p0``, with its confidence interval.

    Attributes
    ----------
    x1, n1, x0, n0 : int
        Events and participants of the treated (1) and control (0) groups.
    rd, low, high : float
        The difference and its interval, as fractions (-1..1).
    level : float
        Confidence level.
    """

    x1: int
    n1: int
    x0: int
    n0: int
    rd: float
    low: float
    high: float
    level: float = 0.95

    @property
    def p1(self) -> float:
        """Proportion with the event in the treated group."""
        return self.x1 / self.n1

    @property
    def p0(self) -> float:
        """Proportion with the event in the control group (the control risk)."""
        return self.x0 / self.n0


def _count(value, name: str) -> int:
    number = float(value)
    if not math.isfinite(number) or number != int(number) or number < 0:
        raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
    return int(number)


def newcombe(x1, n1, x0, n0, level: float = 0.95) -> RiskDifference:
    """Return ``x1/n1 - x0/n0`` with Newcombe's hybrid score interval (method 10).

    Parameters
    ----------
    x1, n1 : int
        Events and participants, treated group.
    x0, n0 : int
        Events and participants, control group.
    level : float
        Confidence level, a fraction.

    Returns
    -------
    RiskDifference

    Notes
    -----
    With Wilson limits ``(l1, u1)`` and ``(l0, u0)`` of the two proportions:
    ``low = d - sqrt((p1 - l1)^2 + (u0 - p0)^2)`` and
    ``high = d + sqrt((u1 - p1)^2 + (p0 - l0)^2)``. The Wilson limits are validated against
    R ``prop.test(correct = FALSE)``; the combination is checked in
    ``tests/stats/test_risk_difference.py`` against the worked examples of Newcombe (1998).
    """
    check_level(level)
    x1, n1, x0, n0 = (_count(v, k) for v, k in ((x1, "x1"), (n1, "n1"), (x0, "x0"), (n0, "n0")))
    if n1 == 0 or n0 == 0 or x1 > n1 or x0 > n0:
        raise ValueError(f"need 0 <= x <= n and n > 0, got {x1}/{n1} and {x0}/{n0}")
    p1, p0 = x1 / n1, x0 / n0
    l1, u1 = (float(v) for v in wilson(x1, n1, level))
    l0, u0 = (float(v) for v in wilson(x0, n0, level))
    d = p1 - p0
    low = d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return RiskDifference(x1, n1, x0, n0, d, low, high, level)


@dataclass(frozen=True)
class NNT:
    """A number needed to treat and its interval, from a risk difference (benefit > 0).

    Attributes
    ----------
    nnt : float
        ``1 / rd`` for a benefit (rd > 0); ``inf`` when rd = 0. For a harm (rd < 0) it is
        the number needed to harm, ``1 / |rd|``, and ``benefit`` is False.
    benefit : bool
        Whether the point estimate is a benefit (rd > 0).
    crosses_zero : bool
        Whether the interval of the difference includes 0: the NNT's interval then runs
        from NNT benefit ``nntb_bound`` through infinity to NNT harm ``nnth_bound``.
    nntb_bound, nnth_bound : float
        The two ends when ``crosses_zero`` (``1/high`` and ``1/|low|``); NaN otherwise.
    low, high : float
        The NNT interval when it does not cross zero (same side as the estimate, smaller
        number first); NaN when it does.
    """

    nnt: float
    benefit: bool
    crosses_zero: bool
    nntb_bound: float
    nnth_bound: float
    low: float
    high: float


def _inverse(x: float) -> float:
    return math.inf if x == 0 else 1.0 / abs(x)


def number_needed(rd: float, low: float, high: float) -> NNT:
    """Invert a risk difference (benefit > 0, as fractions) and its interval into an NNT.

    Parameters
    ----------
    rd, low, high : float
        The risk difference, treated minus control, for a good outcome (e.g. responding),
        and its confidence limits, as fractions.

    Returns
    -------
    NNT
        When ``low < 0 < high``: ``crosses_zero`` with NNT benefit ``1/high`` and NNT harm
        ``1/|low|`` (Altman 1998). Otherwise the interval ``1/high`` to ``1/low`` (benefit)
        or ``1/|low|`` to ``1/|high|`` (harm).
    """
    if not (low <= rd <= high):
        raise ValueError(f"the estimate {rd} must lie within its interval ({low}, {high})")
    nnt = _inverse(rd)
    if low < 0 < high:
        return NNT(nnt, rd > 0, True, 1.0 / high, 1.0 / -low, float("nan"), float("nan"))
    if rd > 0 or (rd == 0 and high > 0):
        return NNT(nnt, True, False, math.nan, math.nan, _inverse(high), _inverse(low))
    return NNT(nnt, False, False, math.nan, math.nan, _inverse(low), _inverse(high))


def counts_rounding_to(percent: float, n: int, decimals: int = 0) -> list[int]:
    """Return every count ``x`` of ``0..n`` whose ``100 x / n`` rounds to ``percent``.

    A summary that says "45% of 49" may stand for 22 of 49 (44.9%); with a small ``n``
    one rounded percentage can fit one count, several, or none. Halves are accepted
    either way (a source may round 12.5% to 12% or to 13%). For the one count that
    rounding ``percent / 100 x n`` gives (Handbook 6.4), see
    :func:`ldn_analysis.stats.conversions.counts_from_percent`.
    """
    n = _count(n, "n")
    if n == 0:
        return []
    x = np.arange(n + 1)
    half = 0.5 * 10.0**-decimals
    return [int(v) for v in x[np.abs(100 * x / n - float(percent)) <= half + 1e-9]]

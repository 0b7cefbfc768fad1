"""Effect sizes and their sampling variances, computed exactly as metafor's ``escalc``.

Sign convention of :func:`compute_effects`: a positive ``yi`` always means LDN is better.
Raw differences are LDN minus control (or follow-up minus baseline for pre/post rows) and
are multiplied by -1 when the outcome's ``better`` is ``lower``. A reported between-group
estimate is read as LDN minus control (ratio: LDN over control).

:func:`compute_ae_effects` keeps the usual orientation for harms instead: log RR / log OR
/ RD of LDN versus control, so a positive value means MORE events on LDN.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import special, stats

from ldn_analysis.errors import ChoiceError


def hedges_correction(m):
    """Return the exact small-sample correction J(m) used by metafor (``.cmicalc``).

    Parameters
    ----------
    m : array_like
        Degrees of freedom (n1 + n2 - 2 for two groups, n - 1 for one group).

    Returns
    -------
    ndarray
        ``exp(lgamma(m/2) - log(sqrt(m/2)) - lgamma((m-1)/2))``; NaN where m <= 1.

    Notes
    -----
    Validated against metafor 3.8-1 ``escalc(measure="SMD")`` on dat.normand1999.
    """
    m = np.asarray(m, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        j = np.exp(special.gammaln(m / 2) - np.log(np.sqrt(m / 2)) - special.gammaln((m - 1) / 2))
    return np.where(m > 1, j, np.nan)


def smd(m1, sd1, n1, m2, sd2, n2):
    """Hedges' g for two independent groups, as ``escalc(measure="SMD", vtype="LS")``.

    Parameters
    ----------
    m1, sd1, n1, m2, sd2, n2 : array_like
        Mean, SD and size of group 1 (LDN) and group 2 (control).

    Returns
    -------
    yi, vi : ndarray
        ``g = J(n1+n2-2) (m1 - m2) / sd_pooled`` and ``1/n1 + 1/n2 + g^2 / (2 (n1+n2))``.

    Notes
    -----
    Validated against metafor 3.8-1 ``escalc("SMD")`` on dat.normand1999.
    """
    m1, sd1, n1, m2, sd2, n2 = (np.asarray(a, dtype=float) for a in (m1, sd1, n1, m2, sd2, n2))
    df = n1 + n2 - 2
    sdp = np.sqrt(((n1 - 1) * sd1**2 + (n2 - 1) * sd2**2) / df)
    yi = hedges_correction(df) * (m1 - m2) / sdp
    return yi, 1 / n1 + 1 / n2 + yi**2 / (2 * (n1 + n2))


def md(m1, sd1, n1, m2, sd2, n2):
    """Raw mean difference, as ``escalc(measure="MD")`` (unequal variances).

    Parameters
    ----------
    m1, sd1, n1, m2, sd2, n2 : array_like
        Mean, SD and size of group 1 (LDN) and group 2 (control).

    Returns
    -------
    yi, vi : ndarray
        ``m1 - m2`` and ``sd1^2/n1 + sd2^2/n2``.

    Notes
    -----
    Validated against metafor 3.8-1 ``escalc("MD")`` on dat.normand1999.
    """
    m1, sd1, n1, m2, sd2, n2 = (np.asarray(a, dtype=float) for a in (m1, sd1, n1, m2, sd2, n2))
    return m1 - m2, sd1**2 / n1 + sd2**2 / n2


def smcr(m1, m2, sd, n, rho):
    """Standardized mean change (raw-score standardization), as ``escalc("SMCR")``.

    Parameters
    ----------
    m1, m2 : array_like
        Means under condition 1 (follow-up or LDN period) and 2 (baseline or placebo).
    sd : array_like
        Standardizing SD (baseline SD for pre/post; pooled SD for crossover trials).
    n : array_like
        Number of people measured under both conditions.
    rho : float or array_like
        Within-person correlation between the two measurements.

    Returns
    -------
    yi, vi : ndarray
        ``J(n-1) (m1 - m2) / sd`` and ``2 (1 - rho) / n + yi^2 / (2 n)``.

    Notes
    -----
    Validated against metafor 3.8-1 ``escalc("SMCR", ri=rho)`` on a pre/post set and,
    with ``sd = sqrt((sd1^2 + sd2^2) / 2)``, on a crossover set.
    """
    m1, m2, sd, n, rho = (np.asarray(a, dtype=float) for a in (m1, m2, sd, n, rho))
    yi = hedges_correction(n - 1) * (m1 - m2) / sd
    return yi, 2 * (1 - rho) / n + yi**2 / (2 * n)


def mc(m1, m2, sd1, sd2, n, rho):
    """Raw mean change for paired data, as ``escalc("MC")``.

    Parameters
    ----------
    m1, m2, sd1, sd2 : array_like
        Means and SDs under condition 1 (follow-up / LDN) and 2 (baseline / placebo).
    n : array_like
        Number of people measured under both conditions.
    rho : float or array_like
        Within-person correlation.

    Returns
    -------
    yi, vi : ndarray
        ``m1 - m2`` and ``(sd1^2 + sd2^2 - 2 rho sd1 sd2) / n``.

    Notes
    -----
    Validated against metafor 3.8-1 ``escalc("MC", ri=rho)``.
    """
    m1, m2, sd1, sd2, n, rho = (np.asarray(a, dtype=float) for a in (m1, m2, sd1, sd2, n, rho))
    return m1 - m2, (sd1**2 + sd2**2 - 2 * rho * sd1 * sd2) / n


def se_from_ci(low, high, level=0.95):
    """Return the SE implied by a symmetric normal-based CI: ``(high - low) / (2 z)``.

    Parameters
    ----------
    low, high : array_like
        Confidence limits (on the scale where the CI is symmetric: log for ratios).
    level : float
        Confidence level of the reported interval.

    Returns
    -------
    ndarray

    Notes
    -----
    Closed form (Cochrane Handbook 6.5.2.3); a CI built with t is wider, so the SE is
    then slightly overstated (conservative). Checked in ``tests/test_stats_unit.py``.
    """
    z = stats.norm.isf((1 - level) / 2)
    return (np.asarray(high, dtype=float) - np.asarray(low, dtype=float)) / (2 * z)


def se_from_p(estimate, p):
    """Return the SE implied by a two-sided p-value: ``|estimate| / z(p/2)``.

    Parameters
    ----------
    estimate : array_like
        Estimate on the scale of the test (log scale for ratios).
    p : array_like
        Exact two-sided p-value.

    Returns
    -------
    ndarray

    Notes
    -----
    Closed form (Cochrane Handbook 6.5.2.3); checked in ``tests/test_stats_unit.py``.
    """
    return np.abs(np.asarray(estimate, dtype=float)) / stats.norm.isf(np.asarray(p) / 2)


# --- 2x2 tables ---------------------------------------------------------------------------


def _log_rr(a, b, c, d):
    n1, n2 = a + b, c + d
    return np.log(a / n1) - np.log(c / n2), 1 / a - 1 / n1 + 1 / c - 1 / n2


def _log_or(a, b, c, d):
    return np.log(a / b) - np.log(c / d), 1 / a + 1 / b + 1 / c + 1 / d


def _rd(a, b, c, d):
    p1, p2 = a / (a + b), c / (c + d)
    return p1 - p2, p1 * (1 - p1) / (a + b) + p2 * (1 - p2) / (c + d)


BINARY_MEASURES: dict[str, Callable] = {"RR": _log_rr, "OR": _log_or, "RD": _rd}
"""2x2-table measures: log risk ratio, log odds ratio, risk difference (escalc names)."""

_ADD_TO = ("only0", "all", "none")


def compute_ae_effects(
    events_ldn, n_ldn, events_ctrl, n_ctrl, measure="RR", add=0.5, to="only0", drop00=None
) -> pd.DataFrame:
    """Effect sizes for adverse events (LDN vs control) from counts.

    Parameters
    ----------
    events_ldn, n_ldn, events_ctrl, n_ctrl : array_like
        Participants with the event and at risk, per arm.
    measure : {"RR", "OR", "RD"}
        Log risk ratio, log odds ratio or risk difference.
    add : float
        Amount added to the cells of a table with a zero cell (metafor: 1/2).
    to : {"only0", "all", "none"}
        Which tables get ``add``: those with a zero cell (default), all, or none.
    drop00 : bool, optional
        Leave out tables with no events (or only events) in both arms. Default: True
        for RR and OR (such tables carry no information on a ratio), False for RD.

    Returns
    -------
    DataFrame
        The four inputs, then ``yi``, ``vi``, ``measure``, ``conversion`` and ``reason``
        (why ``yi`` is NaN, else empty). Positive = more events on LDN.

    Notes
    -----
    Same arithmetic as metafor 3.8-1 ``escalc(measure, ai, n1i, ci, n2i, add=1/2,
    to="only0", drop00=...)``, validated on dat.nielweise2007 (which has zero cells and a
    double-zero study) with ``drop00`` FALSE and TRUE. metafor's ``escalc`` default is
    ``drop00=FALSE``; its ``rma.mh``, ``rma.peto`` and ``rma.glmm`` default to TRUE, as
    does this function for RR and OR.
    """
    func = BINARY_MEASURES.get(measure)
    if func is None:
        raise ChoiceError("measure", measure, BINARY_MEASURES)
    if to not in _ADD_TO:
        raise ChoiceError("zero-cell rule 'to'", to, _ADD_TO)
    if drop00 is None:
        drop00 = measure in ("RR", "OR")
    a, n1, c, n2 = (
        np.asarray(x, dtype=float).ravel() for x in (events_ldn, n_ldn, events_ctrl, n_ctrl)
    )
    b, d = n1 - a, n2 - c
    reason = np.full(a.size, "", dtype=object)
    bad = ~np.isfinite(a + n1 + c + n2) | (a < 0) | (c < 0) | (b < 0) | (d < 0) | (n1 <= 0)
    bad |= n2 <= 0
    reason[bad] = "counts missing or impossible (events must be between 0 and n)"
    double = ~bad & (((a == 0) & (c == 0)) | ((b == 0) & (d == 0)))
    if drop00:
        reason[double] = "no events (or only events) in both arms: left out (drop00)"
    zero = ~bad & ((a == 0) | (b == 0) | (c == 0) | (d == 0))
    plus = {"only0": np.where(zero, add, 0.0), "all": np.full(a.size, add)}.get(to, 0.0 * a)
    with np.errstate(divide="ignore", invalid="ignore"):
        yi, vi = func(a + plus, b + plus, c + plus, d + plus)
    skip = reason != ""
    yi, vi = np.where(skip, np.nan, yi), np.where(skip, np.nan, vi)
    nonfinite = ~skip & ~(np.isfinite(yi) & np.isfinite(vi))
    reason[nonfinite] = "zero cell and no continuity correction: effect undefined"
    yi, vi = np.where(nonfinite, np.nan, yi), np.where(nonfinite, np.nan, vi)
    name = {"RR": "log risk ratio", "OR": "log odds ratio", "RD": "risk difference"}[measure]
    conv = np.where(
        plus > 0,
        f"{name}; {add:g} added to every cell (zero-cell rule '{to}')",
        name,
    ).astype(object)
    conv[reason != ""] = ""
    return pd.DataFrame(
        {
            "events_ldn": a,
            "n_ldn": n1,
            "events_ctrl": c,
            "n_ctrl": n2,
            "yi": yi,
            "vi": vi,
            "measure": measure,
            "conversion": conv,
            "reason": reason,
        }
    )

"""Effect sizes from rows of outcomes.csv (positive yi = LDN better)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ldn_analysis.errors import ChoiceError
from ldn_analysis.stats.escalc import hedges_correction, mc, md, se_from_ci, se_from_p, smcr, smd
from ldn_analysis.vocab import CROSSOVER_DESIGNS

ID_COLUMNS = ("study_id", "outcome_id", "outcome", "comparison", "timepoint_weeks", "data_type")


# --- outcomes.csv rows ------------------------------------------------------------------------


class _Skip(Exception):
    """A row that cannot give an effect size; the message says why."""


def _num(row, col):
    try:
        x = float(row.get(col))
    except (TypeError, ValueError):
        return np.nan
    return x


def _n(row, col):
    n = _num(row, col)
    if not (np.isfinite(n) and n > 0):
        raise _Skip(f"{col} missing or not positive")
    return n


def _mean(row, col):
    m = _num(row, col)
    if not np.isfinite(m):
        raise _Skip(f"{col} missing")
    return m


def _sd(row, arm, steps, n=None):
    sd = _num(row, f"sd_{arm}")
    if np.isfinite(sd) and sd > 0:
        return sd
    se = _num(row, f"se_{arm}")
    n = _num(row, f"n_{arm}") if n is None else n
    if np.isfinite(se) and se > 0 and np.isfinite(n) and n > 0:
        steps.append(f"SD of {arm} arm from its SE (sd = se*sqrt(n))")
        return se * np.sqrt(n)
    raise _Skip(f"no SD or SE for the {arm} arm")


def _two_arms(row, measure, steps, label):
    n1, n2 = _n(row, "n_ldn"), _n(row, "n_ctrl")
    m1, m2 = _mean(row, "mean_ldn"), _mean(row, "mean_ctrl")
    sd1, sd2 = _sd(row, "ldn", steps), _sd(row, "ctrl", steps)
    if measure == "SMD":
        if n1 + n2 <= 3:
            raise _Skip("too few participants for Hedges' g")
        steps.insert(0, f"Hedges' g (escalc SMD, vtype LS) from {label}")
        return smd(m1, sd1, n1, m2, sd2, n2)
    steps.insert(0, f"mean difference (escalc MD) from {label}")
    return md(m1, sd1, n1, m2, sd2, n2)


def _paired(row, measure, rho, steps, label, n, sd_std=None):
    m1, m2 = _mean(row, "mean_ldn"), _mean(row, "mean_ctrl")
    if measure == "SMD":
        if sd_std is None:
            sd1, sd2 = _sd(row, "ldn", steps, n), _sd(row, "ctrl", steps, n)
            sd_std = np.sqrt((sd1**2 + sd2**2) / 2)
            what = "pooled SD of both periods"
        else:
            what = "baseline SD"
        if n <= 2:
            raise _Skip("too few participants for a standardized mean change")
        steps.insert(0, f"standardized mean change (escalc SMCR, {what}, rho = {rho:g}) {label}")
        return smcr(m1, m2, sd_std, n, rho)
    sd1, sd2 = _sd(row, "ldn", steps, n), _sd(row, "ctrl", steps, n)
    steps.insert(0, f"mean change (escalc MC, rho = {rho:g}) {label}")
    return mc(m1, m2, sd1, sd2, n, rho)


def _is_crossover(row):
    return str(row.get("design", "")) in CROSSOVER_DESIGNS


def _arm_means(row, measure, rho, steps):
    if _is_crossover(row):
        n = _n(row, "n_ldn")
        return _paired(row, measure, rho, steps, "from crossover period means", n)
    return _two_arms(row, measure, steps, "end-of-treatment means")


def _change_scores(row, measure, rho, steps):
    return _two_arms(row, measure, steps, "change-from-baseline scores")


def _pre_post(row, measure, rho, steps):
    n = _num(row, "n_ldn")
    n = n if np.isfinite(n) and n > 0 else _n(row, "n_ctrl")
    if measure == "SMD":
        try:
            sd0 = _sd(row, "ctrl", steps, n)
        except _Skip:
            sd0 = _sd(row, "ldn", steps, n)
            steps.append("baseline SD missing: follow-up SD used to standardize")
        return _paired(row, measure, rho, steps, "from baseline to follow-up", n, sd0)
    return _paired(row, measure, rho, steps, "from baseline to follow-up", n)


def _between_group(row, measure, rho, steps):
    est, etype = _num(row, "estimate"), str(row.get("estimate_type", "")).strip().lower()
    if not np.isfinite(est):
        raise _Skip("between-group estimate missing")
    ratio = etype in ("or", "rr")
    if ratio and est <= 0:
        raise _Skip("ratio estimate must be positive")
    scale = np.log if ratio else (lambda x: x)
    lo, hi, p = _num(row, "ci_low"), _num(row, "ci_high"), _num(row, "p_value")
    se = np.nan
    if np.isfinite(lo) and np.isfinite(hi) and hi > lo and (not ratio or lo > 0):
        se = float(se_from_ci(scale(lo), scale(hi)))
        src = "SE from the 95% CI"
    elif np.isfinite(p) and 0 < p < 1 and scale(est) != 0:
        se = float(se_from_p(scale(est), p))
        src = "SE from the exact p-value (p -> z -> SE)"
    if etype == "md":
        if not np.isfinite(se):
            raise _Skip("reported MD has neither a CI nor an exact p-value")
        if measure == "MD":
            steps.append(f"reported mean difference; {src}")
            return est, se**2
        n1, n2 = _n(row, "n_ldn"), _n(row, "n_ctrl")
        g = hedges_correction(n1 + n2 - 2) * est / (se / np.sqrt(1 / n1 + 1 / n2))
        steps.append(f"Hedges' g from reported MD: {src}; SD = SE/sqrt(1/n1+1/n2)")
        return g, 1 / n1 + 1 / n2 + g**2 / (2 * (n1 + n2))
    if etype == "smd" and measure == "SMD":
        if np.isfinite(se):
            steps.append(f"reported SMD used as is; {src}")
            return est, se**2
        n1, n2 = _n(row, "n_ldn"), _n(row, "n_ctrl")
        steps.append("reported SMD used as is; variance 1/n1+1/n2+g^2/(2(n1+n2))")
        return est, 1 / n1 + 1 / n2 + est**2 / (2 * (n1 + n2))
    if etype == "or" and measure == "SMD":
        if not np.isfinite(se):
            raise _Skip("reported OR has neither a CI nor an exact p-value")
        steps.append(f"SMD from OR (Chinn 2000: ln(OR)*sqrt(3)/pi); {src} on the log scale")
        return np.log(est) * np.sqrt(3) / np.pi, se**2 * 3 / np.pi**2
    raise _Skip(f"a reported {etype or 'estimate'!s} cannot be converted to {measure}")


DATA_TYPES: dict[str, Callable] = {
    "arm_means": _arm_means,
    "change_scores": _change_scores,
    "between_group": _between_group,
    "pre_post": _pre_post,
}
"""How each outcomes.csv ``data_type`` becomes an effect size."""

MEASURES = ("SMD", "MD")
_BETTER = {"higher": 1.0, "lower": -1.0}


def _one_row(row, measure, rho):
    steps: list[str] = []
    sign = _BETTER.get(str(row.get("better", "")).strip().lower())
    if sign is None:
        raise _Skip("'better' must be 'lower' or 'higher'")
    kind = str(row.get("data_type", "")).strip()
    if kind not in DATA_TYPES:
        raise _Skip(f"unknown data_type {kind!r} (valid: {', '.join(DATA_TYPES)})")
    yi, vi = DATA_TYPES[kind](row, measure, rho, steps)
    yi, vi = float(yi), float(vi)
    if not (np.isfinite(yi) and np.isfinite(vi) and vi > 0):
        raise _Skip("the effect size or its variance is not finite")
    if sign < 0:
        steps.append("sign flipped: lower is better on this outcome")
    return sign * yi, vi, "; ".join(steps)


def compute_effects(outcomes: pd.DataFrame, measure="SMD", rho=0.5) -> pd.DataFrame:
    """Effect sizes for every row of an outcomes table (outcomes.csv columns).

    Parameters
    ----------
    outcomes : DataFrame
        Rows with the outcomes.csv columns (``data_type``, ``better``, ``n_*``,
        ``mean_*``, ``sd_*`` / ``se_*``, ``estimate``...). An optional ``design`` column
        (studies.csv vocabulary) marks crossover trials, whose ``arm_means`` are
        treated as paired.
    measure : {"SMD", "MD"}
        Hedges' g or raw mean difference.
    rho : float
        Within-person correlation for crossover and pre/post rows.

    Returns
    -------
    DataFrame
        The id columns present (study_id, outcome_id, outcome, comparison,
        timepoint_weeks, data_type), then ``yi``, ``vi``, ``sei``, ``measure``, ``rho``,
        ``conversion`` (every step taken) and ``reason`` (why ``yi`` is NaN, else "").
        Positive ``yi`` = LDN better. Same index as ``outcomes``. Never raises for a
        bad row.

    Notes
    -----
    Two-group rows use Hedges' g / MD exactly as metafor 3.8-1 ``escalc("SMD")`` /
    ``escalc("MD")``; paired rows use ``escalc("SMCR")`` / ``escalc("MC")`` (crossover
    SMD standardized by the pooled SD of both periods, pre/post by the baseline SD).
    Validated in ``tests/test_metafor_alignment.py`` (dat.normand1999 and small
    pre/post and crossover sets).
    """
    if measure not in MEASURES:
        raise ChoiceError("measure", measure, MEASURES)
    rho = float(rho)
    if not -1.0 <= rho <= 1.0:
        raise ValueError(f"rho must be between -1 and 1, got {rho}")
    records = []
    for row in outcomes.to_dict("records"):
        try:
            yi, vi, conv = _one_row(row, measure, rho)
            reason = ""
        except _Skip as why:
            yi, vi, conv, reason = np.nan, np.nan, "", str(why)
        records.append((yi, vi, conv, reason))
    ids = [c for c in ID_COLUMNS if c in outcomes.columns]
    out = outcomes[ids].copy()
    yi = np.array([r[0] for r in records], dtype=float)
    vi = np.array([r[1] for r in records], dtype=float)
    out["yi"], out["vi"], out["sei"] = yi, vi, np.sqrt(vi)
    out["measure"], out["rho"] = measure, rho
    out["conversion"] = [r[2] for r in records]
    out["reason"] = [r[3] for r in records]
    return out


def rho_sensitivity(outcomes: pd.DataFrame, measure="SMD", rhos=(0.2, 0.5, 0.8)):
    """Recompute :func:`compute_effects` for several within-person correlations.

    Parameters
    ----------
    outcomes : DataFrame
        As for :func:`compute_effects`.
    measure : {"SMD", "MD"}
        Effect measure.
    rhos : sequence of float
        Correlations to try (only crossover and pre/post rows depend on it).

    Returns
    -------
    DataFrame
        The :func:`compute_effects` tables stacked, one block per ``rho``.

    Notes
    -----
    Each block is a plain :func:`compute_effects` call (validated against escalc).
    """
    return pd.concat([compute_effects(outcomes, measure, r) for r in rhos], ignore_index=True)

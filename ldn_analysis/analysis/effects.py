"""Effect sizes from rows of outcomes.csv (positive yi = LDN better), each with its derivation.

A study contributes an effect from whatever it reports, as systematic reviewers do
(Cochrane Handbook chapters 6 and 23): arm means with SDs or SEs; a between-group estimate
with its CI, a t or F statistic, or an exact or bounded p-value with the group sizes;
medians with quartiles or ranges; change scores; percent changes with a baseline mean;
crossover trials analysed as paired with an assumed within-person correlation ``rho``.
Every conversion is a function of :mod:`ldn_analysis.stats.conversions` or
:mod:`ldn_analysis.stats.escalc`; each row records how it was made (see
:func:`compute_effects`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ldn_analysis.analysis.derivation import (
    DERIVATION_COLUMNS,
    OPTIONAL_COLUMNS,
    Skip,
    Trace,
    arm_mean,
    arm_stats,
    finite,
    num,
    paired_from_difference,
    paired_n,
    percent_changes,
    positive_n,
    se_of_difference,
    smd_from_md,
)
from ldn_analysis.errors import ChoiceError
from ldn_analysis.stats import conversions as cv
from ldn_analysis.stats.escalc import mc, md, smcr, smd
from ldn_analysis.vocab import CROSSOVER_DESIGNS

ID_COLUMNS = ("study_id", "outcome_id", "outcome", "comparison", "timepoint_weeks", "data_type")

# --- two independent groups -------------------------------------------------------------------


def _two_arms(row, measure, t: Trace, label):
    n1, n2 = positive_n(row, "n_ldn"), positive_n(row, "n_ctrl")
    if measure == "SMD" and n1 + n2 <= 3:
        raise Skip("too few participants for Hedges' g")
    pct = percent_changes(row, t)
    mark = t.mark()
    try:
        (m1, sd1), (m2, sd2) = arm_stats(row, "ldn", t, n1), arm_stats(row, "ctrl", t, n2)
        if pct is not None:
            raise Skip("percent changes: arm SDs are of percentages")
    except Skip as why:
        if "missing" in str(why) and "mean_" in str(why):
            raise
        t.reset(mark)
        t.add("", ("mean_ldn", "mean_ctrl"))
        m1, m2 = pct if pct is not None else (arm_mean(row, "ldn"), arm_mean(row, "ctrl"))
        try:
            se = se_of_difference(row, m1 - m2, n1 + n2 - 2, t)
        except Skip as why2:
            raise Skip(f"{why}, and {why2}") from None
        t.steps.insert(0, f"{_NAMES[measure]} from {label} and the SE of their difference")
        if measure == "MD":
            return m1 - m2, se**2
        return smd_from_md(m1 - m2, se, n1, n2, t)
    t.steps.insert(0, f"{_NAMES[measure]} from {label}")
    t.add("", (), "escalc SMD (Hedges' g, vtype LS)" if measure == "SMD" else "escalc MD")
    return (smd if measure == "SMD" else md)(m1, sd1, n1, m2, sd2, n2)


_NAMES = {"SMD": "Hedges' g (escalc SMD, vtype LS)", "MD": "mean difference (escalc MD)"}


# --- the same people twice: crossover periods and before/after ----------------------------


def _paired(row, measure, rho, t: Trace, label, n, sd_std=None):
    m1, m2 = arm_mean(row, "ldn"), arm_mean(row, "ctrl")
    t.rho(rho)
    if measure == "SMD":
        if sd_std is None:
            (_, sd1), (_, sd2) = arm_stats(row, "ldn", t, n), arm_stats(row, "ctrl", t, n)
            sd_std = np.sqrt((sd1**2 + sd2**2) / 2)
            what = "pooled SD of both periods"
        else:
            what = "baseline SD"
        if n <= 2:
            raise Skip("too few participants for a standardized mean change")
        t.steps.insert(0, f"standardized mean change (escalc SMCR, {what}, rho = {rho:g}) {label}")
        t.add("", (), "escalc SMCR (Becker 1988)")
        return smcr(m1, m2, sd_std, n, rho)
    (_, sd1), (_, sd2) = arm_stats(row, "ldn", t, n), arm_stats(row, "ctrl", t, n)
    t.steps.insert(0, f"mean change (escalc MC, rho = {rho:g}) {label}")
    t.add("", (), f"escalc MC; {cv.sd_change(sd2, sd1, rho).note}")
    return mc(m1, m2, sd1, sd2, n, rho)


def _crossover(row, measure, rho, t: Trace, label):
    n = paired_n(row, t)
    pct = percent_changes(row, t)
    mark = t.mark()
    try:
        if pct is not None:
            raise Skip("percent changes")
        return _paired(row, measure, rho, t, label, n)
    except Skip as why:
        if "mean_" in str(why):
            raise
        t.reset(mark)
        t.add("", ("mean_ldn", "mean_ctrl"))
        m1, m2 = pct if pct is not None else (arm_mean(row, "ldn"), arm_mean(row, "ctrl"))
        try:
            se = se_of_difference(row, m1 - m2, n - 1, t)
        except Skip as why2:
            raise Skip(f"{why}, and {why2}") from None
        return paired_from_difference(m1 - m2, se, n, measure, rho, t, label)


def _is_crossover(row):
    return str(row.get("design", "")) in CROSSOVER_DESIGNS


def _arm_means(row, measure, rho, t):
    if _is_crossover(row):
        return _crossover(row, measure, rho, t, "from crossover period means")
    return _two_arms(row, measure, t, "end-of-treatment means")


def _change_scores(row, measure, rho, t):
    if _is_crossover(row):
        return _crossover(row, measure, rho, t, "from crossover change-from-baseline scores")
    return _two_arms(row, measure, t, "change-from-baseline scores")


def _pre_post(row, measure, rho, t):
    n = num(row, "n_ldn")
    n = n if finite(n) and n > 0 else positive_n(row, "n_ctrl")
    if measure == "SMD":
        try:
            _, sd0 = arm_stats(row, "ctrl", t, n)
        except Skip:
            _, sd0 = arm_stats(row, "ldn", t, n)
            t.add("baseline SD missing: follow-up SD used to standardize", (), "",
                  "the follow-up SD equals the baseline SD", True)  # fmt: skip
        return _paired(row, measure, rho, t, "from baseline to follow-up", n, sd0)
    return _paired(row, measure, rho, t, "from baseline to follow-up", n)


# --- a reported between-group estimate -------------------------------------------------------


def _between_group(row, measure, rho, t: Trace):
    est, etype = num(row, "estimate"), str(row.get("estimate_type", "")).strip().lower()
    if not finite(est):
        raise Skip("between-group estimate missing (a p-value alone gives no direction)")
    ratio = etype in ("or", "rr")
    if ratio and est <= 0:
        raise Skip("ratio estimate must be positive")
    t.add("", ("estimate",))
    if etype == "other":
        t.add("", (), "", "the reported (median or other) difference approximates the mean "
              "difference", True)  # fmt: skip
        etype = "md"
    if etype == "md" and _is_crossover(row):
        n = paired_n(row, t)
        se = se_of_difference(row, est, n - 1, t)
        return paired_from_difference(est, se, n, measure, rho, t, "from the reported difference")
    if etype == "md":
        n1, n2 = num(row, "n_ldn"), num(row, "n_ctrl")
        df = n1 + n2 - 2 if finite(n1 + n2) else None
        se = se_of_difference(row, est, df, t)
        if measure == "MD":
            t.steps.insert(0, "reported mean difference")
            return est, se**2
        n1, n2 = positive_n(row, "n_ldn"), positive_n(row, "n_ctrl")
        t.steps.insert(0, "Hedges' g from reported MD: SD = SE/sqrt(1/n1+1/n2)")
        return smd_from_md(est, se, n1, n2, t)
    if etype == "smd" and measure == "SMD":
        t.steps.insert(0, "reported SMD used as is")
        try:
            return est, se_of_difference(row, est, None, t) ** 2
        except Skip:
            n1, n2 = positive_n(row, "n_ldn"), positive_n(row, "n_ctrl")
            t.add("variance 1/n1+1/n2+g^2/(2(n1+n2))", ("n_ldn", "n_ctrl"), "escalc SMD variance")
            return est, 1 / n1 + 1 / n2 + est**2 / (2 * (n1 + n2))
    if etype == "or" and measure == "SMD":
        se = se_of_difference(row, est, None, t, log=True)
        t.steps.insert(0, "SMD from OR (Chinn 2000: ln(OR)*sqrt(3)/pi)")
        t.add("", (), "Chinn 2000: SMD = ln(OR) sqrt(3)/pi",
              "underlying logistic distributions with equal variances", True)  # fmt: skip
        return np.log(est) * np.sqrt(3) / np.pi, se**2 * 3 / np.pi**2
    raise Skip(f"a reported {etype or 'estimate'!s} cannot be converted to {measure}")


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
    t = Trace()
    sign = _BETTER.get(str(row.get("better", "")).strip().lower())
    if sign is None:
        raise Skip("'better' must be 'lower' or 'higher'")
    kind = str(row.get("data_type", "")).strip()
    if kind not in DATA_TYPES:
        raise Skip(f"unknown data_type {kind!r} (valid: {', '.join(DATA_TYPES)})")
    yi, vi = DATA_TYPES[kind](row, measure, rho, t)
    yi, vi = float(yi), float(vi)
    if not (np.isfinite(yi) and np.isfinite(vi) and vi > 0):
        raise Skip("the effect size or its variance is not finite")
    if sign < 0:
        t.add("sign flipped: lower is better on this outcome")
    words = "; ".join(s for s in t.steps if s)
    if t.assumptions:
        words += "; assumes " + "; ".join(t.assumptions)
    info = {
        "derivation": words,
        "derived": t.derived,
        "statistics": ", ".join(t.stats),
        "formula": "; ".join(dict.fromkeys(t.formulas)),
        "assumption": "; ".join(t.assumptions),
        "uses_rho": t.uses_rho,
    }
    return sign * yi, vi, info


def compute_effects(outcomes: pd.DataFrame, measure="SMD", rho=0.5) -> pd.DataFrame:
    """Effect sizes for every row of an outcomes table (outcomes.csv columns).

    Parameters
    ----------
    outcomes : DataFrame
        Rows with the outcomes.csv columns (``data_type``, ``better``, ``n_*``,
        ``mean_*``, ``sd_*`` / ``se_*``, ``estimate``, ``ci_*``, ``p_value``...). Optional:
        ``design`` (studies.csv vocabulary; crossover rows are analysed as paired),
        ``study_n`` (the study's n, used when a paired row gives none) and the
        :data:`OPTIONAL_COLUMNS` (t/F statistics, p bounds, medians, baseline means).
    measure : {"SMD", "MD"}
        Hedges' g or raw mean difference.
    rho : float
        Within-person correlation for crossover and pre/post rows.

    Returns
    -------
    DataFrame
        The id columns present (study_id, outcome_id, outcome, comparison,
        timepoint_weeks, data_type), then ``yi``, ``vi``, ``sei``, ``measure``, ``rho``,
        the :data:`DERIVATION_COLUMNS` (``derivation`` in words; ``derived`` False when
        the effect and its precision were reported directly, True when a test
        statistic, p-value, imputed correlation or distributional assumption was needed;
        ``statistics`` the reported columns used; ``formula``; ``assumption``;
        ``uses_rho``), ``conversion`` (= ``derivation``) and ``reason`` (why ``yi`` is NaN,
        else ""). Positive ``yi`` = LDN better. Same index as ``outcomes``. Never raises
        for a bad row.

    Notes
    -----
    Two-group rows use Hedges' g / MD exactly as metafor 3.8-1 ``escalc("SMD")`` /
    ``escalc("MD")``; paired rows with SDs use ``escalc("SMCR")`` / ``escalc("MC")``
    (crossover SMD standardized by the pooled SD of both periods, pre/post by the
    baseline SD). SEs from CIs, t, F and p-values, SDs from SEs, means and SDs from
    medians, percent changes and the crossover SMD from a paired difference use
    :mod:`ldn_analysis.stats.conversions` (validated against R in
    ``tests/stats/test_conversions.py``); ``tests/analysis/test_effect_derivations.py``
    checks each path against those functions.
    """
    if measure not in MEASURES:
        raise ChoiceError("measure", measure, MEASURES)
    rho = float(rho)
    if not -1.0 <= rho <= 1.0:
        raise ValueError(f"rho must be between -1 and 1, got {rho}")
    records = []
    empty = dict.fromkeys(DERIVATION_COLUMNS, "") | {"derived": False, "uses_rho": False}
    for row in outcomes.to_dict("records"):
        try:
            yi, vi, info = _one_row(row, measure, rho)
            reason = ""
        except Skip as why:
            yi, vi, info, reason = np.nan, np.nan, empty, str(why)
        records.append((yi, vi, info, reason))
    ids = [c for c in ID_COLUMNS if c in outcomes.columns]
    out = outcomes[ids].copy()
    yi = np.array([r[0] for r in records], dtype=float)
    vi = np.array([r[1] for r in records], dtype=float)
    out["yi"], out["vi"], out["sei"] = yi, vi, np.sqrt(vi)
    out["measure"], out["rho"] = measure, rho
    for col in DERIVATION_COLUMNS:
        out[col] = [r[2][col] for r in records]
    out["derived"] = out["derived"].astype(bool)
    out["uses_rho"] = out["uses_rho"].astype(bool)
    out["conversion"] = out["derivation"]
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


__all__ = [
    "DATA_TYPES",
    "DERIVATION_COLUMNS",
    "ID_COLUMNS",
    "MEASURES",
    "OPTIONAL_COLUMNS",
    "compute_effects",
    "rho_sensitivity",
]

"""Robustness of a pooled analysis: every estimator, leave-one-out, cumulative, duration, Egger.

Each takes the per-study effects of :func:`ldn_analysis.views.effect_rows` and returns
the table (or result) a chart in :mod:`ldn_analysis.figures.sensitivity` or
:mod:`ldn_analysis.figures.duration` draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ldn_analysis.stats import rma as pooling
from ldn_analysis.stats.diagnostics import cumul, egger, leave1out, metareg


def sensitivity_table(effects: pd.DataFrame) -> pd.DataFrame:
    """Pool ``effects`` with every tau² estimator x every test (FE only with z).

    Returns
    -------
    pandas.DataFrame
        ``method, test, estimate, ci_low, ci_high, tau2, i2, k`` (empty with < 2 studies).
    """
    cols = ["method", "test", "estimate", "ci_low", "ci_high", "tau2", "i2", "k"]
    if len(effects) < 2:
        return pd.DataFrame(columns=cols)
    methods = getattr(pooling, "METHODS", tuple(pooling.TAU2_ESTIMATORS))
    rows = []
    for method in methods:
        for test in pooling.TESTS:
            if method == "FE" and test != "z":
                continue
            r = pooling.pool(effects["yi"], effects["vi"], method=method, test=test)
            rows.append([method, test, r.estimate, r.ci_low, r.ci_high, r.tau2, r.i2, r.k])
    return pd.DataFrame(rows, columns=cols)


def leave_one_out_table(effects: pd.DataFrame, result) -> pd.DataFrame:
    """Refit ``result`` (pooled from ``effects``) leaving each study out in turn.

    The refits use the result's own method, test and level (as metafor's ``leave1out``).
    """
    if len(effects) < 3 or result is None:
        return pd.DataFrame(columns=["study_id", "estimate", "ci_low", "ci_high"])
    loo = leave1out(result)
    loo = loo.reset_index(drop=True)
    # the outcome row's own reported estimate/CI would clash with the refit's columns
    refit = ["yi", "vi", "estimate", "ci_low", "ci_high"]
    out = effects.reset_index(drop=True).drop(columns=refit, errors="ignore")
    return pd.concat([out, loo[["estimate", "ci_low", "ci_high"]]], axis=1)


def cumulative_table(effects: pd.DataFrame, result) -> pd.DataFrame:
    """Refit ``result`` cumulatively in publication order (row i = studies 1..i).

    Studies without a year are left out; the refits keep the result's settings.
    """
    e = effects[effects["year"].notna()].sort_values(["year", "study_id"]).reset_index(drop=True)
    if len(e) < 2 or result is None:
        return pd.DataFrame(columns=["study_id", "year", "estimate", "ci_low", "ci_high"])
    settings = {"method": result.method, "test": result.test, "level": result.level}
    cum = cumul(e["yi"], e["vi"], **settings).reset_index(drop=True)
    refit = ["yi", "vi", "estimate", "ci_low", "ci_high"]
    return pd.concat(
        [e.drop(columns=refit, errors="ignore"), cum[["estimate", "ci_low", "ci_high"]]], axis=1
    )


@dataclass(frozen=True)
class DurationRegression:
    """Meta-regression of effect size on treatment duration (weeks)."""

    intercept: float
    slope: float
    slope_ci_low: float
    slope_ci_high: float
    slope_pvalue: float
    k: int
    method: str
    test: str


def duration_regression(effects: pd.DataFrame, method: str = "REML", test: str = "z"):
    """Regress ``yi`` on ``duration_weeks`` (None with fewer than 3 studies or one duration)."""
    e = effects[effects["duration_weeks"].notna()]
    if len(e) < 3 or e["duration_weeks"].nunique() < 2:
        return None
    fit = metareg(e["yi"], e["vi"], e[["duration_weeks"]], method=method, test=test)
    coef = fit.coefficients.set_index("term")
    row = coef.loc["duration_weeks"]
    return DurationRegression(
        intercept=float(coef.iloc[0]["estimate"]),
        slope=float(row["estimate"]),
        slope_ci_low=float(row["ci_low"]),
        slope_ci_high=float(row["ci_high"]),
        slope_pvalue=float(row["pvalue"]),
        k=len(e),
        method=method,
        test=test,
    )


def egger_test(result):
    """Egger's regression test of a pooled result (None with fewer than 3 studies)."""
    return egger(result) if result is not None and result.k >= 3 else None

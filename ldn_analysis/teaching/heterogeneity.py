"""Few studies and small-study effects: reading a forest plot, heterogeneity, Egger's test.

Text and tables of the ``teach_heterogeneity`` notebook, computed with
:mod:`ldn_analysis.pooling` and :func:`ldn_analysis.egger`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ldn_analysis import vocab
from ldn_analysis.analysis import select
from ldn_analysis.analysis.effects import compute_effects
from ldn_analysis.errors import LDNError
from ldn_analysis.figures import Chart, forest_plot
from ldn_analysis.stats.diagnostics import egger_many
from ldn_analysis.stats.inference import Z95
from ldn_analysis.stats.rma import pool
from ldn_analysis.text.format import effect_text, plural, short_citations

EGGER_ALPHA = 0.10
"""Egger's test is conventionally read at the 10% level (Egger et al. 1997)."""
PI_MIN_K = 3
"""Fewest studies for a prediction interval: t with k - 2 degrees of freedom needs k >= 3."""
BEFORE_AFTER_AXIS = "← worse after LDN · better after LDN →"


def prediction_interval(result: Any, level: float = 0.95) -> tuple[float, float] | None:
    """Return the one prediction interval taught here, or None below :data:`PI_MIN_K` studies.

    Higgins, Thompson and Spiegelhalter (2009): estimate +/- t(k - 2) * sqrt(se^2 + tau2),
    with ``se`` the random-effects standard error of the pooled estimate (not rescaled by
    Knapp-Hartung, whatever interval the fit used). Cochrane Handbook 10.10.4.3.
    """
    if result is None or result.k < PI_MIN_K:
        return None
    se = result.se
    if result.test != "z" and len(result.yi) == result.k:  # the unscaled random-effects se
        se = pool(np.asarray(result.yi), np.asarray(result.vi), result.method, "z").se
    t = float(stats.t.isf((1 - level) / 2, result.k - 2))
    half = t * math.sqrt(se**2 + result.tau2)
    return result.estimate - half, result.estimate + half


def taught_result(result: Any) -> Any:
    """Return ``result`` with its prediction interval replaced by :func:`prediction_interval`."""
    pi = prediction_interval(result)
    lo, hi = pi if pi is not None else (math.nan, math.nan)
    return dataclasses.replace(result, pi_low=lo, pi_high=hi)


def forest(analysis: Any, before_after: bool | None = None) -> Chart:
    """Forest plot with the taught prediction interval; before-after axes say worse/better after.

    ``before_after`` defaults to whether the analysis pools ``ldn_pre_post`` effects.
    """
    if not analysis.k:
        return Chart(None, f"{analysis.title}: no study gives an effect size.")
    chart = forest_plot(
        analysis.effects,
        taught_result(analysis.result),
        title=analysis.title,
        measure_label=analysis.measure_label,
    )
    if before_after is None:
        before_after = str(getattr(analysis, "comparison", "")) == "ldn_pre_post"
    if before_after and chart.figure is not None:
        chart.figure.update_xaxes(title_text=f"{analysis.measure_label} · {BEFORE_AFTER_AXIS}")
        words = {
            "favours LDN": "better after LDN",
            "favours placebo": "worse after LDN",
            "inconclusive (interval includes no effect)": "the interval includes no change",
        }
        alt = chart.alt
        for said, meant in words.items():
            alt = alt.replace(said, meant)
        alt += " Before-after changes: right = better after LDN, with no control group."
        chart = dataclasses.replace(chart, alt=alt)
    return chart


def forest_reading_text(analysis: Any) -> str:
    """Read a forest plot aloud: each study's square and line, then the diamond."""
    r = analysis.result
    if r is None or not analysis.k:
        return "No study gives an effect size, so there is no forest plot to read."
    e = analysis.effects.reset_index(drop=True)
    w = np.asarray(r.weights, dtype=float)
    lines = []
    cites = short_citations(e)  # the forest plot's row labels
    for i, row in e.iterrows():
        se = math.sqrt(row["vi"])
        lo, hi = row["yi"] - Z95 * se, row["yi"] + Z95 * se
        side = "includes 0" if lo <= 0 <= hi else ("is above 0" if lo > 0 else "is below 0")
        lines.append(
            f"{cites[i]} ({vocab.design_label(row['design'])}, n = {int(row['n'])}): "
            f"SMD {row['yi']:+.2f}, 95% CI {lo:+.2f} to {hi:+.2f} ({side}); weight {w[i]:.0f}%."
        )
    side = "includes 0" if r.ci_low <= 0 <= r.ci_high else "excludes 0"
    pi = prediction_interval(r)
    pi_text = (
        f"The prediction interval, {pi[0]:+.2f} to {pi[1]:+.2f} (t with k - 2 = {r.k - 2} "
        "degrees of freedom), is where the true effect of a new similar study would be expected."
        if pi is not None
        else f"No prediction interval: with {r.k} studies, t with k - 2 degrees of freedom is "
        "undefined."
    )
    lines.append(
        f"The diamond: pooled {effect_text(r, analysis.measure)}; the interval {side}. "
        f"{pi_text} Positive = less pain on LDN (benefit)."
    )
    return "\n\n".join(lines)


def heterogeneity_text(result: Any) -> str:
    """Describe heterogeneity with the uncertainty of each statistic."""
    if result is None or result.k < 2:
        return "Fewer than two studies: heterogeneity cannot be estimated."
    return (
        f"k = {result.k} studies. Cochran's Q = {result.q:.2f} on "
        f"{plural(result.q_df, 'degree')} of freedom, p = {result.q_pvalue:.3g}: with so few studies this test has little "
        f"power, so a large p does not show that the studies agree. tau2 = {result.tau2:.3f} "
        f"(95% CI {result.tau2_ci_low:.3f} to {result.tau2_ci_high:.3f}); I2 = "
        f"{result.i2:.0f}% (95% CI {result.i2_ci_low:.0f}% to {result.i2_ci_high:.0f}%). "
        "Intervals this wide mean the data cannot say whether the studies agree."
    )


def few_studies_table(
    effect_sets: Mapping[str, pd.DataFrame], method: str = "REML"
) -> pd.DataFrame:
    """Pool each set of effects with z and Knapp-Hartung intervals, side by side.

    Parameters
    ----------
    effect_sets : mapping
        Label -> DataFrame with ``yi`` and ``vi`` (e.g. ``Efficacy.effects``).
    method : str
        tau2 estimator.
    """
    rows = []
    for label, eff in effect_sets.items():
        for test in ("z", "knha"):
            r = pool(eff["yi"], eff["vi"], method=method, test=test)
            pi = prediction_interval(r)
            rows.append(
                {
                    "studies pooled": label,
                    "k": r.k,
                    "test": {"z": "z (normal)", "knha": f"Knapp-Hartung, t({r.k - 1})"}[test],
                    "pooled SMD": round(r.estimate, 2),
                    "95% CI": f"{r.ci_low:+.2f} to {r.ci_high:+.2f}",
                    "95% prediction interval, t(k-2)": (
                        f"{pi[0]:+.2f} to {pi[1]:+.2f}" if pi else "none: k < 3"
                    ),
                    "tau2 (95% CI)": f"{r.tau2:.3f} ({r.tau2_ci_low:.3f} to {r.tau2_ci_high:.3f})",
                    "I2 (95% CI)": f"{r.i2:.0f}% ({r.i2_ci_low:.0f}% to {r.i2_ci_high:.0f}%)",
                }
            )
    return pd.DataFrame(rows)


def knapp_hartung_text(effects: pd.DataFrame, method: str = "REML") -> str:
    """Explain Knapp-Hartung on ``effects``: the variance rescaling and the t quantile."""
    z = pool(effects["yi"], effects["vi"], method=method, test="z")
    kh = pool(effects["yi"], effects["vi"], method=method, test="knha")
    if z.k < 2:
        return "Knapp-Hartung needs at least two studies."
    factor = (kh.se / z.se) ** 2
    t = float(stats.t.isf(0.025, z.k - 1))
    return (
        f"Knapp-Hartung changes two things. First it rescales the variance of the pooled "
        f"estimate by q = sum of w_i (y_i - estimate)^2 / (k - 1), the weighted spread of the "
        f"studies around the pooled estimate: here q = {factor:.2f}, so the standard error "
        f"goes from {z.se:.3f} to {kh.se:.3f}. Second it uses t with k - 1 = {z.k - 1} degrees "
        f"of freedom ({t:.2f}) instead of z ({Z95:.2f}). The 95% CI goes from {z.ci_low:+.2f} "
        f"to {z.ci_high:+.2f} (z) to {kh.ci_low:+.2f} to {kh.ci_high:+.2f} (Knapp-Hartung)."
        + (
            " Because q is below 1 here, the rescaling narrows the interval; only the t "
            "quantile widens it (some use max(1, q) for that reason)."
            if factor < 1
            else ""
        )
    )


def t_multiplier_table(ks: Sequence[int] = (3, 4, 5, 10, 20), level: float = 0.95) -> pd.DataFrame:
    """How far a 95% interval reaches (in standard errors) as the number of studies grows.

    The z multiplier is fixed; Knapp-Hartung uses t with k - 1 df and the Higgins et al.
    (2009) prediction interval t with k - 2 df.
    """
    a = (1 - level) / 2
    return pd.DataFrame(
        {
            "studies (k)": list(ks),
            "z": [round(float(stats.norm.isf(a)), 2)] * len(ks),
            "t, k-1 df (Knapp-Hartung)": [round(float(stats.t.isf(a, k - 1)), 2) for k in ks],
            "t, k-2 df (prediction interval)": [round(float(stats.t.isf(a, k - 2)), 2) for k in ks],
        }
    )


def egger_power(
    evidence: Any,
    ks: Sequence[int] = (5, 10, 20),
    slope: float = 2.0,
    reps: int = 150,
    seed: int = 20240601,
) -> pd.DataFrame:
    """Simulate how often Egger's test flags funnel asymmetry, with and without it.

    Study variances are drawn (with replacement) from the effect sizes computable in the
    evidence base; true effects are 0, plus ``slope`` times the standard error when a
    small-study effect is present (smaller studies report larger effects, Egger's model).
    Each simulated meta-analysis is tested with Egger's test (REML, z) at
    :data:`EGGER_ALPHA`, all replicates of one size in one engine call
    (:func:`ldn_analysis.stats.diagnostics.egger_many`, equal to :func:`ldn_analysis.egger`).

    Returns
    -------
    pandas.DataFrame
        ``studies (k)``, ``detected when present (%)``, ``false alarms when absent (%)``.
    """
    vi = compute_effects(select(evidence).outcomes)["vi"].dropna().to_numpy(float)
    if vi.size < 2:
        raise LDNError("fewer than two computable effect sizes to draw study variances from")
    rng = np.random.default_rng(seed)
    rows = []
    for k in ks:
        v, noise = np.empty((reps, k)), np.empty((reps, k))
        for i in range(reps):  # the draws of one replicate after another, as a scalar loop
            v[i] = rng.choice(vi, size=k, replace=True)
            noise[i] = rng.normal(0.0, np.sqrt(v[i]))
        se = np.sqrt(v)
        y = np.concatenate([noise + slope * se, noise])  # present, then absent
        flagged = egger_many(y, np.concatenate([v, v])).pvalue.to_numpy() < EGGER_ALPHA
        hits = {True: int(flagged[:reps].sum()), False: int(flagged[reps:].sum())}
        rows.append(
            {
                "studies (k)": k,
                "detected when present (%)": round(100 * hits[True] / reps),
                "false alarms when absent (%)": round(100 * hits[False] / reps),
            }
        )
    return pd.DataFrame(rows)


def egger_power_text(power: pd.DataFrame) -> str:
    """Summarize :func:`egger_power` in a sentence per number of studies."""
    parts = [
        f"with {r['studies (k)']} studies it flagged a real small-study effect in "
        f"{r['detected when present (%)']}% of simulated meta-analyses and raised a false "
        f"alarm in {r['false alarms when absent (%)']}%"
        for _, r in power.iterrows()
    ]
    return (
        f"Egger's test at the {100 * EGGER_ALPHA:g}% level: " + "; ".join(parts) + ". A "
        "non-significant test with few studies is therefore no evidence that there is no "
        "small-study effect."
    )

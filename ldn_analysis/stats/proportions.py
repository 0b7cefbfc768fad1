"""Single proportions, e.g. the share of LDN users with an adverse event.

Per-study Wilson and Clopper-Pearson intervals, and pooling on the logit scale as metafor's
``escalc("PLO")`` + ``rma`` or ``rma.glmm(measure="PLO")``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
from scipy import special

from ldn_analysis.stats import glmm
from ldn_analysis.stats.glmm import N_AGQ, TAU_MAX
from ldn_analysis.stats.inference import (
    check_level,
    choose,
    critical,
    guardrail_warnings,
    missing_rows,
)
from ldn_analysis.stats.rma import pool


def wilson(events, n, level=0.95):
    """Wilson score interval for a proportion (no continuity correction).

    Parameters
    ----------
    events, n : array_like
        Number of events and of participants.
    level : float
        Confidence level.

    Returns
    -------
    low, high : ndarray

    Notes
    -----
    Validated against R ``prop.test(x, n, correct=FALSE)$conf.int``.
    """
    x, n = np.asarray(events, dtype=float), np.asarray(n, dtype=float)
    z = critical(level)
    centre = (x + z * z / 2) / (n + z * z)
    half = z / (n + z * z) * np.sqrt(x * (n - x) / n + z * z / 4)
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def clopper_pearson(events, n, level=0.95):
    """Clopper-Pearson ("exact") interval for a proportion.

    Parameters
    ----------
    events, n : array_like
        Number of events and of participants.
    level : float
        Confidence level.

    Returns
    -------
    low, high : ndarray

    Notes
    -----
    Validated against R ``binom.test(x, n)$conf.int``.
    """
    x, n = np.asarray(events, dtype=float), np.asarray(n, dtype=float)
    a = (1 - level) / 2
    with np.errstate(invalid="ignore"):
        low = np.where(x > 0, special.betaincinv(x, n - x + 1, a), 0.0)
        high = np.where(x < n, special.betaincinv(x + 1, n - x, 1 - a), 1.0)
    return low, high


def rule_of_three(n):
    """Approximate 95% upper bound for a proportion when no events were seen: ``3 / n``.

    Parameters
    ----------
    n : array_like
        Number of participants.

    Returns
    -------
    ndarray

    Notes
    -----
    Hanley & Lippman-Hand (1983); the exact one-sided bound is ``1 - 0.05**(1/n)``.
    Closed form, checked in ``tests/test_stats_unit.py``.
    """
    return 3.0 / np.asarray(n, dtype=float)


def proportion_table(events, n, level=0.95) -> pd.DataFrame:
    """Per-study proportions with Wilson and Clopper-Pearson intervals.

    Parameters
    ----------
    events, n : array_like
        Number of events and of participants per study.
    level : float
        Confidence level.

    Returns
    -------
    DataFrame
        ``events, n, proportion, wilson_low, wilson_high, cp_low, cp_high,
        rule_of_three`` (the last only where there were no events).

    Notes
    -----
    Intervals validated against R ``prop.test(correct=FALSE)`` and ``binom.test``.
    """
    x, n = np.asarray(events, dtype=float), np.asarray(n, dtype=float)
    wl, wh = wilson(x, n, level)
    cl, ch = clopper_pearson(x, n, level)
    return pd.DataFrame(
        {
            "events": x,
            "n": n,
            "proportion": x / n,
            "wilson_low": wl,
            "wilson_high": wh,
            "cp_low": cl,
            "cp_high": ch,
            "rule_of_three": np.where(x == 0, rule_of_three(n), np.nan),
        }
    )


def plo(events, n, add=0.5):
    """Logit proportions and variances, as ``escalc("PLO")`` (``add`` for 0 or n events).

    Parameters
    ----------
    events, n : array_like
        Number of events and of participants.
    add : float
        Added to events and non-events of studies with 0 or n events.

    Returns
    -------
    yi, vi : ndarray

    Notes
    -----
    Validated against metafor 3.8-1 ``escalc(measure="PLO")`` (dat.pritz1997 and a set
    with a zero-event study).
    """
    x, n = np.asarray(events, dtype=float), np.asarray(n, dtype=float)
    m = n - x
    corr = np.where((x == 0) | (m == 0), add, 0.0)
    x, m = x + corr, m + corr
    return np.log(x / m), 1 / x + 1 / m


@dataclass(frozen=True)
class ProportionPoolResult:
    """A pooled proportion: estimates on the proportion scale, tau^2 on the logit scale."""

    estimate: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float
    logit_estimate: float
    logit_se: float
    tau2: float
    i2: float
    k: int
    model: str
    method: str
    level: float
    warnings: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """Return a one-row DataFrame (warnings joined by " | ")."""
        row = {f.name: getattr(self, f.name) for f in fields(self)}
        row["warnings"] = " | ".join(self.warnings)
        return pd.DataFrame([row])


def _interval_fields(mu, se, tau2, level):
    z = critical(level)
    sd = np.sqrt(se**2 + tau2) if np.isfinite(tau2) else np.nan
    return {
        "estimate": special.expit(mu),
        "ci_low": special.expit(mu - z * se),
        "ci_high": special.expit(mu + z * se),
        "pi_low": special.expit(mu - z * sd),
        "pi_high": special.expit(mu + z * sd),
        "logit_estimate": mu,
        "logit_se": se,
    }


def _pool_logit(x, n, method, level):
    yi, vi = plo(x, n)
    res = pool(yi, vi, method=method, test="z", level=level)
    out = _interval_fields(res.estimate, res.se, res.tau2, level)
    if res.k == 1:
        out.update(pi_low=np.nan, pi_high=np.nan)
    out.update(tau2=res.tau2, i2=res.i2)
    return out, [w for w in res.warnings if not w.startswith("Only")]


# --- binomial-normal GLMM (the likelihood and optimizer live in .glmm) ----------------------


def _glmm_ml(x, n, n_agq):
    mu, se, tau2, _, hit = glmm.fit_ml(x, n, n_agq)
    return mu, se, tau2, hit


def _glmm_fe(x, n, n_agq):
    mu = special.logit(x.sum() / n.sum())
    p = special.expit(mu)
    return mu, 1 / np.sqrt(np.sum(n * p * (1 - p))), 0.0, False


GLMM_METHODS: dict[str, Callable] = {"ML": _glmm_ml, "FE": _glmm_fe}
"""Estimation methods of the binomial-normal model (as ``rma.glmm``: ML, or FE)."""


def _pool_glmm(x, n, method, level, n_agq=N_AGQ):
    fit = choose(GLMM_METHODS, method, "GLMM method")
    if x.size == 1 or x.sum() == 0 or x.sum() == n.sum():
        out, warn = _pool_logit(x, n, "FE" if x.size == 1 else "REML", level)
        return out, warn + ["GLMM not estimable (one study, or no/all events): logit model used."]
    mu, se, tau2, hit = fit(x, n, n_agq)
    warn = []
    if hit:
        warn.append(
            f"The GLMM heterogeneity hit the search limit (tau = {TAU_MAX:g}): the likelihood "
            "keeps rising with tau; treat the estimate as unstable."
        )
    out = _interval_fields(mu, se, tau2, level)
    _, vi = plo(x, n)
    w = 1 / vi
    vt = (x.size - 1) / (w.sum() - (w * w).sum() / w.sum())
    out.update(tau2=tau2, i2=100 * tau2 / (vt + tau2))
    return out, warn


MODELS: dict[str, tuple[Callable, str]] = {
    "logit": (_pool_logit, "REML"),
    "glmm": (_pool_glmm, "ML"),
}
"""Pooling models for proportions, each with its default method."""


def pool_proportions(
    events, n, method: str | None = None, model: str = "logit", level: float = 0.95
) -> ProportionPoolResult:
    """Pool single proportions across studies.

    Parameters
    ----------
    events, n : array_like
        Number of events and of participants per study.
    method : str, optional
        For ``model="logit"`` a tau^2 estimator of :func:`ldn_analysis.pooling.pool`
        (default "REML"); for ``model="glmm"`` "ML" (default) or "FE".
    model : {"logit", "glmm"}
        ``logit``: escalc PLO (1/2 added to studies with 0 or n events) + ``rma``;
        ``glmm``: binomial-normal random-intercept model fitted by maximum likelihood
        with adaptive Gauss-Hermite quadrature (7 points).
    level : float
        Confidence level.

    Returns
    -------
    ProportionPoolResult
        Estimate, CI and prediction interval back-transformed to proportions; tau^2 and
        the logit-scale estimate and SE.

    Notes
    -----
    ``logit`` is validated against metafor 3.8-1 ``rma(escalc("PLO"))`` +
    ``predict(transf=transf.ilogit)``; ``glmm`` against ``rma.glmm(measure="PLO")``
    (lme4 1.1-31 ``glmer``, nAGQ = 7), on dat.pritz1997 and a small LDN-like set with a
    zero-event study.
    """
    func, default = choose(MODELS, model, "model")
    method = default if method is None else method
    level = check_level(level)
    x = np.asarray(events, dtype=float).ravel()
    nn = np.asarray(n, dtype=float).ravel()
    ok = np.isfinite(x) & np.isfinite(nn)
    dropped = missing_rows(
        ok, "events or n", labels=events.index if isinstance(events, pd.Series) else None
    )
    x, nn = x[ok], nn[ok]
    if x.size == 0:
        raise ValueError(f"no study has both events and n ({dropped})")
    if np.any((x < 0) | (x > nn) | (nn <= 0)):
        raise ValueError("events must be between 0 and n, and n positive, in every study")
    out, warn = func(x, nn, method, level)
    warn = list(guardrail_warnings(x.size)) + warn
    if dropped:
        warn.insert(0, dropped)
    return ProportionPoolResult(
        **{key: float(val) for key, val in out.items()},
        k=int(x.size),
        model=model,
        method=method,
        level=level,
        warnings=tuple(warn),
    )

"""Pool effect sizes: common-effect and random-effects models, as metafor's ``rma.uni``.

Pooling keeps the sign of its input: with effect sizes from :mod:`ldn_analysis.effects`,
a positive pooled estimate means LDN is better.

One vectorized engine fits a block of G groups of k studies at once (arrays of shape
(G, k)); :func:`pool` runs it on a single group and :func:`pool_many` on every group of a
table, so both give the same numbers by construction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import special

from ldn_analysis.errors import ChoiceError

THRESHOLD = 1e-12  # Fisher scoring stops when |change in tau^2| <= this * (1 + tau^2)
# (metafor: |change| <= 1e-5; the relative part keeps the rule reachable on large scales)
MAXITER = 1000  # Fisher-scoring iterations (metafor: 100)
ROOT_RTOL = 1e-13  # Newton steps for Q-profile / Paule-Mandel roots stop below this
LL0_TOL = np.finfo(float).eps ** 0.25  # metafor's ll0check tolerance (control$tol)


class _Tau2(NamedTuple):
    tau2: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    reset: np.ndarray  # ML/REML: set to 0 because the likelihood at 0 was higher
    stepadj: np.ndarray  # ML/REML: Fisher-scoring step length that converged (1 = full)


@dataclass(frozen=True)
class _TestSpec:
    t_dist: bool  # t with k - p df instead of the normal
    knha: bool  # scale the variance by the Knapp-Hartung factor s2w
    floor: bool  # metafor's "adhoc": s2w never below 1


def _qgen(y, v, tau2):
    """Generalized Q at tau2 per row, with weights and residuals (shape (G, k))."""
    w = 1.0 / (v + tau2[:, None])
    mu = (w * y).sum(axis=1) / w.sum(axis=1)
    r = y - mu[:, None]
    return (w * r * r).sum(axis=1), w, r


def _q_root(y, v, target, rtol=ROOT_RTOL, maxiter=MAXITER):
    """Solve Q(tau2) = target per row; 0 where Q(0) <= target.

    Q is convex and decreasing in tau2, so Newton's method started at 0 climbs to the
    root from the left without overshooting.
    """
    x = np.zeros(y.shape[0])
    q0, _, _ = _qgen(y, v, x)
    active = q0 > target
    for _ in range(maxiter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        q, w, r = _qgen(y[idx], v[idx], x[idx])
        f = q - target[idx]
        step = f / (w * w * r * r).sum(axis=1)
        grow = f > 0
        x[idx] = np.where(grow, x[idx] + step, x[idx])
        active[idx] = grow & (step > rtol * (1.0 + x[idx]))
    return x


def _done(tau2):
    g = tau2.shape[0]
    return _Tau2(tau2, np.zeros(g, int), np.ones(g, bool), np.zeros(g, bool), np.ones(g))


def _tau2_fe(y, v, **_):
    return _done(np.zeros(y.shape[0]))


def _tau2_dl(y, v, **_):
    k = y.shape[1]
    q, w, _ = _qgen(y, v, np.zeros(y.shape[0]))
    sw = w.sum(axis=1)
    trp = sw - (w * w).sum(axis=1) / sw
    return _done(np.maximum(0.0, (q - (k - 1)) / trp))


def _he_raw(y, v):
    k = y.shape[1]
    rss = ((y - y.mean(axis=1)[:, None]) ** 2).sum(axis=1)
    return (rss - v.sum(axis=1) * (k - 1) / k) / (k - 1)


def _tau2_he(y, v, **_):
    return _done(np.maximum(0.0, _he_raw(y, v)))


def _tau2_sj(y, v, **_):
    k = y.shape[1]
    t0 = ((y - y.mean(axis=1)[:, None]) ** 2).mean(axis=1)
    q, _, _ = _qgen(y, v, t0)
    return _done(np.maximum(0.0, t0 * q / (k - 1)))


def _tau2_pm(y, v, **_):
    k = y.shape[1]
    return _done(_q_root(y, v, np.full(y.shape[0], k - 1.0)))


def _loglik(y, v, tau2, reml):
    q, w, _ = _qgen(y, v, tau2)
    ll = -0.5 * np.log(v + tau2[:, None]).sum(axis=1) - 0.5 * q
    return ll - 0.5 * np.log(w.sum(axis=1)) if reml else ll


def _scoring(y, v, reml, stepadj, threshold, maxiter):
    """Fisher scoring from the (truncated) HE estimate, exactly as metafor's rma.uni."""
    g = y.shape[0]
    tau2 = np.maximum(0.0, _he_raw(y, v))
    iters = np.zeros(g, int)
    active = np.ones(g, bool)
    for _ in range(maxiter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        t = tau2[idx]
        _, w, r = _qgen(y[idx], v[idx], t)
        sw = w.sum(axis=1)
        w2 = w * w
        sw2 = w2.sum(axis=1)
        ypp = (w2 * r * r).sum(axis=1)
        if reml:
            trp = sw - sw2 / sw
            trpp = sw2 - 2.0 * (w2 * w).sum(axis=1) / sw + (sw2 / sw) ** 2
            adj = (ypp - trp) / trpp
        else:
            adj = (ypp - sw) / sw2
        adj = np.where(np.isfinite(adj), adj, 0.0) * stepadj
        adj = np.where((t == 0) & (adj < 0), 0.0, adj)  # halving to 0 ends where R's loop does
        neg = t + adj < 0
        while neg.any():  # step halving, as metafor
            adj[neg] /= 2.0
            neg = t + adj < 0
        tau2[idx] = t + adj
        iters[idx] += 1
        active[idx] = np.abs(adj) > threshold * (1.0 + tau2[idx])
    return tau2, iters, ~active


def _fisher(y, v, reml, threshold=THRESHOLD, maxiter=MAXITER):
    """Fisher scoring; groups that do not converge are rerun with metafor's remedy.

    metafor's help suggests ``control=list(stepadj=0.5)`` when scoring oscillates; groups
    that have not converged with full steps are refitted with step lengths 1/2, 1/4,
    1/8 and 1/16 in turn, and ``stepadj`` records the one that converged.
    """
    g = y.shape[0]
    tau2, iters, converged = _scoring(y, v, reml, 1.0, threshold, maxiter)
    stepadj = np.ones(g)
    for step in (0.5, 0.25, 0.125, 0.0625):
        idx = np.flatnonzero(~converged)
        if idx.size == 0:
            break
        t2, it2, c2 = _scoring(y[idx], v[idx], reml, step, threshold, maxiter)
        tau2[idx], converged[idx], stepadj[idx] = t2, c2, step
        iters[idx] += it2
    check = converged & (tau2 > threshold)
    reset = np.zeros(g, bool)
    if check.any():  # metafor's ll0check: is tau2 = 0 better than where scoring stopped?
        idx = np.flatnonzero(check)
        ll0 = _loglik(y[idx], v[idx], np.zeros(idx.size), reml)
        ll = _loglik(y[idx], v[idx], tau2[idx], reml)
        reset[idx] = ll0 - ll > LL0_TOL
        tau2[reset] = 0.0
    return _Tau2(np.maximum(0.0, tau2), iters, converged, reset, stepadj)


def _tau2_reml(y, v, threshold=THRESHOLD, maxiter=MAXITER):
    return _fisher(y, v, True, threshold, maxiter)


def _tau2_ml(y, v, threshold=THRESHOLD, maxiter=MAXITER):
    return _fisher(y, v, False, threshold, maxiter)


TAU2_ESTIMATORS: dict[str, Callable[..., _Tau2]] = {
    "FE": _tau2_fe,
    "DL": _tau2_dl,
    "REML": _tau2_reml,
    "PM": _tau2_pm,
    "ML": _tau2_ml,
    "HE": _tau2_he,
    "SJ": _tau2_sj,
}
"""Estimators of tau^2 by metafor name ("FE" is the common-effect model, tau^2 = 0)."""

METHODS = tuple(TAU2_ESTIMATORS)

TESTS: dict[str, _TestSpec] = {
    "z": _TestSpec(t_dist=False, knha=False, floor=False),
    "knha": _TestSpec(t_dist=True, knha=True, floor=False),
    "adhoc": _TestSpec(t_dist=True, knha=True, floor=True),
}
"""Inference for the pooled estimate: normal (z), Knapp-Hartung, KH with ad hoc floor."""


def critical(level, df=np.inf):
    """Two-sided critical value: normal quantile, or t with ``df`` degrees of freedom.

    Notes
    -----
    ``scipy.special.ndtri`` / ``stdtrit``; the CIs built with it match metafor's
    ``qnorm`` / ``qt`` intervals (tests/test_metafor_alignment.py).
    """
    alpha = (1.0 - level) / 2
    return -special.ndtri(alpha) if np.isinf(df) else -special.stdtrit(df, alpha)


def two_sided_p(stat, df=np.inf):
    """Two-sided p-value of a z (``df`` infinite) or t statistic.

    Notes
    -----
    ``scipy.special.ndtr`` / ``stdtr``; matches metafor's ``pnorm`` / ``pt`` p-values down
    to 1e-26 (tests/test_metafor_alignment.py).
    """
    x = -np.abs(stat)
    return 2.0 * (special.ndtr(x) if np.isinf(df) else special.stdtr(df, x))


def choose(registry, value, what):
    """Return ``registry[value]``; raise :class:`ChoiceError` listing valid keys if absent.

    Notes
    -----
    Every option of the engine (method, test, model...) is looked up here, so an unknown
    value always names the valid ones (tests/test_stats_unit.py).
    """
    try:
        return registry[value]
    except (KeyError, TypeError):
        raise ChoiceError(what, value, registry) from None


def check_level(level) -> float:
    """Return the confidence level as a fraction in (0, 1), e.g. 0.95.

    Notes
    -----
    metafor also accepts 95; here a level outside (0, 1) is an error, to avoid silently
    building 5% intervals from ``level=0.05``-style confusion.
    """
    level = float(level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be a fraction between 0 and 1 (e.g. 0.95), got {level}")
    return level


def _fit_block(y, v, method, test, level, threshold=THRESHOLD, maxiter=MAXITER):
    """Fit G groups of k >= 2 studies at once; return a dict of arrays of length G."""
    k = y.shape[1]
    spec = TESTS[test]
    fit = TAU2_ESTIMATORS[method](y, v, threshold=threshold, maxiter=maxiter)
    fe = method == "FE"
    tau2 = fit.tau2
    _, w, r = _qgen(y, v, tau2)
    sw = w.sum(axis=1)
    est = (w * y).sum(axis=1) / sw
    se = np.sqrt(1.0 / sw)
    df = k - 1
    if spec.knha:
        rss = (w * r * r).sum(axis=1)
        s2w = np.where(rss <= np.finfo(float).eps, 0.0, rss / df)
        if spec.floor:
            s2w = np.maximum(s2w, 1.0)
        se = se * np.sqrt(s2w)
    tdf = float(df) if spec.t_dist else np.inf
    alpha = 1.0 - level
    crit = critical(level, tdf)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = est / se
    pred_sd = np.sqrt(se * se + tau2)
    q, w0, _ = _qgen(y, v, np.zeros(y.shape[0]))
    q = np.maximum(q, 0.0)
    sw0 = w0.sum(axis=1)
    vt = df / (sw0 - (w0 * w0).sum(axis=1) / sw0)  # "typical" within-study variance
    if fe:
        with np.errstate(divide="ignore", invalid="ignore"):
            i2 = np.where(q > 0, np.maximum(0.0, 100.0 * (q - df) / q), 0.0)
        h2 = q / df
        lo = hi = np.full(y.shape[0], np.nan)
    else:
        i2 = 100.0 * tau2 / (vt + tau2)
        h2 = tau2 / vt + 1.0
        g = y.shape[0]
        lo = _q_root(y, v, np.full(g, special.chdtri(df, alpha / 2)))
        hi = _q_root(y, v, np.full(g, special.chdtri(df, 1.0 - alpha / 2)))
    return {
        "estimate": est,
        "se": se,
        "ci_low": est - crit * se,
        "ci_high": est + crit * se,
        "pi_low": est - crit * pred_sd,
        "pi_high": est + crit * pred_sd,
        "z_or_t": stat,
        "df": np.full(y.shape[0], tdf),
        "pvalue": two_sided_p(stat, tdf),
        "tau2": np.where(fe, 0.0, tau2),
        "tau2_ci_low": lo,
        "tau2_ci_high": hi,
        "i2": i2,
        "i2_ci_low": 100.0 * lo / (vt + lo),
        "i2_ci_high": 100.0 * hi / (vt + hi),
        "h2": h2,
        "q": q,
        "q_df": np.full(y.shape[0], df),
        "q_pvalue": special.chdtrc(df, q),
        "converged": fit.converged,
        "iterations": fit.iterations,
        "reset": fit.reset,
        "stepadj": fit.stepadj,
        "weights": 100.0 * w / sw[:, None],
    }


def _fit_single(y, v, level):
    """Fit single studies (k = 1): the study itself, a z interval, no heterogeneity."""
    se = np.sqrt(v[:, 0])
    crit = critical(level)
    est = y[:, 0]
    nan = np.full(y.shape[0], np.nan)
    out = dict.fromkeys(
        ("pi_low", "pi_high", "tau2", "tau2_ci_low", "tau2_ci_high", "i2", "i2_ci_low"), nan
    )
    out.update(i2_ci_high=nan, h2=nan, q=np.zeros_like(est), q_df=np.zeros(est.size, int))
    out.update(q_pvalue=np.ones_like(est), df=np.full(est.size, np.inf))
    out.update(estimate=est, se=se, ci_low=est - crit * se, ci_high=est + crit * se)
    out.update(z_or_t=est / se, pvalue=two_sided_p(est / se))
    out.update(converged=np.ones(est.size, bool), iterations=np.zeros(est.size, int))
    out.update(reset=np.zeros(est.size, bool), weights=np.full((est.size, 1), 100.0))
    out["stepadj"] = np.ones(est.size)
    return out


def guardrail_warnings(k, *, blinding=None, designs=None, imputed_sd=None) -> tuple[str, ...]:
    """Plain-language cautions about a pooled result of ``k`` studies.

    Parameters
    ----------
    k : int
        Number of studies pooled.
    blinding : sequence of str, optional
        Blinding per study (``double_blind``, ``single_blind``, ``open_label``...).
    designs : sequence of str, optional
        Design per study (``open_label_single_arm`` counts as open-label).
    imputed_sd : sequence of bool, optional
        True where a study's SD was imputed.

    Returns
    -------
    tuple of str
        One short sentence per caution (empty when there is none).

    Notes
    -----
    Rules, not statistics: fewer than 10 studies (funnel plot / Egger unreliable), fewer
    than 3 (prediction interval not meaningful; metafor still computes it, and so do we),
    a single study, all studies open-label, imputed SDs. Tested in tests/test_stats_unit.py.
    """
    out = []
    if k == 1:
        out.append(
            "Only one study: the result is that study's own estimate; heterogeneity "
            "(tau^2) cannot be estimated."
        )
    elif k < 3:
        out.append(f"Only {k} studies: the prediction interval is not meaningful (needs 3+).")
    if k < 10:
        out.append(f"Only {k} studies: funnel plots and Egger's test are unreliable (needs 10+).")
    open_label = []
    if blinding is not None:
        open_label.append([str(b) == "open_label" for b in blinding])
    if designs is not None:
        open_label.append([str(d).startswith("open_label") for d in designs])
    if open_label and all(len(flags) == k for flags in open_label):
        if all(any(col) for col in zip(*open_label, strict=True)) and k > 0:
            out.append("All studies are open-label: expectation effects may inflate the result.")
    if imputed_sd is not None:
        n_imp = int(np.sum(np.asarray(imputed_sd, dtype=bool)))
        if n_imp:
            out.append(f"{n_imp} of {k} studies use an imputed SD: check a sensitivity analysis.")
    return tuple(out)


def _fit_warnings(method, test, converged, reset, maxiter, stepadj=1.0):
    out = []
    if stepadj != 1.0 and converged:
        out.append(
            f"Fisher scoring oscillated with full steps; it converged with step length "
            f"{stepadj:g} (metafor's stepadj remedy)."
        )
    if method == "FE" and test != "z":
        out.append("The Knapp-Hartung adjustment is not meant for a common-effect (FE) model.")
    if not converged:
        out.append(f"The {method} estimator did not converge in {maxiter} iterations.")
    if reset:
        out.append("Fisher scoring may have stopped at a local maximum; tau^2 set to 0.")
    return out


@dataclass(frozen=True)
class PoolResult:
    """A pooled estimate with its heterogeneity statistics (one row of ``pool_many``).

    ``weights`` are percentages (as metafor's ``weights()``); ``df`` is ``inf`` under the
    z test; ``tau2_ci_*`` are Q-profile limits (NaN for FE and k = 1); for FE the
    prediction interval equals the CI (tau^2 = 0; metafor's ``predict`` gives none).
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float
    z_or_t: float
    df: float
    pvalue: float
    tau2: float
    tau2_ci_low: float
    tau2_ci_high: float
    i2: float
    i2_ci_low: float
    i2_ci_high: float
    h2: float
    q: float
    q_df: int
    q_pvalue: float
    k: int
    method: str
    test: str
    level: float
    converged: bool
    iterations: int
    weights: tuple[float, ...]
    warnings: tuple[str, ...]

    @property
    def tau(self) -> float:
        """Square root of tau^2."""
        return float(np.sqrt(self.tau2))

    def to_frame(self) -> pd.DataFrame:
        """Return a one-row DataFrame (weights left out, warnings joined by " | ")."""
        row = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "weights"}
        row["warnings"] = " | ".join(self.warnings)
        return pd.DataFrame([row], columns=FRAME_COLUMNS)

    def summary(self) -> str:
        """Return a short plain-text summary."""
        model = "Common-effect" if self.method == "FE" else "Random-effects"
        pct = f"{100 * self.level:g}%"
        stat = "z" if self.test == "z" else f"t({self.df:g})"
        lines = [
            f"{model} meta-analysis ({self.method}, {self.test} test), k = {self.k}",
            f"Estimate {self.estimate:.4f} ({pct} CI {self.ci_low:.4f} to {self.ci_high:.4f}), "
            f"{stat} = {self.z_or_t:.3f}, p = {self.pvalue:.3g}",
        ]
        if self.k > 1:
            lines.append(f"Prediction interval {self.pi_low:.4f} to {self.pi_high:.4f}")
            lines.append(
                f"tau^2 = {self.tau2:.4f} (CI {self.tau2_ci_low:.4f} to "
                f"{self.tau2_ci_high:.4f}), I^2 = {self.i2:.1f}%, H^2 = {self.h2:.2f}, "
                f"Q({self.q_df}) = {self.q:.2f}, p = {self.q_pvalue:.3g}"
            )
        lines += [f"Warning: {w}" for w in self.warnings]
        return "\n".join(lines)


FRAME_COLUMNS = [f.name for f in fields(PoolResult) if f.name != "weights"]
_FLOAT_COLUMNS = [f.name for f in fields(PoolResult) if f.type == "float" and f.name != "level"]


def _clean(yi, vi):
    y = np.asarray(yi, dtype=float).ravel()
    v = np.asarray(vi, dtype=float).ravel()
    if y.shape != v.shape:
        raise ValueError(f"yi and vi differ in length ({y.size} vs {v.size})")
    ok = np.isfinite(y) & np.isfinite(v)
    if np.any(v[ok] <= 0):
        raise ValueError("every sampling variance vi must be positive")
    return y[ok], v[ok], ok


def _warnings_for(k, method, test, block, i, maxiter, dropped, guard):
    out = []
    if dropped:
        out.append(f"{dropped} studies with a missing yi or vi were left out.")
    conv, reset, step = bool(block["converged"][i]), block["reset"][i], block["stepadj"][i]
    out += _fit_warnings(method, test, conv, reset, maxiter, step)
    return tuple(out) + guard


def pool(
    yi,
    vi,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    *,
    blinding=None,
    designs=None,
    imputed_sd=None,
    threshold: float = THRESHOLD,
    maxiter: int = MAXITER,
) -> PoolResult:
    """Pool effect sizes with a common-effect or random-effects model.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and their sampling variances (pairs with a NaN are left out).
    method : {"REML", "DL", "PM", "ML", "HE", "SJ", "FE"}
        tau^2 estimator; "FE" fits the common-effect model.
    test : {"z", "knha", "adhoc"}
        Normal-based inference, Knapp-Hartung (t with k-1 df), or Knapp-Hartung with
        metafor's ad hoc correction (variance factor never below 1).
    level : float
        Confidence level of the intervals (0.95).
    blinding, designs, imputed_sd : sequence, optional
        Per-study blinding / design / imputed-SD flags, used only for warnings.
    threshold, maxiter : float, int
        Fisher-scoring convergence settings for ML and REML.

    Returns
    -------
    PoolResult

    Notes
    -----
    Validated against R metafor 3.8-1 ``rma.uni`` (every method x test on dat.bcg, a
    k = 2 case and a case where tau^2 truncates at 0), ``predict()`` (prediction interval,
    t with k-1 df under knha/adhoc) and ``confint()`` (Q-profile tau^2, I^2 limits); see
    ``tests/test_metafor_alignment.py``. Algorithms follow metafor: Fisher scoring from
    the HE estimate with step halving and the ll0 check for ML/REML, a root of the
    generalized Q for PM and the Q-profile limits. With k = 1 the study itself is
    returned with a warning (tau^2 NaN).
    """
    choose(TAU2_ESTIMATORS, method, "method")
    choose(TESTS, test, "test")
    level = check_level(level)
    y, v, ok = _clean(yi, vi)
    if y.size == 0:
        raise ValueError("no study has both yi and vi: nothing to pool")
    sel = {}
    for name, arr in (("blinding", blinding), ("designs", designs), ("imputed_sd", imputed_sd)):
        sel[name] = None if arr is None else np.asarray(arr, dtype=object)[ok]
    guard = guardrail_warnings(y.size, **sel)
    block = (
        _fit_single(y[None, :], v[None, :], level)
        if y.size == 1
        else _fit_block(y[None, :], v[None, :], method, test, level, threshold, maxiter)
    )
    warn = _warnings_for(y.size, method, test, block, 0, maxiter, int((~ok).sum()), guard)
    return _result(block, 0, y.size, method, test, level, warn)


def _result(block, i, k, method, test, level, warn) -> PoolResult:
    scalars = {f.name for f in fields(PoolResult)} - {"k", "method", "test", "level"}
    scalars -= {"weights", "warnings", "converged", "iterations", "q_df"}
    vals = {name: float(block[name][i]) for name in scalars}
    return PoolResult(
        **vals,
        q_df=int(block["q_df"][i]),
        k=int(k),
        method=method,
        test=test,
        level=level,
        converged=bool(block["converged"][i]),
        iterations=int(block["iterations"][i]),
        weights=tuple(float(x) for x in block["weights"][i]),
        warnings=warn,
    )


def pool_many(
    df: pd.DataFrame,
    by,
    yi: str = "yi",
    vi: str = "vi",
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    *,
    blinding: str | None = None,
    designs: str | None = None,
    imputed_sd: str | None = None,
    threshold: float = THRESHOLD,
    maxiter: int = MAXITER,
) -> pd.DataFrame:
    """Pool every group of a table at once (vectorized across groups).

    Parameters
    ----------
    df : DataFrame
        One row per study.
    by : str or list of str
        Grouping column(s).
    yi, vi : str
        Columns with the effect sizes and sampling variances.
    method, test, level, threshold, maxiter
        As in :func:`pool`.
    blinding, designs, imputed_sd : str, optional
        Column names used for the guardrail warnings.

    Returns
    -------
    DataFrame
        One row per group: the ``by`` columns, then the columns of
        :meth:`PoolResult.to_frame`.

    Notes
    -----
    Groups of the same size are stacked into (G, k) arrays and fitted together with the
    same engine as :func:`pool` (Fisher scoring and Newton root finding run on all
    groups at once; each group stops at its own convergence), so every number equals the
    scalar :func:`pool` result for that group. Validated against :func:`pool` in
    ``tests/test_stats_unit.py`` and against metafor in ``benchmarks/bench_pooling.py``.
    """
    choose(TAU2_ESTIMATORS, method, "method")
    choose(TESTS, test, "test")
    level = check_level(level)
    by = [by] if isinstance(by, str) else list(by)
    grouped = df.groupby(by, sort=True, dropna=False)
    codes = grouped.ngroup().to_numpy()
    keys = grouped.size().reset_index()[by]
    n_groups = len(keys)
    y_all = df[yi].to_numpy(dtype=float)
    v_all = df[vi].to_numpy(dtype=float)
    ok = np.isfinite(y_all) & np.isfinite(v_all)
    if np.any(v_all[ok] <= 0):
        raise ValueError(f"every sampling variance in column {vi!r} must be positive")
    dropped = np.bincount(codes[~ok], minlength=n_groups)
    order = np.argsort(codes[ok], kind="stable")
    sorted_rows = np.flatnonzero(ok)[order]
    sizes = np.bincount(codes[ok], minlength=n_groups)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    extra = {
        name: df[col].to_numpy(dtype=object)
        for name, col in (("blinding", blinding), ("designs", designs), ("imputed_sd", imputed_sd))
        if col is not None
    }
    cols = {name: np.full(n_groups, np.nan) for name in _FLOAT_COLUMNS}
    cols.update(k=sizes.copy(), q_df=np.maximum(sizes - 1, 0), iterations=np.zeros(n_groups, int))
    cols["converged"] = np.zeros(n_groups, bool)
    warnings = [""] * n_groups
    for k in np.unique(sizes):
        gids = np.flatnonzero(sizes == k)
        if k == 0:
            for g in gids:
                warnings[g] = f"No study with both yi and vi ({dropped[g]} left out)."
            continue
        idx = sorted_rows[starts[gids][:, None] + np.arange(k)]
        y, v = y_all[idx], v_all[idx]
        block = (
            _fit_single(y, v, level)
            if k == 1
            else _fit_block(y, v, method, test, level, threshold, maxiter)
        )
        for name in (*_FLOAT_COLUMNS, "converged", "iterations"):
            cols[name][gids] = block[name]
        for j, g in enumerate(gids):
            sub = {name: arr[idx[j]] for name, arr in extra.items()}
            guard = guardrail_warnings(int(k), **sub)
            warn = _warnings_for(k, method, test, block, j, maxiter, int(dropped[g]), guard)
            warnings[g] = " | ".join(warn)
    cols.update(method=method, test=test, level=level, warnings=warnings)
    out = pd.DataFrame({name: cols[name] for name in FRAME_COLUMNS})
    return pd.concat([keys.reset_index(drop=True), out], axis=1)

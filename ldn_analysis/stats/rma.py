"""Pool effect sizes: common-effect and random-effects models, as metafor's ``rma.uni``.

Pooling keeps the sign of its input: with effect sizes from :mod:`ldn_analysis.analysis`,
a positive pooled estimate means LDN is better.

One vectorized engine (:func:`fit_block`) fits G data sets of k studies at once, for any
design matrix, with the tau^2 estimators of :mod:`.tau2`; :func:`pool` runs it on one data
set, :func:`pool_many` on every group of a table and :func:`.metareg.metareg` with
moderators, so they all give the same numbers by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd
from scipy import special

from ldn_analysis.stats.inference import (
    Z95,
    check_level,
    choose,
    clean,
    critical,
    fit_warnings,
    guardrail_warnings,
    missing_rows,
    two_sided_p,
)
from ldn_analysis.stats.tau2 import (
    ESTIMATORS,
    LL0_TOL,
    MAXITER,
    ROOT_RTOL,
    THRESHOLD,
    as_design,
    qprofile,
    wls,
)

__all__ = ["METHODS", "TESTS", "PoolResult", "pool", "pool_many", "guardrail_warnings"]
__all__ += ["Z95", "check_level", "choose", "critical", "two_sided_p"]  # from .inference
_REEXPORTED = (LL0_TOL, ROOT_RTOL, THRESHOLD)  # kept importable from here as before

TAU2_ESTIMATORS = ESTIMATORS
METHODS = tuple(ESTIMATORS)


@dataclass(frozen=True)
class _TestSpec:
    t_dist: bool  # t with k - p df instead of the normal
    knha: bool  # scale the variance by the Knapp-Hartung factor s2w
    floor: bool  # metafor's "adhoc": s2w never below 1


TESTS: dict[str, _TestSpec] = {
    "z": _TestSpec(t_dist=False, knha=False, floor=False),
    "t": _TestSpec(t_dist=True, knha=False, floor=False),
    "knha": _TestSpec(t_dist=True, knha=True, floor=False),
    "adhoc": _TestSpec(t_dist=True, knha=True, floor=True),
}
"""Inference on the coefficients: normal (z); t with k - p df (plain t, metafor
``test="t"``); Knapp-Hartung; Knapp-Hartung with the ad hoc floor (s2w never below 1)."""


def fit_block(y, v, X, method, test, level, maxiter=MAXITER, profile=True):
    """Fit ``rma(yi, vi, mods = X, intercept = FALSE)`` to G data sets at once.

    Parameters
    ----------
    y, v : ndarray, shape (G, k)
        Effect sizes and sampling variances (finite, v > 0), k > p.
    X : ndarray, shape (k, p) or (G, k, p)
        Design matrix.
    method, test : str
        Keys of :data:`TAU2_ESTIMATORS` and :data:`TESTS`.
    level : float
        Confidence level.
    maxiter : int
        Iteration limit of the iterative estimators.
    profile : bool
        Compute the Q-profile limits of tau^2 and I^2.

    Returns
    -------
    dict of ndarray
        Arrays whose first axis is G.

    Notes
    -----
    Validated against metafor 3.8-1 ``rma.uni`` (pooling and ``mods = ~ ablat``) in
    tests/test_metafor_alignment.py.
    """
    g, k = y.shape
    X = as_design(X, (g, k))
    p = X.shape[-1]
    spec = TESTS[test]
    fit = ESTIMATORS[method](y, v, X, maxiter=maxiter)
    tau2 = fit.tau2
    res = wls(y, v, X, tau2)
    df = k - p
    s2w = np.ones(g)
    if spec.knha:
        s2w = np.where(res.q <= np.finfo(float).eps, 0.0, res.q / df)
        s2w = np.maximum(s2w, 1.0) if spec.floor else s2w
    vb = res.vb * s2w[:, None, None]
    se = np.sqrt(np.diagonal(vb, axis1=1, axis2=2))
    tdf = float(df) if spec.t_dist else np.inf
    crit = critical(level, tdf)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = res.beta / se
    fit0 = wls(y, v, X, np.zeros(g))
    qe = np.maximum(fit0.q, 0.0)
    a2 = fit0.vb @ np.einsum("gkp,gk,gkq->gpq", X, fit0.w**2, X)
    vt = df / (fit0.w.sum(axis=1) - np.trace(a2, axis1=1, axis2=2))  # "typical" variance
    nan = np.full(g, np.nan)
    if method == "FE":
        with np.errstate(divide="ignore", invalid="ignore"):
            i2 = np.where(qe > 0, np.maximum(0.0, 100.0 * (qe - df) / qe), 0.0)
        h2, lo, hi = qe / df, nan, nan
    else:
        i2, h2 = 100.0 * tau2 / (vt + tau2), tau2 / vt + 1.0
        lo, hi = qprofile(y, v, X, level) if profile else (nan, nan)
    return {
        "beta": res.beta, "vb": vb, "se_b": se, "stat_b": stat, "pval_b": two_sided_p(stat, tdf),
        "ci_low_b": res.beta - crit * se, "ci_high_b": res.beta + crit * se, "crit": crit,
        "df": np.full(g, tdf), "tau2": np.where(method == "FE", 0.0, tau2), "s2w": s2w,
        "tau2_ci_low": lo, "tau2_ci_high": hi, "i2": i2, "h2": h2,
        "i2_ci_low": 100.0 * lo / (vt + lo), "i2_ci_high": 100.0 * hi / (vt + hi),
        "q": qe, "q_df": np.full(g, df), "q_pvalue": special.chdtrc(df, qe), "w": res.w,
        "converged": fit.converged, "iterations": fit.iterations, "reset": fit.reset,
        "stepadj": fit.stepadj, "weights": 100.0 * res.w / res.w.sum(axis=1)[:, None],
    }  # fmt: skip


def _pool_block(y, v, method, test, level, maxiter=MAXITER):
    """Intercept-only :func:`fit_block` with the pooled-estimate fields."""
    out = fit_block(y, v, np.ones((y.shape[1], 1)), method, test, level, maxiter)
    est, se = out["beta"][:, 0], out["se_b"][:, 0]
    pred_sd = np.sqrt(se * se + out["tau2"])
    out.update(estimate=est, se=se, z_or_t=out["stat_b"][:, 0], pvalue=out["pval_b"][:, 0])
    out.update(ci_low=out["ci_low_b"][:, 0], ci_high=out["ci_high_b"][:, 0])
    out.update(pi_low=est - out["crit"] * pred_sd, pi_high=est + out["crit"] * pred_sd)
    return out


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


@dataclass(frozen=True)
class PoolResult:
    """A pooled estimate with its heterogeneity statistics (one row of ``pool_many``).

    ``weights`` are percentages (as metafor's ``weights()``); ``df`` is ``inf`` under the
    z test; ``tau2_ci_*`` are Q-profile limits (NaN for FE and k = 1); for FE the
    prediction interval equals the CI (tau^2 = 0; metafor's ``predict`` gives none).
    ``yi``, ``vi`` and ``rows`` (their 0-based positions in the input) are the data the
    model was fitted to, so diagnostics can refit it; they are not part of ``to_frame``.
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
    yi: tuple[float, ...] = field(default=(), repr=False)
    vi: tuple[float, ...] = field(default=(), repr=False)
    rows: tuple[int, ...] = field(default=(), repr=False)

    @property
    def tau(self) -> float:
        """Square root of tau^2."""
        return float(np.sqrt(self.tau2))

    def to_frame(self) -> pd.DataFrame:
        """Return a one-row DataFrame (weights and data left out, warnings joined by " | ")."""
        row = {name: getattr(self, name) for name in FRAME_COLUMNS}
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


_DATA = ("weights", "yi", "vi", "rows")
FRAME_COLUMNS = [f.name for f in fields(PoolResult) if f.name not in _DATA]
_FLOAT_COLUMNS = [f.name for f in fields(PoolResult) if f.type == "float" and f.name != "level"]


def _warnings_for(method, test, block, i, maxiter, dropped, guard):
    out = [dropped] if dropped else []
    conv, reset, step = bool(block["converged"][i]), block["reset"][i], block["stepadj"][i]
    out += fit_warnings(method, test, conv, reset, maxiter, step)
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
        Effect sizes and their sampling variances (rows with a NaN are left out, and
        named in the warnings).
    method : {"REML", "DL", "PM", "ML", "HE", "SJ", "FE"}
        tau^2 estimator; "FE" fits the common-effect model.
    test : {"z", "t", "knha", "adhoc"}
        Normal-based inference; plain t with k-1 df; Knapp-Hartung (t with k-1 df and
        the variance rescaled); Knapp-Hartung with metafor's ad hoc correction (variance
        factor never below 1).
    level : float
        Confidence level of the intervals (0.95).
    blinding, designs, imputed_sd : sequence, optional
        Per-study blinding / design / imputed-SD flags, used only for warnings.
    threshold, maxiter : float, int
        Kept for compatibility: the convergence threshold is the relative, scale-free
        :data:`.tau2.THRESHOLD`; ``maxiter`` limits the iterations.

    Returns
    -------
    PoolResult

    Notes
    -----
    Validated against R metafor 3.8-1 ``rma.uni`` (every method x test on dat.bcg, a
    k = 2 case and a case where tau^2 truncates at 0), ``predict()`` (prediction interval,
    t with k-1 df under t/knha/adhoc) and ``confint()`` (Q-profile tau^2, I^2 limits); see
    ``tests/test_metafor_alignment.py``. Algorithms follow metafor: Fisher scoring from
    the HE estimate with step halving and the ll0 check for ML/REML, a root of the
    generalized Q for PM and the Q-profile limits. Every stopping rule is relative to the
    scale of vi, so rescaling the data rescales the result exactly (tested for c = 1e-6
    to 1e6). With k = 1 the study itself is returned with a warning (tau^2 NaN).
    """
    del threshold
    choose(TAU2_ESTIMATORS, method, "method")
    choose(TESTS, test, "test")
    level = check_level(level)
    y, v, ok, dropped = clean(yi, vi)
    sel = {}
    for name, arr in (("blinding", blinding), ("designs", designs), ("imputed_sd", imputed_sd)):
        sel[name] = None if arr is None else np.asarray(arr, dtype=object)[ok]
    guard = guardrail_warnings(y.size, **sel)
    block = (
        _fit_single(y[None, :], v[None, :], level)
        if y.size == 1
        else _pool_block(y[None, :], v[None, :], method, test, level, maxiter)
    )
    warn = _warnings_for(method, test, block, 0, maxiter, dropped, guard)
    data = {"yi": tuple(map(float, y)), "vi": tuple(map(float, v))}
    data["rows"] = tuple(int(i) for i in np.flatnonzero(ok))
    return _result(block, 0, y.size, method, test, level, warn, **data)


def _result(block, i, k, method, test, level, warn, **data) -> PoolResult:
    vals = {name: float(block[name][i]) for name in _FLOAT_COLUMNS}
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
        **data,
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
        :meth:`PoolResult.to_frame`. Rows with a missing yi or vi are left out and named
        (by index label) in their group's warnings.

    Notes
    -----
    Groups of the same size are stacked into (G, k) arrays and fitted together with the
    same engine as :func:`pool` (each group stops at its own convergence), so every number
    equals the scalar :func:`pool` result for that group. Validated against :func:`pool`
    in ``tests/test_stats_unit.py`` and against metafor in ``benchmarks/bench_pooling.py``.
    """
    del threshold
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
    dropped = [
        missing_rows(ok[codes == g], labels=df.index[codes == g]) if n else ""
        for g, n in enumerate(np.bincount(codes[~ok], minlength=n_groups))
    ]
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
                warnings[g] = f"No study with both yi and vi ({dropped[g]})"
            continue
        idx = sorted_rows[starts[gids][:, None] + np.arange(k)]
        y, v = y_all[idx], v_all[idx]
        block = (
            _fit_single(y, v, level) if k == 1 else _pool_block(y, v, method, test, level, maxiter)
        )
        for name in (*_FLOAT_COLUMNS, "converged", "iterations"):
            cols[name][gids] = block[name]
        for j, g in enumerate(gids):
            sub = {name: arr[idx[j]] for name, arr in extra.items()}
            guard = guardrail_warnings(int(k), **sub)
            warn = _warnings_for(method, test, block, j, maxiter, dropped[g], guard)
            warnings[g] = " | ".join(warn)
    cols.update(method=method, test=test, level=level, warnings=warnings)
    out = pd.DataFrame({name: cols[name] for name in FRAME_COLUMNS})
    return pd.concat([keys.reset_index(drop=True), out], axis=1)

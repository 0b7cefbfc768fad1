"""Meta-regression, subgroups, small-study and influence diagnostics, as metafor.

The engine here fits ``rma(yi, vi, mods=X)`` for any design matrix X with the same
estimators and tests as :mod:`ldn_analysis.pooling` (which is its fast intercept-only
special case).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ldn_analysis.stats.rma import (
    LL0_TOL,
    MAXITER,
    ROOT_RTOL,
    TAU2_ESTIMATORS,
    TESTS,
    THRESHOLD,
    PoolResult,
    check_level,
    choose,
    critical,
    guardrail_warnings,
    pool,
    two_sided_p,
)


def _proj(w, X):
    """Return P = W - W X (X'WX)^-1 X'W and (X'WX)^-1."""
    wx = X * w[:, None]
    inv = np.linalg.inv(X.T @ wx)
    return np.diag(w) - wx @ inv @ wx.T, inv


def _q(y, v, X, t):
    p, _ = _proj(1 / (v + t), X)
    py = p @ y
    return y @ py, py


def _root(y, v, X, target):
    """Solve Q(tau2) = target (Q convex, decreasing): Newton from 0; 0 if Q(0) <= target."""
    x = 0.0
    q, py = _q(y, v, X, x)
    for _ in range(MAXITER):
        if q <= target:
            break
        step = (q - target) / (py @ py)
        x += step
        if step <= ROOT_RTOL * (1 + x):
            break
        q, py = _q(y, v, X, x)
    return x


def _he(y, v, X, k, p):
    proj = np.eye(k) - X @ np.linalg.inv(X.T @ X) @ X.T
    return (y @ proj @ y - np.sum(np.diag(proj) * v)) / (k - p)


def _gen_fe(y, v, X):
    return 0.0, 0, True


def _gen_dl(y, v, X):
    k, p = X.shape
    proj, _ = _proj(1 / v, X)
    return max(0.0, (y @ proj @ y - (k - p)) / np.trace(proj)), 0, True


def _gen_he(y, v, X):
    return max(0.0, _he(y, v, X, *X.shape)), 0, True


def _gen_sj(y, v, X):
    k, p = X.shape
    t0 = np.mean((y - y.mean()) ** 2)
    return max(0.0, t0 * _q(y, v, X, t0)[0] / (k - p)), 0, True


def _gen_pm(y, v, X):
    k, p = X.shape
    return _root(y, v, X, k - p), 0, True


def _ll(y, v, X, t, reml):
    proj, inv = _proj(1 / (v + t), X)
    ll = -0.5 * np.sum(np.log(v + t)) - 0.5 * y @ proj @ y
    return ll + 0.5 * np.linalg.slogdet(inv)[1] if reml else ll


def _scoring(y, v, X, reml, stepadj):
    k, p = X.shape
    t = max(0.0, _he(y, v, X, k, p))
    for it in range(1, MAXITER + 1):
        w = 1 / (v + t)
        proj, _ = _proj(w, X)
        py = proj @ y
        if reml:
            adj = (py @ py - np.trace(proj)) / np.sum(proj * proj.T)
        else:
            adj = (py @ py - w.sum()) / np.sum(w * w)
        adj = (adj if np.isfinite(adj) else 0.0) * stepadj
        if t == 0 and adj < 0:
            adj = 0.0
        while t + adj < 0:
            adj /= 2
        t += adj
        if abs(adj) <= THRESHOLD * (1 + t):
            return t, it, True
    return t, MAXITER, False


def _gen_fisher(reml):
    def fit(y, v, X):
        iters = 0
        for step in (1.0, 0.5, 0.25, 0.125, 0.0625):  # metafor's stepadj remedy, as pooling
            t, it, ok = _scoring(y, v, X, reml, step)
            iters += it
            if ok:
                break
        if ok and t > THRESHOLD and _ll(y, v, X, 0.0, reml) - _ll(y, v, X, t, reml) > LL0_TOL:
            t = 0.0
        return max(0.0, t), iters, ok

    return fit


_GENERAL: dict[str, Callable] = {
    "FE": _gen_fe,
    "DL": _gen_dl,
    "REML": _gen_fisher(True),
    "PM": _gen_pm,
    "ML": _gen_fisher(False),
    "HE": _gen_he,
    "SJ": _gen_sj,
}
assert _GENERAL.keys() == TAU2_ESTIMATORS.keys()


def _fit(y, v, X, method, test, level):
    """Fit rma(yi, vi, mods = X, intercept = FALSE); return a dict of results."""
    k, p = X.shape
    spec = TESTS[test]
    tau2, iters, conv = _GENERAL[method](y, v, X)
    w = 1 / (v + tau2)
    _, vb = _proj(w, X)
    beta = vb @ (X.T @ (w * y))
    resid = y - X @ beta
    s2w = 1.0
    if spec.knha:
        rss = np.sum(w * resid**2)
        s2w = 0.0 if rss <= np.finfo(float).eps else rss / (k - p)
        s2w = max(s2w, 1.0) if spec.floor else s2w
    vb = vb * s2w
    se = np.sqrt(np.diag(vb))
    tdf = float(k - p) if spec.t_dist else np.inf
    crit = critical(level, tdf)
    proj0, _ = _proj(1 / v, X)
    qe = max(0.0, y @ proj0 @ y)
    vt = (k - p) / np.trace(proj0)
    if method == "FE":
        i2 = max(0.0, 100 * (qe - (k - p)) / qe) if qe > 0 else 0.0
        h2 = qe / (k - p)
    else:
        i2, h2 = 100 * tau2 / (vt + tau2), tau2 / vt + 1
    return dict(
        beta=beta, vb=vb, se=se, stat=beta / se, pval=two_sided_p(beta / se, tdf),
        ci_low=beta - crit * se, ci_high=beta + crit * se, tau2=tau2, s2w=s2w, qe=qe,
        qe_df=k - p, qe_p=stats.chi2.sf(qe, k - p), i2=i2, h2=h2, k=k, p=p,
        df=tdf, conv=conv, iters=iters, w=w,
    )  # fmt: skip


def _design(X, k, intercept):
    if isinstance(X, pd.DataFrame):
        names, M = [str(c) for c in X.columns], X.to_numpy(dtype=float)
    elif isinstance(X, pd.Series):
        names, M = [str(X.name or "x")], X.to_numpy(dtype=float)[:, None]
    else:
        M = np.asarray(X, dtype=float).reshape(k, -1)
        names = ["x"] if M.shape[1] == 1 else [f"x{j + 1}" for j in range(M.shape[1])]
    if intercept:
        M, names = np.column_stack([np.ones(k), M]), ["intrcpt", *names]
    return M, names


def _arrays(yi, vi):
    y, v = np.asarray(yi, dtype=float).ravel(), np.asarray(vi, dtype=float).ravel()
    if y.shape != v.shape or np.any(~np.isfinite(y) | ~np.isfinite(v)) or np.any(v <= 0):
        raise ValueError("yi and vi must be finite, of equal length, with vi > 0")
    return y, v


@dataclass(frozen=True)
class MetaRegResult:
    """A meta-regression: coefficient table, residual heterogeneity and omnibus test."""

    coefficients: pd.DataFrame
    vcov: np.ndarray
    tau2: float
    i2: float
    h2: float
    r2: float
    qe: float
    qe_df: int
    qe_pvalue: float
    qm: float
    qm_df: tuple[int, float]
    qm_pvalue: float
    k: int
    method: str
    test: str
    level: float
    converged: bool
    warnings: tuple[str, ...]

    @property
    def slope(self) -> float:
        """Coefficient of the first moderator."""
        return float(self.coefficients.estimate.iloc[-1 if len(self.coefficients) < 2 else 1])

    @property
    def slope_pvalue(self) -> float:
        """P-value of the first moderator's coefficient."""
        return float(self.coefficients.pvalue.iloc[-1 if len(self.coefficients) < 2 else 1])

    def to_frame(self) -> pd.DataFrame:
        """Return the coefficient table."""
        return self.coefficients.copy()

    def summary(self) -> str:
        """Return a short plain-text summary."""
        lines = [
            f"Meta-regression ({self.method}, {self.test} test), k = {self.k}",
            self.coefficients.to_string(index=False, float_format=lambda x: f"{x:.4f}"),
            f"residual tau^2 = {self.tau2:.4f}, I^2 = {self.i2:.1f}%, R^2 = {self.r2:.1f}%",
            f"QM = {self.qm:.3f} (df {self.qm_df[0]}), p = {self.qm_pvalue:.3g}; "
            f"QE({self.qe_df}) = {self.qe:.2f}, p = {self.qe_pvalue:.3g}",
        ]
        return "\n".join(lines + [f"Warning: {w}" for w in self.warnings])


def metareg(yi, vi, X, method="REML", test="z", level=0.95, intercept=True) -> MetaRegResult:
    """Mixed-effects meta-regression, as ``rma(yi, vi, mods = ~ x)``.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances.
    X : array_like, Series or DataFrame
        Moderator(s), one row per study (column names become term names).
    method, test, level
        As in :func:`ldn_analysis.pooling.pool`.
    intercept : bool
        Add an intercept column ("intrcpt").

    Returns
    -------
    MetaRegResult
        Coefficients (estimate, se, z_or_t, pvalue, ci_low, ci_high), residual tau^2,
        I^2, H^2, pseudo-R^2 (percent), QE and the omnibus QM test of all non-intercept
        terms (chi-square; F with (m, k - p) df under knha/adhoc).

    Notes
    -----
    Validated against metafor 3.8-1 ``rma(yi, vi, mods = ~ ablat, data = dat.bcg)``
    (REML/DL/FE x z/knha) in ``tests/test_metafor_alignment.py``.
    """
    choose(TAU2_ESTIMATORS, method, "method")
    choose(TESTS, test, "test")
    level = check_level(level)
    y, v = _arrays(yi, vi)
    M, names = _design(X, y.size, intercept)
    if M.shape[0] != y.size:
        raise ValueError("X must have one row per study")
    if np.linalg.matrix_rank(M) < M.shape[1] or y.size <= M.shape[1]:
        raise ValueError("too few studies or collinear moderators: the model cannot be fitted")
    f = _fit(y, v, M, method, test, level)
    btt = np.array([n != "intrcpt" for n in names])
    m = int(btt.sum())
    qm = float(f["beta"][btt] @ np.linalg.solve(f["vb"][np.ix_(btt, btt)], f["beta"][btt]))
    if TESTS[test].t_dist:
        qm, qm_df = qm / m, (m, float(f["k"] - f["p"]))
        qm_p = stats.f.sf(qm, m, f["k"] - f["p"])
    else:
        qm_df, qm_p = (m, np.inf), stats.chi2.sf(qm, m)
    r2 = _r2(y, v, M, f, method, test) if intercept and m else np.nan
    coef = pd.DataFrame({"term": names, "estimate": f["beta"], "se": f["se"]})
    coef["z_or_t"], coef["pvalue"] = f["stat"], f["pval"]
    coef["ci_low"], coef["ci_high"] = f["ci_low"], f["ci_high"]
    warn = list(guardrail_warnings(y.size))
    if not f["conv"]:
        warn.append(f"The {method} estimator did not converge.")
    return MetaRegResult(
        coef, f["vb"], f["tau2"], f["i2"], f["h2"], r2, f["qe"], f["qe_df"], f["qe_p"],
        qm, qm_df, float(qm_p), y.size, method, test, level, f["conv"], tuple(warn),
    )  # fmt: skip


def _r2(y, v, M, f, method, test):
    if method == "FE":  # metafor: adjusted R^2 of the weighted least-squares fit
        w = 1 / v
        mu = np.sum(w * y) / w.sum()
        r2 = 1 - np.sum(w * (y - M @ f["beta"]) ** 2) / np.sum(w * (y - mu) ** 2)
        k, p = M.shape
        return max(0.0, 100 * (1 - (1 - r2) * (k - 1) / (k - p)))
    tau2_re = pool(y, v, method=method, test=test).tau2
    return 0.0 if tau2_re == 0 else max(0.0, 100 * (tau2_re - f["tau2"]) / tau2_re)


@dataclass(frozen=True)
class EggerResult:
    """Egger's regression test (``regtest``, model "rma", predictor "sei")."""

    z_or_t: float
    pvalue: float
    df: float
    slope: float
    limit_estimate: float
    limit_ci_low: float
    limit_ci_high: float
    k: int
    method: str
    test: str
    warnings: tuple[str, ...]


def egger(yi, vi, method="REML", test="z", level=0.95) -> EggerResult:
    """Egger's regression test for funnel-plot asymmetry.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances.
    method, test, level
        As in :func:`ldn_analysis.pooling.pool` (use those of the main analysis).

    Returns
    -------
    EggerResult
        Test of the slope on the standard error, and the limit estimate (the intercept:
        the expected effect of a study with SE 0) with its CI.

    Notes
    -----
    Validated against metafor 3.8-1 ``regtest(rma(yi, vi, data = dat.bcg))`` (model
    "rma", predictor "sei", the defaults). Unreliable with fewer than 10 studies.
    """
    y, v = _arrays(yi, vi)
    res = metareg(y, v, np.sqrt(v), method, test, level)
    c = res.coefficients
    df = res.qm_df[1]
    return EggerResult(
        float(c.z_or_t[1]), float(c.pvalue[1]), df, float(c.estimate[1]),
        float(c.estimate[0]), float(c.ci_low[0]), float(c.ci_high[0]),
        y.size, method, test, res.warnings,
    )  # fmt: skip


_LOO_COLS = ["estimate", "se", "z_or_t", "pvalue", "ci_low", "ci_high", "q", "q_pvalue"]
_LOO_COLS += ["tau2", "i2", "h2"]


def _row(res: PoolResult):
    return [getattr(res, c) for c in _LOO_COLS]


def _labels(labels, k):
    return [str(i + 1) for i in range(k)] if labels is None else [str(s) for s in labels]


def leave1out(yi, vi, method="REML", test="z", level=0.95, labels=None) -> pd.DataFrame:
    """Leave-one-out analysis: the pooled result with each study left out in turn.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances.
    method, test, level
        As in :func:`ldn_analysis.pooling.pool`.
    labels : sequence of str, optional
        Study labels (default 1..k).

    Returns
    -------
    DataFrame
        ``omitted`` and estimate, se, z_or_t, pvalue, ci_low, ci_high, q, q_pvalue,
        tau2, i2, h2 of the fit without that study.

    Notes
    -----
    Validated against metafor 3.8-1 ``leave1out(rma(yi, vi, data = dat.bcg))``.
    """
    y, v = _arrays(yi, vi)
    keep = np.ones(y.size, bool)
    rows = []
    for i in range(y.size):
        keep[:] = True
        keep[i] = False
        rows.append(_row(pool(y[keep], v[keep], method, test, level)))
    out = pd.DataFrame(rows, columns=_LOO_COLS)
    out.insert(0, "omitted", _labels(labels, y.size))
    return out


def cumul(yi, vi, order=None, method="REML", test="z", level=0.95, labels=None):
    """Cumulative meta-analysis: studies added one at a time in ``order``.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances.
    order : array_like, optional
        Sort key (e.g. publication year); ties keep their input order.
    method, test, level
        As in :func:`ldn_analysis.pooling.pool`.
    labels : sequence of str, optional
        Study labels (default 1..k).

    Returns
    -------
    DataFrame
        ``added``, ``k`` and the columns of :func:`leave1out` for the first k studies.
        The first row is the first study alone (tau^2 NaN).

    Notes
    -----
    Validated against metafor 3.8-1 ``cumul(rma(yi, vi, data = dat.bcg), order = year)``.
    """
    y, v = _arrays(yi, vi)
    idx = np.arange(y.size) if order is None else np.argsort(np.asarray(order), kind="stable")
    lab = np.asarray(_labels(labels, y.size), dtype=object)[idx]
    rows = [
        _row(pool(y[idx[: j + 1]], v[idx[: j + 1]], method, test, level)) for j in range(y.size)
    ]
    out = pd.DataFrame(rows, columns=_LOO_COLS)
    out.insert(0, "k", np.arange(1, y.size + 1))
    out.insert(0, "added", lab)
    return out


def influence(yi, vi, X=None, method="REML", test="z", level=0.95, labels=None):
    """Case-deletion diagnostics: studentized deleted residuals and Cook's distances.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances.
    X : array_like, optional
        Moderators (an intercept is always added); None for the intercept-only model.
    method, test, level
        As in :func:`ldn_analysis.pooling.pool`.
    labels : sequence of str, optional
        Study labels (default 1..k).

    Returns
    -------
    DataFrame
        ``study, resid, resid_se, rstudent, cooks_distance, tau2_del, q_del, hat,
        weight`` (weight in percent).

    Notes
    -----
    Same definitions as metafor 3.8-1 ``rstudent()`` and ``cooks.distance()`` of an
    ``rma.uni`` fit (the model is refitted without each study, re-estimating tau^2);
    validated on dat.bcg.
    """
    y, v = _arrays(yi, vi)
    k = y.size
    M = np.ones((k, 1)) if X is None else _design(X, k, True)[0]
    full = _fit(y, v, M, method, test, level)
    svb = np.linalg.inv(full["vb"])
    keep = np.ones(k, bool)
    cols = {c: np.full(k, np.nan) for c in ("resid", "resid_se", "rstudent", "cooks_distance")}
    cols.update(tau2_del=np.full(k, np.nan), q_del=np.full(k, np.nan))
    for i in range(k):
        keep[:] = True
        keep[i] = False
        d = _fit(y[keep], v[keep], M[keep], method, test, level)
        pred = M[i] @ d["beta"]
        resid = y[i] - pred
        resid = 0.0 if abs(resid) < 100 * np.finfo(float).eps else resid
        se = np.sqrt(v[i] * d["s2w"] + M[i] @ d["vb"] @ M[i] + d["tau2"] * d["s2w"])
        dfb = full["beta"] - d["beta"]
        cols["resid"][i], cols["resid_se"][i], cols["rstudent"][i] = resid, se, resid / se
        cols["cooks_distance"][i] = dfb @ svb @ dfb
        cols["tau2_del"][i], cols["q_del"][i] = d["tau2"], d["qe"]
    w = full["w"]
    _, inv = _proj(w, M)
    cols["hat"] = np.einsum("ij,jk,ik->i", M, inv, M) * w
    cols["weight"] = 100 * w / w.sum()
    out = pd.DataFrame(cols)
    out.insert(0, "study", _labels(labels, k))
    return out


def rstudent(yi, vi, X=None, method="REML", test="z", level=0.95, labels=None):
    """Studentized deleted residuals (``study, resid, resid_se, rstudent``).

    Notes
    -----
    See :func:`influence`; validated against metafor 3.8-1 ``rstudent()``.
    """
    out = influence(yi, vi, X, method, test, level, labels)
    return out[["study", "resid", "resid_se", "rstudent"]]


def cooks_distance(yi, vi, X=None, method="REML", test="z", level=0.95):
    """Cook's distances, one per study (ndarray).

    Notes
    -----
    See :func:`influence`; validated against metafor 3.8-1 ``cooks.distance()``.
    """
    return influence(yi, vi, X, method, test, level)["cooks_distance"].to_numpy()


@dataclass(frozen=True)
class SubgroupResult:
    """Per-subgroup estimates and the test for subgroup differences."""

    table: pd.DataFrame
    q_between: float
    q_between_df: tuple[int, float]
    q_between_pvalue: float
    distribution: str
    method: str
    test: str
    tau2_mode: str
    warnings: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """Return the per-subgroup table."""
        return self.table.copy()


def _sub_separate(y, v, g, levels, method, test, level):
    fits = [pool(y[g == lev], v[g == lev], method, test, level) for lev in levels]
    tab = pd.DataFrame([[lev, r.k, *_row(r)] for lev, r in zip(levels, fits, strict=True)],
                       columns=["group", "k", *_LOO_COLS])  # fmt: skip
    est, se = tab.estimate.to_numpy(), tab.se.to_numpy()
    w = 1 / se**2
    qb = float(np.sum(w * (est - np.sum(w * est) / w.sum()) ** 2))
    m = len(levels) - 1
    return tab, qb, (m, np.inf), float(stats.chi2.sf(qb, m)), "chi2"


def _sub_common(y, v, g, levels, method, test, level):
    dummies = np.column_stack([(g == lev).astype(float) for lev in levels[1:]])
    res = metareg(y, v, dummies, method, test, level)
    M = np.column_stack([np.ones(len(levels)), np.vstack([np.zeros(len(levels) - 1),
                                                         np.eye(len(levels) - 1)])])  # fmt: skip
    est = M @ res.coefficients.estimate.to_numpy()
    se = np.sqrt(np.einsum("ij,jk,ik->i", M, res.vcov, M))
    crit = critical(level, res.qm_df[1])
    tab = pd.DataFrame({"group": levels, "k": [int(np.sum(g == lev)) for lev in levels]})
    tab["estimate"], tab["se"] = est, se
    tab["ci_low"], tab["ci_high"], tab["tau2"] = est - crit * se, est + crit * se, res.tau2
    dist = "F" if TESTS[test].t_dist else "chi2"
    return tab, res.qm, res.qm_df, res.qm_pvalue, dist


SUBGROUP_TAU2: dict[str, Callable] = {"separate": _sub_separate, "common": _sub_common}
"""How tau^2 is handled across subgroups: one per subgroup, or one common value."""


def subgroup(yi, vi, groups, method="REML", test="z", level=0.95, tau2="separate"):
    """Subgroup analysis with the test for subgroup differences.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances.
    groups : array_like
        Subgroup label per study.
    method, test, level
        As in :func:`ldn_analysis.pooling.pool`.
    tau2 : {"separate", "common"}
        ``separate``: each subgroup pooled on its own, then Q_between is the
        common-effect Q of the subgroup estimates (RevMan / metafor ``rma(est, sei=se,
        mods = ~ group, method = "FE")``). ``common``: a mixed-effects model with one
        tau^2 (metafor ``rma(yi, vi, mods = ~ factor(group))``), Q_between is its QM.

    Returns
    -------
    SubgroupResult

    Notes
    -----
    Validated against metafor 3.8-1 on dat.bcg split by allocation (both modes).
    """
    mode = choose(SUBGROUP_TAU2, tau2, "subgroup tau2")
    choose(TAU2_ESTIMATORS, method, "method")
    choose(TESTS, test, "test")
    level = check_level(level)
    y, v = _arrays(yi, vi)
    g = np.asarray(groups).astype(str)
    levels = sorted(set(g))
    if len(levels) < 2:
        raise ValueError("subgroup analysis needs at least two subgroups")
    tab, qb, df, p, dist = mode(y, v, g, levels, method, test, level)
    warn = [f"Subgroup {lev!r} has a single study." for lev in levels if np.sum(g == lev) == 1]
    return SubgroupResult(tab, qb, df, p, dist, method, test, tau2, tuple(warn))

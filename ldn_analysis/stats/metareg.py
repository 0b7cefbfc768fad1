"""Mixed-effects meta-regression, as metafor's ``rma(yi, vi, mods = ~ x)``.

The same engine as pooling (:func:`.rma.fit_block` with the estimators of :mod:`.tau2`)
with a design matrix of moderators; pooling is its intercept-only special case.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ldn_analysis.stats.inference import (
    check_level,
    choose,
    clean,
    fit_warnings,
    guardrail_warnings,
    missing_rows,
)
from ldn_analysis.stats.rma import MAXITER, TAU2_ESTIMATORS, TESTS, fit_block

__all__ = ["MetaRegResult", "metareg"]

R2_FLOOR = np.sqrt(np.finfo(float).eps)  # null-model tau^2 below this * mean(vi) is "zero":
# the pseudo-R^2 (tau2_null - tau2) / tau2_null is then a ratio of rounding errors


@dataclass(frozen=True)
class MetaRegResult:
    """A meta-regression: coefficient table, residual heterogeneity and omnibus test.

    ``yi``, ``vi`` and ``design`` (the model matrix, intercept included) are the data the
    model was fitted to, so :func:`.diagnostics.influence` can refit it.
    """

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
    yi: tuple[float, ...] = field(default=(), repr=False)
    vi: tuple[float, ...] = field(default=(), repr=False)
    design: np.ndarray = field(default_factory=lambda: np.empty((0, 0)), repr=False)
    rows: tuple[int, ...] = field(default=(), repr=False)

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


def design(X, k, intercept):
    """Return the model matrix (k, p) and the term names of moderators ``X``.

    Notes
    -----
    Term names follow metafor ("intrcpt", then column names); checked against
    ``rownames(rma(...)$beta)`` in tests/test_metafor_alignment.py.
    """
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


def metareg(yi, vi, X, method="REML", test="z", level=0.95, intercept=True) -> MetaRegResult:
    """Mixed-effects meta-regression, as ``rma(yi, vi, mods = ~ x)``.

    Parameters
    ----------
    yi, vi : array_like
        Effect sizes and sampling variances.
    X : array_like, Series or DataFrame
        Moderator(s), one row per study (column names become term names).
    method, test, level
        As in :func:`ldn_analysis.stats.rma.pool`.
    intercept : bool
        Add an intercept column ("intrcpt").

    Returns
    -------
    MetaRegResult
        Coefficients (estimate, se, z_or_t, pvalue, ci_low, ci_high), residual tau^2,
        I^2, H^2, pseudo-R^2 (percent; NaN with a warning when the null model's tau^2 is
        at its numerical floor), QE and the omnibus QM test of all non-intercept terms
        (chi-square; F with (m, k - p) df under t/knha/adhoc). Rows with a missing yi,
        vi or moderator are left out and named in the warnings.

    Notes
    -----
    Validated against metafor 3.8-1 ``rma(yi, vi, mods = ~ ablat, data = dat.bcg)``
    (REML/DL/FE/ML/PM x z/knha) in ``tests/test_metafor_alignment.py``.
    """
    choose(TAU2_ESTIMATORS, method, "method")
    choose(TESTS, test, "test")
    level = check_level(level)
    y_all = np.asarray(yi, dtype=float).ravel()
    M_all, names = design(X, y_all.size, intercept)
    if M_all.shape[0] != y_all.size:
        raise ValueError("X must have one row per study")
    ok_x = np.isfinite(M_all).all(axis=1)
    y, v, ok, _ = clean(np.where(ok_x, y_all, np.nan), vi)
    dropped = missing_rows(ok, "yi, vi or moderator")
    M = M_all[ok]
    if np.linalg.matrix_rank(M) < M.shape[1] or y.size <= M.shape[1]:
        raise ValueError("too few studies or collinear moderators: the model cannot be fitted")
    f = fit_block(y[None], v[None], M, method, test, level, profile=False)
    f = {key: val[0] for key, val in f.items() if key != "crit"} | {"crit": f["crit"]}
    k, p = M.shape
    btt = np.array([n != "intrcpt" for n in names])
    m = int(btt.sum())
    beta, vb = f["beta"], f["vb"]
    qm = float(beta[btt] @ np.linalg.solve(vb[np.ix_(btt, btt)], beta[btt])) if m else 0.0
    if TESTS[test].t_dist:
        qm, qm_df = qm / max(m, 1), (m, float(k - p))
        qm_p = stats.f.sf(qm, m, k - p)
    else:
        qm_df, qm_p = (m, np.inf), stats.chi2.sf(qm, m)
    warn = [dropped] if dropped else []
    warn += fit_warnings(method, test, bool(f["converged"]), f["reset"], MAXITER, f["stepadj"])
    r2 = np.nan
    if intercept and m:
        r2, note = _r2(y, v, M, f, method, test, level)
        warn += [note] if note else []
    coef = pd.DataFrame({"term": names, "estimate": beta, "se": f["se_b"]})
    coef["z_or_t"], coef["pvalue"] = f["stat_b"], f["pval_b"]
    coef["ci_low"], coef["ci_high"] = f["ci_low_b"], f["ci_high_b"]
    warn += list(guardrail_warnings(k))
    data = dict(yi=tuple(map(float, y)), vi=tuple(map(float, v)), design=M,
                rows=tuple(int(i) for i in np.flatnonzero(ok)))  # fmt: skip
    return MetaRegResult(
        coef, vb, float(f["tau2"]), float(f["i2"]), float(f["h2"]), float(r2), float(f["q"]),
        int(f["q_df"]), float(f["q_pvalue"]), qm, qm_df, float(qm_p), k, method, test, level,
        bool(f["converged"]), tuple(warn), **data,
    )  # fmt: skip


def _r2(y, v, M, f, method, test, level):
    """Pseudo-R^2 in percent, as metafor, and a note when it is not reported."""
    k, p = M.shape
    if method == "FE":  # metafor: adjusted R^2 of the weighted least-squares fit
        w = 1 / v
        mu = np.sum(w * y) / w.sum()
        r2 = 1 - np.sum(w * (y - M @ f["beta"]) ** 2) / np.sum(w * (y - mu) ** 2)
        return max(0.0, 100 * (1 - (1 - r2) * (k - 1) / (k - p))), ""
    null = fit_block(y[None], v[None], np.ones((k, 1)), method, test, level, profile=False)
    tau2_re = float(null["tau2"][0])
    if tau2_re <= R2_FLOOR * float(np.mean(v)):
        return np.nan, (
            "R^2 not reported: the model without moderators has tau^2 = 0 (nothing to explain)."
        )
    return max(0.0, 100 * (tau2_re - float(f["tau2"])) / tau2_re), ""

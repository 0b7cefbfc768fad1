"""Small-study, influence and subgroup diagnostics that refit a fitted model, as metafor.

Like metafor's ``leave1out(x)``, every function here takes a fitted result
(:class:`.rma.PoolResult`, or :class:`.metareg.MetaRegResult` for :func:`influence`) and
refits it with its own method, test and level on the data it was fitted to: settings
travel inside the result. For compatibility the old form ``f(yi, vi, method, test, level)``
still works: it fits :func:`.rma.pool` first, so missing values follow the same policy
(rows dropped and named; the names are in ``.warnings`` or ``DataFrame.attrs["warnings"]``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ldn_analysis.stats.inference import check_level, choose, critical
from ldn_analysis.stats.metareg import MetaRegResult, metareg
from ldn_analysis.stats.rma import (
    TAU2_ESTIMATORS,
    TESTS,
    PoolResult,
    _fit_single,
    _pool_block,
    fit_block,
    pool,
)

__all__ = ["EggerResult", "SubgroupResult", "cooks_distance", "cumul", "egger", "egger_many"]
__all__ += ["influence", "leave1out", "metareg", "rstudent", "subgroup", "SUBGROUP_TAU2"]

_DEFAULTS = {"method": "REML", "test": "z", "level": 0.95}


def fitted(x, vi=None, method=None, test=None, level=None) -> PoolResult:
    """Return ``x`` if it is a fitted result, else ``pool(x, vi, method, test, level)``.

    Notes
    -----
    As metafor's ``leave1out(x)``: the settings travel inside the result. Passing both a
    result and settings is a TypeError (tests/test_stats_unit.py).
    """
    if isinstance(x, PoolResult | MetaRegResult):
        if vi is not None or any(a is not None for a in (method, test, level)):
            raise TypeError(
                "pass either a fitted result (its method, test and level are reused) or "
                "yi, vi and the settings, not both"
            )
        return x
    given = {"method": method, "test": test, "level": level}
    return pool(
        x, vi, **{key: _DEFAULTS[key] if val is None else val for key, val in given.items()}
    )


def _data(fit):
    return np.asarray(fit.yi, dtype=float), np.asarray(fit.vi, dtype=float)


def _labels(labels, fit):
    """Study labels of the rows the model was fitted to (input labels, or 1..n)."""
    if labels is None:
        return [str(i + 1) for i in fit.rows]
    labels = [str(s) for s in labels]
    return labels if len(labels) == fit.k else [labels[i] for i in fit.rows]


def _missing(fit):
    return tuple(w for w in fit.warnings if "left out (rows" in w)


def _frame(cols, fit) -> pd.DataFrame:
    out = pd.DataFrame(cols)
    out.attrs["warnings"] = _missing(fit)
    return out


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

    def to_frame(self) -> pd.DataFrame:
        """Return a one-row DataFrame (warnings joined by " | ")."""
        row = {**self.__dict__, "warnings": " | ".join(self.warnings)}
        return pd.DataFrame([row])


def egger(x, vi=None, method=None, test=None, level=None) -> EggerResult:
    """Egger's regression test for funnel-plot asymmetry.

    Parameters
    ----------
    x : PoolResult or array_like
        A fitted model (its method, test and level are used), or effect sizes ``yi``.
    vi : array_like, optional
        Sampling variances, when ``x`` holds effect sizes.
    method, test, level : optional
        As in :func:`ldn_analysis.stats.rma.pool`, when ``x`` holds effect sizes
        (defaults REML, z, 0.95).

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
    fit = fitted(x, vi, method, test, level)
    y, v = _data(fit)
    res = metareg(y, v, np.sqrt(v), fit.method, fit.test, fit.level)
    c = res.coefficients
    return EggerResult(
        float(c.z_or_t[1]), float(c.pvalue[1]), res.qm_df[1], float(c.estimate[1]),
        float(c.estimate[0]), float(c.ci_low[0]), float(c.ci_high[0]),
        res.k, fit.method, fit.test, _missing(fit) + res.warnings,
    )  # fmt: skip


def egger_many(yi, vi, method="REML", test="z", level=0.95) -> pd.DataFrame:
    """Egger's test on G data sets of k studies at once (one engine call).

    Parameters
    ----------
    yi, vi : array_like, shape (G, k)
        Effect sizes and sampling variances, finite, ``vi > 0``, no missing values.
    method, test, level
        As in :func:`egger` (defaults REML, z, 0.95).

    Returns
    -------
    DataFrame
        One row per data set: ``z_or_t``, ``pvalue``, ``df``, ``slope``,
        ``limit_estimate``, ``limit_ci_low``, ``limit_ci_high``, ``converged``; the
        values of :func:`egger` on each row (tests/stats/test_egger_many.py).
    """
    choose(TAU2_ESTIMATORS, method, "method")
    choose(TESTS, test, "test")
    level = check_level(level)
    y, v = np.atleast_2d(np.asarray(yi, float)), np.atleast_2d(np.asarray(vi, float))
    if y.shape != v.shape or not (np.isfinite(y).all() and np.isfinite(v).all() and (v > 0).all()):
        raise ValueError("yi and vi must have the same shape (G, k), be finite and vi > 0")
    X = np.stack([np.ones_like(v), np.sqrt(v)], axis=-1)
    flat = np.flatnonzero(np.ptp(X[..., 1], axis=1) == 0)
    if flat.size or y.shape[1] <= 2:
        raise ValueError(
            f"too few studies or equal variances (data sets {flat[:5].tolist()}): "
            "the model cannot be fitted"
        )
    f = fit_block(y, v, X, method, test, level, profile=False)
    k = y.shape[1]
    return pd.DataFrame({
        "z_or_t": f["stat_b"][:, 1], "pvalue": f["pval_b"][:, 1],
        "df": float(k - 2) if TESTS[test].t_dist else np.inf, "slope": f["beta"][:, 1],
        "limit_estimate": f["beta"][:, 0], "limit_ci_low": f["ci_low_b"][:, 0],
        "limit_ci_high": f["ci_high_b"][:, 0], "converged": f["converged"],
    })  # fmt: skip


_LOO_COLS = ["estimate", "se", "z_or_t", "pvalue", "ci_low", "ci_high", "q", "q_pvalue"]
_LOO_COLS += ["tau2", "i2", "h2"]


def _refits(ys, vs, fit) -> dict:
    """Fit G data sets of the same size with the settings of ``fit`` (one engine call)."""
    if ys.shape[1] == 1:
        return _fit_single(ys, vs, fit.level)
    return _pool_block(ys, vs, fit.method, fit.test, fit.level)


def leave1out(x, vi=None, method=None, test=None, level=None, labels=None) -> pd.DataFrame:
    """Leave-one-out analysis: the pooled result with each study left out in turn.

    Parameters
    ----------
    x : PoolResult or array_like
        A fitted model (refitted with its method, test and level), or effect sizes.
    vi, method, test, level : optional
        As in :func:`egger`.
    labels : sequence of str, optional
        Study labels, one per input row (default 1..n).

    Returns
    -------
    DataFrame
        ``omitted`` and estimate, se, z_or_t, pvalue, ci_low, ci_high, q, q_pvalue,
        tau2, i2, h2 of the fit without that study.

    Notes
    -----
    All k refits run as one vectorized engine call. Validated against metafor 3.8-1
    ``leave1out(rma(yi, vi, data = dat.bcg))`` (REML z, REML knha, DL z).
    """
    fit = fitted(x, vi, method, test, level)
    y, v = _data(fit)
    k = y.size
    keep = ~np.eye(k, dtype=bool)
    idx = np.vstack([np.flatnonzero(row) for row in keep])
    block = _refits(y[idx], v[idx], fit)
    out = _frame({c: block[c] for c in _LOO_COLS}, fit)
    out.insert(0, "omitted", _labels(labels, fit))
    return out


def cumul(x, vi=None, order=None, method=None, test=None, level=None, labels=None):
    """Cumulative meta-analysis: studies added one at a time in ``order``.

    Parameters
    ----------
    x : PoolResult or array_like
        A fitted model (refitted with its method, test and level), or effect sizes.
    vi : array_like, optional
        Sampling variances, when ``x`` holds effect sizes.
    order : array_like, optional
        Sort key per input row (e.g. publication year); ties keep their input order.
    method, test, level : optional
        As in :func:`egger`.
    labels : sequence of str, optional
        Study labels, one per input row (default 1..n).

    Returns
    -------
    DataFrame
        ``added``, ``k`` and the columns of :func:`leave1out` for the first k studies.
        The first row is the first study alone (tau^2 NaN).

    Notes
    -----
    Validated against metafor 3.8-1 ``cumul(rma(yi, vi, data = dat.bcg), order = year)``.
    """
    fit = fitted(x, vi, method, test, level)
    y, v = _data(fit)
    if order is not None:
        order = np.asarray(order)
        order = order if order.size == fit.k else order[list(fit.rows)]
    idx = np.arange(y.size) if order is None else np.argsort(order, kind="stable")
    lab = np.asarray(_labels(labels, fit), dtype=object)[idx]
    rows = []
    for j in range(y.size):
        block = _refits(y[None, idx[: j + 1]], v[None, idx[: j + 1]], fit)
        rows.append([float(block[c][0]) for c in _LOO_COLS])
    out = _frame(dict(zip(_LOO_COLS, np.array(rows).T, strict=True)), fit)
    out.insert(0, "k", np.arange(1, y.size + 1))
    out.insert(0, "added", lab)
    return out


def influence(x, vi=None, X=None, method=None, test=None, level=None, labels=None):
    """Case-deletion diagnostics: studentized deleted residuals and Cook's distances.

    Parameters
    ----------
    x : PoolResult, MetaRegResult or array_like
        A fitted model (refitted with its method, test, level and moderators), or yi.
    vi : array_like, optional
        Sampling variances, when ``x`` holds effect sizes.
    X : array_like, optional
        Moderators (an intercept is added) when ``x`` holds effect sizes; None for the
        intercept-only model.
    method, test, level : optional
        As in :func:`egger`.
    labels : sequence of str, optional
        Study labels, one per input row (default 1..n).

    Returns
    -------
    DataFrame
        ``study, resid, resid_se, rstudent, cooks_distance, tau2_del, q_del, hat,
        weight`` (weight in percent).

    Notes
    -----
    Same definitions as metafor 3.8-1 ``rstudent()`` and ``cooks.distance()`` of an
    ``rma.uni`` fit (the model is refitted without each study, re-estimating tau^2, all k
    refits in one engine call); validated on dat.bcg with and without ``mods = ~ ablat``.
    """
    if X is not None and not isinstance(x, MetaRegResult):
        given = {"method": method, "test": test, "level": level}
        given = {key: _DEFAULTS[key] if val is None else val for key, val in given.items()}
        x = metareg(x, vi, X, **given)
        vi = method = test = level = None
    fit = fitted(x, vi, method, test, level)
    y, v = _data(fit)
    k = y.size
    M = fit.design if isinstance(fit, MetaRegResult) else np.ones((k, 1))
    full = fit_block(y[None], v[None], M, fit.method, fit.test, fit.level, profile=False)
    idx = np.vstack([np.flatnonzero(row) for row in ~np.eye(k, dtype=bool)])
    d = fit_block(y[idx], v[idx], M[idx], fit.method, fit.test, fit.level, profile=False)
    pred = np.einsum("kp,kp->k", M, d["beta"])
    resid = y - pred
    resid = np.where(np.abs(resid) < 100 * np.finfo(float).eps * np.sqrt(v), 0.0, resid)
    xvx = np.einsum("kp,kpq,kq->k", M, d["vb"], M)
    se = np.sqrt(v * d["s2w"] + xvx + d["tau2"] * d["s2w"])
    dfb = full["beta"][0][None, :] - d["beta"]
    svb = np.linalg.inv(full["vb"][0])
    w = full["w"][0]
    inv = np.linalg.inv(M.T @ (M * w[:, None]))
    cols = {"resid": resid, "resid_se": se, "rstudent": resid / se}
    cols["cooks_distance"] = np.einsum("kp,pq,kq->k", dfb, svb, dfb)
    cols.update(tau2_del=d["tau2"], q_del=d["q"])
    cols["hat"] = np.einsum("ij,jk,ik->i", M, inv, M) * w
    cols["weight"] = 100 * w / w.sum()
    out = _frame(cols, fit)
    out.insert(0, "study", _labels(labels, fit))
    return out


def rstudent(x, vi=None, X=None, method=None, test=None, level=None, labels=None):
    """Studentized deleted residuals (``study, resid, resid_se, rstudent``).

    Notes
    -----
    See :func:`influence`; validated against metafor 3.8-1 ``rstudent()``.
    """
    out = influence(x, vi, X, method, test, level, labels)
    return out[["study", "resid", "resid_se", "rstudent"]]


def cooks_distance(x, vi=None, X=None, method=None, test=None, level=None):
    """Cook's distances, one per study (ndarray).

    Notes
    -----
    See :func:`influence`; validated against metafor 3.8-1 ``cooks.distance()``.
    """
    return influence(x, vi, X, method, test, level)["cooks_distance"].to_numpy()


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


def _sub_separate(y, v, g, levels, fit):
    fits = [pool(y[g == lev], v[g == lev], fit.method, fit.test, fit.level) for lev in levels]
    tab = pd.DataFrame([[lev, r.k, *[getattr(r, c) for c in _LOO_COLS]]
                        for lev, r in zip(levels, fits, strict=True)],
                       columns=["group", "k", *_LOO_COLS])  # fmt: skip
    est, se = tab.estimate.to_numpy(), tab.se.to_numpy()
    w = 1 / se**2
    qb = float(np.sum(w * (est - np.sum(w * est) / w.sum()) ** 2))
    m = len(levels) - 1
    return tab, qb, (m, np.inf), float(stats.chi2.sf(qb, m)), "chi2"


def _sub_common(y, v, g, levels, fit):
    dummies = np.column_stack([(g == lev).astype(float) for lev in levels[1:]])
    res = metareg(y, v, dummies, fit.method, fit.test, fit.level)
    M = np.column_stack([np.ones(len(levels)), np.vstack([np.zeros(len(levels) - 1),
                                                         np.eye(len(levels) - 1)])])  # fmt: skip
    est = M @ res.coefficients.estimate.to_numpy()
    se = np.sqrt(np.einsum("ij,jk,ik->i", M, res.vcov, M))
    crit = critical(fit.level, res.qm_df[1])
    tab = pd.DataFrame({"group": levels, "k": [int(np.sum(g == lev)) for lev in levels]})
    tab["estimate"], tab["se"] = est, se
    tab["ci_low"], tab["ci_high"], tab["tau2"] = est - crit * se, est + crit * se, res.tau2
    dist = "F" if TESTS[fit.test].t_dist else "chi2"
    return tab, res.qm, res.qm_df, res.qm_pvalue, dist


SUBGROUP_TAU2: dict[str, Callable] = {"separate": _sub_separate, "common": _sub_common}
"""How tau^2 is handled across subgroups: one per subgroup, or one common value."""


def subgroup(x, vi=None, groups=None, method=None, test=None, level=None, tau2="separate"):
    """Subgroup analysis with the test for subgroup differences.

    Parameters
    ----------
    x : PoolResult or array_like
        A fitted model (its method, test and level are used), or effect sizes.
    vi : array_like, optional
        Sampling variances, when ``x`` holds effect sizes.
    groups : array_like
        Subgroup label per input row.
    method, test, level : optional
        As in :func:`egger`.
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
    Validated against metafor 3.8-1 on dat.bcg split by allocation (both modes, z and
    knha).
    """
    mode = choose(SUBGROUP_TAU2, tau2, "subgroup tau2")
    if groups is None:
        raise TypeError("subgroup() needs groups: one subgroup label per study")
    fit = fitted(x, vi, method, test, level)
    y, v = _data(fit)
    g = np.asarray(groups).astype(str)
    g = g if g.size == fit.k else g[list(fit.rows)]
    levels = sorted(set(g))
    if len(levels) < 2:
        raise ValueError("subgroup analysis needs at least two subgroups")
    tab, qb, df, p, dist = mode(y, v, g, levels, fit)
    warn = [f"Subgroup {lev!r} has a single study." for lev in levels if np.sum(g == lev) == 1]
    return SubgroupResult(
        tab, qb, df, p, dist, fit.method, fit.test, tau2, _missing(fit) + tuple(warn)
    )

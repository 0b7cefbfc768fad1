"""Estimators of the between-study variance tau^2, each written once.

Every estimator fits G parallel data sets at once: ``y`` and ``v`` of shape (G, k) and a
design matrix ``X`` of shape (G, k, p) (:func:`as_design` broadcasts one (k, p) matrix
shared by all G; a column of ones for plain pooling). :mod:`.rma` uses them for ``pool``, ``pool_many`` and ``metareg``; the
diagnostics refit through the same functions.

Every stopping rule is relative to the scale of the sampling variances (their mean per
data set, ``scale``), so ``pool(c * yi, c**2 * vi)`` stops at the same place for any c.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy import special

__all__ = ["ESTIMATORS", "Tau2Fit", "Wls", "as_design", "loglik", "q_root", "qprofile", "wls"]

THRESHOLD = 1e-12  # Fisher scoring stops when |change in tau^2| <= this * (scale + tau^2)
# (metafor: |change| <= 1e-5 absolute; relative to the scale of vi the rule is reachable,
# and equally strict, whatever the unit of the effect size)
MAXITER = 1000  # Fisher-scoring and root-finding iterations (metafor: 100)
ROOT_RTOL = 1e-13  # Newton steps for Q-profile / Paule-Mandel roots stop below this * scale
LL0_TOL = np.finfo(float).eps ** 0.25  # metafor's ll0check tolerance (control$tol)
STEPS = (1.0, 0.5, 0.25, 0.125, 0.0625)  # full steps, then metafor's stepadj remedy


class Tau2Fit(NamedTuple):
    """tau^2 per data set, with how it was found (arrays of length G)."""

    tau2: np.ndarray
    iterations: np.ndarray
    converged: np.ndarray
    reset: np.ndarray  # ML/REML: set to 0 because the likelihood at 0 was higher
    stepadj: np.ndarray  # ML/REML: Fisher-scoring step length that converged (1 = full)


class Wls(NamedTuple):
    """Weighted least squares at a given tau^2 (W = 1 / (v + tau^2))."""

    w: np.ndarray  # (G, k)
    vb: np.ndarray  # (G, p, p): (X'WX)^-1
    beta: np.ndarray  # (G, p)
    resid: np.ndarray  # (G, k): y - X beta
    q: np.ndarray  # (G,): y'Py = sum w r^2, the generalized Q


def as_design(X, shape):
    """Return X as an array of shape (G, k, p) (a view when X is shared by all G).

    Notes
    -----
    Shape handling only; exercised by every fit in tests/test_metafor_alignment.py.
    """
    X = np.asarray(X, dtype=float)
    g, k = shape
    if X.ndim == 1:
        X = X[:, None]
    return np.broadcast_to(X, (g, k, X.shape[-1]))


def _gram(X, w):
    return np.einsum("gkp,gk,gkq->gpq", X, w, X)


def _inv(X, w):
    """(X'WX)^-1, shape (G, p, p); one column (plain pooling) without a matrix inverse."""
    if X.shape[-1] == 1:
        return 1.0 / np.einsum("gk,gk->g", X[..., 0] ** 2, w)[:, None, None]
    return np.linalg.inv(_gram(X, w))


def wls(y, v, X, tau2) -> Wls:
    """Weighted least-squares fit of every data set at ``tau2`` (shape (G,)).

    Notes
    -----
    The coefficients, their covariance (X'WX)^-1 and the generalized Q of metafor's
    ``rma.uni`` at a fixed tau^2; validated through every fit of
    tests/test_metafor_alignment.py.
    """
    w = 1.0 / (v + tau2[:, None])
    vb = _inv(X, w)
    beta = np.einsum("gpq,gkq,gk->gp", vb, X, w * y)
    r = y - np.einsum("gkp,gp->gk", X, beta)
    return Wls(w, vb, beta, r, (w * r * r).sum(axis=1))


def _traces(X, fit):
    """tr(P) and tr(PP) for P = W - WX(X'WX)^-1X'W, from p x p matrices only."""
    w = fit.w
    w2 = w * w
    if X.shape[-1] == 1:  # plain pooling: p x p matrices are scalars
        x2 = X[..., 0] ** 2
        a2 = fit.vb[:, 0, 0] * (x2 * w2).sum(axis=1)
        a3 = fit.vb[:, 0, 0] * (x2 * w2 * w).sum(axis=1)
        return w.sum(axis=1) - a2, w2.sum(axis=1) - 2.0 * a3 + a2 * a2
    a2 = fit.vb @ _gram(X, w2)
    tr_p = w.sum(axis=1) - np.trace(a2, axis1=1, axis2=2)
    a3 = fit.vb @ _gram(X, w2 * w)
    tr_pp = w2.sum(axis=1) - 2.0 * np.trace(a3, axis1=1, axis2=2)
    return tr_p, tr_pp + np.einsum("gpq,gqp->g", a2, a2)


def scale_of(v):
    """Return the unit of each data set's sampling variances (their mean), shape (G,).

    Notes
    -----
    Every stopping rule is relative to this, so rescaling the data cannot change where
    an iteration stops (tests/test_stats_unit.py, scale invariance).
    """
    return v.mean(axis=1)


def loglik(y, v, X, tau2, reml):
    """Log-likelihood (ML) or restricted log-likelihood (REML) up to a constant.

    Notes
    -----
    Used for metafor's ll0 check (is tau^2 = 0 more likely than where scoring stopped?);
    only differences matter, so the constant is left out (the reset cases of
    tests/test_metafor_alignment.py).
    """
    fit = wls(y, v, X, tau2)
    ll = -0.5 * np.log(v + tau2[:, None]).sum(axis=1) - 0.5 * fit.q
    if reml:
        ll = ll + 0.5 * np.linalg.slogdet(fit.vb)[1]
    return ll


def q_root(y, v, X, target, maxiter=MAXITER):
    """Solve Q(tau^2) = target per data set; 0 where Q(0) <= target.

    Notes
    -----
    Q is convex and decreasing in tau^2 (dQ/dtau^2 = -|Py|^2), so Newton's method started
    at 0 climbs to the root from the left without overshooting. Validated against
    metafor's Paule-Mandel estimate and ``confint`` limits (uniroot, tol 1e-12).
    """
    g = y.shape[0]
    x = np.zeros(g)
    scale = scale_of(v)
    active = wls(y, v, X, x).q > target
    for _ in range(maxiter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        fit = wls(y[idx], v[idx], X[idx], x[idx])
        f = fit.q - target[idx]
        step = f / ((fit.w * fit.resid) ** 2).sum(axis=1)
        grow = f > 0
        x[idx] = np.where(grow, x[idx] + step, x[idx])
        active[idx] = grow & (step > ROOT_RTOL * (scale[idx] + x[idx]))
    return x


def qprofile(y, v, X, level):
    """Q-profile confidence limits of tau^2 (metafor ``confint``), arrays of length G.

    Notes
    -----
    Validated against metafor 3.8-1 ``confint(rma(...))`` on dat.bcg, k = 2 and a set
    truncated at 0 (tests/test_metafor_alignment.py).
    """
    df = y.shape[1] - X.shape[-1]
    alpha = 1.0 - level
    g = y.shape[0]
    lo = q_root(y, v, X, np.full(g, special.chdtri(df, alpha / 2)))
    hi = q_root(y, v, X, np.full(g, special.chdtri(df, 1.0 - alpha / 2)))
    return lo, hi


def _done(tau2):
    g = tau2.shape[0]
    return Tau2Fit(tau2, np.zeros(g, int), np.ones(g, bool), np.zeros(g, bool), np.ones(g))


def _fe(y, v, X, **_):
    return _done(np.zeros(y.shape[0]))


def _dl(y, v, X, **_):
    k, p = y.shape[1], X.shape[-1]
    fit = wls(y, v, X, np.zeros(y.shape[0]))
    tr_p, _ = _traces(X, fit)
    return _done(np.maximum(0.0, (fit.q - (k - p)) / tr_p))


def _he_raw(y, v, X):
    k, p = y.shape[1], X.shape[-1]
    ones = np.ones_like(y)
    fit = wls(y, ones * 0.0, X, np.ones(y.shape[0]))  # ordinary least squares (W = I)
    hat = np.einsum("gkp,gpq,gkq->gk", X, fit.vb, X)
    return (fit.q - ((1.0 - hat) * v).sum(axis=1)) / (k - p)


def _he(y, v, X, **_):
    return _done(np.maximum(0.0, _he_raw(y, v, X)))


def _sj(y, v, X, **_):
    k, p = y.shape[1], X.shape[-1]
    t0 = ((y - y.mean(axis=1)[:, None]) ** 2).mean(axis=1)
    return _done(np.maximum(0.0, t0 * wls(y, v, X, t0).q / (k - p)))


def _pm(y, v, X, **_):
    k, p = y.shape[1], X.shape[-1]
    return _done(q_root(y, v, X, np.full(y.shape[0], k - p, dtype=float)))


def _scoring(y, v, X, reml, stepadj, maxiter):
    """Fisher scoring from the (truncated) HE estimate, exactly as metafor's rma.uni."""
    g = y.shape[0]
    tau2 = np.maximum(0.0, _he_raw(y, v, X))
    scale = scale_of(v)
    iters = np.zeros(g, int)
    active = np.ones(g, bool)
    for _ in range(maxiter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        t, xs = tau2[idx], X[idx]
        fit = wls(y[idx], v[idx], xs, t)
        ypp = ((fit.w * fit.resid) ** 2).sum(axis=1)
        if reml:
            tr_p, tr_pp = _traces(xs, fit)
            adj = (ypp - tr_p) / tr_pp
        else:
            adj = (ypp - fit.w.sum(axis=1)) / (fit.w**2).sum(axis=1)
        adj = np.where(np.isfinite(adj), adj, 0.0) * stepadj
        adj = np.where((t == 0) & (adj < 0), 0.0, adj)  # halving to 0 ends where R's loop does
        neg = t + adj < 0
        while neg.any():  # step halving, as metafor
            adj[neg] /= 2.0
            neg = t + adj < 0
        tau2[idx] = t + adj
        iters[idx] += 1
        active[idx] = np.abs(adj) > THRESHOLD * (scale[idx] + tau2[idx])
    return tau2, iters, ~active


def _fisher(y, v, X, reml, maxiter=MAXITER):
    """Fisher scoring; data sets that do not converge are rerun with metafor's remedy.

    metafor's help suggests ``control=list(stepadj=0.5)`` when scoring oscillates; data
    sets that have not converged with full steps are refitted with step lengths 1/2, 1/4,
    1/8 and 1/16 in turn, and ``stepadj`` records the one that converged. Then metafor's
    ll0 check: tau^2 = 0 replaces the result when its likelihood is higher.
    """
    g = y.shape[0]
    tau2 = np.zeros(g)
    iters = np.zeros(g, int)
    converged = np.zeros(g, bool)
    stepadj = np.ones(g)
    for step in STEPS:
        idx = np.flatnonzero(~converged)
        if idx.size == 0:
            break
        xs = X[idx]
        t2, it2, c2 = _scoring(y[idx], v[idx], xs, reml, step, maxiter)
        tau2[idx], converged[idx], stepadj[idx] = t2, c2, step
        iters[idx] += it2
    check = converged & (tau2 > THRESHOLD * scale_of(v))
    reset = np.zeros(g, bool)
    if check.any():
        idx = np.flatnonzero(check)
        xs = X[idx]
        ll0 = loglik(y[idx], v[idx], xs, np.zeros(idx.size), reml)
        ll = loglik(y[idx], v[idx], xs, tau2[idx], reml)
        reset[idx] = ll0 - ll > LL0_TOL
        tau2[reset] = 0.0
    return Tau2Fit(np.maximum(0.0, tau2), iters, converged, reset, stepadj)


def _reml(y, v, X, maxiter=MAXITER):
    return _fisher(y, v, X, True, maxiter)


def _ml(y, v, X, maxiter=MAXITER):
    return _fisher(y, v, X, False, maxiter)


ESTIMATORS: dict[str, Callable[..., Tau2Fit]] = {
    "FE": _fe,
    "DL": _dl,
    "REML": _reml,
    "PM": _pm,
    "ML": _ml,
    "HE": _he,
    "SJ": _sj,
}
"""Estimators of tau^2 by metafor name ("FE" is the common-effect model, tau^2 = 0).

Each is called as ``ESTIMATORS[name](y, v, X, maxiter=...)`` with y, v of shape (G, k)
and X of shape (G, k, p) (see :func:`as_design`). Validated against metafor 3.8-1 ``rma.uni`` (all
estimators, intercept-only and with a moderator) in tests/test_metafor_alignment.py.
"""

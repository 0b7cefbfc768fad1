"""Binomial-normal random-intercept model for single proportions, as ``rma.glmm("PLO")``.

``logit(p_i) = mu + tau * z_i`` with ``z_i ~ N(0, 1)``, fitted by maximum likelihood; the
marginal likelihood uses adaptive Gauss-Hermite quadrature around each study's
conditional mode (lme4's ``glmer(nAGQ = 7)``, which metafor's ``rma.glmm`` calls).

Every evaluation is batched: B parameter points x k studies at once, so the optimizer
(several modified-Newton ascents started at once, derivatives by finite differences of
one batched call) costs a few dozen array operations, not thousands of scalar calls.
"""

from __future__ import annotations

import numpy as np
from scipy import special

__all__ = ["N_AGQ", "TAU_MAX", "fit_ml", "loglik", "modes"]

N_AGQ = 7  # quadrature points, metafor rma.glmm's default nAGQ
TAU_MAX = 20.0  # upper end of the search for tau (logit scale)
MODE_TOL = 1e-12  # conditional modes: Newton stops when the step is below this * (1 + |b|)
MODE_MAXITER = 100
NEWTON_MAXITER = 200  # outer ascent iterations
STARTS = (0.0, 0.5, 1.5, 3.0, 6.0)  # starting values of tau (in one batch)
FD_STEP = 1e-4  # finite-difference step, relative to max(1, |parameter|)


def modes(x, n, mu, tau):
    """Conditional modes of the standardized random effects and the scale there.

    Parameters
    ----------
    x, n : ndarray, shape (k,)
        Events and participants.
    mu, tau : ndarray, shape (B,)
        Parameter points.

    Returns
    -------
    b, s : ndarray, shape (B, k)
        The mode of ``x * eta - n * log(1 + e^eta) - b^2 / 2`` (eta = mu + tau * b) and
        ``1 / sqrt(curvature)`` there.

    Notes
    -----
    The score ``g(b) = tau (x - n p) - b`` is decreasing and changes sign on the bracket
    ``[tau (x - n), tau x]``; Newton steps that leave the (shrinking) bracket are replaced
    by bisection, so the iteration cannot diverge (the undamped Newton used before
    diverged for sparse events and large tau). Checked against lme4's log-likelihood in
    tests/test_metafor_alignment.py.
    """
    mu, tau = mu[:, None], np.abs(tau)[:, None]
    lo, hi = tau * (x - n), tau * x
    with np.errstate(divide="ignore", invalid="ignore"):
        start = (special.logit((x + 0.5) / (n + 1.0)) - mu) / tau
    b = np.clip(np.nan_to_num(start), lo, hi)
    for _ in range(MODE_MAXITER):
        p = special.expit(mu + tau * b)
        g = tau * (x - n * p) - b
        lo = np.where(g > 0, b, lo)
        hi = np.where(g > 0, hi, b)
        new = b + g / (tau * tau * n * p * (1 - p) + 1)
        new = np.where((new < lo) | (new > hi), 0.5 * (lo + hi), new)
        done = np.abs(new - b) <= MODE_TOL * (1 + np.abs(b))
        b = new
        if done.all():
            break
    p = special.expit(mu + tau * b)
    return b, 1 / np.sqrt(tau * tau * n * p * (1 - p) + 1)


def loglik(x, n, mu, tau, n_agq=N_AGQ):
    """Marginal log-likelihood at B parameter points (shape (B,)), binomial constants included.

    Notes
    -----
    Equals lme4's ``logLik`` of ``glmer(cbind(x, n - x) ~ 1 + (1 | study), nAGQ = 7)``
    at the same parameters (tests/test_metafor_alignment.py, glmm_sparse cases).
    """
    nodes, w = np.polynomial.hermite.hermgauss(n_agq)
    logw = np.log(w) + nodes * nodes
    const = special.gammaln(n + 1) - special.gammaln(x + 1) - special.gammaln(n - x + 1)
    mu, tau = np.atleast_1d(mu).astype(float), np.atleast_1d(tau).astype(float)
    b, s = modes(x, n, mu, tau)
    z = b[..., None] + np.sqrt(2) * s[..., None] * nodes
    eta = mu[:, None, None] + np.abs(tau)[:, None, None] * z
    h = x[:, None] * eta - n[:, None] * np.logaddexp(0, eta) - z * z / 2
    li = np.log(np.sqrt(2) * s) + special.logsumexp(h + logw, axis=-1)
    return (const + li - 0.5 * np.log(2 * np.pi)).sum(axis=-1)


_STENCIL = np.array([(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)])


def _derivs(x, n, theta):
    """Log-likelihood, gradient and Hessian at B points (central differences, one call)."""
    h = FD_STEP * np.maximum(1.0, np.abs(theta))  # (B, 2)
    pts = theta[:, None, :] + _STENCIL[None] * h[:, None, :]  # (B, 9, 2)
    f = loglik(x, n, pts[..., 0].ravel(), pts[..., 1].ravel()).reshape(-1, 9)
    g = np.stack([(f[:, 1] - f[:, 2]) / (2 * h[:, 0]), (f[:, 3] - f[:, 4]) / (2 * h[:, 1])], 1)
    hmm = (f[:, 1] - 2 * f[:, 0] + f[:, 2]) / h[:, 0] ** 2
    htt = (f[:, 3] - 2 * f[:, 0] + f[:, 4]) / h[:, 1] ** 2
    hmt = (f[:, 5] - f[:, 6] - f[:, 7] + f[:, 8]) / (4 * h[:, 0] * h[:, 1])
    hess = np.stack([np.stack([hmm, hmt], -1), np.stack([hmt, htt], -1)], -2)
    return f[:, 0], g, hess


def _ascent(x, n, theta):
    """Maximize from B starting points at once (modified Newton + batched line search)."""
    fracs = 0.5 ** np.arange(16)
    f = loglik(x, n, theta[:, 0], theta[:, 1])
    active = np.ones(len(theta), bool)
    for _ in range(NEWTON_MAXITER):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        _, g, hess = _derivs(x, n, theta[idx])
        lam, vec = np.linalg.eigh(hess)
        lam = -np.maximum(np.abs(lam), 1e-8 * (1 + np.abs(lam).max(axis=1, keepdims=True)))
        step = -np.einsum("bij,bj,bkj,bk->bi", vec, 1 / lam, vec, g)  # ascent: -H_neg^-1 g
        step *= np.minimum(1.0, 5.0 / np.abs(step).max(axis=1, keepdims=True).clip(1e-300))
        cand = theta[idx, None, :] + fracs[None, :, None] * step[:, None, :]
        cand[..., 1] = np.clip(np.abs(cand[..., 1]), 0.0, TAU_MAX)
        fc = loglik(x, n, cand[..., 0].ravel(), cand[..., 1].ravel()).reshape(idx.size, -1)
        best = np.argmax(fc, axis=1)
        fbest = fc[np.arange(idx.size), best]
        better = fbest > f[idx]
        moved = np.abs(cand[np.arange(idx.size), best] - theta[idx]).max(axis=1)
        theta[idx[better]] = cand[np.arange(idx.size), best][better]
        gain = np.where(better, fbest - f[idx], 0.0)
        f[idx[better]] = fbest[better]
        tol = 1e-10 * (1 + np.abs(theta[idx]).max(axis=1))
        active[idx] = better & ((moved > tol) | (gain > 1e-14 * (1 + np.abs(f[idx]))))
    return theta, f


def fit_ml(x, n, n_agq=N_AGQ):
    """Maximum-likelihood fit: (mu, se of mu, tau^2, log-likelihood, hit the tau limit).

    Notes
    -----
    Ascents start at tau in :data:`STARTS` (mu at the pooled logit) and the best end point
    is kept; tau = 0 (the common-effect binomial model, closed form) replaces it when its
    likelihood is as high. The SE of mu comes from the finite-difference Hessian of the
    log-likelihood in (mu, tau), as lme4's ``vcov(use.hessian = TRUE)``. Validated
    against ``rma.glmm(measure = "PLO", method = "ML")`` with tight bobyqa control on
    dat.pritz1997, LDN-like sets and 12 sparse-event cases (tests/test_metafor_alignment.py).
    """
    del n_agq  # the batched evaluator uses N_AGQ
    mu0 = special.logit(x.sum() / n.sum())
    p0 = special.expit(mu0)
    se0 = 1 / np.sqrt(np.sum(n * p0 * (1 - p0)))
    ll0 = float(loglik(x, n, np.array([mu0]), np.zeros(1))[0])
    starts = np.column_stack([np.full(len(STARTS), mu0), STARTS])
    theta, f = _ascent(x, n, starts)
    i = int(np.argmax(f))
    mu, tau, ll = float(theta[i, 0]), float(theta[i, 1]), float(f[i])
    if ll0 >= ll - 1e-9 or tau < 1e-6:
        return mu0, se0, 0.0, ll0, False
    _, _, hess = _derivs(x, n, theta[i : i + 1])
    var = np.linalg.inv(-hess[0])[0, 0]
    return mu, float(np.sqrt(var)), tau * tau, ll, tau >= TAU_MAX * (1 - 1e-9)

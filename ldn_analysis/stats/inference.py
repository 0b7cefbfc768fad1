"""Critical values, p-values, option look-up, the input checks and warnings every fit shares.

The one place the normal 97.5% quantile (:data:`Z95`) is defined; the rest of the package
imports it from here instead of writing 1.96.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from ldn_analysis.errors import ChoiceError

__all__ = ["Z95", "check_level", "choose", "clean", "critical", "missing_rows", "two_sided_p"]
__all__ += ["fit_warnings", "guardrail_warnings"]

Z95 = float(-special.ndtri((1.0 - 0.95) / 2))  # exactly critical(0.95)
"""Two-sided 95% normal critical value, 1.959963984540054 (R ``qnorm(0.975)``)."""


def critical(level, df=np.inf):
    """Two-sided critical value: normal quantile, or t with ``df`` degrees of freedom.

    Parameters
    ----------
    level : float
        Confidence level, a fraction (0.95).
    df : float or ndarray
        Degrees of freedom; ``inf`` for the normal distribution.

    Returns
    -------
    float or ndarray

    Notes
    -----
    ``scipy.special.ndtri`` / ``stdtrit``; the CIs built with it match metafor's
    ``qnorm`` / ``qt`` intervals (tests/test_metafor_alignment.py).
    """
    alpha = (1.0 - level) / 2
    return -special.ndtri(alpha) if np.all(np.isinf(df)) else -special.stdtrit(df, alpha)


def two_sided_p(stat, df=np.inf):
    """Two-sided p-value of a z (``df`` infinite) or t statistic.

    Parameters
    ----------
    stat : float or ndarray
        Test statistic.
    df : float or ndarray
        Degrees of freedom; ``inf`` for the normal distribution.

    Returns
    -------
    float or ndarray

    Notes
    -----
    ``scipy.special.ndtr`` / ``stdtr``; matches metafor's ``pnorm`` / ``pt`` p-values down
    to 1e-26 (tests/test_metafor_alignment.py).
    """
    x = -np.abs(stat)
    return 2.0 * (special.ndtr(x) if np.all(np.isinf(df)) else special.stdtr(df, x))


def choose(registry, value, what):
    """Return ``registry[value]``; raise :class:`ChoiceError` listing valid keys if absent.

    Parameters
    ----------
    registry : mapping
        Valid options.
    value : hashable
        The option asked for.
    what : str
        What the option is, for the message ("method", "test"...).

    Returns
    -------
    object

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

    Parameters
    ----------
    level : float

    Returns
    -------
    float

    Notes
    -----
    metafor also accepts 95; here a level outside (0, 1) is an error, to avoid silently
    building 5% intervals from ``level=0.05``-style confusion.
    """
    level = float(level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be a fraction between 0 and 1 (e.g. 0.95), got {level}")
    return level


def missing_rows(ok, what: str = "yi or vi", labels=None) -> str:
    """Describe the rows left out for missing values, naming them.

    Parameters
    ----------
    ok : array_like of bool
        True for rows kept.
    what : str
        The values that were missing.
    labels : array_like, optional
        Row labels (e.g. a DataFrame's index); default 0-based positions.

    Returns
    -------
    str
        Empty when nothing was left out.

    Notes
    -----
    The one NaN policy of the engine (pooling, meta-regression, diagnostics, proportions):
    rows with a missing value are dropped and the result's warnings name them; an error is
    raised only when nothing is left (tests/test_stats_unit.py).
    """
    bad = np.flatnonzero(~np.asarray(ok, dtype=bool))
    if bad.size == 0:
        return ""
    names = bad if labels is None else np.asarray(labels, dtype=object)[bad]
    shown = ", ".join(str(i) for i in names[:20]) + (", ..." if bad.size > 20 else "")
    noun = "study" if bad.size == 1 else "studies"
    where = "0-based positions" if labels is None else "index labels"
    return f"{bad.size} {noun} with a missing {what} left out (rows {shown}: {where})."


def clean(yi, vi):
    """Return finite (y, v), the mask of rows kept and the warning naming rows left out.

    Notes
    -----
    The NaN policy of :mod:`ldn_analysis.stats`: rows with a missing yi or vi are dropped
    and named in a warning (by index label for pandas input, else by 0-based position);
    non-positive variances and unequal lengths are errors.
    """
    y = np.asarray(yi, dtype=float).ravel()
    v = np.asarray(vi, dtype=float).ravel()
    if y.shape != v.shape:
        raise ValueError(f"yi and vi differ in length ({y.size} vs {v.size})")
    ok = np.isfinite(y) & np.isfinite(v)
    if np.any(v[ok] <= 0):
        bad = np.flatnonzero(ok & (v <= 0))
        raise ValueError(f"every sampling variance vi must be positive (rows {list(bad)})")
    labels = yi.index if isinstance(yi, pd.Series) else None  # name rows by index label
    note = missing_rows(ok, labels=labels)
    if not ok.any():
        raise ValueError(f"no study has both yi and vi: nothing to pool ({note})")
    return y[ok], v[ok], ok, note


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


def fit_warnings(method, test, converged, reset, maxiter, stepadj=1.0) -> list[str]:
    """Warnings about how the tau^2 estimator ended (shared by pooling and metareg).

    Notes
    -----
    The stepadj remedy warning is checked against metafor's failing default fit in
    tests/test_metafor_alignment.py (fisher_scoring_remedy).
    """
    out = []
    if stepadj != 1.0 and converged:
        out.append(
            f"Fisher scoring oscillated with full steps; it converged with step length "
            f"{stepadj:g} (metafor's stepadj remedy)."
        )
    if method == "FE" and test not in ("z", "t"):
        out.append("The Knapp-Hartung adjustment is not meant for a common-effect (FE) model.")
    if not converged:
        out.append(f"The {method} estimator did not converge in {maxiter} iterations.")
    if reset:
        out.append("Fisher scoring may have stopped at a local maximum; tau^2 set to 0.")
    return out

"""Cochrane Handbook chapter 6 (and 23) conversions: reported statistics to SE, SD, means.

Arrays in, arrays out. Each function returns a frozen dataclass whose ``note`` states the
method and any assumption, so a derived per-study effect can carry its derivation.
Reference values: ``validation/conversions/run_conversions.R`` (base R, metafor 3.8-1)
writes ``tests/fixtures/conversions/conversions.json``; ``tests/test_conversions.py``
checks against it and against the published worked examples and tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import integrate, special, stats


@dataclass(frozen=True)
class Converted:
    """One derived quantity (an SE, SD or correlation) and how it was obtained."""

    value: np.ndarray
    note: str


@dataclass(frozen=True)
class MeanSD:
    """An estimated mean and SD and the estimators used (``sd`` NaN when not derived)."""

    mean: np.ndarray
    sd: np.ndarray
    note: str


@dataclass(frozen=True)
class PairedEffect:
    """A within-person effect (crossover analysed as paired) and its standard error."""

    estimate: np.ndarray
    se: np.ndarray
    note: str


@dataclass(frozen=True)
class Counts:
    """Event counts from percentages; ``rounded`` marks counts that rounding chose."""

    events: np.ndarray
    raw: np.ndarray
    rounded: np.ndarray
    note: str


def _f(*xs):
    return tuple(np.asarray(x, dtype=float) for x in xs)


# --- standard errors ------------------------------------------------------------------------


def se_from_ci(low, high, level=0.95, df=None) -> Converted:
    """SE from a symmetric confidence interval: ``(high - low) / (2 crit)``.

    Parameters
    ----------
    low, high : array_like
        Confidence limits, on the scale where the interval is symmetric (log for ratios).
    level : float
        Confidence level of the reported interval.
    df : array_like, optional
        Degrees of freedom when the interval used t (small samples: n - 1 for one mean,
        n1 + n2 - 2 for a difference). None: a normal (z) interval.

    Notes
    -----
    Cochrane Handbook 6.3.1 (z) and 6.5.2.3 (small samples: divide the width by
    ``2 qt(0.975, df)``, not 3.92). Validated against base R ``qnorm`` / ``qt``
    (``conversions.json``).
    """
    low, high = _f(low, high)
    a = (1 - level) / 2
    if df is None:
        crit, how = stats.norm.isf(a), f"2 x z({1 - a:.3g})"
    else:
        crit, how = stats.t.isf(a, np.asarray(df, dtype=float)), f"2 x t({1 - a:.3g}, df)"
    return Converted((high - low) / (2 * crit), f"SE = CI width / {how}")


def se_from_p(estimate, p, df=None, bounded=False) -> Converted:
    """SE from a two-sided p-value: ``|estimate| / crit(p / 2)``.

    Parameters
    ----------
    estimate : array_like
        Estimate on the scale of the test (mean difference; log scale for ratios).
    p : array_like
        Exact two-sided p-value or, with ``bounded=True``, the threshold ("p < 0.05": 0.05).
    df : array_like, optional
        Degrees of freedom of a t test (n1 + n2 - 2 for two groups). None: z test.
    bounded : bool
        The p-value was reported as a bound: the threshold gives a conservative (too
        large) SE, and the note says so.

    Notes
    -----
    Cochrane Handbook 6.3.2 and 6.5.2.3. Validated against base R
    ``abs(est) / qt(p/2, df, lower.tail = FALSE)`` and ``qnorm``, and the Handbook's
    worked example (MD 3.8, n 25 + 22, p = 0.008: t = 2.78, SE = 1.37). metafor 3.8-1
    ``escalc`` has no p-value argument.
    """
    estimate, p = _f(estimate, p)
    if df is None:
        stat, how = stats.norm.isf(p / 2), "z"
    else:
        stat, how = stats.t.isf(p / 2, np.asarray(df, dtype=float)), "t(df)"
    note = f"SE = |estimate| / {how} quantile of a two-sided p-value"
    if bounded:
        note += (
            "; p reported as a bound: the threshold was used, so the SE is conservative (too large)"
        )
    return Converted(np.abs(estimate) / stat, note)


def se_from_t(estimate, t) -> Converted:
    """SE from a t (or z) statistic: ``|estimate / t|``.

    ``estimate`` and ``t`` (array_like) are the estimate and its test statistic.

    Notes
    -----
    Cochrane Handbook 6.5.2.3. Validated against base R and, through :func:`sd_from_md_se`
    and ``escalc.smd``, against metafor 3.8-1 ``escalc("SMD", ti, n1i, n2i)``.
    """
    estimate, t = _f(estimate, t)
    return Converted(np.abs(estimate / t), "SE = |estimate / t|")


def se_from_f(estimate, f) -> Converted:
    """SE from an F statistic with 1 numerator df (two groups): ``|estimate| / sqrt(F)``.

    ``estimate`` and ``f`` (array_like): only for F on 1 numerator df, where t = sqrt(F).

    Notes
    -----
    Cochrane Handbook 6.5.2.3. Validated against base R.
    """
    estimate, f = _f(estimate, f)
    return Converted(np.abs(estimate) / np.sqrt(f), "SE = |estimate| / sqrt(F), F on 1 df")


# --- standard deviations --------------------------------------------------------------------


def sd_from_se(se, n) -> Converted:
    """SD of one group from the SE of its mean: ``se sqrt(n)``.

    ``se`` and ``n`` (array_like) are the SE of the group mean and the group size.

    Notes
    -----
    Cochrane Handbook 6.5.2.2. Validated against base R.
    """
    se, n = _f(se, n)
    return Converted(se * np.sqrt(n), "SD = SE x sqrt(n)")


def sd_from_md_se(se, n1, n2) -> Converted:
    """Within-group SD (common to both groups) from the SE of a mean difference.

    ``se``, ``n1``, ``n2`` (array_like): SE of the difference in means, group sizes.

    Notes
    -----
    Cochrane Handbook 6.5.2.3: ``SD = SE / sqrt(1/n1 + 1/n2)``. Validated against base R.
    """
    se, n1, n2 = _f(se, n1, n2)
    note = "SD = SE / sqrt(1/n1 + 1/n2), one SD assumed for both groups"
    return Converted(se / np.sqrt(1 / n1 + 1 / n2), note)


def sd_from_md_ci(low, high, n1, n2, level=0.95, t_based=True) -> Converted:
    """Within-group SD (common to both groups) from the CI of a mean difference.

    Parameters
    ----------
    low, high, n1, n2 : array_like
        Confidence limits of the mean difference and the two group sizes.
    level : float
        Confidence level.
    t_based : bool
        The interval used t on n1 + n2 - 2 df (the Handbook's advice for small samples);
        False: z.

    Notes
    -----
    Cochrane Handbook 6.5.2.3: :func:`se_from_ci`, then :func:`sd_from_md_se`. Validated
    against base R.
    """
    n1, n2 = _f(n1, n2)
    se = se_from_ci(low, high, level, n1 + n2 - 2 if t_based else None)
    sd = sd_from_md_se(se.value, n1, n2)
    return Converted(sd.value, f"{se.note}; {sd.note}")


# --- median, quartiles and range to mean and SD ---------------------------------------------


_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)


def expected_normal_order_statistic(r, n):
    """Return E(Z_(r:n)), the expected r-th smallest of n standard normal draws.

    ``r`` (1..n) and ``n`` are array_like of int.

    Notes
    -----
    Numerical integration of ``z f_(r:n)(z)``, as R ``integrate()`` in
    ``conversions.json``. Twice this for r = n reproduces Wan et al. (2014) Table 1
    (xi(n)), and for r = 3Q + 1, n = 4Q + 1 their Table 2 (eta), to the printed decimals.
    """

    def one(r, n):
        logc = special.gammaln(n + 1) - special.gammaln(r) - special.gammaln(n - r + 1)

        def f(z):
            dens = -0.5 * z * z - _LOG_SQRT_2PI + (r - 1) * special.log_ndtr(z)
            return z * np.exp(logc + dens + (n - r) * special.log_ndtr(-z))

        return integrate.quad(f, -np.inf, np.inf, epsabs=1e-13, epsrel=1e-12, limit=200)[0]

    return np.vectorize(one, otypes=[float])(np.asarray(r, int), np.asarray(n, int))


def wan_xi(n, exact=False):
    """Return Wan's xi(n), the expected range of n standard normals.

    ``exact=False``: Wan et al. (2014) closed form ``2 qnorm((n - 0.375) / (n + 0.25))``;
    True: the exact ``2 E(Z_(n:n))`` (their Table 1) for 2 <= n <= 50, else the closed form.
    """
    n = np.asarray(n, dtype=float)
    xi = 2 * stats.norm.ppf((n - 0.375) / (n + 0.25))
    if exact:
        small = np.isfinite(n) & (n >= 2) & (n <= 50)
        nn = np.where(small, n, 2).astype(int)
        xi = np.where(small, 2 * expected_normal_order_statistic(nn, nn), xi)
    return xi


def wan_eta(n):
    """Return Wan's eta(n) = ``2 qnorm((0.75 n - 0.125) / (n + 0.25))``, the normal IQR."""
    n = np.asarray(n, dtype=float)
    return 2 * stats.norm.ppf((0.75 * n - 0.125) / (n + 0.25))


_NORMAL = "assumes near-normal data"


def mean_sd_from_iqr(q1, median, q3, n) -> MeanSD:
    """Mean and SD from the median and quartiles (scenario S3 of Wan et al.; C3 in Luo).

    Notes
    -----
    Mean: Luo et al. (2018) Stat Methods Med Res 27:1785,
    ``(0.7 + 0.39/n) (q1 + q3)/2 + (0.3 - 0.39/n) m``. SD: Wan et al. (2014) BMC Med
    Res Methodol 14:135, ``(q3 - q1) / eta(n)``. Validated against the formulas in base R.
    """
    q1, m, q3, n = _f(q1, median, q3, n)
    mean = (0.7 + 0.39 / n) * (q1 + q3) / 2 + (0.3 - 0.39 / n) * m
    note = f"mean: Luo et al. 2018 (quartiles); SD: Wan et al. 2014 (IQR / eta(n)); {_NORMAL}"
    return MeanSD(mean, (q3 - q1) / wan_eta(n), note)


def mean_sd_from_range(minimum, median, maximum, n, exact_xi=False) -> MeanSD:
    """Mean and SD from the median and range (scenario S1 of Wan et al.).

    Parameters
    ----------
    minimum, median, maximum, n : array_like
    exact_xi : bool
        Use the exact xi(n) (Wan's Table 1) for n <= 50 instead of the closed form.

    Notes
    -----
    Mean: Luo et al. (2018), ``w (a + b)/2 + (1 - w) m`` with ``w = 4 / (4 + n^0.75)``.
    SD: Wan et al. (2014), ``(b - a) / xi(n)``. Validated against base R, and the exact
    xi(n) against Wan's Table 1.
    """
    a, m, b, n = _f(minimum, median, maximum, n)
    w = 4 / (4 + n**0.75)
    xi = "exact xi(n) for n <= 50" if exact_xi else "xi(n) closed form"
    note = f"mean: Luo et al. 2018 (range); SD: Wan et al. 2014 (range / {xi}); {_NORMAL}"
    return MeanSD(w * (a + b) / 2 + (1 - w) * m, (b - a) / wan_xi(n, exact_xi), note)


def mean_sd_from_five(minimum, q1, median, q3, maximum, n, sd_method="shi") -> MeanSD:
    """Mean and SD from the five-number summary (scenario S2 of Wan et al.).

    Parameters
    ----------
    minimum, q1, median, q3, maximum, n : array_like
    sd_method : {"shi", "wan"}
        Weight of the range-based term: ``1 / (1 + 0.07 n^0.6)`` (Shi et al. 2020) or
        1/2 (Wan et al. 2014).

    Notes
    -----
    Mean: Luo et al. (2018), ``w1 (a + b)/2 + w2 (q1 + q3)/2 + (1 - w1 - w2) m``,
    ``w1 = 2.2 / (2.2 + n^0.75)``, ``w2 = 0.7 - 0.72 / n^0.55``. SD:
    ``w (b - a)/xi(n) + (1 - w) (q3 - q1)/eta(n)``: Shi, Luo, Weng et al. (2020) Res Synth
    Methods 11:641 (doi:10.1002/jrsm.1429) eq. 11, or Wan et al. (2014) with w = 1/2.
    Validated against base R (Shi's eq. 11 in its theta1/theta2 form).
    """
    a, q1, m, q3, b, n = _f(minimum, q1, median, q3, maximum, n)
    w1, w2 = 2.2 / (2.2 + n**0.75), 0.7 - 0.72 / n**0.55
    mean = w1 * (a + b) / 2 + w2 * (q1 + q3) / 2 + (1 - w1 - w2) * m
    weights = {"shi": ("Shi et al. 2020", 1 / (1 + 0.07 * n**0.6)), "wan": ("Wan et al. 2014", 0.5)}
    if sd_method not in weights:
        raise ValueError(f"sd_method must be one of {sorted(weights)}, not {sd_method!r}")
    who, w = weights[sd_method]
    sd = w * (b - a) / wan_xi(n) + (1 - w) * (q3 - q1) / wan_eta(n)
    return MeanSD(mean, sd, f"mean: Luo et al. 2018 (five numbers); SD: {who}; {_NORMAL}")


# --- change from baseline -------------------------------------------------------------------


def sd_change(sd_baseline, sd_final, r) -> Converted:
    """SD of the change from baseline with an assumed correlation ``r``.

    ``sd_baseline``, ``sd_final`` (array_like) and the assumed (imputed) correlation ``r``.

    Notes
    -----
    Cochrane Handbook 6.5.2.8: ``sqrt(SD_b^2 + SD_f^2 - 2 r SD_b SD_f)``. Validated against
    base R and metafor 3.8-1 ``escalc("MC", ri = r)`` (vi x n).
    """
    sb, sf, r = _f(sd_baseline, sd_final, r)
    note = "SD of change with an assumed correlation r (Handbook 6.5.2.8); vary r in a sensitivity analysis"
    return Converted(np.sqrt(sb**2 + sf**2 - 2 * r * sb * sf), note)


def correlation_from_sds(sd_baseline, sd_final, sd_of_change) -> Converted:
    """Impute the baseline/follow-up correlation from a study reporting all three SDs.

    Notes
    -----
    Cochrane Handbook 6.5.2.8: ``(SD_b^2 + SD_f^2 - SD_c^2) / (2 SD_b SD_f)``, the inverse
    of :func:`sd_change`. Validated against base R.
    """
    sb, sf, sc = _f(sd_baseline, sd_final, sd_of_change)
    note = "correlation imputed from baseline, final and change SDs (Handbook 6.5.2.8)"
    return Converted((sb**2 + sf**2 - sc**2) / (2 * sb * sf), note)


def mean_change_from_percent(percent, baseline_mean, sd_of_change=None) -> MeanSD:
    """Mean change from a mean percent change and the baseline mean: ``pct/100 x mean``.

    Parameters
    ----------
    percent, baseline_mean : array_like
        Mean percent change (-20 for a 20% fall) and the group's baseline mean.
    sd_of_change : array_like, optional
        SD of the change in outcome units, only when reported (never derived; else NaN).

    Notes
    -----
    Exact only if each participant's change is the same fraction of their baseline (a
    mean of ratios is not a ratio of means); the note says so. Validated against base R.
    """
    pct, base = _f(percent, baseline_mean)
    shape = np.broadcast(pct, base).shape
    given = sd_of_change is not None
    sd = np.broadcast_to(_f(sd_of_change)[0], shape) if given else np.full(shape, np.nan)
    note = "mean change = percent/100 x baseline mean (approximate: mean of ratios taken as ratio of means)"
    note += "; SD as reported" if given else "; SD not reported: not derived"
    return MeanSD(pct / 100 * base, sd, note)


# --- crossover trials analysed as paired ----------------------------------------------------


def crossover_md(mean_e, mean_c, sd_e, sd_c, n, rho) -> PairedEffect:
    """Mean difference of a crossover trial analysed as paired (assumed correlation).

    Parameters
    ----------
    mean_e, mean_c, sd_e, sd_c : array_like
        Means and SDs in the experimental (LDN) and control periods.
    n : array_like
        Participants with both periods.
    rho : float or array_like
        Assumed within-person correlation.

    Notes
    -----
    ``SE = sqrt(sd_e^2 + sd_c^2 - 2 rho sd_e sd_c) / sqrt(n)``. Elbourne et al. (2002) Int J Epidemiol 31:140; Cochrane Handbook 23.2.7.1 (v5.1
    16.4.6.2). Same as :func:`escalc.mc`; validated against metafor 3.8-1
    ``escalc("MC", ri = rho)`` and the Handbook's example (SE 0.583 with Corr = 0.68).
    """
    me, mc, se, sc, n = _f(mean_e, mean_c, sd_e, sd_c, n)
    sdd = sd_change(sc, se, rho).value
    note = "paired analysis of a crossover trial, assumed within-person correlation rho (Elbourne 2002)"
    return PairedEffect(me - mc, sdd / np.sqrt(n), note)


def crossover_smd(mean_e, mean_c, sd_e, sd_c, n, rho) -> PairedEffect:
    """Standardized mean difference of a crossover trial (Cochrane Handbook 23.2.7.2).

    Arguments as :func:`crossover_md`. ``SMD = MD / sqrt((sd_e^2 + sd_c^2) / 2)`` and
    ``SE = sqrt(1/n + SMD^2 / (2n)) sqrt(2 (1 - rho))``.

    Notes
    -----
    Cochrane Handbook 23.2.7.2 (v5.1 16.4.6.2), checked against its worked example (SMD
    0.218, SE 0.256). No small-sample correction: metafor's ``escalc("SMCR")`` (and
    :func:`escalc.smcr`) with ``sd = sqrt((sd_e^2 + sd_c^2) / 2)`` gives ``J(n - 1)`` x
    this SMD and the variance ``2 (1 - rho)/n + yi^2/(2n)``; the test checks that relation.
    """
    me, mc, se, sc, n, rho = _f(mean_e, mean_c, sd_e, sd_c, n, rho)
    smd = (me - mc) / np.sqrt((se**2 + sc**2) / 2)
    sei = np.sqrt(1 / n + smd**2 / (2 * n)) * np.sqrt(2 * (1 - rho))
    note = "crossover SMD (Handbook 23.2.7.2), no small-sample correction, assumed correlation rho"
    return PairedEffect(smd, sei, note)


# --- dichotomous ----------------------------------------------------------------------------


def counts_from_percent(percent, n) -> Counts:
    """Event counts from reported percentages: ``percent / 100 x n`` rounded half up.

    ``rounded`` is True where ``percent / 100 x n`` was not a whole number, i.e. where
    rounding chose the count (a rounded percentage may fit several counts).

    Notes
    -----
    Cochrane Handbook 6.4. Round half up, as R ``floor(x + 0.5)`` in ``conversions.json``
    (not R's or numpy's round-half-to-even).
    """
    pct, n = _f(percent, n)
    raw = pct / 100 * n
    events = np.floor(raw + 0.5)
    rounded = np.abs(raw - events) > 1e-9 * np.maximum(1, np.abs(raw))
    note = "events = round(percent/100 x n)"
    if rounded.any():
        note += f"; rounding chose {int(rounded.sum())} of the counts (see 'rounded')"
    return Counts(events, raw, rounded, note)

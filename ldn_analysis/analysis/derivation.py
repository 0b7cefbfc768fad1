"""Building blocks of an effect-size derivation: one arm's mean and SD, the SE of a difference.

Each function records in a :class:`Trace` which reported statistics it used, which
formula (from :mod:`ldn_analysis.stats.conversions` or :mod:`ldn_analysis.stats.escalc`)
and which assumption, so :func:`ldn_analysis.analysis.effects.compute_effects` can say
how every effect row was made. A row that cannot give an effect raises :class:`Skip`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ldn_analysis.stats import conversions as cv
from ldn_analysis.stats.escalc import smd

OPTIONAL_COLUMNS = {
    "t_stat": "t statistic of the between-group difference",
    "f_stat": "F statistic (1 numerator df) of the between-group difference",
    "p_bound": "p-value threshold when only a bound is reported (p < 0.05: 0.05)",
    "median_ldn": "median (also median_ctrl)",
    "q1_ldn": "first quartile (also q1_ctrl)",
    "q3_ldn": "third quartile (also q3_ctrl)",
    "min_ldn": "minimum (also min_ctrl)",
    "max_ldn": "maximum (also max_ctrl)",
    "baseline_ldn": "baseline mean when the change is a percent change (also baseline_ctrl)",
}
"""Columns :func:`compute_effects` uses when present (outcomes.csv does not have them yet)."""

DERIVATION_COLUMNS = (
    "derivation",
    "derived",
    "statistics",
    "formula",
    "assumption",
    "uses_rho",
)
"""What each effect row says about how it was made (see :func:`compute_effects`)."""


class Skip(Exception):
    """A row that cannot give an effect size; the message says why."""


@dataclass
class Trace:
    """The statistics, formulas and assumptions used for one row."""

    steps: list[str] = field(default_factory=list)
    stats: list[str] = field(default_factory=list)
    formulas: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)
    derived: bool = False
    uses_rho: bool = False

    def add(self, step, stats=(), formula="", assumption="", derived=False):
        """Record a step in words, the columns it read, its formula and assumption."""
        self.steps.append(step)
        self.stats.extend(s for s in stats if s not in self.stats)
        if formula:
            self.formulas.append(formula)
        if assumption and assumption not in self.assumptions:
            self.assumptions.append(assumption)
        self.derived |= derived

    def mark(self):
        """Return a snapshot to go back to when a route fails half-way."""
        return (list(self.steps), list(self.stats), list(self.formulas), list(self.assumptions),
                self.derived, self.uses_rho)  # fmt: skip

    def reset(self, mark):
        """Go back to a :meth:`mark` snapshot."""
        steps, stats, formulas, assumptions, self.derived, self.uses_rho = mark
        self.steps, self.stats, self.formulas, self.assumptions = (
            list(steps), list(stats), list(formulas), list(assumptions))  # fmt: skip

    def rho(self, rho):
        """Record that the effect depends on the assumed within-person correlation."""
        self.uses_rho = True
        self.add("", (), "", f"a within-person correlation rho = {rho:g}", True)


def num(row, col):
    """Return ``row[col]`` as a float (NaN when missing or not a number)."""
    try:
        return float(row.get(col))
    except (TypeError, ValueError):
        return np.nan


def finite(x):
    """Return True for a finite number."""
    return bool(np.isfinite(x))


def positive_n(row, col):
    """Return a positive count from ``row[col]``, else raise :class:`Skip`."""
    n = num(row, col)
    if not (finite(n) and n > 0):
        raise Skip(f"{col} missing or not positive")
    return n


def paired_n(row, t: Trace):
    """Return the participants of a paired row: its n, else the study's n (an assumption)."""
    for col in ("n_ldn", "n_ctrl"):
        n = num(row, col)
        if finite(n) and n > 0:
            return n
    n = num(row, "study_n")
    if finite(n) and n > 0:
        t.add(
            "",
            ("study n",),
            "",
            f"the study's n ({n:g}) analysed this outcome (no outcome n reported)",
            True,
        )
        return n
    raise Skip("participant count missing (n_ldn, n_ctrl and the study's n)")


# --- one arm: mean and SD from whatever it reports ------------------------------------------


def arm_stats(row, arm, t: Trace, n=None):
    """Return (mean, sd) of one arm, or raise Skip naming what is missing."""
    n = num(row, f"n_{arm}") if n is None else n
    m, sd, se = (num(row, f"{s}_{arm}") for s in ("mean", "sd", "se"))
    q = {k: num(row, f"{k}_{arm}") for k in ("min", "q1", "median", "q3", "max")}
    if not finite(m) and finite(q["median"]) and finite(n) and n > 0:
        five = all(finite(v) for v in q.values())
        if five:
            r = cv.mean_sd_from_five(q["min"], q["q1"], q["median"], q["q3"], q["max"], n)
        elif finite(q["q1"]) and finite(q["q3"]):
            r = cv.mean_sd_from_iqr(q["q1"], q["median"], q["q3"], n)
        elif finite(q["min"]) and finite(q["max"]):
            r = cv.mean_sd_from_range(q["min"], q["median"], q["max"], n)
        else:
            raise Skip(f"median of the {arm} arm without quartiles or range")
        what = "five-number summary" if five else "median and quartiles or range"
        t.add(f"mean and SD of the {arm} arm from its {what}", (f"median_{arm}",),
              r.note, "near-normal data", True)  # fmt: skip
        return float(r.mean), float(r.sd)
    if not finite(m):
        raise Skip(f"mean_{arm} missing")
    if finite(sd) and sd > 0:
        t.add("", (f"mean_{arm}", f"sd_{arm}"))
        return m, sd
    if finite(se) and se > 0 and finite(n) and n > 0:
        r = cv.sd_from_se(se, n)
        t.add(f"SD of {arm} arm from its SE (sd = se*sqrt(n))", (f"mean_{arm}", f"se_{arm}"),
              r.note)  # fmt: skip
        return m, float(r.value)
    raise Skip(f"no SD or SE for the {arm} arm")


def percent_changes(row, t: Trace):
    """Means of a percent-change row turned into changes in outcome units, when possible."""
    b1, b2 = num(row, "baseline_ldn"), num(row, "baseline_ctrl")
    if not (finite(b1) and finite(b2)):
        return None
    m1 = cv.mean_change_from_percent(num(row, "mean_ldn"), b1)
    m2 = cv.mean_change_from_percent(num(row, "mean_ctrl"), b2)
    t.add("percent changes turned into changes with the baseline means",
          ("baseline_ldn", "baseline_ctrl"), m1.note, "the mean of ratios equals the ratio of means", True)  # fmt: skip
    return float(m1.mean), float(m2.mean)


# --- the SE of a difference from a CI, t, F or p ---------------------------------------------


def se_of_difference(row, diff, df, t: Trace, *, log=False):
    """SE of a between-group difference from its CI, t, F, exact p or bounded p."""
    scale = np.log if log else (lambda x: x)
    lo, hi = num(row, "ci_low"), num(row, "ci_high")
    if finite(lo) and finite(hi) and hi > lo and (not log or lo > 0):
        r = cv.se_from_ci(scale(lo), scale(hi))
        t.add("SE from the 95% CI" + (" (log scale)" if log else ""), ("ci_low", "ci_high"),
              r.note, "the interval is a normal (z) 95% CI")  # fmt: skip
        return float(r.value)
    est = scale(diff)
    if est == 0 or not finite(est):
        raise Skip("a zero or missing difference gives no SE from a test statistic")
    tstat, fstat = num(row, "t_stat"), num(row, "f_stat")
    if finite(tstat) and tstat != 0:
        r = cv.se_from_t(est, tstat)
        t.add("SE from the t statistic", ("t_stat",), r.note, "", True)
        return float(r.value)
    if finite(fstat) and fstat > 0:
        r = cv.se_from_f(est, fstat)
        t.add("SE from the F statistic", ("f_stat",), r.note, "F has 1 numerator df", True)
        return float(r.value)
    how = f"t, df = {df:g}" if df is not None else "z"
    p = num(row, "p_value")
    if finite(p) and 0 < p < 1:
        r = cv.se_from_p(est, p, df=df)
        t.add(f"SE from the exact p-value ({how})", ("p_value",), r.note,
              f"p comes from a two-sided {how.split(',')[0]} test", True)  # fmt: skip
        return float(r.value)
    bound = num(row, "p_bound")
    if finite(bound) and 0 < bound < 1:
        r = cv.se_from_p(est, bound, df=df, bounded=True)
        t.add(f"SE from the p-value bound ({how}; conservative)", ("p_bound",), r.note,
              "p equals its reported bound", True)  # fmt: skip
        return float(r.value)
    raise Skip("no CI, t, F or p-value for the difference")


def smd_from_md(diff, se, n1, n2, t: Trace):
    """Return Hedges' g and its variance from a mean difference and its SE (two groups)."""
    sd = cv.sd_from_md_se(se, n1, n2)
    t.add("", (), sd.note, "both groups share one SD")
    return smd(diff, float(sd.value), n1, 0.0, float(sd.value), n2)


def arm_mean(row, arm):
    """Return ``mean_<arm>``, else raise :class:`Skip`."""
    m = num(row, f"mean_{arm}")
    if not finite(m):
        raise Skip(f"mean_{arm} missing")
    return m


def paired_from_difference(diff, se, n, measure, rho, t: Trace, label):
    """Return a paired difference with its SE (from a CI, t, F or p) as MD or crossover SMD."""
    if measure == "MD":
        t.steps.insert(0, f"paired mean difference {label}")
        return diff, se**2
    if rho >= 1:
        raise Skip("rho = 1 leaves no within-person variation to standardize by")
    sd_diff = cv.sd_from_se(se, n)
    sd = float(sd_diff.value) / np.sqrt(2 * (1 - rho))
    r = cv.crossover_smd(diff, 0.0, sd, sd, n, rho)
    t.rho(rho)
    t.add("", (), f"{sd_diff.note} (SD of the differences); SD of a period = SD_diff / "
          f"sqrt(2(1 - rho)); {r.note}", "both periods have equal SDs")  # fmt: skip
    t.steps.insert(0, f"crossover SMD (Handbook 23.2.7.2, rho = {rho:g}) {label}")
    return float(r.estimate), float(r.se) ** 2


__all__ = [
    "DERIVATION_COLUMNS",
    "OPTIONAL_COLUMNS",
    "Skip",
    "Trace",
    "arm_mean",
    "arm_stats",
    "finite",
    "num",
    "paired_from_difference",
    "paired_n",
    "percent_changes",
    "positive_n",
    "se_of_difference",
    "smd_from_md",
]

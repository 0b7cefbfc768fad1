"""Each derivation path of compute_effects against the conversion functions it names.

The conversion functions are validated against R (tests/stats/test_conversions.py); here
each effect row must equal the composition of those functions, and must say how it was
made (derivation words, statistics used, formula, assumption, derived flag).
"""

import numpy as np
import pandas as pd
import pytest

from ldn_analysis.analysis.effects import DERIVATION_COLUMNS, compute_effects
from ldn_analysis.stats import conversions as cv
from ldn_analysis.stats.escalc import mc, md, smcr, smd


def _row(**kw):
    base = {"study_id": "s", "outcome_id": "s_pain", "better": "higher", "n_ldn": 20, "n_ctrl": 22}
    return {**base, **kw}


def _one(measure="SMD", rho=0.5, **kw):
    out = compute_effects(pd.DataFrame([_row(**kw)]), measure=measure, rho=rho)
    return out.iloc[0]


def test_every_row_has_the_derivation_columns():
    out = compute_effects(pd.DataFrame([_row(data_type="arm_means", mean_ldn=1, sd_ldn=1,
                                             mean_ctrl=0, sd_ctrl=1)]))  # fmt: skip
    for col in (*DERIVATION_COLUMNS, "conversion", "reason", "yi", "vi", "sei"):
        assert col in out.columns
    assert out.derivation[0] == out.conversion[0]


def test_arm_means_with_sds_are_direct():
    r = _one(data_type="arm_means", mean_ldn=5, sd_ldn=2, mean_ctrl=4, sd_ctrl=3)
    g, v = smd(5, 2, 20, 4, 3, 22)
    assert (r.yi, r.vi) == pytest.approx((g, v))
    assert not r.derived and not r.uses_rho
    assert "sd_ldn" in r.statistics and "escalc SMD" in r.formula


def test_arm_se_to_sd():
    r = _one("MD", data_type="arm_means", mean_ldn=5, se_ldn=0.5, mean_ctrl=4, sd_ctrl=3)
    sd1 = float(cv.sd_from_se(0.5, 20).value)
    assert (r.yi, r.vi) == pytest.approx(md(5, sd1, 20, 4, 3, 22))
    assert not r.derived and "se_ldn" in r.statistics and "SD = SE x sqrt(n)" in r.formula


@pytest.mark.parametrize(
    ("extra", "fn"),
    [
        ({"q1": 2, "q3": 7}, "iqr"),
        ({"min": 0, "max": 10}, "range"),
        ({"min": 0, "q1": 2, "q3": 7, "max": 10}, "five"),
    ],
)
def test_medians_to_means_and_sds(extra, fn):
    cols = {f"{k}_{arm}": v + (1 if arm == "ldn" else 0) for k, v in extra.items()
            for arm in ("ldn", "ctrl")}  # fmt: skip
    r = _one(data_type="arm_means", median_ldn=5, median_ctrl=4, **cols)

    def conv(arm, n):
        q = {k: extra[k] + (1 if arm == "ldn" else 0) for k in extra}
        m = 5 if arm == "ldn" else 4
        if fn == "iqr":
            return cv.mean_sd_from_iqr(q["q1"], m, q["q3"], n)
        if fn == "range":
            return cv.mean_sd_from_range(q["min"], m, q["max"], n)
        return cv.mean_sd_from_five(q["min"], q["q1"], m, q["q3"], q["max"], n)

    a, b = conv("ldn", 20), conv("ctrl", 22)
    assert (r.yi, r.vi) == pytest.approx(smd(float(a.mean), float(a.sd), 20, float(b.mean),
                                             float(b.sd), 22))  # fmt: skip
    assert r.derived and "near-normal" in r.assumption and "Luo et al. 2018" in r.formula


def test_reported_md_with_ci_is_direct():
    r = _one("MD", data_type="between_group", estimate=1.5, estimate_type="md", ci_low=0.5,
             ci_high=2.5)  # fmt: skip
    se = float(cv.se_from_ci(0.5, 2.5).value)
    assert (r.yi, r.vi) == pytest.approx((1.5, se**2))
    assert not r.derived and "ci_low" in r.statistics
    g = _one(data_type="between_group", estimate=1.5, estimate_type="md", ci_low=0.5, ci_high=2.5)
    sd = float(cv.sd_from_md_se(se, 20, 22).value)
    assert (g.yi, g.vi) == pytest.approx(smd(1.5, sd, 20, 0, sd, 22))


@pytest.mark.parametrize(
    ("extra", "conv", "word"),
    [
        ({"p_value": 0.03}, lambda e: cv.se_from_p(e, 0.03, df=40), "exact p-value"),
        ({"p_bound": 0.05}, lambda e: cv.se_from_p(e, 0.05, df=40, bounded=True), "bound"),
        ({"t_stat": 2.4}, lambda e: cv.se_from_t(e, 2.4), "t statistic"),
        ({"f_stat": 5.0}, lambda e: cv.se_from_f(e, 5.0), "F statistic"),
    ],
)
def test_se_of_a_difference_from_test_statistics(extra, conv, word):
    r = _one("MD", data_type="between_group", estimate=-1.2, estimate_type="md", **extra)
    se = float(conv(-1.2).value)
    assert (r.yi, r.vi) == pytest.approx((-1.2, se**2))
    assert r.derived and word in r.derivation
    # the same statistics under arm means without SDs give the same difference
    a = _one("MD", data_type="arm_means", mean_ldn=3.0, mean_ctrl=4.2, **extra)
    assert (a.yi, a.vi) == pytest.approx((-1.2, se**2))
    assert a.derived and "mean_ldn" in a.statistics


def test_percent_change_with_baseline():
    r = _one("MD", data_type="change_scores", mean_ldn=-30, mean_ctrl=-10, baseline_ldn=6,
             baseline_ctrl=5, p_value=0.02)  # fmt: skip
    m1 = float(cv.mean_change_from_percent(-30, 6).mean)
    m2 = float(cv.mean_change_from_percent(-10, 5).mean)
    se = float(cv.se_from_p(m1 - m2, 0.02, df=40).value)
    assert (r.yi, r.vi) == pytest.approx((m1 - m2, se**2))
    assert r.derived and "ratio of means" in r.assumption


def test_crossover_from_p_is_paired_with_rho():
    """younger_2013's shape: percent reductions, p and n of a crossover, no SDs."""
    kw = dict(data_type="change_scores", design="rct_crossover", mean_ldn=28.8, mean_ctrl=18.0,
              n_ldn=31, n_ctrl=31, p_value=0.016)  # fmt: skip
    se = float(cv.se_from_p(10.8, 0.016, df=30).value)
    mdr = _one("MD", **kw)
    assert (mdr.yi, mdr.vi) == pytest.approx((10.8, se**2))
    assert not mdr.uses_rho
    by_rho = {}
    for rho in (0.2, 0.5, 0.8):
        r = _one("SMD", rho=rho, **kw)
        sd = float(cv.sd_from_se(se, 31).value) / np.sqrt(2 * (1 - rho))
        ref = cv.crossover_smd(10.8, 0.0, sd, sd, 31, rho)
        assert (r.yi, r.vi) == pytest.approx((float(ref.estimate), float(ref.se) ** 2))
        assert r.derived and r.uses_rho and f"rho = {rho:g}" in r.derivation
        by_rho[rho] = r
    assert by_rho[0.2].yi > by_rho[0.5].yi > by_rho[0.8].yi
    # the evidence carries over: yi / sei is the t of the p-value shrunk by sqrt(1 + g^2/2)
    t = 10.8 / se
    for r in by_rho.values():
        assert r.yi / np.sqrt(r.vi) == pytest.approx(t / np.sqrt(1 + r.yi**2 / 2))


def test_crossover_estimate_without_n_uses_the_study_n():
    """bested_2023's shape: a median difference with p, no outcome n."""
    r = _one(data_type="between_group", design="rct_crossover", estimate=-0.33,
             estimate_type="other", p_value=0.4, n_ldn=np.nan, n_ctrl=np.nan, study_n=58,
             better="lower")  # fmt: skip
    se = float(cv.se_from_p(-0.33, 0.4, df=57).value)
    sd = float(cv.sd_from_se(se, 58).value)
    ref = cv.crossover_smd(-0.33, 0.0, sd, sd, 58, 0.5)
    assert (r.yi, r.vi) == pytest.approx((-float(ref.estimate), float(ref.se) ** 2))
    assert "study's n (58)" in r.assumption and "median" in r.assumption and r.derived


def test_crossover_arm_means_with_sds_use_smcr():
    r = _one(data_type="arm_means", design="rct_crossover", mean_ldn=5, sd_ldn=2, mean_ctrl=4,
             sd_ctrl=2, n_ldn=20, n_ctrl=20)  # fmt: skip
    assert (r.yi, r.vi) == pytest.approx(smcr(5, 4, 2.0, 20, 0.5))
    assert r.uses_rho and r.derived


def test_pre_post_uses_the_assumed_correlation():
    r = _one("MD", data_type="pre_post", mean_ldn=3, sd_ldn=2, mean_ctrl=5, sd_ctrl=2.5,
             n_ldn=15, n_ctrl=15, rho=0.3)  # fmt: skip
    assert (r.yi, r.vi) == pytest.approx(mc(3, 5, 2, 2.5, 15, 0.3))
    assert r.uses_rho and "sqrt(SD_b^2" not in r.derivation and "6.5.2.8" in r.formula


def test_rows_that_cannot_give_an_effect_say_why():
    p_only = _one(data_type="between_group", p_value=0.04)
    assert np.isnan(p_only.yi) and "direction" in p_only.reason
    no_sd = _one(data_type="arm_means", mean_ldn=3, mean_ctrl=4)
    assert "no SD or SE" in no_sd.reason and "no CI, t, F or p-value" in no_sd.reason
    rr = _one(data_type="between_group", estimate=0.5, estimate_type="rr", ci_low=0.3, ci_high=0.9)
    assert "cannot be converted" in rr.reason

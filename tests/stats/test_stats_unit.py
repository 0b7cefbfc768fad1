"""Unit tests of the statistics engine: choices, edge cases, warnings, intervals, pool_many."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ldn_analysis.analysis import effects as row_effects
from ldn_analysis.errors import ChoiceError
from ldn_analysis.stats import diagnostics, proportions
from ldn_analysis.stats import escalc as effects
from ldn_analysis.stats import rma as pooling

FIXTURES = Path(__file__).parents[1] / "fixtures" / "metafor"
BCG = json.loads((FIXTURES / "bcg_grid.json").read_text())["data"]
RTOL = 1e-10  # R's binom.test / prop.test limits are closed forms or root-finding to ~1e-15


# --- invalid choices name the valid ones ----------------------------------------------------


@pytest.mark.parametrize(
    ("call", "valid"),
    [
        (lambda: pooling.pool([0.1, 0.2], [0.1, 0.1], method="XYZ"), pooling.TAU2_ESTIMATORS),
        (lambda: pooling.pool([0.1, 0.2], [0.1, 0.1], test="wald"), pooling.TESTS),
        (
            lambda: pooling.pool_many(
                pd.DataFrame({"g": [1], "yi": [0.1], "vi": [0.1]}), "g", method="dl"
            ),  # fmt: skip
            pooling.TAU2_ESTIMATORS,
        ),
        (lambda: row_effects.compute_effects(pd.DataFrame(), measure="ROM"), row_effects.MEASURES),
        (lambda: effects.compute_ae_effects([1], [10], [2], [10], "HR"), effects.BINARY_MEASURES),
        (lambda: proportions.pool_proportions([1, 2], [10, 10], model="beta"), proportions.MODELS),
        (
            lambda: proportions.pool_proportions([1, 2], [10, 10], "REML", model="glmm"),
            proportions.GLMM_METHODS,
        ),
        (
            lambda: diagnostics.subgroup(BCG["yi"], BCG["vi"], BCG["alloc"], tau2="pooled"),
            diagnostics.SUBGROUP_TAU2,
        ),
    ],
)
def test_unknown_choice_lists_valid_ones(call, valid):
    with pytest.raises(ChoiceError) as err:
        call()
    for choice in valid:
        assert str(choice) in str(err.value)
    assert isinstance(err.value, ValueError)


def test_bad_inputs_raise_plain_errors():
    with pytest.raises(ValueError, match="positive"):
        pooling.pool([0.1, 0.2], [0.1, 0.0])
    with pytest.raises(ValueError, match="nothing to pool"):
        pooling.pool([np.nan], [0.1])
    with pytest.raises(ValueError, match="level"):
        pooling.pool([0.1, 0.2], [0.1, 0.1], level=95)


# --- k = 1, warnings -------------------------------------------------------------------------------


def test_single_study_is_returned_as_is():
    res = pooling.pool([0.5], [0.04], method="REML", test="knha")
    assert res.k == 1
    assert res.estimate == 0.5
    assert res.se == pytest.approx(0.2)
    assert (res.ci_low, res.ci_high) == pytest.approx((0.5 - 1.959964 * 0.2, 0.5 + 1.959964 * 0.2))
    assert np.isnan(res.tau2) and np.isnan(res.pi_low) and np.isnan(res.i2)
    assert any("Only one study" in w for w in res.warnings)


def test_small_k_warnings():
    few = pooling.pool(BCG["yi"][:2], BCG["vi"][:2])
    assert any("prediction interval is not meaningful" in w for w in few.warnings)
    assert np.isfinite(few.pi_low)  # still computed, as metafor does
    five = pooling.pool(BCG["yi"][:5], BCG["vi"][:5])
    assert any("Egger" in w for w in five.warnings)
    assert not any("prediction interval" in w for w in five.warnings)
    many = pooling.pool(BCG["yi"] * 1, BCG["vi"] * 1)
    assert not any("Egger" in w for w in many.warnings)  # k = 13


def test_open_label_and_imputed_sd_warnings():
    y, v = BCG["yi"][:4], BCG["vi"][:4]
    res = pooling.pool(y, v, blinding=["open_label"] * 4)
    assert any("open-label" in w for w in res.warnings)
    res = pooling.pool(y, v, designs=["open_label_single_arm"] * 4)
    assert any("open-label" in w for w in res.warnings)
    res = pooling.pool(y, v, blinding=["open_label", "double_blind", "open_label", "open_label"])
    assert not any("open-label" in w for w in res.warnings)
    res = pooling.pool(y, v, imputed_sd=[True, False, True, False])
    assert any(w.startswith("2 of 4 studies use an imputed SD") for w in res.warnings)


def test_fe_with_knapp_hartung_warns():
    res = pooling.pool(BCG["yi"], BCG["vi"], method="FE", test="knha")
    assert any("not meant for a common-effect" in w for w in res.warnings)


def test_result_is_frozen_and_printable():
    res = pooling.pool(BCG["yi"], BCG["vi"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.estimate = 0.0  # type: ignore[misc]
    frame = res.to_frame()
    assert frame.shape[0] == 1 and frame.estimate[0] == res.estimate
    assert list(frame.columns) == pooling.FRAME_COLUMNS
    assert "REML" in res.summary() and f"{res.estimate:.4f}" in res.summary()
    assert sum(res.weights) == pytest.approx(100.0)
    assert res.tau == pytest.approx(np.sqrt(res.tau2))


# --- pool_many == pool ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", list(pooling.TAU2_ESTIMATORS))
@pytest.mark.parametrize("test", list(pooling.TESTS))
def test_pool_many_equals_pool(method, test):
    rng = np.random.default_rng(7)
    sizes = [1, 2, 3, 3, 5, 8, 8, 8, 12]
    rows = []
    for g, k in enumerate(sizes):
        v = rng.uniform(0.01, 0.3, k)
        y = rng.normal(0.2, np.sqrt(v + rng.uniform(0, 0.2)))
        rows += [(f"g{g}", yy, vv) for yy, vv in zip(y, v, strict=True)]
    rows += [("g_nan", np.nan, 0.1), ("g3", 0.4, np.nan)]
    df = pd.DataFrame(rows, columns=["grp", "yi", "vi"]).sample(frac=1, random_state=1)
    out = pool_many_checked(df, method, test)
    for _, row in out.iterrows():
        sub = df[df.grp == row.grp]
        if row.k == 0:
            assert np.isnan(row.estimate) and "No study" in row.warnings
            continue
        ref = pooling.pool(sub.yi, sub.vi, method=method, test=test).to_frame().iloc[0]
        for col in pooling.FRAME_COLUMNS:
            if isinstance(ref[col], float):
                assert ref[col] == row[col] or (np.isnan(ref[col]) and np.isnan(row[col])), col
            else:
                assert ref[col] == row[col], col


def pool_many_checked(df, method, test):
    out = pooling.pool_many(df, "grp", method=method, test=test)
    assert list(out.columns) == ["grp", *pooling.FRAME_COLUMNS]
    assert out.grp.is_unique
    assert out[out.k > 0].converged.all()
    return out


def test_pool_many_multiple_keys_and_guardrail_columns():
    df = pd.DataFrame(
        {
            "a": ["x"] * 4 + ["y"] * 3,
            "b": [1, 1, 2, 2, 1, 1, 1],
            "yi": [0.1, 0.3, 0.2, 0.5, 0.0, 0.4, 0.2],
            "vi": [0.05, 0.04, 0.06, 0.02, 0.05, 0.03, 0.04],
            "blind": ["open_label"] * 7,
        }
    )
    out = pooling.pool_many(df, ["a", "b"], blinding="blind")
    assert list(out.k) == [2, 2, 3]
    assert out.warnings.str.contains("open-label").all()


# --- intervals for proportions, from R ---------------------------------------------------------------


def test_wilson_and_clopper_pearson_match_r():
    fx = json.loads((FIXTURES / "binomial_ci.json").read_text())
    x, n, r = fx["data"]["events"], fx["data"]["n"], fx["results"]
    lo, hi = proportions.clopper_pearson(x, n)
    np.testing.assert_allclose(lo, r["clopper_pearson_low"], rtol=RTOL, atol=1e-14)
    np.testing.assert_allclose(hi, r["clopper_pearson_high"], rtol=RTOL, atol=1e-14)
    lo, hi = proportions.wilson(x, n)
    np.testing.assert_allclose(lo, r["wilson_low"], rtol=RTOL, atol=1e-14)
    np.testing.assert_allclose(hi, r["wilson_high"], rtol=RTOL, atol=1e-14)


def test_rule_of_three_and_table():
    assert proportions.rule_of_three(60) == pytest.approx(0.05)
    tab = proportions.proportion_table([0, 3], [30, 30])
    assert tab.rule_of_three[0] == pytest.approx(0.1) and np.isnan(tab.rule_of_three[1])
    assert {"wilson_low", "cp_high", "proportion"} <= set(tab.columns)


def test_pool_proportions_single_study_and_glmm_fallback():
    one = proportions.pool_proportions([3], [20])
    assert one.k == 1 and np.isnan(one.tau2)
    assert one.estimate == pytest.approx(0.15)
    assert any("Only one study" in w for w in one.warnings)
    none = proportions.pool_proportions([0, 0, 0], [10, 20, 30], model="glmm")
    assert any("GLMM not estimable" in w for w in none.warnings)
    frame = proportions.pool_proportions([1, 4, 2], [10, 20, 30]).to_frame()
    assert frame.shape[0] == 1 and frame.model[0] == "logit"


# --- effect-size conversions ---------------------------------------------------------------------------


def test_se_from_ci_and_p():
    assert effects.se_from_ci(-1.959963984540054, 1.959963984540054) == pytest.approx(1.0)
    assert effects.se_from_p(1.959963984540054, 0.05) == pytest.approx(1.0)
    assert effects.hedges_correction(10) == pytest.approx(0.9227, abs=1e-4)
    assert np.isnan(effects.hedges_correction(1))


def _row(**kw):
    base = {"study_id": "s", "outcome_id": "s_pain", "better": "lower", "n_ldn": 20, "n_ctrl": 20}
    return {**base, **kw}


def test_compute_effects_conversions_and_reasons():
    rows = pd.DataFrame(
        [
            _row(data_type="arm_means", mean_ldn=3, sd_ldn=2, mean_ctrl=4, sd_ctrl=2),
            _row(data_type="arm_means", mean_ldn=3, se_ldn=0.5, mean_ctrl=4, sd_ctrl=2),
            _row(data_type="change_scores", mean_ldn=-2, sd_ldn=2, mean_ctrl=-1, sd_ctrl=2),
            _row(
                data_type="between_group",
                estimate=-1.0,
                estimate_type="md",
                ci_low=-2.0,
                ci_high=0.0,
            ),  # fmt: skip
            _row(data_type="between_group", estimate=-1.0, estimate_type="md", p_value=0.04),
            _row(
                data_type="between_group",
                estimate=2.0,
                estimate_type="or",
                ci_low=1,
                ci_high=4,
                better="higher",
            ),  # fmt: skip
            _row(
                data_type="between_group", estimate=0.5, estimate_type="rr", ci_low=0.3, ci_high=0.9
            ),  # fmt: skip
            _row(data_type="arm_means", mean_ldn=3, mean_ctrl=4, sd_ctrl=2),
            _row(data_type="pre_post", mean_ldn=3, sd_ldn=2, mean_ctrl=5, sd_ctrl=2),
            _row(data_type="bogus"),
            _row(data_type="arm_means", better="up", mean_ldn=3, sd_ldn=2, mean_ctrl=4, sd_ctrl=2),
        ],
        index=list("abcdefghijk"),
    )
    out = row_effects.compute_effects(rows, measure="SMD")
    assert list(out.index) == list("abcdefghijk")
    g, v = effects.smd(3, 2, 20, 4, 2, 20)
    assert out.yi["a"] == pytest.approx(-g) and out.vi["a"] == pytest.approx(v)
    assert out.yi["a"] > 0  # lower is better and LDN is lower: positive = LDN better
    assert "sign flipped" in out.conversion["a"]
    assert "from its SE" in out.conversion["b"]
    assert out.yi["b"] == pytest.approx(-effects.smd(3, 0.5 * np.sqrt(20), 20, 4, 2, 20)[0])
    assert "change-from-baseline" in out.conversion["c"]
    assert "SE from the 95% CI" in out.conversion["d"] and out.yi["d"] > 0
    assert "exact p-value" in out.conversion["e"]
    assert "Chinn" in out.conversion["f"]
    assert out.yi["f"] == pytest.approx(np.log(2) * np.sqrt(3) / np.pi)
    for key, reason in {"g": "cannot be converted", "h": "no SD or SE", "j": "unknown data_type",
                        "k": "'better'"}.items():  # fmt: skip
        assert np.isnan(out.yi[key]) and reason in out.reason[key], key
    assert "SMCR" in out.conversion["i"] and out.yi["i"] > 0
    md = row_effects.compute_effects(rows, measure="MD")
    assert md.yi["d"] == pytest.approx(1.0)
    assert md.vi["d"] == pytest.approx((2 / (2 * 1.959963984540054)) ** 2)
    assert "cannot be converted" in md.reason["f"]


def test_rho_sensitivity_changes_only_paired_rows():
    rows = pd.DataFrame(
        [
            _row(data_type="arm_means", mean_ldn=3, sd_ldn=2, mean_ctrl=4, sd_ctrl=2),
            _row(
                data_type="arm_means",
                design="rct_crossover",
                mean_ldn=3,
                sd_ldn=2,
                mean_ctrl=4,
                sd_ctrl=2,
            ),  # fmt: skip
        ]
    )
    out = row_effects.rho_sensitivity(rows, rhos=(0.2, 0.8))
    assert list(out.rho) == [0.2, 0.2, 0.8, 0.8]
    assert out.vi[0] == out.vi[2] and out.vi[1] > out.vi[3]


def test_ae_effects_zero_cells():
    out = effects.compute_ae_effects([0, 0, 2, 5], [10, 10, 10, 4], [0, 3, 1, 1], [10, 12, 10, 4])
    assert "drop00" in out.reason[0] and np.isnan(out.yi[0])
    assert "0.5 added" in out.conversion[1]
    assert out.yi[1] == pytest.approx(np.log(0.5 / 11) - np.log(3.5 / 13))
    assert out.conversion[2] == "log risk ratio"
    assert "impossible" in out.reason[3]
    rd = effects.compute_ae_effects([0], [10], [0], [10], measure="RD")
    assert rd.yi[0] == 0.0 and rd.reason[0] == ""
    assert rd.vi[0] == pytest.approx(2 * (0.5 / 11) * (10.5 / 11) / 11)


# --- diagnostics edge cases -------------------------------------------------------------------------


def test_metareg_and_subgroup_guards():
    with pytest.raises(ValueError, match="collinear"):
        diagnostics.metareg([0.1, 0.2, 0.3], [0.1, 0.1, 0.1], np.ones(3))
    with pytest.raises(ValueError, match="two subgroups"):
        diagnostics.subgroup([0.1, 0.2], [0.1, 0.1], ["a", "a"])
    res = diagnostics.metareg(BCG["yi"], BCG["vi"], BCG["ablat"])
    assert res.slope == res.coefficients.estimate[1]
    assert "Meta-regression" in res.summary()
    eg = diagnostics.egger(BCG["yi"][:6], BCG["vi"][:6])
    assert any("Egger" in w for w in eg.warnings)


# --- scale invariance: pool(c * yi, c^2 * vi) ------------------------------------------------------

SCALE_RTOL = 1e-8  # stopping rules are relative to the scale of vi (1e-12), so ~1e-10 is seen


@pytest.mark.parametrize("c", [1e-6, 1e-3, 1e3, 1e6])
@pytest.mark.parametrize("method", list(pooling.TAU2_ESTIMATORS))
@pytest.mark.parametrize("test", list(pooling.TESTS))
def test_pool_is_scale_invariant(c, method, test):
    y, v = np.asarray(BCG["yi"]), np.asarray(BCG["vi"])
    ref = pooling.pool(y, v, method, test)
    res = pooling.pool(c * y, c * c * v, method, test)
    power = {"estimate": 1, "se": 1, "ci_low": 1, "ci_high": 1, "pi_low": 1, "pi_high": 1,
             "tau2": 2, "tau2_ci_low": 2, "tau2_ci_high": 2, "z_or_t": 0, "pvalue": 0,
             "i2": 0, "i2_ci_low": 0, "i2_ci_high": 0, "h2": 0, "q": 0, "q_pvalue": 0}  # fmt: skip
    for name, k in power.items():
        want, got = getattr(ref, name) * c**k, getattr(res, name)
        np.testing.assert_allclose(got, want, rtol=SCALE_RTOL, atol=0, err_msg=name)
    assert res.weights == pytest.approx(ref.weights, rel=SCALE_RTOL)
    assert res.converged and res.warnings == ref.warnings


@pytest.mark.parametrize("c", [1e-6, 1e6])
def test_metareg_and_influence_are_scale_invariant(c):
    y, v, x = np.asarray(BCG["yi"]), np.asarray(BCG["vi"]), np.asarray(BCG["ablat"])
    ref, res = diagnostics.metareg(y, v, x), diagnostics.metareg(c * y, c * c * v, x)
    np.testing.assert_allclose(res.coefficients.estimate, c * ref.coefficients.estimate, 1e-8)
    np.testing.assert_allclose(res.coefficients.pvalue, ref.coefficients.pvalue, 1e-8)
    np.testing.assert_allclose([res.tau2, res.r2, res.qm], [c * c * ref.tau2, ref.r2, ref.qm], 1e-8)
    a, b = diagnostics.influence(y, v), diagnostics.influence(c * y, c * c * v)
    np.testing.assert_allclose(b.rstudent, a.rstudent, 1e-8)
    np.testing.assert_allclose(b.cooks_distance, a.cooks_distance, 1e-8)


# --- one NaN policy: rows dropped and named, everywhere ------------------------------------------


def test_missing_values_are_dropped_and_named_everywhere():
    y = np.array(BCG["yi"], dtype=float)
    v = np.array(BCG["vi"], dtype=float)
    y[2], v[5] = np.nan, np.nan
    keep = np.isfinite(y) & np.isfinite(v)
    res = pooling.pool(y, v)
    assert res.k == 11 and res.rows == tuple(np.flatnonzero(keep))
    assert "2 studies with a missing yi or vi left out (rows 2, 5" in res.warnings[0]
    clean = pooling.pool(y[keep], v[keep])
    assert res.estimate == clean.estimate and res.yi == clean.yi
    series = pooling.pool(pd.Series(y, index=[f"s{i}" for i in range(13)]), v)
    assert "rows s2, s5" in series.warnings[0]
    loo = diagnostics.leave1out(y, v)
    assert len(loo) == 11 and "rows 2, 5" in loo.attrs["warnings"][0]
    assert list(loo.omitted[:3]) == ["1", "2", "4"]  # labels are input positions + 1
    assert "rows 2, 5" in diagnostics.egger(y, v).warnings[0]
    assert "rows 2, 5" in diagnostics.metareg(y, v, BCG["ablat"]).warnings[0]
    assert "rows 2, 5" in diagnostics.subgroup(y, v, BCG["alloc"]).warnings[0]
    assert len(diagnostics.influence(y, v)) == 11
    cu = diagnostics.cumul(y, v, order=BCG["year"])
    assert len(cu) == 11 and cu.attrs["warnings"]
    prop = proportions.pool_proportions([1, np.nan, 3, 2], [10, 12, np.nan, 20])
    assert "rows 1, 2" in prop.warnings[0] and prop.k == 2
    with pytest.raises(ValueError, match=r"rows 0, 1"):
        pooling.pool([np.nan, 0.2], [0.1, np.nan])


# --- diagnostics take the fitted result ---------------------------------------------------------


@pytest.mark.parametrize(("method", "test"), [("DL", "knha"), ("PM", "t"), ("FE", "z")])
def test_diagnostics_refit_with_the_fitted_settings(method, test):
    y, v = BCG["yi"], BCG["vi"]
    fit = pooling.pool(y, v, method, test, level=0.9)
    loo = diagnostics.leave1out(fit)
    first = pooling.pool(y[1:], v[1:], method, test, level=0.9)
    assert loo.estimate[0] == pytest.approx(first.estimate, rel=1e-12)
    assert loo.ci_low[0] == pytest.approx(first.ci_low, rel=1e-12)
    pd.testing.assert_frame_equal(loo, diagnostics.leave1out(y, v, method, test, 0.9))
    eg = diagnostics.egger(fit)
    assert (eg.method, eg.test) == (method, test)
    cu = diagnostics.cumul(fit, order=BCG["year"])
    assert cu.estimate.iloc[-1] == pytest.approx(fit.estimate, rel=1e-12)
    inf = diagnostics.influence(fit)
    pd.testing.assert_frame_equal(inf, diagnostics.influence(y, v, None, method, test, 0.9))
    sub = diagnostics.subgroup(fit, groups=BCG["alloc"])
    assert (sub.method, sub.test) == (method, test)
    with pytest.raises(TypeError, match="not both"):
        diagnostics.leave1out(fit, method="REML")
    mr = diagnostics.metareg(y, v, BCG["ablat"], method, test)
    rs = diagnostics.rstudent(mr)
    assert np.allclose(rs.rstudent, diagnostics.rstudent(y, v, BCG["ablat"], method, test).rstudent)


def test_no_r2_when_the_null_model_has_no_heterogeneity():
    homog = {"yi": [0.10, 0.12, 0.09, 0.11, 0.13], "vi": [0.04, 0.05, 0.03, 0.06, 0.05]}
    res = diagnostics.metareg(homog["yi"], homog["vi"], [1.0, 2.0, 3.0, 4.0, 5.0])
    assert np.isnan(res.r2)
    assert any("R^2 not reported" in w for w in res.warnings)


def test_plain_t_uses_t_quantiles_without_rescaling():
    z = pooling.pool(BCG["yi"], BCG["vi"], "REML", "z")
    t = pooling.pool(BCG["yi"], BCG["vi"], "REML", "t")
    assert t.se == z.se and t.df == 12 and t.z_or_t == z.z_or_t
    assert t.ci_high - t.ci_low > z.ci_high - z.ci_low


def test_one_z95():
    from ldn_analysis.stats.inference import Z95

    assert Z95 == pooling.critical(0.95) == 1.959963984540054

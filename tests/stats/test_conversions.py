"""Cochrane Handbook conversions against R (tests/fixtures/conversions/conversions.json).

The fixture is written by ``validation/conversions/run_conversions.R`` (base R formulas and
metafor 3.8-1 ``escalc``) and carries its input data, so these tests need no R. Its
``published`` block holds numbers printed in the sources (Wan et al. 2014 Tables 1-2; the
Cochrane Handbook v5.1 worked examples in 7.7.3.3 and 16.4.6.4), copied, never computed.
The test marked ``r`` reruns the script and checks it reproduces the committed file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from ldn_analysis.stats import conversions as cv
from ldn_analysis.stats import escalc

# Tolerances, declared once.
# Closed forms (qnorm/qt, sqrt, arithmetic) are the same floating-point operations as in R;
# scipy's and R's t and normal quantiles agree to ~1e-15 relative. 1e-9 leaves room for
# another libm without hiding a wrong formula.
RTOL = 1e-9
# Exact normal order-statistic expectations come from numerical quadrature in both
# programs (R integrate, scipy quad, both asked for 1e-12): they agree to ~1e-12.
RTOL_QUAD = 1e-8
# Published values are rounded to 3 decimals: half a unit in the last place is 5e-4.
# Wan et al.'s Table 1 and Table 2 differ from the exact expectations by up to 5.5e-4 in 3
# of 99 entries (e.g. Table 1 prints 3.259 for n = 12, exact 3.25846; the usual d2
# constant is 3.258), so the table check allows 6e-4.
ATOL_PRINTED = 5e-4 + 1e-12
ATOL_PRINTED_2DP = 5e-3 + 1e-12  # the same for numbers printed to 2 decimals
ATOL_WAN_TABLES = 6e-4

FIXTURE = Path(__file__).parents[1] / "fixtures" / "conversions" / "conversions.json"
SCRIPT = Path(__file__).resolve().parents[2] / "validation" / "conversions" / "run_conversions.R"
DEVIATIONS: dict[str, float] = {}  # largest relative deviation per check (for reports)

REF = json.loads(FIXTURE.read_text())
D, R, PUB = REF["data"], REF["results"], REF["published"]


def a(x):
    return np.asarray(x, dtype=float)


def close(name: str, actual, expected, rtol: float = RTOL) -> None:
    act, exp = np.atleast_1d(a(actual)), np.atleast_1d(a(expected))
    np.testing.assert_allclose(act, exp, rtol=rtol, atol=0, err_msg=name)
    DEVIATIONS[name] = float(np.max(np.abs(act - exp) / np.abs(exp)))


# --- standard errors ------------------------------------------------------------------------


def test_se_from_ci_z_and_t():
    ci = D["ci"]
    close("se_ci_z95", cv.se_from_ci(ci["low"], ci["high"]).value, R["se_ci_z95"])
    close("se_ci_z90", cv.se_from_ci(ci["low"], ci["high"], 0.90).value, R["se_ci_z90"])
    res = cv.se_from_ci(ci["low"], ci["high"], df=ci["df"])
    close("se_ci_t95", res.value, R["se_ci_t95"])
    assert "t(" in res.note


def test_se_from_p_t_z_and_bounded():
    p = D["p"]
    close("se_p_t", cv.se_from_p(p["estimate"], p["p"], df=p["df"]).value, R["se_p_t"])
    close("se_p_z", cv.se_from_p(p["estimate"], p["p"]).value, R["se_p_z"])
    bound = cv.se_from_p(p["estimate"], 0.05, df=p["df"], bounded=True)
    close("se_p_bound_t", bound.value, R["se_p_bound_t"])
    assert "conservative" in bound.note
    assert "conservative" not in cv.se_from_p(1.0, 0.01).note


def test_se_from_t_and_f():
    p = D["p"]
    close("se_t", cv.se_from_t(p["estimate"], p["t"]).value, R["se_t"])
    close("se_f", cv.se_from_f(p["estimate"], p["f"]).value, R["se_f"])


def test_t_statistic_to_smd_matches_escalc_ti():
    # metafor: escalc(measure = "SMD", ti, n1i, n2i). Our route: SE = |MD / t|, the common SD
    # = SE / sqrt(1/n1 + 1/n2), then escalc.smd; any MD gives the same SMD.
    t, n1, n2 = a(D["p"]["t"]), a(D["md_ci"]["n1"]), a(D["md_ci"]["n2"])
    md = np.full_like(t, 2.0) * np.sign(t)
    sd = cv.sd_from_md_se(cv.se_from_t(md, t).value, n1, n2).value
    yi, vi = escalc.smd(md, sd, n1, 0.0, sd, n2)
    close("smd_from_t_yi", yi, R["smd_from_t"]["yi"])
    close("smd_from_t_vi", vi, R["smd_from_t"]["vi"])


# --- standard deviations --------------------------------------------------------------------


def test_sd_from_se_and_from_md_ci():
    close("sd_from_se", cv.sd_from_se(D["se_n"]["se"], D["se_n"]["n"]).value, R["sd_from_se"])
    m = D["md_ci"]
    res = cv.sd_from_md_ci(m["low"], m["high"], m["n1"], m["n2"])
    close("sd_md_ci_t", res.value, R["sd_md_ci_t"])
    assert "one SD assumed" in res.note
    z = cv.sd_from_md_ci(m["low"], m["high"], m["n1"], m["n2"], t_based=False)
    close("sd_md_ci_z", z.value, R["sd_md_ci_z"])


# --- median, quartiles, range ---------------------------------------------------------------

Q = D["quantiles"]


def test_wan_xi_eta_closed_forms():
    close("xi", cv.wan_xi(Q["n"]), R["xi"])
    close("eta", cv.wan_eta(Q["n"]), R["eta"])


def test_mean_sd_from_iqr():
    res = cv.mean_sd_from_iqr(Q["q1"], Q["median"], Q["q3"], Q["n"])
    close("iqr_mean", res.mean, R["iqr_mean"])
    close("iqr_sd", res.sd, R["iqr_sd"])
    assert "Luo" in res.note and "Wan" in res.note


def test_mean_sd_from_range():
    res = cv.mean_sd_from_range(Q["min"], Q["median"], Q["max"], Q["n"])
    close("range_mean", res.mean, R["range_mean"])
    close("range_sd", res.sd, R["range_sd"])
    exact = cv.mean_sd_from_range(Q["min"], Q["median"], Q["max"], Q["n"], exact_xi=True)
    close("range_sd_exact_xi", exact.sd, R["range_sd_exact_xi"], RTOL_QUAD)


@pytest.mark.parametrize("method", ["shi", "wan"])
def test_mean_sd_from_five(method):
    res = cv.mean_sd_from_five(Q["min"], Q["q1"], Q["median"], Q["q3"], Q["max"], Q["n"], method)
    close("five_mean", res.mean, R["five_mean"])
    close(f"five_sd_{method}", res.sd, R[f"five_sd_{method}"])
    with pytest.raises(ValueError, match="shi"):
        cv.mean_sd_from_five(1, 2, 3, 4, 5, 10, "hozo")


def test_exact_order_statistics_match_r_integrate():
    n = np.arange(2, 51)
    close("xi_exact", cv.wan_xi(n, exact=True), R["xi_exact_n2_50"], RTOL_QUAD)
    q = np.arange(1, 51)
    eta = 2 * cv.expected_normal_order_statistic(3 * q + 1, 4 * q + 1)
    close("eta_exact", eta, R["eta_exact_q1_50"], RTOL_QUAD)


def test_wan_2014_tables_1_and_2():
    # Published: Wan et al. 2014 BMC Med Res Methodol 14:135, Table 1 (xi(n) = 2 E(Z_(n:n)),
    # n <= 50) and Table 2 (eta = 2 E(Z_(3Q+1:4Q+1)), Q <= 50), 3 decimals.
    t1, t2 = PUB["wan2014_table1"], PUB["wan2014_table2"]
    xi = cv.wan_xi(t1["n"], exact=True)
    np.testing.assert_allclose(xi, t1["xi"], rtol=0, atol=ATOL_WAN_TABLES)
    q = a(t2["q"]).astype(int)
    eta = 2 * cv.expected_normal_order_statistic(3 * q + 1, 4 * q + 1)
    np.testing.assert_allclose(eta, t2["eta"], rtol=0, atol=ATOL_WAN_TABLES)
    DEVIATIONS["wan_tables_abs"] = float(
        max(np.max(np.abs(xi - a(t1["xi"]))), np.max(np.abs(eta - a(t2["eta"]))))
    )


# --- change from baseline, percent change ---------------------------------------------------


def test_sd_change_matches_escalc_mc_and_inverts():
    c = D["change"]
    res = cv.sd_change(c["sd_baseline"], c["sd_final"], c["r"])
    close("sd_change", res.value, R["sd_change"])
    close("sd_change_vs_escalc_mc", res.value**2, R["mc_vi_times_n"])
    assert "assumed correlation" in res.note
    back = cv.correlation_from_sds(c["sd_baseline"], c["sd_final"], res.value)
    close("correlation_roundtrip", back.value, c["r"])
    imp = cv.correlation_from_sds(c["sd_baseline"], c["sd_final"], c["sd_change_observed"])
    close("correlation", imp.value, R["correlation"])


def test_mean_change_from_percent():
    c = D["change"]
    res = cv.mean_change_from_percent(c["percent"], c["baseline_mean"])
    close("mean_change_pct", res.mean, R["mean_change_pct"])
    assert np.isnan(res.sd).all() and "not derived" in res.note
    given = cv.mean_change_from_percent(c["percent"], c["baseline_mean"], 3.0)
    assert (given.sd == 3.0).all() and "as reported" in given.note


# --- crossover ------------------------------------------------------------------------------

X = D["crossover"]


def test_crossover_md_matches_escalc_mc():
    res = cv.crossover_md(X["mean_e"], X["mean_c"], X["sd_e"], X["sd_c"], X["n"], X["rho"])
    close("crossover_mc_yi", res.estimate, R["crossover_mc"]["yi"])
    close("crossover_mc_vi", res.se**2, R["crossover_mc"]["vi"])
    yi, vi = escalc.mc(X["mean_e"], X["mean_c"], X["sd_e"], X["sd_c"], X["n"], X["rho"])
    close("crossover_vs_escalc_py", res.se**2, vi)


def test_crossover_smd_handbook_formula_and_smcr_relation():
    res = cv.crossover_smd(X["mean_e"], X["mean_c"], X["sd_e"], X["sd_c"], X["n"], X["rho"])
    close("crossover_smd", res.estimate, R["crossover_smd"])
    close("crossover_smd_se", res.se, R["crossover_smd_se"])
    # metafor SMCR with the pooled SD is J(n - 1) times the Handbook SMD, and its variance is
    # 2(1 - rho)/n + yi^2/(2n), not the Handbook's (1/n + d^2/(2n)) 2(1 - rho).
    j = escalc.hedges_correction(a(X["n"]) - 1)
    close("crossover_smcr_yi", j * res.estimate, R["crossover_smcr"]["yi"])
    yi = a(R["crossover_smcr"]["yi"])
    n, rho = a(X["n"]), a(X["rho"])
    close("crossover_smcr_vi", 2 * (1 - rho) / n + yi**2 / (2 * n), R["crossover_smcr"]["vi"])


# --- counts ---------------------------------------------------------------------------------


def test_counts_from_percent_rounds_half_up_and_flags():
    res = cv.counts_from_percent(D["counts"]["percent"], D["counts"]["n"])
    np.testing.assert_array_equal(res.events, R["counts"])
    close("counts_raw", res.raw[res.raw > 0], a(R["counts_raw"])[a(R["counts_raw"]) > 0])
    # 12.5% of 40 = 5 and 0% of 17 = 0 are exact; the others were rounded (50% of 21 = 10.5
    # -> 11, half up).
    np.testing.assert_array_equal(res.rounded, [False, True, True, True, True, False])
    assert "rounding chose 4" in res.note
    assert "rounding" not in cv.counts_from_percent(25, 40).note


# --- published worked examples ---------------------------------------------------------------


def test_handbook_crossover_example():
    # Cochrane Handbook v5.1 section 16.4.6.4 (now 23.2.7): n = 10, ME 7.0 (SD 2.38), MC 6.5
    # (SD 2.21). SD of differences 2 -> SE 0.632; Corr 0.68 -> SE 0.583; SMD 0.218, SE 0.256.
    h = PUB["handbook_crossover"]
    np.testing.assert_allclose(
        h["sd_diff_imputed"] / np.sqrt(h["n"]), h["se_md_sd_diff"], atol=ATOL_PRINTED
    )
    md = cv.crossover_md(h["mean_e"], h["mean_c"], h["sd_e"], h["sd_c"], h["n"], h["corr"])
    np.testing.assert_allclose(md.estimate, 0.5, rtol=RTOL)
    np.testing.assert_allclose(md.se, h["se_md_corr"], atol=ATOL_PRINTED)
    smd = cv.crossover_smd(h["mean_e"], h["mean_c"], h["sd_e"], h["sd_c"], h["n"], h["corr"])
    np.testing.assert_allclose(smd.estimate, h["smd"], atol=ATOL_PRINTED)
    np.testing.assert_allclose(smd.se, h["se_smd"], atol=ATOL_PRINTED)


def test_handbook_p_value_example():
    # Cochrane Handbook v5.1 section 7.7.3.3: MD 3.8, n 25 and 22, P = 0.008 -> t(45) = 2.78,
    # SE = 3.8 / 2.78 = 1.37.
    h = PUB["handbook_p_value"]
    res = cv.se_from_p(h["md"], h["p"], df=h["n1"] + h["n2"] - 2)
    np.testing.assert_allclose(h["md"] / res.value, h["t"], atol=ATOL_PRINTED_2DP)
    np.testing.assert_allclose(res.value, h["se"], atol=ATOL_PRINTED_2DP)


# --- the recipe -----------------------------------------------------------------------------


def _r_available() -> str | None:
    if shutil.which("Rscript") is None:
        return "Rscript not found (install r-cran-metafor to run this check)"
    probe = subprocess.run(["Rscript", "-e", "library(metafor)"], capture_output=True, text=True)
    if probe.returncode != 0:
        return "R is installed but metafor is missing (apt-get install r-cran-metafor)"
    return None


@pytest.mark.r
def test_r_script_reproduces_fixture(tmp_path):
    reason = _r_available()
    if reason:
        pytest.skip(reason)
    run = subprocess.run(
        ["Rscript", str(SCRIPT), str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    new = json.loads((tmp_path / "conversions.json").read_text())
    assert new["source"]["calls"] == REF["source"]["calls"]
    assert new["data"] == REF["data"] and new["published"] == REF["published"]
    for key, val in REF["results"].items():
        np.testing.assert_allclose(
            a(_flat(new["results"][key])), a(_flat(val)), rtol=RTOL_QUAD, err_msg=key
        )


def _flat(x):
    if isinstance(x, dict):
        return [v for k in sorted(x) for v in _flat(x[k])]
    return list(np.atleast_1d(x))


def test_fixture_covers_every_public_conversion():
    # Every conversion the module exports has at least one reference case in this file.
    public = {n for n in dir(cv) if not n.startswith("_") and callable(getattr(cv, n))}
    public -= {"Converted", "MeanSD", "PairedEffect", "Counts", "dataclass", "annotations"}
    source = Path(__file__).read_text()
    missing = sorted(n for n in public if f"cv.{n}(" not in source)
    assert not missing, f"conversions without a reference test: {missing}"

"""The statistics engine against R metafor (reference values in tests/fixtures/metafor).

The fixtures are written by ``validation/metafor/run_metafor.R`` and carry their own input
data, so these tests need no R. The test marked ``r`` reruns the script (when Rscript and
metafor are installed) and checks that it reproduces the committed files.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ldn_analysis.analysis import effects as row_effects
from ldn_analysis.stats import diagnostics, glmm, proportions
from ldn_analysis.stats import escalc as effects
from ldn_analysis.stats import rma as pooling

# Tolerances, declared once.
# Closed forms (escalc effect sizes, FE/DL/HE/SJ estimates, Q, I^2, H^2, CIs from them) are
# the same floating-point arithmetic as in R, so they agree to ~1e-15; 1e-6 relative leaves
# room for a different BLAS or libm without hiding a wrong formula.
RTOL_CLOSED = 1e-6
# Iterative fits (REML / ML Fisher scoring, PM and Q-profile roots, the GLMM optimizer) stop
# at a convergence criterion in both programs; with the tight R control settings they agree
# to ~1e-9, and 1e-4 is the documented bound for anything found by iteration.
RTOL_ITER = 1e-4
# Absolute floor for values that are (or should be) zero: tau^2 = 0, p-values of 1e-26.
ATOL = 1e-10
# Sparse-event GLMMs (glmm_sparse.json): lme4's deviance differs from the exact 7-point AGHQ
# log-likelihood by a term that varies by ~3e-5 across the parameter space (its PIRLS
# tolerance), and these likelihoods are flat, so the two optima differ by up to ~2e-3
# relative. What must hold exactly: the engine's likelihood at its optimum is at least its
# likelihood at R's optimum (LL_TOL absorbs rounding).
RTOL_GLMM_SPARSE = 5e-3
LL_TOL = 1e-9

FIXTURES = Path(__file__).parents[1] / "fixtures" / "metafor"
SCRIPT = Path(__file__).resolve().parents[2] / "validation" / "metafor" / "run_metafor.R"
ITERATIVE = {"REML", "ML", "PM"}
DEVIATIONS: dict[str, float] = {}  # largest relative deviation seen per case (for reports)


def load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def arr(x) -> np.ndarray:
    if isinstance(x, list):
        return np.array([np.nan if v is None else v for v in x], dtype=float)
    return np.atleast_1d(np.asarray(np.nan if x is None else x, dtype=float))


def close(case: str, actual, expected, rtol: float, what: str = "") -> None:
    a, e = np.atleast_1d(np.asarray(actual, dtype=float)), arr(expected)
    np.testing.assert_allclose(a, e, rtol=rtol, atol=ATOL, equal_nan=True, err_msg=what)
    ok = np.isfinite(e) & (np.abs(e) > 1e-8)
    if ok.any():
        dev = float(np.max(np.abs(a[ok] - e[ok]) / np.abs(e[ok])))
        DEVIATIONS[case] = max(DEVIATIONS.get(case, 0.0), dev)


def check_fit(case: str, res: pooling.PoolResult, ref: dict) -> None:
    """Compare a PoolResult with rma() + predict() + confint() values."""
    rtol = RTOL_ITER if ref["method"] in ITERATIVE else RTOL_CLOSED
    pairs = {
        "estimate": "estimate",
        "se": "se",
        "z_or_t": "zval",
        "pvalue": "pval",
        "ci_low": "ci_lb",
        "ci_high": "ci_ub",
        "tau2": "tau2",
        "i2": "I2",
        "h2": "H2",
        "q": "QE",
        "q_pvalue": "QEp",
    }
    for ours, theirs in pairs.items():
        close(case, getattr(res, ours), ref[theirs], rtol, f"{case}: {ours}")
    close(case, res.weights, ref["weights"], rtol, f"{case}: weights")
    assert res.k == ref["k"]
    if ref["ddf"] is not None:
        assert res.df == ref["ddf"]
    if ref["pi_lb"] is None:  # metafor gives no PI for FE; ours is the CI (tau^2 = 0)
        assert (res.pi_low, res.pi_high) == pytest.approx((res.ci_low, res.ci_high))
    else:
        close(case, [res.pi_low, res.pi_high], [ref["pi_lb"], ref["pi_ub"]], rtol, case)
    if "tau2_ci_lb" in ref:
        lims = [res.tau2_ci_low, res.tau2_ci_high, res.i2_ci_low, res.i2_ci_high]
        refs = [ref["tau2_ci_lb"], ref["tau2_ci_ub"], ref["I2_ci_lb"], ref["I2_ci_ub"]]
        close(case, lims, refs, RTOL_ITER, f"{case}: Q-profile limits")


def grid_cases():
    out = []
    for name, sets in (("bcg_grid", None), ("small_and_zero_tau2", ("k2", "homog"))):
        fx = load(name)
        for part in sets or (None,):
            data = fx["data"] if part is None else fx["data"][part]
            refs = fx["results"] if part is None else fx["results"][part]
            label = name if part is None else part
            for ref in refs:
                out.append(
                    pytest.param(data, ref, f"{label}", id=f"{label}-{ref['method']}-{ref['test']}")
                )
    return out


@pytest.mark.parametrize(("data", "ref", "case"), grid_cases())
def test_pool_matches_rma(data, ref, case):
    res = pooling.pool(data["yi"], data["vi"], method=ref["method"], test=ref["test"])
    check_fit(case, res, ref)


def test_grid_covers_every_method_and_test():
    """Every estimator x test the package accepts has a metafor reference, in every set."""
    wanted = {(m, t) for m in pooling.TAU2_ESTIMATORS for t in pooling.TESTS}
    assert set(pooling.METHODS) == set(pooling.TAU2_ESTIMATORS)
    fx = load("small_and_zero_tau2")
    for refs in (load("bcg_grid")["results"], fx["results"]["k2"], fx["results"]["homog"]):
        assert {(r["method"], r["test"]) for r in refs} >= wanted


def test_zero_tau2_case_truncates():
    """Every estimator but SJ (positive by construction) truncates at 0 here."""
    fx = load("small_and_zero_tau2")
    for ref in fx["results"]["homog"]:
        if ref["method"] == "SJ":
            continue
        assert ref["tau2"] == 0
        res = pooling.pool(fx["data"]["homog"]["yi"], fx["data"]["homog"]["vi"], ref["method"])
        assert res.tau2 == 0.0
        if ref["method"] != "FE":
            assert res.tau2_ci_low == res.tau2_ci_high == 0.0


def test_oscillating_fisher_scoring():
    """metafor's default fit fails; with its stepadj remedy it matches ours."""
    fx = load("fisher_scoring_remedy")
    assert fx["results"]["default_converged"] is False
    res = pooling.pool(fx["data"]["yi"], fx["data"]["vi"])
    assert res.converged
    assert any("step length 0.5" in w for w in res.warnings)
    check_fit("fisher_scoring_remedy", res, fx["results"]["stepadj_0.5"])


# --- effect sizes -----------------------------------------------------------------------------


def test_escalc_continuous():
    fx = load("continuous")
    d, r = fx["data"], fx["results"]
    nd = {k: np.array(v, dtype=float) for k, v in d["normand1999"].items()}
    args = (nd["m1i"], nd["sd1i"], nd["n1i"], nd["m2i"], nd["sd2i"], nd["n2i"])
    for name, func in (("smd", effects.smd), ("md", effects.md)):
        yi, vi = func(*args)
        close("escalc SMD/MD", yi, r[name]["yi"], RTOL_CLOSED, name)
        close("escalc SMD/MD", vi, r[name]["vi"], RTOL_CLOSED, name)
    pp = {k: np.array(v, dtype=float) for k, v in d["pre_post"].items()}
    yi, vi = effects.smcr(pp["m_post"], pp["m_pre"], pp["sd_pre"], pp["n"], 0.5)
    close("escalc SMCR/MC", [*yi, *vi], r["pre_post_smcr"]["yi"] + r["pre_post_smcr"]["vi"], 1e-6)
    yi, vi = effects.mc(pp["m_post"], pp["m_pre"], pp["sd_post"], pp["sd_pre"], pp["n"], 0.5)
    close("escalc SMCR/MC", [*yi, *vi], r["pre_post_mc"]["yi"] + r["pre_post_mc"]["vi"], 1e-6)
    for name in ("smd_reml", "smd_dl"):
        res = pooling.pool(r["smd"]["yi"], r["smd"]["vi"], method=r[name]["method"])
        check_fit(f"continuous {name}", res, r[name])


def _outcome_rows(data_type, ldn, ctrl, n_ldn, n_ctrl, better="higher", design=""):
    m1, s1 = ldn
    m2, s2 = ctrl
    return pd.DataFrame(
        {
            "study_id": [f"s{i}" for i in range(len(m1))],
            "outcome_id": [f"s{i}_pain" for i in range(len(m1))],
            "data_type": data_type,
            "better": better,
            "design": design,
            "n_ldn": n_ldn,
            "mean_ldn": m1,
            "sd_ldn": s1,
            "n_ctrl": n_ctrl,
            "mean_ctrl": m2,
            "sd_ctrl": s2,
        }
    )


@pytest.mark.parametrize("better", ["higher", "lower"])
def test_compute_effects_matches_escalc(better):
    """The table-level function reproduces escalc for each data type, with the sign rule."""
    fx = load("continuous")
    d, r = fx["data"], fx["results"]
    sign = 1.0 if better == "higher" else -1.0
    nd = d["normand1999"]
    rows = _outcome_rows(
        "arm_means", (nd["m1i"], nd["sd1i"]), (nd["m2i"], nd["sd2i"]), nd["n1i"], nd["n2i"], better
    )
    for measure, key in (("SMD", "smd"), ("MD", "md")):
        out = row_effects.compute_effects(rows, measure=measure)
        close("compute_effects", out.yi, sign * arr(r[key]["yi"]), RTOL_CLOSED, key)
        close("compute_effects", out.vi, r[key]["vi"], RTOL_CLOSED, key)
    pp = d["pre_post"]
    rows = _outcome_rows(
        "pre_post", (pp["m_post"], pp["sd_post"]), (pp["m_pre"], pp["sd_pre"]), pp["n"], pp["n"],
        better,
    )  # fmt: skip
    for measure, key in (("SMD", "pre_post_smcr"), ("MD", "pre_post_mc")):
        out = row_effects.compute_effects(rows, measure=measure, rho=0.5)
        close("compute_effects", out.yi, sign * arr(r[key]["yi"]), RTOL_CLOSED, key)
        close("compute_effects", out.vi, r[key]["vi"], RTOL_CLOSED, key)
    xo = d["crossover"]
    rows = _outcome_rows(
        "arm_means", (xo["m_ldn"], xo["sd_ldn"]), (xo["m_pbo"], xo["sd_pbo"]), xo["n"], xo["n"],
        better, "rct_crossover",
    )  # fmt: skip
    for measure, key in (("SMD", "crossover_smcr"), ("MD", "crossover_mc")):
        out = row_effects.compute_effects(rows, measure=measure, rho=0.5)
        close("compute_effects", out.yi, sign * arr(r[key]["yi"]), RTOL_CLOSED, key)
        close("compute_effects", out.vi, r[key]["vi"], RTOL_CLOSED, key)
        assert out.conversion.str.contains("rho = 0.5").all()


@pytest.mark.parametrize("case", range(6))
def test_escalc_zero_cells(case):
    fx = load("escalc_binary")
    ref = fx["results"][case]
    d = fx["data"]
    out = effects.compute_ae_effects(
        d["ai"], d["n1i"], d["ci"], d["n2i"], measure=ref["measure"], drop00=ref["drop00"]
    )
    close("escalc RR/OR/RD zero cells", out.yi, ref["yi"], RTOL_CLOSED, str(ref))
    close("escalc RR/OR/RD zero cells", out.vi, ref["vi"], RTOL_CLOSED, str(ref))
    assert (out.reason != "").sum() == np.isnan(arr(ref["yi"])).sum()


# --- proportions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["pritz1997", "ldn_like_homogeneous", "ldn_like_heterogeneous"])
def test_proportions(name):
    fx = load("proportions")
    d, r = fx["data"][name], fx["results"][name]
    yi, vi = proportions.plo(d["events"], d["n"])
    close("PLO", [*yi, *vi], r["plo"]["yi"] + r["plo"]["vi"], RTOL_CLOSED, name)
    fields = ("logit_estimate", "logit_se", "tau2", "estimate", "ci_low", "ci_high")
    refs = ("logit_estimate", "logit_se", "tau2", "estimate", "ci_lb", "ci_ub")
    for model, key in (("logit", "logit"), ("glmm", "glmm")):
        res = proportions.pool_proportions(d["events"], d["n"], model=model)
        for ours, theirs in zip(fields, refs, strict=True):
            close(f"proportions {model}", getattr(res, ours), r[key][theirs], RTOL_ITER, ours)
        close(f"proportions {model}", res.i2, r[key]["I2"], RTOL_ITER, "I2")
        close(f"proportions {model}", [res.pi_low, res.pi_high],
              [r[key]["pi_lb"] or res.ci_low, r[key]["pi_ub"] or res.ci_high], RTOL_ITER, "PI")  # fmt: skip
    res = proportions.pool_proportions(d["events"], d["n"], model="glmm")
    default = r["glmm_default"]  # metafor with lme4's default optimizer settings
    close("proportions glmm (metafor defaults)", [res.logit_estimate, res.logit_se],
          [default["logit_estimate"], default["logit_se"]], RTOL_ITER)  # fmt: skip


GLMM_SPARSE = load("glmm_sparse")
# lme4's Hessian fails here (bobyqa convergence code 3): its SE of 0.0146 for three studies
# with tau^2 = 11.6 is not a standard error; estimate and tau^2 are still compared.
R_SE_UNRELIABLE = {"singleton_events"}


@pytest.mark.parametrize("name", list(GLMM_SPARSE["data"]))
def test_glmm_sparse_events_reach_the_maximum(name):
    """The engine's ML fit is at least as likely as rma.glmm's and matches its estimates."""
    d, r = GLMM_SPARSE["data"][name], GLMM_SPARSE["results"][name]
    x, n = arr(d["events"]), arr(d["n"])
    mu, se, tau2, ll, hit = glmm.fit_ml(x, n)
    at_r = glmm.loglik(x, n, arr(r["logit_estimate"]), np.sqrt(arr(r["tau2"])))[0]
    assert ll >= at_r - LL_TOL, f"{name}: stopped short of R's optimum by {at_r - ll:.3g}"
    assert not hit
    case = f"glmm_sparse {name}"
    close(case, [mu, tau2], [r["logit_estimate"], r["tau2"]], RTOL_GLMM_SPARSE, name)
    if name not in R_SE_UNRELIABLE:
        close(case, se, r["logit_se"], RTOL_GLMM_SPARSE, f"{name}: SE")
    res = proportions.pool_proportions(x, n, model="glmm")
    assert res.logit_se > 0.1  # the old undamped mode search returned 0.000044 (minimal)
    if x.sum() not in (0, n.sum()):
        assert res.logit_estimate == mu and res.tau2 == tau2


# --- meta-regression, Egger, influence, subgroups ------------------------------------------------


@pytest.mark.parametrize("case", range(10))
def test_metareg(case):
    fx = load("metareg")
    d, ref = fx["data"], fx["results"][case]
    res = diagnostics.metareg(d["yi"], d["vi"], pd.Series(d["ablat"], name="ablat"),
                              method=ref["method"], test=ref["test"])  # fmt: skip
    rtol = RTOL_ITER if ref["method"] in ITERATIVE else RTOL_CLOSED
    c = res.coefficients
    assert list(c.term) == ref["term"]
    for ours, theirs in (("estimate", "estimate"), ("se", "se"), ("z_or_t", "zval"),
                         ("pvalue", "pval"), ("ci_low", "ci_lb"), ("ci_high", "ci_ub")):  # fmt: skip
        close("metareg", c[ours], ref[theirs], rtol, f"{ref['method']} {ref['test']} {ours}")
    for ours, theirs in (("tau2", "tau2"), ("i2", "I2"), ("h2", "H2"), ("r2", "R2"),
                         ("qe", "QE"), ("qe_pvalue", "QEp"), ("qm", "QM"), ("qm_pvalue", "QMp")):  # fmt: skip
        close("metareg", getattr(res, ours), ref[theirs], rtol, f"{ref['method']} {ours}")
    assert res.qm_df[0] == ref["QMdf"][0]


@pytest.mark.parametrize("case", range(3))
def test_egger_leave1out_cumul_influence(case):
    fx = load("diagnostics")
    d, ref = fx["data"], fx["results"][case]
    m, t = ref["method"], ref["test"]
    rtol = RTOL_ITER if m in ITERATIVE else RTOL_CLOSED
    eg = diagnostics.egger(d["yi"], d["vi"], m, t)
    rt = ref["regtest"]
    close("regtest", [eg.z_or_t, eg.pvalue], [rt["zval"], rt["pval"]], rtol, "regtest")
    close("regtest", [eg.limit_estimate, eg.limit_ci_low, eg.limit_ci_high],
          [rt["est"], rt["ci_lb"], rt["ci_ub"]], rtol, "limit estimate")  # fmt: skip
    loo = diagnostics.leave1out(d["yi"], d["vi"], m, t)
    for ours, theirs in (("estimate", "estimate"), ("se", "se"), ("z_or_t", "zval"),
                         ("pvalue", "pval"), ("ci_low", "ci_lb"), ("ci_high", "ci_ub"),
                         ("q", "Q"), ("q_pvalue", "Qp"), ("tau2", "tau2"), ("i2", "I2"),
                         ("h2", "H2")):  # fmt: skip
        close("leave1out", loo[ours], ref["leave1out"][theirs], rtol, f"leave1out {ours}")
    cu = diagnostics.cumul(d["yi"], d["vi"], order=d["year"], method=m, test=t)
    assert list(cu.added) == ref["cumul"]["slab"]
    for ours, theirs in (("estimate", "estimate"), ("se", "se"), ("ci_low", "ci_lb"),
                         ("ci_high", "ci_ub"), ("q", "Q")):  # fmt: skip
        close("cumul", cu[ours], ref["cumul"][theirs], rtol, f"cumul {ours}")
    # first row: one study; metafor reports tau^2 = 0 and I^2 = 0, we report NaN (no tau^2)
    close("cumul", cu.tau2[1:], ref["cumul"]["tau2"][1:], rtol, "cumul tau2")
    close("cumul", cu.i2[1:], ref["cumul"]["I2"][1:], rtol, "cumul I2")
    inf = diagnostics.influence(d["yi"], d["vi"], method=m, test=t)
    rs = ref["rstudent"]
    close("rstudent/cooks", inf.resid, rs["resid"], rtol, "resid")
    close("rstudent/cooks", inf.resid_se, rs["se"], rtol, "resid se")
    close("rstudent/cooks", inf.rstudent, rs["z"], rtol, "rstudent")
    close("rstudent/cooks", inf.cooks_distance, ref["cooks_distance"], rtol, "cooks")


def test_influence_with_moderator():
    fx = load("diagnostics")
    d, ref = fx["data"], fx["results"][3]
    assert ref["mods"] == "ablat"
    rs = diagnostics.rstudent(d["yi"], d["vi"], X=d["ablat"])
    close("rstudent/cooks", rs.rstudent, ref["rstudent"]["z"], RTOL_ITER, "rstudent mods")
    close("rstudent/cooks", rs.resid_se, ref["rstudent"]["se"], RTOL_ITER, "se mods")
    cd = diagnostics.cooks_distance(d["yi"], d["vi"], X=d["ablat"])
    close("rstudent/cooks", cd, ref["cooks_distance"], RTOL_ITER, "cooks mods")


@pytest.mark.parametrize("case", range(2))
def test_subgroup(case):
    fx = load("subgroup")
    d, ref = fx["data"], fx["results"][case]
    t = ref["test"]
    sep = diagnostics.subgroup(d["yi"], d["vi"], d["alloc"], test=t, tau2="separate")
    groups = ref["separate"]["groups"]
    assert list(sep.table.group) == [g["group"] for g in groups]
    assert list(sep.table.k) == [g["k"] for g in groups]
    for col in ("estimate", "se", "tau2"):
        close("subgroup", sep.table[col], [g[col] for g in groups], RTOL_ITER, col)
    close("subgroup", [sep.q_between, sep.q_between_pvalue],
          [ref["separate"]["QM"], ref["separate"]["QMp"]], RTOL_ITER, "Q between")  # fmt: skip
    com = diagnostics.subgroup(d["yi"], d["vi"], d["alloc"], test=t, tau2="common")
    b = arr(ref["common"]["estimate"])
    close("subgroup", com.table.estimate, [b[0], b[0] + b[1], b[0] + b[2]], RTOL_ITER, "common")
    close("subgroup", com.table.tau2[0], ref["common"]["tau2"], RTOL_ITER, "common tau2")
    close("subgroup", [com.q_between, com.q_between_pvalue],
          [ref["common"]["QM"], ref["common"]["QMp"]], RTOL_ITER, "QM")  # fmt: skip
    assert com.q_between_df[0] == ref["common"]["QMdf"][0]
    assert com.distribution == ("chi2" if t == "z" else "F")


# --- the R script reproduces the committed fixtures ------------------------------------------------


def _r_available() -> str | None:
    """Return why the R check cannot run, or None when it can."""
    if shutil.which("Rscript") is None:
        return "Rscript not found (install r-cran-metafor and r-cran-lme4 to run this check)"
    probe = subprocess.run(
        ["Rscript", "-e", "library(metafor); library(lme4)"], capture_output=True, text=True
    )
    if probe.returncode != 0:
        return "R is installed but metafor or lme4 is missing (apt-get install r-cran-metafor r-cran-lme4)"
    return None


def _same(a, b, path: str) -> None:
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            _same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list) and a and isinstance(a[0], dict | list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{path}[{i}]")
    elif isinstance(a, list) and any(isinstance(x, str | bool) for x in a):
        assert a == b, path
    elif isinstance(a, list | float | int) and not isinstance(a, bool):
        np.testing.assert_allclose(arr(a), arr(b), rtol=RTOL_ITER, atol=ATOL, err_msg=path)
    else:
        assert a == b, path


@pytest.mark.r
def test_r_script_reproduces_fixtures(tmp_path):
    reason = _r_available()
    if reason:
        pytest.skip(reason)
    run = subprocess.run(
        ["Rscript", str(SCRIPT), str(tmp_path)], capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr
    committed = sorted(p.name for p in FIXTURES.glob("*.json"))
    assert sorted(p.name for p in tmp_path.glob("*.json")) == committed
    for name in committed:
        new = json.loads((tmp_path / name).read_text())
        old = json.loads((FIXTURES / name).read_text())
        assert new["source"]["calls"] == old["source"]["calls"], name
        _same(new["data"], old["data"], f"{name}:data")
        _same(new["results"], old["results"], f"{name}:results")

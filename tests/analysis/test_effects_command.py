"""The `effects` command, the derivation sensitivity analyses and the reconciliation text.

Expectations are computed from the same analysis objects the reports use (never typed
numbers): the command must print exactly what ``ldn.efficacy`` holds.
"""

import csv
import io
import json
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from ldn_analysis.analysis import efficacy, select
from ldn_analysis.analysis.efficacy import RHO_RANGE
from ldn_analysis.cli import main
from ldn_analysis.paths import PROJ_ROOT
from ldn_analysis.text import effects_report
from ldn_analysis.text.format import study_names
from ldn_analysis.text.summaries import reconciliation_text
from ldn_analysis.vocab import CROSSOVER_DESIGNS

TABLES = ("studies", "outcomes", "adverse_events", "registrations", "reviews", "conditions")


def _run(capsys, *args):
    code = main(["effects", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def fm_pain(real_evidence):
    return efficacy(select(real_evidence, "fibromyalgia"), "pain", "REML", "knha")


def test_json_pools_the_abstract_only_trials(capsys, fm_pain):
    code, out, _ = _run(capsys, "--condition", "fibromyalgia", "--outcome", "pain",
                        "--format", "json")  # fmt: skip
    assert code == 0
    data = json.loads(out)
    ids = [s["study_id"] for s in data["studies"]]
    assert len(ids) >= 4 and {"younger_2013", "bested_2023"} <= set(ids)
    for s in data["studies"]:
        assert s["derivation"] and s["source"].startswith("http") and s["measure"] == "SMD"
        assert isinstance(s["derived"], bool)
    # the same numbers as the report's analysis object
    r = fm_pain.result
    pooled = data["pooled"]
    assert pooled["k"] == r.k == len(ids)
    for key in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high", "tau2", "i2"):
        assert pooled[key] == pytest.approx(getattr(r, key))
    assert pooled["interval_method"] == effects_report.interval_method(r)
    assert [s["yi"] for s in data["studies"]] == pytest.approx(list(fm_pain.effects["yi"]))
    sens = {(s["analysis"], s["rho"]): s for s in data["sensitivity"]}
    direct = sens[("direct", None)]
    assert direct["k"] == sum(not s["derived"] for s in data["studies"])
    assert direct["k"] < pooled["k"] and "younger_2013" in direct["left_out"]
    assert {rho for (a, rho) in sens if a == "rho"} == set(RHO_RANGE)


def test_sensitivity_is_computed_once_in_the_analysis(fm_pain):
    a = fm_pain.assumptions
    primary = a[a["analysis"] == "primary"].iloc[0]
    assert primary["estimate"] == fm_pain.result.estimate and primary["k"] == fm_pain.k
    direct = a[a["analysis"] == "direct"].iloc[0]
    assert direct["estimate"] == pytest.approx(fm_pain.direct_result.estimate)
    rho = a[a["analysis"] == "rho"].set_index("rho")
    assert rho.loc[fm_pain.rho, "estimate"] == pytest.approx(fm_pain.result.estimate)
    paired = fm_pain.effects["design"].isin(CROSSOVER_DESIGNS)
    assert fm_pain.effects.loc[paired, "uses_rho"].all()
    assert rho["estimate"].nunique() == len(RHO_RANGE)  # crossover SMDs move with rho


def test_table_and_csv_carry_the_same_numbers(capsys, fm_pain):
    code, table, _ = _run(capsys, "--condition", "fibromyalgia")
    assert code == 0
    for sid in fm_pain.effects["study_id"]:
        assert sid in table
    assert f"k = {fm_pain.k}, estimate {fm_pain.result.estimate:.3f}" in table
    assert "directly reported effects only" in table and "rho = 0.8" in table
    code, out, _ = _run(capsys, "--condition", "fibromyalgia", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    studies = [r for r in rows if r["row"] == "study"]
    assert [r["study_id"] for r in studies] == list(fm_pain.effects["study_id"])
    assert all(r["derivation"] for r in studies)
    pooled = next(r for r in rows if r["row"] == "pooled")
    assert float(pooled["estimate"]) == pytest.approx(fm_pain.result.estimate)
    assert sum(r["row"] == "sensitivity" for r in rows) == len(fm_pain.assumptions)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--condition", "narnia"], "parameter 'condition'"),
        (["--condition", "fibromyalgia", "--method", "XX"], "Valid choices: FE"),
        (["--condition", "fibromyalgia", "--test", "nope"], "parameter 'test'"),
        (["--condition", "fibromyalgia", "--rho", "2"], "must be <= 1"),
        (["--condition", "fibromyalgia", "--outcome", "joy"], "parameter 'outcome'"),
        (["--condition", "fibromyalgia", "--format", "xml"], "unknown format 'xml'"),
    ],
)
def test_bad_values_give_one_line_errors(capsys, args, words):
    code, out, err = _run(capsys, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and words in err


def test_closed_pipe_exits_quietly():
    proc = subprocess.Popen(
        [sys.executable, "-m", "ldn_analysis", "effects", "--condition", "fibromyalgia",
         "--format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=PROJ_ROOT,
    )  # fmt: skip
    proc.stdout.close()  # the reader goes away before the command writes
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipe" not in err
    assert proc.returncode != 1


def test_reconciliation_redoes_each_review(fm_pain, real_evidence):
    rc = fm_pain.reconciliation
    assert list(rc["result_id"]) == list(fm_pain.published["result_id"])
    for r in rc.itertuples():
        assert r.method == "DL" and r.test == "z"  # every review here: DL or unstated
        if r.measure == "MD":
            assert r.scale == "0-10" and set(r.off_scale) >= {"younger_2013", "bested_2023"}
        else:
            assert set(r.study_ids) == set(fm_pain.effects["study_id"])
    text = reconciliation_text(fm_pain)
    for r in rc.itertuples():
        assert f"{r.label} redone its way" in text
        assert f"{r.estimate:.2f} (95% CI {r.ci_low:.2f} to {r.ci_high:.2f})" in text
    names = study_names(real_evidence.studies)  # the text names studies by citation, not id
    paired = f"{names['younger_2013']} and {names['bested_2023']}"
    assert f"crossover handling: we analyse {paired} as paired" in text
    assert "younger_2013" not in text
    assert "derived effects:" in text and "with only directly reported effects" in text
    assert "measure: raw mean differences need one scale" in text
    ours = fm_pain.ours()
    redone = ours[ours["label"].str.startswith("ours as")]
    assert len(redone) == len(rc.loc[rc["k"] > 0, ["measure", "study_ids"]].drop_duplicates())
    assert "ours as Saif 2026 / Vatvani 2024: DL, z (2 studies)" in set(redone["label"])
    table = effects_report.reconciliation_table(fm_pain).frame
    assert list(table["published meta-analysis"]) == list(rc["label"])


def test_reconciliation_pools_the_studies_a_review_names(real_evidence):
    ev = SimpleNamespace(**{t: getattr(real_evidence, t).copy() for t in TABLES})
    rev = ev.reviews
    vat = rev["result_id"] == "rev_vatvani_2024_pain"
    rev.loc[vat, "included_study_ids"] = "bruun_2024;younger_2013;nonexistent_2099"
    eff = efficacy(select(ev, "fibromyalgia"), "pain", "REML", "knha")
    r = eff.reconciliation.set_index("result_id").loc["rev_vatvani_2024_pain"]
    assert r["named"] and r["study_ids"] == ("bruun_2024",)  # younger_2013 is off the MD scale
    assert r["not_in_ours"] == ("younger_2013", "nonexistent_2099")
    assert "rodriguezfreire_nd" in r["not_in_theirs"]
    text = reconciliation_text(eff)
    names = study_names(real_evidence.studies)
    pooled = f"{names['younger_2013']} and nonexistent_2099"  # an id not in our data stays
    assert f"it pooled {pooled}, for which our data hold no usable" in text


def test_every_placebo_condition_gets_derived_effects(real_evidence):
    s = real_evidence.studies
    conditions = sorted(set(s.loc[s["comparator"] == "placebo", "condition"]))
    pooled = {}
    for c in conditions:
        sel = select(real_evidence, c)
        o = sel.outcomes
        for outcome in sorted(set(o.loc[o["comparison"] == "ldn_vs_placebo", "outcome"])):
            eff = efficacy(sel, outcome)
            assert (eff.effects["derivation"].str.len() > 0).all(), (c, outcome)
            assert len(eff.assumptions) >= 2 if eff.k else eff.assumptions.empty
            if eff.k:
                pooled[(c, outcome)] = eff.k
    assert pooled[("fibromyalgia", "pain")] >= 4
    assert pooled.get(("multiple_sclerosis", "pain"), 0) >= 1  # cree_2010: MD with p, crossover
    assert {c for c, _ in pooled} >= {"fibromyalgia", "multiple_sclerosis", "headache"}
    assert np.isfinite(list(pooled.values())).all()

"""Absolute effects: the pooled SMD in points, the MID comparison and a responder analysis.

Expectations are recomputed from the data by a different route (each trial's SD from its
reported confidence interval or p value), never typed.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import ldn_analysis as ldn
from ldn_analysis.analysis import absolute as A
from ldn_analysis.errors import LDNError
from ldn_analysis.stats.inference import Z95
from ldn_analysis.stats.risk_difference import newcombe


@pytest.fixture(scope="module")
def eff(real_evidence):
    return ldn.efficacy(ldn.select(real_evidence, "fibromyalgia"), "pain")


def _sd_from_report(row: pd.Series) -> float:
    """SD = SE / sqrt(1/n1 + 1/n2), SE from the reported 95% CI, else from the exact p (t)."""
    n1, n0 = float(row["n_ldn"]), float(row["n_ctrl"])
    if pd.notna(row["ci_low"]):
        se = (float(row["ci_high"]) - float(row["ci_low"])) / (2 * Z95)
    else:
        se = abs(float(row["estimate"])) / stats.t.isf(float(row["p_value"]) / 2, n1 + n0 - 2)
    return se / np.sqrt(1 / n1 + 1 / n0)


def test_representative_sd_is_recovered_from_each_trial(eff):
    sd = A.representative_sd(eff)
    rows = eff.effects.set_index("study_id").loc[list(sd.studies)]
    assert set(rows["scale_max"]) == {10.0} and set(rows["scale_min"]) == {0.0}
    expected = [_sd_from_report(r) for _, r in rows.iterrows()]
    assert sd.per_study == pytest.approx(expected, rel=1e-6)
    df = np.array(sd.n) - 2
    assert sd.sd == pytest.approx(np.sqrt(np.sum(df * np.square(expected)) / df.sum()))


def test_absolute_effect_is_the_pooled_smd_times_the_sd(eff):
    ae = A.absolute_effect(eff)
    r = eff.result  # the same pooled analysis the efficacy pages show
    assert (ae.smd, ae.smd_low, ae.smd_high) == (r.estimate, r.ci_low, r.ci_high)
    assert (ae.points, ae.low, ae.high) == pytest.approx(
        (r.estimate * ae.sd.sd, r.ci_low * ae.sd.sd, r.ci_high * ae.sd.sd)
    )


def test_no_sd_without_a_trial_on_the_scale(eff):
    with pytest.raises(LDNError, match="0-100 scale"):
        A.representative_sd(eff, scale=(0, 100))
    with pytest.raises(LDNError, match="pooled SMD"):
        A.representative_sd(replace(eff, measure="MD"))


@pytest.mark.parametrize(
    ("low", "high", "position"),
    [(2.5, 3.0, "larger_than_mid"), (-0.5, 2.0, "could_reach_mid"), (-0.5, 1.9, "below_mid")],
)
def test_mid_position(low, high, position):
    assert A.mid_position(low, high, 2.0) == position


def test_mids_are_read_from_the_data(real_evidence):
    mids = A.minimal_important_differences(real_evidence, "pain")
    assert len(mids) and set(mids["outcome"]) == {"pain"}
    assert (mids["doi"].notna() | mids["pmid"].notna()).all()
    with pytest.raises(LDNError, match="mid_id"):
        A.mid_row(real_evidence, "nobody_1999_points")


def test_responders_rebuilt_from_the_reported_percentages(real_evidence):
    o = real_evidence.outcomes.set_index("outcome_id").loc["bruun_2024_pain_resp30"]
    r = A.responder_difference(real_evidence, "bruun_2024_pain_resp30")
    for count, n, p in ((r.rd.x1, r.n_ldn, o["mean_ldn"]), (r.rd.x0, r.n_ctrl, o["mean_ctrl"])):
        assert round(100 * count / n) == round(100 * p)
    assert r.rd == newcombe(r.rd.x1, r.n_ldn, r.rd.x0, r.n_ctrl)
    assert r.nnt.nnt == pytest.approx(1 / r.rd.rd)
    assert r.nnt.crosses_zero == (r.rd.low < 0 < r.rd.high)


def test_a_row_that_is_not_a_responder_analysis_is_refused(real_evidence):
    with pytest.raises(LDNError, match="arm_means"):
        A.responder_difference(real_evidence, "bruun_2024_pain_md")
    with pytest.raises(LDNError, match="no row"):
        A.responder_difference(real_evidence, "nobody_1999_resp")

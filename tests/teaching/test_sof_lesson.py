"""The summary-of-findings lesson reads the efficacy pages' own analysis and the MID table.

The exercises of ``teach_summary_of_findings`` are also typed into (right, wrong, an
unknown word) by the executed-notebook tests of ``test_teaching.py``.
"""

from __future__ import annotations

import pytest

import ldn_analysis as ldn
from ldn_analysis import teaching as T
from ldn_analysis.analysis import absolute as A
from ldn_analysis.teaching import exercises as X
from ldn_analysis.teaching import summary_of_findings as S
from ldn_analysis.text.sof import summary_of_findings


def test_the_box_is_the_efficacy_pages_box(real_evidence):
    sel = ldn.select(real_evidence, S.CONDITION)
    page = summary_of_findings(ldn.efficacy(sel, S.OUTCOME), sel)
    assert T.sof_box(real_evidence).text() == page.text()


def test_answers_come_from_the_analysis_and_the_data(real_evidence):
    sel = ldn.select(real_evidence, S.CONDITION)
    ae = A.absolute_effect(ldn.efficacy(sel, S.OUTCOME))
    assert X.answer("sof_points", real_evidence) == pytest.approx(ae.points)
    mid = A.mid_row(real_evidence, S.MID_ID)
    assert X.answer("sof_mid", real_evidence) == A.mid_position(ae.low, ae.high, mid["mid_value"])
    row = real_evidence.outcomes.set_index("outcome_id").loc[S.RESPONDER_OUTCOME]
    expected = 1 / (row["mean_ldn"] - row["mean_ctrl"])
    assert X.answer("sof_nnt", real_evidence) == pytest.approx(expected)


def test_slips_are_named(real_evidence):
    v = X.EXERCISES["sof_points"].setup(real_evidence)
    divided = X.check("sof_points", round(v["smd"] / v["sd"], 4), real_evidence)
    assert not divided.ok and "divided" in divided.message
    flipped = X.check("sof_points", -round(v["smd"] * v["sd"], 3), real_evidence)
    assert not flipped.ok and "sign" in flipped.message
    n = X.EXERCISES["sof_nnt"].setup(real_evidence)
    rd = X.check("sof_nnt", n["p1"] - n["p0"], real_evidence)
    assert not rd.ok and "risk difference" in rd.message


def test_the_completed_row_says_units_sides_and_the_nnt_interval(real_evidence):
    row = T.sof_row(real_evidence).iloc[0]
    assert "0-10 scale" in row["outcome"]
    r = A.responder_difference(real_evidence, S.RESPONDER_OUTCOME)
    cell = next(v for k, v in row.items() if k.startswith("responders"))
    assert ("to infinity to NNT harm" in cell) == r.nnt.crosses_zero
    text = T.responder_text(real_evidence)
    assert f"{r.rd.x1} of {r.n_ldn}" in text and f"{r.rd.x0} of {r.n_ctrl}" in text
    alt = T.points_chart(real_evidence).alt
    assert "less pain on LDN" in alt and "positive = less pain on LDN" in alt

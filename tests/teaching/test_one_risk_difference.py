"""One risk difference, one interval: the harm exercise and the claims chart agree."""

from __future__ import annotations

import pytest

from ldn_analysis.stats.risk_difference import newcombe
from ldn_analysis.teaching.claims_vs_evidence import ae_excess, any_ae_arms
from ldn_analysis.teaching.harms import harm_values


def test_harm_exercise_and_claims_chart_print_the_same_interval(real_evidence):
    v = harm_values(real_evidence)
    excess = ae_excess(any_ae_arms(real_evidence)).set_index("study_id").loc[v["study_id"]]
    reference = newcombe(v["e1"], v["n1"], v["e0"], v["n0"])
    for got, want in (
        (v["rd_low"], 100 * excess["low"]),
        (v["rd_high"], 100 * excess["high"]),
        (excess["low"], reference.low),
        (excess["high"], reference.high),
    ):
        assert got == pytest.approx(want, abs=1e-12)

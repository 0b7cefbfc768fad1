"""The side-effect range chart teaches what the verdict of its claim reads.

The verdict of ``ae_any_range`` grades the drug-attributed excess (LDN minus placebo in
the same trial), not all-cause rates; the chart must draw that excess with the verdict's
numbers, show all-cause arm rates as such, and say in its caption which rate was graded.
"""

from __future__ import annotations

import pandas as pd
import pytest

import ldn_analysis as ldn
import ldn_analysis.figures.palette as pal
from ldn_analysis import claims as C
from ldn_analysis import teaching as T
from ldn_analysis.teaching.claims_vs_evidence import ae_excess, any_ae_arms


@pytest.fixture(scope="module")
def evidence():
    return ldn.load_evidence()


@pytest.fixture(scope="module")
def headline_chart(evidence):
    claims = ldn.load_claims()
    claim_id = T.headline_claims(claims)["side_effect_range"]
    row = claims[claims["claim_id"] == claim_id].iloc[0]
    args = C.parse_args(row["proposition_args"])
    chart = T.side_effect_range_chart(evidence, claims, claim_id)
    return chart, args, C.ae_any_range(evidence, **args)


def _excess_traces(fig):
    return [t for t in fig.data if t.xaxis == "x2"]


def test_excess_drawn_is_the_verdicts_number(headline_chart, evidence):
    chart, args, verdict = headline_chart
    drawn = {y: x for t in _excess_traces(chart.figure) for x, y in zip(t.x, t.y, strict=True)}
    excess = ae_excess(any_ae_arms(evidence, args.get("condition", "any")))
    assert len(drawn) == len(excess) > 0
    for r in excess.itertuples():
        # the verdict's own text carries each trial's excess and interval
        words = (
            f"excess {100 * r.excess:+.0f} points, 95% CI {100 * r.low:+.0f} to {100 * r.high:+.0f}"
        )
        who = C.study_label(evidence, r.study_id)  # named by citation, never by id
        assert f"{who} " in verdict.deciding_numbers and words in verdict.deciding_numbers, (
            verdict.deciding_numbers
        )
        assert any(abs(x - 100 * r.excess) < 1e-9 for x in drawn.values())


def test_excess_colours_follow_the_verdict(headline_chart):
    chart, args, verdict = headline_chart
    names = {t.name for t in _excess_traces(chart.figure)}
    expected = {
        "supported": {"LDN minus placebo: within the claim"},
        "contradicted": {"LDN minus placebo: whole interval above the claim"},
    }.get(verdict.verdict)
    if verdict.verdict == "supported":
        assert names == expected
    elif verdict.verdict == "contradicted":
        assert expected <= names
    colours = {t.marker.color for t in chart.figure.data}
    assert colours <= pal.PALETTE


def test_chart_names_all_cause_and_drug_attributed_rates(headline_chart):
    chart, _, _ = headline_chart
    layout = chart.figure.layout
    assert "all-cause" in layout.xaxis.title.text
    assert "drug-attributed" in layout.xaxis2.title.text
    assert "The verdict reads the drug-attributed rate" in chart.alt
    assert "LDN minus on placebo" in chart.alt
    legend = [t.name for t in chart.figure.data if t.xaxis != "x2"]
    assert all("all-cause" in n for n in legend), legend


def test_each_placebo_arm_sits_beside_its_ldn_arm(headline_chart, evidence):
    chart, args, _ = headline_chart
    order = list(chart.figure.layout.yaxis.categoryarray)
    placebo = [y for t in chart.figure.data if t.name.startswith("placebo arm") for y in t.y]
    assert placebo
    for label in placebo:
        i = order.index(label)
        assert order[i + 1] == label.replace("placebo arm", "LDN arm")


def test_condition_without_a_placebo_arm_grades_nothing(evidence):
    verdict = C.ae_any_range(evidence, 0, 33, condition="me_cfs")
    assert verdict.verdict == "unsupported"
    claims = pd.DataFrame(
        [{"claim_id": "x1", "proposition_args": "low=0;high=33;condition=me_cfs"}]
    )
    chart = T.side_effect_range_chart(evidence, claims, "x1")
    assert chart.empty or not _excess_traces(chart.figure)
    if not chart.empty:
        assert "no trial has a placebo arm" in chart.alt

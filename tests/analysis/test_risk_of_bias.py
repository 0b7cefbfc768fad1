"""Risk of bias: the per-selection table, the robvis-style figures and the certainty domain.

Every id here is fake (``fake_2001``...) and every judgement invented; expected values are
computed from these inputs in the test, never typed from a result.
"""

from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest

from ldn_analysis import figures, vocab
from ldn_analysis.analysis.risk_of_bias import (
    ROB_TABLE_COLUMNS,
    overall_by_study,
    risk_of_bias_table,
    study_label,
)
from ldn_analysis.analysis.selection import select
from ldn_analysis.figures import palette
from ldn_analysis.figures.risk_of_bias import ROB_COLORS, ROB_SYMBOLS
from ldn_analysis.text import certainty as cert
from ldn_analysis.text.format import fmt

DOMAINS = vocab.ROB_DOMAINS
JUDGED = {  # study -> judgement per domain (D1..D5, overall)
    "fake_2001": ("low", "low", "low", "low", "low", "low"),
    "fake_2002": ("some_concerns", "low", "high", "low", "low", "high"),
    "fake_2003": ("some_concerns", "low", "low", "low", "some_concerns", "some_concerns"),
}


def _rob_rows(judged=JUDGED) -> pd.DataFrame:
    rows = [
        {
            "study_id": sid,
            "tool": "rob2",
            "outcome_assessed": "pain",
            "domain": d,
            "judgement": j,
            "support": f"support for {sid} {d}",
            "source_url": f"https://example.org/{sid}",
            "assessor": "extractor_a",
            "notes": "",
        }
        for sid, js in judged.items()
        for d, j in zip(DOMAINS, js, strict=True)
    ]
    return pd.DataFrame(rows)


def _evidence(rob: pd.DataFrame | None = None, *, as_resource: bool = False):
    studies = pd.DataFrame(
        {
            "study_id": ["fake_2001", "fake_2002", "fake_2003", "fake_2004", "fake_2005"],
            "first_author": ["Alpha", "Beta", "Beta", "Delta", "Epsilon"],
            "year": [2001, 2002, 2002, 2004, 2005],
            "condition": ["fakeitis"] * 5,
            "design": [
                "rct_parallel",
                "rct_crossover",
                "rct_parallel",
                "rct_parallel",
                "open_label_single_arm",
            ],
            "randomized": [True, True, True, True, False],
            "blinding": ["double_blind"] * 4 + ["open_label"],
            "n_analyzed": [100, 60, 40, 20, 30],
            "source_url": [f"https://example.org/fake_{i}" for i in range(5)],
        }
    )
    empty = pd.DataFrame({"study_id": pd.Series(dtype=str)})
    ns = types.SimpleNamespace(
        studies=studies,
        outcomes=empty,
        adverse_events=empty,
        registrations=pd.DataFrame({"registry_id": [], "condition": []}),
        reviews=pd.DataFrame({"condition": []}),
    )
    if as_resource:
        ns.tables = {"risk_of_bias": rob}
    elif rob is not None:
        ns.risk_of_bias = rob
    return ns


@pytest.fixture
def selection():
    return select(_evidence(_rob_rows()), "fakeitis")


def test_table_rob2_rows_then_design_tiers(selection):
    t = risk_of_bias_table(selection)
    assert list(t.columns) == list(ROB_TABLE_COLUMNS)
    rob2 = t[t["basis"] == "rob2"]
    assert rob2.groupby("study_id").size().to_dict() == {s: len(DOMAINS) for s in JUDGED}
    design = t[t["basis"] == "design"].set_index("study_id")
    assert set(design.index) == {"fake_2004", "fake_2005"}
    assert (design["domain"] == "overall").all()
    # computed from design, not stored: randomised double-blind vs uncontrolled
    assert (
        design.at["fake_2004", "judgement"] == vocab.design_risk("rct_parallel", "double_blind")[0]
    )
    assert design.at["fake_2005", "judgement"] == "high"
    assert risk_of_bias_table(selection) is risk_of_bias_table(selection)  # once per selection


def test_rob_is_read_from_the_evidence_resource_too():
    sel = select(_evidence(_rob_rows(), as_resource=True), "fakeitis")
    assert set(sel.risk_of_bias["study_id"]) == set(JUDGED)
    no_rob = select(_evidence(None), "fakeitis")
    assert no_rob.risk_of_bias.empty
    assert (risk_of_bias_table(no_rob)["basis"] == "design").all()


def test_duplicate_author_years_get_letters():
    df = pd.DataFrame(
        {"study_id": ["a", "b", "c"], "first_author": ["Beta", "Beta", "Gamma"], "year": [2002] * 3}
    )
    assert study_label(df).tolist() == ["Beta 2002a", "Beta 2002b", "Gamma 2002"]


def test_overall_by_study_takes_the_worst_outcome(selection):
    rows = _rob_rows()
    extra = rows[rows["study_id"] == "fake_2001"].assign(
        outcome_assessed="fatigue", judgement="high"
    )
    t = risk_of_bias_table(selection, pd.concat([rows, extra]))
    o = overall_by_study(t).set_index("study_id")
    assert o.at["fake_2001", "judgement"] == "high"
    assert len(o) == 5


def test_traffic_light_lights_colours_symbols_and_hover(selection):
    chart = figures.risk_of_bias_chart(selection)
    fig = chart.figure
    by_name = {tr.name: tr for tr in fig.data}
    assert set(by_name) <= {vocab.ROB_LABELS[j] for j in ROB_COLORS}
    n_points = sum(len(tr.x) for tr in fig.data)
    # 3 RoB 2 studies x 6 lights, 1 unassessed RCT x 6 (5 not assessed + overall tier),
    # 1 row for the one non-randomised design (overall only)
    assert n_points == 3 * 6 + 6 + 1
    for j, colour in ROB_COLORS.items():
        tr = by_name.get(vocab.ROB_LABELS[j])
        if tr is not None:
            assert tr.marker.color == colour and set(tr.text) == {ROB_SYMBOLS[j]}
    assert set(ROB_COLORS.values()) <= palette.PALETTE
    ticks = list(fig.layout.yaxis.ticktext)
    high = by_name["High risk"]
    assert ticks[:3] == ["Alpha 2001", "Beta 2002a", "Beta 2002b"]
    assert ticks[-1] == "Open-label single arm (1 study)"
    unassessed = by_name["Not assessed"]  # fake_2004: randomised, no RoB 2 row
    assert len(unassessed.x) == len(DOMAINS) and set(unassessed.marker.symbol) == {"circle"}
    assert {ticks[y] for y in unassessed.y} == {"Delta 2004"}
    diamonds = [s for s in high.marker.symbol if s == "diamond"]
    assert len(diamonds) == 1  # the design-based tier of the open-label study
    hov = " ".join(high.hovertext)
    assert "support for fake_2002 d3_missing_data" in hov
    assert "design-based tier, not a RoB 2 assessment" in hov
    assert "https://example.org/fake_2002" in {c[0] for c in high.customdata}
    overall = [k for k in JUDGED if JUDGED[k][-1] == "high"]
    assert f"{len(overall)} at high risk" in chart.alt


def test_summary_bars_are_weighted_by_participants(selection):
    chart = figures.risk_of_bias_summary_chart(selection)
    fig = chart.figure
    n = {"fake_2001": 100, "fake_2002": 60, "fake_2003": 40}
    total = sum(n.values())
    overall_index = list(fig.data[0].y).index("Overall")
    got = {tr.name: tr.x[overall_index] for tr in fig.data}
    for j in vocab.ROB_JUDGEMENTS:
        want = 100 * sum(n[s] for s in JUDGED if JUDGED[s][-1] == j) / total
        assert got[vocab.ROB_LABELS[j]] == pytest.approx(want)
    for i in range(len(fig.data[0].y)):
        assert sum(tr.x[i] for tr in fig.data) == pytest.approx(100)
        labels = [int(tr.text[i].rstrip("%") or 0) for tr in fig.data if tr.text[i]]
        assert sum(labels) <= 100
    assert f"({total} participants)" in chart.alt


def test_empty_and_unassessed_selections_say_so():
    no_rob = select(_evidence(None), "fakeitis")
    assert figures.risk_of_bias_summary_chart(no_rob).empty
    assert "has a RoB 2 assessment" in figures.risk_of_bias_summary_chart(no_rob).alt
    assert not figures.risk_of_bias_chart(no_rob).empty  # design tiers are still shown
    nothing = select(_evidence(None), "no_such_condition")
    assert figures.risk_of_bias_chart(nothing).empty


# --- certainty: the risk-of-bias domain -------------------------------------------------


def _effects(ids):
    sel_studies = _evidence().studies.set_index("study_id")
    return pd.DataFrame(
        {
            "study_id": ids,
            "design": [sel_studies.at[i, "design"] for i in ids],
            "blinding": [sel_studies.at[i, "blinding"] for i in ids],
        }
    )


@pytest.mark.parametrize(
    ("ids", "weights"),
    [
        (["fake_2001", "fake_2002"], [70.0, 30.0]),
        (["fake_2001", "fake_2002"], [30.0, 70.0]),
        (["fake_2002", "fake_2003"], [40.0, 60.0]),
        (["fake_2001", "fake_2003"], [55.0, 45.0]),
        (["fake_2001", "fake_2004"], [50.0, 50.0]),
        (["fake_2002", "fake_2005"], [50.0, 50.0]),
    ],
)
def test_certainty_rob_domain_follows_the_weighted_judgements(selection, ids, weights):
    down, why = cert._risk_of_bias(_effects(ids), weights, selection)
    table = overall_by_study(risk_of_bias_table(selection)).set_index("study_id")
    share = dict.fromkeys(vocab.ROB_JUDGEMENTS, 0.0)
    for sid, w in zip(ids, weights, strict=True):
        share[table.at[sid, "judgement"]] += w / sum(weights) * 100
    expected = (
        -2 if share["high"] > 50 else -1 if share["high"] + share["some_concerns"] > 50 else 0
    )
    assert down == expected
    for sid in ids:  # every pooled study is named with its judgement
        assert table.at[sid, "label"] in why
    if "fake_2004" in ids or "fake_2005" in ids:
        assert "by design (no RoB 2 assessment)" in why


def test_certainty_profile_uses_the_table(selection):
    eff = types.SimpleNamespace(
        k=2,
        result=types.SimpleNamespace(
            weights=(30.0, 70.0), i2=0.0, k=2, ci_low=0.1, ci_high=0.9, estimate=0.5
        ),
        effects=_effects(["fake_2001", "fake_2002"]).assign(duration_weeks=[12.0, 12.0]),
        participants=160,
        outcome="pain",
        measure="SMD",
        egger=None,
    )
    c = cert.certainty(eff, selection)
    assert c.domains["risk of bias"][0] == -2
    assert "Beta 2002a high risk (" in c.domains["risk of bias"][1]
    assert np.isclose(sum(eff.result.weights), 100)


def test_certainty_rob_without_usable_weights_counts_studies_equally(selection):
    e = _effects(["fake_2001", "fake_2002", "fake_2003"])
    down, why = cert._risk_of_bias(e, (), selection)
    # two of three studies (67%) are at some concerns or high, none above half at high
    assert down == -1
    assert why.startswith(f"{fmt(100 * 2 / 3, 0)}% of the weight")

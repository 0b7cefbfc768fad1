"""Figure builders on small fake tables: traces, values, titles, hover, palette, alt text.

Every id here is fake (``fake_2001``...) and every number invented; the builders never
read files, so the fixtures are plain DataFrames and real pooling results on fake effects.
"""

from __future__ import annotations

import base64
import math

import numpy as np
import pandas as pd
import pytest

from ldn_analysis import figures, vocab
from ldn_analysis.figures import palette
from ldn_analysis.figures._base import HOVER_WIDTH
from ldn_analysis.stats.rma import METHODS, TESTS, pool

URL = "https://example.org/{}"

PLOTLY = "application/vnd.plotly.v1+json"


@pytest.fixture
def studies():
    return pd.DataFrame(
        {
            "study_id": ["fake_2001", "fake_2002", "fake_2003", "fake_2004", "fake_2005"],
            "condition": ["fakeitis", "fakeitis", "fakeitis", "otheritis", "otheritis"],
            "design": [
                "rct_parallel",
                "case_report",
                "open_label_single_arm",
                "rct_crossover",
                "retrospective_cohort",
            ],
            "n": [100.0, 1.0, 30.0, np.nan, 60.0],
            "dose_mg_min": [4.5, 1.5, 0.5, np.nan, 3.0],
            "dose_mg_max": [4.5, 3.0, 4.5, np.nan, 4.5],
            "duration_weeks": [12.0, np.nan, 8.0, 16.0, 26.0],
            "year": [2001, 2002, 2003, np.nan, 2003],
            "primary_result": ["no_difference", "benefit", "benefit", np.nan, "benefit"],
            "source_url": [URL.format(i) for i in range(1, 6)],
        }
    )


@pytest.fixture
def effects():
    return pd.DataFrame(
        {
            "study_id": ["fake_2011", "fake_2012", "fake_2013", "fake_2014"],
            "first_author": ["Alpha", "Beta", "Gamma", "Delta"],
            "yi": [0.5, 0.1, -0.2, 0.3],
            "vi": [0.04, 0.05, 0.08, 0.1],
            "design": ["rct_parallel", "rct_crossover", "rct_parallel", "rct_parallel"],
            "n": [120.0, 40.0, 60.0, 30.0],
            "dose_mg_min": [4.5, 4.5, 1.0, np.nan],
            "dose_mg_max": [4.5, 4.5, 4.5, np.nan],
            "duration_weeks": [12.0, 8.0, 16.0, 10.0],
            "year": [2011, 2012, 2013, 2014],
            "comparison": ["ldn_vs_placebo"] * 4,
            "source_url": [URL.format(f"e{i}") for i in range(4)],
        }
    )


@pytest.fixture
def result(effects):
    return pool(effects["yi"], effects["vi"], method="REML", test="knha")


def _plain(node):
    """Decode plotly's typed arrays ({"dtype", "bdata"}) in a figure dict into lists."""
    if isinstance(node, dict):
        if set(node) >= {"dtype", "bdata"}:
            flat = np.frombuffer(base64.b64decode(node["bdata"]), dtype=node["dtype"])
            return flat.reshape(node["shape"]).tolist() if "shape" in node else flat.tolist()
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [_plain(v) for v in node]
    return node


def _data(chart):
    return _plain(chart.figure.to_dict()["data"])


def _colours(node):
    """Every colour string under a trace dict (marker, line, error bars, fill)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"color", "fillcolor"}:
                yield from (value if isinstance(value, list) else [value])
            else:
                yield from _colours(value)
    elif isinstance(node, list):
        for item in node:
            yield from _colours(item)


def _assert_palette(chart):
    used = set(_colours(_data(chart)))
    assert used, "no colour set explicitly"
    assert used <= palette.PALETTE, used - palette.PALETTE


def _study_traces(fig):
    return [t for t in _plain(fig.to_dict()["data"]) if t.get("customdata")]


def _assert_study_hover(chart, ids):
    traces = _study_traces(chart.figure)
    assert traces, "no trace carries study customdata"
    seen = set()
    for t in traces:
        for text, custom in zip(t["hovertext"], t["customdata"], strict=True):
            assert custom[0].startswith("https://example.org/")
            # the source opens on click (customdata) and is never printed in the hover
            assert custom[0] not in text and "http" not in text
            assert text.startswith("<b>")  # the study, named as "Author Year"
            for word in ("n = ", "mg/day", "weeks"):
                assert word in text or "not reported" in text
            assert all(len(line) <= HOVER_WIDTH + 40 for line in text.split("<br>"))
            seen.add(custom[1])
    assert set(ids) <= seen


# --------------------------------------------------------------------------- evidence base


def test_evidence_map_bubbles(studies):
    chart = figures.evidence_map(studies)
    data = _data(chart)
    assert {t["type"] for t in data} == {"scatter"}
    by_name = {t["name"]: t for t in data}
    benefit = by_name[vocab.RESULT_LABELS["benefit"]]
    assert benefit["marker"]["color"] == palette.RESULT_COLORS["benefit"]
    assert sorted(benefit["marker"]["size"]) == [1.0, 30.0, 60.0]
    assert vocab.RESULT_LABELS["not_reported"] in by_name  # the blank result
    assert "Evidence map" in chart.figure.layout.title.text
    assert "5 studies with 191 participants" in chart.alt
    assert "2 randomised controlled" in chart.alt
    _assert_palette(chart)
    _assert_study_hover(chart, studies["study_id"])


def test_evidence_ladder_blocks_and_totals(studies):
    chart = figures.evidence_ladder(studies[studies.condition == "fakeitis"], "fakeitis")
    bars = [t for t in _data(chart) if t["type"] == "bar"]
    widths = sorted(x for t in bars for x in t["x"])
    assert widths == [1.0, 30.0, 100.0]
    rows = chart.figure.layout.yaxis.categoryarray
    assert rows[-1] == "RCT, parallel"  # strongest design on top
    texts = [a.text for a in chart.figure.layout.annotations]
    assert any("1 study, 100 participants" in t for t in texts)
    assert "131 participants" in chart.alt and "fakeitis" in chart.alt
    _assert_palette(chart)
    _assert_study_hover(chart, ["fake_2001", "fake_2002", "fake_2003"])


def test_studies_by_year_counts_and_cumulative(studies):
    chart = figures.studies_by_year(studies)
    data = _data(chart)
    line = next(t for t in data if t["type"] == "scatter")
    assert list(line["x"]) == [2001, 2002, 2003]
    assert list(line["y"]) == [100, 101, 191]
    assert sum(len(t["x"]) for t in data if t["type"] == "bar") == 4
    assert chart.notes == ("1 study without a year not shown.",)
    _assert_palette(chart)


def test_registrations_hollow_when_unpublished():
    regs = pd.DataFrame(
        {
            "registry_id": ["NCT00000001", "NCT00000002", "NCT00000003"],
            "registry": ["clinicaltrials.gov"] * 3,
            "condition": ["fakeitis", "fakeitis", "otheritis"],
            "design": ["rct_parallel"] * 3,
            "status": ["completed", "recruiting", "completed"],
            "target_enrollment": [40, 60, 20],
            "start_date": ["2010-01", "2020-05-01", None],
            "completion_date": ["2012-01", None, "2015-03"],
            "results_posted": [True, False, None],
            "linked_study_id": [None, None, "fake_2001"],
            "source_url": [URL.format(f"r{i}") for i in range(3)],
        }
    )
    chart = figures.registrations_timeline(regs)
    by_name = {t["name"]: t for t in _data(chart)}
    ongoing = by_name["ongoing or status unknown, no results yet"]
    assert ongoing["marker"]["symbol"] == "circle-open"
    assert ongoing["customdata"][0][1] == "NCT00000002"
    assert len(by_name["published or results posted"]["x"]) == 2
    assert "2 with a publication" in chart.alt and "0 that ended" in chart.alt
    _assert_palette(chart)


def test_duration_and_dose(studies):
    dur = figures.duration_by_condition(studies)
    xs = sorted(x for t in _data(dur) for x in t["x"])
    assert xs == [8.0, 12.0, 16.0, 26.0]
    assert "median of 14 weeks" in dur.alt
    dose = figures.dose_by_duration(studies)
    pts = {(x, y) for t in _data(dose) for x, y in zip(t["x"], t["y"], strict=True)}
    assert pts == {(4.5, 12.0), (4.5, 8.0), (4.5, 26.0)}
    assert dose.notes and "2 studies" in dose.notes[0]
    for chart in (dur, dose):
        _assert_palette(chart)
        _assert_study_hover(chart, [])


# --------------------------------------------------------------------------- safety


@pytest.fixture
def ae_rows():
    return pd.DataFrame(
        {
            "study_id": ["fake_2001", "fake_2001", "fake_2003"],
            "event": ["vivid_dreams", "vivid_dreams", "serious_ae"],
            "arm": ["ldn", "placebo", "ldn"],
            "events": [10.0, 4.0, 0.0],
            "n_at_risk": [50.0, 50.0, 30.0],
            "proportion": [0.2, 0.08, 0.0],
            "ci_low": [0.11, 0.03, 0.0],
            "ci_high": [0.33, 0.19, 0.1],
            "interval": ["Wilson", "Wilson", "rule of three"],
            "design": ["rct_parallel", "rct_parallel", "open_label_single_arm"],
            "n": [100.0, 100.0, 30.0],
            "source_url": [URL.format(1), URL.format(1), URL.format(3)],
        }
    )


def test_ae_prevalence_zero_events_are_upper_bounds_in_their_own_panel(ae_rows):
    chart = figures.ae_prevalence(ae_rows)
    zero = next(t for t in _data(chart) if "zero events" in t["name"])
    counted = [t for t in _data(chart) if "zero events" not in t["name"]]
    # the zero count is drawn as its upper bound 3/n = 10%, on its own axes
    assert zero["type"] == "bar" and zero["x"] == [pytest.approx(10.0)]
    assert zero["xaxis"] == "x2" and all(t.get("xaxis", "x") == "x" for t in counted)
    assert not any(t.get("error_x", {}).get("array") == [pytest.approx(10.0)] for t in counted)
    assert "upper bounds (3/n)" in chart.alt
    _assert_palette(chart)
    _assert_study_hover(chart, ["fake_2001", "fake_2003"])


def test_pooled_prevalence_marks_single_studies():
    pooled = pd.DataFrame(
        {
            "event": ["any_ae", "headache"],
            "estimate": [0.5, 0.1],
            "ci_low": [0.4, 0.02],
            "ci_high": [0.6, 0.3],
            "k": [3, 1],
            "n": [150, 15],
            "events": [75, 1],
            "studies": ["fake_2001, fake_2002, fake_2003", "fake_2004"],
            "method": ["logit random effects (REML)", "single study (Wilson)"],
        }
    )
    chart = figures.pooled_prevalence(pooled)
    by_name = {t["name"]: t for t in _data(chart)}
    assert by_name["pooled (2+ studies)"]["x"] == [50.0]
    assert by_name["single study (not pooled)"]["marker"]["symbol"] == "diamond-open"
    assert "any adverse event at 50% (95% CI 40-60%, 3 studies)" in chart.alt
    assert "1 event rests on one study" in chart.alt
    _assert_palette(chart)


def test_risk_ratios_on_log_axis():
    rr = pd.DataFrame(
        {
            "study_id": ["fake_2001", "fake_2002"],
            "event": ["vivid_dreams", "serious_ae"],
            "rr": [2.5, np.nan],
            "ci_low": [1.1, np.nan],
            "ci_high": [5.7, np.nan],
            "events_ldn": [10, 0],
            "n_ldn": [50, 20],
            "events_ctrl": [4, 0],
            "n_ctrl": [50, 20],
            "note": ["log risk ratio", "no events in both arms"],
            "design": ["rct_parallel", "rct_parallel"],
            "source_url": [URL.format(1), URL.format(2)],
        }
    )
    chart = figures.risk_ratios(rr)
    assert chart.figure.layout.xaxis.type == "log"
    (trace,) = _data(chart)
    assert trace["x"] == [2.5]
    assert "1 of them excludes 1" in chart.alt
    assert "1 comparison with zero events in both arms is not estimable" in chart.alt
    axis = chart.figure.layout.xaxis
    assert list(axis.ticktext) == [f"{t:g}" for t in axis.tickvals]  # "0.5 1 2 5", never "2 5"
    assert set(axis.tickvals) <= set(figures._base.LOG_TICKS)
    _assert_palette(chart)
    _assert_study_hover(chart, ["fake_2001"])


# --------------------------------------------------------------------------- efficacy


def test_forest_plot(effects, result):
    chart = figures.forest_plot(effects, result, title="Pain, LDN vs placebo: fakeitis")
    data = _data(chart)
    studies, diamond, pi = data
    assert list(studies["x"]) == list(effects["yi"])
    assert diamond["fill"] == "toself" and diamond["fillcolor"] == palette.POOLED
    assert diamond["x"][1] == pytest.approx(result.estimate)
    assert diamond["x"][0] == pytest.approx(result.ci_low)
    assert pi["x"] == [pytest.approx(result.pi_low), pytest.approx(result.pi_high)]
    layout = chart.figure.layout
    assert layout.title.text == "Pain, LDN vs placebo: fakeitis"
    assert "I² = " in layout.title.subtitle.text and "τ² = " in layout.title.subtitle.text
    texts = [a.text for a in layout.annotations]
    for expected in ("Alpha 2011", "RCT, crossover", "120", "4.5", "16", "weight"):
        assert any(expected in t for t in texts), expected
    kept = [w for w in result.warnings if "funnel" not in w.lower() and "egger" not in w.lower()]
    assert set(kept) <= set(chart.notes) and any("⚠" in t for t in texts)
    assert any("weeks to outcome" in n for n in chart.notes)
    assert "REML, Knapp-Hartung" in chart.alt
    assert f"{result.estimate:.2f}" in chart.alt and "4 studies" in chart.alt
    _assert_palette(chart)
    _assert_study_hover(chart, effects["study_id"])


def test_sensitivity_flags_changed_conclusions():
    table = pd.DataFrame(
        {
            "method": ["REML", "DL", "FE"],
            "test": ["knha", "z", "z"],
            "estimate": [0.3, 0.3, 0.32],
            "ci_low": [-0.1, 0.05, 0.1],
            "ci_high": [0.7, 0.55, 0.54],
        }
    )
    chart = figures.method_sensitivity(table, method="REML", test="knha")
    by_name = {t["name"]: t for t in _data(chart)}
    assert by_name["conclusion changes"]["marker"]["color"] == palette.FLAG
    assert len(by_name["conclusion changes"]["y"]) == 2
    assert "REML, Knapp-Hartung (primary)" in by_name["same conclusion as primary"]["y"]
    assert chart.notes and "2 of 3" in chart.notes[0]
    _assert_palette(chart)


def test_leave_one_out_and_cumulative(effects, result):
    loo = effects.assign(estimate=[0.1, 0.3, 0.35, 0.2], ci_low=[-0.2, 0.01, 0.02, -0.1])
    loo["ci_high"] = loo["estimate"] + 0.3
    chart = figures.leave_one_out(loo, result)
    (trace,) = _data(chart)
    assert trace["y"][0] == "without Alpha 2011"
    assert "omitting Gamma 2013" in chart.alt
    assert "omitting 2 studies one at a time changes the conclusion" in chart.alt
    _assert_study_hover(chart, effects["study_id"])
    cum = figures.cumulative_plot(loo)
    assert _data(cum)[0]["y"][-1] == "+ Delta 2014"
    assert "after 1 study" in _data(cum)[0]["hovertext"][0]
    for c in (chart, cum):
        _assert_palette(c)


def _ten(effects):
    """Ten studies (the fixture's four, repeated with new ids and years)."""
    rows = pd.concat([effects] * 3, ignore_index=True).head(10)
    rows["study_id"] = [f"fake_{2011 + i}" for i in range(10)]
    rows["year"] = range(2011, 2021)
    rows["duration_weeks"] = np.linspace(4, 52, 10)
    return rows


def test_funnel_only_with_ten_studies(effects, result):
    small = figures.funnel_plot(effects, result)
    assert small.empty and "No funnel plot and no Egger's test" in small.alt
    assert "4 studies (fewer than 10)" in small.alt
    ten = _ten(effects)
    chart = figures.funnel_plot(ten, pool(ten["yi"], ten["vi"], method="REML", test="knha"))
    assert chart.figure.layout.yaxis.autorange == "reversed"
    se = _data(chart)[1]["y"]
    assert list(se) == pytest.approx(np.sqrt(ten["vi"]).tolist())
    _assert_palette(chart)


def test_forest_plot_two_studies_has_no_prediction_interval(effects):
    two = effects.head(2)
    res = pool(two["yi"], two["vi"], method="REML", test="knha")
    chart = figures.forest_plot(two, res, title="t")
    names = [t["name"] for t in _data(chart)]
    assert "95% prediction interval" not in names
    assert any("No prediction interval" in n for n in chart.notes)
    # the axis is set by the studies and the diamond, not by a prediction interval
    xs = [x for t in _data(chart) for x in t["x"]]
    assert res.pi_low < min(xs) and max(xs) < res.pi_high
    texts = [a.text for a in chart.figure.layout.annotations]
    assert "Prediction interval" not in texts


def test_effect_vs_duration_line_and_caveat(effects):
    reg = type("Reg", (), {"intercept": 0.1, "slope": 0.02, "slope_pvalue": 0.4})()
    few = figures.effect_vs_duration(effects, reg)
    assert not any(t["mode"] == "lines" for t in _data(few))
    assert "no meta-regression line: it needs 10 or more studies" in few.alt
    assert figures.effect_vs_duration(effects.head(2), reg).empty
    chart = figures.effect_vs_duration(_ten(effects), reg)
    line = next(t for t in _data(chart) if t["mode"] == "lines")
    assert line["y"][0] == pytest.approx(0.1 + 0.02 * 4)
    assert chart.notes and "not evidence that longer treatment works better" in chart.notes[0]
    assert "slope 0.020" in chart.alt
    _assert_palette(chart)


def test_reconciliation_one_panel_per_measure():
    ours = pd.DataFrame(
        {
            "label": ["ours (SMD)", "ours (MD)"],
            "measure": ["SMD", "MD"],
            "estimate": [0.1, 0.2],
            "ci_low": [-0.3, -0.5],
            "ci_high": [0.5, 0.9],
            "k": [2, 2],
        }
    )
    reviews = pd.DataFrame(
        {
            "label": ["Fake 2020 (pain)", "Fake 2021 (pain)"],
            "measure": ["SMD", "MD"],
            "estimate": [0.6, 0.9],
            "ci_low": [0.1, 0.5],
            "ci_high": [1.1, 1.3],
            "n_studies": [5, 4],
            "model": ["random_dl", "fixed"],
            "source_url": [URL.format("rev1"), URL.format("rev2")],
        }
    )
    chart = figures.reconciliation(ours, reviews)
    data = _data(chart)
    assert {t.get("xaxis", "x") for t in data} == {"x", "x2"}
    smd = [t for t in data if t.get("xaxis", "x") == "x"]
    assert sorted(x for t in smd for x in t["x"]) == [0.1, 0.6]
    assert "SMD" in chart.figure.layout.xaxis.title.text
    assert "MD" in chart.figure.layout.xaxis2.title.text
    assert "2 published estimates range from 0.60 to 0.90" in chart.alt
    _assert_palette(chart)


# --------------------------------------------------------------------------- shared rules


@pytest.mark.parametrize(
    "build",
    [
        lambda: figures.evidence_map(pd.DataFrame()),
        lambda: figures.evidence_ladder(pd.DataFrame(), "fakeitis"),
        lambda: figures.forest_plot(pd.DataFrame(), None, title="Pain: fakeitis"),
        lambda: figures.leave_one_out(pd.DataFrame(), None),
        lambda: figures.reconciliation(pd.DataFrame(), pd.DataFrame(columns=["estimate"])),
    ],
)
def test_too_little_data_says_so_instead_of_drawing(build):
    chart = build()
    assert chart.empty and chart.figure is None
    assert len(chart.alt) > 30


def test_alt_text_is_computed_from_the_data(studies):
    before = figures.evidence_map(studies).alt
    after = figures.evidence_map(studies.assign(n=studies["n"] * 2)).alt
    assert before != after and "382 participants" in after


def test_one_layout_for_every_chart(studies, effects, result):
    charts = [
        figures.evidence_map(studies),
        figures.studies_by_year(studies),
        figures.forest_plot(effects, result, title="t"),
    ]
    for chart in charts:
        layout = chart.figure.to_dict()["layout"]
        assert layout["font"]["family"] == figures.FONT
        assert layout["colorway"] == list(palette.OKABE_ITO.values())
        assert layout["plot_bgcolor"] == "white"


def test_chart_show_displays_a_figure_or_its_sentence(studies):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    with capture_output() as cap:
        figures.evidence_map(studies).show()
        figures.evidence_map(pd.DataFrame()).show()
    kinds = [("fig" if PLOTLY in o.data else "text") for o in cap.outputs]
    assert kinds == ["fig", "text"]
    assert "nan" not in str(cap.outputs[1].data).lower()


def test_hostile_text_is_escaped_in_hover(studies):
    hostile = studies.assign(first_author=["<script>alert(1)</script>", *studies.study_id[1:]])
    texts = [
        t for tr in _study_traces(figures.evidence_map(hostile).figure) for t in tr["hovertext"]
    ]
    assert not any("<script>" in t for t in texts)
    assert any("&lt;script&gt;" in t for t in texts)


# --------------------------------------------------------------------------- views and text


@pytest.fixture
def fake_evidence():
    """A tiny evidence base: four fake placebo-controlled trials (one without outcome
    numbers) and one case series."""
    from types import SimpleNamespace

    studies = pd.DataFrame(
        {
            "study_id": ["fake_2001", "fake_2002", "fake_2003", "fake_2004", "fake_2005"],
            "condition": ["fakeitis"] * 3 + ["otheritis", "fakeitis"],
            "design": [
                "rct_parallel",
                "rct_parallel",
                "rct_crossover",
                "case_series",
                "rct_parallel",
            ],
            "blinding": [
                "double_blind",
                "double_blind",
                "single_blind",
                "open_label",
                "double_blind",
            ],
            "comparator": ["placebo", "placebo", "placebo", "none", "placebo"],
            "n_analyzed": [60, 40, 30, 5, np.nan],
            "dose_mg_min": [4.5] * 5,
            "dose_mg_max": [4.5] * 5,
            "duration_weeks": [12, 8, 10, np.nan, 12],
            "year": [2001, 2002, 2003, 2004, 2005],
            "primary_result": ["benefit", "no_difference", "benefit", "benefit", "not_reported"],
            "source_url": [URL.format(f"s{i}") for i in range(5)],
        }
    )
    outcomes = pd.DataFrame(
        {
            "study_id": ["fake_2001", "fake_2002", "fake_2003"],
            "outcome_id": ["fake_2001_pain", "fake_2002_pain", "fake_2003_pain"],
            "outcome": ["pain"] * 3,
            "better": ["lower"] * 3,
            "comparison": ["ldn_vs_placebo"] * 3,
            "data_type": ["arm_means", "arm_means", "between_group"],
            "scale_min": [0, 0, 0],
            "scale_max": [10, 10, 10],
            "timepoint_weeks": [12, 8, 10],
            "n_ldn": [30, 20, 30],
            "mean_ldn": [4.0, 5.0, np.nan],
            "sd_ldn": [2.0, 2.0, np.nan],
            "n_ctrl": [30, 20, 30],
            "mean_ctrl": [5.0, 5.2, np.nan],
            "sd_ctrl": [2.0, 2.0, np.nan],
            "estimate": [np.nan, np.nan, -0.5],
            "estimate_type": [np.nan, np.nan, "md"],
            "ci_low": [np.nan, np.nan, -1.2],
            "ci_high": [np.nan, np.nan, 0.2],
            "source_url": [URL.format(f"o{i}") for i in range(3)],
        }
    )
    adverse_events = pd.DataFrame(
        {
            "study_id": ["fake_2001", "fake_2001", "fake_2002", "fake_2002", "fake_2004"],
            "event": ["vivid_dreams", "vivid_dreams", "serious_ae", "serious_ae", "any_ae"],
            "arm": ["ldn", "placebo", "ldn", "placebo", "ldn"],
            "events": [6, 2, 0, 0, 0],
            "n_at_risk": [30, 30, 20, 20, 5],
        }
    )
    registrations = pd.DataFrame(
        {
            "registry_id": ["NCT09999991"],
            "condition": ["fakeitis"],
            "status": ["completed"],
            "results_posted": [False],
            "linked_study_id": [np.nan],
        }
    )
    reviews = pd.DataFrame(
        {
            "review_id": ["rev_fake_2020"],
            "result_id": ["rev_fake_2020_pain"],
            "first_author": ["Fake"],
            "year": [2020],
            "condition": ["fakeitis"],
            "n_studies": [5],
            "n_participants": [300],
            "included_study_ids": [np.nan],
            "comparison": ["ldn_vs_placebo"],
            "outcome": ["pain"],
            "measure": ["MD"],
            "estimate": [-0.8],
            "ci_low": [-1.3],
            "ci_high": [-0.3],
            "i2": [20],
            "model": ["random_dl"],
            "source_url": [URL.format("rev")],
        }
    )
    return SimpleNamespace(
        studies=studies,
        outcomes=outcomes,
        adverse_events=adverse_events,
        registrations=registrations,
        reviews=reviews,
    )


def test_efficacy_pools_one_row_per_study(fake_evidence):
    from ldn_analysis import analysis as views

    sel = views.select(fake_evidence, "fakeitis")
    eff = views.efficacy(sel, "pain", "REML", "z")
    assert list(eff.effects["study_id"]) == ["fake_2001", "fake_2002", "fake_2003"]
    assert (eff.effects["yi"] > 0).all()  # lower pain on LDN = positive = favours LDN
    direct = pool(eff.effects["yi"], eff.effects["vi"], method="REML", test="z")
    assert eff.result.estimate == pytest.approx(direct.estimate)
    assert eff.md_result is not None and "0-10 scale" in eff.md_note
    # one row per estimator x test, the common-effect model with the z test only
    assert len(eff.sensitivity) == 1 + (len(METHODS) - 1) * len(TESTS)
    assert len(eff.leave_one_out) == 3
    assert eff.published["estimate"].tolist() == [pytest.approx(0.8)]  # flipped to favour LDN
    forest = figures.forest(eff)
    assert forest.figure.layout.title.text == "Pain, LDN vs placebo: fakeitis"


def test_certainty_downgrades_with_reasons(fake_evidence):
    from ldn_analysis import analysis as views
    from ldn_analysis.text import certainty as summary

    sel = views.select(fake_evidence, "fakeitis")
    eff = views.efficacy(sel, "pain", "REML", "z")
    c = summary.certainty(eff, sel)
    assert c.start == 4
    # no RoB 2 rows here: the single-blind crossover falls back to its design (some
    # concerns), and the domain is -1 only when it carries most of the pooled weight
    weight = dict(zip(eff.effects["study_id"], eff.result.weights, strict=True))
    share = 100 * weight["fake_2003"] / sum(weight.values())
    assert c.domains["risk of bias"][0] == (-1 if share > 50 else 0)
    assert "fake_2003 some concerns by design" in c.domains["risk of bias"][1]
    assert c.domains["imprecision"][0] <= -1 and "130 participants" in c.domains["imprecision"][1]
    assert c.domains["indirectness"] == (
        -1,
        "median follow-up 10 weeks, short for a chronic condition",
    )
    assert "NCT09999991" in c.domains["publication bias"][1]
    assert c.rating in {"low", "very low"}
    text = summary.certainty_text(c)
    assert "automatic aid" in text and c.rating in text
    table = summary.certainty_table(sel, views.outcome_analyses(sel, "REML", "z"))
    assert table.loc[0, "outcome"] == "pain" and table.loc[0, "certainty"].startswith(c.rating)


def test_summaries_are_generated_from_the_numbers(fake_evidence):
    from ldn_analysis import analysis as views
    from ldn_analysis.text import summaries as summary
    from ldn_analysis.text.format import study_names

    sel = views.select(fake_evidence, "fakeitis")
    eff = views.efficacy(sel, "pain", "REML", "z")
    text = summary.efficacy_summary(eff)
    assert "3 studies (130 participants analysed)" in text and f"{eff.result.estimate:.2f}" in text
    recon = summary.reconciliation_text(eff)
    assert "Fake 2020" in recon and "MD -0.80" in recon and "0.80 on our favours-LDN scale" in recon
    assert "we could pool 3" in recon and "random dl" in recon
    assert "cannot be matched one by one" in recon
    # studies are named by citation, never by id: counted without the studies table
    assert "One placebo-controlled study in our data has no pain numbers extracted." in recon
    names = study_names(sel.studies)
    named = summary.reconciliation_text(eff, sel.studies)
    assert f"no pain numbers extracted: {names['fake_2005']}." in named
    assert "fake_2005" not in named
    fake_evidence.reviews["included_study_ids"] = ["fake_2001;fake_2002;fake_1999"]
    listed = summary.reconciliation_text(views.efficacy(views.select(fake_evidence, "fakeitis")))
    pooled = f"{names['fake_2001']}, {names['fake_2002']}"
    assert f"Fake 2020 lists 3 studies; we pooled 2 of them ({pooled})" in listed
    assert "not fake_1999" in listed
    other = views.select(fake_evidence, "otheritis")
    assert "No randomised controlled trial" in summary.evidence_summary(other)
    none = summary.efficacy_summary(views.efficacy(other, "pain"))
    assert none.startswith("No placebo-controlled study of LDN for otheritis")
    empty = views.select(fake_evidence, "fakeitis", designs=["survey"])
    assert "no study" in summary.evidence_summary(empty)
    big = views.select(fake_evidence, "fakeitis", min_n=35)
    left = f"left out 2 studies: {names['fake_2003']}, {names['fake_2005']}"
    assert left in summary.evidence_summary(big)


def test_adverse_event_tables(fake_evidence):
    from ldn_analysis import analysis as views
    from ldn_analysis.text import summaries as summary

    sel = views.select(fake_evidence)
    ae = views.ae_table(sel)
    zero = ae[(ae.study_id == "fake_2004")].iloc[0]
    assert zero.interval == "rule of three" and zero.ci_high == pytest.approx(0.6)
    rr = views.risk_ratio_table(sel).set_index("event")
    assert rr.loc["vivid_dreams", "rr"] == pytest.approx(3.0)
    assert math.isnan(rr.loc["serious_ae", "rr"])  # zero events in both arms
    text = summary.safety_summary(sel, "vivid_dreams")
    assert "Serious adverse events: none in 20 participants" in text
    assert "Vivid dreams: 20% of people on LDN" in text

"""How long and at what dose LDN was given, and whether effects relate to duration.

Builders for the ``trial_duration`` notebook: duration per condition, dose against
duration, and study effect against duration with the meta-regression line and its caveat.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

import ldn_analysis.figures.palette as pal
from ldn_analysis import vocab
from ldn_analysis.figures._base import (
    SMALL_K,
    Chart,
    _esc,
    _tier_groups,
    hline,
    hover,
    make_figure,
    no_chart,
)
from ldn_analysis.text.format import describe, fmt, num, plural, range_text


def _jitter(keys: pd.Series, width: float = 0.3) -> np.ndarray:
    """Deterministic vertical offsets spreading points that share a key."""
    idx = keys.groupby(keys).cumcount().to_numpy()
    size = keys.map(keys.value_counts()).to_numpy()
    return np.where(size > 1, (idx / np.maximum(size - 1, 1) - 0.5) * 2 * width, 0.0)


def duration_by_condition(studies: pd.DataFrame) -> Chart:
    """Treatment duration (weeks) of each study by condition, coloured by design rung."""
    d = describe(studies)
    timed = d[d["duration_weeks"].notna()].copy()
    if timed.empty:
        return no_chart("No study in the selection reports how long LDN was given.")
    conditions = sorted(timed["condition"].unique())
    timed["_y"] = timed["condition"].map(conditions.index) + _jitter(timed["condition"])
    traces = []
    for tier, sub in _tier_groups(timed):
        traces.append(
            go.Scatter(
                x=sub["duration_weeks"],
                y=sub["_y"],
                mode="markers",
                name=tier,
                marker={"size": 11, "color": pal.tier_color(tier), "line": {"width": 0}},
                **hover(sub),
            )
        )
    missing = len(d) - len(timed)
    notes = [f"{plural(missing, 'study', 'studies')} report no duration."] if missing else []
    rct = timed[timed["tier"] == vocab.TIER_ORDER[0]]["duration_weeks"]
    rct_text = (
        f"; randomised trials lasted {range_text(rct.min(), rct.max(), 'weeks')}"
        if len(rct)
        else "; no randomised trial reports a duration"
    )
    alt = (
        f"Treatment lasted a median of {fmt(timed['duration_weeks'].median(), 1)} weeks "
        f"(range {range_text(timed['duration_weeks'].min(), timed['duration_weeks'].max())}) in "
        f"{plural(len(timed), 'study', 'studies')} reporting it{rct_text}."
    )
    fig = make_figure(
        traces,
        title="How long was LDN given?",
        subtitle="Treatment duration per study, by condition; colour = design",
        height=max(320, 50 * len(conditions) + 200),
        xaxis={"title": {"text": "weeks of treatment"}, "rangemode": "tozero"},
        yaxis={
            "tickvals": list(range(len(conditions))),
            "ticktext": [vocab.condition_label(c) for c in conditions],
            "showgrid": False,
        },
        notes=notes,
    )
    return Chart(fig, alt, tuple(notes))


def dose_by_duration(studies: pd.DataFrame) -> Chart:
    """Daily dose (range as a horizontal bar) against treatment duration, per study."""
    d = describe(studies)
    d["_hi"] = d["dose_mg_max"].fillna(d["dose_mg_min"])
    d["_lo"] = d["dose_mg_min"].fillna(d["_hi"])
    both = d[d["_hi"].notna() & d["duration_weeks"].notna()]
    if both.empty:
        return no_chart("No study in the selection reports both its dose and its duration.")
    traces = []
    for tier, sub in _tier_groups(both):
        traces.append(
            go.Scatter(
                x=sub["_hi"],
                y=sub["duration_weeks"],
                mode="markers",
                name=tier,
                marker={"size": 11, "color": pal.tier_color(tier)},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [0] * len(sub),
                    "arrayminus": (sub["_hi"] - sub["_lo"]).to_numpy(),
                    "color": pal.tier_color(tier),
                    "width": 0,
                },
                **hover(sub),
            )
        )
    missing = len(d) - len(both)
    notes = (
        [f"{plural(missing, 'study', 'studies')} lack a dose or a duration and are not shown."]
        if missing
        else []
    )
    alt = (
        f"{plural(len(both), 'study', 'studies')} report dose and duration: maximum daily "
        f"doses of {range_text(both['_hi'].min(), both['_hi'].max(), 'mg', 2)} (most often "
        f"{both['_hi'].mode().iloc[0]:g} mg) given for "
        f"{range_text(both['duration_weeks'].min(), both['duration_weeks'].max(), 'weeks')}."
    )
    fig = make_figure(
        traces,
        title="Dose and duration",
        subtitle="Marker = highest daily dose; bar to the left = titration range",
        xaxis={"title": {"text": "daily dose (mg)"}, "rangemode": "tozero"},
        yaxis={"title": {"text": "weeks of treatment"}, "rangemode": "tozero"},
        notes=notes,
    )
    return Chart(fig, alt, tuple(notes))


def effect_vs_duration(
    effects: pd.DataFrame, regression=None, *, measure_label: str = "SMD"
) -> Chart:
    """Study effect against treatment duration, with the meta-regression line and its caveat.

    Parameters
    ----------
    effects : pandas.DataFrame
        ``study_id, yi, vi, duration_weeks`` plus descriptors.
    regression : object, optional
        Meta-regression of yi on duration with ``intercept``, ``slope`` and
        ``slope_pvalue`` (see :func:`ldn_analysis.views.duration_regression`).
    """
    e = describe(effects)
    e = e[e["duration_weeks"].notna() & e["yi"].notna()] if not e.empty else e
    if len(e) < 3:
        return no_chart(
            f"Not drawn: {plural(len(e), 'study', 'studies')} with both an effect size and a "
            "time point, too few to relate effect to duration."
        )
    e = e.assign(_size=8 + 14 * np.sqrt((1 / e["vi"]) / (1 / e["vi"]).max()))
    if "comparison" not in e:
        e["comparison"] = "ldn_vs_placebo"
    traces = []
    for comp, sub in e.groupby("comparison", sort=True):
        uncontrolled = comp == "ldn_pre_post"
        traces.append(
            go.Scatter(
                x=sub["duration_weeks"],
                y=sub["yi"],
                mode="markers",
                name=vocab.COMPARISON_LABELS.get(comp, str(comp)) + " (size = precision)",
                marker={
                    "size": sub["_size"],
                    "color": pal.MUTED if uncontrolled else pal.STUDY,
                    "symbol": "circle-open" if uncontrolled else "circle",
                    "line": {"width": 2, "color": pal.MUTED if uncontrolled else pal.STUDY},
                },
                **hover(
                    sub,
                    [
                        f"{measure_label} {fmt(y)} ({_esc(c)})"
                        for y, c in zip(sub["yi"], sub["condition"].fillna(""), strict=True)
                    ]
                    if "condition" in sub
                    else [f"{measure_label} {fmt(y)}" for y in sub["yi"]],
                ),
            )
        )
    mixed = e["comparison"].nunique() > 1
    caveat = (
        f"Caveat: {plural(len(e), 'study', 'studies')} only; studies differ in much more than "
        "the time to outcome (condition, design, dose, outcome measure)"
        + (
            ", and before-after effects (no control group) sit beside placebo-controlled ones"
            if mixed
            else ""
        )
        + ", so this is an association between studies, not evidence that longer treatment "
        "works better."
    )
    slope = num(getattr(regression, "slope", None)) if regression is not None else math.nan
    line_text = ""
    if not math.isnan(slope) and len(e) >= SMALL_K:
        x = np.linspace(e["duration_weeks"].min(), e["duration_weeks"].max(), 20)
        y = num(regression.intercept) + slope * x
        pv = num(getattr(regression, "slope_pvalue", None))
        line_text = f"meta-regression slope {fmt(slope, 3)} per week (p = {fmt(pv, 3)})"
        traces.append(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                name="meta-regression",
                line={"color": pal.POOLED, "dash": "dash"},
                hovertext=line_text,
                hoverinfo="text",
            )
        )
    alt = (
        f"Effect against time to outcome for {plural(len(e), 'study', 'studies')} "
        f"({range_text(e['duration_weeks'].min(), e['duration_weeks'].max(), 'weeks to outcome')})"
        + (
            f"; {line_text}"
            if line_text
            else f"; no meta-regression line: it needs {SMALL_K} or more studies"
        )
        + "; an association between studies, not a dose-response."
    )
    fig = make_figure(
        traces,
        title="Effect versus time to outcome",
        subtitle="Each point a study"
        + (
            "; dashed line = meta-regression on duration"
            if line_text
            else f"; no regression line with fewer than {SMALL_K} studies"
        ),
        xaxis={"title": {"text": "weeks to outcome"}},
        yaxis={"title": {"text": f"{measure_label} (above 0 favours LDN)"}},
        shapes=[hline(0, width=1)],
        notes=[caveat],
    )
    return Chart(fig, alt, (caveat,))

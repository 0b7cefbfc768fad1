"""Does the pooled result hold? Method sensitivity, leave-one-out, cumulative and funnel plots.

Builders for the robustness section of the ``efficacy`` notebook and the condition
reports, from the tables of :mod:`ldn_analysis.views` (sensitivity, leave-one-out,
cumulative) and the Egger test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

import ldn_analysis.figures.palette as pal
from ldn_analysis import vocab
from ldn_analysis.figures._base import (
    FAVOURS,
    SMALL_K,
    Chart,
    _esc,
    _rows_layout,
    _text_hover,
    _zero_line,
    ci_trace,
    hover,
    make_figure,
    no_chart,
)
from ldn_analysis.stats.inference import Z95
from ldn_analysis.text.format import (
    ci_text,
    conclusion,
    describe,
    fmt,
    num,
    plural,
    short_citations,
)


def method_sensitivity(
    table: pd.DataFrame, *, method: str, test: str, measure_label: str = "SMD"
) -> Chart:
    """Pooled estimate under every tau² estimator x test, flagging changed conclusions.

    Parameters
    ----------
    table : pandas.DataFrame
        ``method, test, estimate, ci_low, ci_high`` (from
        :func:`ldn_analysis.views.sensitivity_table`).
    method, test : str
        The primary analysis; rows whose conclusion (favours LDN / placebo / inconclusive)
        differs from it are drawn in the flag colour.
    """
    t = table.dropna(subset=["estimate"]).reset_index(drop=True)
    if t.empty:
        return no_chart("No estimator could pool these studies, so there is no sensitivity panel.")
    t["conclusion"] = [conclusion(a, b) for a, b in zip(t["ci_low"], t["ci_high"], strict=True)]
    primary = t[(t["method"] == method) & (t["test"] == test)]
    ref = primary["conclusion"].iloc[0] if len(primary) else t["conclusion"].iloc[0]
    t["changed"] = t["conclusion"] != ref
    t["label"] = [
        f"{m}, {vocab.test_label(s)}" + (" (primary)" if m == method and s == test else "")
        for m, s in zip(t["method"], t["test"], strict=True)
    ]
    traces = []
    for changed, name, colour in (
        (False, "same conclusion as primary", pal.STUDY),
        (True, "conclusion changes", pal.FLAG),
    ):
        sub = t[t["changed"] == changed]
        if sub.empty:
            continue
        traces.append(
            ci_trace(
                sub["estimate"],
                sub["ci_low"],
                sub["ci_high"],
                sub["label"],
                name=name,
                color=colour,
                symbol="diamond",
                size=10,
                hover_kw=_text_hover(
                    f"<b>{_esc(lab)}</b><br>{measure_label} {ci_text(e, a, b)}<br>{_esc(c)}"
                    for lab, e, a, b, c in sub[
                        ["label", "estimate", "ci_low", "ci_high", "conclusion"]
                    ].itertuples(index=False)
                ),
            )
        )
    n_changed = int(t["changed"].sum())
    alt = (
        f"Pooled {measure_label} under {plural(len(t), 'estimator and test combination')}: "
        f"estimates from {fmt(t['estimate'].min())} to {fmt(t['estimate'].max())}; "
        + (
            f"{n_changed} change the conclusion from '{ref}'."
            if n_changed
            else f"all agree: {ref}."
        )
    )
    notes: tuple[str, ...] = ()
    if n_changed:
        notes = (
            f"The conclusion depends on the method: {n_changed} of {len(t)} combinations "
            "differ from the primary analysis.",
        )
    fig = make_figure(
        traces,
        title="Does the answer depend on the method?",
        subtitle="Every tau² estimator with z (Wald) and Knapp-Hartung intervals",
        notes=notes,
        **_rows_layout(t["label"], f"{measure_label} · {FAVOURS}"),
    )
    return Chart(fig, alt, notes)


def leave_one_out(table: pd.DataFrame, result, *, measure_label: str = "SMD") -> Chart:
    """Pooled estimate with each study left out in turn, against the full estimate.

    Parameters
    ----------
    table : pandas.DataFrame
        ``study_id, estimate, ci_low, ci_high`` (``study_id`` = the study omitted).
    result : PoolResult
        The full analysis (dashed reference line).
    """
    if table.empty or len(table) < 3:
        return no_chart(
            "No leave-one-out analysis: it needs at least three studies; with fewer, dropping "
            "one leaves too little to pool."
        )
    t = table.reset_index(drop=True)
    full = num(result.estimate)
    full_c = conclusion(result.ci_low, result.ci_high)
    t["conclusion"] = [conclusion(a, b) for a, b in zip(t["ci_low"], t["ci_high"], strict=True)]
    t["label"] = ["without " + c for c in short_citations(t)]
    changed = t["conclusion"] != full_c
    hover_kw = hover(
        t,
        [
            f"{measure_label} {ci_text(e, a, b)}: {_esc(c)}"
            for e, a, b, c in zip(
                t["estimate"], t["ci_low"], t["ci_high"], t["conclusion"], strict=True
            )
        ],
    )
    colours = [pal.FLAG if c else pal.STUDY for c in changed]
    trace = ci_trace(
        t["estimate"],
        t["ci_low"],
        t["ci_high"],
        t["label"],
        name="pooled without this study",
        color=pal.STUDY,
        symbol="diamond",
        size=10,
        hover_kw=hover_kw,
    )
    trace.marker.color = colours
    shift = (t["estimate"] - full).abs()
    worst = t.loc[shift.idxmax()]
    alt = (
        f"Leaving out each of {plural(len(t), 'study', 'studies')} moves the pooled {measure_label} "
        f"from {fmt(full)} to between {fmt(t['estimate'].min())} and {fmt(t['estimate'].max())}; "
        f"the largest shift comes from omitting {worst['label'].removeprefix('without ')}"
        + (
            f", and omitting {plural(int(changed.sum()), 'study', 'studies')} one at a time "
            "changes the conclusion."
            if changed.any()
            else "; no omission changes the conclusion."
        )
    )
    fig = make_figure(
        [trace],
        title="Leave-one-out: does one study drive the result?",
        subtitle=f"Dashed line = all studies ({measure_label} {fmt(full)}); red = conclusion changes",
        showlegend=False,
        **_rows_layout(t["label"], f"{measure_label} · {FAVOURS}", ref=full),
    )
    return Chart(fig, alt)


def cumulative_plot(table: pd.DataFrame, *, measure_label: str = "SMD") -> Chart:
    """Cumulative meta-analysis: the pooled estimate as studies were published, by year.

    Parameters
    ----------
    table : pandas.DataFrame
        ``study_id, year, estimate, ci_low, ci_high`` in publication order (row i pools
        studies 1..i) plus study descriptors.
    """
    if table.empty or len(table) < 3:
        return no_chart(
            f"No cumulative analysis: it needs at least three studies with a year "
            f"(here {plural(len(table), 'study', 'studies')})."
        )
    t = table.reset_index(drop=True)
    t["label"] = ["+ " + c for c in short_citations(t)]
    trace = ci_trace(
        t["estimate"],
        t["ci_low"],
        t["ci_high"],
        t["label"],
        name="pooled so far",
        color=pal.POOLED,
        symbol="diamond",
        size=10,
        hover_kw=hover(
            t,
            [
                f"after {plural(i + 1, 'study')}: {measure_label} {ci_text(e, a, b)}"
                for i, (e, a, b) in enumerate(
                    zip(t["estimate"], t["ci_low"], t["ci_high"], strict=True)
                )
            ],
        ),
    )
    first, last = t.iloc[0], t.iloc[-1]
    alt = (
        f"Cumulative pooled {measure_label} as {plural(len(t), 'study', 'studies')} were added in "
        f"publication order: {fmt(first['estimate'])} after the first, {ci_text(last['estimate'], last['ci_low'], last['ci_high'])} "
        f"after all; the latest conclusion is {conclusion(last['ci_low'], last['ci_high'])}."
    )
    fig = make_figure(
        [trace],
        title="Cumulative meta-analysis by year",
        subtitle="Each row pools that study and every earlier one",
        showlegend=False,
        **_rows_layout(t["label"], f"{measure_label} · {FAVOURS}"),
    )
    return Chart(fig, alt)


def funnel_plot(effects: pd.DataFrame, result, egger=None, *, measure_label: str = "SMD") -> Chart:
    """Funnel plot (effect vs standard error) with pseudo 95% limits and Egger's test.

    Parameters
    ----------
    effects : pandas.DataFrame
        ``study_id, yi, vi`` plus descriptors.
    result : PoolResult
        Centre line (pooled estimate).
    egger : object, optional
        Egger's regression test result with ``pvalue`` (or ``p_value``) for the note.

    Notes
    -----
    With fewer than :data:`SMALL_K` studies nothing is drawn and no Egger test is reported:
    one sentence says why (Cochrane Handbook 13.3.5.4; Sterne et al. 2011).
    """
    k = len(effects)
    if k < SMALL_K or result is None:
        return no_chart(
            f"No funnel plot and no Egger's test: with {plural(k, 'study', 'studies')} "
            f"(fewer than {SMALL_K}) they cannot tell small-study effects from chance."
        )
    e = describe(effects).reset_index(drop=True)
    se = np.sqrt(e["vi"].to_numpy(float))
    centre = num(result.estimate)
    top = float(np.nanmax(se)) * 1.1
    notes = []
    p = (
        num(getattr(egger, "pvalue", getattr(egger, "p_value", None)))
        if egger is not None
        else math.nan
    )
    if not math.isnan(p):
        notes.append(f"Egger's regression test p = {fmt(p, 3)}.")
    traces = [
        go.Scatter(
            x=[centre - Z95 * top, centre, centre + Z95 * top],
            y=[top, 0, top],
            mode="lines",
            name="pseudo 95% limits",
            line={"color": pal.MUTED, "dash": "dot"},
            hoverinfo="skip",
        ),
        go.Scatter(
            x=e["yi"],
            y=se,
            mode="markers",
            name="study",
            marker={"size": 10, "color": pal.STUDY},
            **hover(
                e,
                [
                    f"{measure_label} {fmt(y)}, SE {fmt(s, 3)}"
                    for y, s in zip(e["yi"], se, strict=True)
                ],
            ),
        ),
    ]
    alt = (
        f"Funnel plot of {plural(k, 'study', 'studies')} around the pooled {measure_label} {fmt(centre)}"
        + (f"; Egger p = {fmt(p, 3)}." if not math.isnan(p) else ".")
    )
    fig = make_figure(
        traces,
        title="Funnel plot (small-study effects)",
        subtitle=f"Standard error against effect; line = pooled {measure_label}",
        xaxis={"title": {"text": f"{measure_label} · {FAVOURS}"}},
        yaxis={"title": {"text": "standard error"}, "autorange": "reversed"},
        shapes=[
            {**_zero_line(), "x0": centre, "x1": centre, "line": {"color": pal.POOLED, "width": 1}}
        ],
        notes=notes,
    )
    return Chart(fig, alt, tuple(notes))

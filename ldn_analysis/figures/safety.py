"""Adverse events: per-arm proportions, pooled prevalence on LDN, and risk ratios.

Builders for the ``side_effects`` notebook and the condition reports; the tables come
from :func:`ldn_analysis.views.ae_table`, :func:`~ldn_analysis.views.pooled_ae_table` and
:func:`~ldn_analysis.views.risk_ratio_table`.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

import ldn_analysis.figures.palette as pal
from ldn_analysis import vocab
from ldn_analysis.figures._base import (
    ROW_HEIGHT,
    Chart,
    _esc,
    _zero_line,
    ci_trace,
    hover,
    log_ticks,
    make_figure,
    no_chart,
)
from ldn_analysis.text.format import fmt, plural, range_text, short_citations


def _ae_labels(r: pd.DataFrame) -> list[str]:
    cites = short_citations(r)
    return [
        f"{vocab.event_label(e)} · {c} · {vocab.ARM_LABELS.get(a, a)}"
        for e, c, a in zip(r["event"], cites, r["arm"], strict=True)
    ]


def ae_prevalence(rows: pd.DataFrame) -> Chart:
    """Share of participants with each adverse event, per study and arm, with 95% intervals.

    Parameters
    ----------
    rows : pandas.DataFrame
        From :func:`ldn_analysis.views.ae_table`: ``study_id, event, arm, events,
        n_at_risk, proportion, ci_low, ci_high, interval`` plus descriptors. Rows with zero
        events carry the rule-of-three upper bound (``interval == "rule of three"``).

    Notes
    -----
    Counts with events are drawn with their Wilson interval in the upper panel; zero counts
    are drawn in a panel of their own as upper bounds ("fewer than 3/n"), so a case report
    with n = 1 (bound 100%) never draws a 0-100% line over the measured counts.
    """
    r = rows[rows["n_at_risk"].notna()] if not rows.empty else rows
    if r.empty:
        return no_chart(
            "No adverse-event count with a denominator matches the selection, so no "
            "prevalence can be shown."
        )
    r = r.sort_values(["event", "study_id", "arm"]).reset_index(drop=True)
    r = r.assign(_label=_ae_labels(r))
    zero = r["events"].eq(0)
    counted, zeros = r[~zero], r[zero]
    panels = (
        [(counted, "", False), (zeros, "2", True)]
        if len(zeros) and len(counted)
        else [(counted if len(counted) else zeros, "", not len(counted))]
    )
    gap_px = 110 if len(panels) == 2 else 0  # room for the upper panel's axis title
    panel_px = [ROW_HEIGHT * max(len(p), 1) + 30 for p, _, _ in panels]
    plot_px = sum(panel_px) + gap_px
    gap = gap_px / plot_px
    top, traces, axes = 1.0, [], {}
    for (part, suffix, is_zero), px in zip(panels, panel_px, strict=True):
        span = px / plot_px
        axes[f"yaxis{suffix}"] = {
            "domain": [max(0.0, top - span), top],
            "categoryorder": "array",
            "categoryarray": list(part["_label"])[::-1],
            "showgrid": False,
            "anchor": f"x{suffix}",
        }
        axes[f"xaxis{suffix}"] = {
            "anchor": f"y{suffix}",
            "rangemode": "tozero",
            "title": {
                "text": "upper bound of the true % (rule of three, 3/n), zero events seen"
                if is_zero
                else "% of participants with the event (95% Wilson interval)"
            },
        }
        top -= span + gap
        for arm, colour in pal.ARM_COLORS.items():
            sub = part[part["arm"] == arm]
            if sub.empty:
                continue
            extra = [
                f"{vocab.ARM_LABELS.get(arm, arm)}: {int(e)} of {int(n)} at risk"
                + (
                    f"; true rate below {fmt(100 * hi, 1)}% (3/n)"
                    if is_zero
                    else f" ({fmt(100 * p, 1)}%), 95% CI {fmt(100 * lo, 1)}-{fmt(100 * hi, 1)}%"
                )
                for e, n, p, lo, hi in zip(
                    sub["events"],
                    sub["n_at_risk"],
                    sub["proportion"],
                    sub["ci_low"],
                    sub["ci_high"],
                    strict=True,
                )
            ]
            if is_zero:
                trace = go.Bar(
                    x=100 * sub["ci_high"],
                    y=sub["_label"],
                    orientation="h",
                    name=f"{vocab.ARM_LABELS.get(arm, arm)}, zero events (upper bound)",
                    marker={"color": pal.PAPER, "line": {"color": colour, "width": 1.5}},
                    width=0.5,
                    **hover(sub, extra),
                )
            else:
                trace = ci_trace(
                    100 * sub["proportion"],
                    100 * sub["ci_low"],
                    100 * sub["ci_high"],
                    sub["_label"],
                    name=vocab.ARM_LABELS.get(arm, arm),
                    color=colour,
                    hover_kw=hover(sub, extra),
                )
            trace.update(xaxis=f"x{suffix}", yaxis=f"y{suffix}")
            traces.append(trace)
    any_ae = r[(r["event"] == "any_ae") & (r["arm"] == "ldn") & r["events"].gt(0)]
    alt = (
        f"{plural(len(r), 'adverse-event count')} from "
        f"{plural(r['study_id'].nunique(), 'study', 'studies')} across "
        f"{plural(r['event'].nunique(), 'event type')}"
        + (
            f"; any adverse event on LDN: "
            f"{range_text(100 * any_ae['proportion'].min(), 100 * any_ae['proportion'].max(), '%', 0).replace(' %', '%')}"
            if len(any_ae)
            else ""
        )
        + (
            f"; {plural(len(zeros), 'count')} of zero shown apart, as upper bounds (3/n)."
            if len(zeros)
            else "."
        )
    )
    events = r["event"].unique()
    what = vocab.event_label(events[0]) if len(events) == 1 else "adverse events"
    fig = make_figure(
        traces,
        title=f"{what[0].upper()}{what[1:]}: share of participants, per study and arm",
        subtitle="Top: counted events, dot = observed %, line = 95% Wilson interval"
        + ("; bottom: zero events, bar = upper bound of the true rate (3/n)" if len(zeros) else ""),
        height=max(320, plot_px + 190),
        **axes,
    )
    return Chart(fig, alt)


def pooled_prevalence(pooled: pd.DataFrame) -> Chart:
    """Pooled share of LDN-treated participants with each adverse event, with 95% intervals.

    Parameters
    ----------
    pooled : pandas.DataFrame
        From :func:`ldn_analysis.views.pooled_ae_table`: ``event, estimate, ci_low,
        ci_high, k, n, studies, method``.
    """
    if pooled.empty:
        return no_chart("No adverse event was counted in LDN arms, so nothing can be pooled.")
    p = pooled.sort_values("estimate").reset_index(drop=True)
    labels = [vocab.event_label(e) for e in p["event"]]
    texts = [
        f"<b>{_esc(lab)}</b><br>{fmt(100 * row.estimate, 1)}% "
        f"(95% CI {fmt(100 * row.ci_low, 1)}-{fmt(100 * row.ci_high, 1)}%)<br>"
        f"{plural(int(row.k), 'study', 'studies')}, {int(row.n)} participants<br>"
        f"studies: {_esc(row.studies)}<br>method: {_esc(row.method)}"
        for lab, row in zip(labels, p.itertuples(), strict=True)
    ]
    single = p["k"].lt(2)
    traces = [
        ci_trace(
            100 * p["estimate"][~single],
            100 * p["ci_low"][~single],
            100 * p["ci_high"][~single],
            [labels[i] for i in p.index[~single]],
            name="pooled (2+ studies)",
            color=pal.POOLED,
            symbol="diamond",
            size=12,
            hover_kw={
                "hovertext": [texts[i] for i in p.index[~single]],
                "hovertemplate": "%{hovertext}<extra></extra>",
            },
        ),
        ci_trace(
            100 * p["estimate"][single],
            100 * p["ci_low"][single],
            100 * p["ci_high"][single],
            [labels[i] for i in p.index[single]],
            name="single study (not pooled)",
            color=pal.MUTED,
            symbol="diamond-open",
            size=12,
            hover_kw={
                "hovertext": [texts[i] for i in p.index[single]],
                "hovertemplate": "%{hovertext}<extra></extra>",
            },
        ),
    ]
    top = p.iloc[-1]
    alt = (
        f"Pooled prevalence of {plural(len(p), 'adverse event')} on LDN; the most common is "
        f"{vocab.event_label(top['event'])} at {fmt(100 * top['estimate'], 1)}% (95% CI "
        f"{fmt(100 * top['ci_low'], 1)}-{fmt(100 * top['ci_high'], 1)}%, "
        f"{plural(int(top['k']), 'study', 'studies')}); {plural(int(single.sum()), 'event')} "
        f"{'rests' if int(single.sum()) == 1 else 'rest'} on one study."
    )
    fig = make_figure(
        [t for t in traces if len(t.x)],
        title="Adverse events on LDN: pooled prevalence",
        subtitle="Pooled proportion with 95% interval"
        + (f" ({_esc(p['method'][~single].iloc[0])})" if (~single).any() else ""),
        height=max(300, 34 * len(p) + 200),
        xaxis={"title": {"text": "% of participants on LDN"}, "rangemode": "tozero"},
        yaxis={"categoryorder": "array", "categoryarray": labels, "showgrid": False},
    )
    return Chart(fig, alt)


def risk_ratios(rr: pd.DataFrame) -> Chart:
    """Risk ratios LDN vs placebo per study and event (log axis; > 1 = more often on LDN).

    Parameters
    ----------
    rr : pandas.DataFrame
        From :func:`ldn_analysis.views.risk_ratio_table`: ``study_id, event, rr, ci_low,
        ci_high, events_ldn, n_ldn, events_ctrl, n_ctrl, note`` plus descriptors; rows
        with no estimate (zero events in both arms) are listed in the alt text, not drawn.
    """
    if rr.empty:
        return no_chart(
            "No study reports the same adverse event for LDN and placebo arms, so no risk "
            "ratio can be computed."
        )
    ok = rr[rr["rr"].notna()].sort_values(["event", "study_id"]).reset_index(drop=True)
    blank = rr[rr["rr"].isna()]
    if ok.empty:
        return no_chart(
            f"{plural(len(blank), 'comparison')} of LDN with placebo had zero events in both "
            "arms, so no risk ratio is estimable (both arms: 0 events)."
        )
    labels = [
        f"{vocab.event_label(e)} · {c}"
        for e, c in zip(ok["event"], short_citations(ok), strict=True)
    ]
    extra = [
        f"RR {fmt(row.rr)} (95% CI {fmt(row.ci_low)} to {fmt(row.ci_high)})<br>"
        f"LDN {int(row.events_ldn)}/{int(row.n_ldn)}, placebo {int(row.events_ctrl)}/"
        f"{int(row.n_ctrl)}{'<br>' + _esc(row.note) if isinstance(row.note, str) and row.note else ''}"
        for row in ok.itertuples()
    ]
    trace = ci_trace(
        ok["rr"],
        ok["ci_low"],
        ok["ci_high"],
        labels,
        name="risk ratio (95% CI)",
        color=pal.STUDY,
        hover_kw=hover(ok, extra),
    )
    clear = ok[(ok["ci_low"] > 1) | (ok["ci_high"] < 1)]
    alt = (
        f"{plural(len(ok), 'risk ratio')} of LDN versus placebo from "
        f"{plural(ok['study_id'].nunique(), 'study', 'studies')}: "
        + "; ".join(
            f"{lab} RR {fmt(x)} (95% CI {fmt(a)} to {fmt(b)})"
            for lab, x, a, b in zip(labels, ok["rr"], ok["ci_low"], ok["ci_high"], strict=True)
        )
        + f"; {len(clear)} of them exclude{'s' if len(clear) == 1 else ''} 1"
        + (
            f"; {plural(len(blank), 'comparison')} with zero events in both arms "
            f"{'is' if len(blank) == 1 else 'are'} not estimable."
            if len(blank)
            else "."
        )
    )
    fig = make_figure(
        [trace],
        title="Adverse events: LDN vs placebo",
        subtitle="Risk ratio with 95% CI; left of 1 = less frequent on LDN, right of 1 = more",
        height=max(280, ROW_HEIGHT * len(ok) + 200),
        xaxis={
            "type": "log",
            "title": {"text": "risk ratio, LDN vs placebo (log scale; 1 = no difference)"},
            **log_ticks(pd.concat([ok["ci_low"], ok["ci_high"]])),
        },
        yaxis={"categoryorder": "array", "categoryarray": labels[::-1], "showgrid": False},
        shapes=[{**_zero_line(), "x0": 1, "x1": 1}],
        showlegend=False,
    )
    return Chart(fig, alt)

"""The pooled efficacy result: the forest plot and our estimate beside published ones.

Builders for the ``efficacy`` notebook and the condition reports; they take the effects
and :class:`~ldn_analysis.pooling.PoolResult` of a :class:`ldn_analysis.views.Efficacy`.
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
    PI_MIN_K,
    ROW_HEIGHT,
    Chart,
    _esc,
    _zero_line,
    ci_trace,
    error_x,
    hover,
    make_figure,
    no_chart,
)
from ldn_analysis.stats.inference import Z95
from ldn_analysis.text.format import (
    ci_text,
    conclusion,
    describe,
    effect_text,
    fmt,
    num,
    plural,
    short_citations,
)


def heterogeneity_text(result) -> str:
    """Return ``"τ² = 0.04, I² = 38%, Q = 4.8 (df 3, p = 0.19)"`` (I² is in percent)."""
    k = int(getattr(result, "k", 0) or 0)
    return (
        f"τ² = {fmt(result.tau2, 3)}, I² = {fmt(result.i2, 0)}%, "
        f"Q = {fmt(result.q, 2)} (df {max(k - 1, 0)}, p = {fmt(result.q_pvalue, 3)})"
    )


def _study_ci(effects: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    yi = effects["yi"].to_numpy(float)
    se = np.sqrt(effects["vi"].to_numpy(float))
    return yi - Z95 * se, yi + Z95 * se


def _weights_percent(effects: pd.DataFrame, result) -> np.ndarray:
    if "weight" in effects:
        w = effects["weight"].to_numpy(float)
    else:
        w = np.asarray(getattr(result, "weights", None) or [], dtype=float)
        if w.size != len(effects):
            w = 1.0 / effects["vi"].to_numpy(float)
    total = np.nansum(w)
    return 100.0 * w / total if total > 0 else np.full(len(effects), np.nan)


def forest_plot(
    effects: pd.DataFrame,
    result,
    *,
    title: str,
    measure_label: str = "SMD",
) -> Chart:
    """Forest plot with study descriptors, the pooled diamond and the prediction interval.

    Parameters
    ----------
    effects : pandas.DataFrame
        One row per study: ``study_id, yi, vi`` (positive = favours LDN) and the descriptor
        columns ``design, n, dose_mg_min, dose_mg_max, duration_weeks, source_url``;
        optional ``ci_low, ci_high, weight``.
    result : PoolResult
        From :func:`ldn_analysis.pooling.pool` on the same rows (estimate, ci, pi,
        heterogeneity, weights, warnings).
    title : str
        What is pooled, e.g. "Pain, LDN vs placebo: fibromyalgia".
    measure_label : str
        Effect measure named on the axis.

    Returns
    -------
    Chart
        Heterogeneity statistics are in the subtitle; the pooling warnings are drawn under
        the plot and returned as ``notes``.
    """
    if effects.empty or result is None:
        return no_chart(f"{title}: no study gives an effect size, so there is nothing to pool.")
    e = describe(effects).reset_index(drop=True)
    k = len(e)
    e["label"] = short_citations(e)
    lo, hi = _study_ci(e)
    w = _weights_percent(e, result)
    rows = list(range(k))
    pooled_y, pi_y = k + 0.6, k + 1.5
    pi_label = "Prediction interval"
    size = 7 + 12 * np.sqrt(np.nan_to_num(w) / max(np.nanmax(w), 1e-9))
    extra = [
        f"{measure_label} {ci_text(y, a, b)}; weight {fmt(wt, 1)}%"
        for y, a, b, wt in zip(e["yi"], lo, hi, w, strict=True)
    ]
    traces = [
        go.Scatter(
            x=e["yi"],
            y=rows,
            cliponaxis=False,
            mode="markers",
            name="study (size = weight)",
            marker={"symbol": "square", "size": size, "color": pal.STUDY},
            error_x=error_x(e["yi"], lo, hi, pal.STUDY),
            **hover(e, extra),
        )
    ]
    est, clo, chi = num(result.estimate), num(result.ci_low), num(result.ci_high)
    test = vocab.test_label(getattr(result, "test", ""))
    traces.append(
        go.Scatter(
            x=[clo, est, chi, est, clo],
            y=[pooled_y, pooled_y - 0.35, pooled_y, pooled_y + 0.35, pooled_y],
            mode="lines",
            fill="toself",
            fillcolor=pal.POOLED,
            line={"color": pal.POOLED},
            name=f"pooled, {result.method} random effects",
            hovertext=f"pooled {_esc(effect_text(result, measure_label))}<br>{plural(k, 'study')}",
            hoverinfo="text",
        )
    )
    pil, pih = num(getattr(result, "pi_low", None)), num(getattr(result, "pi_high", None))
    if k < PI_MIN_K:  # a prediction interval needs k - 2 >= 1 degrees of freedom
        pil = pih = math.nan
    if not (math.isnan(pil) or math.isnan(pih)):
        traces.append(
            go.Scatter(
                x=[pil, pih],
                y=[pi_y, pi_y],
                mode="lines+markers",
                marker={
                    "symbol": "line-ns",
                    "size": 12,
                    "color": pal.PREDICTION,
                    "line": {"width": 2, "color": pal.PREDICTION},
                },
                line={"color": pal.PREDICTION, "width": 3},
                name="95% prediction interval",
                hovertext=f"95% prediction interval {fmt(pil)} to {fmt(pih)}: where a new study's true effect would likely fall",
                hoverinfo="text",
            )
        )
    # Descriptor columns drawn as text beside the rows (a table aligned with the plot).
    cols = [
        ("study", 0.0, list(e["label"]) + ["Pooled (random effects)", pi_label]),
        ("design", 0.15, list(e["design_label"]) + ["", ""]),
        ("n", 0.29, [fmt(x) for x in e["n"]] + [fmt(np.nansum(e["n"])), ""]),
        ("mg/day", 0.33, [t.replace(" mg/day", "") for t in e["dose_text"]] + ["", ""]),
        ("weeks*", 0.40, [fmt(x, 1) for x in e["duration_weeks"]] + ["", ""]),
        (
            f"{measure_label.split(' (')[0]} [95% CI]",
            0.83,
            [
                ci_text(y, a, b).replace(" (95% CI ", " [").replace(" to ", ", ").replace(")", "]")
                for y, a, b in zip(e["yi"], lo, hi, strict=True)
            ]
            + [
                ci_text(est, clo, chi)
                .replace(" (95% CI ", " [")
                .replace(" to ", ", ")
                .replace(")", "]"),
                f"[{fmt(pil)}, {fmt(pih)}]" if not math.isnan(pil) else "not estimated",
            ],
        ),
        ("weight", 0.955, [f"{fmt(x, 1)}%" for x in w] + ["100%", ""]),
    ]
    ys = rows + [pooled_y, pi_y]
    if k < PI_MIN_K:  # no prediction-interval row: drop its labels
        cols = [(h, x, v[:-1]) for h, x, v in cols]
        ys = ys[:-1]
    annotations = []
    for header, x, values in cols:
        annotations.append(
            {
                "text": f"<b>{_esc(header)}</b>",
                "x": x,
                "y": -1,
                "xref": "paper",
                "yref": "y",
                "xanchor": "left",
                "showarrow": False,
                "font": {"size": 12},
            }
        )
        annotations += [
            {
                "text": _esc(v).replace("dose not reported", "n/r"),
                "x": x,
                "y": y,
                "xref": "paper",
                "yref": "y",
                "xanchor": "left",
                "showarrow": False,
                "font": {"size": 12},
            }
            for v, y in zip(values, ys, strict=True)
        ]
    notes = tuple(  # funnel/Egger caveats belong to the small-study section, not here
        str(wn)
        for wn in (getattr(result, "warnings", None) or ())
        if "funnel" not in str(wn).lower() and "egger" not in str(wn).lower()
    )
    notes += ("n = participants analysed; weeks* = weeks to outcome (time point of the effect).",)
    if k < PI_MIN_K:
        notes += (
            f"No prediction interval: it needs {PI_MIN_K} or more studies "
            f"(here {plural(k, 'study')}).",
        )
    direction = conclusion(clo, chi)
    alt = (
        f"Forest plot of {plural(k, 'study', 'studies')} ({int(np.nansum(e['n']))} participants): "
        f"pooled {effect_text(result, measure_label)}, {direction}"
        + (f"; 95% prediction interval {fmt(pil)} to {fmt(pih)}" if not math.isnan(pil) else "")
        + f"; {heterogeneity_text(result)}."
    )
    fig = make_figure(
        traces,
        title=title,
        subtitle=f"{_esc(result.method)} random effects, {test} 95% CI · heterogeneity: "
        f"{heterogeneity_text(result)}",
        height=ROW_HEIGHT * (k + 3) + 230,
        notes=notes,
        xaxis={
            "domain": [0.47, 0.81],
            "title": {"text": f"{measure_label} · {FAVOURS}"},
            "zeroline": False,
        },
        yaxis={
            "range": [pi_y + 0.8, -1.6],
            "showticklabels": False,
            "showgrid": False,
            "zeroline": False,
        },
        shapes=[
            _zero_line(yref="y", y0=-0.5, y1=pi_y + 0.5),
            {
                **_zero_line(yref="y", y0=-0.5, y1=k - 0.5),
                "x0": est,
                "x1": est,
                "line": {"color": pal.POOLED, "dash": "dash", "width": 1},
            },
        ],
        annotations=annotations,
        margin={"l": 10, "r": 10},
    )
    return Chart(fig, alt, notes)


def reconciliation(ours: pd.DataFrame, reviews: pd.DataFrame) -> Chart:
    """Our recomputed pooled estimate(s) beside the published meta-analyses' estimates.

    Parameters
    ----------
    ours : pandas.DataFrame
        ``label, measure, estimate, ci_low, ci_high, k`` (one row per measure we pooled).
    reviews : pandas.DataFrame
        From :func:`ldn_analysis.views.published_estimates`: ``result_id, label, measure,
        estimate, ci_low, ci_high, n_studies, model, source_url``, already on the
        favours-LDN scale (positive = LDN better).

    Returns
    -------
    Chart
        One panel per measure, stacked: MD and SMD are on different scales and never
        share an axis.
    """
    rev = reviews.dropna(subset=["estimate"])
    if rev.empty:
        return no_chart(
            "No published meta-analysis reports a pooled estimate for this condition and "
            "outcome, so there is nothing to compare with."
        )
    rows = pd.concat([ours.assign(_ours=True), rev.assign(_ours=False)], ignore_index=True)
    rows = rows.dropna(subset=["estimate"]).reset_index(drop=True)
    measures = list(dict.fromkeys(rows["measure"]))
    counts = [int((rows["measure"] == m).sum()) for m in measures]
    panel_px = [ROW_HEIGHT * c + 40 for c in counts]
    gap_px = 90  # room for the upper panel's tick labels and axis title
    plot_px = sum(panel_px) + gap_px * (len(measures) - 1)
    top, traces, axes = 1.0, [], {}
    for i, (m, px) in enumerate(zip(measures, panel_px, strict=True), start=1):
        span = px / plot_px
        gap = gap_px / plot_px
        suffix = "" if i == 1 else str(i)
        axes[f"xaxis{suffix}"] = {
            "anchor": f"y{suffix}",
            "title": {"text": f"{m} · {FAVOURS}"},
            "zeroline": False,
        }
        axes[f"yaxis{suffix}"] = {
            "domain": [max(0.0, top - span), top],
            "anchor": f"x{suffix}",
            "autorange": "reversed",
            "showgrid": False,
        }
        top -= span + gap
        sub = rows[rows["measure"] == m]
        for is_ours, name, colour, symbol in (
            (True, "our recomputation", pal.POOLED, "diamond"),
            (False, "published meta-analysis", pal.REVIEW, "circle"),
        ):
            part = sub[sub["_ours"] == is_ours]
            if part.empty:
                continue
            k_col = part["k"] if is_ours else part["n_studies"]
            texts = [
                f"<b>{_esc(r.label)}</b><br>{_esc(m)} {ci_text(r.estimate, r.ci_low, r.ci_high)}"
                f" (positive favours LDN)<br>studies: {fmt(k)}"
                + ("" if is_ours else f"<br>model: {_esc(r.model)}<br>source: {_esc(r.source_url)}")
                for r, k in zip(part.itertuples(), k_col, strict=True)
            ]
            urls = part["source_url"] if "source_url" in part else pd.Series([""] * len(part))
            trace = ci_trace(
                part["estimate"],
                part["ci_low"],
                part["ci_high"],
                part["label"],
                name=name,
                color=colour,
                symbol=symbol,
                size=11,
                showlegend=i == 1
                or is_ours
                and not any(rows["_ours"] & (rows["measure"] == measures[0])),
                hover_kw={
                    "hovertext": texts,
                    "hovertemplate": "%{hovertext}<extra></extra>",
                    "customdata": [
                        [u if isinstance(u, str) else "", lab]
                        for u, lab in zip(urls, part["label"], strict=True)
                    ],
                },
            )
            trace.update(xaxis=f"x{suffix}", yaxis=f"y{suffix}")
            traces.append(trace)
    shapes = [
        {
            **_zero_line(),
            "xref": f"x{'' if i == 1 else i}",
            "yref": f"y{'' if i == 1 else i} domain",
        }
        for i in range(1, len(measures) + 1)
    ]
    mine = ours.dropna(subset=["estimate"])
    ours_txt = "; ".join(
        f"our {r.measure} {ci_text(r.estimate, r.ci_low, r.ci_high)}" for r in mine.itertuples()
    )
    alt = (
        f"{ours_txt or 'We could not recompute an estimate'}; "
        f"{plural(len(rev), 'published estimate')} range from {fmt(rev['estimate'].min())} to "
        f"{fmt(rev['estimate'].max())} ({', '.join(dict.fromkeys(rev['measure']))}; "
        "positive favours LDN)."
    )
    fig = make_figure(
        traces,
        title="Our estimate beside the published meta-analyses",
        subtitle=f"Positive = favours LDN; {' and '.join(measures)} are on different scales",
        height=plot_px + 118 + 70,
        shapes=shapes,
        **axes,
    )
    return Chart(fig, alt)

"""The evidence base at a glance: what was studied, how, when, and what is still unpublished.

Builders for the ``evidence_map`` notebook and the condition reports: the condition x
design bubble map, the evidence ladder, studies per year and the registered-trials
timeline (which registrations have results).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

import ldn_analysis.figures.palette as pal
from ldn_analysis import vocab
from ldn_analysis.figures._base import (
    GRID,
    Chart,
    _esc,
    _result_groups,
    _tier_groups,
    hover,
    make_figure,
    no_chart,
)
from ldn_analysis.text.format import describe, fmt, plural


def evidence_map(studies: pd.DataFrame) -> Chart:
    """Bubble map of the evidence: condition x design, bubble area = participants.

    Parameters
    ----------
    studies : pandas.DataFrame
        One row per study with ``study_id, condition, design, n, primary_result`` and the
        descriptor columns (see :func:`describe`).

    Returns
    -------
    Chart
        One bubble per study, placed inside its condition x design cell (a deterministic
        sunflower layout so studies in the same cell do not hide each other) and coloured by
        the direction the authors reported.
    """
    if studies.empty:
        return no_chart("No studies match the selection, so there is no evidence map to draw.")
    d = describe(studies).sort_values("n", ascending=False, na_position="last")
    designs = [x for x in vocab.DESIGN_ORDER if x in set(d["design"])]
    designs += sorted(set(d["design"]) - set(designs))
    counts = d.groupby("condition")["study_id"].count()
    conditions = sorted(counts.index, key=lambda c: (counts[c], c))
    xs, ys = [], []
    slot: dict[tuple, int] = {}
    cell_size = d.groupby(["condition", "design"])["study_id"].transform("count")
    for (_, row), m in zip(d.iterrows(), cell_size, strict=True):
        i = slot.get((row["condition"], row["design"]), 0)
        slot[(row["condition"], row["design"])] = i + 1
        r = 0.36 * math.sqrt(i / max(m, 1)) if m > 1 else 0.0
        theta = i * 2.39996  # golden angle: an even spread for any count
        xs.append(designs.index(row["design"]) + r * math.cos(theta))
        ys.append(conditions.index(row["condition"]) + r * math.sin(theta) * 0.8)
    d = d.assign(_x=xs, _y=ys)
    max_n = float(np.nanmax(d["n"])) if d["n"].notna().any() else 1.0
    traces = []
    for result, colour, sub in _result_groups(d):
        traces.append(
            go.Scatter(
                x=sub["_x"],
                y=sub["_y"],
                mode="markers",
                name=vocab.RESULT_LABELS[result],
                marker={
                    "size": sub["n"].fillna(0).clip(lower=0),
                    "sizemode": "area",
                    "sizeref": 2.0 * max_n / (42.0**2),
                    "sizemin": 5,
                    "color": colour,
                    "opacity": 0.85,
                    "line": {"color": pal.OKABE_ITO["black"], "width": 0.5},
                },
                **hover(sub, [f"result: {vocab.RESULT_LABELS[result]}"] * len(sub)),
            )
        )
    n_total = int(d["n"].sum(skipna=True))
    mode_design = d["design"].value_counts().idxmax()
    rct = int(d["tier"].eq(vocab.TIER_ORDER[0]).sum())
    by_result = d["primary_result"].fillna("not_reported").value_counts()
    alt = (
        f"Evidence map of {plural(len(d), 'study', 'studies')} with {n_total} participants "
        f"across {plural(len(conditions), 'condition')} and {plural(len(designs), 'design')}: "
        f"{rct} randomised controlled, the most common design is "
        f"{vocab.design_label(mode_design)} ({int((d['design'] == mode_design).sum())}), and "
        f"authors reported benefit in {int(by_result.get('benefit', 0))}, no difference in "
        f"{int(by_result.get('no_difference', 0))} and harm in {int(by_result.get('harm', 0))}."
    )
    fig = make_figure(
        traces,
        title="Evidence map: which conditions were studied, and how",
        subtitle="One bubble per study; area = participants; colour = what the authors reported",
        height=max(380, 60 * len(conditions) + 200),
        xaxis={
            "tickvals": list(range(len(designs))),
            "ticktext": [vocab.design_label(x) for x in designs],
            "range": [-0.6, len(designs) - 0.4],
            "tickangle": -30,
            "title": {"text": "design (strongest left)"},
            "showgrid": False,
        },
        yaxis={
            "tickvals": list(range(len(conditions))),
            "ticktext": [vocab.condition_label(c) for c in conditions],
            "range": [-0.6, len(conditions) - 0.4],
            "showgrid": False,
        },
        shapes=[
            {
                "type": "rect",
                "xref": "x",
                "yref": "y",
                "x0": i - 0.45,
                "x1": i + 0.45,
                "y0": j - 0.45,
                "y1": j + 0.45,
                "line": {"width": 0},
                "fillcolor": GRID,
                "opacity": 0.35,
                "layer": "below",
            }
            for i in range(len(designs))
            for j in range(len(conditions))
        ],
    )
    return Chart(fig, alt)


def evidence_ladder(studies: pd.DataFrame, condition: str | None = None) -> Chart:
    """Evidence ladder: participants per design, strongest rung on top, one block per study.

    Each study is a horizontal block as wide as its participant count, stacked along its
    design's row and coloured by the direction its authors reported.
    """
    what = f" for {vocab.condition_label(condition)}" if condition else ""
    if studies.empty:
        return no_chart(f"No studies{what} match the selection, so there is no evidence ladder.")
    d = describe(studies)
    rows = [x for x in vocab.DESIGN_ORDER if x in set(d["design"])]
    rows += sorted(set(d["design"]) - set(rows))
    d = d.assign(_row=d["design"].map(rows.index), _w=d["n"].fillna(0).clip(lower=0)).sort_values(
        ["_row", "_w"], ascending=[True, False]
    )
    d["_base"] = d.groupby("_row")["_w"].cumsum() - d["_w"]
    labels = [vocab.design_label(x) for x in rows]
    traces = []
    for result, colour, sub in _result_groups(d):
        traces.append(
            go.Bar(
                x=sub["_w"],
                base=sub["_base"],
                y=[labels[r] for r in sub["_row"]],
                orientation="h",
                name=vocab.RESULT_LABELS[result],
                marker={"color": colour, "line": {"color": pal.PAPER, "width": 1}},
                **hover(sub, [f"result: {vocab.RESULT_LABELS[result]}"] * len(sub)),
            )
        )
    totals = d.groupby("_row").agg(k=("study_id", "count"), n=("_w", "sum"))
    notes = []
    missing = int(d["n"].isna().sum())
    if missing:
        notes.append(f"{plural(missing, 'study', 'studies')} without a participant count.")
    annotations = [
        {
            "x": float(t.n),
            "y": labels[r],
            "xref": "x",
            "yref": "y",
            "text": f"  {plural(int(t.k), 'study', 'studies')}, {plural(int(t.n), 'participant')}",
            "showarrow": False,
            "xanchor": "left",
            "font": {"size": 12},
        }
        for r, t in totals.iterrows()
    ]
    top = totals.iloc[0]
    alt = (
        f"Evidence ladder{what}: {plural(len(d), 'study', 'studies')} with "
        f"{int(d['_w'].sum())} participants; the strongest design present is "
        f"{labels[0]} ({plural(int(top.k), 'study', 'studies')}, {int(top.n)} participants)"
        f" and {int(d['tier'].eq(vocab.TIER_ORDER[0]).sum())} are randomised."
    )
    fig = make_figure(
        traces,
        title=f"Evidence ladder{what}",
        subtitle="Participants by design, strongest design on top; one block per study",
        height=max(300, 48 * len(rows) + 200),
        barmode="overlay",
        xaxis={
            "title": {"text": "participants"},
            "range": [0, max(1.0, float(totals.n.max())) * 1.45],
        },
        yaxis={"categoryorder": "array", "categoryarray": labels[::-1]},
        annotations=annotations,
        notes=notes,
    )
    return Chart(fig, alt, tuple(notes))


def studies_by_year(studies: pd.DataFrame) -> Chart:
    """Draw studies per publication year and cumulative participants.

    One block per study (coloured by design rung) stacked per year; the line on the right
    axis is the cumulative number of participants.
    """
    d = describe(studies)
    dated = d[d["year"].notna()].copy() if "year" in d else d.iloc[0:0]
    if dated.empty:
        return no_chart(
            "No study in the selection has a publication year, so there is no timeline."
        )
    dated["year"] = dated["year"].astype(int)
    dated = dated.sort_values(["year", "tier", "study_id"])
    dated["_base"] = dated.groupby("year").cumcount()
    traces = []
    for tier, sub in _tier_groups(dated):
        traces.append(
            go.Bar(
                x=sub["year"],
                y=[1] * len(sub),
                width=0.8,
                base=sub["_base"],
                name=tier,
                marker={"color": pal.tier_color(tier), "line": {"color": pal.PAPER, "width": 1}},
                **hover(sub),
            )
        )
    per_year = dated.groupby("year")["n"].sum(min_count=0).fillna(0)
    years = list(range(int(per_year.index.min()), int(per_year.index.max()) + 1))
    cumulative = per_year.reindex(years, fill_value=0).cumsum()
    traces.append(
        go.Scatter(
            x=years,
            y=cumulative.values,
            yaxis="y2",
            mode="lines+markers",
            name="cumulative participants",
            line={"color": pal.POOLED, "width": 2, "shape": "hv"},
            marker={"color": pal.POOLED, "size": 5},
            hovertemplate="%{x}: %{y} participants so far<extra></extra>",
        )
    )
    undated = len(d) - len(dated)
    notes = [f"{plural(undated, 'study', 'studies')} without a year not shown."] if undated else []
    peak = dated["year"].value_counts()
    alt = (
        f"{plural(len(dated), 'study', 'studies')} published between {years[0]} and "
        f"{years[-1]}, most in {int(peak.idxmax())} ({int(peak.max())}); cumulative "
        f"participants reached {int(cumulative.iloc[-1])}."
    )
    fig = make_figure(
        traces,
        title="Studies and participants by year",
        subtitle="Bars: one block per study, coloured by design; line: cumulative participants",
        barmode="overlay",
        xaxis={
            "title": {"text": "publication year"},
            "dtick": 1 if len(years) < 16 else 2,
            "range": [years[0] - 1, years[-1] + 1],
        },
        yaxis={"title": {"text": "studies"}, "rangemode": "tozero", "dtick": 1},
        yaxis2={
            "title": {"text": "cumulative participants"},
            "tickformat": ",d",
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
        },
        notes=notes,
    )
    return Chart(fig, alt, tuple(notes))


def registrations_timeline(registrations: pd.DataFrame) -> Chart:
    """Draw registered trials by start date and condition; hollow = no published results.

    Parameters
    ----------
    registrations : pandas.DataFrame
        ``registry_id, condition, design, status, start_date, completion_date,
        target_enrollment, results_posted, linked_study_id, source_url``.
    """
    if registrations.empty:
        return no_chart("No trial registrations match the selection.")
    r = registrations.copy()
    r["_date"] = pd.to_datetime(
        r["start_date"].fillna(r["completion_date"]), errors="coerce", format="mixed"
    )
    has_link = r["linked_study_id"].notna() & r["linked_study_id"].astype(str).str.strip().ne("")
    posted = r["results_posted"].astype(str).str.lower().isin(["true", "1"])
    ended = r["status"].astype(str).isin(vocab.ENDED_STATUSES)
    r["_group"] = np.where(has_link | posted, "published", np.where(ended, "ended", "open"))
    dated = r[r["_date"].notna()]
    conditions = sorted(r["condition"].dropna().unique())
    traces = []
    for group, name, symbol, colour in (
        ("published", "published or results posted", "circle", pal.STUDY),
        ("ended", "ended, no published results", "circle-open", pal.FLAG),
        ("open", "ongoing or status unknown, no results yet", "circle-open", pal.MUTED),
    ):
        sub = dated[dated["_group"] == group]
        if sub.empty:
            continue
        texts = [
            "<br>".join(
                [
                    f"<b>{_esc(row.registry_id)}</b> ({_esc(row.registry)})",
                    f"planned design: {_esc(vocab.design_label(row.design))}",
                    f"target enrolment: {fmt(row.target_enrollment)}",
                    f"status: {_esc(vocab.status_label(row.status))}",
                    f"start: {_esc(row.start_date)}; completion: {_esc(row.completion_date)}",
                    f"linked study: {_esc(row.linked_study_id) if has else 'none'}",
                    f"source: {_esc(row.source_url)}",
                ]
            )
            for row, has in zip(sub.itertuples(), has_link[sub.index], strict=True)
        ]
        traces.append(
            go.Scatter(
                x=sub["_date"],
                y=sub["condition"].map(vocab.condition_label),
                mode="markers",
                name=name,
                marker={
                    "symbol": symbol,
                    "size": 12,
                    "color": colour,
                    "line": {"color": colour, "width": 2},
                },
                hovertext=texts,
                customdata=[
                    [u if isinstance(u, str) else "", i]
                    for u, i in zip(sub["source_url"], sub["registry_id"], strict=True)
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    groups = r["_group"].value_counts()
    notes = []
    if len(dated) < len(r):
        notes.append(f"{plural(len(r) - len(dated), 'registration')} without dates not shown.")
    alt = (
        f"{plural(len(r), 'registered trial')} across {plural(len(conditions), 'condition')}: "
        f"{int(groups.get('published', 0))} with a publication or posted results, "
        f"{int(groups.get('ended', 0))} that ended (completed or terminated) with no results "
        f"anywhere, and {int(groups.get('open', 0))} ongoing or of unknown status without results."
    )
    fig = make_figure(
        traces,
        title="Registered trials: which have published results?",
        subtitle="Hollow = no linked publication and no results on the registry; red = trial has ended",
        height=max(320, 40 * len(conditions) + 200),
        xaxis={
            "title": {"text": "start date (completion date when no start is given)"},
            "type": "date",
            "range": [
                (dated["_date"].min() - pd.Timedelta(days=365)).strftime("%Y-%m-%d"),
                (dated["_date"].max() + pd.Timedelta(days=365)).strftime("%Y-%m-%d"),
            ]
            if len(dated)
            else None,
        },
        yaxis={"categoryorder": "category descending"},
        notes=notes,
    )
    return Chart(fig, alt, tuple(notes))

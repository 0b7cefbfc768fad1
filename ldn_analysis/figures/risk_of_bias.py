"""Risk-of-bias figures in the robvis style: a traffic-light plot and weighted summary bars.

Both take the table of :func:`ldn_analysis.analysis.risk_of_bias.risk_of_bias_table` (RoB 2
rows per study and domain; a design-based tier for studies without them) and use one
colour scale for low / some concerns / high (:data:`ROB_COLORS`, Okabe-Ito), labelled from
:mod:`ldn_analysis.vocab`. As in robvis (McGuinness & Higgins 2021), each judgement also has
a symbol (+, -, ×), so the plot reads without colour.
"""

from __future__ import annotations

import textwrap
from types import MappingProxyType

import numpy as np
import pandas as pd
import plotly.graph_objects as go

import ldn_analysis.figures.palette as pal
from ldn_analysis import vocab
from ldn_analysis.figures._base import ROW_HEIGHT, Chart, _esc, make_figure, no_chart
from ldn_analysis.text.format import plural

ROB_COLORS = MappingProxyType(
    {
        "low": pal.OKABE_ITO["bluish_green"],
        "some_concerns": pal.OKABE_ITO["yellow"],
        "high": pal.OKABE_ITO["vermillion"],
        "not_assessed": pal.OKABE_ITO["grey"],
    }
)
"""One colour per judgement (robvis: green, yellow, red; here their Okabe-Ito matches)."""
ROB_SYMBOLS = MappingProxyType({"low": "+", "some_concerns": "-", "high": "×", "not_assessed": "?"})
"""Symbol drawn inside each light (robvis convention), so colour is never the only cue."""
LEVELS = (*vocab.ROB_JUDGEMENTS, "not_assessed")
_AT = {"low": "at low risk", "some_concerns": "with some concerns", "high": "at high risk"}
COLUMN_HEADS = MappingProxyType(
    {
        d: f"{vocab.ROB_DOMAIN_SHORT[d]}<br>{short}"
        for d, short in zip(
            vocab.ROB_DOMAINS[:5],
            ("randomisation", "deviations", "missing data", "measurement", "reported result"),
            strict=True,
        )
    }
    | {"overall": "Overall"}
)
"""Column heads of the traffic light: robvis's D1-D5 with a word each (full name on hover)."""
DESIGN_MARK = "◆"
"""Legend mark of a design-based tier (not a RoB 2 assessment)."""


def _wrap(text: object, width: int = 70) -> str:
    return "<br>".join(textwrap.wrap(_esc(text), width)) if isinstance(text, str) else ""


def _layout_rows(table: pd.DataFrame) -> list[dict]:
    """Rows of the traffic light, top-down: one per assessed study, one per other design."""
    rows = []
    rob2 = table[table["basis"] == "rob2"]
    for (sid, outcome), sub in rob2.groupby(["study_id", "outcome_assessed"], sort=False):
        label = sub["label"].iloc[0]
        if rob2.loc[rob2["study_id"] == sid, "outcome_assessed"].nunique() > 1:
            label = f"{label}: {str(outcome)[:30]}"
        rows.append({"label": label, "cells": sub, "kind": "rob2"})
    design = table[table["basis"] == "design"]
    rand = design[design["design"].isin(vocab.RANDOMIZED_DESIGNS)]
    for _, row in rand.iterrows():
        rows.append({"label": row["label"], "cells": rand.loc[[row.name]], "kind": "unassessed"})
    other = design[~design["design"].isin(vocab.RANDOMIZED_DESIGNS)]
    designs = [d for d in vocab.DESIGN_ORDER if d in set(other["design"])]
    designs += sorted(set(other["design"]) - set(designs))
    for d in designs:
        sub = other[other["design"] == d]
        label = f"{vocab.design_label(d).capitalize()} ({plural(len(sub), 'study', 'studies')})"
        rows.append({"label": label, "cells": sub.iloc[[0]], "kind": "design", "group": sub})
    return rows


def _cell_hover(row: dict, domain: str, judgement: str, cell: pd.Series | None) -> str:
    name = vocab.ROB_DOMAIN_LABELS.get(domain, domain)
    lines = [f"<b>{_esc(row['label'])}</b>", f"{_esc(name)}: {vocab.ROB_LABELS[judgement]}"]
    if row["kind"] == "design":
        group = row["group"]
        lines.append("design-based tier, not a RoB 2 assessment")
        lines.append(_wrap(cell["support"]))
        lines.append(_wrap("studies: " + ", ".join(group["label"].astype(str))))
    elif row["kind"] == "unassessed":
        lines.append("no RoB 2 assessment of this randomised study yet")
        if domain == "overall":
            lines.append("design alone: " + _wrap(cell["support"]))
    else:
        if isinstance(cell.get("outcome_assessed"), str) and cell["outcome_assessed"]:
            lines.append("outcome: " + _wrap(cell["outcome_assessed"]))
        lines.append(_wrap(cell["support"]))  # no URL shown: customdata[0] opens it on click
    return "<br>".join(x for x in lines if x)


def traffic_light(table: pd.DataFrame, *, title: str | None = None) -> Chart:
    """Traffic-light plot: one row per study, one light per RoB 2 domain and overall.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`~ldn_analysis.analysis.risk_of_bias.risk_of_bias_table` output.
    title : str, optional
        Chart title (default: a question the chart answers).

    Returns
    -------
    Chart
        Circles for RoB 2 judgements (grey "?" for a randomised study not yet assessed);
        diamonds in the Overall column for the design-based tier of non-randomised
        designs, one row per design with its number of studies. Hover gives the
        judgement's support (no URL); ``customdata[0]`` is the page it was read from,
        opened on click in reports.
    """
    if table.empty:
        return no_chart("No studies match the selection, so there is no risk of bias to show.")
    rows = _layout_rows(table)
    domains = list(vocab.ROB_DOMAINS)
    pts: dict[str, dict[str, list]] = {
        j: {k: [] for k in ("x", "y", "symbol", "text", "hover", "url")} for j in LEVELS
    }
    for i, row in enumerate(rows):
        cells = row["cells"].set_index("domain")
        for xi, domain in enumerate(domains):
            if row["kind"] == "design" and domain != "overall":
                continue
            if domain in cells.index:
                cell = cells.loc[domain]
                cell = cell.iloc[0] if isinstance(cell, pd.DataFrame) else cell
                judgement = str(cell["judgement"])
            else:
                cell, judgement = None, "not_assessed"
            if row["kind"] == "unassessed" or judgement not in ROB_COLORS:
                judgement = "not_assessed"  # a trial's design is no RoB 2 judgement
            p = pts[judgement]
            p["x"].append(xi)
            p["y"].append(i)
            p["symbol"].append("diamond" if row["kind"] == "design" else "circle")
            p["text"].append(ROB_SYMBOLS[judgement])
            p["hover"].append(_cell_hover(row, domain, judgement, cell))
            url = cell["source_url"] if cell is not None and row["kind"] == "rob2" else ""
            p["url"].append([url if isinstance(url, str) else "", row["label"]])
    traces = []
    for judgement in LEVELS:
        p = pts[judgement]
        if not p["x"]:
            continue
        traces.append(
            go.Scatter(
                x=p["x"],
                y=p["y"],
                mode="markers+text",
                name=vocab.ROB_LABELS[judgement],
                text=p["text"],
                textfont={"color": pal.OKABE_ITO["black"], "size": 14},
                marker={
                    "symbol": p["symbol"],
                    "size": 22,
                    "color": ROB_COLORS[judgement],
                    "line": {"color": pal.OKABE_ITO["black"], "width": 0.6},
                },
                hovertext=p["hover"],
                customdata=p["url"],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    shapes = [  # a dotted rule where assessed, unassessed and non-randomised rows meet
        {
            "type": "line",
            "xref": "paper",
            "yref": "y",
            "x0": 0,
            "x1": 1,
            "y0": i - 0.5,
            "y1": i - 0.5,
            "line": {"color": pal.MUTED, "width": 1, "dash": "dot"},
        }
        for i in range(1, len(rows))
        if rows[i]["kind"] != rows[i - 1]["kind"]
    ]
    fig = make_figure(
        traces,
        title=title or "Risk of bias: how far can each study's result be trusted?",
        subtitle=(
            "RoB 2 judgement per domain (● randomised trials); "
            f"{DESIGN_MARK} tier from the design alone for studies that were not randomised"
        ),
        height=max(300, ROW_HEIGHT * 1.25 * len(rows) + 200),
        xaxis={
            "tickvals": list(range(len(domains))),
            "ticktext": [COLUMN_HEADS.get(d, d) for d in domains],
            "range": [-0.6, len(domains) - 0.4],
            "side": "top",
            "showgrid": False,
            "fixedrange": True,
        },
        yaxis={
            "tickvals": list(range(len(rows))),
            "ticktext": [r["label"] for r in rows],
            "range": [len(rows) - 0.5, -0.5],
            "showgrid": False,
            "fixedrange": True,
        },
        legend={"y": -0.02, "yanchor": "top"},
        shapes=shapes,
    )
    return Chart(fig, _traffic_alt(table))


def _traffic_alt(table: pd.DataFrame) -> str:
    overall = table[table["domain"] == "overall"]
    rob = overall[overall["basis"] == "rob2"].drop_duplicates("study_id")
    counts = rob["judgement"].value_counts()
    parts = [f"{int(counts.get(j, 0))} {_AT[j]}" for j in vocab.ROB_JUDGEMENTS]
    design = overall[overall["basis"] == "design"]
    rand = design[design["design"].isin(vocab.RANDOMIZED_DESIGNS)]
    other = design[~design["design"].isin(vocab.RANDOMIZED_DESIGNS)]
    text = (
        f"Risk of bias of {plural(len(rob), 'study', 'studies')} assessed with RoB 2: "
        f"overall {', '.join(parts)}."
        if len(rob)
        else "No study of this selection has a RoB 2 assessment."
    )
    if len(rand):
        text += (
            f" {plural(len(rand), 'randomised study', 'randomised studies')} without a RoB 2 "
            "assessment yet."
        )
    if len(other):
        high = int((other["judgement"] == "high").sum())
        share = "all" if high == len(other) else f"{high} of them"
        text += (
            f" {plural(len(other), 'study', 'studies')} not randomised, {share} at high risk "
            "by design."
        )
    return text


def _round_to_100(row: pd.Series) -> pd.Series:
    """Whole percentages that add up to 100 (largest remainder), for bar labels."""
    floor = np.floor(row.to_numpy(float))
    rest = int(round(100 - floor.sum()))
    order = np.argsort(-(row.to_numpy(float) - floor), kind="stable")
    floor[order[:rest]] += 1
    return pd.Series(floor.astype(int), index=row.index)


def summary_bars(table: pd.DataFrame, *, title: str | None = None) -> Chart:
    """Weighted summary bars: share of participants at each judgement, per RoB 2 domain.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`~ldn_analysis.analysis.risk_of_bias.risk_of_bias_table` output; only RoB 2
        rows count (design-based tiers are not domain judgements).
    title : str, optional

    Returns
    -------
    Chart
        One horizontal 100% bar per domain (overall last), stacked low / some concerns /
        high, each study weighted by its participants (robvis ``weighted = TRUE``);
        studies of unknown size are left out and named in a note.
    """
    rob = table[table["basis"] == "rob2"].copy()
    if rob.empty:
        return no_chart(
            "No study of this selection has a RoB 2 assessment, so there are no summary bars."
        )
    rob["w"] = pd.to_numeric(rob["n"], errors="coerce")
    unknown = sorted(set(rob.loc[rob["w"].isna(), "label"]))
    rob = rob[rob["w"].notna() & (rob["w"] > 0)]
    notes = (
        [f"Left out of the weights (participants unknown): {', '.join(unknown)}."]
        if unknown
        else []
    )
    if rob.empty:
        return no_chart("No RoB 2-assessed study has a known size, so the bars cannot be weighted.")
    domains = [d for d in vocab.ROB_DOMAINS if d in set(rob["domain"])]
    shares = (
        rob.groupby(["domain", "judgement"])["w"].sum().unstack(fill_value=0.0).reindex(domains)
    )
    shares = shares.div(shares.sum(axis=1), axis=0) * 100
    labels = shares.apply(_round_to_100, axis=1)
    k = rob["study_id"].nunique()
    n = int(rob.drop_duplicates("study_id")["w"].sum())
    ylabels = [vocab.ROB_DOMAIN_LABELS[d] for d in domains]
    traces = []
    for j in vocab.ROB_JUDGEMENTS:
        vals = shares[j].to_numpy(float) if j in shares else np.zeros(len(domains))
        traces.append(
            go.Bar(
                x=vals,
                y=ylabels,
                orientation="h",
                name=vocab.ROB_LABELS[j],
                marker={"color": ROB_COLORS[j], "line": {"color": pal.PAPER, "width": 1}},
                text=[f"{v}%" if v >= 6 else "" for v in labels.get(j, [0] * len(domains))],
                textposition="inside",
                insidetextanchor="middle",
                textfont={"color": pal.OKABE_ITO["black"]},
                hovertext=[
                    f"<b>{_esc(lab)}</b><br>{vocab.ROB_LABELS[j]}: {v}% of participants"
                    for lab, v in zip(ylabels, labels.get(j, [0] * len(domains)), strict=True)
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    overall = labels.loc["overall"] if "overall" in labels.index else None
    alt = (
        f"Risk of bias across {plural(k, 'study', 'studies')} assessed with RoB 2 "
        f"({n} participants)"
    )
    if overall is not None:
        alt += ": " + ", ".join(f"{overall.get(j, 0)}% {_AT[j]}" for j in vocab.ROB_JUDGEMENTS)
    alt += " (share of participants, by the overall judgement of their study)."
    fig = make_figure(
        traces,
        title=title or "Risk of bias across the randomised trials",
        subtitle=(
            f"Share of participants ({plural(k, 'trial')}, {n} participants) per judgement; "
            "each trial weighted by its size"
        ),
        height=max(300, 44 * len(domains) + 200),
        notes=notes,
        barmode="stack",
        xaxis={"range": [0, 100], "ticksuffix": "%", "title": {"text": "participants"}},
        yaxis={"categoryorder": "array", "categoryarray": ylabels[::-1], "showgrid": False},
        legend={"traceorder": "normal"},
    )
    return Chart(fig, alt)

"""The evidence hierarchy: what each rung of the design ladder concluded.

Tables, text and chart of the ``teach_evidence_hierarchy`` notebook: per design rung, how
many studies reported benefit, no difference or harm.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

import ldn_analysis.figures.palette as pal
from ldn_analysis import vocab
from ldn_analysis.figures import Chart, make_figure, no_chart
from ldn_analysis.teaching._base import _study_frame
from ldn_analysis.teaching.exercise_feedback import exercise_values
from ldn_analysis.text.format import pct, plural


def focus_condition(evidence: Any) -> str:
    """Return the condition with the most randomized trials (the exercises' default)."""
    return exercise_values("count_rcts", evidence)["condition"]


def design_results(evidence: Any, condition: str | None = None) -> pd.DataFrame:
    """Count studies and their authors' primary results per rung of the evidence ladder.

    Columns ``rung, studies, participants, benefit, no_difference, harm, not_reported,
    share_benefit`` (benefit among studies that reported a result, a fraction) and
    ``benefit_among_reported`` (the same as text), strongest rung first.
    """
    s = _study_frame(evidence)
    if condition:
        s = s[s["condition"] == condition]
    s = s.assign(
        rung=s["design"].map(vocab.tier_of), result=s["primary_result"].fillna("not_reported")
    )
    rows = []
    for rung in vocab.TIER_ORDER:
        g = s[s["rung"] == rung]
        if g.empty:
            continue
        counts = g["result"].value_counts()
        reported = sum(int(counts.get(r, 0)) for r in ("benefit", "no_difference", "harm"))
        rows.append(
            {
                "rung": rung,
                "studies": len(g),
                "participants": int(g["n"].sum(skipna=True)),
                **{r: int(counts.get(r, 0)) for r in pal.RESULT_COLORS},
                "share_benefit": counts.get("benefit", 0) / reported if reported else np.nan,
                "benefit_among_reported": (
                    f"{100 * counts.get('benefit', 0) / reported:.0f}%" if reported else ""
                ),
            }
        )
    return pd.DataFrame(rows)


def hierarchy_text(evidence: Any, condition: str | None = None) -> str:
    """Say, in numbers, how often each kind of design reported benefit."""
    t = design_results(evidence, condition)
    where = condition.replace("_", " ") if condition else "all conditions"
    parts = [
        f"{r.rung}: {r.benefit} of {r.benefit + r.no_difference + r.harm} reporting a result "
        f"found benefit" + (f" ({pct(r.share_benefit, 0)})" if pd.notna(r.share_benefit) else "")
        for r in t.itertuples()
    ]
    return (
        f"{plural(int(t['studies'].sum()), 'study', 'studies')} of LDN for {where}, "
        f"{int(t['participants'].sum())} participants. " + "; ".join(parts) + "."
    )


def design_results_chart(evidence: Any, condition: str | None = None) -> Chart:
    """Stacked bars: per rung, how many studies reported benefit, no difference, harm."""
    t = design_results(evidence, condition)
    where = condition.replace("_", " ") if condition else "all conditions"
    if t.empty:
        return no_chart(f"No studies for {where}.")
    traces = [
        go.Bar(
            y=t["rung"],
            x=t[result],
            orientation="h",
            name=vocab.RESULT_LABELS[result],
            marker={"color": colour, "line": {"color": pal.PAPER, "width": 1}},
            hovertemplate="%{y}: %{x} " + vocab.RESULT_LABELS[result] + "<extra></extra>",
        )
        for result, colour in pal.RESULT_COLORS.items()
    ]
    rct, rest = t.iloc[0], t.iloc[1:]
    shares = ", ".join(
        f"{r.rung.lower()} {pct(r.share_benefit, 0)}"
        for r in rest.itertuples()
        if pd.notna(r.share_benefit)
    )
    alt = (
        f"Studies of LDN for {where} by design: {pct(rct.share_benefit, 0)} of "
        f"{rct.rung.lower()}s reporting a result found benefit, against {shares}."
    )
    fig = make_figure(
        traces,
        title=f"What each kind of study concluded: {where}",
        subtitle="Number of studies by design rung (strongest on top) and the authors' result",
        barmode="stack",
        height=max(300, 60 * len(t) + 200),
        xaxis={"title": {"text": "studies"}},
        yaxis={"categoryorder": "array", "categoryarray": list(t["rung"])[::-1]},
    )
    return Chart(fig, alt)

"""Tables and the chart of the summary-of-findings lesson (``teach_summary_of_findings``).

The representative SD behind the points (:func:`sd_table`), the minimal important
differences recorded for pain (:func:`mid_table`), the pooled effect in points against the
MID (:func:`points_chart`), the responder analysis rebuilt from rounded percentages
(:func:`responder_table`, :func:`responder_text`) and the completed row (:func:`sof_row`).
The numbers are those of the exercises (:mod:`.summary_of_findings`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

import ldn_analysis.figures.palette as pal
from ldn_analysis.analysis import absolute as A
from ldn_analysis.figures import Chart, ci_trace, make_figure, vline
from ldn_analysis.stats.escalc import hedges_correction
from ldn_analysis.stats.inference import Z95
from ldn_analysis.teaching.summary_of_findings import (
    OUTCOME,
    cite,
    mid_values,
    nnt_values,
    sof_analysis,
)
from ldn_analysis.text.absolute import nnt_interval_text, points_text, rd_text
from ldn_analysis.text.format import plural


def sd_table(evidence: Any) -> pd.DataFrame:
    """Return each 0-10 trial's SD recovered from its effect size, and the pooled SD."""
    _, eff = sof_analysis(evidence)
    sd = A.representative_sd(eff)
    e = eff.effects.set_index("study_id").loc[list(sd.studies)]
    rows = [
        {
            "trial": cite(evidence, sid),
            "participants": n,
            "reported difference (LDN minus placebo, points)": f"{float(r['estimate']):+.2f}",
            "SMD (positive = less pain on LDN)": f"{float(r['yi']):+.2f}",
            "SD = |difference| x J / |SMD| (points)": f"{s:.2f}",
        }
        for sid, n, s, (_, r) in zip(sd.studies, sd.n, sd.per_study, e.iterrows(), strict=True)
    ]
    rows.append(
        {
            "trial": "pooled (weighted by n - 2)",
            "participants": sum(sd.n),
            "reported difference (LDN minus placebo, points)": "",
            "SMD (positive = less pain on LDN)": "",
            "SD = |difference| x J / |SMD| (points)": f"{sd.sd:.2f}",
        }
    )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------- tables and charts


def mid_table(evidence: Any) -> pd.DataFrame:
    """Return the minimal important differences recorded for pain, with their sources."""
    m = A.minimal_important_differences(evidence, OUTCOME)

    def threshold(r) -> str:
        high = "" if pd.isna(r["mid_value_high"]) else f"-{r['mid_value_high']:g}"
        one = r["mid_value"] == 1 and pd.isna(r["mid_value_high"])
        unit = (
            (" point" if one else " points")
            if r["mid_unit"] == "points"
            else "% of the baseline score"
        )
        return f"{r['mid_value']:g}{high}{unit}"

    return pd.DataFrame(
        {
            "source": m["source"].to_numpy(),
            "instrument": m["instrument"].to_numpy(),
            "population": m["population"].to_numpy(),
            "improvement": [threshold(r) for _, r in m.iterrows()],
            "importance": m["importance"].str.replace("_", " ").to_numpy(),
            "method": m["method"].str.replace("_", "-").to_numpy(),
            "source_url": m["source_url"].to_numpy(),
        }
    )


def points_chart(evidence: Any) -> Chart:
    """Draw the 0-10 trials and the pooled effect in points, with 0 and the MID marked."""
    v = mid_values(evidence)
    _, eff = sof_analysis(evidence)
    e = eff.effects.set_index("study_id")
    labels, x, lo, hi = [], [], [], []
    for sid, sd in v["per_study"].items():
        r = e.loc[sid]
        n = float(r["n_ldn"]) + float(r["n_ctrl"])
        scale = sd / float(hedges_correction(np.array([n - 2]))[0])
        half = Z95 * math.sqrt(float(r["vi"]))
        labels.append(cite(evidence, sid).split(",")[0])
        x.append(float(r["yi"]) * scale)
        lo.append((float(r["yi"]) - half) * scale)
        hi.append((float(r["yi"]) + half) * scale)
    pooled = f"pooled, {plural(v['k'], 'trial')} (SMD x {v['sd']:.2f})"
    traces = [
        ci_trace(x, lo, hi, labels, name="trial on the 0-10 scale", color=pal.STUDY),
        ci_trace(
            [v["points"]],
            [v["low"]],
            [v["high"]],
            [pooled],
            name="pooled",
            color=pal.POOLED,
            symbol="diamond",
            size=12,
        ),
    ]
    fig = make_figure(
        traces,
        title="The pooled effect in points, against the minimal important difference",
        subtitle=f"Each trial's SMD x its own SD; dashed: the MID ({v['mid_source']}), {v['mid']:g} points",
        xaxis={
            "title": {
                "text": "difference in pain, points · ← more pain on LDN · less pain on LDN →"
            },
            "range": [min(*lo, v["low"]) - 0.3, max(*hi, v["high"], v["mid"]) + 0.4],
        },
        yaxis={"autorange": "reversed"},
        shapes=[vline(0), vline(v["mid"], color=pal.FLAG, dash="dash")],
    )
    alt = (
        f"Pain in {v['condition']}: the pooled effect of {plural(v['k'], 'trial')} is "
        f"{points_text(v['points'], v['low'], v['high'], v['scale'])}. The MID "
        f"({v['mid_source']}) is {v['mid']:g} points; the upper limit {v['high']:+.2f} is "
        f"{'below' if v['high'] < v['mid'] else 'at or above'} it. Trials measured on the "
        "0-10 scale: "
        + "; ".join(
            f"{lab} {a:+.2f} ({b:+.2f} to {c:+.2f})"
            for lab, a, b, c in zip(labels, x, lo, hi, strict=True)
        )
        + "."
    )
    return Chart(fig, alt)


def responder_table(evidence: Any) -> pd.DataFrame:
    """Return both arms of the responder analysis: reported percent, n, counts that fit."""
    r = nnt_values(evidence)["responders"]
    return pd.DataFrame(
        {
            "arm": ["LDN", "placebo"],
            "reported": [f"{r.percent_ldn:g}%", f"{r.percent_ctrl:g}%"],
            "participants (n)": [r.n_ldn, r.n_ctrl],
            "counts that round to it": [
                ", ".join(f"{c} ({100 * c / r.n_ldn:.1f}%)" for c in r.counts_ldn),
                ", ".join(f"{c} ({100 * c / r.n_ctrl:.1f}%)" for c in r.counts_ctrl),
            ],
        }
    )


def responder_text(evidence: Any) -> str:
    """Return the risk difference with its interval, the NNT and what it depends on."""
    v = nnt_values(evidence)
    r = v["responders"]
    rr = r.rd.p1 / r.rd.p0
    low_risk = 0.10
    return (
        f"{v['study']}, {v['weeks']:g} weeks: {r.rd.x1} of {r.n_ldn} on LDN and {r.rd.x0} of "
        f"{r.n_ctrl} on placebo reached a {v['what']} (counts rebuilt from the reported "
        f"percentages, assuming they are of everyone randomized). Risk difference "
        f"{rd_text(r.rd)}: {nnt_interval_text(r.nnt)}. The same relative benefit (risk ratio "
        f"{rr:.2f}) with a placebo response of {100 * low_risk:g}% instead of "
        f"{100 * r.rd.p0:.0f}% would give an NNT of {1 / (low_risk * (rr - 1)):.1f}: an NNT "
        "belongs to its control risk and its time frame."
    )


def sof_row(evidence: Any) -> pd.DataFrame:
    """Return the completed summary-of-findings row: relative and absolute effects, MID, NNT."""
    sel, eff = sof_analysis(evidence)
    v = mid_values(evidence)
    n = nnt_values(evidence)["responders"]
    r = eff.result
    weeks = pd.to_numeric(eff.effects["timepoint_weeks"], errors="coerce").dropna()
    span = (
        f"follow-up {weeks.min():g} to {weeks.max():g} weeks where recorded"
        if len(weeks)
        else "follow-up not recorded"
    )
    return pd.DataFrame(
        {
            "outcome": [f"pain ({v['scale'].removeprefix('a ').replace(' pain', '')}); {span}"],
            "participants (trials)": [f"{eff.participants} ({eff.k})"],
            "relative effect: SMD (95% CI)": [
                f"{r.estimate:+.2f} ({r.ci_low:+.2f} to {r.ci_high:+.2f})"
            ],
            "absolute effect: points (95% CI)": [
                f"{v['points']:+.2f} ({v['low']:+.2f} to {v['high']:+.2f})"
            ],
            "minimal important difference": [f"{v['mid']:g} points ({v['mid_source']})"],
            f"responders, one trial ({cite(evidence, n.study).split(',')[0]}, {n.weeks:g} weeks)": [
                f"{n.percent_ldn:g}% vs {n.percent_ctrl:g}%; {nnt_interval_text(n.nnt)}"
            ],
            "certainty": [v["rating"]],
        }
    )

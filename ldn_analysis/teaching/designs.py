"""Crossover and placebo-controlled designs: who was compared, and what placebo does.

Tables and charts of the ``teach_designs`` notebook: arm sizes of the randomized trials,
crossover precision, nocebo and placebo response, and effects with and without a control.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

import ldn_analysis.figures.palette as pal
from ldn_analysis import vocab
from ldn_analysis.analysis import effect_rows, select
from ldn_analysis.claims import study_label
from ldn_analysis.figures import Chart, hover, make_figure, no_chart, vline
from ldn_analysis.stats.escalc import smcr, smd
from ldn_analysis.stats.inference import Z95
from ldn_analysis.teaching._base import _dot_ci, _study_frame, with_study_ids
from ldn_analysis.teaching.claims_vs_evidence import any_ae_arms
from ldn_analysis.text.format import plural
from ldn_analysis.vocab import RANDOMIZED_DESIGNS


def nocebo_table(evidence: Any) -> pd.DataFrame:
    """Any-adverse-event counts in LDN and placebo arms of the same trials (percent)."""
    arms = any_ae_arms(evidence)
    both = arms.pivot_table(index="study_id", columns="arm", values=["events", "n"])
    if "placebo" not in both.columns.get_level_values(1):
        return pd.DataFrame()
    both = both.dropna()
    urls = arms.drop_duplicates("study_id").set_index("study_id")["source_url"]

    def cell(arm):
        e, n = both[("events", arm)], both[("n", arm)]
        return [f"{int(a)}/{int(b)} ({100 * a / b:.0f}%)" for a, b in zip(e, n, strict=True)]

    out = pd.DataFrame(
        {
            "study": [study_label(evidence, s) for s in both.index],
            "any adverse event on LDN": cell("ldn"),
            "any adverse event on placebo": cell("placebo"),
            "source_url": urls.reindex(both.index).to_numpy(),
        }
    ).reset_index(drop=True)
    return with_study_ids(out, both.index)


def randomized_trials_table(evidence: Any) -> pd.DataFrame:
    """Randomized trials with their arm sizes and how many different people took part."""
    s = _study_frame(evidence)
    s = s[s["design"].isin(RANDOMIZED_DESIGNS)].sort_values(["design", "condition", "study_id"])
    nl = pd.to_numeric(s["n_ldn"], errors="coerce")
    nc = pd.to_numeric(s["n_control"], errors="coerce")
    people = np.where(s["design"] == "rct_crossover", nl, nl + nc)
    out = pd.DataFrame(
        {
            "study": [study_label(evidence, i) for i in s["study_id"]],
            "condition": s["condition"].str.replace("_", " "),
            "design": s["design"].map(vocab.design_label),
            "comparator": s["comparator"],
            "n_ldn": nl.map(lambda v: "" if pd.isna(v) else f"{int(v)}"),
            "n_control": nc.map(lambda v: "" if pd.isna(v) else f"{int(v)}"),
            "different people compared": ["" if pd.isna(v) else f"{int(v)}" for v in people],
            "source_url": s["source_url"],
        }
    ).reset_index(drop=True)
    return with_study_ids(out, s["study_id"])


def crossover_precision_table(
    n_crossover: int, n_ldn: int, n_control: int, rhos: Sequence[float] = (0.2, 0.5, 0.8)
) -> pd.DataFrame:
    """Compare the SE of an SMD near 0 from a crossover and from a parallel trial.

    Uses :func:`ldn_analysis.smcr` (paired, within-person correlation ``rho``) and
    :func:`ldn_analysis.smd` (two independent groups), both at no true effect; the last
    column is the size of a parallel trial (equal arms) with the same precision.
    """
    _, v_par = smd(0.0, 1.0, n_ldn, 0.0, 1.0, n_control)
    rows = [
        {
            "design": "parallel, as run",
            "people": n_ldn + n_control,
            "within-person correlation": "",
            "SE of the SMD": round(float(np.sqrt(v_par)), 3),
            "parallel trial with the same SE": n_ldn + n_control,
        }
    ]
    for rho in rhos:
        _, v = smcr(0.0, 0.0, 1.0, n_crossover, rho)
        rows.append(
            {
                "design": "crossover",
                "people": n_crossover,
                "within-person correlation": f"{rho:g}",
                "SE of the SMD": round(float(np.sqrt(v)), 3),
                "parallel trial with the same SE": int(round(4 / float(v))),
            }
        )
    return pd.DataFrame(rows)


def placebo_response_table(evidence: Any) -> pd.DataFrame:
    """Improvement in each arm of randomized placebo-controlled trials (change in both arms).

    Only randomized designs: a fixed-order design (placebo first, then LDN) confounds the
    arm with time, so its "placebo arm" is not a concurrent control. Rows of ``outcomes`` with ``comparison = ldn_vs_placebo``, ``data_type =
    change_scores`` and both arm means; improvements are oriented by ``better``; the share
    is the placebo arm's improvement as a percentage of the LDN arm's.
    """
    o = evidence.outcomes
    design = evidence.studies.set_index("study_id")["design"]
    o = o[
        o["study_id"].map(design).isin(RANDOMIZED_DESIGNS)
        & (o["comparison"] == "ldn_vs_placebo")
        & (o["data_type"] == "change_scores")
        & o["mean_ldn"].notna()
        & o["mean_ctrl"].notna()
    ]
    sign = np.where(o["better"] == "lower", -1.0, 1.0)
    imp_ldn, imp_plc = sign * o["mean_ldn"].to_numpy(float), sign * o["mean_ctrl"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(imp_ldn > 0, 100 * imp_plc / imp_ldn, np.nan)
    out = pd.DataFrame(
        {
            "study": [study_label(evidence, i) for i in o["study_id"]],
            "design": o["study_id"].map(design).map(vocab.design_label).to_numpy(),
            "outcome": o["instrument"].to_numpy(),
            "improvement on LDN": imp_ldn,
            "improvement on placebo": imp_plc,
            "placebo as % of LDN": np.round(share, 0),
            "p value": o["p_value"].to_numpy(),
            "source_url": o["source_url"].to_numpy(),
        }
    )
    return with_study_ids(out, o["study_id"])


def placebo_response_chart(table: pd.DataFrame) -> Chart:
    """Bars: the placebo arm's improvement as a share of the LDN arm's, per outcome."""
    t = table.dropna(subset=["placebo as % of LDN"]).reset_index(drop=True)
    if t.empty:
        return no_chart("No placebo-controlled trial reports change in both arms.")
    labels = [f"{r.study}: {r.outcome}"[:70] for r in t.itertuples()]
    extra = [
        html.escape(f"improvement {a:g} on LDN, {b:g} on placebo ({s:.0f}% of LDN's)")
        for a, b, s in zip(
            t["improvement on LDN"],
            t["improvement on placebo"],
            t["placebo as % of LDN"],
            strict=True,
        )
    ]
    colours = [
        pal.FLAG if v >= 100 else pal.ARM_COLORS["placebo"] for v in t["placebo as % of LDN"]
    ]
    trace = go.Bar(
        x=t["placebo as % of LDN"],
        y=labels,
        orientation="h",
        marker={"color": colours},
        name="placebo improvement as % of LDN improvement",
        **hover(t, extra),
    )
    at_least = int((t["placebo as % of LDN"] >= 100).sum())
    alt = (
        f"In {plural(len(t), 'outcome')} of placebo-controlled trials, the placebo arm "
        f"improved by {t['placebo as % of LDN'].min():.0f}% to {t['placebo as % of LDN'].max():.0f}% "
        f"of the LDN arm's improvement (median {t['placebo as % of LDN'].median():.0f}%); in "
        f"{at_least} the placebo arm improved at least as much."
    )
    line = vline(100)
    fig = make_figure(
        [trace],
        title="How much of the improvement on LDN is also seen on placebo?",
        subtitle="Placebo arm's improvement as % of the LDN arm's; dotted line = as much as LDN",
        height=max(300, 34 * len(t) + 200),
        xaxis={"title": {"text": "placebo improvement as % of LDN improvement"}},
        yaxis={"categoryorder": "array", "categoryarray": labels[::-1], "showgrid": False},
        shapes=[line],
        showlegend=False,
    )
    return Chart(fig, alt)


def _contrast_rows(evidence: Any, outcome: str) -> pd.DataFrame:
    eff, _ = effect_rows(select(evidence), outcome, comparison=None)
    return eff[eff["comparison"].isin(["ldn_pre_post", "ldn_vs_placebo"])].copy()


def design_contrast_ids(evidence: Any, outcome: str = "pain") -> list[str]:
    """Return the ids of the studies :func:`design_contrast_chart` draws."""
    return list(dict.fromkeys(_contrast_rows(evidence, outcome)["study_id"].astype(str)))


def design_contrast_chart(evidence: Any, outcome: str = "pain") -> Chart:
    """Effect sizes of ``outcome`` with and without a control group, on one axis.

    Before-after effects (``ldn_pre_post``) include placebo response, regression to the
    mean and natural recovery; placebo-controlled effects remove them.
    """
    eff = _contrast_rows(evidence, outcome)
    if eff.empty:
        return no_chart(f"No computable {outcome} effect sizes.")
    eff["se"] = np.sqrt(eff["vi"])
    eff = eff.sort_values(["comparison", "yi"]).reset_index(drop=True)
    eff["label"] = [study_label(evidence, i) for i in eff["study_id"]]
    labels = list(eff["label"])
    colours = {"ldn_pre_post": pal.MUTED, "ldn_vs_placebo": pal.STUDY}
    traces = []
    summary = []
    for comp, colour in colours.items():
        sub = eff[eff["comparison"] == comp]
        if sub.empty:
            continue
        lo, hi = sub["yi"] - Z95 * sub["se"], sub["yi"] + Z95 * sub["se"]
        extra = [
            f"SMD {y:+.2f} (95% CI {a:+.2f} to {b:+.2f})"
            for y, a, b in zip(sub["yi"], lo, hi, strict=True)
        ]
        name = vocab.COMPARISON_LABELS[comp]
        traces.append(_dot_ci(sub, sub["yi"], lo, hi, name, colour, extra, y=sub["label"]))
        summary.append(
            f"{plural(len(sub), 'study', 'studies')} {vocab.COMPARISON_LABELS[comp]}: SMD "
            f"{sub['yi'].min():+.2f} to {sub['yi'].max():+.2f}"
        )
    alt = f"{outcome.capitalize()} effect sizes by comparison: " + "; ".join(summary) + "."
    zero = vline(0)
    fig = make_figure(
        traces,
        title=f"{outcome.capitalize()}: before-after studies versus placebo-controlled trials",
        subtitle="SMD with 95% CI; right = better: after LDN (before-after) or on LDN than on "
        "placebo (trials)",
        height=max(300, 32 * len(eff) + 200),
        xaxis={
            "title": {"text": "SMD (Hedges' g): ← worse after / on LDN · better after / on LDN →"}
        },
        yaxis={"categoryorder": "array", "categoryarray": labels[::-1], "showgrid": False},
        shapes=[zero],
    )
    return Chart(fig, alt)

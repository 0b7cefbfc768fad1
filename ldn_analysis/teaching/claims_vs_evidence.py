"""Claims versus evidence: the verdict table, claims by source text, and two headline charts.

:func:`claims_table` is the table of ``python -m ldn_analysis claims``;
:func:`show_claims_by_source` groups it by source text with each text's health-news
score; :func:`final_trial_chart` and :func:`side_effect_range_chart` put the FINAL claim
and the side-effect range claim beside the data (notebook ``claims_vs_evidence``; the
claim helpers are also used by ``teach_evidence_hierarchy``).
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

import ldn_analysis.figures.palette as pal
from ldn_analysis import claims as C
from ldn_analysis.claims.safety import any_ae_arms as claims_arms
from ldn_analysis.errors import LDNError
from ldn_analysis.figures import Chart, error_x, hover, make_figure, no_chart, vline
from ldn_analysis.stats.proportions import wilson
from ldn_analysis.stats.risk_difference import newcombe
from ldn_analysis.teaching._base import _band, _dot_ci, _study_frame
from ldn_analysis.text.display import show_table, show_text
from ldn_analysis.text.format import pct, plural, short_citation, short_citations
from ldn_analysis.vocab import CONTROLLED_DESIGNS


def _claims(evidence: Any) -> pd.DataFrame:
    claims = getattr(evidence, "claims", None)
    return C.load_claims(getattr(evidence, "data_dir", None)) if claims is None else claims


def claims_table(evidence: Any) -> pd.DataFrame:
    """Return every claim with its verdict, as ``python -m ldn_analysis claims`` computes it.

    The :func:`ldn_analysis.claims.evaluate_claims` columns plus ``claim_type``,
    ``proposition``, ``proposition_args``, the claim's ``source_url`` and
    ``deciding_studies`` (the short citations of ``deciding_sources``, whose ids stay
    machine-readable); study ids in the curator's notes read as citations.
    """
    claims = _claims(evidence)
    result = C.evaluate_claims(evidence, claims)
    extra = claims[["claim_id", "claim_type", "proposition", "proposition_args", "source_url"]]
    return C.with_study_names(result.merge(extra, on="claim_id", how="left"), evidence)


def _source_label(source_file: str) -> str:
    url = C.SOURCE_ORIGINS.get(source_file, "")
    where = url.split("//", 1)[-1].split("/", 1)[0] if url else "origin not found"
    return f"text {source_file[:3]} ({where})"


def verdict_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Count verdicts per source text (one row per text, one column per verdict, total)."""
    counts = pd.crosstab(table["source_file"], table["verdict"]).reindex(
        columns=list(C.VERDICTS), fill_value=0
    )
    counts["total"] = counts.sum(axis=1)
    counts.index = [_source_label(s) for s in counts.index]
    return counts.rename_axis("source text").reset_index()


def scores_table(scores: pd.DataFrame) -> pd.DataFrame:
    """Format :func:`ldn_analysis.claims.score_sources` for display (origin as a link)."""
    return pd.DataFrame(
        {
            "source text": scores["source_file"].map(_source_label),
            "criteria applicable": scores["applicable"],
            "criteria met": scores["met"],
            "score": scores["score"].map(lambda s: pct(s, 0)),
            "stars (of 5)": scores["stars"],
            "not met": scores["not_met"].str.replace(";", ", ").str.replace("_", " "),
            "source_url": scores["origin_url"],
        }
    )


def show_claims_by_source(table: pd.DataFrame, scores: pd.DataFrame) -> None:
    """Show, per source text, its health-news score and every claim with its verdict."""
    by_src = scores.set_index("source_file")
    for src, g in table.groupby("source_file", sort=True):
        counts = g["verdict"].value_counts()
        verdicts = ", ".join(f"{counts[v]} {v}" for v in C.VERDICTS if v in counts)
        text = f"{plural(len(g), 'claim')}: {verdicts}."
        if src in by_src.index:
            s = by_src.loc[src]
            text += (
                f" Health-news criteria met: {s['met']} of {s['applicable']} applicable "
                f"({s['stars']} of 5 stars)."
            )
        show_text(text, heading=f"Source {_source_label(src)}")
        show_table(
            g[
                [
                    "claim_id",
                    "claim_text",
                    "verdict",
                    "deciding_numbers",
                    "deciding_studies",
                    "source_url",
                ]
            ].rename(
                columns={
                    "claim_id": "claim",
                    "claim_text": "claim (paraphrased)",
                    "deciding_numbers": "deciding numbers",
                    "deciding_studies": "from studies",
                }
            ),
            caption=f"Claims in {_source_label(src)} with the verdict computed from the data",
        )


def headline_claims(claims: pd.DataFrame) -> dict[str, str]:
    """Return the ids of the first FINAL claim and the first side-effect range claim.

    Keys ``final`` (proposition ``final_primary_significant``) and ``side_effect_range``
    (proposition ``ae_any_range``).
    """
    wanted = {"final": "final_primary_significant", "side_effect_range": "ae_any_range"}
    out = {}
    for key, prop in wanted.items():
        rows = claims[claims["proposition"] == prop]
        if rows.empty:
            raise LDNError(f"no claim with proposition {prop} in the claims table")
        out[key] = str(rows.iloc[0]["claim_id"])
    return out


def uncontrolled_claim(evidence: Any, claims: pd.DataFrame) -> str:
    """Return the first claim that one study showed benefit, where that study had no control.

    Rule: proposition ``study_primary_benefit``, the study found by its arguments is not
    randomized, has no comparator and reported benefit.
    """
    s = evidence.studies
    for r in claims[claims["proposition"] == "study_primary_benefit"].itertuples():
        args = C.parse_args(r.proposition_args)
        rows = s
        if "study" in args:
            rows = rows[rows["study_id"] == args["study"]]
        if "nct" in args:
            rows = rows[rows["nct_id"].astype(str).str.upper() == str(args["nct"]).upper()]
        if "author" in args:
            rows = rows[rows["first_author"].astype(str).str.lower() == args["author"].lower()]
        if "year" in args:
            rows = rows[pd.to_numeric(rows["year"], errors="coerce") == int(args["year"])]
        if len(rows) == 1:
            st = rows.iloc[0]
            uncontrolled = st["design"] not in CONTROLLED_DESIGNS and st["comparator"] == "none"
            if uncontrolled and st["primary_result"] == "benefit":
                return str(r.claim_id)
    raise LDNError("no claim about a single uncontrolled study reporting benefit")


def _claim_row(claims: pd.DataFrame, claim_id: str) -> pd.Series:
    rows = claims[claims["claim_id"] == claim_id]
    if rows.empty:
        raise LDNError(f"claim {claim_id} not found")
    return rows.iloc[0]


def claim_card_text(claims: pd.DataFrame, claim_id: str) -> str:
    """Return a claim as a headline: its paraphrased text and which source text made it."""
    r = _claim_row(claims, claim_id)
    return (
        f"\u201c{r['claim_text']}\u201d\n\nClaim {claim_id} ({r['claim_type'].replace('_', ' ')}), "
        f"from source {_source_label(r['source_file'])}; checked with the rule "
        f"'{r['proposition']}'."
    )


def claim_evidence_text(table: pd.DataFrame, claim_id: str) -> str:
    """Return what the evidence base says about a claim (a row of :func:`claims_table`)."""
    r = _claim_row(table, claim_id)
    return (
        f"Verdict computed from the data: {r['verdict']}.\n\nDeciding numbers: "
        f"{r['deciding_numbers']}.\n\n{r['explanation']} (from: "
        f"{r.get('deciding_studies') or r['deciding_sources'] or 'no study'})"
    )


def final_trial_chart(evidence: Any, claims: pd.DataFrame, claim_id: str) -> Chart:
    """Chart the primary between-group result of the trial a claim is about.

    The trial is the claim's deciding source; its between-group estimates for the primary
    outcome (with a reported CI) are drawn oriented so that right = favours LDN, with the
    region the claim needs (the whole interval above 0) shaded.
    """
    row = _claim_row(claims, claim_id)
    ev = C.evaluate_claim(evidence, row["proposition"], C.parse_args(row["proposition_args"]))
    if not ev.deciding_sources:
        return no_chart(f"Claim {claim_id}: the trial is not in the evidence base.")
    sid = ev.deciding_sources[0]
    study = evidence.studies[evidence.studies["study_id"] == sid].iloc[0]
    who = short_citation(study)
    out = evidence.outcomes
    rows = out[
        (out["study_id"] == sid)
        & (out["comparison"] == "ldn_vs_placebo")
        & out["estimate"].notna()
        & out["ci_low"].notna()
        & out["ci_high"].notna()
    ]
    primary = str(study["primary_outcome"]).lower()
    rows = rows[rows["outcome"].map(lambda o: str(o).replace("_", " ") in primary)]
    if rows.empty:
        return no_chart(f"{who}: no primary between-group estimate with a CI is recorded.")
    r = rows.iloc[0]
    sign = -1.0 if r["better"] == "lower" else 1.0
    est = sign * float(r["estimate"])
    lo, hi = sorted((sign * float(r["ci_low"]), sign * float(r["ci_high"])))
    label = f"{who}: {r['instrument']}"
    p = r["p_value"]
    p_text = f", p = {p:g}" if pd.notna(p) else ""
    verdict = (
        "the interval lies above 0, as the claim says"
        if lo > 0
        else "the interval includes 0, so the trial did not show more relief than placebo"
    )
    unit = "points" if pd.notna(r["scale_max"]) else "units"
    flipped = (
        f" The paper reports {r['estimate_type']} {float(r['estimate']):+.2f} (LDN minus placebo; "
        f"{r['better']} is better); the sign is flipped here so that right = benefit of LDN."
        if sign < 0
        else ""
    )
    alt = (
        f"{who} ({study['nct_id']}, n = {study['n_enrolled']}): benefit of LDN over "
        f"placebo {est:+.2f} {unit} (95% CI {lo:+.2f} to {hi:+.2f}{p_text}) on "
        f"{r['instrument']}; {verdict}.{flipped}"
    )
    reported = (
        f"reported {r['estimate_type']} {r['estimate']:g} (95% CI {r['ci_low']:g} to "
        f"{r['ci_high']:g}{p_text}); {r['better']} is better"
    )
    h = hover(
        pd.DataFrame([{**study.to_dict(), "n": study["n_enrolled"]}]),
        [html.escape(reported)],
    )
    span = max(abs(lo), abs(hi)) * 1.6
    trace = go.Scatter(
        x=[est],
        y=[label],
        mode="markers",
        marker={"symbol": "square", "size": 12, "color": pal.STUDY},
        error_x=error_x(est, lo, hi, pal.STUDY, 2),
        name="trial result (95% CI)",
        **h,
    )
    shapes = [_band(0, span), vline(0)]
    fig = make_figure(
        [trace],
        title=f"Claim {claim_id} against the trial's primary result",
        subtitle="Shaded: where the whole 95% CI would have to lie for the claim to hold",
        height=300,
        xaxis={
            "title": {"text": f"more improvement on LDN than placebo ({unit}) →"},
            "range": [-span, span],
        },
        yaxis={"showgrid": False},
        shapes=shapes,
        showlegend=False,
    )
    return Chart(fig, alt)


def any_ae_arms(evidence: Any, condition: str = "any") -> pd.DataFrame:
    """Return any-adverse-event counts per study arm with 95% Wilson intervals.

    The arms of :func:`ldn_analysis.claims.safety.any_ae_arms` (the rows the verdict of
    :func:`ldn_analysis.claims.ae_any_range` reads), with their proportions. Columns
    ``study_id, arm, events, n, p, low, high, source_url`` (proportions as fractions).
    """
    arms = claims_arms(evidence, condition)
    lo, hi = wilson(arms["events"], arms["n"])
    out = arms.assign(p=arms["events"] / arms["n"], low=lo, high=hi)
    return out[["study_id", "arm", "events", "n", "p", "low", "high", "source_url"]]


def ae_excess(arms: pd.DataFrame) -> pd.DataFrame:
    """Return the drug-attributed excess of each trial with an LDN and a placebo arm.

    The number the verdict of :func:`ldn_analysis.claims.ae_any_range` reads: all-cause
    any-adverse-event proportion on LDN minus on placebo, with Newcombe's hybrid-score
    95% interval (:func:`ldn_analysis.stats.risk_difference.newcombe`, the same function
    the verdict calls). ``arms`` is :func:`any_ae_arms`.
    Columns ``study_id, excess, low, high`` (fractions), one row per trial.
    """
    ldn = arms[arms["arm"] == "ldn"].set_index("study_id")
    pbo = arms[arms["arm"] == "placebo"].set_index("study_id")
    both = ldn.add_suffix("_ldn").join(pbo.add_suffix("_pbo"), how="inner")
    rds = [newcombe(r.events_ldn, r.n_ldn, r.events_pbo, r.n_pbo) for r in both.itertuples()]
    return pd.DataFrame(
        {
            "study_id": both.index.to_numpy(),
            "excess": [rd.rd for rd in rds],
            "low": [rd.low for rd in rds],
            "high": [rd.high for rd in rds],
        },
        columns=["study_id", "excess", "low", "high"],
    )


def side_effect_range_chart(evidence: Any, claims: pd.DataFrame, claim_id: str) -> Chart:
    """Chart a claimed side-effect range the way its verdict reads it.

    Left: every arm's all-cause adverse-event proportion (95% Wilson interval): LDN and
    placebo arms of the same trial one above the other, LDN arms without a placebo arm
    apart (an upper bound for side effects, not graded). Right: the drug-attributed
    excess, LDN minus placebo (:func:`ae_excess`), against the claimed range, coloured by
    the verdict's rule (the whole interval above the claim contradicts it; an estimate
    above it overstates it).
    """
    row = _claim_row(claims, claim_id)
    args = C.parse_args(row["proposition_args"])
    low, high = float(args["low"]) / 100, float(args["high"]) / 100
    arms = any_ae_arms(evidence, args.get("condition", "any"))
    if not (arms["arm"] == "ldn").any():
        return no_chart("No LDN arm counts any adverse event, so the range cannot be checked.")
    excess = ae_excess(arms)
    controlled = set(excess["study_id"])
    arms = arms[arms["study_id"].isin(set(arms.loc[arms["arm"] == "ldn", "study_id"]))]
    studies = _study_frame(evidence).drop(columns=["n", "source_url"], errors="ignore")
    arms = arms.merge(studies, on="study_id", how="left")
    cite = dict(zip(arms["study_id"], short_citations(arms), strict=True))
    arm_word = {"ldn": "LDN arm", "placebo": "placebo arm"}
    arms["label"] = [
        f"{cite[r.study_id]}: {arm_word.get(r.arm, r.arm + ' arm')}" for r in arms.itertuples()
    ]
    arms["kind"] = np.where(
        arms["arm"] != "ldn",
        "placebo arm",
        np.where(arms["study_id"].isin(controlled), "LDN arm", "LDN arm, no placebo arm"),
    )
    arms = arms.sort_values(["p", "study_id"])
    order = list(arms.loc[arms["kind"] == "LDN arm, no placebo arm", "label"])
    for sid in excess.sort_values("excess")["study_id"]:  # each trial's two arms together
        order += list(arms.loc[(arms["study_id"] == sid), "label"].iloc[::-1])
    kinds = {
        "LDN arm": (pal.ARM_COLORS["ldn"], "circle"),
        "placebo arm": (pal.ARM_COLORS["placebo"], "circle-open"),
        "LDN arm, no placebo arm": (pal.MUTED, "circle"),
    }
    traces = []
    for kind, (colour, symbol) in kinds.items():
        sub = arms[arms["kind"] == kind]
        extra = [
            f"{arm_word.get(r.arm, r.arm)}, all causes: {int(r.events)}/{int(r.n)} = {pct(r.p)}"
            f" (Wilson 95% CI {pct(r.low)} to {pct(r.high)})"
            for r in sub.itertuples()
        ]
        if len(sub):
            x = (100 * sub[c] for c in ("p", "low", "high"))
            name = f"{kind} (all-cause)"
            traces.append(_dot_ci(sub, *x, name, colour, extra, symbol=symbol, y=sub["label"]))
    ex = excess.merge(arms[arms["arm"] == "ldn"], on="study_id", suffixes=("", "_arm"))
    status = np.where(
        ex["low"] > high,
        "whole interval above the claim",
        np.where(ex["excess"] > high, "estimate above the claim", "within the claim"),
    )
    colours = {
        "within the claim": pal.OKABE_ITO["bluish_green"],
        "estimate above the claim": pal.OKABE_ITO["orange"],
        "whole interval above the claim": pal.FLAG,
    }
    for name, colour in colours.items():
        sub = ex[status == name]
        if sub.empty:
            continue
        extra = [
            f"drug-attributed excess (LDN minus placebo): {100 * r.excess:+.0f} points "
            f"(Newcombe 95% CI {100 * r.low:+.0f} to {100 * r.high:+.0f})"
            for r in sub.itertuples()
        ]
        x = (100 * sub[c] for c in ("excess", "low", "high"))
        name = f"LDN minus placebo: {name}"
        trace = _dot_ci(sub, *x, name, colour, extra, symbol="diamond", y=sub["label"])
        traces.append(trace.update(xaxis="x2"))
    band = {**_band(100 * low, 100 * high), "xref": "x2"}
    words = "; ".join(
        f"{cite[r.study_id]} {100 * r.excess:+.0f} points (95% CI {100 * r.low:+.0f} to "
        f"{100 * r.high:+.0f})"
        for r in ex.itertuples()
    )
    n_alone = int((arms["kind"] == "LDN arm, no placebo arm").sum())
    alt = (
        "The verdict reads the drug-attributed rate: adverse events of any cause on LDN minus "
        f"on placebo in the same trial ({words or 'no trial has a placebo arm'}), against the "
        f"claimed {100 * low:g}-{100 * high:g}%. The all-cause rates on the left also count "
        "events the drug did not cause (placebo arms have them too)."
    )
    if n_alone:
        alt += f" Not graded: {plural(n_alone, 'LDN arm')} without a placebo arm (an upper bound)."
    lim = max(100 * high + 5, float(100 * ex["high"].max()) + 5 if len(ex) else 0)
    fig = make_figure(
        traces,
        title=f"Claim {claim_id}: side effects in {100 * low:g}-{100 * high:g}% of patients?",
        subtitle="Left: adverse events of any cause per arm. Right: drug-attributed, LDN minus "
        "placebo, graded against the claim (shaded)",
        height=max(360, 26 * len(order) + 220),
        xaxis={
            "title": {"text": "all-cause adverse events (% of arm)"},
            "range": [-2, 102],
            "domain": [0, 0.58],
        },
        xaxis2={
            "title": {"text": "drug-attributed excess (points)"},
            "domain": [0.66, 1],
            "range": [min(-lim, float(100 * ex["low"].min()) - 5 if len(ex) else -lim), lim],
            "zeroline": True,
            "anchor": "y",
        },
        yaxis={"categoryorder": "array", "categoryarray": order, "showgrid": False},
        shapes=[band],
    )
    return Chart(fig, alt)

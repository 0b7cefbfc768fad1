"""Teaching evidence appraisal: exercise feedback, solutions, and the teaching tables and charts.

The ``teach_*`` notebooks and ``claims_vs_evidence`` call only this module (through
``ldn_analysis.teaching``) and the public API, so they stay thin. Three parts:

- **Exercises.** :func:`ask` shows a question of :mod:`ldn_analysis.exercises`,
  :func:`feedback` checks the student's ``my_answer`` with
  :func:`ldn_analysis.exercises.check` and shows the verdict and a hint (or "no answer
  yet" while ``my_answer`` is None); in ``instructor`` mode it also shows
  :func:`solution_text`, the answer computed from the data with its reasoning.
- **Claims versus evidence.** :func:`claims_table` is the table of
  ``python -m ldn_analysis claims``; :func:`show_claims_by_source` groups it by source
  text with each text's health-news score; two charts put the FINAL claim and the
  side-effect range claim beside the data.
- **Lessons.** Tables and charts for the evidence hierarchy, small proportions, few
  studies and small-study effects, and crossover/placebo designs. Every number comes
  from the evidence base and the bundle's statistics (:mod:`ldn_analysis.proportions`,
  :mod:`ldn_analysis.pooling`, :mod:`ldn_analysis.effects`); charts are
  :class:`ldn_analysis.figures.Chart` objects whose ``alt`` text is computed from the
  same numbers.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from scipy import stats

from . import claims as C
from . import exercises as X
from . import palette as pal
from .diagnostics import egger
from .effects import compute_effects, smcr, smd
from .errors import ChoiceError, LDNError
from .figures import Chart, hover, make_figure, no_chart
from .parameters import MODES
from .pooling import pool
from .proportions import clopper_pearson, rule_of_three, wilson

__all__ = [
    "EGGER_ALPHA",
    "SOLUTION_HEADING",
    "any_ae_arms",
    "ask",
    "claim_card_text",
    "claim_evidence_text",
    "claims_table",
    "coverage_chart",
    "crossover_precision_table",
    "design_contrast_chart",
    "design_results",
    "design_results_chart",
    "egger_power",
    "egger_power_text",
    "exercise_values",
    "feedback",
    "feedback_text",
    "few_studies_table",
    "final_trial_chart",
    "focus_condition",
    "forest_reading_text",
    "headline_claims",
    "heterogeneity_text",
    "hierarchy_text",
    "interval_chart",
    "interval_table",
    "model_answer",
    "nocebo_table",
    "placebo_response_chart",
    "placebo_response_table",
    "randomized_trials_table",
    "scores_table",
    "show_claims_by_source",
    "side_effect_range_chart",
    "solution_text",
    "t_multiplier_table",
    "uncontrolled_claim",
    "verdict_counts",
    "zero_event_table",
]

SOLUTION_HEADING = "Solution (instructor mode)"
Z95 = float(stats.norm.isf(0.025))
EGGER_ALPHA = 0.10
"""Egger's test is conventionally read at the 10% level (Egger et al. 1997)."""

TITLES = {
    "rule_of_three": "zero events",
    "wilson_vs_wald": "an interval for few events",
    "count_rcts": "counting randomized trials",
    "pooled_direction": "reading the pooled estimate",
    "i2_interpretation": "how much do the studies disagree?",
    "egger_appropriate": "is Egger's test appropriate?",
    "crossover_vs_parallel_n": "how many people were compared?",
    "claim_verdict": "what is the claim worth?",
}

ANSWER_FORMATS = {
    "number": "a number, without the % sign: my_answer = then the number",
    "interval": "two numbers in brackets, lower then upper: my_answer = (lower, upper)",
    "pair": "two whole numbers in brackets: my_answer = (crossover, parallel)",
    "choice": 'one of the words offered in the question, in quotes: my_answer = "word"',
    "boolean": 'my_answer = "yes" or my_answer = "no"',
}


def _show_text(text: str, heading: str | None = None) -> None:
    from .display import show_text

    show_text(text, heading=heading)


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ChoiceError("mode", mode, MODES)


def _exercise(exercise_id: str) -> X.Exercise:
    if exercise_id not in X.EXERCISES:
        raise ChoiceError("exercise", exercise_id, sorted(X.EXERCISES))
    return X.EXERCISES[exercise_id]


def _pct(x: float, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f}%"


def _fmt_answer(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return " or ".join(value)
    if isinstance(value, tuple):
        return "(" + ", ".join(_fmt_answer(v) for v in value) + ")"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _plural(k: int, word: str, plural: str | None = None) -> str:
    return f"{k} {word if k == 1 else (plural or word + 's')}"


def _vline(x: float) -> dict:
    """Return a dotted vertical reference line at ``x`` (0 = no effect, 100%...)."""
    return {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "line": {"color": pal.MUTED, "dash": "dot"},
    }


def _band(x0: float, x1: float) -> dict:
    """Return a shaded vertical band from ``x0`` to ``x1`` (what a claim needs or says)."""
    return {
        "type": "rect",
        "xref": "x",
        "yref": "paper",
        "x0": x0,
        "x1": x1,
        "y0": 0,
        "y1": 1,
        "fillcolor": pal.OKABE_ITO["bluish_green"],
        "opacity": 0.15,
        "line": {"width": 0},
        "layer": "below",
    }


def _error_x(x, lo, hi, colour: str, thickness: float = 1.5) -> dict:
    x, lo, hi = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (x, lo, hi))
    return {
        "type": "data",
        "symmetric": False,
        "array": hi - x,
        "arrayminus": x - lo,
        "color": colour,
        "thickness": thickness,
        "width": 0,
    }


# --------------------------------------------------------------------------- exercises


def exercise_values(exercise_id: str, evidence: Any, **params: Any) -> dict:
    """Return the numbers an exercise picked from the data (its ``setup`` values)."""
    return _exercise(exercise_id).setup(evidence, **params)


def ask(exercise_id: str, evidence: Any, **params: Any) -> None:
    """Show an exercise's question (numbers chosen from the data) and the answer format."""
    ex = _exercise(exercise_id)
    text = X.question(exercise_id, evidence, **params)
    fmt = ANSWER_FORMATS.get(ex.kind, "")
    _show_text(
        f"{text}\n\nWrite your answer in the next cell as {fmt}.",
        heading=f"Exercise: {TITLES.get(exercise_id, exercise_id.replace('_', ' '))}",
    )


def feedback_text(
    exercise_id: str, answer: Any, evidence: Any, mode: str = "student", **params: Any
) -> str:
    """Return the feedback on ``answer`` (None = not answered yet), without the solution.

    Parameters
    ----------
    exercise_id : str
        Key of :data:`ldn_analysis.exercises.EXERCISES`.
    answer : object or None
        The student's ``my_answer``; None gives "no answer yet" and the hint.
    evidence : Evidence
        The evidence base.
    mode : {"student", "instructor"}
        In instructor mode a wrong answer's message names the correct one.
    **params
        The same fixed values given to :func:`ask`.
    """
    _check_mode(mode)
    ex = _exercise(exercise_id)
    if answer is None:
        return (
            "No answer yet: write it in my_answer in the cell above, then run that cell and "
            f"this one again.\n\nHint: {ex.hint}"
        )
    fb = X.check(exercise_id, answer, evidence, reveal=mode == "instructor", **params)
    return fb.message + (f"\n\nHint: {fb.hint}" if fb.hint else "")


def feedback(
    exercise_id: str, answer: Any, evidence: Any, mode: str = "student", **params: Any
) -> None:
    """Show the feedback on ``answer``; in instructor mode also the worked solution.

    The check itself is :func:`ldn_analysis.exercises.check` (answers computed from the
    data at check time); see :func:`feedback_text` and :func:`solution_text`.
    """
    _show_text(feedback_text(exercise_id, answer, evidence, mode, **params), heading="Feedback")
    if mode == "instructor":
        _show_text(solution_text(exercise_id, evidence, **params), heading=SOLUTION_HEADING)


def solution_text(exercise_id: str, evidence: Any, **params: Any) -> str:
    """Return the answer computed from the data and the reasoning that leads to it."""
    ex = _exercise(exercise_id)
    values = ex.setup(evidence, **params)
    expected = ex.compute_answer(values)
    reasoning = _REASONING[exercise_id](values, expected, evidence)
    return f"Answer: {_fmt_answer(expected)}.\n\n{reasoning}"


def model_answer(exercise_id: str, evidence: Any, **params: Any) -> Any:
    """Return a correct answer written as a student would type it (computed from the data).

    Choices accepted in several bands give the first; yes/no answers are "yes"/"no".
    """
    value = X.answer(exercise_id, evidence, **params)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple) and value and all(isinstance(v, str) for v in value):
        return value[0]
    return value


def _why_rule_of_three(v: dict, ans: float, _ev: Any) -> str:
    n = v["n"]
    exact = 1 - 0.05 ** (1 / n)
    cp_high = float(clopper_pearson(0, n)[1])
    return (
        f"None of the {n} participants on LDN in {v['study']} had {v['event']}. With zero events "
        f"the upper limit of the 95% confidence interval is about 3/n = 3/{n} = {ans:.1f}%. "
        f"The exact one-sided bound 1 - 0.05^(1/n) gives {_pct(exact)} and the two-sided "
        f"Clopper-Pearson upper limit {_pct(cp_high)}. Zero observed events are compatible "
        "with a true rate of several percent: absence of evidence is not evidence of absence."
    )


def _wald(x: float, n: float) -> tuple[float, float]:
    p = x / n
    half = Z95 * math.sqrt(p * (1 - p) / n)
    return p - half, p + half


def _why_wilson(v: dict, ans: tuple[float, float], _ev: Any) -> str:
    x, n = v["x"], v["n"]
    centre = (x + Z95**2 / 2) / (n + Z95**2)
    lo, hi = _wald(x, n)
    below = " (below 0%, impossible for a proportion)" if lo < 0 else ""
    return (
        f"{x} of {n} is {_pct(x / n)}. The Wilson interval is centred on "
        f"(x + z^2/2)/(n + z^2) = {_pct(centre)}, pulled towards 50%, and runs from "
        f"{ans[0]:.1f}% to {ans[1]:.1f}%. The Wald interval p +/- z*sqrt(p(1-p)/n) would give "
        f"{_pct(lo)} to {_pct(hi)}{below}: with so few events it is too narrow and "
        "misplaced."
    )


def _randomized_ids(evidence: Any, condition: str) -> pd.DataFrame:
    s = evidence.studies
    s = s[s["condition"] == condition]
    rand = s["design"].isin(C.RANDOMIZED_DESIGNS) | s["randomized"].astype(str).str.lower().eq(
        "true"
    )
    return s.assign(_rand=rand.to_numpy())


def _why_count_rcts(v: dict, ans: int, evidence: Any) -> str:
    s = _randomized_ids(evidence, v["condition"])
    rct = s[s["_rand"]]
    other = s[~s["_rand"]]
    listed = ", ".join(f"{r.study_id} ({pal.design_label(r.design)})" for r in rct.itertuples())
    others = ", ".join(
        f"{pal.design_label(d)} {c}" for d, c in other["design"].value_counts().items()
    )
    return (
        f"Of the {len(s)} studies of {v['condition'].replace('_', ' ')}, {ans} are randomized: "
        f"{listed}. The other {len(other)} ({others}) did not assign treatment at random."
    )


def _why_direction(v: dict, ans: str, _ev: Any) -> str:
    where = {
        "favours_ldn": "lies entirely above 0",
        "favours_control": "lies entirely below 0",
        "inconclusive": "includes 0",
    }[ans]
    return (
        f"Random-effects (REML) pooling of {v['studies']} gives a pooled SMD of "
        f"{v['estimate']:+.2f} with 95% CI {v['ci_low']:+.2f} to {v['ci_high']:+.2f} "
        f"(positive favours LDN). The interval {where}, so the answer is {ans}; the sign of "
        "the point estimate alone decides nothing."
    )


def _why_i2(v: dict, ans: tuple[str, ...], _ev: Any) -> str:
    bands = "; ".join(f"{b} {lo:g}-{hi:g}%" for b, (lo, hi) in X.I2_BANDS.items())
    return (
        f"I2 = {v['i2']:.0f}% from k = {v['k']} studies falls in the band(s): "
        f"{', '.join(ans)} (Cochrane's overlapping bands: {bands}). With so few studies I2 "
        "itself is very uncertain; read it with its confidence interval and with tau2."
    )


def _why_egger(v: dict, ans: bool, _ev: Any) -> str:
    return (
        f"The analysis pools k = {v['k']} studies; tests for funnel-plot asymmetry are "
        f"advised only with at least {X.EGGER_MIN_K}. So: {'yes' if ans else 'no'}. With "
        "fewer studies the test cannot tell asymmetry from chance."
    )


def _why_crossover(v: dict, ans: tuple[int, int], _ev: Any) -> str:
    return (
        f"{v['cx']} is a crossover: each participant took LDN and placebo in turn, so "
        f"n_ldn = {v['cx_ldn']} and n_control = {v['cx_ctrl']} count the same people: "
        f"{ans[0]} people. {v['px']} is a parallel trial: each participant got one "
        f"treatment, so {v['px_ldn']} + {v['px_ctrl']} = {ans[1]} different people."
    )


def _why_claim(v: dict, ans: str, evidence: Any) -> str:
    ev = C.evaluate_claim(evidence, v["proposition"], C.parse_args(v["args"]))
    sources = ", ".join(ev.deciding_sources) or "none"
    return (
        f"Rule '{v['proposition']}' gives {ans}. The numbers that decided it: "
        f"{ev.deciding_numbers}. Why: {ev.explanation} Sources: {sources}."
    )


_REASONING = {
    "rule_of_three": _why_rule_of_three,
    "wilson_vs_wald": _why_wilson,
    "count_rcts": _why_count_rcts,
    "pooled_direction": _why_direction,
    "i2_interpretation": _why_i2,
    "egger_appropriate": _why_egger,
    "crossover_vs_parallel_n": _why_crossover,
    "claim_verdict": _why_claim,
}


# --------------------------------------------------------------------------- claims


def _claims(evidence: Any) -> pd.DataFrame:
    claims = getattr(evidence, "claims", None)
    return C.load_claims(getattr(evidence, "data_dir", None)) if claims is None else claims


def claims_table(evidence: Any) -> pd.DataFrame:
    """Return every claim with its verdict, as ``python -m ldn_analysis claims`` computes it.

    The :func:`ldn_analysis.claims.evaluate_claims` columns plus ``claim_type``,
    ``proposition``, ``proposition_args`` and the claim's ``source_url``.
    """
    claims = _claims(evidence)
    result = C.evaluate_claims(evidence, claims)
    extra = claims[["claim_id", "claim_type", "proposition", "proposition_args", "source_url"]]
    return result.merge(extra, on="claim_id", how="left")


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
            "score": scores["score"].map(lambda s: _pct(s, 0)),
            "stars (of 5)": scores["stars"],
            "not met": scores["not_met"].str.replace(";", ", ").str.replace("_", " "),
            "source_url": scores["origin_url"],
        }
    )


def show_claims_by_source(table: pd.DataFrame, scores: pd.DataFrame) -> None:
    """Show, per source text, its health-news score and every claim with its verdict."""
    from .display import show_table

    by_src = scores.set_index("source_file")
    for src, g in table.groupby("source_file", sort=True):
        counts = g["verdict"].value_counts()
        verdicts = ", ".join(f"{counts[v]} {v}" for v in C.VERDICTS if v in counts)
        text = f"{_plural(len(g), 'claim')}: {verdicts}."
        if src in by_src.index:
            s = by_src.loc[src]
            text += (
                f" Health-news criteria met: {s['met']} of {s['applicable']} applicable "
                f"({s['stars']} of 5 stars)."
            )
        _show_text(text, heading=f"Source {_source_label(src)}")
        show_table(
            g[
                [
                    "claim_id",
                    "claim_text",
                    "verdict",
                    "deciding_numbers",
                    "deciding_sources",
                    "source_url",
                ]
            ].rename(
                columns={
                    "claim_id": "claim",
                    "claim_text": "claim (paraphrased)",
                    "deciding_numbers": "deciding numbers",
                    "deciding_sources": "from studies",
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
            uncontrolled = st["design"] not in C.CONTROLLED_DESIGNS and st["comparator"] == "none"
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
        f"{r['deciding_sources'] or 'no study'})"
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
        return no_chart(f"{sid}: no primary between-group estimate with a CI is recorded.")
    r = rows.iloc[0]
    sign = -1.0 if r["better"] == "lower" else 1.0
    est = sign * float(r["estimate"])
    lo, hi = sorted((sign * float(r["ci_low"]), sign * float(r["ci_high"])))
    label = f"{sid}: {r['instrument']}"
    p = r["p_value"]
    p_text = f", p = {p:g}" if pd.notna(p) else ""
    verdict = (
        "the interval lies above 0, as the claim says"
        if lo > 0
        else "the interval includes 0, so the trial did not show more relief than placebo"
    )
    unit = "points" if pd.notna(r["scale_max"]) else "units"
    alt = (
        f"{sid} ({study['nct_id']}, n = {study['n_enrolled']}): improvement on LDN minus "
        f"placebo {est:+.2f} {unit} (95% CI {lo:+.2f} to {hi:+.2f}{p_text}) on "
        f"{r['instrument']}; {verdict}."
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
        error_x=_error_x(est, lo, hi, pal.STUDY, 2),
        name="trial result (95% CI)",
        **h,
    )
    shapes = [_band(0, span), _vline(0)]
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

    Same arms as :func:`ldn_analysis.claims.ae_any_range`: per study and arm, the
    ``any_ae`` row with the largest ``n_at_risk``. Columns ``study_id, arm, events, n,
    p, low, high, source_url`` (proportions as fractions).
    """
    ae = evidence.adverse_events
    ae = ae[
        (ae["event"] == "any_ae")
        & ae["events"].notna()
        & (pd.to_numeric(ae["n_at_risk"], errors="coerce") > 0)
    ]
    if condition != "any":
        keep = evidence.studies.loc[evidence.studies["condition"] == condition, "study_id"]
        ae = ae[ae["study_id"].isin(set(keep))]
    ae = ae.assign(
        n=pd.to_numeric(ae["n_at_risk"]).astype(float), events=ae["events"].astype(float)
    )
    ae = ae.sort_values("n").groupby(["study_id", "arm"]).tail(1)
    lo, hi = wilson(ae["events"], ae["n"])
    out = ae.assign(p=ae["events"] / ae["n"], low=lo, high=hi)
    return out[["study_id", "arm", "events", "n", "p", "low", "high", "source_url"]].reset_index(
        drop=True
    )


def side_effect_range_chart(evidence: Any, claims: pd.DataFrame, claim_id: str) -> Chart:
    """Chart every LDN arm's any-adverse-event proportion against a claimed range.

    LDN arms are coloured by how they relate to the claimed range (inside; estimate
    outside; whole Wilson interval outside, which is what makes the claim contradicted);
    placebo arms are drawn hollow for context (they are not part of the verdict).
    """
    row = _claim_row(claims, claim_id)
    args = C.parse_args(row["proposition_args"])
    low, high = float(args["low"]) / 100, float(args["high"]) / 100
    arms = any_ae_arms(evidence, args.get("condition", "any"))
    ldn = arms[arms["arm"] == "ldn"].sort_values(["p", "study_id"]).reset_index(drop=True)
    if ldn.empty:
        return no_chart("No LDN arm counts any adverse event, so the range cannot be checked.")
    status = np.where(
        (ldn["high"] < low) | (ldn["low"] > high),
        "whole interval outside the claim",
        np.where(
            (ldn["p"] < low) | (ldn["p"] > high),
            "estimate outside the claim",
            "estimate inside the claim",
        ),
    )
    colours = {
        "estimate inside the claim": pal.STUDY,
        "estimate outside the claim": pal.OKABE_ITO["orange"],
        "whole interval outside the claim": pal.FLAG,
    }
    plc = arms[(arms["arm"] != "ldn") & arms["study_id"].isin(set(ldn["study_id"]))]
    plc = plc.assign(label=plc["study_id"] + " (" + plc["arm"] + " arm)")
    order = []  # bottom to top: each placebo row just under its trial's LDN row
    for sid in ldn["study_id"]:
        order += list(plc.loc[plc["study_id"] == sid, "label"]) + [sid]
    traces = []
    for name, colour in colours.items():
        sub = ldn[status == name]
        if sub.empty:
            continue
        extra = [
            f"LDN arm: {int(r.events)}/{int(r.n)} = {_pct(r.p)} (Wilson 95% CI "
            f"{_pct(r.low)} to {_pct(r.high)})"
            for r in sub.itertuples()
        ]
        traces.append(
            _dot_ci(sub, 100 * sub["p"], 100 * sub["low"], 100 * sub["high"], name, colour, extra)
        )
    if len(plc):
        extra = [
            f"{r.arm} arm: {int(r.events)}/{int(r.n)} = {_pct(r.p)} (not part of the verdict)"
            for r in plc.itertuples()
        ]
        traces.append(
            _dot_ci(
                plc,
                100 * plc["p"],
                100 * plc["low"],
                100 * plc["high"],
                "placebo arm (context)",
                pal.MUTED,
                extra,
                symbol="circle-open",
                y=plc["label"],
            )
        )
    n_out = int((status != "estimate inside the claim").sum())
    n_incompatible = int((status == "whole interval outside the claim").sum())
    alt = (
        f"{_plural(len(ldn), 'LDN arm')} count any adverse event: from {_pct(ldn['p'].iloc[0])} "
        f"({ldn['study_id'].iloc[0]}) to {_pct(ldn['p'].iloc[-1])} ({ldn['study_id'].iloc[-1]}); "
        f"{n_out} lie outside the claimed {100 * low:g}-{100 * high:g}% and {n_incompatible} "
        "have a whole 95% Wilson interval outside it."
    )
    band = _band(100 * low, 100 * high)
    fig = make_figure(
        traces,
        title=f"Claim {claim_id}: side effects in {100 * low:g}-{100 * high:g}% of patients?",
        subtitle="Any adverse event per study arm, 95% Wilson interval; shaded = claimed range",
        height=max(320, 30 * len(order) + 200),
        xaxis={"title": {"text": "participants with any adverse event (%)"}, "range": [-2, 102]},
        yaxis={"categoryorder": "array", "categoryarray": order, "showgrid": False},
        shapes=[band],
    )
    return Chart(fig, alt)


def _dot_ci(df, x, lo, hi, name, colour, extra, symbol="circle", y=None):
    return go.Scatter(
        x=np.asarray(x, dtype=float),
        y=list(df["study_id"] if y is None else y),
        mode="markers",
        name=name,
        marker={"symbol": symbol, "size": 10, "color": colour, "line": {"color": colour}},
        error_x=_error_x(x, lo, hi, colour),
        **hover(df, extra),
    )


# --------------------------------------------------------------------------- hierarchy


def focus_condition(evidence: Any) -> str:
    """Return the condition with the most randomized trials (the exercises' default)."""
    return exercise_values("count_rcts", evidence)["condition"]


def _study_frame(evidence: Any) -> pd.DataFrame:
    from .views import study_frame

    return study_frame(evidence.studies)


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
        rung=s["design"].map(pal.tier_of), result=s["primary_result"].fillna("not_reported")
    )
    rows = []
    for rung in pal.TIER_ORDER:
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
        f"found benefit" + (f" ({_pct(r.share_benefit, 0)})" if pd.notna(r.share_benefit) else "")
        for r in t.itertuples()
    ]
    return (
        f"{_plural(int(t['studies'].sum()), 'study', 'studies')} of LDN for {where}, "
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
            name=pal.RESULT_LABELS[result],
            marker={"color": colour, "line": {"color": pal.PAPER, "width": 1}},
            hovertemplate="%{y}: %{x} " + pal.RESULT_LABELS[result] + "<extra></extra>",
        )
        for result, colour in pal.RESULT_COLORS.items()
    ]
    rct, rest = t.iloc[0], t.iloc[1:]
    shares = ", ".join(
        f"{r.rung.lower()} {_pct(r.share_benefit, 0)}"
        for r in rest.itertuples()
        if pd.notna(r.share_benefit)
    )
    alt = (
        f"Studies of LDN for {where} by design: {_pct(rct.share_benefit, 0)} of "
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


# --------------------------------------------------------------------------- proportions


def _ldn_counts(evidence: Any) -> pd.DataFrame:
    ae = evidence.adverse_events
    ae = ae[(ae["arm"] == "ldn") & ae["events"].notna() & ae["n_at_risk"].notna()]
    ae = ae[ae["n_at_risk"] > 0]
    return ae.assign(
        x=ae["events"].astype(int),
        n=ae["n_at_risk"].astype(int),
        what=ae["reported_term"].fillna(ae["event"]),
    )


def zero_event_table(evidence: Any) -> pd.DataFrame:
    """LDN arms with zero events: the rule of three beside the exact upper bounds (percent)."""
    ae = _ldn_counts(evidence)
    ae = ae[ae["x"] == 0].sort_values(["n", "study_id"], ascending=[False, True])
    n = ae["n"].to_numpy(float)
    return pd.DataFrame(
        {
            "study": ae["study_id"],
            "event": ae["what"],
            "n on LDN": ae["n"],
            "rule of three, 3/n (%)": np.round(100 * rule_of_three(n), 1),
            "exact one-sided 95% bound (%)": np.round(100 * (1 - 0.05 ** (1 / n)), 1),
            "Clopper-Pearson upper (%)": np.round(100 * clopper_pearson(0, n)[1], 1),
            "source_url": ae["source_url"],
        }
    ).reset_index(drop=True)


def interval_table(evidence: Any, max_n: int = 60) -> pd.DataFrame:
    """Small LDN-arm counts (0 < x < n <= ``max_n``): Wald, Wilson and Clopper-Pearson (%)."""
    ae = _ldn_counts(evidence)
    ae = ae[(ae["x"] > 0) & (ae["x"] < ae["n"]) & (ae["n"] <= max_n)]
    ae = ae.sort_values(["x", "n", "study_id"])
    x, n = ae["x"].to_numpy(float), ae["n"].to_numpy(float)
    p = x / n
    half = Z95 * np.sqrt(p * (1 - p) / n)
    wl, wh = wilson(x, n)
    cl, ch = clopper_pearson(x, n)

    def span(a, b):
        return [f"{100 * lo:.1f} to {100 * hi:.1f}" for lo, hi in zip(a, b, strict=True)]

    return pd.DataFrame(
        {
            "study": ae["study_id"],
            "event": ae["what"],
            "events": ae["x"],
            "n": ae["n"],
            "observed (%)": np.round(100 * p, 1),
            "Wald 95% CI (%)": span(p - half, p + half),
            "Wilson 95% CI (%)": span(wl, wh),
            "Clopper-Pearson 95% CI (%)": span(cl, ch),
            "source_url": ae["source_url"],
        }
    ).reset_index(drop=True)


def _intervals(x: float, n: float) -> dict[str, tuple[float, float]]:
    wl, wh = wilson(x, n)
    cl, ch = clopper_pearson(x, n)
    return {
        "Wald": _wald(x, n),
        "Wilson": (float(wl), float(wh)),
        "Clopper-Pearson": (float(cl), float(ch)),
    }


def interval_chart(x: int, n: int, label: str = "") -> Chart:
    """Draw the Wald, Wilson and Clopper-Pearson 95% intervals for ``x`` events in ``n``."""
    ivs = _intervals(x, n)
    p = x / n
    names = list(ivs)
    colours = [pal.FLAG if ivs["Wald"][0] < 0 else pal.MUTED, pal.STUDY, pal.OKABE_ITO["black"]]
    traces = [
        go.Scatter(
            x=[100 * p],
            y=[name],
            mode="markers",
            name=name,
            marker={"size": 10, "color": colour},
            error_x=_error_x(100 * p, 100 * lo, 100 * hi, colour, 2),
            hovertemplate=f"{name}: {100 * lo:.1f}% to {100 * hi:.1f}%<extra></extra>",
        )
        for (name, (lo, hi)), colour in zip(ivs.items(), colours, strict=True)
    ]
    wl, wh = ivs["Wald"]
    il, ih = ivs["Wilson"]
    alt = (
        f"{_plural(x, 'event')} in {n}{' (' + label + ')' if label else ''}: observed {_pct(p)}; Wald "
        f"95% CI {_pct(wl)} to {_pct(wh)}"
        + (" (below 0%)" if wl < 0 else "")
        + f", Wilson {_pct(il)} to {_pct(ih)}, Clopper-Pearson "
        f"{_pct(ivs['Clopper-Pearson'][0])} to {_pct(ivs['Clopper-Pearson'][1])}."
    )
    fig = make_figure(
        traces,
        title=f"Three 95% intervals for {_plural(x, 'event')} in {n}",
        subtitle="The dotted line is 0%: a proportion cannot be negative",
        height=300,
        xaxis={"title": {"text": "proportion (%)"}, "zeroline": False},
        yaxis={"categoryorder": "array", "categoryarray": names[::-1], "showgrid": False},
        shapes=[_vline(0)],
        showlegend=False,
    )
    return Chart(fig, alt)


def coverage_chart(n: int, level: float = 0.95) -> Chart:
    """Exact coverage of the Wald and Wilson intervals for ``n`` participants.

    For each true proportion p, coverage is the binomial probability of observing an
    ``x`` whose interval contains p (no simulation: a sum over x = 0..n).
    """
    n = int(n)
    grid = np.linspace(0.005, 0.995, 199)
    x = np.arange(n + 1, dtype=float)
    z = float(stats.norm.isf((1 - level) / 2))
    ph = x / n
    half = z * np.sqrt(ph * (1 - ph) / n)
    wl, wh = wilson(x, np.full_like(x, n), level)
    pmf = stats.binom.pmf(x[None, :], n, grid[:, None])
    cover = {}
    for name, (lo, hi) in {"Wald": (ph - half, ph + half), "Wilson": (wl, wh)}.items():
        inside = (lo[None, :] <= grid[:, None]) & (grid[:, None] <= hi[None, :])
        cover[name] = (pmf * inside).sum(axis=1)
    colours = {"Wald": pal.FLAG, "Wilson": pal.STUDY}
    traces = [
        go.Scatter(
            x=100 * grid,
            y=100 * c,
            mode="lines",
            name=f"{name} interval",
            line={"color": colours[name], "width": 2},
            hovertemplate=f"{name}: true p %{{x:.1f}}%, coverage %{{y:.1f}}%<extra></extra>",
        )
        for name, c in cover.items()
    ]
    nominal = {
        "type": "line",
        "xref": "paper",
        "yref": "y",
        "x0": 0,
        "x1": 1,
        "y0": 100 * level,
        "y1": 100 * level,
        "line": {"color": pal.MUTED, "dash": "dot"},
    }
    alt = (
        f"Actual coverage of nominal {100 * level:g}% intervals with n = {n}: Wald averages "
        f"{_pct(cover['Wald'].mean())} (lowest {_pct(cover['Wald'].min())}), Wilson "
        f"{_pct(cover['Wilson'].mean())} (lowest {_pct(cover['Wilson'].min())})."
    )
    fig = make_figure(
        traces,
        title=f"How often does a {100 * level:g}% interval contain the truth? (n = {n})",
        subtitle="Exact binomial coverage across true proportions; dotted line = nominal",
        xaxis={"title": {"text": "true proportion (%)"}},
        yaxis={"title": {"text": "coverage (%)"}, "range": [0, 101]},
        shapes=[nominal],
    )
    return Chart(fig, alt)


# --------------------------------------------------------------------------- heterogeneity


def forest_reading_text(analysis: Any) -> str:
    """Read a forest plot aloud: each study's square and line, then the diamond."""
    r = analysis.result
    if r is None or not analysis.k:
        return "No study gives an effect size, so there is no forest plot to read."
    e = analysis.effects.reset_index(drop=True)
    w = np.asarray(r.weights, dtype=float)
    lines = []
    for i, row in e.iterrows():
        se = math.sqrt(row["vi"])
        lo, hi = row["yi"] - Z95 * se, row["yi"] + Z95 * se
        side = "includes 0" if lo <= 0 <= hi else ("is above 0" if lo > 0 else "is below 0")
        lines.append(
            f"{row['study_id']} ({pal.design_label(row['design'])}, n = {int(row['n'])}): "
            f"SMD {row['yi']:+.2f}, 95% CI {lo:+.2f} to {hi:+.2f} ({side}); weight {w[i]:.0f}%."
        )
    side = "includes 0" if r.ci_low <= 0 <= r.ci_high else "excludes 0"
    lines.append(
        f"The diamond: pooled SMD {r.estimate:+.2f}, 95% CI {r.ci_low:+.2f} to "
        f"{r.ci_high:+.2f}, which {side}. The prediction interval, {r.pi_low:+.2f} to "
        f"{r.pi_high:+.2f}, is where the effect of a new similar study would be expected."
    )
    return "\n\n".join(lines)


def heterogeneity_text(result: Any) -> str:
    """Describe heterogeneity with the uncertainty of each statistic."""
    if result is None or result.k < 2:
        return "Fewer than two studies: heterogeneity cannot be estimated."
    return (
        f"k = {result.k} studies. Cochran's Q = {result.q:.2f} on {result.q_df} degree(s) of "
        f"freedom, p = {result.q_pvalue:.3g}: with so few studies this test has little "
        f"power, so a large p does not show that the studies agree. tau2 = {result.tau2:.3f} "
        f"(95% CI {result.tau2_ci_low:.3f} to {result.tau2_ci_high:.3f}); I2 = "
        f"{result.i2:.0f}% (95% CI {result.i2_ci_low:.0f}% to {result.i2_ci_high:.0f}%). "
        "Intervals this wide mean the data cannot say whether the studies agree."
    )


def few_studies_table(
    effect_sets: Mapping[str, pd.DataFrame], method: str = "REML"
) -> pd.DataFrame:
    """Pool each set of effects with z and Knapp-Hartung intervals, side by side.

    Parameters
    ----------
    effect_sets : mapping
        Label -> DataFrame with ``yi`` and ``vi`` (e.g. ``Efficacy.effects``).
    method : str
        tau2 estimator.
    """
    rows = []
    for label, eff in effect_sets.items():
        for test in ("z", "knha"):
            r = pool(eff["yi"], eff["vi"], method=method, test=test)
            rows.append(
                {
                    "studies pooled": label,
                    "k": r.k,
                    "test": {"z": "z (normal)", "knha": f"Knapp-Hartung, t({r.k - 1})"}[test],
                    "pooled SMD": round(r.estimate, 2),
                    "95% CI": f"{r.ci_low:+.2f} to {r.ci_high:+.2f}",
                    "95% prediction interval": f"{r.pi_low:+.2f} to {r.pi_high:+.2f}",
                    "tau2 (95% CI)": f"{r.tau2:.3f} ({r.tau2_ci_low:.3f} to {r.tau2_ci_high:.3f})",
                    "I2": f"{r.i2:.0f}%",
                }
            )
    return pd.DataFrame(rows)


def t_multiplier_table(ks: Sequence[int] = (3, 4, 5, 10, 20), level: float = 0.95) -> pd.DataFrame:
    """How far a 95% interval reaches (in standard errors) as the number of studies grows.

    The z multiplier is fixed; Knapp-Hartung uses t with k - 1 df and the Higgins et al.
    (2009) prediction interval t with k - 2 df.
    """
    a = (1 - level) / 2
    return pd.DataFrame(
        {
            "studies (k)": list(ks),
            "z": [round(float(stats.norm.isf(a)), 2)] * len(ks),
            "t, k-1 df (Knapp-Hartung)": [round(float(stats.t.isf(a, k - 1)), 2) for k in ks],
            "t, k-2 df (prediction interval)": [round(float(stats.t.isf(a, k - 2)), 2) for k in ks],
        }
    )


def egger_power(
    evidence: Any,
    ks: Sequence[int] = (5, 10, 20),
    slope: float = 2.0,
    reps: int = 150,
    seed: int = 20240601,
) -> pd.DataFrame:
    """Simulate how often Egger's test flags funnel asymmetry, with and without it.

    Study variances are drawn (with replacement) from the effect sizes computable in the
    evidence base; true effects are 0, plus ``slope`` times the standard error when a
    small-study effect is present (smaller studies report larger effects, Egger's model).
    Each simulated meta-analysis is tested with :func:`ldn_analysis.egger` (REML, z) at
    :data:`EGGER_ALPHA`.

    Returns
    -------
    pandas.DataFrame
        ``studies (k)``, ``detected when present (%)``, ``false alarms when absent (%)``.
    """
    from .views import select

    vi = compute_effects(select(evidence).outcomes)["vi"].dropna().to_numpy(float)
    if vi.size < 2:
        raise LDNError("fewer than two computable effect sizes to draw study variances from")
    rng = np.random.default_rng(seed)
    rows = []
    for k in ks:
        hits = {True: 0, False: 0}
        for _ in range(reps):
            v = rng.choice(vi, size=k, replace=True)
            se = np.sqrt(v)
            noise = rng.normal(0.0, se)
            for present in (True, False):
                y = noise + (slope * se if present else 0.0)
                hits[present] += egger(y, v).pvalue < EGGER_ALPHA
        rows.append(
            {
                "studies (k)": k,
                "detected when present (%)": round(100 * hits[True] / reps),
                "false alarms when absent (%)": round(100 * hits[False] / reps),
            }
        )
    return pd.DataFrame(rows)


def egger_power_text(power: pd.DataFrame) -> str:
    """Summarize :func:`egger_power` in a sentence per number of studies."""
    parts = [
        f"with {r['studies (k)']} studies it flagged a real small-study effect in "
        f"{r['detected when present (%)']}% of simulated meta-analyses and raised a false "
        f"alarm in {r['false alarms when absent (%)']}%"
        for _, r in power.iterrows()
    ]
    return (
        f"Egger's test at the {100 * EGGER_ALPHA:g}% level: " + "; ".join(parts) + ". A "
        "non-significant test with few studies is therefore no evidence that there is no "
        "small-study effect."
    )


# --------------------------------------------------------------------------- designs


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

    return pd.DataFrame(
        {
            "study": both.index,
            "any adverse event on LDN": cell("ldn"),
            "any adverse event on placebo": cell("placebo"),
            "source_url": urls.reindex(both.index).to_numpy(),
        }
    ).reset_index(drop=True)


def randomized_trials_table(evidence: Any) -> pd.DataFrame:
    """Randomized trials with their arm sizes and how many different people took part."""
    s = _study_frame(evidence)
    s = s[s["design"].isin(C.RANDOMIZED_DESIGNS)].sort_values(["design", "condition", "study_id"])
    nl = pd.to_numeric(s["n_ldn"], errors="coerce")
    nc = pd.to_numeric(s["n_control"], errors="coerce")
    people = np.where(s["design"] == "rct_crossover", nl, nl + nc)
    return pd.DataFrame(
        {
            "study": s["study_id"],
            "condition": s["condition"].str.replace("_", " "),
            "design": s["design"].map(pal.design_label),
            "comparator": s["comparator"],
            "n_ldn": nl.map(lambda v: "" if pd.isna(v) else f"{int(v)}"),
            "n_control": nc.map(lambda v: "" if pd.isna(v) else f"{int(v)}"),
            "different people compared": ["" if pd.isna(v) else f"{int(v)}" for v in people],
            "source_url": s["source_url"],
        }
    ).reset_index(drop=True)


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
    """Improvement in each arm of placebo-controlled trials reporting change in both arms.

    Rows of ``outcomes`` with ``comparison = ldn_vs_placebo``, ``data_type =
    change_scores`` and both arm means; improvements are oriented by ``better``; the share
    is the placebo arm's improvement as a percentage of the LDN arm's.
    """
    o = evidence.outcomes
    o = o[
        (o["comparison"] == "ldn_vs_placebo")
        & (o["data_type"] == "change_scores")
        & o["mean_ldn"].notna()
        & o["mean_ctrl"].notna()
    ]
    design = evidence.studies.set_index("study_id")["design"]
    sign = np.where(o["better"] == "lower", -1.0, 1.0)
    imp_ldn, imp_plc = sign * o["mean_ldn"].to_numpy(float), sign * o["mean_ctrl"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(imp_ldn > 0, 100 * imp_plc / imp_ldn, np.nan)
    return pd.DataFrame(
        {
            "study_id": o["study_id"].to_numpy(),
            "design": o["study_id"].map(design).map(pal.design_label).to_numpy(),
            "outcome": o["instrument"].to_numpy(),
            "improvement on LDN": imp_ldn,
            "improvement on placebo": imp_plc,
            "placebo as % of LDN": np.round(share, 0),
            "p value": o["p_value"].to_numpy(),
            "source_url": o["source_url"].to_numpy(),
        }
    )


def placebo_response_chart(table: pd.DataFrame) -> Chart:
    """Bars: the placebo arm's improvement as a share of the LDN arm's, per outcome."""
    t = table.dropna(subset=["placebo as % of LDN"]).reset_index(drop=True)
    if t.empty:
        return no_chart("No placebo-controlled trial reports change in both arms.")
    labels = [f"{r.study_id}: {r.outcome}"[:70] for r in t.itertuples()]
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
        f"In {_plural(len(t), 'outcome')} of placebo-controlled trials, the placebo arm "
        f"improved by {t['placebo as % of LDN'].min():.0f}% to {t['placebo as % of LDN'].max():.0f}% "
        f"of the LDN arm's improvement (median {t['placebo as % of LDN'].median():.0f}%); in "
        f"{at_least} the placebo arm improved at least as much."
    )
    line = _vline(100)
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


def design_contrast_chart(evidence: Any, outcome: str = "pain") -> Chart:
    """Effect sizes of ``outcome`` with and without a control group, on one axis.

    Before-after effects (``ldn_pre_post``) include placebo response, regression to the
    mean and natural recovery; placebo-controlled effects remove them.
    """
    from .views import effect_rows, select

    eff, _ = effect_rows(select(evidence), outcome, comparison=None)
    eff = eff[eff["comparison"].isin(["ldn_pre_post", "ldn_vs_placebo"])].copy()
    if eff.empty:
        return no_chart(f"No computable {outcome} effect sizes.")
    eff["se"] = np.sqrt(eff["vi"])
    eff = eff.sort_values(["comparison", "yi"]).reset_index(drop=True)
    labels = list(eff["study_id"])
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
        traces.append(_dot_ci(sub, sub["yi"], lo, hi, pal.COMPARISON_LABELS[comp], colour, extra))
        summary.append(
            f"{_plural(len(sub), 'study', 'studies')} {pal.COMPARISON_LABELS[comp]}: SMD "
            f"{sub['yi'].min():+.2f} to {sub['yi'].max():+.2f}"
        )
    alt = f"{outcome.capitalize()} effect sizes by comparison: " + "; ".join(summary) + "."
    zero = _vline(0)
    fig = make_figure(
        traces,
        title=f"{outcome.capitalize()}: before-after studies versus placebo-controlled trials",
        subtitle="SMD with 95% CI; right = better on LDN",
        height=max(300, 32 * len(eff) + 200),
        xaxis={"title": {"text": "SMD (Hedges' g), right = better on LDN"}},
        yaxis={"categoryorder": "array", "categoryarray": labels[::-1], "showgrid": False},
        shapes=[zero],
    )
    return Chart(fig, alt)

"""Generated prose: plain-language summaries of the evidence, an efficacy analysis and safety.

Every sentence here is built from numbers in a :class:`ldn_analysis.views.Selection` or
:class:`ldn_analysis.views.Efficacy`, never typed per condition, so a report for any
condition (or a new data version) says what its own numbers say, including "too little
evidence" when that is the answer.

The certainty profile follows the five GRADE downgrading domains with fixed, published
rules of thumb (named in :data:`RULES`). It is an automatic aid for readers, not a GRADE
assessment: a review team judges each domain with the full papers in hand.
"""

from __future__ import annotations

import math

import pandas as pd

from ldn_analysis import vocab
from ldn_analysis.analysis.efficacy import Efficacy
from ldn_analysis.analysis.selection import RCT_DESIGNS, Selection, unpublished_registrations
from ldn_analysis.text.format import (
    conclusion,
    count_text,
    effect_text,
    fmt,
    plural,
    short_citations,
)
from ldn_analysis.text.reconciliation import (  # noqa: F401 (re-exported for notebooks)
    reconciliation_text,
    skipped_text,
)
from ldn_analysis.text.safety import (  # noqa: F401 (re-exported for notebooks)
    EVENT_NAMES,
    placebo_comparison_text,
    safety_summary,
)

SMD_SIZES = ((0.2, "trivial"), (0.5, "small"), (0.8, "moderate"), (math.inf, "large"))


def _ids(series) -> str:
    ids = [str(x) for x in series]
    return ", ".join(ids) if ids else "none"


def smd_size(value: float) -> str:
    """Name the size of an SMD with Cohen's conventions (< 0.2 trivial ... >= 0.8 large)."""
    x = abs(float(value))
    return next(name for limit, name in SMD_SIZES if x < limit)


_RESULT_VERBS = {
    "benefit": "reported benefit",
    "no_difference": "reported no difference",
    "harm": "reported harm",
    "not_reported": "gave no clear primary result",
}


def _results_text(s: pd.DataFrame, who: str) -> str:
    """Say what the authors reported ("Of these, 3 reported benefit and 1 no difference").

    ``who`` names one study ("Its authors") or a group ("Of these"); counts are in words
    that agree with their number.
    """
    counts = s["primary_result"].fillna("not_reported").value_counts()
    if len(s) == 1:
        return f"{who} {_RESULT_VERBS.get(str(counts.index[0]), 'gave no clear result')}."
    parts = [f"{int(counts[k])} {w}" for k, w in _RESULT_VERBS.items() if counts.get(k, 0)]
    joined = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return f"{who}, {joined}."


def evidence_summary(selection: Selection) -> str:
    """Describe the evidence base of a selection in two or three plain sentences."""
    s = selection.studies
    where = selection.label
    if s.empty:
        return (
            f"The evidence base holds no study of LDN for {where} with these filters "
            f"(designs: {', '.join(selection.designs) or 'all'}; at least {selection.min_n} "
            "participants), so there is nothing to summarise."
        )
    tiers = s.groupby("tier").agg(k=("study_id", "count"), n=("n", "sum"))
    parts = [
        f"{t.lower()}: {plural(int(tiers.loc[t, 'k']), 'study')} ({count_text(tiers.loc[t, 'n'])})"
        for t in [*vocab.TIER_ORDER, "Other design"]
        if t in tiers.index
    ]
    rct = s[s["design"].isin(RCT_DESIGNS)]
    where_words = vocab.condition_label(selection.condition)
    text = (
        f"For {where_words}, the evidence base holds {plural(len(s), 'study')} with "
        f"{count_text(selection.participants)}. By design, {'; '.join(parts)}. "
        + _results_text(s, "Its authors" if len(s) == 1 else "Of these")
    )
    if len(rct) and len(rct) < len(s):
        head = (
            "The one randomised trial" if len(rct) == 1 else f"Of the {len(rct)} randomised trials"
        )
        text += " " + _results_text(rct, head)
    elif not len(rct):
        text += (
            " No randomised controlled trial exists for this condition, so any benefit seen "
            "could come from expectation, natural recovery or regression to the mean."
        )
    if len(selection.dropped):
        text += (
            f" The filters (designs: {', '.join(selection.designs) or 'all'}; at least "
            f"{selection.min_n} participants) left out {plural(len(selection.dropped), 'study')}: "
            f"{_ids(short_citations(selection.dropped))}."
        )
    missing = unpublished_registrations(selection)
    if len(missing):
        text += (
            f" Registered trials that ended without published results: {len(missing)} "
            f"({_ids(missing['registry_id'])})."
        )
    return text


def efficacy_summary(eff: Efficacy) -> str:
    """Summarise a pooled efficacy analysis in plain language (or say why there is none)."""
    outcome = vocab.outcome_label(eff.outcome)
    where = vocab.condition_label(eff.condition)
    what = (eff.comparison or "any comparison").replace("ldn_vs_", "").replace("_", " ")
    if eff.k == 0:
        return (
            f"No {what}-controlled study of LDN for {where} reports {outcome} in a form "
            f"that gives an effect size, so no pooled estimate can be made.{skipped_text(eff)}"
        )
    r = eff.result
    direction = conclusion(r.ci_low, r.ci_high)
    text = (
        f"We pooled {plural(eff.k, 'study')} ({count_text(eff.participants)} analysed) comparing LDN "
        f"with {what} on {outcome} in {where}: {effect_text(r, eff.measure)}, a random-effects "
        "model; positive values favour LDN. "
    )
    if direction == "favours LDN":
        text += "The interval excludes no effect: the pooled result favours LDN"
    elif direction == "favours placebo":
        text += f"The interval excludes no effect in the other direction: it favours {what}"
    else:
        text += (
            f"The interval includes no effect, so these studies do not show that LDN works "
            f"better than {what} for {outcome}"
        )
    if eff.measure == "SMD":
        text += (
            f"; the point estimate is {smd_size(r.estimate)} in size (SMD 0.2 small, 0.5 "
            "moderate, 0.8 large)."
        )
    else:
        text += "."
    if eff.k == 1:
        text += " With a single study, heterogeneity cannot be estimated."
    elif eff.k < 3:
        text += (
            f" Heterogeneity: I² = {fmt(r.i2, 0)}% (τ² = {fmt(r.tau2, 3)}); no prediction "
            "interval is given, as it needs 3 or more studies."
        )
    else:
        text += (
            f" Heterogeneity: I² = {fmt(r.i2, 0)}% (τ² = {fmt(r.tau2, 3)}); the 95% "
            f"prediction interval for a new study's true effect runs from {fmt(r.pi_low)} "
            f"to {fmt(r.pi_high)}."
        )
    designs = eff.effects["design"].map(vocab.design_label).value_counts()
    text += " Designs pooled: " + ", ".join(f"{k} ({v})" for k, v in designs.items()) + "."
    return text + skipped_text(eff)


def small_k_text(eff: Efficacy) -> str:
    """Say once which analyses a small meta-analysis leaves out, and why ("" with 3+ studies).

    Below 3 studies there is no prediction interval, leave-one-out, cumulative or
    duration analysis; below 10 no funnel plot, Egger's test or meta-regression line
    (Cochrane Handbook 10.10.4.3, 10.11.5.1 and 13.3.5.4).
    """
    if eff.k == 0 or eff.k >= 3:
        return ""
    return (
        f"With {plural(eff.k, 'study')}, this page shows no prediction interval, "
        "leave-one-out, cumulative or duration analysis (each needs 3 or more studies), and "
        "no funnel plot or Egger's test (they need 10 or more)."
    )

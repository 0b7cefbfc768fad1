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
from ldn_analysis.analysis import ae_table, pooled_ae_table, risk_ratio_table
from ldn_analysis.analysis.efficacy import Efficacy
from ldn_analysis.analysis.selection import RCT_DESIGNS, Selection, unpublished_registrations
from ldn_analysis.text.format import ci_text, conclusion, fmt
from ldn_analysis.text.reconciliation import (  # noqa: F401 (re-exported for notebooks)
    reconciliation_text,
)

EVENT_NAMES = {
    "any_ae": "any adverse event",
    "serious_ae": "serious adverse events",
    "withdrawal_ae": "stopping because of adverse events",
}
SMD_SIZES = ((0.2, "trivial"), (0.5, "small"), (0.8, "moderate"), (math.inf, "large"))


def _ids(series) -> str:
    ids = [str(x) for x in series]
    return ", ".join(ids) if ids else "none"


def _studies(k: int) -> str:
    return f"{k} {'study' if k == 1 else 'studies'}"


def _people(n: object) -> str:
    n = int(n) if pd.notna(n) else 0
    return f"{n} {'participant' if n == 1 else 'participants'}"


def smd_size(value: float) -> str:
    """Name the size of an SMD with Cohen's conventions (< 0.2 trivial ... >= 0.8 large)."""
    x = abs(float(value))
    return next(name for limit, name in SMD_SIZES if x < limit)


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
        f"{t.lower()}: {_studies(int(tiers.loc[t, 'k']))} ({_people(tiers.loc[t, 'n'])})"
        for t in [*vocab.TIER_ORDER, "Other design"]
        if t in tiers.index
    ]
    results = s["primary_result"].fillna("not_reported").value_counts()
    rct = s[s["design"].isin(RCT_DESIGNS)]
    text = (
        f"For {where}, the evidence base holds {_studies(len(s))} with "
        f"{_people(selection.participants)}. By design, {'; '.join(parts)}. "
        f"The authors reported benefit in {int(results.get('benefit', 0))}, no difference in "
        f"{int(results.get('no_difference', 0))} and did not report a clear primary result in "
        f"{int(results.get('not_reported', 0))}."
    )
    if len(rct):
        rct_benefit = int((rct["primary_result"] == "benefit").sum())
        text += (
            f" Among the {_studies(len(rct))} that were randomised, {rct_benefit} reported "
            f"benefit and {int((rct['primary_result'] == 'no_difference').sum())} no difference."
        )
    else:
        text += (
            " No randomised controlled trial exists for this condition, so any benefit seen "
            "could come from expectation, natural recovery or regression to the mean."
        )
    if len(selection.dropped):
        text += (
            f" The filters (designs: {', '.join(selection.designs) or 'all'}; at least "
            f"{selection.min_n} participants) left out {_studies(len(selection.dropped))}: "
            f"{_ids(selection.dropped['study_id'])}."
        )
    missing = unpublished_registrations(selection)
    if len(missing):
        text += (
            f" Registered trials that ended without published results: {len(missing)} "
            f"({_ids(missing['registry_id'])})."
        )
    return text


def _skipped_text(eff: Efficacy) -> str:
    if eff.skipped.empty:
        return ""
    items = [f"{r.study_id} ({r.reason})" for r in eff.skipped.itertuples()]
    return (
        f" {_studies(len(items))} reporting {eff.outcome.replace('_', ' ')} gave no usable "
        f"effect size: {'; '.join(items)}."
    )


def efficacy_summary(eff: Efficacy) -> str:
    """Summarise a pooled efficacy analysis in plain language (or say why there is none)."""
    outcome = eff.outcome.replace("_", " ")
    where = eff.condition.replace("_", " ") if eff.condition else "all conditions"
    what = (eff.comparison or "any comparison").replace("ldn_vs_", "").replace("_", " ")
    if eff.k == 0:
        return (
            f"No {what}-controlled study of LDN for {where} reports {outcome} in a form "
            f"that gives an effect size, so no pooled estimate can be made.{_skipped_text(eff)}"
        )
    r = eff.result
    direction = conclusion(r.ci_low, r.ci_high)
    test = "Knapp-Hartung" if r.test in ("knha", "adhoc") else "z (Wald)"
    text = (
        f"We pooled {_studies(eff.k)} ({eff.participants} participants) comparing LDN with "
        f"{what} on {outcome} in {where}: {eff.measure} {ci_text(r.estimate, r.ci_low, r.ci_high)}"
        f" with the {r.method} random-effects model and {test} intervals; positive values "
        f"favour LDN. "
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
    else:
        text += (
            f" Heterogeneity: I² = {fmt(r.i2, 0)}% (τ² = {fmt(r.tau2, 3)}); the 95% "
            f"prediction interval for a new study's true effect runs from {fmt(r.pi_low)} "
            f"to {fmt(r.pi_high)}."
        )
    designs = eff.effects["design"].map(vocab.design_label).value_counts()
    text += " Designs pooled: " + ", ".join(f"{v} {k}" for k, v in designs.items()) + "."
    return text + _skipped_text(eff)


# --------------------------------------------------------------------------- safety


def safety_summary(selection: Selection, event: str | None = None) -> str:
    """Summarise the adverse-event counts of a selection in plain sentences.

    Parameters
    ----------
    selection : Selection
    event : str, optional
        An event to describe in more detail (e.g. "vivid_dreams").
    """
    a = ae_table(selection)
    where = selection.label
    if a.empty:
        return (
            f"No study of LDN for {where} in the selection counts adverse events with a "
            "denominator, so nothing can be said about how often they happen."
        )
    pooled = pooled_ae_table(selection).set_index("event")
    text = [
        f"{_studies(a['study_id'].nunique())} of LDN for {where} count adverse events with "
        f"a denominator ({a['event'].nunique()} kinds of event)."
    ]
    for ev in dict.fromkeys(["any_ae", "serious_ae", "withdrawal_ae", event or "any_ae"]):
        if ev not in pooled.index:
            if ev == event:
                text.append(f"No study counts {ev.replace('_', ' ')} on LDN.")
            continue
        p = pooled.loc[ev]
        name = EVENT_NAMES.get(ev, ev.replace("_", " "))
        if p["events"] == 0:
            text.append(
                f"{name.capitalize()}: none in {_people(p['n'])} on LDN across "
                f"{_studies(int(p['k']))}; the rule of three puts the true rate below "
                f"{fmt(300 / p['n'], 1)}%."
            )
        else:
            text.append(
                f"{name.capitalize()}: {fmt(100 * p['estimate'], 1)}% of people on LDN (95% CI "
                f"{fmt(100 * p['ci_low'], 1)}-{fmt(100 * p['ci_high'], 1)}%; "
                f"{int(p['events'])} of {int(p['n'])} in {_studies(int(p['k']))}"
                + (", pooled" if p["k"] > 1 else ", one study")
                + ")."
            )
    rr = risk_ratio_table(selection)
    rr = rr[rr["rr"].notna()] if not rr.empty else rr
    if len(rr):
        clear = rr[(rr["ci_low"] > 1) | (rr["ci_high"] < 1)]
        text.append(
            f"Against placebo, {len(rr)} risk ratio(s) from {_studies(rr['study_id'].nunique())}"
            f" can be computed; {len(clear)} exclude no difference."
        )
    else:
        text.append("No placebo-controlled comparison of adverse-event counts is available.")
    return " ".join(text)

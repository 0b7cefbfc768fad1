"""Grade a claim that LDN helps: the reports' pooled analysis, risk of bias and certainty.

A benefit claim ("LDN eases fibromyalgia pain", "LDN improved physical function") is graded
on the placebo-controlled evidence for the claimed outcome, read the way the reports read
it:

* the pooled analysis is :func:`ldn_analysis.analysis.efficacy` on
  :func:`ldn_analysis.analysis.select` with its default settings (REML, Knapp-Hartung):
  the same object, and so the same interval, as the efficacy pages;
* every placebo-controlled study with a row for the outcome gives one result (from its
  effect size, its reported p value or CI, or a row whose note records "no significant
  difference reported"), so null secondary outcomes count;
* the certainty profile is :func:`ldn_analysis.text.certainty.certainty` of that analysis;
* the risk-of-bias table (``risk_of_bias`` resource, RoB 2 per randomized study) is read
  when the evidence base holds it.

The verdict follows :data:`ldn_analysis.claims.VERDICT_DEFINITIONS`; a null trial is never
enough for "contradicted" unless its interval excludes the smallest benefit worth claiming
(:data:`~ldn_analysis.claims._base.MINIMAL_IMPORTANT_SMD`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ldn_analysis.analysis.efficacy import Efficacy, efficacy
from ldn_analysis.analysis.selection import select
from ldn_analysis.claims._base import (
    MINIMAL_IMPORTANT_SMD,
    Evaluation,
    _as_list,
    _sources,
    _studies,
    _table,
    is_randomized,
    per_evidence,
    study_label,
    study_labels,
    text_col,
)
from ldn_analysis.claims._effects import study_signals
from ldn_analysis.text.certainty import Certainty, certainty
from ldn_analysis.text.format import effect_text, fmt, plural, sentence_case

#: Trials of one outcome that agree on no benefit before "several consistent trials" can
#: contradict a claim without a pooled interval that excludes the claimed effect.
CONSISTENT_NULL_TRIALS = 3
#: Certainty ratings high enough for a benefit claim stated without hedging.
CONFIDENT_RATINGS = ("high", "moderate")
#: Widest 95% CI (in SMD) that counts as precise evidence against a claim: about what a
#: trial of 100 participants gives (half-width 1.96 x sqrt(4/100) = 0.39).
PRECISE_CI_WIDTH = 0.8


@dataclass(frozen=True)
class BenefitEvidence:
    """The controlled evidence on one outcome (and condition) that a benefit claim meets.

    Attributes
    ----------
    condition, outcome : str
    trials : pandas.DataFrame
        One row per placebo-controlled study: ``study_id, result`` (benefit, harm,
        no_difference, signal), ``note`` (the deciding numbers) and ``rob`` (overall RoB 2
        judgement, blank when not assessed).
    analysis : Efficacy or None
        The reports' pooled analysis of the outcome (None when no study gives an effect).
    profile : Certainty or None
        Its certainty profile.
    uncontrolled : tuple of str
        Studies with only before/after or active-comparator rows for the outcome, or that
        report benefit without a control group.
    """

    condition: str
    outcome: str
    trials: pd.DataFrame
    analysis: Efficacy | None
    profile: Certainty | None
    uncontrolled: tuple[str, ...]
    placebo_ids: tuple[str, ...] = ()
    evidence: Any = field(default=None, repr=False, compare=False)

    @property
    def pooled(self):
        """The pooled :class:`~ldn_analysis.stats.rma.PoolResult` (None without one)."""
        return None if self.analysis is None else self.analysis.result


def overall_rob(evidence: Any) -> dict[str, str]:
    """Return each study's overall RoB 2 judgement (empty without a risk-of-bias table)."""
    tables = getattr(evidence, "tables", None) or {}
    rob = tables.get("risk_of_bias") if hasattr(tables, "get") else None
    if rob is None:
        rob = getattr(evidence, "risk_of_bias", None)
    if rob is None or len(rob) == 0:
        return {}
    rob = rob[text_col(rob, "domain") == "overall"]
    return dict(zip(text_col(rob, "study_id"), text_col(rob, "judgement"), strict=True))


_cache = per_evidence  # selections and benefit evidence, once per evidence object


def _selection(evidence: Any, condition: str):
    """Return the selection of ``condition``, built once per evidence object and tables.

    Keyed by the identity of the evidence object and of each table (a table replaced by a
    new frame gives a new key); the objects are held so an id cannot be reused meanwhile.
    """
    cache = _cache(evidence)
    if condition not in cache:
        cache[condition] = select(evidence, None if condition == "any" else condition)
    return cache[condition]


def _analysis(evidence: Any, condition: str, outcome: str):
    needed = ("studies", "outcomes", "adverse_events", "registrations", "reviews")
    if any(_table(evidence, t).empty for t in needed[:2]):
        return None, None
    try:
        selection = _selection(evidence, condition)
    except (KeyError, AttributeError):
        return None, None
    eff = efficacy(selection, outcome)
    if eff.k == 0 or eff.result is None:
        return None, None
    return eff, certainty(eff, selection)


def benefit_evidence(evidence: Any, condition: str, outcome: Any) -> BenefitEvidence:
    """Collect the controlled evidence on ``outcome`` (one domain or ``a|b``) in ``condition``.

    Computed once per evidence object, condition and outcome.
    """
    cache = _cache(evidence)
    key = ("benefit", condition, str(outcome))
    if key not in cache:
        cache[key] = _benefit_evidence(evidence, condition, outcome)
    return cache[key]


def _benefit_evidence(evidence: Any, condition: str, outcome: Any) -> BenefitEvidence:
    outcomes = _as_list(outcome)
    studies = _studies(evidence, condition)
    placebo = studies[text_col(studies, "comparator") == "placebo"]
    ids = list(text_col(placebo, "study_id"))
    sig = study_signals(evidence, condition, outcome, ("ldn_vs_placebo",), study_ids=ids)
    rows = [sig]
    # Placebo-controlled randomized trials without a row for the outcome whose primary
    # outcome is the claimed one: the authors' primary result.
    words = [o.replace("_", " ") for o in outcomes]
    for _, s in placebo[is_randomized(placebo)].iterrows():
        sid = str(s["study_id"])
        prim = str(s.get("primary_outcome", "") or "").lower()
        result = str(s.get("primary_result", "") or "").strip()
        if sid in set(sig["study_id"]) or result in ("", "not_reported", "nan"):
            continue
        if any(w in prim for w in words):
            note = f"{study_label(evidence, sid)} primary outcome ({prim}): authors report {result.replace('_', ' ')}"
            rows.append(pd.DataFrame([{"study_id": sid, "result": result, "note": note}]))
    trials = (
        pd.concat([r for r in rows if len(r)], ignore_index=True)
        if any(len(r) for r in rows)
        else pd.DataFrame(columns=["study_id", "result", "note"])
    )
    rob = overall_rob(evidence)
    trials = trials.assign(rob=trials["study_id"].map(lambda s: rob.get(str(s), "")))
    out = _table(evidence, "outcomes")
    others = (
        out[
            text_col(out, "study_id").isin(set(text_col(studies, "study_id")))
            & text_col(out, "outcome").isin(outcomes)
            & text_col(out, "comparison").isin(["ldn_vs_active", "ldn_pre_post"])
        ]
        if len(out)
        else pd.DataFrame(columns=["study_id"])
    )
    no_control = studies[text_col(studies, "comparator").isin(["none", ""])]
    benefit_alone = no_control[text_col(no_control, "primary_result") == "benefit"]
    uncontrolled = _sources(
        [s for s in text_col(others, "study_id") if s not in set(trials["study_id"])]
        + ([] if outcomes != ["pain"] else list(text_col(benefit_alone, "study_id")))
    )
    eff, profile = (
        _analysis(evidence, condition, outcomes[0]) if len(outcomes) == 1 else (None, None)
    )
    return BenefitEvidence(
        condition, "|".join(outcomes), trials, eff, profile, uncontrolled, tuple(ids), evidence
    )


def _pooled_words(b: BenefitEvidence) -> str:
    p, eff = b.pooled, b.analysis
    what = "the one trial with an effect size gives" if p.k == 1 else f"{p.k} trials pooled give"
    return (  # effect_text: the one wording of a pooled effect on every page
        f"{what} {effect_text(p, eff.measure)} from {eff.participants} participants "
        "(positive favours LDN)"
    )


def _certainty_words(b: BenefitEvidence) -> str:
    if b.profile is None:
        return ""
    return f"; certainty {b.profile.rating} (automatic GRADE-style aid)"


def grade_benefit(b: BenefitEvidence, what: str) -> Evaluation:
    """Turn :class:`BenefitEvidence` into a verdict with one plain sentence.

    Rules (``what`` names the claim in the sentence, e.g. "pain in fibromyalgia"):

    * **contradicted** when the pooled 95% CI lies entirely below the smallest benefit
      worth claiming (SMD 0.2), or when at least three placebo-controlled trials agree on
      no benefit and none found one;
    * **supported** when two or more trials pool to a CI above 0, no trial found harm,
      certainty is moderate or high and not every trial is at high risk of bias;
    * **overstated** when the evidence points to benefit but less firmly than claimed
      (a pooled CI above 0 with low certainty or one trial, or trials that disagree);
    * **unsupported** when no placebo-controlled study measured the outcome (uncontrolled
      improvements do not count), or the trials found no benefit but are too few or too
      imprecise to rule it out.
    """
    t, p = b.trials, b.pooled
    srcs = _sources(list(t["study_id"]) + list(b.uncontrolled))
    parts = [
        f"{plural(len(t), 'placebo-controlled study', 'placebo-controlled studies')} of {b.outcome.replace('_', ' ').replace('|', ' or ')}"
    ]
    if len(t):
        parts[0] += ": " + "; ".join(
            f"{r.note} -> {r.result.replace('_', ' ')}" for r in t.itertuples()
        )
    if p is not None:
        parts.append(_pooled_words(b) + _certainty_words(b))
    high_rob = [s for s, j in zip(t["study_id"], t["rob"], strict=True) if j == "high"]
    if high_rob:
        parts.append(f"high risk of bias (RoB 2): {study_labels(b.evidence, high_rob)}")
    if b.uncontrolled:
        parts.append(f"without placebo control: {study_labels(b.evidence, b.uncontrolled)}")
    numbers = "; ".join(parts)
    benefit = t[t["result"].isin(["benefit", "signal"])]
    null = t[t["result"].isin(["no_difference", "harm"])]
    if t.empty:
        n_pbo = len(b.placebo_ids)
        where = " of this condition" if b.condition != "any" else ""
        if n_pbo == 0:
            head = f"No placebo-controlled study{where} is in the evidence base, so none measured {what}."
        elif n_pbo == 1:
            head = (
                f"The only placebo-controlled study{where} "
                f"({study_label(b.evidence, b.placebo_ids[0])}) did not measure {what}."
            )
        else:
            head = f"None of the {n_pbo} placebo-controlled studies{where} measured {what}."
        extra = (
            f" Only studies without a placebo group ({study_labels(b.evidence, b.uncontrolled)}) report it, "
            "and they cannot separate the drug from placebo response or natural course."
            if b.uncontrolled
            else ""
        )
        return Evaluation("unsupported", numbers, srcs, head + extra)
    precise = p is not None and p.ci_high - p.ci_low <= PRECISE_CI_WIDTH
    if p is not None and p.ci_high < MINIMAL_IMPORTANT_SMD and precise:
        return Evaluation(
            "contradicted",
            numbers,
            srcs,
            f"For {what}, {_pooled_words(b)}: the whole interval lies below a small benefit "
            f"(SMD {MINIMAL_IMPORTANT_SMD:g}), so the data exclude the claimed effect.",
            trials=p.k,
            interval=(p.ci_low, p.ci_high),
            claimed=MINIMAL_IMPORTANT_SMD,
        )
    if (
        benefit.empty
        and len(null) >= CONSISTENT_NULL_TRIALS
        and (p is None or p.estimate < MINIMAL_IMPORTANT_SMD)
    ):
        return Evaluation(
            "contradicted",
            numbers,
            srcs,
            f"{sentence_case(plural(len(null), 'placebo-controlled trial', words=True))} measured {what} and none found a "
            "benefit: several consistent trials speak against the claim.",
            trials=len(null),
        )
    confident = b.profile is not None and b.profile.rating in CONFIDENT_RATINGS
    if (
        p is not None
        and p.k >= 2
        and p.ci_low > 0
        and not (t["result"] == "harm").any()
        and confident
        and len(high_rob) < len(t)
    ):
        return Evaluation(
            "supported",
            numbers,
            srcs,
            f"For {what}, {_pooled_words(b)}, clearly favouring LDN with "
            f"{b.profile.rating} certainty.",
        )
    if p is not None and p.ci_low > 0:
        why = "a single trial" if p.k == 1 else f"{p.k} trials"
        if b.profile is not None and not confident:
            why += f" with {b.profile.rating} certainty"
        return Evaluation(
            "overstated",
            numbers,
            srcs,
            f"For {what}, {_pooled_words(b)}: it favours LDN, but rests on {why}, weaker "
            "than the claim implies.",
        )
    if len(benefit) and null.empty and p is None:
        return Evaluation(
            "overstated",
            numbers,
            srcs,
            f"For {what}, only {plural(len(benefit), 'placebo-controlled study', 'placebo-controlled studies')} "
            f"({study_labels(b.evidence, benefit['study_id'])}) reported a benefit, with no effect size to "
            "pool or weigh: too little to carry the claim as stated.",
        )
    if len(benefit):
        ci = ""
        if p is not None:
            side = "includes no effect" if p.ci_low <= 0 <= p.ci_high else "favours placebo"
            ci = f"; {_pooled_words(b)}, an interval that {side}"
        harm = int((t["result"] == "harm").sum())
        parts_ = [f"{len(null) - harm} found no difference"] if len(null) > harm else []
        parts_ += [f"{harm} found it worse on LDN"] if harm else []
        others = (", " + " and ".join(parts_)) if parts_ else ""
        return Evaluation(
            "overstated",
            numbers,
            srcs,
            f"For {what}, {plural(len(benefit), 'placebo-controlled study', 'placebo-controlled studies')} "
            f"({study_labels(b.evidence, benefit['study_id'])}) found a benefit{others}{ci}: "
            f"{'mixed evidence' if parts_ else 'not a firm result'}, weaker than the claim.",
        )
    if p is not None and p.ci_high < MINIMAL_IMPORTANT_SMD:
        return Evaluation(
            "unsupported",
            numbers,
            srcs,
            f"For {what}, {_pooled_words(b)}: it points against the claim, but an interval "
            f"{fmt(p.ci_high - p.ci_low)} SMD wide (over {PRECISE_CI_WIDTH:g}) is too imprecise "
            "to count as evidence against it, so there is too little to judge.",
        )
    if p is not None:
        return Evaluation(
            "unsupported",
            numbers,
            srcs,
            f"For {what}, {_pooled_words(b)}: no benefit was shown, but the interval still "
            f"includes a benefit of SMD {MINIMAL_IMPORTANT_SMD:g} or more, so the "
            f"{'trial' if p.k == 1 else 'trials'} can neither show nor rule out the claimed "
            "effect.",
        )
    return Evaluation(
        "unsupported",
        numbers,
        srcs,
        f"Only {plural(len(null), 'placebo-controlled study', 'placebo-controlled studies')} "
        f"({study_labels(b.evidence, null['study_id'])}) measured {what}; "
        f"{'it' if len(null) == 1 else 'they'} reported no significant difference without an "
        "interval precise enough to rule a benefit out, so there is too little to judge.",
    )

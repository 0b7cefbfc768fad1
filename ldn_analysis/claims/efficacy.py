"""Proposition evaluators for benefit (efficacy) claims."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ldn_analysis.claims._base import (
    Evaluation,
    _as_list,
    _find_studies,
    _sources,
    _studies,
    _table,
    condition_label,
    is_randomized,
    study_label,
    text_col,
)
from ldn_analysis.claims.grading import benefit_evidence, grade_benefit
from ldn_analysis.text.format import plural
from ldn_analysis.vocab import design_label


def _condition_words(condition: str, evidence: Any = None) -> str:
    return condition_label(evidence, condition)


def condition_rct_benefit(evidence: Any, condition: str, outcome: str = "pain") -> Evaluation:
    """Check a claim that LDN helps (``outcome``, default pain) in ``condition``.

    Graded by :func:`ldn_analysis.claims.grading.grade_benefit` on the placebo-controlled
    evidence for the outcome: the reports' pooled analysis (REML, Knapp-Hartung), each
    trial's result (effect size, reported p or CI, a null or positive result reported
    without numbers, or for a trial without a row the authors' primary result when the
    primary outcome is the claimed one), the certainty profile and RoB 2 when recorded.
    """
    b = benefit_evidence(evidence, condition, outcome)
    what = f"{outcome.replace('_', ' ').replace('|', ' or ')} in {_condition_words(condition, evidence)}"
    if condition != "any" and _studies(evidence, condition).empty:
        return Evaluation(
            "unsupported",
            f"0 curated studies of {_condition_words(condition, evidence)}",
            (),
            f"The evidence base holds no study of {_condition_words(condition, evidence)}, so there is "
            "no controlled evidence for the claim.",
        )
    return grade_benefit(b, what)


def outcome_benefit(evidence: Any, outcome: str, condition: str = "any") -> Evaluation:
    """Check a claim that LDN improves a given outcome (sleep, mood, function...).

    ``outcome`` is one or more outcome codes (``|``-separated). Same grading as
    :func:`condition_rct_benefit` (placebo-controlled evidence, pooled as in the reports).
    """
    b = benefit_evidence(evidence, condition, outcome)
    what = outcome.replace("_", " ").replace("|", " or ")
    if condition != "any":
        what += f" in {_condition_words(condition, evidence)}"
    return grade_benefit(b, what)


def conditions_helped(evidence: Any, conditions: Any, outcome: str = "pain") -> Evaluation:
    """Check a list of conditions said to be helped by LDN.

    Rule: grade each condition with :func:`condition_rct_benefit`. **supported** if every
    condition is; **contradicted** if more than half are; **unsupported** if none has
    controlled evidence of benefit (every condition unsupported or contradicted);
    **overstated** otherwise (the list puts conditions with very different evidence on an
    equal footing).
    """
    parts = {c: condition_rct_benefit(evidence, c, outcome) for c in _as_list(conditions)}
    verdicts = [e.verdict for e in parts.values()]
    numbers = "; ".join(f"{condition_label(evidence, c)}: {e.verdict}" for c, e in parts.items())
    srcs = _sources(s for e in parts.values() for s in e.deciding_sources)
    counts = ", ".join(
        f"{verdicts.count(v)} {v.replace('_', ' ')}" for v in dict.fromkeys(verdicts)
    )
    if all(v == "supported" for v in verdicts):
        verdict, why = "supported", "every listed condition has supporting controlled evidence."
    elif sum(v == "contradicted" for v in verdicts) > len(verdicts) / 2:
        verdict, why = "contradicted", "most listed conditions are contradicted by trials."
    elif all(v in ("unsupported", "contradicted") for v in verdicts):
        verdict = "unsupported"
        why = "none of them has controlled evidence of benefit."
    else:
        verdict = "overstated"
        why = "the list puts conditions with very different evidence on an equal footing."
    against = [e for e in parts.values() if e.verdict == "contradicted"]
    basis = {}
    if verdict == "contradicted":
        basis = {"trials": sum(e.trials for e in against)}
        if len(against) == 1:
            basis.update(interval=against[0].interval, claimed=against[0].claimed)
    return Evaluation(
        verdict,
        numbers,
        srcs,
        f"Of the {plural(len(verdicts), 'condition')} listed, graded one by one ({counts}), {why}",
        **basis,
    )


def practice_support(evidence: Any, conditions: Any, outcome: str = "pain") -> Evaluation:
    """Check a claim that the evidence supports using LDN (off label) for these conditions.

    A recommendation needs evidence of benefit with at least moderate certainty. Rule:
    grade each condition with :func:`condition_rct_benefit`; **supported** if every one is
    supported; **overstated** if some show a benefit but none with moderate certainty;
    **unsupported** if none shows a benefit.
    """
    parts = {c: condition_rct_benefit(evidence, c, outcome) for c in _as_list(conditions)}
    verdicts = [e.verdict for e in parts.values()]
    numbers = "; ".join(f"{condition_label(evidence, c)}: {e.verdict}" for c, e in parts.items())
    srcs = _sources(s for e in parts.values() for s in e.deciding_sources)
    n_sup = verdicts.count("supported")
    n_some = n_sup + verdicts.count("overstated")
    if n_sup == len(verdicts):
        return Evaluation(
            "supported", numbers, srcs, "Every condition named has controlled evidence of benefit."
        )
    if n_some:
        return Evaluation(
            "overstated",
            numbers,
            srcs,
            f"{'None' if n_sup == 0 else f'Only {n_sup}'} of the "
            f"{plural(len(verdicts), 'condition')} named "
            f"{'has' if n_sup <= 1 else 'have'} controlled evidence firm enough to back a "
            f"recommendation, and {n_some} {'shows' if n_some == 1 else 'show'} some benefit: "
            "the evidence suggests rather than supports off-label use.",
        )
    return Evaluation(
        "unsupported",
        numbers,
        srcs,
        f"None of the {plural(len(verdicts), 'condition')} named has controlled evidence of "
        "benefit, so the evidence cannot support off-label use.",
    )


def study_primary_benefit(
    evidence: Any,
    study: str | None = None,
    nct: str | None = None,
    author: str | None = None,
    year: int | None = None,
) -> Evaluation:
    """Check a claim that one named study found LDN beneficial / significant.

    The study is found by ``study`` id, ``nct`` id or ``author`` (+ ``year``). What a trial
    reported is a checkable fact, so the rule reads its ``primary_result`` and design:
    **supported** if a randomized trial reported benefit; **false** if it reported no
    difference or harm (the claim misreports the trial); **overstated** if the benefit
    comes from a design without randomization or a concurrent control, or a study without
    a control group reports no primary efficacy result; **unsupported** if the study is
    not in the evidence base or no primary result is recorded.
    """
    found = _find_studies(evidence, study, nct, author, year)
    who = study or nct or f"{author} {year or ''}".strip()
    if found.empty:
        return Evaluation(
            "unsupported",
            f"study {who} not in the evidence base",
            (),
            f"The study ({who}) is not in the evidence base, so its result cannot be checked.",
        )
    r = found.iloc[0]
    sid = str(r.get("study_id"))
    result = str(r.get("primary_result", "") or "").strip() or "not_reported"
    design = str(r.get("design", "") or "")
    comp = str(r.get("comparator", "") or "")
    n = r.get("n_enrolled")
    who = study_label(evidence, sid)
    numbers = (
        f"{who}: design {design}, comparator {comp or 'n/a'}, n={n}, "
        f"primary outcome '{r.get('primary_outcome')}', primary result {result}"
    )
    p = _primary_p(evidence, r)
    if p:
        numbers += f", {p}"
    said = f" ({p})" if p else ""
    randomized = bool(is_randomized(found.iloc[[0]]).iloc[0])
    if result in ("no_difference", "harm"):
        return Evaluation(
            "false",
            numbers,
            (sid,),
            f"{who} ({design_label(design)}, n = {n}) reported "
            f"{'no significant difference' if result == 'no_difference' else 'harm'} on its "
            f"primary outcome{said}, so the claim misreports the trial.",
        )
    if result == "benefit":
        if randomized:
            return Evaluation(
                "supported",
                numbers,
                (sid,),
                f"{who}, a randomized trial (n = {n}), reported a benefit on its primary "
                f"outcome{said}.",
            )
        return Evaluation(
            "overstated",
            numbers,
            (sid,),
            f"{who} ({design_label(design)}, n = {n}) reported improvement, but without "
            "randomization or a concurrent control it cannot be attributed to LDN.",
        )
    if not randomized and comp in ("none", ""):
        return Evaluation(
            "overstated",
            numbers,
            (sid,),
            f"{who} ({design_label(design)}, n = {n}) reports no efficacy result for its "
            "primary outcome and had no control group, so it cannot show that LDN worked.",
        )
    return Evaluation(
        "unsupported",
        numbers,
        (sid,),
        f"{who} has no primary result recorded, so the claim cannot be checked against it.",
    )


def _primary_p(evidence: Any, study: pd.Series) -> str:
    """Describe the reported result of the row that best matches the primary outcome."""
    out = _table(evidence, "outcomes")
    if out.empty:
        return ""
    sid = str(study.get("study_id"))
    rows = out[(text_col(out, "study_id") == sid) & (text_col(out, "comparison") != "ldn_pre_post")]
    prim_text = str(study.get("primary_outcome", "") or "").lower()
    best, best_key = None, None
    for _, r in rows.iterrows():
        p = pd.to_numeric(r.get("p_value"), errors="coerce")
        lo = pd.to_numeric(r.get("ci_low"), errors="coerce")
        hi = pd.to_numeric(r.get("ci_high"), errors="coerce")
        reported = pd.notna(p) or (pd.notna(lo) and pd.notna(hi))
        named = str(r.get("outcome", "")).replace("_", " ") in prim_text
        key = (named, reported, str(r.get("data_type")) == "between_group")
        if reported and (best_key is None or key > best_key):
            best, best_key = r, key
    if best is None:
        return ""
    bits = []
    est = pd.to_numeric(best.get("estimate"), errors="coerce")
    lo = pd.to_numeric(best.get("ci_low"), errors="coerce")
    hi = pd.to_numeric(best.get("ci_high"), errors="coerce")
    p = pd.to_numeric(best.get("p_value"), errors="coerce")
    if pd.notna(est):
        kind = str(best.get("estimate_type") or "estimate")
        bits.append(f"{_ESTIMATE_WORDS.get(kind.lower(), kind)} {est:g}")
    if pd.notna(lo) and pd.notna(hi):
        bits.append(f"95% CI {lo:g} to {hi:g}")
    if pd.notna(p):
        bits.append(f"p = {p:g}")
    return ", ".join(bits)


_ESTIMATE_WORDS = {"md": "mean difference", "smd": "standardized mean difference"}


def final_primary_significant(evidence: Any, nct: str = "NCT04270877") -> Evaluation:
    """Check a claim that the FINAL trial (NCT04270877) found significant pain relief.

    Same rule as :func:`study_primary_benefit` for the study registered as ``nct``.
    """
    return study_primary_benefit(evidence, nct=nct)

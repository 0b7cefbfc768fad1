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
    is_randomized,
    pool_effects,
    text_col,
)
from ldn_analysis.claims._effects import _pooled_text, _study_signals, effect_rows


def _study_result_for(evidence: Any, study: pd.Series, outcome: str) -> tuple[str, bool, str]:
    """Return (result, direct, note) of one controlled study for ``outcome``.

    ``direct`` is False when the result is the authors' primary result on another
    outcome, or a significant result whose direction is not recorded.
    """
    sid = str(study.get("study_id"))
    comps = ("ldn_vs_placebo", "ldn_vs_active")
    sig = _study_signals(evidence, "any", outcome, comps, study_ids=[sid])
    if not sig.empty:
        r = sig.iloc[0]
        if r["result"] == "signal":
            return "benefit", False, r["note"]
        return r["result"], True, r["note"]
    primary = str(study.get("primary_result", "") or "").strip() or "not_reported"
    words = [w.replace("_", " ") for w in _as_list(outcome)]
    prim_text = str(study.get("primary_outcome", "") or "").lower()
    direct = any(w in prim_text for w in words)
    return primary, direct, f"{sid} authors' primary result"


def condition_rct_benefit(evidence: Any, condition: str, outcome: str = "pain") -> Evaluation:
    """Check a claim that LDN helps (``outcome``, default pain) in ``condition``.

    Rule, applied to the curated studies of the condition:

    1. Placebo-controlled randomized trials (``design`` rct_* or ``randomized`` true and
       ``comparator`` placebo) each give a result for the claimed outcome: from the
       outcomes table when a controlled effect for that outcome exists (significant in
       favour = benefit, 95% CI including 0 = no difference), otherwise the authors'
       ``primary_result`` (marked *indirect* if the primary outcome is not the claimed
       outcome). Effects of >= 2 trials are pooled (random effects, SMD).
    2. **supported**: >= 2 placebo RCTs, all direct benefits, none null, and the pooled CI
       (when available) excludes 0 in favour of LDN.
    3. **contradicted**: placebo RCTs exist and none shows benefit, or the pooled CI lies
       entirely on the placebo side.
    4. **overstated**: some benefit but only one RCT, mixed RCT results, indirect
       outcomes, a pooled CI including 0, or only active-comparator/non-randomized/
       uncontrolled studies reporting improvement.
    5. **not_testable**: no study of the condition, or none reporting a result.
    """
    studies = _studies(evidence, condition)
    if studies.empty:
        return Evaluation(
            "not_testable",
            f"0 curated studies for {condition}",
            (),
            "The evidence base holds no study of this condition.",
        )
    rand = studies[is_randomized(studies)]
    placebo = rand[text_col(rand, "comparator") == "placebo"]
    other_rct = rand[text_col(rand, "comparator") != "placebo"]
    nonrand = studies[~is_randomized(studies)]
    results = [_study_result_for(evidence, r, outcome) for _, r in placebo.iterrows()]
    benefit = [r for r in results if r[0] == "benefit"]
    null = [r for r in results if r[0] in ("no_difference", "harm")]
    eff = effect_rows(evidence, condition, outcome, ("ldn_vs_placebo",))
    eff = eff[eff["study_id"].isin(set(text_col(placebo, "study_id")))]
    pooled = pool_effects(eff["yi"], eff["vi"]) if len(eff) >= 2 else None
    nonrand_benefit = int((text_col(nonrand, "primary_result") == "benefit").sum())
    other_benefit = int((text_col(other_rct, "primary_result") == "benefit").sum())
    designs = text_col(studies, "design").value_counts()
    numbers = (
        f"{len(studies)} stud{'y' if len(studies) == 1 else 'ies'} "
        f"({', '.join(f'{d} {c}' for d, c in designs.items())}); "
        f"placebo RCTs: {len(placebo)} ({len(benefit)} benefit, {len(null)} null/harm"
        f"{'; ' + '; '.join(f'{r[2]} -> {r[0]}' for r in results) if results else ''}); "
        f"other randomized: {len(other_rct)}; non-randomized reporting benefit: "
        f"{nonrand_benefit}"
    )
    if pooled is not None:
        numbers += f"; {_pooled_text(pooled)}"
    srcs = _sources(text_col(studies, "study_id"))
    if len(placebo):
        if pooled is not None and pooled.ci_high < 0:
            return Evaluation(
                "contradicted", numbers, srcs, "Pooled placebo-controlled trials favour placebo."
            )
        if not benefit and null:
            return Evaluation(
                "contradicted",
                numbers,
                srcs,
                "Placebo-controlled randomized trials found no benefit.",
            )
        if benefit:
            direct = all(r[1] for r in benefit)
            pooled_ok = pooled is None or pooled.ci_low > 0
            if len(placebo) >= 2 and not null and direct and pooled_ok and len(benefit) >= 2:
                return Evaluation(
                    "supported",
                    numbers,
                    srcs,
                    "Two or more placebo-controlled trials agree and the pooled effect is "
                    "clearly in favour of LDN.",
                )
            if null:
                why = "Placebo-controlled trials disagree: some found benefit, others none."
            elif len(placebo) < 2 or len(benefit) < 2:
                why = "Only a single small placebo-controlled trial supports the claim."
            elif not direct:
                why = "The trials' benefit was on another outcome than the one claimed."
            else:
                why = "The pooled confidence interval includes no effect."
            return Evaluation("overstated", numbers, srcs, why)
    if other_benefit or len(other_rct):
        return Evaluation(
            "overstated",
            numbers,
            srcs,
            "No placebo-controlled trial; the randomized evidence compares LDN with another "
            "treatment, which cannot show that LDN itself works.",
        )
    if nonrand_benefit:
        return Evaluation(
            "overstated",
            numbers,
            srcs,
            "Only non-randomized or uncontrolled studies (case reports, open-label series, "
            "registries) report improvement; they cannot separate drug effect from placebo, "
            "natural course or regression to the mean.",
        )
    return Evaluation(
        "not_testable", numbers, srcs, "No study of this condition reports a usable result."
    )


def outcome_benefit(evidence: Any, outcome: str, condition: str = "any") -> Evaluation:
    """Check a claim that LDN improves a given outcome (sleep, mood, function...).

    ``outcome`` is one or more outcome codes (``|``-separated). Rule on the controlled
    outcome rows (LDN vs placebo or active), one result per study as in
    :func:`_study_signals`: **supported** if >= 2 studies can be pooled, none is
    significantly worse, and the pooled CI excludes 0 in favour of LDN;
    **contradicted** if controlled results exist and none is significant in favour (or
    of unrecorded direction); **overstated** if some are but the evidence is a single
    study, mixed, not poolable or the pooled CI includes 0, or if only uncontrolled
    before/after rows exist; **not_testable** without any rows.
    """
    comps = ("ldn_vs_placebo", "ldn_vs_active")
    sig = _study_signals(evidence, condition, outcome, comps)
    out = _table(evidence, "outcomes")
    if sig.empty:
        if out.empty:
            pre = out
        else:
            keep = set(text_col(_studies(evidence, condition), "study_id"))
            mask = text_col(out, "study_id").isin(keep)
            mask &= text_col(out, "outcome").isin(_as_list(outcome))
            pre = out[mask & (text_col(out, "comparison") == "ldn_pre_post")]
        if len(pre):
            return Evaluation(
                "overstated",
                f"0 controlled comparisons; {len(pre)} before/after row(s) for {outcome}",
                _sources(text_col(pre, "study_id")),
                "Only uncontrolled before/after data exist for this outcome.",
            )
        return Evaluation(
            "not_testable",
            f"no usable rows for outcome {outcome} ({condition})",
            (),
            "The evidence base holds no data on this outcome yet.",
        )
    fav = sig[sig["result"].isin(["benefit", "signal"])]
    worse = sig[sig["result"] == "harm"]
    comp = sig[sig["computable"].astype(bool)]
    pooled = pool_effects(comp["yi"], comp["vi"]) if len(comp) >= 2 else None
    numbers = f"{len(sig)} controlled stud(ies) for {outcome}: " + "; ".join(
        f"{r.note} -> {r.result}" for r in sig.itertuples()
    )
    if pooled is not None:
        numbers += f"; {_pooled_text(pooled)}"
    srcs = _sources(sig["study_id"])
    if pooled is not None and pooled.ci_low > 0 and worse.empty:
        return Evaluation("supported", numbers, srcs, "Controlled studies agree on a benefit.")
    if fav.empty:
        return Evaluation(
            "contradicted",
            numbers,
            srcs,
            "No controlled study found a significant improvement on this outcome.",
        )
    if len(worse):
        why = "Controlled studies disagree: at least one found the outcome worse on LDN."
    elif len(sig) == 1:
        why = "Only one controlled study supports it."
    elif pooled is None:
        why = "Several studies, but too few report numbers that can be pooled."
    else:
        why = "Results differ between studies and the pooled interval includes no effect."
    return Evaluation("overstated", numbers, srcs, why)


def conditions_helped(evidence: Any, conditions: Any, outcome: str = "pain") -> Evaluation:
    """Check a list of conditions said to be helped by LDN.

    Rule: apply :func:`condition_rct_benefit` to each condition. **supported** if all are
    supported; **contradicted** if more than half are contradicted; **not_testable** if
    all are not testable; **overstated** otherwise (the list mixes well- and
    poorly-supported conditions).
    """
    parts = {c: condition_rct_benefit(evidence, c, outcome) for c in _as_list(conditions)}
    verdicts = [e.verdict for e in parts.values()]
    numbers = "; ".join(f"{c}: {e.verdict}" for c, e in parts.items())
    srcs = _sources(s for e in parts.values() for s in e.deciding_sources)
    if all(v == "supported" for v in verdicts):
        verdict, why = "supported", "Every listed condition is supported."
    elif sum(v == "contradicted" for v in verdicts) > len(verdicts) / 2:
        verdict, why = "contradicted", "Most listed conditions are contradicted by trials."
    elif all(v == "not_testable" for v in verdicts):
        verdict, why = "not_testable", "No listed condition can be tested yet."
    else:
        verdict = "overstated"
        why = "The list puts conditions with very different evidence on an equal footing."
    return Evaluation(verdict, numbers, srcs, why)


def study_primary_benefit(
    evidence: Any,
    study: str | None = None,
    nct: str | None = None,
    author: str | None = None,
    year: int | None = None,
) -> Evaluation:
    """Check a claim that one named study found LDN beneficial / significant.

    The study is found by ``study`` id, ``nct`` id or ``author`` (+ ``year``). Rule on its
    ``primary_result`` and design: **supported** if benefit in a randomized trial;
    **overstated** if benefit without randomization (open-label, single-blind, case
    series: improvement there cannot be attributed to the drug), or no primary efficacy
    result from a study without a control group; **contradicted** if no difference or
    harm; **not_testable** if the study is absent, or a controlled study reports no
    primary result.
    """
    found = _find_studies(evidence, study, nct, author, year)
    who = study or nct or f"{author} {year or ''}".strip()
    if found.empty:
        return Evaluation(
            "not_testable", f"study {who} not in the evidence base", (), "Study not curated yet."
        )
    r = found.iloc[0]
    sid = str(r.get("study_id"))
    result = str(r.get("primary_result", "") or "").strip() or "not_reported"
    design = str(r.get("design", "") or "")
    comp = str(r.get("comparator", "") or "")
    numbers = (
        f"{sid}: design {design}, comparator {comp or 'n/a'}, n={r.get('n_enrolled')}, "
        f"primary outcome '{r.get('primary_outcome')}', primary result {result}"
    )
    p = _primary_p(evidence, r)
    if p:
        numbers += f", {p}"
    if result in ("no_difference", "harm"):
        return Evaluation(
            "contradicted", numbers, (sid,), "The study's primary outcome showed no benefit."
        )
    if result == "benefit":
        if bool(is_randomized(found.iloc[[0]]).iloc[0]):
            return Evaluation(
                "supported", numbers, (sid,), "A randomized trial reported the benefit."
            )
        return Evaluation(
            "overstated",
            numbers,
            (sid,),
            "The improvement comes from a design without randomization or a concurrent "
            "control, so it cannot be attributed to LDN.",
        )
    if not bool(is_randomized(found.iloc[[0]]).iloc[0]) and comp in ("none", ""):
        return Evaluation(
            "overstated",
            numbers,
            (sid,),
            "The study reports no efficacy result for its primary outcome and had no "
            "control group, so it cannot show that LDN worked.",
        )
    return Evaluation("not_testable", numbers, (sid,), "No primary result is recorded.")


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
    bits = [f"{best.get('outcome_id')}:"]
    est = pd.to_numeric(best.get("estimate"), errors="coerce")
    lo = pd.to_numeric(best.get("ci_low"), errors="coerce")
    hi = pd.to_numeric(best.get("ci_high"), errors="coerce")
    p = pd.to_numeric(best.get("p_value"), errors="coerce")
    if pd.notna(est):
        bits.append(f"{best.get('estimate_type') or 'estimate'} {est:g}")
    if pd.notna(lo) and pd.notna(hi):
        bits.append(f"95% CI {lo:g} to {hi:g}")
    if pd.notna(p):
        bits.append(f"p={p:g}")
    return " ".join(bits)


def final_primary_significant(evidence: Any, nct: str = "NCT04270877") -> Evaluation:
    """Check a claim that the FINAL trial (NCT04270877) found significant pain relief.

    Same rule as :func:`study_primary_benefit` for the study registered as ``nct``.
    """
    return study_primary_benefit(evidence, nct=nct)

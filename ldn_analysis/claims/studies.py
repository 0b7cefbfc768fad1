"""Proposition evaluators for study facts, evidence volume and untestable claims."""

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
    num_col,
    study_label,
    study_labels,
    text_col,
)
from ldn_analysis.errors import ChoiceError
from ldn_analysis.text.format import plural
from ldn_analysis.vocab import ENDED_STATUSES, ONGOING_STATUSES

#: What a named-study rule returns when the study is not in the evidence base.
_NOT_CURATED = Evaluation("unsupported", "study not curated", (), "Study not curated yet.")


def study_design(
    evidence: Any,
    designs: Any,
    study: str | None = None,
    nct: str | None = None,
    author: str | None = None,
    year: int | None = None,
) -> Evaluation:
    """Check what design a named study had (e.g. a page labelling it a clinical trial).

    Rule: **supported** if the curated ``design`` is one of ``designs``; **false**
    otherwise; **unsupported** if the study is absent.
    """
    found = _find_studies(evidence, study, nct, author, year)
    if found.empty:
        return _NOT_CURATED
    r = found.iloc[0]
    sid, design = str(r.get("study_id")), str(r.get("design"))
    wanted = _as_list(designs)
    numbers = (
        f"{study_label(evidence, sid)}: curated design {design}, randomized {r.get('randomized')}, blinding "
        f"{r.get('blinding')}, comparator {r.get('comparator')}; claimed {' or '.join(wanted)}"
    )
    if design in wanted:
        return Evaluation("supported", numbers, (sid,), "The design matches the claim.")
    return Evaluation("false", numbers, (sid,), "The study's design is not the claimed one.")


def study_duration(
    evidence: Any,
    weeks: float,
    study: str | None = None,
    nct: str | None = None,
    author: str | None = None,
    year: int | None = None,
) -> Evaluation:
    """Check a named study's treatment duration: supported if within 1 week of ``weeks``.

    Otherwise **false**; **unsupported** if the study or its duration is missing.
    """
    found = _find_studies(evidence, study, nct, author, year)
    if found.empty:
        return _NOT_CURATED
    r = found.iloc[0]
    sid = str(r.get("study_id"))
    who = study_label(evidence, sid)
    dur = pd.to_numeric(r.get("duration_weeks"), errors="coerce")
    if pd.isna(dur):
        return Evaluation("unsupported", f"{who}: duration not recorded", (sid,), "No duration.")
    numbers = f"{who}: {dur:g} weeks of LDN; claimed {float(weeks):g} weeks"
    if abs(dur - float(weeks)) <= 1:
        return Evaluation("supported", numbers, (sid,), "Duration matches.")
    return Evaluation("false", numbers, (sid,), "Duration differs from the claim.")


def study_dose(
    evidence: Any,
    dose: float,
    study: str | None = None,
    nct: str | None = None,
    author: str | None = None,
    year: int | None = None,
) -> Evaluation:
    """Check a named study's daily dose: supported if ``dose`` is in its mg range.

    Otherwise **false**; **unsupported** if the study or dose is missing.
    """
    found = _find_studies(evidence, study, nct, author, year)
    if found.empty:
        return _NOT_CURATED
    r = found.iloc[0]
    sid = str(r.get("study_id"))
    who = study_label(evidence, sid)
    lo = pd.to_numeric(r.get("dose_mg_min"), errors="coerce")
    hi = pd.to_numeric(r.get("dose_mg_max"), errors="coerce")
    if pd.isna(lo) and pd.isna(hi):
        return Evaluation("unsupported", f"{who}: dose not recorded", (sid,), "No dose.")
    lo = hi if pd.isna(lo) else lo
    hi = lo if pd.isna(hi) else hi
    numbers = f"{who}: {lo:g}-{hi:g} mg/day; claimed {float(dose):g} mg"
    if lo - 1e-9 <= float(dose) <= hi + 1e-9:
        return Evaluation("supported", numbers, (sid,), "The dose is within the study's range.")
    return Evaluation("false", numbers, (sid,), "The study used another dose.")


def dose_range(evidence: Any, low: float, high: float, condition: str = "any") -> Evaluation:
    """Compare a claimed daily dose range (mg) with the doses studies used.

    Rule: a study is *inside* if its ``[dose_mg_min, dose_mg_max]`` lies within
    ``[low, high]``. **supported** if >= 90% of studies with a dose are inside;
    **overstated** if 50-90% are (the claim presents as universal a range that some
    studies exceed); **false** below 50%.
    """
    s = _studies(evidence, condition)
    lo, hi = num_col(s, "dose_mg_min"), num_col(s, "dose_mg_max")
    lo, hi = lo.fillna(hi), hi.fillna(lo)
    ok = lo.notna() & hi.notna()
    if not ok.any():
        return Evaluation("unsupported", "no doses recorded", (), "No study records a dose.")
    lo, hi, sids = lo[ok], hi[ok], text_col(s, "study_id")[ok]
    inside = (lo >= float(low) - 1e-9) & (hi <= float(high) + 1e-9)
    share = float(inside.mean())
    out_ids = list(sids[~inside])
    numbers = (
        f"{int(inside.sum())}/{len(inside)} studies ({share:.0%}) within {low:g}-{high:g} mg; "
        f"observed range {lo.min():g}-{hi.max():g} mg"
        + (f"; outside: {study_labels(evidence, out_ids)}" if out_ids else "")
    )
    srcs = _sources(out_ids or sids)
    if share >= 0.9:
        return Evaluation("supported", numbers, srcs, "Studies used doses within the range.")
    if share >= 0.5:
        return Evaluation(
            "overstated", numbers, srcs, "Most, but not all, studies used doses within it."
        )
    return Evaluation("false", numbers, srcs, "Most studies used doses outside it.")


def duration_range(evidence: Any, low: float, high: float, condition: str = "any") -> Evaluation:
    """Check a claim that benefits were seen over treatment durations up to ``high`` weeks.

    ``low``/``high`` are weeks (months x 4.35). Rule on studies whose ``primary_result``
    is benefit: **supported** if a randomized one lasted at least 85% of ``high``;
    **overstated** if only non-randomized ones did (long follow-up without a control);
    **false** if none did. The observed duration range of all studies is reported.
    """
    s = _studies(evidence, condition)
    dur = num_col(s, "duration_weeks")
    if dur.notna().sum() == 0:
        return Evaluation("unsupported", "no durations recorded", (), "No study durations.")
    benefit = s[(text_col(s, "primary_result") == "benefit") & dur.notna()]
    bdur = num_col(benefit, "duration_weeks")
    rand = benefit[is_randomized(benefit)]
    rdur = num_col(rand, "duration_weeks")
    target = 0.85 * float(high)
    numbers = (
        f"all studies: {dur.min():g}-{dur.max():g} weeks (n={int(dur.notna().sum())}); "
        f"with benefit: {bdur.min() if len(bdur) else float('nan'):g}-"
        f"{bdur.max() if len(bdur) else float('nan'):g} weeks; randomized with benefit: up to "
        f"{rdur.max() if len(rdur) else 0:g} weeks; claimed {low:g}-{high:g} weeks"
    )
    if len(rdur) and rdur.max() >= target:
        srcs = _sources(text_col(rand, "study_id")[rdur >= target])
        return Evaluation("supported", numbers, srcs, "A randomized trial this long found benefit.")
    if len(bdur) and bdur.max() >= target:
        srcs = _sources(text_col(benefit, "study_id")[bdur >= target])
        return Evaluation(
            "overstated",
            numbers,
            srcs,
            "Only uncontrolled or non-randomized studies reached that length; randomized "
            "trials with benefit were shorter.",
        )
    return Evaluation(
        "false",
        numbers,
        _sources(text_col(benefit, "study_id")),
        "No study with benefit lasted that long.",
    )


def review_n_studies(evidence: Any, author: str, n: int) -> Evaluation:
    """Check the number of studies a named review included.

    Rule: **supported** if the curated ``n_studies`` of the review whose first author is
    ``author`` equals ``n``; **false** if it differs; **unsupported** if absent.
    """
    rev = _table(evidence, "reviews")
    if rev.empty:
        return Evaluation("unsupported", "no reviews curated", (), "Review not curated yet.")
    hit = rev[text_col(rev, "first_author").str.lower() == str(author).lower()]
    counts = num_col(hit, "n_studies").dropna().unique()
    if hit.empty or len(counts) == 0:
        return Evaluation(
            "unsupported", f"no review by {author} with n_studies", (), "Review not curated."
        )
    rid = _sources(text_col(hit, "review_id"))
    numbers = f"{study_labels(evidence, rid)}: n_studies {', '.join(f'{c:g}' for c in counts)}; claimed {n}"
    if int(n) in {int(c) for c in counts}:
        return Evaluation("supported", numbers, rid, "The count matches the review.")
    return Evaluation("false", numbers, rid, "The review reports another count.")


def n_studies(
    evidence: Any,
    condition: str,
    n: int,
    year_max: int | None = None,
    designs: Any = None,
) -> Evaluation:
    """Check a claimed number of studies (optionally before ``year_max`` / of ``designs``).

    Rule: **supported** if the count of curated studies matches ``n``; **false**
    otherwise (the listing of the matches is given); **unsupported** without a studies
    table.
    """
    if _table(evidence, "studies").empty:
        return Evaluation("unsupported", "no studies curated", (), "No studies yet.")
    s = _studies(evidence, condition)
    if year_max is not None:
        s = s[num_col(s, "year") <= int(year_max)]
    if designs:
        s = s[text_col(s, "design").isin(_as_list(designs))]
    ids = list(text_col(s, "study_id"))
    numbers = f"{len(ids)} curated studies ({study_labels(evidence, ids) or 'none'}); claimed {n}"
    if len(ids) == int(n):
        return Evaluation("supported", numbers, _sources(ids), "The count matches.")
    return Evaluation("false", numbers, _sources(ids), "The count differs.")


def design_share(
    evidence: Any,
    designs: Any,
    min_share: float = 0.0,
    max_share: float = 1.0,
    condition: str = "any",
) -> Evaluation:
    """Check a claim about how much of the evidence has given designs.

    E.g. "few studies were controlled" (controlled designs, ``max_share=0.5``) or "much
    of the evidence is anecdotal" (case reports/series/surveys, ``min_share=0.5``). Rule:
    **supported** if the share of curated studies with a design in ``designs`` lies in
    ``[min_share, max_share]``; **false** otherwise.
    """
    s = _studies(evidence, condition)
    if s.empty:
        return Evaluation("unsupported", "no studies curated", (), "No studies yet.")
    wanted = _as_list(designs)
    hit = text_col(s, "design").isin(wanted)
    share = float(hit.mean())
    numbers = (
        f"{int(hit.sum())}/{len(s)} studies ({share:.0%}) are {'/'.join(wanted)}; claimed "
        f"share between {float(min_share):.0%} and {float(max_share):.0%}"
    )
    srcs = _sources(text_col(s, "study_id")[hit])
    if float(min_share) <= share <= float(max_share):
        return Evaluation("supported", numbers, srcs, "The share is as claimed.")
    return Evaluation("false", numbers, srcs, "The share is outside the claim.")


def small_studies(evidence: Any, max_median_n: float = 50, condition: str = "any") -> Evaluation:
    """Check "most studies were small": median ``n_enrolled`` below ``max_median_n``.

    **supported** if the median enrolment is below the threshold, **false**
    otherwise; **unsupported** without enrolment numbers.
    """
    s = _studies(evidence, condition)
    n = num_col(s, "n_enrolled").dropna()
    if n.empty:
        return Evaluation("unsupported", "no enrolment numbers", (), "No sizes recorded.")
    med = float(n.median())
    numbers = (
        f"median enrolment {med:g} (range {n.min():g}-{n.max():g}, {len(n)} studies); "
        f"{int((n < 100).sum())} have fewer than 100; threshold median < {max_median_n:g}"
    )
    if med < float(max_median_n):
        return Evaluation("supported", numbers, (), "Half the studies enrolled fewer people.")
    return Evaluation("false", numbers, (), "The typical study is not that small.")


def few_large_rcts(
    evidence: Any, min_n: int = 100, max_count: int = 1, condition: str = "any"
) -> Evaluation:
    """Check "there is a paucity of large randomized trials".

    Rule: count randomized trials enrolling at least ``min_n``; **supported** if that
    count is at most ``max_count``, **false** otherwise.
    """
    s = _studies(evidence, condition)
    if s.empty:
        return Evaluation("unsupported", "no studies curated", (), "No studies yet.")
    rand = s[is_randomized(s)]
    n = num_col(rand, "n_enrolled")
    big = rand[n >= int(min_n)]
    numbers = (
        f"{len(rand)} randomized trials; {len(big)} with n >= {min_n}"
        f" ({study_labels(evidence, text_col(big, 'study_id')) or 'none'}); largest n={n.max() if len(n) else 0:g}"
    )
    srcs = _sources(text_col(rand, "study_id"))
    if len(big) <= int(max_count):
        return Evaluation("supported", numbers, srcs, "Large randomized trials are scarce.")
    return Evaluation("false", numbers, srcs, "Several large randomized trials exist.")


def design_variety(evidence: Any, min_designs: int = 3, condition: str = "any") -> Evaluation:
    """Check "study designs vary widely": at least ``min_designs`` distinct designs.

    **supported** if so, **false** otherwise.
    """
    s = _studies(evidence, condition)
    if s.empty:
        return Evaluation("unsupported", "no studies curated", (), "No studies yet.")
    counts = text_col(s, "design").value_counts()
    numbers = f"{len(counts)} distinct designs: " + ", ".join(f"{d} {c}" for d, c in counts.items())
    if len(counts) >= int(min_designs):
        return Evaluation("supported", numbers, (), "Designs range widely.")
    return Evaluation("false", numbers, (), "Designs are fairly uniform.")


def ongoing_registrations(evidence: Any, condition: str, min_count: int = 2) -> Evaluation:
    """Check "registries list several ongoing trials" for a condition.

    Rule on registrations.csv: ongoing = status recruiting / not yet recruiting / active
    not recruiting / enrolling by invitation (as recorded when curated). **supported** if
    at least ``min_count`` are ongoing; **overstated** if some but fewer; **false**
    if registrations exist but none is ongoing; **unsupported** if none is registered.
    """
    reg = _table(evidence, "registrations")
    if reg.empty:
        return Evaluation("unsupported", "no registrations curated", (), "No registry data.")
    reg = reg[text_col(reg, "condition").isin(_as_list(condition))]
    if reg.empty:
        return Evaluation(
            "unsupported", f"0 registrations for {condition}", (), "No registry data."
        )
    status = text_col(reg, "status").str.lower().replace("", "not_recorded")
    ongoing = reg[status.isin(ONGOING_STATUSES)]
    numbers = f"{len(reg)} registrations for {condition}: " + ", ".join(
        f"{s} {c}" for s, c in status.value_counts().items()
    )
    srcs = _sources(text_col(ongoing if len(ongoing) else reg, "registry_id"))
    if len(ongoing) >= int(min_count):
        return Evaluation("supported", numbers, srcs, "Several registered trials are ongoing.")
    if len(ongoing):
        return Evaluation("overstated", numbers, srcs, "Fewer ongoing trials than claimed.")
    unclear = status[~status.isin(ENDED_STATUSES)]
    if len(unclear):
        return Evaluation(
            "unsupported",
            numbers,
            srcs,
            f"No registration is recorded as ongoing, but the status of "
            f"{plural(len(unclear), 'registration')} does not say whether the trial is still "
            "running, so the claim cannot be checked.",
        )
    return Evaluation("false", numbers, srcs, "No registered trial is still ongoing.")


_UNTESTABLE_REASONS = {
    "mechanism": "The evidence base records clinical outcomes, not biological mechanisms "
    "(receptors, glia, cytokines, endorphins); mechanistic claims need laboratory studies.",
    "background": "Background fact about naltrexone or the condition (approval history, "
    "prevalence, definitions) that the curated LDN studies do not record.",
    "regulatory": "Regulatory, insurance or guideline status is not part of the evidence "
    "base; check the regulator's label or the guideline itself.",
    "cost": "Prices and insurance coverage are not recorded in the evidence base.",
    "time_course": "Whether side effects fade with continued use needs repeated AE "
    "measurements over time, which the curated tables do not hold.",
    "opinion": "A recommendation or judgement, not a factual statement about results.",
    "out_of_scope": "Concerns full-dose naltrexone or other uses (addiction, injections), "
    "outside this evidence base of oral low-dose naltrexone for pain.",
}


#: Reasons that leave a checkable claim without data here: "unsupported", not "not testable".
_NO_DATA_REASONS = ("time_course",)


def untestable(evidence: Any, reason: str) -> Evaluation:
    """Mark a claim the evidence base cannot test, and say why.

    Rule: **not_testable** for ``mechanism``, ``background``, ``regulatory``, ``cost``,
    ``opinion`` and ``out_of_scope``; **unsupported** for ``time_course`` (checkable in
    principle, but no study here measured it).
    """
    if reason not in _UNTESTABLE_REASONS:
        raise ChoiceError("untestable reason", reason, _UNTESTABLE_REASONS)
    verdict = "unsupported" if reason in _NO_DATA_REASONS else "not_testable"
    return Evaluation(verdict, f"reason: {reason}", (), _UNTESTABLE_REASONS[reason])

"""Generated prose comparing our pooled estimate with the published meta-analyses.

Built from :attr:`ldn_analysis.analysis.efficacy.Efficacy.reconciliation` (each published
result redone its way: its studies, measure and model) and the analysis's own numbers, so
each difference that remains is named with the numbers behind it: which studies, MD or
SMD, how crossover trials were handled, which effects were derived, which model.
"""

from __future__ import annotations

import pandas as pd

from ldn_analysis import vocab
from ldn_analysis.analysis.efficacy import Efficacy
from ldn_analysis.text.format import (
    ci_text,
    conclusion,
    fmt,
    plural,
    sentence_case,
    short_citation,
    study_names,
)


def study_names_of(eff: Efficacy) -> dict[str, str]:
    """Map the analysis's study ids to short citations (from its effect and skipped rows).

    An id the analysis holds no row for (a review's study missing from our data) stays
    as it is.
    """
    rows = [t for t in (eff.effects, eff.skipped) if len(t) and "study_id" in t]
    return study_names(pd.concat(rows, ignore_index=True)) if rows else {}


_names = study_names_of


def _ids(series, names: dict[str, str] | None = None) -> str:
    ids = [(names or {}).get(str(x), str(x)) for x in series]
    return ", ".join(ids) if ids else "none"


def _and(series, names: dict[str, str] | None = None) -> str:
    """Return "a", "a and b" or "a, b and c" (study ids named by ``names``)."""
    ids = [(names or {}).get(str(x), str(x)) for x in series]
    return ", ".join(ids[:-1]) + " and " + ids[-1] if len(ids) > 1 else _ids(ids)


def skipped_text(eff: Efficacy) -> str:
    """Say which studies reported the outcome but gave no usable effect size, and why."""
    if eff.skipped.empty:
        return ""
    items = [f"{short_citation(r)}: {r['reason']}" for _, r in eff.skipped.iterrows()]
    count = sentence_case(plural(len(items), "study", words=True))
    return (
        f" {count} reporting {vocab.outcome_label(eff.outcome)} gave no usable "
        f"effect size: {'; '.join(items)}."
    )


def _unreported_text(eff: Efficacy, studies: pd.DataFrame | None = None) -> str:
    """Name the comparison's trials in the selection that have no row for the outcome.

    They are named by citation from ``studies`` (the selection's studies table); without
    it the analysis holds no citation for them, so they are counted, never shown by id.
    """
    known = set(eff.effects["study_id"]) | set(eff.skipped["study_id"])
    missing = [s for s in eff.candidates if s not in known]
    if not missing:
        return ""
    outcome = eff.outcome.replace("_", " ")
    names = study_names(studies) if studies is not None else {}
    if all(s in names for s in missing):
        return (
            f" Placebo-controlled studies in our data with no {outcome} "
            f"numbers extracted: {_ids(missing, names)}."
        )
    count = sentence_case(plural(len(missing), "placebo-controlled study", words=True))
    return (
        f" {count} in our data {'has' if len(missing) == 1 else 'have'} no {outcome} "
        "numbers extracted."
    )


def _overlap_text(pub: pd.DataFrame, eff: Efficacy) -> str:
    """Say, per review that lists its studies, which of them we pooled."""
    listed = pub.dropna(subset=["included_study_ids"])
    if listed.empty:
        return (
            " The reviews' included studies are not listed in our data, so they cannot be "
            "matched one by one."
        )
    ours = set(eff.effects["study_id"])
    names = _names(eff)
    parts = []
    for r in listed.drop_duplicates("review_id").itertuples():
        ids = [i.strip() for i in str(r.included_study_ids).split(";") if i.strip()]
        used = [i for i in ids if i in ours]
        parts.append(
            f" {r.label.split(' (')[0]} lists {plural(len(ids), 'study')}; we pooled {len(used)} of "
            f"them ({_ids(used, names)}) and not {_ids([i for i in ids if i not in ours], names)}."
        )
    return "".join(parts)


_MODEL_WORDS = {
    "random_dl": "DerSimonian-Laird random effects",
    "random_reml": "REML random effects",
    "random_unspecified": "random effects (estimator not stated)",
    "fixed": "a common (fixed) effect",
    "other": "not stated for this outcome",
}
_TEST_WORDS = {"z": "z", "t": "t", "knha": "Knapp-Hartung", "adhoc": "Knapp-Hartung (ad hoc)"}
_METHOD_WORDS = {"DL": "DerSimonian-Laird", "REML": "REML", "FE": "common-effect"}


def _model_words(model: object) -> str:
    return _MODEL_WORDS.get(str(model), "not stated")


def _verdict(low: object, high: object) -> str:
    return conclusion(low, high).split(" (")[0]


def _verdicts(r) -> str:
    ours, theirs = _verdict(r.ci_low, r.ci_high), _verdict(r.published_ci_low, r.published_ci_high)
    return f"both are {ours}" if ours == theirs else f"ours is {ours}, theirs {theirs}"


def _redone_text(r, eff: Efficacy) -> str:
    """One published result redone its way, and what still differs (a paragraph)."""
    outcome = eff.outcome.replace("_", " ")
    names = _names(eff)
    how = (
        f"{_METHOD_WORDS.get(r.method, r.method)} with {_TEST_WORDS.get(r.test, r.test)} intervals"
    )
    if r.model_assumed:
        how += f" (assumed; the review's model: {_model_words(r.published_model)})"
    scale = f" on the {r.scale} scale" if r.measure == "MD" and r.scale else ""
    theirs = ci_text(r.published_estimate, r.published_ci_low, r.published_ci_high)
    if not r.k:
        return (
            f"{r.label} redone: none of our studies gives a {r.measure}{scale} for {outcome}, "
            f"so it cannot be redone (published {theirs})."
        )
    head = (
        f"{r.label} redone its way ({r.measure}{scale}, {how}, "
        f"{plural(r.k, 'study')}: {_ids(r.study_ids, names)}): "
        f"{ci_text(r.estimate, r.ci_low, r.ci_high)} against {theirs} published, both on our "
        f"favours-LDN scale; {_verdicts(r)}."
    )
    why = []
    if r.named:
        if r.not_in_ours:
            why.append(
                f"studies: it pooled {_and(r.not_in_ours, names)}, for which our data hold no usable {outcome} "
                "numbers"
            )
        if r.not_in_theirs:
            why.append(
                f"it did not pool {_and(r.not_in_theirs, names)}, which we leave out here too"
            )
    elif pd.notna(r.published_k):
        diff = int(r.published_k) - int(r.k)
        more = (
            f"{plural(diff, 'study')} more than we can" if diff > 0 else
            f"{plural(-diff, 'study')} fewer than we can" if diff < 0 else "as many as we can"
        )  # fmt: skip
        why.append(
            f"studies: it pooled {plural(int(r.published_k), 'study')} ({more}) and our data do not "
            "say which, so we pool all of ours"
        )
    if r.off_scale:
        why.append(
            f"measure: raw mean differences need one scale, so {_and(r.off_scale, names)} (other "
            f"scales or units) are left out of this MD; the SMD keeps them"
        )
    if r.crossover_ids:
        why.append(
            f"crossover handling: we analyse {_and(r.crossover_ids, names)} as paired (Elbourne 2002) "
            f"with rho = {fmt(eff.rho, 1)}; analysing a crossover trial as if its periods were "
            "separate groups gives it a wider interval and less weight, and our data do not say "
            "which way the review went"
        )
    if r.derived_ids:
        why.append(
            f"derived effects: {_and(r.derived_ids, names)} "
            f"{'enters' if len(r.derived_ids) == 1 else 'enter'} from test statistics, p-values or "
            "assumptions (see each row's derivation); a review with full texts may have had arm "
            "SDs"
        )
    if why:
        head += " What still differs: " + "; ".join(why) + "."
    return head


def _assumptions_text(eff: Efficacy) -> str:
    """Say how the primary result moves with only direct effects and over rho."""
    a = eff.assumptions
    if a.empty:
        return ""
    parts = []
    direct = a[a["analysis"] == "direct"]
    if len(direct):
        d = direct.iloc[0]
        parts.append(
            f"with only directly reported effects ({plural(int(d.k), 'study')}): "
            + (ci_text(d.estimate, d.ci_low, d.ci_high) if d.k else "none to pool")
        )
    rho = a[a["analysis"] == "rho"]
    if len(rho):
        parts.append(
            "over the assumed within-person correlation: "
            + ", ".join(
                f"rho {fmt(r.rho, 1)} gives {ci_text(r.estimate, r.ci_low, r.ci_high)}"
                for r in rho.itertuples()
            )
        )
    return ("Our primary estimate " + "; ".join(parts) + ".") if parts else ""


def reconciliation_text(eff: Efficacy, studies: pd.DataFrame | None = None) -> str:
    """Explain how our pooled estimate compares with the published meta-analyses.

    For each published result: its estimate, ours redone its way (the studies it names
    when it names them, its measure, its model: :attr:`Efficacy.reconciliation`), and
    what still differs (studies, measure, crossover handling, derived effects, model).
    Then our own estimate and its sensitivity to how effects were derived. Studies are
    named by citation; pass the selection's ``studies`` table to name also the trials
    with no numbers for the outcome (otherwise they are counted).
    """
    pub = eff.published
    outcome = eff.outcome.replace("_", " ")
    if pub.empty:
        return (
            f"No published meta-analysis in reviews.csv reports a pooled {outcome} estimate "
            f"of LDN versus placebo for this condition, so there is nothing to reconcile."
        )
    lines = []
    for r in pub.itertuples():
        n = f", {int(r.n_participants)} participants" if pd.notna(r.n_participants) else ""
        k = plural(int(r.n_studies), "study") if pd.notna(r.n_studies) else "studies not stated"
        model = str(r.model).replace("_", " ") if pd.notna(r.model) else "model not stated"
        lines.append(
            f"{r.label}: {r.measure} {fmt(r.published_estimate)} ({r.published_ci}) as "
            f"published, {fmt(r.estimate)} on our favours-LDN scale; {k}{n}; {model}."
        )
    if eff.k:
        r = eff.result
        ours = (
            f"Ours: {plural(eff.k, 'study')} ({_ids(eff.effects['study_id'], _names(eff))}), {eff.measure} "
            f"{ci_text(r.estimate, r.ci_low, r.ci_high)}, {r.method} with "
            f"{_TEST_WORDS.get(r.test, r.test)} intervals"
        )
        if eff.md_result is not None:
            m = eff.md_result
            ours += f"; as a raw mean difference {eff.md_note}: {ci_text(m.estimate, m.ci_low, m.ci_high)}"
        lines.append(ours + ".")
        lines.extend(_redone_text(x, eff) for x in eff.reconciliation.itertuples())
    else:
        lines.append("Ours: no study in our data gives a usable effect size.")
    why = []
    n_pub = pub["n_studies"].dropna()
    if len(n_pub):
        why.append(
            "Which studies: the published analyses pooled "
            + (
                plural(int(n_pub.min()), "study")
                if n_pub.min() == n_pub.max()
                else f"{fmt(n_pub.min())} to {fmt(n_pub.max())} studies"
            )
            + f"; we could pool {eff.k}."
            + skipped_text(eff)
            + _unreported_text(eff, studies)
            + _overlap_text(pub, eff)
        )
    measures = sorted(set(pub["measure"]))
    if measures != [eff.measure] or eff.md_result is not None:
        why.append(
            f"Which measure: the reviews report {', '.join(measures)}; our primary measure is "
            f"{eff.measure} (Hedges' g), and MD and SMD are on different scales, so only "
            "like is compared with like in the chart."
        )
    models = sorted({str(m).replace("_", " ") for m in pub["model"].dropna()})
    if eff.k:
        z_row = eff.sensitivity[
            (eff.sensitivity["method"] == eff.method) & (eff.sensitivity["test"] == "z")
        ]
        z_txt = (
            f" (with z intervals ours would be {fmt(z_row.iloc[0].ci_low)} to "
            f"{fmt(z_row.iloc[0].ci_high)})"
            if len(z_row) and eff.test != "z"
            else ""
        )
        why.append(
            f"Which model: the reviews used {', '.join(models) or 'unstated models'}; we used "
            f"{eff.method} with {_TEST_WORDS.get(eff.test, eff.test)} intervals{z_txt}."
            + (
                " With few studies, Knapp-Hartung intervals use a t distribution with k-1 "
                "degrees of freedom and are much wider."
                if eff.test in ("knha", "adhoc")
                else ""
            )
        )
        why.append(_assumptions_text(eff))
    pub_dir = {conclusion(a, b) for a, b in zip(pub["ci_low"], pub["ci_high"], strict=True)}
    ours_dir = conclusion(eff.result.ci_low, eff.result.ci_high) if eff.k else "not estimable"
    why.append(
        f"Conclusion: published intervals say {' / '.join(sorted(pub_dir))}; ours is {ours_dir}."
    )
    return "\n\n".join(x for x in lines + why if x)

"""Generated prose: plain-language summaries and a GRADE-style certainty aid.

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
from dataclasses import dataclass

import pandas as pd

from ldn_analysis.analysis import RCT_DESIGNS, Efficacy, Selection, efficacy
from ldn_analysis.figures import ENDED_STATUSES, ci_text, conclusion, fmt
from ldn_analysis.figures import palette as pal

LEVELS = {4: "high", 3: "moderate", 2: "low", 1: "very low"}
OPTIMAL_INFORMATION_SIZE = 400
"""Participants below which a continuous outcome is downgraded for imprecision
(GRADE guideline 6, Guyatt et al. 2011: ~400 for an SMD of 0.2 with 80% power)."""
SHORT_WEEKS = 12
"""Trials shorter than this are indirect evidence for a chronic condition."""
RULES = {
    "start": "randomised trials start at high certainty, other designs at low",
    "risk of bias": "-1 when any pooled study is not randomised and double-blind",
    "inconsistency": "-1 when I² >= 50%, -2 when I² >= 75%",
    "indirectness": f"-1 when the median follow-up is under {SHORT_WEEKS} weeks",
    "imprecision": (
        f"-1 when fewer than {OPTIMAL_INFORMATION_SIZE} participants; -1 when the 95% CI "
        "includes no effect (at most -2)"
    ),
    "publication bias": (
        "-1 when Egger's test p < 0.10 with 10+ studies, or when registered trials for the "
        "condition were completed without any results"
    ),
}
AID_LABEL = (
    "Automatic aid, not a GRADE assessment: ratings are computed from the numbers with "
    "fixed rules; a review team would judge each domain from the full papers."
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


def unpublished_registrations(selection: Selection) -> pd.DataFrame:
    """Return registered trials that ended (completed or terminated) with no results."""
    r = selection.registrations
    if r.empty:
        return r
    linked = r["linked_study_id"].notna() & r["linked_study_id"].astype(str).str.strip().ne("")
    posted = r["results_posted"].astype(str).str.lower().isin(["true", "1"])
    ended = r["status"].astype(str).isin(ENDED_STATUSES)
    return r[ended & ~linked & ~posted]


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
        for t in [*pal.TIER_ORDER, "Other design"]
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
    designs = eff.effects["design"].map(pal.design_label).value_counts()
    text += " Designs pooled: " + ", ".join(f"{v} {k}" for k, v in designs.items()) + "."
    return text + _skipped_text(eff)


# --------------------------------------------------------------------------- certainty


@dataclass(frozen=True)
class Certainty:
    """GRADE-style certainty profile of one pooled outcome (an automatic aid).

    Attributes
    ----------
    outcome : str
    k, participants : int
    effect : str
        Pooled estimate and CI as text.
    start : int
        Starting level (4 randomised, 2 otherwise).
    domains : dict
        Domain name -> (downgrade, reason); downgrades are 0, -1 or -2.
    """

    outcome: str
    k: int
    participants: int
    effect: str
    start: int
    domains: dict

    @property
    def level(self) -> int:
        """Final level, 1 (very low) to 4 (high)."""
        return max(1, min(4, self.start + sum(d for d, _ in self.domains.values())))

    @property
    def rating(self) -> str:
        """The level's name: high, moderate, low or very low."""
        return LEVELS[self.level]


def _risk_of_bias(e: pd.DataFrame) -> tuple[int, str]:
    weak = e[~(e["design"].isin(RCT_DESIGNS) & (e["blinding"] == "double_blind"))]
    if weak.empty:
        return 0, (
            f"all {_studies(len(e))} randomised and double-blind (no formal risk-of-bias "
            "tool applied)"
        )
    return -1, f"not randomised and double-blind: {_ids(weak['study_id'])}"


def _inconsistency(r) -> tuple[int, str]:
    if r.k < 2:
        return 0, "not assessable with a single study"
    i2 = float(r.i2)
    if i2 >= 75:
        return -2, f"I² = {fmt(i2, 0)}% (considerable heterogeneity)"
    if i2 >= 50:
        return -1, f"I² = {fmt(i2, 0)}% (substantial heterogeneity)"
    return 0, f"I² = {fmt(i2, 0)}%"


def _indirectness(e: pd.DataFrame) -> tuple[int, str]:
    weeks = e["duration_weeks"].dropna()
    if weeks.empty:
        return 0, "follow-up not reported; not assessed"
    med = float(weeks.median())
    if med < SHORT_WEEKS:
        return -1, f"median follow-up {fmt(med, 1)} weeks, short for a chronic condition"
    return 0, f"median follow-up {fmt(med, 1)} weeks"


def _imprecision(r, n: int) -> tuple[int, str]:
    down, why = 0, []
    if n < OPTIMAL_INFORMATION_SIZE:
        down -= 1
        why.append(f"{n} participants (< {OPTIMAL_INFORMATION_SIZE})")
    if r.ci_low <= 0 <= r.ci_high:
        down -= 1
        why.append(f"95% CI {fmt(r.ci_low)} to {fmt(r.ci_high)} includes no effect")
    return max(down, -2), "; ".join(why) or f"{n} participants and the CI excludes no effect"


def _publication_bias(eff: Efficacy, selection: Selection) -> tuple[int, str]:
    missing = unpublished_registrations(selection)
    p = getattr(eff.egger, "pvalue", math.nan) if eff.egger is not None else math.nan
    if eff.k >= 10 and not math.isnan(p) and p < 0.10:
        return -1, f"Egger's test p = {fmt(p, 3)}"
    if len(missing):
        return -1, (
            f"registered trials for this condition that ended without results: "
            f"{_ids(missing['registry_id'])}"
        )
    if eff.k < 10:
        return 0, f"only {_studies(eff.k)}: small-study effects cannot be tested"
    return 0, f"Egger's test p = {fmt(p, 3)}"


def certainty(eff: Efficacy, selection: Selection) -> Certainty | None:
    """Compute the certainty profile of one pooled analysis (None without studies)."""
    if eff.k == 0 or eff.result is None:
        return None
    e, r = eff.effects, eff.result
    start = 4 if e["design"].isin(RCT_DESIGNS).all() else 2
    domains = {
        "risk of bias": _risk_of_bias(e),
        "inconsistency": _inconsistency(r),
        "indirectness": _indirectness(e),
        "imprecision": _imprecision(r, eff.participants),
        "publication bias": _publication_bias(eff, selection),
    }
    effect = f"{eff.measure} {ci_text(r.estimate, r.ci_low, r.ci_high)}"
    return Certainty(eff.outcome, eff.k, eff.participants, effect, start, domains)


def certainty_table(
    selection: Selection,
    method: str = "REML",
    test: str = "knha",
    *,
    rho: float = 0.5,
    comparison: str = "ldn_vs_placebo",
) -> pd.DataFrame:
    """Return one row per outcome with a pooled estimate: each domain and the rating.

    Outcomes reported by the selection's studies for ``comparison`` are pooled with
    :func:`ldn_analysis.views.efficacy`; outcomes with no usable effect size are listed
    with their certainty "not estimable".
    """
    rows = []
    o = selection.outcomes
    outcomes = sorted(o[o["comparison"] == comparison]["outcome"].dropna().unique())
    for outcome in outcomes:
        eff = efficacy(selection, outcome, method, test, rho=rho, comparison=comparison)
        c = certainty(eff, selection)
        if c is None:
            rows.append(
                {"outcome": outcome, "studies": 0, "participants": 0, "certainty": "not estimable"}
            )
            continue
        row = {
            "outcome": outcome,
            "studies": c.k,
            "participants": c.participants,
            "effect (positive favours LDN)": c.effect,
            "certainty": f"{c.rating} (start {LEVELS[c.start]})",
        }
        for name, (down, why) in c.domains.items():
            row[name] = f"{down:+d}: {why}" if down else f"0: {why}"
        rows.append(row)
    order = [
        "outcome",
        "studies",
        "participants",
        "effect (positive favours LDN)",
        "risk of bias",
        "inconsistency",
        "indirectness",
        "imprecision",
        "publication bias",
        "certainty",
    ]
    return pd.DataFrame(rows, columns=order).fillna("")


def certainty_report(
    selection: Selection, method: str = "REML", test: str = "knha", *, rho: float = 0.5
):
    """Return :func:`certainty_table` as a :class:`ldn_analysis.views.Table` to show."""
    from ldn_analysis.analysis import Table

    return Table(
        certainty_table(selection, method, test, rho=rho),
        caption=f"Certainty per outcome, LDN vs placebo: {selection.label}. {AID_LABEL}",
        empty_text=(
            f"No placebo-controlled study of LDN for {selection.label} reports an outcome "
            "with numbers, so no certainty profile can be computed."
        ),
    )


def certainty_text(c: Certainty | None, outcome: str = "") -> str:
    """Explain one certainty profile in sentences (each downgrade with its reason)."""
    if c is None:
        return (
            f"No certainty rating for {outcome.replace('_', ' ') or 'this outcome'}: there is "
            "no pooled estimate to rate."
        )
    downs = [f"{name} {d:+d} ({why})" for name, (d, why) in c.domains.items() if d]
    kind = "randomised trials" if c.start == 4 else "non-randomised evidence"
    text = f"{c.outcome.replace('_', ' ').capitalize()}: starts at {LEVELS[c.start]} ({kind}); "
    text += ("downgraded for " + "; ".join(downs)) if downs else "no downgrade applied"
    return text + f". Result: {c.rating} certainty (automatic aid, not a GRADE assessment)."


# --------------------------------------------------------------------------- reconciliation


def _unreported_text(eff: Efficacy) -> str:
    """Name the comparison's trials in the selection that have no row for the outcome."""
    known = set(eff.effects["study_id"]) | set(eff.skipped["study_id"])
    missing = [s for s in eff.candidates if s not in known]
    if not missing:
        return ""
    return (
        f" Placebo-controlled studies in our data with no {eff.outcome.replace('_', ' ')} "
        f"numbers extracted: {_ids(missing)}."
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
    parts = []
    for r in listed.drop_duplicates("review_id").itertuples():
        ids = [i.strip() for i in str(r.included_study_ids).split(";") if i.strip()]
        used = [i for i in ids if i in ours]
        parts.append(
            f" {r.label.split(' (')[0]} lists {_studies(len(ids))}; we pooled {len(used)} of "
            f"them ({_ids(used)}) and not {_ids([i for i in ids if i not in ours])}."
        )
    return "".join(parts)


def reconciliation_text(eff: Efficacy) -> str:
    """Explain how our pooled estimate compares with the published meta-analyses.

    Names the studies each side pooled, the measure and the model, and the studies in
    our data that could not be used, from the numbers in ``eff``.
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
        k = f"{int(r.n_studies)} studies" if pd.notna(r.n_studies) else "studies not stated"
        model = str(r.model).replace("_", " ") if pd.notna(r.model) else "model not stated"
        lines.append(
            f"{r.label}: {r.measure} {fmt(r.published_estimate)} ({r.published_ci}) as "
            f"published, {fmt(r.estimate)} on our favours-LDN scale; {k}{n}; {model}."
        )
    if eff.k:
        r = eff.result
        ours = (
            f"Ours: {_studies(eff.k)} ({_ids(eff.effects['study_id'])}), {eff.measure} "
            f"{ci_text(r.estimate, r.ci_low, r.ci_high)}, {r.method} with "
            f"{'Knapp-Hartung' if r.test != 'z' else 'z'} intervals"
        )
        if eff.md_result is not None:
            m = eff.md_result
            ours += f"; as a raw mean difference {eff.md_note}: {ci_text(m.estimate, m.ci_low, m.ci_high)}"
        lines.append(ours + ".")
    else:
        lines.append("Ours: no study in our data gives a usable effect size.")
    why = []
    n_pub = pub["n_studies"].dropna()
    if len(n_pub):
        why.append(
            f"Which studies: the published analyses pooled {fmt(n_pub.min())} to "
            f"{fmt(n_pub.max())} studies; we could pool {eff.k}."
            + _skipped_text(eff)
            + _unreported_text(eff)
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
            f"{eff.method} with {eff.test} intervals{z_txt}. With few studies, Knapp-Hartung "
            "intervals use a t distribution with k-1 degrees of freedom and are much wider."
        )
    pub_dir = {conclusion(a, b) for a, b in zip(pub["ci_low"], pub["ci_high"], strict=True)}
    ours_dir = conclusion(eff.result.ci_low, eff.result.ci_high) if eff.k else "not estimable"
    why.append(
        f"Conclusion: published intervals say {' / '.join(sorted(pub_dir))}; ours is {ours_dir}."
    )
    return "\n\n".join(lines + why)


# --------------------------------------------------------------------------- safety


def safety_summary(selection: Selection, event: str | None = None) -> str:
    """Summarise the adverse-event counts of a selection in plain sentences.

    Parameters
    ----------
    selection : Selection
    event : str, optional
        An event to describe in more detail (e.g. "vivid_dreams").
    """
    from ldn_analysis.analysis import ae_table, pooled_ae_table, risk_ratio_table

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

"""A GRADE-style certainty aid: one profile per pooled analysis, computed with fixed rules.

The profile follows the five GRADE downgrading domains with fixed, published rules of
thumb (named in :data:`RULES`). It is an automatic aid for readers, not a GRADE
assessment: a review team judges each domain with the full papers in hand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ldn_analysis.analysis.efficacy import Efficacy
from ldn_analysis.analysis.risk_of_bias import overall_by_study, risk_of_bias_table
from ldn_analysis.analysis.selection import RCT_DESIGNS, Selection, unpublished_registrations
from ldn_analysis.text.format import ci_text, fmt, plural
from ldn_analysis.text.tables import Table
from ldn_analysis.vocab import ROB_LABELS, design_risk

LEVELS = {4: "high", 3: "moderate", 2: "low", 1: "very low"}
OPTIMAL_INFORMATION_SIZE = 400
"""Participants below which a continuous outcome is downgraded for imprecision
(GRADE guideline 6, Guyatt et al. 2011: ~400 for an SMD of 0.2 with 80% power)."""
SHORT_WEEKS = 12
"""Trials shorter than this are indirect evidence for a chronic condition."""
RULES = {
    "start": "randomised trials start at high certainty, other designs at low",
    "risk of bias": (
        "RoB 2 overall judgement of each pooled study (design-based tier when it has none), "
        "weighted as in the pool: -1 when over half the weight is at some concerns or high, "
        "-2 when over half is at high"
    ),
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


def _ids(series) -> str:
    ids = [str(x) for x in series]
    return ", ".join(ids) if ids else "none"


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


def _risk_of_bias(e: pd.DataFrame, weights, selection: Selection) -> tuple[int, str]:
    """RoB 2 overall judgements of the pooled studies, weighted by their weight in the pool.

    A study without a RoB 2 row falls back to its design-based tier
    (:func:`ldn_analysis.vocab.design_risk`). -2 when studies carrying most of the weight
    (> 50%) are at high risk; -1 when most of the weight is at some concerns or high.
    """
    overall = overall_by_study(risk_of_bias_table(selection)).set_index("study_id")
    arr = np.asarray(weights if weights is not None else (), dtype=float)
    if arr.shape != (len(e),) or not np.isfinite(arr).all() or arr.sum() <= 0:
        arr = np.ones(len(e))  # no usable pool weights: every study counts the same
    w = pd.Series(arr / arr.sum() * 100, index=e["study_id"].to_numpy())
    parts, share = [], dict.fromkeys(("low", "some_concerns", "high"), 0.0)
    for sid, wi in w.items():
        if sid in overall.index:
            row = overall.loc[sid]
            judgement, label, rob2 = (
                str(row["judgement"]),
                str(row["label"]),
                row["basis"] == "rob2",
            )
        else:  # not in the selection's table (should not happen): design only
            d = e.loc[e["study_id"] == sid].iloc[0]
            judgement, _ = design_risk(d["design"], d["blinding"], d.get("randomized") is True)
            label, rob2 = str(sid), False
        share[judgement] = share.get(judgement, 0.0) + wi
        how = "" if rob2 else " by design (no RoB 2 assessment)"
        name = ROB_LABELS.get(judgement, judgement).lower()
        parts.append(f"{label} {name}{how} ({fmt(wi, 0)}%)")
    listing = ", ".join(parts)
    high, concerns = share["high"], share["high"] + share["some_concerns"]
    if high > 50:
        return -2, f"{fmt(high, 0)}% of the weight from studies at high risk of bias: {listing}"
    if concerns > 50:
        return -1, (
            f"{fmt(concerns, 0)}% of the weight from studies with some concerns or high risk: "
            f"{listing}"
        )
    return 0, f"{fmt(100 - concerns, 0)}% of the weight from studies at low risk: {listing}"


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
        return 0, f"only {plural(eff.k, 'study')}: small-study effects cannot be tested"
    return 0, f"Egger's test p = {fmt(p, 3)}"


def certainty(eff: Efficacy, selection: Selection) -> Certainty | None:
    """Compute the certainty profile of one pooled analysis (None without studies)."""
    if eff.k == 0 or eff.result is None:
        return None
    e, r = eff.effects, eff.result
    start = 4 if e["design"].isin(RCT_DESIGNS).all() else 2
    domains = {
        "risk of bias": _risk_of_bias(e, r.weights, selection),
        "inconsistency": _inconsistency(r),
        "indirectness": _indirectness(e),
        "imprecision": _imprecision(r, eff.participants),
        "publication bias": _publication_bias(eff, selection),
    }
    effect = f"{eff.measure} {ci_text(r.estimate, r.ci_low, r.ci_high)}"
    return Certainty(eff.outcome, eff.k, eff.participants, effect, start, domains)


def certainty_table(selection: Selection, analyses: dict[str, Efficacy]) -> pd.DataFrame:
    """Return one row per outcome with a pooled estimate: each domain and the rating.

    ``analyses`` maps each outcome to its :class:`Efficacy` (from
    :func:`ldn_analysis.analysis.outcome_analyses`, computed once per page); outcomes with
    no usable effect size are listed with their certainty "not estimable".
    """
    rows = []
    for outcome, eff in analyses.items():
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


def certainty_report(selection: Selection, analyses: dict[str, Efficacy]) -> Table:
    """Return :func:`certainty_table` as a :class:`~ldn_analysis.text.tables.Table` to show."""
    return Table(
        certainty_table(selection, analyses),
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

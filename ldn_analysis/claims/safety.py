"""Proposition evaluators for adverse-event (safety) claims."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from scipy import stats

from ldn_analysis.claims._base import (
    ALPHA,
    Evaluation,
    _sources,
    _studies,
    _table,
    num_col,
    once_per_evidence,
    pool_effects,
    rule_of_three_bound,
    study_label,
    text_col,
    wilson_interval,
)
from ldn_analysis.claims.reviews import review_harms
from ldn_analysis.stats.risk_difference import newcombe
from ldn_analysis.text.format import pct, plural

# --------------------------------------------------------------------------------------
# Proposition evaluators. Each: (evidence, **args) -> Evaluation. Registry at the end.
# --------------------------------------------------------------------------------------


@once_per_evidence
def _ldn_ae_rows(evidence: Any) -> pd.DataFrame:
    ae = _table(evidence, "adverse_events")
    if ae.empty:
        return ae
    ae = ae.assign(
        _events=num_col(ae, "events"),
        _n=num_col(ae, "n_at_risk"),
        _event=text_col(ae, "event"),
        _term=text_col(ae, "reported_term").str.lower(),
        _arm=text_col(ae, "arm"),
        _sid=text_col(ae, "study_id"),
    )
    return ae[(ae["_arm"] == "ldn") & ae["_events"].notna() & (ae["_n"] > 0)]


def _restrict(evidence: Any, df: pd.DataFrame, condition: str) -> pd.DataFrame:
    if condition == "any" or df.empty:
        return df
    keep = set(text_col(_studies(evidence, condition), "study_id"))
    return df[df["_sid"].isin(keep)]


def _excess(a: float, n1: float, c: float, n2: float) -> tuple[float, float, float]:
    """Risk difference LDN minus placebo with Newcombe's hybrid-score 95% CI.

    :func:`ldn_analysis.stats.risk_difference.newcombe`, the one implementation every page
    uses for a difference of two proportions.
    """
    rd = newcombe(a, n1, c, n2)
    return rd.rd, rd.low, rd.high


def _any_ae_arms(evidence: Any, condition: str) -> pd.DataFrame:
    ae = _table(evidence, "adverse_events")
    if ae.empty:
        return ae
    ae = ae.assign(
        _sid=text_col(ae, "study_id"),
        _arm=text_col(ae, "arm"),
        _events=num_col(ae, "events"),
        _n=num_col(ae, "n_at_risk"),
    )
    ae = ae[(text_col(ae, "event") == "any_ae") & ae["_events"].notna() & (ae["_n"] > 0)]
    ae = _restrict(evidence, ae, condition)
    return ae.sort_values("_n").groupby(["_sid", "_arm"]).tail(1)


def any_ae_arms(evidence: Any, condition: str = "any") -> pd.DataFrame:
    """Return the arms the side-effect verdicts read: any adverse event, per study and arm.

    Per study and arm, the ``any_ae`` row of ``adverse_events.csv`` with the most
    participants at risk (``condition`` as the claims read it: an id, ``a|b`` or ``any``).
    Columns ``study_id, arm, events, n, source_url``; the claims lesson charts these rows.
    """
    a = _any_ae_arms(evidence, condition)
    cols = ["study_id", "arm", "events", "n", "source_url"]
    if a.empty:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame(
        {
            "study_id": a["_sid"],
            "arm": a["_arm"],
            "events": a["_events"].astype(float),
            "n": a["_n"].astype(float),
            "source_url": a["source_url"],
        }
    ).reset_index(drop=True)


def _arm_range(alone: list, evidence: Any = None) -> str:
    first, last = study_label(evidence, alone[0][0]), study_label(evidence, alone[-1][0])
    if len(alone) == 1:
        return f"one uncontrolled LDN arm reports {pct(alone[0][3], 0)} ({first})"
    return (
        f"{len(alone)} uncontrolled LDN arms report from {pct(alone[0][3], 0)} "
        f"({first}) to {pct(alone[-1][3], 0)} ({last})"
    )


def ae_any_range(evidence: Any, low: float, high: float, condition: str = "any") -> Evaluation:
    """Compare a claimed range of how many patients get side effects with the trials.

    Side effects are events the drug causes; ``any_ae`` rows count every adverse event,
    whatever its cause, and placebo arms report almost as many. So the rule reads each
    trial with an LDN and a placebo arm as the excess on LDN (risk difference LDN minus
    placebo, Newcombe 95% CI): **contradicted** if any trial's whole interval lies above
    ``high`` percent; **overstated** if an excess estimate lies above it; **supported**
    otherwise. Uncontrolled LDN arms (all-cause proportions, an upper bound for side
    effects) are listed beside it. Without a placebo-controlled trial: **unsupported**
    (all-cause counts alone cannot show how many events the drug caused).
    """
    arms = _any_ae_arms(evidence, condition)
    if arms.empty:
        return Evaluation(
            "unsupported",
            "no any-adverse-event counts",
            (),
            "The evidence base holds no adverse-event counts to compare with the range.",
        )
    hi_c = float(high) / 100
    pairs, alone = [], []
    for sid, g in arms.groupby("_sid", sort=True):
        ldn, pbo = g[g["_arm"] == "ldn"], g[g["_arm"] == "placebo"]
        if ldn.empty:
            continue
        a, n1 = float(ldn["_events"].iloc[0]), float(ldn["_n"].iloc[0])
        if len(pbo):
            c, n2 = float(pbo["_events"].iloc[0]), float(pbo["_n"].iloc[0])
            pairs.append((sid, a, n1, c, n2, *_excess(a, n1, c, n2)))
        else:
            alone.append((sid, a, n1, a / n1))
    words = [
        f"{study_label(evidence, sid)} {pct(a / n1, 0)} on LDN vs {pct(c / n2, 0)} on placebo (excess "
        f"{100 * d:+.0f} points, 95% CI {100 * dl:+.0f} to {100 * dh:+.0f})"
        for sid, a, n1, c, n2, d, dl, dh in pairs
    ]
    numbers = "any adverse event, all causes: " + (
        "; ".join(words) or "no placebo-controlled trial"
    )
    if alone:
        alone.sort(key=lambda x: x[3])
        numbers += f"; {_arm_range(alone, evidence)}"
    numbers += f"; claimed {low:g}-{high:g}%"
    srcs = _sources([x[0] for x in pairs] + [x[0] for x in alone])
    if not pairs:
        return Evaluation(
            "unsupported",
            numbers,
            srcs,
            "Without a placebo arm, all-cause adverse-event counts cannot show how many "
            "patients had side effects caused by LDN.",
        )
    above = [x for x in pairs if x[6] > hi_c]
    if above:
        return Evaluation(
            "contradicted",
            numbers,
            srcs,
            f"In {study_label(evidence, above[0][0])} even the lower limit of the excess on LDN "
            f"({100 * above[0][6]:+.0f} points) lies above the claimed {high:g}%.",
            trials=len(pairs),
            interval=(above[0][6], above[0][7]),
            claimed=hi_c,
        )
    beyond = [x for x in pairs if x[5] > hi_c]
    if beyond:
        return Evaluation(
            "overstated",
            numbers,
            srcs,
            f"In {study_label(evidence, beyond[0][0])} the excess of adverse events on LDN over placebo "
            f"({100 * beyond[0][5]:+.0f} points) is above the claimed {high:g}%.",
        )
    first = pairs[0]
    return Evaluation(
        "supported",
        numbers,
        srcs,
        f"All-cause adverse events were about as common on placebo as on LDN "
        f"({study_label(evidence, first[0])}: "
        f"{pct(first[1] / first[2], 0)} vs {pct(first[3] / first[4], 0)}), so the share "
        f"attributable to LDN lies within the claimed {low:g}-{high:g}%"
        + (f"; {_arm_range(alone, evidence)}." if alone else "."),
    )


def _pooled_proportion(evidence: Any, event: str, condition: str) -> tuple | None:
    ae = _restrict(evidence, _ldn_ae_rows(evidence), condition)
    ae = ae[ae["_event"] == event] if not ae.empty else ae
    if ae.empty:
        return None
    ae = ae.sort_values("_n").groupby("_sid").tail(1)
    e, n = float(ae["_events"].sum()), float(ae["_n"].sum())
    lo, hi = wilson_interval(e, n)
    if e == 0:
        hi = rule_of_three_bound(n)
    return e, n, lo, hi, _sources(ae["_sid"]), len(ae)


def _rate_at_most(evidence: Any, event: str, high: float, condition: str, label: str) -> Evaluation:
    res = _pooled_proportion(evidence, event, condition)
    if res is None:
        return Evaluation(
            "unsupported",
            f"no {event} counts in LDN arms",
            (),
            f"The evidence base holds no {label} counts for LDN arms yet.",
        )
    e, n, lo, hi, srcs, k = res
    bound = "rule-of-three upper bound" if e == 0 else "Wilson 95% CI"
    numbers = (
        f"{label} on LDN: {int(e)}/{int(n)} = {pct(e / n)} over {plural(k, 'study')} "
        f"({bound} {pct(lo)}-{pct(hi)}); claimed at most {high:g}%"
    )
    h = float(high) / 100
    if hi <= h:
        return Evaluation("supported", numbers, srcs, "Even the upper bound is within the claim.")
    if lo > h:
        return Evaluation(
            "contradicted",
            numbers,
            srcs,
            f"Even the lower bound ({pct(lo)}) exceeds the claimed ceiling of {high:g}%.",
            trials=k,
            interval=(lo, hi),
            claimed=h,
        )
    if e / n <= h:
        return Evaluation(
            "overstated",
            numbers,
            srcs,
            "The estimate is within the claim but the data are too few to exclude higher rates.",
        )
    return Evaluation(
        "overstated",
        numbers,
        srcs,
        "The estimate exceeds the claimed ceiling, though the interval still reaches it.",
    )


def serious_ae_rare(evidence: Any, high: float = 5, condition: str = "any") -> Evaluation:
    """Check that serious adverse events on LDN stay below ``high`` percent.

    Rule: crude pooled proportion of participants with a serious AE across LDN arms; its
    95% upper bound is the Wilson upper limit, or the rule of three (``3/N``) when no
    serious AE was seen. **supported** if the upper bound is at most ``high``;
    **contradicted** if even the lower bound exceeds it; **overstated** in between.
    """
    return _rate_at_most(evidence, "serious_ae", high, condition, "serious adverse events")


def withdrawal_ae_max(evidence: Any, high: float = 5, condition: str = "any") -> Evaluation:
    """Check that stopping LDN because of side effects is rarer than ``high`` percent.

    Same rule as :func:`serious_ae_rare`, applied to ``withdrawal_ae`` counts in LDN arms
    (participants who stopped because of adverse events).
    """
    return _rate_at_most(
        evidence, "withdrawal_ae", high, condition, "withdrawals due to adverse events"
    )


def ae_similar_to_placebo(
    evidence: Any, event: str = "any_ae", condition: str = "any"
) -> Evaluation:
    """Check a claim that LDN is as well tolerated as placebo.

    Rule: for studies with ``event`` counts in both an LDN and a placebo arm, compute
    log risk ratios (0.5 added to every cell when a cell is 0) and pool them. The risk
    ratio's 95% CI decides: **contradicted** if its lower limit exceeds 1 (more events on
    LDN); **supported** if it includes (or lies below) 1 and at least two trials
    contribute; **overstated** if only one trial does (equality cannot be claimed from a
    single small trial).
    """
    ae = _table(evidence, "adverse_events")
    if ae.empty:
        return Evaluation("unsupported", "no AE counts", (), "No adverse-event counts yet.")
    ae = ae.assign(
        _sid=text_col(ae, "study_id"),
        _arm=text_col(ae, "arm"),
        _e=num_col(ae, "events"),
        _n=num_col(ae, "n_at_risk"),
    )
    ae = ae[(text_col(ae, "event") == event) & ae["_e"].notna() & (ae["_n"] > 0)]
    ae = _restrict(evidence, ae, condition)
    yi, vi, sids, parts = [], [], [], []
    for sid, g in ae.groupby("_sid"):
        ldn, pbo = g[g["_arm"] == "ldn"], g[g["_arm"] == "placebo"]
        if ldn.empty or pbo.empty:
            continue
        a, n1 = float(ldn["_e"].iloc[0]), float(ldn["_n"].iloc[0])
        c, n2 = float(pbo["_e"].iloc[0]), float(pbo["_n"].iloc[0])
        if 0 in (a, c, n1 - a, n2 - c):
            a, c, n1, n2 = a + 0.5, c + 0.5, n1 + 1, n2 + 1
        yi.append(math.log((a / n1) / (c / n2)))
        vi.append(1 / a - 1 / n1 + 1 / c - 1 / n2)
        sids.append(sid)
        parts.append(
            f"{study_label(evidence, sid)} {int(ldn['_e'].iloc[0])}/{int(ldn['_n'].iloc[0])} vs "
            f"{int(pbo['_e'].iloc[0])}/{int(pbo['_n'].iloc[0])}"
        )
    if not yi:
        return Evaluation(
            "unsupported",
            f"no trial with {event} counts in both LDN and placebo arms",
            (),
            "Tolerability relative to placebo needs counts from both arms of a trial.",
        )
    if len(yi) == 1:
        half = float(stats.norm.isf(ALPHA / 2)) * math.sqrt(vi[0])
        est, lo, hi = yi[0], yi[0] - half, yi[0] + half
    else:
        p = pool_effects(yi, vi)
        est, lo, hi = p.estimate, p.ci_low, p.ci_high
    numbers = (
        f"{event} LDN vs placebo: {'; '.join(parts)}; risk ratio {math.exp(est):.2f} "
        f"(95% CI {math.exp(lo):.2f}-{math.exp(hi):.2f}, k={len(yi)})"
    )
    if lo > 0:
        return Evaluation(
            "contradicted",
            numbers,
            tuple(sids),
            f"LDN arms had more events than placebo (risk ratio {math.exp(est):.2f}, 95% CI "
            f"{math.exp(lo):.2f}-{math.exp(hi):.2f}), an interval that excludes equal rates.",
            trials=len(yi),
            interval=(math.exp(lo), math.exp(hi)),
            claimed=1.0,
        )
    if len(yi) < 2:
        return Evaluation(
            "overstated",
            numbers,
            tuple(sids),
            "No difference was detected, but a single trial cannot establish equal tolerability.",
        )
    rev = review_harms(evidence)
    rev = rev[rev["ci_low"].astype(float) > 1] if len(rev) else rev
    if len(rev):
        excess = "; ".join(rev["text"])
        return Evaluation(
            "overstated",
            numbers + f"; reviews: {excess}",
            (*sids, *rev["review_id"]),
            f"Adverse events of any kind were about as common on LDN as on placebo in the trials "
            f"(risk ratio {math.exp(est):.2f}, 95% CI {math.exp(lo):.2f}-{math.exp(hi):.2f}), "
            f"but reviews find some more often on LDN ({excess}).",
        )
    return Evaluation(
        "supported",
        numbers,
        tuple(sids),
        f"The trials' pooled risk ratio, {math.exp(est):.2f} (95% CI {math.exp(lo):.2f}-"
        f"{math.exp(hi):.2f}), is compatible with no excess of adverse events on LDN.",
    )

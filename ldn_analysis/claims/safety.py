"""Proposition evaluators for adverse-event (safety) claims."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd
from scipy import stats

from ldn_analysis.claims._base import (
    ALPHA,
    SUMMARY_EVENTS,
    Evaluation,
    _as_list,
    _sources,
    _studies,
    _table,
    num_col,
    pool_effects,
    rule_of_three_bound,
    text_col,
    wilson_interval,
)
from ldn_analysis.text.format import pct

# --------------------------------------------------------------------------------------
# Proposition evaluators. Each: (evidence, **args) -> Evaluation. Registry at the end.
# --------------------------------------------------------------------------------------


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


def ae_any_range(evidence: Any, low: float, high: float, condition: str = "any") -> Evaluation:
    """Compare a claimed range of any-adverse-event prevalence with LDN arms.

    Rule: take every LDN arm with an ``any_ae`` count (largest ``n_at_risk`` per study),
    compute its proportion and 95% Wilson interval. **supported** if every point estimate
    lies inside ``[low, high]`` percent; **contradicted** if at least one arm's whole
    Wilson interval lies outside the claimed range (the data are incompatible with it);
    **overstated** otherwise (some estimates fall outside but their intervals still
    reach the range). **not_testable** without any ``any_ae`` counts.
    """
    ae = _restrict(evidence, _ldn_ae_rows(evidence), condition)
    ae = ae[ae["_event"] == "any_ae"] if not ae.empty else ae
    if ae.empty:
        return Evaluation(
            "not_testable",
            "no any-AE counts in LDN arms",
            (),
            "The evidence base holds no any-adverse-event counts for LDN arms yet.",
        )
    ae = ae.sort_values("_n").groupby("_sid").tail(1)
    lo_c, hi_c = float(low) / 100, float(high) / 100
    arms = []
    for _, r in ae.iterrows():
        p = r["_events"] / r["_n"]
        w_lo, w_hi = wilson_interval(r["_events"], r["_n"])
        arms.append((r["_sid"], int(r["_events"]), int(r["_n"]), p, w_lo, w_hi))
    arms.sort(key=lambda a: a[3])
    outside = [a for a in arms if not lo_c <= a[3] <= hi_c]
    incompatible = [a for a in arms if a[5] < lo_c or a[4] > hi_c]

    def fmt(a):
        return f"{a[0]} {pct(a[3])} ({a[1]}/{a[2]}, Wilson 95% CI {pct(a[4])}-{pct(a[5])})"

    numbers = (
        f"observed any-AE prevalence in {len(arms)} LDN arm(s): lowest {fmt(arms[0])}, "
        f"highest {fmt(arms[-1])}; claimed {low:g}-{high:g}%"
    )
    if incompatible:
        verdict = "contradicted"
        why = (
            f"{len(incompatible)} arm(s) have a Wilson interval entirely outside the claimed "
            f"range (e.g. {fmt(incompatible[-1])}), so the range cannot describe all trials."
        )
    elif outside:
        verdict = "overstated"
        why = (
            f"{len(outside)} arm(s) have point estimates outside the range, although their "
            "intervals still overlap it; the claimed range is narrower than the data."
        )
    else:
        verdict = "supported"
        why = "Every LDN arm's any-AE proportion lies within the claimed range."
    return Evaluation(verdict, numbers, _sources(a[0] for a in arms), why)


def _kind_key(row: pd.Series) -> str:
    return row["_event"] if row["_event"] != "other" else (row["_term"] or "other")


def _kind_matches(kind: str, keys: Iterable[str]) -> list[str]:
    alternatives = [a.strip().lower() for a in kind.split("/") if a.strip()]
    return [k for k in keys if any(a == k or a in k for a in alternatives)]


def _kind_table(evidence: Any, condition: str) -> pd.DataFrame:
    ae = _restrict(evidence, _ldn_ae_rows(evidence), condition)
    if ae.empty:
        return pd.DataFrame(columns=["key", "events", "n", "studies", "p"])
    ae = ae[~ae["_event"].isin(SUMMARY_EVENTS)]
    if ae.empty:
        return pd.DataFrame(columns=["key", "events", "n", "studies", "p"])
    ae = ae.assign(key=ae.apply(_kind_key, axis=1))
    ae = ae.sort_values("_n").groupby(["_sid", "key"]).tail(1)
    g = ae.groupby("key").agg(
        events=("_events", "sum"), n=("_n", "sum"), studies=("_sid", lambda s: ";".join(s))
    )
    g["p"] = g["events"] / g["n"]
    return g.reset_index().sort_values(["p", "events"], ascending=False).reset_index(drop=True)


def ae_most_common(
    evidence: Any, kinds: Any, top: int | None = None, condition: str = "any"
) -> Evaluation:
    """Check that the claimed side-effect kinds are the most common ones on LDN.

    ``kinds`` is ``|``-separated; a kind may list alternatives with ``/``
    (``insomnia/sleep_disturbance``). Each matches the ``event`` code or a substring of
    ``reported_term``. Rule: rank every specific event kind in LDN arms by its crude
    pooled proportion (sum of events / sum at risk over studies reporting it). With
    ``top`` defaulting to ``len(kinds) + 2``: **supported** if every claimed kind ranks
    within the top; **contradicted** if none of them is observed at all; **overstated**
    otherwise. **not_testable** without kind-level AE counts.
    """
    claimed = _as_list(kinds)
    table = _kind_table(evidence, condition)
    if table.empty:
        return Evaluation(
            "not_testable",
            "no kind-level AE counts in LDN arms",
            (),
            "The evidence base holds no counts of specific side effects on LDN yet.",
        )
    top = int(top) if top else len(claimed) + 2
    keys = list(table["key"])
    ranks = {}
    for kind in claimed:
        hits = _kind_matches(kind, keys)
        ranks[kind] = min(keys.index(h) + 1 for h in hits) if hits else None
    ranking = ", ".join(
        f"{i + 1}. {r.key} {pct(r.p)} ({int(r.events)}/{int(r.n)})"
        for i, r in enumerate(table.head(top).itertuples())
    )
    claimed_txt = ", ".join(f"{k}: rank {v if v else 'not observed'}" for k, v in ranks.items())
    numbers = f"top {top} kinds on LDN: {ranking}; claimed {claimed_txt}"
    found = [k for k, v in ranks.items() if v is not None]
    if not found:
        verdict, why = "contradicted", "None of the claimed side effects is recorded on LDN."
    elif all(v is not None and v <= top for v in ranks.values()):
        verdict, why = "supported", "Every claimed side effect is among the most common on LDN."
    else:
        verdict = "overstated"
        why = (
            "Some claimed side effects are rarer than others that go unmentioned, or are not "
            "recorded on LDN at all."
        )
    srcs = _sources(s for st in table.head(top)["studies"] for s in str(st).split(";"))
    return Evaluation(verdict, numbers, srcs, why)


def ae_kinds_reported(evidence: Any, kinds: Any, condition: str = "any") -> Evaluation:
    """Check that each claimed side-effect kind has been observed on LDN at all.

    Matching as in :func:`ae_most_common`. Rule: **supported** if every kind has at least
    one event in an LDN arm; **overstated** if only some do (the list goes beyond what
    LDN studies recorded; such lists often come from the 50 mg label). When none is
    observed, the rule of three bounds each kind's rate by ``3/N`` (``N`` = participants
    on LDN in studies with kind-level counts): **contradicted** if that bound is below
    1%, else **not_testable** (too few participants to rule the kinds out).
    """
    claimed = _as_list(kinds)
    table = _kind_table(evidence, condition)
    ae = _restrict(evidence, _ldn_ae_rows(evidence), condition)
    if table.empty or ae.empty:
        return Evaluation(
            "not_testable",
            "no kind-level AE counts in LDN arms",
            (),
            "The evidence base holds no counts of specific side effects on LDN yet.",
        )
    observed = table[table["events"] > 0]
    keys = list(observed["key"])
    hits = {k: _kind_matches(k, keys) for k in claimed}
    found = [k for k, h in hits.items() if h]
    specific = ae[~ae["_event"].isin(SUMMARY_EVENTS)]
    n_total = int(specific.groupby("_sid")["_n"].max().sum())
    numbers = (
        f"{len(found)}/{len(claimed)} claimed kinds observed on LDN "
        f"({', '.join(found) if found else 'none'}); participants on LDN with kind-level "
        f"counts: {n_total}"
    )
    srcs = _sources(
        s
        for k in found
        for key in hits[k]
        for s in str(observed.loc[observed["key"] == key, "studies"].iloc[0]).split(";")
    )
    if len(found) == len(claimed):
        return Evaluation("supported", numbers, srcs, "Every claimed kind occurs on LDN.")
    if found:
        missing = ", ".join(k for k in claimed if not hits[k])
        return Evaluation(
            "overstated",
            numbers,
            srcs,
            f"Not recorded in any LDN arm: {missing}. The list reaches beyond LDN data.",
        )
    bound = rule_of_three_bound(n_total) if n_total > 0 else 1.0
    numbers += f"; rule-of-three upper bound per kind {pct(bound)}"
    if bound < 0.01:
        return Evaluation(
            "contradicted",
            numbers,
            _sources(specific["_sid"]),
            "None of the kinds occurs in enough LDN participants to bound each below 1%.",
        )
    return Evaluation(
        "not_testable",
        numbers,
        _sources(specific["_sid"]),
        "None of the kinds is recorded, but too few participants to rule them out.",
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
            "not_testable",
            f"no {event} counts in LDN arms",
            (),
            f"The evidence base holds no {label} counts for LDN arms yet.",
        )
    e, n, lo, hi, srcs, k = res
    bound = "rule-of-three upper bound" if e == 0 else "Wilson 95% CI"
    numbers = (
        f"{label} on LDN: {int(e)}/{int(n)} = {pct(e / n)} over {k} stud(ies) "
        f"({bound} {pct(lo)}-{pct(hi)}); claimed at most {high:g}%"
    )
    h = float(high) / 100
    if hi <= h:
        return Evaluation("supported", numbers, srcs, "Even the upper bound is within the claim.")
    if lo > h:
        return Evaluation(
            "contradicted", numbers, srcs, "Even the lower bound exceeds the claimed ceiling."
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
        return Evaluation("not_testable", "no AE counts", (), "No adverse-event table yet.")
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
            f"{sid} {int(ldn['_e'].iloc[0])}/{int(ldn['_n'].iloc[0])} vs "
            f"{int(pbo['_e'].iloc[0])}/{int(pbo['_n'].iloc[0])}"
        )
    if not yi:
        return Evaluation(
            "not_testable",
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
            "contradicted", numbers, tuple(sids), "LDN arms had significantly more events."
        )
    if len(yi) < 2:
        return Evaluation(
            "overstated",
            numbers,
            tuple(sids),
            "No difference was detected, but a single trial cannot establish equal tolerability.",
        )
    return Evaluation(
        "supported", numbers, tuple(sids), "The pooled risk ratio is compatible with no excess."
    )

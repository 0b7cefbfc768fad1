"""Proposition evaluators for which side effects LDN causes (kinds, most common)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from ldn_analysis.claims._base import (
    SUMMARY_EVENTS,
    Evaluation,
    _as_list,
    _sources,
    once_per_evidence,
    rule_of_three_bound,
    study_label,
    study_labels,
)
from ldn_analysis.claims.reviews import ANY_AE, review_harms
from ldn_analysis.claims.safety import _ldn_ae_rows, _restrict
from ldn_analysis.text.format import pct, plural


def _kind_key(row: pd.Series) -> str:
    return row["_event"] if row["_event"] != "other" else (row["_term"] or "other")


def _kind_matches(kind: str, keys: Iterable[str]) -> list[str]:
    alternatives = [a.strip().lower() for a in kind.split("/") if a.strip()]
    return [k for k in keys if any(a == k or a in k for a in alternatives)]


@once_per_evidence
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
            "unsupported",
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
        verdict, why = "unsupported", "None of the claimed side effects is recorded on LDN."
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


def _term_mentions(evidence: Any, condition: str) -> pd.DataFrame:
    """Any-adverse-event rows whose reported term lists the kinds seen (e.g. "(dizziness, nausea)")."""
    ae = _restrict(evidence, _ldn_ae_rows(evidence), condition)
    if ae.empty:
        return ae
    return ae[
        (ae["_event"] == "any_ae")
        & (ae["_events"] > 0)
        & ae["_term"].str.contains("(", regex=False)
    ]


def ae_kinds_reported(evidence: Any, kinds: Any, condition: str = "any") -> Evaluation:
    """Check that each claimed side-effect kind has been observed on LDN at all.

    Matching as in :func:`ae_most_common`. A kind counts as observed when an LDN arm
    records it (kind-level counts, or the kinds named in an any-adverse-event row), or a
    review pooled it in LDN-versus-placebo trials (:func:`review_harms`). Rule:
    **supported** if every kind is observed; **overstated** if only some are (the list
    goes beyond what LDN studies recorded; such lists often come from the 50 mg label).
    When none is observed, the rule of three bounds each kind's rate by ``3/N`` (``N`` =
    participants on LDN in studies with kind-level counts): **contradicted** if that bound
    is below 1%, else **unsupported** (too few participants to rule the kinds out).
    """
    claimed = _as_list(kinds)
    table = _kind_table(evidence, condition)
    ae = _restrict(evidence, _ldn_ae_rows(evidence), condition)
    reviews = review_harms(evidence)
    terms = _term_mentions(evidence, condition)
    if (table.empty or ae.empty) and reviews.empty:
        return Evaluation(
            "unsupported",
            "no kind-level AE counts in LDN arms and no review of side effects",
            (),
            "The evidence base holds no counts of specific side effects on LDN yet.",
        )
    observed = table[table["events"] > 0] if len(table) else table
    keys = list(observed["key"]) if len(observed) else []
    found: dict[str, list[str]] = {}
    srcs: list[str] = []
    for kind in claimed:
        hits = []
        for key in _kind_matches(kind, keys):
            r = observed[observed["key"] == key].iloc[0]
            label = "" if key in kind.split("/") else f"{key.replace('_', ' ')} "
            where = study_labels(evidence, str(r["studies"]).split(";"))
            hits.append(f"{label}{int(r['events'])}/{int(r['n'])} on LDN in {where}")
            srcs += str(r["studies"]).split(";")
        for _, r in reviews[reviews["key"] != ANY_AE].iterrows():
            if _kind_matches(kind, [r["key"]]) and r["text"] not in hits:
                hits.append(r["text"])
                srcs.append(r["review_id"])
        for _, r in terms.iterrows():
            if _kind_matches(kind, [r["_term"]]):
                hits.append(
                    f"named among the adverse events on LDN in {study_label(evidence, r['_sid'])}"
                )
                srcs.append(r["_sid"])
        if hits:
            found[kind] = hits
    specific = ae[~ae["_event"].isin(SUMMARY_EVENTS)] if len(ae) else ae
    n_total = int(specific.groupby("_sid")["_n"].max().sum()) if len(specific) else 0
    numbers = "; ".join(f"{k}: {', '.join(v)}" for k, v in found.items()) or "none observed"
    missing = [k for k in claimed if k not in found]
    if missing:
        numbers += f"; not recorded: {', '.join(missing)}"
    numbers += f"; participants on LDN with kind-level counts: {n_total}"
    if not missing:
        return Evaluation(
            "supported",
            numbers,
            _sources(srcs),
            "Each claimed side effect is recorded on LDN: "
            + "; ".join(f"{k} ({v[0]})" for k, v in found.items())
            + ".",
        )
    if found:
        return Evaluation(
            "overstated",
            numbers,
            _sources(srcs),
            f"Of the {plural(len(claimed), 'side effect')} named, {len(found)} "
            f"{'is' if len(found) == 1 else 'are'} recorded on LDN; no LDN arm or review records "
            f"{', '.join(m.replace('/', ' or ').replace('_', ' ') for m in missing)}. The list "
            "reaches beyond the LDN data.",
        )
    bound = rule_of_three_bound(n_total) if n_total > 0 else 1.0
    numbers += f"; rule-of-three upper bound per kind {pct(bound)}"
    if bound < 0.01:
        return Evaluation(
            "contradicted",
            numbers,
            _sources(specific["_sid"]),
            f"None of the kinds occurred in {n_total} participants on LDN: the rule of three "
            f"(3/{n_total}, a one-sided 95% upper bound for large samples) puts each below "
            f"{pct(bound)}.",
            trials=len(set(specific["_sid"])),
            interval=(0.0, bound),
            claimed=0.01,
        )
    return Evaluation(
        "unsupported",
        numbers,
        _sources(specific["_sid"]) if len(specific) else (),
        f"None of the kinds is recorded on LDN, but {n_total} participants with kind-level "
        "counts are too few to rule them out.",
    )

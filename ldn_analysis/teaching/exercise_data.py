"""Choosing the numbers of each exercise from the evidence base (the setups of :mod:`.exercises`).

Each ``setup_*`` picks what an exercise asks about (a zero-event arm, a condition's
randomized trials, a pooled analysis...) from the evidence, so questions follow the data.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ldn_analysis.analysis import efficacy, select
from ldn_analysis.claims import (
    is_randomized,
    load_claims,
    num_col,
    study_label,
    study_labels,
    text_col,
)
from ldn_analysis.errors import LDNError
from ldn_analysis.text.format import effect_text


def exercise_studies(evidence: Any) -> pd.DataFrame:
    """Return the studies table of an evidence object (empty when it has none)."""
    df = getattr(evidence, "studies", None)
    return pd.DataFrame() if df is None else df


def _ae(evidence: Any) -> pd.DataFrame:
    df = getattr(evidence, "adverse_events", None)
    if df is None or df.empty:
        return pd.DataFrame()
    return df.assign(
        _e=num_col(df, "events"),
        _n=num_col(df, "n_at_risk"),
        _arm=text_col(df, "arm"),
        _sid=text_col(df, "study_id"),
        _event=text_col(df, "event"),
    )


_EVENT_LABELS = {
    "serious_ae": "a serious adverse event",
    "any_ae": "any adverse event",
    "withdrawal_ae": "to stop because of side effects",
}


def setup_rule_of_three(evidence: Any, n: int | None = None, **_: Any) -> dict:
    """Largest LDN arm of a randomized trial with zero serious adverse events.

    Only randomized trials count: they collect adverse events prospectively and
    systematically, so a zero means "looked for and not seen". A retrospective "no severe
    effects reported" is not a zero count and is never used here.
    """
    if n is not None:
        return {"n": int(n), "study": "a trial", "event": "a serious adverse event"}
    ae = _ae(evidence)
    s = exercise_studies(evidence)
    if not ae.empty and not s.empty:
        rct = set(text_col(s[is_randomized(s)], "study_id"))
        ae = ae[ae["_sid"].isin(rct)]
        zero = ae[(ae["_arm"] == "ldn") & (ae["_e"] == 0) & (ae["_n"] > 0)]
        for events in (zero[zero["_event"] == "serious_ae"], zero):
            if len(events):
                r = events.sort_values(["_n", "_sid"], ascending=[False, True]).iloc[0]
                label = _EVENT_LABELS.get(r["_event"], str(r["_event"]).replace("_", " "))
                who = study_label(evidence, r["_sid"])
                return {"n": int(r["_n"]), "study": who, "study_id": r["_sid"], "event": label}
    raise LDNError(
        "no LDN arm of a randomized trial with zero events in the data; pass n=... to the exercise"
    )


def setup_wilson(evidence: Any, x: int | None = None, n: int | None = None, **_: Any) -> dict:
    """Smallest positive LDN-arm event count with n <= 60 (fewest events, then smallest n)."""
    if x is not None and n is not None:
        return {"x": int(x), "n": int(n), "study": "a trial", "event": "an adverse event"}
    ae = _ae(evidence)
    if not ae.empty:
        small = ae[(ae["_arm"] == "ldn") & (ae["_e"] > 0) & (ae["_n"] > 0) & (ae["_n"] <= 60)]
        small = small[small["_e"] < small["_n"]]
        if len(small):
            r = small.sort_values(["_e", "_n", "_sid"]).iloc[0]
            event = str(r.get("reported_term") or r["_event"]).replace("_", " ")
            who = study_label(evidence, r["_sid"])
            return {
                "x": int(r["_e"]),
                "n": int(r["_n"]),
                "study": who,
                "study_id": r["_sid"],
                "event": event,
            }
    raise LDNError("no small adverse-event count in the data; pass x=... and n=...")


def _rct_counts(evidence: Any) -> pd.Series:
    s = exercise_studies(evidence)
    if s.empty:
        return pd.Series(dtype=int)
    rand = s[is_randomized(s)]
    return text_col(rand, "condition").value_counts()


def setup_count_rcts(evidence: Any, condition: str | None = None, **_: Any) -> dict:
    """Pick the condition with most randomized trials (ties: alphabetical) unless given."""
    if condition is None:
        counts = _rct_counts(evidence)
        if counts.empty:
            raise LDNError("no randomized trial in the data")
        best = counts.max()
        condition = sorted(c for c, k in counts.items() if k == best)[0]
    return {"condition": condition, "evidence": evidence}


_META: dict[tuple[int, str], tuple[Any, Any]] = {}


def _pain_meta(evidence: Any, condition: str) -> Any:
    """Return the placebo-controlled pain analysis the notebooks draw (the defaults), once each."""
    key = (id(evidence), condition)
    if key not in _META or _META[key][0] is not evidence:
        _META[key] = (evidence, efficacy(select(evidence, condition), "pain"))
    return _META[key][1]


def setup_meta(evidence: Any, condition: str | None = None, **_: Any) -> dict:
    """Placebo-controlled pain effects of a condition; default: the condition with most (k >= 2).

    The same analysis object as ``ldn.efficacy(ldn.select(evidence, condition), "pain")``
    (the bundle's default method and interval), so the exercise, the forest plot and the
    other pages show the same numbers.
    """
    if condition is None:
        s = exercise_studies(evidence)
        best, best_k = None, 1
        for c in sorted(set(text_col(s, "condition"))):
            k = _pain_meta(evidence, c).k
            if k > best_k:
                best, best_k = c, k
        if best is None:
            raise LDNError("no condition has two placebo-controlled pain effects to pool")
        condition = best
    a = _pain_meta(evidence, condition)
    if a.k < 2 or a.result is None:
        raise LDNError(f"{condition}: fewer than two placebo-controlled pain effects to pool")
    p = a.result
    return {
        "condition": condition,
        "k": p.k,
        "estimate": p.estimate,
        "ci_low": p.ci_low,
        "ci_high": p.ci_high,
        "i2": p.i2,
        "i2_ci_low": p.i2_ci_low,
        "i2_ci_high": p.i2_ci_high,
        "tau2": p.tau2,
        "tau2_ci_low": p.tau2_ci_low,
        "tau2_ci_high": p.tau2_ci_high,
        "studies": study_labels(evidence, a.effects["study_id"]),
        "study_ids": tuple(a.effects["study_id"]),
        "effect": effect_text(p, a.measure),
        "test": p.test,
    }


def setup_egger(evidence: Any, k: int | None = None, condition: str | None = None, **_: Any):
    """``k`` as given, else the number of studies in the pooled pain analysis."""
    if k is not None:
        return {"k": int(k), "condition": condition or "a condition"}
    values = setup_meta(evidence, condition)
    return {"k": values["k"], "condition": values["condition"]}


def setup_crossover(
    evidence: Any, crossover: str | None = None, parallel: str | None = None, **_: Any
) -> dict:
    """Largest crossover RCT and largest parallel RCT with arm sizes (or the given ids)."""
    s = exercise_studies(evidence)
    s = s.assign(_nl=num_col(s, "n_ldn"), _nc=num_col(s, "n_control"), _sid=text_col(s, "study_id"))
    s = s[s["_nl"].notna() & s["_nc"].notna()]

    def pick(design: str, sid: str | None) -> pd.Series:
        rows = s[text_col(s, "design") == design] if sid is None else s[s["_sid"] == sid]
        if rows.empty:
            raise LDNError(f"no {design} study with n_ldn and n_control in the data")
        return rows.sort_values(["_nl", "_sid"], ascending=[False, True]).iloc[0]

    x, p = pick("rct_crossover", crossover), pick("rct_parallel", parallel)
    return {
        "cx": study_label(evidence, x["_sid"]),
        "cx_id": x["_sid"],
        "cx_ldn": int(x["_nl"]),
        "cx_ctrl": int(x["_nc"]),
        "px": study_label(evidence, p["_sid"]),
        "px_id": p["_sid"],
        "px_ldn": int(p["_nl"]),
        "px_ctrl": int(p["_nc"]),
    }


def setup_claim(
    evidence: Any, claim_id: str | None = None, claims: pd.DataFrame | None = None, **_: Any
) -> dict:
    """Pick a claim row (default: the one about the FINAL trial's primary result)."""
    if claims is None:
        claims = load_claims()
    rows = (
        claims[claims["claim_id"] == claim_id]
        if claim_id
        else claims[claims["proposition"] == "final_primary_significant"]
    )
    if rows.empty:
        raise LDNError(f"claim {claim_id or 'about FINAL'} not found in claims.csv")
    r = rows.iloc[0]
    return {
        "claim_id": r["claim_id"],
        "claim_text": r["claim_text"],
        "proposition": r["proposition"],
        "args": r["proposition_args"],
        "evidence": evidence,
    }

"""Adverse-event tables of a selection: per-arm proportions, pooled prevalence, risk ratios."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ldn_analysis.analysis.selection import Selection, numeric
from ldn_analysis.stats.escalc import compute_ae_effects
from ldn_analysis.stats.proportions import pool_proportions, rule_of_three, wilson


def ae_table(selection: Selection, event: str | None = None) -> pd.DataFrame:
    """Per-study, per-arm adverse-event proportions with 95% Wilson intervals.

    Zero-event rows get ``[0, 3/n]`` (rule of three) instead, labelled in ``interval``.
    Rows without ``n_at_risk`` are left out (no proportion without a denominator).

    Returns
    -------
    pandas.DataFrame
        ``study_id, event, arm, events, n_at_risk, proportion, ci_low, ci_high,
        interval`` plus study descriptors (``n`` = the study's participants).
    """
    a = numeric(selection.adverse_events, ("events", "n_at_risk"))
    if event:
        a = a[a["event"] == event]
    a = a[a["events"].notna() & a["n_at_risk"].gt(0) & (a["events"] <= a["n_at_risk"])].copy()
    lo, hi = wilson(a["events"], a["n_at_risk"])
    zero = a["events"].eq(0).to_numpy()
    a["proportion"] = a["events"] / a["n_at_risk"]
    a["ci_low"] = np.where(zero, 0.0, lo)
    a["ci_high"] = np.where(zero, rule_of_three(a["n_at_risk"]).clip(max=1.0), hi)
    a["interval"] = np.where(zero, "rule of three", "Wilson")
    a["n"] = a["study_n"]
    return a.reset_index(drop=True)


def pooled_ae_table(selection: Selection, model: str = "logit") -> pd.DataFrame:
    """Pool the share of LDN-treated participants with each event across studies.

    Events seen in one study only are reported with that study's Wilson interval
    (``k = 1``, not pooled).

    Returns
    -------
    pandas.DataFrame
        ``event, estimate, ci_low, ci_high, k, n, events, studies, method, warnings``.
    """
    a = ae_table(selection)
    a = a[a["arm"] == "ldn"]
    rows = []
    for event, g in a.groupby("event"):
        g = g.drop_duplicates("study_id")
        base = {
            "event": event,
            "k": len(g),
            "n": int(g["n_at_risk"].sum()),
            "events": int(g["events"].sum()),
            "studies": ", ".join(g["study_id"]),
        }
        if len(g) == 1:
            r = g.iloc[0]
            rows.append(
                {
                    **base,
                    "estimate": r.proportion,
                    "ci_low": r.ci_low,
                    "ci_high": r.ci_high,
                    "method": f"single study ({r.interval})",
                    "warnings": "",
                }
            )
            continue
        res = pool_proportions(g["events"], g["n_at_risk"], model=model)
        rows.append(
            {
                **base,
                "estimate": res.estimate,
                "ci_low": res.ci_low,
                "ci_high": res.ci_high,
                "method": f"{model} random effects ({res.method})",
                "warnings": " | ".join(res.warnings),
            }
        )
    cols = [
        "event",
        "estimate",
        "ci_low",
        "ci_high",
        "k",
        "n",
        "events",
        "studies",
        "method",
        "warnings",
    ]
    return pd.DataFrame(rows, columns=cols)


def risk_ratio_table(selection: Selection) -> pd.DataFrame:
    """Risk ratio LDN vs placebo for each study and event reported in both arms.

    Uses :func:`ldn_analysis.effects.compute_ae_effects` (log RR, 1/2 added to tables
    with a zero cell; no estimate when both arms have no events).

    Returns
    -------
    pandas.DataFrame
        ``study_id, event, rr, ci_low, ci_high, events_ldn, n_ldn, events_ctrl, n_ctrl,
        note`` plus study descriptors.
    """
    a = ae_table(selection)
    ldn = a[a["arm"] == "ldn"]
    ctrl = a[a["arm"] == "placebo"][["study_id", "event", "events", "n_at_risk"]]
    pairs = ldn.merge(ctrl, on=["study_id", "event"], suffixes=("_l", "_c"))
    if pairs.empty:
        return pd.DataFrame(columns=["study_id", "event", "rr", "ci_low", "ci_high", "note"])
    eff = compute_ae_effects(
        pairs["events_l"],
        pairs["n_at_risk_l"],
        pairs["events_c"],
        pairs["n_at_risk_c"],
        measure="RR",
    )
    se = np.sqrt(eff["vi"])
    out = pairs.drop(columns=["events_l", "n_at_risk_l", "events_c", "n_at_risk_c"]).assign(
        rr=np.exp(eff["yi"]),
        ci_low=np.exp(eff["yi"] - 1.959964 * se),
        ci_high=np.exp(eff["yi"] + 1.959964 * se),
        events_ldn=eff["events_ldn"],
        n_ldn=eff["n_ldn"],
        events_ctrl=eff["events_ctrl"],
        n_ctrl=eff["n_ctrl"],
        note=np.where(eff["reason"] != "", eff["reason"], eff["conversion"]),
    )
    return out.reset_index(drop=True)

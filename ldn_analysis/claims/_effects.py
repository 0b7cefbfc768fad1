"""Effect sizes for the claims checker (oriented: positive = favours LDN)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ldn_analysis.analysis.effects import compute_effects
from ldn_analysis.claims._base import (
    ALPHA,
    _as_list,
    _studies,
    _table,
    num_col,
    study_label,
    text_col,
)
from ldn_analysis.stats.rma import PoolResult

# --------------------------------------------------------------------------------------
# Effect sizes for the claims checker (oriented: positive = favours LDN).
# --------------------------------------------------------------------------------------


_SIGNAL_COLUMNS = ["study_id", "result", "computable", "yi", "vi", "note"]


def study_signals(
    evidence: Any,
    condition: str = "any",
    outcome: str = "pain",
    comparisons: Sequence[str] = ("ldn_vs_placebo",),
    study_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Return one result per study for ``outcome`` from its controlled outcome rows.

    Per study (latest ``timepoint_weeks`` first):

    * if :func:`ldn_analysis.effects.compute_effects` can standardize a row (Hedges' g,
      positive = LDN better, crossovers paired with rho = 0.5), that effect decides; it
      is *significant* when the row's reported ``p_value`` is below 0.05, or (without a
      p value) when its 95% CI excludes 0;
    * otherwise the reported ``p_value`` (or the reported CI excluding the null) decides
      significance and the direction comes from the arm means or the estimate, oriented
      by ``better``;
    * ``result`` is ``benefit`` / ``harm`` (significant, direction known),
      ``signal`` (significant, direction not recorded) or ``no_difference``.
    """
    out = _table(evidence, "outcomes")
    if out.empty:
        return pd.DataFrame(columns=_SIGNAL_COLUMNS)
    studies = _studies(evidence, condition)
    keep = set(text_col(studies, "study_id"))
    if study_ids is not None:
        keep &= set(study_ids)
    mask = text_col(out, "study_id").isin(keep)
    mask &= text_col(out, "outcome").isin(_as_list(outcome))
    mask &= text_col(out, "comparison").isin(list(comparisons))
    rows = out[mask]
    if rows.empty:
        return pd.DataFrame(columns=_SIGNAL_COLUMNS)
    design = dict(zip(text_col(studies, "study_id"), text_col(studies, "design"), strict=True))
    rows = rows.assign(design=text_col(rows, "study_id").map(design))
    eff = compute_effects(rows)
    rows = rows.assign(
        _yi=eff["yi"].astype(float),
        _vi=eff["vi"].astype(float),
        _tp=num_col(rows, "timepoint_weeks").fillna(-1.0),
        _sid=text_col(rows, "study_id"),
    )
    records = []
    for sid, g in rows.groupby("_sid", sort=True):
        g = g.sort_values("_tp", ascending=False)
        comp = g[g["_yi"].notna() & g["_vi"].notna()]
        who = study_label(evidence, sid)
        if len(comp):
            records.append(_signal_from_effect(sid, comp.iloc[0], who))
            continue
        for _, r in g.iterrows():
            rec = _signal_from_report(sid, r, who)
            if rec is not None:
                records.append(rec)
                break
        else:
            rec = _signal_from_note(sid, g, who)
            if rec is not None:
                records.append(rec)
    return pd.DataFrame(records, columns=_SIGNAL_COLUMNS)


#: How a curator records a reported result without numbers (outcomes.csv ``notes``).
NOTE_NULL = "no significant difference reported"
NOTE_BENEFIT = "significant between-group difference in favour of ldn"


def _signal_from_note(sid: str, g: pd.DataFrame, who: str) -> dict | None:
    """Read a result reported without numbers from the row's note (null or benefit)."""
    for _, r in g.iterrows():
        note = str(r.get("notes", "") or "").strip().lower()
        if note.startswith(NOTE_NULL):
            result = "no_difference"
        elif NOTE_BENEFIT in note:
            result = "benefit"
        else:
            continue
        what = "no significant difference" if result == "no_difference" else "a significant benefit"
        return {
            "study_id": sid,
            "result": result,
            "computable": False,
            "yi": np.nan,
            "vi": np.nan,
            "note": f"{who} {r.get('outcome')}: {what} reported, without numbers",
        }
    return None


_study_signals = study_signals


def _signal_from_effect(sid: str, r: pd.Series, who: str) -> dict:
    yi, vi = float(r["_yi"]), float(r["_vi"])
    p = pd.to_numeric(r.get("p_value"), errors="coerce")
    if pd.notna(p):
        sig = bool(p < ALPHA)
    else:
        half = float(stats.norm.isf(ALPHA / 2)) * math.sqrt(vi)
        sig = yi - half > 0 or yi + half < 0
    result = ("benefit" if yi > 0 else "harm") if sig else "no_difference"
    note = f"{who} {r.get('outcome')} SMD {yi:+.2f}" + (f" (p={p:g})" if pd.notna(p) else "")
    return {"study_id": sid, "result": result, "computable": True, "yi": yi, "vi": vi, "note": note}


def _signal_from_report(sid: str, r: pd.Series, who: str) -> dict | None:
    p = pd.to_numeric(r.get("p_value"), errors="coerce")
    est = pd.to_numeric(r.get("estimate"), errors="coerce")
    lo = pd.to_numeric(r.get("ci_low"), errors="coerce")
    hi = pd.to_numeric(r.get("ci_high"), errors="coerce")
    ratio = str(r.get("estimate_type", "")).strip().lower() in ("rr", "or")
    null = 1.0 if ratio else 0.0
    if pd.notna(p):
        sig, how = bool(p < ALPHA), f"reported p={p:g}"
    elif pd.notna(lo) and pd.notna(hi):
        sig, how = bool(lo > null or hi < null), f"reported 95% CI {lo:g} to {hi:g}"
    else:
        return None
    sign = -1.0 if str(r.get("better", "")).strip().lower() == "lower" else 1.0
    m1 = pd.to_numeric(r.get("mean_ldn"), errors="coerce")
    m2 = pd.to_numeric(r.get("mean_ctrl"), errors="coerce")
    if pd.notna(m1) and pd.notna(m2) and m1 != m2:
        direction = sign * (m1 - m2)
    elif pd.notna(est) and est != null:
        direction = sign * (est - null)
    else:
        direction = 0.0
    if not sig:
        result = "no_difference"
    elif direction == 0:
        result = "signal"
    else:
        result = "benefit" if direction > 0 else "harm"
    note = f"{who} {r.get('outcome')} {how}" + (
        " (direction not recorded)" if result == "signal" else ""
    )
    return {
        "study_id": sid,
        "result": result,
        "computable": False,
        "yi": np.nan,
        "vi": np.nan,
        "note": note,
    }


def effect_rows(
    evidence: Any,
    condition: str = "any",
    outcome: str = "pain",
    comparisons: Sequence[str] = ("ldn_vs_placebo",),
    study_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Return the poolable studies of :func:`_study_signals` (``study_id, yi, vi, significant``)."""
    sig = study_signals(evidence, condition, outcome, comparisons, study_ids)
    sig = sig[sig["computable"].astype(bool)]
    return pd.DataFrame(
        {
            "study_id": sig["study_id"].astype(str),
            "yi": sig["yi"].astype(float),
            "vi": sig["vi"].astype(float),
            "significant": sig["result"].isin(["benefit", "harm"]),
        }
    ).reset_index(drop=True)


def _pooled_text(p: PoolResult) -> str:
    return (
        f"pooled SMD {p.estimate:+.2f} (95% CI {p.ci_low:+.2f} to {p.ci_high:+.2f}; "
        f"k={p.k}, I2={p.i2:.0f}%; positive favours LDN)"
    )

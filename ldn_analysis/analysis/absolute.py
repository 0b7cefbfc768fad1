"""Absolute effects for a summary-of-findings row: points on a scale, the MID, responders.

- :func:`representative_sd` and :func:`absolute_effect` re-express a pooled SMD in the
  units of a familiar scale: SMD x a typical among-person SD (Cochrane Handbook 5.1,
  section 12.6.4). The SD is the pooled SD of the studies of the same analysis that used
  that scale, each recovered from its own effect size (``|MD| x J / |g|``), so the SMD and
  the SD come from the same trials.
- :func:`minimal_important_differences` reads ``minimal_important_differences.csv`` and
  :func:`mid_position` says where an interval in points lies against an MID.
- :func:`responder_difference` turns a trial's responder percentages (``arm_means`` rows
  of a proportion) into counts that round to them, a risk difference with Newcombe's
  interval and the NNT (:mod:`ldn_analysis.stats.risk_difference`).

Sign convention: positive = less pain on LDN = benefit, as in every pooled analysis.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ldn_analysis.analysis.efficacy import Efficacy
from ldn_analysis.errors import LDNError
from ldn_analysis.stats.escalc import hedges_correction
from ldn_analysis.stats.risk_difference import (
    NNT,
    RiskDifference,
    counts_rounding_to,
    newcombe,
    number_needed,
)

__all__ = [
    "MID_POSITIONS",
    "MID_TABLE",
    "AbsoluteEffect",
    "RepresentativeSD",
    "Responders",
    "absolute_effect",
    "mid_position",
    "mid_row",
    "minimal_important_differences",
    "representative_sd",
    "responder_difference",
]

MID_TABLE = "minimal_important_differences"
MID_POSITIONS = ("larger_than_mid", "could_reach_mid", "below_mid")
"""Where an interval of benefit lies against an MID: wholly above it, including it, or
wholly below it (the upper limit smaller than the MID)."""


@dataclass(frozen=True)
class RepresentativeSD:
    """A typical among-person SD on one scale, pooled from the analysis's own trials.

    Attributes
    ----------
    sd : float
        ``sqrt(sum((n_i - 2) sd_i^2) / sum(n_i - 2))``.
    studies : tuple of str
    per_study : tuple of float
        Each trial's SD, ``|MD| x J / |g|`` (J: Hedges' correction with n - 2 df).
    n : tuple of int
        Participants of each trial (both arms).
    scale : tuple of float
        (scale_min, scale_max) of the instrument.
    """

    sd: float
    studies: tuple[str, ...]
    per_study: tuple[float, ...]
    n: tuple[int, ...]
    scale: tuple[float, float]


def _num(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column], errors="coerce")


def representative_sd(eff: Efficacy, scale: tuple[float, float] = (0.0, 10.0)) -> RepresentativeSD:
    """Return the pooled SD of the pooled studies that measured the outcome on ``scale``.

    Raises
    ------
    LDNError
        When the analysis is not an SMD, or no pooled study used the scale with a mean
        difference (reported, or from arm means) and both arm sizes.
    """
    if eff.measure != "SMD" or eff.effects.empty:
        raise LDNError(
            f"{eff.outcome}: re-expressing in points needs a pooled SMD (measure is "
            f"{eff.measure}, {len(eff.effects)} studies)"
        )
    e = eff.effects
    md = _num(e, "estimate").where(
        _num(e, "estimate").notna(), _num(e, "mean_ldn") - _num(e, "mean_ctrl")
    )
    n1, n0 = _num(e, "n_ldn"), _num(e, "n_ctrl")
    g = _num(e, "yi")
    on_scale = (_num(e, "scale_min") == scale[0]) & (_num(e, "scale_max") == scale[1])
    ok = on_scale & md.notna() & n1.notna() & n0.notna() & (g.abs() > 0)
    if not ok.any():
        raise LDNError(
            f"{eff.outcome}: no pooled study reports a mean difference on a "
            f"{scale[0]:g}-{scale[1]:g} scale with both arm sizes (outcomes.csv columns "
            "scale_min, scale_max, estimate or mean_ldn/mean_ctrl, n_ldn, n_ctrl)"
        )
    df = (n1 + n0 - 2)[ok].to_numpy(float)
    sd = md.abs()[ok].to_numpy(float) * hedges_correction(df) / g.abs()[ok].to_numpy(float)
    pooled = float(np.sqrt(np.sum(df * sd**2) / np.sum(df)))
    return RepresentativeSD(
        pooled,
        tuple(e.loc[ok, "study_id"].astype(str)),
        tuple(float(s) for s in sd),
        tuple(int(v) for v in (n1 + n0)[ok]),
        (float(scale[0]), float(scale[1])),
    )


@dataclass(frozen=True)
class AbsoluteEffect:
    """A pooled SMD re-expressed in scale points (positive = less pain on LDN = benefit)."""

    smd: float
    smd_low: float
    smd_high: float
    sd: RepresentativeSD
    points: float
    low: float
    high: float


def absolute_effect(eff: Efficacy, sd: RepresentativeSD | None = None) -> AbsoluteEffect:
    """Return ``eff``'s pooled SMD and CI multiplied by the representative SD (points)."""
    if eff.result is None:
        raise LDNError(f"{eff.outcome}: no pooled estimate to re-express")
    sd = representative_sd(eff) if sd is None else sd
    r = eff.result
    return AbsoluteEffect(
        r.estimate,
        r.ci_low,
        r.ci_high,
        sd,
        r.estimate * sd.sd,
        r.ci_low * sd.sd,
        r.ci_high * sd.sd,
    )


def minimal_important_differences(evidence: Any, outcome: str | None = None) -> pd.DataFrame:
    """Return the rows of ``minimal_important_differences.csv`` (one outcome or all)."""
    tables = getattr(evidence, "tables", {}) or {}
    if MID_TABLE not in tables:
        raise LDNError(
            f"{MID_TABLE}.csv is not in the data package: it needs data version 2.1.0 or "
            "later (python -m ldn_analysis data check)"
        )
    mids = tables[MID_TABLE]
    return mids if outcome is None else mids[mids["outcome"] == outcome]


def mid_row(evidence: Any, mid_id: str) -> pd.Series:
    """Return one MID row by ``mid_id`` (a clear error naming the file and column)."""
    mids = minimal_important_differences(evidence)
    rows = mids[mids["mid_id"] == mid_id]
    if rows.empty:
        raise LDNError(
            f"{MID_TABLE}.csv: no row with mid_id {mid_id!r} (column mid_id); "
            f"known: {', '.join(mids['mid_id'])}"
        )
    return rows.iloc[0]


def mid_position(low: float, high: float, mid: float) -> str:
    """Return where the interval ``low..high`` (benefit > 0) lies against an MID > 0."""
    if low >= mid:
        return "larger_than_mid"
    if high >= mid:
        return "could_reach_mid"
    return "below_mid"


@dataclass(frozen=True)
class Responders:
    """A trial's responder analysis rebuilt from reported percentages.

    Attributes
    ----------
    study, outcome_id, instrument : str
    percent_ldn, percent_ctrl : float
        The percentages as reported (proportion x 100).
    n_ldn, n_ctrl : int
    counts_ldn, counts_ctrl : tuple of int
        Every count that rounds to the reported percentage.
    rd : RiskDifference
        From the counts (the first when several fit), Newcombe's 95% interval.
    nnt : NNT
    weeks : float
        Time point of the outcome (NaN when not recorded).
    """

    study: str
    outcome_id: str
    instrument: str
    percent_ldn: float
    percent_ctrl: float
    n_ldn: int
    n_ctrl: int
    counts_ldn: tuple[int, ...]
    counts_ctrl: tuple[int, ...]
    rd: RiskDifference
    nnt: NNT
    weeks: float


def responder_difference(evidence: Any, outcome_id: str) -> Responders:
    """Rebuild a responder analysis (an ``arm_means`` proportion row) as RD and NNT."""
    o = evidence.outcomes
    rows = o[o["outcome_id"] == outcome_id]
    if rows.empty:
        raise LDNError(f"outcomes.csv: no row with outcome_id {outcome_id!r} (column outcome_id)")
    r = rows.iloc[0]
    values = {c: pd.to_numeric(r[c], errors="coerce") for c in ("mean_ldn", "mean_ctrl")}
    sizes = {c: pd.to_numeric(r[c], errors="coerce") for c in ("n_ldn", "n_ctrl")}
    bad = [c for c, v in {**values, **sizes}.items() if pd.isna(v)]
    if r["data_type"] != "arm_means" or bad or not all(0 <= v <= 1 for v in values.values()):
        raise LDNError(
            f"outcomes.csv row {outcome_id}: a responder analysis needs data_type arm_means "
            f"with proportions (0-1) in mean_ldn/mean_ctrl and both n; missing or invalid: "
            f"{', '.join(bad) or 'data_type or a proportion'}"
        )
    pct1, pct0 = 100 * float(values["mean_ldn"]), 100 * float(values["mean_ctrl"])
    n1, n0 = int(sizes["n_ldn"]), int(sizes["n_ctrl"])
    c1, c0 = counts_rounding_to(pct1, n1), counts_rounding_to(pct0, n0)
    if not c1 or not c0:
        raise LDNError(
            f"outcomes.csv row {outcome_id}: no whole count out of n rounds to the reported "
            f"percentage ({pct1:g}% of {n1}, {pct0:g}% of {n0}); check n_ldn/n_ctrl"
        )
    rd = newcombe(c1[0], n1, c0[0], n0)
    weeks = pd.to_numeric(r["timepoint_weeks"], errors="coerce")
    return Responders(
        str(r["study_id"]),
        outcome_id,
        str(r["instrument"]),
        pct1,
        pct0,
        n1,
        n0,
        tuple(c1),
        tuple(c0),
        rd,
        number_needed(rd.rd, rd.low, rd.high),
        float(weeks) if not pd.isna(weeks) else math.nan,
    )

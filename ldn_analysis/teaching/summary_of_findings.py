"""A summary-of-findings row with absolute effects, the NNT and the minimal important difference.

The lesson ``teach_summary_of_findings`` starts from the pooled analysis the efficacy
pages show (:func:`ldn_analysis.efficacy` on the default fibromyalgia selection, its
summary-of-findings box and certainty) and asks three questions:

- ``sof_points``: re-express the pooled SMD in points on the 0-10 pain scale (SMD x a
  representative SD, :func:`ldn_analysis.analysis.absolute.representative_sd`);
- ``sof_mid``: where does the interval in points lie against the minimal important
  difference of ``minimal_important_differences.csv`` (:data:`MID_ID`)?
- ``sof_nnt``: the number needed to treat from a trial's responder percentages.

Every number comes from the data; the analysis computations live in
:mod:`ldn_analysis.analysis.absolute` and :mod:`ldn_analysis.stats.risk_difference`.
"""

from __future__ import annotations

import math
import weakref
from typing import Any

from ldn_analysis import vocab
from ldn_analysis.analysis import Efficacy, Selection, efficacy, select
from ldn_analysis.analysis import absolute as A
from ldn_analysis.claims import study_label
from ldn_analysis.teaching.answers import close
from ldn_analysis.teaching.exercise_types import Exercise
from ldn_analysis.text.absolute import nnt_interval_text, points_side, points_text
from ldn_analysis.text.certainty import certainty
from ldn_analysis.text.sof import SummaryOfFindings, summary_of_findings

CONDITION = "fibromyalgia"
OUTCOME = "pain"
MID_ID = "farrar_2001_points"
"""The MID the lesson compares with: about 2 points on the 0-10 NRS, estimated in
placebo-controlled trials of chronic pain that included fibromyalgia."""
RESPONDER_OUTCOME = "bruun_2024_pain_resp30"
"""The responder analysis (more than 30% less pain) of the largest placebo-controlled trial."""

_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def sof_analysis(evidence: Any) -> tuple[Selection, Efficacy]:
    """Return the default fibromyalgia selection and its pain analysis (once per evidence)."""
    if evidence not in _CACHE:
        sel = select(evidence, CONDITION)
        _CACHE[evidence] = (sel, efficacy(sel, OUTCOME))
    return _CACHE[evidence]


def sof_box(evidence: Any) -> SummaryOfFindings:
    """Return the summary-of-findings box of the efficacy pages for fibromyalgia pain."""
    sel, eff = sof_analysis(evidence)
    return summary_of_findings(eff, sel)


def scale_text(sd: A.RepresentativeSD) -> str:
    """Return "a 0-10 pain scale" for the scale of a representative SD."""
    return f"a {sd.scale[0]:g}-{sd.scale[1]:g} pain scale"


def cite(evidence: Any, study: str) -> str:
    """Return a study's short citation ("Bruun KD 2024"); the page lists it in full, linked."""
    return study_label(evidence, study)


def sof_study_ids(evidence: Any) -> list[str]:
    """Return the ids of the studies the lesson names: the pooled trials and the responder trial."""
    _, eff = sof_analysis(evidence)
    ids = [*eff.effects["study_id"], A.responder_difference(evidence, RESPONDER_OUTCOME).study]
    return list(dict.fromkeys(str(i) for i in ids))


# ------------------------------------------------------------------ exercise sof_points


def points_values(evidence: Any, **_: Any) -> dict:
    """Numbers of ``sof_points``: the pooled SMD, the representative SD, the effect in points."""
    sel, eff = sof_analysis(evidence)
    ae = A.absolute_effect(eff)
    c = certainty(eff, sel)
    return {
        "condition": vocab.condition_label(CONDITION),
        "k": eff.k,
        "smd": ae.smd,
        "smd_low": ae.smd_low,
        "smd_high": ae.smd_high,
        "sd": ae.sd.sd,
        "n_sd": len(ae.sd.studies),
        "sd_studies": " and ".join(cite(evidence, s) for s in ae.sd.studies),
        "per_study": dict(zip(ae.sd.studies, ae.sd.per_study, strict=True)),
        "cites": {s: cite(evidence, s).split(",")[0] for s in ae.sd.studies},
        "scale": scale_text(ae.sd),
        "points": ae.points,
        "low": ae.low,
        "high": ae.high,
        "rating": c.rating if c is not None else "not rated",
    }


def points_answer(v: dict) -> float:
    """Return the pooled SMD times the representative SD (points; positive = less pain)."""
    return v["smd"] * v["sd"]


def points_diagnose(v: dict, given: float) -> str:
    """Name the usual slips: dividing, the SMD itself, the sign."""
    right = points_answer(v)
    if close(given, v["smd"] / v["sd"], 0.01):
        return "You divided by the SD. An SMD is a difference in SD units: multiply to get points."
    if close(given, v["smd"], 0.005):
        return "That is the SMD itself, in SD units; multiply it by the SD to get points."
    if close(given, -right, 0.02):
        return (
            "Check the sign: the pooled SMD is positive here, and positive means less pain on "
            "LDN, so the difference in points is positive too."
        )
    return ""


def points_caveat(v: dict) -> str:
    """Say how much the answer depends on the SD chosen (Cochrane Handbook 12.6.4)."""
    alts = "; ".join(
        f"with {v['cites'][s]}'s SD alone ({x:.2f}) it would be {v['smd'] * x:+.2f}"
        for s, x in v["per_study"].items()
    )
    return (
        f"The points depend on the SD chosen: {alts}. The SDs come from the trials' own "
        "reported differences (in the larger trial, of the change in pain from baseline); "
        "back-transforming a pooled SMD with one typical SD is what the "
        "Cochrane Handbook (5.1, section 12.6.4) describes."
    )


def points_reasoning(v: dict, ans: float, _ev: Any) -> str:
    """Return the worked answer of ``sof_points``."""
    return (
        f"SMD x SD = {v['smd']:+.2f} x {v['sd']:.2f} = {ans:+.2f} points on {v['scale']}; the "
        f"95% CI becomes {v['smd_low'] * v['sd']:+.2f} to {v['smd_high'] * v['sd']:+.2f} "
        f"points. In words: {points_side(ans)}. The SD ({v['sd']:.2f}) is pooled from "
        f"{v['sd_studies']}, each recovered from its reported difference and SMD, so the "
        "SMD and the SD come from the same trials."
    )


# --------------------------------------------------------------------- exercise sof_mid


def mid_values(evidence: Any, **params: Any) -> dict:
    """Numbers of ``sof_mid``: the interval in points and the MID of :data:`MID_ID`."""
    v = points_values(evidence, **params)
    mid = A.mid_row(evidence, MID_ID)
    return {
        **v,
        "mid": float(mid["mid_value"]),
        "mid_source": str(mid["source"]),
        "mid_instrument": str(mid["instrument"]),
    }


def mid_answer(v: dict) -> str:
    """Return where the 95% CI in points lies against the MID."""
    return A.mid_position(v["low"], v["high"], v["mid"])


def mid_diagnose(v: dict, given: str) -> str:
    """Explain the distinction behind a wrong position."""
    lo, hi, mid = v["low"], v["high"], v["mid"]
    if given == "larger_than_mid":
        return f"The lower limit ({lo:+.2f}) is below the MID of {mid:g} points; 'larger' needs the whole interval above it."
    if given == "could_reach_mid" and hi < mid:
        return (
            f"The upper limit ({hi:+.2f}) is below {mid:g}: no effect compatible with these "
            "data is as large as the MID, although the interval includes 0."
        )
    if given == "below_mid" and hi >= mid:
        return f"The upper limit ({hi:+.2f}) reaches the MID of {mid:g} points: an effect that large is compatible with the data."
    return "Compare both limits of the interval with the MID, not the point estimate."


def mid_caveat(v: dict) -> str:
    """Say what an MID is, and the certainty of the pooled estimate."""
    return (
        f"The MID ({v['mid_source']}) is a change that one patient notices as a real "
        "improvement; a difference between group means smaller than it can still hide some "
        "patients who improve by that much, which is what a responder analysis shows. And "
        f"the certainty of this pooled estimate is {v['rating']}."
    )


def mid_reasoning(v: dict, ans: str, _ev: Any) -> str:
    """Return the worked answer of ``sof_mid``."""
    return (
        f"The pooled effect is {points_text(v['points'], v['low'], v['high'], v['scale'])}. "
        f"The MID ({v['mid_source']}) is {v['mid']:g} points on the same kind of scale. "
        f"Lower limit {v['low']:+.2f} and upper limit {v['high']:+.2f} against {v['mid']:g}: "
        f"{ans}. A result can be statistically clear and still smaller than the MID; here it "
        "is not even statistically clear (the interval includes 0)."
        if ans == "below_mid" and v["low"] < 0
        else f"The pooled effect is {points_text(v['points'], v['low'], v['high'], v['scale'])}; "
        f"against an MID of {v['mid']:g} points the answer is {ans}."
    )


# --------------------------------------------------------------------- exercise sof_nnt


def nnt_values(evidence: Any, **_: Any) -> dict:
    """Numbers of ``sof_nnt``: the responder percentages as reported, and the rebuilt analysis."""
    r = A.responder_difference(evidence, RESPONDER_OUTCOME)
    return {
        "study": cite(evidence, r.study),
        "what": r.instrument.split(" (")[0].replace(">", "more than "),
        "p1": r.percent_ldn,
        "p0": r.percent_ctrl,
        "n1": r.n_ldn,
        "n0": r.n_ctrl,
        "weeks": r.weeks,
        "responders": r,
    }


def nnt_answer(v: dict) -> float:
    """Return 1 / (risk on LDN - risk on placebo), from the percentages as reported."""
    return 100 / (v["p1"] - v["p0"])


def nnt_diagnose(v: dict, given: float) -> str:
    """Name the usual wrong answers: the risk difference, a risk ratio, one arm's risk."""
    d = v["p1"] - v["p0"]
    if close(given, d, 0.6) or close(given, d / 100, 0.006):
        return (
            "That is the risk difference; the NNT is its inverse: 1 divided by it (as a fraction)."
        )
    if close(given, v["p1"] / v["p0"], 0.05):
        return "That is the risk ratio (LDN over placebo); the NNT comes from the difference."
    if close(given, 100 / v["p1"], 0.1):
        return "That is 1 / the risk on LDN alone; subtract the placebo risk first."
    return ""


def nnt_caveat(v: dict) -> str:
    """Return the NNT's interval, its time frame and control risk."""
    r = v["responders"]
    return (
        f"Over {v['weeks']:g} weeks, with {v['p0']:g}% responding on placebo: "
        f"{nnt_interval_text(r.nnt)}, from {r.rd.x1} of {r.n_ldn} and {r.rd.x0} of "
        f"{r.n_ctrl} (counts rebuilt from the rounded percentages). The interval of the "
        "difference includes 0, so the NNT runs through infinity: LDN may help one woman in "
        "a few, or none, or even fewer than placebo."
        if r.nnt.crosses_zero
        else f"Over {v['weeks']:g} weeks, with {v['p0']:g}% responding on placebo: "
        f"{nnt_interval_text(r.nnt)}."
    )


def nnt_reasoning(v: dict, ans: float, _ev: Any) -> str:
    """Return the worked answer of ``sof_nnt``."""
    d = v["p1"] - v["p0"]
    return (
        f"Risk difference = {v['p1']:g}% - {v['p0']:g}% = {d:g} percentage points = "
        f"{d / 100:.2f}; NNT = 1 / {d / 100:.2f} = {ans:.1f} (usually rounded up to "
        f"{math.ceil(ans - 1e-9)}): about one more woman in {math.ceil(ans - 1e-9)} reaches a "
        f"{v['what']} after {v['weeks']:g} weeks on LDN than on placebo. An NNT means nothing "
        "without its time frame, the control risk it was computed against and its interval."
    )


def _definitions() -> list[Exercise]:
    return [
        Exercise(
            "sof_points",
            "The pooled SMD for pain in {condition} is {smd:+.2f} (95% CI {smd_low:+.2f} to "
            "{smd_high:+.2f}; positive = less pain on LDN = benefit). The table above gives a "
            "representative SD of {sd:.2f} points on {scale}, pooled from the trials that used it "
            "({sd_studies}). "
            "Re-express the pooled SMD in points on that scale (SMD x SD), to two decimals.",
            points_values,
            points_answer,
            0.02,
            "An SMD is a difference measured in standard deviations: multiply it by the SD.",
            "number",
            diagnose=points_diagnose,
            caveat=points_caveat,
        ),
        Exercise(
            "sof_mid",
            "On {scale}, the minimal important difference ({mid_source}) is {mid:g} points. "
            "Re-express the limits of the pooled SMD's 95% CI ({smd_low:+.2f} and "
            "{smd_high:+.2f}) in points the same way (times the SD of {sd:.2f} points; "
            "positive = less pain on LDN). Which statement is correct? larger_than_mid: "
            "even the lower limit is at least the MID; could_reach_mid: the interval includes "
            "effects as large as the MID; below_mid: even the upper limit is smaller than the "
            "MID.",
            mid_values,
            mid_answer,
            0,
            "Compare each limit of the interval with the MID.",
            "choice",
            options=A.MID_POSITIONS,
            diagnose=mid_diagnose,
            caveat=mid_caveat,
        ),
        Exercise(
            "sof_nnt",
            "In {study}, {p1:g}% of the {n1} women on LDN and {p0:g}% of the {n0} on placebo "
            "reported a {what} after {weeks:g} weeks, as a published summary gives it. What "
            "is the number needed to treat (NNT) for one more woman to reach that decrease "
            "on LDN instead of placebo? NNT = 1 / (risk on LDN - risk on placebo), risks as "
            "fractions; give one decimal.",
            nnt_values,
            nnt_answer,
            0.15,
            "Subtract the placebo risk from the LDN risk, then take 1 divided by the difference.",
            "number",
            diagnose=nnt_diagnose,
            caveat=nnt_caveat,
        ),
    ]


EXERCISES = _definitions()
REASONING = {"sof_points": points_reasoning, "sof_mid": mid_reasoning, "sof_nnt": nnt_reasoning}
TITLES = {
    "sof_points": "the pooled effect in points",
    "sof_mid": "is it large enough to matter?",
    "sof_nnt": "how many to treat for one more responder?",
}

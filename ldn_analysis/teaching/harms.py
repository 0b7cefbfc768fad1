"""Harm reporting: all-cause adverse events against what LDN adds over placebo.

A trial counts every adverse event in both arms, whatever caused it. The rate on LDN is
therefore not LDN's side-effect rate: much of it also happens on placebo (background
symptoms and the nocebo response). What the drug adds is the difference, LDN minus
placebo, and it needs its own interval.
"""

from __future__ import annotations

from typing import Any

from ldn_analysis.claims import study_label
from ldn_analysis.errors import LDNError
from ldn_analysis.stats.risk_difference import newcombe
from ldn_analysis.teaching.answers import close
from ldn_analysis.teaching.claims_vs_evidence import any_ae_arms
from ldn_analysis.vocab import RANDOMIZED_DESIGNS


def harm_values(evidence: Any, study: str | None = None, **_: Any) -> dict:
    """Any-adverse-event counts of both arms of a randomized placebo-controlled trial.

    Default: the trial with the most participants reporting both arms.
    """
    arms = any_ae_arms(evidence)
    rct = set(evidence.studies.loc[evidence.studies["design"].isin(RANDOMIZED_DESIGNS), "study_id"])
    both = arms[arms["study_id"].isin(rct)].pivot_table(
        index="study_id", columns="arm", values=["events", "n"]
    )
    if "placebo" not in both.columns.get_level_values(1):
        raise LDNError("no randomized trial reports any adverse event in both arms")
    both = both.dropna()
    if study is None:
        total = both[("n", "ldn")] + both[("n", "placebo")]
        study = sorted(total[total == total.max()].index)[0]
    r = both.loc[study]
    e1, n1, e0, n0 = (
        int(r[(a, b)])
        for a, b in (("events", "ldn"), ("n", "ldn"), ("events", "placebo"), ("n", "placebo"))
    )
    rd = newcombe(e1, n1, e0, n0)  # the interval the claims page shows for the same trial
    return {
        "study_id": study,
        "study": study_label(evidence, study),
        "e1": e1,
        "n1": n1,
        "e0": e0,
        "n0": n0,
        "rd_low": 100 * rd.low,
        "rd_high": 100 * rd.high,
    }


def harm_answer(v: dict) -> float:
    """Return the risk difference, LDN minus placebo, in percentage points."""
    return 100 * (v["e1"] / v["n1"] - v["e0"] / v["n0"])


def harm_diagnose(v: dict, given: float) -> str:
    """Name the usual wrong answers: the LDN rate alone, and the reversed difference."""
    if close(given, 100 * v["e1"] / v["n1"], 0.5):
        return (
            "That is the rate on LDN: all-cause adverse events, most of which also happened "
            "on placebo. What LDN adds is the difference between the arms."
        )
    if close(given, -harm_answer(v), 0.2) and abs(harm_answer(v)) > 0.2:
        return "That is placebo minus LDN; the question asks LDN minus placebo."
    return ""


def harm_caveat(v: dict) -> str:
    """Return the interval of the difference (Newcombe) and what it means for a claim."""
    if v["rd_low"] > 0:
        reading = "more participants had adverse events on LDN than on placebo"
    elif v["rd_high"] < 0:
        reading = "fewer participants had adverse events on LDN than on placebo"
    else:
        reading = "this trial can neither show nor rule out an excess of adverse events on LDN"
    return (
        f"Its 95% CI runs from {v['rd_low']:+.1f} to {v['rd_high']:+.1f} percentage points: "
        f"{reading}; a side-effect rate quoted from the LDN arm alone overstates what LDN "
        "causes."
    )


def harm_reasoning(v: dict, ans: float, _ev: Any) -> str:
    """Return the worked answer of the harm exercise."""
    return (
        f"In {v['study']}, {v['e1']}/{v['n1']} = {100 * v['e1'] / v['n1']:.1f}% on LDN and "
        f"{v['e0']}/{v['n0']} = {100 * v['e0'] / v['n0']:.1f}% on placebo had any adverse "
        f"event: a difference of {ans:+.1f} percentage points. These are all-cause events, "
        "counted whatever caused them; the placebo arm shows how many happen without the "
        "drug (background symptoms and the nocebo response). A text that says 'side effects "
        "occurred in most patients' from the LDN arm alone confuses all-cause with "
        "drug-attributed events."
    )

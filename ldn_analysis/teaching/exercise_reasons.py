"""The worked reasoning behind each exercise's answer (instructor mode), from the data."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ldn_analysis import claims as C
from ldn_analysis import vocab
from ldn_analysis.stats.inference import Z95
from ldn_analysis.stats.proportions import clopper_pearson
from ldn_analysis.teaching.exercise_defs import EGGER_MIN_K, I2_BANDS, verdict_meaning
from ldn_analysis.teaching.harms import harm_reasoning
from ldn_analysis.teaching.risk_of_bias import rob_reasoning
from ldn_analysis.teaching.summary_of_findings import REASONING as SOF_REASONING
from ldn_analysis.text.format import pct
from ldn_analysis.vocab import RANDOMIZED_DESIGNS


def _why_rule_of_three(v: dict, ans: float, _ev: Any) -> str:
    n = v["n"]
    exact = 1 - 0.05 ** (1 / n)
    cp_high = float(clopper_pearson(0, n)[1])
    return (
        f"None of the {n} participants on LDN in the randomized trial {v['study']} had "
        f"{v['event']}. The rule of three gives a one-sided 95% upper bound of about 3/n = "
        f"3/{n} = {ans:.1f}%: we are 95% confident the true rate is below it. It approximates "
        f"the exact one-sided bound 1 - 0.05^(1/n) = {pct(exact)}, well for large n. The upper "
        f"end of the two-sided exact (Clopper-Pearson) 95% interval, {pct(cp_high)}, is a "
        "97.5% one-sided bound, a different thing. Zero observed events are compatible with a "
        "true rate of several percent: absence of evidence is not evidence of absence. A "
        "retrospective 'no severe effects were reported' is not a zero count: nobody looked "
        "systematically, so no bound can be computed from it."
    )


def _why_wilson(v: dict, ans: tuple[float, float], _ev: Any) -> str:
    x, n = v["x"], v["n"]
    centre = (x + Z95**2 / 2) / (n + Z95**2)
    half = Z95 / (n + Z95**2) * (x * (n - x) / n + Z95**2 / 4) ** 0.5
    p = x / n
    se = (p * (1 - p) / n) ** 0.5
    lo, hi = p - Z95 * se, p + Z95 * se
    below = " (below 0%, impossible for a proportion)" if lo < 0 else ""
    return (
        f"{x} of {n} is {pct(p)}. The Wilson interval is centred on (x + z^2/2)/(n + z^2) = "
        f"{pct(centre)}, pulled towards 50%, with half-width {pct(half)}: {ans[0]:.1f}% to "
        f"{ans[1]:.1f}%. The Wald interval p +/- z*sqrt(p(1-p)/n) would give {pct(lo)} to "
        f"{pct(hi)}{below}: with so few events it is too narrow and misplaced."
    )


def _randomized(evidence: Any, condition: str) -> pd.DataFrame:
    s = evidence.studies
    s = s[s["condition"] == condition]
    rand = s["design"].isin(RANDOMIZED_DESIGNS) | s["randomized"].astype(str).str.lower().eq("true")
    return s.assign(_rand=rand.to_numpy())


def _why_count_rcts(v: dict, ans: int, evidence: Any) -> str:
    s = _randomized(evidence, v["condition"])
    rct, other = s[s["_rand"]], s[~s["_rand"]]
    listed = ", ".join(
        f"{C.study_label(evidence, r.study_id)} ({vocab.design_label(r.design)})"
        for r in rct.itertuples()
    )
    others = ", ".join(
        f"{vocab.design_label(d)} {c}" for d, c in other["design"].value_counts().items()
    )
    return (
        f"Of the {len(s)} studies of {v['condition'].replace('_', ' ')}, {ans} are randomized: "
        f"{listed}. The other {len(other)} ({others}) did not assign treatment at random."
    )


def _why_direction(v: dict, ans: str, _ev: Any) -> str:
    where = {
        "favours_ldn": "lies entirely above 0",
        "favours_control": "lies entirely below 0",
        "inconclusive": "includes 0",
    }[ans]
    return (
        f"Random-effects pooling of {v['studies']} gives a pooled {v['effect']}. On this "
        "page positive means less pain on LDN (a benefit): trials report LDN minus placebo, "
        "where a negative difference is less pain, and the sign is flipped so that right = "
        f"benefit. The interval {where}, so the answer is {ans}; the sign of the point "
        "estimate alone decides nothing."
    )


def _why_i2(v: dict, ans: tuple[str, ...], _ev: Any) -> str:
    bands = "; ".join(f"{b} {lo:g}-{hi:g}%" for b, (lo, hi) in I2_BANDS.items())
    within = [b for b, (lo, hi) in I2_BANDS.items() if lo <= v["i2"] <= hi]
    return (
        f"I2 = {v['i2']:.0f}% from k = {v['k']} studies; its point estimate falls in the "
        f"{'band' if len(within) == 1 else 'bands'} {' and '.join(within) or 'none'} "
        f"(Cochrane's overlapping bands: {bands}). Its "
        f"95% CI runs from {v['i2_ci_low']:.0f}% to {v['i2_ci_high']:.0f}% (Q-profile), and "
        f"tau2 = {v['tau2']:.3f} (95% CI {v['tau2_ci_low']:.3f} to {v['tau2_ci_high']:.3f}). "
        f"So the answer is {' or '.join(ans)}: "
        + (
            f"the interval spans every band: {v['k']} studies cannot say whether they agree."
            if ans == ("uncertain",)
            else "the interval is narrow enough to place it."
        )
    )


def _why_egger(v: dict, ans: bool, _ev: Any) -> str:
    return (
        f"The analysis pools k = {v['k']} studies; tests for funnel-plot asymmetry are "
        f"advised only with at least {EGGER_MIN_K} (Cochrane Handbook). So: "
        f"{'yes' if ans else 'no'}. The simulation shows why: with few studies the test "
        "rarely detects a real asymmetry, so a non-significant result says nothing."
    )


def _why_crossover(v: dict, ans: tuple[int, int], _ev: Any) -> str:
    return (
        f"{v['cx']} is a crossover: each participant took LDN and placebo in turn, so "
        f"n_ldn = {v['cx_ldn']} and n_control = {v['cx_ctrl']} count the same people: "
        f"{ans[0]} people. {v['px']} is a parallel trial: each participant got one "
        f"treatment, so {v['px_ldn']} + {v['px_ctrl']} = {ans[1]} different people."
    )


def _why_claim(v: dict, ans: str, evidence: Any) -> str:
    ev = C.evaluate_claim(evidence, v["proposition"], C.parse_args(v["args"]))
    sources = C.study_labels(evidence, ev.deciding_sources) or "none"
    return (
        f'"{ans}" means {verdict_meaning(ans)}. The numbers that decided it: '
        f"{ev.deciding_numbers}. Why: {ev.explanation} Sources: {sources}."
    )


def _why_rtm(v: dict, ans: float, _ev: Any) -> str:
    return (
        f"Expected follow-up = {v['mean']:g} + {v['reliability']:.2f} x ({v['screen_mean']:.2f} "
        f"- {v['mean']:g}) = {ans:.2f}; the simulation gave {v['follow_mean']:.2f}. The "
        f"{v['enrolled']} people were enrolled partly because of a bad day at screening; the "
        "bad day does not repeat, so their average falls with no treatment. An uncontrolled "
        "before-after study would credit that fall to the drug; a placebo arm, enrolled the "
        "same way, shows the same fall and cancels it."
    )


def _why_multiplicity(v: dict, ans: float, _ev: Any) -> str:
    return (
        f"The chance that one null outcome is not significant is 0.95; that none of {v['m']} "
        f"independent ones is, 0.95^{v['m']}; so at least one: 1 - 0.95^{v['m']} = {ans:.1f}%. "
        "A trial that reports only its 'significant' secondary outcomes, or switches its "
        "primary outcome, can always find something."
    )


def _why_reporting(v: dict, ans: int, _ev: Any) -> str:
    return (
        f"Of {v['registered']} completed or terminated registrations, {ans} have no publication "
        f"in the evidence base ({v['unpublished_ids'] or 'none'}); {v['no_results_either']} of "
        "them have no results posted on the registry either. Trials that found nothing are "
        "the ones most likely to stay unpublished, so the published trials can overstate the "
        "benefit: reporting bias. Registries are how a reader finds the missing ones."
    )


REASONING = {
    "harm_difference": harm_reasoning,
    "rule_of_three": _why_rule_of_three,
    "wilson_vs_wald": _why_wilson,
    "count_rcts": _why_count_rcts,
    "pooled_direction": _why_direction,
    "i2_interpretation": _why_i2,
    "egger_appropriate": _why_egger,
    "crossover_vs_parallel_n": _why_crossover,
    "claim_verdict": _why_claim,
    "regression_to_mean": _why_rtm,
    "multiplicity": _why_multiplicity,
    "unpublished_registrations": _why_reporting,
    "risk_of_bias_overall": rob_reasoning,
    **SOF_REASONING,
}

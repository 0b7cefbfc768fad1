"""The exercises: question templates, answers computed from the data, and the distinctions.

Each :class:`~ldn_analysis.teaching.exercises.Exercise` is built here from a setup of
:mod:`.exercise_data` (or :mod:`.bias_traps`), an answer computed with the statistics
helpers, a ``diagnose`` that explains the distinction behind a wrong answer, and a
``caveat`` that says what even the right answer does not show.
"""

from __future__ import annotations

from ldn_analysis import claims as C
from ldn_analysis.stats.inference import Z95
from ldn_analysis.stats.proportions import clopper_pearson, wilson
from ldn_analysis.teaching.answers import close
from ldn_analysis.teaching.bias_traps import (
    multiplicity_answer,
    multiplicity_diagnose,
    multiplicity_values,
    reporting_answer,
    reporting_values,
    rtm_answer,
    rtm_diagnose,
    rtm_values,
)
from ldn_analysis.teaching.exercise_data import (
    exercise_studies,
    setup_claim,
    setup_count_rcts,
    setup_crossover,
    setup_egger,
    setup_meta,
    setup_rule_of_three,
    setup_wilson,
)
from ldn_analysis.teaching.exercise_types import Exercise
from ldn_analysis.teaching.harms import harm_answer, harm_caveat, harm_diagnose, harm_values
from ldn_analysis.teaching.risk_of_bias import EXERCISE as ROB_EXERCISE
from ldn_analysis.teaching.summary_of_findings import EXERCISES as SOF_EXERCISES

I2_BANDS = {
    "low": (0.0, 40.0),
    "moderate": (30.0, 60.0),
    "substantial": (50.0, 90.0),
    "considerable": (75.0, 100.0),
}
UNCERTAIN = "uncertain"
EGGER_MIN_K = 10
DIRECTIONS = ("favours_ldn", "favours_control", "inconclusive")

VERDICT_MEANINGS = {
    "supported": "the evidence base shows what the claim says, at the strength it says it",
    "overstated": "the evidence points the same way but is weaker than the claim says",
    "contradicted": "precise evidence goes against the claim",
    "not_testable": "a mechanism or an opinion that no outcome data can confirm or refute",
}
"""Fallback meanings, used only for a verdict the claims package does not define."""


def verdict_words() -> tuple[str, ...]:
    """Return the verdict words the claims rules use (``ldn_analysis.claims.VERDICTS``)."""
    return tuple(C.VERDICTS)


def verdict_meaning(word: str) -> str:
    """Return the plain meaning of a verdict word, as the claims package defines it."""
    defined = {**VERDICT_MEANINGS, **getattr(C, "VERDICT_DEFINITIONS", {})}
    return defined.get(word, word.replace("_", " "))


# ---------------------------------------------------------------------------- answers


def _ans_rule_of_three(v: dict) -> float:
    return 100 * min(1.0, 3 / v["n"])


def _diag_rule_of_three(v: dict, given: float) -> str:
    n = v["n"]
    cp = 100 * float(clopper_pearson(0, n)[1])
    if close(given, 100 / n, 0.1 * 100 / n):
        return "That is 1/n, one event in n; with zero events the bound is about 3/n."
    if abs(given) < 1e-9:
        return "Zero observed events do not make the true rate zero; give the upper bound."
    if close(given, cp, 0.05 * cp):
        return (
            "That is the upper end of the two-sided exact interval (a 97.5% one-sided "
            "bound); the rule of three is the one-sided 95% bound."
        )
    return ""


def _cav_rule_of_three(v: dict) -> str:
    exact = 100 * (1 - 0.05 ** (1 / v["n"]))
    return (
        f"It is a one-sided 95% upper bound and an approximation for large n (the exact "
        f"bound 1 - 0.05^(1/n) gives {exact:.1f}% here); it only means something because "
        "the trial looked for these events in everyone, prospectively."
    )


def _ans_wilson(v: dict) -> tuple[float, float]:
    lo, hi = wilson(v["x"], v["n"])
    return 100 * float(lo), 100 * float(hi)


def _diag_wilson(v: dict, given: tuple[float, float]) -> str:
    x, n = v["x"], v["n"]
    p = x / n
    se = (p * (1 - p) / n) ** 0.5
    lo, hi = 100 * (p - Z95 * se), 100 * (p + Z95 * se)
    if close(given[0], lo, 0.5) and close(given[1], hi, 0.5):
        return (
            f"That is the Wald interval ({lo:.1f}% to {hi:.1f}%), symmetric around x/n; with "
            "few events it is too narrow and can go below 0%. The Wilson interval is "
            "centred on (x + z^2/2)/(n + z^2)."
        )
    return ""


def _ans_count_rcts(v: dict) -> int:
    s = exercise_studies(v["evidence"])
    if s.empty:
        return 0
    sel = s[C.text_col(s, "condition") == v["condition"]]
    return int(C.is_randomized(sel).sum())


def _diag_count_rcts(v: dict, given: float) -> str:
    s = exercise_studies(v["evidence"])
    sel = s[C.text_col(s, "condition") == v["condition"]]
    if int(given) == len(sel):
        return "That counts every study of the condition; only randomized ones count."
    return ""


def _ans_direction(v: dict) -> str:
    if v["ci_low"] > 0:
        return "favours_ldn"
    if v["ci_high"] < 0:
        return "favours_control"
    return "inconclusive"


def _diag_direction(v: dict, given: str) -> str:
    right = _ans_direction(v)
    if right == "inconclusive":
        return (
            f"The pooled SMD is {v['estimate']:+.2f}, but its 95% CI ({v['ci_low']:+.2f} to "
            f"{v['ci_high']:+.2f}) includes 0: a point estimate on one side of 0 does not "
            "show which treatment is better."
        )
    if given == "inconclusive":
        return "Check whether the 95% CI really includes 0."
    return "Check the sign convention: positive means less pain on LDN (a benefit)."


def _cav_direction(v: dict) -> str:
    if v["test"] == "z":
        return (
            f"The interval comes from k = {v['k']} studies with a z interval, which treats "
            "tau2 as known; a Knapp-Hartung interval would be wider."
        )
    return (
        f"With k = {v['k']} studies the Knapp-Hartung interval (t with k - 1 degrees of "
        "freedom) is wide on purpose: a z interval would treat tau2 as known and look more "
        "certain than the data are."
    )


def _ans_i2(v: dict) -> tuple[str, ...]:
    if v["i2_ci_low"] < I2_BANDS["low"][1] and v["i2_ci_high"] > I2_BANDS["considerable"][0]:
        return (UNCERTAIN,)
    return tuple(b for b, (lo, hi) in I2_BANDS.items() if lo <= v["i2"] <= hi)


def _i2_ci(v: dict) -> str:
    return f"95% CI {v['i2_ci_low']:.0f}% to {v['i2_ci_high']:.0f}%"


def _diag_i2(v: dict, given: str) -> str:
    right = _ans_i2(v)
    if right == (UNCERTAIN,) and given in I2_BANDS:
        lo, hi = I2_BANDS[given]
        where = "does fall in" if lo <= v["i2"] <= hi else "is not even in"
        return (
            f'I2 = {v["i2"]:.0f}% {where} the "{given}" band, but its {_i2_ci(v)} runs from '
            f"the low band to the considerable one: with k = {v['k']} studies every band is "
            "compatible with the data, so no band can be chosen."
        )
    if given == UNCERTAIN:
        return f"Here the {_i2_ci(v)} is narrow enough to place I2 in a band."
    return f"I2 = {v['i2']:.0f}% is not in the {given} band."


def _cav_i2(v: dict) -> str:
    return (
        f"I2 = {v['i2']:.0f}% ({_i2_ci(v)}); tau2 = {v['tau2']:.3f} (95% CI "
        f"{v['tau2_ci_low']:.3f} to {v['tau2_ci_high']:.3f}). The bands are a rough guide "
        "for the point estimate; with few studies read the intervals, not the band."
    )


def _ans_egger(v: dict) -> bool:
    return v["k"] >= EGGER_MIN_K


def _diag_egger(v: dict, given: bool) -> str:
    if given and v["k"] < EGGER_MIN_K:
        return (
            f"With k = {v['k']} studies the test has almost no power (see the simulation "
            "above): a non-significant result would say nothing."
        )
    return ""


def _ans_crossover(v: dict) -> tuple[int, int]:
    return v["cx_ldn"], v["px_ldn"] + v["px_ctrl"]


def _diag_crossover(v: dict, given: tuple[float, float]) -> str:
    if int(given[0]) == v["cx_ldn"] + v["cx_ctrl"]:
        return (
            "In a crossover every participant takes both LDN and placebo, so n_ldn and "
            "n_control are the same people: do not add them."
        )
    if int(given[1]) == v["px_ldn"]:
        return "In a parallel trial the two arms are different people: add them."
    return ""


def _ans_claim(v: dict) -> str:
    ev = C.evaluate_claim(v["evidence"], v["proposition"], C.parse_args(v["args"]))
    return ev.verdict


def _diag_claim(v: dict, given: str) -> str:
    right = _ans_claim(v)
    return (
        f'"{given}" would mean {verdict_meaning(given)}. The rules give "{right}": '
        f"{verdict_meaning(right)}."
    )


def _definitions() -> list[Exercise]:
    return [
        Exercise(
            "rule_of_three",
            "In the randomized trial {study}, none of the {n} participants on LDN had {event}. "
            "What is the approximate one-sided 95% upper bound for the true rate, in percent?",
            setup_rule_of_three,
            _ans_rule_of_three,
            0.1,
            "With 0 events in n people, the rule of three gives a one-sided 95% upper bound "
            "of about 3/n.",
            "number",
            relative=True,
            diagnose=_diag_rule_of_three,
            caveat=_cav_rule_of_three,
        ),
        Exercise(
            "wilson_vs_wald",
            "In {study}, {x} of {n} participants on LDN reported {event}. Give the 95% Wilson "
            "score interval for the proportion, in percent, as (lower, upper). With z = 1.96: "
            "centre = (x + z^2/2)/(n + z^2); half-width = z/(n + z^2) * sqrt(x(n - x)/n + "
            "z^2/4). (Or call ldn.teaching.wilson_percent(x, n) after trying by hand.)",
            setup_wilson,
            _ans_wilson,
            0.5,
            "Fill in x and n: the centre is pulled towards 50%, and the interval stays inside "
            "0-100%.",
            "interval",
            diagnose=_diag_wilson,
        ),
        Exercise(
            "harm_difference",
            "In the randomized trial {study}, {e1} of {n1} participants on LDN and {e0} of "
            "{n0} on placebo reported any adverse event. What is the difference in risk, LDN "
            "minus placebo, in percentage points?",
            harm_values,
            harm_answer,
            0.2,
            "Work out each arm's percentage, then subtract placebo from LDN.",
            "number",
            diagnose=harm_diagnose,
            caveat=harm_caveat,
        ),
        Exercise(
            "count_rcts",
            "How many randomized controlled trials (any comparator) of LDN for {condition} are "
            "in the evidence base? Count them in the list of studies above.",
            setup_count_rcts,
            _ans_count_rcts,
            0,
            "Count the studies on the randomized rungs only (parallel and crossover RCTs).",
            "number",
            diagnose=_diag_count_rcts,
        ),
        Exercise(
            "pooled_direction",
            "Random-effects pooling of the placebo-controlled randomized pain results for "
            "{condition} (k={k}: {studies}) gives a pooled {effect} (positive = less pain on "
            "LDN = benefit). Does it favour LDN, favour the control, or is it inconclusive?",
            setup_meta,
            _ans_direction,
            0,
            "Look at the whole 95% CI, not only the point estimate.",
            "choice",
            options=DIRECTIONS,
            diagnose=_diag_direction,
            caveat=_cav_direction,
        ),
        Exercise(
            "i2_interpretation",
            "The pain meta-analysis for {condition} (k={k}) has I2 = {i2:.0f}% with 95% CI "
            "{i2_ci_low:.0f}% to {i2_ci_high:.0f}%. Cochrane's rough guide: 0-40% low, "
            "30-60% moderate, 50-90% substantial, 75-100% considerable. What can you say about "
            'the heterogeneity? Answer "uncertain" if the interval does not let you choose a '
            "band.",
            setup_meta,
            _ans_i2,
            0,
            "Read the confidence interval of I2 before its point estimate.",
            "choice",
            options=(*I2_BANDS, UNCERTAIN),
            diagnose=_diag_i2,
            caveat=_cav_i2,
        ),
        Exercise(
            "egger_appropriate",
            "The meta-analysis for {condition} pools k={k} studies. Is Egger's regression test "
            "for funnel-plot asymmetry appropriate?",
            setup_egger,
            _ans_egger,
            0,
            "Look at how often the test found a real asymmetry in the simulation with few studies.",
            "boolean",
            diagnose=_diag_egger,
        ),
        Exercise(
            "crossover_vs_parallel_n",
            "{cx} is a crossover trial reporting n_ldn={cx_ldn} and n_control={cx_ctrl}; {px} is "
            "a parallel trial reporting n_ldn={px_ldn} and n_control={px_ctrl}. How many "
            "different people contributed to each comparison? Answer (crossover, parallel).",
            setup_crossover,
            _ans_crossover,
            0,
            "A crossover gives every participant both treatments; a parallel trial gives each "
            "participant one.",
            "pair",
            diagnose=_diag_crossover,
        ),
        Exercise(
            "claim_verdict",
            "Claim {claim_id}: '{claim_text}'. Which verdict does the evidence base give it?",
            setup_claim,
            _ans_claim,
            0,
            "Start from the design and the primary result (estimate, CI) of the evidence the "
            "claim rests on, then compare the claim's strength with it.",
            "choice",
            options=lambda _v: verdict_words(),
            diagnose=_diag_claim,
        ),
        Exercise(
            "regression_to_mean",
            "{people} simulated people have a true average pain of {mean:g}/10; a single score "
            "adds day-to-day noise, and the reliability (share of score variance that is "
            "between people) is {reliability:.2f}. The {enrolled} people who scored {cutoff:g} "
            "or more at screening are enrolled; their screening average is {screen_mean:.2f}. "
            "Nobody is treated. Predict their average score at follow-up: mean + reliability "
            "x (screening average - mean).",
            rtm_values,
            rtm_answer,
            0.15,
            "Only the between-person part of the screening excess persists.",
            "number",
            diagnose=rtm_diagnose,
            caveat=lambda v: (
                f"In the simulation the enrolled group's follow-up average was "
                f"{v['follow_mean']:.2f}: it 'improved' with no treatment at all."
            ),
        ),
        Exercise(
            "multiplicity",
            "A trial of a drug that does nothing tests {m} independent outcomes, each at the "
            "{alpha_pct:g}% level. What is the chance, in percent, that at least one comes out "
            "'significant'?",
            multiplicity_values,
            multiplicity_answer,
            1.0,
            "The chance that none is significant is 0.95 multiplied by itself m times.",
            "number",
            diagnose=multiplicity_diagnose,
            caveat=lambda _v: (
                "Real outcomes are correlated, which lowers this; a pre-registered primary "
                "outcome avoids the problem."
            ),
        ),
        Exercise(
            "unpublished_registrations",
            "The table above lists the {registered} registrations of LDN studies whose "
            "status is completed or terminated. How many of them have no publication linked "
            "in the evidence base (an empty 'publication in the evidence base' cell)?",
            reporting_values,
            reporting_answer,
            0,
            "Count the rows whose publication cell is empty.",
            "number",
            caveat=lambda v: (
                "A missing link can also mean our search missed a paper, or that results sit "
                "on the registry only; it is a reason to look, not proof of suppression."
            ),
        ),
    ]


DEFINITIONS = [*_definitions(), ROB_EXERCISE, *SOF_EXERCISES]

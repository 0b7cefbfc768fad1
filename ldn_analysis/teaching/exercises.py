"""Answer checking for the teaching notebooks.

Every exercise takes its numbers from the evidence base and computes the correct answer
with the bundle's statistics at check time; nothing here stores an answer. A notebook
shows :func:`question`, the student types an answer, and :func:`check` returns a
:class:`Feedback` (``ok``, a message, a hint). Instructors can call :func:`answer`.

>>> from ldn_analysis.teaching.exercises import check, question   # doctest: +SKIP
>>> print(question("rule_of_three", ev))                  # doctest: +SKIP
>>> check("rule_of_three", 6.1, ev)                       # doctest: +SKIP
Feedback(ok=True, ...)

Parameters that a notebook wants to fix (``condition="fibromyalgia"``, ``n=49``) are
passed as keyword arguments to all three functions; otherwise each exercise picks its
numbers from the data with a documented, deterministic rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ldn_analysis.claims import (
    evaluate_claim,
    is_randomized,
    parse_args,
    rule_of_three_bound,
    text_col,
    wald,
    wilson_interval,
)
from ldn_analysis.errors import ChoiceError
from ldn_analysis.teaching.answers import close, compare, fmt_answer
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

__all__ = ["EXERCISES", "Exercise", "Feedback", "answer", "check", "question"]

I2_BANDS = {
    "low": (0.0, 40.0),
    "moderate": (30.0, 60.0),
    "substantial": (50.0, 90.0),
    "considerable": (75.0, 100.0),
}
EGGER_MIN_K = 10


@dataclass(frozen=True)
class Feedback:
    """What a student sees after answering.

    Attributes
    ----------
    ok : bool
        Whether the answer is correct within the exercise's tolerance.
    message : str
        Verdict on the answer, naming a typical mistake when one is recognized.
    hint : str
        A nudge towards the method (empty when the answer is correct).
    """

    ok: bool
    message: str
    hint: str


@dataclass(frozen=True)
class Exercise:
    """One exercise: how to pick its numbers, compute its answer and compare answers.

    Attributes
    ----------
    exercise_id : str
        Registry key.
    question : str
        Template filled with the values returned by ``setup``.
    setup : callable
        ``setup(evidence, **params) -> dict`` choosing the numbers from the data.
    compute_answer : callable
        ``compute_answer(values) -> answer`` using the statistics engine.
    tolerance : float
        Accepted distance from the correct answer (see ``relative``).
    hint : str
        Shown after a wrong answer.
    kind : str
        ``number``, ``interval``, ``pair``, ``choice`` or ``boolean``.
    relative : bool
        Whether ``tolerance`` is a fraction of the correct answer.
    diagnose : callable, optional
        ``diagnose(values, given) -> str`` naming a recognizable mistake.
    explain : callable, optional
        ``explain(values) -> str`` context added after the verdict (e.g. the pooled CI).
    """

    exercise_id: str
    question: str
    setup: Callable[..., dict]
    compute_answer: Callable[[dict], Any]
    tolerance: float
    hint: str
    kind: str
    relative: bool = False
    diagnose: Callable[[dict, Any], str] | None = field(default=None)
    explain: Callable[[dict], str] | None = field(default=None)


# --------------------------------------------------------------------------------------
# Computing the answers (always through the statistics helpers) and diagnosing mistakes.
# --------------------------------------------------------------------------------------


def _ans_rule_of_three(v: dict) -> float:
    return 100 * rule_of_three_bound(v["n"])


def _diag_rule_of_three(v: dict, given: Any) -> str:
    n = v["n"]
    if close(float(given), 100 / n, 0.1 * 100 / n):
        return "That is 1/n; with zero events the 95% upper bound is about 3/n."
    if abs(float(given)) < 1e-9:
        return "Zero observed events do not make the true rate zero; give the upper bound."
    return ""


def _ans_wilson(v: dict) -> tuple[float, float]:
    lo, hi = wilson_interval(v["x"], v["n"])
    return 100 * lo, 100 * hi


def _diag_wilson(v: dict, given: Any) -> str:
    lo, hi = wald(v["x"], v["n"])
    if close(given[0], 100 * lo, 0.5) and close(given[1], 100 * hi, 0.5):
        return (
            f"That is the Wald interval ({100 * lo:.1f}% to {100 * hi:.1f}%); with few events "
            "it is too narrow and can even go below 0%. Use the Wilson score interval."
        )
    return ""


def _ans_count_rcts(v: dict) -> int:
    s = exercise_studies(v["evidence"])
    if s.empty:
        return 0
    sel = s[text_col(s, "condition") == v["condition"]]
    return int(is_randomized(sel).sum())


def _ans_direction(v: dict) -> str:
    if v["ci_low"] > 0:
        return "favours_ldn"
    if v["ci_high"] < 0:
        return "favours_control"
    return "inconclusive"


def _diag_direction(v: dict, given: Any) -> str:
    if _ans_direction(v) == "inconclusive" and given in ("favours_ldn", "favours_control"):
        return (
            "The point estimate leans one way, but its 95% confidence interval includes 0, "
            "so the data do not show which treatment is better."
        )
    if given == "inconclusive":
        return "Check whether the 95% confidence interval really includes 0."
    return ""


def _ans_i2(v: dict) -> tuple[str, ...]:
    return tuple(b for b, (lo, hi) in I2_BANDS.items() if lo <= v["i2"] <= hi)


def _ans_egger(v: dict) -> bool:
    return v["k"] >= EGGER_MIN_K


def _ans_crossover(v: dict) -> tuple[int, int]:
    return v["cx_ldn"], v["px_ldn"] + v["px_ctrl"]


def _diag_crossover(v: dict, given: Any) -> str:
    if int(given[0]) == v["cx_ldn"] + v["cx_ctrl"]:
        return (
            "In a crossover every participant takes both LDN and placebo, so n_ldn and "
            "n_control are the same people: do not add them."
        )
    return ""


def _ans_claim(v: dict) -> str:
    ev = evaluate_claim(v["evidence"], v["proposition"], parse_args(v["args"]))
    return ev.verdict


def _explain_meta(v: dict) -> str:
    return (
        f"pooled SMD {v['estimate']:+.2f} (95% CI {v['ci_low']:+.2f} to {v['ci_high']:+.2f}, "
        f"k={v['k']}, I2={v['i2']:.0f}%; positive favours LDN)"
    )


EXERCISES: dict[str, Exercise] = {
    "rule_of_three": Exercise(
        "rule_of_three",
        "In {study}, none of the {n} participants on LDN had {event}. What is the approximate "
        "upper limit of the 95% confidence interval for the true rate, in percent?",
        setup_rule_of_three,
        _ans_rule_of_three,
        0.1,
        "With 0 events in n people, the 'rule of three' gives an upper bound of about 3/n.",
        "number",
        relative=True,
        diagnose=_diag_rule_of_three,
    ),
    "wilson_vs_wald": Exercise(
        "wilson_vs_wald",
        "In {study}, {x} of {n} participants on LDN reported {event}. Give the 95% Wilson "
        "score interval for the proportion, as (lower %, upper %).",
        setup_wilson,
        _ans_wilson,
        0.5,
        "The Wilson interval is centred on (x + z^2/2)/(n + z^2), not on x/n; unlike the "
        "Wald interval it stays inside 0-100% for small counts.",
        "interval",
        diagnose=_diag_wilson,
    ),
    "count_rcts": Exercise(
        "count_rcts",
        "How many randomized controlled trials (any comparator) of LDN for {condition} are "
        "in the evidence base?",
        setup_count_rcts,
        _ans_count_rcts,
        0,
        "Filter studies by condition and keep designs rct_parallel / rct_crossover (or "
        "randomized = true); single-blind, open-label and case reports do not count.",
        "number",
    ),
    "pooled_direction": Exercise(
        "pooled_direction",
        "Pool the placebo-controlled randomized pain results for {condition} (k={k}: "
        "{studies}) with a random-effects model. Does the pooled estimate favour LDN, "
        "favour the control, or is it inconclusive (95% CI includes 0)? Answer "
        "'favours_ldn', 'favours_control' or 'inconclusive'.",
        setup_meta,
        _ans_direction,
        0,
        "Look at the whole 95% CI, not only the point estimate; here a positive "
        "standardized difference favours LDN (pain scores were sign-flipped because lower "
        "is better).",
        "choice",
        diagnose=_diag_direction,
        explain=_explain_meta,
    ),
    "i2_interpretation": Exercise(
        "i2_interpretation",
        "The pain meta-analysis for {condition} (k={k}) has I2 = {i2:.0f}%. Using the "
        "Cochrane Handbook's rough guide, is the heterogeneity low, moderate, substantial "
        "or considerable?",
        setup_meta,
        _ans_i2,
        0,
        "Cochrane's overlapping bands: 0-40% might not be important (low), 30-60% "
        "moderate, 50-90% substantial, 75-100% considerable.",
        "choice",
        explain=_explain_meta,
    ),
    "egger_appropriate": Exercise(
        "egger_appropriate",
        "The meta-analysis for {condition} pools k={k} studies. Is Egger's regression test "
        "for funnel-plot asymmetry appropriate? Answer yes or no.",
        setup_egger,
        _ans_egger,
        0,
        f"Tests for funnel-plot asymmetry are only advised with at least {EGGER_MIN_K} "
        "studies; with fewer they have too little power to tell asymmetry from chance.",
        "boolean",
    ),
    "crossover_vs_parallel_n": Exercise(
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
    "claim_verdict": Exercise(
        "claim_verdict",
        "Claim {claim_id}: '{claim_text}'. Is it supported, overstated, contradicted or "
        "not_testable against the evidence base?",
        setup_claim,
        _ans_claim,
        0,
        "Look at the trial's design and its primary result (estimate, CI, p value) before "
        "the authors' or the press's wording.",
        "choice",
    ),
}


def _exercise(exercise_id: str) -> Exercise:
    if exercise_id not in EXERCISES:
        raise ChoiceError("exercise", exercise_id, sorted(EXERCISES))
    return EXERCISES[exercise_id]


def question(exercise_id: str, evidence: Any, **params: Any) -> str:
    """Return the question text with the numbers chosen from ``evidence``.

    Parameters
    ----------
    exercise_id : str
        Key of :data:`EXERCISES`.
    evidence : Evidence
        The loaded evidence base (``ldn_analysis.data.load_evidence()``).
    **params
        Optional fixed values (``condition=``, ``n=``, ``x=``, ``k=``, ``claim_id=``...).
    """
    ex = _exercise(exercise_id)
    values = ex.setup(evidence, **params)
    return ex.question.format(**values)


def answer(exercise_id: str, evidence: Any, **params: Any) -> Any:
    """Return the correct answer, computed now from the data (instructor mode)."""
    ex = _exercise(exercise_id)
    return ex.compute_answer(ex.setup(evidence, **params))


def check(exercise_id: str, answer: Any, evidence: Any, reveal: bool = False, **params) -> Feedback:
    """Check a student's answer against the answer computed now from the data.

    Parameters
    ----------
    exercise_id : str
        Key of :data:`EXERCISES`.
    answer : object
        The student's answer: a number, a pair ``(low, high)`` / ``{"low":, "high":}``,
        a choice string or yes/no, depending on the exercise.
    evidence : Evidence
        The loaded evidence base.
    reveal : bool, optional
        Show the correct answer in the message when the answer is wrong (instructor
        mode). Default False.
    **params
        The same fixed values given to :func:`question`.

    Returns
    -------
    Feedback
        ``ok`` plus a message and, when wrong, a hint.
    """
    ex = _exercise(exercise_id)
    values = ex.setup(evidence, **params)
    expected = ex.compute_answer(values)
    try:
        ok, note, given = compare(ex, expected, answer)
    except (TypeError, ValueError, KeyError) as exc:
        return Feedback(
            False,
            f"Could not read the answer {answer!r} as a {ex.kind} answer ({exc}).",
            ex.hint,
        )
    context = f" Context: {ex.explain(values)}." if ex.explain is not None else ""
    if ok:
        return Feedback(True, f"Correct: {fmt_answer(expected)}{note}.{context}", "")
    message = "Not quite."
    if ex.diagnose is not None:
        diagnosis = ex.diagnose(values, given)
        if diagnosis:
            message += " " + diagnosis
    if reveal:
        message += f" The answer computed from the data is {fmt_answer(expected)}.{context}"
    return Feedback(False, message, ex.hint)

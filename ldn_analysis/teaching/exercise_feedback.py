"""Exercises: show a question, check ``my_answer``, and explain the answer from the data.

:func:`ask` shows a question of :mod:`ldn_analysis.exercises`, :func:`feedback` checks the
student's ``my_answer`` with :func:`ldn_analysis.exercises.check` and shows the verdict and
a hint (or "no answer yet" while ``my_answer`` is None); in ``instructor`` mode it also
shows :func:`solution_text`, the answer computed from the data with its reasoning. Every
teaching notebook uses these.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

import ldn_analysis.teaching.exercises as X
from ldn_analysis import claims as C
from ldn_analysis import vocab
from ldn_analysis.claims import wald
from ldn_analysis.errors import ChoiceError
from ldn_analysis.stats.inference import Z95
from ldn_analysis.stats.proportions import clopper_pearson
from ldn_analysis.teaching.answers import fmt_answer
from ldn_analysis.text.display import show_text
from ldn_analysis.text.format import pct
from ldn_analysis.vocab import MODES, RANDOMIZED_DESIGNS

SOLUTION_HEADING = "Solution (instructor mode)"

TITLES = {
    "rule_of_three": "zero events",
    "wilson_vs_wald": "an interval for few events",
    "count_rcts": "counting randomized trials",
    "pooled_direction": "reading the pooled estimate",
    "i2_interpretation": "how much do the studies disagree?",
    "egger_appropriate": "is Egger's test appropriate?",
    "crossover_vs_parallel_n": "how many people were compared?",
    "claim_verdict": "what is the claim worth?",
}

ANSWER_FORMATS = {
    "number": "a number, without the % sign: my_answer = then the number",
    "interval": "two numbers in brackets, lower then upper: my_answer = (lower, upper)",
    "pair": "two whole numbers in brackets: my_answer = (crossover, parallel)",
    "choice": 'one of the words offered in the question, in quotes: my_answer = "word"',
    "boolean": 'my_answer = "yes" or my_answer = "no"',
}


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ChoiceError("mode", mode, MODES)


def _exercise(exercise_id: str) -> X.Exercise:
    if exercise_id not in X.EXERCISES:
        raise ChoiceError("exercise", exercise_id, sorted(X.EXERCISES))
    return X.EXERCISES[exercise_id]


def exercise_values(exercise_id: str, evidence: Any, **params: Any) -> dict:
    """Return the numbers an exercise picked from the data (its ``setup`` values)."""
    return _exercise(exercise_id).setup(evidence, **params)


def ask(exercise_id: str, evidence: Any, **params: Any) -> None:
    """Show an exercise's question (numbers chosen from the data) and the answer format."""
    ex = _exercise(exercise_id)
    text = X.question(exercise_id, evidence, **params)
    fmt = ANSWER_FORMATS.get(ex.kind, "")
    show_text(
        f"{text}\n\nWrite your answer in the next cell as {fmt}.",
        heading=f"Exercise: {TITLES.get(exercise_id, exercise_id.replace('_', ' '))}",
    )


def feedback_text(
    exercise_id: str, answer: Any, evidence: Any, mode: str = "student", **params: Any
) -> str:
    """Return the feedback on ``answer`` (None = not answered yet), without the solution.

    Parameters
    ----------
    exercise_id : str
        Key of :data:`ldn_analysis.exercises.EXERCISES`.
    answer : object or None
        The student's ``my_answer``; None gives "no answer yet" and the hint.
    evidence : Evidence
        The evidence base.
    mode : {"student", "instructor"}
        In instructor mode a wrong answer's message names the correct one.
    **params
        The same fixed values given to :func:`ask`.
    """
    _check_mode(mode)
    ex = _exercise(exercise_id)
    if answer is None:
        return (
            "No answer yet: write it in my_answer in the cell above, then run that cell and "
            f"this one again.\n\nHint: {ex.hint}"
        )
    fb = X.check(exercise_id, answer, evidence, reveal=mode == "instructor", **params)
    return fb.message + (f"\n\nHint: {fb.hint}" if fb.hint else "")


def feedback(
    exercise_id: str, answer: Any, evidence: Any, mode: str = "student", **params: Any
) -> None:
    """Show the feedback on ``answer``; in instructor mode also the worked solution.

    The check itself is :func:`ldn_analysis.exercises.check` (answers computed from the
    data at check time); see :func:`feedback_text` and :func:`solution_text`.
    """
    show_text(feedback_text(exercise_id, answer, evidence, mode, **params), heading="Feedback")
    if mode == "instructor":
        show_text(solution_text(exercise_id, evidence, **params), heading=SOLUTION_HEADING)


def solution_text(exercise_id: str, evidence: Any, **params: Any) -> str:
    """Return the answer computed from the data and the reasoning that leads to it."""
    ex = _exercise(exercise_id)
    values = ex.setup(evidence, **params)
    expected = ex.compute_answer(values)
    reasoning = _REASONING[exercise_id](values, expected, evidence)
    return f"Answer: {fmt_answer(expected)}.\n\n{reasoning}"


def model_answer(exercise_id: str, evidence: Any, **params: Any) -> Any:
    """Return a correct answer written as a student would type it (computed from the data).

    Choices accepted in several bands give the first; yes/no answers are "yes"/"no".
    """
    value = X.answer(exercise_id, evidence, **params)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple) and value and all(isinstance(v, str) for v in value):
        return value[0]
    return value


def _why_rule_of_three(v: dict, ans: float, _ev: Any) -> str:
    n = v["n"]
    exact = 1 - 0.05 ** (1 / n)
    cp_high = float(clopper_pearson(0, n)[1])
    return (
        f"None of the {n} participants on LDN in {v['study']} had {v['event']}. With zero events "
        f"the upper limit of the 95% confidence interval is about 3/n = 3/{n} = {ans:.1f}%. "
        f"The exact one-sided bound 1 - 0.05^(1/n) gives {pct(exact)} and the two-sided "
        f"Clopper-Pearson upper limit {pct(cp_high)}. Zero observed events are compatible "
        "with a true rate of several percent: absence of evidence is not evidence of absence."
    )


def _why_wilson(v: dict, ans: tuple[float, float], _ev: Any) -> str:
    x, n = v["x"], v["n"]
    centre = (x + Z95**2 / 2) / (n + Z95**2)
    lo, hi = wald(x, n)
    below = " (below 0%, impossible for a proportion)" if lo < 0 else ""
    return (
        f"{x} of {n} is {pct(x / n)}. The Wilson interval is centred on "
        f"(x + z^2/2)/(n + z^2) = {pct(centre)}, pulled towards 50%, and runs from "
        f"{ans[0]:.1f}% to {ans[1]:.1f}%. The Wald interval p +/- z*sqrt(p(1-p)/n) would give "
        f"{pct(lo)} to {pct(hi)}{below}: with so few events it is too narrow and "
        "misplaced."
    )


def _randomized_ids(evidence: Any, condition: str) -> pd.DataFrame:
    s = evidence.studies
    s = s[s["condition"] == condition]
    rand = s["design"].isin(RANDOMIZED_DESIGNS) | s["randomized"].astype(str).str.lower().eq("true")
    return s.assign(_rand=rand.to_numpy())


def _why_count_rcts(v: dict, ans: int, evidence: Any) -> str:
    s = _randomized_ids(evidence, v["condition"])
    rct = s[s["_rand"]]
    other = s[~s["_rand"]]
    listed = ", ".join(f"{r.study_id} ({vocab.design_label(r.design)})" for r in rct.itertuples())
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
        f"Random-effects (REML) pooling of {v['studies']} gives a pooled SMD of "
        f"{v['estimate']:+.2f} with 95% CI {v['ci_low']:+.2f} to {v['ci_high']:+.2f} "
        f"(positive favours LDN). The interval {where}, so the answer is {ans}; the sign of "
        "the point estimate alone decides nothing."
    )


def _why_i2(v: dict, ans: tuple[str, ...], _ev: Any) -> str:
    bands = "; ".join(f"{b} {lo:g}-{hi:g}%" for b, (lo, hi) in X.I2_BANDS.items())
    return (
        f"I2 = {v['i2']:.0f}% from k = {v['k']} studies falls in the band(s): "
        f"{', '.join(ans)} (Cochrane's overlapping bands: {bands}). With so few studies I2 "
        "itself is very uncertain; read it with its confidence interval and with tau2."
    )


def _why_egger(v: dict, ans: bool, _ev: Any) -> str:
    return (
        f"The analysis pools k = {v['k']} studies; tests for funnel-plot asymmetry are "
        f"advised only with at least {X.EGGER_MIN_K}. So: {'yes' if ans else 'no'}. With "
        "fewer studies the test cannot tell asymmetry from chance."
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
    sources = ", ".join(ev.deciding_sources) or "none"
    return (
        f"Rule '{v['proposition']}' gives {ans}. The numbers that decided it: "
        f"{ev.deciding_numbers}. Why: {ev.explanation} Sources: {sources}."
    )


_REASONING = {
    "rule_of_three": _why_rule_of_three,
    "wilson_vs_wald": _why_wilson,
    "count_rcts": _why_count_rcts,
    "pooled_direction": _why_direction,
    "i2_interpretation": _why_i2,
    "egger_appropriate": _why_egger,
    "crossover_vs_parallel_n": _why_crossover,
    "claim_verdict": _why_claim,
}

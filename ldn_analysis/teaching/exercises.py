"""Answer checking for the teaching notebooks.

Every exercise takes its numbers from the evidence base (or from a seeded simulation) and
computes the correct answer with the bundle's statistics at check time; nothing here
stores an answer. A notebook shows :func:`question`, the student types an answer, and
:func:`check` returns a :class:`Feedback`. Instructors can call :func:`answer`.

Feedback always starts with "You answered ...". An answer that is not one of the allowed
words is never graded on content: the feedback lists the options. Slips (a fraction for a
percent, reversed bounds) are read by :mod:`.answers`, the one place that handles them. A
wrong choice is answered with the distinction behind it, and the caveat the instructor's
solution carries is part of the feedback on a right answer too.
"""

from __future__ import annotations

from typing import Any

from ldn_analysis.errors import ChoiceError
from ldn_analysis.teaching.answers import NotAnOption, compare, echo, fmt_answer, read_answer
from ldn_analysis.teaching.exercise_defs import DEFINITIONS
from ldn_analysis.teaching.exercise_types import Exercise, Feedback

__all__ = ["EXERCISES", "Exercise", "Feedback", "answer", "check", "options", "question"]


EXERCISES: dict[str, Exercise] = {d.exercise_id: d for d in DEFINITIONS}


def _exercise(exercise_id: str) -> Exercise:
    if exercise_id not in EXERCISES:
        raise ChoiceError("exercise", exercise_id, sorted(EXERCISES))
    return EXERCISES[exercise_id]


def _options(ex: Exercise, values: dict) -> tuple[str, ...]:
    if ex.kind == "boolean":
        return ("yes", "no")
    return tuple(ex.options(values) if callable(ex.options) else ex.options)


def options(exercise_id: str, evidence: Any, **params: Any) -> tuple[str, ...]:
    """Return the allowed words of a choice or yes/no exercise (empty for numbers)."""
    ex = _exercise(exercise_id)
    return _options(ex, ex.setup(evidence, **params))


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
    text = ex.question.format(**values)
    opts = _options(ex, values)
    if ex.kind == "choice" and opts:
        text += " Options: " + ", ".join(f'"{o}"' for o in opts) + "."
    return text


def answer(exercise_id: str, evidence: Any, **params: Any) -> Any:
    """Return the correct answer, computed now from the data (instructor mode)."""
    ex = _exercise(exercise_id)
    return ex.compute_answer(ex.setup(evidence, **params))


def _tolerance(ex: Exercise, expected: Any) -> float:
    if ex.relative:
        return ex.tolerance * abs(float(expected))
    return ex.tolerance


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
        Name the correct answer when the answer is wrong (instructor mode).
    **params
        The same fixed values given to :func:`question`.

    Returns
    -------
    Feedback
        ``ok`` plus a message starting "You answered ..." and, when wrong, a hint.
    """
    ex = _exercise(exercise_id)
    values = ex.setup(evidence, **params)
    expected = ex.compute_answer(values)
    opts = _options(ex, values)
    said = f"You answered {echo(answer)}."
    tol = _tolerance(ex, expected[0] if isinstance(expected, tuple) else expected)
    try:
        reading = read_answer(ex.kind, answer, expected, tol, opts)
    except NotAnOption:
        listed = ", ".join(f'"{o}"' for o in opts)
        return Feedback(
            False,
            f"{said} That is not one of the options, so it was not graded. Answer with one "
            f"of: {listed}.",
            "",
            readable=False,
        )
    except (TypeError, ValueError, KeyError, IndexError) as exc:
        return Feedback(
            False, f"{said} It could not be read as {_KIND_WORDS[ex.kind]} ({exc}).", "", False
        )
    ok = compare(ex.kind, expected, reading, tol)
    note = f" ({reading.note})" if reading.note else ""
    caveat = f" {ex.caveat(values)}" if ex.caveat is not None else ""
    if ok:
        return Feedback(True, f"{said} Correct{note}: {fmt_answer(expected)}.{caveat}", "")
    message = f"{said} Not right{note}."
    if ex.diagnose is not None:
        diagnosis = ex.diagnose(values, reading.value)
        if diagnosis:
            message += " " + diagnosis
    if reveal:
        message += f" The answer computed from the data is {fmt_answer(expected)}.{caveat}"
    return Feedback(False, message, ex.hint)


_KIND_WORDS = {
    "number": "a number",
    "interval": "an interval (lower, upper)",
    "pair": "two whole numbers (crossover, parallel)",
    "boolean": "yes or no",
    "choice": "one of the options",
}

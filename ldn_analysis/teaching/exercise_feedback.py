"""Exercises in a notebook: ask, check ``my_answer``, reveal what answers it, explain.

- :func:`ask` shows a question and a blank answer line (on a static page) or how to
  answer (in JupyterLab).
- :func:`feedback` checks ``my_answer`` with :func:`.exercises.check`. It never grades a
  stale value: an answer cell that failed (a SyntaxError) or has not run since the question
  was shown is reported, not graded (:func:`answer_cell_status`, a per-execution record
  kept by an IPython ``post_run_cell`` hook). In ``instructor`` mode it also shows
  :func:`solution_text`.
- :func:`unlocked` guards a cell that would give the answer away (a table, a caption, a
  verdict): it is True in instructor mode or once the answer is right, also under Run All.

A page built by the report runner is executed by papermill, which injects a cell that
starts with ``# Parameters``; :func:`executed_as_page` looks for it, so a static page says
nothing about cells the reader cannot see.
"""

from __future__ import annotations

import re
from typing import Any

from IPython import get_ipython

import ldn_analysis.teaching.exercises as X
from ldn_analysis.errors import ChoiceError
from ldn_analysis.stats.proportions import wilson
from ldn_analysis.teaching.answers import echo, fmt_answer
from ldn_analysis.teaching.exercise_reasons import REASONING
from ldn_analysis.teaching.summary_of_findings import TITLES as SOF_TITLES
from ldn_analysis.text.display import show_text
from ldn_analysis.vocab import MODES

SOLUTION_HEADING = "Solution (instructor mode)"
HIDDEN_TEXT = "Hidden until the answer above is right (the instructor version shows it)."
BLANK_LINE = "Your answer: ______________________________"
NOT_ANSWERED = (
    "No answer yet: replace None in my_answer in the cell above, run that cell, then run this one."
)

TITLES = {
    "rule_of_three": "zero events",
    "wilson_vs_wald": "an interval for few events",
    "harm_difference": "what does LDN add to the adverse events?",
    "count_rcts": "counting randomized trials",
    "pooled_direction": "reading the pooled estimate",
    "i2_interpretation": "how much do the studies disagree?",
    "egger_appropriate": "is Egger's test appropriate?",
    "crossover_vs_parallel_n": "how many people were compared?",
    "claim_verdict": "what is the claim worth?",
    "regression_to_mean": "improvement without treatment",
    "multiplicity": "many outcomes, one drug that does nothing",
    "unpublished_registrations": "registered, finished, never published?",
    "risk_of_bias_overall": "how far can the trial's result be trusted?",
    **SOF_TITLES,
}

ANSWER_FORMATS = {
    "number": "a number (percent without the % sign): my_answer = 12.5",
    "interval": "two numbers in brackets, lower then upper: my_answer = (lower, upper)",
    "pair": "two whole numbers in brackets: my_answer = (crossover, parallel)",
    "choice": 'one of the options, in quotes: my_answer = "option"',
    "boolean": 'my_answer = "yes" or my_answer = "no"',
}

_ANSWER_CELL = re.compile(r"^\s*my_answer\s*=", re.M)
_STATE: dict[str, Any] = {"asked": {}, "answer": None, "hooked": set()}


def _shell():
    return get_ipython()


def _after_cell(result: Any) -> None:
    raw = getattr(result.info, "raw_cell", "") or ""
    if _ANSWER_CELL.search(raw):
        err = result.error_before_exec or result.error_in_exec
        _STATE["answer"] = {
            "count": result.execution_count,
            "ok": err is None,
            "error": "" if err is None else f"{type(err).__name__}: {err}",
        }


def _track(shell: Any) -> None:
    if shell is not None and id(shell) not in _STATE["hooked"]:
        shell.events.register("post_run_cell", _after_cell)
        _STATE["hooked"].add(id(shell))


def executed_as_page() -> bool:
    """Return whether this kernel runs a page build (papermill's injected parameters cell)."""
    shell = _shell()
    if shell is None:
        return False
    return any(str(src).startswith("# Parameters") for src in shell.user_ns.get("In", []))


def answer_cell_status(exercise_id: str) -> str:
    """Return why ``my_answer`` must not be graded now ("" when it may be).

    Outside IPython (a script, a test calling the functions) there is no record: "".
    """
    shell = _shell()
    if shell is None:
        return ""
    run, asked = _STATE["answer"], _STATE["asked"].get(exercise_id)
    if run is not None and not run["ok"]:
        return (
            f"The answer cell stopped with {run['error']}, so my_answer still holds an "
            "earlier value and nothing was graded. Fix the cell, run it, then run this one."
        )
    if asked is not None and (run is None or run["count"] < asked):
        return (
            "The answer cell has not run since this question was shown, so my_answer may "
            "hold an earlier exercise's answer; nothing was graded. Run the answer cell, then "
            "this one."
        )
    return ""


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


def wilson_percent(x: int, n: int) -> tuple[float, float]:
    """Return the 95% Wilson score interval of ``x`` events in ``n``, in percent (rounded)."""
    lo, hi = wilson(x, n)
    return round(100 * float(lo), 1), round(100 * float(hi), 1)


def ask(exercise_id: str, evidence: Any, **params: Any) -> None:
    """Show an exercise's question (numbers chosen from the data) and how to answer it."""
    ex = _exercise(exercise_id)
    text = X.question(exercise_id, evidence, **params)
    shell = _shell()
    _track(shell)
    if shell is not None:
        _STATE["asked"][exercise_id] = shell.execution_count
    how = (
        BLANK_LINE
        if executed_as_page()
        else f"Write your answer in the next cell as {ANSWER_FORMATS[ex.kind]}."
    )
    show_text(f"{text}\n\n{how}", heading=f"Exercise: {TITLES.get(exercise_id, exercise_id)}")


def feedback_text(
    exercise_id: str, answer: Any, evidence: Any, mode: str = "student", **params: Any
) -> str:
    """Return the feedback on ``answer`` (None = not answered yet), without the solution.

    Parameters
    ----------
    exercise_id : str
        Key of :data:`ldn_analysis.teaching.exercises.EXERCISES`.
    answer : object or None
        The student's ``my_answer``; None gives :data:`NOT_ANSWERED` in a notebook and ""
        on a static page.
    evidence : Evidence
        The evidence base.
    mode : {"student", "instructor"}
        In instructor mode a wrong answer's message names the correct one.
    **params
        The same fixed values given to :func:`ask`.
    """
    _check_mode(mode)
    _exercise(exercise_id)
    stale = answer_cell_status(exercise_id)
    if stale:
        return f"You answered {echo(answer)} earlier. {stale}" if answer is not None else stale
    if answer is None:  # a static page already shows the blank answer line under the question
        return "" if executed_as_page() else NOT_ANSWERED
    fb = X.check(exercise_id, answer, evidence, reveal=mode == "instructor", **params)
    return fb.message + (f"\n\nHint: {fb.hint}" if fb.hint else "")


def feedback(
    exercise_id: str, answer: Any, evidence: Any, mode: str = "student", **params: Any
) -> None:
    """Show the feedback on ``answer``; in instructor mode also the worked solution.

    On a static page with no answer nothing is shown (the question has the blank line).
    """
    text = feedback_text(exercise_id, answer, evidence, mode, **params)
    if text:
        show_text(text, heading="Feedback")
    if mode == "instructor":
        show_text(solution_text(exercise_id, evidence, **params), heading=SOLUTION_HEADING)


def is_right(exercise_id: str, answer: Any, evidence: Any, **params: Any) -> bool:
    """Return whether ``answer`` is right and was set by an answer cell that ran cleanly."""
    if answer is None or answer_cell_status(exercise_id):
        return False
    return X.check(exercise_id, answer, evidence, **params).ok


def unlocked(
    exercise_id: str, answer: Any, evidence: Any, mode: str = "student", **params: Any
) -> bool:
    """Return whether to show what answers an exercise; say that it is hidden when not.

    True in instructor mode, or when ``answer`` is right. Use it as
    ``if ldn.teaching.unlocked("rule_of_three", my_answer, evidence, p.mode): ...``.
    """
    _check_mode(mode)
    if mode == "instructor" or is_right(exercise_id, answer, evidence, **params):
        return True
    show_text(HIDDEN_TEXT)
    return False


def solution_text(exercise_id: str, evidence: Any, **params: Any) -> str:
    """Return the answer computed from the data, the reasoning, and the exercise's caveat."""
    ex = _exercise(exercise_id)
    values = ex.setup(evidence, **params)
    expected = ex.compute_answer(values)
    reasoning = REASONING[exercise_id](values, expected, evidence)
    caveat = f"\n\nCaveat: {ex.caveat(values)}" if ex.caveat is not None else ""
    return f"Answer: {fmt_answer(expected)}.\n\n{reasoning}{caveat}"


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

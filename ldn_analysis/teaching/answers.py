"""Reading a student's answer: numbers, proportions, intervals, yes/no and named choices.

:func:`compare` turns what a student typed into the exercise's kind of answer and says
whether it matches the answer computed from the data; :func:`fmt_answer` writes an answer
back in words. Kept apart from the exercise definitions so that every exercise treats the
same slip (a fraction for a percent, "favors" for "favours") the same way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


def close(a: float, b: float, tol: float) -> bool:
    """Return whether ``a`` is within ``tol`` of ``b``."""
    return abs(float(a) - float(b)) <= tol + 1e-12


_YES = {"yes", "y", "true", "t", "1"}
_NO = {"no", "n", "false", "f", "0"}
_ALIASES = {
    "ldn": "favours_ldn",
    "favors_ldn": "favours_ldn",
    "favours_ldn": "favours_ldn",
    "ldn_better": "favours_ldn",
    "control": "favours_control",
    "placebo": "favours_control",
    "favors_control": "favours_control",
    "favours_control": "favours_control",
    "favours_placebo": "favours_control",
    "favors_placebo": "favours_control",
    "not testable": "not_testable",
    "unclear": "inconclusive",
    "neither": "inconclusive",
    "no_difference": "inconclusive",
    "ci_includes_0": "inconclusive",
}


def _norm_choice(given: Any) -> str:
    text = str(given).strip().lower().replace("-", "_")
    text = _ALIASES.get(text, text)
    return _ALIASES.get(text.replace(" ", "_"), text.replace(" ", "_"))


def _pair(given: Any, keys: tuple[str, str]) -> tuple[float, float]:
    if isinstance(given, Mapping):
        return float(given[keys[0]]), float(given[keys[1]])
    a, b = given
    return float(a), float(b)


def fmt_answer(value: Any) -> str:
    """Write an answer in words (yes/no, "a or b", two decimals)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return " or ".join(value)
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, tuple):
        return "(" + ", ".join(fmt_answer(v) for v in value) + ")"
    return str(value)


def compare(ex: Any, expected: Any, given: Any) -> tuple[bool, str, Any]:
    """Return (correct?, a note for the student, the answer as read) for one exercise."""
    if ex.kind == "number":
        value = float(given)
        if math.isnan(value):
            raise ValueError("not a number")
        tol = ex.tolerance * abs(expected) if ex.relative else ex.tolerance
        if close(value, expected, tol):
            return True, "", value
        if 0 < value < 1 <= expected and close(100 * value, expected, tol):
            return True, " (read as a proportion; give percent next time)", value
        return False, "", value
    if ex.kind in ("interval", "pair"):
        pair = _pair(given, ("low", "high") if ex.kind == "interval" else ("crossover", "parallel"))
        ok = all(close(g, e, ex.tolerance) for g, e in zip(pair, expected, strict=True))
        return ok, "", pair
    if ex.kind == "boolean":
        text = str(given).strip().lower()
        if isinstance(given, bool):
            value = given
        elif text in _YES:
            value = True
        elif text in _NO:
            value = False
        else:
            raise ValueError("answer yes or no")
        return value == expected, "", value
    choice = _norm_choice(given)
    accepted = expected if isinstance(expected, tuple) else (expected,)
    note = f" (any of: {', '.join(accepted)})" if len(accepted) > 1 else ""
    return choice in accepted, note, choice

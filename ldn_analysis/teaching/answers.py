"""Reading a student's answer: numbers, proportions, intervals, yes/no and named choices.

This module is the one place where a slip is forgiven or named, so every exercise treats
the same slip the same way:

- **fraction for a percent** (``0.061`` for ``6.1``): read as ``6.1%``, accepted, and the
  note says so;
- **reversed bounds** (``(upper, lower)``): read in order, accepted, and the note says so;
- **a word that is not an option** (``"maybe"`` where the options are ``supported`` ...):
  never graded on content; the feedback lists the options;
- spelling variants (``favors``, ``Not testable``, ``not-testable``) are read as the option.

:func:`read_answer` turns what a student typed into the exercise's kind of answer (a
:class:`Reading`), :func:`compare` says whether it matches the answer computed from the
data, and :func:`fmt_answer` writes an answer back in words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

FRACTION_NOTE = "read as a fraction ({given:g} = {percent:g}%); give percent next time"
REVERSED_NOTE = "you gave the upper bound first; read as ({low:g}, {high:g})"


class NotAnOption(ValueError):
    """The answer is a word that is not one of the exercise's options."""


def close(a: float, b: float, tol: float) -> bool:
    """Return whether ``a`` is within ``tol`` of ``b``."""
    return abs(float(a) - float(b)) <= tol + 1e-12


_YES = {"yes", "y", "true", "t"}
_NO = {"no", "n", "false", "f"}
_ALIASES = {
    "ldn": "favours_ldn",
    "favors_ldn": "favours_ldn",
    "ldn_better": "favours_ldn",
    "control": "favours_control",
    "placebo": "favours_control",
    "favors_control": "favours_control",
    "favours_placebo": "favours_control",
    "favors_placebo": "favours_control",
    "nottestable": "not_testable",
    "untestable": "not_testable",
}


@dataclass(frozen=True)
class Reading:
    """An answer as read: the value compared, and a note naming any slip that was forgiven."""

    value: Any
    note: str = ""


def norm_choice(given: Any) -> str:
    """Normalize a typed word: case, spaces and hyphens to underscores, spelling variants."""
    text = "_".join(str(given).strip().lower().replace("-", " ").split())
    return _ALIASES.get(text, text)


def _number(given: Any) -> float:
    if isinstance(given, bool) or isinstance(given, str) and not given.strip():
        raise ValueError("expected a number")
    value = float(str(given).strip().rstrip("%")) if isinstance(given, str) else float(given)
    if math.isnan(value) or math.isinf(value):
        raise ValueError("not a finite number")
    return value


def _pair(given: Any, keys: tuple[str, str]) -> tuple[float, float]:
    if isinstance(given, Mapping):
        return _number(given[keys[0]]), _number(given[keys[1]])
    if isinstance(given, str) or not isinstance(given, Sequence) or len(given) != 2:
        raise ValueError("expected two numbers in brackets, e.g. (1, 2)")
    return _number(given[0]), _number(given[1])


def _percent(value: float, expected: float, tol: float) -> tuple[float, str]:
    """Apply the fraction-for-percent rule to one number."""
    if 0 < abs(value) <= 1 and abs(expected) > 1 and close(100 * value, expected, tol):
        return 100 * value, FRACTION_NOTE.format(given=value, percent=round(100 * value, 4))
    return value, ""


def read_answer(kind: str, given: Any, expected: Any, tol: float, options: Sequence[str] = ()):
    """Return the :class:`Reading` of ``given`` for an exercise of ``kind``.

    Raises
    ------
    NotAnOption
        A choice that is not one of ``options``.
    ValueError, TypeError, KeyError
        An answer that cannot be read as this kind (the message says what was expected).
    """
    if kind == "number":
        value = _number(given)
        if isinstance(expected, int) and not isinstance(expected, bool):
            return Reading(value)
        value, note = _percent(value, float(expected), tol)
        return Reading(value, note)
    if kind in ("interval", "pair"):
        keys = ("low", "high") if kind == "interval" else ("crossover", "parallel")
        a, b = _pair(given, keys)
        notes = []
        if kind == "interval":
            if a > b:
                a, b = b, a
                notes.append(REVERSED_NOTE.format(low=a, high=b))
            a, na = _percent(a, expected[0], tol)
            b, nb = _percent(b, expected[1], tol)
            if na or nb:
                notes.append("read as fractions; give percent next time")
        return Reading((a, b), "; ".join(notes))
    if kind == "boolean":
        if isinstance(given, bool):
            return Reading(given)
        text = norm_choice(given)
        if text in _YES:
            return Reading(True)
        if text in _NO:
            return Reading(False)
        raise NotAnOption(text)
    choice = norm_choice(given)
    if options and choice not in options:
        raise NotAnOption(choice)
    return Reading(choice)


def compare(kind: str, expected: Any, reading: Reading, tol: float) -> bool:
    """Return whether a read answer matches the expected one within ``tol``."""
    if kind == "number":
        return close(reading.value, expected, tol)
    if kind in ("interval", "pair"):
        return all(close(g, e, tol) for g, e in zip(reading.value, expected, strict=True))
    accepted = expected if isinstance(expected, tuple) else (expected,)
    return reading.value in accepted


def fmt_answer(value: Any) -> str:
    """Write an answer in words (yes/no, "a or b", numbers with up to two decimals)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return " or ".join(f'"{v}"' for v in value)
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:g}"
    if isinstance(value, tuple):
        return "(" + ", ".join(fmt_answer(v) for v in value) + ")"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def echo(given: Any) -> str:
    """Write what the student typed back, as typed (``"maybe"``, ``(3, 1)``, ``0.06``)."""
    if isinstance(given, str):
        return f'"{given}"'
    if isinstance(given, float):
        return f"{given:g}"
    if isinstance(given, tuple | list):
        return "(" + ", ".join(echo(v) for v in given) + ")"
    return repr(given)

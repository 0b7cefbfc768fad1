"""The two types of the exercises: an :class:`Exercise` and the :class:`Feedback` on an answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Feedback:
    """What a student sees after answering.

    Attributes
    ----------
    ok : bool
        Whether the answer is correct within the exercise's tolerance.
    message : str
        Starts with "You answered ..."; the verdict, the slip forgiven or the distinction
        behind a wrong choice, and the exercise's caveat.
    hint : str
        A nudge towards the method (empty when the answer is correct).
    readable : bool
        False when the answer could not be read (not an option, not a number...).
    """

    ok: bool
    message: str
    hint: str
    readable: bool = True


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
        Shown after a wrong answer (never before an answer is given).
    kind : str
        ``number``, ``interval``, ``pair``, ``choice`` or ``boolean``.
    relative : bool
        Whether ``tolerance`` is a fraction of the correct answer.
    options : tuple or callable, optional
        The allowed words of a ``choice`` exercise (or ``options(values)``).
    diagnose : callable, optional
        ``diagnose(values, given) -> str``: the distinction behind a wrong answer.
    caveat : callable, optional
        ``caveat(values) -> str``: what the answer does not say (shown with every answer).
    """

    exercise_id: str
    question: str
    setup: Callable[..., dict]
    compute_answer: Callable[[dict], Any]
    tolerance: float
    hint: str
    kind: str
    relative: bool = False
    options: tuple[str, ...] | Callable[[dict], tuple[str, ...]] = ()
    diagnose: Callable[[dict, Any], str] | None = field(default=None)
    caveat: Callable[[dict], str] | None = field(default=None)

"""Shared limits, messages and the problem collector of every validation layer."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ldn_analysis.errors import Problem

__all__ = [
    "CORE_TABLES",
    "MAX_PER_CHECK",
    "NAN_INF_TEXT",
    "NUM_TEXT",
    "RESAVE_UTF8",
    "SUPPORTED_TYPES",
    "Collector",
    "file_problem",
    "fmt",
    "plain",
]

#: Problems listed per (check, file, column) before the rest are only counted.
MAX_PER_CHECK = 20

#: Resources every evidence package must have, in report order.
CORE_TABLES = ("studies", "outcomes", "adverse_events", "registrations", "reviews", "conditions")

#: Table Schema field types the evidence base uses.
SUPPORTED_TYPES = ("string", "integer", "number", "boolean")

#: A plain number as written in a cell (digits, sign, decimal point, exponent).
NUM_TEXT = r"\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*"
#: ``NaN`` / ``inf`` written as text: never a number in the evidence base.
NAN_INF_TEXT = re.compile(r"\s*[+-]?(nan|inf|infinity)\s*", re.IGNORECASE)
#: The fix for every encoding problem.
RESAVE_UTF8 = (
    "Re-save the file as UTF-8 (Excel: 'CSV UTF-8'; LibreOffice: character set "
    "'Unicode (UTF-8)'; Python: encoding='utf-8'), or retype the character."
)


def plain(value: Any) -> Any:
    """Return ``value`` as a plain Python scalar (``None`` for blanks)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value


def fmt(value: Any) -> str:
    """Format a cell value for a message (``blank`` for missing values)."""
    value = plain(value)
    return "blank" if value is None else str(value)


def file_problem(file: str, message: str, fix: str) -> Problem:
    """Return a problem about a whole file (no row, column or value)."""
    return Problem(file, None, None, None, message, fix)


class Collector:
    """Gather problems, capping the number listed per check, file and column."""

    def __init__(self, limit: int = MAX_PER_CHECK):
        self.limit = limit
        self.problems: list[Problem] = []

    def add(self, problem: Problem) -> None:
        """Add one problem (never capped)."""
        self.problems.append(problem)

    def add_rows(
        self,
        *,
        file: str,
        column: str | None,
        labels: Sequence[int] | np.ndarray,
        mask: np.ndarray,
        values: pd.Series | Sequence[Any] | np.ndarray | None,
        message: str | Callable[[int], str],
        fix: str | Callable[[int], str],
        what: str,
    ) -> None:
        """Add one problem per failing row (positions where ``mask`` is true).

        ``labels`` are 0-based record numbers (row = label + 1); ``message``/``fix`` are
        strings or callables taking the failing position; ``what`` names the problem in
        the summary line for rows beyond the cap.
        """
        hits = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(hits):
            return
        for pos in hits[: self.limit]:
            msg = message(pos) if callable(message) else message
            fx = fix(pos) if callable(fix) else fix
            if values is None:
                value = None
            elif isinstance(values, pd.Series):
                value = values.iloc[pos]
            else:
                value = values[pos]
            self.problems.append(Problem(file, int(labels[pos]) + 1, column, plain(value), msg, fx))
        rest = len(hits) - self.limit
        if rest > 0:
            fx = fix(hits[0]) if callable(fix) else fix
            self.problems.append(
                Problem(
                    file,
                    None,
                    column,
                    None,
                    f"{rest} more row(s) with the same problem ({what}) not listed",
                    fx,
                )
            )

"""Errors the bundle raises on purpose: each says what is wrong and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass


class LDNError(Exception):
    """Base class: a problem the user can fix, reported without a traceback by the CLI."""

    exit_code = 1

    def _render_traceback_(self) -> list[str]:
        """Show the message alone in IPython/Jupyter (no traceback wall above it)."""
        return [f"{type(self).__name__}: {self}"]


@dataclass(frozen=True)
class Problem:
    """One validation problem: where it is, what was found and how to fix it."""

    file: str
    row: int | None
    column: str | None
    value: object
    message: str
    fix: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        value = "" if self.value is None else f" (value: {self.value!r})"
        return f"{where}: {self.message}{value}. Fix: {self.fix}"


class DataValidationError(LDNError):
    """The evidence base breaks its schema or a cross-table rule.

    ``problems`` lists every problem found (not just the first), each naming file, row
    (1-based data row, header excluded), column, value and the fix.
    """

    exit_code = 1

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        lines = [f"{n} {'problem' if n == 1 else 'problems'} in the evidence base:"]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class ParameterError(LDNError):
    """A report parameter name or value is not valid; the message lists the valid choices."""

    exit_code = 2


class ChoiceError(LDNError, ValueError):
    """An option value (method, test, model...) is unknown; the message lists valid ones."""

    exit_code = 2

    def __init__(self, what: str, value: object, choices):
        self.what, self.value, self.choices = what, value, tuple(choices)
        super().__init__(
            f"unknown {what} {value!r}; choose one of: {', '.join(map(str, self.choices))}"
        )

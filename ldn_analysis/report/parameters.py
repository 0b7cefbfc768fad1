"""The report parameters every notebook may declare, with their types and valid values.

Declared once here (a registry, not ``if`` chains) so the runner validates a parameter
before any kernel starts and the README documents the same list. Choices that depend on
the data (conditions, outcomes) are read from the evidence base when asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from ldn_analysis.errors import ParameterError
from ldn_analysis.vocab import DESIGNS

MODES = ("student", "instructor")


@cache
def _evidence():
    from ldn_analysis.data.evidence import load_evidence

    return load_evidence()


def _conditions() -> Sequence[str]:
    return tuple(_evidence().conditions_present())


def _outcomes() -> Sequence[str]:
    return tuple(_evidence().outcome_ids())


def _methods() -> Sequence[str]:
    from ldn_analysis.stats.rma import METHODS

    return tuple(METHODS)


def _tests() -> Sequence[str]:
    from ldn_analysis.stats.rma import TESTS

    return tuple(TESTS)


def _events() -> Sequence[str]:
    return tuple(sorted(_evidence().adverse_events["event"].dropna().unique()))


@dataclass(frozen=True)
class ParamSpec:
    """A report parameter: its type, meaning and valid values."""

    name: str
    kind: type
    help: str
    choices: Callable[[], Sequence[str]] | None = None
    minimum: float | None = None
    maximum: float | None = None
    expand: bool = False

    def coerce(self, raw: object) -> object:
        """Turn a command-line string (or YAML value) into this parameter's type."""
        try:
            if self.kind is list:
                if isinstance(raw, str):
                    return [v.strip() for v in raw.split(",") if v.strip()]
                return [str(v) for v in raw]  # type: ignore[union-attr]
            if self.kind is bool and isinstance(raw, str):
                if raw.lower() in {"true", "1", "yes"}:
                    return True
                if raw.lower() in {"false", "0", "no"}:
                    return False
                raise ValueError(raw)
            return self.kind(raw)
        except (TypeError, ValueError):
            raise ParameterError(
                f"parameter '{self.name}' expects {self.kind.__name__}, got {raw!r}. {self.help}"
            ) from None

    def check(self, value: object) -> object:
        """Coerce and validate ``value``; raise ParameterError listing the valid choices."""
        value = self.coerce(value)
        if self.choices is not None:
            valid = list(self.choices())
            given = value if isinstance(value, list) else [value]
            bad = [v for v in given if v not in valid]
            if bad:
                raise ParameterError(
                    f"parameter '{self.name}': {', '.join(map(repr, bad))} is not valid. "
                    f"Valid choices: {', '.join(valid)}"
                )
        if self.minimum is not None and value < self.minimum:  # type: ignore[operator]
            raise ParameterError(f"parameter '{self.name}' must be >= {self.minimum}, got {value}")
        if self.maximum is not None and value > self.maximum:  # type: ignore[operator]
            raise ParameterError(f"parameter '{self.name}' must be <= {self.maximum}, got {value}")
        return value


PARAMETERS: dict[str, ParamSpec] = {
    spec.name: spec
    for spec in (
        ParamSpec("condition", str, "Condition id present in the data.", _conditions, expand=True),
        ParamSpec("outcome", str, "Outcome domain (e.g. pain).", _outcomes),
        ParamSpec("method", str, "tau2 estimator for random-effects pooling.", _methods),
        ParamSpec("test", str, "Test/CI method: z (Wald) or knha (Knapp-Hartung).", _tests),
        ParamSpec("designs", list, "Study designs to include (comma-separated).", lambda: DESIGNS),
        ParamSpec("min_n", int, "Smallest number of participants for a study to count.", None, 0),
        ParamSpec("event", str, "Adverse-event category.", _events),
        ParamSpec("rho", float, "Within-person correlation for crossover trials.", None, -1, 1),
        ParamSpec("mode", str, "Teaching mode: student or instructor.", lambda: MODES, expand=True),
    )
}


def validate(declared: dict[str, dict], given: dict[str, object], notebook: str) -> dict:
    """Validate ``given`` parameters against a notebook's declared parameter names.

    Parameters
    ----------
    declared : dict
        ``papermill.inspect_notebook`` output for the notebook.
    given : dict
        Parameter values from the command line or a YAML file.
    notebook : str
        Notebook name, for messages.

    Returns
    -------
    dict
        The coerced, validated values.
    """
    out = {}
    for name, raw in given.items():
        if name not in declared:
            raise ParameterError(
                f"notebook '{notebook}' has no parameter '{name}'. "
                f"Its parameters: {', '.join(sorted(declared)) or '(none)'}"
            )
        spec = PARAMETERS.get(name)
        out[name] = spec.check(raw) if spec else raw
    return out

"""The report parameters every notebook may declare, with their types and valid values.

Declared once here (a registry, not ``if`` chains) so the runner validates a parameter
before any kernel starts and the README documents the same list. Choices that depend on
the data (conditions, outcomes) are read from the evidence base when asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from types import SimpleNamespace

from ldn_analysis.data.evidence import column_values, load_evidence
from ldn_analysis.errors import ParameterError
from ldn_analysis.stats.rma import METHODS, TESTS
from ldn_analysis.text.display import show_text
from ldn_analysis.vocab import DESIGNS, MODES


@cache
def _evidence():
    return load_evidence()


def _conditions() -> Sequence[str]:
    # the conditions with a study (Evidence.conditions_present), without validating the
    # data: an unchanged rebuild plans its condition pages and reuses them all
    return tuple(column_values("studies", "condition"))


def _outcomes() -> Sequence[str]:
    return tuple(_evidence().outcome_ids())


def _methods() -> Sequence[str]:
    return tuple(METHODS)


def _tests() -> Sequence[str]:
    return tuple(TESTS)


def _condition_labels() -> dict[str, str]:
    c = _evidence().conditions
    return dict(zip(c["label"].astype(str), c["id"].astype(str), strict=True))


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
                if isinstance(raw, str):  # "a,b" from the command line; "a" is one item
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

    def canonical(self, value: str, valid: Sequence[str]) -> str:
        """Return the valid choice ``value`` obviously means (case, spaces, a label), else itself."""
        if value in valid:
            return value
        key = value.strip().lower().replace(" ", "_").replace("-", "_")
        by_key = {v.lower(): v for v in valid}
        if key in by_key:
            return by_key[key]
        if self.name == "condition":
            labels = {k.lower(): v for k, v in _condition_labels().items()}
            return labels.get(value.strip().lower(), value)
        return value

    def check(self, value: object) -> object:
        """Coerce and validate ``value``; raise ParameterError listing the valid choices.

        Obvious variants are accepted: any case, spaces for underscores, and a condition's
        label for its id ("Multiple sclerosis" -> ``multiple_sclerosis``).
        """
        value = self.coerce(value)
        if self.choices is not None:
            valid = list(self.choices())
            if isinstance(value, list):
                value = [self.canonical(v, valid) for v in value]
            elif isinstance(value, str):
                value = self.canonical(value, valid)
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
        ParamSpec(
            "condition",
            str,
            "Condition id present in the data, e.g. fibromyalgia (`data check` lists them).",
            _conditions,
            expand=True,
        ),
        ParamSpec("outcome", str, "Outcome domain to pool, e.g. pain, fatigue.", _outcomes),
        ParamSpec(
            "method",
            str,
            "tau² estimator: REML, DL, PM, ML, HE, SJ, or FE (common effect).",
            _methods,
        ),
        ParamSpec(
            "test",
            str,
            "Intervals and tests: z (Wald), t, knha (Knapp-Hartung) or adhoc (Knapp-Hartung, "
            "never narrower than z).",
            _tests,
        ),
        ParamSpec(
            "designs",
            list,
            "Study designs to include (comma-separated on the command line); empty = all.",
            lambda: DESIGNS,
        ),
        ParamSpec(
            "min_n",
            int,
            "Leave out studies with fewer participants (and, when above 0, of unknown size).",
            None,
            0,
        ),
        ParamSpec(
            "event", str, "Adverse event to describe in detail, e.g. any_ae, vivid_dreams.", _events
        ),
        ParamSpec(
            "rho",
            float,
            "Within-person correlation assumed for crossover and before-after data.",
            None,
            -1,
            1,
        ),
        ParamSpec(
            "mode",
            str,
            "Teaching notebooks: student hides solutions, instructor shows them.",
            lambda: MODES,
            expand=True,
        ),
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


class Parameters(SimpleNamespace):
    """The validated parameters of one page: ``p.condition``, ``p.outcome``..."""


def use_parameters(**values: object) -> Parameters:
    """Check a notebook's parameters against the registry and show the values used.

    The first code cell after a notebook's ``parameters`` cell calls this, so a value
    typed in JupyterLab is checked exactly as the command line checks it: obvious variants
    are accepted (case, a condition's label for its id, one design given as a string), and
    anything else stops the notebook with a one-line :class:`ParameterError` that names the
    parameter and lists the valid choices.

    Parameters
    ----------
    **values
        The notebook's parameters, by name.

    Returns
    -------
    types.SimpleNamespace
        The canonical values, by name (also shown as one line under the cell).
    """
    out = {}
    for name, raw in values.items():
        spec = PARAMETERS.get(name)
        out[name] = spec.check(raw) if spec else raw
    shown = "; ".join(
        f"{name} = {', '.join(map(str, v)) or 'all' if isinstance(v, list) else v}"
        for name, v in out.items()
    )
    show_text(f"Built with {shown} (meanings: docs/parameters.md; the run card at the end).")
    return Parameters(**out)

"""The one registry of cross-table rules: :func:`rule` registers, :func:`run_rules` runs.

A rule is a function ``find(tables) -> list[Finding]`` over the typed tables, vectorized
over whole columns, decorated with :func:`rule`, which records its id, codebook title,
the columns it reads and the message and fix templates::

    @rule(
        "events_within_at_risk",
        "adverse_events: events <= n_at_risk.",
        needs=("adverse_events.events", "adverse_events.n_at_risk"),
        message="events ({value}) is larger than n_at_risk ({n_at_risk})",
        fix="Check both numbers against the source.",
    )
    def events_within_at_risk(t):
        ae = t["adverse_events"]
        return [Finding("adverse_events", "events", num(ae, "events") > num(ae, "n_at_risk"))]

Rules of ``severity="warning"`` are listed by ``data check`` but do not stop loading.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ldn_analysis import paths
from ldn_analysis.data.validation.problems import Collector, file_problem, fmt

__all__ = [
    "RULES",
    "Finding",
    "Rule",
    "RuleTables",
    "Tables",
    "isin",
    "key_index",
    "num",
    "rule",
    "run_rules",
    "study_lookup",
    "study_positions",
    "text",
]

Tables = Mapping[str, pd.DataFrame]


@dataclass(frozen=True)
class Finding:
    """Rows of one table breaking a rule, reported against one column.

    Attributes
    ----------
    table : str
        Resource name whose rows are reported.
    column : str
        Column the problem is reported in (its value is shown).
    mask : numpy.ndarray
        Boolean array aligned with the table's rows; true = rule broken.
    context : dict
        Extra per-row arrays (aligned with the table) available to the message template.
    """

    table: str
    column: str
    mask: np.ndarray
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    """A cross-table or cross-column rule of the registry :data:`RULES`.

    Attributes
    ----------
    id : str
        Stable identifier (used in tests and the codebook).
    title : str
        One-line description for the codebook.
    needs : tuple of str
        ``"table.column"`` entries the rule reads; the rule is skipped (other problems
        already explain why) when one is missing or its table could not be read.
    message : str
        ``str.format`` template for the problem message; fields: ``column``, ``value``,
        every column of the reported table, and the finding's ``context`` keys.
    fix : str
        Template for the concrete fix sentence (same fields as ``message``).
    find : callable
        ``find(tables) -> list[Finding]``; vectorized over whole tables.
    severity : {"error", "warning"}
        Errors stop loading; warnings are listed by ``data check`` only.
    """

    id: str
    title: str
    needs: tuple[str, ...]
    message: str
    fix: str
    find: Callable[[Tables], list[Finding]]
    severity: Literal["error", "warning"] = "error"


#: Every registered rule, in registration order (filled by the rule modules).
RULES: list[Rule] = []


def rule(
    id: str,
    title: str,
    *,
    needs: tuple[str, ...],
    message: str,
    fix: str,
    severity: Literal["error", "warning"] = "error",
) -> Callable[[Callable[[Tables], list[Finding]]], Callable[[Tables], list[Finding]]]:
    """Register the decorated ``find`` function as a rule of :data:`RULES`.

    Raises
    ------
    ValueError
        When the id is already registered (ids are stable and unique).
    """

    def register(find: Callable[[Tables], list[Finding]]) -> Callable[[Tables], list[Finding]]:
        if any(r.id == id for r in RULES):
            raise ValueError(f"rule id {id!r} is registered twice")
        RULES.append(Rule(id, title, tuple(needs), message, fix, find, severity))
        return find

    return register


# --------------------------------------------------------------------- helpers for rules


class RuleTables(dict):
    """The typed tables handed to the rules, with a per-run memo for shared lookups."""

    def __init__(self, tables: Mapping[str, pd.DataFrame], memo: dict[Any, Any] | None = None):
        super().__init__(tables)
        self.memo: dict[Any, Any] = {} if memo is None else memo


def num(table: pd.DataFrame, column: str) -> np.ndarray:
    """Return a numeric column as a float array (NaN for blanks)."""
    return table[column].to_numpy(dtype="float64", na_value=np.nan)


def text(table: pd.DataFrame, column: str) -> np.ndarray:
    """Return a column as an object array of strings ('' for blanks)."""
    return table[column].astype("str").to_numpy(dtype=object, na_value="")


def isin(table: pd.DataFrame, column: str, values: Iterable[str]) -> np.ndarray:
    """Return a mask of the rows whose ``column`` is one of ``values``."""
    return table[column].isin(list(values)).to_numpy()


def key_index(tables: Tables, table: str, column: str) -> tuple[pd.Index, np.ndarray]:
    """Distinct values of ``table.column`` (blanks left out) and each one's first row."""
    memo = getattr(tables, "memo", {})
    key = ("key_index", table, column)
    if key not in memo:
        values = tables[table][column]
        first = ~values.duplicated(keep="first").to_numpy() & values.notna().to_numpy()
        memo[key] = (pd.Index(values.to_numpy(dtype=object)[first]), np.flatnonzero(first))
    return memo[key]


def study_positions(tables: Tables, child: str) -> np.ndarray:
    """Row position in studies of each ``<child>.study_id`` (-1 if unknown), memoized."""
    memo = getattr(tables, "memo", {})
    key = ("study_positions", child)
    if key not in memo:
        index, rows = key_index(tables, "studies", "study_id")
        pos = index.get_indexer(tables[child]["study_id"].to_numpy(dtype=object))
        memo[key] = np.where(pos >= 0, rows[np.maximum(pos, 0)], -1) if len(rows) else pos
    return memo[key]


def study_lookup(tables: Tables, column: str, child: str) -> np.ndarray:
    """Look up numeric ``studies.<column>`` for each row of ``child`` (NaN if unknown)."""
    pos = study_positions(tables, child)
    values = num(tables["studies"], column)
    if not len(values):
        return np.full(len(pos), np.nan)
    return np.where(pos >= 0, values[np.maximum(pos, 0)], np.nan)


# ------------------------------------------------------------------------- running


class _RowView(dict):
    """``str.format`` mapping that shows blanks as 'blank' and unknown keys verbatim."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def run_rules(
    typed: Mapping[str, pd.DataFrame],
    files: Mapping[str, str],
    collector: Collector,
    rules: Iterable[Rule] = RULES,
    invalid: Mapping[str, Mapping[str, np.ndarray]] | None = None,
    warnings: Collector | None = None,
) -> None:
    """Run the registry; rows whose cells already failed a schema check are not re-reported.

    Problems of error rules go to ``collector``; those of warning rules to ``warnings``
    (dropped when ``None``).
    """
    invalid = invalid or {}
    view = RuleTables(typed)
    for r in rules:
        out = collector if r.severity == "error" else warnings
        if out is None or not all(
            t in typed and c in typed[t].columns for t, c in (n.split(".", 1) for n in r.needs)
        ):
            continue
        try:
            findings = r.find(view)
        except Exception as exc:  # noqa: BLE001 - a rule bug must not hide the data problems
            collector.add(
                file_problem(
                    paths.DATAPACKAGE,
                    f"internal error in rule {r.id}: {exc!r}",
                    "Report this to the maintainers together with the data folder.",
                )
            )
            continue
        for finding in findings:
            _report(r, finding, typed[finding.table], files, invalid, out)


def _report(
    r: Rule,
    finding: Finding,
    table: pd.DataFrame,
    files: Mapping[str, str],
    invalid: Mapping[str, Mapping[str, np.ndarray]],
    out: Collector,
) -> None:
    mask = np.asarray(finding.mask, dtype=bool)
    for need in r.needs:
        name, column = need.split(".", 1)
        if name == finding.table and column in invalid.get(name, {}):
            mask = mask & ~invalid[name][column]
    if not mask.any():
        return
    values = table[finding.column].to_numpy(dtype=object, na_value=None)

    def render(pos: int, template: str) -> str:
        view = _RowView({c: fmt(table[c].iloc[pos]) for c in table.columns})
        view.update({k: fmt(v[pos]) for k, v in finding.context.items()})
        view["column"] = finding.column
        view["value"] = fmt(values[pos])
        return template.format_map(view)

    label = "rule" if r.severity == "error" else "warning"
    out.add_rows(
        file=files[finding.table],
        column=finding.column,
        labels=table.index.to_numpy(),
        mask=mask,
        values=values,
        message=lambda p: f"{render(p, r.message)} [{label} {r.id}]",
        fix=lambda p: render(p, r.fix),
        what=f"rule {r.id}",
    )

"""The schema layer: Frictionless checks the Table Schema; this adapter words the problems.

Frictionless (``frictionless`` v5, Data Package v2) validates the text cells read by the
file layer against the schemas of ``datapackage.json``: field ``type``, the constraints
``required``, ``enum``, ``pattern``, ``minimum``/``maximum``,
``exclusiveMinimum``/``exclusiveMaximum`` and ``unique``, and the ``primaryKey``
(foreign keys: :mod:`.foreignkeys`). The same descriptor validates from the command line,
foreign keys included::

    frictionless validate data/datapackage.json

The adapter turns each Frictionless error into a :class:`~ldn_analysis.errors.Problem`
that names the file, the data row of the file (blank rows kept in the numbering), the
column, the value and a concrete fix (the allowed values with a "did you mean", the
codebook's description of a format, the unit of a bound, the row a duplicate repeats).

Kept here because Frictionless accepts them: ``inf``, ``Infinity`` and overflowing
numbers such as ``1e400`` in number fields (the codebook forbids every non-finite
number). Finally the adapter converts the cells to the dtypes of the schema (``Int64``,
``float64``, ``boolean``, ``str``) for the cross-table rules and the loader.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ldn_analysis import paths
from ldn_analysis.data.validation.descriptor import DATAPACKAGE_V2, as_list
from ldn_analysis.data.validation.problems import (
    NAN_INF_TEXT,
    NUM_TEXT,
    Collector,
    file_problem,
    fmt,
)
from ldn_analysis.errors import Problem

__all__ = ["check_tables"]

_CONSTRAINT = re.compile(r'constraint "(\w+)"')
_BOUND_WORDS = {
    "minimum": "at least",
    "exclusiveMinimum": "greater than",
    "maximum": "at most",
    "exclusiveMaximum": "less than",
}


def _type_message(kind: str, value: Any) -> tuple[str, str]:
    """Return (message, fix) for a cell that is not a valid ``kind``."""
    text = "" if value is None else str(value)
    if kind in ("integer", "number") and NAN_INF_TEXT.fullmatch(text):
        return (
            "NaN or infinity is not allowed in a numeric column",
            "Leave the cell blank if the source does not give the value (blank = unknown).",
        )
    if kind == "integer":
        return (
            "is not a whole number",
            "Write a whole number with digits only (e.g. 42: no decimals, units, % or "
            "thousands separators), or leave the cell blank if the source does not give it.",
        )
    if kind == "number":
        if re.fullmatch(NUM_TEXT, text):
            return ("is too large to be a finite number", "Check the value against the source.")
        return (
            "is not a number",
            "Write a plain number with a decimal point (e.g. 4.5: no units, %, ranges or "
            "thousands separators), or leave the cell blank if the source does not give it.",
        )
    return (
        "must be true or false",
        "Write true or false in lowercase, or leave the cell blank if unknown.",
    )


class _Wording:
    """Our message and fix for each kind of Frictionless error, per resource."""

    def __init__(self, res: Mapping[str, Any], resources: Mapping[str, Mapping[str, Any]]):
        self.res = res
        self.resources = resources
        self.fields = {fd["name"]: fd for fd in res["schema"]["fields"]}

    def cell(self, code: str, column: str, value: str, note: str) -> tuple[str, str, str]:
        """Return (message, fix, what) for a type, constraint or unique error."""
        fd = self.fields.get(column, {})
        cons = fd.get("constraints") or {}
        desc = str(fd.get("description", "")).rstrip(".")
        kind = fd.get("type", "string")
        if code == "type-error":
            msg, fix = _type_message(kind, value)
            return msg, fix, f"not a valid {kind}"
        if code == "unique-error":
            return (
                "value is used in an earlier row; it must be unique",
                f"Make every {column} unique.",
                "duplicate value",
            )
        found = _CONSTRAINT.search(note or "")
        name = found.group(1) if found else ""
        if name == "required":
            return "is blank but required", f"Fill in {column} ({desc}).", "blank required value"
        if name == "enum":
            allowed = [str(v) for v in cons.get("enum", [])]
            close = difflib.get_close_matches(value.strip(), allowed, n=1)
            hint = f"Did you mean '{close[0]}'? " if close else ""
            return (
                "is not one of the allowed values",
                f"{hint}Use one of: {', '.join(allowed)}.",
                "value not allowed",
            )
        if name == "pattern":
            return (
                "does not have the expected format",
                f"Use the format the codebook gives for {column}: {fd.get('description', '')}",
                "wrong format",
            )
        if name in _BOUND_WORDS:
            word, limit = _BOUND_WORDS[name], fmt(cons.get(name))
            unit = f" ({fd['unit']})" if fd.get("unit") else ""
            return (
                f"must be {word} {limit}{unit}",
                f"Check the value against the source ({desc}): a value outside this range is "
                "a typo, a unit mix-up, or out of the evidence base's scope (then the lead "
                "decides whether the row stays).",
                f"not {word} {limit}",
            )
        return (
            f"breaks the schema: {note}",
            f"Check the value against the codebook entry for {column}.",
            f"schema error {code}",
        )


def _schema_for(res: Mapping[str, Any], columns: set[str]) -> dict[str, Any]:
    """Return the resource's schema for the columns present, without foreign keys.

    Foreign keys are checked by :mod:`.foreignkeys` (see there why).
    """
    schema = {k: v for k, v in res["schema"].items() if k != "foreignKeys"}
    schema["fields"] = [fd for fd in schema["fields"] if fd["name"] in columns]
    if not set(as_list(schema.get("primaryKey"))) <= columns:
        schema.pop("primaryKey", None)
    return schema


def _frictionless_errors(
    frames: Mapping[str, pd.DataFrame],
    resources: Mapping[str, Mapping[str, Any]],
    descriptor: Mapping[str, Any],
) -> tuple[dict[str, list[Any]], list[Problem]]:
    """Validate the text cells with Frictionless; return its errors per resource.

    The package handed to Frictionless is ``datapackage.json`` itself with each readable
    resource's ``path`` replaced by its cells (so the descriptor is validated too);
    descriptor errors come back as problems of ``datapackage.json``.
    """
    inline = []
    for name, frame in frames.items():
        res = {k: v for k, v in resources[name].items() if k not in _FILE_PROPERTIES}
        res["schema"] = _schema_for(resources[name], set(frame.columns))
        columns = [fd["name"] for fd in res["schema"]["fields"]]
        cells = frame[columns].to_numpy(dtype=object, na_value="").tolist()
        inline.append({**res, "data": [columns, *cells]})
    package = {k: v for k, v in descriptor.items() if k != "resources"}
    # imported here, not at the top: a report build whose pages are all reused never
    # validates, and Frictionless takes about 0.4 s to import
    from frictionless import FrictionlessException, Package

    try:
        report = Package.from_descriptor({**package, "resources": inline}).validate(
            limit_errors=10**6
        )
    except FrictionlessException as exc:
        fix = (
            f'Keep "$schema": "{DATAPACKAGE_V2}" at the top of datapackage.json and fix the '
            "descriptor until `frictionless validate datapackage.json` accepts it."
        )
        reasons = dict.fromkeys(r.message for r in (exc.reasons or [exc.error]))
        return {}, [file_problem(paths.DATAPACKAGE, f"Frictionless: {m}", fix) for m in reasons]
    out: dict[str, list[Any]] = {name: [] for name in frames}
    for task in report.tasks:
        out.setdefault(task.name, []).extend(task.errors)
    for errs in out.values():  # a descriptor problem shows as a resource error
        for err in errs:
            if err.type in _METADATA_ERRORS:
                return {}, [
                    file_problem(paths.DATAPACKAGE, f"Frictionless: {err.message}", _GENERIC_FIX)
                ]
    return out, []


#: Properties that describe a file; inline data replaces them.
_FILE_PROPERTIES = ("path", "format", "mediatype", "encoding", "dialect", "compression")
_METADATA_ERRORS = ("package-error", "resource-error", "schema-error", "field-error")


def _first_rows(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Return the data row (1-based) of the first row sharing each row's key."""
    groups = frame.groupby(keys, dropna=False, sort=False).ngroup().to_numpy()
    labels = pd.Series(frame.index.to_numpy()).groupby(groups).transform("first")
    return labels.to_numpy() + 1


def _schema_problems(
    name: str,
    frame: pd.DataFrame,
    errors: list[Any],
    resources: Mapping[str, Mapping[str, Any]],
) -> list[tuple[str, int, Problem, str]]:
    """Word Frictionless errors as (column, position, problem, what), primary keys first."""
    res = resources[name]
    file = str(res["path"])
    labels = frame.index.to_numpy()
    wording = _Wording(res, resources)
    keys = as_list(res["schema"].get("primaryKey"))
    out: list[tuple[str, int, Problem, str]] = []
    for err in sorted(errors, key=lambda e: e.type != "primary-key"):
        pos = int(getattr(err, "row_number", 0) or 0) - 2  # row 1 is the header
        if not 0 <= pos < len(frame):
            out.append(("", -1, Problem(file, None, None, None, err.message, _GENERIC_FIX), ""))
            continue
        row = int(labels[pos]) + 1
        if err.type == "primary-key":
            column = keys[0] if len(keys) == 1 else keys[-1]
            key_text = " + ".join(keys)
            first = int(_first_rows(frame, keys)[pos])
            value: Any = ", ".join(fmt(frame[k].iloc[pos]) for k in keys)
            if len(keys) == 1:
                value = frame[keys[0]].iloc[pos]
            fix = (
                f"{key_text} must be unique: delete the duplicate row or tell the rows apart "
                "(ids take a letter suffix, e.g. smith_2011b)."
                if len(keys) == 1
                else f"{key_text} must be unique: merge the rows, or tell them apart (for "
                "adverse events: fill in reported_term)."
            )
            msg = f"duplicate {key_text}: the same as row {first}"
            problem = Problem(file, row, column, value, msg, fix)
            out.append((column, pos, problem, f"duplicate {key_text}"))
        elif err.type in ("type-error", "constraint-error", "unique-error"):
            column = err.field_name
            value = frame[column].iloc[pos]
            msg, fix, what = wording.cell(err.type, column, fmt(value), err.note)
            out.append((column, pos, Problem(file, row, column, value, msg, fix), what))
        elif err.type != "blank-row":  # blank rows are dropped before this layer
            out.append(("", pos, Problem(file, row, None, None, err.message, _GENERIC_FIX), ""))
    return out


_GENERIC_FIX = "Check the row against the codebook (data/README.md)."


def _non_finite(frame: pd.DataFrame, res: Mapping[str, Any]) -> list[tuple[str, int, str]]:
    """Cells of number/integer fields that are NaN, infinity or overflow (Frictionless accepts)."""
    out = []
    for fd in res["schema"]["fields"]:
        if fd.get("type") not in ("number", "integer") or fd["name"] not in frame.columns:
            continue
        col = frame[fd["name"]]
        text = col.dropna().astype(str)
        nan_inf = text.str.fullmatch(NAN_INF_TEXT.pattern, case=False)
        numbers = pd.to_numeric(text.where(~nan_inf & text.str.fullmatch(NUM_TEXT)), "coerce")
        bad = nan_inf | np.isinf(numbers.to_numpy(dtype=float, na_value=0.0))
        for label in text.index[bad.to_numpy(bool)]:
            out.append((fd["name"], int(frame.index.get_loc(label)), fd["type"]))
    return out


def _typed(frame: pd.DataFrame, res: Mapping[str, Any], invalid: Mapping[str, np.ndarray]):
    """Convert text cells to the schema's dtypes; invalid cells become missing."""
    typed: dict[str, Any] = {}
    for fd in res["schema"]["fields"]:
        name = fd["name"]
        if name not in frame.columns:
            continue
        col = frame[name]
        bad = invalid.get(name, np.zeros(len(frame), dtype=bool))
        kind = fd.get("type", "string")
        if kind in ("number", "integer"):
            values = pd.to_numeric(col.str.strip(), errors="coerce").to_numpy(
                dtype=float, copy=True
            )
            values[bad | ~np.isfinite(values)] = np.nan
            if kind == "integer":
                safe = np.where(np.abs(values) < 2**62, values, np.nan)
                typed[name] = pd.array(safe, dtype="Float64").astype("Int64")
            else:
                typed[name] = values
        elif kind == "boolean":
            truth = col.isin(fd.get("trueValues", ["true"])).to_numpy()
            known = truth | col.isin(fd.get("falseValues", ["false"])).to_numpy()
            typed[name] = pd.arrays.BooleanArray(truth, ~known | bad)
        else:
            typed[name] = col if col.dtype == "str" else col.astype("str")
    return pd.DataFrame(typed, index=frame.index)


def check_tables(
    frames: Mapping[str, pd.DataFrame],
    resources: Mapping[str, Mapping[str, Any]],
    descriptor: Mapping[str, Any],
    collector: Collector,
) -> tuple[dict[str, pd.DataFrame], dict[str, dict[str, np.ndarray]]]:
    """Validate text tables against their Table Schemas and type them.

    Parameters
    ----------
    frames : mapping of str to DataFrame
        Text cells per resource (blank = NaN), indexed by 0-based record number.
    resources : mapping
        The resources of ``datapackage.json`` by name.
    descriptor : mapping
        The whole ``datapackage.json`` (Frictionless validates it as well).
    collector : Collector
        Receives the problems (at most ``MAX_PER_CHECK`` per check, file and column).

    Returns
    -------
    typed : dict of str to DataFrame
        One typed frame per resource (same index).
    invalid : dict of str to dict of str to ndarray
        Per resource and column, the cells that broke the schema (the cross-table rules
        do not re-report them).
    """
    errors, problems = _frictionless_errors(frames, resources, descriptor)
    if problems:  # the descriptor must be fixed before the tables can be checked
        for p in problems:
            collector.add(p)
        return {}, {}
    typed: dict[str, pd.DataFrame] = {}
    invalid: dict[str, dict[str, np.ndarray]] = {}
    for name, frame in frames.items():
        res = resources[name]
        found = []  # NaN/infinity first: Frictionless reads them as numbers out of bounds
        for column, pos, kind in _non_finite(frame, res):
            value = frame[column].iloc[pos]
            msg, fix = _type_message(kind, value)
            row = int(frame.index[pos]) + 1
            found.append((column, pos, Problem(res["path"], row, column, value, msg, fix), msg))
        found += _schema_problems(name, frame, errors.get(name, []), resources)
        seen: set[tuple[str, int]] = set()
        groups: dict[tuple[str, str], list[tuple[int, Problem]]] = {}
        for column, pos, problem, what in found:
            if column and (column, pos) in seen:
                continue
            seen.add((column, pos))
            if pos < 0 or not column:
                collector.add(problem)
                continue
            groups.setdefault((column, what), []).append((pos, problem))
        masks: dict[str, np.ndarray] = {}
        for (column, what), items in groups.items():
            items.sort(key=lambda item: item[0])
            mask = np.zeros(len(items), dtype=bool) | True
            collector.add_rows(
                file=str(res["path"]),
                column=column,
                labels=np.array([p.row - 1 for _, p in items]),
                mask=mask,
                values=[p.value for _, p in items],
                message=lambda i, items=items: items[i][1].message,
                fix=lambda i, items=items: items[i][1].fix,
                what=what,
            )
            cells = masks.setdefault(column, np.zeros(len(frame), dtype=bool))
            cells[[pos for pos, _ in items]] = True
        invalid[name] = masks
        typed[name] = _typed(frame, res, masks)
    return typed, invalid

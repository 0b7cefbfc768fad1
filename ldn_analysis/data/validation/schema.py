"""Table Schema checks: types, constraints, primary and foreign keys."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ldn_analysis.data.validation._problems import (
    _INT_TEXT,
    _NAN_INF_TEXT,
    _NUM_TEXT,
    _Collector,
    _fmt,
)
from ldn_analysis.data.validation.descriptor import _as_list

# --------------------------------------------------------------------------------------
# Schema checks
# --------------------------------------------------------------------------------------


def _take(per_unique: np.ndarray, codes: np.ndarray, fill: Any) -> np.ndarray:
    """Broadcast per-distinct-value results back to rows (``fill`` where blank)."""
    if len(per_unique) == 0:
        return np.full(len(codes), fill, dtype=per_unique.dtype if fill is not None else object)
    out = per_unique[np.where(codes >= 0, codes, 0)]
    if (codes < 0).any():
        out = out.copy()
        out[codes < 0] = fill
    return out


def _parse_numbers(uniques: np.ndarray, integer: bool) -> tuple[np.ndarray, np.ndarray]:
    """Parse distinct text values; return floats and a per-value 'bad type' mask."""
    text = pd.Series(uniques, dtype=object)
    ok = text.str.fullmatch(_INT_TEXT if integer else _NUM_TEXT).fillna(False).to_numpy(bool)
    values = np.full(len(uniques), np.nan)
    if ok.any():
        values[ok] = pd.to_numeric(text[ok].str.strip(), errors="coerce").to_numpy(float)
    bad = ~ok | ~np.isfinite(values)
    values[bad] = np.nan
    return values, bad


def _type_message(kind: str, value: Any) -> tuple[str, str]:
    text = "" if value is None else str(value)
    if _NAN_INF_TEXT.fullmatch(text):
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
        if re.fullmatch(_NUM_TEXT, text):
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


def _bound_checks(constraints: Mapping[str, Any]) -> list[tuple[str, float, Callable]]:
    out = []
    if "minimum" in constraints:
        out.append(("at least", constraints["minimum"], np.less))
    if "exclusiveMinimum" in constraints:
        out.append(("greater than", constraints["exclusiveMinimum"], np.less_equal))
    if "maximum" in constraints:
        out.append(("at most", constraints["maximum"], np.greater))
    if "exclusiveMaximum" in constraints:
        out.append(("less than", constraints["exclusiveMaximum"], np.greater_equal))
    return out


def _check_fields(
    frame: pd.DataFrame, resource: Mapping[str, Any], file: str, collector: _Collector
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Convert every schema field to its dtype and run the field constraints.

    Per-value work (number parsing) runs on the distinct values of a column only
    (``pandas.factorize``) and is broadcast back to the rows; a ``pattern`` is first tried
    on the whole column at once (see :func:`_all_match`).

    Returns the typed frame and, per column, a mask of the cells that failed a check.
    """
    labels = frame.index.to_numpy()
    primary = _as_list(resource["schema"].get("primaryKey"))
    typed: dict[str, Any] = {}
    invalid: dict[str, np.ndarray] = {}
    for fd in resource["schema"]["fields"]:
        name = fd["name"]
        if name not in frame.columns:
            continue
        kind = fd.get("type", "string")
        cons = fd.get("constraints", {}) or {}
        desc = fd.get("description", "")
        col = frame[name]
        numeric: np.ndarray | None = None

        def report(mask: np.ndarray, message: Any, fix: Any, what: str, col=col, name=name):
            if mask.any():
                invalid[name] = invalid[name] | mask if name in invalid else mask
            collector.add_rows(
                file=file,
                column=name,
                labels=labels,
                mask=mask,
                values=col,
                message=message,
                fix=fix,
                what=what,
            )

        if kind == "number" and col.dtype == "float64":
            numeric = col.to_numpy(dtype=float)
            blank = np.isnan(numeric)
        elif kind == "string":
            blank = col.isna().to_numpy()
            if "enum" in cons:
                allowed = [str(v) for v in cons["enum"]]

                def enum_fix(p: int, col=col, allowed=allowed) -> str:
                    close = difflib.get_close_matches(str(col.iloc[p]).strip(), allowed, n=1)
                    hint = f"Did you mean '{close[0]}'? " if close else ""
                    return f"{hint}Use one of: {', '.join(allowed)}."

                report(
                    ~col.isin(allowed).to_numpy() & ~blank,
                    "is not one of the allowed values",
                    enum_fix,
                    "value not allowed",
                )
            if "pattern" in cons and not _all_match(col.to_numpy(object)[~blank], cons["pattern"]):
                codes, uniques = pd.factorize(col, use_na_sentinel=True)
                ok_u = (
                    pd.Series(np.asarray(uniques, dtype=object), dtype=object)
                    .str.fullmatch(cons["pattern"])
                    .fillna(False)
                    .to_numpy(bool)
                )
                report(
                    _take(~ok_u, codes, False),
                    "does not have the expected format",
                    f"Use the format the codebook gives for {name}: {desc}",
                    "wrong format",
                )
            typed[name] = col if col.dtype == "str" else col.astype("str")
        else:
            codes, uniques = pd.factorize(col, use_na_sentinel=True)
            uniques = np.asarray(uniques, dtype=object)
            blank = codes < 0
            if kind in ("integer", "number"):
                parsed, bad_u = _parse_numbers(uniques, integer=kind == "integer")
                numeric = _take(parsed, codes, np.nan)
                report(
                    _take(bad_u, codes, False),
                    lambda p, col=col, k=kind: _type_message(k, col.iloc[p])[0],
                    lambda p, col=col, k=kind: _type_message(k, col.iloc[p])[1],
                    f"not a valid {kind}",
                )
            elif kind == "boolean":
                idx = pd.Index(uniques, dtype=object)
                is_true = np.asarray(idx.isin(fd.get("trueValues", ["true"])))
                bad_u = ~(is_true | np.asarray(idx.isin(fd.get("falseValues", ["false"]))))
                bad = _take(bad_u, codes, False)
                report(
                    bad,
                    "must be true or false",
                    "Write true or false in lowercase, or leave the cell blank if unknown.",
                    "not true/false",
                )
                truth = _take(is_true, codes, False).astype(bool)
                typed[name] = pd.arrays.BooleanArray(truth, blank | bad)
        if cons.get("unique") and primary != [name]:
            dup = col.duplicated(keep="first").to_numpy() & ~blank
            report(
                dup,
                "value is used in an earlier row; it must be unique",
                f"Make every {name} unique.",
                "duplicate value",
            )
        if numeric is not None:
            for word, limit, fails in _bound_checks(cons):
                out = fails(numeric, limit) & ~np.isnan(numeric)
                if out.any():
                    unit = f" ({fd['unit']})" if fd.get("unit") else ""
                    report(
                        out,
                        f"must be {word} {_fmt(limit)}{unit}",
                        f"Check the value against the source ({desc.rstrip('.')}): a value "
                        "outside this range is a typo, a unit mix-up, or out of the evidence "
                        "base's scope (then the lead decides whether the row stays).",
                        f"not {word} {_fmt(limit)}",
                    )
                    numeric = np.where(out, np.nan, numeric)
            if kind == "integer":
                safe = np.where(np.abs(numeric) < 2**62, numeric, np.nan)
                typed[name] = pd.array(safe, dtype="Float64").astype("Int64")
            else:
                typed[name] = numeric.astype("float64")
        if cons.get("required"):
            report(
                blank,
                "is blank but required",
                f"Fill in {name} ({desc.rstrip('.')}).",
                "blank required value",
            )
    return pd.DataFrame(typed, index=frame.index), invalid


_UNSAFE_IN_JOIN = re.compile(r"\\[sWDnrtfvbBAZ0-7xuUN]|(?<!\\)[.^$\[\]]|\(\?(?!:)")
_POSITIVE_CLASS = re.compile(r"\[(?!\^)((?:\\.|[^\]\\])*)\]")
_NEWLINE_IN_CLASS = re.compile(r"\\[sWDnrtfv]|\n")


@functools.lru_cache(maxsize=256)
def _joined_regex(pattern: str) -> re.Pattern[str] | None:
    r"""Compile ``pattern`` repeated over newline-joined values, or ``None`` if unsafe.

    Anchors ``^...$`` are removed. Patterns that could match a newline return ``None``:
    ``\s``, ``\W``, ``\D``, ``.``, negated classes ``[^...]``, classes containing
    such escapes, inline flags, inner anchors.
    """
    inner = pattern
    if inner.startswith("^"):
        inner = inner[1:]
    if inner.endswith("$") and not inner.endswith("\\$"):
        inner = inner[:-1]
    classes = _POSITIVE_CLASS.findall(inner)
    if any(_NEWLINE_IN_CLASS.search(c) for c in classes):
        return None
    if _UNSAFE_IN_JOIN.search(_POSITIVE_CLASS.sub("", inner)):
        return None
    try:
        # Possessive repetition: lines cannot share characters, so giving back
        # iterations never helps a full match (and would cost a saved state per line).
        return re.compile(f"(?:{inner})(?:\n(?:{inner}))*+")
    except re.error:
        return None


def _all_match(values: np.ndarray, pattern: str) -> bool:
    """Return True if every value fully matches ``pattern``, in one regex call when safe.

    ``False`` means "some value may not match": the caller then tests the distinct values
    one by one to locate them.
    """
    if len(values) == 0:
        return True
    rx = _joined_regex(pattern)
    if rx is None:
        return False
    joined = "\n".join(values)
    if joined.count("\n") != len(values) - 1:  # a value contains a newline
        return False
    return rx.fullmatch(joined) is not None


def _check_primary_key(
    typed: pd.DataFrame, resource: Mapping[str, Any], file: str, collector: _Collector
) -> None:
    keys = _as_list(resource["schema"].get("primaryKey"))
    if not keys or not set(keys) <= set(typed.columns) or typed.empty:
        return
    dup = typed.duplicated(subset=keys, keep="first").to_numpy(copy=True)
    if len(keys) > 1:
        all_blank = typed[keys].isna().all(axis=1).to_numpy()
        dup &= ~all_blank
    elif not dup.any():
        return
    else:
        dup &= typed[keys[0]].notna().to_numpy()
    if not dup.any():
        return
    groups = typed.groupby(keys, dropna=False, sort=False).ngroup().to_numpy()
    first_label = pd.Series(typed.index.to_numpy()).groupby(groups).transform("first").to_numpy()
    shown = typed[keys].to_numpy(dtype=object)
    labels = typed.index.to_numpy()
    key_text = " + ".join(keys)
    collector.add_rows(
        file=file,
        column=keys[0] if len(keys) == 1 else keys[-1],
        labels=labels,
        mask=dup,
        values=[", ".join(_fmt(v) for v in row) if len(keys) > 1 else row[0] for row in shown],
        message=lambda p: f"duplicate {key_text}: the same as row {int(first_label[p]) + 1}",
        fix=(
            f"{key_text} must be unique: delete the duplicate row or tell the rows apart "
            "(ids take a letter suffix, e.g. smith_2011b)."
            if len(keys) == 1
            else f"{key_text} must be unique: merge the rows, or tell them apart (for "
            "adverse events: fill in reported_term)."
        ),
        what=f"duplicate {key_text}",
    )


def _key_index(
    typed: Mapping[str, pd.DataFrame], memo: dict[Any, Any], table: str, column: str
) -> tuple[pd.Index, np.ndarray]:
    """Return the distinct values of ``table.column`` as an Index, memoized.

    The Index builds its hash table once and every lookup reuses it. Also returns the row
    of each value's first occurrence; blanks are left out.
    """
    key = ("key_index", table, column)
    if key not in memo:
        values = typed[table][column]
        first = ~values.duplicated(keep="first").to_numpy() & values.notna().to_numpy()
        memo[key] = (pd.Index(values.to_numpy(dtype=object)[first]), np.flatnonzero(first))
    return memo[key]


def _check_foreign_keys(
    typed: dict[str, pd.DataFrame],
    resources: Mapping[str, Mapping[str, Any]],
    collector: _Collector,
    memo: dict[Any, Any] | None = None,
) -> None:
    memo = {} if memo is None else memo
    for name, res in resources.items():
        table = typed.get(name)
        if table is None or table.empty:
            continue
        for fk in res["schema"].get("foreignKeys", []) or []:
            fields = _as_list(fk["fields"])
            target = fk["reference"].get("resource", "") or name
            ref_fields = _as_list(fk["reference"]["fields"])
            ref = typed.get(target)
            if ref is None or not set(fields) <= set(table.columns):
                continue
            if not set(ref_fields) <= set(ref.columns):
                continue
            ref_file = str(resources[target]["path"])
            present = table[fields].notna().any(axis=1).to_numpy()
            if len(fields) == 1:
                index, _ = _key_index(typed, memo, target, ref_fields[0])
                found = index.get_indexer(table[fields[0]].to_numpy(dtype=object)) >= 0
            else:
                found = pd.MultiIndex.from_frame(table[fields]).isin(
                    pd.MultiIndex.from_frame(ref[ref_fields])
                )
            missing = present & ~found
            values = (
                table[fields[0]].to_numpy(dtype=object, na_value=None)
                if len(fields) == 1
                else [", ".join(map(_fmt, r)) for r in table[fields].to_numpy(dtype=object)]
            )
            ref_text = "/".join(ref_fields)
            collector.add_rows(
                file=str(res["path"]),
                column=fields[0],
                labels=table.index.to_numpy(),
                mask=missing,
                values=values,
                message=f"is not a known {ref_text} in {ref_file}",
                fix=(
                    f"Use a {ref_text} that exists in {ref_file} (check the spelling), or add "
                    f"the missing row to {ref_file} first."
                ),
                what=f"unknown {ref_text}",
            )

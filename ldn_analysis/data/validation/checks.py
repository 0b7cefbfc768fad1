"""Cross-table rule types (:class:`Rule`, :class:`Finding`) and the rule functions."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ldn_analysis.data.validation._problems import MAX_PER_CHECK
from ldn_analysis.data.validation.schema import _key_index
from ldn_analysis.vocab import (
    CROSSOVER_DESIGNS,
    NONRANDOMIZED_DESIGNS,
    RANDOMIZED_DESIGNS,
)

# --------------------------------------------------------------------------------------
# Cross-table rules (the registry)
# --------------------------------------------------------------------------------------

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
    """

    id: str
    title: str
    needs: tuple[str, ...]
    message: str
    fix: str
    find: Callable[[Tables], list[Finding]]


def _f(table: pd.DataFrame, column: str) -> np.ndarray:
    """Return a numeric column as a float array (NaN for blanks)."""
    return table[column].to_numpy(dtype="float64", na_value=np.nan)


class _RuleTables(dict):
    """The typed tables handed to the rules, with a per-run memo for shared lookups."""

    def __init__(self, tables: Mapping[str, pd.DataFrame], memo: dict[Any, Any] | None = None):
        super().__init__(tables)
        self.memo: dict[Any, Any] = {} if memo is None else memo


def _study_positions(tables: Tables, child: str) -> np.ndarray:
    """Row position in studies of each ``<child>.study_id`` (-1 if unknown), memoized."""
    memo = getattr(tables, "memo", {})
    key = ("study_positions", child)
    if key not in memo:
        index, rows = _key_index(tables, memo, "studies", "study_id")
        pos = index.get_indexer(tables[child]["study_id"].to_numpy(dtype=object))
        memo[key] = np.where(pos >= 0, rows[np.maximum(pos, 0)], -1) if len(rows) else pos
    return memo[key]


def _study_lookup(tables: Tables, column: str, child: str) -> np.ndarray:
    """Look up ``studies.<column>`` for each row of ``child`` (NaN if the study is unknown)."""
    pos = _study_positions(tables, child)
    values = _f(tables["studies"], column)
    if not len(values):
        return np.full(len(pos), np.nan)
    return np.where(pos >= 0, values[np.maximum(pos, 0)], np.nan)


def _in(table: pd.DataFrame, column: str, values: Iterable[str]) -> np.ndarray:
    return table[column].isin(list(values)).to_numpy()


def _events_within_at_risk(t: Tables) -> list[Finding]:
    ae = t["adverse_events"]
    return [Finding("adverse_events", "events", _f(ae, "events") > _f(ae, "n_at_risk"))]


def _at_risk_within_enrolled(t: Tables) -> list[Finding]:
    ae = t["adverse_events"]
    enrolled = _study_lookup(t, "n_enrolled", "adverse_events")
    return [
        Finding(
            "adverse_events",
            "n_at_risk",
            _f(ae, "n_at_risk") > enrolled,
            {"study_n_enrolled": enrolled},
        )
    ]


def _arm_n_within_enrolled(t: Tables) -> list[Finding]:
    s, o = t["studies"], t["outcomes"]
    enrolled_o = _study_lookup(t, "n_enrolled", "outcomes")
    n_enrolled = _f(s, "n_enrolled")
    return [
        Finding("studies", "n_ldn", _f(s, "n_ldn") > n_enrolled, {"study_n_enrolled": n_enrolled}),
        Finding(
            "studies",
            "n_control",
            _f(s, "n_control") > n_enrolled,
            {"study_n_enrolled": n_enrolled},
        ),
        Finding("outcomes", "n_ldn", _f(o, "n_ldn") > enrolled_o, {"study_n_enrolled": enrolled_o}),
        Finding(
            "outcomes", "n_ctrl", _f(o, "n_ctrl") > enrolled_o, {"study_n_enrolled": enrolled_o}
        ),
    ]


def _arms_sum_within_enrolled(t: Tables) -> list[Finding]:
    s = t["studies"]
    total = _f(s, "n_ldn") + _f(s, "n_control")
    parallel = ~_in(s, "design", CROSSOVER_DESIGNS)
    return [
        Finding(
            "studies", "n_enrolled", parallel & (total > _f(s, "n_enrolled")), {"arms_total": total}
        )
    ]


def _crossover_arms_equal(t: Tables) -> list[Finding]:
    s = t["studies"]
    a, b = _f(s, "n_ldn"), _f(s, "n_control")
    return [
        Finding(
            "studies",
            "n_control",
            _in(s, "design", CROSSOVER_DESIGNS) & (a != b) & ~np.isnan(a) & ~np.isnan(b),
        )
    ]


def _analyzed_within_enrolled(t: Tables) -> list[Finding]:
    s = t["studies"]
    return [Finding("studies", "n_analyzed", _f(s, "n_analyzed") > _f(s, "n_enrolled"))]


def _dose_range_ordered(t: Tables) -> list[Finding]:
    s = t["studies"]
    return [Finding("studies", "dose_mg_min", _f(s, "dose_mg_min") > _f(s, "dose_mg_max"))]


def _ci_ordered(t: Tables) -> list[Finding]:
    return [
        Finding(name, "ci_low", _f(t[name], "ci_low") > _f(t[name], "ci_high"))
        for name in ("outcomes", "reviews")
    ]


def _estimate_within_ci(t: Tables) -> list[Finding]:
    out = []
    for name in ("outcomes", "reviews"):
        est, lo, hi = _f(t[name], "estimate"), _f(t[name], "ci_low"), _f(t[name], "ci_high")
        out.append(Finding(name, "estimate", (lo <= hi) & ((est < lo) | (est > hi))))
    return out


def _ratio_measures_positive(t: Tables) -> list[Finding]:
    out = []
    for name, type_col, ratios in (
        ("outcomes", "estimate_type", ("rr", "or")),
        ("reviews", "measure", ("RR", "OR")),
    ):
        ratio = _in(t[name], type_col, ratios)
        for col in ("estimate", "ci_low"):
            out.append(Finding(name, col, ratio & (_f(t[name], col) <= 0)))
    return out


def _estimate_has_type(t: Tables) -> list[Finding]:
    return [
        Finding(name, col, t[name]["estimate"].notna().to_numpy() & t[name][col].isna().to_numpy())
        for name, col in (("outcomes", "estimate_type"), ("reviews", "measure"))
    ]


def _scale_range_ordered(t: Tables) -> list[Finding]:
    o = t["outcomes"]
    return [Finding("outcomes", "scale_max", _f(o, "scale_min") >= _f(o, "scale_max"))]


def _mean_within_scale(t: Tables) -> list[Finding]:
    o = t["outcomes"]
    levels = _in(o, "data_type", ("arm_means", "pre_post"))
    lo, hi = _f(o, "scale_min"), _f(o, "scale_max")
    return [
        Finding("outcomes", col, levels & ((_f(o, col) < lo) | (_f(o, col) > hi)))
        for col in ("mean_ldn", "mean_ctrl")
    ]


def _pre_post_consistent(t: Tables) -> list[Finding]:
    o = t["outcomes"]
    mask = (o["data_type"] == "pre_post").to_numpy() & (
        o["comparison"] != "ldn_pre_post"
    ).to_numpy()
    mask &= o["comparison"].notna().to_numpy()
    return [Finding("outcomes", "comparison", mask)]


def _prefix_mismatch(child: pd.Series, parent: pd.Series) -> np.ndarray:
    both = child.notna().to_numpy() & parent.notna().to_numpy()
    starts = np.strings.startswith(_sd(child), np.strings.add(_sd(parent), "_"))
    return both & ~starts


def _id_prefix(t: Tables) -> list[Finding]:
    o, r = t["outcomes"], t["reviews"]
    return [
        Finding(
            "outcomes",
            "outcome_id",
            _prefix_mismatch(o["outcome_id"], o["study_id"]),
            {"parent_column": np.full(len(o), "study_id")},
        ),
        Finding(
            "reviews",
            "result_id",
            _prefix_mismatch(r["result_id"], r["review_id"]),
            {"parent_column": np.full(len(r), "review_id")},
        ),
    ]


def _sd(series: pd.Series) -> np.ndarray:
    """Return a column as a numpy ``StringDType`` array ('' for blanks) for string ufuncs."""
    if series.dtype != "str" and series.dtype != object:
        series = series.astype("str")
    return np.asarray(series.to_numpy(dtype=object, na_value=""), dtype=_SD)


def _id_year_matches(t: Tables) -> list[Finding]:
    out = []
    for name, col in (("studies", "study_id"), ("reviews", "review_id")):
        table = t[name]
        ids = _sd(table[col])
        year = _f(table, "year")
        suffix = np.strings.add("_", np.where(np.isnan(year), 0, year).astype(np.int64).astype(_SD))
        # id ends with _<year> or _<year><letter>; a placeholder _nd is only for blank years
        ok = np.strings.endswith(ids, suffix) | (np.strings.slice(ids, -6, -1) == suffix)
        both = table[col].notna().to_numpy() & table["year"].notna().to_numpy()
        out.append(Finding(name, col, both & ~ok))
    return out


def _randomized_matches_design(t: Tables) -> list[Finding]:
    s = t["studies"]
    rnd = _f(s, "randomized")
    mask = (_in(s, "design", RANDOMIZED_DESIGNS) & (rnd == 0)) | (
        _in(s, "design", NONRANDOMIZED_DESIGNS) & (rnd == 1)
    )
    return [Finding("studies", "randomized", mask)]


def _case_report_one_participant(t: Tables) -> list[Finding]:
    s = t["studies"]
    n = _f(s, "n_enrolled")
    return [
        Finding(
            "studies", "n_enrolled", _in(s, "design", ["case_report"]) & (n != 1) & ~np.isnan(n)
        )
    ]


def _linked_study_not_self(t: Tables) -> list[Finding]:
    s = t["studies"]
    return [
        Finding(
            "studies",
            "linked_study_id",
            (s["linked_study_id"] == s["study_id"]).fillna(False).to_numpy(bool),
        )
    ]


def _review_condition_known(t: Tables) -> list[Finding]:
    r = t["reviews"]
    known = set(t["conditions"]["id"].dropna()) | {"mixed"}
    return [
        Finding(
            "reviews", "condition", r["condition"].notna().to_numpy() & ~_in(r, "condition", known)
        )
    ]


def _included_studies_resolve(t: Tables) -> list[Finding]:
    r = t["reviews"]
    cells = r["included_study_ids"]
    present = np.flatnonzero(cells.notna().to_numpy())
    values = cells.to_numpy(dtype=object)[present]
    mask = np.zeros(len(r), dtype=bool)
    unknown_ids = np.full(len(r), "", dtype=object)
    if len(values):
        # One split over all cells (C speed); each cell contributes count(';') + 1 ids.
        parts = np.array(";".join(values).replace(" ", "").split(";"), dtype=object)
        per_cell = np.fromiter(map(operator.methodcaller("count", ";"), values), int) + 1
        row_of_part = np.repeat(present, per_cell)
        index, _ = _key_index(t, getattr(t, "memo", {}), "studies", "study_id")
        unknown = index.get_indexer(parts) < 0
        mask[row_of_part[unknown]] = True
        for row in np.flatnonzero(mask)[:MAX_PER_CHECK]:  # message detail, failing rows only
            unknown_ids[row] = ", ".join(parts[unknown & (row_of_part == row)])
    return [Finding("reviews", "included_study_ids", mask, {"unknown_ids": unknown_ids})]


_SD = np.dtypes.StringDType()
_REVIEW_LEVEL = ("first_author", "year", "title", "journal", "doi", "pmid", "review_type")


def _review_fields_consistent(t: Tables) -> list[Finding]:
    r = t["reviews"]
    groups = r.groupby("review_id", sort=False, dropna=False).ngroup().to_numpy()
    first_pos = pd.Series(np.arange(len(r))).groupby(groups).transform("min").to_numpy()
    out = []
    for col in _REVIEW_LEVEL:
        codes, _ = pd.factorize(r[col], use_na_sentinel=True)  # blank = -1, compared as a value
        mask = (codes != codes[first_pos]) & r["review_id"].notna().to_numpy()
        first = r[col].to_numpy(dtype=object, na_value=None)[first_pos]
        out.append(Finding("reviews", col, mask, {"first_value": first}))
    return out


def _registration_dates_ordered(t: Tables) -> list[Finding]:
    g = t["registrations"]
    both = g["start_date"].notna().to_numpy() & g["completion_date"].notna().to_numpy()
    if "status" in g.columns:  # withdrawn records keep whatever dates the registry printed
        both &= (g["status"] != "withdrawn").to_numpy()
    start, end = _sd(g["start_date"]), _sd(g["completion_date"])
    # Compare on the common precision: YYYY-MM against YYYY-MM-DD compares months.
    common = np.minimum(np.strings.str_len(start), np.strings.str_len(end))
    month_later = np.strings.slice(start, 0, 7) > np.strings.slice(end, 0, 7)
    later = np.where(common >= 10, start > end, month_later)
    return [Finding("registrations", "completion_date", both & later)]

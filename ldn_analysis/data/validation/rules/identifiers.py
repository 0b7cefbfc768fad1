"""Rules on identifiers, links between tables and review-level and registry fields."""

from __future__ import annotations

import operator

import numpy as np
import pandas as pd

from ldn_analysis.data.validation.problems import MAX_PER_CHECK
from ldn_analysis.data.validation.rules.registry import Finding, Tables, isin, key_index, num, rule

_SD = np.dtypes.StringDType()
_REVIEW_LEVEL = ("first_author", "year", "title", "journal", "doi", "pmid", "review_type")


def _prefix_mismatch(child: pd.Series, parent: pd.Series) -> np.ndarray:
    both = child.notna().to_numpy() & parent.notna().to_numpy()
    starts = np.strings.startswith(_sd(child), np.strings.add(_sd(parent), "_"))
    return both & ~starts


def _sd(series: pd.Series) -> np.ndarray:
    """Return a column as a numpy ``StringDType`` array ('' for blanks) for string ufuncs."""
    if series.dtype != "str" and series.dtype != object:
        series = series.astype("str")
    return np.asarray(series.to_numpy(dtype=object, na_value=""), dtype=_SD)


@rule(
    "id_prefix",
    "outcome_id starts with its study_id + '_'; result_id starts with its review_id + '_'.",
    needs=("outcomes.outcome_id", "outcomes.study_id", "reviews.result_id", "reviews.review_id"),
    message="{column} {value} does not start with this row's {parent_column} followed by '_'",
    fix="Rename the id to <{parent_column}>_<short name>, or correct {parent_column}.",
)
def id_prefix(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``id_prefix`` (its title is in the decorator)."""
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


@rule(
    "id_year_matches",
    "studies.study_id and reviews.review_id end in the row's year (plus optional "
    "letter); the placeholder 'nd' only while year is blank.",
    needs=("studies.study_id", "studies.year", "reviews.review_id", "reviews.year"),
    message="the year part of {column} {value} does not match year ({year})",
    fix="Ids are built from the publication year: rename the id (replace a provisional 'nd' "
    "by the year once it is known, and update every table that uses the id) or fix year.",
)
def id_year_matches(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``id_year_matches`` (its title is in the decorator)."""
    out = []
    for name, col in (("studies", "study_id"), ("reviews", "review_id")):
        table = t[name]
        ids = _sd(table[col])
        year = num(table, "year")
        suffix = np.strings.add("_", np.where(np.isnan(year), 0, year).astype(np.int64).astype(_SD))
        # id ends with _<year> or _<year><letter>; a placeholder _nd is only for blank years
        ok = np.strings.endswith(ids, suffix) | (np.strings.slice(ids, -6, -1) == suffix)
        both = table[col].notna().to_numpy() & table["year"].notna().to_numpy()
        out.append(Finding(name, col, both & ~ok))
    return out


@rule(
    "linked_study_not_self",
    "studies: linked_study_id is not the row's own study_id.",
    needs=("studies.study_id", "studies.linked_study_id"),
    message="linked_study_id points to the row itself ({value})",
    fix="Leave linked_study_id blank, or set it to the main publication's study_id.",
)
def linked_study_not_self(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``linked_study_not_self`` (its title is in the decorator)."""
    s = t["studies"]
    return [
        Finding(
            "studies",
            "linked_study_id",
            (s["linked_study_id"] == s["study_id"]).fillna(False).to_numpy(bool),
        )
    ]


@rule(
    "review_condition_known",
    "reviews: condition is a conditions.csv id or 'mixed'.",
    needs=("reviews.condition", "conditions.id"),
    message="condition {value} is neither an id in conditions.csv nor 'mixed'",
    fix="Use an id from conditions.csv, or 'mixed' for a review across several conditions.",
)
def review_condition_known(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``review_condition_known`` (its title is in the decorator)."""
    r = t["reviews"]
    known = set(t["conditions"]["id"].dropna()) | {"mixed"}
    return [
        Finding(
            "reviews", "condition", r["condition"].notna().to_numpy() & ~isin(r, "condition", known)
        )
    ]


@rule(
    "included_studies_resolve",
    "reviews: every id in included_study_ids is a study_id in studies.csv.",
    needs=("reviews.included_study_ids", "studies.study_id"),
    message="included_study_ids lists id(s) not in studies.csv: {unknown_ids}",
    fix="Use study_ids from studies.csv separated by ';' (add missing studies first), or "
    "leave the cell blank and list the review's studies in notes.",
)
def included_studies_resolve(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``included_studies_resolve`` (its title is in the decorator)."""
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
        index, _ = key_index(t, "studies", "study_id")
        unknown = index.get_indexer(parts) < 0
        mask[row_of_part[unknown]] = True
        for row in np.flatnonzero(mask)[:MAX_PER_CHECK]:  # message detail, failing rows only
            unknown_ids[row] = ", ".join(parts[unknown & (row_of_part == row)])
    return [Finding("reviews", "included_study_ids", mask, {"unknown_ids": unknown_ids})]


@rule(
    "review_fields_consistent",
    "reviews: review-level columns (" + ", ".join(_REVIEW_LEVEL) + ") are the same on "
    "every row of a review_id.",
    needs=tuple(f"reviews.{c}" for c in ("review_id", *_REVIEW_LEVEL)),
    message="{column} differs from the first row of review {review_id} ({first_value})",
    fix="Review-level information is repeated on every row of the review: copy it from the "
    "review's first row (or give a different review a different review_id).",
)
def review_fields_consistent(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``review_fields_consistent`` (its title is in the decorator)."""
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


@rule(
    "registration_dates_ordered",
    "registrations (except withdrawn): start_date is not after completion_date.",
    needs=("registrations.start_date", "registrations.completion_date"),
    message="completion_date ({value}) is before start_date ({start_date})",
    fix="Check both dates against the registry record.",
)
def registration_dates_ordered(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``registration_dates_ordered`` (its title is in the decorator)."""
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

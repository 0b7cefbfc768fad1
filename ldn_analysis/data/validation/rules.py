"""The registry of cross-table rules (:data:`RULES`) and the code that runs it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ldn_analysis import paths
from ldn_analysis.data.validation._problems import _Collector, _file_problem, _fmt
from ldn_analysis.data.validation.checks import (
    _REVIEW_LEVEL,
    Rule,
    _analyzed_within_enrolled,
    _arm_n_within_enrolled,
    _arms_sum_within_enrolled,
    _at_risk_within_enrolled,
    _case_report_one_participant,
    _ci_ordered,
    _crossover_arms_equal,
    _dose_range_ordered,
    _estimate_has_type,
    _estimate_within_ci,
    _events_within_at_risk,
    _id_prefix,
    _id_year_matches,
    _included_studies_resolve,
    _linked_study_not_self,
    _mean_within_scale,
    _pre_post_consistent,
    _randomized_matches_design,
    _ratio_measures_positive,
    _registration_dates_ordered,
    _review_condition_known,
    _review_fields_consistent,
    _RuleTables,
    _scale_range_ordered,
)

RULES: tuple[Rule, ...] = (
    Rule(
        "events_within_at_risk",
        "adverse_events: events <= n_at_risk.",
        ("adverse_events.events", "adverse_events.n_at_risk"),
        "events ({value}) is larger than n_at_risk ({n_at_risk})",
        "events counts participants with the event, so it cannot exceed the participants at "
        "risk in that arm: check both numbers against the source.",
        _events_within_at_risk,
    ),
    Rule(
        "at_risk_within_enrolled",
        "adverse_events: n_at_risk <= the study's n_enrolled.",
        (
            "adverse_events.n_at_risk",
            "adverse_events.study_id",
            "studies.study_id",
            "studies.n_enrolled",
        ),
        "n_at_risk ({value}) is larger than n_enrolled ({study_n_enrolled}) of study "
        "{study_id} in studies.csv",
        "Check n_at_risk for this arm and n_enrolled of study {study_id} against the source.",
        _at_risk_within_enrolled,
    ),
    Rule(
        "arm_n_within_enrolled",
        "studies n_ldn/n_control and outcomes n_ldn/n_ctrl <= the study's n_enrolled.",
        (
            "studies.study_id",
            "studies.n_enrolled",
            "studies.n_ldn",
            "studies.n_control",
            "outcomes.study_id",
            "outcomes.n_ldn",
            "outcomes.n_ctrl",
        ),
        "{column} ({value}) is larger than the study's n_enrolled ({study_n_enrolled})",
        "An arm cannot have more participants than the study enrolled: check {column} and "
        "n_enrolled of study {study_id} against the source.",
        _arm_n_within_enrolled,
    ),
    Rule(
        "arms_sum_within_enrolled",
        "studies (not crossover): n_ldn + n_control <= n_enrolled.",
        ("studies.design", "studies.n_ldn", "studies.n_control", "studies.n_enrolled"),
        "n_ldn + n_control ({arms_total}) is larger than n_enrolled ({value}) in a {design} study",
        "Check the arm sizes and n_enrolled against the source (only crossover designs count "
        "the same participants in both arms).",
        _arms_sum_within_enrolled,
    ),
    Rule(
        "crossover_arms_equal",
        "studies (crossover designs): n_ldn == n_control (both = participants who received "
        "both treatments).",
        ("studies.design", "studies.n_ldn", "studies.n_control"),
        "n_control ({value}) differs from n_ldn ({n_ldn}) in a {design} study",
        "In crossover studies both n_ldn and n_control are the number of participants who "
        "received both treatments (say so in notes); make them equal.",
        _crossover_arms_equal,
    ),
    Rule(
        "analyzed_within_enrolled",
        "studies: n_analyzed <= n_enrolled.",
        ("studies.n_analyzed", "studies.n_enrolled"),
        "n_analyzed ({value}) is larger than n_enrolled ({n_enrolled})",
        "Check n_analyzed and n_enrolled against the source (n_enrolled counts everyone "
        "enrolled or randomized).",
        _analyzed_within_enrolled,
    ),
    Rule(
        "dose_range_ordered",
        "studies: dose_mg_min <= dose_mg_max.",
        ("studies.dose_mg_min", "studies.dose_mg_max"),
        "dose_mg_min ({value}) is larger than dose_mg_max ({dose_mg_max})",
        "Swap the two doses, or for a single dose write it in both columns.",
        _dose_range_ordered,
    ),
    Rule(
        "ci_ordered",
        "outcomes and reviews: ci_low <= ci_high.",
        ("outcomes.ci_low", "outcomes.ci_high", "reviews.ci_low", "reviews.ci_high"),
        "ci_low ({value}) is larger than ci_high ({ci_high})",
        "Check the confidence interval against the source; the lower bound goes in ci_low.",
        _ci_ordered,
    ),
    Rule(
        "estimate_within_ci",
        "outcomes and reviews: ci_low <= estimate <= ci_high.",
        (
            "outcomes.estimate",
            "outcomes.ci_low",
            "outcomes.ci_high",
            "reviews.estimate",
            "reviews.ci_low",
            "reviews.ci_high",
        ),
        "estimate ({value}) lies outside its confidence interval ({ci_low} to {ci_high})",
        "Check the estimate and the interval against the source (a sign or a ratio on the "
        "log scale is the usual cause).",
        _estimate_within_ci,
    ),
    Rule(
        "ratio_measures_positive",
        "outcomes (rr/or) and reviews (RR/OR): estimate and ci_low > 0.",
        (
            "outcomes.estimate_type",
            "outcomes.estimate",
            "outcomes.ci_low",
            "reviews.measure",
            "reviews.estimate",
            "reviews.ci_low",
        ),
        "{column} ({value}) is not positive, but risk and odds ratios are always > 0",
        "Record the ratio itself (not its logarithm), or fix estimate_type/measure if it is "
        "a difference.",
        _ratio_measures_positive,
    ),
    Rule(
        "estimate_has_type",
        "outcomes: an estimate needs estimate_type; reviews: an estimate needs measure.",
        ("outcomes.estimate", "outcomes.estimate_type", "reviews.estimate", "reviews.measure"),
        "{column} is blank although an estimate ({estimate}) is given",
        "Fill in {column} so the estimate can be interpreted (see the codebook for the "
        "allowed values).",
        _estimate_has_type,
    ),
    Rule(
        "scale_range_ordered",
        "outcomes: scale_min < scale_max.",
        ("outcomes.scale_min", "outcomes.scale_max"),
        "scale_max ({value}) is not larger than scale_min ({scale_min})",
        "Check the instrument's range against the source (lowest possible score in "
        "scale_min, highest in scale_max).",
        _scale_range_ordered,
    ),
    Rule(
        "mean_within_scale",
        "outcomes (arm_means, pre_post): means lie within [scale_min, scale_max].",
        (
            "outcomes.data_type",
            "outcomes.scale_min",
            "outcomes.scale_max",
            "outcomes.mean_ldn",
            "outcomes.mean_ctrl",
        ),
        "{column} ({value}) lies outside the instrument's range {scale_min} to {scale_max}",
        "Check the mean and the scale range against the source (a change score belongs in a "
        "change_scores row).",
        _mean_within_scale,
    ),
    Rule(
        "pre_post_consistent",
        "outcomes: data_type pre_post requires comparison ldn_pre_post.",
        ("outcomes.data_type", "outcomes.comparison"),
        "comparison is {value} but data_type is pre_post",
        "Use comparison ldn_pre_post for before/after data, or fix data_type.",
        _pre_post_consistent,
    ),
    Rule(
        "id_prefix",
        "outcome_id starts with its study_id + '_'; result_id starts with its review_id + '_'.",
        ("outcomes.outcome_id", "outcomes.study_id", "reviews.result_id", "reviews.review_id"),
        "{column} {value} does not start with this row's {parent_column} followed by '_'",
        "Rename the id to <{parent_column}>_<short name>, or correct {parent_column}.",
        _id_prefix,
    ),
    Rule(
        "id_year_matches",
        "studies.study_id and reviews.review_id end in the row's year (plus optional "
        "letter); the placeholder 'nd' only while year is blank.",
        ("studies.study_id", "studies.year", "reviews.review_id", "reviews.year"),
        "the year part of {column} {value} does not match year ({year})",
        "Ids are built from the publication year: rename the id (replace a provisional 'nd' "
        "by the year once it is known, and update every table that uses the id) or fix year.",
        _id_year_matches,
    ),
    Rule(
        "randomized_matches_design",
        "studies: rct_* designs are randomized; nonrandomized designs are not.",
        ("studies.design", "studies.randomized"),
        "randomized is {value} but design is {design}",
        "Set randomized to match the design (rct_parallel/rct_crossover: true; cohort, "
        "single-arm, case and survey designs: false), or fix the design.",
        _randomized_matches_design,
    ),
    Rule(
        "case_report_one_participant",
        "studies: a case_report has n_enrolled = 1.",
        ("studies.design", "studies.n_enrolled"),
        "a case_report has n_enrolled {value}",
        "Use n_enrolled = 1 for a case report, or design case_series for several patients.",
        _case_report_one_participant,
    ),
    Rule(
        "linked_study_not_self",
        "studies: linked_study_id is not the row's own study_id.",
        ("studies.study_id", "studies.linked_study_id"),
        "linked_study_id points to the row itself ({value})",
        "Leave linked_study_id blank, or set it to the main publication's study_id.",
        _linked_study_not_self,
    ),
    Rule(
        "review_condition_known",
        "reviews: condition is a conditions.csv id or 'mixed'.",
        ("reviews.condition", "conditions.id"),
        "condition {value} is neither an id in conditions.csv nor 'mixed'",
        "Use an id from conditions.csv, or 'mixed' for a review across several conditions.",
        _review_condition_known,
    ),
    Rule(
        "included_studies_resolve",
        "reviews: every id in included_study_ids is a study_id in studies.csv.",
        ("reviews.included_study_ids", "studies.study_id"),
        "included_study_ids lists id(s) not in studies.csv: {unknown_ids}",
        "Use study_ids from studies.csv separated by ';' (add missing studies first), or "
        "leave the cell blank and list the review's studies in notes.",
        _included_studies_resolve,
    ),
    Rule(
        "review_fields_consistent",
        "reviews: review-level columns (" + ", ".join(_REVIEW_LEVEL) + ") are the same on "
        "every row of a review_id.",
        tuple(f"reviews.{c}" for c in ("review_id", *_REVIEW_LEVEL)),
        "{column} differs from the first row of review {review_id} ({first_value})",
        "Review-level information is repeated on every row of the review: copy it from the "
        "review's first row (or give a different review a different review_id).",
        _review_fields_consistent,
    ),
    Rule(
        "registration_dates_ordered",
        "registrations (except withdrawn): start_date is not after completion_date.",
        ("registrations.start_date", "registrations.completion_date"),
        "completion_date ({value}) is before start_date ({start_date})",
        "Check both dates against the registry record.",
        _registration_dates_ordered,
    ),
)


class _RowView(dict):
    """``str.format`` mapping that shows blanks as 'blank' and unknown keys verbatim."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _run_rules(
    typed: Mapping[str, pd.DataFrame],
    files: Mapping[str, str],
    collector: _Collector,
    rules: Iterable[Rule] = RULES,
    invalid: Mapping[str, Mapping[str, np.ndarray]] | None = None,
    memo: dict[Any, Any] | None = None,
) -> None:
    """Run the registry; rows whose cells already failed a schema check are not re-reported."""
    invalid = invalid or {}
    view = _RuleTables(typed, memo)
    for rule in rules:
        usable = True
        for need in rule.needs:
            table, column = need.split(".", 1)
            if table not in typed or column not in typed[table].columns:
                usable = False
                break
        if not usable:
            continue
        try:
            findings = rule.find(view)
        except Exception as exc:  # noqa: BLE001 - a rule bug must not hide the data problems
            collector.add(
                _file_problem(
                    paths.DATAPACKAGE,
                    f"internal error in rule {rule.id}: {exc!r}",
                    "Report this to the maintainers together with the data folder.",
                )
            )
            continue
        for finding in findings:
            table = typed[finding.table]
            mask = np.asarray(finding.mask, dtype=bool)
            for need in rule.needs:
                name, column = need.split(".", 1)
                if name == finding.table and column in invalid.get(name, {}):
                    mask = mask & ~invalid[name][column]
            if not mask.any():
                continue
            values = table[finding.column].to_numpy(dtype=object, na_value=None)

            def fmt(pos: int, template: str, table=table, finding=finding, values=values) -> str:
                view = _RowView({c: _fmt(table[c].iloc[pos]) for c in table.columns})
                view.update({k: _fmt(v[pos]) for k, v in finding.context.items()})
                view["column"] = finding.column
                view["value"] = _fmt(values[pos])
                return template.format_map(view)

            collector.add_rows(
                file=files[finding.table],
                column=finding.column,
                labels=table.index.to_numpy(),
                mask=mask,
                values=values,
                message=lambda p, fmt=fmt, rule=rule: f"{fmt(p, rule.message)} [rule {rule.id}]",
                fix=lambda p, fmt=fmt, rule=rule: fmt(p, rule.fix),
                what=f"rule {rule.id}",
            )

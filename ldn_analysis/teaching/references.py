"""Which studies a lesson names, for its linked list of "Studies on this page".

Lesson pages name studies by short citation ("Younger J 2013"); the page ends with each
named study as its full citation linked to its DOI or PubMed record
(:func:`ldn_analysis.studies.show_references`). The ids come from the same tables and
exercise setups the page shows (tables keep them in ``attrs["study_ids"]``), so the
list follows the data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from ldn_analysis.errors import ChoiceError
from ldn_analysis.teaching.bias_traps import registration_table
from ldn_analysis.teaching.designs import (
    design_contrast_ids,
    nocebo_table,
    placebo_response_table,
    randomized_trials_table,
)
from ldn_analysis.teaching.exercise_feedback import exercise_values
from ldn_analysis.teaching.harms import harm_values
from ldn_analysis.teaching.proportions import interval_table, zero_event_table
from ldn_analysis.teaching.risk_of_bias import PAIR, SURROGATE_STUDY
from ldn_analysis.teaching.summary_of_findings import sof_study_ids


def _ids(*tables: pd.DataFrame) -> list[str]:
    return [i for t in tables for i in t.attrs.get("study_ids", [])]


def _designs(evidence: Any) -> list[str]:
    v = exercise_values("crossover_vs_parallel_n", evidence)
    tables = (randomized_trials_table, placebo_response_table, nocebo_table)
    return [v["cx_id"], v["px_id"], *_ids(*(t(evidence) for t in tables))] + list(
        design_contrast_ids(evidence)
    )


def _proportions(evidence: Any) -> list[str]:
    named = [
        exercise_values("rule_of_three", evidence).get("study_id", ""),
        exercise_values("wilson_vs_wald", evidence).get("study_id", ""),
        harm_values(evidence)["study_id"],
    ]
    return named + _ids(
        zero_event_table(evidence), interval_table(evidence), nocebo_table(evidence)
    )


_LESSONS: dict[str, Callable[[Any], list[str]]] = {
    "teach_bias_traps": lambda ev: _ids(registration_table(ev)),
    "teach_designs": _designs,
    "teach_proportions": _proportions,
    "teach_risk_of_bias": lambda ev: [*PAIR, SURROGATE_STUDY],
    "teach_summary_of_findings": sof_study_ids,
}


def lesson_study_ids(evidence: Any, lesson: str) -> list[str]:
    """Return the ids of the studies a lesson page names, in first-named order, once each."""
    if lesson not in _LESSONS:
        raise ChoiceError("lesson", lesson, tuple(_LESSONS))
    return list(dict.fromkeys(i for i in _LESSONS[lesson](evidence) if i))

"""Evidence + parameters in, analysis objects out: selections, effect rows, efficacy, safety.

Notebooks stay thin: they pick a :class:`Selection` (condition, designs, minimum size)
and ask for the analysis they show. Each function here turns the evidence base
(:func:`ldn_analysis.data.load_evidence`) into the tables the figure builders and the
summaries take, so every number in a report is computed once, in code that is tested.

Conventions
-----------
- ``n`` (participants) counts each person once: ``n_analyzed``, else ``n_enrolled``, else
  ``n_ldn + n_control`` (one arm in crossover designs); ``n_basis`` says which.
- An empty ``designs`` list means every design; ``min_n`` drops studies whose ``n`` is
  unknown or below it.
- Effects use :func:`ldn_analysis.effects.compute_effects` (positive = LDN better) and
  keep one row per study: the first estimable row in :data:`DATA_TYPE_PREFERENCE` order.

Modules
-------
- :mod:`.selection`: :func:`load`, :func:`select` and :class:`Selection`, the per-study
  tables and :class:`Table`;
- :mod:`.efficacy`: :func:`effect_rows`, :func:`efficacy` and :class:`Efficacy`,
  the published estimates;
- :mod:`.sensitivity`: sensitivity, leave-one-out and cumulative tables, the duration
  meta-regression and Egger's test;
- :mod:`.safety`: adverse-event proportions, pooled prevalence and risk ratios;
- :mod:`.absolute`: a pooled SMD in scale points, the minimal important difference and a
  responder analysis as risk difference and NNT.
"""

from ldn_analysis.analysis.efficacy import (
    DATA_TYPE_PREFERENCE,
    LOWER_IS_BETTER,
    Efficacy,
    effect_rows,
    efficacy,
    favours_ldn_sign,
    outcome_analyses,
    published_estimates,
)
from ldn_analysis.analysis.safety import ae_table, pooled_ae_table, risk_ratio_table
from ldn_analysis.analysis.selection import (
    RCT_DESIGNS,
    STUDY_COLUMNS,
    Selection,
    load,
    participants,
    select,
    select_studies,
    study_frame,
)
from ldn_analysis.analysis.sensitivity import (
    DurationRegression,
    cumulative_table,
    duration_regression,
    egger_test,
    leave_one_out_table,
    sensitivity_table,
)

__all__ = [
    "DATA_TYPE_PREFERENCE",
    "LOWER_IS_BETTER",
    "RCT_DESIGNS",
    "STUDY_COLUMNS",
    "DurationRegression",
    "Efficacy",
    "Selection",
    "ae_table",
    "cumulative_table",
    "duration_regression",
    "effect_rows",
    "efficacy",
    "outcome_analyses",
    "egger_test",
    "favours_ldn_sign",
    "leave_one_out_table",
    "load",
    "participants",
    "pooled_ae_table",
    "published_estimates",
    "risk_ratio_table",
    "select",
    "select_studies",
    "sensitivity_table",
    "study_frame",
]

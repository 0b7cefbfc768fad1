"""Teaching evidence appraisal: exercise feedback, solutions, and the teaching tables and charts.

The ``teach_*`` notebooks and ``claims_vs_evidence`` call only this package (through
``ldn_analysis.teaching``) and the public API, so they stay thin. One module per part:

- **Exercises** (:mod:`.exercise_feedback`). :func:`ask` shows a question of
  :mod:`ldn_analysis.exercises`, :func:`feedback` checks the student's ``my_answer`` with
  :func:`ldn_analysis.exercises.check` and shows the verdict and a hint (or "no answer
  yet" while ``my_answer`` is None); in ``instructor`` mode it also shows
  :func:`solution_text`, the answer computed from the data with its reasoning.
- **Claims versus evidence** (:mod:`.claims_vs_evidence`). :func:`claims_table` is the
  table of ``python -m ldn_analysis claims``; :func:`show_claims_by_source` groups it by
  source text with each text's health-news score; two charts put the FINAL claim and the
  side-effect range claim beside the data.
- **Lessons.** Tables and charts for the evidence hierarchy (:mod:`.evidence_hierarchy`),
  small proportions (:mod:`.proportions`), few studies and small-study effects
  (:mod:`.heterogeneity`), and crossover/placebo designs (:mod:`.designs`). Every number
  comes from the evidence base and the bundle's statistics
  (:mod:`ldn_analysis.proportions`, :mod:`ldn_analysis.pooling`,
  :mod:`ldn_analysis.effects`); charts are :class:`ldn_analysis.figures.Chart` objects
  whose ``alt`` text is computed from the same numbers.

``Z95``, ``TITLES`` and ``ANSWER_FORMATS`` stay importable from here, and (as before the
split) are not part of ``__all__``.
"""

from ldn_analysis.stats.inference import Z95 as Z95
from ldn_analysis.teaching.bias_traps import (
    multiplicity_simulation,
    registration_table,
    rtm_chart,
    rtm_table,
)
from ldn_analysis.teaching.claims_vs_evidence import (
    any_ae_arms,
    claim_card_text,
    claim_evidence_text,
    claims_table,
    final_trial_chart,
    headline_claims,
    scores_table,
    show_claims_by_source,
    side_effect_range_chart,
    uncontrolled_claim,
    verdict_counts,
)
from ldn_analysis.teaching.designs import (
    crossover_precision_table,
    design_contrast_chart,
    nocebo_table,
    placebo_response_chart,
    placebo_response_table,
    randomized_trials_table,
)
from ldn_analysis.teaching.discussion import MODEL_ANSWER, discuss, discuss_text, verdict_table
from ldn_analysis.teaching.evidence_hierarchy import (
    design_results,
    design_results_chart,
    focus_condition,
    hierarchy_text,
)
from ldn_analysis.teaching.exercise_feedback import ANSWER_FORMATS as ANSWER_FORMATS
from ldn_analysis.teaching.exercise_feedback import (
    BLANK_LINE,
    HIDDEN_TEXT,
    NOT_ANSWERED,
    SOLUTION_HEADING,
    answer_cell_status,
    ask,
    executed_as_page,
    exercise_values,
    feedback,
    feedback_text,
    is_right,
    model_answer,
    solution_text,
    unlocked,
    wilson_percent,
)
from ldn_analysis.teaching.exercise_feedback import TITLES as TITLES
from ldn_analysis.teaching.funnel_demo import funnel_demo_chart
from ldn_analysis.teaching.heterogeneity import (
    EGGER_ALPHA,
    egger_power,
    egger_power_text,
    few_studies_table,
    forest,
    forest_reading_text,
    heterogeneity_text,
    knapp_hartung_text,
    prediction_interval,
    t_multiplier_table,
)
from ldn_analysis.teaching.proportions import (
    coverage_chart,
    interval_chart,
    interval_table,
    zero_event_table,
)
from ldn_analysis.teaching.references import lesson_study_ids
from ldn_analysis.teaching.risk_of_bias import (
    rob_domain_table,
    rob_overall_text,
    rob_pair_chart,
    rob_pair_selection,
    spin_table,
    surrogate_table,
    surrogate_text,
)
from ldn_analysis.teaching.sof_tables import (
    mid_table,
    points_chart,
    responder_table,
    responder_text,
    sd_table,
    sof_row,
)
from ldn_analysis.teaching.summary_of_findings import sof_box

__all__ = [
    "BLANK_LINE",
    "EGGER_ALPHA",
    "HIDDEN_TEXT",
    "MODEL_ANSWER",
    "NOT_ANSWERED",
    "SOLUTION_HEADING",
    "answer_cell_status",
    "any_ae_arms",
    "ask",
    "claim_card_text",
    "claim_evidence_text",
    "claims_table",
    "coverage_chart",
    "crossover_precision_table",
    "design_contrast_chart",
    "design_results",
    "design_results_chart",
    "discuss",
    "discuss_text",
    "egger_power",
    "egger_power_text",
    "executed_as_page",
    "exercise_values",
    "feedback",
    "feedback_text",
    "few_studies_table",
    "final_trial_chart",
    "focus_condition",
    "forest",
    "forest_reading_text",
    "funnel_demo_chart",
    "headline_claims",
    "heterogeneity_text",
    "hierarchy_text",
    "interval_chart",
    "interval_table",
    "is_right",
    "knapp_hartung_text",
    "lesson_study_ids",
    "mid_table",
    "model_answer",
    "multiplicity_simulation",
    "nocebo_table",
    "placebo_response_chart",
    "placebo_response_table",
    "points_chart",
    "prediction_interval",
    "randomized_trials_table",
    "registration_table",
    "responder_table",
    "responder_text",
    "rob_domain_table",
    "rob_overall_text",
    "rob_pair_chart",
    "rob_pair_selection",
    "rtm_chart",
    "rtm_table",
    "scores_table",
    "sd_table",
    "show_claims_by_source",
    "side_effect_range_chart",
    "sof_box",
    "sof_row",
    "solution_text",
    "spin_table",
    "surrogate_table",
    "surrogate_text",
    "t_multiplier_table",
    "uncontrolled_claim",
    "unlocked",
    "verdict_counts",
    "verdict_table",
    "wilson_percent",
    "zero_event_table",
]

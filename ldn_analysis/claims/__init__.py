"""Claims checker: what five public texts say about LDN, tested against the evidence base.

``data/claims.csv`` lists every checkable claim in the source texts (paraphrased), each
tied to a *proposition*: the name of a rule in :data:`PROPOSITIONS` plus its arguments
(``low=0;high=33``). A rule reads the curated tables (studies, outcomes, adverse events,
registrations, reviews) and returns an :class:`Evaluation`: a verdict, the numbers that
decided it, the study ids that supplied them and a plain-language explanation. Verdicts
are never typed into the CSV; they are recomputed from the data every time, so a new
study can change them.

Verdicts
--------
:data:`VERDICTS`, defined in :data:`VERDICT_DEFINITIONS`: supported, overstated,
unsupported (no controlled evidence, or too little to judge), contradicted (precise
evidence against: an interval that excludes the claimed effect, or several consistent
trials), false (a checkable fact that is wrong) and not_testable (mechanism, opinion).
Benefit claims are graded by :mod:`ldn_analysis.claims.grading` on the reports' own pooled
analysis, certainty profile and risk-of-bias table.

Each rule documents its thresholds in its docstring. Every statistic goes through the
bundle's engine: Wilson intervals and the rule of three from ``ldn_analysis.stats``, and
the pooled analyses of ``ldn_analysis.analysis.efficacy`` (the reports' settings).
"""

# ``X as X`` marks a name outside __all__ that other modules (teaching, exercises, tests)
# still use as ``claims.X``: the proposition evaluators and statistics helpers (design vocabularies live in ldn_analysis.vocab).
from ldn_analysis.claims._base import ALPHA as ALPHA
from ldn_analysis.claims._base import (
    CLAIM_TYPES,
    CLAIMS_COLUMNS,
    CLAIMS_FILE,
    NEWS_CRITERIA,
    NEWS_CRITERIA_COLUMNS,
    NEWS_CRITERIA_FILE,
    SOURCE_FILES,
    SOURCE_ORIGINS,
    VERDICT_DEFINITIONS,
    VERDICT_LABELS,
    VERDICTS,
    Evaluation,
    source_names,
    study_label,
    study_labels,
)
from ldn_analysis.claims._base import CONDITION_IDS as CONDITION_IDS
from ldn_analysis.claims._base import MINIMAL_IMPORTANT_SMD as MINIMAL_IMPORTANT_SMD
from ldn_analysis.claims._base import POOL_METHOD as POOL_METHOD
from ldn_analysis.claims._base import POOL_TEST as POOL_TEST
from ldn_analysis.claims._base import RESULT_COLUMNS as RESULT_COLUMNS
from ldn_analysis.claims._base import SUMMARY_EVENTS as SUMMARY_EVENTS
from ldn_analysis.claims._base import is_randomized as is_randomized
from ldn_analysis.claims._base import num_col as num_col
from ldn_analysis.claims._base import pool_effects as pool_effects
from ldn_analysis.claims._base import rule_of_three_bound as rule_of_three_bound
from ldn_analysis.claims._base import text_col as text_col
from ldn_analysis.claims._base import wald as wald
from ldn_analysis.claims._base import wilson_interval as wilson_interval
from ldn_analysis.claims._effects import effect_rows as effect_rows
from ldn_analysis.claims.cli import claims_command
from ldn_analysis.claims.efficacy import condition_rct_benefit as condition_rct_benefit
from ldn_analysis.claims.efficacy import conditions_helped as conditions_helped
from ldn_analysis.claims.efficacy import final_primary_significant as final_primary_significant
from ldn_analysis.claims.efficacy import outcome_benefit as outcome_benefit
from ldn_analysis.claims.efficacy import practice_support as practice_support
from ldn_analysis.claims.efficacy import study_primary_benefit as study_primary_benefit
from ldn_analysis.claims.evaluate import PROPOSITIONS, evaluate_claim, evaluate_claims, parse_args
from ldn_analysis.claims.facts import (
    consort_abstract,
    consort_item,
    consort_score,
    consort_summary,
    consort_table,
)
from ldn_analysis.claims.facts import distinct_trials as distinct_trials
from ldn_analysis.claims.facts import fact as fact
from ldn_analysis.claims.facts import framing as framing
from ldn_analysis.claims.grading import BenefitEvidence, benefit_evidence, grade_benefit
from ldn_analysis.claims.kinds import ae_kinds_reported as ae_kinds_reported
from ldn_analysis.claims.kinds import ae_most_common as ae_most_common
from ldn_analysis.claims.load import load_claims, load_news_criteria, score_sources, validate_claims
from ldn_analysis.claims.page import (
    cited_study_ids,
    discuss,
    discuss_text,
    evidence_text,
    verdict_counts,
    verdict_definitions,
    verdict_text,
    verdicts_by_source,
    with_study_names,
)
from ldn_analysis.claims.reviews import review_harms as review_harms
from ldn_analysis.claims.safety import ae_any_range as ae_any_range
from ldn_analysis.claims.safety import ae_similar_to_placebo as ae_similar_to_placebo
from ldn_analysis.claims.safety import serious_ae_rare as serious_ae_rare
from ldn_analysis.claims.safety import withdrawal_ae_max as withdrawal_ae_max
from ldn_analysis.claims.studies import design_share as design_share
from ldn_analysis.claims.studies import design_variety as design_variety
from ldn_analysis.claims.studies import dose_range as dose_range
from ldn_analysis.claims.studies import duration_range as duration_range
from ldn_analysis.claims.studies import few_large_rcts as few_large_rcts
from ldn_analysis.claims.studies import n_studies as n_studies
from ldn_analysis.claims.studies import ongoing_registrations as ongoing_registrations
from ldn_analysis.claims.studies import review_n_studies as review_n_studies
from ldn_analysis.claims.studies import small_studies as small_studies
from ldn_analysis.claims.studies import study_design as study_design
from ldn_analysis.claims.studies import study_dose as study_dose
from ldn_analysis.claims.studies import study_duration as study_duration
from ldn_analysis.claims.studies import untestable as untestable
from ldn_analysis.vocab import ONGOING_STATUSES as ONGOING_STATUSES

__all__ = [
    "CLAIM_TYPES",
    "CLAIMS_COLUMNS",
    "CLAIMS_FILE",
    "NEWS_CRITERIA",
    "NEWS_CRITERIA_COLUMNS",
    "NEWS_CRITERIA_FILE",
    "PROPOSITIONS",
    "SOURCE_FILES",
    "SOURCE_ORIGINS",
    "VERDICTS",
    "VERDICT_DEFINITIONS",
    "VERDICT_LABELS",
    "BenefitEvidence",
    "Evaluation",
    "benefit_evidence",
    "grade_benefit",
    "consort_abstract",
    "consort_item",
    "consort_score",
    "consort_summary",
    "consort_table",
    "verdict_counts",
    "evidence_text",
    "verdict_definitions",
    "verdict_text",
    "cited_study_ids",
    "source_names",
    "study_label",
    "study_labels",
    "discuss",
    "discuss_text",
    "verdicts_by_source",
    "with_study_names",
    "claims_command",
    "evaluate_claim",
    "evaluate_claims",
    "load_claims",
    "load_news_criteria",
    "parse_args",
    "score_sources",
    "validate_claims",
]

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
supported
    The data agree with the claim as stated.
overstated
    The data point the same way but are weaker than the claim implies (only uncontrolled
    or single small studies, mixed trial results, a range narrower than observed...).
contradicted
    The data disagree (null randomized trials, an observed value outside the claimed
    range beyond its confidence interval, a different count...).
not_testable
    The evidence base does not record what the claim is about (mechanisms, costs,
    regulatory status) or holds no data for it yet.

Each rule documents its thresholds in its docstring. Every statistic goes through the
bundle's engine: Wilson intervals and the rule of three from ``ldn_analysis.proportions``,
standardized effects (positive = LDN better) from ``ldn_analysis.effects.compute_effects``
and random-effects pooling (REML, z test) from ``ldn_analysis.pooling.pool``.
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
    VERDICTS,
    Evaluation,
)
from ldn_analysis.claims._base import CONDITION_IDS as CONDITION_IDS
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
from ldn_analysis.claims.efficacy import study_primary_benefit as study_primary_benefit
from ldn_analysis.claims.evaluate import PROPOSITIONS, evaluate_claim, evaluate_claims, parse_args
from ldn_analysis.claims.load import load_claims, load_news_criteria, score_sources, validate_claims
from ldn_analysis.claims.safety import ae_any_range as ae_any_range
from ldn_analysis.claims.safety import ae_kinds_reported as ae_kinds_reported
from ldn_analysis.claims.safety import ae_most_common as ae_most_common
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
    "Evaluation",
    "claims_command",
    "evaluate_claim",
    "evaluate_claims",
    "load_claims",
    "load_news_criteria",
    "parse_args",
    "score_sources",
    "validate_claims",
]

"""Every controlled vocabulary and its reader-facing label, in one place.

The allowed values live in the schema (``data/datapackage.json``, ``studies.design``); a test
keeps :data:`DESIGNS` equal to that enum. The groupings say which designs are randomized,
controlled or crossover, which the validator, effect sizes, views, claims and teaching all
need to agree on.
"""

from __future__ import annotations

from types import MappingProxyType

#: Randomized designs.
RANDOMIZED_DESIGNS = ("rct_parallel", "rct_crossover")
#: Designs in which the same participants receive LDN and control.
CROSSOVER_DESIGNS = ("rct_crossover", "single_blind_crossover")
#: Designs with a control condition (randomized or not).
CONTROLLED_DESIGNS = RANDOMIZED_DESIGNS + ("single_blind_crossover", "nonrandomized_controlled")
#: Designs that report anecdotes rather than a measured comparison.
ANECDOTAL_DESIGNS = ("case_report", "case_series", "survey")
#: Every design, strongest first (the evidence ladder's order).
DESIGNS = CONTROLLED_DESIGNS + (
    "open_label_single_arm",
    "prospective_cohort",
    "retrospective_cohort",
    "prescription_database",
    "case_series",
    "case_report",
    "survey",
)
#: Designs that are never randomized (a single-blind crossover may be either).
NONRANDOMIZED_DESIGNS = tuple(
    d for d in DESIGNS if d not in RANDOMIZED_DESIGNS + ("single_blind_crossover",)
)


# --- reader-facing labels ----------------------------------------------------------

RESULT_LABELS = MappingProxyType(
    {
        "benefit": "authors report benefit",
        "no_difference": "authors report no difference",
        "harm": "authors report harm",
        "not_reported": "result not reported",
    }
)

# The evidence ladder: designs grouped into rungs, strongest first. The rung decides the
# colour wherever design is shown, so "randomised" looks the same in every chart.
TIERS = (
    ("Randomised controlled trial", ("rct_parallel", "rct_crossover")),
    ("Controlled, not randomised", ("single_blind_crossover", "nonrandomized_controlled")),
    ("Uncontrolled, prospective", ("open_label_single_arm", "prospective_cohort")),
    ("Retrospective or database", ("retrospective_cohort", "prescription_database", "survey")),
    ("Case series or report", ("case_series", "case_report")),
)
TIER_OF_DESIGN = MappingProxyType({d: name for name, designs in TIERS for d in designs})
TIER_ORDER = tuple(name for name, _ in TIERS)
DESIGN_ORDER = tuple(d for _, designs in TIERS for d in designs)
"""Every design, strongest rung first (the order of the evidence-map axis)."""

DESIGN_LABELS = MappingProxyType(
    {
        "rct_parallel": "RCT, parallel",
        "rct_crossover": "RCT, crossover",
        "single_blind_crossover": "single-blind crossover",
        "nonrandomized_controlled": "non-randomised controlled",
        "open_label_single_arm": "open-label single arm",
        "prospective_cohort": "prospective cohort",
        "retrospective_cohort": "retrospective cohort",
        "prescription_database": "prescription database",
        "survey": "survey",
        "case_series": "case series",
        "case_report": "case report",
    }
)

COMPARISON_LABELS = MappingProxyType(
    {
        "ldn_vs_placebo": "LDN vs placebo",
        "ldn_vs_active": "LDN vs active treatment",
        "ldn_pre_post": "before vs after LDN (no control group)",
    }
)


def design_label(design: object) -> str:
    """Return the reader-facing name of a design id (the id itself when unknown)."""
    return DESIGN_LABELS.get(str(design), str(design).replace("_", " "))


def tier_of(design: object) -> str:
    """Return the evidence-ladder rung of a design id ("Other design" when unknown)."""
    return TIER_OF_DESIGN.get(str(design), "Other design")


#: Registration statuses after which results are due.
ENDED_STATUSES = ("completed", "terminated")
#: Registration statuses of trials still running or about to.
ONGOING_STATUSES = (
    "recruiting",
    "not_yet_recruiting",
    "active_not_recruiting",
    "enrolling_by_invitation",
)

#: Teaching notebooks: ``student`` hides solutions, ``instructor`` shows them.
MODES = ("student", "instructor")

# --- reader-facing labels of ids in the data ---------------------------------------------

CONDITION_LABELS = MappingProxyType(
    {
        "fibromyalgia": "fibromyalgia",
        "crohns_disease": "Crohn's disease",
        "ulcerative_colitis": "ulcerative colitis",
        "ibd_mixed": "IBD (Crohn's disease and ulcerative colitis)",
        "diabetic_neuropathy": "painful diabetic neuropathy",
        "neuropathic_pain_other": "other neuropathic pain",
        "chronic_low_back_pain": "chronic low back pain",
        "rheumatoid_arthritis": "rheumatoid arthritis",
        "arthritis_other": "other arthritis",
        "crps": "CRPS (complex regional pain syndrome)",
        "multiple_sclerosis": "multiple sclerosis",
        "interstitial_cystitis": "interstitial cystitis",
        "long_covid": "long COVID",
        "me_cfs": "ME/CFS",
        "gulf_war_illness": "Gulf War illness",
        "headache": "headache and migraine",
        "mixed_chronic_pain": "mixed chronic pain",
        "dermatologic": "skin conditions",
        "depression": "depression",
        "hiv": "HIV",
        "cancer": "cancer",
        "endometriosis": "endometriosis",
        "vulvodynia": "vulvodynia",
        "other": "other conditions",
    }
)
"""Short names used in sentences and tables (data/conditions.csv holds the long names)."""

OUTCOME_LABELS = MappingProxyType({"quality_of_life": "quality of life"})

STATUS_LABELS = MappingProxyType(
    {
        "recruiting": "Recruiting",
        "not_yet_recruiting": "Not yet recruiting",
        "active_not_recruiting": "Active, not recruiting",
        "enrolling_by_invitation": "Enrolling by invitation",
        "completed": "Completed",
        "terminated": "Terminated",
        "suspended": "Suspended",
        "withdrawn": "Withdrawn",
        "pending": "Pending",
        "unknown": "Unknown",
        "authorised_recruitment_may_be_ongoing_or_finished": "Authorised (may be ongoing)",
    }
)

BLINDING_LABELS = MappingProxyType(
    {
        "double_blind": "double-blind",
        "single_blind": "single-blind",
        "open_label": "open-label",
        "not_reported": "blinding not reported",
    }
)

COMPARATOR_LABELS = MappingProxyType(
    {
        "placebo": "placebo",
        "active": "an active treatment",
        "none": "no comparator",
        "usual_care": "usual care",
        "other": "another comparator",
    }
)

TEST_LABELS = MappingProxyType(
    {
        "knha": "Knapp-Hartung",
        "adhoc": "Knapp-Hartung (ad hoc)",
        "z": "z (normal)",
        "t": "t",
    }
)
"""How a pooled 95% CI was made, by ``PoolResult.test``."""

EVENT_LABELS = MappingProxyType(
    {
        "any_ae": "any adverse event",
        "serious_ae": "serious adverse event",
        "withdrawal_ae": "stopped because of adverse events",
        "vivid_dreams": "vivid dreams",
        "sleep_disturbance": "sleep disturbance",
    }
)

ARM_LABELS = MappingProxyType({"ldn": "LDN", "placebo": "placebo", "control": "control"})

COLUMN_LABELS = MappingProxyType(
    {
        "registry_id": "Registration",
        "condition": "Condition",
        "design": "Design",
        "status": "Status",
        "target_enrollment": "Planned participants",
        "start_date": "Start",
        "completion_date": "Completion",
        "results_posted": "Results posted",
        "linked_study_id": "Published as",
        "registry": "Registry",
        "title": "Title",
    }
)

GLOSSARY = MappingProxyType(
    {
        "SMD": "standardised mean difference (Hedges' g): the difference between groups in "
        "standard-deviation units; 0.2 is small, 0.5 moderate, 0.8 large.",
        "95% CI": "confidence interval: the range of effects compatible with the data.",
        "τ²": "tau-squared, the variance of the true effects between studies.",
        "I²": "the share of the spread between study results that is beyond chance (0-100%).",
        "REML": "restricted maximum likelihood, the method used to estimate τ².",
        "Knapp-Hartung": "a way of making the pooled CI that uses a t distribution and the "
        "observed spread; wider and more honest than the normal (z) interval when studies "
        "are few.",
        "Prediction interval": "where the true effect of a new, similar study would likely fall.",
    }
)


def _label(mapping, value: object) -> str:
    text = "" if value is None or value != value else str(value)
    return mapping.get(text, text.replace("_", " "))


def condition_label(condition: object) -> str:
    """Return the short reader-facing name of a condition id ("ME/CFS", "IBD (...)")."""
    return _label(CONDITION_LABELS, condition) if condition else "all conditions"


def outcome_label(outcome: object) -> str:
    """Return the reader-facing name of an outcome domain ("quality of life")."""
    return _label(OUTCOME_LABELS, outcome)


def status_label(status: object) -> str:
    """Return the registry status as a reader reads it ("Recruiting")."""
    return _label(STATUS_LABELS, status).capitalize() if status else "Not stated"


def blinding_label(blinding: object) -> str:
    """Return "double-blind", "open-label"..."""
    return _label(BLINDING_LABELS, blinding)


def test_label(test: object) -> str:
    """Return the name of the method that made a pooled interval ("Knapp-Hartung")."""
    return _label(TEST_LABELS, test)


def event_label(event: object) -> str:
    """Return an adverse-event category in words ("any adverse event")."""
    return _label(EVENT_LABELS, event)


def yes_no(value: object) -> str:
    """Return "Yes"/"No" for booleans and their text forms ("" when missing)."""
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "t", "1.0"):
        return "Yes"
    if text in ("false", "0", "no", "f", "0.0"):
        return "No"
    return ""


# --- risk of bias (RoB 2 for randomised trials, shown in the robvis style) -------------

#: RoB 2 judgements, best first (the values of ``risk_of_bias.judgement``).
ROB_JUDGEMENTS = ("low", "some_concerns", "high")
ROB_LABELS = MappingProxyType(
    {
        "low": "Low risk",
        "some_concerns": "Some concerns",
        "high": "High risk",
        "not_assessed": "Not assessed",
    }
)
#: RoB 2 domains in the tool's order, then the overall judgement.
ROB_DOMAINS = (
    "d1_randomization",
    "d2_deviations",
    "d3_missing_data",
    "d4_measurement",
    "d5_reporting",
    "overall",
)
ROB_DOMAIN_LABELS = MappingProxyType(
    {
        "d1_randomization": "D1 Randomisation process",
        "d2_deviations": "D2 Deviations from intended interventions",
        "d3_missing_data": "D3 Missing outcome data",
        "d4_measurement": "D4 Measurement of the outcome",
        "d5_reporting": "D5 Selection of the reported result",
        "overall": "Overall",
    }
)
#: Short column heads of the traffic-light plot (robvis: D1..D5, Overall).
ROB_DOMAIN_SHORT = MappingProxyType(
    {d: ("Overall" if d == "overall" else d[:2].upper()) for d in ROB_DOMAINS}
)


def design_risk(
    design: object, blinding: object = None, randomized: object = None
) -> tuple[str, str]:
    """Return the design-based risk-of-bias tier of a study: ``(judgement, reason)``.

    Computed from the design (and blinding), never stored: it stands in for a
    ROBINS-I-style judgement where no study-level assessment exists. Randomised and
    double-blind -> ``low`` (nothing in the design is at risk; not a RoB 2 assessment);
    randomised otherwise -> ``some_concerns`` (unblinded participants or assessors);
    controlled but not randomised -> ``high`` (confounding: who got LDN was not left to
    chance); no control group -> ``high`` (natural course, placebo response and regression
    to the mean cannot be separated from the effect of LDN). ``randomized=True`` counts a
    design that may be either (a single-blind crossover) as randomised.
    """
    d = str(design)
    if d in RANDOMIZED_DESIGNS or (randomized is True and d in CONTROLLED_DESIGNS):
        if str(blinding) == "double_blind":
            return "low", "randomised and double-blind (design only, no RoB 2 assessment)"
        return "some_concerns", "randomised but not double-blind (design only)"
    if d in CONTROLLED_DESIGNS:
        return "high", "controlled but not randomised: confounding is not controlled"
    return "high", (
        "no control group: natural course, placebo response and regression to the mean "
        "cannot be told apart from an effect of LDN"
    )

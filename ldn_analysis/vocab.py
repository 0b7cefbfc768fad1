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

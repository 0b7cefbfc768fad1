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

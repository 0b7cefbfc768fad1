"""The one colour palette every chart uses: Okabe-Ito, safe for colour-blind readers.

Okabe & Ito (2008), "Color Universal Design": eight colours that stay distinct under the
common colour-vision deficiencies. Every figure in :mod:`ldn_analysis.figures` takes its
colours from the mappings below (never a literal hex code), so one change here recolours
every report and the tests can check that no other colour sneaks in.
"""

from __future__ import annotations

from types import MappingProxyType

OKABE_ITO = MappingProxyType(
    {
        "black": "#000000",
        "orange": "#E69F00",
        "sky_blue": "#56B4E9",
        "bluish_green": "#009E73",
        "yellow": "#F0E442",
        "blue": "#0072B2",
        "vermillion": "#D55E00",
        "reddish_purple": "#CC79A7",
        "grey": "#999999",
    }
)
"""The Okabe-Ito colours (plus the neutral grey usually shipped with them)."""

PAPER = "#FFFFFF"
"""White: only for outlines that separate adjacent blocks."""

PALETTE = frozenset({*OKABE_ITO.values(), PAPER})
"""Every colour a figure may use (tests check traces against this set)."""

RESULT_COLORS = MappingProxyType(
    {
        "benefit": OKABE_ITO["bluish_green"],
        "no_difference": OKABE_ITO["blue"],
        "harm": OKABE_ITO["vermillion"],
        "not_reported": OKABE_ITO["grey"],
    }
)
"""Colour of a study's ``primary_result`` (what its authors reported)."""

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
    ("Randomised controlled trial", ("rct_parallel", "rct_crossover"), "blue"),
    (
        "Controlled, not randomised",
        ("single_blind_crossover", "nonrandomized_controlled"),
        "sky_blue",
    ),
    ("Uncontrolled, prospective", ("open_label_single_arm", "prospective_cohort"), "orange"),
    (
        "Retrospective or database",
        ("retrospective_cohort", "prescription_database", "survey"),
        "reddish_purple",
    ),
    ("Case series or report", ("case_series", "case_report"), "grey"),
)
TIER_OF_DESIGN = MappingProxyType({d: name for name, designs, _ in TIERS for d in designs})
TIER_COLORS = MappingProxyType({name: OKABE_ITO[colour] for name, _, colour in TIERS})
TIER_ORDER = tuple(name for name, _, _ in TIERS)
DESIGN_ORDER = tuple(d for _, designs, _ in TIERS for d in designs)
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

ARM_COLORS = MappingProxyType(
    {
        "ldn": OKABE_ITO["blue"],
        "placebo": OKABE_ITO["orange"],
        "control": OKABE_ITO["reddish_purple"],
    }
)

POOLED = OKABE_ITO["black"]
"""Pooled estimates (diamonds) and reference lines."""
PREDICTION = OKABE_ITO["orange"]
"""Prediction intervals."""
FLAG = OKABE_ITO["vermillion"]
"""Something the reader must notice: a changed conclusion, a warning."""
STUDY = OKABE_ITO["blue"]
"""Study-level estimates in forest-type plots."""
MUTED = OKABE_ITO["grey"]
"""Context: reference lines, hollow markers, missing values."""
REVIEW = OKABE_ITO["reddish_purple"]
"""Published meta-analyses (reconciliation chart)."""


def design_label(design: object) -> str:
    """Return the reader-facing name of a design id (the id itself when unknown)."""
    return DESIGN_LABELS.get(str(design), str(design).replace("_", " "))


def tier_of(design: object) -> str:
    """Return the evidence-ladder rung of a design id ("Other design" when unknown)."""
    return TIER_OF_DESIGN.get(str(design), "Other design")


def tier_color(tier: str) -> str:
    """Return the colour of a rung (grey for an unknown one)."""
    return TIER_COLORS.get(tier, OKABE_ITO["grey"])

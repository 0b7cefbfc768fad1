"""Study-design vocabulary and its groupings, in one place.

The allowed values live in the schema (``data/datapackage.json``, ``studies.design``); a test
keeps :data:`DESIGNS` equal to that enum. The groupings say which designs are randomized,
controlled or crossover, which the validator, effect sizes, views, claims and teaching all
need to agree on.
"""

from __future__ import annotations

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

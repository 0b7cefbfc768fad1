"""Rules on participant counts, doses and designs of ``studies`` and ``adverse_events``."""

from __future__ import annotations

import numpy as np

from ldn_analysis.data.validation.rules.registry import (
    Finding,
    Tables,
    isin,
    num,
    rule,
    study_lookup,
)
from ldn_analysis.vocab import CROSSOVER_DESIGNS, NONRANDOMIZED_DESIGNS, RANDOMIZED_DESIGNS

#: Observational designs: nobody is assigned a treatment, so nobody can be blinded to it.
OBSERVATIONAL_DESIGNS = (
    "prospective_cohort",
    "retrospective_cohort",
    "prescription_database",
    "case_series",
    "case_report",
    "survey",
)


@rule(
    "events_within_at_risk",
    "adverse_events: events <= n_at_risk.",
    needs=("adverse_events.events", "adverse_events.n_at_risk"),
    message="events ({value}) is larger than n_at_risk ({n_at_risk})",
    fix="events counts participants with the event, so it cannot exceed the participants at "
    "risk in that arm: check both numbers against the source.",
)
def events_within_at_risk(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``events_within_at_risk`` (its title is in the decorator)."""
    ae = t["adverse_events"]
    return [Finding("adverse_events", "events", num(ae, "events") > num(ae, "n_at_risk"))]


@rule(
    "at_risk_within_enrolled",
    "adverse_events: n_at_risk <= the study's n_enrolled.",
    needs=(
        "adverse_events.n_at_risk",
        "adverse_events.study_id",
        "studies.study_id",
        "studies.n_enrolled",
    ),
    message="n_at_risk ({value}) is larger than n_enrolled ({study_n_enrolled}) of study "
    "{study_id} in studies.csv",
    fix="Check n_at_risk for this arm and n_enrolled of study {study_id} against the source.",
)
def at_risk_within_enrolled(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``at_risk_within_enrolled`` (its title is in the decorator)."""
    ae = t["adverse_events"]
    enrolled = study_lookup(t, "n_enrolled", "adverse_events")
    return [
        Finding(
            "adverse_events",
            "n_at_risk",
            num(ae, "n_at_risk") > enrolled,
            {"study_n_enrolled": enrolled},
        )
    ]


@rule(
    "arm_n_within_enrolled",
    "studies n_ldn/n_control and outcomes n_ldn/n_ctrl <= the study's n_enrolled.",
    needs=(
        "studies.study_id",
        "studies.n_enrolled",
        "studies.n_ldn",
        "studies.n_control",
        "outcomes.study_id",
        "outcomes.n_ldn",
        "outcomes.n_ctrl",
    ),
    message="{column} ({value}) is larger than the study's n_enrolled ({study_n_enrolled})",
    fix="An arm cannot have more participants than the study enrolled: check {column} and "
    "n_enrolled of study {study_id} against the source.",
)
def arm_n_within_enrolled(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``arm_n_within_enrolled`` (its title is in the decorator)."""
    s, o = t["studies"], t["outcomes"]
    enrolled_o = study_lookup(t, "n_enrolled", "outcomes")
    n_enrolled = num(s, "n_enrolled")
    return [
        Finding("studies", "n_ldn", num(s, "n_ldn") > n_enrolled, {"study_n_enrolled": n_enrolled}),
        Finding(
            "studies",
            "n_control",
            num(s, "n_control") > n_enrolled,
            {"study_n_enrolled": n_enrolled},
        ),
        Finding(
            "outcomes", "n_ldn", num(o, "n_ldn") > enrolled_o, {"study_n_enrolled": enrolled_o}
        ),
        Finding(
            "outcomes", "n_ctrl", num(o, "n_ctrl") > enrolled_o, {"study_n_enrolled": enrolled_o}
        ),
    ]


@rule(
    "arms_sum_within_enrolled",
    "studies (not crossover): n_ldn + n_control <= n_enrolled.",
    needs=("studies.design", "studies.n_ldn", "studies.n_control", "studies.n_enrolled"),
    message="n_ldn + n_control ({arms_total}) is larger than n_enrolled ({value}) in a {design} study",
    fix="Check the arm sizes and n_enrolled against the source (only crossover designs count "
    "the same participants in both arms).",
)
def arms_sum_within_enrolled(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``arms_sum_within_enrolled`` (its title is in the decorator)."""
    s = t["studies"]
    total = num(s, "n_ldn") + num(s, "n_control")
    parallel = ~isin(s, "design", CROSSOVER_DESIGNS)
    return [
        Finding(
            "studies",
            "n_enrolled",
            parallel & (total > num(s, "n_enrolled")),
            {"arms_total": total},
        )
    ]


@rule(
    "crossover_arms_equal",
    "studies (crossover designs): n_ldn == n_control (both = participants who received "
    "both treatments).",
    needs=("studies.design", "studies.n_ldn", "studies.n_control"),
    message="n_control ({value}) differs from n_ldn ({n_ldn}) in a {design} study",
    fix="In crossover studies both n_ldn and n_control are the number of participants who "
    "received both treatments (say so in notes); make them equal.",
)
def crossover_arms_equal(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``crossover_arms_equal`` (its title is in the decorator)."""
    s = t["studies"]
    a, b = num(s, "n_ldn"), num(s, "n_control")
    return [
        Finding(
            "studies",
            "n_control",
            isin(s, "design", CROSSOVER_DESIGNS) & (a != b) & ~np.isnan(a) & ~np.isnan(b),
        )
    ]


@rule(
    "analyzed_within_enrolled",
    "studies: n_analyzed <= n_enrolled.",
    needs=("studies.n_analyzed", "studies.n_enrolled"),
    message="n_analyzed ({value}) is larger than n_enrolled ({n_enrolled})",
    fix="Check n_analyzed and n_enrolled against the source (n_enrolled counts everyone "
    "enrolled or randomized).",
)
def analyzed_within_enrolled(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``analyzed_within_enrolled`` (its title is in the decorator)."""
    s = t["studies"]
    return [Finding("studies", "n_analyzed", num(s, "n_analyzed") > num(s, "n_enrolled"))]


@rule(
    "dose_range_ordered",
    "studies: dose_mg_min <= dose_mg_max.",
    needs=("studies.dose_mg_min", "studies.dose_mg_max"),
    message="dose_mg_min ({value}) is larger than dose_mg_max ({dose_mg_max})",
    fix="Swap the two doses, or for a single dose write it in both columns.",
)
def dose_range_ordered(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``dose_range_ordered`` (its title is in the decorator)."""
    s = t["studies"]
    return [Finding("studies", "dose_mg_min", num(s, "dose_mg_min") > num(s, "dose_mg_max"))]


@rule(
    "case_report_one_participant",
    "studies: a case_report has n_enrolled = 1.",
    needs=("studies.design", "studies.n_enrolled"),
    message="a case_report has n_enrolled {value}",
    fix="Use n_enrolled = 1 for a case report, or design case_series for several patients.",
)
def case_report_one_participant(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``case_report_one_participant`` (its title is in the decorator)."""
    s = t["studies"]
    n = num(s, "n_enrolled")
    return [
        Finding(
            "studies", "n_enrolled", isin(s, "design", ["case_report"]) & (n != 1) & ~np.isnan(n)
        )
    ]


@rule(
    "randomized_matches_design",
    "studies: rct_* designs are randomized; nonrandomized designs are not.",
    needs=("studies.design", "studies.randomized"),
    message="randomized is {value} but design is {design}",
    fix="Set randomized to match the design (rct_parallel/rct_crossover: true; cohort, "
    "single-arm, case and survey designs: false), or fix the design.",
)
def randomized_matches_design(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``randomized_matches_design`` (its title is in the decorator)."""
    s = t["studies"]
    rnd = num(s, "randomized")
    mask = (isin(s, "design", RANDOMIZED_DESIGNS) & (rnd == 0)) | (
        isin(s, "design", NONRANDOMIZED_DESIGNS) & (rnd == 1)
    )
    return [Finding("studies", "randomized", mask)]


@rule(
    "observational_open_label",
    "studies (observational designs: " + ", ".join(OBSERVATIONAL_DESIGNS) + "): blinding is "
    "open_label.",
    needs=("studies.design", "studies.blinding"),
    message="blinding is {value} but design is {design} (observational)",
    fix="An observational study assigns no treatment and blinds nobody: write open_label (as "
    "for raknes_2017 in the double extraction), or fix the design if the study is a trial.",
)
def observational_open_label(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``observational_open_label`` (title in the decorator)."""
    s = t["studies"]
    mask = isin(s, "design", OBSERVATIONAL_DESIGNS) & ~isin(s, "blinding", ["open_label"])
    return [Finding("studies", "blinding", mask)]

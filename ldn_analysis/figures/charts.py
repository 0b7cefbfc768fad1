"""The charts of a page: analysis objects in, a :class:`Chart` out.

Notebooks call these with a :class:`~ldn_analysis.analysis.Selection` or an
:class:`~ldn_analysis.analysis.Efficacy`; each picks the prepared table from the analysis
object and hands it to one builder, or says in one sentence why nothing is drawn.
"""

from __future__ import annotations

import pandas as pd

from ldn_analysis import vocab
from ldn_analysis.analysis.efficacy import Efficacy
from ldn_analysis.analysis.risk_of_bias import risk_of_bias_table
from ldn_analysis.analysis.safety import ae_table, pooled_ae_table, risk_ratio_table
from ldn_analysis.analysis.selection import Selection
from ldn_analysis.figures._base import PI_MIN_K, SILENT, Chart, no_chart
from ldn_analysis.figures.duration import (
    dose_by_duration,
    duration_by_condition,
    effect_vs_duration,
)
from ldn_analysis.figures.efficacy import forest_plot, reconciliation
from ldn_analysis.figures.evidence import (
    evidence_ladder,
    evidence_map,
    registrations_timeline,
    studies_by_year,
)
from ldn_analysis.figures.risk_of_bias import summary_bars, traffic_light
from ldn_analysis.figures.safety import ae_prevalence, pooled_prevalence, risk_ratios
from ldn_analysis.figures.sensitivity import (
    cumulative_plot,
    funnel_plot,
    leave_one_out,
    method_sensitivity,
)
from ldn_analysis.text.format import study_names
from ldn_analysis.text.studies import CARD_MAX_STUDIES, registrations_text

# --- a selection of studies -------------------------------------------------------------


def map_chart(selection: Selection) -> Chart:
    """Return the evidence map (condition x design) of the selected studies."""
    return evidence_map(selection.studies)


def _thin(selection: Selection) -> bool:
    """One or two studies: the page describes them in study cards, not one-point charts."""
    return 0 < selection.k <= CARD_MAX_STUDIES


def ladder_chart(selection: Selection) -> Chart:
    """Return the evidence ladder of the selected studies (silent when study cards show them)."""
    if _thin(selection):
        return SILENT
    return evidence_ladder(selection.studies, selection.condition)


def timeline_chart(selection: Selection) -> Chart:
    """Return studies and participants by year of the selected studies."""
    if _thin(selection):
        return SILENT
    return studies_by_year(selection.studies)


def registrations_chart(selection: Selection) -> Chart:
    """Return the registered trials of the selection over time (a sentence for 1-2 of them)."""
    r = selection.registrations
    if 0 < len(r) <= CARD_MAX_STUDIES:
        return no_chart(registrations_text(selection))
    return registrations_timeline(r)


def duration_chart(selection: Selection) -> Chart:
    """Return treatment duration by condition of the selected studies."""
    if not selection.k:
        return no_chart("Not drawn: no studies match this selection.")
    if _thin(selection):
        return SILENT
    return duration_by_condition(selection.studies)


def dose_chart(selection: Selection) -> Chart:
    """Return dose against duration of the selected studies."""
    if _thin(selection):
        return SILENT
    return dose_by_duration(selection.studies)


def ae_chart(selection: Selection, event: str | None = None) -> Chart:
    """Return adverse-event prevalence per arm (one event, or all; silent without counts)."""
    rows = ae_table(selection, event)
    if rows.empty:  # text.summaries.safety_summary says so once
        return SILENT
    return ae_prevalence(rows)


def pooled_ae_chart(selection: Selection) -> Chart:
    """Return the pooled prevalence of every adverse-event category."""
    return pooled_prevalence(pooled_ae_table(selection))


def risk_ratio_chart(selection: Selection) -> Chart:
    """Return adverse-event risk ratios, LDN vs placebo (silent without a comparison)."""
    rr = risk_ratio_table(selection)
    if rr.empty:  # text.summaries.placebo_comparison_text says so once
        return SILENT
    return risk_ratios(rr)


def risk_of_bias_chart(selection: Selection, rob: pd.DataFrame | None = None) -> Chart:
    """Return the traffic-light plot (RoB 2 per study and domain, design tiers elsewhere).

    ``rob`` (rows of ``risk_of_bias.csv``) defaults to the selection's own rows. Rows are
    labelled with the studies' short citations (:func:`ldn_analysis.text.format.study_names`),
    as every page names them.
    """
    return traffic_light(_cited(risk_of_bias_table(selection, rob), selection))


def risk_of_bias_summary_chart(selection: Selection, rob: pd.DataFrame | None = None) -> Chart:
    """Return the weighted summary bars of the RoB 2 judgements of the selection."""
    return summary_bars(_cited(risk_of_bias_table(selection, rob), selection))


def _cited(table: pd.DataFrame, selection: Selection) -> pd.DataFrame:
    names = study_names(selection.studies)
    return table.assign(label=table["study_id"].map(names).fillna(table["label"]))


# --- an efficacy analysis -----------------------------------------------------------------


def _not_drawn(eff: Efficacy) -> Chart:
    what = vocab.COMPARISON_LABELS.get(eff.comparison, "any comparison")
    where = vocab.condition_label(eff.condition) if eff.condition else "these studies"
    return no_chart(
        f"Not drawn: no {vocab.outcome_label(eff.outcome)} effect size ({what}) for {where}."
    )


def forest(eff: Efficacy) -> Chart:
    """Return the forest plot of an efficacy analysis."""
    if not eff.k:
        return _not_drawn(eff)
    return forest_plot(eff.effects, eff.result, title=eff.title, measure_label=eff.measure_label)


def sensitivity_chart(eff: Efficacy) -> Chart:
    """Return the pooled estimate under every tau² estimator and test (2+ studies)."""
    if eff.k < 2:
        return SILENT
    return method_sensitivity(
        eff.sensitivity, method=eff.method, test=eff.test, measure_label=eff.measure
    )


def leave_one_out_chart(eff: Efficacy) -> Chart:
    """Return the leave-one-out chart of an efficacy analysis (3+ studies)."""
    if eff.k < PI_MIN_K or eff.result is None:
        return SILENT  # said once by text.summaries.small_k_text
    return leave_one_out(eff.leave_one_out, eff.result, measure_label=eff.measure)


def cumulative_chart(eff: Efficacy) -> Chart:
    """Return the cumulative meta-analysis by year (3+ studies)."""
    if eff.k < PI_MIN_K:
        return SILENT
    return cumulative_plot(eff.cumulative, measure_label=eff.measure)


def funnel(eff: Efficacy) -> Chart:
    """Return the funnel plot and Egger's test (10+ studies; one sentence with 3-9)."""
    if eff.k < PI_MIN_K:
        return SILENT
    return funnel_plot(eff.effects, eff.result, eff.egger, measure_label=eff.measure)


def effect_duration_chart(eff: Efficacy) -> Chart:
    """Return effect size against time to outcome (3+ studies; line with 10+)."""
    if eff.comparison and eff.k < PI_MIN_K:
        return SILENT
    return effect_vs_duration(eff.effects, eff.regression, measure_label=eff.measure)


def reconciliation_chart(eff: Efficacy) -> Chart:
    """Return our estimate beside the published meta-analyses (silent without any)."""
    if eff.published.empty:  # text.summaries.reconciliation_text says so once
        return SILENT
    return reconciliation(eff.ours(), eff.published)

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
from ldn_analysis.figures._base import Chart, no_chart
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

# --- a selection of studies -------------------------------------------------------------


def map_chart(selection: Selection) -> Chart:
    """Return the evidence map (condition x design) of the selected studies."""
    return evidence_map(selection.studies)


def ladder_chart(selection: Selection) -> Chart:
    """Return the evidence ladder of the selected studies."""
    return evidence_ladder(selection.studies, selection.condition)


def timeline_chart(selection: Selection) -> Chart:
    """Return studies and participants by year of the selected studies."""
    return studies_by_year(selection.studies)


def registrations_chart(selection: Selection) -> Chart:
    """Return the registered trials of the selection over time."""
    return registrations_timeline(selection.registrations)


def duration_chart(selection: Selection) -> Chart:
    """Return treatment duration by condition of the selected studies."""
    if not selection.k:
        return no_chart("Not drawn: no studies match this selection.")
    return duration_by_condition(selection.studies)


def dose_chart(selection: Selection) -> Chart:
    """Return dose against duration of the selected studies."""
    return dose_by_duration(selection.studies)


def ae_chart(selection: Selection, event: str | None = None) -> Chart:
    """Return adverse-event prevalence per arm (one event, or all)."""
    return ae_prevalence(ae_table(selection, event))


def pooled_ae_chart(selection: Selection) -> Chart:
    """Return the pooled prevalence of every adverse-event category."""
    return pooled_prevalence(pooled_ae_table(selection))


def risk_ratio_chart(selection: Selection) -> Chart:
    """Return adverse-event risk ratios, LDN vs placebo."""
    return risk_ratios(risk_ratio_table(selection))


def risk_of_bias_chart(selection: Selection, rob: pd.DataFrame | None = None) -> Chart:
    """Return the traffic-light plot (RoB 2 per study and domain, design tiers elsewhere).

    ``rob`` (rows of ``risk_of_bias.csv``) defaults to the selection's own rows.
    """
    return traffic_light(risk_of_bias_table(selection, rob))


def risk_of_bias_summary_chart(selection: Selection, rob: pd.DataFrame | None = None) -> Chart:
    """Return the weighted summary bars of the RoB 2 judgements of the selection."""
    return summary_bars(risk_of_bias_table(selection, rob))


# --- an efficacy analysis -----------------------------------------------------------------


def _not_drawn(eff: Efficacy) -> Chart:
    what = vocab.COMPARISON_LABELS.get(eff.comparison, "any comparison")
    where = eff.condition.replace("_", " ") if eff.condition else "these studies"
    return no_chart(
        f"Not drawn: no {eff.outcome.replace('_', ' ')} effect size ({what}) for {where}."
    )


def forest(eff: Efficacy) -> Chart:
    """Return the forest plot of an efficacy analysis."""
    if not eff.k:
        return _not_drawn(eff)
    return forest_plot(eff.effects, eff.result, title=eff.title, measure_label=eff.measure_label)


def sensitivity_chart(eff: Efficacy) -> Chart:
    """Return the pooled estimate under every tau² estimator and test."""
    if not eff.k:
        return _not_drawn(eff)
    return method_sensitivity(
        eff.sensitivity, method=eff.method, test=eff.test, measure_label=eff.measure
    )


def leave_one_out_chart(eff: Efficacy) -> Chart:
    """Return the leave-one-out chart of an efficacy analysis."""
    if not eff.k:
        return _not_drawn(eff)
    if eff.result is None:
        return no_chart("No pooled estimate, so no leave-one-out analysis.")
    return leave_one_out(eff.leave_one_out, eff.result, measure_label=eff.measure)


def cumulative_chart(eff: Efficacy) -> Chart:
    """Return the cumulative meta-analysis by year."""
    if not eff.k:
        return _not_drawn(eff)
    return cumulative_plot(eff.cumulative, measure_label=eff.measure)


def funnel(eff: Efficacy) -> Chart:
    """Return the funnel plot (with Egger's test where there are enough studies)."""
    if not eff.k:
        return _not_drawn(eff)
    return funnel_plot(eff.effects, eff.result, eff.egger, measure_label=eff.measure)


def effect_duration_chart(eff: Efficacy) -> Chart:
    """Return effect size against treatment duration."""
    return effect_vs_duration(eff.effects, eff.regression, measure_label=eff.measure)


def reconciliation_chart(eff: Efficacy) -> Chart:
    """Return our estimate beside the published meta-analyses."""
    return reconciliation(eff.ours(), eff.published)

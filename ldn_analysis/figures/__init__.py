"""Figure builders: prepared tables and result objects in, a :class:`Chart` out.

Every builder takes DataFrames prepared by :mod:`ldn_analysis.views` (or result objects
from :mod:`ldn_analysis.pooling`) and returns a :class:`Chart`: the plotly figure plus a
one-sentence text alternative computed from the same numbers. Builders never read files.

Conventions shared by every chart (so a reader learns them once):

- colours come from :mod:`ldn_analysis.palette` (Okabe-Ito), design rungs and result
  directions always in the same colour;
- every point that stands for a study has hover text naming the study, its design, n, dose
  and weeks and its source URL, and carries that URL as ``customdata[0]`` (report pages
  open it on click);
- effect axes are oriented so that right = favours LDN (positive ``yi``);
- when there is too little to draw, the builder returns a Chart with ``figure=None`` and
  a generated sentence saying so, instead of an empty chart.

One module per topic, every chart built through :func:`make_figure`:

- :mod:`.charts`: the charts of a page, from an analysis object;
- :mod:`._base`: :class:`Chart`, :func:`make_figure`, the base layout, formatting and
  hover helpers;
- :mod:`.evidence`: evidence map, evidence ladder, studies by year, registrations;
- :mod:`.duration`: duration by condition, dose by duration, effect versus duration;
- :mod:`.safety`: adverse-event prevalence, pooled prevalence, risk ratios;
- :mod:`.efficacy`: forest plot and the reconciliation with published meta-analyses;
- :mod:`.risk_of_bias`: traffic-light plot and weighted summary bars (robvis style);
- :mod:`.sensitivity`: method sensitivity, leave-one-out, cumulative and funnel plots.
"""

from ldn_analysis.figures._base import (
    FAVOURS,
    FONT,
    GRID,
    NOTE_WIDTH,
    ROW_HEIGHT,
    Chart,
    ci_trace,
    error_x,
    hline,
    hover,
    make_figure,
    no_chart,
    vline,
)
from ldn_analysis.figures.charts import (
    ae_chart,
    cumulative_chart,
    dose_chart,
    duration_chart,
    effect_duration_chart,
    forest,
    funnel,
    ladder_chart,
    leave_one_out_chart,
    map_chart,
    pooled_ae_chart,
    reconciliation_chart,
    registrations_chart,
    risk_of_bias_chart,
    risk_of_bias_summary_chart,
    risk_ratio_chart,
    sensitivity_chart,
    timeline_chart,
)
from ldn_analysis.figures.duration import (
    dose_by_duration,
    duration_by_condition,
    effect_vs_duration,
)
from ldn_analysis.figures.efficacy import forest_plot, heterogeneity_text, reconciliation
from ldn_analysis.figures.evidence import (
    evidence_ladder,
    evidence_map,
    registrations_timeline,
    studies_by_year,
)
from ldn_analysis.figures.risk_of_bias import ROB_COLORS, summary_bars, traffic_light
from ldn_analysis.figures.safety import ae_prevalence, pooled_prevalence, risk_ratios
from ldn_analysis.figures.sensitivity import (
    SMALL_K,
    cumulative_plot,
    funnel_plot,
    leave_one_out,
    method_sensitivity,
)

__all__ = [
    "map_chart",
    "ladder_chart",
    "timeline_chart",
    "registrations_chart",
    "duration_chart",
    "dose_chart",
    "ae_chart",
    "pooled_ae_chart",
    "risk_ratio_chart",
    "risk_of_bias_chart",
    "risk_of_bias_summary_chart",
    "traffic_light",
    "summary_bars",
    "ROB_COLORS",
    "forest",
    "sensitivity_chart",
    "leave_one_out_chart",
    "cumulative_chart",
    "funnel",
    "effect_duration_chart",
    "reconciliation_chart",
    "FAVOURS",
    "FONT",
    "GRID",
    "NOTE_WIDTH",
    "ROW_HEIGHT",
    "SMALL_K",
    "Chart",
    "ci_trace",
    "error_x",
    "hline",
    "vline",
    "ae_prevalence",
    "cumulative_plot",
    "dose_by_duration",
    "duration_by_condition",
    "effect_vs_duration",
    "evidence_ladder",
    "evidence_map",
    "forest_plot",
    "funnel_plot",
    "heterogeneity_text",
    "hover",
    "leave_one_out",
    "make_figure",
    "method_sensitivity",
    "no_chart",
    "pooled_prevalence",
    "reconciliation",
    "registrations_timeline",
    "risk_ratios",
    "studies_by_year",
]

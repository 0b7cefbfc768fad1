"""What every chart shares: :class:`Chart`, the one builder path and the text helpers.

:func:`make_figure` is the only place a plotly figure is created (traces + the base
layout of :func:`_base_layout` + note annotations), so fonts, colours, margins and hover
behave the same in every chart. The formatting helpers (:func:`fmt`, :func:`ci_text`,
:func:`conclusion`...) and :func:`hover` write the numbers and the per-study hover text
the same way everywhere; the private trace and line helpers at the end are shared by the
builders of :mod:`ldn_analysis.figures` and the teaching charts of
:mod:`ldn_analysis.teaching`.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

import ldn_analysis.figures.palette as pal
from ldn_analysis import vocab
from ldn_analysis.text.display import show, show_text
from ldn_analysis.text.format import (
    describe,
    outcome_weeks_text,
    short_citations,
    treatment_weeks_text,
)

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
GRID = "#E6E6E6"
FAVOURS = "← favours placebo · favours LDN →"
ROW_HEIGHT = 26
NOTE_WIDTH = 130  # characters per line of a note drawn under a chart
PI_MIN_K = 3
"""Fewest studies for a prediction interval (t with k - 2 df; Cochrane Handbook 10.10.4.3)."""
SMALL_K = 10
"""Fewest studies for a funnel plot, Egger's test or a meta-regression line (Handbook 10.11.5.1,
13.3.5.4; Sterne et al. 2011)."""


@dataclass(frozen=True)
class Chart:
    """A figure and its text alternative, ready to show.

    Attributes
    ----------
    figure : plotly.graph_objects.Figure or None
        The chart; ``None`` when there was too little data to draw one.
    alt : str
        One-sentence description computed from the data (caption and screen-reader text);
        when ``figure`` is None, the sentence that says why nothing is drawn.
    notes : tuple of str
        Warnings or caveats, drawn under the plot inside the figure (and kept here for
        tests and callers that want them as text).
    """

    figure: go.Figure | None
    alt: str
    notes: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """True when there was nothing to draw."""
        return self.figure is None

    def show(self) -> None:
        """Display through :func:`ldn_analysis.display.show` (or the text, when empty)."""
        if self.figure is None:
            if self.alt:  # "" = nothing to say here: the page says it once elsewhere
                show_text(self.alt)
        else:  # notes are drawn inside the figure and repeated in no other place
            show(self.figure, alt=self.alt)


def _esc(value: object) -> str:
    return html.escape("" if value is None or value is pd.NA else str(value))


HOVER_WIDTH = 52
"""Characters per hover line: tooltips stay narrow enough to leave the chart visible."""


def _wrap(text: str, width: int = HOVER_WIDTH) -> str:
    return "<br>".join(_esc(x) for x in textwrap.wrap(text, width)) if text else ""


def hover(df: pd.DataFrame, extra: Sequence[str] | None = None) -> dict:
    """Return the hover keywords for one trace of study points.

    Each point's hover names the study ("Author Year"), design, n, dose, duration (of
    treatment for study rows, to outcome for effect rows) and the authors' result, then any
    ``extra`` line and the effect's ``derivation`` when present, each wrapped to
    :data:`HOVER_WIDTH` characters. No URL is shown; ``customdata[0]`` is the source URL
    (opened on click in reports) and ``customdata[1]`` the study id.
    """
    d = describe(df)
    labels = short_citations(d) if len(d) else []
    effect_rows = "yi" in d.columns
    texts, custom = [], []
    for i, (_, row) in enumerate(d.iterrows()):
        url = row["source_url"] if isinstance(row["source_url"], str) else ""
        weeks = (outcome_weeks_text if effect_rows else treatment_weeks_text)(row["duration_weeks"])
        result = vocab.RESULT_LABELS.get(str(row.get("primary_result", "")), "")
        lines = [
            f"<b>{_esc(labels[i])}</b>",
            _wrap(str(row["design_label"])),
            _wrap(f"{row['n_text']} · {row['dose_text']} · {weeks}"),
        ]
        if result and not (extra is not None and result in str(extra[i])):
            lines.append(_wrap(result))
        if extra is not None and extra[i]:
            lines.append(extra[i])
        derivation = row.get("derivation", "")
        if isinstance(derivation, str) and derivation:  # first step only: the table has it all
            first = derivation.split(";")[0].strip()
            lines.append(
                f"<i>{_wrap(first + ('; ...' if first != derivation.strip() else ''))}</i>"
            )
        texts.append("<br>".join(x for x in lines if x))
        custom.append([url, str(row["study_id"])])
    return {
        "hovertext": texts,
        "customdata": custom,
        "hovertemplate": "%{hovertext}<extra></extra>",
    }


# --------------------------------------------------------------------------- one layout


def _base_layout(
    title: str, subtitle: str | None = None, height: int | None = None, **layout
) -> dict:
    """Return the layout every chart starts from (fonts, colours, margins, hover)."""
    axis = {"gridcolor": GRID, "zeroline": False, "linecolor": pal.MUTED, "automargin": True}
    base = {
        "template": go.layout.Template(),
        "title": {
            "text": title,
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": 12, "l": 16},
            "font": {"size": 17},
        },
        "font": {"family": FONT, "size": 13, "color": pal.OKABE_ITO["black"]},
        "colorway": list(pal.OKABE_ITO.values()),
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hovermode": "closest",
        "hoverlabel": {"align": "left", "bgcolor": "white", "font": {"family": FONT}},
        "margin": {"l": 20, "r": 20, "t": 118 if subtitle else 96, "b": 60},
        "legend": {"orientation": "h", "x": 0, "y": 1.01, "yanchor": "bottom", "xanchor": "left"},
        "xaxis": dict(axis),
        "yaxis": dict(axis),
        "height": height or 460,
    }
    if subtitle:
        base["title"]["subtitle"] = {"text": subtitle, "font": {"size": 13}}
    for key, value in layout.items():
        if key[1:5] == "axis" and key not in base:
            base[key] = dict(axis)
        if key in base and isinstance(base[key], dict) and isinstance(value, dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return base


def make_figure(
    traces: Sequence[go.BaseTraceType] = (),
    *,
    title: str,
    subtitle: str | None = None,
    height: int | None = None,
    notes: Sequence[str] = (),
    **layout,
) -> go.Figure:
    """Build every chart through one path: traces + the base layout + note annotations.

    Parameters
    ----------
    traces : sequence of plotly traces
    title, subtitle : str
        Chart title and optional second line (e.g. heterogeneity statistics).
    height : int, optional
        Pixel height; defaults to 460.
    notes : sequence of str
        Warnings drawn under the plot area in the flag colour.
    **layout
        Extra layout keys, merged over the base layout.
    """
    base = _base_layout(title, subtitle, height, **layout)
    if notes:
        lines = sum(len(textwrap.wrap(f"⚠ {n}", NOTE_WIDTH)) for n in notes)
        base["margin"]["b"] = base["margin"]["b"] + 18 * lines + 20
        base.setdefault("annotations", [])
        base["annotations"] = list(base["annotations"]) + [
            {
                "text": "<br>".join(
                    "<br>  ".join(textwrap.wrap(f"⚠ {_esc(n)}", NOTE_WIDTH)) for n in notes
                ),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 0,
                "yshift": -base["margin"]["b"] + 8,
                "xanchor": "left",
                "yanchor": "bottom",
                "align": "left",
                "showarrow": False,
                "font": {"color": pal.FLAG, "size": 12},
            }
        ]
    return go.Figure(data=list(traces), layout=base)


def no_chart(message: str) -> Chart:
    """Return an empty Chart whose text says why nothing is drawn."""
    return Chart(None, message)


SILENT = Chart(None, "")
"""A chart left out without a sentence, because the page says why once (small-k note, cards)."""


def error_x(x, lo, hi, colour: str, thickness: float = 1.5) -> dict:
    """Return a horizontal error bar from ``lo`` to ``hi`` around ``x`` (scalars or arrays)."""
    x, lo, hi = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (x, lo, hi))
    return {
        "type": "data",
        "symmetric": False,
        "array": hi - x,
        "arrayminus": x - lo,
        "color": colour,
        "thickness": thickness,
        "width": 0,
    }


def ci_trace(x, lo, hi, y, *, name, color, symbol="square", size=9, hover_kw=None, showlegend=True):
    """Return one marker per row at ``x`` with its interval; ``showlegend=None`` leaves it unset."""
    return go.Scatter(
        x=np.asarray(x, dtype=float),
        y=list(y),
        mode="markers",
        name=name,
        showlegend=showlegend,
        marker={"symbol": symbol, "size": size, "color": color, "line": {"color": color}},
        error_x=error_x(x, lo, hi, color),
        **(hover_kw or {}),
    )


LOG_TICKS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200)


def log_ticks(values) -> dict:
    """Return clean tick keywords for a log axis spanning ``values`` (1-2-5 steps, "0.01").

    plotly's own log ticks label minor steps with single digits ("0.01 2 5 0.1"); these
    name every tick in full and thin to 1-10-100 steps when the span is wide.
    """
    v = pd.to_numeric(pd.Series(list(values)), errors="coerce")
    v = v[(v > 0) & np.isfinite(v)]
    lo, hi = (float(v.min()), float(v.max())) if len(v) else (0.5, 2.0)
    lo, hi = min(lo, 1.0), max(hi, 1.0)
    ticks = [t for t in LOG_TICKS if lo / 2.5 <= t <= hi * 2.5]
    if len(ticks) > 9:
        ticks = [t for t in ticks if str(t).lstrip("0.").startswith("1")]
    return {
        "tickmode": "array",
        "tickvals": ticks,
        "ticktext": [f"{t:g}" for t in ticks],
        "minor": {"showgrid": False},
    }


def vline(x: float = 0, **line) -> dict:
    """Return a dotted vertical reference line at ``x`` across the plot (``line`` overrides)."""
    return {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "line": {"color": pal.MUTED, "dash": "dot", **line},
    }


def hline(y: float = 0, **line) -> dict:
    """Return a dotted horizontal reference line at ``y`` across the plot (``line`` overrides)."""
    return {
        "type": "line",
        "xref": "paper",
        "yref": "y",
        "x0": 0,
        "x1": 1,
        "y0": y,
        "y1": y,
        "line": {"color": pal.MUTED, "dash": "dot", **line},
    }


def _zero_line(**kw) -> dict:
    """Return the thin no-effect line at x = 0 (``kw`` overrides shape keys)."""
    return {**vline(0, width=1), **kw}


def _tier_groups(d: pd.DataFrame):
    """Yield ``(tier, rows)`` for each design rung present, strongest first, then others."""
    for tier in [*vocab.TIER_ORDER, "Other design"]:
        sub = d[d["tier"] == tier]
        if not sub.empty:
            yield tier, sub


def _result_groups(d: pd.DataFrame):
    """Yield ``(result, colour, rows)`` for each reported direction present, palette order."""
    for result, colour in pal.RESULT_COLORS.items():
        sub = d[d["primary_result"].fillna("not_reported") == result]
        if not sub.empty:
            yield result, colour, sub


def _text_hover(texts) -> dict:
    """Hover keywords for points that are not studies (pooled rows, method rows)."""
    return {"hovertext": list(texts), "hovertemplate": "%{hovertext}<extra></extra>"}


def _rows_layout(labels, xtitle: str, *, ref: float | None = None, minimum: int = 280) -> dict:
    """Layout of a one-row-per-estimate chart: rows top-down, a reference line at 0.

    ``ref`` adds a dashed line at that value (e.g. the full pooled estimate).
    """
    shapes = [_zero_line()]
    if ref is not None:
        shapes.append(
            {**_zero_line(), "x0": ref, "x1": ref, "line": {"color": pal.POOLED, "dash": "dash"}}
        )
    return {
        "height": max(minimum, ROW_HEIGHT * len(labels) + 200),
        "xaxis": {"title": {"text": xtitle}},
        "yaxis": {"categoryorder": "array", "categoryarray": list(labels)[::-1], "showgrid": False},
        "shapes": shapes,
    }

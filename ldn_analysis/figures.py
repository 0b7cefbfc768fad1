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
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from . import palette as pal

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
GRID = "#E6E6E6"
FAVOURS = "← favours placebo · favours LDN →"
ROW_HEIGHT = 26
NOTE_WIDTH = 130  # characters per line of a note drawn under a chart
Z95 = 1.959963984540054


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
        from .display import show, show_text

        if self.figure is None:
            show_text(self.alt)
        else:  # notes are drawn inside the figure and repeated in no other place
            show(self.figure, alt=self.alt)


# --------------------------------------------------------------------------- formatting


def _num(value: object) -> float:
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return out


def fmt(value: object, digits: int = 2) -> str:
    """Format a number for prose and hover text ("n/a" when missing)."""
    x = _num(value)
    if math.isnan(x):
        return "n/a"
    if float(x).is_integer() and abs(x) >= 1 and digits <= 2:
        return f"{int(x)}"
    return f"{x:.{digits}f}"


def ci_text(estimate: object, low: object, high: object, digits: int = 2) -> str:
    """Return ``"0.21 (95% CI -0.10 to 0.52)"``."""
    return f"{_num(estimate):.{digits}f} (95% CI {_num(low):.{digits}f} to {_num(high):.{digits}f})"


def conclusion(low: object, high: object) -> str:
    """Say which way a 95% interval on the favours-LDN scale points."""
    lo, hi = _num(low), _num(high)
    if math.isnan(lo) or math.isnan(hi):
        return "not estimable"
    if lo > 0:
        return "favours LDN"
    if hi < 0:
        return "favours placebo"
    return "inconclusive (interval includes no effect)"


def dose_text(low: object, high: object) -> str:
    """Return the daily dose as text ("4.5 mg/day", "0.75-6 mg/day", "dose not reported")."""
    lo, hi = _num(low), _num(high)
    if math.isnan(lo) and math.isnan(hi):
        return "dose not reported"
    if math.isnan(lo) or math.isnan(hi) or lo == hi:
        return f"{hi if not math.isnan(hi) else lo:g} mg/day"
    return f"{lo:g}-{hi:g} mg/day"


def weeks_text(weeks: object) -> str:
    """Return the treatment duration as text."""
    w = _num(weeks)
    return "duration not reported" if math.isnan(w) else f"{fmt(w, 1)} weeks"


def n_text(n: object) -> str:
    """Return the participant count as text."""
    x = _num(n)
    return "n not reported" if math.isnan(x) else f"n = {int(x)}"


def _esc(value: object) -> str:
    return html.escape("" if value is None or value is pd.NA else str(value))


def _plural(k: int, word: str, plural: str | None = None) -> str:
    return f"{k} {word if k == 1 else (plural or word + 's')}"


def describe(df: pd.DataFrame) -> pd.DataFrame:
    """Add reader-facing descriptor columns to a study-level table.

    Fills ``design_label``, ``tier``, ``dose_text``, ``weeks_text``, ``n_text`` and
    ``source_url`` from the raw columns when they are missing (so builders accept both
    :func:`ldn_analysis.views.study_frame` output and small hand-made tables).
    """
    out = df.copy()
    for col in ("design", "n", "dose_mg_min", "dose_mg_max", "duration_weeks", "source_url"):
        if col not in out:
            out[col] = np.nan if col != "design" else ""
    if "study_id" not in out:
        out["study_id"] = ""
    out["design_label"] = out["design"].map(pal.design_label)
    out["tier"] = out["design"].map(pal.tier_of)
    out["dose_text"] = [
        dose_text(a, b) for a, b in zip(out["dose_mg_min"], out["dose_mg_max"], strict=True)
    ]
    out["weeks_text"] = out["duration_weeks"].map(weeks_text)
    out["n_text"] = out["n"].map(n_text)
    return out


def hover(df: pd.DataFrame, extra: Sequence[str] | None = None) -> dict:
    """Return the hover keywords for one trace of study points.

    Each point's hover names the study, design, n, dose and weeks, then any ``extra``
    line, then the source URL; ``customdata[0]`` is the URL (opened on click in reports)
    and ``customdata[1]`` the study id.
    """
    d = describe(df)
    texts, custom = [], []
    for i, (_, row) in enumerate(d.iterrows()):
        url = row["source_url"] if isinstance(row["source_url"], str) else ""
        lines = [
            f"<b>{_esc(row['study_id'])}</b>",
            f"design: {_esc(row['design_label'])}",
            _esc(row["n_text"]),
            f"dose: {_esc(row['dose_text'])}",
            f"weeks: {_esc(row['weeks_text'])}",
        ]
        if extra is not None and extra[i]:
            lines.append(extra[i])
        lines.append(f"source: {_esc(url) or 'not recorded'}")
        texts.append("<br>".join(lines))
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


def _ci_trace(
    x, lo, hi, y, *, name, color, symbol="square", size=9, hover_kw=None, showlegend=True
):
    x, lo, hi = (np.asarray(v, dtype=float) for v in (x, lo, hi))
    return go.Scatter(
        x=x,
        y=list(y),
        mode="markers",
        name=name,
        showlegend=showlegend,
        marker={"symbol": symbol, "size": size, "color": color, "line": {"color": color}},
        error_x={
            "type": "data",
            "symmetric": False,
            "array": hi - x,
            "arrayminus": x - lo,
            "color": color,
            "thickness": 1.5,
            "width": 0,
        },
        **(hover_kw or {}),
    )


def _zero_line(**kw) -> dict:
    return {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": 0,
        "x1": 0,
        "y0": 0,
        "y1": 1,
        "line": {"color": pal.MUTED, "dash": "dot", "width": 1},
        **kw,
    }


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


# --------------------------------------------------------------------------- evidence base


def evidence_map(studies: pd.DataFrame) -> Chart:
    """Bubble map of the evidence: condition x design, bubble area = participants.

    Parameters
    ----------
    studies : pandas.DataFrame
        One row per study with ``study_id, condition, design, n, primary_result`` and the
        descriptor columns (see :func:`describe`).

    Returns
    -------
    Chart
        One bubble per study, placed inside its condition x design cell (a deterministic
        sunflower layout so studies in the same cell do not hide each other) and coloured by
        the direction the authors reported.
    """
    if studies.empty:
        return no_chart("No studies match the selection, so there is no evidence map to draw.")
    d = describe(studies).sort_values("n", ascending=False, na_position="last")
    designs = [x for x in pal.DESIGN_ORDER if x in set(d["design"])]
    designs += sorted(set(d["design"]) - set(designs))
    counts = d.groupby("condition")["study_id"].count()
    conditions = sorted(counts.index, key=lambda c: (counts[c], c))
    xs, ys = [], []
    slot: dict[tuple, int] = {}
    cell_size = d.groupby(["condition", "design"])["study_id"].transform("count")
    for (_, row), m in zip(d.iterrows(), cell_size, strict=True):
        i = slot.get((row["condition"], row["design"]), 0)
        slot[(row["condition"], row["design"])] = i + 1
        r = 0.36 * math.sqrt(i / max(m, 1)) if m > 1 else 0.0
        theta = i * 2.39996  # golden angle: an even spread for any count
        xs.append(designs.index(row["design"]) + r * math.cos(theta))
        ys.append(conditions.index(row["condition"]) + r * math.sin(theta) * 0.8)
    d = d.assign(_x=xs, _y=ys)
    max_n = float(np.nanmax(d["n"])) if d["n"].notna().any() else 1.0
    traces = []
    for result, colour in pal.RESULT_COLORS.items():
        sub = d[d["primary_result"].fillna("not_reported") == result]
        if sub.empty:
            continue
        traces.append(
            go.Scatter(
                x=sub["_x"],
                y=sub["_y"],
                mode="markers",
                name=pal.RESULT_LABELS[result],
                marker={
                    "size": sub["n"].fillna(0).clip(lower=0),
                    "sizemode": "area",
                    "sizeref": 2.0 * max_n / (42.0**2),
                    "sizemin": 5,
                    "color": colour,
                    "opacity": 0.85,
                    "line": {"color": pal.OKABE_ITO["black"], "width": 0.5},
                },
                **hover(sub, [f"result: {pal.RESULT_LABELS[result]}"] * len(sub)),
            )
        )
    n_total = int(d["n"].sum(skipna=True))
    mode_design = d["design"].value_counts().idxmax()
    rct = int(d["tier"].eq(pal.TIER_ORDER[0]).sum())
    by_result = d["primary_result"].fillna("not_reported").value_counts()
    alt = (
        f"Evidence map of {_plural(len(d), 'study', 'studies')} with {n_total} participants "
        f"across {_plural(len(conditions), 'condition')} and {_plural(len(designs), 'design')}: "
        f"{rct} randomised controlled, the most common design is "
        f"{pal.design_label(mode_design)} ({int((d['design'] == mode_design).sum())}), and "
        f"authors reported benefit in {int(by_result.get('benefit', 0))}, no difference in "
        f"{int(by_result.get('no_difference', 0))} and harm in {int(by_result.get('harm', 0))}."
    )
    fig = make_figure(
        traces,
        title="Evidence map: which conditions were studied, and how",
        subtitle="One bubble per study; area = participants; colour = what the authors reported",
        height=max(380, 60 * len(conditions) + 200),
        xaxis={
            "tickvals": list(range(len(designs))),
            "ticktext": [pal.design_label(x) for x in designs],
            "range": [-0.6, len(designs) - 0.4],
            "tickangle": -30,
            "title": {"text": "design (strongest left)"},
            "showgrid": False,
        },
        yaxis={
            "tickvals": list(range(len(conditions))),
            "ticktext": [c.replace("_", " ") for c in conditions],
            "range": [-0.6, len(conditions) - 0.4],
            "showgrid": False,
        },
        shapes=[
            {
                "type": "rect",
                "xref": "x",
                "yref": "y",
                "x0": i - 0.45,
                "x1": i + 0.45,
                "y0": j - 0.45,
                "y1": j + 0.45,
                "line": {"width": 0},
                "fillcolor": GRID,
                "opacity": 0.35,
                "layer": "below",
            }
            for i in range(len(designs))
            for j in range(len(conditions))
        ],
    )
    return Chart(fig, alt)


def evidence_ladder(studies: pd.DataFrame, condition: str | None = None) -> Chart:
    """Evidence ladder: participants per design, strongest rung on top, one block per study.

    Each study is a horizontal block as wide as its participant count, stacked along its
    design's row and coloured by the direction its authors reported.
    """
    what = f" for {condition.replace('_', ' ')}" if condition else ""
    if studies.empty:
        return no_chart(f"No studies{what} match the selection, so there is no evidence ladder.")
    d = describe(studies)
    rows = [x for x in pal.DESIGN_ORDER if x in set(d["design"])]
    rows += sorted(set(d["design"]) - set(rows))
    d = d.assign(_row=d["design"].map(rows.index), _w=d["n"].fillna(0).clip(lower=0)).sort_values(
        ["_row", "_w"], ascending=[True, False]
    )
    d["_base"] = d.groupby("_row")["_w"].cumsum() - d["_w"]
    labels = [pal.design_label(x) for x in rows]
    traces = []
    for result, colour in pal.RESULT_COLORS.items():
        sub = d[d["primary_result"].fillna("not_reported") == result]
        if sub.empty:
            continue
        traces.append(
            go.Bar(
                x=sub["_w"],
                base=sub["_base"],
                y=[labels[r] for r in sub["_row"]],
                orientation="h",
                name=pal.RESULT_LABELS[result],
                marker={"color": colour, "line": {"color": pal.PAPER, "width": 1}},
                **hover(sub, [f"result: {pal.RESULT_LABELS[result]}"] * len(sub)),
            )
        )
    totals = d.groupby("_row").agg(k=("study_id", "count"), n=("_w", "sum"))
    notes = []
    missing = int(d["n"].isna().sum())
    if missing:
        notes.append(f"{_plural(missing, 'study', 'studies')} without a participant count.")
    annotations = [
        {
            "x": float(t.n),
            "y": labels[r],
            "xref": "x",
            "yref": "y",
            "text": f"  {_plural(int(t.k), 'study', 'studies')}, "
            f"{_plural(int(t.n), 'participant')}",
            "showarrow": False,
            "xanchor": "left",
            "font": {"size": 12},
        }
        for r, t in totals.iterrows()
    ]
    top = totals.iloc[0]
    alt = (
        f"Evidence ladder{what}: {_plural(len(d), 'study', 'studies')} with "
        f"{int(d['_w'].sum())} participants; the strongest design present is "
        f"{labels[0]} ({_plural(int(top.k), 'study', 'studies')}, {int(top.n)} participants)"
        f" and {int(d['tier'].eq(pal.TIER_ORDER[0]).sum())} are randomised."
    )
    fig = make_figure(
        traces,
        title=f"Evidence ladder{what}",
        subtitle="Participants by design, strongest design on top; one block per study",
        height=max(300, 48 * len(rows) + 200),
        barmode="overlay",
        xaxis={
            "title": {"text": "participants"},
            "range": [0, max(1.0, float(totals.n.max())) * 1.45],
        },
        yaxis={"categoryorder": "array", "categoryarray": labels[::-1]},
        annotations=annotations,
        notes=notes,
    )
    return Chart(fig, alt, tuple(notes))


def studies_by_year(studies: pd.DataFrame) -> Chart:
    """Draw studies per publication year and cumulative participants.

    One block per study (coloured by design rung) stacked per year; the line on the right
    axis is the cumulative number of participants.
    """
    d = describe(studies)
    dated = d[d["year"].notna()].copy() if "year" in d else d.iloc[0:0]
    if dated.empty:
        return no_chart(
            "No study in the selection has a publication year, so there is no timeline."
        )
    dated["year"] = dated["year"].astype(int)
    dated = dated.sort_values(["year", "tier", "study_id"])
    dated["_base"] = dated.groupby("year").cumcount()
    traces = []
    for tier in [*pal.TIER_ORDER, "Other design"]:
        sub = dated[dated["tier"] == tier]
        if sub.empty:
            continue
        traces.append(
            go.Bar(
                x=sub["year"],
                y=[1] * len(sub),
                width=0.8,
                base=sub["_base"],
                name=tier,
                marker={"color": pal.tier_color(tier), "line": {"color": pal.PAPER, "width": 1}},
                **hover(sub),
            )
        )
    per_year = dated.groupby("year")["n"].sum(min_count=0).fillna(0)
    years = list(range(int(per_year.index.min()), int(per_year.index.max()) + 1))
    cumulative = per_year.reindex(years, fill_value=0).cumsum()
    traces.append(
        go.Scatter(
            x=years,
            y=cumulative.values,
            yaxis="y2",
            mode="lines+markers",
            name="cumulative participants",
            line={"color": pal.POOLED, "width": 2, "shape": "hv"},
            marker={"color": pal.POOLED, "size": 5},
            hovertemplate="%{x}: %{y} participants so far<extra></extra>",
        )
    )
    undated = len(d) - len(dated)
    notes = [f"{_plural(undated, 'study', 'studies')} without a year not shown."] if undated else []
    peak = dated["year"].value_counts()
    alt = (
        f"{_plural(len(dated), 'study', 'studies')} published between {years[0]} and "
        f"{years[-1]}, most in {int(peak.idxmax())} ({int(peak.max())}); cumulative "
        f"participants reached {int(cumulative.iloc[-1])}."
    )
    fig = make_figure(
        traces,
        title="Studies and participants by year",
        subtitle="Bars: one block per study, coloured by design; line: cumulative participants",
        barmode="overlay",
        xaxis={
            "title": {"text": "publication year"},
            "dtick": 1 if len(years) < 16 else 2,
            "range": [years[0] - 1, years[-1] + 1],
        },
        yaxis={"title": {"text": "studies"}, "rangemode": "tozero", "dtick": 1},
        yaxis2={
            "title": {"text": "cumulative participants"},
            "tickformat": ",d",
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
        },
        notes=notes,
    )
    return Chart(fig, alt, tuple(notes))


def registrations_timeline(registrations: pd.DataFrame) -> Chart:
    """Draw registered trials by start date and condition; hollow = no published results.

    Parameters
    ----------
    registrations : pandas.DataFrame
        ``registry_id, condition, design, status, start_date, completion_date,
        target_enrollment, results_posted, linked_study_id, source_url``.
    """
    if registrations.empty:
        return no_chart("No trial registrations match the selection.")
    r = registrations.copy()
    r["_date"] = pd.to_datetime(
        r["start_date"].fillna(r["completion_date"]), errors="coerce", format="mixed"
    )
    has_link = r["linked_study_id"].notna() & r["linked_study_id"].astype(str).str.strip().ne("")
    posted = r["results_posted"].astype(str).str.lower().isin(["true", "1"])
    ended = r["status"].astype(str).isin(ENDED_STATUSES)
    r["_group"] = np.where(has_link | posted, "published", np.where(ended, "ended", "open"))
    dated = r[r["_date"].notna()]
    conditions = sorted(r["condition"].dropna().unique())
    traces = []
    for group, name, symbol, colour in (
        ("published", "published or results posted", "circle", pal.STUDY),
        ("ended", "ended, no published results", "circle-open", pal.FLAG),
        ("open", "ongoing or status unknown, no results yet", "circle-open", pal.MUTED),
    ):
        sub = dated[dated["_group"] == group]
        if sub.empty:
            continue
        texts = [
            "<br>".join(
                [
                    f"<b>{_esc(row.registry_id)}</b> ({_esc(row.registry)})",
                    f"planned design: {_esc(pal.design_label(row.design))}",
                    f"target enrolment: {fmt(row.target_enrollment)}",
                    f"status: {_esc(str(row.status).replace('_', ' '))}",
                    f"start: {_esc(row.start_date)}; completion: {_esc(row.completion_date)}",
                    f"linked study: {_esc(row.linked_study_id) if has else 'none'}",
                    f"source: {_esc(row.source_url)}",
                ]
            )
            for row, has in zip(sub.itertuples(), has_link[sub.index], strict=True)
        ]
        traces.append(
            go.Scatter(
                x=sub["_date"],
                y=sub["condition"].str.replace("_", " "),
                mode="markers",
                name=name,
                marker={
                    "symbol": symbol,
                    "size": 12,
                    "color": colour,
                    "line": {"color": colour, "width": 2},
                },
                hovertext=texts,
                customdata=[
                    [u if isinstance(u, str) else "", i]
                    for u, i in zip(sub["source_url"], sub["registry_id"], strict=True)
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    groups = r["_group"].value_counts()
    notes = []
    if len(dated) < len(r):
        notes.append(f"{_plural(len(r) - len(dated), 'registration')} without dates not shown.")
    alt = (
        f"{_plural(len(r), 'registered trial')} across {_plural(len(conditions), 'condition')}: "
        f"{int(groups.get('published', 0))} with a publication or posted results, "
        f"{int(groups.get('ended', 0))} that ended (completed or terminated) with no results "
        f"anywhere, and {int(groups.get('open', 0))} ongoing or of unknown status without results."
    )
    fig = make_figure(
        traces,
        title="Registered trials: which have published results?",
        subtitle="Hollow = no linked publication and no results on the registry; red = trial has ended",
        height=max(320, 40 * len(conditions) + 200),
        xaxis={
            "title": {"text": "start date (completion date when no start is given)"},
            "type": "date",
            "range": [
                (dated["_date"].min() - pd.Timedelta(days=365)).strftime("%Y-%m-%d"),
                (dated["_date"].max() + pd.Timedelta(days=365)).strftime("%Y-%m-%d"),
            ]
            if len(dated)
            else None,
        },
        yaxis={"categoryorder": "category descending"},
        notes=notes,
    )
    return Chart(fig, alt, tuple(notes))


ENDED_STATUSES = ("completed", "terminated")
"""Registration statuses after which results are due."""


def _jitter(keys: pd.Series, width: float = 0.3) -> np.ndarray:
    """Deterministic vertical offsets spreading points that share a key."""
    idx = keys.groupby(keys).cumcount().to_numpy()
    size = keys.map(keys.value_counts()).to_numpy()
    return np.where(size > 1, (idx / np.maximum(size - 1, 1) - 0.5) * 2 * width, 0.0)


def duration_by_condition(studies: pd.DataFrame) -> Chart:
    """Treatment duration (weeks) of each study by condition, coloured by design rung."""
    d = describe(studies)
    timed = d[d["duration_weeks"].notna()].copy()
    if timed.empty:
        return no_chart("No study in the selection reports how long LDN was given.")
    conditions = sorted(timed["condition"].unique())
    timed["_y"] = timed["condition"].map(conditions.index) + _jitter(timed["condition"])
    traces = []
    for tier in [*pal.TIER_ORDER, "Other design"]:
        sub = timed[timed["tier"] == tier]
        if sub.empty:
            continue
        traces.append(
            go.Scatter(
                x=sub["duration_weeks"],
                y=sub["_y"],
                mode="markers",
                name=tier,
                marker={"size": 11, "color": pal.tier_color(tier), "line": {"width": 0}},
                **hover(sub),
            )
        )
    missing = len(d) - len(timed)
    notes = [f"{_plural(missing, 'study', 'studies')} report no duration."] if missing else []
    rct = timed[timed["tier"] == pal.TIER_ORDER[0]]["duration_weeks"]
    rct_text = (
        f"; randomised trials lasted {fmt(rct.min(), 1)} to {fmt(rct.max(), 1)} weeks"
        if len(rct)
        else "; no randomised trial reports a duration"
    )
    alt = (
        f"Treatment lasted a median of {fmt(timed['duration_weeks'].median(), 1)} weeks "
        f"(range {fmt(timed['duration_weeks'].min(), 1)} to "
        f"{fmt(timed['duration_weeks'].max(), 1)}) in "
        f"{_plural(len(timed), 'study', 'studies')} reporting it{rct_text}."
    )
    fig = make_figure(
        traces,
        title="How long was LDN given?",
        subtitle="Treatment duration per study, by condition; colour = design",
        height=max(320, 50 * len(conditions) + 200),
        xaxis={"title": {"text": "weeks of LDN"}, "rangemode": "tozero"},
        yaxis={
            "tickvals": list(range(len(conditions))),
            "ticktext": [c.replace("_", " ") for c in conditions],
            "showgrid": False,
        },
        notes=notes,
    )
    return Chart(fig, alt, tuple(notes))


def dose_by_duration(studies: pd.DataFrame) -> Chart:
    """Daily dose (range as a horizontal bar) against treatment duration, per study."""
    d = describe(studies)
    d["_hi"] = d["dose_mg_max"].fillna(d["dose_mg_min"])
    d["_lo"] = d["dose_mg_min"].fillna(d["_hi"])
    both = d[d["_hi"].notna() & d["duration_weeks"].notna()]
    if both.empty:
        return no_chart("No study in the selection reports both its dose and its duration.")
    traces = []
    for tier in [*pal.TIER_ORDER, "Other design"]:
        sub = both[both["tier"] == tier]
        if sub.empty:
            continue
        traces.append(
            go.Scatter(
                x=sub["_hi"],
                y=sub["duration_weeks"],
                mode="markers",
                name=tier,
                marker={"size": 11, "color": pal.tier_color(tier)},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [0] * len(sub),
                    "arrayminus": (sub["_hi"] - sub["_lo"]).to_numpy(),
                    "color": pal.tier_color(tier),
                    "width": 0,
                },
                **hover(sub),
            )
        )
    missing = len(d) - len(both)
    notes = (
        [f"{_plural(missing, 'study', 'studies')} lack a dose or a duration and are not shown."]
        if missing
        else []
    )
    alt = (
        f"{_plural(len(both), 'study', 'studies')} report dose and duration: maximum daily "
        f"doses from {both['_hi'].min():g} to {both['_hi'].max():g} mg (most often "
        f"{both['_hi'].mode().iloc[0]:g} mg) given for {fmt(both['duration_weeks'].min(), 1)}"
        f" to {fmt(both['duration_weeks'].max(), 1)} weeks."
    )
    fig = make_figure(
        traces,
        title="Dose and duration",
        subtitle="Marker = highest daily dose; bar to the left = titration range",
        xaxis={"title": {"text": "daily dose (mg)"}, "rangemode": "tozero"},
        yaxis={"title": {"text": "weeks of LDN"}, "rangemode": "tozero"},
        notes=notes,
    )
    return Chart(fig, alt, tuple(notes))


# --------------------------------------------------------------------------- safety


def ae_prevalence(rows: pd.DataFrame) -> Chart:
    """Share of participants with each adverse event, per study and arm, with 95% intervals.

    Parameters
    ----------
    rows : pandas.DataFrame
        From :func:`ldn_analysis.views.ae_table`: ``study_id, event, arm, events,
        n_at_risk, proportion, ci_low, ci_high, interval`` plus descriptors. Rows with zero
        events carry the rule-of-three upper bound (``interval == "rule of three"``) and
        are drawn as hollow markers at 0.
    """
    r = rows[rows["n_at_risk"].notna()] if not rows.empty else rows
    if r.empty:
        return no_chart(
            "No adverse-event count with a denominator matches the selection, so no "
            "prevalence can be shown."
        )
    r = r.sort_values(["event", "study_id", "arm"]).reset_index(drop=True)
    labels = [
        f"{e.replace('_', ' ')} · {s} · {a}"
        for e, s, a in zip(r["event"], r["study_id"], r["arm"], strict=True)
    ]
    r = r.assign(_label=labels)
    traces = []
    for arm, colour in pal.ARM_COLORS.items():
        for zero in (False, True):
            sub = r[(r["arm"] == arm) & (r["events"].eq(0) == zero)]
            if sub.empty:
                continue
            extra = [
                f"{arm}: {int(e)} of {int(n)} ({fmt(100 * p, 1)}%), 95% {iv} "
                f"{fmt(100 * lo, 1)}-{fmt(100 * hi, 1)}%"
                for e, n, p, lo, hi, iv in zip(
                    sub["events"],
                    sub["n_at_risk"],
                    sub["proportion"],
                    sub["ci_low"],
                    sub["ci_high"],
                    sub["interval"],
                    strict=True,
                )
            ]
            traces.append(
                _ci_trace(
                    100 * sub["proportion"],
                    100 * sub["ci_low"],
                    100 * sub["ci_high"],
                    sub["_label"],
                    name=f"{arm}{' (zero events: rule-of-three bound)' if zero else ''}",
                    color=colour,
                    symbol="circle-open" if zero else "circle",
                    hover_kw=hover(sub, extra),
                )
            )
    zeros = r[r["events"].eq(0)]
    any_ae = r[(r["event"] == "any_ae") & (r["arm"] == "ldn") & r["events"].gt(0)]
    alt = (
        f"{_plural(len(r), 'adverse-event count')} from {_plural(r['study_id'].nunique(), 'study', 'studies')}"
        f" across {_plural(r['event'].nunique(), 'event type')}"
        + (
            f"; any adverse event on LDN ranged from {fmt(100 * any_ae['proportion'].min(), 0)}% "
            f"to {fmt(100 * any_ae['proportion'].max(), 0)}%"
            if len(any_ae)
            else ""
        )
        + (
            f"; {_plural(len(zeros), 'count')} of zero shown with the rule-of-three upper bound."
            if len(zeros)
            else "."
        )
    )
    events = r["event"].unique()
    what = events[0].replace("_", " ") if len(events) == 1 else "adverse events"
    fig = make_figure(
        traces,
        title=f"{what.capitalize()}: share of participants, per study and arm",
        subtitle="Dot = observed %, line = 95% Wilson interval; hollow = zero events (upper bound 3/n)",
        height=max(320, ROW_HEIGHT * len(r) + 200),
        xaxis={"title": {"text": "% of participants"}, "rangemode": "tozero"},
        yaxis={"categoryorder": "array", "categoryarray": labels[::-1], "showgrid": False},
    )
    return Chart(fig, alt)


def pooled_prevalence(pooled: pd.DataFrame) -> Chart:
    """Pooled share of LDN-treated participants with each adverse event, with 95% intervals.

    Parameters
    ----------
    pooled : pandas.DataFrame
        From :func:`ldn_analysis.views.pooled_ae_table`: ``event, estimate, ci_low,
        ci_high, k, n, studies, method``.
    """
    if pooled.empty:
        return no_chart("No adverse event was counted in LDN arms, so nothing can be pooled.")
    p = pooled.sort_values("estimate").reset_index(drop=True)
    labels = [e.replace("_", " ") for e in p["event"]]
    texts = [
        f"<b>{_esc(lab)}</b><br>{fmt(100 * row.estimate, 1)}% "
        f"(95% CI {fmt(100 * row.ci_low, 1)}-{fmt(100 * row.ci_high, 1)}%)<br>"
        f"{_plural(int(row.k), 'study', 'studies')}, {int(row.n)} participants<br>"
        f"studies: {_esc(row.studies)}<br>method: {_esc(row.method)}"
        for lab, row in zip(labels, p.itertuples(), strict=True)
    ]
    single = p["k"].lt(2)
    traces = [
        _ci_trace(
            100 * p["estimate"][~single],
            100 * p["ci_low"][~single],
            100 * p["ci_high"][~single],
            [labels[i] for i in p.index[~single]],
            name="pooled (2+ studies)",
            color=pal.POOLED,
            symbol="diamond",
            size=12,
            hover_kw={
                "hovertext": [texts[i] for i in p.index[~single]],
                "hovertemplate": "%{hovertext}<extra></extra>",
            },
        ),
        _ci_trace(
            100 * p["estimate"][single],
            100 * p["ci_low"][single],
            100 * p["ci_high"][single],
            [labels[i] for i in p.index[single]],
            name="single study (not pooled)",
            color=pal.MUTED,
            symbol="diamond-open",
            size=12,
            hover_kw={
                "hovertext": [texts[i] for i in p.index[single]],
                "hovertemplate": "%{hovertext}<extra></extra>",
            },
        ),
    ]
    top = p.iloc[-1]
    alt = (
        f"Pooled prevalence of {_plural(len(p), 'adverse event')} on LDN; the most common is "
        f"{top['event'].replace('_', ' ')} at {fmt(100 * top['estimate'], 1)}% (95% CI "
        f"{fmt(100 * top['ci_low'], 1)}-{fmt(100 * top['ci_high'], 1)}%, "
        f"{_plural(int(top['k']), 'study', 'studies')}); {int(single.sum())} rest on one study."
    )
    fig = make_figure(
        [t for t in traces if len(t.x)],
        title="Adverse events on LDN: pooled prevalence",
        subtitle="Pooled proportion with 95% interval"
        + (f" ({_esc(p['method'][~single].iloc[0])})" if (~single).any() else ""),
        height=max(300, 34 * len(p) + 200),
        xaxis={"title": {"text": "% of participants on LDN"}, "rangemode": "tozero"},
        yaxis={"categoryorder": "array", "categoryarray": labels, "showgrid": False},
    )
    return Chart(fig, alt)


def risk_ratios(rr: pd.DataFrame) -> Chart:
    """Risk ratios LDN vs placebo per study and event (log axis; > 1 = more often on LDN).

    Parameters
    ----------
    rr : pandas.DataFrame
        From :func:`ldn_analysis.views.risk_ratio_table`: ``study_id, event, rr, ci_low,
        ci_high, events_ldn, n_ldn, events_ctrl, n_ctrl, note`` plus descriptors; rows
        with no estimate (zero events in both arms) are listed in the alt text, not drawn.
    """
    if rr.empty:
        return no_chart(
            "No study reports the same adverse event for LDN and placebo arms, so no risk "
            "ratio can be computed."
        )
    ok = rr[rr["rr"].notna()].sort_values(["event", "study_id"]).reset_index(drop=True)
    blank = rr[rr["rr"].isna()]
    if ok.empty:
        return no_chart(
            f"{_plural(len(blank), 'comparison')} of LDN with placebo had zero events in both "
            "arms, so no risk ratio is estimable (both arms: 0 events)."
        )
    labels = [
        f"{e.replace('_', ' ')} · {s}" for e, s in zip(ok["event"], ok["study_id"], strict=True)
    ]
    extra = [
        f"RR {fmt(row.rr)} (95% CI {fmt(row.ci_low)} to {fmt(row.ci_high)})<br>"
        f"LDN {int(row.events_ldn)}/{int(row.n_ldn)}, placebo {int(row.events_ctrl)}/"
        f"{int(row.n_ctrl)}{'<br>' + _esc(row.note) if isinstance(row.note, str) and row.note else ''}"
        for row in ok.itertuples()
    ]
    trace = _ci_trace(
        ok["rr"],
        ok["ci_low"],
        ok["ci_high"],
        labels,
        name="risk ratio (95% CI)",
        color=pal.STUDY,
        hover_kw=hover(ok, extra),
    )
    clear = ok[(ok["ci_low"] > 1) | (ok["ci_high"] < 1)]
    alt = (
        f"{_plural(len(ok), 'risk ratio')} of LDN versus placebo from "
        f"{_plural(ok['study_id'].nunique(), 'study', 'studies')}; "
        f"{len(clear)} exclude 1"
        + (
            f"; {len(blank)} with zero events in both arms are not estimable."
            if len(blank)
            else "."
        )
    )
    fig = make_figure(
        [trace],
        title="Adverse events: LDN versus placebo",
        subtitle="Risk ratio with 95% CI; right of 1 = more frequent on LDN",
        height=max(280, ROW_HEIGHT * len(ok) + 200),
        xaxis={"type": "log", "title": {"text": "risk ratio (log scale)"}},
        yaxis={"categoryorder": "array", "categoryarray": labels[::-1], "showgrid": False},
        shapes=[{**_zero_line(), "x0": 1, "x1": 1}],
        showlegend=False,
    )
    return Chart(fig, alt)


# --------------------------------------------------------------------------- efficacy


def heterogeneity_text(result) -> str:
    """Return ``"τ² = 0.04, I² = 38%, Q = 4.8 (df 3, p = 0.19)"`` (I² is in percent)."""
    k = int(getattr(result, "k", 0) or 0)
    return (
        f"τ² = {fmt(result.tau2, 3)}, I² = {fmt(result.i2, 0)}%, "
        f"Q = {fmt(result.q, 2)} (df {max(k - 1, 0)}, p = {fmt(result.q_pvalue, 3)})"
    )


def _study_ci(effects: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    yi = effects["yi"].to_numpy(float)
    se = np.sqrt(effects["vi"].to_numpy(float))
    return yi - Z95 * se, yi + Z95 * se


def _weights_percent(effects: pd.DataFrame, result) -> np.ndarray:
    if "weight" in effects:
        w = effects["weight"].to_numpy(float)
    else:
        w = np.asarray(getattr(result, "weights", None) or [], dtype=float)
        if w.size != len(effects):
            w = 1.0 / effects["vi"].to_numpy(float)
    total = np.nansum(w)
    return 100.0 * w / total if total > 0 else np.full(len(effects), np.nan)


def forest_plot(
    effects: pd.DataFrame,
    result,
    *,
    title: str,
    measure_label: str = "SMD",
) -> Chart:
    """Forest plot with study descriptors, the pooled diamond and the prediction interval.

    Parameters
    ----------
    effects : pandas.DataFrame
        One row per study: ``study_id, yi, vi`` (positive = favours LDN) and the descriptor
        columns ``design, n, dose_mg_min, dose_mg_max, duration_weeks, source_url``;
        optional ``ci_low, ci_high, weight``.
    result : PoolResult
        From :func:`ldn_analysis.pooling.pool` on the same rows (estimate, ci, pi,
        heterogeneity, weights, warnings).
    title : str
        What is pooled, e.g. "Pain, LDN vs placebo: fibromyalgia".
    measure_label : str
        Effect measure named on the axis.

    Returns
    -------
    Chart
        Heterogeneity statistics are in the subtitle; the pooling warnings are drawn under
        the plot and returned as ``notes``.
    """
    if effects.empty or result is None:
        return no_chart(f"{title}: no study gives an effect size, so there is nothing to pool.")
    e = describe(effects).reset_index(drop=True)
    k = len(e)
    lo, hi = _study_ci(e)
    w = _weights_percent(e, result)
    rows = list(range(k))
    pooled_y, pi_y = k + 0.6, k + 1.5
    size = 7 + 12 * np.sqrt(np.nan_to_num(w) / max(np.nanmax(w), 1e-9))
    extra = [
        f"{measure_label} {ci_text(y, a, b)}; weight {fmt(wt, 1)}%"
        for y, a, b, wt in zip(e["yi"], lo, hi, w, strict=True)
    ]
    traces = [
        go.Scatter(
            x=e["yi"],
            y=rows,
            mode="markers",
            name="study (size = weight)",
            marker={"symbol": "square", "size": size, "color": pal.STUDY},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": hi - e["yi"].to_numpy(float),
                "arrayminus": e["yi"].to_numpy(float) - lo,
                "color": pal.STUDY,
                "thickness": 1.5,
                "width": 0,
            },
            **hover(e, extra),
        )
    ]
    est, clo, chi = _num(result.estimate), _num(result.ci_low), _num(result.ci_high)
    test = (
        str(getattr(result, "test", "")).replace("knha", "Knapp-Hartung").replace("z", "z (Wald)")
    )
    traces.append(
        go.Scatter(
            x=[clo, est, chi, est, clo],
            y=[pooled_y, pooled_y - 0.35, pooled_y, pooled_y + 0.35, pooled_y],
            mode="lines",
            fill="toself",
            fillcolor=pal.POOLED,
            line={"color": pal.POOLED},
            name=f"pooled, {result.method} random effects",
            hovertext=f"pooled {measure_label} {ci_text(est, clo, chi)}<br>{_esc(result.method)}, {test} interval<br>k = {k}",
            hoverinfo="text",
        )
    )
    pil, pih = _num(getattr(result, "pi_low", None)), _num(getattr(result, "pi_high", None))
    if not (math.isnan(pil) or math.isnan(pih)):
        traces.append(
            go.Scatter(
                x=[pil, pih],
                y=[pi_y, pi_y],
                mode="lines+markers",
                marker={
                    "symbol": "line-ns",
                    "size": 12,
                    "color": pal.PREDICTION,
                    "line": {"width": 2, "color": pal.PREDICTION},
                },
                line={"color": pal.PREDICTION, "width": 3},
                name="95% prediction interval",
                hovertext=f"95% prediction interval {fmt(pil)} to {fmt(pih)}: where a new study's true effect would likely fall",
                hoverinfo="text",
            )
        )
    # Descriptor columns drawn as text beside the rows (a table aligned with the plot).
    cols = [
        ("study", 0.0, list(e["study_id"]) + ["Pooled (random effects)", "Prediction interval"]),
        ("design", 0.15, list(e["design_label"]) + ["", ""]),
        ("n", 0.29, [fmt(x) for x in e["n"]] + [fmt(np.nansum(e["n"])), ""]),
        ("dose", 0.33, [t.replace(" mg/day", "") for t in e["dose_text"]] + ["", ""]),
        ("weeks", 0.40, [fmt(x, 1) for x in e["duration_weeks"]] + ["", ""]),
        (
            f"{measure_label.split(' (')[0]} [95% CI]",
            0.83,
            [
                ci_text(y, a, b).replace(" (95% CI ", " [").replace(" to ", ", ").replace(")", "]")
                for y, a, b in zip(e["yi"], lo, hi, strict=True)
            ]
            + [
                ci_text(est, clo, chi)
                .replace(" (95% CI ", " [")
                .replace(" to ", ", ")
                .replace(")", "]"),
                f"[{fmt(pil)}, {fmt(pih)}]" if not math.isnan(pil) else "",
            ],
        ),
        ("weight", 0.955, [f"{fmt(x, 1)}%" for x in w] + ["100%", ""]),
    ]
    ys = rows + [pooled_y, pi_y]
    annotations = []
    for header, x, values in cols:
        annotations.append(
            {
                "text": f"<b>{_esc(header)}</b>",
                "x": x,
                "y": -1,
                "xref": "paper",
                "yref": "y",
                "xanchor": "left",
                "showarrow": False,
                "font": {"size": 12},
            }
        )
        annotations += [
            {
                "text": _esc(v).replace("dose not reported", "n/r"),
                "x": x,
                "y": y,
                "xref": "paper",
                "yref": "y",
                "xanchor": "left",
                "showarrow": False,
                "font": {"size": 12},
            }
            for v, y in zip(values, ys, strict=True)
        ]
    notes = tuple(str(wn) for wn in (getattr(result, "warnings", None) or ()))
    direction = conclusion(clo, chi)
    alt = (
        f"Forest plot of {_plural(k, 'study', 'studies')} ({int(np.nansum(e['n']))} participants): "
        f"pooled {measure_label} {ci_text(est, clo, chi)}, {direction}"
        + (f"; 95% prediction interval {fmt(pil)} to {fmt(pih)}" if not math.isnan(pil) else "")
        + f"; {heterogeneity_text(result)}."
    )
    fig = make_figure(
        traces,
        title=title,
        subtitle=f"{_esc(result.method)} random effects, {test} interval · heterogeneity: {heterogeneity_text(result)}",
        height=ROW_HEIGHT * (k + 3) + 230,
        notes=notes,
        xaxis={
            "domain": [0.47, 0.81],
            "title": {"text": f"{measure_label} · {FAVOURS}"},
            "zeroline": False,
        },
        yaxis={
            "range": [pi_y + 0.8, -1.6],
            "showticklabels": False,
            "showgrid": False,
            "zeroline": False,
        },
        shapes=[
            _zero_line(yref="y", y0=-0.5, y1=pi_y + 0.5),
            {
                **_zero_line(yref="y", y0=-0.5, y1=k - 0.5),
                "x0": est,
                "x1": est,
                "line": {"color": pal.POOLED, "dash": "dash", "width": 1},
            },
        ],
        annotations=annotations,
        margin={"l": 10, "r": 10},
    )
    return Chart(fig, alt, notes)


def method_sensitivity(
    table: pd.DataFrame, *, method: str, test: str, measure_label: str = "SMD"
) -> Chart:
    """Pooled estimate under every tau² estimator x test, flagging changed conclusions.

    Parameters
    ----------
    table : pandas.DataFrame
        ``method, test, estimate, ci_low, ci_high`` (from
        :func:`ldn_analysis.views.sensitivity_table`).
    method, test : str
        The primary analysis; rows whose conclusion (favours LDN / placebo / inconclusive)
        differs from it are drawn in the flag colour.
    """
    t = table.dropna(subset=["estimate"]).reset_index(drop=True)
    if t.empty:
        return no_chart("No estimator could pool these studies, so there is no sensitivity panel.")
    t["conclusion"] = [conclusion(a, b) for a, b in zip(t["ci_low"], t["ci_high"], strict=True)]
    primary = t[(t["method"] == method) & (t["test"] == test)]
    ref = primary["conclusion"].iloc[0] if len(primary) else t["conclusion"].iloc[0]
    t["changed"] = t["conclusion"] != ref
    t["label"] = [
        f"{m} · {s}" + (" (primary)" if m == method and s == test else "")
        for m, s in zip(t["method"], t["test"], strict=True)
    ]
    traces = []
    for changed, name, colour in (
        (False, "same conclusion as primary", pal.STUDY),
        (True, "conclusion changes", pal.FLAG),
    ):
        sub = t[t["changed"] == changed]
        if sub.empty:
            continue
        traces.append(
            _ci_trace(
                sub["estimate"],
                sub["ci_low"],
                sub["ci_high"],
                sub["label"],
                name=name,
                color=colour,
                symbol="diamond",
                size=10,
                hover_kw=_text_hover(
                    f"<b>{_esc(lab)}</b><br>{measure_label} {ci_text(e, a, b)}<br>{_esc(c)}"
                    for lab, e, a, b, c in sub[
                        ["label", "estimate", "ci_low", "ci_high", "conclusion"]
                    ].itertuples(index=False)
                ),
            )
        )
    n_changed = int(t["changed"].sum())
    alt = (
        f"Pooled {measure_label} under {_plural(len(t), 'estimator and test combination')}: "
        f"estimates from {fmt(t['estimate'].min())} to {fmt(t['estimate'].max())}; "
        + (
            f"{n_changed} change the conclusion from '{ref}'."
            if n_changed
            else f"all agree: {ref}."
        )
    )
    notes: tuple[str, ...] = ()
    if n_changed:
        notes = (
            f"The conclusion depends on the method: {n_changed} of {len(t)} combinations "
            "differ from the primary analysis.",
        )
    fig = make_figure(
        traces,
        title="Does the answer depend on the method?",
        subtitle="Every tau² estimator with z (Wald) and Knapp-Hartung intervals",
        notes=notes,
        **_rows_layout(t["label"], f"{measure_label} · {FAVOURS}"),
    )
    return Chart(fig, alt, notes)


def leave_one_out(table: pd.DataFrame, result, *, measure_label: str = "SMD") -> Chart:
    """Pooled estimate with each study left out in turn, against the full estimate.

    Parameters
    ----------
    table : pandas.DataFrame
        ``study_id, estimate, ci_low, ci_high`` (``study_id`` = the study omitted).
    result : PoolResult
        The full analysis (dashed reference line).
    """
    if table.empty or len(table) < 3:
        return no_chart(
            "Leave-one-out needs at least three studies; with fewer, dropping one leaves nothing to pool."
        )
    t = table.reset_index(drop=True)
    full = _num(result.estimate)
    full_c = conclusion(result.ci_low, result.ci_high)
    t["conclusion"] = [conclusion(a, b) for a, b in zip(t["ci_low"], t["ci_high"], strict=True)]
    t["label"] = "without " + t["study_id"].astype(str)
    changed = t["conclusion"] != full_c
    hover_kw = hover(
        t,
        [
            f"{measure_label} {ci_text(e, a, b)}: {_esc(c)}"
            for e, a, b, c in zip(
                t["estimate"], t["ci_low"], t["ci_high"], t["conclusion"], strict=True
            )
        ],
    )
    colours = [pal.FLAG if c else pal.STUDY for c in changed]
    trace = _ci_trace(
        t["estimate"],
        t["ci_low"],
        t["ci_high"],
        t["label"],
        name="pooled without this study",
        color=pal.STUDY,
        symbol="diamond",
        size=10,
        hover_kw=hover_kw,
    )
    trace.marker.color = colours
    shift = (t["estimate"] - full).abs()
    worst = t.loc[shift.idxmax()]
    alt = (
        f"Leaving out each of {_plural(len(t), 'study', 'studies')} moves the pooled {measure_label} "
        f"from {fmt(full)} to between {fmt(t['estimate'].min())} and {fmt(t['estimate'].max())}; "
        f"the largest shift comes from omitting {worst['study_id']}"
        + (
            f", and {int(changed.sum())} omission(s) change the conclusion."
            if changed.any()
            else "; no omission changes the conclusion."
        )
    )
    fig = make_figure(
        [trace],
        title="Leave-one-out: does one study drive the result?",
        subtitle=f"Dashed line = all studies ({measure_label} {fmt(full)}); red = conclusion changes",
        showlegend=False,
        **_rows_layout(t["label"], f"{measure_label} · {FAVOURS}", ref=full),
    )
    return Chart(fig, alt)


def cumulative_plot(table: pd.DataFrame, *, measure_label: str = "SMD") -> Chart:
    """Cumulative meta-analysis: the pooled estimate as studies were published, by year.

    Parameters
    ----------
    table : pandas.DataFrame
        ``study_id, year, estimate, ci_low, ci_high`` in publication order (row i pools
        studies 1..i) plus study descriptors.
    """
    if table.empty or len(table) < 2:
        return no_chart("A cumulative analysis needs at least two studies with a year.")
    t = table.reset_index(drop=True)
    t["label"] = [
        f"+ {s} ({fmt(y)})"
        for s, y in zip(t["study_id"], t.get("year", [np.nan] * len(t)), strict=True)
    ]
    trace = _ci_trace(
        t["estimate"],
        t["ci_low"],
        t["ci_high"],
        t["label"],
        name="pooled so far",
        color=pal.POOLED,
        symbol="diamond",
        size=10,
        hover_kw=hover(
            t,
            [
                f"after {i + 1} studies: {measure_label} {ci_text(e, a, b)}"
                for i, (e, a, b) in enumerate(
                    zip(t["estimate"], t["ci_low"], t["ci_high"], strict=True)
                )
            ],
        ),
    )
    first, last = t.iloc[0], t.iloc[-1]
    alt = (
        f"Cumulative pooled {measure_label} as {_plural(len(t), 'study', 'studies')} were added in "
        f"publication order: {fmt(first['estimate'])} after the first, {ci_text(last['estimate'], last['ci_low'], last['ci_high'])} "
        f"after all; the latest conclusion is {conclusion(last['ci_low'], last['ci_high'])}."
    )
    fig = make_figure(
        [trace],
        title="Cumulative meta-analysis by year",
        subtitle="Each row pools that study and every earlier one",
        showlegend=False,
        **_rows_layout(t["label"], f"{measure_label} · {FAVOURS}"),
    )
    return Chart(fig, alt)


SMALL_K = 10
"""Below this many studies funnel plots and Egger's test are unreliable (Sterne et al. 2011)."""


def funnel_plot(effects: pd.DataFrame, result, egger=None, *, measure_label: str = "SMD") -> Chart:
    """Funnel plot (effect vs standard error) with pseudo 95% limits and the small-k warning.

    Parameters
    ----------
    effects : pandas.DataFrame
        ``study_id, yi, vi`` plus descriptors.
    result : PoolResult
        Centre line (pooled estimate).
    egger : object, optional
        Egger's regression test result with ``pvalue`` (or ``p_value``) for the note.

    Notes
    -----
    With fewer than :data:`SMALL_K` studies the plot is still drawn but carries a warning
    that asymmetry cannot be judged; with fewer than three nothing is drawn.
    """
    k = len(effects)
    if k < 3 or result is None:
        return no_chart(
            f"With {_plural(k, 'study', 'studies')} a funnel plot cannot show anything about small-study effects, so none is drawn."
        )
    e = describe(effects).reset_index(drop=True)
    se = np.sqrt(e["vi"].to_numpy(float))
    centre = _num(result.estimate)
    top = float(np.nanmax(se)) * 1.1
    notes = []
    if k < SMALL_K:
        notes.append(
            f"Only {k} studies: funnel asymmetry and Egger's test are unreliable below {SMALL_K} studies (Sterne et al. 2011); do not read publication bias from this plot."
        )
    p = (
        _num(getattr(egger, "pvalue", getattr(egger, "p_value", None)))
        if egger is not None
        else math.nan
    )
    if not math.isnan(p):
        notes.append(f"Egger's regression test p = {fmt(p, 3)}.")
    traces = [
        go.Scatter(
            x=[centre - 1.96 * top, centre, centre + 1.96 * top],
            y=[top, 0, top],
            mode="lines",
            name="pseudo 95% limits",
            line={"color": pal.MUTED, "dash": "dot"},
            hoverinfo="skip",
        ),
        go.Scatter(
            x=e["yi"],
            y=se,
            mode="markers",
            name="study",
            marker={"size": 10, "color": pal.STUDY},
            **hover(
                e,
                [
                    f"{measure_label} {fmt(y)}, SE {fmt(s, 3)}"
                    for y, s in zip(e["yi"], se, strict=True)
                ],
            ),
        ),
    ]
    alt = (
        f"Funnel plot of {_plural(k, 'study', 'studies')} around the pooled {measure_label} {fmt(centre)}"
        + (f"; Egger p = {fmt(p, 3)}" if not math.isnan(p) else "")
        + (
            f"; with fewer than {SMALL_K} studies asymmetry cannot be judged."
            if k < SMALL_K
            else "."
        )
    )
    fig = make_figure(
        traces,
        title="Funnel plot (small-study effects)",
        subtitle=f"Standard error against effect; line = pooled {measure_label}",
        xaxis={"title": {"text": f"{measure_label} · {FAVOURS}"}},
        yaxis={"title": {"text": "standard error"}, "autorange": "reversed"},
        shapes=[
            {**_zero_line(), "x0": centre, "x1": centre, "line": {"color": pal.POOLED, "width": 1}}
        ],
        notes=notes,
    )
    return Chart(fig, alt, tuple(notes))


def effect_vs_duration(
    effects: pd.DataFrame, regression=None, *, measure_label: str = "SMD"
) -> Chart:
    """Study effect against treatment duration, with the meta-regression line and its caveat.

    Parameters
    ----------
    effects : pandas.DataFrame
        ``study_id, yi, vi, duration_weeks`` plus descriptors.
    regression : object, optional
        Meta-regression of yi on duration with ``intercept``, ``slope`` and
        ``slope_pvalue`` (see :func:`ldn_analysis.views.duration_regression`).
    """
    e = describe(effects)
    e = e[e["duration_weeks"].notna() & e["yi"].notna()] if not e.empty else e
    if len(e) < 2:
        return no_chart(
            f"Only {_plural(len(e), 'study', 'studies')} with both an effect size and a duration, too few to relate effect to duration."
        )
    e = e.assign(_size=8 + 14 * np.sqrt((1 / e["vi"]) / (1 / e["vi"]).max()))
    if "comparison" not in e:
        e["comparison"] = "ldn_vs_placebo"
    traces = []
    for comp, sub in e.groupby("comparison", sort=True):
        uncontrolled = comp == "ldn_pre_post"
        traces.append(
            go.Scatter(
                x=sub["duration_weeks"],
                y=sub["yi"],
                mode="markers",
                name=pal.COMPARISON_LABELS.get(comp, str(comp)) + " (size = precision)",
                marker={
                    "size": sub["_size"],
                    "color": pal.MUTED if uncontrolled else pal.STUDY,
                    "symbol": "circle-open" if uncontrolled else "circle",
                    "line": {"width": 2, "color": pal.MUTED if uncontrolled else pal.STUDY},
                },
                **hover(
                    sub,
                    [
                        f"{measure_label} {fmt(y)} ({_esc(c)})"
                        for y, c in zip(sub["yi"], sub["condition"].fillna(""), strict=True)
                    ]
                    if "condition" in sub
                    else [f"{measure_label} {fmt(y)}" for y in sub["yi"]],
                ),
            )
        )
    mixed = e["comparison"].nunique() > 1
    caveat = (
        f"Caveat: {_plural(len(e), 'study', 'studies')} only; studies differ in much more than "
        "duration (condition, design, dose, outcome measure)"
        + (
            ", and before-after effects (no control group) sit beside placebo-controlled ones"
            if mixed
            else ""
        )
        + ", so this is an association between studies, not evidence that longer treatment "
        "works better."
    )
    slope = _num(getattr(regression, "slope", None)) if regression is not None else math.nan
    line_text = ""
    if not math.isnan(slope):
        x = np.linspace(e["duration_weeks"].min(), e["duration_weeks"].max(), 20)
        y = _num(regression.intercept) + slope * x
        pv = _num(getattr(regression, "slope_pvalue", None))
        line_text = f"meta-regression slope {fmt(slope, 3)} per week (p = {fmt(pv, 3)})"
        traces.append(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                name="meta-regression",
                line={"color": pal.POOLED, "dash": "dash"},
                hovertext=line_text,
                hoverinfo="text",
            )
        )
    alt = (
        f"Effect against treatment duration for {_plural(len(e), 'study', 'studies')} "
        f"({fmt(e['duration_weeks'].min(), 1)} to {fmt(e['duration_weeks'].max(), 1)} weeks)"
        + (f"; {line_text}" if line_text else "; too few studies for a meta-regression line")
        + "; an association between studies, not a dose-response."
    )
    fig = make_figure(
        traces,
        title="Effect versus treatment duration",
        subtitle="Each point a study; dashed line = meta-regression on duration",
        xaxis={"title": {"text": "weeks of LDN"}},
        yaxis={"title": {"text": f"{measure_label} (above 0 favours LDN)"}},
        shapes=[
            {
                "type": "line",
                "xref": "paper",
                "yref": "y",
                "x0": 0,
                "x1": 1,
                "y0": 0,
                "y1": 0,
                "line": {"color": pal.MUTED, "dash": "dot", "width": 1},
            }
        ],
        notes=[caveat],
    )
    return Chart(fig, alt, (caveat,))


def reconciliation(ours: pd.DataFrame, reviews: pd.DataFrame) -> Chart:
    """Our recomputed pooled estimate(s) beside the published meta-analyses' estimates.

    Parameters
    ----------
    ours : pandas.DataFrame
        ``label, measure, estimate, ci_low, ci_high, k`` (one row per measure we pooled).
    reviews : pandas.DataFrame
        From :func:`ldn_analysis.views.published_estimates`: ``result_id, label, measure,
        estimate, ci_low, ci_high, n_studies, model, source_url``, already on the
        favours-LDN scale (positive = LDN better).

    Returns
    -------
    Chart
        One panel per measure, stacked: MD and SMD are on different scales and never
        share an axis.
    """
    rev = reviews.dropna(subset=["estimate"])
    if rev.empty:
        return no_chart(
            "No published meta-analysis reports a pooled estimate for this condition and "
            "outcome, so there is nothing to compare with."
        )
    rows = pd.concat([ours.assign(_ours=True), rev.assign(_ours=False)], ignore_index=True)
    rows = rows.dropna(subset=["estimate"]).reset_index(drop=True)
    measures = list(dict.fromkeys(rows["measure"]))
    counts = [int((rows["measure"] == m).sum()) for m in measures]
    panel_px = [ROW_HEIGHT * c + 40 for c in counts]
    gap_px = 90  # room for the upper panel's tick labels and axis title
    plot_px = sum(panel_px) + gap_px * (len(measures) - 1)
    top, traces, axes = 1.0, [], {}
    for i, (m, px) in enumerate(zip(measures, panel_px, strict=True), start=1):
        span = px / plot_px
        gap = gap_px / plot_px
        suffix = "" if i == 1 else str(i)
        axes[f"xaxis{suffix}"] = {
            "anchor": f"y{suffix}",
            "title": {"text": f"{m} · {FAVOURS}"},
            "zeroline": False,
        }
        axes[f"yaxis{suffix}"] = {
            "domain": [max(0.0, top - span), top],
            "anchor": f"x{suffix}",
            "autorange": "reversed",
            "showgrid": False,
        }
        top -= span + gap
        sub = rows[rows["measure"] == m]
        for is_ours, name, colour, symbol in (
            (True, "our recomputation", pal.POOLED, "diamond"),
            (False, "published meta-analysis", pal.REVIEW, "circle"),
        ):
            part = sub[sub["_ours"] == is_ours]
            if part.empty:
                continue
            k_col = part["k"] if is_ours else part["n_studies"]
            texts = [
                f"<b>{_esc(r.label)}</b><br>{_esc(m)} {ci_text(r.estimate, r.ci_low, r.ci_high)}"
                f" (positive favours LDN)<br>studies: {fmt(k)}"
                + ("" if is_ours else f"<br>model: {_esc(r.model)}<br>source: {_esc(r.source_url)}")
                for r, k in zip(part.itertuples(), k_col, strict=True)
            ]
            urls = part["source_url"] if "source_url" in part else pd.Series([""] * len(part))
            trace = _ci_trace(
                part["estimate"],
                part["ci_low"],
                part["ci_high"],
                part["label"],
                name=name,
                color=colour,
                symbol=symbol,
                size=11,
                showlegend=i == 1
                or is_ours
                and not any(rows["_ours"] & (rows["measure"] == measures[0])),
                hover_kw={
                    "hovertext": texts,
                    "hovertemplate": "%{hovertext}<extra></extra>",
                    "customdata": [
                        [u if isinstance(u, str) else "", lab]
                        for u, lab in zip(urls, part["label"], strict=True)
                    ],
                },
            )
            trace.update(xaxis=f"x{suffix}", yaxis=f"y{suffix}")
            traces.append(trace)
    shapes = [
        {
            **_zero_line(),
            "xref": f"x{'' if i == 1 else i}",
            "yref": f"y{'' if i == 1 else i} domain",
        }
        for i in range(1, len(measures) + 1)
    ]
    mine = ours.dropna(subset=["estimate"])
    ours_txt = "; ".join(
        f"our {r.measure} {ci_text(r.estimate, r.ci_low, r.ci_high)}" for r in mine.itertuples()
    )
    alt = (
        f"{ours_txt or 'We could not recompute an estimate'}; "
        f"{_plural(len(rev), 'published estimate')} range from {fmt(rev['estimate'].min())} to "
        f"{fmt(rev['estimate'].max())} ({', '.join(dict.fromkeys(rev['measure']))}; "
        "positive favours LDN)."
    )
    fig = make_figure(
        traces,
        title="Our estimate beside the published meta-analyses",
        subtitle=f"Positive = favours LDN; {' and '.join(measures)} are on different scales",
        height=plot_px + 118 + 70,
        shapes=shapes,
        **axes,
    )
    return Chart(fig, alt)

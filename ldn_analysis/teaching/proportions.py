"""Small proportions: zero events, and Wald, Wilson and Clopper-Pearson intervals.

Tables and charts of the ``teach_proportions`` notebook, computed with
:mod:`ldn_analysis.proportions` from the LDN arms' adverse-event counts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from scipy import stats

import ldn_analysis.figures.palette as pal
from ldn_analysis.claims import study_label, wald
from ldn_analysis.figures import Chart, error_x, hline, make_figure, vline
from ldn_analysis.stats.inference import Z95
from ldn_analysis.stats.proportions import clopper_pearson, rule_of_three, wilson
from ldn_analysis.teaching._base import with_study_ids
from ldn_analysis.text.format import pct, plural
from ldn_analysis.vocab import RANDOMIZED_DESIGNS


def _ldn_counts(evidence: Any) -> pd.DataFrame:
    ae = evidence.adverse_events
    ae = ae[(ae["arm"] == "ldn") & ae["events"].notna() & ae["n_at_risk"].notna()]
    ae = ae[ae["n_at_risk"] > 0]
    return ae.assign(
        x=ae["events"].astype(int),
        n=ae["n_at_risk"].astype(int),
        what=ae["reported_term"].fillna(ae["event"]),
    )


def zero_event_table(evidence: Any) -> pd.DataFrame:
    """LDN arms of randomized trials with zero events: one-sided upper bounds (percent).

    Only randomized trials: they look for adverse events in every participant, so a zero
    is a count. A retrospective "no severe effects were reported" is not, and no bound is
    computed from it.
    """
    ae = _ldn_counts(evidence)
    rct = set(evidence.studies.loc[evidence.studies["design"].isin(RANDOMIZED_DESIGNS), "study_id"])
    ae = ae[ae["study_id"].isin(rct)]
    ae = ae[ae["x"] == 0].sort_values(["n", "study_id"], ascending=[False, True])
    n = ae["n"].to_numpy(float)
    out = pd.DataFrame(
        {
            "study": [study_label(evidence, s) for s in ae["study_id"]],
            "event": ae["what"],
            "n on LDN": ae["n"],
            "rule of three, 3/n: one-sided 95% (%)": np.round(100 * rule_of_three(n), 1),
            "exact one-sided 95% bound (%)": np.round(100 * (1 - 0.05 ** (1 / n)), 1),
            "two-sided exact 95% CI upper, one-sided 97.5% (%)": np.round(
                100 * clopper_pearson(0, n)[1], 1
            ),
            "source_url": ae["source_url"],
        }
    ).reset_index(drop=True)
    return with_study_ids(out, ae["study_id"])


def interval_table(evidence: Any, max_n: int = 60) -> pd.DataFrame:
    """Small LDN-arm counts (0 < x < n <= ``max_n``): Wald, Wilson and Clopper-Pearson (%)."""
    ae = _ldn_counts(evidence)
    ae = ae[(ae["x"] > 0) & (ae["x"] < ae["n"]) & (ae["n"] <= max_n)]
    ae = ae.sort_values(["x", "n", "study_id"])
    x, n = ae["x"].to_numpy(float), ae["n"].to_numpy(float)
    p = x / n
    half = Z95 * np.sqrt(p * (1 - p) / n)
    wl, wh = wilson(x, n)
    cl, ch = clopper_pearson(x, n)

    def span(a, b):
        return [f"{100 * lo:.1f} to {100 * hi:.1f}" for lo, hi in zip(a, b, strict=True)]

    out = pd.DataFrame(
        {
            "study": [study_label(evidence, s) for s in ae["study_id"]],
            "event": ae["what"],
            "events": ae["x"],
            "n": ae["n"],
            "observed (%)": np.round(100 * p, 1),
            "Wald 95% CI (%)": span(p - half, p + half),
            "Wilson 95% CI (%)": span(wl, wh),
            "Clopper-Pearson 95% CI (%)": span(cl, ch),
            "source_url": ae["source_url"],
        }
    ).reset_index(drop=True)
    return with_study_ids(out, ae["study_id"])


def _intervals(x: float, n: float) -> dict[str, tuple[float, float]]:
    wl, wh = wilson(x, n)
    cl, ch = clopper_pearson(x, n)
    return {
        "Wald": wald(x, n),
        "Wilson": (float(wl), float(wh)),
        "Clopper-Pearson": (float(cl), float(ch)),
    }


def interval_chart(x: int, n: int, label: str = "") -> Chart:
    """Draw the Wald, Wilson and Clopper-Pearson 95% intervals for ``x`` events in ``n``."""
    ivs = _intervals(x, n)
    p = x / n
    names = list(ivs)
    colours = [pal.FLAG if ivs["Wald"][0] < 0 else pal.MUTED, pal.STUDY, pal.OKABE_ITO["black"]]
    traces = [
        go.Scatter(
            x=[100 * p],
            y=[name],
            mode="markers",
            name=name,
            marker={"size": 10, "color": colour},
            error_x=error_x(100 * p, 100 * lo, 100 * hi, colour, 2),
            hovertemplate=f"{name}: {100 * lo:.1f}% to {100 * hi:.1f}%<extra></extra>",
        )
        for (name, (lo, hi)), colour in zip(ivs.items(), colours, strict=True)
    ]
    wl, wh = ivs["Wald"]
    il, ih = ivs["Wilson"]
    alt = (
        f"{plural(x, 'event')} in {n}{' (' + label + ')' if label else ''}: observed {pct(p)}; Wald "
        f"95% CI {pct(wl)} to {pct(wh)}"
        + (" (below 0%)" if wl < 0 else "")
        + f", Wilson {pct(il)} to {pct(ih)}, Clopper-Pearson "
        f"{pct(ivs['Clopper-Pearson'][0])} to {pct(ivs['Clopper-Pearson'][1])}."
    )
    fig = make_figure(
        traces,
        title=f"Three 95% intervals for {plural(x, 'event')} in {n}",
        subtitle="The dotted line is 0%: a proportion cannot be negative",
        height=300,
        xaxis={"title": {"text": "proportion (%)"}, "zeroline": False},
        yaxis={"categoryorder": "array", "categoryarray": names[::-1], "showgrid": False},
        shapes=[vline(0)],
        showlegend=False,
    )
    return Chart(fig, alt)


def coverage_chart(n: int, level: float = 0.95) -> Chart:
    """Exact coverage of the Wald and Wilson intervals for ``n`` participants.

    For each true proportion p, coverage is the binomial probability of observing an
    ``x`` whose interval contains p (no simulation: a sum over x = 0..n).
    """
    n = int(n)
    grid = np.linspace(0.005, 0.995, 199)
    x = np.arange(n + 1, dtype=float)
    z = float(stats.norm.isf((1 - level) / 2))
    ph = x / n
    half = z * np.sqrt(ph * (1 - ph) / n)
    wl, wh = wilson(x, np.full_like(x, n), level)
    pmf = stats.binom.pmf(x[None, :], n, grid[:, None])
    cover = {}
    for name, (lo, hi) in {"Wald": (ph - half, ph + half), "Wilson": (wl, wh)}.items():
        inside = (lo[None, :] <= grid[:, None]) & (grid[:, None] <= hi[None, :])
        cover[name] = (pmf * inside).sum(axis=1)
    colours = {"Wald": pal.FLAG, "Wilson": pal.STUDY}
    traces = [
        go.Scatter(
            x=100 * grid,
            y=100 * c,
            mode="lines",
            name=f"{name} interval",
            line={"color": colours[name], "width": 2},
            hovertemplate=f"{name}: true p %{{x:.1f}}%, coverage %{{y:.1f}}%<extra></extra>",
        )
        for name, c in cover.items()
    ]
    nominal = hline(100 * level)
    alt = (
        f"Actual coverage of nominal {100 * level:g}% intervals with n = {n}: Wald averages "
        f"{pct(cover['Wald'].mean())} (lowest {pct(cover['Wald'].min())}), Wilson "
        f"{pct(cover['Wilson'].mean())} (lowest {pct(cover['Wilson'].min())})."
    )
    fig = make_figure(
        traces,
        title=f"How often does a {100 * level:g}% interval contain the truth? (n = {n})",
        subtitle="Exact binomial coverage across true proportions; dotted line = nominal",
        xaxis={"title": {"text": "true proportion (%)"}},
        yaxis={"title": {"text": "coverage (%)"}, "range": [0, 101]},
        shapes=[nominal],
    )
    return Chart(fig, alt)

"""A simulated funnel plot: what publication bias looks like when there are enough studies.

The real LDN analyses have too few studies for a funnel plot (Cochrane: ten or more), so
the lesson draws a simulated one. Study standard errors span those of the effect sizes
computable in the evidence base (log-uniform between the smallest and the largest); the
true effect is zero for every study; small studies
without a significant favourable result mostly stay unpublished, while large studies are
published whatever they find (the classic mechanism of small-study effects).
The filled points are what a reviewer would see.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

import ldn_analysis.figures.palette as pal
from ldn_analysis.analysis import select
from ldn_analysis.analysis.effects import compute_effects
from ldn_analysis.errors import LDNError
from ldn_analysis.figures import Chart, make_figure
from ldn_analysis.stats.diagnostics import egger
from ldn_analysis.stats.inference import Z95
from ldn_analysis.stats.rma import pool

FUNNEL_SEED = 20260103
FUNNEL_STUDIES = 60
"""Simulated studies run (published and unpublished); a design choice of the demo."""
PUBLISHED_SMALL_NULL = 0.1
"""Chance that a small study pointing against the treatment is published."""
PUBLISHED_SMALL_FAVOURABLE = 0.6
"""Chance that a small, non-significant study pointing towards the treatment is published."""
PUBLISHED_LARGE = 0.9
"""Chance that a large study (standard error at or below the median) is published."""


def funnel_demo(evidence: Any, seed: int = FUNNEL_SEED) -> dict:
    """Simulate the studies of the demo; return arrays and the pooled results."""
    vi = compute_effects(select(evidence).outcomes)["vi"].dropna().to_numpy(float)
    if vi.size < 2:
        raise LDNError("fewer than two computable effect sizes to draw study variances from")
    rng = np.random.default_rng(seed)
    lo, hi = np.log(np.sqrt(vi.min())), np.log(np.sqrt(vi.max()))
    se = np.exp(rng.uniform(lo, hi, FUNNEL_STUDIES))
    v = se**2
    y = rng.normal(0.0, se)
    favourable = y / se > Z95
    large = se <= np.median(se)
    small = np.where(y > 0, PUBLISHED_SMALL_FAVOURABLE, PUBLISHED_SMALL_NULL)
    chance = np.where(favourable, 1.0, np.where(large, PUBLISHED_LARGE, small))
    published = rng.random(FUNNEL_STUDIES) < chance
    return {
        "y": y,
        "se": se,
        "published": published,
        "all": pool(y, v, "REML", "z"),
        "seen": pool(y[published], v[published], "REML", "z"),
        "egger_p": egger(y[published], v[published]).pvalue,
    }


def funnel_demo_chart(evidence: Any, seed: int = FUNNEL_SEED) -> Chart:
    """Draw the simulated funnel: published studies filled, unpublished ones hollow."""
    d = funnel_demo(evidence, seed)
    y, se, pub = d["y"], d["se"], d["published"]
    top = float(se.max()) * 1.05
    traces = [
        go.Scatter(
            x=[-Z95 * top, 0, Z95 * top],
            y=[top, 0, top],
            mode="lines",
            line={"color": pal.MUTED, "dash": "dot"},
            name="95% limits around no effect",
            hoverinfo="skip",
        ),
        go.Scatter(
            x=y[pub],
            y=se[pub],
            mode="markers",
            marker={"color": pal.STUDY, "size": 9},
            name=f"published ({int(pub.sum())})",
        ),
        go.Scatter(
            x=y[~pub],
            y=se[~pub],
            mode="markers",
            marker={"color": pal.MUTED, "size": 9, "symbol": "circle-open"},
            name=f"never published ({int((~pub).sum())})",
        ),
    ]
    seen, every = d["seen"], d["all"]
    alt = (
        f"Simulated funnel plot of {len(y)} studies of a treatment with no effect; "
        f"{int(pub.sum())} were published. Pooling the published ones gives SMD "
        f"{seen.estimate:+.2f} (95% CI {seen.ci_low:+.2f} to {seen.ci_high:+.2f}); pooling all "
        f"gives {every.estimate:+.2f} ({every.ci_low:+.2f} to {every.ci_high:+.2f}). Egger's "
        f"test on the published studies: p = {d['egger_p']:.3f}"
        + (
            ", asymmetric: the small published studies sit on the right."
            if d["egger_p"] < 0.10
            else ", not significant even here."
        )
    )
    fig = make_figure(
        traces,
        title="What publication bias looks like: a simulated funnel",
        subtitle="Each point a study; the true effect is zero; right = favours the treatment",
        xaxis={"title": {"text": "effect (SMD) · ← favours control · favours treatment →"}},
        yaxis={
            "title": {"text": "standard error (small studies at the bottom)"},
            "autorange": "reversed",
        },
    )
    return Chart(fig, alt)

"""Helpers shared by the teaching modules: the study frame and chart shapes.

Chart pieces come from :mod:`ldn_analysis.figures` (:func:`~ldn_analysis.figures.make_figure`,
its error-bar, trace and reference-line helpers), so teaching charts look like every
other chart; only the shaded claim band and the study-point wrapper live here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

import ldn_analysis.figures.palette as pal
from ldn_analysis.analysis import study_frame
from ldn_analysis.figures import ci_trace, hover

"""The 95% normal quantile from scipy, as the teaching numbers have always used it.

It differs from :data:`ldn_analysis.figures.Z95` in the last bit (1.9599639845400545
against 1.959963984540054), so it is kept apart: sharing one could change a printed
number that lands on a rounding boundary.
"""


def _band(x0: float, x1: float) -> dict:
    """Return a shaded vertical band from ``x0`` to ``x1`` (what a claim needs or says)."""
    return {
        "type": "rect",
        "xref": "x",
        "yref": "paper",
        "x0": x0,
        "x1": x1,
        "y0": 0,
        "y1": 1,
        "fillcolor": pal.OKABE_ITO["bluish_green"],
        "opacity": 0.15,
        "line": {"width": 0},
        "layer": "below",
    }


def _dot_ci(df, x, lo, hi, name, colour, extra, symbol="circle", y=None):
    """Return one point per row of ``df`` with its interval and the study hover text."""
    return ci_trace(
        x,
        lo,
        hi,
        df["study_id"] if y is None else y,
        name=name,
        color=colour,
        symbol=symbol,
        size=10,
        hover_kw=hover(df, extra),
        showlegend=None,
    )


def with_study_ids(table: pd.DataFrame, ids: Any) -> pd.DataFrame:
    """Keep the ids of the studies a reader-facing table names in ``table.attrs["study_ids"]``.

    The table itself names studies by citation; the ids feed the page's linked reference
    list (:func:`ldn_analysis.teaching.lesson_study_ids`).
    """
    table.attrs["study_ids"] = list(dict.fromkeys(str(i) for i in ids if str(i)))
    return table


def _study_frame(evidence: Any) -> pd.DataFrame:

    return study_frame(evidence.studies)

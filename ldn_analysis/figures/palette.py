"""The one colour palette every chart uses: Okabe-Ito, safe for colour-blind readers.

Okabe & Ito (2008), "Color Universal Design": eight colours that stay distinct under the
common colour-vision deficiencies. Every figure in :mod:`ldn_analysis.figures` takes its
colours from the mappings below (never a literal hex code), so one change here recolours
every report and the tests can check that no other colour sneaks in.
"""

from __future__ import annotations

from types import MappingProxyType

from ldn_analysis.vocab import TIER_ORDER

OKABE_ITO = MappingProxyType(
    {
        "black": "#000000",
        "orange": "#E69F00",
        "sky_blue": "#56B4E9",
        "bluish_green": "#009E73",
        "yellow": "#F0E442",
        "blue": "#0072B2",
        "vermillion": "#D55E00",
        "reddish_purple": "#CC79A7",
        "grey": "#999999",
    }
)
"""The Okabe-Ito colours (plus the neutral grey usually shipped with them)."""

PAPER = "#FFFFFF"
"""White: only for outlines that separate adjacent blocks."""

PALETTE = frozenset({*OKABE_ITO.values(), PAPER})
"""Every colour a figure may use (tests check traces against this set)."""

RESULT_COLORS = MappingProxyType(
    {
        "benefit": OKABE_ITO["bluish_green"],
        "no_difference": OKABE_ITO["blue"],
        "harm": OKABE_ITO["vermillion"],
        "not_reported": OKABE_ITO["grey"],
    }
)
"""Colour of a study's ``primary_result`` (what its authors reported)."""

TIER_COLORS = MappingProxyType(
    dict(
        zip(
            TIER_ORDER,
            (OKABE_ITO[c] for c in ("blue", "sky_blue", "orange", "reddish_purple", "grey")),
            strict=True,
        )
    )
)
"""Colour of each rung of the evidence ladder (:data:`ldn_analysis.vocab.TIER_ORDER`)."""

ARM_COLORS = MappingProxyType(
    {
        "ldn": OKABE_ITO["blue"],
        "placebo": OKABE_ITO["orange"],
        "control": OKABE_ITO["reddish_purple"],
    }
)

POOLED = OKABE_ITO["black"]
"""Pooled estimates (diamonds) and reference lines."""
PREDICTION = OKABE_ITO["orange"]
"""Prediction intervals."""
FLAG = OKABE_ITO["vermillion"]
"""Something the reader must notice: a changed conclusion, a warning."""
STUDY = OKABE_ITO["blue"]
"""Study-level estimates in forest-type plots."""
MUTED = OKABE_ITO["grey"]
"""Context: reference lines, hollow markers, missing values."""
REVIEW = OKABE_ITO["reddish_purple"]
"""Published meta-analyses (reconciliation chart)."""


def tier_color(tier: str) -> str:
    """Return the colour of a rung (grey for an unknown one)."""
    return TIER_COLORS.get(tier, OKABE_ITO["grey"])

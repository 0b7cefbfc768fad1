"""Side-effect results of published reviews (LDN versus placebo), for the safety rules."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ldn_analysis.claims._base import _table, num_col, once_per_evidence, study_label, text_col

#: Key of a review result that pools every adverse event, whatever its kind.
ANY_AE = "any adverse event"
_MEASURES = {"RR": "risk ratio", "OR": "odds ratio"}


@once_per_evidence
def review_harms(evidence: Any) -> pd.DataFrame:
    """Return the side-effect results of reviews: one row per kind pooled against placebo.

    A review row is a side-effect result when its ``notes`` begin with "Adverse event:"
    (the curators' convention). Columns ``key`` (the kind, lower case), ``review_id``,
    ``measure``, ``estimate``, ``ci_low``, ``ci_high`` and ``text`` (the numbers in words).
    A row whose notes begin "Adverse events," pools every adverse event (key
    :data:`ANY_AE`).
    """
    rev = _table(evidence, "reviews")
    cols = ["key", "review_id", "measure", "estimate", "ci_low", "ci_high", "text"]
    if rev.empty:
        return pd.DataFrame(columns=cols)
    notes = text_col(rev, "notes")
    keep = notes.str.lower().str.startswith("adverse event") & (
        text_col(rev, "comparison") == "ldn_vs_placebo"
    )
    rows = []
    for (_, r), note in zip(rev[keep].iterrows(), notes[keep], strict=True):
        if note.lower().startswith("adverse event:"):
            key = note.split(":", 1)[1].split(";")[0].split(".")[0].split("(")[0].split(",")[0]
            key = key.strip().lower()
        else:  # "Adverse events, ...": every adverse event
            key = ANY_AE
        est, lo, hi = (
            num_col(pd.DataFrame([r]), c).iloc[0] for c in ("estimate", "ci_low", "ci_high")
        )
        rid = str(r.get("review_id"))
        who = f"{study_label(evidence, rid)} review"
        if pd.notna(est) and pd.notna(lo) and pd.notna(hi):
            measure = _MEASURES.get(str(r.get("measure")), "ratio")
            text = f"{who}: {key} {measure} {est:.2f} vs placebo (95% CI {lo:.2f}-{hi:.2f})"
        else:
            text = f"{who}: {key} analysed against placebo (estimate not given)"
        rows.append(
            {
                "key": key,
                "review_id": rid,
                "measure": r.get("measure"),
                "estimate": est,
                "ci_low": lo,
                "ci_high": hi,
                "text": text,
            }
        )
    return pd.DataFrame(rows, columns=cols)

"""Reader-facing tables: analysis objects in, a :class:`Table` (rows + caption) out.

Every table a page shows is built here from the same analysis objects the charts use, so
a number in a table and the same number in a chart or a sentence cannot differ.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ldn_analysis import vocab
from ldn_analysis.analysis.efficacy import Efficacy
from ldn_analysis.analysis.selection import Selection, study_frame
from ldn_analysis.stats.inference import Z95
from ldn_analysis.text.display import show_table, show_text
from ldn_analysis.text.format import ci_text, describe, fmt


@dataclass(frozen=True)
class Table:
    """A table ready to show, or the sentence saying why it is empty.

    Attributes
    ----------
    frame : pandas.DataFrame
        Rows to show (``source_url`` becomes a link).
    caption : str
        Caption above the table.
    empty_text : str
        Shown instead of an empty table ("" shows nothing: the reason is said nearby).
    """

    frame: pd.DataFrame
    caption: str
    empty_text: str = "No rows match the selection."

    def show(self) -> None:
        """Display through :func:`ldn_analysis.text.display.show_table` (or the text)."""
        if self.frame.empty:
            if self.empty_text:  # "" when the reason was already said nearby
                show_text(self.empty_text)
        else:
            show_table(self.frame, caption=self.caption)


def study_table(studies: pd.DataFrame) -> pd.DataFrame:
    """Return the reader-facing study list of a study table."""
    d = describe(study_frame(studies)).sort_values(["tier", "year", "study_id"])
    return pd.DataFrame(
        {
            "study": d["study_id"],
            "year": d["year"].map(lambda y: fmt(y, 0) if pd.notna(y) else ""),
            "condition": d["condition"].str.replace("_", " "),
            "design": d["design_label"],
            "n": d["n"].map(lambda x: fmt(x, 0) if pd.notna(x) else ""),
            "dose": d["dose_text"],
            "weeks": d["duration_weeks"].map(lambda x: fmt(x, 1) if pd.notna(x) else ""),
            "authors' result": d["primary_result"].map(
                lambda r: vocab.RESULT_LABELS.get(str(r), "")
            ),
            "source_url": d["source_url"],
        }
    )


def study_list(selection: Selection) -> Table:
    """Return the list of selected studies as a :class:`Table`."""
    return Table(
        study_table(selection.studies),
        caption=f"Studies of LDN for {selection.label} ({selection.k}); click a source to open it",
        empty_text=f"No study of LDN for {selection.label} matches the selection.",
    )


def registration_list(selection: Selection) -> Table:
    """Return the registered trials of a selection as a :class:`Table`."""
    r = selection.registrations
    cols = ["registry_id", "condition", "design", "status", "target_enrollment"]
    cols += ["start_date", "completion_date", "results_posted", "linked_study_id"]
    return Table(
        r[[*cols, "source_url"]].sort_values(["condition", "registry_id"]),
        caption=f"Registered trials ({len(r)})",
        empty_text=f"No registered trial of LDN for {selection.label} is in the evidence base.",
    )


def effects_table(eff: Efficacy) -> Table:
    """Return the per-study effect sizes with how each was computed, as a :class:`Table`."""
    e = describe(eff.effects)
    se = np.sqrt(e["vi"])
    frame = pd.DataFrame(
        {
            "study": e["study_id"],
            "design": e["design_label"],
            "n": e["n"].map(lambda x: "" if pd.isna(x) else f"{int(x)}"),
            "dose": e["dose_text"],
            "weeks": e["weeks_text"],
            f"{eff.measure} (95% CI)": [
                ci_text(y, y - Z95 * s, y + Z95 * s) for y, s in zip(e["yi"], se, strict=True)
            ],
            "how it was computed": e["conversion"],
            "source_url": e["source_url"],
        }
    )
    skipped = "; ".join(f"{r.study_id}: {r.reason}" for r in eff.skipped.itertuples())
    return Table(
        frame,
        caption=f"{eff.title}: effect sizes (positive favours LDN)"
        + (f". Not usable: {skipped}" if skipped else ""),
        empty_text=(
            f"Studies reporting it without a usable effect size: {skipped}." if skipped else ""
        ),
    )

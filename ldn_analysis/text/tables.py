"""Reader-facing tables: analysis objects in, a :class:`Table` (rows + caption) out.

Every table a page shows is built here from the same analysis objects the charts use, so
a number in a table and the same number in a chart or a sentence cannot differ.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ldn_analysis import vocab
from ldn_analysis.analysis.efficacy import Efficacy
from ldn_analysis.analysis.selection import Selection, study_frame
from ldn_analysis.stats.inference import Z95
from ldn_analysis.text.display import link_html, show_table, show_text
from ldn_analysis.text.format import ci_text, describe, fmt, plural, short_citation
from ldn_analysis.text.studies import citation_html, comparator_text, sorted_studies


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
    html_columns : tuple of str
        Columns holding safe HTML built by :mod:`ldn_analysis.text.studies` (citations).
    """

    frame: pd.DataFrame
    caption: str
    empty_text: str = "No rows match the selection."
    html_columns: tuple[str, ...] = ("Study",)

    def show(self) -> None:
        """Display through :func:`ldn_analysis.text.display.show_table` (or the text)."""
        if self.frame.empty:
            if self.empty_text:  # "" when the reason was already said nearby
                show_text(self.empty_text)
        else:
            show_table(self.frame, caption=self.caption, html_columns=self.html_columns)


N_LABELS = {"analysed": "analysed", "enrolled": "enrolled", "arms": "in the arms", "": ""}
"""How a study's ``n_basis`` reads after its count ("60 analysed", "86 enrolled")."""


def study_table(studies: pd.DataFrame) -> pd.DataFrame:
    """Return the reader-facing study list of a study table.

    ``Participants`` counts each person once (a crossover's arms are the same people) and
    says whether they were analysed or enrolled (:func:`~ldn_analysis.analysis.selection.
    participant_counts`), the same ``n`` the charts show.
    """
    d = describe(sorted_studies(study_frame(studies)))
    return pd.DataFrame(
        {
            "Study": [citation_html(r) for _, r in d.iterrows()],
            "Condition": d["condition"].map(vocab.condition_label),
            "Design": d["design_label"],
            "Compared with": [comparator_text(r) for _, r in d.iterrows()],
            "Blinding": d["blinding"].map(vocab.blinding_label),
            "Participants": [
                f"{fmt(n, 0)} {basis}".strip() if pd.notna(n) else ""
                for n, basis in zip(d["n"], d["n_basis"].map(N_LABELS), strict=True)
            ],
            "Dose": d["dose_text"],
            "Weeks of treatment": d["duration_weeks"].map(
                lambda x: fmt(x, 1) if pd.notna(x) else ""
            ),
            "Authors' result": d["primary_result"].map(
                lambda r: vocab.RESULT_LABELS.get(str(r), "")
            ),
        }
    )


def study_list(selection: Selection) -> Table:
    """Return the list of selected studies as a :class:`Table`."""
    return Table(
        study_table(selection.studies),
        caption=f"Studies of LDN for {vocab.condition_label(selection.condition)} "
        f"({plural(selection.k, 'study')}), strongest design first. Each study links to its "
        'DOI or PubMed record; "extracted from" opens the page the numbers were read from.',
        empty_text=f"No study of LDN for {selection.label} matches the selection.",
    )


def registration_list(selection: Selection) -> Table:
    """Return the registered trials of a selection as a :class:`Table`."""
    r = selection.registrations
    rank = {d: i for i, d in enumerate(vocab.DESIGN_ORDER)}
    r = r.assign(_rank=r["design"].map(rank).fillna(len(rank))).sort_values(
        ["_rank", "condition", "registry_id"]
    )
    cites = {r_["study_id"]: short_citation(r_) for _, r_ in selection.studies.iterrows()}
    frame = pd.DataFrame(
        {
            "Registration": [
                link_html(u, str(i)) or html.escape(str(i))
                for i, u in zip(r["registry_id"], r["source_url"], strict=True)
            ],
            "Condition": r["condition"].map(vocab.condition_label),
            "Design": r["design"].map(vocab.design_label),
            "Status": r["status"].map(vocab.status_label),
            "Planned participants": r["target_enrollment"].map(
                lambda x: fmt(x, 0) if pd.notna(x) and str(x).strip() else ""
            ),
            "Start": r["start_date"].fillna(""),
            "Completion": r["completion_date"].fillna(""),
            "Results posted": r["results_posted"].map(vocab.yes_no),
            "Published as": r["linked_study_id"].map(
                lambda i: cites.get(i, i if isinstance(i, str) else "")
            ),
        }
    )
    return Table(
        frame,
        caption=f"Registered trials ({len(r)}), strongest design first",
        html_columns=("Registration",),
        empty_text=f"No registered trial of LDN for {selection.label} is in the evidence base.",
    )


def effects_table(eff: Efficacy) -> Table:
    """Return the per-study effect sizes with how each was computed, as a :class:`Table`."""
    e = describe(sorted_studies(eff.effects)) if len(eff.effects) else describe(eff.effects)
    se = np.sqrt(e["vi"])
    frame = pd.DataFrame(
        {
            "Study": [citation_html(r) for _, r in e.iterrows()],
            "Design": e["design_label"],
            "Participants analysed": e["n"].map(lambda x: "" if pd.isna(x) else f"{int(x)}"),
            "Dose": e["dose_text"],
            "Weeks to outcome": e["duration_weeks"].map(lambda x: fmt(x, 1) if pd.notna(x) else ""),
            f"{eff.measure} (95% CI, z)": [
                ci_text(y, y - Z95 * s, y + Z95 * s) for y, s in zip(e["yi"], se, strict=True)
            ],
            "How it was computed": e["derivation"] if "derivation" in e else e["conversion"],
        }
    )
    skipped = "; ".join(f"{short_citation(r)}: {r['reason']}" for _, r in eff.skipped.iterrows())
    return Table(
        frame,
        caption=f"{eff.title}: effect sizes of each study (positive favours LDN; each study's "
        "own 95% CI uses the normal distribution)"
        + (f". Not usable: {skipped}" if skipped else ""),
        empty_text=(
            f"Studies reporting it without a usable effect size: {skipped}." if skipped else ""
        ),
    )

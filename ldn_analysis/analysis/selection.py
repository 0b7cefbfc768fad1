"""Selections and per-study tables: which studies a report is about, and how they are shown.

:func:`select` turns the evidence base into a :class:`Selection` (condition, designs,
minimum size) whose shortcuts draw the evidence, duration and safety charts;
:func:`study_frame` is the per-study table every figure builder takes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ldn_analysis.figures import palette as pal
from ldn_analysis.vocab import RANDOMIZED_DESIGNS

RCT_DESIGNS = RANDOMIZED_DESIGNS
STUDY_COLUMNS = (
    "study_id",
    "first_author",
    "year",
    "condition",
    "design",
    "randomized",
    "blinding",
    "comparator",
    "n",
    "n_ldn",
    "n_control",
    "dose_mg_min",
    "dose_mg_max",
    "duration_weeks",
    "primary_outcome",
    "primary_result",
    "extraction_basis",
    "source_url",
)


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
        """Display through :func:`ldn_analysis.display.show_table` (or the text, if empty)."""
        from ldn_analysis.text.display import show_table, show_text

        if self.frame.empty:
            if self.empty_text:  # "" when the reason was already said nearby
                show_text(self.empty_text)
        else:
            show_table(self.frame, caption=self.caption)


def load(data_dir=None):
    """Return the evidence base (:func:`ldn_analysis.data.load_evidence`), validated."""
    from ldn_analysis.data.evidence import load_evidence

    return load_evidence(data_dir)


def _numeric(df: pd.DataFrame, cols) -> pd.DataFrame:
    out = df.copy()
    for c in cols:
        if c in out:
            out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    return out


def participants(studies: pd.DataFrame) -> pd.Series:
    """Return each study's participant count (analysed, else enrolled, else arm sum)."""
    cols = ("n_analyzed", "n_enrolled", "n_ldn", "n_control")
    s = _numeric(studies.reindex(columns=[*cols, "n"]), (*cols, "n"))
    arms = s[["n_ldn", "n_control"]].sum(axis=1, min_count=1)
    return s["n_analyzed"].fillna(s["n_enrolled"]).fillna(arms).fillna(s["n"])


def study_frame(studies: pd.DataFrame) -> pd.DataFrame:
    """Return the per-study table the figures take: descriptors plus ``n``.

    Parameters
    ----------
    studies : pandas.DataFrame
        Rows of studies.csv.

    Returns
    -------
    pandas.DataFrame
        :data:`STUDY_COLUMNS`, one row per study, with numeric ``n``, ``year``, dose and
        duration, plus ``tier`` (evidence-ladder rung).
    """
    s = _numeric(
        studies, ("year", "n_ldn", "n_control", "dose_mg_min", "dose_mg_max", "duration_weeks")
    )
    s["n"] = participants(studies)
    for col in STUDY_COLUMNS:
        if col not in s:
            s[col] = np.nan
    out = s[list(STUDY_COLUMNS)].drop_duplicates("study_id").reset_index(drop=True)
    out["tier"] = out["design"].map(pal.tier_of)
    return out


def study_table(studies: pd.DataFrame) -> pd.DataFrame:
    """Return the reader-facing study list (for :func:`ldn_analysis.show_table`)."""
    from ldn_analysis.figures import describe, fmt

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
            "authors' result": d["primary_result"].map(lambda r: pal.RESULT_LABELS.get(str(r), "")),
            "source_url": d["source_url"],
        }
    )


def select_studies(
    studies: pd.DataFrame,
    condition: str | None = None,
    designs=None,
    min_n: int = 0,
) -> pd.DataFrame:
    """Filter studies by condition, design and minimum participant count.

    Parameters
    ----------
    studies : pandas.DataFrame
        studies.csv rows (or :func:`study_frame` output).
    condition : str, optional
        Condition id; None keeps every condition.
    designs : list of str, optional
        Designs to keep; empty or None keeps every design.
    min_n : int
        Smallest ``n`` kept; with ``min_n > 0`` studies of unknown size are dropped.
    """
    keep = pd.Series(True, index=studies.index)
    if condition:
        keep &= studies["condition"] == condition
    if designs:
        keep &= studies["design"].isin(list(designs))
    if min_n and min_n > 0:
        n = studies["n"] if "n" in studies else participants(studies)
        keep &= pd.to_numeric(n, errors="coerce") >= min_n
    return studies[keep]


@dataclass(frozen=True)
class Selection:
    """The slice of the evidence base a report is about.

    Attributes
    ----------
    condition : str or None
        Condition id (None = every condition).
    designs : tuple of str
        Designs kept (empty = all).
    min_n : int
        Smallest study size kept.
    studies : pandas.DataFrame
        :func:`study_frame` rows of the selected studies.
    outcomes, adverse_events : pandas.DataFrame
        Rows of the selected studies, with the study's design, condition, blinding
        and descriptors merged in.
    registrations, reviews : pandas.DataFrame
        Rows for the condition (every row when ``condition`` is None).
    """

    condition: str | None
    designs: tuple[str, ...]
    min_n: int
    studies: pd.DataFrame
    outcomes: pd.DataFrame
    adverse_events: pd.DataFrame
    registrations: pd.DataFrame
    reviews: pd.DataFrame
    dropped: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def k(self) -> int:
        """Number of studies selected."""
        return len(self.studies)

    @property
    def participants(self) -> int:
        """Participants across the selected studies (unknown sizes count as 0)."""
        return int(self.studies["n"].sum(skipna=True))

    @property
    def label(self) -> str:
        """Reader-facing name of the selection, e.g. "fibromyalgia" or "all conditions"."""
        return self.condition.replace("_", " ") if self.condition else "all conditions"

    # Shortcuts used by the notebooks: each is one figure builder or table on this slice.
    def evidence_map(self):
        """Return :func:`ldn_analysis.figures.evidence_map` of the selected studies."""
        from ldn_analysis.figures import evidence_map

        return evidence_map(self.studies)

    def ladder(self):
        """Return :func:`ldn_analysis.figures.evidence_ladder` of the selected studies."""
        from ldn_analysis.figures import evidence_ladder

        return evidence_ladder(self.studies, self.condition)

    def timeline(self):
        """Return :func:`ldn_analysis.figures.studies_by_year` of the selected studies."""
        from ldn_analysis.figures import studies_by_year

        return studies_by_year(self.studies)

    def registrations_chart(self):
        """Return :func:`ldn_analysis.figures.registrations_timeline` for the condition."""
        from ldn_analysis.figures import registrations_timeline

        return registrations_timeline(self.registrations)

    def duration_chart(self):
        """Return :func:`ldn_analysis.figures.duration_by_condition` of the studies."""
        from ldn_analysis.figures import duration_by_condition, no_chart

        if not self.k:
            return no_chart("Not drawn: no studies match this selection.")

        return duration_by_condition(self.studies)

    def dose_chart(self):
        """Return :func:`ldn_analysis.figures.dose_by_duration` of the studies."""
        from ldn_analysis.figures import dose_by_duration

        return dose_by_duration(self.studies)

    def ae_chart(self, event: str | None = None):
        """Return :func:`ldn_analysis.figures.ae_prevalence` (one event, or all)."""
        from ldn_analysis.analysis.safety import ae_table
        from ldn_analysis.figures import ae_prevalence

        return ae_prevalence(ae_table(self, event))

    def pooled_ae_chart(self):
        """Return :func:`ldn_analysis.figures.pooled_prevalence` for every event."""
        from ldn_analysis.analysis.safety import pooled_ae_table
        from ldn_analysis.figures import pooled_prevalence

        return pooled_prevalence(pooled_ae_table(self))

    def risk_ratio_chart(self):
        """Return :func:`ldn_analysis.figures.risk_ratios` (LDN vs placebo)."""
        from ldn_analysis.analysis.safety import risk_ratio_table
        from ldn_analysis.figures import risk_ratios

        return risk_ratios(risk_ratio_table(self))

    def study_list(self) -> Table:
        """Return the list of selected studies as a :class:`Table`."""
        return Table(
            study_table(self.studies),
            caption=f"Studies of LDN for {self.label} ({self.k}); click a source to open it",
            empty_text=f"No study of LDN for {self.label} matches the selection.",
        )

    def registration_list(self) -> Table:
        """Return the registered trials as a :class:`Table`."""
        r = self.registrations
        cols = ["registry_id", "condition", "design", "status", "target_enrollment"]
        cols += ["start_date", "completion_date", "results_posted", "linked_study_id"]
        return Table(
            r[[*cols, "source_url"]].sort_values(["condition", "registry_id"]),
            caption=f"Registered trials ({len(r)})",
            empty_text=f"No registered trial of LDN for {self.label} is in the evidence base.",
        )


def select(evidence, condition: str | None = None, designs=(), min_n: int = 0) -> Selection:
    """Return the :class:`Selection` of ``evidence`` for one condition (or all).

    Parameters
    ----------
    evidence : Evidence
        From :func:`load` (any object with the five tables as DataFrame attributes).
    condition : str, optional
        Condition id; None or "" = every condition.
    designs : sequence of str
        Designs to keep (empty = all).
    min_n : int
        Smallest study size kept.
    """
    frame = study_frame(evidence.studies)
    chosen = select_studies(frame, condition or None, designs, min_n)
    in_condition = select_studies(frame, condition or None)
    dropped = in_condition[~in_condition["study_id"].isin(chosen["study_id"])]
    merge_cols = [
        "study_id",
        "condition",
        "design",
        "blinding",
        "randomized",
        "n",
        "dose_mg_min",
        "dose_mg_max",
        "duration_weeks",
        "year",
    ]
    desc = chosen[merge_cols].rename(columns={"n": "study_n"})
    outcomes = evidence.outcomes.merge(desc, on="study_id", how="inner")
    aes = evidence.adverse_events.merge(
        chosen[[*merge_cols, "extraction_basis"]].rename(columns={"n": "study_n"}),
        on="study_id",
        how="inner",
    )

    def _by_condition(df: pd.DataFrame) -> pd.DataFrame:
        return df[df["condition"] == condition] if condition else df

    return Selection(
        condition=condition or None,
        designs=tuple(designs or ()),
        min_n=int(min_n or 0),
        studies=chosen.reset_index(drop=True),
        outcomes=outcomes,
        adverse_events=aes,
        registrations=_by_condition(evidence.registrations).drop_duplicates("registry_id"),
        reviews=_by_condition(evidence.reviews),
        dropped=dropped.reset_index(drop=True),
    )

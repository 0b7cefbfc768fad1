"""Selections: which studies a report is about, as one object every page of it reads.

:func:`select` turns the evidence base into a :class:`Selection` (condition, designs,
minimum size) whose shortcuts draw the evidence, duration and safety charts;
:func:`study_frame` is the per-study table every figure builder takes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ldn_analysis import vocab
from ldn_analysis.data.evidence import load_evidence
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
    "n_basis",
    "n_ldn",
    "n_control",
    "dose_mg_min",
    "dose_mg_max",
    "duration_weeks",
    "primary_outcome",
    "primary_result",
    "extraction_basis",
    "source_url",
    # citation columns (text.format.citation / primary_url); optional ones are NaN when absent
    "journal",
    "doi",
    "pmid",
    "notes",
    "authors",
    "primary_url",
)


def load(data_dir=None):
    """Return the evidence base (:func:`ldn_analysis.data.load_evidence`), validated."""
    return load_evidence(data_dir)


def numeric(df: pd.DataFrame, cols) -> pd.DataFrame:
    """Return a copy of ``df`` with ``cols`` converted to numbers (NaN where not numeric)."""
    out = df.copy()
    for c in cols:
        if c in out:
            out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    return out


N_BASES = ("analysed", "enrolled", "arms")
"""How a study's ``n`` was counted (``n_basis``): people analysed, people enrolled, or (when
neither is reported) from the arm sizes. Each person counts once: a crossover's two arms are
the same people, so its count from the arms is one arm's size, never their sum."""


def participant_counts(studies: pd.DataFrame) -> pd.DataFrame:
    """Return each study's participant count and how it was counted, each person once.

    Parameters
    ----------
    studies : pandas.DataFrame
        studies.csv rows, or :func:`study_frame` output (its ``n`` and ``n_basis`` are kept:
        the function is idempotent, so a table built from a study frame shows the same n).

    Returns
    -------
    pandas.DataFrame
        ``n`` (float, NaN when unknown) and ``n_basis`` (one of :data:`N_BASES`, "" when
        unknown), on the index of ``studies``: ``n_analyzed``, else ``n_enrolled``, else the
        arms (``n_ldn + n_control``; the larger arm in crossover designs).
    """
    raw = ("n_analyzed", "n_enrolled", "n_ldn", "n_control")
    if "n_basis" in studies and not {"n_analyzed", "n_enrolled"} & set(studies.columns):
        n = pd.to_numeric(studies["n"], errors="coerce").astype(float)
        return pd.DataFrame({"n": n, "n_basis": studies["n_basis"].fillna("")})
    s = numeric(studies.reindex(columns=[*raw, "n", "design"]), (*raw, "n"))
    paired = s["design"].isin(vocab.CROSSOVER_DESIGNS)
    arms = s[["n_ldn", "n_control"]].sum(axis=1, min_count=1)
    arms = arms.where(~paired, s[["n_ldn", "n_control"]].max(axis=1))
    basis = pd.Series("", index=studies.index, dtype=object)
    n = pd.Series(np.nan, index=studies.index, dtype=float)
    for value, label in (
        (s["n_analyzed"], "analysed"),
        (s["n_enrolled"], "enrolled"),
        (arms, "arms"),
    ):
        fill = n.isna() & value.notna()
        n[fill], basis[fill] = value[fill], label
    return pd.DataFrame({"n": n.fillna(s["n"]), "n_basis": basis})


def participants(studies: pd.DataFrame) -> pd.Series:
    """Return each study's participant count (:func:`participant_counts`), each person once."""
    return participant_counts(studies)["n"]


def study_frame(studies: pd.DataFrame) -> pd.DataFrame:
    """Return the per-study table the figures take: descriptors plus ``n``.

    Parameters
    ----------
    studies : pandas.DataFrame
        Rows of studies.csv.

    Returns
    -------
    pandas.DataFrame
        :data:`STUDY_COLUMNS`, one row per study, with numeric ``n`` (each person once,
        :func:`participant_counts`) and ``n_basis`` (analysed, enrolled or arms), ``year``,
        dose and duration, plus ``tier`` (evidence-ladder rung).
    """
    s = numeric(
        studies, ("year", "n_ldn", "n_control", "dose_mg_min", "dose_mg_max", "duration_weeks")
    )
    counts = participant_counts(studies)
    s["n"], s["n_basis"] = counts["n"], counts["n_basis"]
    for col in STUDY_COLUMNS:
        if col not in s:
            s[col] = np.nan
    out = s[list(STUDY_COLUMNS)].drop_duplicates("study_id").reset_index(drop=True)
    out["tier"] = out["design"].map(vocab.tier_of)
    return out


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
    risk_of_bias: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Rows of ``risk_of_bias.csv`` for the selected studies (empty when the data have none)."""
    computed: dict = field(default_factory=dict, repr=False, compare=False)
    """Analyses already run on this selection, by their settings (each is computed once)."""

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
        # citation and card columns, for labels and tooltips of effect rows
        "first_author",
        "journal",
        "doi",
        "pmid",
        "authors",
        "primary_url",
        "comparator",
        "primary_result",
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
        risk_of_bias=_risk_of_bias_rows(evidence, chosen["study_id"]),
    )


def _risk_of_bias_rows(evidence, study_ids) -> pd.DataFrame:
    """Rows of the evidence's ``risk_of_bias`` table (attribute or resource) for ``study_ids``."""
    rob = getattr(evidence, "risk_of_bias", None)
    if rob is None:
        rob = (getattr(evidence, "tables", None) or {}).get("risk_of_bias")
    if rob is None or "study_id" not in rob:
        return pd.DataFrame()
    return rob[rob["study_id"].isin(set(study_ids))].reset_index(drop=True)


def unpublished_registrations(selection: Selection) -> pd.DataFrame:
    """Return registered trials that ended (completed or terminated) with no results."""
    r = selection.registrations
    if r.empty:
        return r
    linked = r["linked_study_id"].notna() & r["linked_study_id"].astype(str).str.strip().ne("")
    posted = r["results_posted"].astype(str).str.lower().isin(["true", "1"])
    ended = r["status"].astype(str).isin(vocab.ENDED_STATUSES)
    return r[ended & ~linked & ~posted]

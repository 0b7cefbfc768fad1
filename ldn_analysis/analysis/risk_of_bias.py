"""Risk of bias of the selected studies: RoB 2 rows where assessed, a design-based tier elsewhere.

:func:`risk_of_bias_table` joins the ``risk_of_bias`` table (RoB 2: five domains and an
overall judgement per randomised study) to the studies of a :class:`Selection`. Studies
with no RoB 2 row get a design-based tier (:func:`ldn_analysis.vocab.design_risk`),
computed here from their design and blinding and never stored. The robvis-style figures
(:mod:`ldn_analysis.figures.risk_of_bias`) and the certainty aid
(:mod:`ldn_analysis.text.certainty`) both read this one table.
"""

from __future__ import annotations

import pandas as pd

from ldn_analysis import vocab
from ldn_analysis.analysis.selection import Selection

ROB_TABLE_COLUMNS = (
    "study_id",
    "label",
    "design",
    "n",
    "basis",
    "domain",
    "judgement",
    "support",
    "source_url",
    "outcome_assessed",
)
"""Columns of :func:`risk_of_bias_table`; ``basis`` is ``rob2`` or ``design``."""

JUDGEMENT_RANK = {j: i for i, j in enumerate(vocab.ROB_JUDGEMENTS)}
"""low 0, some_concerns 1, high 2 (for "worst of" comparisons)."""


def study_label(studies: pd.DataFrame) -> pd.Series:
    """Return "Author Year" for each study row (the study id when the author is missing).

    Studies that would share a label get a letter in row order ("Toledano 2021a", "...b").
    """
    author = studies.get("first_author", pd.Series(index=studies.index, dtype=object))
    year = pd.to_numeric(studies.get("year"), errors="coerce")
    out = []
    for sid, a, y in zip(studies["study_id"], author, year, strict=True):
        if isinstance(a, str) and a.strip():
            out.append(f"{a.strip()} {int(y) if pd.notna(y) else 'n.d.'}")
        else:
            out.append(str(sid))
    labels = pd.Series(out, index=studies.index)
    dup = labels.duplicated(keep=False)
    if dup.any():  # "Toledano 2021a", "Toledano 2021b": the citation convention
        rank = labels[dup].groupby(labels[dup]).cumcount()
        labels[dup] = labels[dup] + rank.map(lambda i: "abcdefghijklmnopqrstuvwxyz"[i % 26])
    return labels


def risk_of_bias_table(selection: Selection, rob: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the risk of bias of every selected study, one row per study x domain.

    Parameters
    ----------
    selection : Selection
    rob : pandas.DataFrame, optional
        Rows of ``risk_of_bias.csv``; default ``selection.risk_of_bias`` (empty when the
        data have none), computed once per selection. Rows of studies outside the
        selection are ignored.

    Returns
    -------
    pandas.DataFrame
        :data:`ROB_TABLE_COLUMNS`. RoB 2 studies (``basis == "rob2"``) have one row per
        domain of :data:`ldn_analysis.vocab.ROB_DOMAINS` (and per ``outcome_assessed``
        when a study was assessed for several outcomes); every other study has one
        ``overall`` row with its design-based tier (``basis == "design"``) and the reason as
        ``support``. Studies come in selection order, RoB 2 studies first.
    """
    if rob is None:
        key = ("risk_of_bias",)
        if key not in selection.computed:
            selection.computed[key] = _table(selection, selection.risk_of_bias)
        return selection.computed[key]
    return _table(selection, rob)


def _table(selection: Selection, rob: pd.DataFrame) -> pd.DataFrame:
    studies = selection.studies
    labels = dict(zip(studies["study_id"], study_label(studies), strict=True))
    info = studies.set_index("study_id")
    rows: list[dict] = []
    assessed: set[str] = set()
    if rob is not None and not rob.empty:
        r = rob[rob["study_id"].isin(labels)]
        if "tool" in r:
            r = r[r["tool"].astype(str).str.lower() == "rob2"]
        order = {d: i for i, d in enumerate(vocab.ROB_DOMAINS)}
        r = r.assign(
            _s=r["study_id"].map({s: i for i, s in enumerate(labels)}),
            _d=r["domain"].map(order),
        ).sort_values(["_s", "_d"], kind="stable")
        for _, row in r.iterrows():
            sid = row["study_id"]
            assessed.add(sid)
            rows.append(
                {
                    "study_id": sid,
                    "label": labels[sid],
                    "design": info.at[sid, "design"],
                    "n": info.at[sid, "n"],
                    "basis": "rob2",
                    "domain": row["domain"],
                    "judgement": row["judgement"],
                    "support": row.get("support", ""),
                    "source_url": row.get("source_url", ""),
                    "outcome_assessed": row.get("outcome_assessed", ""),
                }
            )
    for sid, label in labels.items():
        if sid in assessed:
            continue
        randomized = info.at[sid, "randomized"]
        judgement, reason = vocab.design_risk(
            info.at[sid, "design"], info.at[sid, "blinding"], randomized is True
        )
        rows.append(
            {
                "study_id": sid,
                "label": label,
                "design": info.at[sid, "design"],
                "n": info.at[sid, "n"],
                "basis": "design",
                "domain": "overall",
                "judgement": judgement,
                "support": reason,
                "source_url": info.at[sid, "source_url"],
                "outcome_assessed": "",
            }
        )
    return pd.DataFrame(rows, columns=list(ROB_TABLE_COLUMNS))


def overall_by_study(table: pd.DataFrame) -> pd.DataFrame:
    """Return one row per study: its overall judgement (the worst when several outcomes).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`risk_of_bias_table` output.

    Returns
    -------
    pandas.DataFrame
        ``study_id, label, design, n, basis, judgement, support``.
    """
    cols = ["study_id", "label", "design", "n", "basis", "judgement", "support"]
    o = table[table["domain"] == "overall"]
    if o.empty:
        return pd.DataFrame(columns=cols)
    o = o.assign(_rank=o["judgement"].map(JUDGEMENT_RANK).fillna(-1))
    worst = o.sort_values("_rank", ascending=False, kind="stable").drop_duplicates("study_id")
    order = {s: i for i, s in enumerate(table["study_id"].drop_duplicates())}
    worst = worst.assign(_o=worst["study_id"].map(order)).sort_values("_o")
    return worst[cols].reset_index(drop=True)

"""What the claims page shows: the verdicts, the evidence after an exercise, every claim.

The verdict vocabulary, the evidence after an exercise (the verdict withheld in student
mode), and every claim with its reason and curator's note.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ldn_analysis.claims._base import (
    SOURCE_ORIGINS,
    VERDICT_DEFINITIONS,
    VERDICT_LABELS,
    VERDICTS,
    source_names,
)
from ldn_analysis.errors import ChoiceError, LDNError
from ldn_analysis.text.display import show_table, show_text
from ldn_analysis.text.format import name_ids_in_text, name_studies, plural
from ldn_analysis.vocab import MODES


def verdict_definitions() -> pd.DataFrame:
    """Return the six verdicts and what each means (``verdict``, ``meaning``), strongest first."""
    return pd.DataFrame(
        {
            "verdict": [VERDICT_LABELS[v] for v in VERDICTS],
            "meaning": [VERDICT_DEFINITIONS[v] for v in VERDICTS],
        }
    )


def with_study_names(table: pd.DataFrame, evidence: Any) -> pd.DataFrame:
    """Add ``deciding_studies`` (the short citations of ``deciding_sources``) to a claims table.

    ``deciding_sources`` keeps the machine-readable ids; study ids typed into a curator's
    note are replaced by their citations too, so the page names no study by id.
    """
    names = source_names(evidence)
    out = table.copy()
    out["deciding_studies"] = [
        name_studies(str(x).split(";"), names) if pd.notna(x) else ""
        for x in out["deciding_sources"]
    ]
    if "curator_note" in out:
        out["curator_note"] = [
            name_ids_in_text(x, names) if pd.notna(x) else x for x in out["curator_note"]
        ]
    return out


def _row(table: pd.DataFrame, claim_id: str) -> pd.Series:
    rows = table[table["claim_id"] == claim_id]
    if rows.empty:
        raise LDNError(f"claim {claim_id} is not in the claims table; check data/claims.csv")
    return rows.iloc[0]


def evidence_text(table: pd.DataFrame, claim_id: str, mode: str = "student") -> str:
    """Return what the evidence says about a claim, shown after its exercise.

    ``table`` holds :func:`ldn_analysis.claims.evaluate_claims` rows. In ``student`` mode
    only the deciding numbers are shown: the verdict is withheld until the answer is right
    (:func:`verdict_text` behind the exercise's reveal) or the page is the instructor's; in
    ``instructor`` mode the verdict, its reason and the curator's note come first.
    """
    if mode not in MODES:
        raise ChoiceError("mode", mode, MODES)
    r = _row(table, claim_id)
    numbers = f"The numbers that decide it: {r['deciding_numbers']}."
    if mode == "student":
        return (
            f"{numbers}\n\nCompare them with your prediction. The verdict and its reason "
            "appear once your answer above is right, and in the instructor version."
        )
    return f"{verdict_text(table, claim_id)}\n\n{numbers}"


def verdict_text(table: pd.DataFrame, claim_id: str) -> str:
    """Return a claim's verdict, the one-sentence reason and the curator's note."""
    r = _row(table, claim_id)
    note = str(r.get("curator_note", "") or "").strip()
    text = f"Verdict computed from the data: {VERDICT_LABELS[r['verdict']]}. {r['explanation']}"
    return text + (f"\n\nCurator's note: {note}" if note and note != "nan" else "")


def verdict_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Count verdicts per source text: one row per text, one column per verdict, a total."""
    counts = pd.crosstab(table["source_file"], table["verdict"]).reindex(
        columns=list(VERDICTS), fill_value=0
    )
    counts.columns = [VERDICT_LABELS[v] for v in counts.columns]
    counts["total"] = counts.sum(axis=1)
    counts.index = [_source_label(s) for s in counts.index]
    return counts.rename_axis("source text").reset_index()


def _source_label(source_file: str) -> str:
    url = SOURCE_ORIGINS.get(source_file, "")
    where = url.split("//", 1)[-1].split("/", 1)[0] if url else "origin not found"
    return f"text {source_file[:3]} ({where})"


def verdicts_by_source(
    table: pd.DataFrame, scores: pd.DataFrame | None = None, mode: str = "instructor"
) -> None:
    """Show, per source text, every claim with its verdict, reason and the curator's note.

    ``scores`` (from :func:`ldn_analysis.claims.score_sources`) adds each text's
    health-news score to its heading. In ``student`` mode the page is a worksheet: every
    claim with a blank column for the reader's verdict, the verdicts withheld (they are in
    the instructor version).
    """
    if mode not in MODES:
        raise ChoiceError("mode", mode, MODES)
    by_src = scores.set_index("source_file") if scores is not None else None
    if mode == "instructor":
        show_table(verdict_counts(table), caption="Verdicts per source text", link_column="")
    for src, g in table.groupby("source_file", sort=True):
        text = f"{plural(len(g), 'claim')}"
        if mode == "instructor":
            counts = g["verdict"].value_counts()
            text += ": " + ", ".join(
                f"{counts[v]} {VERDICT_LABELS[v]}" for v in VERDICTS if v in counts
            )
        text += "."
        if by_src is not None and src in by_src.index:
            s = by_src.loc[src]
            text += (
                f" Health-news criteria met: {s['met']} of {s['applicable']} applicable "
                f"({s['stars']} of 5 stars)."
            )
        show_text(text, heading=f"Source {_source_label(src)}")
        shown = pd.DataFrame({"claim": g["claim_id"], "claim (paraphrased)": g["claim_text"]})
        if mode == "student":
            shown["your verdict"] = ""
            show_table(
                shown, caption=f"Claims in {_source_label(src)}: grade each one", link_column=""
            )
            continue
        shown["verdict"] = g["verdict"].map(VERDICT_LABELS)
        shown["why (deciding numbers)"] = g["explanation"]
        shown["curator's note"] = g["curator_note"].fillna("") if "curator_note" in g else ""
        names = g["deciding_studies"] if "deciding_studies" in g else g["deciding_sources"]
        shown["from"] = names.fillna("")
        if "source_url" in g:
            shown["source_url"] = g["source_url"]
        show_table(shown, caption=f"Claims in {_source_label(src)}, each verdict with its reason")


#: The claims page's Discuss questions, each with the model answer instructors see.
DISCUSS = (
    (
        "Which source text scores best on the health-news criteria, and does it also make the "
        "fewest exaggerated claims?",
        "Compare the stars with the verdicts per text: a text can meet several reporting "
        "criteria (it names harms, says the drug is off label) and still repeat claims the "
        "trials do not back. Reporting quality and accuracy of claims are separate checks.",
    ),
    (
        'Why is "no evidence of an effect" different from "evidence of no effect"? Find a claim '
        "on this page for each.",
        "Unsupported claims have no placebo-controlled data, or one small trial whose interval "
        "still includes a useful benefit: nothing is settled either way. A contradicted claim "
        "needs a precise interval that excludes the claimed effect, or several trials that "
        "agree; the instructor table says which rule decided each one.",
    ),
    (
        "Pick a claim that says more than its evidence shows and rewrite it so that the data "
        "would back it.",
        "Say what kind of study found what, how large it was and how precise the result "
        "is: 'small trials suggested less pain; the largest placebo-controlled trial found no "
        "significant difference, so the effect is uncertain' is the pattern to look for.",
    ),
    (
        "Why does one small trial that found no difference not settle a claim, and what would?",
        "Its confidence interval is wide enough to include both no effect and a worthwhile "
        "benefit. A larger trial, or several consistent ones pooled, with an interval that "
        "lies below the smallest benefit worth having, would count as evidence against it.",
    ),
)


def discuss_text(mode: str = "student") -> str:
    """Return the Discuss questions; in instructor mode each with its model answer."""
    if mode not in MODES:
        raise ChoiceError("mode", mode, MODES)
    parts = []
    for i, (q, a) in enumerate(DISCUSS, start=1):
        parts.append(f"{i}. {q}")
        if mode == "instructor":
            parts.append(f"Model answer: {a}")
    return "\n\n".join(parts)


def discuss(mode: str = "student") -> None:
    """Show the Discuss questions (and the model answers in instructor mode)."""
    show_text(discuss_text(mode), heading="Discuss")


def cited_study_ids(table: pd.DataFrame) -> list[str]:
    """Return the ids of every study the claims table cites (for the page's reference list)."""
    ids = {s.strip() for cell in table["deciding_sources"] for s in str(cell).split(";")}
    return sorted(i for i in ids if i and i != "nan")

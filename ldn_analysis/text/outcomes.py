"""Say which outcomes have placebo-controlled data and which one a page shows, and why.

Words and a table for an :class:`~ldn_analysis.analysis.outcomes.OutcomeChoice`, so a
condition page never answers "no pain effect size" without naming what was measured.
"""

from __future__ import annotations

import pandas as pd

from ldn_analysis import vocab
from ldn_analysis.analysis.outcomes import OutcomeChoice
from ldn_analysis.text.format import plural
from ldn_analysis.text.tables import Table


def _usable(k: int, of: int) -> str:
    if of == 1:
        return "which gives a usable effect size" if k else "which gives no usable effect size"
    if k == 0:
        return "none gives a usable effect size"
    if k == of:
        return "all give a usable effect size"
    return f"{k} {'gives' if k == 1 else 'give'} a usable effect size"


def _item(row) -> str:
    studies, k = int(row.studies), int(row.with_effect_size)
    return (
        f"{vocab.outcome_label(row.outcome)} "
        f"({plural(studies, 'study', 'studies')}, {_usable(k, studies)})"
    )


def outcome_choice_text(choice: OutcomeChoice) -> str:
    """Return the sentences naming the outcomes with data and the one the page shows.

    E.g. "Outcomes with placebo-controlled data for multiple sclerosis: quality of life
    (2 studies, none with a usable effect size); pain (1 study, none ...). No study gives
    an effect size for pain, the outcome asked for, so this page shows quality of life,
    the outcome most studies report."
    """
    where = vocab.condition_label(choice.condition) if choice.condition else "all conditions"
    asked = vocab.outcome_label(choice.requested)
    shown = vocab.outcome_label(choice.chosen)
    a = choice.available
    if a.empty:
        return (
            f"No placebo-controlled study of LDN for {where} reports any outcome in a form "
            "this evidence base records, so no effect can be estimated."
        )
    listing = "; ".join(_item(r) for r in a.itertuples())
    first = f"Outcomes with placebo-controlled data for {where}: {listing}."
    studies, k = choice.counts()
    if choice.reason == "requested":
        return f"{first} This page shows {shown}, as asked."
    if choice.reason == "kept":
        return (
            f"{first} This page shows {shown}, as asked; no study gives a usable effect size "
            "for it, so nothing is pooled."
        )
    if choice.reason == "most_effect_sizes":
        mine, _ = choice.counts(choice.requested)
        why = "no study reports it" if mine == 0 else "no study gives an effect size for it"
        return (
            f"{first} {asked.capitalize()} was asked for but {why}, so this page shows "
            f"{shown}, the outcome with the most usable effect sizes "
            f"({plural(k, 'study', 'studies')})."
        )
    if choice.switched:
        return (
            f"{first} No outcome has a usable effect size. {asked.capitalize()} was asked for, "
            f"but this page shows {shown}, the outcome most studies report "
            f"({plural(studies, 'study', 'studies')}), and says why none can be pooled."
        )
    return (
        f"{first} No outcome has a usable effect size; this page shows {shown}, as asked, "
        "and says why none can be pooled."
    )


def outcomes_table(choice: OutcomeChoice) -> Table:
    """Return the outcomes with placebo-controlled data as a :class:`Table`."""
    a = choice.available
    frame = pd.DataFrame(
        {
            "outcome": a["outcome"].map(vocab.outcome_label),
            "studies with placebo-controlled data": a["studies"].astype(int),
            "with a usable effect size": a["with_effect_size"].astype(int),
            "participants in the usable studies": a["participants"].astype(int),
            "shown on this page": ["yes" if o == choice.chosen else "" for o in a["outcome"]],
        }
    )
    where = vocab.condition_label(choice.condition) if choice.condition else "all conditions"
    return Table(
        frame,
        caption=f"Outcomes with placebo-controlled data for {where}",
        empty_text="",
    )

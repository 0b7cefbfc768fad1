"""Which outcomes a selection has placebo-controlled data for, and which one a page shows.

A condition report is asked for one outcome (``pain`` by default) but conditions differ in
what their trials measured: multiple sclerosis trials report quality of life, not pain.
:func:`outcomes_with_data` lists every outcome with rows for the comparison, with study
counts; :func:`choose_outcome` keeps the requested outcome when it gives an effect size and
otherwise picks the outcome with the most usable studies, saying why in its ``reason``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ldn_analysis.analysis.efficacy import effect_rows
from ldn_analysis.analysis.selection import Selection

OUTCOME_COLUMNS = ("outcome", "studies", "with_effect_size", "participants")

#: Why :func:`choose_outcome` chose what it chose.
REASONS = (
    "requested",  # the requested outcome gives at least one effect size
    "most_effect_sizes",  # it gives none; another outcome gives the most
    "most_studies",  # no outcome gives an effect size; the one most studies report
    "no_data",  # no outcome has rows for the comparison: the requested one is kept
    "kept",  # keep=True: the requested outcome, although no study gives an effect size for it
)


def outcomes_with_data(
    selection: Selection, *, rho: float = 0.5, comparison: str = "ldn_vs_placebo"
) -> pd.DataFrame:
    """Return the outcomes the selection has ``comparison`` rows for, with study counts.

    Effect sizes only (no pooling), so an explorer can list outcomes as fast as a
    condition changes; computed once per selection (``Selection.computed``).

    Parameters
    ----------
    selection : Selection
    rho : float
        Within-person correlation for crossover rows.
    comparison : str
        Default LDN vs placebo.

    Returns
    -------
    pandas.DataFrame
        :data:`OUTCOME_COLUMNS`: ``studies`` reporting the outcome, ``with_effect_size``
        of them giving a usable effect size (:func:`~ldn_analysis.analysis.efficacy.
        effect_rows`), and their ``participants`` (each person once); most usable
        studies first, then most studies, then by name.
    """
    key = ("outcomes_with_data", float(rho), comparison)
    if key in selection.computed:
        return selection.computed[key]
    o = selection.outcomes
    rows = []
    for outcome in sorted(o[o["comparison"] == comparison]["outcome"].dropna().unique()):
        effects, skipped = effect_rows(selection, str(outcome), comparison=comparison, rho=rho)
        rows.append(
            {
                "outcome": str(outcome),
                "studies": len(set(effects["study_id"]) | set(skipped["study_id"])),
                "with_effect_size": len(effects),
                "participants": int(effects["n"].sum(skipna=True)) if len(effects) else 0,
            }
        )
    frame = pd.DataFrame(rows, columns=list(OUTCOME_COLUMNS))
    frame = frame.sort_values(
        ["with_effect_size", "studies", "outcome"], ascending=[False, False, True]
    ).reset_index(drop=True)
    selection.computed[key] = frame
    return frame


@dataclass(frozen=True)
class OutcomeChoice:
    """The outcome a page shows, the one asked for, and why they differ.

    Attributes
    ----------
    requested : str
        The ``outcome`` parameter.
    chosen : str
        The outcome the page analyses.
    reason : str
        One of :data:`REASONS`.
    condition : str or None
        The selection's condition (None = every condition).
    available : pandas.DataFrame
        :func:`outcomes_with_data` of the selection.
    """

    requested: str
    chosen: str
    reason: str
    condition: str | None
    available: pd.DataFrame

    @property
    def switched(self) -> bool:
        """True when the page shows another outcome than the one asked for."""
        return self.chosen != self.requested

    def counts(self, outcome: str | None = None) -> tuple[int, int]:
        """Return (studies, with_effect_size) of ``outcome`` (default the chosen one)."""
        a = self.available
        row = a[a["outcome"] == (outcome or self.chosen)]
        if row.empty:
            return 0, 0
        return int(row["studies"].iloc[0]), int(row["with_effect_size"].iloc[0])


def choose_outcome(
    selection: Selection,
    requested: str,
    *,
    keep: bool = False,
    rho: float = 0.5,
    comparison: str = "ldn_vs_placebo",
) -> OutcomeChoice:
    """Return the outcome a page should show for ``selection`` when ``requested`` is asked.

    The requested outcome is kept when at least one study gives an effect size for it.
    Otherwise the outcome with the most usable studies is chosen; when no outcome gives
    one, the outcome most studies report (the requested one on a tie), so the page can
    say what exists and why nothing is pooled. With no rows at all the request is kept.
    ``keep=True`` (an explorer's user picked the outcome) always keeps a requested outcome
    that has rows, usable or not.
    """
    available = outcomes_with_data(selection, rho=rho, comparison=comparison)

    def choice(chosen: str, reason: str) -> OutcomeChoice:
        return OutcomeChoice(requested, chosen, reason, selection.condition, available)

    if available.empty:
        return choice(requested, "no_data")
    mine = available[available["outcome"] == requested]
    if len(mine) and int(mine["with_effect_size"].iloc[0]) > 0:
        return choice(requested, "requested")
    if len(mine) and keep:
        return choice(requested, "kept")
    best = available.iloc[0]
    if int(best["with_effect_size"]) > 0:
        return choice(str(best["outcome"]), "most_effect_sizes")
    most = int(available["studies"].max())
    if len(mine) and int(mine["studies"].iloc[0]) == most:
        return choice(requested, "most_studies")
    return choice(str(best["outcome"]), "most_studies")

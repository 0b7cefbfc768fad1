"""Side effects in words: how often on LDN, and LDN vs placebo with the risk ratios.

Every sentence is computed from the adverse-event tables of a
:class:`~ldn_analysis.analysis.Selection` (:func:`ldn_analysis.analysis.ae_table`,
:func:`~ldn_analysis.analysis.pooled_ae_table`, :func:`~ldn_analysis.analysis.risk_ratio_table`).
"""

from __future__ import annotations

import pandas as pd

from ldn_analysis import vocab
from ldn_analysis.analysis import ae_table, pooled_ae_table, risk_ratio_table
from ldn_analysis.analysis.selection import Selection
from ldn_analysis.text.format import fmt, plural, range_text, short_citations

EVENT_NAMES = {
    "any_ae": "any adverse event",
    "serious_ae": "serious adverse events",
    "withdrawal_ae": "stopping because of adverse events",
}


def _studies(k: int) -> str:
    return plural(int(k), "study")


def _people(n: object) -> str:
    return plural(int(n) if pd.notna(n) else 0, "participant")


def _pct_range(values: pd.Series) -> str:
    return range_text(100 * values.min(), 100 * values.max(), "", 0) + "%"


def placebo_comparison_text(selection: Selection) -> str:
    """Say, per event counted in both arms, LDN vs placebo: the rates and each risk ratio.

    E.g. "Any adverse event, LDN vs placebo (2 placebo-controlled studies): 69-84% of
    people on LDN and 72-86% on placebo; risk ratio 0.97 (95% CI 0.82 to 1.15) in Bruun 2024
    and ...; every interval includes 1 (no difference shown)."
    """
    rr = risk_ratio_table(selection)
    rr = rr[rr["rr"].notna()] if not rr.empty else rr
    if rr.empty:
        return "No placebo-controlled comparison of adverse-event counts is available."
    a = ae_table(selection)
    rr = rr.assign(cite_label=short_citations(rr))
    parts = []
    for event, sub in rr.groupby("event", sort=False):
        arms = a[(a["event"] == event) & a["study_id"].isin(sub["study_id"])]
        ldn = arms[arms["arm"] == "ldn"]["proportion"]
        pbo = arms[arms["arm"] == "placebo"]["proportion"]
        ratios = "; ".join(
            f"risk ratio {fmt(r.rr)} (95% CI {fmt(r.ci_low)} to {fmt(r.ci_high)}) in {r.cite_label}"
            for r in sub.itertuples()
        )
        clear = sub[(sub["ci_low"] > 1) | (sub["ci_high"] < 1)]
        verdict = (
            (
                "the interval includes 1 (no difference shown)"
                if len(sub) == 1
                else "every interval includes 1 (no difference shown)"
            )
            if clear.empty
            else f"{plural(len(clear), 'interval')} exclude{'s' if len(clear) == 1 else ''} 1"
        )
        name = EVENT_NAMES.get(str(event), vocab.event_label(event))
        parts.append(
            f"{name[0].upper()}{name[1:]}, LDN vs placebo "
            f"({plural(sub['study_id'].nunique(), 'placebo-controlled study', 'placebo-controlled studies')}): "
            f"{_pct_range(ldn)} of people on LDN and {_pct_range(pbo)} on placebo; {ratios}; "
            f"{verdict}."
        )
    return "\n\n".join(parts)


def safety_summary(selection: Selection, event: str | None = None) -> str:
    """Summarise the adverse-event counts of a selection in plain sentences.

    Parameters
    ----------
    selection : Selection
    event : str, optional
        An event to describe in more detail (e.g. "vivid_dreams").
    """
    a = ae_table(selection)
    where = selection.label
    if a.empty:
        return (
            f"No study of LDN for {where} in the selection counts adverse events with a "
            "denominator, so nothing can be said about how often they happen."
        )
    pooled = pooled_ae_table(selection).set_index("event")
    text = [
        f"{_studies(a['study_id'].nunique())} of LDN for {where} count adverse events with "
        f"a denominator ({a['event'].nunique()} kinds of event)."
    ]
    for ev in dict.fromkeys(["any_ae", "serious_ae", "withdrawal_ae", event or "any_ae"]):
        if ev not in pooled.index:
            if ev == event:
                text.append(f"No study counts {ev.replace('_', ' ')} on LDN.")
            continue
        p = pooled.loc[ev]
        name = EVENT_NAMES.get(ev, ev.replace("_", " "))
        if p["events"] == 0:
            text.append(
                f"{name.capitalize()}: none in {_people(p['n'])} on LDN across "
                f"{_studies(int(p['k']))}; the rule of three puts the true rate below "
                f"{fmt(300 / p['n'], 1)}%."
            )
        else:
            text.append(
                f"{name.capitalize()}: {fmt(100 * p['estimate'], 1)}% of people on LDN (95% CI "
                f"{fmt(100 * p['ci_low'], 1)}-{fmt(100 * p['ci_high'], 1)}%; "
                f"{int(p['events'])} of {int(p['n'])} in {_studies(int(p['k']))}"
                + (", pooled" if p["k"] > 1 else "")
                + ")."
            )
    return " ".join(text) + "\n\n" + placebo_comparison_text(selection)

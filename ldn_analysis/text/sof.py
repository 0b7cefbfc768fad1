"""The summary-of-findings box that opens every efficacy and condition page (GRADE style).

One box per (condition, outcome) analysis, computed from the same
:class:`~ldn_analysis.analysis.Efficacy` the charts and tables of the page read: the
outcome; how many of the eligible studies were pooled and why the others could not be;
participants; the effect with its CI and the interval method; the certainty with its
reasons (:mod:`ldn_analysis.text.certainty`); and one plain-language sentence worded as
GRADE plain-language statements are (Santesso et al. 2020, J Clin Epidemiol 119:126-135).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from ldn_analysis import vocab
from ldn_analysis.analysis.efficacy import Efficacy
from ldn_analysis.analysis.selection import Selection
from ldn_analysis.text.certainty import LEVELS, certainty
from ldn_analysis.text.display import link_html, show_html
from ldn_analysis.text.format import (
    citation,
    conclusion,
    count_text,
    effect_text,
    plural,
    primary_url,
)
from ldn_analysis.text.studies import comparator_text

SOF_CLASS = "ldn-sof"


@dataclass(frozen=True)
class SummaryOfFindings:
    """The rows of a summary-of-findings box (label, text) and its heading."""

    heading: str
    rows: tuple[tuple[str, str], ...]
    links: tuple[tuple[str, str], ...] = ()
    """(citation, DOI/PubMed or source URL): every citation in the rows becomes a link."""

    def text(self) -> str:
        """Plain-text rendering (notebook text output, tests)."""
        return "\n".join([self.heading, *(f"{k}: {v}" for k, v in self.rows)])

    def html(self) -> str:
        """Return the box as HTML (every value escaped)."""
        cells = "".join(
            f"<tr><th scope='row'>{html.escape(k)}</th><td>{self._linked(v)}</td></tr>"
            for k, v in self.rows
        )
        return (
            f"<section class='{SOF_CLASS}' aria-label='Summary of findings'>"
            f"<h3>{html.escape(self.heading)}</h3><table class='ldn-sof-table'>{cells}</table>"
            "</section>"
        )

    def _linked(self, text: str) -> str:
        out = html.escape(text)
        for cite, url in sorted(self.links, key=lambda x: -len(x[0])):
            out = out.replace(html.escape(cite), link_html(url, cite), 1)
        return out

    def show(self) -> None:
        """Display the box (HTML in reports and JupyterLab, text elsewhere)."""
        show_html(self.html(), self.text())


def _citer(selection: Selection):
    """Return a function naming a study id by its citation ("Younger 2013, Arthritis Rheum")."""
    rows = {r["study_id"]: r for _, r in selection.studies.iterrows()}
    return lambda sid: citation(rows[sid]) if sid in rows else str(sid)


def _other_controls(selection: Selection) -> list[str]:
    """Name each non-placebo controlled study: "RCT, crossover vs amitriptyline (...)"."""
    s = selection.studies
    others = s[s["comparator"].isin(["active", "usual_care", "other"])]
    return [
        f"{citation(r)}, {vocab.design_label(r['design'])} of LDN vs {comparator_text(r)} "
        f"({vocab.RESULT_LABELS.get(str(r['primary_result']), 'result not reported')})"
        for _, r in others.iterrows()
    ]


def _plain_none(eff: Efficacy, selection: Selection) -> str:
    outcome = vocab.outcome_label(eff.outcome)
    where = vocab.condition_label(eff.condition)
    s = selection.studies
    others = s[s["comparator"].isin(["active", "usual_care", "other"])]
    if not eff.candidates and len(others):
        names = " and ".join(dict.fromkeys(comparator_text(r) for _, r in others.iterrows()))
        who = "One controlled study" if len(others) == 1 else f"{len(others)} controlled studies"
        return (
            f"No trial compared LDN with placebo for {where}. {who} compared it with "
            f"{names}; a comparison with another treatment cannot show whether LDN works "
            "better than placebo."
        )
    return (
        f"There is no placebo-controlled estimate of LDN's effect on {outcome} in {where}; "
        "the studies below describe what is known."
    )


def _links(selection: Selection) -> tuple[tuple[str, str], ...]:
    """(citation, link) of every selected study: its DOI/PubMed record, else its source."""
    out = []
    for _, r in selection.studies.iterrows():
        url = primary_url(r) or (r["source_url"] if isinstance(r["source_url"], str) else "")
        if url:
            out.append((citation(r), url))
    return tuple(out)


def _what(eff: Efficacy) -> str:
    return vocab.COMPARISON_LABELS.get(eff.comparison, "any comparison")


def _studies_row(eff: Efficacy, selection: Selection) -> str:
    comparator = (eff.comparison or "").replace("ldn_vs_", "").replace("_", " ")
    eligible = list(eff.candidates)
    used = list(eff.effects["study_id"])
    for sid in used:  # a pooled study is eligible even if its comparator column says otherwise
        if sid not in eligible:
            eligible.append(sid)
    if not eligible:
        text = (
            f"No {comparator}-controlled study of LDN for {vocab.condition_label(eff.condition)}."
        )
        others = _other_controls(selection)
        if others:
            text += f" Other controlled comparisons: {'; '.join(others)}."
        return text
    cite = _citer(selection)
    why = [f"{cite(r.study_id)}: {r.reason}" for r in eff.skipped.itertuples()]
    known = set(used) | set(eff.skipped["study_id"])
    silent = [s for s in eligible if s not in known]
    why += [
        f"{cite(sid)}: no {vocab.outcome_label(eff.outcome)} numbers reported" for sid in silent
    ]
    text = f"{len(used)} of {plural(len(eligible), f'{comparator}-controlled study')} pooled"
    return text + (f". Not usable: {'; '.join(why)}." if why else " (all of them).")


def _plain(eff: Efficacy, rating: str) -> str:
    outcome = vocab.outcome_label(eff.outcome)
    where = vocab.condition_label(eff.condition)
    comparator = (eff.comparison or "").replace("ldn_vs_", "").replace("_", " ")
    r = eff.result
    direction = conclusion(r.ci_low, r.ci_high)
    if direction == "favours LDN":
        claim = f"LDN improves {outcome} compared with {comparator} in {where}"
        lead = {
            "high": f"{claim[0].upper()}{claim[1:]}.",
            "moderate": f"LDN probably improves {outcome} compared with {comparator} in {where}.",
            "low": f"LDN may improve {outcome} compared with {comparator} in {where}.",
        }
    elif direction == "favours placebo":
        claim = f"LDN worsens {outcome} compared with {comparator} in {where}"
        lead = {"high": f"{claim[0].upper()}{claim[1:]}."}
        lead["moderate"] = f"LDN probably worsens {outcome} compared with {comparator} in {where}."
        lead["low"] = f"LDN may worsen {outcome} compared with {comparator} in {where}."
    else:
        claim = f"LDN improves {outcome} compared with {comparator} in {where}"
        lead = {
            "high": f"LDN makes little or no difference to {outcome} compared with "
            f"{comparator} in {where}.",
            "moderate": f"LDN probably makes little or no difference to {outcome} compared "
            f"with {comparator} in {where}.",
            "low": f"LDN may make little or no difference to {outcome} compared with "
            f"{comparator} in {where}.",
        }
    return lead.get(rating, f"We are very uncertain whether {claim}.")


def summary_of_findings(eff: Efficacy, selection: Selection) -> SummaryOfFindings:
    """Return the summary-of-findings box of one efficacy analysis.

    Parameters
    ----------
    eff : Efficacy
        The page's analysis (:func:`ldn_analysis.efficacy`), the same object its charts read.
    selection : Selection
        The selection ``eff`` was computed from (certainty reads its registrations).
    """
    outcome = vocab.outcome_label(eff.outcome)
    where = vocab.condition_label(eff.condition)
    heading = f"Summary of findings: {outcome}, {_what(eff)}, {where}"
    rows = [
        ("Outcome", f"{outcome.capitalize()} ({_what(eff)}; positive effects favour LDN)"),
        ("Studies", _studies_row(eff, selection)),
    ]
    c = certainty(eff, selection)
    if eff.k == 0 or eff.result is None or c is None:
        rows += [
            ("Effect", "Not estimable: no study gives an effect size for this comparison."),
            ("Certainty", "Not rated: there is no pooled estimate."),
            ("In plain language", _plain_none(eff, selection)),
        ]
        return SummaryOfFindings(heading, tuple(rows), _links(selection))
    r = eff.result
    effect = f"{effect_text(r, eff.measure)}: {conclusion(r.ci_low, r.ci_high)}"
    downs = [f"{name}: {why}" for name, (d, why) in c.domains.items() if d]
    kind = "randomised trials" if c.start == 4 else "non-randomised evidence"
    certainty_row = (
        f"{c.rating.capitalize()}: starts at {LEVELS[c.start]} ({kind}); "
        + (f"downgraded for {'; '.join(downs)}" if downs else "no downgrade")
        + ". Automatic aid, not a GRADE assessment."
    )
    rows += [
        ("Participants", count_text(eff.participants, "participants analysed")),
        ("Effect (95% CI)", effect),
        ("Certainty", certainty_row),
        ("In plain language", _plain(eff, c.rating)),
    ]
    return SummaryOfFindings(heading, tuple(rows), _links(selection))


def glossary_html() -> str:
    """Return the short glossary of the statistical terms an efficacy page uses (HTML)."""
    items = "".join(
        f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in vocab.GLOSSARY.items()
    )
    return f"<details class='ldn-glossary'><summary>Glossary</summary><dl>{items}</dl></details>"


def show_glossary() -> None:
    """Display the glossary (SMD, 95% CI, τ², I², REML, Knapp-Hartung, prediction interval)."""
    show_html(glossary_html(), "\n".join(f"{k}: {v}" for k, v in vocab.GLOSSARY.items()))

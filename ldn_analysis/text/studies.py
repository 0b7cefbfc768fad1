"""Studies as a clinician reads them: citations with their links, comparators, study cards.

Every study a page names is shown as "First author Year, Journal" linked by its DOI or
PubMed record (the primary link), with the page the numbers were read from as a second,
"extracted from" link. When one or two studies are all there is, :func:`study_cards`
describes each in a compact card (design, comparator named, blinding, n, dose, duration,
primary outcome and result, citation) instead of one-point charts.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from ldn_analysis import vocab
from ldn_analysis.analysis.selection import Selection
from ldn_analysis.text.display import link_html, show_html
from ldn_analysis.text.format import (
    _text,
    citation,
    count_text,
    dose_text,
    plural,
    primary_url,
    short_citation,
    study_names,
    treatment_weeks_text,
)

CARD_MAX_STUDIES = 2
"""Up to this many studies, a condition page describes each in a card instead of charts."""

_COMPARATOR_NOTE = re.compile(
    r"comparator(?:\s*=\s*active)?\s*[:=]\s*([A-Za-z][A-Za-z\- ]*?)(?=\s+\d|\s*[;,.()+]|$)",
    re.IGNORECASE,
)


def comparator_text(row) -> str:
    """Name what LDN was compared with ("amitriptyline", "placebo", "no comparator").

    An active comparator is named from the study's ``comparator_name`` column when the
    data have one, else from its notes ("Active comparator: amitriptyline ..."), else it
    reads "an active treatment (not named in the data)".
    """
    get = row.get if hasattr(row, "get") else lambda k, d=None: getattr(row, k, d)
    kind = _text(get("comparator", ""))
    named = _text(get("comparator_name", ""))
    if not named and kind in ("active", "other", "usual_care"):
        m = _COMPARATOR_NOTE.search(_text(get("notes", "")))
        named = m.group(1).strip() if m else ""
    if named:
        return named
    if kind == "active":
        return "an active treatment (not named in the data)"
    return vocab.COMPARATOR_LABELS.get(kind, "comparator not reported")


def citation_html(row, cite: str | None = None) -> str:
    """Return the citation linked by DOI/PubMed, then the "extracted from" link (HTML).

    ``cite`` replaces the text of :func:`citation` (e.g. with a namesake's a/b suffix).
    """
    get = row.get if hasattr(row, "get") else lambda k, d=None: getattr(row, k, d)
    cite = cite or citation(row)
    main = link_html(primary_url(row), cite, title="DOI or PubMed record") or html.escape(cite)
    source = _text(get("source_url", ""))
    extra = link_html(source, "extracted from", title="the page the numbers were read from")
    if source and source == primary_url(row):
        extra = ""
    return main + (f" · {extra}" if extra else "")


def citation_plain(row) -> str:
    """Return the citation with its primary link in plain text (for CLI and text output)."""
    url = primary_url(row)
    return citation(row) + (f" ({url})" if url else "")


def _n_kind(basis: object) -> str:
    """Name how a study's n was counted (``n_basis``): "participants analysed"..."""
    how = {"analysed": "analysed", "enrolled": "enrolled", "arms": "in the arms"}
    return f"participants {how.get(_text(basis), '')}".strip()


def _card_rows(row) -> list[tuple[str, str]]:
    get = row.get if hasattr(row, "get") else lambda k, d=None: getattr(row, k, d)
    result = vocab.RESULT_LABELS.get(_text(get("primary_result", "")), "result not reported")
    return [
        ("Design", vocab.design_label(get("design", ""))),
        ("Compared with", comparator_text(row)),
        ("Blinding", vocab.blinding_label(get("blinding", ""))),
        ("Participants", count_text(get("n", None), _n_kind(get("n_basis", "")))),
        ("Dose", dose_text(get("dose_mg_min", None), get("dose_mg_max", None))),
        ("Duration", treatment_weeks_text(get("duration_weeks", None))),
        ("Primary outcome", _text(get("primary_outcome", "")) or "not reported"),
        ("Result", result),
    ]


def study_card_html(row) -> str:
    """Return one study as a compact card (HTML, every value escaped)."""
    cells = "".join(
        f"<tr><th scope='row'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in _card_rows(row)
    )
    return (
        "<div class='ldn-study-card'>"
        f"<p class='ldn-card-title'>{citation_html(row)}</p>"
        f"<table class='ldn-card-table'>{cells}</table></div>"
    )


def study_card_text(row) -> str:
    """Return one study card as plain text."""
    lines = [citation_plain(row)] + [f"  {k}: {v}" for k, v in _card_rows(row)]
    return "\n".join(lines)


def show_study_cards(selection: Selection) -> None:
    """Show each study as a card when the selection holds one or two (else nothing).

    The charts of the evidence, duration and dose stay silent for such selections
    (:func:`ldn_analysis.figures.ladder_chart` ...), so the cards say it once.
    """
    s = sorted_studies(selection.studies)
    if s.empty or not thin_evidence(selection):
        return
    rows = [r for _, r in s.iterrows()]
    lead = (
        "<p>The one study is described in a card instead of one-point charts.</p>"
        if len(rows) == 1
        else "<p>With two studies, each is described in a card instead of two-point charts.</p>"
    )
    body = lead + "".join(study_card_html(r) for r in rows)
    show_html(
        f"<div class='ldn-study-cards'>{body}</div>", "\n\n".join(study_card_text(r) for r in rows)
    )


def sorted_studies(studies: pd.DataFrame) -> pd.DataFrame:
    """Return studies strongest design first, then largest, then newest."""
    rank = {d: i for i, d in enumerate(vocab.DESIGN_ORDER)}
    out = studies.assign(
        _rank=studies["design"].map(rank).fillna(len(rank)),
        _n=pd.to_numeric(studies["n"], errors="coerce").fillna(-1),
        _y=pd.to_numeric(studies["year"], errors="coerce").fillna(0),
    )
    out = out.sort_values(["_rank", "_n", "_y"], ascending=[True, False, False])
    return out.drop(columns=["_rank", "_n", "_y"]).reset_index(drop=True)


def thin_evidence(selection: Selection) -> bool:
    """Return True when the selection is so small that study cards replace its charts."""
    return selection.k <= CARD_MAX_STUDIES


def registrations_text(selection: Selection) -> str:
    """Name each registered trial of the selection in one sentence (status, publication)."""
    r = selection.registrations
    if r.empty:
        return f"No registered trial of LDN for {vocab.condition_label(selection.condition)}."
    cites = {row["study_id"]: citation(row) for _, row in selection.studies.iterrows()}
    items = []
    for row in r.itertuples():
        status = _text(getattr(row, "status", ""))
        linked = _text(getattr(row, "linked_study_id", ""))
        bits = [vocab.status_label(status) if status else "status not stated"]
        bits.append(f"published as {cites.get(linked, linked)}" if linked else "no publication")
        items.append(f"{row.registry_id} ({'; '.join(bits)})")
    return (
        f"{plural(len(r), 'registered trial')} of LDN for "
        f"{vocab.condition_label(selection.condition)}: {', '.join(items)}."
    )


def references_html(selection: Selection, study_ids=None) -> tuple[str, str]:
    """Return (HTML, plain text) of the linked citations of a page's studies ("" when none).

    ``study_ids`` limits the list (e.g. the studies of one forest plot); default all.
    """
    s = selection.studies
    names = study_names(s)  # namesakes keep the a/b of the short names in the text
    if study_ids is not None:
        s = s[s["study_id"].isin(set(study_ids))]
    if s.empty:
        return "", ""
    cites = [
        names.get(str(r["study_id"]), short_citation(r)) + citation(r)[len(short_citation(r)) :]
        for _, r in s.iterrows()
    ]
    s = s.assign(_cite=cites).sort_values("_cite")
    items = "".join(f"<li>{citation_html(r, r['_cite'])}</li>" for _, r in s.iterrows())
    return (
        f"<div class='ldn-references'><h4>Studies on this page "
        f"({html.escape(plural(len(s), 'study'))})</h4><ol>{items}</ol></div>",
        "\n".join(
            r["_cite"] + (f" ({u})" if (u := primary_url(r)) else "") for _, r in s.iterrows()
        ),
    )


def show_references(selection: Selection, study_ids=None) -> None:
    """List the studies a page shows, each as its linked citation ("Studies on this page")."""
    body, plain = references_html(selection, study_ids)
    if body:
        show_html(body, plain)

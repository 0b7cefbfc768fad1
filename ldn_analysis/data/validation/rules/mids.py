"""Rules on ``minimal_important_differences``: every threshold names its publication."""

from __future__ import annotations

from ldn_analysis.data.validation.rules.registry import Finding, Tables, rule, text

TABLE = "minimal_important_differences"


@rule(
    "mid_cited",
    "minimal_important_differences: every row has a DOI or a PMID (besides its source_url).",
    needs=(f"{TABLE}.doi", f"{TABLE}.pmid", f"{TABLE}.source_url"),
    message="{mid_id} has neither a doi nor a pmid (value read on {source_url})",
    fix="Find a page that shows the publication's DOI or PMID (PubMed, the journal) and fill "
    "doi or pmid as that page shows it, saying in notes where it was read; a threshold whose "
    "publication cannot be identified stays out of the table.",
)
def mid_cited(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``mid_cited`` (its title is in the decorator)."""
    mids = t[TABLE]
    uncited = (text(mids, "doi") == "") & (text(mids, "pmid") == "")
    return [Finding(TABLE, "doi", uncited)]

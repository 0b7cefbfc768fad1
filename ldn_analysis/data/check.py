"""Summary of a loaded evidence base and the ``data check`` command."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ldn_analysis import paths
from ldn_analysis.data.evidence import Evidence, load_evidence
from ldn_analysis.data.validation import undeclared_files
from ldn_analysis.errors import DataValidationError, LDNError
from ldn_analysis.vocab import CONTROLLED_DESIGNS

__all__ = ["check_command", "format_prisma", "format_summary", "prisma_counts", "summarize"]

# --------------------------------------------------------------------------------------
# Summary and command
# --------------------------------------------------------------------------------------


def summarize(evidence: Evidence) -> dict[str, Any]:
    """Summarize a loaded evidence base as plain JSON-serializable values.

    Parameters
    ----------
    evidence : Evidence
        As returned by :func:`ldn_analysis.data.load_evidence`.

    Returns
    -------
    dict
        ``version``, ``data_dir``, ``n_studies`` (rows of studies.csv),
        ``n_linked_publications`` (rows with a linked_study_id),
        ``studies_by_condition_design`` (``{condition: {design: count}}``, present values
        only), ``conditions_present``, ``designs`` (vocabulary order), ``n_randomized``,
        ``n_participants`` (sum of n_enrolled over studies that are not linked secondary
        publications; blanks count 0), ``n_studies_without_n_enrolled``,
        ``n_studies_overlapping`` (studies whose overlaps_with is filled: their participants
        may be counted twice in ``n_participants``),
        ``n_outcome_rows``, ``n_controlled_trials`` (controlled designs, see
        :data:`CONTROLLED_DESIGNS`), ``n_controlled_trials_with_outcomes`` (with at least
        one outcome row comparing LDN with placebo or an active comparator),
        ``n_ae_rows``, ``n_studies_with_ae``, ``n_registrations``,
        ``n_registrations_linked``, ``n_reviews`` (distinct review_id),
        ``n_review_results``, ``n_with_doi_or_pmid`` (studies with a DOI or a PMID),
        ``n_rob_trials`` (studies with RoB 2 rows), ``prisma`` (see :func:`prisma_counts`;
        ``None`` without searches and screening) and ``checksums``.
    """
    s = evidence.studies
    o = evidence.outcomes
    ae = evidence.adverse_events
    rob = evidence.tables.get("risk_of_bias")
    searches = evidence.tables.get("searches")
    screening = evidence.tables.get("screening")
    by = s.groupby(["condition", "design"], observed=True).size()
    designs = evidence.designs()
    table: dict[str, dict[str, int]] = {}
    for (cond, design), count in by.items():
        table.setdefault(str(cond), {})[str(design)] = int(count)
    table = {c: {d: table[c][d] for d in designs if d in table[c]} for c in sorted(table)}
    primary = s["linked_study_id"].isna()
    controlled = s.loc[s["design"].isin(CONTROLLED_DESIGNS), "study_id"]
    compared = o.loc[o["comparison"] != "ldn_pre_post", "study_id"]
    return {
        "version": evidence.version,
        "data_dir": str(evidence.data_dir),
        "n_studies": int(len(s)),
        "n_linked_publications": int((~primary).sum()),
        "studies_by_condition_design": table,
        "conditions_present": evidence.conditions_present(),
        "designs": designs,
        "n_randomized": int(s["randomized"].fillna(False).sum()),
        "n_participants": int(s.loc[primary, "n_enrolled"].fillna(0).sum()),
        "n_studies_overlapping": int(s["overlaps_with"].notna().sum())
        if "overlaps_with" in s.columns
        else 0,
        "n_studies_without_n_enrolled": int(s["n_enrolled"].isna().sum()),
        "n_outcome_rows": int(len(o)),
        "n_controlled_trials": int(controlled.nunique()),
        "n_controlled_trials_with_outcomes": int(controlled.isin(compared).sum()),
        "n_ae_rows": int(len(ae)),
        "n_studies_with_ae": int(ae["study_id"].nunique()),
        "n_registrations": int(len(evidence.registrations)),
        "n_registrations_linked": int(evidence.registrations["linked_study_id"].notna().sum()),
        "n_reviews": int(evidence.reviews["review_id"].nunique()),
        "n_review_results": int(len(evidence.reviews)),
        "n_with_doi_or_pmid": int((s["doi"].notna() | s["pmid"].notna()).sum()),
        "n_rob_trials": int(rob["study_id"].nunique()) if rob is not None else 0,
        "prisma": prisma_counts(searches, screening) if screening is not None else None,
        "checksums": dict(evidence.checksums),
    }


def prisma_counts(searches: pd.DataFrame | None, screening: pd.DataFrame) -> dict[str, Any]:
    """Count the flow of search hits, PRISMA style, from ``searches`` and ``screening``.

    Parameters
    ----------
    searches : DataFrame or None
        One row per search.
    screening : DataFrame
        One row per hit with ``decision``, ``reason`` and ``study_id``.

    Returns
    -------
    dict
        ``searches`` (searches run), ``identified`` (hits), ``duplicates`` (hits of a page
        already screened: reason duplicate_record), ``screened`` (identified - duplicates),
        ``excluded`` (screened and excluded), ``excluded_by_reason`` (``{reason: count}``,
        most frequent first; blank reasons as ``not stated``), ``included`` (included
        hits), ``included_studies`` (distinct study_ids of included hits that are not
        registration records) and
        ``registrations_added`` (included hits with reason registration_added).
    """
    reason = screening["reason"].fillna("not stated")
    duplicate = (reason == "duplicate_record").to_numpy()
    excluded = (screening["decision"] == "excluded").to_numpy() & ~duplicate
    included = (screening["decision"] == "included").to_numpy()
    added = (reason == "registration_added").to_numpy()
    by_reason = reason[excluded].value_counts()
    return {
        "searches": int(len(searches)) if searches is not None else 0,
        "identified": int(len(screening)),
        "duplicates": int(duplicate.sum()),
        "screened": int((~duplicate).sum()),
        "excluded": int(excluded.sum()),
        "excluded_by_reason": {str(k): int(v) for k, v in by_reason.items()},
        "included": int(included.sum()),
        "included_studies": int(screening.loc[included & ~added, "study_id"].dropna().nunique()),
        "registrations_added": int((included & added).sum()),
    }


def format_summary(summary: Mapping[str, Any]) -> str:
    """Render :func:`summarize` output as readable text for the terminal.

    Parameters
    ----------
    summary : mapping
        As returned by :func:`summarize`.

    Returns
    -------
    str
        Multi-line text: a condition x design table with totals, then the counts.
    """
    lines = [
        f"LDN evidence base, data version {summary['version']}",
        f"Data folder: {summary['data_dir']}",
        "All checks passed.",
        "",
    ]
    table = summary["studies_by_condition_design"]
    if table:
        frame = pd.DataFrame(table).T.reindex(columns=summary["designs"]).fillna(0).astype(int)
        frame.loc["total"] = frame.sum()
        frame["total"] = frame.sum(axis=1)
        frame.index.name = "condition \\ design"
        lines += ["Studies by condition and design:", frame.to_string(), ""]
    else:
        lines += ["No studies yet.", ""]
    n = summary
    lines += [
        f"Studies:                          {n['n_studies']} "
        f"({_count(n['n_linked_publications'], 'linked secondary publication')})",
        f"Randomized studies:               {n['n_randomized']}",
        f"Participants (sum of n_enrolled): {n['n_participants']:,} "
        f"({_count(n['n_studies_without_n_enrolled'], 'study', 'studies')} without n_enrolled)",
        f"Overlapping cohorts:              "
        f"{_count(n.get('n_studies_overlapping', 0), 'study', 'studies')} may share "
        "participants with another (overlaps_with)",
        f"Outcome rows:                     {n['n_outcome_rows']}",
        f"Controlled trials with outcomes:  {n['n_controlled_trials_with_outcomes']} of "
        f"{n['n_controlled_trials']} controlled trials",
        f"Studies with adverse-event data:  {n['n_studies_with_ae']} ({n['n_ae_rows']} rows)",
        f"Registrations:                    {n['n_registrations']} "
        f"({n['n_registrations_linked']} linked to a study)",
        f"Reviews:                          {n['n_reviews']} ({n['n_review_results']} result rows)",
        f"Studies with a DOI or PMID:       {n['n_with_doi_or_pmid']} of {n['n_studies']} "
        f"({_share(n['n_with_doi_or_pmid'], n['n_studies'])})",
        f"Trials with a RoB 2 assessment:   {n['n_rob_trials']}",
        f"Data version:                     {n['version']}",
    ]
    if n.get("prisma"):
        lines += ["", *format_prisma(n["prisma"])]
    return "\n".join(lines)


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "n/a"


def format_prisma(p: Mapping[str, Any]) -> list[str]:
    """Render :func:`prisma_counts` as the lines of a PRISMA-style flow.

    Parameters
    ----------
    p : mapping
        As returned by :func:`prisma_counts`.

    Returns
    -------
    list of str
        One line per box of the flow, exclusions indented by reason.
    """
    boxes = [
        (f"Records identified ({p['searches']} searches)", p["identified"]),
        ("Duplicate records removed", p["duplicates"]),
        ("Records screened", p["screened"]),
        ("Records excluded", p["excluded"]),
        *((f"  {reason}", count) for reason, count in p["excluded_by_reason"].items()),
        ("Records included", p["included"]),
        ("  of which studies (distinct)", p["included_studies"]),
        ("  of which registration records", p["registrations_added"]),
    ]
    width = max(len(label) for label, _ in boxes) + 2
    lines = ["Search and screening flow (PRISMA style, curation rounds with a search log):"]
    lines += [f"  {label + ':':<{width}}{count:>6}" for label, count in boxes]
    return lines


def check_command(data_dir: str | Path | None = None) -> int:
    """Validate the evidence base and print a summary or the problems.

    This is the body of ``python -m ldn_analysis data check [--data-dir DIR]``.

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; default ``$LDN_DATA_DIR`` or ``data/``.

    Returns
    -------
    int
        0 when the data are valid (summary printed to stdout); 1 when there are problems
        (listed on stderr, one per line, each with its fix; no traceback).
    """
    folder = Path(data_dir) if data_dir is not None else paths.data_dir()
    try:
        evidence = load_evidence(folder)
    except DataValidationError as exc:
        print(f"Data check FAILED for {folder}", file=sys.stderr)
        print(str(exc), file=sys.stderr)
        print(
            "Fix the problems above (rows are data rows: row 1 is the first row under the "
            "header, spreadsheet row 2) and run the check again.",
            file=sys.stderr,
        )
        return 1
    except LDNError as exc:
        print(f"Data check FAILED for {folder}: {exc}", file=sys.stderr)
        return 1
    print(format_summary(summarize(evidence)))
    if evidence.warnings:
        n = len(evidence.warnings)
        print(f"\n{n} warning{'s' if n != 1 else ''} (the data loaded; check these rows):")
        for problem in evidence.warnings:
            print(f"  - {problem}")
    extra = undeclared_files(folder)
    if extra:
        print(
            f"\nNote: {', '.join(extra)} not checked: no resource in datapackage.json "
            "(add one with its Table Schema)."
        )
    return 0

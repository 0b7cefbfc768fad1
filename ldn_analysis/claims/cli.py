"""The ``claims`` command."""

from __future__ import annotations

import csv
import sys
import textwrap
from pathlib import Path

import pandas as pd

from ldn_analysis.claims._base import VERDICTS, source_names
from ldn_analysis.claims.evaluate import evaluate_claims
from ldn_analysis.claims.load import load_claims, validate_claims
from ldn_analysis.data.evidence import load_evidence
from ldn_analysis.errors import ChoiceError, DataValidationError
from ldn_analysis.text.format import name_ids_in_text, name_studies


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(str(text), width) or [""]


def claims_command(
    fmt: str = "table", data_dir: str | Path | None = None, *, evidence: object | None = None
) -> int:
    """Print every claim with its computed verdict (``python -m ldn_analysis claims``).

    Parameters
    ----------
    fmt : {"table", "csv"}
        ``table``: a readable listing (claim, verdict, the numbers, the reason, the
        curator's note) plus a verdict count per source; ``csv``: the
        :func:`evaluate_claims` table as CSV on standard output.
    data_dir : path, optional
        Evidence folder holding ``claims.csv`` and the curated tables. The claims come
        from ``Evidence.claims`` when the data package declares them, else from
        :func:`load_claims`.
    evidence : Evidence, optional
        Already loaded evidence (default: :func:`load_evidence` of ``data_dir``).

    Returns
    -------
    int
        Exit code 0.
    """
    if fmt not in ("table", "csv"):
        raise ChoiceError("format", fmt, ("table", "csv"))
    if evidence is None:
        evidence = load_evidence(data_dir) if data_dir is not None else load_evidence()
    claims = getattr(evidence, "claims", None)
    if claims is None:
        claims = load_claims(data_dir)
    else:
        problems = validate_claims(claims)
        if problems:
            raise DataValidationError(problems)
    result = evaluate_claims(evidence, claims)
    if fmt == "csv":
        result.to_csv(sys.stdout, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        return 0
    out = sys.stdout
    names = source_names(evidence)  # the table is read by people: citations, not ids
    for r in result.itertuples(index=False):
        out.write(f"{r.claim_id}  [{r.source_file[:3]}]  {r.verdict.upper()}\n")
        for line in _wrap(r.claim_text, 92):
            out.write(f"    claim: {line}\n")
        for line in _wrap(r.deciding_numbers, 92):
            out.write(f"    data:  {line}\n")
        for line in _wrap(r.explanation, 92):
            out.write(f"    why:   {line}\n")
        note = name_ids_in_text(r.curator_note, names) if r.curator_note else ""
        for line in _wrap(note, 92) if note else []:
            out.write(f"    note:  {line}\n")
        if r.deciding_sources:
            for line in _wrap(name_studies(r.deciding_sources, names, sep="; "), 92):
                out.write(f"    from:  {line}\n")
        out.write("\n")
    summary = pd.crosstab(result["source_file"], result["verdict"]).reindex(
        columns=list(VERDICTS), fill_value=0
    )
    out.write("Verdicts per source\n")
    out.write(summary.to_string() + "\n")
    return 0

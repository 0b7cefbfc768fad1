"""Checkable facts outside the study tables, framing, and the CONSORT-for-abstracts check.

* :func:`fact`: a fact the evidence tables do not hold (an indication, a regulatory
  status, a formulation, what kind of publication a text reports on). The claims row
  records, as short codes, what the text claims and what the page at its ``source_url``
  says; the verdict is computed by comparing them (**supported** or **false**).
* :func:`distinct_trials`: a text that describes one trial several times, as if each
  description were another trial.
* :func:`framing`: presentation that carries no claim about LDN (an award, stitched and
  repeated sentences): **not_testable**, with the reason a reader should discount it.
* :func:`consort_abstract` and :func:`consort_score`: the CONSORT for Abstracts checklist
  (Hopewell et al. 2008) applied to the abstract page, one row per item
  (``consort_abstract.csv`` beside this module); :func:`consort_item` turns one item into
  a verdict on what the abstract's headings imply.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ldn_analysis.claims._base import (
    Evaluation,
    _sources,
    _studies,
    num_col,
    study_labels,
    text_col,
)
from ldn_analysis.errors import ChoiceError, DataValidationError, Problem
from ldn_analysis.text.format import plural

CONSORT_FILE = Path(__file__).with_name("consort_abstract.csv")
CONSORT_COLUMNS = (
    "source_file",
    "item",
    "section",
    "requirement",
    "reported",
    "evidence",
    "checklist_url",
    "notes",
)
#: Allowed values of ``reported``.
CONSORT_REPORTED = ("true", "false", "not_applicable")


_UPPER = {"fda": "FDA", "ldn": "LDN", "results": "RESULTS", "ema": "EMA"}


def _words(code: Any) -> str:
    return " ".join(_UPPER.get(w, w) for w in str(code).replace("_", " ").split())


def _quoted(codes: list[str]) -> str:
    return " and ".join(f"\u201c{_words(c)}\u201d" for c in codes)


def fact(evidence: Any, topic: str, claimed: str, recorded: str) -> Evaluation:
    """Compare a claimed fact with what the deciding page says.

    ``topic`` names the fact (``indication``, ``regulatory_status``, ``formulation``,
    ``publication_type``...), ``claimed`` what the text says and ``recorded`` what the
    page at the claim's ``source_url`` says, both as short codes (``|`` separates several
    recorded facts). **supported** if ``claimed`` is among them, **false** otherwise.
    """
    found = [r.strip() for r in str(recorded).split("|") if r.strip()]
    numbers = (
        f"checked fact, {_words(topic)}: the text says {_quoted([claimed])}; the source says "
        f"{_quoted(found)}"
    )
    if claimed in found:
        return Evaluation(
            "supported",
            numbers,
            (),
            f"The source confirms the {_words(topic)}: {_quoted([claimed])}.",
        )
    return Evaluation(
        "false",
        numbers,
        (),
        f"On the {_words(topic)}, the text says {_quoted([claimed])}, but the source says "
        f"{_quoted(found)}: a checkable fact that is wrong.",
    )


def distinct_trials(
    evidence: Any,
    claimed: int,
    condition: str,
    design: str,
    weeks: float,
    dose: float,
    comparator: str = "placebo",
) -> Evaluation:
    """Check a text that presents several descriptions as different trials.

    The descriptions share their details (``condition``, ``design``, ``comparator``,
    ``weeks`` of treatment, daily ``dose`` in mg). Rule: count the curated studies with
    those details; **false** if fewer than ``claimed`` (the same trial is counted more
    than once), **supported** otherwise.
    """
    s = _studies(evidence, condition)
    if s.empty:
        return Evaluation("unsupported", f"0 studies of {_words(condition)}", (), "No studies.")
    lo, hi = num_col(s, "dose_mg_min"), num_col(s, "dose_mg_max")
    match = s[
        (text_col(s, "design") == design)
        & (text_col(s, "comparator") == comparator)
        & ((num_col(s, "duration_weeks") - float(weeks)).abs() <= 1)
        & (lo.fillna(hi) <= float(dose))
        & (hi.fillna(lo) >= float(dose))
    ]
    ids = list(text_col(match, "study_id"))
    numbers = (
        f"the text describes {claimed} trials; curated {_words(design)} {comparator}-controlled "
        f"studies of {_words(condition)} with {weeks:g} weeks at {dose:g} mg/day: "
        f"{len(ids)} ({study_labels(evidence, ids) or 'none'})"
    )
    if len(ids) < int(claimed):
        return Evaluation(
            "false",
            numbers,
            _sources(ids),
            f"The {claimed} descriptions match {plural(len(ids), 'trial')} in the evidence "
            f"base ({study_labels(evidence, ids) or 'none'}): the same trial is counted "
            f"{claimed} times.",
        )
    return Evaluation("supported", numbers, _sources(ids), "Each description is its own trial.")


_FRAMING = {
    "award": "An award for a conference abstract is a judgement of the meeting's committee, "
    "not evidence about LDN: it adds no patients and no comparison.",
    "stitched": "Sentences taken from several abstracts are stitched together and repeated "
    "word for word, so one source looks like many; count the studies, not the sentences.",
}


def framing(evidence: Any, reason: str) -> Evaluation:
    """Name a framing device that makes no claim about LDN (**not_testable**, with why).

    ``reason`` is ``award`` or ``stitched``.
    """
    if reason not in _FRAMING:
        raise ChoiceError("framing reason", reason, _FRAMING)
    return Evaluation("not_testable", f"framing: {_words(reason)}", (), _FRAMING[reason])


def consort_abstract(path: str | Path | None = None) -> pd.DataFrame:
    """Read the CONSORT-for-abstracts check (one row per source text and checklist item).

    Raises
    ------
    DataValidationError
        On missing columns or a ``reported`` value outside :data:`CONSORT_REPORTED`.
    """
    path = Path(path) if path is not None else CONSORT_FILE
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in CONSORT_COLUMNS if c not in df.columns]
    if missing:
        raise DataValidationError(
            [
                Problem(
                    path.name, None, None, missing, "missing columns", "add: " + ", ".join(missing)
                )
            ]
        )
    problems = [
        Problem(path.name, i, "reported", v, "unknown value", "use " + ", ".join(CONSORT_REPORTED))
        for i, v in enumerate(df["reported"], start=1)
        if v not in CONSORT_REPORTED
    ]
    if problems:
        raise DataValidationError(problems)
    return df


def consort_score(check: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score each abstract: items reported out of the applicable items.

    Returns one row per ``source_file``: ``applicable``, ``reported``, ``score`` (share,
    0-1) and ``missing`` (the unreported items, ``; ``-joined).
    """
    df = consort_abstract() if check is None else check
    rows = []
    for src, g in df.groupby("source_file", sort=True):
        app = g[g["reported"] != "not_applicable"]
        rep = app[app["reported"] == "true"]
        rows.append(
            {
                "source_file": src,
                "applicable": len(app),
                "reported": len(rep),
                "score": round(len(rep) / len(app), 3) if len(app) else float("nan"),
                "missing": "; ".join(
                    _words(i) for i in app.loc[app["reported"] == "false", "item"]
                ),
            }
        )
    return pd.DataFrame(rows, columns=["source_file", "applicable", "reported", "score", "missing"])


def consort_summary(source: str = "003_5ab7ced4c9d46c94.txt") -> str:
    """Return one sentence: how many applicable CONSORT-for-abstracts items a text reports."""
    score = consort_score().set_index("source_file").loc[source]
    return (
        f"Text {source[:3]} reports {score['reported']} of the {score['applicable']} applicable "
        f"CONSORT for Abstracts items ({100 * score['score']:.0f}%); missing: {score['missing']}."
    )


def consort_table(source: str = "003_5ab7ced4c9d46c94.txt") -> pd.DataFrame:
    """Return one abstract's CONSORT-for-abstracts check in reader-facing words."""
    df = consort_abstract()
    df = df[df["source_file"] == source]
    reported = {"true": "yes", "false": "no", "not_applicable": "not applicable"}
    return pd.DataFrame(
        {
            "section": df["section"],
            "the abstract should report": df["requirement"],
            "reported": df["reported"].map(reported),
            "what the page shows": df["evidence"],
            "checklist_url": df["checklist_url"],
        }
    ).reset_index(drop=True)


def consort_item(evidence: Any, item: str, source: str = "003_5ab7ced4c9d46c94.txt") -> Evaluation:
    """Check what an abstract's heading implies against the CONSORT-for-abstracts row.

    E.g. a RESULTS heading implies the abstract reports its own results (item
    ``outcome_result``). **supported** if the item is reported, **false** if not.
    """
    df = consort_abstract()
    row = df[(df["source_file"] == source) & (df["item"] == item)]
    if row.empty:
        raise ChoiceError("CONSORT item", item, sorted(set(df["item"])))
    r = row.iloc[0]
    score = consort_score(df[df["source_file"] == source]).iloc[0]
    numbers = (
        f"CONSORT for Abstracts item '{_words(item)}': {r['requirement']}; reported: "
        f"{r['reported']}; the abstract reports {score['reported']} of "
        f"{score['applicable']} applicable items"
    )
    if r["reported"] == "true":
        return Evaluation("supported", numbers, (), f"The abstract reports it: {r['evidence']}")
    return Evaluation(
        "false",
        numbers,
        (),
        f"{r['evidence']} The abstract reports {score['reported']} of the "
        f"{score['applicable']} applicable CONSORT for Abstracts items.",
    )

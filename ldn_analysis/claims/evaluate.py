"""The :data:`PROPOSITIONS` registry and claim evaluation."""

from __future__ import annotations

import hashlib
import inspect
import math
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from ldn_analysis.claims._base import RESULT_COLUMNS, Evaluation, per_evidence
from ldn_analysis.claims.efficacy import (
    condition_rct_benefit,
    conditions_helped,
    final_primary_significant,
    outcome_benefit,
    practice_support,
    study_primary_benefit,
)
from ldn_analysis.claims.facts import consort_item, distinct_trials, fact, framing
from ldn_analysis.claims.kinds import ae_kinds_reported, ae_most_common
from ldn_analysis.claims.safety import (
    ae_any_range,
    ae_similar_to_placebo,
    serious_ae_rare,
    withdrawal_ae_max,
)
from ldn_analysis.claims.studies import (
    design_share,
    design_variety,
    dose_range,
    duration_range,
    few_large_rcts,
    n_studies,
    ongoing_registrations,
    review_n_studies,
    small_studies,
    study_design,
    study_dose,
    study_duration,
    untestable,
)
from ldn_analysis.errors import ChoiceError, ParameterError

PROPOSITIONS: dict[str, Callable[..., Evaluation]] = {
    "ae_any_range": ae_any_range,
    "ae_most_common": ae_most_common,
    "ae_kinds_reported": ae_kinds_reported,
    "ae_similar_to_placebo": ae_similar_to_placebo,
    "serious_ae_rare": serious_ae_rare,
    "withdrawal_ae_max": withdrawal_ae_max,
    "condition_rct_benefit": condition_rct_benefit,
    "conditions_helped": conditions_helped,
    "outcome_benefit": outcome_benefit,
    "study_primary_benefit": study_primary_benefit,
    "final_primary_significant": final_primary_significant,
    "study_design": study_design,
    "study_duration": study_duration,
    "study_dose": study_dose,
    "dose_range": dose_range,
    "duration_range": duration_range,
    "review_n_studies": review_n_studies,
    "n_studies": n_studies,
    "design_share": design_share,
    "small_studies": small_studies,
    "few_large_rcts": few_large_rcts,
    "design_variety": design_variety,
    "ongoing_registrations": ongoing_registrations,
    "untestable": untestable,
    "practice_support": practice_support,
    "fact": fact,
    "distinct_trials": distinct_trials,
    "framing": framing,
    "consort_item": consort_item,
}


# --------------------------------------------------------------------------------------
# Loading, validating and evaluating the claims table.
# --------------------------------------------------------------------------------------


def parse_args(text: Any) -> dict[str, Any]:
    """Parse ``proposition_args`` (``k=v;k2=v2``) into keyword arguments.

    Numbers become ``int``/``float``, ``true``/``false`` become booleans and everything
    else stays a string (``|`` lists are split by the evaluators).

    Examples
    --------
    >>> parse_args("low=0;high=33")
    {'low': 0, 'high': 33}
    >>> parse_args("")
    {}
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return {}
    out: dict[str, Any] = {}
    for part in str(text).split(";"):
        if not part.strip():
            continue
        if "=" not in part:
            raise ParameterError(f"proposition argument {part!r} is not of the form key=value")
        key, value = (s.strip() for s in part.split("=", 1))
        out[key] = _convert(value)
    return out


def _convert(value: str) -> Any:
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


def evaluate_claim(evidence: Any, proposition: str, args: Mapping[str, Any]) -> Evaluation:
    """Evaluate one proposition with its arguments against ``evidence``.

    Raises
    ------
    ChoiceError
        If ``proposition`` is not in :data:`PROPOSITIONS`.
    ParameterError
        If the arguments do not fit the evaluator's signature.
    """
    if proposition not in PROPOSITIONS:
        raise ChoiceError("proposition", proposition, sorted(PROPOSITIONS))
    fn = PROPOSITIONS[proposition]
    try:
        inspect.signature(fn).bind(evidence, **args)
    except TypeError as exc:
        raise ParameterError(f"bad arguments {dict(args)} for {proposition}: {exc}") from exc
    return fn(evidence, **args)


def plain_sentence(ev: Evaluation) -> str:
    """Return the verdict's explanation, with the deciding numbers when it names none."""
    text = ev.explanation.strip()
    if ev.verdict == "not_testable" or any(ch.isdigit() for ch in text):
        return text
    if ev.deciding_numbers.startswith(("reason:", "framing:", "checked fact")):
        return text
    return f"{text.rstrip('.')} ({ev.deciding_numbers})."


def evaluate_claims(evidence: Any, claims_df: pd.DataFrame) -> pd.DataFrame:
    """Evaluate every claim row against the evidence base.

    Parameters
    ----------
    evidence : Evidence
        Object with DataFrame attributes ``studies``, ``outcomes``, ``adverse_events``,
        ``registrations``, ``reviews`` (missing ones count as empty).
    claims_df : pandas.DataFrame
        Rows of ``claims.csv``.

    Returns
    -------
    pandas.DataFrame
        Columns ``claim_id, source_file, claim_text, verdict, deciding_numbers,
        deciding_sources`` (``; ``-joined), ``explanation`` (one plain sentence with the
        deciding numbers) and ``curator_note`` (the claim's ``notes``), one row per claim.

    Notes
    -----
    Computed once per evidence object and claims table content (``per_evidence``; a copy
    is returned), so a report build can compute it in the runner before forking the
    reports that show it (:mod:`ldn_analysis.report.execute`).
    """
    try:
        key = ("evaluate_claims", _content_key(claims_df))
    except TypeError:  # cells pandas cannot hash (lists, dicts): not cached
        return _evaluate_claims(evidence, claims_df)
    cache = per_evidence(evidence)
    if key not in cache:
        cache[key] = _evaluate_claims(evidence, claims_df)
    return cache[key].copy()


def _content_key(df: pd.DataFrame) -> str:
    """sha256 of a frame's columns, dtypes, index and values."""
    h = hashlib.sha256(repr((list(df.columns), [str(t) for t in df.dtypes])).encode())
    h.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    return h.hexdigest()


def _evaluate_claims(evidence: Any, claims_df: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for _, c in claims_df.iterrows():
        ev = evaluate_claim(evidence, str(c["proposition"]), parse_args(c["proposition_args"]))
        note = str(c.get("notes", "") or "").strip()
        rows.append(
            {
                "claim_id": c["claim_id"],
                "source_file": c["source_file"],
                "claim_text": c["claim_text"],
                "verdict": ev.verdict,
                "deciding_numbers": ev.deciding_numbers,
                "deciding_sources": "; ".join(ev.deciding_sources),
                "explanation": plain_sentence(ev),
                "curator_note": "" if note == "nan" else note,
            }
        )
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))

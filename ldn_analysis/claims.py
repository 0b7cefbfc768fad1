"""Claims checker: what five public texts say about LDN, tested against the evidence base.

``data/claims.csv`` lists every checkable claim in the source texts (paraphrased), each
tied to a *proposition*: the name of a rule in :data:`PROPOSITIONS` plus its arguments
(``low=0;high=33``). A rule reads the curated tables (studies, outcomes, adverse events,
registrations, reviews) and returns an :class:`Evaluation`: a verdict, the numbers that
decided it, the study ids that supplied them and a plain-language explanation. Verdicts
are never typed into the CSV; they are recomputed from the data every time, so a new
study can change them.

Verdicts
--------
supported
    The data agree with the claim as stated.
overstated
    The data point the same way but are weaker than the claim implies (only uncontrolled
    or single small studies, mixed trial results, a range narrower than observed...).
contradicted
    The data disagree (null randomized trials, an observed value outside the claimed
    range beyond its confidence interval, a different count...).
not_testable
    The evidence base does not record what the claim is about (mechanisms, costs,
    regulatory status) or holds no data for it yet.

Each rule documents its thresholds in its docstring. Every statistic goes through the
bundle's engine: Wilson intervals and the rule of three from ``ldn_analysis.proportions``,
standardized effects (positive = LDN better) from ``ldn_analysis.effects.compute_effects``
and random-effects pooling (REML, z test) from ``ldn_analysis.pooling.pool``.
"""

from __future__ import annotations

import csv
import inspect
import math
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .effects import compute_effects
from .errors import ChoiceError, DataValidationError, ParameterError, Problem
from .pooling import PoolResult, pool
from .proportions import rule_of_three, wilson
from .vocab import RANDOMIZED_DESIGNS

__all__ = [
    "CLAIM_TYPES",
    "CLAIMS_COLUMNS",
    "CLAIMS_FILE",
    "NEWS_CRITERIA",
    "NEWS_CRITERIA_COLUMNS",
    "NEWS_CRITERIA_FILE",
    "PROPOSITIONS",
    "SOURCE_FILES",
    "SOURCE_ORIGINS",
    "VERDICTS",
    "Evaluation",
    "claims_command",
    "evaluate_claim",
    "evaluate_claims",
    "load_claims",
    "load_news_criteria",
    "parse_args",
    "score_sources",
    "validate_claims",
]

VERDICTS = ("supported", "overstated", "contradicted", "not_testable")
CLAIM_TYPES = (
    "effect",
    "side_effect_frequency",
    "side_effect_kind",
    "duration",
    "discontinuation",
    "population",
    "dose",
    "mechanism",
    "untestable",
)
SOURCE_FILES = (
    "000_5cd4fe151a8fe73e.txt",
    "001_81442b71808b589e.txt",
    "002_902dfb8e700bca31.txt",
    "003_5ab7ced4c9d46c94.txt",
    "004_c7f8f98451a79302.txt",
)
# Where each text was published, as found with the search tool (pages corpus). The texts
# themselves name no URL; 001's origin was not found in the stored pages.
SOURCE_ORIGINS = {
    "000_5cd4fe151a8fe73e.txt": "https://medicaldialogues.in/amp/medicine/news/"
    "low-dose-naltrexone-promising-for-pain-relief-in-fibromyalgia-and-host-of-chronic-"
    "conditions-102374",
    "001_81442b71808b589e.txt": "",
    # a copy dated 9 December 2022 matching the text word for word; Pain News Network's
    # own page (15 November 2022) words some sentences differently
    "002_902dfb8e700bca31.txt": "https://nullifynow.net/"
    "promising-results-for-low-dose-naltrexone-as-a-painkiller-pain-news-network/",
    "003_5ab7ced4c9d46c94.txt": "https://www.readbyqxmd.com/read/28325149/"
    "low-dose-naltrexone-in-the-treatment-of-fibromyalgia",
    "004_c7f8f98451a79302.txt": "https://www.newswise.com/articles/"
    "low-dose-naltrexone-shows-promise-in-treating-pain-in-patients-with-fibromyalgia-"
    "crohn-s-disease-low-back-pain-and-other-chronic-conditions",
}
# Condition ids of the extraction SPEC (/tmp/curation/SPEC.md) plus ``any``.
CONDITION_IDS = (
    "fibromyalgia",
    "crohns_disease",
    "ulcerative_colitis",
    "ibd_mixed",
    "diabetic_neuropathy",
    "neuropathic_pain_other",
    "chronic_low_back_pain",
    "rheumatoid_arthritis",
    "arthritis_other",
    "crps",
    "multiple_sclerosis",
    "interstitial_cystitis",
    "long_covid",
    "me_cfs",
    "gulf_war_illness",
    "headache",
    "mixed_chronic_pain",
    "dermatologic",
    "other",
    "any",
)
CLAIMS_FILE = "claims.csv"
NEWS_CRITERIA_FILE = "news_criteria.csv"
CLAIMS_COLUMNS = (
    "claim_id",
    "source_file",
    "claim_text",
    "claim_type",
    "condition",
    "proposition",
    "proposition_args",
    "source_url",
    "notes",
)
NEWS_CRITERIA_COLUMNS = (
    "source_file",
    "criterion",
    "met",
    "applicable",
    "evidence",
    "criteria_url",
    "notes",
)
# HealthNewsReview.org's ten criteria; #6 is split into its two halves.
NEWS_CRITERIA = (
    "costs",
    "benefits_quantified",
    "harms_quantified",
    "evidence_quality",
    "disease_mongering_avoided",
    "independent_sources",
    "conflicts_disclosed",
    "alternatives",
    "availability",
    "novelty",
    "beyond_news_release",
)
RESULT_COLUMNS = (
    "claim_id",
    "source_file",
    "claim_text",
    "verdict",
    "deciding_numbers",
    "deciding_sources",
    "explanation",
)

SUMMARY_EVENTS = ("any_ae", "serious_ae", "withdrawal_ae")
ONGOING_STATUSES = (
    "recruiting",
    "not_yet_recruiting",
    "active_not_recruiting",
    "enrolling_by_invitation",
)
ALPHA = 0.05


@dataclass(frozen=True)
class Evaluation:
    """The outcome of testing one claim against the evidence base.

    Attributes
    ----------
    verdict : str
        One of :data:`VERDICTS`.
    deciding_numbers : str
        The numbers the rule compared, in words a student can recompute.
    deciding_sources : tuple of str
        Study ids (or review ids / registry ids) that supplied those numbers.
    explanation : str
        Why the rule gave this verdict.
    """

    verdict: str
    deciding_numbers: str
    deciding_sources: tuple[str, ...]
    explanation: str

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ChoiceError("verdict", self.verdict, VERDICTS)


# --------------------------------------------------------------------------------------
# Statistics (thin wrappers over the engine, so every rule uses the same settings).
# --------------------------------------------------------------------------------------

POOL_METHOD = "REML"
POOL_TEST = "z"


def _wilson(x: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """Return the Wilson score interval for ``x`` events in ``n`` as proportions."""
    lo, hi = wilson(x, n, level)
    return float(lo), float(hi)


def _wald(x: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """Return the (unclipped) Wald interval ``p +/- z*sqrt(p(1-p)/n)`` as proportions.

    Only for teaching the contrast with Wilson; no rule uses it.
    """
    z = float(stats.norm.isf((1 - level) / 2))
    p = x / n
    half = z * math.sqrt(p * (1 - p) / n)
    return p - half, p + half


def _rule_of_three(n: float) -> float:
    """Return the approximate 95% upper bound ``3/n`` for 0 events in ``n`` (capped at 1)."""
    return min(1.0, float(rule_of_three(n)))


def _pool(yi: Sequence[float], vi: Sequence[float]) -> PoolResult:
    """Pool oriented effects: random effects, REML tau^2, z test (I2 in percent)."""
    return pool(np.asarray(yi, dtype=float), np.asarray(vi, dtype=float), POOL_METHOD, POOL_TEST)


# --------------------------------------------------------------------------------------
# Table access helpers (robust to missing tables/columns and to 'true'/'false' strings).
# --------------------------------------------------------------------------------------


def _table(evidence: Any, name: str) -> pd.DataFrame:
    df = getattr(evidence, name, None)
    if df is None:
        return pd.DataFrame()
    return df


def _col(df: pd.DataFrame, name: str, default: Any = np.nan) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series([default] * len(df), index=df.index, dtype=object)


def _num(df: pd.DataFrame, name: str) -> pd.Series:
    return pd.to_numeric(_col(df, name), errors="coerce")


def _text(df: pd.DataFrame, name: str) -> pd.Series:
    return _col(df, name, "").fillna("").astype(str).str.strip()


def _truthy(series: pd.Series) -> pd.Series:
    return series.map(lambda v: str(v).strip().lower() in ("true", "1", "yes", "t"))


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split("|") if v.strip()]
    if isinstance(value, Iterable):
        return [str(v).strip() for v in value]
    return [str(value)]


def _studies(evidence: Any, condition: str = "any") -> pd.DataFrame:
    df = _table(evidence, "studies")
    if df.empty:
        return df
    if condition != "any":
        wanted = set(_as_list(condition))
        df = df[_text(df, "condition").isin(wanted)]
    return df


def _is_randomized(df: pd.DataFrame) -> pd.Series:
    return _text(df, "design").isin(RANDOMIZED_DESIGNS) | _truthy(_col(df, "randomized", ""))


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _find_studies(
    evidence: Any,
    study: str | None = None,
    nct: str | None = None,
    author: str | None = None,
    year: int | None = None,
) -> pd.DataFrame:
    df = _table(evidence, "studies")
    if df.empty:
        return df
    mask = pd.Series(True, index=df.index)
    if study:
        mask &= _text(df, "study_id").isin(_as_list(study))
    if nct:
        mask &= _text(df, "nct_id").str.upper() == str(nct).upper()
    if author:
        mask &= _text(df, "first_author").str.lower() == str(author).lower()
    if year:
        mask &= _num(df, "year") == int(year)
    return df[mask]


def _sources(ids: Iterable[Any]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(i) for i in ids if str(i) and str(i) != "nan"))


# --------------------------------------------------------------------------------------
# Effect sizes for the claims checker (oriented: positive = favours LDN).
# --------------------------------------------------------------------------------------


_SIGNAL_COLUMNS = ["study_id", "result", "computable", "yi", "vi", "note"]


def _study_signals(
    evidence: Any,
    condition: str = "any",
    outcome: str = "pain",
    comparisons: Sequence[str] = ("ldn_vs_placebo",),
    study_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Return one result per study for ``outcome`` from its controlled outcome rows.

    Per study (latest ``timepoint_weeks`` first):

    * if :func:`ldn_analysis.effects.compute_effects` can standardize a row (Hedges' g,
      positive = LDN better, crossovers paired with rho = 0.5), that effect decides; it
      is *significant* when the row's reported ``p_value`` is below 0.05, or (without a
      p value) when its 95% CI excludes 0;
    * otherwise the reported ``p_value`` (or the reported CI excluding the null) decides
      significance and the direction comes from the arm means or the estimate, oriented
      by ``better``;
    * ``result`` is ``benefit`` / ``harm`` (significant, direction known),
      ``signal`` (significant, direction not recorded) or ``no_difference``.
    """
    out = _table(evidence, "outcomes")
    if out.empty:
        return pd.DataFrame(columns=_SIGNAL_COLUMNS)
    studies = _studies(evidence, condition)
    keep = set(_text(studies, "study_id"))
    if study_ids is not None:
        keep &= set(study_ids)
    mask = _text(out, "study_id").isin(keep)
    mask &= _text(out, "outcome").isin(_as_list(outcome))
    mask &= _text(out, "comparison").isin(list(comparisons))
    rows = out[mask]
    if rows.empty:
        return pd.DataFrame(columns=_SIGNAL_COLUMNS)
    design = dict(zip(_text(studies, "study_id"), _text(studies, "design"), strict=True))
    rows = rows.assign(design=_text(rows, "study_id").map(design))
    eff = compute_effects(rows)
    rows = rows.assign(
        _yi=eff["yi"].astype(float),
        _vi=eff["vi"].astype(float),
        _tp=_num(rows, "timepoint_weeks").fillna(-1.0),
        _sid=_text(rows, "study_id"),
    )
    records = []
    for sid, g in rows.groupby("_sid", sort=True):
        g = g.sort_values("_tp", ascending=False)
        comp = g[g["_yi"].notna() & g["_vi"].notna()]
        if len(comp):
            records.append(_signal_from_effect(sid, comp.iloc[0]))
            continue
        for _, r in g.iterrows():
            rec = _signal_from_report(sid, r)
            if rec is not None:
                records.append(rec)
                break
    return pd.DataFrame(records, columns=_SIGNAL_COLUMNS)


def _signal_from_effect(sid: str, r: pd.Series) -> dict:
    yi, vi = float(r["_yi"]), float(r["_vi"])
    p = pd.to_numeric(r.get("p_value"), errors="coerce")
    if pd.notna(p):
        sig = bool(p < ALPHA)
    else:
        half = float(stats.norm.isf(ALPHA / 2)) * math.sqrt(vi)
        sig = yi - half > 0 or yi + half < 0
    result = ("benefit" if yi > 0 else "harm") if sig else "no_difference"
    note = f"{sid} {r.get('outcome')} SMD {yi:+.2f}" + (f" (p={p:g})" if pd.notna(p) else "")
    return {"study_id": sid, "result": result, "computable": True, "yi": yi, "vi": vi, "note": note}


def _signal_from_report(sid: str, r: pd.Series) -> dict | None:
    p = pd.to_numeric(r.get("p_value"), errors="coerce")
    est = pd.to_numeric(r.get("estimate"), errors="coerce")
    lo = pd.to_numeric(r.get("ci_low"), errors="coerce")
    hi = pd.to_numeric(r.get("ci_high"), errors="coerce")
    ratio = str(r.get("estimate_type", "")).strip().lower() in ("rr", "or")
    null = 1.0 if ratio else 0.0
    if pd.notna(p):
        sig, how = bool(p < ALPHA), f"reported p={p:g}"
    elif pd.notna(lo) and pd.notna(hi):
        sig, how = bool(lo > null or hi < null), f"reported 95% CI {lo:g} to {hi:g}"
    else:
        return None
    sign = -1.0 if str(r.get("better", "")).strip().lower() == "lower" else 1.0
    m1 = pd.to_numeric(r.get("mean_ldn"), errors="coerce")
    m2 = pd.to_numeric(r.get("mean_ctrl"), errors="coerce")
    if pd.notna(m1) and pd.notna(m2) and m1 != m2:
        direction = sign * (m1 - m2)
    elif pd.notna(est) and est != null:
        direction = sign * (est - null)
    else:
        direction = 0.0
    if not sig:
        result = "no_difference"
    elif direction == 0:
        result = "signal"
    else:
        result = "benefit" if direction > 0 else "harm"
    note = f"{sid} {r.get('outcome')} {how}" + (
        " (direction not recorded)" if result == "signal" else ""
    )
    return {
        "study_id": sid,
        "result": result,
        "computable": False,
        "yi": np.nan,
        "vi": np.nan,
        "note": note,
    }


def _effect_rows(
    evidence: Any,
    condition: str = "any",
    outcome: str = "pain",
    comparisons: Sequence[str] = ("ldn_vs_placebo",),
    study_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Return the poolable studies of :func:`_study_signals` (``study_id, yi, vi, significant``)."""
    sig = _study_signals(evidence, condition, outcome, comparisons, study_ids)
    sig = sig[sig["computable"].astype(bool)]
    return pd.DataFrame(
        {
            "study_id": sig["study_id"].astype(str),
            "yi": sig["yi"].astype(float),
            "vi": sig["vi"].astype(float),
            "significant": sig["result"].isin(["benefit", "harm"]),
        }
    ).reset_index(drop=True)


def _pooled_text(p: PoolResult) -> str:
    return (
        f"pooled SMD {p.estimate:+.2f} (95% CI {p.ci_low:+.2f} to {p.ci_high:+.2f}; "
        f"k={p.k}, I2={p.i2:.0f}%; positive favours LDN)"
    )


# --------------------------------------------------------------------------------------
# Proposition evaluators. Each: (evidence, **args) -> Evaluation. Registry at the end.
# --------------------------------------------------------------------------------------


def _ldn_ae_rows(evidence: Any) -> pd.DataFrame:
    ae = _table(evidence, "adverse_events")
    if ae.empty:
        return ae
    ae = ae.assign(
        _events=_num(ae, "events"),
        _n=_num(ae, "n_at_risk"),
        _event=_text(ae, "event"),
        _term=_text(ae, "reported_term").str.lower(),
        _arm=_text(ae, "arm"),
        _sid=_text(ae, "study_id"),
    )
    return ae[(ae["_arm"] == "ldn") & ae["_events"].notna() & (ae["_n"] > 0)]


def _restrict(evidence: Any, df: pd.DataFrame, condition: str) -> pd.DataFrame:
    if condition == "any" or df.empty:
        return df
    keep = set(_text(_studies(evidence, condition), "study_id"))
    return df[df["_sid"].isin(keep)]


def ae_any_range(evidence: Any, low: float, high: float, condition: str = "any") -> Evaluation:
    """Compare a claimed range of any-adverse-event prevalence with LDN arms.

    Rule: take every LDN arm with an ``any_ae`` count (largest ``n_at_risk`` per study),
    compute its proportion and 95% Wilson interval. **supported** if every point estimate
    lies inside ``[low, high]`` percent; **contradicted** if at least one arm's whole
    Wilson interval lies outside the claimed range (the data are incompatible with it);
    **overstated** otherwise (some estimates fall outside but their intervals still
    reach the range). **not_testable** without any ``any_ae`` counts.
    """
    ae = _restrict(evidence, _ldn_ae_rows(evidence), condition)
    ae = ae[ae["_event"] == "any_ae"] if not ae.empty else ae
    if ae.empty:
        return Evaluation(
            "not_testable",
            "no any-AE counts in LDN arms",
            (),
            "The evidence base holds no any-adverse-event counts for LDN arms yet.",
        )
    ae = ae.sort_values("_n").groupby("_sid").tail(1)
    lo_c, hi_c = float(low) / 100, float(high) / 100
    arms = []
    for _, r in ae.iterrows():
        p = r["_events"] / r["_n"]
        w_lo, w_hi = _wilson(r["_events"], r["_n"])
        arms.append((r["_sid"], int(r["_events"]), int(r["_n"]), p, w_lo, w_hi))
    arms.sort(key=lambda a: a[3])
    outside = [a for a in arms if not lo_c <= a[3] <= hi_c]
    incompatible = [a for a in arms if a[5] < lo_c or a[4] > hi_c]

    def fmt(a):
        return f"{a[0]} {_pct(a[3])} ({a[1]}/{a[2]}, Wilson 95% CI {_pct(a[4])}-{_pct(a[5])})"

    numbers = (
        f"observed any-AE prevalence in {len(arms)} LDN arm(s): lowest {fmt(arms[0])}, "
        f"highest {fmt(arms[-1])}; claimed {low:g}-{high:g}%"
    )
    if incompatible:
        verdict = "contradicted"
        why = (
            f"{len(incompatible)} arm(s) have a Wilson interval entirely outside the claimed "
            f"range (e.g. {fmt(incompatible[-1])}), so the range cannot describe all trials."
        )
    elif outside:
        verdict = "overstated"
        why = (
            f"{len(outside)} arm(s) have point estimates outside the range, although their "
            "intervals still overlap it; the claimed range is narrower than the data."
        )
    else:
        verdict = "supported"
        why = "Every LDN arm's any-AE proportion lies within the claimed range."
    return Evaluation(verdict, numbers, _sources(a[0] for a in arms), why)


def _kind_key(row: pd.Series) -> str:
    return row["_event"] if row["_event"] != "other" else (row["_term"] or "other")


def _kind_matches(kind: str, keys: Iterable[str]) -> list[str]:
    alternatives = [a.strip().lower() for a in kind.split("/") if a.strip()]
    return [k for k in keys if any(a == k or a in k for a in alternatives)]


def _kind_table(evidence: Any, condition: str) -> pd.DataFrame:
    ae = _restrict(evidence, _ldn_ae_rows(evidence), condition)
    if ae.empty:
        return pd.DataFrame(columns=["key", "events", "n", "studies", "p"])
    ae = ae[~ae["_event"].isin(SUMMARY_EVENTS)]
    if ae.empty:
        return pd.DataFrame(columns=["key", "events", "n", "studies", "p"])
    ae = ae.assign(key=ae.apply(_kind_key, axis=1))
    ae = ae.sort_values("_n").groupby(["_sid", "key"]).tail(1)
    g = ae.groupby("key").agg(
        events=("_events", "sum"), n=("_n", "sum"), studies=("_sid", lambda s: ";".join(s))
    )
    g["p"] = g["events"] / g["n"]
    return g.reset_index().sort_values(["p", "events"], ascending=False).reset_index(drop=True)


def ae_most_common(
    evidence: Any, kinds: Any, top: int | None = None, condition: str = "any"
) -> Evaluation:
    """Check that the claimed side-effect kinds are the most common ones on LDN.

    ``kinds`` is ``|``-separated; a kind may list alternatives with ``/``
    (``insomnia/sleep_disturbance``). Each matches the ``event`` code or a substring of
    ``reported_term``. Rule: rank every specific event kind in LDN arms by its crude
    pooled proportion (sum of events / sum at risk over studies reporting it). With
    ``top`` defaulting to ``len(kinds) + 2``: **supported** if every claimed kind ranks
    within the top; **contradicted** if none of them is observed at all; **overstated**
    otherwise. **not_testable** without kind-level AE counts.
    """
    claimed = _as_list(kinds)
    table = _kind_table(evidence, condition)
    if table.empty:
        return Evaluation(
            "not_testable",
            "no kind-level AE counts in LDN arms",
            (),
            "The evidence base holds no counts of specific side effects on LDN yet.",
        )
    top = int(top) if top else len(claimed) + 2
    keys = list(table["key"])
    ranks = {}
    for kind in claimed:
        hits = _kind_matches(kind, keys)
        ranks[kind] = min(keys.index(h) + 1 for h in hits) if hits else None
    ranking = ", ".join(
        f"{i + 1}. {r.key} {_pct(r.p)} ({int(r.events)}/{int(r.n)})"
        for i, r in enumerate(table.head(top).itertuples())
    )
    claimed_txt = ", ".join(f"{k}: rank {v if v else 'not observed'}" for k, v in ranks.items())
    numbers = f"top {top} kinds on LDN: {ranking}; claimed {claimed_txt}"
    found = [k for k, v in ranks.items() if v is not None]
    if not found:
        verdict, why = "contradicted", "None of the claimed side effects is recorded on LDN."
    elif all(v is not None and v <= top for v in ranks.values()):
        verdict, why = "supported", "Every claimed side effect is among the most common on LDN."
    else:
        verdict = "overstated"
        why = (
            "Some claimed side effects are rarer than others that go unmentioned, or are not "
            "recorded on LDN at all."
        )
    srcs = _sources(s for st in table.head(top)["studies"] for s in str(st).split(";"))
    return Evaluation(verdict, numbers, srcs, why)


def ae_kinds_reported(evidence: Any, kinds: Any, condition: str = "any") -> Evaluation:
    """Check that each claimed side-effect kind has been observed on LDN at all.

    Matching as in :func:`ae_most_common`. Rule: **supported** if every kind has at least
    one event in an LDN arm; **overstated** if only some do (the list goes beyond what
    LDN studies recorded; such lists often come from the 50 mg label). When none is
    observed, the rule of three bounds each kind's rate by ``3/N`` (``N`` = participants
    on LDN in studies with kind-level counts): **contradicted** if that bound is below
    1%, else **not_testable** (too few participants to rule the kinds out).
    """
    claimed = _as_list(kinds)
    table = _kind_table(evidence, condition)
    ae = _restrict(evidence, _ldn_ae_rows(evidence), condition)
    if table.empty or ae.empty:
        return Evaluation(
            "not_testable",
            "no kind-level AE counts in LDN arms",
            (),
            "The evidence base holds no counts of specific side effects on LDN yet.",
        )
    observed = table[table["events"] > 0]
    keys = list(observed["key"])
    hits = {k: _kind_matches(k, keys) for k in claimed}
    found = [k for k, h in hits.items() if h]
    specific = ae[~ae["_event"].isin(SUMMARY_EVENTS)]
    n_total = int(specific.groupby("_sid")["_n"].max().sum())
    numbers = (
        f"{len(found)}/{len(claimed)} claimed kinds observed on LDN "
        f"({', '.join(found) if found else 'none'}); participants on LDN with kind-level "
        f"counts: {n_total}"
    )
    srcs = _sources(
        s
        for k in found
        for key in hits[k]
        for s in str(observed.loc[observed["key"] == key, "studies"].iloc[0]).split(";")
    )
    if len(found) == len(claimed):
        return Evaluation("supported", numbers, srcs, "Every claimed kind occurs on LDN.")
    if found:
        missing = ", ".join(k for k in claimed if not hits[k])
        return Evaluation(
            "overstated",
            numbers,
            srcs,
            f"Not recorded in any LDN arm: {missing}. The list reaches beyond LDN data.",
        )
    bound = _rule_of_three(n_total) if n_total > 0 else 1.0
    numbers += f"; rule-of-three upper bound per kind {_pct(bound)}"
    if bound < 0.01:
        return Evaluation(
            "contradicted",
            numbers,
            _sources(specific["_sid"]),
            "None of the kinds occurs in enough LDN participants to bound each below 1%.",
        )
    return Evaluation(
        "not_testable",
        numbers,
        _sources(specific["_sid"]),
        "None of the kinds is recorded, but too few participants to rule them out.",
    )


def _pooled_proportion(evidence: Any, event: str, condition: str) -> tuple | None:
    ae = _restrict(evidence, _ldn_ae_rows(evidence), condition)
    ae = ae[ae["_event"] == event] if not ae.empty else ae
    if ae.empty:
        return None
    ae = ae.sort_values("_n").groupby("_sid").tail(1)
    e, n = float(ae["_events"].sum()), float(ae["_n"].sum())
    lo, hi = _wilson(e, n)
    if e == 0:
        hi = _rule_of_three(n)
    return e, n, lo, hi, _sources(ae["_sid"]), len(ae)


def _rate_at_most(evidence: Any, event: str, high: float, condition: str, label: str) -> Evaluation:
    res = _pooled_proportion(evidence, event, condition)
    if res is None:
        return Evaluation(
            "not_testable",
            f"no {event} counts in LDN arms",
            (),
            f"The evidence base holds no {label} counts for LDN arms yet.",
        )
    e, n, lo, hi, srcs, k = res
    bound = "rule-of-three upper bound" if e == 0 else "Wilson 95% CI"
    numbers = (
        f"{label} on LDN: {int(e)}/{int(n)} = {_pct(e / n)} over {k} stud(ies) "
        f"({bound} {_pct(lo)}-{_pct(hi)}); claimed at most {high:g}%"
    )
    h = float(high) / 100
    if hi <= h:
        return Evaluation("supported", numbers, srcs, "Even the upper bound is within the claim.")
    if lo > h:
        return Evaluation(
            "contradicted", numbers, srcs, "Even the lower bound exceeds the claimed ceiling."
        )
    if e / n <= h:
        return Evaluation(
            "overstated",
            numbers,
            srcs,
            "The estimate is within the claim but the data are too few to exclude higher rates.",
        )
    return Evaluation(
        "overstated",
        numbers,
        srcs,
        "The estimate exceeds the claimed ceiling, though the interval still reaches it.",
    )


def serious_ae_rare(evidence: Any, high: float = 5, condition: str = "any") -> Evaluation:
    """Check that serious adverse events on LDN stay below ``high`` percent.

    Rule: crude pooled proportion of participants with a serious AE across LDN arms; its
    95% upper bound is the Wilson upper limit, or the rule of three (``3/N``) when no
    serious AE was seen. **supported** if the upper bound is at most ``high``;
    **contradicted** if even the lower bound exceeds it; **overstated** in between.
    """
    return _rate_at_most(evidence, "serious_ae", high, condition, "serious adverse events")


def withdrawal_ae_max(evidence: Any, high: float = 5, condition: str = "any") -> Evaluation:
    """Check that stopping LDN because of side effects is rarer than ``high`` percent.

    Same rule as :func:`serious_ae_rare`, applied to ``withdrawal_ae`` counts in LDN arms
    (participants who stopped because of adverse events).
    """
    return _rate_at_most(
        evidence, "withdrawal_ae", high, condition, "withdrawals due to adverse events"
    )


def ae_similar_to_placebo(
    evidence: Any, event: str = "any_ae", condition: str = "any"
) -> Evaluation:
    """Check a claim that LDN is as well tolerated as placebo.

    Rule: for studies with ``event`` counts in both an LDN and a placebo arm, compute
    log risk ratios (0.5 added to every cell when a cell is 0) and pool them. The risk
    ratio's 95% CI decides: **contradicted** if its lower limit exceeds 1 (more events on
    LDN); **supported** if it includes (or lies below) 1 and at least two trials
    contribute; **overstated** if only one trial does (equality cannot be claimed from a
    single small trial).
    """
    ae = _table(evidence, "adverse_events")
    if ae.empty:
        return Evaluation("not_testable", "no AE counts", (), "No adverse-event table yet.")
    ae = ae.assign(
        _sid=_text(ae, "study_id"),
        _arm=_text(ae, "arm"),
        _e=_num(ae, "events"),
        _n=_num(ae, "n_at_risk"),
    )
    ae = ae[(_text(ae, "event") == event) & ae["_e"].notna() & (ae["_n"] > 0)]
    ae = _restrict(evidence, ae, condition)
    yi, vi, sids, parts = [], [], [], []
    for sid, g in ae.groupby("_sid"):
        ldn, pbo = g[g["_arm"] == "ldn"], g[g["_arm"] == "placebo"]
        if ldn.empty or pbo.empty:
            continue
        a, n1 = float(ldn["_e"].iloc[0]), float(ldn["_n"].iloc[0])
        c, n2 = float(pbo["_e"].iloc[0]), float(pbo["_n"].iloc[0])
        if 0 in (a, c, n1 - a, n2 - c):
            a, c, n1, n2 = a + 0.5, c + 0.5, n1 + 1, n2 + 1
        yi.append(math.log((a / n1) / (c / n2)))
        vi.append(1 / a - 1 / n1 + 1 / c - 1 / n2)
        sids.append(sid)
        parts.append(
            f"{sid} {int(ldn['_e'].iloc[0])}/{int(ldn['_n'].iloc[0])} vs "
            f"{int(pbo['_e'].iloc[0])}/{int(pbo['_n'].iloc[0])}"
        )
    if not yi:
        return Evaluation(
            "not_testable",
            f"no trial with {event} counts in both LDN and placebo arms",
            (),
            "Tolerability relative to placebo needs counts from both arms of a trial.",
        )
    if len(yi) == 1:
        half = float(stats.norm.isf(ALPHA / 2)) * math.sqrt(vi[0])
        est, lo, hi = yi[0], yi[0] - half, yi[0] + half
    else:
        p = _pool(yi, vi)
        est, lo, hi = p.estimate, p.ci_low, p.ci_high
    numbers = (
        f"{event} LDN vs placebo: {'; '.join(parts)}; risk ratio {math.exp(est):.2f} "
        f"(95% CI {math.exp(lo):.2f}-{math.exp(hi):.2f}, k={len(yi)})"
    )
    if lo > 0:
        return Evaluation(
            "contradicted", numbers, tuple(sids), "LDN arms had significantly more events."
        )
    if len(yi) < 2:
        return Evaluation(
            "overstated",
            numbers,
            tuple(sids),
            "No difference was detected, but a single trial cannot establish equal tolerability.",
        )
    return Evaluation(
        "supported", numbers, tuple(sids), "The pooled risk ratio is compatible with no excess."
    )


def _study_result_for(evidence: Any, study: pd.Series, outcome: str) -> tuple[str, bool, str]:
    """Return (result, direct, note) of one controlled study for ``outcome``.

    ``direct`` is False when the result is the authors' primary result on another
    outcome, or a significant result whose direction is not recorded.
    """
    sid = str(study.get("study_id"))
    comps = ("ldn_vs_placebo", "ldn_vs_active")
    sig = _study_signals(evidence, "any", outcome, comps, study_ids=[sid])
    if not sig.empty:
        r = sig.iloc[0]
        if r["result"] == "signal":
            return "benefit", False, r["note"]
        return r["result"], True, r["note"]
    primary = str(study.get("primary_result", "") or "").strip() or "not_reported"
    words = [w.replace("_", " ") for w in _as_list(outcome)]
    prim_text = str(study.get("primary_outcome", "") or "").lower()
    direct = any(w in prim_text for w in words)
    return primary, direct, f"{sid} authors' primary result"


def condition_rct_benefit(evidence: Any, condition: str, outcome: str = "pain") -> Evaluation:
    """Check a claim that LDN helps (``outcome``, default pain) in ``condition``.

    Rule, applied to the curated studies of the condition:

    1. Placebo-controlled randomized trials (``design`` rct_* or ``randomized`` true and
       ``comparator`` placebo) each give a result for the claimed outcome: from the
       outcomes table when a controlled effect for that outcome exists (significant in
       favour = benefit, 95% CI including 0 = no difference), otherwise the authors'
       ``primary_result`` (marked *indirect* if the primary outcome is not the claimed
       outcome). Effects of >= 2 trials are pooled (random effects, SMD).
    2. **supported**: >= 2 placebo RCTs, all direct benefits, none null, and the pooled CI
       (when available) excludes 0 in favour of LDN.
    3. **contradicted**: placebo RCTs exist and none shows benefit, or the pooled CI lies
       entirely on the placebo side.
    4. **overstated**: some benefit but only one RCT, mixed RCT results, indirect
       outcomes, a pooled CI including 0, or only active-comparator/non-randomized/
       uncontrolled studies reporting improvement.
    5. **not_testable**: no study of the condition, or none reporting a result.
    """
    studies = _studies(evidence, condition)
    if studies.empty:
        return Evaluation(
            "not_testable",
            f"0 curated studies for {condition}",
            (),
            "The evidence base holds no study of this condition.",
        )
    rand = studies[_is_randomized(studies)]
    placebo = rand[_text(rand, "comparator") == "placebo"]
    other_rct = rand[_text(rand, "comparator") != "placebo"]
    nonrand = studies[~_is_randomized(studies)]
    results = [_study_result_for(evidence, r, outcome) for _, r in placebo.iterrows()]
    benefit = [r for r in results if r[0] == "benefit"]
    null = [r for r in results if r[0] in ("no_difference", "harm")]
    eff = _effect_rows(evidence, condition, outcome, ("ldn_vs_placebo",))
    eff = eff[eff["study_id"].isin(set(_text(placebo, "study_id")))]
    pooled = _pool(eff["yi"], eff["vi"]) if len(eff) >= 2 else None
    nonrand_benefit = int((_text(nonrand, "primary_result") == "benefit").sum())
    other_benefit = int((_text(other_rct, "primary_result") == "benefit").sum())
    designs = _text(studies, "design").value_counts()
    numbers = (
        f"{len(studies)} stud{'y' if len(studies) == 1 else 'ies'} "
        f"({', '.join(f'{d} {c}' for d, c in designs.items())}); "
        f"placebo RCTs: {len(placebo)} ({len(benefit)} benefit, {len(null)} null/harm"
        f"{'; ' + '; '.join(f'{r[2]} -> {r[0]}' for r in results) if results else ''}); "
        f"other randomized: {len(other_rct)}; non-randomized reporting benefit: "
        f"{nonrand_benefit}"
    )
    if pooled is not None:
        numbers += f"; {_pooled_text(pooled)}"
    srcs = _sources(_text(studies, "study_id"))
    if len(placebo):
        if pooled is not None and pooled.ci_high < 0:
            return Evaluation(
                "contradicted", numbers, srcs, "Pooled placebo-controlled trials favour placebo."
            )
        if not benefit and null:
            return Evaluation(
                "contradicted",
                numbers,
                srcs,
                "Placebo-controlled randomized trials found no benefit.",
            )
        if benefit:
            direct = all(r[1] for r in benefit)
            pooled_ok = pooled is None or pooled.ci_low > 0
            if len(placebo) >= 2 and not null and direct and pooled_ok and len(benefit) >= 2:
                return Evaluation(
                    "supported",
                    numbers,
                    srcs,
                    "Two or more placebo-controlled trials agree and the pooled effect is "
                    "clearly in favour of LDN.",
                )
            if null:
                why = "Placebo-controlled trials disagree: some found benefit, others none."
            elif len(placebo) < 2 or len(benefit) < 2:
                why = "Only a single small placebo-controlled trial supports the claim."
            elif not direct:
                why = "The trials' benefit was on another outcome than the one claimed."
            else:
                why = "The pooled confidence interval includes no effect."
            return Evaluation("overstated", numbers, srcs, why)
    if other_benefit or len(other_rct):
        return Evaluation(
            "overstated",
            numbers,
            srcs,
            "No placebo-controlled trial; the randomized evidence compares LDN with another "
            "treatment, which cannot show that LDN itself works.",
        )
    if nonrand_benefit:
        return Evaluation(
            "overstated",
            numbers,
            srcs,
            "Only non-randomized or uncontrolled studies (case reports, open-label series, "
            "registries) report improvement; they cannot separate drug effect from placebo, "
            "natural course or regression to the mean.",
        )
    return Evaluation(
        "not_testable", numbers, srcs, "No study of this condition reports a usable result."
    )


def outcome_benefit(evidence: Any, outcome: str, condition: str = "any") -> Evaluation:
    """Check a claim that LDN improves a given outcome (sleep, mood, function...).

    ``outcome`` is one or more outcome codes (``|``-separated). Rule on the controlled
    outcome rows (LDN vs placebo or active), one result per study as in
    :func:`_study_signals`: **supported** if >= 2 studies can be pooled, none is
    significantly worse, and the pooled CI excludes 0 in favour of LDN;
    **contradicted** if controlled results exist and none is significant in favour (or
    of unrecorded direction); **overstated** if some are but the evidence is a single
    study, mixed, not poolable or the pooled CI includes 0, or if only uncontrolled
    before/after rows exist; **not_testable** without any rows.
    """
    comps = ("ldn_vs_placebo", "ldn_vs_active")
    sig = _study_signals(evidence, condition, outcome, comps)
    out = _table(evidence, "outcomes")
    if sig.empty:
        if out.empty:
            pre = out
        else:
            keep = set(_text(_studies(evidence, condition), "study_id"))
            mask = _text(out, "study_id").isin(keep)
            mask &= _text(out, "outcome").isin(_as_list(outcome))
            pre = out[mask & (_text(out, "comparison") == "ldn_pre_post")]
        if len(pre):
            return Evaluation(
                "overstated",
                f"0 controlled comparisons; {len(pre)} before/after row(s) for {outcome}",
                _sources(_text(pre, "study_id")),
                "Only uncontrolled before/after data exist for this outcome.",
            )
        return Evaluation(
            "not_testable",
            f"no usable rows for outcome {outcome} ({condition})",
            (),
            "The evidence base holds no data on this outcome yet.",
        )
    fav = sig[sig["result"].isin(["benefit", "signal"])]
    worse = sig[sig["result"] == "harm"]
    comp = sig[sig["computable"].astype(bool)]
    pooled = _pool(comp["yi"], comp["vi"]) if len(comp) >= 2 else None
    numbers = f"{len(sig)} controlled stud(ies) for {outcome}: " + "; ".join(
        f"{r.note} -> {r.result}" for r in sig.itertuples()
    )
    if pooled is not None:
        numbers += f"; {_pooled_text(pooled)}"
    srcs = _sources(sig["study_id"])
    if pooled is not None and pooled.ci_low > 0 and worse.empty:
        return Evaluation("supported", numbers, srcs, "Controlled studies agree on a benefit.")
    if fav.empty:
        return Evaluation(
            "contradicted",
            numbers,
            srcs,
            "No controlled study found a significant improvement on this outcome.",
        )
    if len(worse):
        why = "Controlled studies disagree: at least one found the outcome worse on LDN."
    elif len(sig) == 1:
        why = "Only one controlled study supports it."
    elif pooled is None:
        why = "Several studies, but too few report numbers that can be pooled."
    else:
        why = "Results differ between studies and the pooled interval includes no effect."
    return Evaluation("overstated", numbers, srcs, why)


def conditions_helped(evidence: Any, conditions: Any, outcome: str = "pain") -> Evaluation:
    """Check a list of conditions said to be helped by LDN.

    Rule: apply :func:`condition_rct_benefit` to each condition. **supported** if all are
    supported; **contradicted** if more than half are contradicted; **not_testable** if
    all are not testable; **overstated** otherwise (the list mixes well- and
    poorly-supported conditions).
    """
    parts = {c: condition_rct_benefit(evidence, c, outcome) for c in _as_list(conditions)}
    verdicts = [e.verdict for e in parts.values()]
    numbers = "; ".join(f"{c}: {e.verdict}" for c, e in parts.items())
    srcs = _sources(s for e in parts.values() for s in e.deciding_sources)
    if all(v == "supported" for v in verdicts):
        verdict, why = "supported", "Every listed condition is supported."
    elif sum(v == "contradicted" for v in verdicts) > len(verdicts) / 2:
        verdict, why = "contradicted", "Most listed conditions are contradicted by trials."
    elif all(v == "not_testable" for v in verdicts):
        verdict, why = "not_testable", "No listed condition can be tested yet."
    else:
        verdict = "overstated"
        why = "The list puts conditions with very different evidence on an equal footing."
    return Evaluation(verdict, numbers, srcs, why)


def study_primary_benefit(
    evidence: Any,
    study: str | None = None,
    nct: str | None = None,
    author: str | None = None,
    year: int | None = None,
) -> Evaluation:
    """Check a claim that one named study found LDN beneficial / significant.

    The study is found by ``study`` id, ``nct`` id or ``author`` (+ ``year``). Rule on its
    ``primary_result`` and design: **supported** if benefit in a randomized trial;
    **overstated** if benefit without randomization (open-label, single-blind, case
    series: improvement there cannot be attributed to the drug), or no primary efficacy
    result from a study without a control group; **contradicted** if no difference or
    harm; **not_testable** if the study is absent, or a controlled study reports no
    primary result.
    """
    found = _find_studies(evidence, study, nct, author, year)
    who = study or nct or f"{author} {year or ''}".strip()
    if found.empty:
        return Evaluation(
            "not_testable", f"study {who} not in the evidence base", (), "Study not curated yet."
        )
    r = found.iloc[0]
    sid = str(r.get("study_id"))
    result = str(r.get("primary_result", "") or "").strip() or "not_reported"
    design = str(r.get("design", "") or "")
    comp = str(r.get("comparator", "") or "")
    numbers = (
        f"{sid}: design {design}, comparator {comp or 'n/a'}, n={r.get('n_enrolled')}, "
        f"primary outcome '{r.get('primary_outcome')}', primary result {result}"
    )
    p = _primary_p(evidence, r)
    if p:
        numbers += f", {p}"
    if result in ("no_difference", "harm"):
        return Evaluation(
            "contradicted", numbers, (sid,), "The study's primary outcome showed no benefit."
        )
    if result == "benefit":
        if bool(_is_randomized(found.iloc[[0]]).iloc[0]):
            return Evaluation(
                "supported", numbers, (sid,), "A randomized trial reported the benefit."
            )
        return Evaluation(
            "overstated",
            numbers,
            (sid,),
            "The improvement comes from a design without randomization or a concurrent "
            "control, so it cannot be attributed to LDN.",
        )
    if not bool(_is_randomized(found.iloc[[0]]).iloc[0]) and comp in ("none", ""):
        return Evaluation(
            "overstated",
            numbers,
            (sid,),
            "The study reports no efficacy result for its primary outcome and had no "
            "control group, so it cannot show that LDN worked.",
        )
    return Evaluation("not_testable", numbers, (sid,), "No primary result is recorded.")


def _primary_p(evidence: Any, study: pd.Series) -> str:
    """Describe the reported result of the row that best matches the primary outcome."""
    out = _table(evidence, "outcomes")
    if out.empty:
        return ""
    sid = str(study.get("study_id"))
    rows = out[(_text(out, "study_id") == sid) & (_text(out, "comparison") != "ldn_pre_post")]
    prim_text = str(study.get("primary_outcome", "") or "").lower()
    best, best_key = None, None
    for _, r in rows.iterrows():
        p = pd.to_numeric(r.get("p_value"), errors="coerce")
        lo = pd.to_numeric(r.get("ci_low"), errors="coerce")
        hi = pd.to_numeric(r.get("ci_high"), errors="coerce")
        reported = pd.notna(p) or (pd.notna(lo) and pd.notna(hi))
        named = str(r.get("outcome", "")).replace("_", " ") in prim_text
        key = (named, reported, str(r.get("data_type")) == "between_group")
        if reported and (best_key is None or key > best_key):
            best, best_key = r, key
    if best is None:
        return ""
    bits = [f"{best.get('outcome_id')}:"]
    est = pd.to_numeric(best.get("estimate"), errors="coerce")
    lo = pd.to_numeric(best.get("ci_low"), errors="coerce")
    hi = pd.to_numeric(best.get("ci_high"), errors="coerce")
    p = pd.to_numeric(best.get("p_value"), errors="coerce")
    if pd.notna(est):
        bits.append(f"{best.get('estimate_type') or 'estimate'} {est:g}")
    if pd.notna(lo) and pd.notna(hi):
        bits.append(f"95% CI {lo:g} to {hi:g}")
    if pd.notna(p):
        bits.append(f"p={p:g}")
    return " ".join(bits)


def final_primary_significant(evidence: Any, nct: str = "NCT04270877") -> Evaluation:
    """Check a claim that the FINAL trial (NCT04270877) found significant pain relief.

    Same rule as :func:`study_primary_benefit` for the study registered as ``nct``.
    """
    return study_primary_benefit(evidence, nct=nct)


def study_design(
    evidence: Any,
    designs: Any,
    study: str | None = None,
    nct: str | None = None,
    author: str | None = None,
    year: int | None = None,
) -> Evaluation:
    """Check what design a named study had (e.g. a page labelling it a clinical trial).

    Rule: **supported** if the curated ``design`` is one of ``designs``; **contradicted**
    otherwise; **not_testable** if the study is absent.
    """
    found = _find_studies(evidence, study, nct, author, year)
    if found.empty:
        return Evaluation("not_testable", "study not curated", (), "Study not curated yet.")
    r = found.iloc[0]
    sid, design = str(r.get("study_id")), str(r.get("design"))
    wanted = _as_list(designs)
    numbers = (
        f"{sid}: curated design {design}, randomized {r.get('randomized')}, blinding "
        f"{r.get('blinding')}, comparator {r.get('comparator')}; claimed {' or '.join(wanted)}"
    )
    if design in wanted:
        return Evaluation("supported", numbers, (sid,), "The design matches the claim.")
    return Evaluation("contradicted", numbers, (sid,), "The study's design is not the claimed one.")


def study_duration(
    evidence: Any,
    weeks: float,
    study: str | None = None,
    nct: str | None = None,
    author: str | None = None,
    year: int | None = None,
) -> Evaluation:
    """Check a named study's treatment duration: supported if within 1 week of ``weeks``.

    Otherwise **contradicted**; **not_testable** if the study or its duration is missing.
    """
    found = _find_studies(evidence, study, nct, author, year)
    if found.empty:
        return Evaluation("not_testable", "study not curated", (), "Study not curated yet.")
    r = found.iloc[0]
    sid = str(r.get("study_id"))
    dur = pd.to_numeric(r.get("duration_weeks"), errors="coerce")
    if pd.isna(dur):
        return Evaluation("not_testable", f"{sid}: duration not recorded", (sid,), "No duration.")
    numbers = f"{sid}: {dur:g} weeks of LDN; claimed {float(weeks):g} weeks"
    if abs(dur - float(weeks)) <= 1:
        return Evaluation("supported", numbers, (sid,), "Duration matches.")
    return Evaluation("contradicted", numbers, (sid,), "Duration differs from the claim.")


def study_dose(
    evidence: Any,
    dose: float,
    study: str | None = None,
    nct: str | None = None,
    author: str | None = None,
    year: int | None = None,
) -> Evaluation:
    """Check a named study's daily dose: supported if ``dose`` is in its mg range.

    Otherwise **contradicted**; **not_testable** if the study or dose is missing.
    """
    found = _find_studies(evidence, study, nct, author, year)
    if found.empty:
        return Evaluation("not_testable", "study not curated", (), "Study not curated yet.")
    r = found.iloc[0]
    sid = str(r.get("study_id"))
    lo = pd.to_numeric(r.get("dose_mg_min"), errors="coerce")
    hi = pd.to_numeric(r.get("dose_mg_max"), errors="coerce")
    if pd.isna(lo) and pd.isna(hi):
        return Evaluation("not_testable", f"{sid}: dose not recorded", (sid,), "No dose.")
    lo = hi if pd.isna(lo) else lo
    hi = lo if pd.isna(hi) else hi
    numbers = f"{sid}: {lo:g}-{hi:g} mg/day; claimed {float(dose):g} mg"
    if lo - 1e-9 <= float(dose) <= hi + 1e-9:
        return Evaluation("supported", numbers, (sid,), "The dose is within the study's range.")
    return Evaluation("contradicted", numbers, (sid,), "The study used another dose.")


def dose_range(evidence: Any, low: float, high: float, condition: str = "any") -> Evaluation:
    """Compare a claimed daily dose range (mg) with the doses studies used.

    Rule: a study is *inside* if its ``[dose_mg_min, dose_mg_max]`` lies within
    ``[low, high]``. **supported** if >= 90% of studies with a dose are inside;
    **overstated** if 50-90% are (the claim presents as universal a range that some
    studies exceed); **contradicted** below 50%.
    """
    s = _studies(evidence, condition)
    lo, hi = _num(s, "dose_mg_min"), _num(s, "dose_mg_max")
    lo, hi = lo.fillna(hi), hi.fillna(lo)
    ok = lo.notna() & hi.notna()
    if not ok.any():
        return Evaluation("not_testable", "no doses recorded", (), "No study records a dose.")
    lo, hi, sids = lo[ok], hi[ok], _text(s, "study_id")[ok]
    inside = (lo >= float(low) - 1e-9) & (hi <= float(high) + 1e-9)
    share = float(inside.mean())
    out_ids = list(sids[~inside])
    numbers = (
        f"{int(inside.sum())}/{len(inside)} studies ({share:.0%}) within {low:g}-{high:g} mg; "
        f"observed range {lo.min():g}-{hi.max():g} mg"
        + (f"; outside: {', '.join(out_ids)}" if out_ids else "")
    )
    srcs = _sources(out_ids or sids)
    if share >= 0.9:
        return Evaluation("supported", numbers, srcs, "Studies used doses within the range.")
    if share >= 0.5:
        return Evaluation(
            "overstated", numbers, srcs, "Most, but not all, studies used doses within it."
        )
    return Evaluation("contradicted", numbers, srcs, "Most studies used doses outside it.")


def duration_range(evidence: Any, low: float, high: float, condition: str = "any") -> Evaluation:
    """Check a claim that benefits were seen over treatment durations up to ``high`` weeks.

    ``low``/``high`` are weeks (months x 4.35). Rule on studies whose ``primary_result``
    is benefit: **supported** if a randomized one lasted at least 85% of ``high``;
    **overstated** if only non-randomized ones did (long follow-up without a control);
    **contradicted** if none did. The observed duration range of all studies is reported.
    """
    s = _studies(evidence, condition)
    dur = _num(s, "duration_weeks")
    if dur.notna().sum() == 0:
        return Evaluation("not_testable", "no durations recorded", (), "No study durations.")
    benefit = s[(_text(s, "primary_result") == "benefit") & dur.notna()]
    bdur = _num(benefit, "duration_weeks")
    rand = benefit[_is_randomized(benefit)]
    rdur = _num(rand, "duration_weeks")
    target = 0.85 * float(high)
    numbers = (
        f"all studies: {dur.min():g}-{dur.max():g} weeks (n={int(dur.notna().sum())}); "
        f"with benefit: {bdur.min() if len(bdur) else float('nan'):g}-"
        f"{bdur.max() if len(bdur) else float('nan'):g} weeks; randomized with benefit: up to "
        f"{rdur.max() if len(rdur) else 0:g} weeks; claimed {low:g}-{high:g} weeks"
    )
    if len(rdur) and rdur.max() >= target:
        srcs = _sources(_text(rand, "study_id")[rdur >= target])
        return Evaluation("supported", numbers, srcs, "A randomized trial this long found benefit.")
    if len(bdur) and bdur.max() >= target:
        srcs = _sources(_text(benefit, "study_id")[bdur >= target])
        return Evaluation(
            "overstated",
            numbers,
            srcs,
            "Only uncontrolled or non-randomized studies reached that length; randomized "
            "trials with benefit were shorter.",
        )
    return Evaluation(
        "contradicted",
        numbers,
        _sources(_text(benefit, "study_id")),
        "No study with benefit lasted that long.",
    )


def review_n_studies(evidence: Any, author: str, n: int) -> Evaluation:
    """Check the number of studies a named review included.

    Rule: **supported** if the curated ``n_studies`` of the review whose first author is
    ``author`` equals ``n``; **contradicted** if it differs; **not_testable** if absent.
    """
    rev = _table(evidence, "reviews")
    if rev.empty:
        return Evaluation("not_testable", "no reviews curated", (), "Review not curated yet.")
    hit = rev[_text(rev, "first_author").str.lower() == str(author).lower()]
    counts = _num(hit, "n_studies").dropna().unique()
    if hit.empty or len(counts) == 0:
        return Evaluation(
            "not_testable", f"no review by {author} with n_studies", (), "Review not curated."
        )
    rid = _sources(_text(hit, "review_id"))
    numbers = f"{', '.join(rid)}: n_studies {', '.join(f'{c:g}' for c in counts)}; claimed {n}"
    if int(n) in {int(c) for c in counts}:
        return Evaluation("supported", numbers, rid, "The count matches the review.")
    return Evaluation("contradicted", numbers, rid, "The review reports another count.")


def n_studies(
    evidence: Any,
    condition: str,
    n: int,
    year_max: int | None = None,
    designs: Any = None,
) -> Evaluation:
    """Check a claimed number of studies (optionally before ``year_max`` / of ``designs``).

    Rule: **supported** if the count of curated studies matches ``n``; **contradicted**
    otherwise (the listing of the matches is given); **not_testable** without a studies
    table.
    """
    if _table(evidence, "studies").empty:
        return Evaluation("not_testable", "no studies curated", (), "No studies yet.")
    s = _studies(evidence, condition)
    if year_max is not None:
        s = s[_num(s, "year") <= int(year_max)]
    if designs:
        s = s[_text(s, "design").isin(_as_list(designs))]
    ids = list(_text(s, "study_id"))
    numbers = f"{len(ids)} curated studies ({', '.join(ids) or 'none'}); claimed {n}"
    if len(ids) == int(n):
        return Evaluation("supported", numbers, _sources(ids), "The count matches.")
    return Evaluation("contradicted", numbers, _sources(ids), "The count differs.")


def design_share(
    evidence: Any,
    designs: Any,
    min_share: float = 0.0,
    max_share: float = 1.0,
    condition: str = "any",
) -> Evaluation:
    """Check a claim about how much of the evidence has given designs.

    E.g. "few studies were controlled" (controlled designs, ``max_share=0.5``) or "much
    of the evidence is anecdotal" (case reports/series/surveys, ``min_share=0.5``). Rule:
    **supported** if the share of curated studies with a design in ``designs`` lies in
    ``[min_share, max_share]``; **contradicted** otherwise.
    """
    s = _studies(evidence, condition)
    if s.empty:
        return Evaluation("not_testable", "no studies curated", (), "No studies yet.")
    wanted = _as_list(designs)
    hit = _text(s, "design").isin(wanted)
    share = float(hit.mean())
    numbers = (
        f"{int(hit.sum())}/{len(s)} studies ({share:.0%}) are {'/'.join(wanted)}; claimed "
        f"share between {float(min_share):.0%} and {float(max_share):.0%}"
    )
    srcs = _sources(_text(s, "study_id")[hit])
    if float(min_share) <= share <= float(max_share):
        return Evaluation("supported", numbers, srcs, "The share is as claimed.")
    return Evaluation("contradicted", numbers, srcs, "The share is outside the claim.")


def small_studies(evidence: Any, max_median_n: float = 50, condition: str = "any") -> Evaluation:
    """Check "most studies were small": median ``n_enrolled`` below ``max_median_n``.

    **supported** if the median enrolment is below the threshold, **contradicted**
    otherwise; **not_testable** without enrolment numbers.
    """
    s = _studies(evidence, condition)
    n = _num(s, "n_enrolled").dropna()
    if n.empty:
        return Evaluation("not_testable", "no enrolment numbers", (), "No sizes recorded.")
    med = float(n.median())
    numbers = (
        f"median enrolment {med:g} (range {n.min():g}-{n.max():g}, {len(n)} studies); "
        f"{int((n < 100).sum())} have fewer than 100; threshold median < {max_median_n:g}"
    )
    if med < float(max_median_n):
        return Evaluation("supported", numbers, (), "Half the studies enrolled fewer people.")
    return Evaluation("contradicted", numbers, (), "The typical study is not that small.")


def few_large_rcts(
    evidence: Any, min_n: int = 100, max_count: int = 1, condition: str = "any"
) -> Evaluation:
    """Check "there is a paucity of large randomized trials".

    Rule: count randomized trials enrolling at least ``min_n``; **supported** if that
    count is at most ``max_count``, **contradicted** otherwise.
    """
    s = _studies(evidence, condition)
    if s.empty:
        return Evaluation("not_testable", "no studies curated", (), "No studies yet.")
    rand = s[_is_randomized(s)]
    n = _num(rand, "n_enrolled")
    big = rand[n >= int(min_n)]
    numbers = (
        f"{len(rand)} randomized trials; {len(big)} with n >= {min_n}"
        f" ({', '.join(_text(big, 'study_id')) or 'none'}); largest n={n.max() if len(n) else 0:g}"
    )
    srcs = _sources(_text(rand, "study_id"))
    if len(big) <= int(max_count):
        return Evaluation("supported", numbers, srcs, "Large randomized trials are scarce.")
    return Evaluation("contradicted", numbers, srcs, "Several large randomized trials exist.")


def design_variety(evidence: Any, min_designs: int = 3, condition: str = "any") -> Evaluation:
    """Check "study designs vary widely": at least ``min_designs`` distinct designs.

    **supported** if so, **contradicted** otherwise.
    """
    s = _studies(evidence, condition)
    if s.empty:
        return Evaluation("not_testable", "no studies curated", (), "No studies yet.")
    counts = _text(s, "design").value_counts()
    numbers = f"{len(counts)} distinct designs: " + ", ".join(f"{d} {c}" for d, c in counts.items())
    if len(counts) >= int(min_designs):
        return Evaluation("supported", numbers, (), "Designs range widely.")
    return Evaluation("contradicted", numbers, (), "Designs are fairly uniform.")


def ongoing_registrations(evidence: Any, condition: str, min_count: int = 2) -> Evaluation:
    """Check "registries list several ongoing trials" for a condition.

    Rule on registrations.csv: ongoing = status recruiting / not yet recruiting / active
    not recruiting / enrolling by invitation (as recorded when curated). **supported** if
    at least ``min_count`` are ongoing; **overstated** if some but fewer; **contradicted**
    if registrations exist but none is ongoing; **not_testable** if none is registered.
    """
    reg = _table(evidence, "registrations")
    if reg.empty:
        return Evaluation("not_testable", "no registrations curated", (), "No registry data.")
    reg = reg[_text(reg, "condition").isin(_as_list(condition))]
    if reg.empty:
        return Evaluation(
            "not_testable", f"0 registrations for {condition}", (), "No registry data."
        )
    status = _text(reg, "status").str.lower().replace("", "not_recorded")
    ongoing = reg[status.isin(ONGOING_STATUSES)]
    numbers = f"{len(reg)} registrations for {condition}: " + ", ".join(
        f"{s} {c}" for s, c in status.value_counts().items()
    )
    srcs = _sources(_text(ongoing if len(ongoing) else reg, "registry_id"))
    if len(ongoing) >= int(min_count):
        return Evaluation("supported", numbers, srcs, "Several registered trials are ongoing.")
    if len(ongoing):
        return Evaluation("overstated", numbers, srcs, "Fewer ongoing trials than claimed.")
    return Evaluation("contradicted", numbers, srcs, "No registered trial is still ongoing.")


_UNTESTABLE_REASONS = {
    "mechanism": "The evidence base records clinical outcomes, not biological mechanisms "
    "(receptors, glia, cytokines, endorphins); mechanistic claims need laboratory studies.",
    "background": "Background fact about naltrexone or the condition (approval history, "
    "prevalence, definitions) that the curated LDN studies do not record.",
    "regulatory": "Regulatory, insurance or guideline status is not part of the evidence "
    "base; check the regulator's label or the guideline itself.",
    "cost": "Prices and insurance coverage are not recorded in the evidence base.",
    "time_course": "Whether side effects fade with continued use needs repeated AE "
    "measurements over time, which the curated tables do not hold.",
    "opinion": "A recommendation or judgement, not a factual statement about results.",
    "out_of_scope": "Concerns full-dose naltrexone or other uses (addiction, injections), "
    "outside this evidence base of oral low-dose naltrexone for pain.",
}


def untestable(evidence: Any, reason: str) -> Evaluation:
    """Mark a claim the evidence base cannot test, and say why.

    Rule: always **not_testable**; ``reason`` is one of ``mechanism``, ``background``,
    ``regulatory``, ``cost``, ``time_course``, ``opinion``, ``out_of_scope``.
    """
    if reason not in _UNTESTABLE_REASONS:
        raise ChoiceError("untestable reason", reason, _UNTESTABLE_REASONS)
    return Evaluation("not_testable", f"reason: {reason}", (), _UNTESTABLE_REASONS[reason])


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
        deciding_sources`` (``; ``-joined) and ``explanation``, one row per claim.
    """
    rows = []
    for _, c in claims_df.iterrows():
        ev = evaluate_claim(evidence, str(c["proposition"]), parse_args(c["proposition_args"]))
        rows.append(
            {
                "claim_id": c["claim_id"],
                "source_file": c["source_file"],
                "claim_text": c["claim_text"],
                "verdict": ev.verdict,
                "deciding_numbers": ev.deciding_numbers,
                "deciding_sources": "; ".join(ev.deciding_sources),
                "explanation": ev.explanation,
            }
        )
    return pd.DataFrame(rows, columns=list(RESULT_COLUMNS))


def _data_dir(data_dir: str | Path | None) -> Path:
    if data_dir is not None:
        return Path(data_dir)
    from .paths import data_dir as default_dir

    return default_dir()


def validate_claims(claims_df: pd.DataFrame, file: str = CLAIMS_FILE) -> list[Problem]:
    """Return every problem in a claims table (columns, vocabularies, ids, arguments)."""
    problems: list[Problem] = []
    missing = [c for c in CLAIMS_COLUMNS if c not in claims_df.columns]
    if missing:
        return [Problem(file, None, None, missing, "missing columns", "add: " + ", ".join(missing))]
    seen: set[str] = set()
    checks = (
        ("source_file", SOURCE_FILES),
        ("claim_type", CLAIM_TYPES),
        ("condition", CONDITION_IDS),
        ("proposition", tuple(PROPOSITIONS)),
    )
    for i, r in enumerate(claims_df.itertuples(index=False), start=1):
        cid = str(r.claim_id)
        if cid in seen:
            problems.append(Problem(file, i, "claim_id", cid, "duplicate id", "renumber"))
        seen.add(cid)
        for col, allowed in checks:
            value = getattr(r, col)
            if value not in allowed:
                problems.append(
                    Problem(
                        file, i, col, value, "unknown value", "use one of " + ", ".join(allowed)
                    )
                )
        for col in ("claim_text", "source_url"):
            if not str(getattr(r, col) or "").strip() or str(getattr(r, col)) == "nan":
                problems.append(Problem(file, i, col, None, "blank", f"fill in {col}"))
        if not str(r.source_url).startswith(("http://", "https://")):
            problems.append(
                Problem(file, i, "source_url", r.source_url, "not a web URL", "use http(s)")
            )
        if r.proposition in PROPOSITIONS:
            try:
                args = parse_args(r.proposition_args)
                inspect.signature(PROPOSITIONS[r.proposition]).bind(None, **args)
            except (ParameterError, TypeError) as exc:
                problems.append(
                    Problem(file, i, "proposition_args", r.proposition_args, str(exc), "fix args")
                )
    return problems


def load_claims(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Read and validate ``claims.csv`` from ``data_dir`` (default: the evidence folder).

    Raises
    ------
    DataValidationError
        Listing every problem found.
    """
    path = _data_dir(data_dir) / CLAIMS_FILE
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    problems = validate_claims(df)
    if problems:
        raise DataValidationError(problems)
    return df


def load_news_criteria(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Read ``news_criteria.csv`` with ``met``/``applicable`` as booleans.

    Raises
    ------
    DataValidationError
        On missing columns, unknown sources/criteria or non-boolean flags.
    """
    path = _data_dir(data_dir) / NEWS_CRITERIA_FILE
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    problems: list[Problem] = []
    missing = [c for c in NEWS_CRITERIA_COLUMNS if c not in df.columns]
    if missing:
        raise DataValidationError(
            [Problem(NEWS_CRITERIA_FILE, None, None, missing, "missing columns", "add them")]
        )
    for i, r in enumerate(df.itertuples(index=False), start=1):
        if r.source_file not in SOURCE_FILES:
            problems.append(
                Problem(NEWS_CRITERIA_FILE, i, "source_file", r.source_file, "unknown", "fix")
            )
        if r.criterion not in NEWS_CRITERIA:
            problems.append(
                Problem(
                    NEWS_CRITERIA_FILE,
                    i,
                    "criterion",
                    r.criterion,
                    "unknown criterion",
                    "use one of " + ", ".join(NEWS_CRITERIA),
                )
            )
        for col in ("met", "applicable"):
            if getattr(r, col) not in ("true", "false"):
                problems.append(
                    Problem(
                        NEWS_CRITERIA_FILE, i, col, getattr(r, col), "not boolean", "true/false"
                    )
                )
    if problems:
        raise DataValidationError(problems)
    for col in ("met", "applicable"):
        df[col] = df[col] == "true"
    return df


def score_sources(
    news_criteria: pd.DataFrame | None = None, data_dir: str | Path | None = None
) -> pd.DataFrame:
    """Summarize the HealthNewsReview-style scores of each source text.

    Parameters
    ----------
    news_criteria : pandas.DataFrame, optional
        Rows of ``news_criteria.csv`` (read from ``data_dir`` when omitted).
    data_dir : path, optional
        Evidence folder.

    Returns
    -------
    pandas.DataFrame
        One row per source: ``source_file, applicable, met, score`` (met / applicable),
        ``stars`` (0-5, HealthNewsReview's scale: score x 5 rounded), ``not_met``
        (the failed criteria, ``;``-joined) and ``origin_url`` (where the text was
        published, blank if not found).
    """
    df = load_news_criteria(data_dir) if news_criteria is None else news_criteria.copy()
    for col in ("met", "applicable"):
        if df[col].dtype != bool:
            df[col] = _truthy(df[col])
    rows = []
    for src, g in df.groupby("source_file", sort=True):
        app = g[g["applicable"]]
        met = int(app["met"].sum())
        score = met / len(app) if len(app) else float("nan")
        rows.append(
            {
                "source_file": src,
                "applicable": len(app),
                "met": met,
                "score": round(score, 3),
                "stars": int(round(score * 5)) if len(app) else 0,
                "not_met": ";".join(app.loc[~app["met"], "criterion"]),
                "origin_url": SOURCE_ORIGINS.get(src, ""),
            }
        )
    return pd.DataFrame(rows)


def _load_evidence(data_dir: str | Path | None):
    from .data import load_evidence  # type: ignore[attr-defined]

    return load_evidence(data_dir) if data_dir is not None else load_evidence()


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(str(text), width) or [""]


def claims_command(fmt: str = "table", data_dir: str | Path | None = None) -> int:
    """Print every claim with its computed verdict (``python -m ldn_analysis claims``).

    Parameters
    ----------
    fmt : {"table", "csv"}
        ``table``: a readable listing plus a verdict count per source; ``csv``: the
        :func:`evaluate_claims` table as CSV on standard output.
    data_dir : path, optional
        Evidence folder holding ``claims.csv`` and the curated tables. The claims come
        from ``Evidence.claims`` when the data package declares them, else from
        :func:`load_claims`.

    Returns
    -------
    int
        Exit code 0.
    """
    if fmt not in ("table", "csv"):
        raise ChoiceError("format", fmt, ("table", "csv"))
    evidence = _load_evidence(data_dir)
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
    for r in result.itertuples(index=False):
        out.write(f"{r.claim_id}  [{r.source_file[:3]}]  {r.verdict.upper()}\n")
        for line in _wrap(r.claim_text, 92):
            out.write(f"    claim: {line}\n")
        for line in _wrap(r.deciding_numbers, 92):
            out.write(f"    data:  {line}\n")
        for line in _wrap(r.explanation, 92):
            out.write(f"    why:   {line}\n")
        if r.deciding_sources:
            out.write(f"    from:  {r.deciding_sources}\n")
        out.write("\n")
    summary = pd.crosstab(result["source_file"], result["verdict"]).reindex(
        columns=list(VERDICTS), fill_value=0
    )
    out.write("Verdicts per source\n")
    out.write(summary.to_string() + "\n")
    return 0

"""Vocabularies, :class:`Evaluation`, statistics wrappers and table helpers."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ldn_analysis.errors import ChoiceError
from ldn_analysis.stats.proportions import rule_of_three, wilson
from ldn_analysis.stats.rma import PoolResult, pool
from ldn_analysis.text.format import study_names
from ldn_analysis.vocab import RANDOMIZED_DESIGNS

VERDICTS = ("supported", "overstated", "unsupported", "contradicted", "false", "not_testable")
#: Reader-facing name of each verdict.
VERDICT_LABELS = {v: v.replace("_", " ") for v in VERDICTS}
#: What each verdict means, in the words the claims page and the exercises use.
VERDICT_DEFINITIONS = {
    "supported": "controlled evidence agrees with the claim as stated",
    "overstated": "the evidence points the same way but is weaker than the claim implies "
    "(one small trial, uncontrolled studies, low certainty, a narrower range than observed)",
    "unsupported": "there is no controlled evidence for the claim, or too little to judge "
    "(one small trial that could neither show nor rule out the effect)",
    "contradicted": "precise evidence against the claim: a confidence interval that excludes "
    "the claimed effect, or several consistent trials",
    "false": "a checkable fact (what a trial reported, a count, a regulatory status, a "
    "formulation) that is wrong",
    "not_testable": "a mechanism, opinion or background statement that clinical outcome data "
    "cannot check",
}
#: Smallest standardized benefit (SMD, positive favours LDN) a claim that LDN "helps" needs:
#: Cohen's small effect, the size GRADE's optimal information size is computed for.
MINIMAL_IMPORTANT_SMD = 0.2
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
    "fact",
    "framing",
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
# HealthNewsReview.org's ten criteria (#6 split into its two halves), plus its list of words to
# avoid in medical news (sensational_language: met = the text avoids them).
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
    "sensational_language",
)
RESULT_COLUMNS = (
    "claim_id",
    "source_file",
    "claim_text",
    "verdict",
    "deciding_numbers",
    "deciding_sources",
    "explanation",
    "curator_note",
)

SUMMARY_EVENTS = ("any_ae", "serious_ae", "withdrawal_ae")
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
        Why the rule gave this verdict: one plain sentence with the deciding numbers.
    trials : int
        How many trials (or review estimates) the verdict rests on (0 when not counted).
    interval : tuple of float, optional
        The deciding 95% interval, on the scale of ``claimed``.
    claimed : float, optional
        The effect the claim needs, on the same scale (e.g. an SMD of 0.2, a 33% ceiling).
    """

    verdict: str
    deciding_numbers: str
    deciding_sources: tuple[str, ...]
    explanation: str
    trials: int = 0
    interval: tuple[float, float] | None = None
    claimed: float | None = None

    @property
    def interval_excludes_claim(self) -> bool:
        """Whether the deciding interval lies entirely on one side of the claimed effect."""
        if self.interval is None or self.claimed is None:
            return False
        lo, hi = self.interval
        return not lo <= self.claimed <= hi

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ChoiceError("verdict", self.verdict, VERDICTS)


# --------------------------------------------------------------------------------------
# Statistics (thin wrappers over the engine, so every rule uses the same settings).
# --------------------------------------------------------------------------------------

POOL_METHOD = "REML"
POOL_TEST = "z"


def wilson_interval(x: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """Return the Wilson score interval for ``x`` events in ``n`` as proportions."""
    lo, hi = wilson(x, n, level)
    return float(lo), float(hi)


def wald(x: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """Return the (unclipped) Wald interval ``p +/- z*sqrt(p(1-p)/n)`` as proportions.

    Only for teaching the contrast with Wilson; no rule uses it.
    """
    z = float(stats.norm.isf((1 - level) / 2))
    p = x / n
    half = z * math.sqrt(p * (1 - p) / n)
    return p - half, p + half


def rule_of_three_bound(n: float) -> float:
    """Return the rule-of-three bound ``3/n`` for 0 events in ``n`` (capped at 1).

    An approximate one-sided 95% upper limit, good for large ``n`` (the exact limit is
    ``1 - 0.05**(1/n)``); it is not a two-sided interval.
    """
    return min(1.0, float(rule_of_three(n)))


def pool_effects(yi: Sequence[float], vi: Sequence[float]) -> PoolResult:
    """Pool oriented effects: random effects, REML tau^2, z test (I2 in percent).

    Only for the log risk ratios of :func:`ldn_analysis.claims.ae_similar_to_placebo` and the
    teaching exercises; benefit claims are graded on the reports' own analysis
    (:mod:`ldn_analysis.claims.grading`).
    """
    return pool(np.asarray(yi, dtype=float), np.asarray(vi, dtype=float), POOL_METHOD, POOL_TEST)


# --------------------------------------------------------------------------------------
# Table access helpers (robust to missing tables/columns and to 'true'/'false' strings).
# --------------------------------------------------------------------------------------


def _table(evidence: Any, name: str) -> pd.DataFrame:
    df = getattr(evidence, name, None)
    if df is None:
        return pd.DataFrame()
    return df


_TABLES = ("studies", "outcomes", "adverse_events", "registrations", "reviews", "conditions")
_TABLES += ("risk_of_bias",)
_PER_EVIDENCE: dict[tuple, tuple[tuple, dict]] = {}


def per_evidence(evidence: Any) -> dict:
    """Return the dict of results computed from ``evidence`` (performance only).

    Keyed by the identity of the evidence object and of each table (a table replaced by a
    new frame gives a new key); the objects are held so an id cannot be reused meanwhile.
    """
    held = (evidence, *(getattr(evidence, t, None) for t in _TABLES))
    key = tuple(id(x) for x in held)
    if key not in _PER_EVIDENCE:
        if len(_PER_EVIDENCE) >= 8:
            _PER_EVIDENCE.clear()
        _PER_EVIDENCE[key] = (held, {})
    return _PER_EVIDENCE[key][1]


def once_per_evidence(fn: Callable) -> Callable:
    """Compute ``fn(evidence, *args)`` once per :func:`per_evidence` key; frames are copied."""

    @functools.wraps(fn)
    def wrapper(evidence: Any, *args: Any) -> Any:
        cache = per_evidence(evidence)
        key = (fn.__module__, fn.__qualname__, *args)
        try:
            hash(key)
        except TypeError:  # e.g. a list of conditions: computed each time
            return fn(evidence, *args)
        if key not in cache:
            cache[key] = fn(evidence, *args)
        out = cache[key]
        return out.copy() if isinstance(out, pd.DataFrame) else out

    return wrapper


def _col(df: pd.DataFrame, name: str, default: Any = np.nan) -> pd.Series:
    if name in df.columns:
        return df[name]
    return pd.Series([default] * len(df), index=df.index, dtype=object)


def num_col(df: pd.DataFrame, name: str) -> pd.Series:
    return pd.to_numeric(_col(df, name), errors="coerce")


def text_col(df: pd.DataFrame, name: str) -> pd.Series:
    col = _col(df, name, "")
    return col.astype(object).where(col.notna(), "").astype(str).str.strip()


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


@once_per_evidence
def _studies(evidence: Any, condition: str = "any") -> pd.DataFrame:
    df = _table(evidence, "studies")
    if df.empty:
        return df
    if condition != "any":
        wanted = set(_as_list(condition))
        df = df[text_col(df, "condition").isin(wanted)]
    return df


def is_randomized(df: pd.DataFrame) -> pd.Series:
    return text_col(df, "design").isin(RANDOMIZED_DESIGNS) | _truthy(_col(df, "randomized", ""))


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
        mask &= text_col(df, "study_id").isin(_as_list(study))
    if nct:
        mask &= text_col(df, "nct_id").str.upper() == str(nct).upper()
    if author:
        mask &= text_col(df, "first_author").str.lower() == str(author).lower()
    if year:
        mask &= num_col(df, "year") == int(year)
    return df[mask]


def _sources(ids: Iterable[Any]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(i) for i in ids if str(i) and str(i) != "nan"))


@once_per_evidence
def condition_label(evidence: Any, condition: str) -> str:
    """Return a condition's reader-facing name from conditions.csv (lower case), or the id."""
    if condition == "any":
        return "all conditions"
    df = _table(evidence, "conditions")
    if len(df) and "id" in df.columns and "label" in df.columns:
        hit = df[text_col(df, "id") == condition]
        if len(hit):
            label = str(hit["label"].iloc[0])
            return (
                label if label[:2].isupper() or "'" in label[:8] else label[0].lower() + label[1:]
            )
    return condition.replace("_", " ")


def study_label(evidence: Any, study_id: str) -> str:
    """Return the short citation ("Younger J 2013") of a study id (the id when unknown)."""
    return _labels(evidence).get(str(study_id), str(study_id))


@once_per_evidence
def _labels(evidence: Any) -> dict[str, str]:
    """Map study (and review) id -> short citation (:func:`ldn_analysis.text.format.study_names`)."""
    reviews = _table(evidence, "reviews")
    if len(reviews) and "review_id" in reviews.columns:
        reviews = reviews.drop(columns=["study_id"], errors="ignore")
        reviews = reviews.rename(columns={"review_id": "study_id"})
        return {**study_names(reviews), **study_names(_table(evidence, "studies"))}
    return study_names(_table(evidence, "studies"))


def source_names(evidence: Any) -> dict[str, str]:
    """Return the id -> short citation map of every study and review of ``evidence``."""
    return dict(_labels(evidence))


def study_labels(evidence: Any, ids: Iterable[Any]) -> str:
    """Return the short citations of several studies, comma-separated."""
    return ", ".join(study_label(evidence, str(i)) for i in ids)

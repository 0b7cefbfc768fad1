"""The efficacy analysis of one outcome: per-study effect sizes, pooling, published estimates.

:func:`efficacy` runs everything a report shows for one condition and outcome and returns
an :class:`Efficacy`, whose shortcuts draw the efficacy charts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ldn_analysis import vocab
from ldn_analysis.analysis.effects import compute_effects
from ldn_analysis.analysis.selection import Selection, numeric
from ldn_analysis.analysis.sensitivity import (
    DurationRegression,
    cumulative_table,
    duration_regression,
    egger_test,
    leave_one_out_table,
    sensitivity_table,
)
from ldn_analysis.stats.rma import pool
from ldn_analysis.vocab import CROSSOVER_DESIGNS

DATA_TYPE_PREFERENCE = ("arm_means", "change_scores", "between_group", "pre_post")
"""Which outcomes row represents a study when it reports several for one outcome:
end-of-treatment means first, then change scores, then a reported between-group
estimate, then pre/post (the order least dependent on conversions)."""

LOWER_IS_BETTER = frozenset({"pain", "fatigue", "symptom_severity", "disease_activity"})
"""Outcome domains where published reviews report "lower = better" (negative favours LDN)
when our own rows give no direction."""


def effect_rows(
    selection: Selection,
    outcome: str,
    *,
    comparison: str | None = "ldn_vs_placebo",
    measure: str = "SMD",
    rho: float = 0.5,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (effects, skipped): one estimable row per study, and studies that had none.

    Parameters
    ----------
    selection : Selection
    outcome : str
        Outcome domain (outcomes.csv ``outcome``).
    comparison : str or None
        ``ldn_vs_placebo`` (default), another comparison, or None for every comparison.
    measure : {"SMD", "MD"}
    rho : float
        Within-person correlation for crossover and pre/post rows.

    Returns
    -------
    effects : pandas.DataFrame
        ``study_id, outcome_id, comparison, data_type, yi, vi, conversion`` plus study
        descriptors (``design, blinding, n, dose_mg_min, dose_mg_max, duration_weeks,
        year, source_url, scale_min, scale_max``); ``n`` is the outcome's ``n_ldn + n_ctrl``
        (one arm's count for crossover and before-after rows, which measure the same people
        twice; the study's ``n`` when missing), ``duration_weeks`` the outcome's timepoint
        (the study's duration when missing).
    skipped : pandas.DataFrame
        ``study_id, outcome_id, reason`` for studies with rows but no estimable one.
    """
    o = selection.outcomes
    rows = o[o["outcome"] == outcome]
    if comparison:
        rows = rows[rows["comparison"] == comparison]
    rows = rows.reset_index(drop=True)
    if rows.empty:
        extra = ["yi", "vi", "conversion", "reason", "n", "scale_min", "scale_max"]
        return (
            rows.reindex(columns=[*rows.columns, *extra[:4], "n"]),
            pd.DataFrame(columns=["study_id", "outcome_id", "reason"]),
        )
    eff = compute_effects(rows, measure=measure, rho=rho)
    keep = ["conversion", "reason", "yi", "vi"]
    full = pd.concat([rows, eff[keep]], axis=1)
    num = numeric(full, ("n_ldn", "n_ctrl", "timepoint_weeks", "scale_min", "scale_max"))
    # Crossover and before-after rows measure the same people twice: n is one arm's count.
    paired = full["design"].isin(CROSSOVER_DESIGNS) | full["comparison"].eq("ldn_pre_post")
    two_arms = num[["n_ldn", "n_ctrl"]].sum(axis=1, min_count=2)
    one_arm = num[["n_ldn", "n_ctrl"]].max(axis=1)
    full["n"] = two_arms.where(~paired, one_arm).fillna(full["study_n"])
    full["duration_weeks"] = num["timepoint_weeks"].fillna(full["duration_weeks"])
    full["scale_min"], full["scale_max"] = num["scale_min"], num["scale_max"]
    rank = {t: i for i, t in enumerate(DATA_TYPE_PREFERENCE)}
    full["_rank"] = full["data_type"].map(rank).fillna(len(rank))
    ok = full[full["yi"].notna()].sort_values(["study_id", "_rank", "outcome_id"])
    effects = ok.drop_duplicates("study_id").drop(columns=["_rank"]).reset_index(drop=True)
    effects = effects.sort_values(["year", "study_id"], na_position="last").reset_index(drop=True)
    missing = full[~full["study_id"].isin(effects["study_id"])]
    skipped = (
        missing.sort_values(["study_id", "_rank"])
        .drop_duplicates("study_id")[["study_id", "outcome_id", "reason"]]
        .reset_index(drop=True)
    )
    return effects, skipped


def _pool(effects: pd.DataFrame, method: str, test: str):
    if effects.empty:
        return None
    return pool(
        effects["yi"],
        effects["vi"],
        method=method,
        test=test,
        blinding=effects["blinding"].astype(str).tolist(),
        designs=effects["design"].astype(str).tolist(),
    )


def favours_ldn_sign(selection: Selection, outcome: str) -> int:
    """Return the factor putting published estimates on the favours-LDN scale.

    Our effect sizes are positive when LDN is better; reviews report raw differences.
    When our rows for ``outcome`` say lower is better (e.g. pain), published estimates
    are multiplied by -1. Without rows, :data:`LOWER_IS_BETTER` decides.
    """
    rows = selection.outcomes[selection.outcomes["outcome"] == outcome]["better"].dropna()
    if len(rows):
        return -1 if (rows == "lower").mean() >= 0.5 else 1
    return -1 if outcome in LOWER_IS_BETTER else 1


def published_estimates(
    selection: Selection, outcome: str, comparison: str = "ldn_vs_placebo"
) -> pd.DataFrame:
    """Return published pooled estimates for the condition/outcome/comparison (favours LDN > 0).

    Returns
    -------
    pandas.DataFrame
        ``result_id, review_id, label, measure, estimate, ci_low, ci_high,
        published_estimate, n_studies, n_participants, i2, model, included_study_ids,
        source_url``; only continuous measures (MD, SMD) with an estimate.
    """
    r = selection.reviews
    r = r[(r["outcome"] == outcome) & (r["comparison"] == comparison)]
    r = numeric(r, ("estimate", "ci_low", "ci_high", "n_studies", "n_participants", "i2"))
    r = r[r["estimate"].notna() & r["measure"].isin(["MD", "SMD"])].copy()
    sign = favours_ldn_sign(selection, outcome)
    r["published_estimate"] = r["estimate"]
    r["published_ci"] = [
        f"{a:.2f} to {b:.2f}" for a, b in zip(r["ci_low"], r["ci_high"], strict=True)
    ]
    lo, hi = r["ci_low"] * sign, r["ci_high"] * sign
    r["estimate"] = r["estimate"] * sign
    r["ci_low"], r["ci_high"] = np.minimum(lo, hi), np.maximum(lo, hi)
    author = r["first_author"].fillna(
        r["review_id"].str.replace("rev_", "").str.split("_").str[0].str.title()
    )
    r["label"] = [
        f"{a} {int(y) if pd.notna(y) else ''} ({m})".replace("  ", " ")
        for a, y, m in zip(
            author,
            pd.to_numeric(r["year"], errors="coerce"),
            [
                x.removeprefix(f"{rid}_")
                for x, rid in zip(r["result_id"], r["review_id"], strict=True)
            ],
            strict=True,
        )
    ]
    cols = [
        "result_id",
        "review_id",
        "label",
        "measure",
        "estimate",
        "ci_low",
        "ci_high",
        "published_estimate",
        "published_ci",
        "n_studies",
        "n_participants",
        "i2",
        "model",
        "included_study_ids",
        "source_url",
    ]
    return r[cols].reset_index(drop=True)


@dataclass(frozen=True)
class Efficacy:
    """Everything the efficacy charts and summaries need for one condition and outcome.

    Attributes
    ----------
    condition, outcome, comparison, measure, method, test : str
    rho : float
    effects : pandas.DataFrame
        One estimable row per study (:func:`effect_rows`).
    skipped : pandas.DataFrame
        Studies reporting the outcome that gave no effect size, with the reason.
    result : PoolResult or None
        The primary pooled analysis (None without studies).
    sensitivity, leave_one_out, cumulative : pandas.DataFrame
        :func:`sensitivity_table`, :func:`leave_one_out_table`, :func:`cumulative_table`.
    regression : DurationRegression or None
    egger : object or None
        Egger's test result (None with fewer than 3 studies).
    md_result : PoolResult or None
        The same studies pooled as raw mean differences, when every row uses one scale.
    md_note : str
        Why ``md_result`` is None, else "".
    published : pandas.DataFrame
        :func:`published_estimates`.
    candidates : tuple of str
        Studies of the selection whose comparator matches the comparison (placebo for
        ``ldn_vs_placebo``), whether or not they report the outcome.
    """

    condition: str | None
    outcome: str
    comparison: str | None
    measure: str
    method: str
    test: str
    rho: float
    effects: pd.DataFrame
    skipped: pd.DataFrame
    result: object | None
    sensitivity: pd.DataFrame
    leave_one_out: pd.DataFrame
    cumulative: pd.DataFrame
    regression: DurationRegression | None
    egger: object | None
    md_result: object | None
    md_note: str
    published: pd.DataFrame
    candidates: tuple[str, ...] = ()

    @property
    def k(self) -> int:
        """Number of studies pooled."""
        return len(self.effects)

    @property
    def participants(self) -> int:
        """Participants in the pooled studies."""
        return int(self.effects["n"].sum(skipna=True)) if self.k else 0

    @property
    def title(self) -> str:
        """Chart title, e.g. "Pain, LDN vs placebo: fibromyalgia"."""
        where = self.condition.replace("_", " ") if self.condition else "all conditions"
        what = vocab.COMPARISON_LABELS.get(self.comparison, "any comparison")
        return f"{self.outcome.replace('_', ' ').capitalize()}, {what}: {where}"

    @property
    def measure_label(self) -> str:
        """Axis name of the measure."""
        return {"SMD": "SMD (Hedges' g)", "MD": "mean difference"}.get(self.measure, self.measure)

    def ours(self) -> pd.DataFrame:
        """Our pooled estimate(s) as rows for :func:`ldn_analysis.figures.reconciliation`."""
        rows = []
        for measure, res in (
            ("SMD", self.result if self.measure == "SMD" else None),
            ("MD", self.md_result),
        ):
            if res is not None:
                rows.append(
                    {
                        "label": f"ours: {res.method}, {res.test} ({res.k} studies)",
                        "measure": measure,
                        "estimate": res.estimate,
                        "ci_low": res.ci_low,
                        "ci_high": res.ci_high,
                        "k": res.k,
                    }
                )
        return pd.DataFrame(
            rows, columns=["label", "measure", "estimate", "ci_low", "ci_high", "k"]
        )


def _md_pool(selection, outcome, comparison, rho, method, test, effects):
    if effects.empty:
        return None, "no study to pool"
    scales = effects[["scale_min", "scale_max"]].drop_duplicates()
    if scales.isna().any(axis=None) or len(scales) != 1:
        return None, "raw mean differences not pooled: the studies do not report one common scale"
    md_rows, _ = effect_rows(selection, outcome, comparison=comparison, measure="MD", rho=rho)
    md_rows = md_rows[md_rows["study_id"].isin(effects["study_id"])]
    if len(md_rows) != len(effects):
        return None, "raw mean differences not pooled: not every study gives one"
    scale = scales.iloc[0]
    return _pool(md_rows, method, test), f"on the {scale.scale_min:g}-{scale.scale_max:g} scale"


def efficacy(
    selection: Selection,
    outcome: str = "pain",
    method: str = "REML",
    test: str = "knha",
    *,
    rho: float = 0.5,
    comparison: str | None = "ldn_vs_placebo",
    measure: str = "SMD",
) -> Efficacy:
    """Run the efficacy analysis of one outcome for a selection.

    Parameters
    ----------
    selection : Selection
        From :func:`select`.
    outcome : str
        Outcome domain, e.g. "pain".
    method, test : str
        tau² estimator and test (:mod:`ldn_analysis.pooling`).
    rho : float
        Within-person correlation for crossover and pre/post rows.
    comparison : str or None
        Which comparison to pool (default LDN vs placebo); None takes every comparison
        (for the effect-versus-duration chart only: pooling them would mix designs).
    measure : {"SMD", "MD"}
        Primary effect measure.

    Returns
    -------
    Efficacy
        The same object for the same selection and settings: an analysis is computed once
        and every table, chart and sentence of a page reads it.
    """
    key = ("efficacy", outcome, method, test, float(rho), comparison, measure)
    if key not in selection.computed:
        selection.computed[key] = _efficacy(
            selection, outcome, method, test, rho=rho, comparison=comparison, measure=measure
        )
    return selection.computed[key]


def _efficacy(selection, outcome, method, test, *, rho, comparison, measure) -> Efficacy:
    effects, skipped = effect_rows(
        selection, outcome, comparison=comparison, measure=measure, rho=rho
    )
    result = _pool(effects, method, test)
    md_result, md_note = (None, "")
    if measure == "SMD":
        md_result, md_note = _md_pool(selection, outcome, comparison, rho, method, test, effects)
    return Efficacy(
        condition=selection.condition,
        outcome=outcome,
        comparison=comparison,
        measure=measure,
        method=method,
        test=test,
        rho=float(rho),
        effects=effects,
        skipped=skipped,
        result=result,
        sensitivity=sensitivity_table(effects),
        leave_one_out=leave_one_out_table(effects, result),
        cumulative=cumulative_table(effects, result),
        regression=duration_regression(effects, method, test),
        egger=egger_test(result),
        md_result=md_result,
        md_note=md_note,
        published=published_estimates(selection, outcome, comparison),
        candidates=tuple(_candidates(selection, comparison)),
    )


def _candidates(selection: Selection, comparison: str | None) -> list[str]:
    comparator = {"ldn_vs_placebo": "placebo", "ldn_vs_active": "active"}.get(comparison or "")
    s = selection.studies
    return list(s[s["comparator"] == comparator]["study_id"]) if comparator else []


def outcome_analyses(
    selection: Selection,
    method: str = "REML",
    test: str = "knha",
    *,
    rho: float = 0.5,
    comparison: str = "ldn_vs_placebo",
) -> dict[str, Efficacy]:
    """Return the :func:`efficacy` analysis of every outcome the selection reports.

    Outcomes are those with at least one ``comparison`` row, alphabetically; each analysis
    is the one :func:`efficacy` returns for the same settings (computed once).
    """
    o = selection.outcomes
    outcomes = sorted(o[o["comparison"] == comparison]["outcome"].dropna().unique())
    return {
        str(out): efficacy(selection, str(out), method, test, rho=rho, comparison=comparison)
        for out in outcomes
    }

"""The efficacy analysis of one outcome: per-study effect sizes, pooling, published estimates.

:func:`efficacy` runs, once per selection and settings, all a page shows for one outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ldn_analysis import vocab
from ldn_analysis.analysis.effects import DERIVATION_COLUMNS, compute_effects
from ldn_analysis.analysis.reconcile import (
    LOWER_IS_BETTER,
    favours_ldn_sign,
    published_estimates,
    reconcile,
)
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

CITATION_FIELDS = ("authors", "first_author", "year", "journal", "title")  # kept on skipped rows

DATA_TYPE_PREFERENCE = ("arm_means", "change_scores", "between_group", "pre_post")
"""Which outcomes row represents a study when it reports several for one outcome: a
directly reported effect before a derived one (``derived``); among direct ones,
end-of-treatment means first, then change scores, then a reported between-group
estimate, then pre/post (the order least dependent on conversions)."""

DERIVED_PREFERENCE = ("between_group", "arm_means", "change_scores", "pre_post")
"""Among derived effects, a reported between-group estimate comes first (it is the
trial's own comparison); then arm means, change scores, pre/post."""

RHO_RANGE = (0.2, 0.5, 0.8)
"""Within-person correlations of the sensitivity analysis over ``rho``."""

__all__ = [
    "DATA_TYPE_PREFERENCE",
    "DERIVED_PREFERENCE",
    "LOWER_IS_BETTER",
    "RHO_RANGE",
    "Efficacy",
    "assumption_table",
    "effect_rows",
    "efficacy",
    "favours_ldn_sign",
    "outcome_analyses",
    "published_estimates",
]


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
        ``study_id, outcome_id, comparison, data_type, yi, vi, conversion``, the
        derivation (:data:`ldn_analysis.analysis.effects.DERIVATION_COLUMNS`: ``derivation``
        in words, ``derived``, ``statistics``, ``formula``, ``assumption``, ``uses_rho``),
        ``measure``, ``rho``, plus study
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
        extra = ["yi", "vi", "conversion", "reason", *DERIVATION_COLUMNS, "measure", "rho"]
        return (
            rows.reindex(columns=[*rows.columns, *extra, "n"]),
            pd.DataFrame(columns=["study_id", "outcome_id", "reason"]),
        )
    eff = compute_effects(rows, measure=measure, rho=rho)
    keep = ["conversion", "reason", "yi", "vi", *DERIVATION_COLUMNS, "measure", "rho"]
    full = pd.concat([rows, eff[keep]], axis=1)
    num = numeric(full, ("n_ldn", "n_ctrl", "timepoint_weeks", "scale_min", "scale_max"))
    # Crossover and before-after rows measure the same people twice: n is one arm's count.
    paired = full["design"].isin(CROSSOVER_DESIGNS) | full["comparison"].eq("ldn_pre_post")
    two_arms = num[["n_ldn", "n_ctrl"]].sum(axis=1, min_count=2)
    one_arm = num[["n_ldn", "n_ctrl"]].max(axis=1)
    full["n"] = two_arms.where(~paired, one_arm).fillna(full["study_n"])
    full["duration_weeks"] = num["timepoint_weeks"].fillna(full["duration_weeks"])
    full["scale_min"], full["scale_max"] = num["scale_min"], num["scale_max"]
    direct = {t: i for i, t in enumerate(DATA_TYPE_PREFERENCE)}
    derived = {t: i + len(direct) for i, t in enumerate(DERIVED_PREFERENCE)}
    rank = full["data_type"].map(direct).fillna(len(direct))
    full["_rank"] = rank.where(~full["derived"], full["data_type"].map(derived).fillna(99))
    ok = full[full["yi"].notna()].sort_values(["study_id", "_rank", "outcome_id"])
    effects = ok.drop_duplicates("study_id").drop(columns=["_rank"]).reset_index(drop=True)
    effects = effects.sort_values(["year", "study_id"], na_position="last").reset_index(drop=True)
    missing = full[~full["study_id"].isin(effects["study_id"])]
    skipped = (
        missing.sort_values(["study_id", "_rank"])
        .drop_duplicates("study_id")[
            ["study_id", "outcome_id", "reason", *(c for c in CITATION_FIELDS if c in missing)]
        ]
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
    direct_result : PoolResult or None
        The primary analysis restricted to directly reported effects (``derived`` False).
    assumptions : pandas.DataFrame
        :func:`assumption_table`: the primary analysis, directly reported effects only,
        and (when crossover or change data use it) ``rho`` over :data:`RHO_RANGE`.
    reconciliation : pandas.DataFrame
        :func:`ldn_analysis.analysis.reconcile.reconcile`: each published result redone
        with its studies, measure and model.
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
    direct_result: object | None = None
    assumptions: pd.DataFrame = field(default_factory=pd.DataFrame)
    reconciliation: pd.DataFrame = field(default_factory=pd.DataFrame)

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
        rc = self.reconciliation
        rc = rc[rc["k"] > 0] if len(rc) else rc
        # reviews redone the same way (same measure, model and studies) share one row
        for (measure, method, test, ids), g in rc.groupby(
            ["measure", "method", "test", "study_ids"], sort=False
        ):
            r = g.iloc[0]
            who = " / ".join(dict.fromkeys(x.split(" (")[0] for x in g["label"]))
            rows.append(
                {
                    "label": f"ours as {who}: {method}, {test} ({len(ids)} studies)",
                    "measure": measure,
                    "estimate": r.estimate,
                    "ci_low": r.ci_low,
                    "ci_high": r.ci_high,
                    "k": len(ids),
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
    published = published_estimates(selection, outcome, comparison)
    by_measure = {measure: effects}
    if not published.empty:
        for m in {"MD", "SMD"} - {measure}:
            by_measure[m] = effect_rows(selection, outcome, comparison=comparison, measure=m,
                                        rho=rho)[0]  # fmt: skip
    direct = effects[~effects["derived"].astype(bool)] if len(effects) else effects
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
        published=published,
        candidates=tuple(_candidates(selection, comparison)),
        direct_result=_pool(direct, method, test),
        assumptions=assumption_table(
            selection, outcome, comparison, measure, method, test, rho, effects, result
        ),
        reconciliation=reconcile(published, by_measure),
    )


def assumption_table(
    selection: Selection,
    outcome: str,
    comparison: str | None,
    measure: str,
    method: str,
    test: str,
    rho: float,
    effects: pd.DataFrame,
    result,
) -> pd.DataFrame:
    """Return the sensitivity of a pooled analysis to how its effects were derived.

    Rows: ``primary`` (``effects`` pooled as ``result``); ``direct`` (only effects
    reported directly, ``derived`` False); and, when some effect depends on the assumed
    within-person correlation (``uses_rho``), ``rho`` = each of :data:`RHO_RANGE`.

    Returns
    -------
    pandas.DataFrame
        ``analysis, rho, k, estimate, ci_low, ci_high, pi_low, pi_high, tau2, i2, pvalue,
        study_ids, left_out`` (id lists ";"-joined); one row per analysis, NaN numbers
        where no study is left.
    """
    cols = ["analysis", "rho", "k", "estimate", "ci_low", "ci_high", "pi_low", "pi_high"]
    cols += ["tau2", "i2", "pvalue", "study_ids", "left_out"]
    if effects.empty:
        return pd.DataFrame(columns=cols)
    everyone = list(effects["study_id"])
    runs = [("primary", float(rho), effects, result)]
    direct = effects[~effects["derived"].astype(bool)]
    runs.append(("direct", np.nan, direct, _pool(direct, method, test)))
    if effects["uses_rho"].astype(bool).any():
        for r in RHO_RANGE:
            if r == float(rho):  # the primary analysis itself
                runs.append(("rho", r, effects, result))
                continue
            e, _ = effect_rows(selection, outcome, comparison=comparison, measure=measure, rho=r)
            e = e[e["study_id"].isin(everyone)]
            runs.append(("rho", r, e, _pool(e, method, test)))
    rows = []
    for name, r, e, res in runs:
        stats = ("estimate", "ci_low", "ci_high", "pi_low", "pi_high", "tau2", "i2", "pvalue")
        ids = list(e["study_id"])
        rows.append(
            [name, r, len(e), *(getattr(res, a) if res else np.nan for a in stats)]
            + [";".join(ids), ";".join(i for i in everyone if i not in ids)]
        )
    return pd.DataFrame(rows, columns=cols)


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

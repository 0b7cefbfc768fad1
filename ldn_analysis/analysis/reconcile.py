"""Published meta-analyses beside ours: their estimates, and ours redone their way.

:func:`published_estimates` puts the pooled results of reviews.csv on our favours-LDN
scale; :func:`reconcile` re-pools our per-study effects the way each review did (the
studies it names, its measure, its model), so that what remains of a difference can be
attributed to studies, measure, crossover handling or model.
:func:`ldn_analysis.text.summaries.reconciliation_text` words the result.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ldn_analysis.analysis.selection import Selection, numeric
from ldn_analysis.stats.rma import pool
from ldn_analysis.vocab import CROSSOVER_DESIGNS

LOWER_IS_BETTER = frozenset({"pain", "fatigue", "symptom_severity", "disease_activity"})
"""Outcome domains where published reviews report "lower = better" (negative favours LDN)
when our own rows give no direction."""

REVIEW_MODELS = {
    "random_dl": ("DL", "z", False),
    "random_reml": ("REML", "z", False),
    "fixed": ("FE", "z", False),
    "random_unspecified": ("DL", "z", True),
    "other": ("DL", "z", True),
}
"""reviews.csv ``model`` -> (tau² estimator, test, assumed): how we redo a review's pooling.
An unstated random-effects model is taken as DerSimonian-Laird with z intervals (RevMan's
default), and the reconciliation says it was assumed."""

RECONCILIATION_COLUMNS = (
    "result_id",
    "label",
    "published_measure",
    "published_estimate",
    "published_ci_low",
    "published_ci_high",
    "published_k",
    "published_model",
    "named",
    "their_ids",
    "measure",
    "method",
    "test",
    "model_assumed",
    "scale",
    "study_ids",
    "k",
    "estimate",
    "ci_low",
    "ci_high",
    "pi_low",
    "pi_high",
    "tau2",
    "i2",
    "not_in_ours",
    "not_in_theirs",
    "off_scale",
    "crossover_ids",
    "derived_ids",
    "source_url",
)
"""Columns of :func:`reconcile`: ``published_*`` on the favours-LDN scale; the rest is our
re-pooling (id lists are tuples)."""


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


def _ids(value) -> tuple[str, ...]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ()
    return tuple(i.strip() for i in str(value).split(";") if i.strip())


def common_scale(effects: pd.DataFrame) -> tuple[pd.DataFrame, str, tuple[str, ...]]:
    """Keep the mean differences on the most common instrument range.

    Returns (rows on that scale, the scale as "0-10" or "", study ids left out).
    """
    if effects.empty or "scale_min" not in effects:
        return effects.iloc[0:0], "", tuple(effects.get("study_id", ()))
    known = effects.dropna(subset=["scale_min", "scale_max"])
    if known.empty:
        return known, "", tuple(effects["study_id"])
    top = known.groupby(["scale_min", "scale_max"]).size().sort_values(ascending=False)
    lo, hi = top.index[0]
    on = known[(known["scale_min"] == lo) & (known["scale_max"] == hi)]
    off = tuple(effects.loc[~effects["study_id"].isin(on["study_id"]), "study_id"])
    return on, f"{lo:g}-{hi:g}", off


def reconcile(published: pd.DataFrame, effects: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Re-pool our per-study effects the way each published meta-analysis did.

    Parameters
    ----------
    published : pandas.DataFrame
        :func:`published_estimates`.
    effects : dict
        Our per-study effects by measure (``{"SMD": ..., "MD": ...}``, from
        :func:`ldn_analysis.analysis.efficacy.effect_rows` at the analysis's ``rho``).

    Returns
    -------
    pandas.DataFrame
        One row per published result, :data:`RECONCILIATION_COLUMNS`: our studies (only
        those the review names, when it names them), in the review's measure (raw mean
        differences only on the most common instrument range), pooled with the review's
        model (:data:`REVIEW_MODELS`).

    Notes
    -----
    Pooling is :func:`ldn_analysis.stats.rma.pool` (validated against metafor).
    """
    rows = []
    for r in published.itertuples():
        their = _ids(r.included_study_ids)
        e = effects.get(r.measure, pd.DataFrame(columns=["study_id"]))
        scale, off = "", ()
        if r.measure == "MD":
            e, scale, off = common_scale(e)
        if their:
            e = e[e["study_id"].isin(their)]
        method, test, assumed = REVIEW_MODELS.get(str(r.model), ("DL", "z", True))
        res = pool(e["yi"], e["vi"], method=method, test=test) if len(e) else None
        ours = tuple(e["study_id"])
        all_ours = tuple(effects.get(r.measure, pd.DataFrame(columns=["study_id"]))["study_id"])
        design = e["design"] if "design" in e else pd.Series("", index=e.index)
        derived = e["derived"] if "derived" in e else pd.Series(False, index=e.index)
        stats = ("estimate", "ci_low", "ci_high", "pi_low", "pi_high", "tau2", "i2")
        value = {a: getattr(res, a) if res else np.nan for a in stats}
        rows.append(
            {
                "result_id": r.result_id,
                "label": r.label,
                "published_measure": r.measure,
                "published_estimate": r.estimate,
                "published_ci_low": r.ci_low,
                "published_ci_high": r.ci_high,
                "published_k": r.n_studies,
                "published_model": r.model,
                "named": bool(their),
                "their_ids": their,
                "measure": r.measure,
                "method": method,
                "test": test,
                "model_assumed": assumed,
                "scale": scale,
                "study_ids": ours,
                "k": len(ours),
                **value,
                "not_in_ours": tuple(i for i in their if i not in ours),
                "not_in_theirs": tuple(i for i in all_ours if their and i not in their),
                "off_scale": off,
                "crossover_ids": tuple(e.loc[design.isin(CROSSOVER_DESIGNS), "study_id"]),
                "derived_ids": tuple(e.loc[derived.astype(bool), "study_id"]),
                "source_url": r.source_url,
            }
        )
    return pd.DataFrame(rows, columns=list(RECONCILIATION_COLUMNS))

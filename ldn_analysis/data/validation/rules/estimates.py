"""Rules on effect estimates, intervals and arm means of ``outcomes`` and ``reviews``."""

from __future__ import annotations

import numpy as np

from ldn_analysis.data.validation.rules.registry import Finding, Tables, isin, num, rule

#: An exact p value written as text: "p = 0.03", "P=0.016", "p=.2" (not "p<0.05").
P_IN_TEXT = r"(?<![A-Za-z])[pP]\s*=\s*(?:0?\.[0-9]+|1(?:\.0+)?)(?![0-9])"
#: Data types whose arm means give the between-group mean difference.
ARM_LEVEL = ("arm_means", "change_scores", "pre_post")


@rule(
    "ci_ordered",
    "outcomes and reviews: ci_low <= ci_high.",
    needs=("outcomes.ci_low", "outcomes.ci_high", "reviews.ci_low", "reviews.ci_high"),
    message="ci_low ({value}) is larger than ci_high ({ci_high})",
    fix="Check the confidence interval against the source; the lower bound goes in ci_low.",
)
def ci_ordered(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``ci_ordered`` (its title is in the decorator)."""
    return [
        Finding(name, "ci_low", num(t[name], "ci_low") > num(t[name], "ci_high"))
        for name in ("outcomes", "reviews")
    ]


@rule(
    "estimate_within_ci",
    "outcomes and reviews: ci_low <= estimate <= ci_high.",
    needs=(
        "outcomes.estimate",
        "outcomes.ci_low",
        "outcomes.ci_high",
        "reviews.estimate",
        "reviews.ci_low",
        "reviews.ci_high",
    ),
    message="estimate ({value}) lies outside its confidence interval ({ci_low} to {ci_high})",
    fix="Check the estimate and the interval against the source (a sign or a ratio on the "
    "log scale is the usual cause).",
)
def estimate_within_ci(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``estimate_within_ci`` (its title is in the decorator)."""
    out = []
    for name in ("outcomes", "reviews"):
        est, lo, hi = num(t[name], "estimate"), num(t[name], "ci_low"), num(t[name], "ci_high")
        out.append(Finding(name, "estimate", (lo <= hi) & ((est < lo) | (est > hi))))
    return out


@rule(
    "ratio_measures_positive",
    "outcomes (rr/or) and reviews (RR/OR): estimate and ci_low > 0.",
    needs=(
        "outcomes.estimate_type",
        "outcomes.estimate",
        "outcomes.ci_low",
        "reviews.measure",
        "reviews.estimate",
        "reviews.ci_low",
    ),
    message="{column} ({value}) is not positive, but risk and odds ratios are always > 0",
    fix="Record the ratio itself (not its logarithm), or fix estimate_type/measure if it is "
    "a difference.",
)
def ratio_measures_positive(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``ratio_measures_positive`` (its title is in the decorator)."""
    out = []
    for name, type_col, ratios in (
        ("outcomes", "estimate_type", ("rr", "or")),
        ("reviews", "measure", ("RR", "OR")),
    ):
        ratio = isin(t[name], type_col, ratios)
        for col in ("estimate", "ci_low"):
            out.append(Finding(name, col, ratio & (num(t[name], col) <= 0)))
    return out


@rule(
    "estimate_has_type",
    "outcomes: an estimate needs estimate_type; reviews: an estimate needs measure.",
    needs=("outcomes.estimate", "outcomes.estimate_type", "reviews.estimate", "reviews.measure"),
    message="{column} is blank although an estimate ({estimate}) is given",
    fix="Fill in {column} so the estimate can be interpreted (see the codebook for the "
    "allowed values).",
)
def estimate_has_type(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``estimate_has_type`` (its title is in the decorator)."""
    return [
        Finding(name, col, t[name]["estimate"].notna().to_numpy() & t[name][col].isna().to_numpy())
        for name, col in (("outcomes", "estimate_type"), ("reviews", "measure"))
    ]


@rule(
    "scale_range_ordered",
    "outcomes: scale_min < scale_max.",
    needs=("outcomes.scale_min", "outcomes.scale_max"),
    message="scale_max ({value}) is not larger than scale_min ({scale_min})",
    fix="Check the instrument's range against the source (lowest possible score in "
    "scale_min, highest in scale_max).",
)
def scale_range_ordered(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``scale_range_ordered`` (its title is in the decorator)."""
    o = t["outcomes"]
    return [Finding("outcomes", "scale_max", num(o, "scale_min") >= num(o, "scale_max"))]


@rule(
    "mean_within_scale",
    "outcomes (arm_means, pre_post): means lie within [scale_min, scale_max].",
    needs=(
        "outcomes.data_type",
        "outcomes.scale_min",
        "outcomes.scale_max",
        "outcomes.mean_ldn",
        "outcomes.mean_ctrl",
    ),
    message="{column} ({value}) lies outside the instrument's range {scale_min} to {scale_max}",
    fix="Check the mean and the scale range against the source (a change score belongs in a "
    "change_scores row).",
)
def mean_within_scale(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``mean_within_scale`` (its title is in the decorator)."""
    o = t["outcomes"]
    levels = isin(o, "data_type", ("arm_means", "pre_post"))
    lo, hi = num(o, "scale_min"), num(o, "scale_max")
    return [
        Finding("outcomes", col, levels & ((num(o, col) < lo) | (num(o, col) > hi)))
        for col in ("mean_ldn", "mean_ctrl")
    ]


@rule(
    "pre_post_consistent",
    "outcomes: data_type pre_post requires comparison ldn_pre_post.",
    needs=("outcomes.data_type", "outcomes.comparison"),
    message="comparison is {value} but data_type is pre_post",
    fix="Use comparison ldn_pre_post for before/after data, or fix data_type.",
)
def pre_post_consistent(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``pre_post_consistent`` (its title is in the decorator)."""
    o = t["outcomes"]
    mask = (o["data_type"] == "pre_post").to_numpy() & (
        o["comparison"] != "ldn_pre_post"
    ).to_numpy()
    mask &= o["comparison"].notna().to_numpy()
    return [Finding("outcomes", "comparison", mask)]


@rule(
    "estimate_matches_arm_means",
    "outcomes (md with arm_means, change_scores or pre_post): estimate agrees in sign and size "
    "with mean_ldn - mean_ctrl (tolerance for rounding: 10% or 0.15, whichever is larger).",
    needs=(
        "outcomes.estimate",
        "outcomes.estimate_type",
        "outcomes.data_type",
        "outcomes.mean_ldn",
        "outcomes.mean_ctrl",
    ),
    message="estimate ({value}) {disagreement} mean_ldn - mean_ctrl ({computed})",
    fix="Estimates are LDN minus comparator (pre_post: follow-up minus baseline): re-sign the "
    "estimate and its interval if the source subtracted the other way (say so in notes), or "
    "check the arm means; an adjusted estimate that differs from the raw means needs a "
    "sentence in notes and estimate_type other.",
)
def estimate_matches_arm_means(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``estimate_matches_arm_means`` (title in the decorator)."""
    o = t["outcomes"]
    est = num(o, "estimate")
    computed = num(o, "mean_ldn") - num(o, "mean_ctrl")
    rows = isin(o, "estimate_type", ["md"]) & isin(o, "data_type", ARM_LEVEL)
    with np.errstate(invalid="ignore"):
        tol = np.maximum(0.1 * np.maximum(np.abs(est), np.abs(computed)), 0.15)
        off = rows & (np.abs(est - computed) > tol)
        flipped = np.sign(est) * np.sign(computed) < 0
    words = np.where(flipped, "has the opposite sign of", "differs in size from")
    return [
        Finding(
            "outcomes",
            "estimate",
            off,
            {"computed": np.round(computed, 4), "disagreement": words},
        )
    ]


@rule(
    "p_value_not_in_notes",
    "outcomes and reviews: an exact p value written in notes (e.g. 'p = 0.03') goes in p_value.",
    needs=("outcomes.p_value", "outcomes.notes", "reviews.p_value", "reviews.notes"),
    message="p_value is blank but notes give an exact p value",
    fix="Copy the row's exact p value from notes into p_value (keep thresholds such as "
    "p<0.05 in notes); if the p value in notes belongs to another comparison, write it as "
    "'p of <comparison>: 0.03' so it is not read as this row's.",
)
def p_value_not_in_notes(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``p_value_not_in_notes`` (its title is in the decorator)."""
    out = []
    for name in ("outcomes", "reviews"):
        table = t[name]
        written = table["notes"].str.contains(P_IN_TEXT, regex=True).fillna(False)
        blank = table["p_value"].isna().to_numpy()
        out.append(Finding(name, "p_value", written.to_numpy(bool) & blank))
    return out

"""Rules on effect estimates, intervals and arm means of ``outcomes`` and ``reviews``."""

from __future__ import annotations

from ldn_analysis.data.validation.rules.registry import Finding, Tables, isin, num, rule


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

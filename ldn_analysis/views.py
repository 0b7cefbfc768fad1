"""Data preparation for the notebooks: selections, per-study tables, analysis objects.

Notebooks stay thin: they pick a :class:`Selection` (condition, designs, minimum size)
and ask for the analysis they show. Each function here turns the evidence base
(:func:`ldn_analysis.data.load_evidence`) into the tables the figure builders and the
summaries take, so every number in a report is computed once, in code that is tested.

Conventions
-----------
- ``n`` (participants) is ``n_analyzed``, else ``n_enrolled``, else ``n_ldn + n_control``.
- An empty ``designs`` list means every design; ``min_n`` drops studies whose ``n`` is
  unknown or below it.
- Effects use :func:`ldn_analysis.effects.compute_effects` (positive = LDN better) and
  keep one row per study: the first estimable row in :data:`DATA_TYPE_PREFERENCE` order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import palette as pal

DATA_TYPE_PREFERENCE = ("arm_means", "change_scores", "between_group", "pre_post")
"""Which outcomes row represents a study when it reports several for one outcome:
end-of-treatment means first, then change scores, then a reported between-group
estimate, then pre/post (the order least dependent on conversions)."""

LOWER_IS_BETTER = frozenset({"pain", "fatigue", "symptom_severity", "disease_activity"})
"""Outcome domains where published reviews report "lower = better" (negative favours LDN)
when our own rows give no direction."""

RCT_DESIGNS = ("rct_parallel", "rct_crossover")
STUDY_COLUMNS = (
    "study_id",
    "first_author",
    "year",
    "condition",
    "design",
    "randomized",
    "blinding",
    "comparator",
    "n",
    "n_ldn",
    "n_control",
    "dose_mg_min",
    "dose_mg_max",
    "duration_weeks",
    "primary_outcome",
    "primary_result",
    "extraction_basis",
    "source_url",
)


@dataclass(frozen=True)
class Table:
    """A table ready to show, or the sentence saying why it is empty.

    Attributes
    ----------
    frame : pandas.DataFrame
        Rows to show (``source_url`` becomes a link).
    caption : str
        Caption above the table.
    empty_text : str
        Shown instead of an empty table ("" shows nothing: the reason is said nearby).
    """

    frame: pd.DataFrame
    caption: str
    empty_text: str = "No rows match the selection."

    def show(self) -> None:
        """Display through :func:`ldn_analysis.display.show_table` (or the text, if empty)."""
        from .display import show_table, show_text

        if self.frame.empty:
            if self.empty_text:  # "" when the reason was already said nearby
                show_text(self.empty_text)
        else:
            show_table(self.frame, caption=self.caption)


def load(data_dir=None):
    """Return the evidence base (:func:`ldn_analysis.data.load_evidence`), validated."""
    from .data import load_evidence

    return load_evidence(data_dir)


def _numeric(df: pd.DataFrame, cols) -> pd.DataFrame:
    out = df.copy()
    for c in cols:
        if c in out:
            out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    return out


def participants(studies: pd.DataFrame) -> pd.Series:
    """Return each study's participant count (analysed, else enrolled, else arm sum)."""
    cols = ("n_analyzed", "n_enrolled", "n_ldn", "n_control")
    s = _numeric(studies.reindex(columns=[*cols, "n"]), (*cols, "n"))
    arms = s[["n_ldn", "n_control"]].sum(axis=1, min_count=1)
    return s["n_analyzed"].fillna(s["n_enrolled"]).fillna(arms).fillna(s["n"])


def study_frame(studies: pd.DataFrame) -> pd.DataFrame:
    """Return the per-study table the figures take: descriptors plus ``n``.

    Parameters
    ----------
    studies : pandas.DataFrame
        Rows of studies.csv.

    Returns
    -------
    pandas.DataFrame
        :data:`STUDY_COLUMNS`, one row per study, with numeric ``n``, ``year``, dose and
        duration, plus ``tier`` (evidence-ladder rung).
    """
    s = _numeric(
        studies, ("year", "n_ldn", "n_control", "dose_mg_min", "dose_mg_max", "duration_weeks")
    )
    s["n"] = participants(studies)
    for col in STUDY_COLUMNS:
        if col not in s:
            s[col] = np.nan
    out = s[list(STUDY_COLUMNS)].drop_duplicates("study_id").reset_index(drop=True)
    out["tier"] = out["design"].map(pal.tier_of)
    return out


def study_table(studies: pd.DataFrame) -> pd.DataFrame:
    """Return the reader-facing study list (for :func:`ldn_analysis.show_table`)."""
    from .figures import describe, fmt

    d = describe(study_frame(studies)).sort_values(["tier", "year", "study_id"])
    return pd.DataFrame(
        {
            "study": d["study_id"],
            "year": d["year"].map(lambda y: fmt(y, 0) if pd.notna(y) else ""),
            "condition": d["condition"].str.replace("_", " "),
            "design": d["design_label"],
            "n": d["n"].map(lambda x: fmt(x, 0) if pd.notna(x) else ""),
            "dose": d["dose_text"],
            "weeks": d["duration_weeks"].map(lambda x: fmt(x, 1) if pd.notna(x) else ""),
            "authors' result": d["primary_result"].map(lambda r: pal.RESULT_LABELS.get(str(r), "")),
            "source_url": d["source_url"],
        }
    )


def select_studies(
    studies: pd.DataFrame,
    condition: str | None = None,
    designs=None,
    min_n: int = 0,
) -> pd.DataFrame:
    """Filter studies by condition, design and minimum participant count.

    Parameters
    ----------
    studies : pandas.DataFrame
        studies.csv rows (or :func:`study_frame` output).
    condition : str, optional
        Condition id; None keeps every condition.
    designs : list of str, optional
        Designs to keep; empty or None keeps every design.
    min_n : int
        Smallest ``n`` kept; with ``min_n > 0`` studies of unknown size are dropped.
    """
    keep = pd.Series(True, index=studies.index)
    if condition:
        keep &= studies["condition"] == condition
    if designs:
        keep &= studies["design"].isin(list(designs))
    if min_n and min_n > 0:
        n = studies["n"] if "n" in studies else participants(studies)
        keep &= pd.to_numeric(n, errors="coerce") >= min_n
    return studies[keep]


@dataclass(frozen=True)
class Selection:
    """The slice of the evidence base a report is about.

    Attributes
    ----------
    condition : str or None
        Condition id (None = every condition).
    designs : tuple of str
        Designs kept (empty = all).
    min_n : int
        Smallest study size kept.
    studies : pandas.DataFrame
        :func:`study_frame` rows of the selected studies.
    outcomes, adverse_events : pandas.DataFrame
        Rows of the selected studies, with the study's design, condition, blinding
        and descriptors merged in.
    registrations, reviews : pandas.DataFrame
        Rows for the condition (every row when ``condition`` is None).
    """

    condition: str | None
    designs: tuple[str, ...]
    min_n: int
    studies: pd.DataFrame
    outcomes: pd.DataFrame
    adverse_events: pd.DataFrame
    registrations: pd.DataFrame
    reviews: pd.DataFrame
    dropped: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def k(self) -> int:
        """Number of studies selected."""
        return len(self.studies)

    @property
    def participants(self) -> int:
        """Participants across the selected studies (unknown sizes count as 0)."""
        return int(self.studies["n"].sum(skipna=True))

    @property
    def label(self) -> str:
        """Reader-facing name of the selection, e.g. "fibromyalgia" or "all conditions"."""
        return self.condition.replace("_", " ") if self.condition else "all conditions"

    # Shortcuts used by the notebooks: each is one figure builder or table on this slice.
    def evidence_map(self):
        """Return :func:`ldn_analysis.figures.evidence_map` of the selected studies."""
        from .figures import evidence_map

        return evidence_map(self.studies)

    def ladder(self):
        """Return :func:`ldn_analysis.figures.evidence_ladder` of the selected studies."""
        from .figures import evidence_ladder

        return evidence_ladder(self.studies, self.condition)

    def timeline(self):
        """Return :func:`ldn_analysis.figures.studies_by_year` of the selected studies."""
        from .figures import studies_by_year

        return studies_by_year(self.studies)

    def registrations_chart(self):
        """Return :func:`ldn_analysis.figures.registrations_timeline` for the condition."""
        from .figures import registrations_timeline

        return registrations_timeline(self.registrations)

    def duration_chart(self):
        """Return :func:`ldn_analysis.figures.duration_by_condition` of the studies."""
        if not self.k:
            return self._not_drawn()
        from .figures import duration_by_condition

        return duration_by_condition(self.studies)

    def dose_chart(self):
        """Return :func:`ldn_analysis.figures.dose_by_duration` of the studies."""
        from .figures import dose_by_duration

        return dose_by_duration(self.studies)

    def ae_chart(self, event: str | None = None):
        """Return :func:`ldn_analysis.figures.ae_prevalence` (one event, or all)."""
        from .figures import ae_prevalence

        return ae_prevalence(ae_table(self, event))

    def pooled_ae_chart(self):
        """Return :func:`ldn_analysis.figures.pooled_prevalence` for every event."""
        from .figures import pooled_prevalence

        return pooled_prevalence(pooled_ae_table(self))

    def risk_ratio_chart(self):
        """Return :func:`ldn_analysis.figures.risk_ratios` (LDN vs placebo)."""
        from .figures import risk_ratios

        return risk_ratios(risk_ratio_table(self))

    def study_list(self) -> Table:
        """Return the list of selected studies as a :class:`Table`."""
        return Table(
            study_table(self.studies),
            caption=f"Studies of LDN for {self.label} ({self.k}); click a source to open it",
            empty_text=f"No study of LDN for {self.label} matches the selection.",
        )

    def registration_list(self) -> Table:
        """Return the registered trials as a :class:`Table`."""
        r = self.registrations
        cols = ["registry_id", "condition", "design", "status", "target_enrollment"]
        cols += ["start_date", "completion_date", "results_posted", "linked_study_id"]
        return Table(
            r[[*cols, "source_url"]].sort_values(["condition", "registry_id"]),
            caption=f"Registered trials ({len(r)})",
            empty_text=f"No registered trial of LDN for {self.label} is in the evidence base.",
        )


def select(evidence, condition: str | None = None, designs=(), min_n: int = 0) -> Selection:
    """Return the :class:`Selection` of ``evidence`` for one condition (or all).

    Parameters
    ----------
    evidence : Evidence
        From :func:`load` (any object with the five tables as DataFrame attributes).
    condition : str, optional
        Condition id; None or "" = every condition.
    designs : sequence of str
        Designs to keep (empty = all).
    min_n : int
        Smallest study size kept.
    """
    frame = study_frame(evidence.studies)
    chosen = select_studies(frame, condition or None, designs, min_n)
    in_condition = select_studies(frame, condition or None)
    dropped = in_condition[~in_condition["study_id"].isin(chosen["study_id"])]
    merge_cols = [
        "study_id",
        "condition",
        "design",
        "blinding",
        "randomized",
        "n",
        "dose_mg_min",
        "dose_mg_max",
        "duration_weeks",
        "year",
    ]
    desc = chosen[merge_cols].rename(columns={"n": "study_n"})
    outcomes = evidence.outcomes.merge(desc, on="study_id", how="inner")
    aes = evidence.adverse_events.merge(
        chosen[[*merge_cols, "extraction_basis"]].rename(columns={"n": "study_n"}),
        on="study_id",
        how="inner",
    )

    def _by_condition(df: pd.DataFrame) -> pd.DataFrame:
        return df[df["condition"] == condition] if condition else df

    return Selection(
        condition=condition or None,
        designs=tuple(designs or ()),
        min_n=int(min_n or 0),
        studies=chosen.reset_index(drop=True),
        outcomes=outcomes,
        adverse_events=aes,
        registrations=_by_condition(evidence.registrations).drop_duplicates("registry_id"),
        reviews=_by_condition(evidence.reviews),
        dropped=dropped.reset_index(drop=True),
    )


# --------------------------------------------------------------------------- efficacy


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
    from .effects import CROSSOVER_DESIGNS, compute_effects

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
    num = _numeric(full, ("n_ldn", "n_ctrl", "timepoint_weeks", "scale_min", "scale_max"))
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
    from .pooling import pool

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


def sensitivity_table(effects: pd.DataFrame) -> pd.DataFrame:
    """Pool ``effects`` with every tau² estimator x every test (FE only with z).

    Returns
    -------
    pandas.DataFrame
        ``method, test, estimate, ci_low, ci_high, tau2, i2, k`` (empty with < 2 studies).
    """
    from . import pooling

    cols = ["method", "test", "estimate", "ci_low", "ci_high", "tau2", "i2", "k"]
    if len(effects) < 2:
        return pd.DataFrame(columns=cols)
    methods = getattr(pooling, "METHODS", tuple(pooling.TAU2_ESTIMATORS))
    rows = []
    for method in methods:
        for test in pooling.TESTS:
            if method == "FE" and test != "z":
                continue
            r = pooling.pool(effects["yi"], effects["vi"], method=method, test=test)
            rows.append([method, test, r.estimate, r.ci_low, r.ci_high, r.tau2, r.i2, r.k])
    return pd.DataFrame(rows, columns=cols)


def leave_one_out_table(effects: pd.DataFrame, method: str, test: str) -> pd.DataFrame:
    """Pool ``effects`` leaving each study out in turn (rows carry the omitted study)."""
    from .diagnostics import leave1out

    if len(effects) < 3:
        return pd.DataFrame(columns=["study_id", "estimate", "ci_low", "ci_high"])
    loo = leave1out(effects["yi"], effects["vi"], method=method, test=test)
    loo = loo.reset_index(drop=True)
    out = effects.reset_index(drop=True).drop(columns=["yi", "vi"])
    return pd.concat([out, loo[["estimate", "ci_low", "ci_high"]]], axis=1)


def cumulative_table(effects: pd.DataFrame, method: str, test: str) -> pd.DataFrame:
    """Pool ``effects`` cumulatively in publication order (row i = studies 1..i)."""
    from .diagnostics import cumul

    e = effects[effects["year"].notna()].sort_values(["year", "study_id"]).reset_index(drop=True)
    if len(e) < 2:
        return pd.DataFrame(columns=["study_id", "year", "estimate", "ci_low", "ci_high"])
    cum = cumul(e["yi"], e["vi"], method=method, test=test).reset_index(drop=True)
    return pd.concat([e.drop(columns=["yi", "vi"]), cum[["estimate", "ci_low", "ci_high"]]], axis=1)


@dataclass(frozen=True)
class DurationRegression:
    """Meta-regression of effect size on treatment duration (weeks)."""

    intercept: float
    slope: float
    slope_ci_low: float
    slope_ci_high: float
    slope_pvalue: float
    k: int
    method: str
    test: str


def duration_regression(effects: pd.DataFrame, method: str = "REML", test: str = "z"):
    """Regress ``yi`` on ``duration_weeks`` (None with fewer than 3 studies or one duration)."""
    from .diagnostics import metareg

    e = effects[effects["duration_weeks"].notna()]
    if len(e) < 3 or e["duration_weeks"].nunique() < 2:
        return None
    fit = metareg(e["yi"], e["vi"], e[["duration_weeks"]], method=method, test=test)
    coef = fit.coefficients.set_index("term")
    row = coef.loc["duration_weeks"]
    return DurationRegression(
        intercept=float(coef.iloc[0]["estimate"]),
        slope=float(row["estimate"]),
        slope_ci_low=float(row["ci_low"]),
        slope_ci_high=float(row["ci_high"]),
        slope_pvalue=float(row["pvalue"]),
        k=len(e),
        method=method,
        test=test,
    )


def egger_test(effects: pd.DataFrame, method: str = "REML", test: str = "z"):
    """Egger's regression test for funnel asymmetry (None with fewer than 3 studies)."""
    from .diagnostics import egger

    return egger(effects["yi"], effects["vi"], method, test) if len(effects) >= 3 else None


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
    r = _numeric(r, ("estimate", "ci_low", "ci_high", "n_studies", "n_participants", "i2"))
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
        what = pal.COMPARISON_LABELS.get(self.comparison, "any comparison")
        return f"{self.outcome.replace('_', ' ').capitalize()}, {what}: {where}"

    @property
    def measure_label(self) -> str:
        """Axis name of the measure."""
        return {"SMD": "SMD (Hedges' g)", "MD": "mean difference"}.get(self.measure, self.measure)

    def _not_drawn(self):
        """Return the short empty Chart shown instead of a chart when nothing was pooled."""
        from .figures import no_chart

        what = pal.COMPARISON_LABELS.get(self.comparison, "any comparison")
        return no_chart(
            f"Not drawn: no {self.outcome.replace('_', ' ')} effect size ({what}) for "
            f"{self.condition.replace('_', ' ') if self.condition else 'these studies'}."
        )

    # Shortcuts used by the notebooks: each is one figure builder on this analysis.
    def forest(self):
        """Return :func:`ldn_analysis.figures.forest_plot` of this analysis."""
        if not self.k:
            return self._not_drawn()
        from .figures import forest_plot

        return forest_plot(
            self.effects, self.result, title=self.title, measure_label=self.measure_label
        )

    def sensitivity_chart(self):
        """Return :func:`ldn_analysis.figures.method_sensitivity` of this analysis."""
        if not self.k:
            return self._not_drawn()
        from .figures import method_sensitivity

        return method_sensitivity(
            self.sensitivity, method=self.method, test=self.test, measure_label=self.measure
        )

    def leave_one_out_chart(self):
        """Return :func:`ldn_analysis.figures.leave_one_out` of this analysis."""
        if not self.k:
            return self._not_drawn()
        from .figures import leave_one_out, no_chart

        if self.result is None:
            return no_chart("No pooled estimate, so no leave-one-out analysis.")
        return leave_one_out(self.leave_one_out, self.result, measure_label=self.measure)

    def cumulative_chart(self):
        """Return :func:`ldn_analysis.figures.cumulative_plot` of this analysis."""
        if not self.k:
            return self._not_drawn()
        from .figures import cumulative_plot

        return cumulative_plot(self.cumulative, measure_label=self.measure)

    def funnel(self):
        """Return :func:`ldn_analysis.figures.funnel_plot` of this analysis."""
        if not self.k:
            return self._not_drawn()
        from .figures import funnel_plot

        return funnel_plot(self.effects, self.result, self.egger, measure_label=self.measure)

    def duration_chart(self):
        """Return :func:`ldn_analysis.figures.effect_vs_duration` of this analysis."""
        from .figures import effect_vs_duration

        return effect_vs_duration(self.effects, self.regression, measure_label=self.measure)

    def reconciliation_chart(self):
        """Return :func:`ldn_analysis.figures.reconciliation` (ours vs published)."""
        from .figures import reconciliation

        return reconciliation(self.ours(), self.published)

    def effects_table(self) -> Table:
        """Return the per-study effect sizes with how each was computed, as a :class:`Table`."""
        from .figures import ci_text, describe

        e = describe(self.effects)
        se = np.sqrt(e["vi"])
        frame = pd.DataFrame(
            {
                "study": e["study_id"],
                "design": e["design_label"],
                "n": e["n"].map(lambda x: "" if pd.isna(x) else f"{int(x)}"),
                "dose": e["dose_text"],
                "weeks": e["weeks_text"],
                f"{self.measure} (95% CI)": [
                    ci_text(y, y - 1.96 * v, y + 1.96 * v) for y, v in zip(e["yi"], se, strict=True)
                ],
                "how it was computed": e["conversion"],
                "source_url": e["source_url"],
            }
        )
        skipped = "; ".join(f"{r.study_id}: {r.reason}" for r in self.skipped.itertuples())
        return Table(
            frame,
            caption=f"{self.title}: effect sizes (positive favours LDN)"
            + (f". Not usable: {skipped}" if skipped else ""),
            empty_text=(
                f"Studies reporting it without a usable effect size: {skipped}." if skipped else ""
            ),
        )

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
    """
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
        leave_one_out=leave_one_out_table(effects, method, test),
        cumulative=cumulative_table(effects, method, test),
        regression=duration_regression(effects, method, test),
        egger=egger_test(effects, method, test),
        md_result=md_result,
        md_note=md_note,
        published=published_estimates(selection, outcome, comparison),
        candidates=tuple(_candidates(selection, comparison)),
    )


def _candidates(selection: Selection, comparison: str | None) -> list[str]:
    comparator = {"ldn_vs_placebo": "placebo", "ldn_vs_active": "active"}.get(comparison or "")
    s = selection.studies
    return list(s[s["comparator"] == comparator]["study_id"]) if comparator else []


# --------------------------------------------------------------------------- safety


def ae_table(selection: Selection, event: str | None = None) -> pd.DataFrame:
    """Per-study, per-arm adverse-event proportions with 95% Wilson intervals.

    Zero-event rows get ``[0, 3/n]`` (rule of three) instead, labelled in ``interval``.
    Rows without ``n_at_risk`` are left out (no proportion without a denominator).

    Returns
    -------
    pandas.DataFrame
        ``study_id, event, arm, events, n_at_risk, proportion, ci_low, ci_high,
        interval`` plus study descriptors (``n`` = the study's participants).
    """
    from .proportions import rule_of_three, wilson

    a = _numeric(selection.adverse_events, ("events", "n_at_risk"))
    if event:
        a = a[a["event"] == event]
    a = a[a["events"].notna() & a["n_at_risk"].gt(0) & (a["events"] <= a["n_at_risk"])].copy()
    lo, hi = wilson(a["events"], a["n_at_risk"])
    zero = a["events"].eq(0).to_numpy()
    a["proportion"] = a["events"] / a["n_at_risk"]
    a["ci_low"] = np.where(zero, 0.0, lo)
    a["ci_high"] = np.where(zero, rule_of_three(a["n_at_risk"]).clip(max=1.0), hi)
    a["interval"] = np.where(zero, "rule of three", "Wilson")
    a["n"] = a["study_n"]
    return a.reset_index(drop=True)


def pooled_ae_table(selection: Selection, model: str = "logit") -> pd.DataFrame:
    """Pool the share of LDN-treated participants with each event across studies.

    Events seen in one study only are reported with that study's Wilson interval
    (``k = 1``, not pooled).

    Returns
    -------
    pandas.DataFrame
        ``event, estimate, ci_low, ci_high, k, n, events, studies, method, warnings``.
    """
    from .proportions import pool_proportions

    a = ae_table(selection)
    a = a[a["arm"] == "ldn"]
    rows = []
    for event, g in a.groupby("event"):
        g = g.drop_duplicates("study_id")
        base = {
            "event": event,
            "k": len(g),
            "n": int(g["n_at_risk"].sum()),
            "events": int(g["events"].sum()),
            "studies": ", ".join(g["study_id"]),
        }
        if len(g) == 1:
            r = g.iloc[0]
            rows.append(
                {
                    **base,
                    "estimate": r.proportion,
                    "ci_low": r.ci_low,
                    "ci_high": r.ci_high,
                    "method": f"single study ({r.interval})",
                    "warnings": "",
                }
            )
            continue
        res = pool_proportions(g["events"], g["n_at_risk"], model=model)
        rows.append(
            {
                **base,
                "estimate": res.estimate,
                "ci_low": res.ci_low,
                "ci_high": res.ci_high,
                "method": f"{model} random effects ({res.method})",
                "warnings": " | ".join(res.warnings),
            }
        )
    cols = [
        "event",
        "estimate",
        "ci_low",
        "ci_high",
        "k",
        "n",
        "events",
        "studies",
        "method",
        "warnings",
    ]
    return pd.DataFrame(rows, columns=cols)


def risk_ratio_table(selection: Selection) -> pd.DataFrame:
    """Risk ratio LDN vs placebo for each study and event reported in both arms.

    Uses :func:`ldn_analysis.effects.compute_ae_effects` (log RR, 1/2 added to tables
    with a zero cell; no estimate when both arms have no events).

    Returns
    -------
    pandas.DataFrame
        ``study_id, event, rr, ci_low, ci_high, events_ldn, n_ldn, events_ctrl, n_ctrl,
        note`` plus study descriptors.
    """
    from .effects import compute_ae_effects

    a = ae_table(selection)
    ldn = a[a["arm"] == "ldn"]
    ctrl = a[a["arm"] == "placebo"][["study_id", "event", "events", "n_at_risk"]]
    pairs = ldn.merge(ctrl, on=["study_id", "event"], suffixes=("_l", "_c"))
    if pairs.empty:
        return pd.DataFrame(columns=["study_id", "event", "rr", "ci_low", "ci_high", "note"])
    eff = compute_ae_effects(
        pairs["events_l"],
        pairs["n_at_risk_l"],
        pairs["events_c"],
        pairs["n_at_risk_c"],
        measure="RR",
    )
    se = np.sqrt(eff["vi"])
    out = pairs.drop(columns=["events_l", "n_at_risk_l", "events_c", "n_at_risk_c"]).assign(
        rr=np.exp(eff["yi"]),
        ci_low=np.exp(eff["yi"] - 1.959964 * se),
        ci_high=np.exp(eff["yi"] + 1.959964 * se),
        events_ldn=eff["events_ldn"],
        n_ldn=eff["n_ldn"],
        events_ctrl=eff["events_ctrl"],
        n_ctrl=eff["n_ctrl"],
        note=np.where(eff["reason"] != "", eff["reason"], eff["conversion"]),
    )
    return out.reset_index(drop=True)

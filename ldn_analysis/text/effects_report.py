"""The ``effects`` command's output: per-study effects, the pooled result, sensitivity analyses.

Everything is read from one :class:`ldn_analysis.analysis.efficacy.Efficacy` (the object
the reports show), so the command and the pages print the same numbers. Three formats:
a plain-text table, JSON and CSV.
"""

from __future__ import annotations

import csv
import io
import json
import math

import pandas as pd

from ldn_analysis.analysis.efficacy import Efficacy
from ldn_analysis.errors import ChoiceError
from ldn_analysis.text.format import ci_text, fmt, name_studies
from ldn_analysis.text.reconciliation import study_names_of
from ldn_analysis.text.tables import Table

FORMATS = ("table", "json", "csv")
"""Output formats of :func:`render_effects`."""

STUDY_FIELDS = (
    "study_id",
    "outcome_id",
    "design",
    "yi",
    "vi",
    "sei",
    "measure",
    "derived",
    "uses_rho",
    "derivation",
    "statistics",
    "formula",
    "assumption",
    "source",
)
POOLED_FIELDS = (
    "k",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "pi_low",
    "pi_high",
    "tau2",
    "i2",
    "pvalue",
    "method",
    "test",
    "interval_method",
)
SENSITIVITY_FIELDS = (
    "analysis",
    "rho",
    "k",
    "estimate",
    "ci_low",
    "ci_high",
    "pi_low",
    "pi_high",
    "tau2",
    "i2",
    "pvalue",
    "study_ids",
    "left_out",
)
_TESTS = {
    "z": "z (Wald) intervals",
    "t": "t intervals, k-1 df",
    "knha": "Knapp-Hartung (t, k-1 df)",
    "adhoc": "Knapp-Hartung ad hoc (never narrower than z)",
}
_ANALYSES = {
    "primary": "all effects (primary)",
    "direct": "directly reported effects only",
    "rho": "assumed within-person correlation",
}


def _clean(value):
    """Return a JSON-safe scalar (NaN -> None, numpy -> Python)."""
    if isinstance(value, tuple | list):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def interval_method(result) -> str:
    """Say how a pooled result's intervals were made, e.g. "REML, Knapp-Hartung (t, k-1 df)"."""
    if result is None:
        return ""
    return f"{result.method}, {_TESTS.get(result.test, result.test)}"


def effects_payload(eff: Efficacy) -> dict:
    """Return the command's content as plain data (what ``--format json`` prints).

    Keys: ``condition, outcome, comparison, measure, rho``; ``studies`` (one dict per
    pooled study, :data:`STUDY_FIELDS`); ``skipped`` (study_id, outcome_id, reason);
    ``pooled`` (:data:`POOLED_FIELDS`, None without studies); ``sensitivity`` (the
    :attr:`Efficacy.assumptions` rows, :data:`SENSITIVITY_FIELDS`); ``reconciliation``
    (each published result with ours redone its way).
    """
    e = eff.effects.assign(sei=eff.effects["vi"] ** 0.5)
    studies = [
        {
            **{f: _clean(r.get(f)) for f in STUDY_FIELDS if f != "source"},
            "source": _clean(r.get("source_url")),
        }
        for r in e.to_dict("records")
    ]
    res = eff.result
    pooled = None
    if res is not None:
        pooled = {f: _clean(getattr(res, f, None)) for f in POOLED_FIELDS[:-1]}
        pooled["interval_method"] = interval_method(res)
    sens = [
        {f: _clean(r.get(f)) for f in SENSITIVITY_FIELDS}
        for r in eff.assumptions.to_dict("records")
    ]
    recon = [{k: _clean(v) for k, v in r.items()} for r in eff.reconciliation.to_dict("records")]
    return {
        "condition": eff.condition,
        "outcome": eff.outcome,
        "comparison": eff.comparison,
        "measure": eff.measure,
        "rho": eff.rho,
        "studies": studies,
        "skipped": [
            {k: _clean(v) for k, v in r.items()}
            for r in eff.skipped[["study_id", "outcome_id", "reason"]].to_dict("records")
        ],
        "pooled": pooled,
        "sensitivity": sens,
        "reconciliation": recon,
    }


def effects_json(eff: Efficacy) -> str:
    """Return :func:`effects_payload` as indented JSON (NaN written as null)."""
    return json.dumps(effects_payload(eff), indent=2, ensure_ascii=False)


def effects_csv(eff: Efficacy) -> str:
    """Return one CSV table: a ``row`` column says ``study``, ``pooled`` or ``sensitivity``.

    Study rows fill :data:`STUDY_FIELDS`; the pooled and sensitivity rows fill ``k``,
    the estimate, intervals, tau², I², p and ``analysis`` / ``rho`` / ``interval_method``.
    """
    payload = effects_payload(eff)
    fields = list(dict.fromkeys(["row", *STUDY_FIELDS, *POOLED_FIELDS, *SENSITIVITY_FIELDS]))
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    for s in payload["studies"]:
        w.writerow({"row": "study", **s})
    if payload["pooled"]:
        w.writerow({"row": "pooled", "analysis": "primary", "measure": eff.measure,
                    **payload["pooled"]})  # fmt: skip
    for s in payload["sensitivity"]:
        w.writerow({"row": "sensitivity", "measure": eff.measure, **s})
    return out.getvalue()


def _analysis_label(row: dict) -> str:
    label = _ANALYSES.get(row["analysis"], row["analysis"])
    return f"rho = {fmt(row['rho'], 1)}" if row["analysis"] == "rho" else label


def _num(x, digits=3) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}"


def effects_text(eff: Efficacy) -> str:
    """Return the plain-text table: per-study effects, pooled result, sensitivity analyses."""
    p = effects_payload(eff)
    lines = [f"{eff.title} ({eff.measure}, positive favours LDN)", ""]
    if not p["studies"]:
        lines.append("No study gives an effect size for this outcome.")
    else:
        width = max(len(s["study_id"]) for s in p["studies"])
        lines.append(f"{'study_id':<{width}}  {'yi':>7}  {'vi':>7}  measure  direct  derivation")
        for s in p["studies"]:
            lines.append(
                f"{s['study_id']:<{width}}  {_num(s['yi']):>7}  {_num(s['vi']):>7}  "
                f"{s['measure']:<7}  {'no' if s['derived'] else 'yes':<6}  {s['derivation']}"
            )
            lines.append(f"{'':<{width}}  source: {s['source']}")
    for s in p["skipped"]:
        lines.append(f"not usable: {s['study_id']} ({s['reason']})")
    lines.append("")
    q = p["pooled"]
    if q:
        lines.append(
            f"pooled: k = {q['k']}, estimate {_num(q['estimate'])} (95% CI {_num(q['ci_low'])} "
            f"to {_num(q['ci_high'])}), "
            + (
                f"PI {_num(q['pi_low'])} to {_num(q['pi_high'])}, "
                f"tau2 = {_num(q['tau2'], 4)}, I2 = {_num(q['i2'], 1)}%"
                if q["k"] > 1
                else "one study: no heterogeneity or prediction interval"
            )
            + f"; {q['interval_method']}"
        )
        lines += ["", "sensitivity analyses:"]
        for s in p["sensitivity"]:
            est = (
                f"{_num(s['estimate'])} (95% CI {_num(s['ci_low'])} to {_num(s['ci_high'])})"
                if s["k"]
                else "no study left"
            )
            out = f"; left out: {s['left_out'].replace(';', ', ')}" if s["left_out"] else ""
            lines.append(f"  {_analysis_label(s)}: k = {s['k']}, {est}{out}")
    else:
        lines.append("pooled: no study to pool")
    if p["reconciliation"]:
        lines += ["", "published meta-analyses, and ours redone their way (favours-LDN scale):"]
        for r in p["reconciliation"]:
            ours = (
                f"{_num(r['estimate'])} ({_num(r['ci_low'])} to {_num(r['ci_high'])}), "
                f"k = {r['k']}, {r['method']}/{r['test']}"
                if r["k"]
                else "not estimable"
            )
            lines.append(
                f"  {r['label']}: {r['measure']} {_num(r['published_estimate'], 2)} "
                f"({_num(r['published_ci_low'], 2)} to {_num(r['published_ci_high'], 2)}); "
                f"ours: {ours}"
            )
    return "\n".join(lines) + "\n"


def render_effects(eff: Efficacy, fmt_name: str = "table") -> str:
    """Return the ``effects`` command's output in ``fmt_name`` (:data:`FORMATS`)."""
    if fmt_name not in FORMATS:
        raise ChoiceError("format", fmt_name, FORMATS)
    return {"table": effects_text, "json": effects_json, "csv": effects_csv}[fmt_name](eff)


# --- page tables ------------------------------------------------------------------------------


def _ci(est, lo, hi) -> str:
    return ci_text(est, lo, hi) if pd.notna(est) else "not estimable"


def assumptions_table(eff: Efficacy) -> Table:
    """Return the sensitivity to how effects were derived (:attr:`Efficacy.assumptions`).

    Rows: all effects (primary), directly reported effects only, and rho 0.2 / 0.5 / 0.8
    when crossover or change data use the assumed within-person correlation.
    """
    a = eff.assumptions
    frame = pd.DataFrame(
        {
            "analysis": [_analysis_label(r) for r in a.to_dict("records")],
            "studies": a["k"].astype(int) if len(a) else [],
            f"{eff.measure} (95% CI)": [
                _ci(r.estimate, r.ci_low, r.ci_high) for r in a.itertuples()
            ],
            "τ²": [fmt(x, 3) for x in a["tau2"]],
            "I²": [f"{fmt(x, 0)}%" if pd.notna(x) else "n/a" for x in a["i2"]],
            "left out": [
                name_studies(str(x), study_names_of(eff)) if pd.notna(x) else ""
                for x in a["left_out"]
            ],
        }
    )
    return Table(
        frame,
        caption=f"{eff.title}: does the result depend on derived effects or on rho? "
        "(positive favours LDN)",
        empty_text="",
    )


def _differs(r, names: dict[str, str]) -> str:
    why = []
    if r.named and (r.not_in_ours or r.not_in_theirs):
        why.append("studies differ")
    elif not r.named:
        why.append("studies not named")
    if r.off_scale:
        why.append(f"not on the {r.scale} scale: {name_studies(r.off_scale, names)}")
    if r.crossover_ids:
        why.append(f"crossover as paired: {name_studies(r.crossover_ids, names)}")
    if r.derived_ids:
        why.append(f"derived: {name_studies(r.derived_ids, names)}")
    if r.model_assumed:
        why.append("model assumed")
    return "; ".join(why)


def reconciliation_table(eff: Efficacy) -> Table:
    """Return each published meta-analysis beside ours redone its way, with what differs.

    Both on the favours-LDN scale; :func:`ldn_analysis.text.summaries.reconciliation_text`
    explains each difference in sentences.
    """
    rc = eff.reconciliation
    frame = pd.DataFrame(
        {
            "published meta-analysis": rc["label"],
            "measure": rc["measure"],
            "published": [
                _ci(r.published_estimate, r.published_ci_low, r.published_ci_high)
                for r in rc.itertuples()
            ],
            "their studies": [fmt(x) for x in rc["published_k"]],
            "ours, redone their way": [
                _ci(r.estimate, r.ci_low, r.ci_high) for r in rc.itertuples()
            ],
            "our studies": rc["k"],
            "our model": [f"{m}, {t}" for m, t in zip(rc["method"], rc["test"], strict=True)],
            "what still differs": [_differs(r, study_names_of(eff)) for r in rc.itertuples()],
            "source_url": rc["source_url"],
        }
    )
    return Table(
        frame,
        caption=f"{eff.title}: published meta-analyses and ours redone their way "
        "(positive favours LDN)",
        empty_text="",
    )

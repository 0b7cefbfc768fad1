"""Risk of bias (RoB 2), spin and copying between the source texts, and surrogate outcomes.

The lesson ``teach_risk_of_bias`` compares two placebo-controlled fibromyalgia trials
assessed with RoB 2 in ``risk_of_bias.csv`` (:data:`PAIR`), asks the student to apply
the overall rule to one trial's five domain judgements (exercise
``risk_of_bias_overall``), then shows the claims about copying and "new study" framing
with their verdicts, and a trial whose favourable conclusion rests on a laboratory
marker. Every judgement, verdict and p value comes from the data; the overall rule is
the one the assessors applied (``notes`` of the overall rows).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd

from ldn_analysis import claims as C
from ldn_analysis import vocab
from ldn_analysis.analysis import Selection, select
from ldn_analysis.errors import LDNError
from ldn_analysis.figures import Chart, risk_of_bias_chart
from ldn_analysis.teaching.exercise_types import Exercise
from ldn_analysis.text.format import plural

PAIR = ("younger_2013", "bruun_2024")
"""The two RoB 2-assessed fibromyalgia trials the lesson compares (study ids)."""
MULTIPLE_CONCERNS = 3
"""Domains with some concerns that make the overall judgement high (the assessors' rule)."""
SPIN_CLAIMS = ("c105", "c106", "c107", "c108", "c109", "c110", "c111")
"""Claims about copying, counting one trial three times and "new study" framing."""
SURROGATE_STUDY = "traore_2011"
SURROGATE_MARKERS = ("CD4",)
"""Outcome names that start with these are laboratory markers, not clinical events."""


def _rob(evidence: Any) -> pd.DataFrame:
    rob = getattr(evidence, "risk_of_bias", None)
    if rob is None or rob.empty:
        raise LDNError(
            "risk_of_bias.csv is missing or empty: the risk-of-bias lesson needs data version "
            "2.0.0 or later (python -m ldn_analysis data check)"
        )
    rob = rob[rob["tool"].astype(str).str.lower() == "rob2"]
    missing = [s for s in PAIR if s not in set(rob["study_id"])]
    if missing:
        raise LDNError(
            f"risk_of_bias.csv: no RoB 2 rows for {', '.join(missing)} (column study_id); "
            "the lesson compares these trials, add their assessment or change PAIR"
        )
    return rob


def _judgements(evidence: Any, study: str) -> dict[str, str]:
    rob = _rob(evidence)
    rows = rob[rob["study_id"] == study]
    if rows.empty:
        raise LDNError(f"risk_of_bias.csv: no RoB 2 rows for {study} (column study_id)")
    got = dict(zip(rows["domain"], rows["judgement"].astype(str), strict=True))
    absent = [d for d in vocab.ROB_DOMAINS if d not in got]
    if absent:
        raise LDNError(
            f"risk_of_bias.csv: {study} has no row for {', '.join(absent)} (column domain)"
        )
    return got


def overall_by_rule(domains: dict[str, str]) -> str:
    """Apply the RoB 2 overall rule to five domain judgements.

    The overall judgement is the worst domain judgement, and ``high`` also when
    :data:`MULTIPLE_CONCERNS` or more domains have some concerns.
    """
    five = [domains[d] for d in vocab.ROB_DOMAINS if d != "overall"]
    if "high" in five or five.count("some_concerns") >= MULTIPLE_CONCERNS:
        return "high"
    return "some_concerns" if "some_concerns" in five else "low"


def rob_pair_selection(evidence: Any) -> Selection:
    """Return a selection holding only the two trials of :data:`PAIR` (for the RoB charts)."""
    rob = _rob(evidence)
    condition = evidence.studies.set_index("study_id").loc[PAIR[0], "condition"]
    sel = select(evidence, condition)
    keep = sel.studies["study_id"].isin(PAIR)
    return replace(
        sel,
        studies=sel.studies[keep],
        risk_of_bias=rob[rob["study_id"].isin(PAIR)],
        computed={},
    )


def rob_pair_chart(evidence: Any) -> Chart:
    """Return the robvis-style traffic-light plot of the two trials (it shows the overall)."""
    return risk_of_bias_chart(rob_pair_selection(evidence))


def rob_domain_table(evidence: Any) -> pd.DataFrame:
    """Return the five RoB 2 domain judgements of both trials, without the overall row."""
    rob = _rob(evidence)
    rows = []
    for study in PAIR:
        r = rob[rob["study_id"] == study].set_index("domain")
        for d in vocab.ROB_DOMAINS[:-1]:
            rows.append(
                {
                    "trial": C.study_label(evidence, study),
                    "domain": vocab.ROB_DOMAIN_LABELS[d],
                    "judgement": vocab.ROB_LABELS[str(r.loc[d, "judgement"])],
                    "why (the assessor's support)": r.loc[d, "support"],
                    "source_url": r.loc[d, "source_url"],
                }
            )
    return pd.DataFrame(rows)


def rob_values(evidence: Any, study: str | None = None, **_: Any) -> dict:
    """Numbers of the exercise: a trial's domain judgements and the recorded overall."""
    study = study or PAIR[0]
    got = _judgements(evidence, study)
    five = [got[d] for d in vocab.ROB_DOMAINS[:-1]]
    concerns = [vocab.ROB_DOMAIN_SHORT[d] for d in vocab.ROB_DOMAINS[:-1] if got[d] != "low"]
    return {
        "study_id": study,
        "study": C.study_label(evidence, study),
        "domains": got,
        "n_concerns": five.count("some_concerns"),
        "n_high": five.count("high"),
        "not_low": ", ".join(concerns) or "none",
        "multiple": MULTIPLE_CONCERNS,
        "recorded": got["overall"],
    }


def rob_answer(v: dict) -> str:
    """Return the overall judgement the rule gives for the trial's five domains."""
    return overall_by_rule(v["domains"])


def rob_diagnose(v: dict, given: str) -> str:
    """Explain the distinction behind a wrong overall judgement."""
    right = rob_answer(v)
    if given == "low" and right != "low":
        return (
            f"Domains {v['not_low']} are not at low risk; one domain with a problem is enough "
            "to lower the whole trial: the overall is at least as bad as the worst domain. "
            "Averaging the domains hides the problem."
        )
    if given == "high" and right != "high":
        return (
            f"No domain is at high risk, and {v['n_concerns']} with some concerns is fewer "
            f"than the {v['multiple']} that would make the trial high overall."
        )
    if given == "some_concerns" and right == "high":
        return (
            "At least one domain is at high risk, or several have some concerns: the "
            "overall is high."
        )
    return "The overall is the worst domain judgement."


def rob_caveat(v: dict) -> str:
    """Say what the judgement is about, and whether the assessor recorded the same."""
    same = "the same" if v["recorded"] == rob_answer(v) else "a different"
    return (
        f"The assessor recorded {same} overall judgement "
        f"({vocab.ROB_LABELS[v['recorded']].lower()}). RoB 2 judges one result (here the "
        "primary pain outcome), not the trial or its authors, and a bias judgement says how "
        "far the result can be trusted, not which way it leans."
    )


def rob_reasoning(v: dict, ans: str, _ev: Any) -> str:
    """Return the worked answer of the exercise."""
    listed = "; ".join(
        f"{vocab.ROB_DOMAIN_LABELS[d]}: {vocab.ROB_LABELS[v['domains'][d]].lower()}"
        for d in vocab.ROB_DOMAINS[:-1]
    )
    return (
        f"{v['study']}: {listed}. Domains at high risk: {v['n_high']}; with some concerns: "
        f"{v['n_concerns']} ({v['not_low']}). The rule (worst domain, "
        f"high also with {v['multiple']} or more domains of some concern) gives "
        f"{vocab.ROB_LABELS[ans].lower()}. A review would show this trial's result with that "
        "judgement beside it and check whether the pooled estimate changes without the "
        "trials at higher risk."
    )


EXERCISE = Exercise(
    "risk_of_bias_overall",
    "The table above gives the five RoB 2 domain judgements of {study}. The assessors' "
    "overall rule: the overall judgement is the worst domain judgement, and high also when "
    "{multiple} or more domains have some concerns. What is the overall risk of bias of "
    "{study}'s primary pain result?",
    rob_values,
    rob_answer,
    0,
    "Find the worst judgement among the five domains, then count the domains with some concerns.",
    "choice",
    options=vocab.ROB_JUDGEMENTS,
    diagnose=rob_diagnose,
    caveat=rob_caveat,
)


def rob_overall_text(evidence: Any) -> str:
    """Return both trials' recorded overall judgements with the assessors' summaries."""
    rob = _rob(evidence)
    parts = []
    for study in PAIR:
        r = rob[(rob["study_id"] == study) & (rob["domain"] == "overall")].iloc[0]
        parts.append(
            f"{C.study_label(evidence, study)}: {vocab.ROB_LABELS[str(r['judgement'])].lower()} "
            f"overall. {r['support']}"
        )
    return "\n\n".join(parts)


# ----------------------------------------------------------------- spin and copying


def spin_table(evidence: Any, claims: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the claims about copying, repetition and framing with their computed verdicts."""
    if claims is None:
        claims = getattr(evidence, "claims", None)
    if claims is None:
        claims = C.load_claims(getattr(evidence, "data_dir", None))
    rows = claims[claims["claim_id"].isin(SPIN_CLAIMS)]
    missing = sorted(set(SPIN_CLAIMS) - set(rows["claim_id"]))
    if missing:
        raise LDNError(f"claims.csv: no row for {', '.join(missing)} (column claim_id)")
    result = C.evaluate_claims(evidence, rows)
    return pd.DataFrame(
        {
            "claim": result["claim_id"].to_numpy(),
            "text": result["source_file"].str[:3].to_numpy(),
            "what the text says (paraphrased)": result["claim_text"].to_numpy(),
            "verdict": result["verdict"].str.replace("_", " ").to_numpy(),
            "why": result["explanation"].to_numpy(),
            "curator's note": result["curator_note"].to_numpy(),
            "source_url": rows.set_index("claim_id")
            .loc[result["claim_id"], "source_url"]
            .to_numpy(),
        }
    )


# --------------------------------------------------------------- surrogate outcomes


def _is_marker(outcome: pd.Series) -> pd.Series:
    return outcome.astype(str).str.startswith(SURROGATE_MARKERS)


def surrogate_table(evidence: Any, study: str = SURROGATE_STUDY) -> pd.DataFrame:
    """Return every outcome row of a trial: what it measured, when, and the reported p."""
    o = evidence.outcomes
    o = o[o["study_id"] == study]
    if o.empty:
        raise LDNError(f"outcomes.csv: no row for {study} (column study_id)")
    p = pd.to_numeric(o["p_value"], errors="coerce")
    weeks = pd.to_numeric(o["timepoint_weeks"], errors="coerce")
    return pd.DataFrame(
        {
            "outcome": o["instrument"].fillna(o["outcome"]).to_numpy(),
            "kind": _is_marker(o["instrument"].fillna(""))
            .map({True: "laboratory marker", False: "clinical"})
            .to_numpy(),
            "weeks": weeks.map(lambda w: "" if pd.isna(w) else f"{w:.0f}").to_numpy(),
            "p value (LDN vs placebo)": p.map(
                lambda x: "not reported" if pd.isna(x) else f"{x:.3f}"
            ).to_numpy(),
            "note": o["notes"].fillna("").to_numpy(),
            "source_url": o["source_url"].to_numpy(),
        }
    )


def surrogate_text(evidence: Any, study: str = SURROGATE_STUDY) -> str:
    """Return what the trial measured, which result was significant, and what it registered."""
    t = surrogate_table(evidence, study)
    markers = int((t["kind"] == "laboratory marker").sum())
    clinical = len(t) - markers
    p = pd.to_numeric(t["p value (LDN vs placebo)"], errors="coerce")
    sig = t[p < 0.05]
    sig_text = (
        "; ".join(f"{r.outcome} at week {r.weeks} (p = {p[i]:.3f})" for i, r in sig.iterrows())
        or "none"
    )
    rob = getattr(evidence, "risk_of_bias", None)
    d5 = "" if rob is None else rob[(rob["study_id"] == study) & (rob["domain"] == "d5_reporting")]
    reporting = (
        ""
        if isinstance(d5, str) or d5.empty
        else (
            f" Risk of bias in the selection of the reported result: "
            f"{vocab.ROB_LABELS[str(d5.iloc[0]['judgement'])].lower()}. "
            f"{d5.iloc[0]['support']}"
        )
    )
    return (
        f"{C.study_label(evidence, study)} has {plural(len(t), 'outcome row')} in the "
        "evidence base: "
        f"{plural(markers, 'laboratory marker')} and "
        f"{plural(clinical, 'clinical outcome') if clinical else 'no clinical outcome'} "
        f"(illness, hospital stay, death or how patients feel). Below p = 0.05: {sig_text}."
        f"{reporting}"
    )

"""Two traps with no drug in them: regression to the mean and multiplicity.

Both are shown with small seeded simulations, so every number on the page is computed
and the same on every run. Nobody in either simulation is treated.

- :func:`rtm_simulation`: people whose pain is measured twice with measurement noise;
  those who score high at screening are enrolled; at follow-up their average falls
  though nothing was done. The expected fall follows from the reliability of the
  measurement (:func:`rtm_values`).
- :func:`registration_table`: completed or terminated registrations and whether a
  publication is linked in the evidence base (reporting bias).
- :func:`multiplicity_simulation`: trials of a drug that does nothing, each testing
  several independent outcomes at the 5% level; how many report at least one
  "significant" result.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from scipy import stats

import ldn_analysis.figures.palette as pal
from ldn_analysis.claims import study_label
from ldn_analysis.figures import Chart, make_figure
from ldn_analysis.teaching._base import with_study_ids
from ldn_analysis.teaching.answers import close

RTM_SEED = 20260101
RTM_PEOPLE = 2000
RTM_MEAN = 5.0
"""Average true pain on a 0-10 scale in the simulated population (a design choice)."""
RTM_TRUE_SD = 1.2
RTM_NOISE_SD = 1.2
"""Day-to-day variation of one pain score around a person's own average."""
RTM_CUTOFF = 7.0
"""Screening score needed to enrol (as trials often require moderate-to-severe pain)."""

MULTI_SEED = 20260102
MULTI_TRIALS = 2000
MULTI_OUTCOMES = 10
"""Independent outcomes tested per simulated trial (a design choice)."""
MULTI_N = 40
ALPHA = 0.05


def _rtm_draws(seed: int = RTM_SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    true = rng.normal(RTM_MEAN, RTM_TRUE_SD, RTM_PEOPLE)
    screen = true + rng.normal(0.0, RTM_NOISE_SD, RTM_PEOPLE)
    follow = true + rng.normal(0.0, RTM_NOISE_SD, RTM_PEOPLE)
    return pd.DataFrame({"true": true, "screening": screen, "follow_up": follow})


def rtm_values(evidence: Any = None, seed: int = RTM_SEED, **_: Any) -> dict:
    """Numbers of the regression-to-the-mean exercise (the evidence is not used).

    The reliability ``r`` is the share of score variance that is between people,
    ``true_sd^2 / (true_sd^2 + noise_sd^2)``; the expected follow-up score of people
    selected at a screening average ``s`` is ``mean + r * (s - mean)``.
    """
    d = _rtm_draws(seed)
    enrolled = d[d["screening"] >= RTM_CUTOFF]
    r = RTM_TRUE_SD**2 / (RTM_TRUE_SD**2 + RTM_NOISE_SD**2)
    s = float(enrolled["screening"].mean())
    return {
        "people": RTM_PEOPLE,
        "mean": RTM_MEAN,
        "cutoff": RTM_CUTOFF,
        "reliability": r,
        "enrolled": len(enrolled),
        "screen_mean": s,
        "follow_mean": float(enrolled["follow_up"].mean()),
        "expected_follow": RTM_MEAN + r * (s - RTM_MEAN),
    }


def rtm_table(seed: int = RTM_SEED) -> pd.DataFrame:
    """Average pain at screening and follow-up, enrolled versus everyone (nobody treated)."""
    d = _rtm_draws(seed)
    rows = []
    for label, g in (
        (f"enrolled (screening score {RTM_CUTOFF:g} or more)", d[d["screening"] >= RTM_CUTOFF]),
        ("everyone screened", d),
    ):
        change = g["follow_up"] - g["screening"]
        rows.append(
            {
                "group": label,
                "people": len(g),
                "mean at screening": round(float(g["screening"].mean()), 2),
                "mean at follow-up": round(float(g["follow_up"].mean()), 2),
                "change (negative = less pain)": round(float(change.mean()), 2),
                "improved by 1 point or more": f"{100 * float((change <= -1).mean()):.0f}%",
            }
        )
    return pd.DataFrame(rows)


def multiplicity_values(evidence: Any = None, m: int = MULTI_OUTCOMES, **_: Any) -> dict:
    """Numbers of the multiplicity exercise: ``m`` outcomes, each tested at ``ALPHA``."""
    return {"m": int(m), "alpha_pct": 100 * ALPHA}


def multiplicity_simulation(
    ms: tuple[int, ...] = (1, 5, MULTI_OUTCOMES, 20), seed: int = MULTI_SEED
) -> pd.DataFrame:
    """Simulate trials of a drug that does nothing: the share with at least one p < 0.05.

    Each trial has ``MULTI_N`` people per arm and ``m`` independent normal outcomes with
    no true difference, each compared with a two-sample t test.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for m in ms:
        a = rng.normal(size=(MULTI_TRIALS, m, MULTI_N))
        b = rng.normal(size=(MULTI_TRIALS, m, MULTI_N))
        p = stats.ttest_ind(a, b, axis=2).pvalue
        any_sig = (p < ALPHA).any(axis=1)
        bonf = (p < ALPHA / m).any(axis=1)
        rows.append(
            {
                "outcomes tested": m,
                "simulated trials": MULTI_TRIALS,
                "at least one p < 0.05": f"{100 * any_sig.mean():.1f}%",
                "expected, 1 - 0.95^m": f"{100 * (1 - (1 - ALPHA) ** m):.1f}%",
                "with Bonferroni (p < 0.05/m)": f"{100 * bonf.mean():.1f}%",
            }
        )
    return pd.DataFrame(rows)


def rtm_answer(v: dict) -> float:
    """Return the expected follow-up average of the enrolled group."""
    return v["expected_follow"]


def rtm_diagnose(v: dict, given: float) -> str:
    """Name the usual wrong predictions (no change; all the way back to the mean)."""
    if close(given, v["screen_mean"], 0.2):
        return (
            "That assumes the enrolled group stays where it was at screening; part of a "
            "high screening score was a bad day, which does not repeat."
        )
    if close(given, v["mean"], 0.2):
        return "That assumes the whole excess disappears; only the noise part does."
    return ""


def multiplicity_answer(v: dict) -> float:
    """Return 1 - 0.95^m in percent."""
    return 100 * (1 - (1 - v["alpha_pct"] / 100) ** v["m"])


def multiplicity_diagnose(v: dict, given: float) -> str:
    """Name the usual wrong answers (5%; m x 5%)."""
    if close(given, v["alpha_pct"], 0.5):
        return "5% is the chance for one outcome; with several, the chances add up."
    if close(given, v["m"] * v["alpha_pct"], 0.5):
        return "m x 5% overcounts trials with two or more false positives; use 1 - 0.95^m."
    return ""


FINISHED = ("completed", "terminated")


def registration_table(evidence: Any) -> pd.DataFrame:
    """Completed or terminated registrations, with the publication linked in the evidence base."""
    r = evidence.registrations
    r = r[r["status"].isin(FINISHED)].sort_values("registry_id")
    posted = r["results_posted"].map({True: "yes", False: "no"}).fillna("not recorded")
    out = pd.DataFrame(
        {
            "registration": r["registry_id"].to_numpy(),
            "status": r["status"].to_numpy(),
            "design": r["design"].fillna("not recorded").str.replace("_", " ").to_numpy(),
            "completion date": r["completion_date"].fillna("").to_numpy(),
            "results posted on the registry": posted.to_numpy(),
            "publication in the evidence base": [
                study_label(evidence, s) if s else "" for s in r["linked_study_id"].fillna("")
            ],
            "source_url": r["source_url"].to_numpy(),
        }
    )
    return with_study_ids(out, [i for i in r["linked_study_id"].fillna("") if i])


def reporting_values(evidence: Any, **_: Any) -> dict:
    """Numbers of the reporting-bias exercise (from the registrations table)."""
    t = registration_table(evidence)
    missing = t[t["publication in the evidence base"] == ""]
    return {
        "registered": len(t),
        "unpublished": len(missing),
        "unpublished_ids": ", ".join(missing["registration"]),
        "no_results_either": int((missing["results posted on the registry"] != "yes").sum()),
    }


def reporting_answer(v: dict) -> int:
    """Return the number of finished registrations with no linked publication."""
    return int(v["unpublished"])


def rtm_chart(seed: int = RTM_SEED) -> Chart:
    """Draw the average score at screening and follow-up, enrolled group against everyone."""
    t = rtm_table(seed)
    colours = (pal.FLAG, pal.MUTED)
    traces = [
        go.Scatter(
            x=["screening", "follow-up"],
            y=[r["mean at screening"], r["mean at follow-up"]],
            mode="lines+markers+text",
            text=[f"{r['mean at screening']:.2f}", f"{r['mean at follow-up']:.2f}"],
            textposition="top center",
            name=f"{r['group']} ({r['people']})",
            line={"color": colour, "width": 3},
        )
        for r, colour in zip(t.to_dict("records"), colours, strict=True)
    ]
    e, a = t.iloc[0], t.iloc[1]
    alt = (
        f"Nobody was treated. The {e['people']} people enrolled for a high screening score went "
        f"from {e['mean at screening']:.2f} to {e['mean at follow-up']:.2f} on average; all "
        f"{a['people']} screened went from {a['mean at screening']:.2f} to "
        f"{a['mean at follow-up']:.2f}."
    )
    fig = make_figure(
        traces,
        title="Improvement with no treatment: regression to the mean",
        subtitle="Average simulated pain score (0-10, lower = less pain); nobody was treated",
        yaxis={"title": {"text": "average pain score"}},
        height=380,
    )
    return Chart(fig, alt)

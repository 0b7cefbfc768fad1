"""Numbers in, words out: how every page writes numbers, intervals, doses and counts.

One place formats a number (:func:`fmt`), an interval (:func:`ci_text`), a dose, a
duration, a participant count and a plural (:func:`plural`), so
the same quantity reads the same on every page, in every chart and in the CLI.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ldn_analysis import vocab

_IRREGULAR = {"study": "studies", "analysis": "analyses", "person": "people", "criterion": "criteria"}
"""Plurals that adding "s" gets wrong (inflect was measured at 2 s to import: too slow)."""


def num(value: object) -> float:
    """Return ``value`` as a float, NaN when it is missing or not a number."""
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan
    return out


def fmt(value: object, digits: int = 2) -> str:
    """Format a number for prose and hover text ("n/a" when missing)."""
    x = num(value)
    if math.isnan(x):
        return "n/a"
    if float(x).is_integer() and abs(x) >= 1 and digits <= 2:
        return f"{int(x)}"
    return f"{x:.{digits}f}"


def ci_text(estimate: object, low: object, high: object, digits: int = 2) -> str:
    """Return ``"0.21 (95% CI -0.10 to 0.52)"``."""
    return f"{num(estimate):.{digits}f} (95% CI {num(low):.{digits}f} to {num(high):.{digits}f})"


def conclusion(low: object, high: object) -> str:
    """Say which way a 95% interval on the favours-LDN scale points."""
    lo, hi = num(low), num(high)
    if math.isnan(lo) or math.isnan(hi):
        return "not estimable"
    if lo > 0:
        return "favours LDN"
    if hi < 0:
        return "favours placebo"
    return "inconclusive (interval includes no effect)"


def dose_text(low: object, high: object) -> str:
    """Return the daily dose as text ("4.5 mg/day", "0.75-6 mg/day", "dose not reported")."""
    lo, hi = num(low), num(high)
    if math.isnan(lo) and math.isnan(hi):
        return "dose not reported"
    if math.isnan(lo) or math.isnan(hi) or lo == hi:
        return f"{hi if not math.isnan(hi) else lo:g} mg/day"
    return f"{lo:g}-{hi:g} mg/day"


def weeks_text(weeks: object) -> str:
    """Return the treatment duration as text."""
    w = num(weeks)
    return "duration not reported" if math.isnan(w) else f"{fmt(w, 1)} weeks"


def n_text(n: object) -> str:
    """Return the participant count as text."""
    x = num(n)
    return "n not reported" if math.isnan(x) else f"n = {int(x)}"


def plural(k: int, word: str, many: str | None = None) -> str:
    """Return "1 study" / "3 studies": the count with the right form of the noun."""
    if k == 1:
        return f"{k} {word}"
    if many is None:
        head, _, last = word.rpartition(" ")
        many = (head + " " if head else "") + _IRREGULAR.get(last, last + "s")
    return f"{k} {many}"


def describe(df: pd.DataFrame) -> pd.DataFrame:
    """Add reader-facing descriptor columns to a study-level table.

    Fills ``design_label``, ``tier``, ``dose_text``, ``weeks_text``, ``n_text`` and
    ``source_url`` from the raw columns when they are missing (so builders accept both
    :func:`ldn_analysis.views.study_frame` output and small hand-made tables).
    """
    out = df.copy()
    for col in ("design", "n", "dose_mg_min", "dose_mg_max", "duration_weeks", "source_url"):
        if col not in out:
            out[col] = np.nan if col != "design" else ""
    if "study_id" not in out:
        out["study_id"] = ""
    out["design_label"] = out["design"].map(vocab.design_label)
    out["tier"] = out["design"].map(vocab.tier_of)
    out["dose_text"] = [
        dose_text(a, b) for a, b in zip(out["dose_mg_min"], out["dose_mg_max"], strict=True)
    ]
    out["weeks_text"] = out["duration_weeks"].map(weeks_text)
    out["n_text"] = out["n"].map(n_text)
    return out


def pct(x: object, digits: int = 1) -> str:
    """Return a proportion as a percentage ("0.25" -> "25.0%")."""
    return f"{100 * num(x):.{digits}f}%"

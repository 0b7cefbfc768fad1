"""Numbers in, words out: how every page writes numbers, intervals, doses and counts.

One place formats a number (:func:`fmt`), an interval (:func:`ci_text`), a dose, a
duration, a participant count and a plural (:func:`plural`), so
the same quantity reads the same on every page, in every chart and in the CLI.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from ldn_analysis import vocab

_IRREGULAR = {
    "study": "studies",
    "analysis": "analyses",
    "person": "people",
    "criterion": "criteria",
}
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


_N_BASIS = {"analysed": "analysed", "enrolled": "enrolled", "arms": "in the arms"}


def n_text(n: object) -> str:
    """Return the participant count as text."""
    x = num(n)
    return "n not reported" if math.isnan(x) else f"n = {int(x)}"


_NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
)


def plural(k: int, word: str, many: str | None = None, *, words: bool = False) -> str:
    """Return "1 study" / "3 studies": the count with the right form of the noun.

    ``words=True`` spells counts up to ten ("three studies"), for the start of a sentence
    (combine with :func:`sentence_case`).
    """
    count = _NUMBER_WORDS[k] if words and 0 <= k <= 10 else str(k)
    if k == 1:
        return f"{count} {word}"
    if many is None:
        head, _, last = word.rpartition(" ")
        many = (head + " " if head else "") + _IRREGULAR.get(last, last + "s")
    return f"{count} {many}"


def sentence_case(text: str) -> str:
    """Return ``text`` with its first letter upper-cased (the rest untouched, e.g. "LDN")."""
    return text[:1].upper() + text[1:]


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
    if "yi" in out:  # effect rows: the n of the outcome row, people analysed
        basis = pd.Series("analysed", index=out.index)
    else:
        basis = out.get("n_basis", pd.Series("", index=out.index)).fillna("")
    out["n_text"] = [
        n_text(n) + (f" {_N_BASIS.get(str(b), '')}" if pd.notna(num(n)) and b else "")
        for n, b in zip(out["n"], basis, strict=True)
    ]
    return out


def pct(x: object, digits: int = 1) -> str:
    """Return a proportion as a percentage ("0.25" -> "25.0%")."""
    return f"{100 * num(x):.{digits}f}%"


# --------------------------------------------------------------------------- named quantities


def interval_method(result: object) -> str:
    """Return how a pooled interval was made, e.g. "REML, Knapp-Hartung"."""
    method = str(getattr(result, "method", "") or "")
    test = vocab.test_label(getattr(result, "test", ""))
    return ", ".join(x for x in (method, test) if x)


def effect_text(result: object, measure: str = "SMD", digits: int = 2) -> str:
    """Return a pooled effect with its CI and the method that made it.

    The one formatter of a pooled estimate: every page, chart and CLI line that shows a
    pooled effect calls it, so the same analysis reads the same everywhere, e.g.
    ``"SMD -0.01 (95% CI -2.90 to 2.88; REML, Knapp-Hartung)"``.
    """
    if result is None:
        return "not estimable"
    est, lo, hi = (num(getattr(result, a, None)) for a in ("estimate", "ci_low", "ci_high"))
    body = ci_text(est, lo, hi, digits)[:-1]
    return f"{measure} {body}; {interval_method(result)})".strip()


def range_text(low: object, high: object, unit: str = "", digits: int = 1) -> str:
    """Return "6 weeks" when both ends agree, else "6 to 12 weeks" (never "6 to 6")."""
    a, b = fmt(low, digits), fmt(high, digits)
    tail = f" {unit}" if unit else ""
    return f"{a}{tail}" if a == b else f"{a} to {b}{tail}"


def treatment_weeks_text(weeks: object) -> str:
    """Return how long LDN was given ("12 weeks of treatment")."""
    w = num(weeks)
    return "treatment length not reported" if math.isnan(w) else f"{fmt(w, 1)} weeks of treatment"


def outcome_weeks_text(weeks: object) -> str:
    """Return when the outcome was measured ("13.1 weeks to outcome")."""
    w = num(weeks)
    return "time point not reported" if math.isnan(w) else f"{fmt(w, 1)} weeks to outcome"


def count_text(n: object, kind: str = "participants") -> str:
    """Return a named participant count ("30 participants randomised", "1 participant at risk").

    ``kind`` is "participants" plus how they were counted ("randomised", "analysed",
    "enrolled", "at risk") or just "participants".
    """
    x = num(n)
    if math.isnan(x):
        return f"{kind} not reported"
    word, _, how = kind.partition(" ")
    return plural(int(x), word.removesuffix("s") if word.endswith("s") else word) + (
        f" {how}" if how else ""
    )


# --------------------------------------------------------------------------- citations


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    return str(value).strip()


def citation(row: object) -> str:
    """Return "First author Year, Journal" for a study row (a mapping or a namedtuple)."""
    get = row.get if hasattr(row, "get") else lambda k, d=None: getattr(row, k, d)
    authors = _text(get("authors", "")) or _text(get("first_author", ""))
    first = authors.split(";")[0].split(",")[0].strip()
    if _text(get("authors", "")) and (";" in authors or " and " in authors):
        first = f"{first} et al."
    year = num(get("year", None))
    year_text = "n.d." if math.isnan(year) else str(int(year))
    journal = _text(get("journal", ""))
    if not first:  # no author recorded: name the journal (else the title), never an id
        words = _text(get("title", "")).split()
        title = "\u201c" + " ".join(words[:6]) + ("\u2026" if len(words) > 6 else "") + "\u201d"
        return f"{journal or (title if words else 'Unpublished')} {year_text} (first author not recorded)"
    return f"{first} {year_text}" + (f", {journal}" if journal else "")


def short_citation(row: object) -> str:
    """Return "Younger 2013" (or "J Diabetes 2021" without an author): a chart row label."""
    full = citation(row)
    if "(first author not recorded)" in full:
        return full.replace(" (first author not recorded)", "")
    return full.split(", ")[0]


def short_citations(df: pd.DataFrame) -> list[str]:
    """Return :func:`short_citation` of every row, with a/b suffixes for namesake studies.

    Rows of one study keep one label; two different studies that would read the same
    ("Younger 2013") become "Younger 2013a" and "Younger 2013b".
    """
    ids = df["study_id"].astype(str).tolist() if "study_id" in df else [str(i) for i in df.index]
    first = {}
    for sid, (_, row) in zip(ids, df.iterrows(), strict=True):
        first.setdefault(sid, short_citation(row))
    by_label: dict[str, list[str]] = {}
    for sid, lab in first.items():
        by_label.setdefault(lab, []).append(sid)
    final = {}
    for lab, sids in by_label.items():
        for i, sid in enumerate(sorted(sids)):
            final[sid] = lab if len(sids) == 1 else f"{lab}{'abcdefghijklmnopqrstuvwxyz'[i % 26]}"
    return [final[sid] for sid in ids]


def study_names(studies: pd.DataFrame) -> dict[str, str]:
    """Map each ``study_id`` of a studies table to its short citation ("Younger J 2013").

    The one way reader-facing text names a study by id: prose, table cells and exercise
    texts look the id up here (namesakes get the a/b suffixes of :func:`short_citations`),
    so no page shows an internal id such as ``younger_2013``.
    """
    if studies is None or not len(studies) or "study_id" not in studies:
        return {}
    d = studies.drop_duplicates("study_id")
    return dict(zip(d["study_id"].astype(str), short_citations(d), strict=True))


def name_studies(ids: object, names: dict[str, str], sep: str = ", ") -> str:
    """Return the short citations of several study ids, joined by ``sep`` (unknown ids kept)."""
    if isinstance(ids, str):
        ids = [i for i in ids.replace(";", ",").split(",")]
    return sep.join(names.get(str(i).strip(), str(i).strip()) for i in ids if str(i).strip())


def name_ids_in_text(text: object, names: dict[str, str]) -> str:
    """Replace each whole-word study id in free text (a curator's note) by its short citation.

    For text typed into the data (which code cannot write as citations at the source);
    generated text names studies through :func:`study_names` directly.
    """
    out = _text(text)
    if not out or not names:
        return out
    pattern = re.compile(
        r"(?<![\w])("
        + "|".join(map(re.escape, sorted(names, key=len, reverse=True)))
        + r")(?![\w])"
    )
    return pattern.sub(lambda m: names[m.group(1)], out)


def doi_url(doi: object) -> str:
    """Return the https://doi.org link of a DOI ("" when missing)."""
    d = _text(doi).removeprefix("https://doi.org/").removeprefix("doi:")
    return f"https://doi.org/{d}" if d.startswith("10.") else ""


def pmid_url(pmid: object) -> str:
    """Return the PubMed link of a PMID ("" when missing)."""
    x = num(pmid)
    return "" if math.isnan(x) else f"https://pubmed.ncbi.nlm.nih.gov/{int(x)}/"


def primary_url(row: object) -> str:
    """Return the study's own link: ``primary_url`` when present, else its DOI, else PubMed."""
    get = row.get if hasattr(row, "get") else lambda k, d=None: getattr(row, k, d)
    own = _text(get("primary_url", ""))
    if own.startswith(("https://", "http://")):
        return own
    return doi_url(get("doi", "")) or pmid_url(get("pmid", ""))

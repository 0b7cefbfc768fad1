"""Load and validate ``claims.csv`` and ``news_criteria.csv``; score sources."""

from __future__ import annotations

import inspect
from pathlib import Path

import pandas as pd

from ldn_analysis.claims._base import (
    CLAIM_TYPES,
    CLAIMS_COLUMNS,
    CLAIMS_FILE,
    CONDITION_IDS,
    NEWS_CRITERIA,
    NEWS_CRITERIA_COLUMNS,
    NEWS_CRITERIA_FILE,
    SOURCE_FILES,
    SOURCE_ORIGINS,
    _truthy,
)
from ldn_analysis.claims.evaluate import PROPOSITIONS, parse_args
from ldn_analysis.errors import DataValidationError, ParameterError, Problem
from ldn_analysis.paths import data_dir as default_dir


def _data_dir(data_dir: str | Path | None) -> Path:
    if data_dir is not None:
        return Path(data_dir)

    return default_dir()


def validate_claims(claims_df: pd.DataFrame, file: str = CLAIMS_FILE) -> list[Problem]:
    """Return every problem in a claims table (columns, vocabularies, ids, arguments)."""
    problems: list[Problem] = []
    missing = [c for c in CLAIMS_COLUMNS if c not in claims_df.columns]
    if missing:
        return [Problem(file, None, None, missing, "missing columns", "add: " + ", ".join(missing))]
    seen: set[str] = set()
    checks = (
        ("source_file", SOURCE_FILES),
        ("claim_type", CLAIM_TYPES),
        ("condition", CONDITION_IDS),
        ("proposition", tuple(PROPOSITIONS)),
    )
    for i, r in enumerate(claims_df.itertuples(index=False), start=1):
        cid = str(r.claim_id)
        if cid in seen:
            problems.append(Problem(file, i, "claim_id", cid, "duplicate id", "renumber"))
        seen.add(cid)
        for col, allowed in checks:
            value = getattr(r, col)
            if value not in allowed:
                problems.append(
                    Problem(
                        file, i, col, value, "unknown value", "use one of " + ", ".join(allowed)
                    )
                )
        for col in ("claim_text", "source_url"):
            if not str(getattr(r, col) or "").strip() or str(getattr(r, col)) == "nan":
                problems.append(Problem(file, i, col, None, "blank", f"fill in {col}"))
        if not str(r.source_url).startswith(("http://", "https://")):
            problems.append(
                Problem(file, i, "source_url", r.source_url, "not a web URL", "use http(s)")
            )
        if r.proposition in PROPOSITIONS:
            try:
                args = parse_args(r.proposition_args)
                inspect.signature(PROPOSITIONS[r.proposition]).bind(None, **args)
            except (ParameterError, TypeError) as exc:
                problems.append(
                    Problem(file, i, "proposition_args", r.proposition_args, str(exc), "fix args")
                )
    return problems


def load_claims(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Read and validate ``claims.csv`` from ``data_dir`` (default: the evidence folder).

    Raises
    ------
    DataValidationError
        Listing every problem found.
    """
    path = _data_dir(data_dir) / CLAIMS_FILE
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    problems = validate_claims(df)
    if problems:
        raise DataValidationError(problems)
    return df


def load_news_criteria(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Read ``news_criteria.csv`` with ``met``/``applicable`` as booleans.

    Raises
    ------
    DataValidationError
        On missing columns, unknown sources/criteria or non-boolean flags.
    """
    path = _data_dir(data_dir) / NEWS_CRITERIA_FILE
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    problems: list[Problem] = []
    missing = [c for c in NEWS_CRITERIA_COLUMNS if c not in df.columns]
    if missing:
        raise DataValidationError(
            [Problem(NEWS_CRITERIA_FILE, None, None, missing, "missing columns", "add them")]
        )
    for i, r in enumerate(df.itertuples(index=False), start=1):
        if r.source_file not in SOURCE_FILES:
            problems.append(
                Problem(NEWS_CRITERIA_FILE, i, "source_file", r.source_file, "unknown", "fix")
            )
        if r.criterion not in NEWS_CRITERIA:
            problems.append(
                Problem(
                    NEWS_CRITERIA_FILE,
                    i,
                    "criterion",
                    r.criterion,
                    "unknown criterion",
                    "use one of " + ", ".join(NEWS_CRITERIA),
                )
            )
        for col in ("met", "applicable"):
            if getattr(r, col) not in ("true", "false"):
                problems.append(
                    Problem(
                        NEWS_CRITERIA_FILE, i, col, getattr(r, col), "not boolean", "true/false"
                    )
                )
    if problems:
        raise DataValidationError(problems)
    for col in ("met", "applicable"):
        df[col] = df[col] == "true"
    return df


def score_sources(
    news_criteria: pd.DataFrame | None = None, data_dir: str | Path | None = None
) -> pd.DataFrame:
    """Summarize the HealthNewsReview-style scores of each source text.

    Parameters
    ----------
    news_criteria : pandas.DataFrame, optional
        Rows of ``news_criteria.csv`` (read from ``data_dir`` when omitted).
    data_dir : path, optional
        Evidence folder.

    Returns
    -------
    pandas.DataFrame
        One row per source: ``source_file, applicable, met, score`` (met / applicable),
        ``stars`` (0-5, HealthNewsReview's scale: score x 5 rounded), ``not_met``
        (the failed criteria, ``;``-joined) and ``origin_url`` (where the text was
        published, blank if not found).
    """
    df = load_news_criteria(data_dir) if news_criteria is None else news_criteria.copy()
    for col in ("met", "applicable"):
        if df[col].dtype != bool:
            df[col] = _truthy(df[col])
    rows = []
    for src, g in df.groupby("source_file", sort=True):
        app = g[g["applicable"]]
        met = int(app["met"].sum())
        score = met / len(app) if len(app) else float("nan")
        rows.append(
            {
                "source_file": src,
                "applicable": len(app),
                "met": met,
                "score": round(score, 3),
                "stars": int(round(score * 5)) if len(app) else 0,
                "not_met": ";".join(app.loc[~app["met"], "criterion"]),
                "origin_url": SOURCE_ORIGINS.get(src, ""),
            }
        )
    return pd.DataFrame(rows)

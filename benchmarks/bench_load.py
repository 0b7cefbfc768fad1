"""Benchmark: load + validate + summarize synthetic evidence bases of 1k, 10k and 100k studies.

The synthetic bases are written to a temporary folder with the real ``datapackage.json``
and the curated-size ``conditions.csv``, ``claims.csv`` and ``news_criteria.csv``. Rows are
shaped like the curated data (ids, vocabularies, blanks, a few hundred characters of notes) and satisfy every rule, so the timing is the happy path
of :func:`ldn_analysis.data.load_evidence` followed by :func:`ldn_analysis.data.check.summarize`.
Other tables are proportional to the studies, with the ratios of the curated base at the
time of writing: :data:`PER_STUDY`.

Reported, every number timed in this run: at 100k studies, plain ``pandas.read_csv`` of the
same files (the parse floor, baseline) against ``load_evidence`` + ``summarize`` (parse,
validate, summarize; candidate), for two compositions (every table proportional to the
studies; and studies with proportional outcome and adverse-event rows while registrations
and reviews keep the curated base's size, :data:`FIXED_ROWS`); and the growth ratios
10k/1k and 100k/10k of the all-proportional base (linear scaling gives about 10; fixed
per-file costs make the 10k/1k ratio smaller). Columns of the schema the generator does
not fill are left blank; resources it does not generate get their header row only.
Repeats (best of): 3 at 1k, 2 at 10k, 1 at 100k, to keep the benchmark cheap.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ldn_analysis import vocab
from ldn_analysis.data.check import summarize
from ldn_analysis.data.evidence import load_evidence
from ldn_analysis.paths import DATA_DIR

SIZES = (1_000, 10_000, 100_000)
#: Rows per study in the other tables (curated base: 68 studies, 56 outcome rows, 35 adverse
#: event rows, 40 registrations, 46 review rows).
PER_STUDY = {"outcomes": 0.8, "adverse_events": 0.5, "registrations": 0.6, "reviews": 0.7}
#: Row counts of the curated base, used for the tables that do not scale in the second
#: composition.
FIXED_ROWS = {"registrations": 40, "reviews": 46}

DESIGNS = np.array(vocab.DESIGNS)
CONTROLLED = set(vocab.CONTROLLED_DESIGNS)
CROSSOVER = set(vocab.CROSSOVER_DESIGNS)
NOTE = (
    "Synthetic benchmark row, not real data. Population, setting and dosing schedule are "
    "described here the way curators describe them; values not shown in the source are left "
    "blank and the reason is given; disagreements between sources are recorded with the other "
    "value and its URL. "
)


def _letters(i: np.ndarray, width: int = 4) -> pd.Series:
    """Encode integers as fixed-width lowercase words (a unique fake surname per index)."""
    out = pd.Series([""] * len(i), dtype=object)
    for k in range(width):
        out = out + pd.Series(((i // 26**k) % 26 + 97).astype(np.uint8).view("S1").astype(str))
    return out


def _pick(rng: np.random.Generator, values, n: int) -> np.ndarray:
    return np.asarray(values, dtype=object)[rng.integers(0, len(values), n)]


def _blank(rng: np.random.Generator, values, share: float) -> pd.Series:
    values = pd.Series(values, dtype=object)
    return values.where(rng.random(len(values)) >= share, "")


def _studies(rng: np.random.Generator, n: int, conditions: list[str]) -> pd.DataFrame:
    i = np.arange(n)
    year = 1990 + i % 35
    surname = "syn" + _letters(i)
    design = DESIGNS[rng.integers(0, len(DESIGNS), n)]
    controlled = np.isin(design, list(CONTROLLED))
    crossover = np.isin(design, list(CROSSOVER))
    randomized = np.where(
        np.isin(design, ["rct_parallel", "rct_crossover"]),
        "true",
        np.where(design == "single_blind_crossover", _pick(rng, ["true", "false"], n), "false"),
    )
    enrolled = np.where(design == "case_report", 1, rng.integers(10, 500, n))
    analyzed = np.maximum(1, (enrolled * rng.uniform(0.7, 1.0, n)).astype(int))
    n_ldn = np.where(crossover, analyzed, np.where(controlled, enrolled // 2, enrolled))
    n_ctrl = np.where(crossover, analyzed, enrolled - enrolled // 2)
    dose_min = _pick(rng, [0.5, 1.0, 1.5, 3.0, 4.5], n).astype(float)
    dose_max = np.maximum(dose_min, _pick(rng, [3.0, 4.5, 6.0], n).astype(float))
    study_id = surname + "_" + pd.Series(year).astype(str)
    notes_len = rng.integers(0, 3, n)
    return pd.DataFrame(
        {
            "study_id": study_id,
            "first_author": "Syn" + _letters(i),
            "year": year,
            "title": "Synthetic study " + pd.Series(i).astype(str) + " of low-dose naltrexone "
            "in a fake population for benchmarking",
            "journal": "Journal of Synthetic Data " + pd.Series(i % 20).astype(str),
            "doi": _blank(rng, "10.5555/syn." + pd.Series(i).astype(str), 0.4),
            "pmid": _blank(rng, pd.Series(90_000_000 + i).astype(str), 0.4),
            "nct_id": _blank(rng, "NCT9" + pd.Series(i).astype(str).str.zfill(7), 0.7),
            "condition": _pick(rng, conditions, n),
            "design": design,
            "randomized": randomized,
            "blinding": np.where(
                controlled, _pick(rng, ["double_blind", "single_blind"], n), "open_label"
            ),
            "comparator": np.where(controlled, "placebo", "none"),
            "n_enrolled": enrolled,
            "n_analyzed": analyzed,
            "n_ldn": n_ldn,
            "n_control": pd.Series(n_ctrl).astype(str).where(controlled, ""),
            "dose_mg_min": dose_min,
            "dose_mg_max": dose_max,
            "duration_weeks": _blank(rng, rng.integers(1, 53, n), 0.3),
            "primary_outcome": _pick(rng, ["pain VAS", "fatigue score", "FIQ", "CDAI"], n),
            "primary_result": _pick(rng, ["benefit", "no_difference", "not_reported"], n),
            "source_url": "https://example.org/synthetic/" + study_id,
            "extraction_basis": _pick(rng, ["abstract", "full_text"], n),
            "linked_study_id": "",
            "notes": pd.Series([NOTE * k for k in notes_len], dtype=object),
        }
    )


def _outcomes(rng: np.random.Generator, studies: pd.DataFrame, m: int) -> pd.DataFrame:
    idx = rng.integers(0, len(studies), m)
    s = studies.iloc[idx].reset_index(drop=True)
    controlled = s["design"].isin(CONTROLLED).to_numpy()
    between = controlled & (rng.random(m) < 0.3)
    n = s["n_analyzed"].to_numpy()
    mean_ldn = rng.uniform(1, 9, m).round(1)
    mean_ctrl = rng.uniform(1, 9, m).round(1)
    est = rng.normal(-0.5, 1, m).round(2)
    half = rng.uniform(0.2, 2, m).round(2)

    def keep(values, mask):
        return pd.Series(values).astype(str).where(mask, "")

    return pd.DataFrame(
        {
            "study_id": s["study_id"],
            "outcome_id": s["study_id"] + "_o" + pd.Series(np.arange(m)).astype(str),
            "outcome": _pick(rng, ["pain", "function", "fatigue", "sleep", "mood"], m),
            "instrument": "VAS 0-10",
            "scale_min": 0,
            "scale_max": 10,
            "better": "lower",
            "comparison": np.where(controlled, "ldn_vs_placebo", "ldn_pre_post"),
            "timepoint_weeks": rng.integers(1, 53, m),
            "data_type": np.where(
                between, "between_group", np.where(controlled, "arm_means", "pre_post")
            ),
            "n_ldn": n,
            "mean_ldn": keep(mean_ldn, ~between),
            "sd_ldn": keep(rng.uniform(0.5, 3, m).round(2), ~between),
            "se_ldn": "",
            "n_ctrl": n,
            "mean_ctrl": keep(mean_ctrl, ~between),
            "sd_ctrl": keep(rng.uniform(0.5, 3, m).round(2), ~between),
            "se_ctrl": "",
            "estimate": keep(est, between),
            "estimate_type": keep(np.full(m, "md"), between),
            "ci_low": keep((est - half).round(2), between),
            "ci_high": keep((est + half).round(2), between),
            "p_value": _blank(rng, rng.uniform(0, 1, m).round(3), 0.5),
            "source_url": s["source_url"],
            "extraction_basis": s["extraction_basis"],
            "notes": _blank(rng, "Synthetic outcome row; SD read from a table.", 0.5),
        }
    )


def _adverse_events(rng: np.random.Generator, studies: pd.DataFrame, m: int) -> pd.DataFrame:
    idx = rng.integers(0, len(studies), m)
    s = studies.iloc[idx].reset_index(drop=True)
    controlled = s["design"].isin(CONTROLLED).to_numpy()
    at_risk = s["n_analyzed"].to_numpy()
    return pd.DataFrame(
        {
            "study_id": s["study_id"],
            "event": _pick(rng, ["any_ae", "vivid_dreams", "headache", "nausea", "other"], m),
            "reported_term": "synthetic term " + pd.Series(np.arange(m)).astype(str),
            "arm": np.where(controlled & (rng.random(m) < 0.5), "placebo", "ldn"),
            "events": (at_risk * rng.uniform(0, 1, m)).astype(int),
            "n_at_risk": at_risk,
            "source_url": s["source_url"],
            "extraction_basis": s["extraction_basis"],
            "notes": _blank(rng, "Synthetic adverse-event row.", 0.6),
        }
    )


def _registrations(
    rng: np.random.Generator, studies: pd.DataFrame, m: int, conditions: list[str]
) -> pd.DataFrame:
    i = np.arange(m)
    registry_id = "NCT8" + pd.Series(i).astype(str).str.zfill(7)
    start = 2000 + i % 24
    linked = rng.random(m) < 0.3
    return pd.DataFrame(
        {
            "registry_id": registry_id,
            "registry": "clinicaltrials.gov",
            "title": "Synthetic registration " + pd.Series(i).astype(str),
            "condition": _pick(rng, conditions, m),
            "design": _pick(rng, list(DESIGNS[:5]), m),
            "target_enrollment": rng.integers(0, 300, m),
            "status": _pick(rng, ["recruiting", "completed", "terminated", "unknown"], m),
            "start_date": pd.Series(start).astype(str) + "-03",
            "completion_date": pd.Series(start + 2).astype(str) + "-11-30",
            "results_posted": _pick(rng, ["true", "false", ""], m),
            "linked_study_id": _pick(rng, studies["study_id"].tolist(), m) * linked,
            "source_url": "https://example.org/synthetic/" + registry_id,
            "notes": NOTE,
        }
    )


def _reviews(rng: np.random.Generator, studies: pd.DataFrame, m: int) -> pd.DataFrame:
    review = np.arange(m) // 3  # three pooled results per review
    year = 2000 + review % 25
    review_id = "rev_syn" + _letters(review) + "_" + pd.Series(year).astype(str)
    ids = studies["study_id"].to_numpy(dtype=object)
    included = (
        pd.Series(ids[rng.integers(0, len(ids), m)])
        + ";"
        + pd.Series(ids[rng.integers(0, len(ids), m)])
    )
    est = rng.normal(-0.3, 0.3, m).round(2)
    return pd.DataFrame(
        {
            "review_id": review_id,
            "result_id": review_id + "_r" + pd.Series(np.arange(m) % 3).astype(str),
            "first_author": "Syn" + _letters(review),
            "year": year,
            "title": "Synthetic review " + pd.Series(review).astype(str),
            "journal": "Journal of Synthetic Reviews",
            "doi": "10.5555/synrev." + pd.Series(review).astype(str),
            "pmid": "",
            "review_type": "meta_analysis",
            "condition": "mixed",
            "n_studies": 2,
            "n_participants": rng.integers(20, 400, m),
            "included_study_ids": included,
            "comparison": "LDN vs placebo",
            "outcome": "pain",
            "measure": "SMD",
            "estimate": est,
            "ci_low": (est - 0.4).round(2),
            "ci_high": (est + 0.4).round(2),
            "i2": rng.integers(0, 90, m),
            "model": "random_reml",
            "p_value": rng.uniform(0, 1, m).round(3),
            "source_url": "https://example.org/synthetic/" + review_id,
            "extraction_basis": "full_text",
            "notes": NOTE,
        }
    )


def make_synthetic(
    n_studies: int, folder: Path, seed: int = 0, fixed: dict[str, int] | None = None
) -> Path:
    """Write a valid synthetic evidence base of ``n_studies`` studies into ``folder``.

    Parameters
    ----------
    n_studies : int
        Number of study rows; other tables follow :data:`PER_STUDY`.
    folder : Path
        Destination (created); receives the real ``datapackage.json`` and
        ``conditions.csv`` plus synthetic CSVs.
    seed : int
        Random seed.
    fixed : dict, optional
        Row counts for tables that should not scale (e.g. :data:`FIXED_ROWS`).

    Returns
    -------
    Path
        ``folder``.
    """
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA_DIR / "datapackage.json", folder / "datapackage.json")
    for table in ("conditions.csv", "claims.csv", "news_criteria.csv"):  # curated size
        shutil.copy(DATA_DIR / table, folder / table)
    conditions = pd.read_csv(folder / "conditions.csv", dtype=str)["id"].tolist()
    studies = _studies(rng, n_studies, conditions)
    counts = {k: max(1, round(v * n_studies)) for k, v in PER_STUDY.items()}
    counts.update(fixed or {})
    tables = {
        "studies": studies,
        "outcomes": _outcomes(rng, studies, counts["outcomes"]),
        "adverse_events": _adverse_events(rng, studies, counts["adverse_events"]),
        "registrations": _registrations(rng, studies, counts["registrations"], conditions),
        "reviews": _reviews(rng, studies, counts["reviews"]),
    }
    fields = _schema_fields(folder / "datapackage.json")
    for name, frame in tables.items():  # columns the generator does not know: left blank
        missing = [f for f in fields.get(name, []) if f not in frame.columns]
        frame = frame.assign(**dict.fromkeys(missing, ""))
        order = [f for f in fields.get(name, []) if f in frame.columns]
        frame[order + [c for c in frame.columns if c not in order]].to_csv(
            folder / f"{name}.csv", index=False
        )
    for name, cols in fields.items():  # any other resource: its header row only
        path = folder / f"{name}.csv"
        if not path.exists():
            path.write_text(",".join(cols) + "\n", encoding="utf-8")
    return folder


def _schema_fields(package: Path) -> dict[str, list[str]]:
    """Resource name -> its schema's field names, from ``datapackage.json``."""
    resources = json.loads(package.read_text(encoding="utf-8"))["resources"]
    return {
        r["name"]: [f["name"] for f in r.get("schema", {}).get("fields", [])]
        for r in resources
        if r.get("path") == f"{r['name']}.csv" and isinstance(r.get("schema"), dict)
    }


def time_load(folder: Path, repeat: int) -> float:
    """Return the best wall time of ``load_evidence`` + ``summarize`` over ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        summarize(load_evidence(folder))
        best = min(best, time.perf_counter() - start)
    return best


def time_parse(folder: Path, repeat: int) -> float:
    """Return the best wall time of plain ``pandas.read_csv`` of every CSV in ``folder``."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for path in sorted(folder.glob("*.csv")):
            pd.read_csv(path)
        best = min(best, time.perf_counter() - start)
    return best


def _overhead_row(name: str, floor: float, load: float, details: str) -> dict:
    return {
        "name": name,
        "baseline_label": "pandas.read_csv of the same CSV files (parse floor)",
        "baseline_seconds": floor,
        "candidate_label": "load_evidence + summarize (parse, validate, summarize)",
        "candidate_seconds": load,
        "ratio": floor / load,
        "details": f"{details}; validation and summary cost {load / floor:.0f}x the parse "
        "floor (ratio < 1: the price of checking every rule, both timed in this run)",
    }


def run() -> list[dict]:
    """Time the three sizes and return the benchmark rows (see ``benchmarks/run.py``)."""
    seconds: dict[int, float] = {}
    floors: dict[int, float] = {}
    sizes_mb: dict[int, float] = {}
    big = SIZES[-1]
    repeat = {n: 3 if n < 10_000 else 2 if n < big else 1 for n in SIZES}
    with tempfile.TemporaryDirectory(prefix="ldn-bench-load-") as tmp:
        for n in SIZES:
            folder = make_synthetic(n, Path(tmp) / f"n{n}")
            sizes_mb[n] = sum(p.stat().st_size for p in folder.glob("*.csv")) / 1e6
            floors[n] = time_parse(folder, repeat[n])
            seconds[n] = time_load(folder, repeat[n])
            shutil.rmtree(folder)
        folder = make_synthetic(big, Path(tmp) / "fixed", fixed=FIXED_ROWS)
        fixed_mb = sum(p.stat().st_size for p in folder.glob("*.csv")) / 1e6
        fixed_floor = time_parse(folder, repeat[big])
        fixed_seconds = time_load(folder, repeat[big])
    rows_per = ", ".join(f"{v:g} {k}" for k, v in PER_STUDY.items())
    return [
        _overhead_row(
            "load 100k studies + proportional outcomes/AEs",
            fixed_floor,
            fixed_seconds,
            f"{fixed_mb:.0f} MB of CSV; per study: 0.8 outcomes, 0.5 adverse_events; "
            f"registrations and reviews at the curated size ({FIXED_ROWS})",
        ),
        _overhead_row(
            "load 100k studies, every table proportional",
            floors[big],
            seconds[big],
            f"{sizes_mb[big]:.0f} MB of CSV; per study: {rows_per}",
        ),
        {
            "name": "load growth 1k -> 10k studies",
            "baseline_label": "10k studies",
            "baseline_seconds": seconds[10_000],
            "candidate_label": "1k studies",
            "candidate_seconds": seconds[1_000],
            "ratio": seconds[10_000] / seconds[1_000],
            "details": "linear growth gives ~10; fixed per-file costs make it smaller",
        },
        {
            "name": "load growth 10k -> 100k studies",
            "baseline_label": "100k studies",
            "baseline_seconds": seconds[big],
            "candidate_label": "10k studies",
            "candidate_seconds": seconds[10_000],
            "ratio": seconds[big] / seconds[10_000],
            "details": "linear growth gives ~10",
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(row)

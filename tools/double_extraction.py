"""Agreement between the first extraction (data/studies.csv) and a blind second extraction.

Usage::

    .venv/bin/python tools/double_extraction.py validation/double_extraction/v2_second_extraction.csv
    .venv/bin/python tools/double_extraction.py validation/double_extraction/mid_second_extraction.csv

The second file's key column says which table it re-extracts: ``study_id`` rows are compared
with ``data/studies.csv``, ``mid_id`` rows with ``data/minimal_important_differences.csv``
(the curator matched each second-extraction row to a first-extraction row by source, unit
and importance level before comparing; rows matching none are counted as found only by the
second extractor).

Prints the agreement table (markdown) and the disagreements. Values are compared after
number normalisation (``4.5`` = ``4.50``); a field blank on one side only is counted
apart, not as a disagreement (one extractor did not find it on the page).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIELDS = (
    "design",
    "randomized",
    "blinding",
    "comparator",
    "n_enrolled",
    "n_analyzed",
    "n_ldn",
    "n_control",
    "dose_mg_min",
    "dose_mg_max",
    "duration_weeks",
    "primary_result",
)

MID_FIELDS = (
    "scale_min",
    "scale_max",
    "mid_value",
    "mid_value_high",
    "mid_unit",
    "importance",
    "method",
)
#: key column of the second extraction -> (first-extraction file, fields compared, noun)
TABLES = {
    "study_id": (ROOT / "data" / "studies.csv", FIELDS, "studies"),
    "mid_id": (ROOT / "data" / "minimal_important_differences.csv", MID_FIELDS, "thresholds"),
}


def _norm(value: str) -> str:
    value = (value or "").strip().lower()
    try:
        return f"{float(value):g}"
    except ValueError:
        return value


def compare(second_path: Path):
    """Return (agreement rows, disagreements, rows matched, rows found only by the second)."""
    second = list(csv.DictReader(second_path.open(encoding="utf-8")))
    key = next(k for k in TABLES if second and k in second[0])
    first_path, fields, _ = TABLES[key]
    first = {r[key]: r for r in csv.DictReader(first_path.open(encoding="utf-8"))}
    only_second = sum(not r[key] for r in second)
    second = [r for r in second if r[key]]
    table, disagreements = [], []
    for field in fields:
        both = agreed = one_side = 0
        for r2 in second:
            r1 = first.get(r2[key])
            if r1 is None:
                continue
            a, b = _norm(r1.get(field, "")), _norm(r2.get(field, ""))
            if a and b:
                both += 1
                agreed += a == b
                if a != b:
                    disagreements.append(f"{r2[key]} `{field}`: {a} vs {b}")
            elif a or b:
                one_side += 1
        table.append((field, both, agreed, one_side))
    return table, disagreements, len(second), only_second, TABLES[key][2]


def main(argv: list[str]) -> int:
    """Print the agreement table and the disagreements as markdown."""
    table, disagreements, n, only_second, noun = compare(Path(argv[0]))
    print(f"Sample: {n} {noun}.\n")
    print("| field | extracted by both | agreed | agreement | blank on one side only |")
    print("|---|---|---|---|---|")
    for field, both, agreed, one in table:
        pct = f"{100 * agreed / both:.0f}%" if both else "n/a"
        print(f"| {field} | {both} | {agreed} | {pct} | {one} |")
    tb, ta, to = (sum(t[i] for t in table) for i in (1, 2, 3))
    print(f"| **all fields** | {tb} | {ta} | {100 * ta / tb:.1f}% | {to} |\n")
    print("Disagreements (first vs second extraction):\n")
    print("\n".join(f"- {d}" for d in disagreements) or "- none")
    if only_second:
        print(
            f"\nFound only by the second extractor: {only_second} further rows "
            "(thresholds the first extraction did not record)."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

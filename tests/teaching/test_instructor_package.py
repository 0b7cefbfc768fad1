"""The instructor package in docs/teaching/ covers every lesson (issue 14, point 7)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "docs" / "teaching"
LESSONS = sorted(
    p.stem for p in (ROOT / "notebooks").glob("*.ipynb") if p.stem.startswith("teach_")
) + ["claims_vs_evidence"]


@pytest.mark.parametrize("doc", ["objectives.md", "lesson_plan.md", "worksheet.md"])
def test_every_lesson_is_in_the_instructor_package(doc):
    text = (PACKAGE / doc).read_text("utf-8")
    missing = [name for name in LESSONS if f"`{name}`" not in text]
    assert not missing, f"docs/teaching/{doc} does not name {missing}"


def test_worksheet_questions_are_numbered_once_in_order():
    numbers = [
        int(n) for n in re.findall(r"^(\d+)\. ", (PACKAGE / "worksheet.md").read_text(), re.M)
    ]
    assert numbers == list(range(1, len(numbers) + 1))

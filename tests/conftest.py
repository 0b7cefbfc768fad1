"""Fixtures shared by the test packages (tests/<layer>/ mirrors ldn_analysis/<layer>/)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="session")
def root() -> Path:
    """The repository root."""
    return ROOT


@pytest.fixture(scope="session")
def real_evidence():
    """The curated evidence base in data/, loaded and validated once per test session."""
    from ldn_analysis.data.evidence import load_evidence

    return load_evidence()

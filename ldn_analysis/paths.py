"""Every path the bundle uses, in one place.

Notebook parameters are names (a condition, a method), never paths; code asks this module
where things live. ``LDN_DATA_DIR`` and ``LDN_REPORTS_DIR`` point elsewhere without
touching the repository (tests and users with their own data folders use them).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = Path(__file__).resolve().parent
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
TEMPLATES_DIR = PACKAGE_DIR / "report" / "templates"
BENCHMARKS_DIR = PROJ_ROOT / "benchmarks"
SOURCES_DIR = PROJ_ROOT.parent / "shared" / "sources"


def data_dir() -> Path:
    """Return the evidence-base folder: ``$LDN_DATA_DIR`` if set, else ``data/``."""
    env = os.environ.get("LDN_DATA_DIR")
    return Path(env).resolve() if env else PROJ_ROOT / "data"


def notebooks_dir() -> Path:
    """Return the notebook folder: ``$LDN_NOTEBOOKS_DIR`` if set, else ``notebooks/``."""
    env = os.environ.get("LDN_NOTEBOOKS_DIR")
    return Path(env).resolve() if env else NOTEBOOKS_DIR


def reports_dir() -> Path:
    """Return the report output folder: ``$LDN_REPORTS_DIR`` if set, else ``reports/``."""
    env = os.environ.get("LDN_REPORTS_DIR")
    return Path(env).resolve() if env else PROJ_ROOT / "reports"


DATA_DIR = PROJ_ROOT / "data"
DATAPACKAGE = "datapackage.json"

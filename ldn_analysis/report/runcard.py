"""The run card that ends every report: what produced it, so anyone can re-run it."""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from importlib import metadata

import pandas as pd

from ldn_analysis import paths
from ldn_analysis.text.display import show_table

PACKAGES = ("ldn-analysis", "numpy", "scipy", "pandas", "plotly", "ipython", "nbconvert")


def git_commit() -> str:
    """Return the repository's HEAD commit, or a note when this is not a git checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=paths.PROJ_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"


def data_fingerprint(data_dir=None) -> tuple[str, dict[str, str]]:
    """Return the data package version and the sha256 of every CSV in the data folder."""
    folder = data_dir or paths.data_dir()
    try:
        version = json.loads((folder / paths.DATAPACKAGE).read_text("utf-8")).get("version", "?")
    except (OSError, ValueError):
        version = "unknown (no datapackage.json)"
    sums = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))
    }
    return version, sums


def run_card(
    parameters: dict, notebook: str, data: dict | None = None, key: str = ""
) -> pd.DataFrame:
    """Return the run card rows: parameters, data version and checksums, versions, commit.

    ``data`` maps what the report read (``data/studies.csv``, or ``data/studies.csv rows
    for crps``) to its sha256, as the runner's execution cache keyed it; without it every
    CSV in the data folder is listed. ``key`` is that cache key: the index says whether the
    page was executed in the latest build or reused from an earlier one with this key.
    """
    version, sums = data_fingerprint()
    rows = [("notebook", notebook)]
    rows += [(f"parameter: {k}", json.dumps(v)) for k, v in sorted(parameters.items())]
    rows.append(("data version", version))
    if data is None:
        rows += [(f"sha256 data/{name}", digest) for name, digest in sums.items()]
    else:
        rows += [(f"sha256 {name}", digest) for name, digest in sorted(data.items())]
    rows.append(("python", platform.python_version()))
    for pkg in PACKAGES:
        try:
            rows.append((pkg, metadata.version(pkg)))
        except metadata.PackageNotFoundError:
            rows.append((pkg, "not installed"))
    rows.append(("git commit", git_commit()))
    if key:
        rows.append(("execution key", key))
    return pd.DataFrame(rows, columns=["item", "value"])


def show_run_card(parameters: dict, notebook: str, data: dict | None = None, key: str = "") -> None:
    """Display the run card as the last output of a report (see :func:`run_card`)."""
    show_table(
        run_card(parameters, notebook, data, key), caption="Run card: how this report was made"
    )

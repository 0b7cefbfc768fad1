"""Full report build: the runner (one process, parallel workers) vs the CLI tools in a loop.

Baseline: the same report jobs run one after another as a user would by hand, each with
the ``papermill`` command line and then ``jupyter nbconvert --to html``. Candidate:
``python -m ldn_analysis report`` with one worker per core. Both build into temp folders.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def _baseline(jobs, out: Path) -> float:
    from ldn_analysis.report.runner import notebook_paths

    books = notebook_paths()
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for job in jobs:
        target = out / f"{job.slug}.ipynb"
        cmd = [str(BIN / "papermill"), str(books[job.notebook]), str(target), "--no-progress-bar"]
        for key, value in job.parameters.items():
            cmd += ["-p", key, str(value)]
        subprocess.run(cmd, check=False, capture_output=True, cwd=books[job.notebook].parent)
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", str(target)],
            check=False,
            capture_output=True,
        )
    return time.perf_counter() - start


def _candidate(out: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "ldn_analysis", "report", "--output-dir", str(out)],
        check=False,
        capture_output=True,
    )
    return time.perf_counter() - start


def run() -> list[dict]:
    """Time both ways of building every default report."""
    from ldn_analysis.report.runner import plan

    jobs = plan()
    with tempfile.TemporaryDirectory() as tmp:
        base = _baseline(jobs, Path(tmp) / "base")
        cand = _candidate(Path(tmp) / "cand")
    return [
        {
            "name": f"full report build ({len(jobs)} reports)",
            "baseline_label": "papermill CLI + jupyter nbconvert, one after another",
            "baseline_seconds": base,
            "candidate_label": f"ldn_analysis report, {os.cpu_count()} workers",
            "candidate_seconds": cand,
            "ratio": base / cand,
            "details": "target >= 3x on 2 cores",
        }
    ]

"""Report builds: full, unchanged, after a one-row edit, and the cost of one more report.

All timed in this run, on a copy of ``data/`` (``LDN_DATA_DIR``) so the edit never touches
the repository:

1. full build: the sequential loop a user would type (``papermill`` CLI then ``jupyter
   nbconvert --to html``, one report after another) vs ``python -m ldn_analysis report``
   into an empty folder (one worker per core);
2. unchanged rebuild: the full build vs running the same command again (pages compared
   byte for byte);
3. one fibromyalgia study row edited: the full build vs the rebuild, with how many reports
   were executed again (the manifest's ``reused`` flags);
4. marginal cost of one more report: a bare Jupyter kernel start (start, wait ready,
   shut down) vs the runner's extra CPU time per trivial report ((16 reports - 1 report) /
   15, one worker), CPU seconds so that other load on the machine does not blur it.

The runner computes work several reports share once, in its parent process, before forking
them (:data:`ldn_analysis.report.execute.WARM_FOR`: the claim verdicts and the teaching pain
analyses, in memory only); the papermill loop has no such parent, and no disk cache either
side could read is involved.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]


def _baseline(jobs, out: Path, env: dict) -> float:
    from ldn_analysis.report.runner import notebook_paths

    books = notebook_paths()
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for job in jobs:
        target = out / f"{job.slug}.ipynb"
        cmd = [str(BIN / "papermill"), str(books[job.notebook]), str(target), "--no-progress-bar"]
        for key, value in job.parameters.items():
            cmd += ["-p", key, str(value)]
        subprocess.run(
            cmd, check=False, capture_output=True, cwd=books[job.notebook].parent, env=env
        )
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", str(target)],
            check=False,
            capture_output=True,
            env=env,
        )
    return time.perf_counter() - start


def _snapshot(tmp: Path) -> Path:
    """Copy the package, the notebooks and the lock file into ``tmp``; return the copy's root.

    Other sessions edit this tree while the benchmark runs; the execution key hashes the
    package source, so one edit between the full build and the rebuild would re-execute
    every report. Every command below runs the copy (``PYTHONPATH``, working folder).
    """
    src = tmp / "snapshot" / "src"
    skip = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints")
    shutil.copytree(ROOT / "ldn_analysis", src / "ldn_analysis", ignore=skip)
    shutil.copytree(ROOT / "notebooks", src / "notebooks", ignore=skip)
    for name in ("uv.lock", "pyproject.toml"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, src / name)
    if (ROOT.parent / "shared").exists():  # source texts the claims pages read
        (src.parent / "shared").symlink_to(ROOT.parent / "shared")
    return src


def _report(out: Path, env: dict, *args: str) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "ldn_analysis", "report", "--output-dir", str(out), *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=env.get("PYTHONPATH", ROOT).split(os.pathsep)[0],  # the snapshot, never the tree
    )
    return time.perf_counter() - start, proc


def _pages(out: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in out.glob("*.html")
        if p.name != "index.html"
    }


def _executed(out: Path) -> list[str]:
    return [m["slug"] for m in json.loads((out / "manifest.json").read_text()) if not m["reused"]]


def _edit_fibromyalgia_row(data: Path) -> str:
    path = data / "studies.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    row = next(r for r in rows[1:] if r[header.index("condition")] == "fibromyalgia")
    row[header.index("notes")] += " (benchmark edit)"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return row[header.index("study_id")]


def _cpu() -> float:
    """CPU seconds of this process and every child it has waited for (and theirs)."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _kernel_start() -> float:
    """CPU seconds to start a bare python3 kernel, wait until it is ready, shut it down."""
    from jupyter_client.manager import start_new_kernel

    times = []
    for _ in range(3):
        start = _cpu()
        km, kc = start_new_kernel(kernel_name="python3")
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        times.append(_cpu() - start)
    return min(times)


def _marginal(tmp: Path, env: dict, n: int = 16) -> float:
    """CPU seconds the runner spends per extra trivial report: (n reports - 1) / (n - 1)."""
    books = tmp / "trivial"
    books.mkdir()
    for i in range(n):
        nb = nbformat.v4.new_notebook()
        nb.metadata.kernelspec = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nb.cells = [nbformat.v4.new_markdown_cell(f"# Trivial {i}"), nbformat.v4.new_code_cell("1")]
        nbformat.write(nb, books / f"t{i}.ipynb")
    env = dict(env, LDN_NOTEBOOKS_DIR=str(books))
    costs = []
    for k, args in ((1, ("--notebook", "t0")), (n, ())):
        start = _cpu()
        _report(tmp / f"m{k}", env, "--jobs", "1", "--force", *args)
        costs.append(_cpu() - start)
    return (costs[1] - costs[0]) / (n - 1)


def run() -> list[dict]:
    """Time the four comparisons described in the module docstring."""
    before = os.environ.get("LDN_NOTEBOOKS_DIR")
    try:
        return _run()
    finally:
        os.environ.pop("LDN_NOTEBOOKS_DIR", None)
        if before is not None:
            os.environ["LDN_NOTEBOOKS_DIR"] = before


def _run() -> list[dict]:
    from ldn_analysis.report.runner import plan

    cores = os.cpu_count()
    rows = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        data = tmp / "data"
        shutil.copytree(ROOT / "data", data)
        src = _snapshot(tmp)
        path = os.pathsep.join(p for p in (str(src), os.environ.get("PYTHONPATH", "")) if p)
        env = dict(os.environ, LDN_DATA_DIR=str(data), PYTHONPATH=path)
        env["LDN_NOTEBOOKS_DIR"] = str(src / "notebooks")
        os.environ["LDN_NOTEBOOKS_DIR"] = env["LDN_NOTEBOOKS_DIR"]  # plan() and the loop
        jobs = plan()
        cpu = _cpu()
        base = _baseline(jobs, tmp / "base", env)
        cpu_base, cpu = _cpu() - cpu, _cpu()
        out = tmp / "cand"
        full, proc = _report(out, env)
        cpu_full = _cpu() - cpu
        ok = sum(m["ok"] for m in json.loads((out / "manifest.json").read_text()))
        rows.append(
            {
                "name": f"full report build ({len(jobs)} reports, {ok} ok)",
                "baseline_label": "papermill CLI + jupyter nbconvert, one after another",
                "baseline_seconds": base,
                "candidate_label": f"ldn_analysis report, {cores} workers",
                "candidate_seconds": full,
                "ratio": base / full,
                "details": f"target >= 6x on 2 cores; CPU seconds {cpu_base:.0f} vs "
                f"{cpu_full:.0f} ({cpu_base / cpu_full:.1f}x less work); load average "
                f"during the run {os.getloadavg()[1]:.1f}; exit code {proc.returncode}",
            }
        )
        before = _pages(out)
        again, _ = _report(out, env)
        same = _pages(out) == before
        rows.append(
            {
                "name": "unchanged rebuild",
                "baseline_label": "full build",
                "baseline_seconds": full,
                "candidate_label": "same command again",
                "candidate_seconds": again,
                "ratio": full / again,
                "details": f"target >= 15x; {len(_executed(out))} reports executed again "
                f"(failed ones always are); pages byte-identical: {same}",
            }
        )
        study = _edit_fibromyalgia_row(data)
        edited, _ = _report(out, env)
        executed = _executed(out)
        rows.append(
            {
                "name": f"one fibromyalgia study row edited ({study})",
                "baseline_label": "full build",
                "baseline_seconds": full,
                "candidate_label": "rebuild",
                "candidate_seconds": edited,
                "ratio": full / edited,
                "details": f"{len(executed)} of {len(jobs)} reports executed again: "
                + ", ".join(executed),
            }
        )
        kernel = _kernel_start()
        marginal = _marginal(tmp, env)
        rows.append(
            {
                "name": "CPU cost of one more (trivial) report",
                "baseline_label": "bare Jupyter kernel start + shutdown",
                "baseline_seconds": kernel,
                "candidate_label": "runner, per extra report ((16 - 1 reports) / 15)",
                "candidate_seconds": marginal,
                "ratio": kernel / marginal,
                "details": "CPU seconds (this process and its children), not wall time, so "
                "other load on the machine does not blur it; ratio > 1: a whole report "
                "(fork, run, HTML export, index entry) costs less than starting a kernel",
            }
        )
    return rows

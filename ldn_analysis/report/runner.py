"""The report runner: plan, reuse what has not changed, execute the rest, index everything.

``python -m ldn_analysis report`` (``make report``) calls :func:`run_reports`:

1. :mod:`.plan` validates parameters and lists the jobs before anything runs;
2. :mod:`.cache` keys each job on its inputs; a page whose key matches the manifest and
   whose bytes are unchanged is reused (``--force`` re-executes everything);
3. :mod:`.execute` imports everything and loads the evidence once, then forks one process
   per remaining report (fresh namespace each time), at most one per core;
4. :mod:`.index` merges the results into ``manifest.json`` and the grouped ``index.html``.

Output is one line per report with the time left; a failing report's captured log is shown
after it, and it is never cached as good. Ctrl-C or SIGTERM stops within a second: running
reports are killed, finished ones are indexed, unfinished ones keep their previous pages.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from ldn_analysis import paths
from ldn_analysis.errors import LDNError
from ldn_analysis.report import cache, execute, index, pages
from ldn_analysis.report.plan import (
    ReportJob,
    declared_parameters,
    defaults,
    notebook_paths,
    param_label,
    plan,
    read_meta,
)

__all__ = [
    "ReportJob",
    "declared_parameters",
    "job_inputs",
    "notebook_paths",
    "plan",
    "run_reports",
]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


class _Progress:
    """One line per report: what happened, counts so far and the time left."""

    def __init__(self, total: int, reused: int, workers: int) -> None:
        self.total, self.reused, self.workers = total, reused, workers
        self.done = 0
        self.seconds: list[float] = []
        self.start = time.perf_counter()

    def __call__(self, r: dict) -> None:
        self.done += 1
        self.seconds.append(float(r.get("seconds") or 0.0))
        left = self.total - self.reused - self.done
        elapsed = time.perf_counter() - self.start
        rate = elapsed / self.done  # wall seconds per report with all workers busy
        eta = f"about {left * rate:.0f} s left" if left else "done"
        state = "ok" if r.get("ok") else "FAILED"
        print(
            f"[{self.reused + self.done}/{self.total}] {state:6} {r['slug']} "
            f"({r.get('seconds') or 0:.1f} s) · {self.reused} reused, {self.done} executed, "
            f"{left} to run, {eta}",
            file=sys.stderr,
            flush=True,
        )
        if not r.get("ok"):
            print(f"  error: {r.get('error')}", file=sys.stderr)
            if r.get("log"):
                print("  log:\n    " + r["log"].replace("\n", "\n    "), file=sys.stderr)


def job_inputs(jobs: list[ReportJob], show_code: bool) -> tuple[dict, dict, dict]:
    """Return ``({slug: {key, data}}, {notebook: ldn metadata}, {notebook: defaults})``."""
    books = notebook_paths()
    meta = {name: read_meta(books[name]) for name in {j.notebook for j in jobs}}
    base = {name: defaults(books[name]) for name in meta}
    inputs = {}
    for job in jobs:
        scope = meta[job.notebook].get("scope")
        condition = job.parameters.get("condition", base[job.notebook].get("condition"))
        data = cache.data_digests(scope, condition)
        key = cache.job_key(books[job.notebook], job.parameters, show_code, data)
        inputs[job.slug] = {"key": key, "data": data}
    return inputs, meta, base


def _entry(result: dict, meta: dict, base: dict, *, reused: bool, prev: dict | None) -> dict:
    m = meta.get(result["notebook"], {})
    values = {**base.get(result["notebook"], {}), **(result.get("parameters") or {})}
    labels = {k: param_label(k, v) for k, v in values.items()}
    answers = m.get("answers", "")
    try:
        answers = answers.format(**labels)
    except (KeyError, IndexError, ValueError):
        pass
    out = dict(prev or {}) if reused else dict(result)
    out.update(
        group=m.get("group", "other"),
        order=m.get("order", 50),
        answers=answers,
        reused=reused,
    )
    if not reused:
        out["executed_at"] = _now()
    return out


def run_reports(
    notebooks: list[str] | None = None,
    parameters: dict | None = None,
    *,
    jobs: int | None = None,
    show_code: bool = False,
    out_dir: Path | None = None,
    force: bool = False,
) -> int:
    """Build reports and the index; return 0 when every report succeeded.

    Parameters
    ----------
    notebooks : list of str, optional
        Notebook names (file stems); default every notebook in ``notebooks/``.
    parameters : dict, optional
        Parameter values, validated before anything runs.
    jobs : int, optional
        Reports executed at once; default one per core.
    show_code : bool
        Keep code cells in the HTML (hidden by default).
    out_dir : pathlib.Path, optional
        Output folder; default :func:`ldn_analysis.paths.reports_dir`.
    force : bool
        Re-execute every planned report even when its inputs are unchanged.

    Raises
    ------
    LDNError
        Some reports failed (exit code 1); the index marks them.

    Ctrl-C or SIGTERM kills the running reports, indexes the finished ones, says which
    they were and ends the process with exit code 130 (SIGINT) or 143 (SIGTERM).
    """
    planned = plan(notebooks, parameters)
    full = not notebooks and not parameters
    out = Path(out_dir or paths.reports_dir())
    inputs, meta, base = job_inputs(planned, show_code)
    previous = index.read_manifest(out)
    todo, kept = [], []
    for job in planned:
        prev = previous.get(job.slug)
        if not force and cache.reusable(prev, inputs[job.slug]["key"], out):
            kept.append(_entry(prev, meta, base, reused=True, prev=prev))
        else:
            todo.append(job)
    # longest first (last build's times; new reports first): the last report to finish
    # is a short one, so no core idles at the end
    todo.sort(key=lambda j: -float((previous.get(j.slug) or {}).get("seconds") or 1e9))
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    print(
        f"{len(planned)} reports: {len(kept)} unchanged (reused), {len(todo)} to execute "
        f"with {workers} worker(s) into {out}",
        file=sys.stderr,
        flush=True,
    )
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    pages.copy_plotly_js(out)
    done: list[dict] = []
    stopped = None
    with execute.stop_on_signals():
        try:
            if todo:
                ctx = execute.prepare(out, show_code, base)
                ctx.inputs = inputs
                tick = _Progress(len(planned), len(kept), workers)
                done = execute.run_jobs(todo, ctx, workers, tick)
        except execute.Stopped as stop:
            done, stopped = stop.done, stop
        except execute.Signal as sig:  # before any report started
            stopped = execute.Stopped(sig.signum, [])
        if stopped:  # a second signal must not leave half an index
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        results = [_entry(r, meta, base, reused=False, prev=None) for r in done]
        entries = index.merge(
            previous,
            kept + results,
            {j.slug for j in planned} if full else None,
            set(notebook_paths()),
        )
        if full and not stopped:
            index.remove_orphans(out, entries, set(notebook_paths()))
        where = index.write_index(out, entries, data_version=_data_version(), built=_now())
    if stopped:
        _report_stop(stopped, planned, done)
    failed = [r for r in results if not r.get("ok")]
    for r in failed:
        print(f"FAILED {r['notebook']} {r.get('parameters')}: {r.get('error')}", file=sys.stderr)
    print(
        f"{len(planned) - len(failed)} ok ({len(kept)} reused, {len(done) - len(failed)} "
        f"executed), {len(failed)} failed. Index: {where}",
        file=sys.stderr,
    )
    if failed:
        raise LDNError(f"{len(failed)} report(s) failed; see the pages marked FAILED in {where}")
    return 0


def _data_version() -> str:
    try:
        descriptor = json.loads((paths.data_dir() / paths.DATAPACKAGE).read_text("utf-8"))
        return str(descriptor.get("version", "unknown"))
    except (OSError, ValueError):
        return "unknown (no datapackage.json)"


def _report_stop(stop: execute.Stopped, planned: list[ReportJob], done: list[dict]) -> None:
    names = ", ".join(r["slug"] for r in done) or "none"
    print(
        f"\nStopped by {stop}: {len(done)} of {len(planned)} reports executed and indexed "
        f"({names}); the others keep their previous pages.",
        file=sys.stderr,
        flush=True,
    )
    sys.stdout.flush()
    # the index is written; skip the interpreter's slow teardown (IPython, plotly: ~2 s)
    os._exit(130 if stop.signum == signal.SIGINT else 128 + stop.signum)

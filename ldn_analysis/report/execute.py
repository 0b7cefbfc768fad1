"""Execute reports: one forked process per report, from a parent that paid the imports once.

:func:`prepare` runs once per build in the runner's process: it imports pandas, plotly,
nbconvert and every notebook-facing module, loads and validates the evidence once, creates
the IPython shell and a warmed-up HTML exporter. :func:`run_jobs` then forks one child per
report (at most ``workers`` at a time). A child runs the notebook's cells in the shell it
inherited (an empty namespace: the parent never runs notebook code), writes the executed
notebook and the page through temporary files and renames, sends a small JSON result on a
pipe and exits. Its stdout and stderr go to a log that is shown only when the report fails.

Work several reports share is paid once per build: before forking the reports that use
it, the parent computes the claim verdicts and the teaching pain analyses
(:data:`WARM_FOR`; memoized per evidence object in the modules that own them), so those
children inherit the results copy-on-write. Only pure, memoized functions are warmed, so
a page is the same whether or not its process found them computed. The first children,
reports that need none of it, run meanwhile.

Children ignore SIGINT (the parent decides) and die with the parent (``PR_SET_PDEATHSIG``);
on Ctrl-C or SIGTERM the parent kills the running children, reaps them and raises
:class:`Stopped`.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import json
import os
import select
import signal
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

import ldn_analysis
from ldn_analysis import paths
from ldn_analysis.data.evidence import load_evidence
from ldn_analysis.report import pages, shell
from ldn_analysis.report.cache import sha256_file, write_atomic
from ldn_analysis.report.plan import ReportJob, notebook_paths, page_title, retitle

RUN_CARD_TAG = "ldn-run-card"
LOG_TAIL = 40


class Stopped(Exception):
    """The build was interrupted by a signal; ``done`` lists the finished results."""

    def __init__(self, signum: int, done: list[dict]) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.done = done


@dataclass
class Context:
    """What every child inherits: output folder, shell, exporter and per-job inputs."""

    out: Path
    show_code: bool
    shell: object
    exporter: object
    defaults: dict[str, dict]
    inputs: dict[str, dict] = field(default_factory=dict)  # slug -> {key, data}


def _preload_evidence():
    """Load and validate the evidence once; notebooks' ``ldn.load_evidence()`` reuse it."""
    evidence = load_evidence()

    def load_once(data_dir=None):
        if data_dir is None and paths.data_dir().resolve() == evidence.data_dir:
            return evidence
        return load_evidence(data_dir)

    load_once.__doc__ = load_evidence.__doc__
    ldn_analysis.load_evidence = load_once  # the package caches names in its globals
    return evidence


def _warm_claims(evidence) -> None:
    ldn_analysis.teaching.claims_table(evidence)  # claims.evaluate_claims, per evidence


def _warm_pain_meta(evidence) -> None:
    ldn_analysis.teaching.exercise_values("pooled_direction", evidence)  # every condition


WARM_FOR: dict[str, Callable] = {
    "claims_vs_evidence": _warm_claims,
    "teach_heterogeneity": _warm_pain_meta,
}
"""Notebook -> the shared, memoized computation the parent runs once before forking it
(when at least two queued reports use it: student and instructor pages)."""


def _warmers(jobs: list[ReportJob]) -> list[Callable]:
    users: dict[Callable, int] = {}
    for job in jobs:
        if job.notebook in WARM_FOR:
            users[WARM_FOR[job.notebook]] = users.get(WARM_FOR[job.notebook], 0) + 1
    return [fn for fn, n in users.items() if n >= 2]


def _warm(warmers: list[Callable]) -> None:
    """Run ``warmers`` on the preloaded evidence; a failure shows in the reports' own cells."""
    sink = io.StringIO()
    for fn in warmers:
        with (
            contextlib.suppress(Exception),
            warnings.catch_warnings(),  # leaves the warning registries as the children expect
            contextlib.redirect_stdout(sink),
            contextlib.redirect_stderr(sink),
        ):
            warnings.simplefilter("ignore")
            fn(ldn_analysis.load_evidence())


def prepare(out: Path, show_code: bool, defaults: dict[str, dict]) -> Context:
    """Import everything once, load the evidence once, build the shell and the exporter.

    Raises
    ------
    DataValidationError
        The data do not validate: no report could build, so none starts.
    """
    import papermill.parameterize  # noqa: F401  (parameter cells, imported once)

    for name in ldn_analysis.__all__:
        # a module that cannot import fails the reports that use it, in their own cell
        with contextlib.suppress(Exception):
            getattr(ldn_analysis, name)
    _preload_evidence()
    return Context(out, show_code, shell.make_shell(), pages.make_exporter(), defaults)


def _run_card_cell(job: ReportJob, inputs: dict):
    source = (
        "import ldn_analysis as _ldn\n\n"
        f"_ldn.show_run_card({job.parameters!r}, notebook={job.notebook!r}, "
        f"data={inputs.get('data')!r}, key={inputs.get('key', '')!r})"
    )
    return nbformat.v4.new_code_cell(source, metadata={"tags": [RUN_CARD_TAG]})


def build_one(job: ReportJob, ctx: Context) -> dict:
    """Execute one report and write its notebook and page (runs in a forked child)."""
    from papermill.parameterize import parameterize_notebook

    start = time.perf_counter()
    src = notebook_paths()[job.notebook]
    inputs = ctx.inputs.get(job.slug, {})
    nb = nbformat.read(src, as_version=4)
    title = page_title(nb, job, ctx.defaults.get(job.notebook))
    retitle(nb, title)
    for cell in nb.cells:  # as papermill's loader does
        cell.metadata.setdefault("tags", [])
    nb.metadata.setdefault("papermill", {})
    nb = parameterize_notebook(nb, job.parameters, kernel_name="python3", language="python")
    nb.cells.append(_run_card_cell(job, inputs))
    for i, cell in enumerate(nb.cells):  # stable ids: same notebook, same bytes
        cell.id = f"cell-{i}"
    os.chdir(paths.notebooks_dir())
    failure = shell.run_cells(nb, ctx.shell)
    error = failure.describe() if failure else ""
    ipynb = ctx.out / "notebooks" / f"{job.slug}.ipynb"
    write_atomic(ipynb, nbformat.writes(nb) + "\n")
    page = ctx.out / f"{job.slug}.html"
    body = pages.export(
        ctx.exporter, nb, show_code=ctx.show_code or bool(error), failure=error, title=title
    )
    write_atomic(page, body)
    return {
        "slug": job.slug,
        "notebook": job.notebook,
        "parameters": job.parameters,
        "ok": not error,
        "html": page.name,
        "ipynb": f"notebooks/{ipynb.name}",
        "title": title,
        "figures": pages.count_figures(nb),
        "tables": pages.count_tables(nb),
        "seconds": round(time.perf_counter() - start, 3),
        "error": error,
        "key": inputs.get("key", ""),
        "page_sha256": sha256_file(page),
    }


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _child(job: ReportJob, ctx: Context, write_fd: int, log: Path) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    sys.stdout = sys.stderr = open(1, "w", closefd=False)  # noqa: SIM115
    code = 0
    try:
        result = build_one(job, ctx)
    except BaseException as exc:  # export or I/O failed: report it, never hang the parent
        import traceback

        traceback.print_exc()
        result = {"slug": job.slug, "ok": False, "error": f"{type(exc).__name__}: {exc}"}
        code = 1
    try:
        os.write(write_fd, json.dumps(result).encode())
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
        os._exit(code)


def _log_tail(log: Path) -> str:
    try:
        lines = log.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(lines[-LOG_TAIL:])


class Signal(BaseException):  # not Exception: library code must not swallow it
    """SIGINT or SIGTERM arrived (raised by the handler :func:`stop_on_signals` installs)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_stop(signum, _frame):
    raise Signal(signum)


@contextlib.contextmanager
def stop_on_signals():
    """Turn SIGINT and SIGTERM into :class:`Signal` for the duration of a build."""
    previous = {s: signal.signal(s, _raise_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def run_jobs(jobs: list[ReportJob], ctx: Context, workers: int, on_done) -> list[dict]:
    """Build ``jobs`` with at most ``workers`` children; call ``on_done(result)`` for each.

    Raises
    ------
    Stopped
        On :class:`Signal` (see :func:`stop_on_signals`), after killing and reaping every
        running child.
    """
    logs = ctx.out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    queue = list(jobs)
    running: dict[int, tuple[ReportJob, int, Path]] = {}
    done: list[dict] = []
    warmers = _warmers(queue)
    waits = {nb for nb, fn in WARM_FOR.items() if fn in warmers}  # forked after the warm-up
    try:
        while queue or running:
            while queue and len(running) < workers:
                i = 0
                if warmers:  # first the reports that need no warm-up, while it runs
                    i = next((n for n, j in enumerate(queue) if j.notebook not in waits), -1)
                    if i < 0:
                        break
                job = queue.pop(i)
                read_fd, write_fd = os.pipe()
                log = logs / f"{job.slug}.log"
                sys.stdout.flush()
                sys.stderr.flush()
                pid = os.fork()
                if pid == 0:
                    os.close(read_fd)
                    _child(job, ctx, write_fd, log)
                os.close(write_fd)
                running[pid] = (job, read_fd, log)
            if warmers:
                _warm(warmers)
                warmers = []
                continue
            pid, status = os.wait()
            if pid not in running:
                continue
            job, read_fd, log = running.pop(pid)
            result = _collect(job, read_fd, log, status)
            done.append(result)
            on_done(result)
    except Signal as sig:
        _kill(running)
        raise Stopped(sig.signum, done) from None
    with contextlib.suppress(OSError):
        logs.rmdir()  # only failed reports keep a log
    return done


def _collect(job: ReportJob, read_fd: int, log: Path, status: int) -> dict:
    chunks = []
    while True:
        ready, _, _ = select.select([read_fd], [], [], 0)
        if not ready:
            break
        chunk = os.read(read_fd, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_fd)
    try:
        result = json.loads(b"".join(chunks) or b"null")
    except ValueError:
        result = None
    if not isinstance(result, dict):
        reason = f"exit status {os.waitstatus_to_exitcode(status)}"
        result = {"slug": job.slug, "ok": False, "error": f"the report process died ({reason})"}
    result.setdefault("notebook", job.notebook)
    result.setdefault("parameters", job.parameters)
    if result.get("ok"):
        log.unlink(missing_ok=True)
    else:
        result["log"] = _log_tail(log)
    return result


def _kill(running: dict) -> None:
    for pid in running:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for pid, (_job, read_fd, _log) in running.items():
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        os.close(read_fd)
    running.clear()

"""The report runner: execute notebooks with papermill, export offline HTML, index them.

One process plans every report (validating parameters before any kernel starts), then a
pool of worker processes executes and converts them in parallel. A notebook that raises
keeps its partially executed ``.ipynb`` and gets an HTML page that shows the failing
cell; the other reports still build; the exit code says whether all succeeded.
"""

from __future__ import annotations

import copy
import html
import json
import os
import re
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ldn_analysis import paths
from ldn_analysis.errors import LDNError, ParameterError
from ldn_analysis.report.parameters import PARAMETERS, validate
from ldn_analysis.text.display import PLOTLY_MIMETYPE

KERNEL = "python3"
ASSETS = "assets"
PLOTLY_JS = "plotly.min.js"
RUN_CARD_TAG = "ldn-run-card"


@dataclass(frozen=True)
class ReportJob:
    """One report to build: a notebook and its parameter values."""

    notebook: str
    parameters: dict = field(default_factory=dict)

    @property
    def slug(self) -> str:
        """Return the output file stem, e.g. ``condition_report__condition-crps``."""
        parts = [self.notebook]
        for key, value in sorted(self.parameters.items()):
            text = ",".join(map(str, value)) if isinstance(value, list) else str(value)
            parts.append(f"{key}-{re.sub(r'[^A-Za-z0-9._,-]+', '_', text)}")
        return "__".join(parts)


@dataclass(frozen=True)
class ReportResult:
    """What happened to one report job."""

    job: ReportJob
    ok: bool
    html: str
    ipynb: str
    title: str
    figures: int
    seconds: float
    error: str = ""


def notebook_paths() -> dict[str, Path]:
    """Return the committed notebooks by name (file stem), sorted."""
    return {p.stem: p for p in sorted(paths.notebooks_dir().glob("*.ipynb"))}


def declared_parameters(path: Path) -> dict[str, dict]:
    """Return the parameters a notebook declares (papermill.inspect_notebook)."""
    import papermill

    return papermill.inspect_notebook(str(path))


def _expand_keys(path: Path) -> list[str]:
    import nbformat

    meta = nbformat.read(path, as_version=4).metadata.get("ldn", {})
    return list(meta.get("expand", []))


def plan(notebooks: list[str] | None = None, given: dict | None = None) -> list[ReportJob]:
    """Turn a selection of notebooks and parameters into validated report jobs.

    Without parameters every selected notebook runs with its defaults, and a notebook whose
    metadata lists ``ldn.expand`` (e.g. ``["condition"]``) runs once per valid value.
    With parameters, each selected notebook must declare them; without ``--notebook`` the
    notebooks that declare every given parameter are chosen.

    Raises
    ------
    ParameterError
        Unknown notebook, parameter name or value; the message lists the valid ones.
    """
    available = notebook_paths()
    given = dict(given or {})
    if notebooks:
        unknown = [n for n in notebooks if n.removesuffix(".ipynb") not in available]
        if unknown:
            raise ParameterError(
                f"no notebook named {', '.join(unknown)}. Notebooks: {', '.join(available)}"
            )
        chosen = [n.removesuffix(".ipynb") for n in notebooks]
    else:
        chosen = list(available)
    declared = {name: declared_parameters(available[name]) for name in chosen}
    if given and not notebooks:
        chosen = [n for n in chosen if set(given) <= set(declared[n])]
        if not chosen:
            listing = "; ".join(f"{n}: {', '.join(sorted(d)) or '-'}" for n, d in declared.items())
            raise ParameterError(
                f"no notebook declares all of {', '.join(sorted(given))}. Parameters by "
                f"notebook: {listing}"
            )
    jobs = []
    for name in chosen:
        values = validate(declared[name], given, name)
        if given:
            jobs.append(ReportJob(name, values))
            continue
        keys = [k for k in _expand_keys(available[name]) if k in declared[name]]
        combos = [{}]
        for key in keys:
            choices = PARAMETERS[key].choices() if PARAMETERS[key].choices else []
            combos = [{**c, key: v} for c in combos for v in choices]
        jobs.extend(ReportJob(name, c) for c in combos)
    return jobs


def _title(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return "Report"


def _run_card_cell(job: ReportJob):
    import nbformat

    source = (
        "import ldn_analysis as _ldn\n\n"
        f"_ldn.show_run_card({job.parameters!r}, notebook={job.notebook!r})"
    )
    return nbformat.v4.new_code_cell(source, metadata={"tags": [RUN_CARD_TAG]})


def _export_html(nb, out: Path, *, show_code: bool, failure: str, title: str) -> None:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="ldn_offline",
        extra_template_basedirs=[str(paths.TEMPLATES_DIR)],
        exclude_input=not show_code,
        exclude_input_prompt=not show_code,
        exclude_output_prompt=True,
    )
    resources = {
        "metadata": {"name": title},
        "ldn_plotly_src": f"{ASSETS}/{PLOTLY_JS}",
        "ldn_index_href": "index.html",
        "ldn_failure": failure,
    }
    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb.cells):  # papermill's injected cells get random ids
        cell.id = f"cell-{i}"
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    out.write_text(body, encoding="utf-8")


def _count_figures(nb) -> int:

    return sum(
        PLOTLY_MIMETYPE in out.get("data", {})
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
    )


def execute_one(job: ReportJob, out_dir: str, show_code: bool) -> ReportResult:
    """Execute one notebook and export its HTML page (runs in a worker process)."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    src = notebook_paths()[job.notebook]
    out = Path(out_dir)
    ipynb = out / "notebooks" / f"{job.slug}.ipynb"
    page = out / f"{job.slug}.html"
    nb = nbformat.read(src, as_version=4)
    nb.cells.append(_run_card_cell(job))
    error = ""
    try:
        executed = papermill.execute_notebook(
            nb,
            str(ipynb),
            parameters=job.parameters,
            kernel_name=KERNEL,
            progress_bar=False,
            request_save_on_cell_execute=False,  # saved once at the end, also on failure
            cwd=str(paths.notebooks_dir()),
        )
    except PapermillExecutionError as exc:
        error = (
            f"cell #{exc.cell_index} (execution count {exc.exec_count}): {exc.ename}: {exc.evalue}"
        )
        executed = nbformat.read(ipynb, as_version=4)
    except Exception as exc:  # kernel died, timeout...: still report, never hide others
        error = f"{type(exc).__name__}: {exc}"
        executed = nbformat.read(ipynb, as_version=4) if ipynb.exists() else nb
    title = _title(executed)
    _export_html(executed, page, show_code=show_code or bool(error), failure=error, title=title)
    return ReportResult(
        job=job,
        ok=not error,
        html=page.name,
        ipynb=f"notebooks/{ipynb.name}",
        title=title,
        figures=_count_figures(executed),
        seconds=time.perf_counter() - start,
        error=error,
    )


def _copy_plotly_js(out: Path) -> None:
    import plotly

    src = Path(plotly.__file__).parent / "package_data" / PLOTLY_JS
    dest = out / ASSETS / PLOTLY_JS
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not dest.exists() or dest.stat().st_size != src.stat().st_size:
        shutil.copyfile(src, dest)


def write_index(results: list[ReportResult], out: Path) -> Path:
    """Write ``index.html`` (every report with its parameters) and ``manifest.json``."""
    results = sorted(results, key=lambda r: r.job.slug)
    rows = []
    for r in results:
        params = ", ".join(f"{k} = {json.dumps(v)}" for k, v in sorted(r.job.parameters.items()))
        status = "ok" if r.ok else f"FAILED: {r.error}"
        rows.append(
            f'<tr data-figures="{r.figures}"><td><a href="{html.escape(r.html)}">'
            f"{html.escape(r.title)}</a></td><td>{html.escape(r.job.notebook)}</td>"
            f"<td>{html.escape(params) or 'defaults'}</td><td>{html.escape(status)}</td>"
            f'<td><a href="{html.escape(r.ipynb)}">notebook</a></td></tr>'
        )
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>LDN evidence reports</title><style>body{font-family:sans-serif;margin:2em}"
        "td,th{padding:4px 8px;border-bottom:1px solid #ddd;text-align:left}</style></head>"
        "<body><main><h1>LDN evidence reports</h1>"
        f"<p>{len(results)} report(s); {sum(not r.ok for r in results)} failed.</p>"
        "<table><thead><tr><th>Report</th><th>Notebook</th><th>Parameters</th><th>Status</th>"
        "<th>Executed notebook</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></main></body></html>\n"
    )
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    manifest = [{k: v for k, v in asdict(r).items() if k != "seconds"} for r in results]
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return index


def _progress(total: int):
    """Return a progress callback: a tqdm bar on a terminal, one line per report otherwise."""
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=total, unit="report", file=sys.stderr)
        return lambda r: (bar.set_postfix_str(r.job.slug[:40]), bar.update(1))
    done = [0]

    def line(r: ReportResult) -> None:
        done[0] += 1
        state = "ok" if r.ok else "FAILED"
        print(f"[{done[0]}/{total}] {state:6} {r.job.slug} ({r.seconds:.1f} s)", file=sys.stderr)

    return line


def run_reports(
    notebooks: list[str] | None = None,
    parameters: dict | None = None,
    *,
    jobs: int | None = None,
    show_code: bool = False,
    out_dir: Path | None = None,
) -> int:
    """Build reports and the index; return 0 when every report succeeded, else 1.

    Parameters
    ----------
    notebooks : list of str, optional
        Notebook names (file stems); default every notebook in ``notebooks/``.
    parameters : dict, optional
        Parameter values, validated before any kernel starts.
    jobs : int, optional
        Worker processes; default all cores.
    show_code : bool
        Keep code cells in the HTML (hidden by default).
    out_dir : pathlib.Path, optional
        Output folder; default :func:`ldn_analysis.paths.reports_dir`.
    """
    planned = plan(notebooks, parameters)
    out = Path(out_dir or paths.reports_dir())
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    _copy_plotly_js(out)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(planned)))
    print(f"Building {len(planned)} report(s) with {workers} worker(s) into {out}", file=sys.stderr)
    tick = _progress(len(planned))
    results: list[ReportResult] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(execute_one, job, str(out), show_code): job for job in planned}
        for fut in as_completed(futures):
            try:
                result = fut.result()
            except Exception as exc:  # a crash outside the notebook (export, I/O)
                job = futures[fut]
                result = ReportResult(job, False, "", "", job.notebook, 0, 0.0, repr(exc))
            results.append(result)
            tick(result)
    index = write_index(results, out)
    failed = [r for r in results if not r.ok]
    for r in failed:
        print(f"FAILED {r.job.notebook} {r.job.parameters}: {r.error}", file=sys.stderr)
    print(f"{len(results) - len(failed)} ok, {len(failed)} failed. Index: {index}", file=sys.stderr)
    if failed:
        raise LDNError(f"{len(failed)} report(s) failed; see the pages marked FAILED in {index}")
    return 0

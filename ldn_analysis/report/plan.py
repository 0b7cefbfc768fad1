"""Plan a build: which notebooks run with which parameters, and what each page is called.

Everything here runs before any report executes, so bad parameters fail in a second with
the valid values listed. Notebook metadata (the ``ldn`` key, kept in the jupytext header)
drives the plan: ``expand`` lists parameters to run once per valid value, ``title`` is the
page title pattern (``{condition}``, ``{outcome}``, ``{mode}``, ``{event}`` are replaced by
their reader-facing labels), ``scope`` says which rows of the data a report reads
(``"condition"``: only its condition's; default every row), ``group`` places the page in
the index. ``title_outcome: pooled`` says the page pools the outcome
:func:`~ldn_analysis.analysis.outcomes.choose_outcome` picks, not always the one asked
for: ``{outcome}`` in the title is then that outcome, and ``title_unpooled`` is the
pattern used when no study of the selection gives an effect size (nothing is pooled).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import nbformat

import ldn_analysis
from ldn_analysis import paths, vocab
from ldn_analysis.errors import ParameterError
from ldn_analysis.report.parameters import PARAMETERS, validate

LABELS = {
    "condition": vocab.condition_label,
    "outcome": vocab.outcome_label,
    "event": vocab.event_label,
    "test": vocab.test_label,
}


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


def notebook_paths() -> dict[str, Path]:
    """Return the committed notebooks by name (file stem), sorted."""
    return {p.stem: p for p in sorted(paths.notebooks_dir().glob("*.ipynb"))}


def declared_parameters(path: Path) -> dict[str, dict]:
    """Return the parameters a notebook declares (papermill.inspect_notebook)."""
    return _declared(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=64)
def _declared(path: str, _mtime: int) -> dict[str, dict]:
    import papermill  # local import: papermill's engines take half a second to import

    return papermill.inspect_notebook(path)


def read_meta(path: Path) -> dict:
    """Return a notebook's ``ldn`` metadata (expand, title, scope, group)."""
    return dict(nbformat.read(path, as_version=4).metadata.get("ldn", {}))


def defaults(path: Path) -> dict:
    """Return the default value of every declared parameter, as Python values."""
    out = {}
    for name, info in declared_parameters(path).items():
        try:
            out[name] = ast.literal_eval(info.get("default", "None"))
        except (ValueError, SyntaxError):
            out[name] = info.get("default")
    return out


def first_heading(nb) -> str:
    """Return the text of the notebook's first markdown heading ("Report" if none)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return "Report"


def page_title(nb, job: ReportJob, defaults_: dict | None = None) -> str:
    """Return the page title: the notebook's ``ldn.title`` pattern filled with labels.

    Values come from the job's parameters over the notebook defaults, so a page built
    with defaults still names its condition and outcome. With ``title_outcome: pooled``
    the outcome named is the one the page pools (:func:`pooled_outcome`), and the
    ``title_unpooled`` pattern is used when it pools none. Without a pattern, the first
    heading, followed by any parameter values the job sets.
    """
    values = {**(defaults_ or {}), **job.parameters}
    meta = nb.metadata.get("ldn", {})
    pattern = meta.get("title")
    if not pattern:
        extra = ", ".join(f"{k} {param_label(k, v)}" for k, v in sorted(job.parameters.items()))
        return first_heading(nb) + (f" ({extra})" if extra else "")
    if meta.get("title_outcome") == "pooled":
        pooled = pooled_outcome(values)
        if pooled is None:
            pattern = meta.get("title_unpooled") or pattern
        else:
            values["outcome"] = pooled
    labels = {k: param_label(k, v) for k, v in values.items()}
    return pattern.format_map(_Missing(labels))


def pooled_outcome(values: dict) -> str | None:
    """Return the outcome a condition page pools with these parameter values, or None.

    The page's own steps, run before it executes: ``select`` on the condition, designs and
    smallest size, then ``choose_outcome`` of the requested outcome. None when the chosen
    outcome has no study with an effect size (the page then pools nothing).
    """
    # local import: the analysis layer imports scipy.stats (about 2 s); only a page that
    # executes needs its title, so an unchanged rebuild never pays it
    from ldn_analysis.analysis import outcomes, select

    v = {k: PARAMETERS[k].check(x) if k in PARAMETERS else x for k, x in values.items()}
    evidence = _evidence(str(paths.data_dir().resolve()), _data_stamp())
    selection = select(evidence, v.get("condition"), v.get("designs") or (), v.get("min_n") or 0)
    choice = outcomes.choose_outcome(selection, v["outcome"])
    return choice.chosen if choice.counts()[1] else None


def _data_stamp() -> tuple:
    folder = paths.data_dir()
    return tuple((f.name, f.stat().st_mtime_ns) for f in sorted(folder.glob("*")) if f.is_file())


@lru_cache(maxsize=2)
def _evidence(_data_dir: str, _stamp: tuple):
    # the package's loader: in a report process it returns the evidence loaded before the
    # forks (execute.prepare), as the notebook's own ``ldn.load_evidence()`` does
    return ldn_analysis.load_evidence()


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def param_label(key: str, value: object) -> str:
    """Return a parameter value as readers read it ("fibromyalgia", "ME/CFS", "pain")."""
    if isinstance(value, list | tuple):
        return ", ".join(param_label(key, v) for v in value) or "all"
    fn = LABELS.get(key)
    return fn(value) if fn else str(value)


def retitle(nb, title: str) -> None:
    """Put ``title`` in place of the notebook's first heading (the page's H1)."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        for i, line in enumerate(lines):
            if re.match(r"#\s", line):
                lines[i] = f"# {title}"
                cell.source = "\n".join(lines)
                return


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
        keys = [k for k in read_meta(available[name]).get("expand", []) if k in declared[name]]
        # one page, one name: a value equal to the default names the default page
        base = defaults(available[name])
        combos = [{k: v for k, v in values.items() if k in keys or base.get(k) != v}]
        keys = [k for k in keys if k not in values]
        for key in keys:
            choices = PARAMETERS[key].choices() if PARAMETERS[key].choices else []
            combos = [{**c, key: v} for c in combos for v in choices]
        jobs.extend(ReportJob(name, c) for c in combos)
    return jobs

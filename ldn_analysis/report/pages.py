"""Offline HTML pages: one nbconvert exporter per build, warmed up before the forks.

The ``ldn_offline`` template (``templates/ldn_offline``) loads the one shared plotly.js
beside the pages, adds the navigation, the failure banner, a print stylesheet, a CSV
download under every table and SVG/PNG export buttons on every figure.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import nbformat

from ldn_analysis import paths
from ldn_analysis.text.display import PLOTLY_MIMETYPE

ASSETS = "assets"
PLOTLY_JS = "plotly.min.js"
TEMPLATE = "ldn_offline"


def make_exporter():
    """Return an HTML exporter for the offline template, its templates already compiled."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name=TEMPLATE,
        extra_template_basedirs=[str(paths.TEMPLATES_DIR)],
        exclude_output_prompt=True,
    )
    export(exporter, nbformat.v4.new_notebook(), show_code=False, failure="", title="warm-up")
    return exporter


def export(exporter, nb, *, show_code: bool, failure: str, title: str) -> str:
    """Return the page HTML of an executed notebook."""
    exporter.exclude_input = not show_code
    exporter.exclude_input_prompt = not show_code
    resources = {
        "metadata": {"name": title},
        "ldn_plotly_src": f"{ASSETS}/{PLOTLY_JS}",
        "ldn_index_href": "index.html",
        "ldn_failure": failure,
    }
    body, _ = exporter.from_notebook_node(copy.deepcopy(nb), resources=resources)
    return body


def _outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield from cell.get("outputs", [])


def count_figures(nb) -> int:
    """Return how many plotly figures the executed notebook shows."""
    return sum(PLOTLY_MIMETYPE in out.get("data", {}) for out in _outputs(nb))


def count_tables(nb) -> int:
    """Return how many tables the executed notebook shows."""
    return sum("ldn-table" in str(out.get("data", {}).get("text/html", "")) for out in _outputs(nb))


def copy_plotly_js(out: Path) -> None:
    """Put plotly.min.js in ``out/assets`` once (every page loads this one file)."""
    import plotly

    src = Path(plotly.__file__).parent / "package_data" / PLOTLY_JS
    dest = out / ASSETS / PLOTLY_JS
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not dest.exists() or dest.stat().st_size != src.stat().st_size:
        tmp = dest.with_name(f".{PLOTLY_JS}.tmp")
        shutil.copyfile(src, tmp)
        tmp.replace(dest)

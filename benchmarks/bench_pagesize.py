"""Report page size: our offline pages vs nbconvert's default self-contained output.

Candidate: the bytes of each page the runner writes (plotly.js is one shared file beside
them, counted once and reported separately). Baseline: the same executed notebooks exported
with nbconvert's default ``lab`` template, each figure as plotly's own offline HTML
(``include_plotlyjs=True`` on the page's first figure, as plotly's notebook renderer does),
which is what it takes for a default page to render without network.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path


def _default_page(ipynb: Path) -> int:
    import nbformat
    import plotly.io as pio
    from nbconvert import HTMLExporter

    from ldn_analysis.text.display import PLOTLY_MIMETYPE

    nb = nbformat.read(ipynb, as_version=4)
    first = True
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            spec = out.get("data", {}).get(PLOTLY_MIMETYPE)
            if spec is not None:
                fig = pio.from_json(json.dumps(spec), skip_invalid=True)
                out["data"]["text/html"] = pio.to_html(fig, include_plotlyjs=first, full_html=False)
                first = False
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    return len(body.encode())


def run() -> list[dict]:
    """Measure mean page size both ways over every default report."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        subprocess.run(
            [sys.executable, "-m", "ldn_analysis", "report", "--output-dir", str(out)],
            check=False,
            capture_output=True,
        )
        manifest = json.loads((out / "manifest.json").read_text())
        ours = [(out / m["html"]).stat().st_size for m in manifest]
        default = [_default_page(out / m["ipynb"]) for m in manifest]
        shared = (out / "assets" / "plotly.min.js").stat().st_size
    mean_ours, mean_default = sum(ours) / len(ours), sum(default) / len(default)
    return [
        {
            "name": f"report page size (mean of {len(ours)} pages)",
            "baseline_label": "nbconvert default, self-contained",
            "baseline_value": mean_default / 1024,
            "candidate_label": "ldn_analysis page",
            "candidate_value": mean_ours / 1024,
            "unit": "KB",
            "ratio": mean_default / mean_ours,
            "details": (
                f"largest page {max(ours) / 1024:.0f} KB (target <= 300 KB) + one shared "
                f"plotly.min.js of {shared / 1024:.0f} KB for all pages"
            ),
        }
    ]

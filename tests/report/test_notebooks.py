"""Every evidence notebook runs on the real data/ and emits its figures; parameters documented.

Teaching notebooks (``teach_*``) are tested by their own suite. Each notebook is executed
with papermill exactly as the report runner does (kernel python3, cwd notebooks/), with
its defaults and with one small non-default parameter set.
"""

from __future__ import annotations

import json
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import papermill
import pytest

from ldn_analysis.report.parameters import PARAMETERS
from ldn_analysis.text.display import PLOTLY_MIMETYPE

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(
    p for p in (ROOT / "notebooks").glob("*.ipynb") if not p.name.startswith("teach_")
)
ALL_NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
DOC = ROOT / "docs" / "parameters.md"
sys.path.insert(0, str(ROOT / "tools"))
MINE = ("evidence_map", "trial_duration", "side_effects", "efficacy", "condition_report")

# (notebook, parameters, fewest figures expected). Defaults first, then small variations:
# another condition with another estimator and test, a rarer event, a design filter.
RUNS = [
    *[(p.stem, {}, 2 if p.stem in MINE else 1) for p in NOTEBOOKS],
    ("condition_report", {"condition": "crps", "method": "DL", "test": "z"}, 1),
    ("efficacy", {"method": "PM", "test": "adhoc", "rho": 0.2}, 1),
    ("side_effects", {"event": "vivid_dreams", "min_n": 10}, 1),
    ("evidence_map", {"designs": ["rct_parallel", "rct_crossover"]}, 1),
]
MIN_FIGURES = {"condition_report": 6, "efficacy": 3}

pytestmark = pytest.mark.slow


def _run(name: str, params: dict, out_dir: Path):
    out = out_dir / f"{name}-{abs(hash(json.dumps(params, sort_keys=True)))}.ipynb"
    return papermill.execute_notebook(
        str(ROOT / "notebooks" / f"{name}.ipynb"),
        str(out),
        parameters=params,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(ROOT / "notebooks"),
    )


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Execute every run once, four kernels at a time (keeps the module near a minute)."""
    out_dir = tmp_path_factory.mktemp("executed")
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {
            (name, json.dumps(params, sort_keys=True)): pool.submit(_run, name, params, out_dir)
            for name, params, _ in RUNS
        }
    results = {}
    for key, fut in futures.items():
        try:
            results[key] = fut.result()
        except Exception as exc:  # reported per run by the test below
            results[key] = exc
    return results


def _outputs(nb):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


@pytest.mark.parametrize(
    ("name", "params", "fewest"),
    RUNS,
    ids=[f"{n}-{'-'.join(f'{k}={v}' for k, v in p.items()) or 'defaults'}" for n, p, _ in RUNS],
)
def test_notebook_runs_and_emits_figures(executed, name, params, fewest):
    nb = executed[(name, json.dumps(params, sort_keys=True))]
    if isinstance(nb, Exception):
        pytest.fail(f"{name} {params} failed: {str(nb)[-2000:]}")
    outputs = _outputs(nb)
    assert not [o for o in outputs if o.get("output_type") == "error"]
    figures = [o for o in outputs if PLOTLY_MIMETYPE in o.get("data", {})]
    assert len(figures) >= max(fewest, MIN_FIGURES.get(name, 0) if not params else 0)
    for fig in figures:  # every figure also renders in HTML with a text alternative
        assert 'class="ldn-figure"' in fig["data"]["text/html"]
        assert "aria-label=" in fig["data"]["text/html"]
    assert not any("Traceback" in str(o.get("text", "")) for o in outputs)


def test_too_little_evidence_is_said_in_words(executed):
    nb = executed[
        (
            "condition_report",
            json.dumps({"condition": "crps", "method": "DL", "test": "z"}, sort_keys=True),
        )
    ]
    if isinstance(nb, Exception):
        pytest.fail(str(nb)[-2000:])
    text = " ".join(o["data"].get("text/plain", "") for o in _outputs(nb) if "data" in o)
    assert "no pooled estimate" in text or "Not drawn" in text


def test_parameter_docs_are_generated_from_the_registry():
    import parameter_docs

    assert parameter_docs.notebook_doc() in DOC.read_text("utf-8"), (
        "docs/parameters.md is stale: run tools/parameter_docs.py"
    )
    assert parameter_docs.registry_table() in (ROOT / "README.md").read_text("utf-8"), (
        "README.md's parameter table is stale: run tools/parameter_docs.py"
    )


def test_every_notebook_declares_registered_parameters():
    for path in ALL_NOTEBOOKS:
        declared = papermill.inspect_notebook(str(path))
        assert set(declared) <= set(PARAMETERS), f"{path.name}: {set(declared) - set(PARAMETERS)}"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.stem)
def test_first_cell_after_parameters_checks_every_parameter(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    i = next(i for i, c in enumerate(code) if "parameters" in c.metadata.get("tags", []))
    declared = papermill.inspect_notebook(str(path))
    call = re.search(r"ldn\.use_parameters\(([^)]*)\)", code[i + 1].source)
    assert call, f"{path.name}: the cell after the parameters cell must call ldn.use_parameters"
    checked = {kw.split("=")[0].strip() for kw in call.group(1).split(",") if "=" in kw}
    assert checked == set(declared), f"{path.name}: checks {checked}, declares {set(declared)}"

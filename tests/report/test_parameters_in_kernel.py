"""Parameters typed in a notebook are checked in the kernel, as the command line checks them.

Executed with papermill as the report runner does. Expected texts are computed from the
registry and the data (valid conditions, outcomes with data), never typed.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import papermill
import pytest
from papermill.exceptions import PapermillExecutionError

import ldn_analysis as ldn
from ldn_analysis.report.parameters import PARAMETERS
from ldn_analysis.vocab import condition_label, outcome_label

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

RUNS = {
    "lupus": {"condition": "lupus"},
    "label": {"condition": "multiple sclerosis"},
    "one_design": {"designs": "rct_parallel"},
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("kernel_params")

    def run(name):
        try:
            return papermill.execute_notebook(
                str(ROOT / "notebooks" / "condition_report.ipynb"),
                str(out / f"{name}.ipynb"),
                parameters=RUNS[name],
                kernel_name="python3",
                progress_bar=False,
                cwd=str(ROOT / "notebooks"),
            )
        except PapermillExecutionError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(zip(RUNS, pool.map(run, RUNS), strict=True))


def _text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            parts.append(data.get("text/plain", "") + data.get("text/html", ""))
            parts.append(o.get("text", ""))
    return "\n".join(map(str, parts))


def _parameter_value(nb, name: str) -> str:
    """The value the page says it used ("Built with condition = ...; designs = ...")."""
    cell = next(c for c in nb.cells if "ldn.use_parameters(" in c.source)
    line = next(o for o in cell.outputs if "text/plain" in o.get("data", {}))
    return re.search(rf"\b{name} = ([^;(]+?)(?:;| \()", line["data"]["text/plain"]).group(1)


def test_an_unknown_condition_stops_with_one_line_listing_the_valid_ones(runs):
    exc = runs["lupus"]
    assert isinstance(exc, PapermillExecutionError), "condition = 'lupus' ran"
    assert exc.ename == "ParameterError"
    valid = PARAMETERS["condition"].choices()
    assert "'lupus' is not valid" in exc.evalue
    assert all(c in exc.evalue for c in valid)
    assert len(exc.traceback) == 1 and "Traceback" not in "".join(exc.traceback)


def test_a_condition_label_runs_as_its_id(runs):
    nb = runs["label"]
    assert not isinstance(nb, Exception), str(nb)[-2000:]
    assert _parameter_value(nb, "condition") == "multiple_sclerosis"
    text = _text(nb)
    assert "Evidence ladder for multiple sclerosis" in text
    assert "holds no study" not in text


def test_the_ms_report_names_its_outcomes_with_data(runs):
    nb = runs["label"]
    assert not isinstance(nb, Exception), str(nb)[-2000:]
    evidence = ldn.load_evidence()
    selection = ldn.select(evidence, "multiple_sclerosis")
    available = ldn.outcomes_with_data(selection)
    assert not available.empty
    text = _text(nb)
    where = condition_label("multiple_sclerosis")
    assert f"Outcomes with placebo-controlled data for {where}" in text
    for outcome in available["outcome"]:
        assert outcome_label(outcome) in text
    chosen = ldn.choose_outcome(selection, "pain").chosen
    assert f"This page shows {outcome_label(chosen)}" in text
    cree = evidence.studies.set_index("study_id").loc["cree_2010"]
    assert f"{int(cree['n_analyzed'])} analysed" in text
    arms_sum = int(cree["n_ldn"]) + int(cree["n_control"])
    assert f"{arms_sum} analysed" not in text and f"{arms_sum} enrolled" not in text


def test_a_design_given_as_a_string_is_one_design(runs):
    nb = runs["one_design"]
    assert not isinstance(nb, Exception), str(nb)[-2000:]
    assert _parameter_value(nb, "designs") == "rct_parallel"
    text = _text(nb)
    assert "designs: rct_parallel;" in text
    assert "r, c, t" not in text

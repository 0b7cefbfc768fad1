"""The explorer: controls drive the report's analysis objects and redraw every pane in place."""

from __future__ import annotations

import shlex

import pytest

import ldn_analysis as ldn
from ldn_analysis.analysis.outcomes import outcomes_with_data
from ldn_analysis.cli import build_parser
from ldn_analysis.report.explorer import PANES, Explorer, View, render
from ldn_analysis.report.parameters import PARAMETERS
from ldn_analysis.text.display import PLOTLY_MIMETYPE


class Handle:
    """Stands in for IPython's DisplayHandle: records every update."""

    def __init__(self):
        self.updates = []

    def update(self, bundle, raw=False):
        self.updates.append(bundle)


@pytest.fixture(scope="module")
def evidence():
    return ldn.load_evidence()


@pytest.fixture
def explorer(evidence):
    ex = Explorer(View(), evidence)
    ex._handles = {name: Handle() for name in PANES}
    return ex


def test_render_uses_the_report_objects(evidence):
    view = View(condition="multiple_sclerosis", method="DL", test="z")
    r = render(evidence, view)
    selection = ldn.select(evidence, "multiple_sclerosis")
    choice = ldn.choose_outcome(selection, "pain")
    assert r.choice.chosen == choice.chosen
    assert r.analysis.outcome == choice.chosen and r.analysis.method == "DL"
    assert r.analysis.k == ldn.efficacy(selection, choice.chosen, "DL", "z").k
    bundles = r.bundles()
    assert list(bundles) == list(PANES)
    assert "Summary of findings" in bundles["summary"]["text/plain"]
    for name in ("forest", "ladder", "side_effects"):  # static first view: offline HTML too
        assert "text/html" in bundles[name]


def test_command_line_builds_the_same_view():
    view = View("multiple_sclerosis", "quality_of_life", "PM", "adhoc", ("rct_crossover",), 10)
    args = build_parser().parse_args(shlex.split(view.command_line())[3:])
    assert args.notebook == ["condition_report"] or args.notebook == "condition_report"
    given = dict(args.parameter)
    checked = {k: PARAMETERS[k].check(v) for k, v in given.items()}
    assert checked == {
        "condition": "multiple_sclerosis",
        "outcome": "quality_of_life",
        "method": "PM",
        "test": "adhoc",
        "designs": ["rct_crossover"],
        "min_n": 10,
    }


def test_changing_the_condition_redraws_every_pane(explorer, evidence):
    explorer.condition.value = "multiple_sclerosis"
    r = explorer.rendered
    assert r.view.condition == "multiple_sclerosis"
    selection = ldn.select(evidence, "multiple_sclerosis")
    expected = [o for _, o in explorer.outcome.options]
    assert expected == outcomes_with_data(selection)["outcome"].tolist()
    assert explorer.outcome.value == r.choice.chosen
    for name, handle in explorer._handles.items():
        assert handle.updates, name
        final = handle.updates[-1]
        if name in ("forest", "ladder", "side_effects") and PLOTLY_MIMETYPE in final:
            # a placeholder first, so JupyterLab builds a new plotly renderer
            assert PLOTLY_MIMETYPE not in handle.updates[-2]
    assert "multiple sclerosis" in explorer.status.value
    assert "multiple_sclerosis" in explorer._handles["command"].updates[-1]["text/plain"]


def test_method_interval_designs_and_min_n_reach_the_analysis(explorer):
    explorer.method.value = "DL"
    explorer.test.value = "z"
    assert (explorer.rendered.analysis.method, explorer.rendered.analysis.test) == ("DL", "z")
    explorer.designs.value = ("rct_parallel",)
    assert set(explorer.rendered.selection.studies["design"]) <= {"rct_parallel"}
    explorer.min_n.value = 50
    assert (explorer.rendered.selection.studies["n"] >= 50).all()
    assert "-p min_n 50" in explorer.rendered.view.command_line()


def test_a_user_picked_outcome_is_shown(explorer):
    options = [o for _, o in explorer.outcome.options]
    other = next(o for o in options if o != explorer.outcome.value)
    explorer.outcome.value = other
    assert explorer.rendered.choice.chosen == other


def test_without_a_kernel_the_controls_read_as_a_note(explorer):
    bundle = explorer.controls_bundle()
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == explorer.controls.model_id
    assert "need a running kernel" in bundle["text/html"]
    assert not bundle["text/plain"].startswith("VBox")

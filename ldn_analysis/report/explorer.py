"""The explorer: controls that redraw one condition's main results in JupyterLab.

:func:`render` turns a :class:`View` (condition, outcome, method, interval/test, designs,
minimum n) into the same analysis objects a condition report reads (:func:`select`,
:func:`efficacy`, :func:`choose_outcome`) and their charts and summary; :class:`Explorer`
wraps it in ipywidgets controls.

How it shows itself, so it works live *and* as a static page:

- the controls are one ipywidgets box (JupyterLab renders it; ipywidgets 8 needs no build
  step). In an HTML export they are absent: there is no kernel to answer them;
- every pane (summary of findings, forest plot, evidence ladder, side effects, the report
  command line) is an ordinary output with a ``display_id``. An executed notebook (papermill,
  nbconvert) therefore keeps the first view as static outputs, and in JupyterLab a control
  change replaces each pane in place (``update_display``), with no Output widget whose
  content an HTML export would lose. A chart pane is first replaced by a one-line
  placeholder: JupyterLab's plotly renderer draws once and ignores later data, so the
  chart must come back in a new renderer.
"""

from __future__ import annotations

import html
import json
import shlex
import time
from dataclasses import dataclass, replace

import ipywidgets as widgets
import plotly.io as pio
from IPython.display import display

from ldn_analysis import vocab
from ldn_analysis.analysis.efficacy import Efficacy, efficacy
from ldn_analysis.analysis.outcomes import OutcomeChoice, choose_outcome, outcomes_with_data
from ldn_analysis.analysis.selection import Selection, select
from ldn_analysis.data.evidence import load_evidence
from ldn_analysis.figures import Chart, ae_chart, forest, ladder_chart
from ldn_analysis.report.parameters import PARAMETERS
from ldn_analysis.stats.rma import METHODS, TESTS
from ldn_analysis.text.display import PLOTLY_MIMETYPE, figure_html
from ldn_analysis.text.format import plural
from ldn_analysis.text.outcomes import outcome_choice_text
from ldn_analysis.text.sof import summary_of_findings
from ldn_analysis.text.studies import references_html

REPORT_NOTEBOOK = "condition_report"
"""The notebook whose parameters a view's command line sets."""

PANES = ("summary", "forest", "ladder", "side_effects", "command")
"""The outputs the explorer draws, top to bottom."""

CONTROLS_NOTE = (
    "The controls (condition, outcome, method, interval, designs, minimum n) need a running "
    "kernel: open explore.ipynb in JupyterLab (make lab). This page shows the first view."
)

REDRAWING = {"text/html": "<p>Redrawing…</p>", "text/plain": "Redrawing…"}


@dataclass(frozen=True)
class View:
    """What the explorer shows: the parameters of a condition report.

    ``outcome`` is the outcome asked for; :func:`render` may show another one when the
    condition has no effect size for it (and says so).
    """

    condition: str = "fibromyalgia"
    outcome: str = "pain"
    method: str = "REML"
    test: str = "knha"
    designs: tuple[str, ...] = ()
    min_n: int = 0

    @classmethod
    def from_parameters(cls, **values: object) -> View:
        """Return the view of validated report parameters (:func:`use_parameters` output)."""
        checked = {k: PARAMETERS[k].check(v) for k, v in values.items() if k in PARAMETERS}
        checked["designs"] = tuple(checked.get("designs") or ())
        return cls(**{k: v for k, v in checked.items() if k in cls.__dataclass_fields__})

    def parameters(self) -> dict:
        """Return the report parameters of this view (designs only when filtered)."""
        out = {
            "condition": self.condition,
            "outcome": self.outcome,
            "method": self.method,
            "test": self.test,
        }
        if self.designs:
            out["designs"] = ",".join(self.designs)
        if self.min_n:
            out["min_n"] = str(self.min_n)
        return out

    def command_line(self) -> str:
        """Return the shell command that builds this view as a condition report page."""
        args = ["python", "-m", "ldn_analysis", "report", "--notebook", REPORT_NOTEBOOK]
        for name, value in self.parameters().items():
            args += ["-p", name, str(value)]
        return shlex.join(args)


@dataclass(frozen=True)
class Rendered:
    """One drawn view: its analysis objects and the outputs of every pane."""

    view: View
    selection: Selection
    choice: OutcomeChoice
    analysis: Efficacy
    charts: dict[str, Chart]
    seconds: float

    def bundles(self, *, static: bool = True) -> dict[str, dict]:
        """Return the display bundle of every pane in :data:`PANES`.

        ``static=False`` leaves out the charts' offline HTML (redraws happen in JupyterLab,
        which renders the plotly data; only the first view needs to survive an export).
        """
        sof = summary_of_findings(self.analysis, self.selection)
        choice = outcome_choice_text(self.choice)
        refs, refs_text = references_html(self.selection, self.analysis.effects.get("study_id"))
        out = {
            "summary": {
                "text/html": f"<p>{html.escape(choice)}</p>{sof.html()}{refs}",
                "text/plain": f"{choice}\n\n{sof.text()}\n\n{refs_text}",
            }
        }
        out |= {name: chart_bundle(chart, static=static) for name, chart in self.charts.items()}
        command = replace(self.view, outcome=self.choice.chosen).command_line()
        out["command"] = {
            "text/html": "<p>This view as a report page:</p>"
            f"<pre class='ldn-command'>{html.escape(command)}</pre>",
            "text/plain": command,
        }
        return out


def chart_bundle(chart: Chart, *, static: bool = True) -> dict:
    """Return the display bundle of a chart (as :func:`ldn_analysis.show` displays it).

    ``static=False`` leaves out the offline HTML of the figure (JupyterLab does not use it).
    """
    if chart.figure is None:
        return {"text/html": f"<p>{html.escape(chart.alt)}</p>", "text/plain": chart.alt}
    bundle = {
        PLOTLY_MIMETYPE: json.loads(pio.to_json(chart.figure, validate=False, remove_uids=True)),
        "text/plain": f"[figure] {chart.alt}",
    }
    if static:
        bundle["text/html"] = figure_html(chart.figure, chart.alt)
    return bundle


def render(
    evidence, view: View, *, keep_outcome: bool = False, selection: Selection | None = None
) -> Rendered:
    """Run the analyses of ``view`` and build its charts (the report's own objects).

    Parameters
    ----------
    evidence : Evidence
        From :func:`ldn_analysis.load_evidence`.
    view : View
    keep_outcome : bool
        Show ``view.outcome`` even when it gives no effect size (a user picked it); by
        default :func:`choose_outcome` picks one with data, as the condition report does.
    selection : Selection, optional
        The selection of ``view`` when already made (it is not made twice).
    """
    start = time.perf_counter()
    if selection is None:
        selection = select(evidence, view.condition, view.designs, view.min_n)
    choice = choose_outcome(selection, view.outcome, keep=keep_outcome)
    analysis = efficacy(selection, choice.chosen, view.method, view.test)
    charts = {
        "forest": forest(analysis),
        "ladder": ladder_chart(selection),
        "side_effects": ae_chart(selection),
    }
    return Rendered(view, selection, choice, analysis, charts, time.perf_counter() - start)


def _options(mapping: dict[str, str]) -> list[tuple[str, str]]:
    return [(label, key) for key, label in mapping.items()]


def outcome_options(selection: Selection) -> list[tuple[str, str]]:
    """Return (label, id) of the outcomes with data, e.g. ("pain: 4 studies, 2 usable", "pain")."""
    return [
        (
            f"{vocab.outcome_label(r.outcome)}: {r.studies} "
            f"{'study' if r.studies == 1 else 'studies'}, {r.with_effect_size} usable",
            r.outcome,
        )
        for r in outcomes_with_data(selection).itertuples()
    ]


class Explorer:
    """ipywidgets controls over :func:`render`, redrawing every pane in place.

    Parameters
    ----------
    view : View, optional
        The first view (default: :class:`View` defaults).
    evidence : Evidence, optional
        Default :func:`ldn_analysis.load_evidence`.

    Attributes
    ----------
    rendered : Rendered
        The view on screen.
    controls : ipywidgets.Box
        The controls and a status line (what is shown, how long it took).
    """

    def __init__(self, view: View | None = None, evidence=None):
        self.evidence = evidence if evidence is not None else load_evidence()
        self._selections: dict[tuple, Selection] = {}
        view = view or View()
        self.rendered = render(self.evidence, view, selection=self.selection(view))
        v = self.rendered.view
        self._handles: dict = {}
        self._busy = False
        conditions = [(vocab.condition_label(c), c) for c in PARAMETERS["condition"].choices()]
        self.condition = widgets.Dropdown(
            options=conditions, value=v.condition, description="Condition"
        )
        self._asked = v.outcome
        self.outcome = widgets.Dropdown(description="Outcome")
        self.method = widgets.Dropdown(
            options=list(METHODS), value=v.method, description="τ² method"
        )
        self.test = widgets.Dropdown(
            options=_options({t: vocab.test_label(t) for t in TESTS}),
            value=v.test,
            description="Interval",
        )
        self.designs = widgets.SelectMultiple(
            options=_options({d: vocab.design_label(d) for d in vocab.DESIGNS}),
            value=tuple(v.designs),
            rows=6,
            description="Designs",
        )
        self.min_n = widgets.IntSlider(
            value=v.min_n, min=0, max=200, step=10, continuous_update=False, description="Minimum n"
        )
        self.status = widgets.HTML()
        for w in (self.condition, self.outcome, self.method, self.test, self.designs, self.min_n):
            w.observe(self._changed, names="value")
        left = widgets.VBox([self.condition, self.outcome, self.method, self.test, self.min_n])
        hint = widgets.HTML("<small>Designs: none selected = every design (Ctrl-click)</small>")
        self.controls = widgets.VBox(
            [widgets.HBox([left, widgets.VBox([self.designs, hint])]), self.status]
        )
        for w in (self.condition, self.outcome, self.method, self.test, self.min_n):
            w.style.description_width = "90px"
            w.layout.width = "430px"
        self._set_outcomes()
        self._set_status()

    def view(self) -> View:
        """Return the view the controls describe."""
        return View(
            condition=self.condition.value,
            outcome=self.outcome.value,
            method=self.method.value,
            test=self.test.value,
            designs=tuple(self.designs.value),
            min_n=int(self.min_n.value),
        )

    def _set_status(self) -> None:
        r = self.rendered
        self.status.value = (
            f"<span class='ldn-explorer-status'>"
            f"{html.escape(vocab.condition_label(r.view.condition))}, "
            f"{html.escape(vocab.outcome_label(r.choice.chosen))}: {r.analysis.k} of "
            f"{plural(r.selection.k, 'selected study', 'selected studies')} pooled; "
            f"drawn in {r.seconds:.2f} s</span>"
        )

    def _changed(self, change) -> None:
        if self._busy:  # the explorer itself is setting a control
            return
        owner = change["owner"]
        if owner is self.outcome:  # a pick from the list is shown even without an effect size
            self._asked = self.outcome.value
            keep = True
        elif owner in (self.condition, self.designs, self.min_n):
            keep = False  # a new selection: keep the asked outcome only if it has data
        else:
            keep = self.outcome.value == self._asked
        self.update(replace(self.view(), outcome=self._asked), keep_outcome=keep)

    def selection(self, view: View) -> Selection:
        """Return the selection of ``view``, made once per (condition, designs, min_n).

        A selection caches the analyses run on it, so going back to a condition, method or
        outcome already seen redraws without recomputing.
        """
        key = (view.condition, tuple(view.designs), view.min_n)
        if key not in self._selections:
            self._selections[key] = select(self.evidence, *key)
        return self._selections[key]

    def _set_outcomes(self) -> None:
        """List the outcomes of the selection on screen and select the one shown."""
        r = self.rendered
        self._busy = True
        try:
            chosen = r.choice.chosen
            self.outcome.options = outcome_options(r.selection) or [(chosen, chosen)]
            self.outcome.value = chosen
        finally:
            self._busy = False

    def update(self, view: View, *, keep_outcome: bool = False) -> Rendered:
        """Draw ``view`` into the panes already shown (and return it).

        ``view.outcome`` is the outcome asked for; unless ``keep_outcome``, the outcome
        shown is the condition report's choice (:func:`choose_outcome`), and the summary
        says why when it differs.
        """
        self.rendered = render(
            self.evidence, view, keep_outcome=keep_outcome, selection=self.selection(view)
        )
        self._set_outcomes()
        for name, bundle in self.rendered.bundles(static=False).items():
            if name in self._handles:
                if PLOTLY_MIMETYPE in bundle:
                    # JupyterLab's plotly renderer ignores new data once it has drawn a graph;
                    # passing through another mimetype makes JupyterLab build a fresh renderer.
                    self._handles[name].update(REDRAWING, raw=True)
                self._handles[name].update(bundle, raw=True)
        self._set_status()
        return self.rendered

    def controls_bundle(self) -> dict:
        """Return the display bundle of the controls: the widget, or a note without a kernel.

        JupyterLab renders the widget view; an HTML export without widget state falls back
        to the note (never the widget's ``VBox(children=...)`` repr).
        """
        bundle = dict(self.controls._repr_mimebundle_())
        bundle["text/html"] = f"<p class='ldn-note'>{html.escape(CONTROLS_NOTE)}</p>"
        bundle["text/plain"] = CONTROLS_NOTE
        return bundle

    def show(self) -> None:
        """Display the controls, then one output per pane (the first view)."""
        display(self.controls_bundle(), raw=True)
        for name, bundle in self.rendered.bundles().items():
            self._handles[name] = display(bundle, raw=True, display_id=True)


def explore(**parameters: object) -> Explorer:
    """Show an :class:`Explorer` whose first view is the given report parameters."""
    explorer = Explorer(View.from_parameters(**parameters))
    explorer.show()
    return explorer

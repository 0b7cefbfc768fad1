"""Teaching notebooks: both modes run, answers withheld from students, every exercise checks.

Each teaching notebook (``teach_*`` and ``claims_vs_evidence``) is executed with papermill
as the report runner does (papermill's injected ``# Parameters`` cell makes it a static
page): student and instructor mode as committed (``my_answer = None``), then student mode
with the computed answer typed into every answer cell, and student mode with a wrong
answer (a word that is not an option for choice exercises). The student pages are
exported to HTML without their code, as the report does, and read as a student would.
"""

from __future__ import annotations

import ast
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import papermill
import pytest
from nbconvert import HTMLExporter
from papermill.exceptions import PapermillExecutionError
from scipy import stats

import ldn_analysis as ldn
from ldn_analysis import teaching as T
from ldn_analysis.errors import ChoiceError
from ldn_analysis.stats.rma import pool
from ldn_analysis.teaching import answers as A
from ldn_analysis.teaching import exercises as X
from ldn_analysis.teaching.discussion import DISCUSS
from ldn_analysis.text.display import PLOTLY_MIMETYPE

ROOT = Path(__file__).resolve().parents[2]
NAMES = sorted(
    p.stem for p in (ROOT / "notebooks").glob("*.ipynb") if p.stem.startswith("teach_")
) + ["claims_vs_evidence"]
DOC = ROOT / "docs" / "teaching.md"
ANSWER_TAG = "answer"  # the tag of each exercise's answer cell
NOTEBOOK_ONLY = ("cell above", "next cell", "No answer yet", "run that cell", "my_answer")

FEEDBACK = re.compile(
    r'ldn\.teaching\.feedback\(\s*"(?P<eid>[a-z_0-9]+)", my_answer, evidence, p\.mode(?P<extra>.*)\)\s*$',
    re.S,
)
UNLOCK = re.compile(r'ldn\.teaching\.unlocked\(\s*"(?P<eid>[a-z_0-9]+)"')
# Methodological constants a markdown cell may state; any other digit must come from code.
ALLOWED_NUMBERS = re.compile(
    r"\b(0|50|95|100)%|1\.96|0\.05|p > 0\.1|k - [12]|^\d\. |Step \d|3 divided by|3/n"
    r"|1 - 0\.05\^\(1/n\)|RoB 2",
    re.M,
)


def _cells(name: str) -> list:
    return nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4).cells


def _exercises_used(cells: list) -> list[str]:
    """Return the exercise ids checked in a notebook's cells, in order."""
    return [
        m["eid"] for c in cells if c.cell_type == "code" for m in [FEEDBACK.search(c.source)] if m
    ]


def _unlocks(cells: list) -> list[str]:
    return [m for c in cells if c.cell_type == "code" for m in UNLOCK.findall(c.source)]


@pytest.fixture(scope="module")
def evidence(real_evidence):
    return real_evidence


@pytest.fixture(scope="module")
def claims():
    return ldn.load_claims()


def _params(evidence, claims) -> dict[str, list[tuple[str, dict]]]:
    """The exercises of each notebook with the parameters its cells pass (same helpers)."""
    headline = T.headline_claims(claims)
    condition = T.focus_condition(evidence)
    meta = T.exercise_values("pooled_direction", evidence)["condition"]
    return {
        "teach_evidence_hierarchy": [
            ("count_rcts", {"condition": condition}),
            ("claim_verdict", {"claim_id": T.uncontrolled_claim(evidence, claims)}),
        ],
        "teach_proportions": [
            ("rule_of_three", {}),
            ("wilson_vs_wald", {}),
            ("harm_difference", {}),
        ],
        "teach_heterogeneity": [
            ("pooled_direction", {"condition": meta}),
            ("i2_interpretation", {"condition": meta}),
            ("egger_appropriate", {"condition": meta}),
        ],
        "teach_designs": [("crossover_vs_parallel_n", {})],
        "teach_bias_traps": [
            ("regression_to_mean", {}),
            ("multiplicity", {}),
            ("unpublished_registrations", {}),
        ],
        "teach_risk_of_bias": [("risk_of_bias_overall", {})],
        "teach_summary_of_findings": [("sof_points", {}), ("sof_mid", {}), ("sof_nnt", {})],
        "claims_vs_evidence": [
            ("claim_verdict", {"claim_id": headline["final"]}),
            ("claim_verdict", {"claim_id": headline["side_effect_range"]}),
        ],
    }


@pytest.fixture(scope="module")
def used(evidence, claims):
    return _params(evidence, claims)


def _wrong(eid: str, evidence, params):
    """A wrong answer: a word that is not an option for choices, else a wrong value."""
    ex = X.EXERCISES[eid]
    if ex.kind in ("choice", "boolean"):
        return "maybe"
    right = X.answer(eid, evidence, **params)
    if isinstance(right, tuple):
        return (right[0] + 7, right[1] + 7)
    return right * 2 + 5


# --------------------------------------------------------------------------- in-process


def test_every_exercise_of_every_notebook_is_listed(used):
    for name in NAMES:
        assert _exercises_used(_cells(name)) == [e for e, _ in used[name]], name


def test_every_exercise_is_in_a_teaching_notebook(used):
    seen = {e for name in NAMES for e, _ in used[name]}
    assert seen == set(X.EXERCISES)


def test_mode_must_be_student_or_instructor(evidence):
    with pytest.raises(ChoiceError):
        T.feedback_text("rule_of_three", None, evidence, mode="teacher")
    with pytest.raises(ChoiceError):
        T.discuss_text("teach_proportions", mode="teacher")


def test_discuss_model_answers_only_for_instructors():
    for lesson, qa in DISCUSS.items():
        student = T.discuss_text(lesson, "student")
        instructor = T.discuss_text(lesson, "instructor")
        for q, a in qa:
            assert q in student and a not in student
            assert q in instructor and a in instructor


def test_claims_table_is_the_claims_command_table(evidence):
    table = T.claims_table(evidence)
    assert {"claim_id", "verdict", "deciding_numbers"} <= set(table.columns)


def test_one_prediction_interval_method(evidence):
    """Higgins et al.: estimate +/- t(k-2) sqrt(se^2 + tau2); none below three studies."""
    a = ldn.efficacy(ldn.select(evidence, "fibromyalgia"), "pain")
    r = a.result
    lo, hi = T.prediction_interval(r)
    se = pool(a.effects["yi"], a.effects["vi"], r.method, "z").se  # not rescaled by KH
    half = stats.t.isf(0.025, r.k - 2) * (se**2 + r.tau2) ** 0.5
    assert (lo, hi) == pytest.approx((r.estimate - half, r.estimate + half))
    text = T.forest_reading_text(a)
    assert f"{lo:+.2f} to {hi:+.2f}" in text and "k - 2" in text
    chart = T.forest(a)
    pi = [
        tr
        for tr in chart.figure.data
        if tr.x is not None and len(tr.x) == 2 and list(tr.x) == pytest.approx([lo, hi])
    ]
    assert pi, "the forest plot draws the same prediction interval as the text"


def test_no_prediction_interval_below_three_studies(evidence):
    a = ldn.efficacy(ldn.select(evidence, "fibromyalgia"), "pain", "REML", "z")
    two = pool(a.effects["yi"].to_numpy()[:2], a.effects["vi"].to_numpy()[:2], "REML", "z")
    assert T.prediction_interval(two) is None
    table = T.few_studies_table({"two": a.effects.iloc[:2]})
    assert set(table["95% prediction interval, t(k-2)"]) == {"none: k < 3"}
    assert "I2 (95% CI)" in table.columns and "tau2 (95% CI)" in table.columns


def test_knapp_hartung_text_states_the_rescaling(evidence):
    eff = ldn.efficacy(ldn.select(evidence, "fibromyalgia"), "pain", "REML", "z").effects
    z = pool(eff["yi"], eff["vi"], "REML", "z")
    kh = pool(eff["yi"], eff["vi"], "REML", "knha")
    text = T.knapp_hartung_text(eff)
    assert f"q = {(kh.se / z.se) ** 2:.2f}" in text
    assert f"{z.se:.3f} to {kh.se:.3f}" in text and f"k - 1 = {z.k - 1}" in text


def test_heterogeneity_text_gives_i2_and_tau2_intervals(evidence):
    r = ldn.efficacy(ldn.select(evidence, "fibromyalgia"), "pain", "REML", "z").result
    text = T.heterogeneity_text(r)
    assert f"{r.i2_ci_low:.0f}% to {r.i2_ci_high:.0f}%" in text
    assert f"{r.tau2_ci_low:.3f} to {r.tau2_ci_high:.3f}" in text


def test_before_after_axes_say_worse_and_better_after(evidence):
    ba = ldn.efficacy(ldn.select(evidence), "pain", "REML", "z", comparison="ldn_pre_post")
    chart = T.forest(ba)
    title = chart.figure.layout.xaxis.title.text
    assert "worse after" in title and "better after" in title and "placebo" not in title
    assert "favours" not in chart.alt
    contrast = T.design_contrast_chart(evidence).figure.layout.xaxis.title.text
    assert "worse after" in contrast and "better after" in contrast


def test_placebo_response_table_holds_randomized_trials_only(evidence):
    t = T.placebo_response_table(evidence)
    designs = evidence.studies.set_index("study_id")["design"]
    assert set(designs[t.attrs["study_ids"]]) <= {"rct_parallel", "rct_crossover"}
    assert "study_id" not in t.columns  # the reader sees citations, the ids stay in attrs


def test_zero_event_table_holds_randomized_trials_only(evidence):
    t = T.zero_event_table(evidence)
    designs = evidence.studies.set_index("study_id")["design"]
    assert len(t) and set(designs[t.attrs["study_ids"]]) <= {"rct_parallel", "rct_crossover"}
    assert any("one-sided 95%" in c for c in t.columns)


def test_sign_flip_is_said_in_words(evidence, claims):
    headline = T.headline_claims(claims)
    chart = T.final_trial_chart(evidence, claims, headline["final"])
    if chart.figure is not None:
        shown = chart.figure.data[0].x[0]
        if shown > 0 and "sign is flipped" not in chart.alt:
            pytest.fail("a positive benefit drawn from a negative reported difference must say so")
        assert f"{shown:+.2f}" in chart.alt


def test_simulated_funnel_is_drawn(evidence):
    chart = T.funnel_demo_chart(evidence)
    assert chart.figure is not None and len(chart.figure.data) == 3
    assert "Egger" in chart.alt and re.search(r"p = \d", chart.alt)


@pytest.mark.parametrize("name", NAMES)
def test_notebook_metadata(name):
    committed = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    assert committed.metadata["ldn"]["expand"] == ["mode"]
    assert committed.metadata["kernelspec"]["name"] == "python3"


def test_docs_list_every_teaching_notebook():
    text = DOC.read_text("utf-8")
    assert text.startswith("# Teaching")
    for name in NAMES:
        assert f"`{name}`" in text or f"{name}.ipynb" in text, f"docs/teaching.md omits {name}"
    assert "answer key" in text and "make report" in text


@pytest.mark.parametrize("name", [n for n in NAMES if n.startswith("teach_")])
def test_teaching_notebook_rules(name, used):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert [c.source for c in tagged] == ['mode = "student"']
    assert set(papermill.inspect_notebook(str(ROOT / "notebooks" / f"{name}.ipynb"))) == {"mode"}
    assert all(not c.outputs and c.execution_count is None for c in code)
    for cell in code:
        tree = ast.parse(cell.source)
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert "/" not in node.value or node.value.startswith("http"), node.value
    answers = [c for c in code if ANSWER_TAG in c.metadata.get("tags", [])]
    assert len(answers) == len(used[name]) and all(c.source == "my_answer = None" for c in answers)
    assert f'ldn.teaching.discuss("{name}", p.mode)' in code[-1].source
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            stripped = ALLOWED_NUMBERS.sub("", cell.source)
            assert not re.search(r"\d", stripped), f"typed number in markdown: {cell.source[:80]}"
    # verdict words are defined before the first claims exercise
    sources = [c.source for c in code]
    first_claim = next((i for i, s in enumerate(sources) if 'ask("claim_verdict"' in s), None)
    if first_claim is not None:
        assert any("verdict_table()" in s for s in sources[:first_claim])


def test_report_runner_builds_both_modes():
    from ldn_analysis.report.runner import plan

    jobs = plan(NAMES)
    modes = {(j.notebook, j.parameters["mode"]) for j in jobs}
    assert modes == {(n, m) for n in NAMES for m in ("student", "instructor")}


# --------------------------------------------------------------------------- executed


def _inject(nb, answers: list[str], raises: frozenset[int] = frozenset()):
    """Replace the answer cells' sources in order (``raises``: indices tagged to fail)."""
    nb = nbformat.from_dict(nb)
    cells = [c for c in nb.cells if ANSWER_TAG in c.metadata.get("tags", [])]
    assert len(cells) == len(answers)
    for i, (cell, source) in enumerate(zip(cells, answers, strict=True)):
        cell.source = source
        if i in raises:
            cell.metadata["tags"] = [*cell.metadata["tags"], "raises-exception"]
    return nb


def _answer_sources(name: str, kind: str, evidence, used) -> list[str]:
    out = []
    for eid, params in used[name]:
        value = (
            T.model_answer(eid, evidence, **params)
            if kind == "right"
            else _wrong(eid, evidence, params)
        )
        out.append(f"my_answer = {value!r}")
    return out


def _run(name: str, mode: str, kind: str, out_dir: Path, evidence, used):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    if kind in ("right", "wrong"):
        nb = _inject(nb, _answer_sources(name, kind, evidence, used))
    elif kind == "syntax":  # the second answer cell is broken after a right first answer
        right = _answer_sources(name, "right", evidence, used)
        nb = _inject(nb, [right[0], "my_answer = (1.8,"] + right[2:], frozenset({1}))
    out = out_dir / f"{name}-{mode}-{kind}.ipynb"
    try:
        return papermill.execute_notebook(
            nb,
            str(out),
            parameters={"mode": mode},
            kernel_name="python3",
            progress_bar=False,
            cwd=str(ROOT / "notebooks"),
        )
    except PapermillExecutionError:
        if kind != "syntax":
            raise
        # the tagged cell ran on (nbclient honours "raises-exception"); papermill reports
        # its error after the whole notebook has run and been saved
        return nbformat.read(out, as_version=4)


RUNS = [(n, m, k) for n in NAMES for m, k in (("student", "none"), ("instructor", "none"))]
RUNS += [(n, "student", k) for n in NAMES for k in ("right", "wrong")]
RUNS += [("teach_proportions", "student", "syntax")]


class _Runs:
    """Execute a notebook's runs on first use (two at a time), so ``-k NAME`` runs one."""

    def __init__(self, out_dir: Path, evidence, used) -> None:
        self.out_dir, self.evidence, self.used = out_dir, evidence, used
        self.done: dict = {}

    def __getitem__(self, run):
        if run not in self.done:
            todo = [r for r in RUNS if r[0] == run[0] and r not in self.done]
            with ThreadPoolExecutor(max_workers=2) as pool:
                futures = {
                    r: pool.submit(_run, *r, self.out_dir, self.evidence, self.used) for r in todo
                }
            for r, fut in futures.items():
                try:
                    self.done[r] = fut.result()
                except Exception as exc:  # reported by the test that asks for this run
                    self.done[r] = exc
        return self.done[run]


@pytest.fixture(scope="module")
def executed(tmp_path_factory, evidence, used):
    return _Runs(tmp_path_factory.mktemp("teaching"), evidence, used)


def _texts(nb) -> list[str]:
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = o.get("data", {})
            out.append(str(data.get("text/plain", "")) + str(o.get("text", "")))
    return out


def _get(executed, run):
    nb = executed[run]
    if isinstance(nb, Exception):
        pytest.fail(f"{run} failed: {str(nb)[-2000:]}")
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code" and "raises-exception" not in c.metadata.get("tags", [])
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors, errors
    return nb


def _page(nb) -> str:
    """The student page as the report exports it (no code), reduced to visible text."""
    body, _ = HTMLExporter(exclude_input=True, exclude_input_prompt=True).from_notebook_node(nb)
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def _answer_strings(eid, evidence, params) -> list[str]:
    """Strings that would give a computed answer away (choices and non-integer numbers)."""
    ex = X.EXERCISES[eid]
    right = X.answer(eid, evidence, **params)
    if ex.kind == "choice":
        return list(right) if isinstance(right, tuple) else [right]
    if ex.kind == "number" and isinstance(right, float):
        return [f"{right:.1f}%", f"{right:.2f}"]
    if ex.kind == "interval":
        return [f"{right[0]:.1f}% to {right[1]:.1f}%"]
    return []


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_student_page_withholds_answers_and_has_no_notebook_only_text(
    executed, evidence, used, name
):
    nb = _get(executed, (name, "student", "none"))
    page = _page(nb)
    texts = _texts(nb)
    assert T.SOLUTION_HEADING not in page and T.MODEL_ANSWER not in page
    for phrase in NOTEBOOK_ONLY:
        assert phrase not in "\n".join(texts), f"{name}: notebook-only text {phrase!r} on the page"
    assert page.count(T.BLANK_LINE) == len(used[name])
    assert page.count(T.HIDDEN_TEXT) == len(_unlocks(_cells(name)))
    assert "Feedback" not in "\n".join(texts)
    meanings = T.verdict_table()["meaning"]
    # the questions (which list the options) and the verdict definitions name every option
    shown = "\n".join(
        t for t in texts if not t.startswith("Exercise:") and sum(m[:40] in t for m in meanings) < 3
    )
    for eid, params in used[name]:
        assert T.solution_text(eid, evidence, **params) not in page
        for s in _answer_strings(eid, evidence, params):
            assert s not in shown, f"{name}/{eid}: the answer {s!r} is on the student page"


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_instructor_page_has_every_answer_and_model_answer(executed, evidence, used, name):
    texts = _texts(_get(executed, (name, "instructor", "none")))
    text = "\n".join(texts)
    assert text.count(T.SOLUTION_HEADING) == len(used[name])
    for eid, params in used[name]:
        assert T.solution_text(eid, evidence, **params) in text
    discusses = [c for c in _cells(name) if "## Discuss" in c.source and c.cell_type == "markdown"]
    assert not discusses, f"{name}: Discuss questions in markdown have no model answers"
    for _q, a in DISCUSS.get(name, []):
        assert a in text
    assert T.HIDDEN_TEXT not in text


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_right_answers_typed_in_are_echoed_correct_and_unlock(executed, evidence, used, name):
    texts = _texts(_get(executed, (name, "student", "right")))
    feedback = [t for t in texts if t.startswith("Feedback")]
    assert len(feedback) == len(used[name])
    for fb, (eid, params) in zip(feedback, used[name], strict=True):
        given = T.model_answer(eid, evidence, **params)
        assert fb.startswith(f"Feedback\nYou answered {A.echo(given)}. Correct"), fb
    assert T.HIDDEN_TEXT not in "\n".join(texts)


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_wrong_answers_typed_in_are_echoed_and_reveal_nothing(executed, evidence, used, name):
    nb = _get(executed, (name, "student", "wrong"))
    texts = _texts(nb)
    feedback = [t for t in texts if t.startswith("Feedback")]
    assert len(feedback) == len(used[name])
    for fb, (eid, params) in zip(feedback, used[name], strict=True):
        given = _wrong(eid, evidence, params)
        assert fb.startswith(f"Feedback\nYou answered {A.echo(given)}."), fb
        if X.EXERCISES[eid].kind in ("choice", "boolean"):
            assert "not one of the options" in fb
            assert all(f'"{o}"' in fb for o in X.options(eid, evidence, **params))
        else:
            assert "Not right" in fb
        assert "computed from the data is" not in fb
        assert T.solution_text(eid, evidence, **params) not in "\n".join(texts)
    assert "\n".join(texts).count(T.HIDDEN_TEXT) == len(_unlocks(_cells(name)))


@pytest.mark.slow
def test_a_syntax_error_in_the_answer_cell_is_never_graded(executed):
    texts = _texts(_get(executed, ("teach_proportions", "student", "syntax")))
    feedback = [t for t in texts if t.startswith("Feedback")]
    assert feedback[0].startswith("Feedback\nYou answered") and "Correct" in feedback[0]
    assert "SyntaxError" in feedback[1] and "nothing was graded" in feedback[1]
    assert "Correct" not in feedback[1]
    assert "\n".join(texts).count(T.HIDDEN_TEXT) == 1  # only the Wilson chart stays hidden


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_figures_render_with_computed_alt_text(executed, name):
    nb = _get(executed, (name, "instructor", "none"))
    figures = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if PLOTLY_MIMETYPE in o.get("data", {})
    ]
    assert len(figures) >= 1
    for fig in figures:
        html_out = fig["data"]["text/html"]
        assert 'class="ldn-figure"' in html_out and "aria-label=" in html_out
        assert re.search(r"\d", fig["data"]["text/plain"]), "alt text carries the numbers"

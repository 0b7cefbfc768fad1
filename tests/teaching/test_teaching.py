"""Teaching notebooks: both modes run, solutions only for instructors, every exercise checks.

Each teaching notebook (``teach_*`` and ``claims_vs_evidence``) is executed with papermill
as the report runner does, three times: student mode and instructor mode with
``my_answer = None`` (the notebook as committed), and student mode with the correct answer
computed by the package injected into every answer cell. The exercises each notebook uses
are also checked in-process: the computed answer passes and a wrong one fails.
"""

from __future__ import annotations

import ast
import io
import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stdout
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest

import ldn_analysis as ldn
from ldn_analysis import claims as C
from ldn_analysis import teaching as T
from ldn_analysis.errors import ChoiceError
from ldn_analysis.teaching import exercises as X
from ldn_analysis.text.display import PLOTLY_MIMETYPE

ROOT = Path(__file__).resolve().parents[2]
NAMES = sorted(
    p.stem for p in (ROOT / "notebooks").glob("*.ipynb") if p.stem.startswith("teach_")
) + ["claims_vs_evidence"]
DOC = ROOT / "docs" / "teaching.md"
ANSWER_TAG = "answer"  # the tag of each exercise's answer cell


def _cells(name: str) -> list:
    return nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4).cells


def _exercises_used(cells: list) -> list[str]:
    """Return the exercise ids checked in a notebook's cells, in order."""
    found = []
    for cell in cells:
        if cell.cell_type == "code":
            found += re.findall(r'ldn\.teaching\.feedback\(\s*"([a-z_0-9]+)"', cell.source)
    return found


FEEDBACK = re.compile(
    r'ldn\.teaching\.feedback\(\s*"(?P<eid>[a-z_0-9]+)", my_answer, evidence, p\.mode(?P<extra>.*)\)\s*$',
    re.S,
)
# Methodological constants a markdown cell may state; any other digit must come from code.
ALLOWED_NUMBERS = re.compile(
    r"\b(0|50|95|100)%|1\.96|0\.05|p > 0\.1|k - 1|^\d\. |Step \d|3 divided by", re.M
)


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
        "teach_proportions": [("rule_of_three", {}), ("wilson_vs_wald", {})],
        "teach_heterogeneity": [
            ("pooled_direction", {"condition": meta}),
            ("i2_interpretation", {"condition": meta}),
            ("egger_appropriate", {"condition": meta}),
        ],
        "teach_designs": [("crossover_vs_parallel_n", {})],
        "claims_vs_evidence": [
            ("claim_verdict", {"claim_id": headline["final"]}),
            ("claim_verdict", {"claim_id": headline["side_effect_range"]}),
        ],
    }


@pytest.fixture(scope="module")
def used(evidence, claims):
    return _params(evidence, claims)


def _wrong(eid: str, right, evidence, params):
    if eid == "egger_appropriate":
        return "yes" if right == "no" else "no"
    if eid == "i2_interpretation":
        accepted = X.answer(eid, evidence, **params)
        return next(b for b in X.I2_BANDS if b not in accepted)
    if eid == "pooled_direction":
        return "favours_control" if right != "favours_control" else "favours_ldn"
    if eid == "claim_verdict":
        return next(v for v in C.VERDICTS if v != right)
    if isinstance(right, tuple):
        return (right[0] + 7, right[1] + 7)
    return right * 2 + 5


# --------------------------------------------------------------------------- in-process


def test_every_exercise_of_every_notebook_is_listed(used):
    for name in NAMES:
        assert _exercises_used(_cells(name)) == [e for e, _ in used[name]], name


CASES = [(n, i, e) for n in NAMES for i, e in enumerate(_exercises_used(_cells(n)))]


def _shown(value) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, tuple):
        return "(" + ", ".join(_shown(v) for v in value) + ")"
    return str(value)


@pytest.mark.parametrize(("name", "i", "eid"), CASES, ids=[f"{n}-{i}-{e}" for n, i, e in CASES])
def test_computed_answer_passes_and_wrong_answer_fails(evidence, used, name, i, eid):
    assert used[name][i][0] == eid
    params = used[name][i][1]
    right = T.model_answer(eid, evidence, **params)
    assert X.check(eid, right, evidence, **params).ok
    assert T.feedback_text(eid, right, evidence, "student", **params).startswith("Correct")
    wrong = _wrong(eid, right, evidence, params)
    bad = X.check(eid, wrong, evidence, **params)
    assert not bad.ok and bad.hint == X.EXERCISES[eid].hint
    text = T.feedback_text(eid, wrong, evidence, "student", **params)
    assert text.startswith("Not quite") and "Hint:" in text
    assert "computed from the data is" not in text
    instructor = T.feedback_text(eid, wrong, evidence, "instructor", **params)
    assert "computed from the data is" in instructor
    assert T.feedback_text(eid, None, evidence, "student", **params).startswith("No answer yet")
    assert X.question(eid, evidence, **params)
    solution = T.solution_text(eid, evidence, **params)
    assert solution.startswith(f"Answer: {_shown(right)}")
    assert len(solution.split("\n\n")) == 2 and len(solution) > 80


def test_mode_must_be_student_or_instructor(evidence):
    with pytest.raises(ChoiceError):
        T.feedback_text("rule_of_three", None, evidence, mode="teacher")


def test_claims_table_is_the_claims_command_table(evidence):
    out = io.StringIO()
    with redirect_stdout(out):
        assert C.claims_command("csv") == 0
    command = pd.read_csv(io.StringIO(out.getvalue()), dtype=str, keep_default_na=False)
    ours = T.claims_table(evidence)[list(C.RESULT_COLUMNS)].fillna("").astype(str)
    pd.testing.assert_frame_equal(ours.reset_index(drop=True), command, check_dtype=False)


def test_headline_charts_show_the_deciding_data(evidence, claims):
    table = T.claims_table(evidence).set_index("claim_id")
    headline = T.headline_claims(claims)
    final = T.final_trial_chart(evidence, claims, headline["final"])
    study = table.loc[headline["final"], "deciding_sources"].split("; ")[0]
    assert final.figure is not None and study in final.alt
    assert "95% CI" in final.alt
    rng = T.side_effect_range_chart(evidence, claims, headline["side_effect_range"])
    drawn = {
        y for trace in rng.figure.data if trace.name != "placebo arm (context)" for y in trace.y
    }
    deciding = set(table.loc[headline["side_effect_range"], "deciding_sources"].split("; "))
    assert drawn == deciding, "the chart draws the arms the verdict used"
    verdict = table.loc[headline["side_effect_range"], "verdict"]
    outside = sum(len(t.y) for t in rng.figure.data if t.name == "whole interval outside the claim")
    assert (verdict == "contradicted") == (outside > 0)


# --------------------------------------------------------------------------- notebooks as files


@pytest.mark.parametrize("name", NAMES)
def test_notebook_metadata(name):
    committed = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    assert committed.metadata["ldn"] == {"expand": ["mode"]}
    assert committed.metadata["kernelspec"]["name"] == "python3"


def test_docs_list_every_teaching_notebook():
    text = DOC.read_text("utf-8")
    assert text.startswith("# Teaching")
    for name in NAMES:
        assert f"`{name}`" in text or f"{name}.ipynb" in text, f"docs/teaching.md omits {name}"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_rules(name):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert [c.source for c in tagged] == ['mode = "student"']
    assert papermill.inspect_notebook(str(ROOT / "notebooks" / f"{name}.ipynb")) == {
        "mode": {
            "name": "mode",
            "inferred_type_name": "None",
            "default": '"student"',
            "help": "",
        }
    }
    assert all(not c.outputs and c.execution_count is None for c in code)
    for cell in code:
        tree = ast.parse(cell.source)
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert "/" not in node.value or node.value.startswith("http"), node.value
    answers = [c for c in code if ANSWER_TAG in c.metadata.get("tags", [])]
    assert answers and all(c.source == "my_answer = None" for c in answers)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            stripped = ALLOWED_NUMBERS.sub("", cell.source)
            assert not re.search(r"\d", stripped), f"typed number in markdown: {cell.source[:80]}"


def test_report_runner_builds_both_modes():
    from ldn_analysis.report.runner import plan

    jobs = plan(NAMES)
    modes = {(j.notebook, j.parameters["mode"]) for j in jobs}
    assert modes == {(n, m) for n in NAMES for m in ("student", "instructor")}


# --------------------------------------------------------------------------- executed


def _inject_answers(nb):
    """Replace every ``my_answer = None`` with the package's computed answer."""
    nb = nbformat.from_dict(nb)
    for i, cell in enumerate(nb.cells):
        if ANSWER_TAG in cell.metadata.get("tags", []):
            m = FEEDBACK.search(nb.cells[i + 1].source)
            assert m, nb.cells[i + 1].source
            cell.source = (
                f'my_answer = ldn.teaching.model_answer("{m["eid"]}", evidence{m["extra"]})'
            )
    return nb


def _run(name: str, mode: str, answered: bool, out_dir: Path):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    if answered:
        nb = _inject_answers(nb)
    return papermill.execute_notebook(
        nb,
        str(out_dir / f"{name}-{mode}-{answered}.ipynb"),
        parameters={"mode": mode},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(ROOT / "notebooks"),
    )


RUNS = [(n, m, a) for n in NAMES for m, a in (("student", False), ("instructor", False))]
RUNS += [(n, "student", True) for n in NAMES]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("teaching")
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {run: pool.submit(_run, *run, out_dir) for run in RUNS}
    results = {}
    for run, fut in futures.items():
        try:
            results[run] = fut.result()
        except Exception as exc:  # reported by the tests below, per run
            results[run] = exc
    return results


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
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors, errors
    return nb


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_student_mode_hides_solutions_and_waits_for_answers(executed, evidence, used, name):
    text = "\n".join(_texts(_get(executed, (name, "student", False))))
    assert T.SOLUTION_HEADING not in text
    for eid, params in used[name]:
        assert T.solution_text(eid, evidence, **params) not in text
    assert text.count("No answer yet") == len(used[name])
    assert "Correct" not in text and "Not quite" not in text


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_instructor_mode_shows_every_solution(executed, evidence, used, name):
    text = "\n".join(_texts(_get(executed, (name, "instructor", False))))
    assert text.count(T.SOLUTION_HEADING) == len(used[name])
    for eid, params in used[name]:
        assert T.solution_text(eid, evidence, **params) in text


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_computed_answers_injected_into_the_notebook_pass(executed, used, name):
    texts = _texts(_get(executed, (name, "student", True)))
    feedback = [t for t in texts if t.startswith("Feedback")]
    assert len(feedback) == len(used[name])
    assert all(t.startswith("Feedback\nCorrect") for t in feedback), feedback


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_figures_render_with_computed_alt_text(executed, name):
    nb = _get(executed, (name, "student", False))
    figures = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if PLOTLY_MIMETYPE in o.get("data", {})
    ]
    assert len(figures) >= 2
    for fig in figures:
        html_out = fig["data"]["text/html"]
        assert 'class="ldn-figure"' in html_out and "aria-label=" in html_out
        assert re.search(r"\d", fig["data"]["text/plain"]), "alt text carries the numbers"

"""House rules that keep the bundle honest: notebooks, environment, layout."""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
sys.path.insert(0, str(ROOT / "tools"))


def test_environment_yml_matches_the_lock():
    import environment_yml

    assert (ROOT / "environment.yml").read_text() == environment_yml.render(), (
        "environment.yml is out of date: run .venv/bin/python tools/environment_yml.py"
    )


def test_public_api_is_declared():
    import ldn_analysis

    for name in ldn_analysis.__all__:
        assert hasattr(ldn_analysis, name), name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_clean_and_thin(path):
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), (
        f"{path.name} carries outputs: clear them before committing"
    )
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name} needs exactly one cell tagged 'parameters'"
    for cell in code:
        tree = ast.parse("".join(cell["source"]))
        defs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef)]
        assert not defs, f"{path.name}: logic belongs in ldn_analysis, not in a notebook"
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert "/" not in node.value or node.value.startswith("http"), (
                    f"{path.name}: path literal {node.value!r}; use ldn_analysis.paths"
                )


def test_committed_notebooks_exist():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


def test_ci_runs_make_test():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make report" in readme and "make test" in readme


def test_readme_documents_every_report_parameter():
    from ldn_analysis.report.parameters import PARAMETERS

    readme = (ROOT / "README.md").read_text()
    missing = [name for name in PARAMETERS if f"| `{name}` |" not in readme]
    assert not missing, f"README.md's parameter table lacks {missing}"

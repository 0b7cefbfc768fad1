"""The check never grades a stale ``my_answer``: a failed or not-yet-run answer cell is said.

An IPython ``post_run_cell`` hook records every run of a cell that assigns ``my_answer``;
these tests drive that record with a stand-in shell (the executed notebooks in
``test_teaching.py`` check the same with a real kernel and a real SyntaxError).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ldn_analysis.teaching import exercise_feedback as F


class _Shell:
    def __init__(self) -> None:
        self.execution_count = 1
        self.user_ns = {"In": [""]}
        self.events = SimpleNamespace(register=lambda name, fn: None)

    def run(self, source: str, error: Exception | None = None) -> None:
        self.user_ns["In"].append(source)
        result = SimpleNamespace(
            info=SimpleNamespace(raw_cell=source),
            execution_count=self.execution_count,
            error_before_exec=error,
            error_in_exec=None,
        )
        F._after_cell(result)
        self.execution_count += 1


@pytest.fixture()
def shell(monkeypatch):
    sh = _Shell()
    monkeypatch.setattr(F, "get_ipython", lambda: sh)
    monkeypatch.setattr(F, "_STATE", {"asked": {}, "answer": None, "hooked": set()})
    return sh


def _ask(shell, eid="rule_of_three"):
    F._STATE["asked"][eid] = shell.execution_count
    shell.run(f'ldn.teaching.ask("{eid}", evidence)')


def test_a_clean_answer_cell_may_be_graded(shell):
    _ask(shell)
    shell.run("my_answer = 6.1")
    assert F.answer_cell_status("rule_of_three") == ""


def test_a_syntax_error_is_reported_not_graded(shell, real_evidence):
    _ask(shell)
    shell.run("my_answer = 6.1")
    shell.run("my_answer = (6.1,", SyntaxError("incomplete input"))
    status = F.answer_cell_status("rule_of_three")
    assert "SyntaxError" in status and "nothing was graded" in status
    text = F.feedback_text("rule_of_three", 6.1, real_evidence)
    assert text.startswith("You answered 6.1 earlier.") and "Correct" not in text
    assert not F.is_right("rule_of_three", 6.1, real_evidence)


def test_an_answer_cell_not_run_since_the_question_is_reported(shell, real_evidence):
    _ask(shell, "rule_of_three")
    shell.run("my_answer = 6.1")
    _ask(shell, "wilson_vs_wald")  # the next question; its answer cell not run yet
    status = F.answer_cell_status("wilson_vs_wald")
    assert "has not run since this question" in status
    assert "Correct" not in F.feedback_text("wilson_vs_wald", 6.1, real_evidence)


def test_notebook_and_page_wording(shell, real_evidence):
    _ask(shell)
    shell.run("my_answer = None")
    assert not F.executed_as_page()
    assert F.feedback_text("rule_of_three", None, real_evidence) == F.NOT_ANSWERED
    shell.user_ns["In"].insert(1, '# Parameters\nmode = "student"\n')
    assert F.executed_as_page()
    assert F.feedback_text("rule_of_three", None, real_evidence) == ""

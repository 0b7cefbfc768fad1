"""Shared work is computed once in the runner and inherited by the reports forked after it."""

from __future__ import annotations

import pytest

import ldn_analysis
from ldn_analysis.report import execute
from ldn_analysis.report.plan import ReportJob

STATE = {"warm": 0}


def _fake_warm(evidence):
    STATE["warm"] += 1


def _fake_build(job, ctx):  # runs in the forked child: reports what it inherited
    return {"slug": job.slug, "ok": True, "warm": STATE["warm"]}


@pytest.fixture
def fake(monkeypatch, tmp_path):
    STATE["warm"] = 0
    monkeypatch.setattr(execute, "WARM_FOR", {"heavy": _fake_warm})
    monkeypatch.setattr(execute, "build_one", _fake_build)
    monkeypatch.setattr(ldn_analysis, "load_evidence", lambda: None)
    return execute.Context(tmp_path, False, None, None, {})


def _run(ctx, jobs):
    return {r["slug"]: r["warm"] for r in execute.run_jobs(jobs, ctx, 2, lambda r: None)}


def test_warmed_once_after_the_first_independent_reports(fake):
    jobs = [ReportJob("heavy", {"mode": m}) for m in ("student", "instructor")]
    jobs += [ReportJob("light", {"i": i}) for i in range(3)]
    warm = _run(fake, jobs)
    assert STATE["warm"] == 1  # in the parent, once
    assert warm == {
        "heavy__mode-student": 1,
        "heavy__mode-instructor": 1,
        "light__i-0": 0,  # forked before the warm-up, which ran while they did
        "light__i-1": 0,
        "light__i-2": 1,
    }


def test_no_warm_up_for_a_single_user(fake):
    warm = _run(fake, [ReportJob("heavy"), ReportJob("light")])
    assert STATE["warm"] == 0
    assert set(warm.values()) == {0}

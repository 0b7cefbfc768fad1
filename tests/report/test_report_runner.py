"""The report runner on tiny fixture notebooks: HTML, offline, determinism, failures."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ldn_analysis.errors import ParameterError
from ldn_analysis.report import runner as report

FIXTURES = Path(__file__).parents[1] / "fixtures" / "notebooks"
ROOT = Path(__file__).resolve().parents[2]


def _run_cli(*args, env_extra=None, tmp=None):
    import os

    env = dict(os.environ, LDN_NOTEBOOKS_DIR=str(FIXTURES), **(env_extra or {}))
    return subprocess.run(
        [sys.executable, "-m", "ldn_analysis", "report", "--output-dir", str(tmp), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    proc = _run_cli("--jobs", "2", tmp=out)
    return out, proc


def test_failure_is_reported_and_others_still_build(built):
    out, proc = built
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "FAILED fails" in proc.stderr and "deliberate failure for hello" in proc.stderr
    assert "cell #3" in proc.stderr
    ok_page = (out / "ok_figure.html").read_text()
    failed_page = (out / "fails.html").read_text()
    assert 'class="plotly-graph-div"' in ok_page
    assert "This report failed" in failed_page and "deliberate failure" in failed_page
    assert "raise" in failed_page  # the failing cell's code is shown on a failed page
    executed = json.loads((out / "notebooks" / "fails.ipynb").read_text())
    assert any(
        o.get("ename") == "ValueError" for c in executed["cells"] for o in c.get("outputs", [])
    )


def test_index_lists_every_report_with_parameters(built):
    out, _ = built
    index = (out / "index.html").read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert {m["html"] for m in manifest} == {"ok_figure.html", "fails.html"}
    for m in manifest:
        assert f'href="{m["html"]}"' in index
    assert [m["figures"] for m in manifest if m["html"] == "ok_figure.html"] == [1]


def test_pages_are_offline_and_hide_code(built):
    out, _ = built
    page = (out / "ok_figure.html").read_text()
    srcs = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', page)
    assert srcs == ["assets/plotly.min.js"]
    assert (out / "assets" / "plotly.min.js").stat().st_size > 1_000_000
    assert "import plotly.graph_objects" not in page  # code hidden by default
    assert "<script>alert(1)</script>" not in page  # hostile text stays data
    assert "Run card" in page and "data version" in page and "git commit" in page


def test_second_build_is_byte_identical(built, tmp_path):
    out, _ = built
    _run_cli("--jobs", "2", tmp=tmp_path)
    for name in ("ok_figure.html", "fails.html", "notebooks/ok_figure.ipynb"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name
    first, second = (json.loads((d / "manifest.json").read_text()) for d in (out, tmp_path))
    assert [(m["slug"], m["key"], m["page_sha256"]) for m in first] == [
        (m["slug"], m["key"], m["page_sha256"]) for m in second
    ]


def test_show_code_keeps_code(tmp_path):
    proc = _run_cli("--notebook", "ok_figure", "--show-code", tmp=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "graph_objects" in (tmp_path / "ok_figure.html").read_text()


def test_parameters_reach_the_notebook_and_name_the_page(tmp_path):
    proc = _run_cli("--notebook", "ok_figure", "-p", "greeting", "bonjour", tmp=tmp_path)
    assert proc.returncode == 0, proc.stderr
    page = tmp_path / "ok_figure__greeting-bonjour.html"
    assert "bonjour" in page.read_text()


def test_unknown_parameter_exits_2_before_any_kernel(tmp_path):
    proc = _run_cli("--notebook", "ok_figure", "-p", "nonsense", "1", tmp=tmp_path)
    assert proc.returncode == 2
    assert "greeting" in proc.stderr and "repeat" in proc.stderr
    assert not (tmp_path / "notebooks" / "ok_figure.ipynb").exists()


def test_unknown_notebook_lists_notebooks(monkeypatch):
    monkeypatch.setenv("LDN_NOTEBOOKS_DIR", str(FIXTURES))
    with pytest.raises(ParameterError, match="ok_figure"):
        report.plan(["no_such_notebook"])


def test_help_describes_every_option():
    proc = subprocess.run(
        [sys.executable, "-m", "ldn_analysis", "report", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0
    for option in (
        "--parameter",
        "--params-file",
        "--notebook",
        "--jobs",
        "--show-code",
        "--force",
    ):
        assert option in proc.stdout


def test_parameter_values_that_look_like_code_stay_data(tmp_path):
    marker = tmp_path / "pwned"
    hostile = f"'); open({str(marker)!r}, 'w'); ('"
    proc = _run_cli("--notebook", "ok_figure", "-p", "greeting", hostile, tmp=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not marker.exists()
    executed = json.loads(
        (
            tmp_path
            / "notebooks"
            / next(p.name for p in (tmp_path / "notebooks").glob("ok_figure__*.ipynb"))
        ).read_text()
    )
    injected = "".join(executed["cells"][2]["source"])
    assert repr(hostile) in injected


def test_unknown_condition_in_the_real_data_exits_2_listing_conditions(tmp_path):
    from ldn_analysis.data.evidence import load_evidence

    proc = subprocess.run(
        [sys.executable, "-m", "ldn_analysis", "report", "-p", "condition", "no_such_condition"]
        + ["--output-dir", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    for condition in load_evidence().conditions_present():
        assert condition in proc.stderr
    assert not (tmp_path / "out").exists()  # nothing ran: no kernel, no output folder


def test_make_report_plan_covers_every_notebook_and_condition():
    from ldn_analysis.data.evidence import load_evidence

    jobs = report.plan()
    names = {j.notebook for j in jobs}
    assert names == set(report.notebook_paths())
    conditions = {j.parameters["condition"] for j in jobs if j.notebook == "condition_report"}
    assert conditions == set(load_evidence().conditions_present())
    for name in names:
        if name.startswith("teach_") or name == "claims_vs_evidence":
            modes = {j.parameters.get("mode") for j in jobs if j.notebook == name}
            assert modes == {"student", "instructor"}, name


def test_closed_pipe_exits_quietly():
    proc = subprocess.Popen(
        [sys.executable, "-m", "ldn_analysis", "report", "--list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    proc.stdout.close()  # like `| head` having read enough
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert "Traceback" not in err and "BrokenPipeError" not in err

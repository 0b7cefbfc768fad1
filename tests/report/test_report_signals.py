"""Ctrl-C and SIGTERM stop a build quickly, leave no process behind and keep old pages."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parents[1] / "fixtures" / "notebooks"


def _slow_notebooks(tmp: Path, seconds: int) -> Path:
    folder = tmp / "nb"
    folder.mkdir(exist_ok=True)
    for name in ("slow_a", "slow_b", "slow_c"):
        nb = nbformat.v4.new_notebook()
        nb.metadata.kernelspec = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nb.cells = [
            nbformat.v4.new_markdown_cell(f"# Fixture: {name}"),
            nbformat.v4.new_code_cell(f"seconds = {seconds}", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("import time\ntime.sleep(seconds)\nprint('slept')"),
        ]
        nbformat.write(nb, folder / f"{name}.ipynb")
    nbformat.write(nbformat.read(FIXTURES / "ok_figure.ipynb", as_version=4), folder / "a.ipynb")
    return folder


def _start(books: Path, out: Path) -> subprocess.Popen:
    env = dict(os.environ, LDN_NOTEBOOKS_DIR=str(books))
    return subprocess.Popen(
        [sys.executable, "-m", "ldn_analysis", "report", "--output-dir", str(out), "--jobs", "2"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=ROOT,
        start_new_session=True,  # its own process group, as a terminal gives a command
    )


def _group_alive(pgid: int) -> list[str]:
    out = subprocess.run(["ps", "-eo", "pid=,pgid=,args="], capture_output=True, text=True)
    return [line for line in out.stdout.splitlines() if int(line.split()[1]) == pgid]


def _wait_for_line(proc: subprocess.Popen, text: str, timeout: float = 120) -> list[str]:
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        seen.append(line)
        if text in line:
            return seen
    raise AssertionError("never saw " + text + " in " + "".join(seen))


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGINT to the group (Ctrl-C)", "SIGTERM to the runner"])
def test_interrupted_build_stops_fast_and_keeps_previous_pages(tmp_path, how):
    books, out = _slow_notebooks(tmp_path, 0), tmp_path / "out"
    first = subprocess.run(
        [sys.executable, "-m", "ldn_analysis", "report", "--output-dir", str(out)],
        env=dict(os.environ, LDN_NOTEBOOKS_DIR=str(books)),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert first.returncode == 0, first.stderr
    before = {p.name: p.read_bytes() for p in out.glob("slow_*.html")}
    manifest_before = json.loads((out / "manifest.json").read_text())
    books = _slow_notebooks(tmp_path, 60)  # every slow report must run again, for a minute

    proc = _start(books, out)
    _wait_for_line(proc, "to execute")
    time.sleep(2.0)  # both workers are inside a report now
    start = time.monotonic()
    if how.startswith("SIGINT"):
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGTERM)
    rest = proc.stderr.read()
    code = proc.wait(timeout=10)
    took = time.monotonic() - start
    assert took < 2.0, f"took {took:.1f} s to stop"
    assert code == (130 if how.startswith("SIGINT") else 128 + signal.SIGTERM), rest
    assert "Traceback" not in rest
    assert "Stopped by SIG" in rest and "reports executed and indexed" in rest
    time.sleep(0.5)
    assert _group_alive(proc.pid) == []  # no worker or report process left
    after = {p.name: p.read_bytes() for p in out.glob("slow_*.html")}
    assert after == before  # unfinished reports keep their previous pages
    manifest = json.loads((out / "manifest.json").read_text())
    assert {m["slug"] for m in manifest} == {m["slug"] for m in manifest_before}
    assert not list(out.glob(".*.tmp")) and not list(out.glob("notebooks/.*.tmp"))

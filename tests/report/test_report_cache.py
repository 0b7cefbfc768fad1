"""The execution cache, the merged index and interrupted builds, on tiny notebooks.

Each test builds from its own copy of the fixture notebooks (plus notebooks written here),
so editing a notebook or a data row never touches the repository.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

FIXTURES = Path(__file__).parents[1] / "fixtures" / "notebooks"
ROOT = Path(__file__).resolve().parents[2]


def _notebooks(tmp: Path, **extra: str) -> Path:
    """Copy the fixture notebooks to ``tmp/nb`` and add notebooks named by ``extra``."""
    folder = tmp / "nb"
    shutil.copytree(FIXTURES, folder)
    for name, code in extra.items():
        nb = nbformat.v4.new_notebook()
        nb.metadata.kernelspec = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nb.cells = [
            nbformat.v4.new_markdown_cell(f"# Fixture: {name}"),
            nbformat.v4.new_code_cell("seconds = 0", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(code),
        ]
        nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


def _cli(notebooks: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, LDN_NOTEBOOKS_DIR=str(notebooks))
    return subprocess.run(
        [sys.executable, "-m", "ldn_analysis", "report", "--output-dir", str(out), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


def _manifest(out: Path) -> dict[str, dict]:
    return {m["slug"]: m for m in json.loads((out / "manifest.json").read_text())}


def _edit_markdown(path: Path, text: str) -> None:
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source += f"\n\n{text}"
    nbformat.write(nb, path)


def test_unchanged_reports_are_reused_and_failures_never_cached(tmp_path):
    books, out = _notebooks(tmp_path), tmp_path / "out"
    _cli(books, out, "--jobs", "2")
    page = (out / "ok_figure.html").read_bytes()
    proc = _cli(books, out, "--jobs", "2")
    assert "1 unchanged (reused), 1 to execute" in proc.stderr
    entries = _manifest(out)
    assert entries["ok_figure"]["reused"] is True
    assert entries["fails"]["reused"] is False and entries["fails"]["ok"] is False
    assert (out / "ok_figure.html").read_bytes() == page
    index = (out / "index.html").read_text()
    assert 'data-slug="ok_figure" data-figures="1" data-reused="true"' in index

    _edit_markdown(books / "ok_figure.ipynb", "An edited sentence.")
    proc = _cli(books, out, "--notebook", "ok_figure")
    assert "0 unchanged (reused), 1 to execute" in proc.stderr
    assert "An edited sentence." in (out / "ok_figure.html").read_text()

    proc = _cli(books, out, "--notebook", "ok_figure", "--force")
    assert "0 unchanged (reused), 1 to execute" in proc.stderr


def test_partial_build_merges_into_the_index_and_full_build_drops_unplanned(tmp_path):
    books, out = _notebooks(tmp_path), tmp_path / "out"
    _cli(books, out, "--jobs", "2")
    proc = _cli(books, out, "--notebook", "ok_figure", "-p", "greeting", "bonjour")
    assert proc.returncode == 0, proc.stderr
    index = (out / "index.html").read_text()
    pages = sorted(p.name for p in out.glob("*.html") if p.name != "index.html")
    assert pages == ["fails.html", "ok_figure.html", "ok_figure__greeting-bonjour.html"]
    for page in pages:  # every page linked, none twice
        assert index.count(f'href="{page}"') == 1, page
    # the default value names the default page: no duplicate under another name
    proc = _cli(books, out, "--notebook", "ok_figure", "-p", "greeting", "hello")
    assert "1 reports: 1 unchanged (reused)" in proc.stderr
    assert not (out / "ok_figure__greeting-hello.html").exists()
    _cli(books, out, "--jobs", "2")  # a full build keeps exactly what it planned
    assert not (out / "ok_figure__greeting-bonjour.html").exists()
    assert "bonjour" not in (out / "index.html").read_text()


def test_failing_report_log_is_shown_only_for_it(tmp_path):
    books = _notebooks(tmp_path, noisy="import sys\nprint('noise from a good report')")
    proc = _cli(books, tmp_path / "out", "--jobs", "2")
    assert "noise from a good report" not in proc.stderr
    assert "deliberate failure for hello" in proc.stderr
    assert "eavesdropping" not in proc.stderr and "KeyboardInterrupt" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("[")]
    assert len(lines) == 3 and all(" left" in line or "done" in line for line in lines)

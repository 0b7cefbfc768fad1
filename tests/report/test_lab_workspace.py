"""Exploring never dirties the repository: `make work` copies; the nbstripout filter strips.

Each test builds a throw-away git repository from the real Makefile, .gitignore and
notebooks (the project's own .venv linked in), so the targets are exercised as a user runs
them without touching the real checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def status(repo: Path, *paths: str) -> str:
    """``git status --porcelain`` without the linked .venv (a symlink, which .venv/ ignores)."""
    return git(repo, "status", "--porcelain", "--", *(paths or (".",)), ":!.venv")


def make(repo: Path, *targets: str) -> str:
    # -o: the linked .venv is up to date; never re-sync it from the copied lock file
    out = subprocess.run(
        ["make", "-s", "-o", ".venv/.synced", *targets],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


def make_repo(path: Path) -> Path:
    """Return a committed repository holding the real Makefile, .gitignore and notebooks."""
    repo = path / "repo"
    (repo / "notebooks").mkdir(parents=True)
    for name in ("Makefile", ".gitignore"):
        shutil.copy(ROOT / name, repo / name)
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        shutil.copy(nb, repo / "notebooks" / nb.name)
    (repo / ".venv").symlink_to(ROOT / ".venv")
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "test@example.org")
    git(repo, "config", "user.name", "test")
    git(repo, "add", "Makefile", ".gitignore", "notebooks")
    git(repo, "commit", "-q", "-m", "notebooks")
    return repo


def add_outputs(path: Path) -> None:
    """Write what Run All + save would: outputs and execution counts in every code cell."""
    nb = json.loads(path.read_text("utf-8"))
    for i, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
        cell["execution_count"] = i + 1
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["ran\n"]}]
    path.write_text(json.dumps(nb, indent=1), "utf-8")


@pytest.fixture
def repo(tmp_path):
    if not shutil.which("git") or not shutil.which("make"):
        pytest.skip("git and make are needed")
    return make_repo(tmp_path)


def test_make_work_copies_once_and_stays_ignored(repo):
    make(repo, "work")
    copies = sorted(p.name for p in (repo / "work").glob("*.ipynb"))
    assert copies == sorted(p.name for p in (repo / "notebooks").glob("*.ipynb"))
    mine = repo / "work" / "explore.ipynb"
    add_outputs(mine)
    edited = mine.read_text("utf-8")
    later = mine.stat().st_mtime + 60  # the project updated the notebook after the copy
    os.utime(repo / "notebooks" / "explore.ipynb", (later, later))
    said = make(repo, "work")
    assert mine.read_text("utf-8") == edited, "make work overwrote a user's copy"
    assert "kept your work/explore.ipynb" in said
    assert status(repo) == ""


@pytest.mark.slow
def test_nbstripout_filter_keeps_clean_notebooks_and_hides_outputs(repo):
    said = make(repo, "git-filter")
    assert "nbstripout git filter installed" in said
    assert "--keep-id" in git(repo, "config", "filter.nbstripout.clean")
    # the committed notebooks pass through the filter byte for byte
    git(repo, "add", "--renormalize", ".")
    assert status(repo) == ""
    # outputs saved into a tracked notebook show in no diff and reach no commit. (git status
    # may still flag the file until it is added: git compares sizes before filtering; the
    # work/ copy is what keeps status clean while exploring.)
    add_outputs(repo / "notebooks" / "evidence_map.ipynb")
    assert git(repo, "diff", "--stat") == ""
    git(repo, "add", "notebooks")
    assert status(repo, "notebooks/") == ""
    assert git(repo, "diff", "--cached", "--stat") == ""

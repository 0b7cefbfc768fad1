"""Page titles and cache keys of the real notebooks, computed without running any."""

from __future__ import annotations

import csv
import html
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import ldn_analysis as ldn
from ldn_analysis import vocab
from ldn_analysis.report import cache, runner
from ldn_analysis.report.plan import defaults, notebook_paths, page_title

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"


def _titles() -> dict[str, str]:
    books = notebook_paths()
    out = {}
    for job in runner.plan():
        nb = nbformat.read(books[job.notebook], as_version=4)
        out[job.slug] = page_title(nb, job, defaults(books[job.notebook]))
    return out


def test_every_page_has_its_own_title_naming_condition_outcome_and_mode():
    titles = _titles()
    assert len(set(titles.values())) == len(titles), titles
    for slug, title in titles.items():
        assert "{" not in title, title
        if "mode-" in slug:
            assert slug.rsplit("mode-", 1)[1] in title, title
    assert "fibromyalgia" in titles["efficacy"] and "pain" in titles["efficacy"]
    assert "Crohn" in titles["condition_report__condition-crohns_disease"]


def _condition_pages_by_choice() -> tuple[str, str, str]:
    """Return (requested outcome, a condition whose page pools another, one that pools none)."""
    requested = defaults(notebook_paths()["condition_report"])["outcome"]
    evidence = ldn.load_evidence()
    switched = unpooled = None
    for condition in evidence.conditions_present():
        choice = ldn.choose_outcome(ldn.select(evidence, condition), requested)
        if choice.counts()[1] == 0:
            unpooled = unpooled or condition
        elif choice.switched:
            switched = switched or condition
    assert switched and unpooled, "the data no longer has both kinds of condition page"
    return requested, switched, unpooled


def _built_title(condition: str, out: Path) -> str:
    """Build one condition page with the runner; return its title, checked in three places."""
    proc = subprocess.run(
        [sys.executable, "-m", "ldn_analysis", "report", "--notebook", "condition_report"]
        + ["-p", "condition", condition, "--force", "--output-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    slug = f"condition_report__condition-{condition}"
    (entry,) = [e for e in json.loads((out / "manifest.json").read_text()) if e["slug"] == slug]
    page = (out / f"{slug}.html").read_text()
    title = entry["title"]
    assert f"<title>{html.escape(title, quote=False)}</title>" in page
    assert f">{html.escape(title, quote=False)}<" in page  # the H1
    return title


def test_condition_page_titles_name_the_outcome_the_page_pools(tmp_path):
    """A page whose requested outcome has no data names the outcome it shows, or none."""
    requested, switched, unpooled = _condition_pages_by_choice()
    evidence = ldn.load_evidence()
    chosen = ldn.choose_outcome(ldn.select(evidence, switched), requested).chosen
    title = _built_title(switched, tmp_path / "switched")
    assert title.endswith(f"(pooled outcome: {vocab.outcome_label(chosen)})"), title
    title = _built_title(unpooled, tmp_path / "unpooled")
    assert "pooled outcome" not in title and title.endswith("(nothing pooled)"), title
    assert vocab.condition_label(unpooled) in title
    titles = _titles()  # the plan names the same pages the same way
    assert titles[f"condition_report__condition-{switched}"].endswith(
        f"(pooled outcome: {vocab.outcome_label(chosen)})"
    )


def _edit_fibromyalgia_row(folder: Path) -> None:
    """Append a word to the notes of the first fibromyalgia study (a one-row edit)."""
    path = folder / "studies.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    row = next(r for r in rows[1:] if r[header.index("condition")] == "fibromyalgia")
    row[header.index("notes")] += " (edited)"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def test_editing_a_fibromyalgia_row_changes_only_the_keys_of_reports_that_read_it(
    tmp_path, monkeypatch
):
    jobs = runner.plan()
    before, _, _ = runner.job_inputs(jobs, show_code=False)
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    _edit_fibromyalgia_row(copy)
    monkeypatch.setenv("LDN_DATA_DIR", str(copy))
    after, _, _ = runner.job_inputs(jobs, show_code=False)
    changed = {slug for slug in before if before[slug]["key"] != after[slug]["key"]}
    scoped = {j.slug for j in jobs if j.notebook in ("condition_report", "efficacy")}
    assert "condition_report__condition-fibromyalgia" in changed and "efficacy" in changed
    assert not changed & (scoped - {"condition_report__condition-fibromyalgia", "efficacy"})
    assert changed - scoped == {j.slug for j in jobs} - scoped  # whole-data reports rebuild
    digests = after["condition_report__condition-crps"]["data"]
    assert "data/studies.csv rows for crps" in digests  # what the run card lists


def test_condition_digest_covers_that_conditions_rows_only(tmp_path):
    shutil.copytree(DATA, tmp_path / "d")
    crps = cache.data_digests("condition", "crps", tmp_path / "d")
    fibro = cache.data_digests("condition", "fibromyalgia", tmp_path / "d")
    _edit_fibromyalgia_row(tmp_path / "d")
    assert cache.data_digests("condition", "crps", tmp_path / "d") == crps
    assert cache.data_digests("condition", "fibromyalgia", tmp_path / "d") != fibro


@pytest.mark.slow
def test_a_condition_page_does_not_depend_on_other_conditions_rows(tmp_path):
    """The "condition" scope is sound: re-executed after a fibromyalgia edit, CRPS is unchanged."""
    pages = []
    for edit in (False, True):
        data = tmp_path / f"data{edit}"
        shutil.copytree(DATA, data)
        if edit:
            _edit_fibromyalgia_row(data)
        out = tmp_path / f"out{edit}"
        proc = subprocess.run(
            [sys.executable, "-m", "ldn_analysis", "report", "--notebook", "condition_report"]
            + ["-p", "condition", "crps", "--force", "--output-dir", str(out)],
            env=dict(os.environ, LDN_DATA_DIR=str(data)),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert proc.returncode == 0, proc.stderr
        pages.append((out / "condition_report__condition-crps.html").read_bytes())
    assert pages[0] == pages[1]

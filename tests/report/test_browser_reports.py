"""Every real report page in a real browser, offline: figures render, nothing leaves file://.

The reports are built exactly as ``make report`` builds them, into ``reports/`` (or
``$LDN_REPORTS_DIR``), and a full-page screenshot of each is kept in
``reports/screenshots/`` for review.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from browser import launch, watch

from ldn_analysis import paths

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def built_reports():
    out = paths.reports_dir()
    proc = subprocess.run(
        [sys.executable, "-m", "ldn_analysis", "report", "--output-dir", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    manifest = json.loads((out / "manifest.json").read_text())
    return out, proc, manifest


def test_make_report_builds_every_page(built_reports):
    out, proc, manifest = built_reports
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert manifest and all(m["ok"] for m in manifest)
    assert (out / "index.html").exists()


def test_every_page_renders_its_figures_offline(built_reports):
    from playwright.sync_api import sync_playwright

    out, _, manifest = built_reports
    shots = out / "screenshots"
    shots.mkdir(exist_ok=True)
    problems = []
    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        for entry in manifest:
            page = context.new_page()
            seen = watch(page)
            page.goto((out / entry["html"]).as_uri())
            page.wait_for_load_state("load")
            if entry["figures"]:
                page.wait_for_function(
                    "n => document.querySelectorAll('.plotly-graph-div svg.main-svg').length >= n",
                    arg=entry["figures"],
                    timeout=30_000,
                )
            rendered = page.locator(".plotly-graph-div:has(svg.main-svg)").count()
            page.screenshot(
                path=str(shots / entry["html"].replace(".html", ".png")), full_page=True
            )
            page.close()
            if rendered != entry["figures"]:
                problems.append(f"{entry['html']}: {rendered} of {entry['figures']} figures")
            for kind in ("external", "console_errors", "page_errors", "dialogs"):
                if seen[kind]:
                    problems.append(f"{entry['html']}: {kind} {seen[kind][:3]}")
        browser.close()
    assert not problems, "\n".join(problems)

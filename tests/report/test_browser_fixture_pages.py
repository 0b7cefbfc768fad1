"""Fixture report pages in a real browser: figures render offline, hostile text stays text."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from browser import launch, watch

pytestmark = pytest.mark.browser
FIXTURES = Path(__file__).parents[1] / "fixtures" / "notebooks"


@pytest.fixture(scope="module")
def fixture_reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("fixture_reports")
    env = dict(os.environ, LDN_NOTEBOOKS_DIR=str(FIXTURES))
    subprocess.run(
        [sys.executable, "-m", "ldn_analysis", "report", "--output-dir", str(out)],
        env=env,
        capture_output=True,
        check=False,
    )
    return out


def test_figure_renders_offline_and_script_text_never_runs(fixture_reports):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        seen = watch(page)
        page.goto((fixture_reports / "ok_figure.html").as_uri())
        page.wait_for_selector(".plotly-graph-div .main-svg", timeout=15_000)
        rendered = page.locator(".plotly-graph-div:has(svg.main-svg)").count()
        page.screenshot(path=str(fixture_reports / "ok_figure.png"), full_page=True)
        browser.close()
    assert rendered == 1
    assert seen["external"] == [] and seen["dialogs"] == []
    assert seen["console_errors"] == [] and seen["page_errors"] == []

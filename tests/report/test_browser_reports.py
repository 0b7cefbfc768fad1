"""Every real report page in a real browser, offline: figures render, nothing leaves file://.

The reports are built exactly as ``make report`` builds them, into ``reports/`` (or
``$LDN_REPORTS_DIR``), and a full-page screenshot of each is kept in
``reports/screenshots/`` for review.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from browser import launch, watch

from ldn_analysis import paths
from ldn_analysis.data.evidence import load_evidence
from ldn_analysis.report.execute import RUN_CARD_TAG
from ldn_analysis.text.format import citation, primary_url

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


BAD_COUNTS = re.compile(r"\b1 (studies|participants|trials|reports)\b|\(s\)|stud\(ies\)")
SAME_RANGE = re.compile(r"\brange (\d+(?:\.\d+)?) to \1\b")
# The run card lists the data files read (their names hold no study id, but a file name
# is not reader prose either): it is hidden before the page's text is read for ids.
WITHOUT_RUN_CARD = f"""() => {{
    const cards = [...document.querySelectorAll('.celltag_{RUN_CARD_TAG}')];
    cards.forEach(c => c.style.display = 'none');
    const text = document.body.innerText;
    cards.forEach(c => c.style.display = '');
    return text;
}}"""


def _study_id_pattern() -> re.Pattern:
    """Every study_id of data/studies.csv as a whole word (ids hold "_", a word character)."""
    ids = sorted(set(load_evidence().studies["study_id"].astype(str)), key=len, reverse=True)
    return re.compile(r"(?<![\w])(" + "|".join(map(re.escape, ids)) + r")(?![\w])")


def _study_links() -> list[tuple[str, str]]:
    """(citation, DOI or PubMed link) of every study the data give a DOI or PMID for."""
    studies = load_evidence().studies
    return [
        (citation(row), primary_url(row))
        for _, row in studies.iterrows()
        if primary_url(row) and (str(row.get("doi") or "") or str(row.get("pmid") or ""))
    ]


def test_every_page_reads_well_and_fits(built_reports):
    """No "1 studies"/"(s)"/"range X to X"; no sideways scroll at 1,280 px; every study
    with a DOI or PMID that a page cites is linked by it; no study is named by its internal
    id (younger_2013) outside the run card; the diabetic neuropathy page names the active
    comparator (amitriptyline)."""
    from playwright.sync_api import sync_playwright

    out, _, manifest = built_reports
    cited = _study_links()
    study_ids = _study_id_pattern()
    problems = []
    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        for entry in manifest:
            page = context.new_page()
            watch(page)
            page.goto((out / entry["html"]).as_uri())
            page.wait_for_load_state("load")
            text = page.evaluate("document.body.innerText")
            prose = page.evaluate(WITHOUT_RUN_CARD)
            width = page.evaluate("document.documentElement.scrollWidth")
            links = {
                (a["text"].strip(), a["href"])
                for a in page.evaluate(
                    "[...document.querySelectorAll('a')].map(a => ({text: a.innerText, "
                    "href: a.getAttribute('href')}))"
                )
            }
            page.close()
            name = entry["html"]
            if width > 1280:
                problems.append(f"{name}: {width} px wide at a 1,280 px window")
            for rx in (BAD_COUNTS, SAME_RANGE):
                problems += [f"{name}: {m.group(0)!r}" for m in rx.finditer(text)]
            ids = sorted({m.group(0) for m in study_ids.finditer(prose)})
            if ids:
                problems.append(f"{name}: study ids in visible text: {', '.join(ids[:8])}")
            hrefs = {href for _, href in links}
            for cite, url in cited:
                if cite in text and url not in hrefs:
                    problems.append(f"{name}: {cite} is shown but not linked to {url}")
            if "diabetic_neuropathy" in name and "amitriptyline" not in text:
                problems.append(f"{name}: the comparator amitriptyline is never named")
        browser.close()
    assert not problems, "\n".join(problems[:40])

"""JupyterLab as users meet it: a real server driven by Playwright with Debian's chromium.

- Run All renders a plotly chart;
- in a `make work` copy of the notebooks (as `make lab` opens them): a bad condition in the
  parameters cell stops with one short line naming the valid choices; another condition
  (given by its label) renders that condition's charts; an explorer control redraws its
  figures; after JupyterLab's autosave the repository's tracked notebooks are unchanged.

Screenshots go to ``reports/screenshots/jupyterlab_*.png`` for review.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser import launch
from test_lab_workspace import make, make_repo, status

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "evidence_map.ipynb"
SHOTS = ROOT / "reports" / "screenshots"
AUTOSAVE_SECONDS = 5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def jupyter_lab(root_dir: Path, config_dir: Path, settings: dict | None = None):
    """Start JupyterLab on ``root_dir``; yield (base URL, token); stop it afterwards."""
    port, token = _free_port(), secrets.token_hex(16)
    user_settings = config_dir / "user-settings"
    for plugin, values in (settings or {}).items():
        path = user_settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    cmd = [
        str(Path(sys.executable).parent / "jupyter"),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        f"--LabApp.user_settings_dir={user_settings}",
        f"--LabApp.workspaces_dir={config_dir / 'workspaces'}",
        "--allow-root",
    ]
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config_dir))
    proc = subprocess.Popen(
        cmd, cwd=root_dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                    pytest.fail(f"JupyterLab did not start:\n{out[-3000:]}")
                time.sleep(0.5)
        yield base, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def lab_server(tmp_path):
    shutil.copy(NOTEBOOK, tmp_path / NOTEBOOK.name)
    with jupyter_lab(tmp_path, tmp_path / ".jupyter_config") as server:
        yield server


def _open(page, base: str, token: str, name: str) -> None:
    page.goto(f"{base}/lab/tree/{name}?token={token}")
    page.wait_for_selector(".jp-NotebookPanel", timeout=60_000)
    # The kernel must be connected (status bar "... | Idle") before Run All is honoured.
    page.wait_for_selector(".jp-StatusBar-TextItem:has-text('| Idle')", timeout=90_000)


def _run_all(page, first_prompt: str = "[1]") -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _attempt in range(3):  # a Run All sent while the kernel is still connecting is dropped
        page.get_by_role("menuitem", name="Run").click()
        page.locator("li[data-command='runmenu:run-all']").click()
        try:
            page.wait_for_selector(f".jp-InputPrompt:has-text('{first_prompt}')", timeout=30_000)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    pytest.fail("Run All was not honoured")


def _set_parameters(page, text: str) -> None:
    """Replace the source of the cell tagged ``parameters`` (the one defining ``condition``)."""
    cell = page.locator(".jp-CodeCell").filter(has_text="min_n = 0").first
    editor = cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)  # no key events: no auto-closed quotes or indentation
    page.keyboard.press("Escape")


def test_run_all_renders_a_plotly_figure(lab_server, tmp_path):
    base, token = lab_server
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        _open(page, base, token, NOTEBOOK.name)
        _run_all(page)
        try:
            page.wait_for_selector(".jp-OutputArea .js-plotly-plot .main-svg", timeout=90_000)
        finally:
            page.screenshot(path=str(tmp_path / "jupyterlab.png"))
        bars = page.locator(".jp-OutputArea .js-plotly-plot g.point").count()
        browser.close()
    assert bars > 0


PARAMETERS = """condition = "{condition}"
outcome = "pain"
method = "REML"
test = "knha"
designs = []
min_n = 0"""


PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
"""The notebook tab on screen (a restored workspace keeps the others, hidden)."""


def _titles(page) -> list[str]:
    return page.locator(f"{PANEL} .jp-OutputArea .js-plotly-plot .gtitle").all_text_contents()


def _wait_for_title(page, text: str, timeout: float) -> None:
    page.wait_for_function(
        "([sel, text]) => [...document.querySelectorAll(sel)]"
        ".some(t => t.textContent.includes(text))",
        arg=[f"{PANEL} .js-plotly-plot .gtitle", text],
        timeout=timeout,
    )


def test_exploring_in_lab_guards_parameters_redraws_and_keeps_the_repository_clean(tmp_path):
    """The issue's walk-through: bad condition, another condition, an explorer control, autosave."""
    from playwright.sync_api import sync_playwright

    repo = make_repo(tmp_path)
    make(repo, "work")  # what `make lab` opens
    SHOTS.mkdir(parents=True, exist_ok=True)
    settings = {
        "@jupyterlab/docmanager-extension/plugin": {"autosaveInterval": AUTOSAVE_SECONDS},
        # every cell stays in the DOM, so outputs above the fold can be read
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false"},
    }
    with (
        jupyter_lab(repo / "work", tmp_path / ".jupyter_config", settings) as (base, token),
        sync_playwright() as p,
    ):
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})

        # 1. a bad condition: one short line naming the valid choices, no traceback wall
        _open(page, base, token, "condition_report.ipynb")
        _set_parameters(page, PARAMETERS.format(condition="lupus"))
        _run_all(page)
        error = page.locator(".jp-OutputArea-output[data-mime-type*='stderr']").first
        error.wait_for(timeout=90_000)
        message = (error.text_content() or "").strip()
        error.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "jupyterlab_bad_condition.png"))
        assert "ParameterError" in message and "'lupus' is not valid" in message
        assert "multiple_sclerosis" in message and "fibromyalgia" in message
        assert "Traceback" not in message and len(message.splitlines()) <= 2

        # 2. another condition, by its label: that condition's charts render
        _set_parameters(page, PARAMETERS.format(condition="Multiple sclerosis"))
        _run_all(page, first_prompt="[")
        page.wait_for_selector(
            ".jp-OutputArea:has-text('Outcomes with placebo-controlled data for multiple "
            "sclerosis')",
            timeout=120_000,
        )
        _wait_for_title(page, "multiple sclerosis", 120_000)
        page.wait_for_selector(".jp-OutputArea-output[data-mime-type*='stderr']", state="detached")
        page.locator(f"{PANEL} .jp-OutputArea-output").filter(
            has_text="Outcomes with placebo-controlled data"
        ).first.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "jupyterlab_multiple_sclerosis.png"))
        page.locator(f"{PANEL} .js-plotly-plot").first.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "jupyterlab_multiple_sclerosis_chart.png"))
        titles = _titles(page)
        assert any("Evidence ladder for multiple sclerosis" in t for t in titles), titles

        # 3. the explorer: operating the condition control redraws the figures
        page.locator(".jp-DirListing-item").filter(has_text="explore.ipynb").dblclick()
        page.wait_for_selector(".lm-TabBar-tab.lm-mod-current:has-text('explore.ipynb')")
        page.wait_for_selector(".jp-StatusBar-TextItem:has-text('| Idle')", timeout=90_000)
        try:
            _run_all(page)
        finally:
            page.screenshot(path=str(SHOTS / "jupyterlab_explorer_opened.png"))
        panel = page.locator(PANEL)
        condition = panel.locator(".widget-dropdown").filter(has_text="Condition").locator("select")
        condition.wait_for(timeout=120_000)
        _wait_for_title(page, "fibromyalgia", 120_000)
        before = _titles(page)
        condition.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "jupyterlab_explorer_before.png"))
        start = time.monotonic()
        condition.select_option(label="headache and migraine")
        panel.locator(".ldn-explorer-status").filter(has_text="headache").wait_for(timeout=30_000)
        print(f"kernel answered (status line) after {time.monotonic() - start:.2f} s")
        try:
            _wait_for_title(page, "headache", 30_000)
        finally:
            condition.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / "jupyterlab_explorer_after.png"))
            print("titles after the change:", _titles(page))
            panel.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / "jupyterlab_explorer_forest.png"))
        redraw = time.monotonic() - start
        page.wait_for_timeout(500)
        after = _titles(page)
        status_line = panel.locator(".ldn-explorer-status").text_content() or ""
        print(f"explorer redraw in the browser: {redraw:.2f} s; {status_line}")
        # a second control: the tau² method (the forest plot's subtitle names it)
        start = time.monotonic()
        panel.locator(".widget-dropdown").filter(has_text="method").locator("select").select_option(
            "DL"
        )
        page.wait_for_function(
            "sel => [...document.querySelectorAll(sel)].some(t => t.textContent.includes('DL '))",
            arg=f"{PANEL} .js-plotly-plot .infolayer",
            timeout=30_000,
        )
        method_redraw = time.monotonic() - start
        print(f"method redraw in the browser: {method_redraw:.2f} s")
        panel.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "jupyterlab_explorer_method_dl.png"))
        assert after != before, (before, after)
        assert any("Evidence ladder for headache" in t for t in after), after
        assert "headache and migraine" in status_line

        # 4. past an autosave: the copies in work/ hold outputs; the tracked notebooks don't
        deadline = time.monotonic() + 20 * AUTOSAVE_SECONDS
        saved = {}
        while time.monotonic() < deadline:
            saved = {
                name: '"outputs": [\n' in (repo / "work" / name).read_text("utf-8")
                and '"output_type"' in (repo / "work" / name).read_text("utf-8")
                for name in ("condition_report.ipynb", "explore.ipynb")
            }
            if all(saved.values()):
                break
            page.wait_for_timeout(1000)
        browser.close()
    assert all(saved.values()), f"no autosave seen in work/: {saved}"
    assert status(repo, "notebooks/") == ""
    assert status(repo) == ""

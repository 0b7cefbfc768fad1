"""JupyterLab as users meet it: start a server, open a notebook, run all, see a plotly chart."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser import launch

pytestmark = [pytest.mark.browser, pytest.mark.slow]
NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "evidence_map.ipynb"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab_server(tmp_path):
    shutil.copy(NOTEBOOK, tmp_path / NOTEBOOK.name)
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [
        str(Path(sys.executable).parent / "jupyter"),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={tmp_path}",
        "--allow-root",
    ]
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / ".jupyter_config"))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
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


def test_run_all_renders_a_plotly_figure(lab_server, tmp_path):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    base, token = lab_server
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{base}/lab/tree/{NOTEBOOK.name}?token={token}")
        page.wait_for_selector(".jp-NotebookPanel", timeout=60_000)
        # The kernel must be connected (status bar "... | Idle") before Run All is honoured.
        page.wait_for_selector(".jp-StatusBar-TextItem:has-text('| Idle')", timeout=90_000)
        for _attempt in range(3):  # a Run All sent while the kernel is still connecting is dropped
            page.get_by_role("menuitem", name="Run").click()
            page.locator("li[data-command='runmenu:run-all']").click()
            try:
                page.wait_for_selector(".jp-InputPrompt:has-text('[1]')", timeout=30_000)
                break
            except PlaywrightTimeout:
                page.keyboard.press("Escape")
        try:
            page.wait_for_selector(".jp-OutputArea .js-plotly-plot .main-svg", timeout=90_000)
        finally:
            page.screenshot(path=str(tmp_path / "jupyterlab.png"))
        bars = page.locator(".jp-OutputArea .js-plotly-plot g.point").count()
        page.screenshot(path=str(tmp_path / "jupyterlab.png"))
        browser.close()
    assert bars > 0

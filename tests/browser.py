"""Shared helpers for the real-browser tests: Debian's chromium driven by Playwright."""

from __future__ import annotations

import shutil

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """Return Debian's chromium binary; fail (not skip) when missing: make test installs it."""
    path = shutil.which("chromium")
    if not path:
        pytest.fail("chromium not found: run `make browser-deps` (make test does it)")
    return path


def launch(playwright):
    """Launch headless chromium from the system binary, never a downloaded browser."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


def watch(page):
    """Record console errors, page errors, dialogs and requests leaving file://."""
    seen = {"console_errors": [], "page_errors": [], "dialogs": [], "external": []}
    page.on("console", lambda m: m.type == "error" and seen["console_errors"].append(m.text))
    page.on("pageerror", lambda e: seen["page_errors"].append(str(e)))

    def on_dialog(dialog):
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)

    def route(r):
        if r.request.url.startswith(("file:", "data:", "blob:")):
            r.continue_()
        else:
            seen["external"].append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return seen

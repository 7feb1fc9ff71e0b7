"""Helpers for the browser tests: a watched page and the screenshots folder.

Imported by the browser test modules (``from browser_support import …``); the ``browser``
fixture (headless Chromium through Playwright) lives in conftest.py.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@contextmanager
def watched_page(browser, clipboard_origin: str | None = None):
    """A fresh page that records dialogs and every request leaving 127.0.0.1 (and fails on one).

    ``clipboard_origin``: let the page use the clipboard there, as a user's click allows."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    if clipboard_origin:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=clipboard_origin)
    page = context.new_page()
    page.dialogs, page.external = [], []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "request",
        lambda request: (
            urlparse(request.url).hostname not in ("127.0.0.1", "localhost")
            and urlparse(request.url).scheme in ("http", "https")
            and page.external.append(request.url)
        ),
    )
    try:
        yield page
        assert page.external == [], "the page tried to reach the network"
    finally:
        context.close()


def shot(page, name: str, full_page: bool = True) -> Path:
    """A screenshot in tests/artifacts/ (and in ``$LABSTORIES_SHOTS`` when set, for the docs)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    if extra := os.environ.get("LABSTORIES_SHOTS"):
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(extra) / path.name)
    return path


def ask(page, app_url: str, question: str, ready: str = "#ls-chat .ls-answer .ls-lead") -> None:
    """Open the app, type ``question`` and press Enter, until ``ready`` (the answer's lead) is on the page."""
    page.goto(app_url + "/")
    box = page.locator("#ls-msg textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_selector(ready, timeout=30_000)


def pick(page, kind: str, value: str) -> None:
    """Choose ``value`` in the panel's dropdown for ``kind`` with the keyboard, as a user does, and move
    on to the question box, or away when a story hides it (the list closes)."""
    page.locator(f"#ls-f-{kind} input").click()
    page.keyboard.type(value)
    page.keyboard.press("Enter")
    page.evaluate(
        "(document.querySelector('#ls-msg textarea') || {focus: () => document.activeElement.blur()}).focus()"
    )

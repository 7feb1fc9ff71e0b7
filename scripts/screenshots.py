"""Screenshots of a running app at desktop and phone size, for an issue's before/after note.

    python scripts/screenshots.py http://127.0.0.1:7860 docs/screenshots/issue17 before

Takes the first screen, an answer, an off-topic answer, a Spanish question and a story view at 1280×900
and 390×844 in headless Chromium (Debian's ``chromium``; nothing is downloaded).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import sync_playwright

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
VIEWS = {
    "first-screen": "/",
    "answer": "/?" + urlencode({"q": "how did labs build belonging with migrants?"}),
    "off-topic": "/?" + urlencode({"q": "what is the GDP of France?"}),
    "spanish": "/?" + urlencode({"q": "¿cómo construyeron confianza con las comunidades?"}),
    "story": "/?story=SolutionMappers_AUD&t=140",
}


def main(base: str, folder: str, label: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        for size, viewport in SIZES.items():
            context = browser.new_context(viewport=viewport, is_mobile=size == "phone", has_touch=size == "phone")
            page = context.new_page()
            for view, path in VIEWS.items():
                page.goto(base.rstrip("/") + path)
                page.wait_for_selector("#ls-chat, #ls-story-view", timeout=30_000)
                page.wait_for_timeout(2500)
                target = out / f"{label}-{view}-{size}.png"
                page.screenshot(path=str(target), full_page=False)
                print(target)
            context.close()
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])

"""End-to-end in real headless Chromium: answers, the in-app player, the story view, inert XSS.

Debian's chromium drives through Playwright (``executable_path``); the audio is a
silent WAV served by the test on 127.0.0.1. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from app_support import app_index, app_url, audio_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("LABSTORIES_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"chromium not found at {CHROMIUM}; run .ci/install-browser.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


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
    page.on("request", lambda request: urlparse(request.url).hostname not in ("127.0.0.1", "localhost")
            and urlparse(request.url).scheme in ("http", "https") and page.external.append(request.url))
    try:
        yield page
        assert page.external == [], "the page tried to reach the network"
    finally:
        context.close()


@pytest.fixture
def page(browser):
    with watched_page(browser) as page:
        yield page


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_answer_link_shows_passages_and_filter(page, app_url):  # noqa: F811
    page.goto(app_url + "/?q=how+did+they+earn+the+trust+of+beekeepers&principle=Trust")
    page.wait_for_selector("#ls-chat .ls-hit", timeout=30_000)
    first = page.locator("#ls-chat .ls-hit").first
    assert "Beekeeping Cooperatives of Atlantis" in first.inner_text()
    assert first.locator("mark").count() >= 2  # the query's words are highlighted
    assert "principle Trust" in page.locator("#ls-chat .ls-lead").first.inner_text()
    assert "Trust" in page.locator("#ls-f-principles").inner_text()  # shown, removable, in the panel
    assert "principle=Trust" in page.url
    _shot(page, "answer-desktop")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1  # no sideways scrolling
    _shot(page, "answer-phone")


def test_typing_a_question_and_a_follow_up_updates_the_address_bar(page, app_url):  # noqa: F811
    page.goto(app_url + "/")
    box = page.locator("#ls-msg textarea")
    box.fill("how did villages repair their water wells?")
    box.press("Enter")
    page.wait_for_selector("#ls-chat .ls-hit", timeout=30_000)
    page.wait_for_function("location.search.includes('water+wells')")
    box.fill("only in Lemuria")
    box.press("Enter")
    page.wait_for_function("location.search.includes('country=Lemuria')")
    assert "Lemuria" in page.locator("#ls-f-country").inner_text()
    # A story without audio shows its passage without a player.
    last = page.locator("#ls-chat .ls-answer").last
    assert last.locator(".ls-noaudio").count() >= 1 and last.locator("a.ls-play").count() == 0


def test_play_control_starts_the_in_app_player_at_the_passage(page, app_url, audio_server):  # noqa: F811
    page.goto(app_url + "/?q=earn+the+trust+of+the+beekeeping+cooperatives&country=Atlantis")
    page.wait_for_selector("#ls-chat a.ls-play", timeout=30_000)
    play = page.locator('#ls-chat a.ls-play[href$="#t=132"]').first
    assert play.inner_text().strip() == "▶ 2:12"
    play.focus()
    page.keyboard.press("Enter")  # keyboard only
    page.wait_for_function("() => { const a = document.getElementById('ls-audio');"
                           " return a && a.readyState >= 1 && Math.abs(a.currentTime - 132) < 2; }", timeout=15_000)
    state = page.evaluate("() => { const a = document.getElementById('ls-audio');"
                          " return {src: a.currentSrc, t: a.currentTime, hidden: document.getElementById('ls-player').hidden}; }")
    assert state["src"].startswith(audio_server) and not state["hidden"]
    assert 131 <= state["t"] <= 134
    page.wait_for_function("() => { const a = document.getElementById('ls-audio'); return !a.paused && a.currentTime > 132.5; }",
                           timeout=10_000)  # and it is playing on from there
    assert page.url.startswith(app_url)  # played in the app, not by navigating away
    # The direct link opens the browser's own player at the same second.
    assert page.locator('#ls-chat a.ls-ext[href$="#t=132"]').first.get_attribute("target") == "_blank"
    _shot(page, "player")


def test_story_link_highlights_the_section_and_readies_audio(page, app_url):  # noqa: F811
    page.goto(app_url + "/?story=SolutionMappers_AUD&t=140")
    page.wait_for_selector("#ls-story .ls-current", timeout=30_000)
    current = page.locator("#ls-story .ls-current")
    assert current.get_attribute("id") == "ls-t-132"
    assert "trust of the beekeeping cooperatives" in current.inner_text()
    assert current.is_visible() and page.locator("#ls-story .ls-section").count() == 4
    page.wait_for_function("() => { const a = document.getElementById('ls-audio');"
                           " return a && a.readyState >= 1 && Math.abs(a.currentTime - 140) < 2; }", timeout=15_000)
    assert page.evaluate("document.getElementById('ls-audio').paused")  # ready, not playing by itself
    _shot(page, "story-desktop")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    _shot(page, "story-phone")


def test_chip_shows_the_glossary_and_filters_by_it(page, app_url):  # noqa: F811
    page.goto(app_url + "/?q=pollination+routes+footpaths")
    page.wait_for_selector("#ls-chat a.ls-chip", timeout=30_000)
    page.locator("#ls-chat a.ls-chip:visible", has_text="Trust").first.click()  # not one in folded moments
    page.wait_for_selector("#ls-gloss .ls-gloss", timeout=10_000)
    assert "confidence communities and partners place in the lab" in page.locator("#ls-gloss").inner_text()
    page.locator("#ls-gloss-filter").click()
    page.wait_for_function("location.search.includes('principle=Trust')", timeout=15_000)
    assert "Trust" in page.locator("#ls-f-principles").inner_text()


def test_xss_story_renders_inert(page, app_url):  # noqa: F811
    page.goto(app_url + "/?q=zebra+crossings+painted+by+children")
    page.wait_for_selector("#ls-chat .ls-hit", timeout=30_000)
    hit = page.locator("#ls-chat .ls-hit", has_text="Zebra crossings").first
    assert "<script>" in hit.inner_text()  # shown as text
    hit.locator("a.ls-chip").first.click()  # the tag value with an <img onerror>
    hit.locator("a.ls-open").click()
    page.wait_for_selector("#ls-story", timeout=15_000)
    story = page.locator("#ls-story")
    assert "<img src=x onerror" in story.inner_text() and "${window.__xss" in story.inner_text()
    assert story.locator("a.ls-play").count() == 0  # javascript: audio was dropped
    _shot(page, "xss-story")
    page.goto(app_url + "/?story=Experimenters_XSS&t=90")
    page.wait_for_selector("#ls-story .ls-current", timeout=30_000)
    page.wait_for_timeout(500)
    inert = page.evaluate("""() => ({
        flag: typeof window.__xss,
        scripts: document.querySelectorAll('#ls-story script, #ls-chat script').length,
        handlers: [...document.querySelectorAll('#ls-story *, #ls-chat *')]
            .filter(el => [...el.attributes].some(a => a.name.startsWith('on'))).length,
        badLinks: [...document.querySelectorAll('a[href], audio[src], iframe')]
            .filter(el => /^\\s*(javascript|data):/i.test(el.getAttribute('href') || el.getAttribute('src') || '')).length,
    })""")
    assert inert == {"flag": "undefined", "scripts": 0, "handlers": 0, "badLinks": 0}
    assert page.dialogs == []

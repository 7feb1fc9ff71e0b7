"""The app (ui/app.py) end-to-end in real headless Chromium: answers, the in-app player, the story view,
inert XSS, the page's state as data, a sub-path behind a proxy.

Debian's chromium drives through Playwright (the ``browser`` fixture in conftest.py); the
audio is a silent WAV served by the test on 127.0.0.1. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

import pytest
from app_support import app_index, app_url, audio_server  # noqa: F401  (fixtures)
from browser_support import pick, shot, watched_page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_answer_link_shows_passages_and_filter(page, app_url):  # noqa: F811
    page.goto(app_url + "/?q=how+did+they+earn+the+trust+of+beekeepers&principle=Trust")
    page.wait_for_selector("#ls-chat .ls-hit", timeout=30_000)
    first = page.locator("#ls-chat .ls-hit").first
    assert "Beekeeping Cooperatives of Atlantis" in first.inner_text()
    assert first.locator("mark").count() >= 2  # the query's words are highlighted
    assert "principle Trust" in page.locator("#ls-chat .ls-lead").first.inner_text()
    assert "Trust" in page.locator("#ls-f-principles").inner_text()  # shown, removable, in the panel
    assert "principle=Trust" in page.url
    shot(page, "answer-desktop")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1  # no sideways scrolling
    shot(page, "answer-phone")


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
    page.wait_for_function(
        "() => { const a = document.getElementById('ls-audio');"
        " return a && a.readyState >= 1 && Math.abs(a.currentTime - 132) < 2; }",
        timeout=15_000,
    )
    state = page.evaluate(
        "() => { const a = document.getElementById('ls-audio');"
        " return {src: a.currentSrc, t: a.currentTime, hidden: document.getElementById('ls-player').hidden}; }"
    )
    assert state["src"].startswith(audio_server) and not state["hidden"]
    assert 131 <= state["t"] <= 134
    page.wait_for_function(
        "() => { const a = document.getElementById('ls-audio'); return !a.paused && a.currentTime > 132.5; }",
        timeout=10_000,
    )  # and it is playing on from there
    assert page.url.startswith(app_url)  # played in the app, not by navigating away
    # The direct link opens the browser's own player at the same second.
    assert page.locator('#ls-chat a.ls-ext[href$="#t=132"]').first.get_attribute("target") == "_blank"
    shot(page, "player")


def test_story_link_highlights_the_section_and_readies_audio(page, app_url):  # noqa: F811
    page.goto(app_url + "/?story=SolutionMappers_AUD&t=140")
    page.wait_for_selector("#ls-story .ls-current", timeout=30_000)
    current = page.locator("#ls-story .ls-current")
    assert current.get_attribute("id") == "ls-t-132"
    assert "trust of the beekeeping cooperatives" in current.inner_text()
    assert current.is_visible() and page.locator("#ls-story .ls-section").count() == 4
    page.wait_for_function(
        "() => { const a = document.getElementById('ls-audio');"
        " return a && a.readyState >= 1 && Math.abs(a.currentTime - 140) < 2; }",
        timeout=15_000,
    )
    assert page.evaluate("document.getElementById('ls-audio').paused")  # ready, not playing by itself
    shot(page, "story-desktop")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    shot(page, "story-phone")


def test_chip_shows_the_glossary_and_filters_by_it(page, app_url):  # noqa: F811
    page.goto(app_url + "/?q=pollination+routes+footpaths")
    page.wait_for_selector("#ls-chat a.ls-chip", timeout=30_000)
    if page.locator("#ls-chat details.ls-loose").count():  # the loosely related stories, unfolded
        page.locator("#ls-chat details.ls-loose > summary").first.click()
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
    shot(page, "xss-story")
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


# -- the page's state travels as data: the filters mapping, the conversation, the static files --------
@pytest.fixture(scope="module")
def own_app(app_index):  # noqa: F811
    """An app of this module's own (its sessions can be dropped): (demo, url)."""
    from app_support import free_port

    from labstories.ui.app import launch

    port = free_port()
    demo = launch(app_index, "127.0.0.1", port, block=False)
    try:
        yield demo, f"http://127.0.0.1:{port}"
    finally:
        demo.close()


def test_a_filter_chosen_just_before_enter_is_the_one_asked_with(page, app_url):  # noqa: F811
    """The dropdowns write the filters mapping in the browser, at once: no round trip can lose a
    choice made an instant before the question is sent."""
    page.goto(app_url + "/")
    page.locator("#ls-msg textarea").fill("how did they earn the trust of the beekeeping cooperatives?")
    pick(page, "country", "Lemuria")  # and straight on: send
    page.keyboard.press("Enter")
    page.wait_for_selector("#ls-chat .ls-answer .ls-lead", timeout=30_000)
    lead = page.locator("#ls-chat .ls-lead").last.inner_text()
    assert "country Lemuria" in lead and "Atlantis" not in page.locator("#ls-chat .ls-answer").last.inner_text()
    page.wait_for_function("location.search.includes('country=Lemuria')")
    assert "Lemuria" in page.locator("#ls-f-country").inner_text()
    # Clear empties the panel and the mapping together (and asks the question again without them):
    # the next question has no filters.
    page.locator("#ls-clear").click()
    page.wait_for_function("!location.search.includes('country=')")
    assert "Lemuria" not in page.locator("#ls-f-country").inner_text()
    page.wait_for_function("document.querySelectorAll('#ls-chat .ls-answer').length >= 2", timeout=30_000)
    box = page.locator("#ls-msg textarea")
    box.fill("how did they earn the trust of the beekeeping cooperatives?")
    box.press("Enter")
    page.wait_for_function("document.querySelectorAll('#ls-chat .ls-answer').length >= 3", timeout=30_000)
    assert "(no filters)" in page.locator("#ls-chat .ls-lead").last.inner_text()


def test_a_tab_whose_session_the_server_dropped_carries_on(page, own_app):
    """The server keeps SESSIONS sessions; the page holds its conversation and sends it back, so
    a follow-up, "More stories" and a typed filter's scope survive the server forgetting it."""
    demo, url = own_app
    page.goto(url + "/")
    box = page.locator("#ls-msg textarea")
    box.fill("zebra crossings beekeeping wells")
    box.press("Enter")
    page.wait_for_selector("#ls-chat .ls-answer .ls-lead", timeout=30_000)
    assert "Showing 1–5" in page.locator("#ls-chat .ls-lead").last.inner_text()
    demo.state_holder.session_data.clear()  # what SESSIONS does to a tab left idle
    page.locator("#ls-more").click()
    page.wait_for_function("document.querySelectorAll('#ls-chat .ls-answer').length >= 2", timeout=30_000)
    assert "Showing 6–" in page.locator("#ls-chat .ls-answer").last.inner_text()
    demo.state_holder.session_data.clear()
    box.fill("only in Lemuria")
    box.press("Enter")
    page.wait_for_function("location.search.includes('country=Lemuria')", timeout=30_000)
    last = page.locator("#ls-chat .ls-answer").last.inner_text()
    assert "Refining the previous question “zebra crossings beekeeping wells”" in last
    assert "Lemuria" in page.locator("#ls-f-country").inner_text()
    demo.state_holder.session_data.clear()
    box.fill("how did they earn the trust of the beekeeping cooperatives?")  # a new question keeps Lemuria
    box.press("Enter")
    page.wait_for_function("location.search.includes('beekeeping+cooperatives')", timeout=30_000)
    assert "country=Lemuria" in page.url and "country Lemuria" in page.locator("#ls-chat .ls-lead").last.inner_text()
    assert page.evaluate("document.querySelectorAll('#ls-chat [data-link], #ls-chat [data-shown]').length") == 0


class _PrefixProxy(BaseHTTPRequestHandler):
    """A reverse proxy that serves the app under ``prefix``, as nginx's ``location /prefix/`` does."""

    upstream, prefix = "", ""

    def _forward(self):
        import httpx

        if not self.path.startswith(self.prefix + "/"):
            self.send_error(404)
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "accept-encoding")}
        try:
            with (
                httpx.Client(timeout=None) as http,
                http.stream(
                    self.command, self.upstream + self.path[len(self.prefix) :], headers=headers, content=body
                ) as reply,
            ):
                self.send_response(reply.status_code)
                for name, value in reply.headers.items():
                    if name.lower() not in ("transfer-encoding", "connection", "content-length", "content-encoding"):
                        self.send_header(name, value)
                self.send_header("Connection", "close")  # HTTP/1.0: the body (SSE too) ends when the proxy closes
                self.end_headers()
                for chunk in reply.iter_bytes():
                    self.wfile.write(chunk)
                    self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST = do_HEAD = _forward

    def log_message(self, *args):
        pass


def test_the_app_works_behind_a_sub_path(browser, app_index, monkeypatch):  # noqa: F811
    """GRADIO_ROOT_PATH=/labstories behind a proxy: the page, its CSS, its script (a head tag
    relative to the app's root) and the API all come through the prefix."""
    import threading
    from http.server import ThreadingHTTPServer

    from app_support import free_port

    from labstories.ui.app import launch

    monkeypatch.setenv("GRADIO_ROOT_PATH", "/labstories")
    port = free_port()
    demo = launch(app_index, "127.0.0.1", port, block=False)
    handler = type("Proxy", (_PrefixProxy,), {"upstream": f"http://127.0.0.1:{port}", "prefix": "/labstories"})
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    front = f"http://127.0.0.1:{proxy.server_address[1]}/labstories"
    try:
        with watched_page(browser) as page:
            scripts = []
            page.on("response", lambda r: "app.js" in r.url and scripts.append((r.url, r.status)))
            page.goto(front + "/?q=how+did+they+earn+the+trust+of+beekeepers&principle=Trust")
            page.wait_for_selector("#ls-chat .ls-hit", timeout=30_000)
            page.wait_for_function("typeof window.lsSync === 'function'")
            [(script, status)] = scripts
            assert script.startswith(front + "/gradio_api/file=") and status == 200
            assert page.evaluate("getComputedStyle(document.querySelector('#ls-chat .ls-title')).fontWeight") == "600"
            box = page.locator("#ls-msg textarea")
            box.fill("only in Atlantis")
            box.press("Enter")
            page.wait_for_function("location.search.includes('country=Atlantis')", timeout=30_000)
            assert page.url.startswith(front + "/?q=how+did+they+earn") and "principle=Trust" in page.url
            assert "Refining the previous question" in page.locator("#ls-chat .ls-answer").last.inner_text()
    finally:
        proxy.shutdown()
        proxy.server_close()
        demo.close()

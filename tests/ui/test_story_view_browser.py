"""The story view (issue 17) in real headless Chromium: a tag's definition opens where the reader is,
the section being played is marked as the audio runs, a paragraph plays from its second, the player's
speed, find in the story, long sections in readable paragraphs.

The stories are the app fixtures (tests/data/app): SolutionMappers_AUD has sections at 0:00, 2:12,
5:00 and 8:20; Experimenters_LYO has one answer of ~420 words from 1:00 to 6:00. The audio is the
silent WAV that app_support serves on 127.0.0.1.
"""

from __future__ import annotations

import pytest
from app_support import app_index, app_url, audio_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
AUDIO_READY = "() => { const a = document.getElementById('ls-audio'); return a && a.readyState >= 1; }"
#: Whether an element lies wholly inside the window (above the player bar, when it shows).
INSIDE = """(el) => { const r = el.getBoundingClientRect(), bar = document.getElementById('ls-player');
    const bottom = window.innerHeight - (bar && !bar.hidden ? bar.offsetHeight : 0);
    return r.height > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= bottom && r.right <= window.innerWidth; }"""
#: The story's own text a reader can find: its paragraphs and questions, without the links in them.
STORY_TEXT = """() => [...document.querySelectorAll('#ls-story .ls-para, #ls-story .ls-section h3 > span')]
    .map((el) => { const copy = el.cloneNode(true); copy.querySelectorAll('a').forEach((a) => a.remove());
                   return copy.textContent; }).join(' ')"""


def _open(page, app_url, story: str, t: int | None = None):  # noqa: F811
    page.goto(f"{app_url}/?story={story}" + (f"&t={t}" if t is not None else ""))
    page.wait_for_selector("#ls-story .ls-section", timeout=30_000)
    page.wait_for_function("typeof window.lsSync === 'function'")
    page.wait_for_function(AUDIO_READY, timeout=15_000)  # the story's audio is ready at its second


def _audio(page) -> dict:
    return page.evaluate(
        "() => { const a = document.getElementById('ls-audio');"
        " return {t: a.currentTime, paused: a.paused, rate: a.playbackRate, default: a.defaultPlaybackRate}; }"
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_tags_definition_opens_where_the_reader_is(page, app_url, viewport):  # noqa: F811
    """Deep in a story, a tag's chip shows its definition inside the window, and the reader keeps
    their place: the page does not jump to the glossary's place above the story."""
    page.set_viewport_size(viewport)
    _open(page, app_url, "Experimenters_LYO")
    chip = page.locator("#ls-t-60 a.ls-chip", has_text="Trust")
    chip.evaluate("(el) => el.scrollIntoView({block: 'center'})")
    before = page.evaluate("window.scrollY")
    assert before > 300  # far below the top of the page, where the glossary column sits
    chip.click()
    page.wait_for_selector("#ls-gloss .ls-gloss", timeout=15_000)
    page.wait_for_function(
        f"() => {{ const inside = {INSIDE}; const gloss = document.getElementById('ls-gloss');"
        " const chip = document.querySelector('#ls-t-60 a.ls-chip');"
        " return gloss && inside(gloss) && inside(chip); }",
        timeout=15_000,
    )
    assert "confidence communities and partners place in the lab" in page.locator("#ls-gloss").inner_text()
    assert abs(page.evaluate("window.scrollY") - before) <= 2
    box = page.locator("#ls-gloss").bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
    page.keyboard.press("Escape")  # closes it, as its Close button does
    page.wait_for_selector("#ls-gloss", state="detached", timeout=15_000)
    assert abs(page.evaluate("window.scrollY") - before) <= 2


def test_the_section_being_played_is_marked_as_the_audio_runs(page, app_url):  # noqa: F811
    _open(page, app_url, "SolutionMappers_AUD", 140)
    assert page.locator("#ls-story .ls-current").get_attribute("id") == "ls-t-132"
    page.evaluate("() => { const a = document.getElementById('ls-audio'); a.currentTime = 497; a.play(); }")
    # The audio runs on past 8:20 by itself: the mark moves to that section.
    page.wait_for_function(
        "document.querySelector('#ls-t-500.ls-current[aria-current=\"true\"]') !== null", timeout=20_000
    )
    assert page.locator("#ls-story .ls-current").count() == 1
    assert page.locator("#ls-story [aria-current]").count() == 1
    assert _audio(page)["t"] >= 500
    page.evaluate("() => { const a = document.getElementById('ls-audio'); a.pause(); a.currentTime = 10; }")
    page.wait_for_function("document.querySelector('#ls-t-0.ls-current') !== null", timeout=15_000)
    assert page.locator("#ls-story .ls-current").count() == 1


def test_a_click_on_a_paragraph_plays_from_there(page, app_url):  # noqa: F811
    _open(page, app_url, "Experimenters_LYO")
    paragraphs = page.locator("#ls-t-60 p.ls-para")
    third = paragraphs.nth(2)
    start = int(third.get_attribute("data-start"))
    assert 60 < start < 360  # interpolated within the 1:00–6:00 answer
    third.click(position={"x": 300, "y": 30})  # on its text, not on its ▶
    page.wait_for_function(
        f"() => {{ const a = document.getElementById('ls-audio'); return !a.paused && Math.abs(a.currentTime - {start}) < 3; }}",
        timeout=15_000,
    )
    assert page.locator("#ls-now").inner_text().endswith(f"~{start // 60}:{start % 60:02d}")
    # A paragraph with no time of its own plays from its section's start.
    page.evaluate("document.getElementById('ls-audio').pause()")
    page.locator("#ls-t-0 p.ls-para").click()
    page.wait_for_function(
        "() => { const a = document.getElementById('ls-audio'); return !a.paused && a.currentTime < 3; }",
        timeout=15_000,
    )
    # Selecting text in a paragraph is not a request to play it.
    page.evaluate("document.getElementById('ls-audio').pause()")
    para = page.locator("#ls-t-60 p.ls-para").nth(1)
    box = para.bounding_box()
    page.mouse.move(box["x"] + 200, box["y"] + 30)
    page.mouse.down()
    page.mouse.move(box["x"] + 500, box["y"] + 30)
    page.mouse.up()
    assert page.evaluate("String(getSelection()).length") > 0
    assert _audio(page)["paused"]


def test_the_speed_control_sets_the_playback_rate(page, app_url):  # noqa: F811
    _open(page, app_url, "SolutionMappers_AUD", 140)
    speed = page.locator("#ls-player select#ls-speed")
    assert speed.is_visible() and speed.input_value() == "1"
    values = speed.locator("option").evaluate_all("(options) => options.map((o) => o.value)")
    assert values == ["0.75", "1", "1.25", "1.5", "2"]
    speed.select_option("1.5")
    audio = _audio(page)
    assert audio["rate"] == 1.5 and audio["default"] == 1.5  # the default: a new source keeps it
    page.locator('#ls-story a.ls-play[href$="#t=300"]').first.click()
    page.wait_for_function("() => !document.getElementById('ls-audio').paused", timeout=15_000)
    assert _audio(page)["rate"] == 1.5
    page.evaluate("document.getElementById('ls-audio').playbackRate = 0.75")  # the browser's own menu
    page.wait_for_function("document.getElementById('ls-speed').value === '0.75'", timeout=5_000)


def test_find_in_story_counts_highlights_and_jumps_to_matches(page, app_url):  # noqa: F811
    page.set_viewport_size(PHONE)  # a long page: the last match is screens away from the box
    _open(page, app_url, "Experimenters_LYO")
    text = page.evaluate(STORY_TEXT).lower()
    expected = text.count("harbour")
    assert expected >= 5
    box = page.locator("#ls-story input.ls-find-input")
    count = page.locator("#ls-story .ls-find-count")
    box.fill("Harbour")  # case folded
    page.wait_for_function(f"document.querySelector('#ls-story .ls-find-count').textContent === '1 of {expected}'")
    assert page.evaluate("CSS.highlights.get('ls-find').size") == expected
    assert page.evaluate("CSS.highlights.get('ls-find-now').size") == 1
    box.press("Enter")
    box.press("Enter")
    assert count.inner_text() == f"3 of {expected}"
    box.press("Shift+Enter")
    assert count.inner_text() == f"2 of {expected}"
    page.locator("#ls-story button.ls-find-next").click()
    assert count.inner_text() == f"3 of {expected}"
    page.locator("#ls-story button.ls-find-prev").click()
    page.locator("#ls-story button.ls-find-prev").click()
    page.locator("#ls-story button.ls-find-prev").click()  # from the first back round to the last
    assert count.inner_text() == f"{expected} of {expected}"
    # The current match is scrolled into the window, and the find box stays at hand beside it.
    now = "(() => { const r = [...CSS.highlights.get('ls-find-now')][0].getBoundingClientRect();"
    now += " return r.top >= 0 && r.bottom <= window.innerHeight; })()"
    page.wait_for_function(now, timeout=5_000)
    assert page.evaluate("window.scrollY") > 1000
    page.wait_for_function(f"({INSIDE})(document.querySelector('#ls-story .ls-find-input'))", timeout=5_000)
    assert page.locator("#ls-story .ls-story-tools.ls-stuck").count() == 1
    assert page.locator("#ls-story .ls-find-here").count() == 1  # the paragraph holding it is marked too
    box.fill("harbour lighthouse choir")
    page.wait_for_function("document.querySelector('#ls-story .ls-find-count').textContent === '1 of 1'")
    box.fill("<b>harbour</b>")  # text to find, never markup
    page.wait_for_function("document.querySelector('#ls-story .ls-find-count').textContent === 'No matches'")
    assert page.evaluate("CSS.highlights.get('ls-find').size") == 0
    assert page.locator("#ls-story b").count() == 0
    box.fill("")
    page.wait_for_function("document.querySelector('#ls-story .ls-find-count').textContent === ''")
    assert page.locator("#ls-story .ls-find-here").count() == 0


def test_a_long_section_reads_as_paragraphs(page, app_url, app_index):  # noqa: F811
    _open(page, app_url, "Experimenters_LYO")
    stored = app_index.story("Experimenters_LYO").sections[1]
    assert len(stored.paragraphs) == 1 and len(stored.paragraphs[0].text.split()) > 400  # one block stored
    shown = page.locator("#ls-t-60 p.ls-para")
    texts = shown.evaluate_all(
        "(ps) => ps.map((p) => { const c = p.cloneNode(true); c.querySelectorAll('a').forEach((a) => a.remove());"
        " return c.textContent; })"
    )
    assert len(texts) >= 3 and all(40 <= len(t.split()) <= 150 for t in texts)
    assert " ".join(texts) == stored.paragraphs[0].text  # shown whole, in order
    starts = [int(s) for s in shown.evaluate_all("(ps) => ps.map((p) => p.dataset.start)")]
    assert starts[0] == 60 and starts == sorted(starts) and starts[-1] < 360
    # The pieces after the first show the second they are estimated to start at, as answers do.
    approx = page.locator("#ls-t-60 p.ls-para a.ls-play.ls-approx")
    assert approx.count() == len(texts) - 1
    assert approx.first.inner_text().startswith("▶ ~")
    page.set_viewport_size(PHONE)
    page.wait_for_function("document.documentElement.scrollWidth <= 391")

"""Answers a practitioner can use, in the app (ui/app.py) in real headless Chromium: many labs at a glance, the exact
moment, honest weak matches, Markdown to take away. Screenshots go to tests/artifacts/ (and to
$LABSTORIES_SHOTS when set)."""

from __future__ import annotations

import re

import pytest
from app_support import app_index, app_url, audio_server  # noqa: F401  (fixtures)
from browser_support import ask, shot, watched_page

pytestmark = pytest.mark.browser

MIGRANTS = "How did labs build belonging with migrants?"


@pytest.fixture
def page(browser, app_url):  # noqa: F811
    with watched_page(browser, clipboard_origin=app_url) as page:
        yield page


def test_grouped_answer_shows_five_labs_on_the_first_page(page, app_url):  # noqa: F811
    ask(page, app_url, MIGRANTS)
    answer = page.locator("#ls-chat .ls-answer").last
    cards = answer.locator("article.ls-hit")
    labs = [meta.split(" · ")[0] for meta in cards.locator(".ls-head .ls-meta").all_inner_texts()]
    assert len(set(labs)) >= 5, labs
    assert all(lab.startswith("UNDP Accelerator Lab ") for lab in labs)
    # each story once, with its lab, role and place once, and its further moments folded
    titles = cards.locator(".ls-title").all_inner_texts()
    assert len(titles) == len(set(titles))
    folded = answer.locator("details.ls-more-moments > summary").all_inner_texts()
    assert folded and all(re.fullmatch(r"\d more moments? in this story", text) for text in folded)
    # what the answer is about: principles and tactics with counts
    about = answer.locator(".ls-about a.ls-narrow")
    assert about.count() >= 2 and re.search(r"\d", about.first.inner_text())
    assert "1 stories" not in answer.inner_text()
    shot(page, "answers-grouped")
    # "More" brings the next stories
    page.locator("#ls-more").click()
    page.wait_for_function("document.querySelectorAll('#ls-chat .ls-answer').length >= 2", timeout=20_000)
    nxt = page.locator("#ls-chat .ls-answer").last
    assert "Showing 6–" in nxt.inner_text() or "That was all" in nxt.inner_text()
    # A chip narrows the same question with that filter
    page.locator("#ls-chat .ls-answer").first.locator(".ls-about a.ls-narrow.ls-principles").first.click()
    page.wait_for_function("location.search.includes('principle=')", timeout=20_000)
    assert "Narrowed to principle" in page.locator("#ls-chat .ls-answer").last.inner_text()


def test_play_on_an_interpolated_passage_starts_past_the_section_start(page, app_url, audio_server):  # noqa: F811
    ask(page, app_url, "the harbour lighthouse choir singing at dusk on the pier")
    first = page.locator("#ls-chat article.ls-hit").first
    assert "Harbour Noticeboards of Lyonesse" in first.inner_text()
    play = first.locator("a.ls-play.ls-approx").first
    label = play.inner_text().strip()
    assert label.startswith("▶ ~")  # shown as approximate
    seconds = int(re.search(r"#t=(\d+)$", play.get_attribute("href")).group(1))
    assert 60 + 30 < seconds < 360  # well inside the 1:00–6:00 section
    play.click()
    page.wait_for_function(
        "() => { const a = document.getElementById('ls-audio'); return a && a.readyState >= 1 && a.currentTime > 61; }",
        timeout=15_000,
    )
    t = page.evaluate("document.getElementById('ls-audio').currentTime")
    assert abs(t - seconds) < 2 and t > 60 + 30
    # the deep link carries the same moment, and the story view highlights the section that holds it
    link = first.locator("a.ls-open").get_attribute("href")
    assert link.endswith(f"t={seconds}")
    shot(page, "answers-interpolated-play")
    page.goto(app_url + "/" + link)
    page.wait_for_selector("#ls-story .ls-current", timeout=30_000)
    assert page.locator("#ls-story .ls-current").get_attribute("id") == "ls-t-60"


def test_copy_as_markdown_holds_every_link(page, app_url):  # noqa: F811
    ask(page, app_url, MIGRANTS)
    answer = page.locator("#ls-chat .ls-answer").last
    plays = [a.get_attribute("href") for a in answer.locator("a.ls-play").all()]
    opens = [a.get_attribute("href") for a in answer.locator(".ls-moment a.ls-copy").all()]
    assert plays and opens
    answer.locator("a.ls-copy-md").click()
    page.wait_for_function("window.lsLastCopied && window.lsLastCopied.startsWith('## ')", timeout=10_000)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.evaluate("window.lsLastCopied")
    assert copied.startswith("## " + MIGRANTS) and "Filters: none" in copied
    base = app_url + "/"
    for audio in plays:
        assert f"]({audio})" in copied  # each passage's audio link
    for deep in opens:
        assert f"]({base}{deep})" in copied  # each passage's deep link, absolute against the page
    assert f"Answer: {base}?q=" in copied
    # and a single passage's citation: "Cite ▾" opens the three forms, each copies its own
    answer.locator(".ls-cite-menu > summary").first.click()
    cite = answer.locator("a.ls-cite").first
    cite.click()
    page.wait_for_function(
        "window.lsLastCopied && window.lsLastCopied.includes('R&D Archive interview')", timeout=10_000
    )
    citation = page.evaluate("navigator.clipboard.readText()")
    assert re.fullmatch(
        r'[A-Za-z ]+, UNDP Accelerator Lab \w+, ".+", R&D Archive interview at ~?\d+:\d\d, '
        + re.escape(base)
        + r"\?story=\w+&t=\d+",
        citation,
    ), citation
    answer.locator("a.ls-cite").nth(2).click()  # BibTeX
    page.wait_for_function("window.lsLastCopied && window.lsLastCopied.startsWith('@misc{')", timeout=10_000)
    assert page.evaluate("window.lsLastCopied").endswith("\n}") and base in page.evaluate("window.lsLastCopied")
    assert page.dialogs == []
    # show what was copied, for the screenshot
    page.evaluate(
        """(text) => { const pre = document.createElement('pre'); pre.id = 'ls-test-copied';
        pre.textContent = text; pre.style.cssText = 'white-space:pre-wrap;border:2px dashed #888;padding:8px';
        document.querySelector('#ls-chat').before(pre); }""",
        copied,
    )
    shot(page, "answers-markdown-copy")


def test_off_topic_question_gets_the_weak_match_note(page, app_url):  # noqa: F811
    ask(page, app_url, "recipe for lasagna with bechamel")
    answer = page.locator("#ls-chat .ls-answer").last
    note = answer.locator(".ls-weak")
    assert note.count() == 1
    assert note.inner_text().startswith("No passage speaks to this directly; the closest are folded below.")
    assert answer.locator("details.ls-loose").count() == 1 and answer.locator(".ls-narrow").count() == 0
    # the note comes before the passages
    assert answer.inner_html().index("ls-weak") < answer.inner_html().index("ls-hit")
    shot(page, "answers-weak-match")
    ask(page, app_url, MIGRANTS)
    assert page.locator("#ls-chat .ls-answer").last.locator(".ls-weak").count() == 0

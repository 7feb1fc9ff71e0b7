"""The first screen says what is inside (issue 17, point 9), in real headless Chromium: the counts, a chart
by continent and example questions that ask themselves when clicked, above the fold; and every answer card
carries its story's one-line summary. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from app_support import APP_DATA, app_index, app_url, audio_server  # noqa: F401  (fixtures)
from browser_support import shot

from labstories.index.text import gist
from labstories.ui.app import EXAMPLES

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
META = re.compile(r"^\[\[(ai_summary|type|country|continent):(.*)\]\]$", re.M)
TITLE = re.compile(r"^# (.*)$", re.M)


def fixture_stories() -> dict[str, dict[str, str]]:
    """Title → the front matter of each fixture story (first value of each key)."""
    stories = {}
    for path in APP_DATA.glob("*.md.in"):
        text = path.read_text("utf-8")
        meta = dict(reversed(META.findall(text)))  # first value wins
        if meta.get("type") == "story":
            stories[TITLE.search(text).group(1).strip()] = meta
    return stories


def _question_box_in_view(page, viewport) -> bool:
    box = page.locator("#ls-msg textarea").bounding_box()
    return box is not None and box["y"] + box["height"] <= viewport["height"]


def test_first_screen_shows_counts_chart_and_suggestions_above_the_fold(page, app_url):  # noqa: F811
    stories = fixture_stories()
    page.goto(app_url + "/")
    page.wait_for_selector("#ls-chat .ls-overview .ls-ov-row", timeout=30_000)
    overview = page.locator("#ls-chat .ls-overview")
    n, labs = len(stories), len({meta["country"] for meta in stories.values()})
    assert f"Answers come from {n} interview stories told by {labs} labs in {labs} countries." in overview.inner_text()
    continents = sorted(Counter(m["continent"] for m in stories.values()).items(), key=lambda kv: (-kv[1], kv[0]))
    rows = overview.locator(".ls-ov-row")
    assert [re.sub(r"\s+", " ", text).strip() for text in rows.all_inner_texts()] == [
        f"{name} {count}" for name, count in continents
    ]
    widths = [bar.bounding_box()["width"] for bar in overview.locator(".ls-ov-bar").all()]
    shares = [count / continents[0][1] for _, count in continents]
    assert widths[0] > 40 and all(abs(w / widths[0] - share) < 0.02 for w, share in zip(widths, shares))
    suggestions = page.locator("#ls-chat button.example")
    assert suggestions.all_inner_texts() == list(EXAMPLES)
    assert _question_box_in_view(page, DESKTOP) and suggestions.last.is_visible()
    shot(page, "overview-desktop", full_page=False)
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    # shorter on a phone: a quarter of the screen at most, the chart still there, nothing sideways
    assert overview.bounding_box()["height"] <= PHONE["height"] / 4
    assert overview.locator(".ls-ov-chart").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1  # no sideways scrolling
    shot(page, "overview-phone", full_page=False)


def test_a_suggestion_asks_itself_and_the_cards_show_each_story_s_one_line(page, app_url):  # noqa: F811
    stories = fixture_stories()
    page.goto(app_url + "/")
    page.wait_for_selector("#ls-chat .ls-overview", timeout=30_000)
    page.locator("#ls-chat button.example", has_text=EXAMPLES[0]).click()
    page.wait_for_selector("#ls-chat .ls-hit", timeout=30_000)
    assert EXAMPLES[0] in page.locator("#ls-chat .ls-lead").last.inner_text()  # the question was asked
    assert page.locator("#ls-chat .ls-overview").count() == 0  # the first screen gave way to the answer
    cards = page.locator("#ls-chat .ls-answer").last.locator("article.ls-hit")
    assert cards.count() >= 5
    for card in cards.all():
        title = card.locator(".ls-title").inner_text().strip()
        assert card.locator(".ls-gist").inner_text().strip() == gist(stories[title]["ai_summary"])
    # the story view keeps the whole summary under its title
    first = cards.first
    title = first.locator(".ls-title").inner_text().strip()
    first.locator("a.ls-open").click()
    page.wait_for_selector("#ls-story", timeout=15_000)
    assert stories[title]["ai_summary"] in page.locator("#ls-story").inner_text()

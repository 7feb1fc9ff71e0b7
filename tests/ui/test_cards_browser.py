"""Quiet answer cards in real headless Chromium (issue 17, points 7 and 8): one row of actions on a
card, a legend whose keys wear the chips' own colours, no function word marked, and a Spanish
question that says what it was searched as and marks the English words it matched."""

from __future__ import annotations

import re

import pytest
from app_support import app_index, app_url, audio_server  # noqa: F401  (fixtures)
from browser_support import ask, shot

pytestmark = pytest.mark.browser

FUNCTION_WORDS = {"you", "your", "with", "how", "did", "the", "they", "their"}


def test_a_card_has_one_row_of_actions_and_a_legend_keys_the_chip_colours(page, app_url):  # noqa: F811
    ask(page, app_url, "how did you earn the trust of your beekeepers?", ready="#ls-chat .ls-hit")
    answer = page.locator("#ls-chat .ls-answer").last
    # point 1: the stories that speak first, the loosely related folded under a label; the header counts labs
    assert re.match(r"1 lab speaks to this|\d+ labs speak to this", answer.locator(".ls-lead").inner_text())
    loose = answer.locator("details.ls-loose")
    assert loose.count() == 1 and "loosely related" in loose.locator(":scope > summary").inner_text()
    assert not loose.locator(".ls-hit").first.is_visible()
    cards = [card for card in answer.locator(".ls-hit").all() if card.is_visible()]  # the folded aside
    assert cards
    for card in cards:
        rows = [row for row in card.locator(".ls-actions").all() if row.is_visible()]
        assert len(rows) == 1  # the open, play, copy and cite actions side by side
        assert rows[0].locator("a.ls-open").count() == 1 and rows[0].locator("a.ls-copy").count() == 1
        top = {round(a.bounding_box()["y"]) for a in rows[0].locator(":scope > a, :scope > details").all()}
        assert max(top) - min(top) < 12  # one line at desktop width
    legend = answer.locator(".ls-legend")
    assert legend.is_visible()
    background = "el => getComputedStyle(el).backgroundColor"
    for key in legend.locator(".ls-key").all():
        kind = next(c for c in key.get_attribute("class").split() if c.startswith("ls-") and c != "ls-key")
        chip = answer.locator(f"a.ls-chip.{kind}").first
        assert chip.count() == 1 and key.evaluate(background) == chip.evaluate(background)
    marked = {text.strip().lower() for text in answer.locator("mark").all_inner_texts()}
    assert "trust" in marked and not marked & FUNCTION_WORDS
    shot(page, "cards-desktop")


def test_a_spanish_question_says_what_it_was_searched_as_and_marks_it(page, app_url):  # noqa: F811
    ask(page, app_url, "¿cómo ganaron la confianza de los apicultores?", ready="#ls-chat .ls-hit")
    answer = page.locator("#ls-chat .ls-answer").last
    searched = answer.locator(".ls-searched")
    assert searched.inner_text().startswith("Asked in Spanish, searched in English as “")
    assert "trust" in searched.inner_text()
    marked = {text.strip().lower() for text in answer.locator("mark").all_inner_texts()}
    assert "trust" in marked
    shot(page, "cards-spanish")

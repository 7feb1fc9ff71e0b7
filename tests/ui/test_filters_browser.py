"""Filters behave like search filters, in the app (ui/app.py) in real headless Chromium: a change or a
clear asks the current question again, every filter in force is a pill whose ✕ removes it, a new question
keeps them all whatever set them (and says so), and a country the archive lacks is said, not searched.
Screenshots go to tests/artifacts/."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from app_support import app_index, app_url, audio_server  # noqa: F401  (fixtures)
from browser_support import pick, shot

pytestmark = pytest.mark.browser

BEES = "how did they earn the trust of the beekeeping cooperatives?"
WELLS = "how did villages repair their water wells?"


def _send(page, message: str, answers: int) -> None:
    """Type ``message`` and wait for the chat to hold ``answers`` answers."""
    box = page.locator("#ls-msg textarea")
    box.fill(message)
    box.press("Enter")
    _wait_answers(page, answers)


def _wait_answers(page, answers: int) -> None:
    page.wait_for_function(f"document.querySelectorAll('#ls-chat .ls-answer').length >= {answers}", timeout=30_000)


def _last(page):
    return page.locator("#ls-chat .ls-answer").last


def test_changing_or_clearing_a_filter_asks_the_current_question_again(page, app_url):  # noqa: F811
    page.goto(app_url + "/")
    _send(page, BEES, 1)
    assert page.locator("#ls-apply").count() == 0  # nothing to apply: a change is applied at once
    pick(page, "country", "Lemuria")
    _wait_answers(page, 2)
    last = _last(page)
    assert "Same question, filters now" in last.inner_text()
    assert "country Lemuria" in last.locator(".ls-lead").inner_text()
    assert last.locator("a.ls-pill").all_inner_texts() == ["country Lemuria ✕"]
    page.wait_for_function("location.search.includes('country=Lemuria')")
    shot(page, "filters-changed")
    page.locator("#ls-clear").click()
    _wait_answers(page, 3)
    last = _last(page)
    assert "(no filters)" in last.locator(".ls-lead").inner_text() and last.locator("a.ls-pill").count() == 0
    page.wait_for_function("!location.search.includes('country=')")
    assert "Lemuria" not in page.locator("#ls-f-country").inner_text()


def test_a_pills_cross_removes_only_its_filter_and_asks_again(page, app_url):  # noqa: F811
    page.goto(app_url + "/?q=how+did+they+earn+the+trust+of+beekeepers&principle=Trust&country=Atlantis")
    page.wait_for_selector("#ls-chat .ls-hit", timeout=30_000)
    pills = _last(page).locator(".ls-active a.ls-pill")
    assert pills.all_inner_texts() == ["principle Trust ✕", "country Atlantis ✕"]
    assert "a new question keeps the filters shown; remove one with ✕" in _last(page).inner_text()
    shot(page, "filters-pills")
    pills.filter(has_text="Trust").click()
    _wait_answers(page, 2)
    last = _last(page)
    assert "Removed filter: principle Trust." in last.inner_text()
    lead = last.locator(".ls-lead").inner_text()
    assert "country Atlantis" in lead and "Trust" not in lead
    assert last.locator("a.ls-pill").all_inner_texts() == ["country Atlantis ✕"]
    page.wait_for_function("!location.search.includes('principle=') && location.search.includes('country=Atlantis')")
    assert "Trust" not in page.locator("#ls-f-principles").inner_text()  # the panel follows
    assert "Atlantis" in page.locator("#ls-f-country").inner_text()


def _by_panel(page) -> tuple[str, str]:
    pick(page, "country", "Lemuria")
    return "country", "Lemuria"


def _by_chip(page) -> tuple[str, str]:
    chip = _last(page).locator(".ls-about a.ls-narrow.ls-principles").first
    [(_, value)] = [pair for pair in parse_qsl(chip.get_attribute("href").lstrip("?")) if pair[0] == "principle"]
    chip.click()
    return "principle", value


def _by_follow_up(page) -> tuple[str, str]:
    box = page.locator("#ls-msg textarea")
    box.fill("only in Lemuria")
    box.press("Enter")
    return "country", "Lemuria"


@pytest.mark.parametrize("origin", [_by_panel, _by_chip, _by_follow_up], ids=["panel", "chip", "follow-up"])
def test_a_new_question_keeps_every_filter_whatever_set_it(page, app_url, origin):  # noqa: F811
    page.goto(app_url + "/")
    _send(page, BEES, 1)
    kind, value = origin(page)
    _wait_answers(page, 2)
    assert _last(page).locator("a.ls-pill").all_inner_texts() == [f"{kind} {value} ✕"]
    _send(page, WELLS, 3)
    last = _last(page)
    assert "Refining the previous question" not in last.inner_text()  # a new question, asked as typed
    assert "Filters kept from your last question:" in last.inner_text()
    assert last.locator("a.ls-pill").all_inner_texts() == [f"{kind} {value} ✕"]
    assert f"{kind} {value}" in last.locator(".ls-lead").inner_text()
    page.wait_for_function("location.search.includes('water+wells')")
    assert (kind, value) in parse_qsl(page.evaluate("location.search").lstrip("?"))


def test_only_in_kenya_says_so_and_its_nearest_country_asks_again(page, app_url):  # noqa: F811
    page.goto(app_url + "/?q=how+did+they+earn+the+trust+of+beekeepers&principle=Trust")
    page.wait_for_selector("#ls-chat .ls-hit", timeout=30_000)
    _send(page, "only in Kenya", 2)
    last = _last(page)
    assert "No story from Kenya in the archive." in last.inner_text() and last.locator(".ls-hit").count() == 0
    assert last.locator("a.ls-pill").all_inner_texts() == ["principle Trust ✕"]  # the filters are kept
    assert "Trust" in page.locator("#ls-f-principles").inner_text()
    shot(page, "filters-absent")
    last.locator(".ls-nearest a.ls-narrow", has_text="Freedonia").click()
    _wait_answers(page, 3)
    page.wait_for_function(
        "location.search.includes('country=Freedonia') && location.search.includes('principle=Trust')"
    )
    assert "country Freedonia" in _last(page).locator(".ls-lead").inner_text()

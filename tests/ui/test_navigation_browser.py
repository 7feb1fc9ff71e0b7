"""Finding your place again (issue 17), in the app (ui/app.py) in real headless Chromium: every view is an entry
of the browser's history, Back and Forward move between them with their addresses and scroll positions,
"Back to answers" returns to the answer a story was opened from; the answers flow in the page, and on a
phone the filters fold behind a button, the player leaves the question box clear and tap targets are 44 px.

Nothing here waits a fixed time: every wait is for a condition of the page.
"""

from __future__ import annotations

import pytest
from app_support import app_index, app_url, audio_server  # noqa: F401  (fixtures)
from browser_support import pick

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
QUESTION = "/?q=zebra+crossings+beekeeping+wells"
#: Elements of the chat that scroll on their own: overflow auto/scroll and more content than room.
SCROLLERS = """() => [...document.querySelectorAll('#ls-chat, #ls-chat *')].filter((el) => {
    const s = getComputedStyle(el);
    return /(auto|scroll)/.test(s.overflowY + ' ' + s.overflowX)
        && (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1);
}).map((el) => el.tagName + '.' + el.className)"""
BOX = "(sel) => { const r = document.querySelector(sel).getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }"


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def _answer(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#ls-chat .ls-hit", timeout=30_000)
    # the answer's history entry is in (its address synced just after it renders), as before any click
    page.wait_for_function("history.state && typeof history.state.view === 'string'", timeout=15_000)


def _address(page, url: str) -> None:
    """Wait until the page's own address is ``url``. Playwright's ``page.url`` follows a same-document
    Back or Forward only once Chromium reports it, which can be after ``go_back()`` returns."""
    page.wait_for_function("(url) => location.href === url", arg=url, timeout=15_000)


def _at(page, y: int) -> None:
    """Wait until the page is scrolled to ``y`` (within a few pixels)."""
    page.wait_for_function(f"Math.abs(window.scrollY - {y}) < 4", timeout=15_000)


def _open_a_story_below(page) -> tuple[str, int]:
    """Scroll to the last "Open story" link of the answer and click it: (its link, the scroll position)."""
    link = page.locator("#ls-chat a.ls-open:visible").last
    link.scroll_into_view_if_needed()
    y = page.evaluate("Math.round(window.scrollY)")
    href = link.get_attribute("href")
    link.click()
    page.wait_for_selector("#ls-story .ls-current", timeout=30_000)
    page.wait_for_function("(link) => location.search === link", arg=href)
    return href, y


def _shows_answers(page) -> None:
    page.wait_for_selector("#ls-chat-view #ls-chat .ls-answer", timeout=30_000)
    assert page.locator("#ls-story-view").count() == 0


def test_back_and_forward_move_between_an_answer_and_a_story_with_their_positions(page, app_url):  # noqa: F811
    page.set_viewport_size({"width": 1280, "height": 480})  # shorter than the answer, so it scrolls
    _answer(page, app_url + QUESTION)
    answer_url = page.url
    story, y = _open_a_story_below(page)
    assert y > 0  # the answer was scrolled: the test means something
    page.go_back()
    _address(page, answer_url)  # still in the app, at the answer's address
    _shows_answers(page)
    _at(page, y)
    page.go_forward()
    _address(page, app_url + "/" + story)
    page.wait_for_selector("#ls-story .ls-current", timeout=30_000)
    page.go_back()
    _address(page, answer_url)  # still in the app, at the answer's address
    _shows_answers(page)
    _at(page, y)


def test_a_filter_chosen_while_reading_a_story_brings_its_answer_into_view(page, app_url):  # noqa: F811
    _answer(page, app_url + QUESTION)
    answer_url = page.url
    story, _ = _open_a_story_below(page)
    pick(page, "country", "Lemuria")  # the panel stays beside the story
    _shows_answers(page)
    page.wait_for_function("location.search.includes('country=Lemuria') && location.search.includes('q=')")
    assert page.locator("#ls-story-view").count() == 0
    assert "country Lemuria" in page.locator("#ls-chat .ls-lead").last.inner_text()
    page.go_back()  # the story it was chosen from
    _address(page, app_url + "/" + story)
    page.wait_for_selector("#ls-story .ls-current", timeout=30_000)
    page.go_back()
    _address(page, answer_url)


def test_a_view_synced_twice_is_one_history_entry(page, app_url):  # noqa: F811
    """A reply can reach the address bar twice (lsSync): the view already there makes no new entry,
    while a new message at the same address ("More stories", the question asked again) does."""
    _answer(page, app_url + QUESTION)
    entries, n = page.evaluate("[history.length, history.state.n]")
    assert isinstance(n, int) and n > 0
    page.evaluate("(n) => window.lsSync(history.state.view, n)", n)
    assert page.evaluate("history.length") == entries
    story, _ = _open_a_story_below(page)
    assert page.evaluate("history.length") == entries + 1
    page.evaluate("(link) => window.lsSync(link)", story)
    assert page.evaluate("history.length") == entries + 1
    page.go_back()
    _address(page, app_url + QUESTION)
    _shows_answers(page)
    page.evaluate("(n) => window.lsSync(history.state.view, n + 2)", n)  # one more question and answer
    assert page.evaluate("[history.length, history.state.n]") == [entries + 1, n + 2]  # in the story's place


def test_back_and_forward_over_a_page_of_more_stories_and_a_follow_up(page, app_url):  # noqa: F811
    _answer(page, app_url + QUESTION)
    first_url, entries = page.url, page.evaluate("history.length")
    more = page.locator("#ls-more")
    more.scroll_into_view_if_needed()
    y = page.evaluate("Math.round(window.scrollY)")
    more.click()  # a page of the answer: an entry of its own, at the same address
    page.wait_for_function("document.querySelectorAll('#ls-chat .ls-answer').length === 2", timeout=30_000)
    page.wait_for_function(f"history.length === {entries + 1}")
    _address(page, first_url)
    page.go_back()  # the first page, still on the page: scrolled back to, not asked again
    _address(page, first_url)
    _at(page, y)
    assert page.locator("#ls-chat .ls-answer").count() == 2
    page.go_forward()  # the page of more stories again
    _address(page, first_url)
    box = page.locator("#ls-msg textarea")
    box.fill("only in Lemuria")
    box.press("Enter")
    page.wait_for_function("location.search.includes('country=Lemuria')", timeout=30_000)
    page.go_back()  # the conversation has moved on: that answer is asked again from its address
    _address(page, first_url)
    page.wait_for_function("document.querySelectorAll('#ls-chat .ls-answer').length === 1", timeout=30_000)
    assert "(no filters)" in page.locator("#ls-chat .ls-lead").last.inner_text()
    page.wait_for_function("!document.querySelector('#ls-f-country').innerText.includes('Lemuria')")  # the panel too
    page.go_forward()
    page.wait_for_function("location.search.includes('country=Lemuria')", timeout=15_000)
    page.wait_for_function(
        "document.querySelectorAll('#ls-chat .ls-answer').length === 1"
        " && document.querySelector('#ls-chat .ls-lead').innerText.includes('Lemuria')",
        timeout=30_000,
    )
    page.wait_for_function("document.querySelector('#ls-f-country').innerText.includes('Lemuria')")


def test_back_to_answers_returns_to_the_answer_and_its_position(page, app_url):  # noqa: F811
    _answer(page, app_url + QUESTION)
    answer_url = page.url
    story, y = _open_a_story_below(page)
    page.locator("#ls-back").click()
    _address(page, answer_url)
    _shows_answers(page)
    _at(page, y)
    page.go_back()  # "Back to answers" was a step forward: Back shows the story again
    _address(page, app_url + "/" + story)
    page.wait_for_selector("#ls-story .ls-current", timeout=30_000)


def test_back_to_answers_on_a_fresh_story_link_goes_to_the_first_screen(page, app_url):  # noqa: F811
    page.goto(app_url + "/?story=SolutionMappers_AUD&t=140")
    page.wait_for_selector("#ls-story .ls-current", timeout=30_000)
    page.locator("#ls-back").click()
    page.wait_for_selector("#ls-chat-view", timeout=30_000)
    page.wait_for_function("location.search === ''")
    assert page.url == app_url + "/"
    assert page.locator("#ls-story-view").count() == 0 and page.locator("#ls-chat .ls-answer").count() == 0
    page.go_back()
    _address(page, app_url + "/?story=SolutionMappers_AUD&t=140")
    page.wait_for_selector("#ls-story .ls-current", timeout=30_000)


def test_the_answer_flows_in_the_page_without_a_scroll_box_of_its_own(page, app_url):  # noqa: F811
    _answer(page, app_url + QUESTION)
    assert page.evaluate(SCROLLERS) == []
    assert page.evaluate("document.documentElement.scrollHeight > window.innerHeight")  # the page scrolls instead
    chat = page.evaluate(
        "(() => { const c = document.querySelector('#ls-chat'); return [c.scrollHeight, c.clientHeight]; })()"
    )
    assert chat[0] <= chat[1] + 1  # the chat is as tall as its answers


def test_on_a_phone_the_filters_open_from_a_button(phone, app_url):  # noqa: F811
    _answer(phone, app_url + QUESTION)
    toggle = phone.locator("#ls-filters-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert not phone.locator("#ls-f-country").is_visible()
    toggle.click()
    phone.locator("#ls-f-country").wait_for(state="visible")
    assert toggle.get_attribute("aria-expanded") == "true"
    toggle.click()
    phone.locator("#ls-f-country").wait_for(state="hidden")


def test_on_a_phone_the_player_never_covers_the_question_box(phone, app_url):  # noqa: F811
    _answer(phone, app_url + "/?q=earn+the+trust+of+the+beekeeping+cooperatives&country=Atlantis")
    phone.locator("#ls-chat a.ls-play").first.click()
    phone.wait_for_function("!document.getElementById('ls-player').hidden")
    bottom = phone.evaluate("document.documentElement.scrollHeight")
    for y in (0, bottom // 3, bottom // 2, bottom):
        phone.evaluate(f"window.scrollTo(0, {y})")
        phone.wait_for_function(
            f"Math.abs(window.scrollY - Math.min({y}, document.documentElement.scrollHeight - window.innerHeight)) < 2"
        )
        player, box = phone.evaluate(BOX, "#ls-player"), phone.evaluate(BOX, "#ls-msg")
        apart = player[1] >= box[3] or box[1] >= player[3] or player[0] >= box[2] or box[0] >= player[2]
        assert apart, (y, player, box)
    phone.locator("#ls-msg textarea").focus()
    player, box = phone.evaluate(BOX, "#ls-player"), phone.evaluate(BOX, "#ls-msg")
    assert box[3] <= player[1] and box[3] > 0  # typing: the box is in view, above the player


def test_on_a_phone_links_buttons_and_player_controls_are_44px_tall(phone, app_url):  # noqa: F811
    _answer(phone, app_url + QUESTION)
    small = phone.evaluate("""() => [...document.querySelectorAll(
            '#ls-chat .ls-answer a, #ls-chat .ls-answer button, #ls-chat .ls-answer summary')]
        .filter((el) => el.getClientRects().length && el.getBoundingClientRect().height > 0)
        .map((el) => [el.className || el.tagName, el.textContent.trim().slice(0, 30), el.getBoundingClientRect().height])
        .filter(([, , height]) => height < 44)""")
    assert phone.locator("#ls-chat .ls-answer a:visible").count() >= 5
    assert small == []
    phone.locator("#ls-chat a.ls-play").first.click()
    phone.wait_for_function("!document.getElementById('ls-player').hidden")
    for control in ("#ls-audio", "#ls-player-close", "#ls-speed"):
        if phone.locator(control).count():
            assert phone.locator(control).bounding_box()["height"] >= 44, control

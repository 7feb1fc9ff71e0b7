"""Filters through the app's API (``gradio_client`` against the running app over the fixture stories): one
rule keeps them for the next question, whatever set them, and the answer says so; a country the archive
has no story from is said, with the nearest ones, and changes nothing."""

from __future__ import annotations

import re
from html import unescape

from app_support import app_index, app_url, audio_server, chat, client, last_text  # noqa: F401

WELLS = "how did villages repair water wells?"
BEES = "How did they earn the trust of beekeepers?"


def _pills(answer: str) -> dict[str, str]:
    """Each filter pill's text → its link (the answer's link without that value)."""
    found = re.findall(r'<a class="ls-narrow ls-pill[^"]*" href="([^"]*)"[^>]*>(.*?)</a>', answer)
    return {re.sub(r"<[^>]+>", "", text).strip(): unescape(href) for href, text in found}


def test_a_follow_ups_filter_is_kept_for_a_new_question_and_the_answer_says_so(client):  # noqa: F811
    _, history, filters, _, _ = chat(client, WELLS)
    _, history, filters, _, _ = chat(client, "only in Lemuria", history, filters=filters)
    assert filters["country"] == ["Lemuria"]
    _, history, filters, conversation, link = chat(client, BEES, history, filters=filters)
    answer = last_text(history)
    assert "Refining the previous question" not in answer and conversation["query"] == BEES  # asked as typed
    assert (
        filters["country"] == ["Lemuria"] and link == "?q=How+did+they+earn+the+trust+of+beekeepers%3F&country=Lemuria"
    )
    assert "Filters kept from your last question:" in answer and "a new question keeps the filters shown" in answer
    assert _pills(answer) == {"country Lemuria ✕": "?q=How+did+they+earn+the+trust+of+beekeepers%3F"}


def test_a_panel_filter_follows_the_same_rule(client):  # noqa: F811
    _, history, filters, _, _ = chat(client, WELLS, country=["Lemuria"])
    assert "Filters:" in last_text(history) and "kept from your last question" not in last_text(history)
    _, history, filters, _, link = chat(client, BEES, history, filters=filters)
    assert filters["country"] == ["Lemuria"] and "Filters kept from your last question:" in last_text(history)


def test_every_filter_shows_as_a_pill_whose_link_drops_only_it(client):  # noqa: F811
    _, history, *_ = chat(client, BEES, principles=["Trust"], country=["Atlantis"])
    pills = _pills(last_text(history))
    assert pills == {
        "principle Trust ✕": "?q=How+did+they+earn+the+trust+of+beekeepers%3F&country=Atlantis",
        "country Atlantis ✕": "?q=How+did+they+earn+the+trust+of+beekeepers%3F&principle=Trust",
    }


def test_only_in_kenya_says_so_names_the_nearest_and_keeps_the_filters(client):  # noqa: F811
    _, history, filters, conversation, link = chat(client, WELLS, principles=["Trust"])
    _, after, kept, same, same_link = chat(client, "only in Kenya", history, filters=filters)
    note = last_text(after)
    assert "No story from Kenya in the archive" in note
    assert "Countries in Africa it has" in note and "Freedonia" in note  # the fixture's one African country
    assert "ls-hit" not in note and "Nothing was searched" in note  # no empty search
    assert kept == filters and kept["principles"] == ["Trust"] and kept["country"] == []
    assert same == conversation and same_link == link
    # the nearest value asks the same question again with it, the filters kept
    assert 'href="?q=how+did+villages+repair+water+wells%3F&amp;principle=Trust&amp;country=Freedonia"' in note
    assert "principle <b>Trust</b> ✕" in note  # and the filters in force are still shown, removable


def test_only_in_kenya_before_any_question_searches_nothing(client):  # noqa: F811
    _, history, filters, conversation, link = chat(client, "only in Kenya", country=["Lemuria"])
    note = last_text(history)
    assert "No story from Kenya in the archive" in note and "ls-hit" not in note
    assert filters["country"] == ["Lemuria"] and conversation["query"] == "" and link == ""
    assert "ls-narrow" not in note  # no question to ask again: the values are named, not links

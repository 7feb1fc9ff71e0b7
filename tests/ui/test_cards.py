"""Each answer card is quiet (issue 17, point 7): one row of actions, a legend for the chip colours,
no function word marked; a translated question says what it was searched as (point 8)."""

from __future__ import annotations

import re

import pytest

from labstories.rag.answer import answer
from labstories.rag.snippets import query_stems
from labstories.ui.markdown import searched_as
from labstories.ui.render import answer_html, chip_kinds

ARTICLE = re.compile(r"<article class=\"ls-hit\">(.*?)</article>", re.S)
MARKED = re.compile(r"<mark>(.*?)</mark>")


def test_function_words_are_never_marked_or_weighed():
    assert query_stems("how can you build trust with your community about it?") == {"build", "trust", "communiti"}
    assert query_stems("what did they do for the youth?") == {"youth"}  # "you" is not "youth"


@pytest.mark.corpus
def test_a_card_has_one_row_of_actions_and_the_answer_a_legend(corpus_index):
    found = answer(corpus_index, "how did you build trust with your community?")
    html = answer_html(found)
    cards = ARTICLE.findall(html)
    assert cards and len(cards) == len(found.groups)
    for card in cards:
        rows = re.findall(r'<div class="ls-actions">(.*?)</div>', card.split('<details class="ls-more-moments">')[0])
        assert len(rows) == 1 and "ls-open" in rows[0] and "ls-copy" in rows[0]
    kinds = chip_kinds(found.groups)
    assert kinds and html.count('<span class="ls-key ') == len(kinds)
    assert html.index('class="ls-legend"') < html.index('<article class="ls-hit">')
    marked = {word.lower() for word in MARKED.findall(html)}
    assert marked and not marked & {"you", "your", "with", "how", "did"}


@pytest.mark.corpus
def test_no_legend_without_chips_and_the_searched_line_for_a_spanish_question(corpus_index):
    found = answer(corpus_index, "¿cómo construyeron confianza con las comunidades?")
    line = searched_as(found)
    assert line == "Asked in Spanish, searched in English as “build trust communities”"
    html = answer_html(found)
    assert f'<p class="ls-searched">{line}.</p>' in html
    assert "trust" in {word.lower() for word in MARKED.findall(html)}  # the translated word is marked
    for group in found.groups:
        for hit in group.hits:
            hit.tags = {}
    assert 'class="ls-legend"' not in answer_html(found)
    assert searched_as(answer(corpus_index, "how did labs build trust?")) == ""


@pytest.mark.corpus
def test_an_answer_with_every_story_folded_has_its_legend_inside_the_fold(corpus_index):
    found = answer(corpus_index, "what is the GDP of France?")
    assert found.loose and not found.speaking  # off topic: nothing speaks to it
    html = answer_html(found)
    fold = html.index('<details class="ls-loose">')
    assert html.count('class="ls-legend"') == 1 and html.index('class="ls-legend"') > fold
    assert html.index('class="ls-legend"') < html.index('<article class="ls-hit">')  # first in the fold

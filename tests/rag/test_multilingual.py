"""French and Spanish questions over real archive pages (tests/data/archive/): the English words meet
the English documents, the question's own words meet the Spanish and French ones, the answer says
what it was searched as and marks the words that matched (issue 16; issue 17, point 8)."""

from __future__ import annotations

import pytest
from conftest import DATA

from labstories.index import Settings, update
from labstories.index.text import tokenize
from labstories.rag import StoryIndex
from labstories.rag.answer import answer
from labstories.rag.snippets import highlight_spans
from labstories.rag.translate import to_english

ECUADOR_BLOG = "blog_otros_mapas_de_nuestros_barrios_una_experiencia_de_cartograf_a_social_con_j_venes"


@pytest.fixture(scope="module")
def archive_index(tmp_path_factory, embedder) -> StoryIndex:
    settings = Settings(data_dir=tmp_path_factory.mktemp("archive-index"))
    update(DATA / "archive", settings, embedder=embedder)
    return StoryIndex.open(settings, embedder=embedder)


def test_a_translation_keeps_the_question_s_own_content_words():
    found = to_english("¿Cómo construyeron confianza con las comunidades?")
    assert found.translated and found.text == "build trust communities"
    assert found.words == ("construyeron", "confianza", "comunidades")  # no "cómo", "con", "las"
    # a word whose meaning is a function word ("comment" → "how") is no topic, and English besides
    assert "comment" not in to_english("comment les laboratoires ont-ils numérisé l'état civil ?").words
    assert not to_english("how did labs build trust?").translated


def test_a_spanish_question_finds_a_spanish_page_by_its_own_words(archive_index):
    question = "¿cómo hicieron cartografía social con jóvenes en los barrios?"
    tokens = archive_index._keyword_tokens(archive_index.understand(question))
    assert set(tokenize("cartografía jóvenes barrios")) <= set(tokens) and len(tokens) == len(set(tokens))
    hits = archive_index.search(question, k=5)
    assert hits[0].doc == ECUADOR_BLOG


def test_the_answer_says_what_it_searched_and_marks_the_matched_words(archive_index):
    found = answer(archive_index, "¿cómo hicieron cartografía social con jóvenes en los barrios?")
    assert found.asked_in == "es" and "youth" in found.searched_as.split()
    best = found.groups[0].best
    # the model cannot compare Spanish with English: the page's own words make it speak to the question
    assert best.doc == ECUADOR_BLOG and found.groups[0].strong
    marked = {best.text[a:b].lower() for a, b in highlight_spans(best.text, found.stems)}
    assert {"cartografía", "jóvenes"} & marked, marked  # the Spanish page's own words are marked
    english = answer(archive_index, "how did labs map neighbourhoods with young people?")
    assert english.searched_as == "" and english.asked_in == "en"

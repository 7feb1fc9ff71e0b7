"""The chat follow-up grammar (ui/followups.py): which messages refine the previous question and which are new
questions, in English, French and Spanish, and the one rule that keeps filters (all of them, whatever set them)."""

from __future__ import annotations

import pytest

from labstories.rag.records import Filters
from labstories.ui.followups import Vocabulary, refine

FACETS = {
    "principles": {"Trust": 55, "Recognize local expertise": 300, "Diversity": 30},
    "tactics": {"Getting in there": 80},
    "tools": {"Design": 40, "Human centered design": 20},
    "skills": {},
    "country": {"Peru": 1, "South Sudan": 2, "Sudan": 1, "Mexico": 3},
    "continent": {"Africa": 35, "Asia": 19, "South America": 9, "North America": 10},
    "role": {"Experimenter": 30, "Explorer": 20, "Solutions Mapper": 30},
}
PLACES = {"Peru": "South America", "South Sudan": "Africa", "Sudan": "Africa", "Mexico": "North America"}
Q = "How did labs build belonging with migrants?"
IN_PERU = "How did labs work with migrants in Peru?"  # sets country Peru from its text


@pytest.fixture(scope="module")
def vocab():
    return Vocabulary(FACETS, PLACES)


def ask(vocab, *messages, panel: Filters | None = None):
    """Send messages in one conversation, as the app does; the last step is returned."""
    query, filters, step = "", panel or Filters(), None
    for message in messages:
        step = refine(message, query, filters, vocab)
        query, filters = step.query, step.filters
    return step


FOLLOW_UP, NEW = True, False
PAIRS = [
    # English
    (Q, "only in Africa", FOLLOW_UP, Filters(continent=["Africa"])),
    (Q, "more from Peru", FOLLOW_UP, Filters(country=["Peru"])),
    (Q, "what about trust?", FOLLOW_UP, Filters(principles=["Trust"])),
    (IN_PERU, "without Peru", FOLLOW_UP, Filters()),
    (Q, "and in Asia?", FOLLOW_UP, Filters(continent=["Asia"])),
    (Q, "just experimenters", FOLLOW_UP, Filters(role=["Experimenter"])),
    (Q, "Peru?", FOLLOW_UP, Filters(country=["Peru"])),
    (Q, "experimenters in Africa", FOLLOW_UP, Filters(role=["Experimenter"], continent=["Africa"])),
    (Q, "how about human-centered design?", FOLLOW_UP, Filters(tools=["Human centered design"])),
    (IN_PERU, "also Mexico", FOLLOW_UP, Filters(country=["Peru", "Mexico"])),
    (Q, "only in Africa please", FOLLOW_UP, Filters(continent=["Africa"])),
    (Q, "How did labs earn the trust of communities?", NEW, Filters()),
    ("savings groups", "how did experimenters design pilots?", NEW, Filters(role=["Experimenter"])),
    (Q, "trust", NEW, Filters()),
    (Q, "What did solution mappers learn from local innovators?", NEW, Filters(role=["Solutions Mapper"])),
    (Q, "and how did they fund it?", NEW, Filters()),
    (Q, "design thinking workshops for young people", NEW, Filters()),
    (Q, "migrants in Peru", NEW, Filters(country=["Peru"])),
    (Q, "what about savings groups?", NEW, Filters()),
    (Q, "Why did the lab trust local innovators in South Sudan?", NEW, Filters(country=["South Sudan"])),
    (IN_PERU, "how did labs design pilots with farmers?", NEW, Filters(country=["Peru"])),  # kept: one rule
    # French
    (Q, "seulement en Afrique", FOLLOW_UP, Filters(continent=["Africa"])),
    (Q, "et en Asie ?", FOLLOW_UP, Filters(continent=["Asia"])),
    (Q, "qu'en est-il de la confiance ?", FOLLOW_UP, Filters(principles=["Trust"])),
    (IN_PERU, "sans le Pérou", FOLLOW_UP, Filters()),
    (Q, "uniquement les expérimentateurs", FOLLOW_UP, Filters(role=["Experimenter"])),
    (Q, "plus de Pérou", FOLLOW_UP, Filters(country=["Peru"])),
    (Q, "Comment les laboratoires ont-ils gagné la confiance des communautés ?", NEW, Filters()),
    (Q, "Quels outils de conception les expérimentateurs ont-ils utilisés ?", NEW, Filters(role=["Experimenter"])),
    (
        Q,
        "Pourquoi les laboratoires du Soudan du Sud travaillent avec les migrants ?",
        NEW,
        Filters(country=["South Sudan"]),
    ),
    # Spanish
    (Q, "solo en Perú", FOLLOW_UP, Filters(country=["Peru"])),
    (Q, "y en Asia?", FOLLOW_UP, Filters(continent=["Asia"])),
    (Q, "¿y qué tal la confianza?", FOLLOW_UP, Filters(principles=["Trust"])),
    (IN_PERU, "sin Perú", FOLLOW_UP, Filters()),
    (Q, "más de México", FOLLOW_UP, Filters(country=["Mexico"])),
    (Q, "solo los exploradores en África", FOLLOW_UP, Filters(role=["Explorer"], continent=["Africa"])),
    (Q, "¿Cómo ganaron los laboratorios la confianza de las comunidades?", NEW, Filters()),
    (
        Q,
        "¿Qué aprendieron los exploradores en Sudán del Sur?",
        NEW,
        Filters(role=["Explorer"], country=["South Sudan"]),
    ),
    (Q, "¿Cómo diseñaron los experimentadores sus pilotos?", NEW, Filters(role=["Experimenter"])),
]


@pytest.mark.parametrize("previous, message, follow_up, expected", PAIRS, ids=[p[1] for p in PAIRS])
def test_follow_up_or_new_question(vocab, previous, message, follow_up, expected):
    step = ask(vocab, previous, message)
    assert step.follow_up is follow_up
    assert step.query == (previous if follow_up else message)
    assert step.filters == expected


def test_the_pairs_cover_both_kinds_in_three_languages():
    assert len(PAIRS) >= 30
    assert sum(p[2] for p in PAIRS) >= 12 and sum(not p[2] for p in PAIRS) >= 12


def test_a_follow_up_filter_is_kept_for_a_new_question(vocab):
    step = ask(vocab, Q, "what about trust?", "How did labs earn the trust of communities?")
    assert not step.follow_up and step.query.startswith("How did labs earn")
    assert step.filters == Filters(principles=["Trust"]) == step.carried


def test_follow_ups_build_on_each_other_and_a_new_question_keeps_them(vocab):
    step = ask(vocab, Q, "only in Africa", "what about trust?")
    assert step.follow_up and step.query == Q
    assert step.filters == Filters(principles=["Trust"], continent=["Africa"])
    step = ask(vocab, Q, "only in Africa", "what about trust?", "savings groups")
    assert not step.follow_up and step.filters == Filters(principles=["Trust"], continent=["Africa"])


def test_panel_and_message_filters_follow_the_same_rule(vocab):
    step = ask(vocab, Q, "only in Africa", "savings groups in Mexico", panel=Filters(principles=["Trust"]))
    assert not step.follow_up
    assert step.filters == Filters(
        principles=["Trust"], country=["Mexico"]
    )  # Mexico is not in Africa: it drops the continent
    assert step.carried == Filters(principles=["Trust"])


def test_a_place_named_in_a_question_carries_to_the_next_question(vocab):
    step = ask(vocab, IN_PERU, "how did labs design pilots?")
    assert step.filters == Filters(country=["Peru"]) and step.query == "how did labs design pilots?"


def test_a_follow_up_repeating_a_panel_filter_leaves_it_the_users(vocab):
    step = ask(vocab, Q, "what about trust?", "savings groups", panel=Filters(principles=["Trust"]))
    assert step.filters == Filters(principles=["Trust"])


def test_more_in_three_languages(vocab):
    for message in ("more", "show more", "plus", "encore", "más", "mas por favor"):
        step = ask(vocab, Q, message)
        assert step.more and step.query == Q, message


def test_clear_in_three_languages(vocab):
    for message in ("clear filters", "effacer les filtres", "sin filtros", "all countries", "tous les pays"):
        step = ask(vocab, IN_PERU, message)
        assert step.follow_up and step.filters == Filters(), message

"""Follow-up understanding (ui/followups.py) one rule at a time: which value a message names, what it
replaces, removes or keeps, and where element names and places set filters."""

from __future__ import annotations

import pytest
from facets_support import FACETS, PLACES

from labstories.rag.records import Filters
from labstories.ui.followups import Vocabulary, mentions, refine

Q = "how did labs build belonging with migrants?"


@pytest.fixture
def vocab():
    return Vocabulary(FACETS, PLACES)


def test_a_new_question_is_searched_as_typed(vocab):
    step = refine(Q, "", Filters(), vocab)
    assert (step.query, step.follow_up, step.filters) == (Q, False, Filters())


@pytest.mark.parametrize(
    "message, expected",
    [
        ("only in Africa", Filters(continent=["Africa"])),
        ("more from Peru", Filters(country=["Peru"])),
        ("what about trust?", Filters(principles=["Trust"])),
        ("just experimenters", Filters(role=["Experimenter"])),
        ("and the solution mappers?", Filters(role=["Solutions Mapper"])),
        ("only Latin America", Filters(continent=["North America", "South America"])),
    ],
)
def test_follow_ups_keep_the_question_and_set_a_filter(vocab, message, expected):
    step = refine(message, Q, Filters(), vocab)
    assert step.follow_up and step.query == Q
    assert step.filters == expected


def test_a_value_replaces_its_kind_unless_the_message_adds(vocab):
    assert refine("only in Peru", Q, Filters(country=["Mexico"]), vocab).filters.country == ["Peru"]
    assert refine("also Peru", Q, Filters(country=["Mexico"]), vocab).filters.country == ["Mexico", "Peru"]


def test_continent_drops_countries_outside_it_and_country_drops_other_continent(vocab):
    assert refine("only in Africa", Q, Filters(country=["Peru"]), vocab).filters == Filters(continent=["Africa"])
    assert refine("more from Peru", Q, Filters(continent=["Africa"]), vocab).filters == Filters(country=["Peru"])


def test_longest_name_wins(vocab):
    named, _ = mentions("stories from South Sudan and South Africa about inclusivity and diversity", vocab)
    assert ("country", "South Sudan") in named and ("country", "Sudan") not in named
    assert ("continent", "Africa") not in named
    assert ("principles", "Inclusivity and diversity") in named and ("principles", "Diversity") not in named


def test_remove_clear_and_more(vocab):
    step = refine("without Peru", Q, Filters(country=["Peru"], role=["Explorer"]), vocab)
    assert step.filters == Filters(role=["Explorer"]) and step.removed == [("country", "Peru")]
    assert refine("clear filters", Q, Filters(country=["Peru"]), vocab).filters == Filters()
    assert refine("more", Q, Filters(), vocab).more
    assert not refine("more", "", Filters(), vocab).more


def test_a_new_topic_is_a_new_question_with_filters_kept(vocab):
    step = refine("how did labs work with indigenous communities on land rights?", Q, Filters(country=["Peru"]), vocab)
    assert not step.follow_up and step.query.startswith("how did labs work")
    assert step.filters == Filters(country=["Peru"])


def test_element_names_filter_only_in_follow_ups_but_places_always(vocab):
    new = refine("how did labs build trust with communities in Peru?", "", Filters(), vocab)
    assert not new.follow_up and new.filters == Filters(country=["Peru"])
    follow = refine("what about trust?", Q, Filters(country=["Peru"]), vocab)
    assert follow.follow_up and follow.filters == Filters(principles=["Trust"], country=["Peru"])

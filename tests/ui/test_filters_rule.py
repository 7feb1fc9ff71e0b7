"""The one rule that keeps filters (ui/followups.py ``refine``) and places the archive has no story from
(ui/nearby.py): pure functions over made-up facets."""

from __future__ import annotations

import pytest
from facets_support import FACETS, PLACES

from labstories.rag.records import Filters
from labstories.ui.followups import Vocabulary, refine
from labstories.ui.nearby import nearest

Q = "how did labs build belonging with migrants?"
NEW = "how did labs earn the trust of communities?"


@pytest.fixture(scope="module")
def vocab():
    return Vocabulary(FACETS, PLACES)


@pytest.mark.parametrize(
    "origin, message",
    [
        ("the panel", None),  # chosen in the panel (or by a chip: both reach refine as filters in force)
        ("a follow-up", "only in Peru"),
        ("a question's text", "how did labs work with migrants in Peru?"),
    ],
)
def test_every_filter_in_force_is_kept_for_a_new_question_whatever_set_it(vocab, origin, message):
    filters = Filters(country=["Peru"]) if message is None else refine(message, Q, Filters(), vocab).filters
    assert filters == Filters(country=["Peru"]), origin
    step = refine(NEW, Q, filters, vocab)
    assert not step.follow_up and step.query == NEW
    assert step.filters == Filters(country=["Peru"]) == step.carried


def test_a_follow_up_adds_to_the_filters_kept(vocab):
    step = refine("only experimenters", Q, Filters(principles=["Trust"], country=["Peru"]), vocab)
    assert step.follow_up
    assert step.filters == Filters(principles=["Trust"], country=["Peru"], role=["Experimenter"])
    assert step.carried == Filters(principles=["Trust"], country=["Peru"])


def test_only_removing_drops_a_filter(vocab):
    kept = Filters(principles=["Trust"], country=["Peru"])
    assert refine("without Peru", Q, kept, vocab).filters == Filters(principles=["Trust"])
    assert refine("clear filters", Q, kept, vocab).filters == Filters()
    assert refine("savings groups", Q, kept, vocab).filters == kept


@pytest.mark.parametrize("message", ["only in Kenya", "Kenya?", "and in Kenya", "only experimenters in Kenya"])
def test_a_country_the_archive_lacks_changes_nothing(vocab, message):
    panel = Filters(principles=["Trust"], country=["Peru"])
    step = refine(message, Q, panel, vocab)
    assert step.absent == [("country", "Kenya")]
    assert step.filters == panel and step.query == Q and not step.more


def test_a_continent_the_archive_lacks_and_no_previous_question(vocab):
    step = refine("only in Asia", Q, Filters(), vocab)  # FACETS have no Asia
    assert step.absent == [("continent", "Asia")] and step.filters == Filters()
    step = refine("only in Kenya", "", Filters(country=["Peru"]), vocab)
    assert step.absent == [("country", "Kenya")] and step.query == "" and step.filters == Filters(country=["Peru"])


def test_a_known_name_inside_a_lacking_one_is_not_read(vocab):
    """ "Guinea" in "Papua New Guinea": the longer name is read first, whichever the archive has."""
    vocab = Vocabulary({**FACETS, "country": {"Sudan": 1, "Guinea": 1}}, {"Sudan": "Africa", "Guinea": "Africa"})
    step = refine("only in Papua New Guinea", Q, Filters(), vocab)
    assert step.absent == [("country", "Papua New Guinea")] and step.filters == Filters()
    assert refine("only in Guinea", Q, Filters(), vocab).filters == Filters(country=["Guinea"])


def test_a_new_question_naming_a_lacking_place_is_searched_as_typed(vocab):
    step = refine("how did labs work with farmers in Kenya?", Q, Filters(), vocab)
    assert not step.absent and step.query == "how did labs work with farmers in Kenya?"


def test_nearest_values_same_continent_then_spelling(vocab):
    kenya = nearest("country", "Kenya", vocab)
    assert kenya.label == "Countries in Africa it has"
    assert kenya.nearest == [("South Sudan", 2), ("Sudan", 1), ("South Africa", 1)]  # in the facets' order
    far = nearest("country", "Perou", Vocabulary(FACETS, {}))  # no continents known: closest spellings
    assert far.nearest[0] == ("Peru", 1)
    asia = nearest("continent", "Asia", vocab)
    assert asia.label == "Continents it has" and ("Africa", 35) in asia.nearest


def test_the_pills_and_the_absent_notice_are_inert():
    """Filter values and places come from links and messages: untrusted, escaped like every field."""
    from test_render import assert_inert, evil

    from labstories.rag.answer import Answer
    from labstories.ui import render
    from labstories.ui.nearby import Absent

    filters = Filters(country=[evil("pill-country")], principles=[evil("pill-principle")])
    markup = render.answer_html(Answer(evil("query"), filters, []), kept=filters)
    assert_inert(markup, ["pill-country", "pill-principle", "query"])
    assert markup.count('class="ls-narrow ls-pill') == 2 and "Filters kept from your last question:" in markup
    place = Absent("country", evil("place"), "Countries in Africa it has", [(evil("nearest"), 1)])
    for query in (evil("query"), ""):
        assert_inert(render.absent_html([place], query, filters), ["place", "nearest", "pill-country"])

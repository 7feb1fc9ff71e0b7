"""The follow-up grammar (ui/followups.py) on arbitrary messages: it never raises, only ever sets values the
index knows, keeps its promises about question words, and stays fast on the longest question."""

from __future__ import annotations

import time

import fuzz_profile  # noqa: F401  (bounded by default; LABSTORIES_LONG_FUZZ=1 for long runs)
from hypothesis import given
from hypothesis import strategies as st

from labstories.rag.records import Filters
from labstories.ui.followups import Vocabulary, refine
from labstories.ui.limits import MAX_QUESTION

FACETS = {
    "principles": {"Trust": 55, "Diversity": 30},
    "tactics": {"Getting in there": 8},
    "tools": {"Design": 40},
    "skills": {},
    "country": {"Peru": 1, "South Sudan": 2, "Mexico": 3},
    "continent": {"Africa": 35, "Asia": 19, "South America": 9},
    "role": {"Experimenter": 30, "Explorer": 20},
}
VOCAB = Vocabulary(FACETS, {"Peru": "South America", "South Sudan": "Africa", "Mexico": "North America"})
WORDS = st.sampled_from(
    "only in Africa more from Peru what about trust without and y solo en sin sans seulement "
    "how did labs design pilots experimenters ¿qué tal la confianza? clear filters all countries "
    "plus más Perú Afrique , . ? ! \x00 \ud800 ²".split(" ")
)
MESSAGES = st.one_of(
    st.text(st.characters(blacklist_categories=()), max_size=80), st.lists(WORDS, max_size=14).map(" ".join)
)
FILTERS = st.builds(
    Filters,
    principles=st.lists(st.sampled_from(["Trust", "Diversity"]), unique=True),
    country=st.lists(st.sampled_from(["Peru", "Mexico"]), unique=True),
    continent=st.lists(st.sampled_from(["Africa", "Asia"]), unique=True),
)


@given(MESSAGES, st.sampled_from(["", "How did labs build belonging with migrants?"]), FILTERS)
def test_refine_never_raises_and_sets_only_known_values(message, previous, panel):
    step = refine(message, previous, panel, VOCAB)
    assert step.query in (message.strip(), previous)
    assert not step.follow_up or previous
    for kind, values in step.filters.items():
        assert set(values) <= set(FACETS[kind])
    assert set(step.carried.pairs()) <= set(panel.pairs()) & set(step.filters.pairs())
    assert not step.absent or step.filters == panel  # a place the archive lacks changes nothing


@given(st.lists(WORDS, min_size=3, max_size=10).map(" ".join))
def test_a_message_opening_with_a_question_word_is_never_a_follow_up(rest):
    for opening in ("how did", "why do", "comment les", "¿cómo", "pourquoi", "what did"):
        step = refine(f"{opening} {rest}", "savings groups", Filters(), VOCAB)
        assert not step.follow_up or step.more, (opening, rest)


@given(st.text(st.characters(blacklist_categories=()), min_size=MAX_QUESTION, max_size=MAX_QUESTION))
def test_the_longest_question_is_understood_quickly(message):
    began = time.perf_counter()
    refine(message, "savings groups", Filters(), VOCAB)
    assert time.perf_counter() - began < 0.5

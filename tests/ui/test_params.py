"""URL query parameters → a validated page request (ui/params.py), with a note for anything dropped."""

from __future__ import annotations

from facets_support import FACETS

from labstories.rag.records import Filters
from labstories.ui.params import clean_filters, parse_params


def test_params_validate_every_name_and_value():
    request = parse_params(
        [
            ("q", "  trust  "),
            ("principle", "trust"),
            ("country", "Narnia"),
            ("t", "12x"),
            ("story", "../etc/passwd"),
            ("utm_source", "x"),
        ],
        FACETS,
        {"S_ONE"},
    )
    assert request.query == "trust" and request.filters == Filters(principles=["Trust"])
    assert request.story is None and request.t is None
    text = " ".join(request.notes)
    assert "utm_source" in text and "Narnia" in text and "t=“12x”" in text and "no story" in text


def test_params_story_and_time():
    request = parse_params([("story", "S_ONE"), ("t", "132")], FACETS, {"S_ONE"})
    assert (request.story, request.t, request.notes) == ("S_ONE", 132, [])


def test_clean_filters_drops_unknown_values_with_a_note():
    notes = []
    assert clean_filters({"country": ["peru", "Atlantis"], "bogus": ["x"]}, FACETS, notes) == Filters(country=["Peru"])
    assert len(notes) == 1 and "Atlantis" in notes[0]
